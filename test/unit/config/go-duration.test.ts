import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration } from '../../../src/config/go-duration.js';

describe('parseGoDuration', () => {
  it('reads the forms the reference documents and Go accepts', () => {
    const cases: [string, number][] = [
      ['20s', 20_000],
      ['30s', 30_000],
      ['1m30s', 90_000],
      ['500ms', 500],
      ['1h', 3_600_000],
      ['1.5h', 5_400_000],
      ['2h45m', 9_900_000],
      ['.5s', 500],
      ['1.s', 1000],
      ['1500us', 1.5],
      ['1500µs', 1.5],
      ['2000000ns', 2],
      ['0', 0],
      ['+5s', 5000],
      ['-1.5s', -1500],
      [' 20s ', 20_000],
    ];
    for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
  });

  it('refuses what Go refuses, with a message naming the units', () => {
    for (const text of ['', '20', '1m30', 's', '.s', '1.5.3s', '20x', '20 s', '-', 'ten seconds', '1d']) {
      const result = parseGoDuration(text);
      assert.equal(typeof result, 'string', `${JSON.stringify(text)} gave ${String(result)}`);
      assert.match(result as string, /units: ns, us, ms, s, m, h|out of range/, text);
    }
  });

  it('says which unit is unknown and when a unit is missing', () => {
    assert.match(parseGoDuration('3d') as string, /unknown unit "d"/);
    assert.match(parseGoDuration('20') as string, /missing unit in "20"/);
  });
});
