// Preloaded into a proxy under test (`--expose-gc --import <this file>`, see GC_ON_SIGNAL_NODE_ARGS): SIGUSR2 runs a
// full garbage collection, so a heap check after a load compares live data with live data instead of counting
// garbage an idle process has no reason to collect yet. Test-only: production never loads it.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('gc-on-signal needs node --expose-gc');
process.on('SIGUSR2', () => gc());
