import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionLog, type SessionEndLine, type SessionIdentity } from '../../../src/logging/session-log.js';
import { jsonLineSink } from '../../support/json-lines.js';

/** A SessionLog writing into an array of parsed lines. */
function capture(level: 'debug' | 'info' | 'warn' = 'info', bindings?: Record<string, unknown>) {
  const { lines, sink } = jsonLineSink();
  return { lines, log: SessionLog.create(level, sink, bindings) };
}

const identity: SessionIdentity = { session: 's1', stream: 'v/live/x', mode: 'publish', caller: '127.0.0.1:5000', origin: '10.0.0.1:10080' };
const start = { ...identity, handshakeMs: 3 };
const end: SessionEndLine = {
  reason: 'caller-shutdown',
  durationMs: 2017,
  bytesFromCaller: 83964,
  bytesFromOrigin: 2288,
  packetsFromCaller: 135,
  packetsFromOrigin: 52,
  drops: 0,
  sendQueueDrops: 0,
  sendErrors: 0,
};

/** A start line through the session log's API: the identity made once, then the line. */
function logStarted(log: SessionLog, line: SessionIdentity & { handshakeMs: number }): void {
  const { handshakeMs, ...id } = line;
  log.started(log.identity(id), handshakeMs);
}

function logEnded(log: SessionLog, id: SessionIdentity, line: SessionEndLine): void {
  log.ended(log.identity(id), line);
}

describe('SessionLog', () => {
  it('writes the start line in the shape of every other line, with the session fields', () => {
    const { lines, log } = capture();
    logStarted(log, start);
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.equal(line.level, 'info');
    assert.equal(line.service, 'srt-proxy');
    assert.equal(line.context, 'Session');
    assert.equal(line.msg, 'session started');
    assert.match(line.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(
      { session: line.session, stream: line.stream, mode: line.mode, caller: line.caller, origin: line.origin, handshakeMs: line.handshakeMs },
      start,
    );
  });

  it('writes the end line with the reason, duration, counts and telemetry', () => {
    const { lines, log } = capture();
    logEnded(log, identity, { ...end, rttMs: null, lossReported: 4, retransmitted: 2 });
    assert.equal(lines.length, 1);
    const { level: _l, time: _t, service: _s, context, msg, ...fields } = lines[0]!;
    assert.equal(context, 'Session');
    assert.equal(msg, 'session ended');
    assert.deepEqual(fields, { ...identity, ...end, rttMs: null, lossReported: 4, retransmitted: 2 });
  });

  it('scrubs a secret-looking pair out of the stream key', () => {
    const { lines, log } = capture();
    logStarted(log, { ...start, stream: 'v/live/x,secret=hunter2' });
    logEnded(log, { ...identity, stream: 'v/live/token=abc' }, end);
    const text = JSON.stringify(lines);
    assert.ok(!text.includes('hunter2') && !text.includes('abc'), text);
    assert.equal(lines[0]!.stream, 'v/live/x,secret=[redacted]');
  });

  it('escapes what needs escaping and writes every line as one JSON object', () => {
    const { lines, log } = capture();
    logStarted(log, { ...start, stream: 'v/live/"quoted"\\back\nline' });
    logEnded(log, { ...identity, origin: undefined }, { ...end, rttMs: null, durationMs: Number.NaN });
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.stream, 'v/live/"quoted"\\back\nline');
    assert.equal('origin' in lines[1]!, false, 'an undefined origin is no field');
    assert.equal(lines[1]!.rttMs, null);
    assert.equal(lines[1]!.durationMs, null);
  });

  it('writes exactly what JSON.stringify writes for the same fields in the same order, whatever came before', () => {
    const written: string[] = [];
    const log = SessionLog.create('info', { write: (line: string) => written.push(line) }, { worker: 3 });
    logEnded(log, identity, { ...end, rttMs: 1.25, lossReported: 4, retransmitted: 2 });
    logStarted(log, { ...start, origin: undefined, caller: '[fe80::1%eth0]:5000' });
    logEnded(log, identity, { ...end, reason: undefined, durationMs: Number.POSITIVE_INFINITY });
    // One oddity per line: each alone must be escaped as JSON.stringify escapes it (or left as it leaves it).
    const odd = ['"q"', 'back\\slash', 'c\u0001', 'c\u001f', 'lone \ud800 high', 'lone \udc00 low', 'pair 😀', 'é \u2028 \u007f'];
    for (const stream of odd) logStarted(log, { ...start, stream: `v/live/${stream}` });
    const expected = (line: string, msg: string, fields: object): string => {
      const time = (JSON.parse(line) as { time: string }).time;
      return `${JSON.stringify({ level: 'info', time, service: 'srt-proxy', worker: 3, context: 'Session', msg, ...fields })}\n`;
    };
    assert.equal(written[0], expected(written[0]!, 'session ended', { ...identity, ...end, rttMs: 1.25, lossReported: 4, retransmitted: 2 }));
    assert.equal(written[1], expected(written[1]!, 'session started', { ...start, origin: undefined, caller: '[fe80::1%eth0]:5000' }));
    assert.equal(written[2], expected(written[2]!, 'session ended', { ...identity, ...end, reason: undefined, durationMs: null }));
    odd.forEach((stream, i) => assert.equal(written[3 + i], expected(written[3 + i]!, 'session started', { ...start, stream: `v/live/${stream}` }), stream));
  });

  it('writes one identity, made once, into both lines of a session exactly as JSON.stringify writes the fields, secrets scrubbed', () => {
    const written: string[] = [];
    const log = SessionLog.create('info', { write: (line: string) => written.push(line) });
    // Oddities in every identity field: quotes, backslashes, control characters, lone and paired surrogates, a
    // secret in the stream key, and the bracketed IPv6 caller with a zone.
    const odd: SessionIdentity = {
      session: 's"7\\',
      stream: 'v/live/\ud800x,secret=hunter2,\u0001😀"q"',
      mode: 'pub\u001flish',
      caller: '[fe80::1%eth0]:5000',
      origin: 'o\udc00rigin',
    };
    const ids = [identity, odd, { ...odd, origin: undefined }];
    for (const id of ids) {
      const made = log.identity(id);
      log.started(made, 12);
      log.ended(made, { ...end, rttMs: 0.5 });
    }
    assert.equal(written.length, 6);
    ids.forEach((id, i) => {
      const scrubbed = { ...id, stream: id.stream.replace('hunter2', '[redacted]') };
      const expected = (line: string, msg: string, fields: object): string => {
        const time = (JSON.parse(line) as { time: string }).time;
        return `${JSON.stringify({ level: 'info', time, service: 'srt-proxy', context: 'Session', msg, ...scrubbed, ...fields })}\n`;
      };
      assert.equal(written[2 * i], expected(written[2 * i]!, 'session started', { handshakeMs: 12 }));
      assert.equal(written[2 * i + 1], expected(written[2 * i + 1]!, 'session ended', { ...end, rttMs: 0.5 }));
    });
    assert.ok(!written.join('').includes('hunter2'));
  });

  it("stamps a line with the time it is given (the event's), else with now", () => {
    const { lines, log } = capture();
    const made = log.identity(identity);
    log.started(made, 3, Date.UTC(2030, 0, 2, 3, 4, 5, 6));
    log.ended(made, end, Date.UTC(2030, 0, 2, 3, 4, 5, 7));
    const before = Date.now();
    log.ended(made, end);
    assert.equal(lines[0]!.time, '2030-01-02T03:04:05.006Z');
    assert.equal(lines[1]!.time, '2030-01-02T03:04:05.007Z');
    const time = Date.parse(lines[2]!.time as string);
    assert.ok(time >= before && time <= Date.now(), lines[2]!.time as string);
  });

  it('makes no identity text below its level', () => {
    const log = SessionLog.create('warn', { write: () => assert.fail('nothing is written below info') });
    assert.equal(log.identity(identity), '');
  });

  it("carries the logger's bindings (an SRT worker's number) like every other line", () => {
    const { lines, log } = capture('info', { worker: 2 });
    logStarted(log, start);
    assert.equal(lines[0]!.worker, 2);
    assert.equal(lines[0]!.service, 'srt-proxy');
    assert.equal(lines[0]!.context, 'Session');
  });

  it('writes nothing below its level', () => {
    const { lines, log } = capture('warn');
    logStarted(log, start);
    logEnded(log, identity, end);
    assert.equal(lines.length, 0);
  });
});
