// bench-net.h: what the bench's C tools (hs-load, udp-blast, c-origin, c-relay, handshake-flood) share: the clock,
// SRT's big-endian fields and the few packets they build, hex and address arguments, UDP socket set-up, paced
// sending and the stdin command loop. Header-only (static inline) so that every tool stays one gcc call: a quoted
// #include is looked up beside the .c file, `gcc -O2 -Wall -o <tool> bench/<tool>.c` finds it (bench/lib/c-tools.ts).

#ifndef BENCH_NET_H
#define BENCH_NET_H

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

// ---------------------------------------------------------------------------------------------------------------
// Time

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* SRT's 32-bit microsecond timestamp, counted from `epoch` (a now_ns() value). */
static inline uint32_t srt_timestamp(uint64_t epoch) { return (uint32_t)((now_ns() - epoch) / 1000); }

// ---------------------------------------------------------------------------------------------------------------
// SRT fields and packets

static inline uint32_t rd32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static inline void wr16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

#define SRT_KEEPALIVE 0x80010000u
#define SRT_SHUTDOWN 0x80050000u
#define SRT_CONTROL_SIZE 16

/* A control packet without CIF (KEEPALIVE, SHUTDOWN): 16 bytes at `p`. */
static inline void write_control(uint8_t *p, uint32_t type_word, uint32_t timestamp, uint32_t dst_socket_id) {
  wr32(p, type_word);
  wr32(p + 4, 0);
  wr32(p + 8, timestamp);
  wr32(p + 12, dst_socket_id);
}

/* The header of a data packet: sequence, solo message (PP=11) with the same number, timestamp, destination. */
static inline void write_data_header(uint8_t *p, uint32_t sequence, uint32_t timestamp, uint32_t dst_socket_id) {
  wr32(p, sequence & 0x7FFFFFFFu);
  wr32(p + 4, 0xC0000000u | (sequence & 0x03FFFFFFu));
  wr32(p + 8, timestamp);
  wr32(p + 12, dst_socket_id);
}

/* The payload of a data packet of `size` bytes: MPEG-TS null-ish cells (0x47 sync bytes, 0xFF filler). */
static inline void fill_ts_payload(uint8_t *p, int size) {
  memset(p, 0xFF, (size_t)size);
  for (int off = 16; off < size; off += 188) p[off] = 0x47;
}

/* What a datagram tells a caller whose INDUCTION (phase 1) or CONCLUSION (phase 2) is out. */
enum handshake_answer {
  ANSWER_OTHER,     /* not for this phase: read on */
  ANSWER_INDUCTION, /* the listener's INDUCTION: its cookie (bytes 44..47) goes into the CONCLUSION */
  ANSWER_ACCEPTED,  /* the CONCLUSION answer: the listener's socket id at bytes 40..43 */
  ANSWER_REJECTED,  /* a rejection code (>= 1000) as the handshake type */
};

static inline enum handshake_answer handshake_answer(const uint8_t *p, long len, int phase) {
  if (len < 64 || p[0] != 0x80 || p[1] != 0x00) return ANSWER_OTHER;
  uint32_t type = rd32(p + 36);
  if (phase == 1 && type == 1) return ANSWER_INDUCTION;
  if (phase == 2 && type == 0xFFFFFFFFu) return ANSWER_ACCEPTED;
  if (type >= 1000 && type != 0xFFFFFFFFu) return ANSWER_REJECTED;
  return ANSWER_OTHER;
}

// ---------------------------------------------------------------------------------------------------------------
// Arguments

static inline int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes `hex` into `out` (at most `max` bytes): the byte count, or -1 for an odd length, a bad digit or too long. */
static inline long unhex(const char *hex, uint8_t *out, size_t max) {
  size_t n = strlen(hex);
  if (n % 2 != 0 || n / 2 > max) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return (long)(n / 2);
}

/* A numeric UDP address (IPv4 or IPv6 literal, port number): no DNS, so a typo fails at once. 0, or -1. */
static inline int numeric_address(const char *host, const char *port, struct sockaddr_storage *addr, socklen_t *len) {
  struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai;
  if (getaddrinfo(host, port, &hints, &ai) != 0) return -1;
  memcpy(addr, ai->ai_addr, ai->ai_addrlen);
  *len = ai->ai_addrlen;
  freeaddrinfo(ai);
  return 0;
}

/* `<ip>:<port>` or `[<ipv6>]:<port>`. 0, or -1. */
static inline int parse_host_port(const char *text, struct sockaddr_storage *addr, socklen_t *len) {
  char host[128];
  const char *colon = strrchr(text, ':');
  if (colon == NULL || (size_t)(colon - text) >= sizeof host) return -1;
  size_t hl = (size_t)(colon - text);
  memcpy(host, text, hl);
  host[hl] = 0;
  if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
    memmove(host, host + 1, hl - 2);
    host[hl - 2] = 0;
  }
  return numeric_address(host, colon + 1, addr, len);
}

// ---------------------------------------------------------------------------------------------------------------
// Sockets

static inline int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
  if (a->ss_family != b->ss_family) return 0;
  if (a->ss_family == AF_INET6) {
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
  }
  const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
  return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

/* The port a socket is bound to (the kernel's pick after a bind to port 0), or -1. */
static inline int local_port(int fd) {
  struct sockaddr_storage local;
  socklen_t len = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &len) != 0) return -1;
  return local.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&local)->sin6_port) : ntohs(((struct sockaddr_in *)&local)->sin_port);
}

/* SO_RCVBUF and SO_SNDBUF to `bytes` (0 keeps the kernel's); the kernel caps them at rmem_max/wmem_max. */
static inline void set_socket_buffers(int fd, int bytes) {
  if (bytes <= 0) return;
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
}

/*
 * Points the `n` headers of a recvmmsg()/sendmmsg() batch at consecutive `size`-byte slots of `bufs`, and at `names`
 * for the peers' addresses when it is not NULL.
 */
static inline void point_batch(struct mmsghdr *msgs, struct iovec *iov, uint8_t *bufs, size_t size, struct sockaddr_storage *names, int n) {
  for (int i = 0; i < n; i++) {
    iov[i].iov_base = bufs + (size_t)i * size;
    iov[i].iov_len = size;
    memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    if (names != NULL) {
      msgs[i].msg_hdr.msg_name = &names[i];
      msgs[i].msg_hdr.msg_namelen = sizeof names[i];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Paced sending: `blast <pps> <ms>` sends packet i at start + i/pps, in batches

struct pacer {
  uint64_t start, total;
  double ns_per_packet;
};

#define BLAST_MAX_MS 120000

/* 0, or -1 for a rate or duration out of range (then nothing is to be sent). */
static inline int pacer_start(struct pacer *p, long pps, long ms) {
  if (pps <= 0 || ms <= 0 || ms > BLAST_MAX_MS) return -1;
  p->total = (uint64_t)pps * (uint64_t)ms / 1000ull;
  p->ns_per_packet = 1e9 / (double)pps;
  p->start = now_ns();
  return 0;
}

/* How many packets should have left by now (the one due at this instant included), at most the total. */
static inline uint64_t pacer_due(const struct pacer *p) {
  uint64_t due = (uint64_t)((double)(now_ns() - p->start) / p->ns_per_packet) + 1;
  return due > p->total ? p->total : due;
}

/* When the next batch of `batch` packets after the first `sent` is due (CLOCK_MONOTONIC ns). */
static inline uint64_t pacer_next_batch(const struct pacer *p, uint64_t sent, int batch) {
  uint64_t upto = sent + (uint64_t)batch;
  if (upto > p->total) upto = p->total;
  return p->start + (uint64_t)((double)(upto - 1) * p->ns_per_packet);
}

// ---------------------------------------------------------------------------------------------------------------
// Commands on stdin, one a line

struct command_reader {
  char line[256];
  size_t used;
};

/*
 * Reads what `fd` holds and runs `run` on every complete line (without its newline); `run` returns nonzero to stop
 * (quit). Returns -1 at end of input or when a command stopped, 0 otherwise. An overlong line is thrown away.
 */
static inline int read_commands(struct command_reader *r, int fd, int (*run)(const char *line)) {
  ssize_t n = read(fd, r->line + r->used, sizeof r->line - 1 - r->used);
  if (n <= 0) return -1;
  r->used += (size_t)n;
  r->line[r->used] = 0;
  char *nl;
  while ((nl = strchr(r->line, '\n')) != NULL) {
    *nl = 0;
    if (run(r->line) != 0) return -1;
    size_t rest = r->used - (size_t)(nl + 1 - r->line);
    memmove(r->line, nl + 1, rest);
    r->used = rest;
    r->line[r->used] = 0;
  }
  if (r->used >= sizeof r->line - 1) r->used = 0;
  return 0;
}

#endif
