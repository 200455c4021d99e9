/*
 * What the native data path needs to know of a datagram. Pure functions over bytes: no I/O, no allocation, safe on
 * any input of any length (fuzzed: fuzz/). Mirrors src/srt/protocol (packet-header.ts, ack.ts, nak.ts), which stays
 * the reference: a datagram classified here the same way as there.
 */
#ifndef SRT_PACKET_H
#define SRT_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define SRT_HEADER_SIZE 16

typedef enum {
  /* Shorter than the 16-byte SRT header. */
  SRT_PKT_MALFORMED = 0,
  /* Destination socket id 0: a handshake (or garbage) for the session logic. */
  SRT_PKT_HANDSHAKE_PATH = 1,
  SRT_PKT_DATA = 2,
  SRT_PKT_CONTROL = 3,
} srt_pkt_kind;

/* Control types the relay acts on (draft-sharabayko-srt section 3.2). */
#define SRT_CTRL_HANDSHAKE 0x0000
#define SRT_CTRL_ACK 0x0002
#define SRT_CTRL_NAK 0x0003
#define SRT_CTRL_SHUTDOWN 0x0005

typedef struct {
  srt_pkt_kind kind;
  /* Bytes 12..15, big-endian; 0 for SRT_PKT_MALFORMED. */
  uint32_t dst_socket_id;
  /* SRT_PKT_CONTROL only: bits 1..15 of the first word. */
  uint16_t control_type;
  /* SRT_PKT_DATA only: the retransmitted (R) flag. */
  uint8_t retransmitted;
} srt_pkt_info;

void srt_pkt_classify(const uint8_t *p, size_t len, srt_pkt_info *out);

typedef enum {
  SRT_ACK_MALFORMED = 0,
  SRT_ACK_LIGHT = 1,
  SRT_ACK_SMALL = 2,
  SRT_ACK_FULL = 3,
} srt_ack_kind;

/* As src/srt/protocol/ack.ts AckFields: a light ACK updates only last_acked_sequence, a small one also the RTT and
 * buffer fields; the rest keep their earlier values. */
typedef struct {
  uint32_t last_acked_sequence;
  uint32_t rtt_us;
  uint32_t rtt_var_us;
  uint32_t available_buffer_packets;
  uint32_t packet_rate;
  uint32_t link_capacity_packets;
  uint32_t byte_rate;
} srt_ack_fields;

srt_ack_kind srt_ack_read(const uint8_t *p, size_t len, srt_ack_fields *into);

/* As countNakLoss in src/srt/protocol/nak.ts. */
uint32_t srt_nak_loss_count(const uint8_t *p, size_t len);

#endif
