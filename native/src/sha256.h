/*
 * SHA-256 (FIPS 180-4) and the HMAC-SHA256 (RFC 2104) the SYN cookie needs. Pure, no allocation; small enough to
 * own rather than depend on the OpenSSL symbols a given node binary may or may not export.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST 32
#define SHA256_BLOCK 64

typedef struct {
  uint32_t h[8];
  uint64_t bytes; /* absorbed so far */
  uint8_t buf[SHA256_BLOCK];
  size_t n; /* bytes waiting in buf */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, uint8_t out[SHA256_DIGEST]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST]);

/* HMAC's two hash states after the padded key block, computed once per key: each MAC then costs the message's
 * compressions plus one for the outer hash. */
typedef struct {
  sha256_ctx inner, outer;
} hmac_sha256_key;

void hmac_sha256_key_init(hmac_sha256_key *k, const uint8_t *key, size_t len);
void hmac_sha256(const hmac_sha256_key *k, const void *msg, size_t len, uint8_t out[SHA256_DIGEST]);

#endif
