import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, scrubRecord, scrubSecrets } from '../../../src/logging/redaction.js';

describe('scrubSecrets', () => {
  it('cuts the values of secret-looking params in stream ids and URLs, keeping the rest', () => {
    assert.equal(scrubSecrets('#!::r=live/x,m=publish,secret=abc123'), `#!::r=live/x,m=publish,secret=${REDACTED}`);
    assert.equal(scrubSecrets('live/x?token=t0k&vhost=v'), `live/x?token=${REDACTED}&vhost=v`);
    assert.equal(scrubSecrets('redis://u:p@h?password=pw'), `redis://u:p@h?password=${REDACTED}`);
    assert.equal(scrubSecrets('Authorization: Bearer abc.def-ghi'), `Authorization: Bearer ${REDACTED}`);
    assert.equal(scrubSecrets('#!::r=live/cam1,m=request'), '#!::r=live/cam1,m=request');
    assert.equal(scrubSecrets('no params here'), 'no params here');
  });

  it('scrubs the string fields of a record and leaves clean records untouched', () => {
    const clean = { msg: 'session started', stream: 'v/live/x', bytes: 3 };
    assert.equal(scrubRecord(clean), clean);
    assert.deepEqual(scrubRecord({ msg: 'x', detail: 'r=live/x,passphrase=hunter22' }), { msg: 'x', detail: `r=live/x,passphrase=${REDACTED}` });
  });
});
