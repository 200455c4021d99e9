/*
 * The handshake answers the native data path writes itself, and the SYN cookie in them. Pure functions over bytes
 * (the clock is the caller's): they mirror src/srt/protocol (syn-cookie.ts, handshake-builders.ts, the engine's
 * INDUCTION checks), which stays the reference; test/unit/srt/transport/native/syn-cookie.test.ts holds them equal.
 */
#ifndef SRT_HANDSHAKE_H
#define SRT_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

/* Header plus the 48-byte handshake CIF; an INDUCTION answer is exactly this long. */
#define SRT_HS_SIZE 64
#define SRT_HS_INDUCTION 1
#define SRT_HS_CONCLUSION 0xffffffffu
/* The cookie's time bucket: a minute of the wall clock (Date.now() / 60000). */
#define SRT_COOKIE_BUCKET_MS 60000

/* 1 when the handshake engine would answer p as an INDUCTION: at least 64 bytes, a control packet of type
 * HANDSHAKE, handshake type INDUCTION (what it does not read is not checked, as there). */
int srt_hs_is_induction(const uint8_t *p, size_t len);

/* The handshake type of a handshake control packet of at least 64 bytes; 0 for anything else. */
uint32_t srt_hs_type(const uint8_t *p, size_t len);

/* The cookie field of a handshake (caller checked srt_hs_type). */
uint32_t srt_hs_cookie_of(const uint8_t *p);

/* buildInductionResponse: the 64-byte answer to the INDUCTION `req` (srt_hs_is_induction) carrying `cookie`. */
void srt_hs_induction_answer(const uint8_t *req, uint32_t cookie, uint8_t out[SRT_HS_SIZE]);

/* SynCookie's value for a caller in a minute bucket: HMAC-SHA256 of `address|port|bucket` under the key, its first
 * 4 bytes big-endian, 0 mapped to 1. `address` as node:dgram spells it (the text JS is handed). */
uint32_t srt_syn_cookie(const hmac_sha256_key *key, const char *address, int port, int64_t bucket);

/* SynCookie.verify: the cookie of this bucket or of the previous one. */
int srt_syn_cookie_verify(const hmac_sha256_key *key, const char *address, int port, int64_t bucket, uint32_t cookie);

#endif
