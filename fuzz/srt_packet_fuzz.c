/*
 * libFuzzer harness over native/src/srt_packet.h: every function on every input, each checked against a reference
 * written here from src/srt/protocol (packet-header.ts, ack.ts, nak.ts), which stays the specification. "No crash"
 * is only half of it: a disagreement with the reference aborts too (__builtin_trap), so the fuzzer also finds
 * datagrams the native path would classify differently from the TypeScript path. The input is copied into an
 * exact-sized heap block first, so ASan sees a read one byte past the datagram (libFuzzer's own buffer already is
 * exact-sized; the copy keeps that true if the harness is ever driven by something else).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srt_packet.h"

#define CHECK(cond)                                                                          \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      fprintf(stderr, "fuzz invariant broken: %s (%s:%d), input of %zu bytes\n", #cond, __FILE__, __LINE__, len); \
      __builtin_trap();                                                                      \
    }                                                                                        \
  } while (0)

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* countNakLoss (nak.ts), in 64 bits so that the reference itself cannot wrap. */
static uint64_t reference_nak_loss(const uint8_t *p, size_t len) {
  uint64_t lost = 0;
  for (size_t at = SRT_HEADER_SIZE; at + 4 <= len; at += 4) {
    uint32_t word = be32(p + at);
    if (word < 0x80000000u) {
      lost++;
      continue;
    }
    if (at + 8 > len) {
      lost++;
      break;
    }
    at += 4;
    uint64_t width = (uint64_t)((be32(p + at) - (word & 0x7fffffffu)) & 0x7fffffffu) + 1;
    if (width <= (1u << 20)) lost += width;
  }
  return lost;
}

static void check_classify(const uint8_t *p, size_t len) {
  srt_pkt_info info;
  memset(&info, 0xa5, sizeof info);
  srt_pkt_classify(p, len, &info);
  CHECK(info.kind == SRT_PKT_MALFORMED || info.kind == SRT_PKT_HANDSHAKE_PATH || info.kind == SRT_PKT_DATA ||
        info.kind == SRT_PKT_CONTROL);
  CHECK((info.kind == SRT_PKT_MALFORMED) == (len < SRT_HEADER_SIZE));
  if (len < SRT_HEADER_SIZE) {
    CHECK(info.dst_socket_id == 0);
    return;
  }
  uint32_t dst = be32(p + 12);
  CHECK(info.dst_socket_id == dst);
  CHECK((info.kind == SRT_PKT_HANDSHAKE_PATH) == (dst == 0));
  if (dst == 0) return;
  CHECK((info.kind == SRT_PKT_CONTROL) == ((p[0] & 0x80) != 0));
  if (info.kind == SRT_PKT_CONTROL) {
    CHECK(info.control_type == (uint16_t)(((p[0] & 0x7f) << 8) | p[1]));
  } else {
    CHECK(info.retransmitted == ((p[4] & 0x04) != 0));
  }
}

static void check_ack(const uint8_t *p, size_t len) {
  srt_ack_fields got, before;
  memset(&before, 0x5a, sizeof before);
  got = before;
  srt_ack_kind kind = srt_ack_read(p, len, &got);
  size_t cif = len >= SRT_HEADER_SIZE ? len - SRT_HEADER_SIZE : 0;
  srt_ack_kind want = len < SRT_HEADER_SIZE + 4 ? SRT_ACK_MALFORMED
                      : cif < 16                ? SRT_ACK_LIGHT
                      : cif < 24                ? SRT_ACK_SMALL
                                                : SRT_ACK_FULL;
  CHECK(kind == want);
  srt_ack_fields expect = before;
  if (kind >= SRT_ACK_LIGHT) expect.last_acked_sequence = be32(p + 16) & 0x7fffffffu;
  if (kind >= SRT_ACK_SMALL) {
    expect.rtt_us = be32(p + 20);
    expect.rtt_var_us = be32(p + 24);
    expect.available_buffer_packets = be32(p + 28);
  }
  if (kind == SRT_ACK_FULL) {
    expect.packet_rate = be32(p + 32);
    expect.link_capacity_packets = be32(p + 36);
    expect.byte_rate = cif >= 28 ? be32(p + 40) : 0;
  }
  /* Fields the form does not carry keep their earlier values; a MALFORMED ACK leaves everything untouched. */
  CHECK(got.last_acked_sequence == expect.last_acked_sequence);
  CHECK(got.rtt_us == expect.rtt_us && got.rtt_var_us == expect.rtt_var_us);
  CHECK(got.available_buffer_packets == expect.available_buffer_packets);
  CHECK(got.packet_rate == expect.packet_rate && got.link_capacity_packets == expect.link_capacity_packets);
  CHECK(got.byte_rate == expect.byte_rate);
}

static void check_nak(const uint8_t *p, size_t len) {
  uint64_t want = reference_nak_loss(p, len);
  uint32_t got = srt_nak_loss_count(p, len);
  /* Bounded: each 4-byte loss word adds at most one packet, each 8-byte range at most 2^20. */
  size_t words = len > SRT_HEADER_SIZE ? (len - SRT_HEADER_SIZE) / 4 : 0;
  CHECK(got <= (uint64_t)words * (1u << 20));
  CHECK((uint64_t)got == want);
  if (len < SRT_HEADER_SIZE + 4) CHECK(got == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *p = malloc(size); /* ASan's malloc(0) is a block of 0 bytes: any read of it is reported */
  if (p == NULL && size > 0) return 0;
  memcpy(p, data, size);
  size_t len = size;
  check_classify(p, len);
  check_ack(p, len);
  check_nak(p, len);
  /* Pure functions: the input is read, never written. */
  CHECK(memcmp(p, data, size) == 0);
  free(p);
  return 0;
}
