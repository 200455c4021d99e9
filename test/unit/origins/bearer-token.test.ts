import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BearerToken } from '../../../src/origins/bearer-token.js';

describe('BearerToken', () => {
  const token = new BearerToken('s3cret-token-value');

  it('matches "Bearer <token>", scheme in any case, surrounding blanks allowed', () => {
    assert.equal(token.matches('Bearer s3cret-token-value'), true);
    assert.equal(token.matches('bearer s3cret-token-value'), true);
    assert.equal(token.matches('BEARER \ts3cret-token-value  '), true);
  });

  it('refuses anything else', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      's3cret-token-value',
      'Basic s3cret-token-value',
      'Bearer s3cret-token-valu',
      'Bearer s3cret-token-value2',
      'Bearer S3CRET-TOKEN-VALUE',
      'Bearer s3cret-token-value extra',
      'Bearers3cret-token-value',
      `Bearer ${'x'.repeat(100_000)}`,
    ]) {
      assert.equal(token.matches(header), false, JSON.stringify(header?.slice(0, 40)));
    }
  });
});
