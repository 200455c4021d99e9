/* See srt_handshake.h. Offsets as src/srt/protocol/handshake.ts: CIF at 16; version 16, encryption 20, extension
 * (magic) 22, type 36, socket id 40, cookie 44. */
#include "srt_handshake.h"

#include <stdio.h>
#include <string.h>

#define SRT_MAGIC_CODE 0x4a17

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

uint32_t srt_hs_type(const uint8_t *p, size_t len) {
  /* A control packet (top bit) of control type 0 (HANDSHAKE, the next 15 bits). */
  if (len < SRT_HS_SIZE || (p[0] & 0x80) == 0 || (p[0] & 0x7f) != 0 || p[1] != 0) return 0;
  return rd32(p + 36);
}

int srt_hs_is_induction(const uint8_t *p, size_t len) {
  return srt_hs_type(p, len) == SRT_HS_INDUCTION;
}

uint32_t srt_hs_cookie_of(const uint8_t *p) {
  return rd32(p + 44);
}

void srt_hs_induction_answer(const uint8_t *req, uint32_t cookie, uint8_t out[SRT_HS_SIZE]) {
  /* The request's CIF, then a header with the request's timestamp to the caller's socket id. */
  memcpy(out + 16, req + 16, SRT_HS_SIZE - 16);
  wr32(out, 0x80000000u);
  wr32(out + 4, 0);
  memcpy(out + 8, req + 8, 4);
  memcpy(out + 12, req + 40, 4);
  wr32(out + 16, 5);
  out[20] = 0;
  out[21] = 0;
  out[22] = SRT_MAGIC_CODE >> 8;
  out[23] = SRT_MAGIC_CODE & 0xff;
  wr32(out + 44, cookie);
}

uint32_t srt_syn_cookie(const hmac_sha256_key *key, const char *address, int port, int64_t bucket) {
  /* An address is at most INET6_ADDRSTRLEN plus a scope name (IF_NAMESIZE): far below this. */
  char msg[160];
  int n = snprintf(msg, sizeof msg, "%s|%d|%lld", address, port, (long long)bucket);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof msg) n = (int)sizeof msg - 1;
  uint8_t mac[SHA256_DIGEST];
  hmac_sha256(key, msg, (size_t)n, mac);
  uint32_t cookie = rd32(mac);
  return cookie == 0 ? 1 : cookie;
}

int srt_syn_cookie_verify(const hmac_sha256_key *key, const char *address, int port, int64_t bucket, uint32_t cookie) {
  return srt_syn_cookie(key, address, port, bucket) == cookie || srt_syn_cookie(key, address, port, bucket - 1) == cookie;
}
