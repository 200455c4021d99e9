import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { HANDSHAKE_TICK_MS, HandshakeTimers, type HandshakeTimed } from '../../../../src/srt/session/handshake-timers.js';

describe('HandshakeTimers', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('ticks every watched handshake with the time, and only while one is watched', () => {
    const timers = new HandshakeTimers();
    const seen: [string, number][] = [];
    const a: HandshakeTimed = { onHandshakeTick: (now) => void seen.push(['a', now]) };
    const b: HandshakeTimed = {
      onHandshakeTick: (now) => {
        seen.push(['b', now]);
        timers.unwatch(b); // a handshake that ends during its own tick
      },
    };
    mock.timers.tick(HANDSHAKE_TICK_MS);
    assert.deepEqual(seen, [], 'nothing watched, nothing ticks');
    timers.watch(a);
    timers.watch(b);
    mock.timers.tick(HANDSHAKE_TICK_MS);
    assert.deepEqual(seen, [['a', 2 * HANDSHAKE_TICK_MS], ['b', 2 * HANDSHAKE_TICK_MS]]);
    mock.timers.tick(HANDSHAKE_TICK_MS);
    assert.deepEqual(seen.slice(2), [['a', 3 * HANDSHAKE_TICK_MS]], 'b let go of its tick');
    timers.unwatch(a);
    timers.unwatch(a); // twice is harmless
    assert.equal(timers.size, 0);
    mock.timers.tick(10 * HANDSHAKE_TICK_MS);
    assert.equal(seen.length, 3, 'the interval stopped with the last handshake');
  });
});
