import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExposition, sampleValue } from '../../support/prometheus.js';

const GOOD = `# HELP a_total Things.
# TYPE a_total counter
a_total{kind="x",path="a\\\\b \\"q\\""} 3
a_total{kind="y"} 1.5e3
# TYPE h_seconds histogram
h_seconds_bucket{le="0.1"} 1
h_seconds_bucket{le="1"} 2
h_seconds_bucket{le="+Inf"} 2
h_seconds_sum 0.6
h_seconds_count 2
# TYPE g gauge
g NaN
`;

describe('parseExposition (the metrics tests rely on it refusing bad text)', () => {
  it('reads families, labels with escapes, exponents and histograms', () => {
    const families = parseExposition(GOOD);
    assert.equal(families.get('a_total')!.type, 'counter');
    assert.equal(families.get('a_total')!.help, 'Things.');
    assert.equal(sampleValue(families, 'a_total', { path: 'a\\b "q"' }), 3);
    assert.equal(sampleValue(families, 'a_total', { kind: 'y' }), 1500);
    assert.equal(sampleValue(families, 'h_seconds_count'), 2);
    assert.ok(Number.isNaN(sampleValue(families, 'g')));
  });

  it('refuses what Prometheus refuses', () => {
    const bad: Record<string, string> = {
      'no TYPE': 'x 1\n',
      'bad value': '# TYPE x gauge\nx one\n',
      'bad label syntax': '# TYPE x gauge\nx{a=b} 1\n',
      'unterminated label': '# TYPE x gauge\nx{a="b} 1\n',
      'duplicate series': '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n',
      'negative counter': '# TYPE x_total counter\nx_total -1\n',
      'bad escape': '# TYPE x gauge\nx{a="\\t"} 1\n',
      'non-cumulative buckets': '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\n',
      'count differs': '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 3\n',
      'unknown type': '# TYPE x meter\n',
    };
    for (const [what, text] of Object.entries(bad)) assert.throws(() => parseExposition(text), Error, what);
  });

  it('sampleValue insists on exactly one match', () => {
    const families = parseExposition(GOOD);
    assert.throws(() => sampleValue(families, 'a_total'), /found 2/);
    assert.throws(() => sampleValue(families, 'missing'), /found 0/);
  });
});
