/* Classification of SRT datagrams for the native relay: the C twin of src/srt/protocol (packet-header.ts, ack.ts,
 * nak.ts). Every read is bounds-checked against len, so any byte string is safe input (fuzzed alone). */
#include "srt_packet.h"

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

void srt_pkt_classify(const uint8_t *p, size_t len, srt_pkt_info *out) {
  out->dst_socket_id = 0;
  out->control_type = 0;
  out->retransmitted = 0;
  if (p == NULL || len < SRT_HEADER_SIZE) {
    out->kind = SRT_PKT_MALFORMED;
    return;
  }
  out->dst_socket_id = be32(p + 12);
  if (out->dst_socket_id == 0) {
    out->kind = SRT_PKT_HANDSHAKE_PATH;
    return;
  }
  if (p[0] & 0x80) {
    out->kind = SRT_PKT_CONTROL;
    out->control_type = (uint16_t)(((p[0] & 0x7f) << 8) | p[1]);
  } else {
    out->kind = SRT_PKT_DATA;
    out->retransmitted = (p[4] & 0x04) != 0;
  }
}

/* CIF sizes of the three ACK forms (draft-sharabayko-srt 3.2.4); see ack.ts. */
#define LIGHT_CIF 4
#define SMALL_CIF 16
#define FULL_CIF_WITHOUT_BYTE_RATE 24
#define FULL_CIF 28

srt_ack_kind srt_ack_read(const uint8_t *p, size_t len, srt_ack_fields *into) {
  if (p == NULL || len < SRT_HEADER_SIZE + LIGHT_CIF) return SRT_ACK_MALFORMED;
  size_t cif = len - SRT_HEADER_SIZE;
  const uint8_t *c = p + SRT_HEADER_SIZE;
  into->last_acked_sequence = be32(c) & 0x7fffffffu;
  if (cif < SMALL_CIF) return SRT_ACK_LIGHT;
  into->rtt_us = be32(c + 4);
  into->rtt_var_us = be32(c + 8);
  into->available_buffer_packets = be32(c + 12);
  if (cif < FULL_CIF_WITHOUT_BYTE_RATE) return SRT_ACK_SMALL;
  into->packet_rate = be32(c + 16);
  into->link_capacity_packets = be32(c + 20);
  into->byte_rate = cif >= FULL_CIF ? be32(c + 24) : 0;
  return SRT_ACK_FULL;
}

/* A range wider than any libsrt receive buffer is garbage, not loss (nak.ts MAX_RANGE_PACKETS). */
#define MAX_RANGE_PACKETS (1u << 20)

uint32_t srt_nak_loss_count(const uint8_t *p, size_t len) {
  if (p == NULL || len < SRT_HEADER_SIZE + 4) return 0;
  uint32_t lost = 0;
  /* Same walk as countNakLoss: words start at 16 while at < len - 3. */
  size_t end = len - 3;
  for (size_t at = SRT_HEADER_SIZE; at < end; at += 4) {
    uint32_t word = be32(p + at);
    if (word < 0x80000000u) {
      lost++;
      continue;
    }
    if (at + 4 >= end) {
      lost++;
      break;
    }
    at += 4;
    uint32_t width = ((be32(p + at) - (word & 0x7fffffffu)) & 0x7fffffffu) + 1;
    if (width <= MAX_RANGE_PACKETS) lost += width;
  }
  return lost;
}
