// bench/log-cost: CPU per log line of the log destination, the way a handshake wave writes them: event-loop turns,
// every LINES_EVERY-th with two ~300-byte lines (a session's start and end line; about 25 MB/s of log, which stdout
// can take), against the same turns without lines. CPU is the
// process's (user + system, every thread: the log writer thread, or the thread pool of an older destination).
//
//   node dist/bench/log-cost.js [--seconds 1.5] [--rounds 3] [--module <path of another build's log-destination.js>]
//
// --module measures another build's destination with the same loop (e.g. main's, for an A/B): run both, interleaved.

import { openSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '1.5' }, rounds: { type: 'string', default: '3' }, module: { type: 'string' } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
if (!(seconds > 0) || !Number.isInteger(rounds) || rounds < 1) throw new Error('--seconds > 0, --rounds >= 1');

const url = values.module === undefined ? new URL('../src/logging/log-destination.js', import.meta.url).href : pathToFileURL(resolve(values.module)).href;
const { LogDestination } = (await import(url)) as typeof import('../src/logging/log-destination.js');
const destination = new LogDestination(openSync('/dev/null', 'w'));
const line = `${JSON.stringify({ level: 'info', msg: 'session ended', pad: 'x'.repeat(240) })}\n`;

/** Turns per pair of lines. */
const LINES_EVERY = 10;

/** CPU us per turn over `seconds` of turns, with two lines every LINES_EVERY turns or none. */
async function perTurn(withLines: boolean): Promise<number> {
  const start = process.cpuUsage();
  const until = Date.now() + seconds * 1000;
  let turns = 0;
  while (Date.now() < until) {
    if (withLines && turns % LINES_EVERY === 0) {
      destination.write(line);
      destination.write(line);
    }
    turns++;
    await new Promise((done) => setImmediate(done));
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / turns;
}

await perTurn(true); // warm-up: the JIT, the writer thread
const figures: number[] = [];
for (let round = 1; round <= rounds; round++) {
  const withLines = await perTurn(true);
  const without = await perTurn(false);
  const perLine = ((withLines - without) * LINES_EVERY) / 2;
  figures.push(perLine);
  console.log(`round ${round}: ${withLines.toFixed(3)} us per turn with lines, ${without.toFixed(3)} without: ${perLine.toFixed(2)} us CPU per line`);
}
figures.sort((a, b) => a - b);
console.log(`median ${figures[Math.floor(figures.length / 2)]!.toFixed(2)} us CPU per line (${url}); dropped ${destination.droppedLines}`);
