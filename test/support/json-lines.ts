import { Writable } from 'node:stream';

/** A stream for a logger to write to, and the JSON lines written so far, parsed (a logger writes whole lines). */
export function jsonLineSink(): { readonly lines: Record<string, unknown>[]; readonly sink: Writable } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, sink };
}
