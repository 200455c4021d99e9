// The command-line options of the bench scripts: `--name value` and `--switch`, each applied to the script's
// defaults by its own setter; an unknown option or a missing value is an error naming the option. The value is the
// next argument whatever it looks like, so `--node-args "--cpu-prof --x"` works.

/** What an option does to the options object: a value option gets its text, a switch (`{ switch }`) nothing. */
export type OptionSetters<O> = Readonly<Record<string, ((o: O, value: string) => void) | { readonly switch: (o: O) => void }>>;

/** `defaults` with the options of `argv` (`--name` keys of `setters`) applied in their command-line order. */
export function parseCommandLine<O>(argv: readonly string[], defaults: O, setters: OptionSetters<O>): O {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const set = arg.startsWith('--') && Object.hasOwn(setters, arg.slice(2)) ? setters[arg.slice(2)] : undefined;
    if (set === undefined) throw new Error(`unknown option ${arg}`);
    if (typeof set !== 'function') {
      set.switch(defaults);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    set(defaults, value);
  }
  return defaults;
}

/** A count or a rate: `20000` or `20k`. NaN for anything else, for the caller's range check to refuse. */
export function parseCount(text: string): number {
  const k = /k$/i.test(text);
  return Math.round(Number(text.replace(/k$/i, '')) * (k ? 1000 : 1));
}
