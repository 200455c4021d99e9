// c-origin: the fake SRT origin (the sink) of bench/datapath, in C so that it is never the bottleneck: node:dgram
// tops out near 50k datagrams/s, below the rates measured. Behaves like test/support/scripted-origin.ts: answers
// INDUCTION with its cookie (v5, 0x4A17), a CONCLUSION carrying that cookie with its own socket id and an HSRSP,
// ignores a wrong cookie as libsrt does, counts data datagrams, sends a KEEPALIVE to every connected peer once a
// second; it also plays a stream back to its peers on request (the origin -> caller direction).
//
//   c-origin [--host 127.0.0.1] [--rcvbuf N] [--keepalive-ms 1000] [--max-seconds 900]
//
// Prints `listening <port> <socketId>`. Reads commands on stdin, one line each:
//   stats                   -> `stats {json}` (data packets and bytes received, handshakes, peers, sent)
//   blast <pps> <ms> [batch] -> 1332-byte data datagrams to the connected peers in turn, paced sendmmsg() batches,
//                              receiving all along; then `done sent=<n> failed=<n> ns=<elapsed>`
//   quit (or end of stdin)  -> exits 0
//
// Build: gcc -O2 -Wall -o c-origin bench/c-origin.c (with bench/bench-net.h beside it)

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-net.h"

#define BATCH 64
#define BUF_SIZE 2048
#define PACKET_SIZE 1332
#define MAX_PEERS 4096

struct peer {
  struct sockaddr_storage addr;
  socklen_t len;
  uint32_t socket_id; /* the caller's: destination of what we send */
  uint32_t sequence;
};

static int sock = -1;
static uint32_t socket_id, cookie;
static uint64_t epoch_ns, last_keepalive_ns, keepalive_ns = 1000000000ull;
static struct peer peers[MAX_PEERS];
static int npeers;
static struct {
  unsigned long long data, data_bytes, inductions, conclusions, bad_cookies, other, truncated, sent, send_failed;
} counters;

static uint8_t rbufs[BATCH][BUF_SIZE];
static struct iovec riov[BATCH];
static struct sockaddr_storage rnames[BATCH];
static struct mmsghdr rmsgs[BATCH];


/* The peer's IP as libsrt writes it: 16 bytes, each 32-bit word byte-reversed. */
static void write_peer_ip(uint8_t *p, const struct sockaddr_storage *from) {
  uint8_t raw[16] = {0};
  if (from->ss_family == AF_INET6) memcpy(raw, &((const struct sockaddr_in6 *)from)->sin6_addr, 16);
  else memcpy(raw, &((const struct sockaddr_in *)from)->sin_addr, 4);
  for (int w = 0; w < 16; w += 4)
    for (int i = 0; i < 4; i++) p[w + i] = raw[w + 3 - i];
}

static void answer_handshake(const uint8_t *req, unsigned len, const struct sockaddr_storage *from, socklen_t from_len) {
  uint32_t type = rd32(req + 36), caller_id = rd32(req + 40);
  uint8_t resp[80];
  size_t resp_len = 64;
  memcpy(resp, req, 64);
  wr32(resp, 0x80000000u);
  wr32(resp + 4, 0);
  wr32(resp + 8, srt_timestamp(epoch_ns));
  wr32(resp + 12, caller_id);
  wr32(resp + 16, 5);
  wr16(resp + 20, 0);
  write_peer_ip(resp + 48, from);
  if (type == 1) {
    counters.inductions++;
    wr16(resp + 22, 0x4A17);
    wr32(resp + 44, cookie);
  } else if (type == 0xFFFFFFFFu) {
    if (rd32(req + 44) != cookie) {
      counters.bad_cookies++;
      return;
    }
    counters.conclusions++;
    wr16(resp + 22, 0x0001);
    wr32(resp + 40, socket_id);
    wr16(resp + 64, 2); /* HSRSP */
    wr16(resp + 66, 3);
    wr32(resp + 68, 0x010501);
    wr32(resp + 72, 0xbf);
    wr16(resp + 76, 120);
    wr16(resp + 78, 120);
    resp_len = 80;
    int known = 0;
    for (int i = 0; i < npeers; i++)
      if (same_addr(&peers[i].addr, from) && peers[i].socket_id == caller_id) known = 1;
    if (!known && npeers < MAX_PEERS) {
      memcpy(&peers[npeers].addr, from, from_len);
      peers[npeers].len = from_len;
      peers[npeers].socket_id = caller_id;
      peers[npeers].sequence = 1;
      npeers++;
    }
  } else {
    counters.other++;
    return;
  }
  (void)len;
  if (sendto(sock, resp, resp_len, 0, (const struct sockaddr *)from, from_len) < 0) counters.send_failed++;
}

static void drop_peer(const struct sockaddr_storage *from) {
  for (int i = 0; i < npeers; i++) {
    if (same_addr(&peers[i].addr, from)) {
      peers[i] = peers[--npeers];
      i--;
    }
  }
}

/* Reads everything queued (bounded), answers handshakes. */
static void drain(void) {
  for (int round = 0; round < 64; round++) {
    point_batch(rmsgs, riov, &rbufs[0][0], BUF_SIZE, rnames, BATCH);
    int n = recvmmsg(sock, rmsgs, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) return;
    for (int i = 0; i < n; i++) {
      const uint8_t *p = rbufs[i];
      unsigned len = rmsgs[i].msg_len;
      if (rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        counters.truncated++;
      } else if (len >= 16 && (p[0] & 0x80) == 0) {
        counters.data++;
        counters.data_bytes += len;
      } else if (len >= 64 && p[0] == 0x80 && p[1] == 0x00 && rd32(p + 12) == 0) {
        answer_handshake(p, len, &rnames[i], rmsgs[i].msg_hdr.msg_namelen);
      } else {
        counters.other++;
        if (len >= 16 && p[0] == 0x80 && p[1] == 0x05) drop_peer(&rnames[i]);
      }
    }
    if (n < BATCH) return;
  }
}

static void keepalive(void) {
  uint64_t t = now_ns();
  if (keepalive_ns == 0 || t - last_keepalive_ns < keepalive_ns) return;
  last_keepalive_ns = t;
  uint8_t p[SRT_CONTROL_SIZE + 4] = {0};
  uint32_t ts = srt_timestamp(epoch_ns);
  for (int i = 0; i < npeers; i++) {
    write_control(p, SRT_KEEPALIVE, ts, peers[i].socket_id);
    (void)sendto(sock, p, sizeof p, 0, (const struct sockaddr *)&peers[i].addr, peers[i].len);
  }
}

static void print_stats(void) {
  printf("stats {\"dataPackets\":%llu,\"dataBytes\":%llu,\"inductions\":%llu,\"conclusions\":%llu,\"badCookies\":%llu,"
         "\"otherPackets\":%llu,\"truncated\":%llu,\"sent\":%llu,\"sendFailed\":%llu,\"peers\":%d}\n",
         counters.data, counters.data_bytes, counters.inductions, counters.conclusions, counters.bad_cookies, counters.other,
         counters.truncated, counters.sent, counters.send_failed, npeers);
}

static uint8_t spackets[BATCH][PACKET_SIZE];
static struct iovec siov[BATCH];
static struct mmsghdr smsgs[BATCH];

/* Paced batches to the peers in turn (one sendmmsg() per batch, any mix of peers); receives between batches. */
static void blast(long pps, long ms, int batch) {
  struct pacer pacer;
  if (npeers == 0 || pacer_start(&pacer, pps, ms) != 0) {
    printf("done sent=0 failed=0 ns=0 error=%s\n", npeers == 0 ? "no-peers" : "bad-arguments");
    return;
  }
  if (batch < 1) batch = 1;
  if (batch > BATCH) batch = BATCH;
  uint64_t sent = 0, failed = 0;
  int next_peer = 0;
  struct pollfd pfd = {.fd = sock, .events = POLLIN};
  while (sent < pacer.total) {
    uint64_t due = pacer_due(&pacer);
    if (due > sent) {
      unsigned n = (unsigned)(due - sent < (uint64_t)batch ? due - sent : (uint64_t)batch);
      uint32_t ts = srt_timestamp(epoch_ns);
      for (unsigned i = 0; i < n; i++) {
        struct peer *pr = &peers[next_peer];
        next_peer = (next_peer + 1) % npeers;
        write_data_header(spackets[i], pr->sequence++, ts, pr->socket_id);
        smsgs[i].msg_hdr.msg_name = &pr->addr;
        smsgs[i].msg_hdr.msg_namelen = pr->len;
      }
      int r = sendmmsg(sock, smsgs, n, 0);
      unsigned ok = r < 0 ? 0 : (unsigned)r;
      sent += n;
      failed += n - ok;
      continue;
    }
    drain();
    keepalive();
    uint64_t wake = pacer_next_batch(&pacer, sent, batch), now = now_ns();
    if (wake > now) {
      struct timespec ts = {.tv_sec = (time_t)((wake - now) / 1000000000ull), .tv_nsec = (long)((wake - now) % 1000000000ull)};
      (void)ppoll(&pfd, 1, &ts, NULL);
    }
  }
  counters.sent += sent - failed;
  counters.send_failed += failed;
  printf("done sent=%llu failed=%llu ns=%llu\n", (unsigned long long)(sent - failed), (unsigned long long)failed,
         (unsigned long long)(now_ns() - pacer.start));
}

/* One line of stdin; nonzero for quit. */
static int run_command(const char *line) {
  long pps = 0, ms = 0;
  int batch = 0;
  if (strncmp(line, "stats", 5) == 0) print_stats();
  else if (sscanf(line, "blast %ld %ld %d", &pps, &ms, &batch) >= 2) blast(pps, ms, batch > 0 ? batch : 8);
  else if (strncmp(line, "quit", 4) == 0) return 1;
  else printf("error unknown command\n");
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *host = "127.0.0.1";
  int rcvbuf = 0;
  long max_seconds = 900;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--host") == 0) host = argv[i + 1];
    else if (strcmp(argv[i], "--rcvbuf") == 0) rcvbuf = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--keepalive-ms") == 0) keepalive_ns = (uint64_t)atol(argv[i + 1]) * 1000000ull;
    else if (strcmp(argv[i], "--max-seconds") == 0) max_seconds = atol(argv[i + 1]);
    else {
      fprintf(stderr, "c-origin: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  alarm((unsigned)max_seconds);
  signal(SIGPIPE, SIG_IGN);
  struct sockaddr_storage local;
  socklen_t local_len;
  if (numeric_address(host, "0", &local, &local_len) != 0) {
    fprintf(stderr, "c-origin: bad host %s\n", host);
    return 2;
  }
  sock = socket(local.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || bind(sock, (struct sockaddr *)&local, local_len) < 0) {
    perror("c-origin: socket");
    return 2;
  }
  set_socket_buffers(sock, rcvbuf);
  int port = local_port(sock);
  epoch_ns = last_keepalive_ns = now_ns();
  srandom((unsigned)(epoch_ns ^ (uint64_t)getpid()));
  socket_id = ((uint32_t)random() & 0x3FFFFFFFu) | 1u;
  cookie = (uint32_t)random() | 1u;
  for (int i = 0; i < BATCH; i++) fill_ts_payload(spackets[i], PACKET_SIZE);
  point_batch(smsgs, siov, &spackets[0][0], PACKET_SIZE, NULL, BATCH);
  printf("listening %d %u\n", port, socket_id);

  struct command_reader commands = {.used = 0};
  for (;;) {
    struct pollfd pfds[2] = {{.fd = 0, .events = POLLIN}, {.fd = sock, .events = POLLIN}};
    int r = poll(pfds, 2, 200);
    if (r < 0 && errno != EINTR) return 1;
    if (pfds[1].revents & POLLIN) drain();
    keepalive();
    if ((pfds[0].revents & (POLLIN | POLLHUP)) && read_commands(&commands, 0, run_command) != 0) return 0;
  }
}
