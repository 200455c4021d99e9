// udp-blast: the SRT caller / load generator of bench/relay-cpu. Small on purpose so it never competes with the
// process under test for CPU: paced sendmmsg() batches of pre-built 1332-byte data datagrams.
//
//   udp-blast <host> <port> <induction-hex> <conclusion-hex>
//
// 1. Connects a UDP socket to host:port and does the caller handshake: sends the INDUCTION, takes the cookie from
//    the answer (CIF bytes 28..31), patches it into the CONCLUSION, sends it and takes the listener's socket id from
//    the CONCLUSION answer. Retransmits every 250 ms and gives up after 3 s, like libsrt.
//    Prints `connected peer=<id> local=<port> hs_us=<us>` (or `failed <reason>` and exits 2).
// 2. Reads commands on stdin, one per line, answers one line each:
//      blast <pps> <ms> [batch]   -> `done sent=<n> failed=<n> ns=<elapsed>`
//      quit (or end of stdin)     -> sends SHUTDOWN to the peer, prints `bye`, exits 0
// A watchdog (alarm) ends the process after 900 s whatever happens.
//
// Build: gcc -O2 -o udp-blast bench/udp-blast.c

#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PACKET_SIZE 1332
#define BATCH_MAX 64
#define MAX_HS 2048

static int sock = -1;
static uint32_t peer_id;
static uint64_t epoch_ns;
static int local_port;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t rd32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static long unhex(const char *hex, uint8_t *out, size_t max) {
  size_t n = strlen(hex);
  if (n % 2 != 0 || n / 2 > max) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return (long)(n / 2);
}

static uint32_t timestamp_us(void) { return (uint32_t)((now_ns() - epoch_ns) / 1000); }

/* Caller handshake; returns 0 when connected. */
static int handshake(uint8_t *ind, long ind_len, uint8_t *conc, long conc_len) {
  uint8_t buf[MAX_HS];
  uint64_t start = now_ns(), give_up = start + 3000000000ull;
  int phase = 1;
  uint8_t *out = ind;
  long out_len = ind_len;
  for (;;) {
    if (send(sock, out, (size_t)out_len, 0) < 0 && errno != ECONNREFUSED) {
      printf("failed send: %s\n", strerror(errno));
      return -1;
    }
    uint64_t retransmit = now_ns() + 250000000ull;
    for (;;) {
      uint64_t t = now_ns();
      if (t >= give_up) {
        printf("failed timeout in %s\n", phase == 1 ? "induction" : "conclusion");
        return -1;
      }
      if (t >= retransmit) break;
      struct pollfd pfd = {.fd = sock, .events = POLLIN};
      int wait_ms = (int)((retransmit - t) / 1000000ull) + 1;
      if (poll(&pfd, 1, wait_ms) <= 0) continue;
      ssize_t n = recv(sock, buf, sizeof buf, 0);
      if (n < 64 || buf[0] != 0x80 || buf[1] != 0x00) continue;
      uint32_t type = rd32(buf + 36);
      if (phase == 1 && type == 1) {
        memcpy(conc + 44, buf + 44, 4); /* echo the listener's cookie */
        phase = 2;
        out = conc;
        out_len = conc_len;
        break;
      }
      if (phase == 2 && type == 0xFFFFFFFFu) {
        peer_id = rd32(buf + 40);
        printf("connected peer=%u local=%d hs_us=%llu\n", peer_id, local_port, (unsigned long long)((now_ns() - start) / 1000));
        return 0;
      }
      if (type >= 1000 && type != 0xFFFFFFFFu) {
        printf("failed rejected %u\n", type);
        return -1;
      }
    }
  }
}

static uint8_t packets[BATCH_MAX][PACKET_SIZE];
static struct iovec iov[BATCH_MAX];
static struct mmsghdr msgs[BATCH_MAX];
static uint32_t sequence = 1;

static void blast(long pps, long ms, int batch) {
  if (pps <= 0 || ms <= 0 || ms > 120000) {
    printf("done sent=0 failed=0 ns=0 error=bad-arguments\n");
    return;
  }
  if (batch < 1) batch = 1;
  if (batch > BATCH_MAX) batch = BATCH_MAX;
  uint64_t total = (uint64_t)pps * (uint64_t)ms / 1000ull;
  double ns_per_packet = 1e9 / (double)pps;
  uint64_t sent = 0, failed = 0;
  uint64_t start = now_ns();
  while (sent < total) {
    uint64_t t = now_ns() - start;
    uint64_t due = (uint64_t)((double)t / ns_per_packet) + 1;
    if (due > total) due = total;
    if (due > sent) {
      unsigned n = (unsigned)(due - sent < (uint64_t)batch ? due - sent : (uint64_t)batch);
      uint32_t ts = timestamp_us();
      for (unsigned i = 0; i < n; i++) {
        wr32(packets[i], sequence & 0x7FFFFFFFu);
        wr32(packets[i] + 4, 0xC0000000u | (sequence & 0x03FFFFFFu));
        wr32(packets[i] + 8, ts);
        sequence++;
      }
      int r = sendmmsg(sock, msgs, n, 0);
      if (r < 0) {
        failed += n; /* e.g. ECONNREFUSED reported from an earlier ICMP: count and go on */
        sent += n;
      } else {
        sent += (uint64_t)r;
        if ((unsigned)r < n) { /* partial: the rest failed */
          failed += n - (unsigned)r;
          sent += n - (unsigned)r;
        }
      }
      continue;
    }
    uint64_t next = sent + (uint64_t)batch;
    if (next > total) next = total;
    uint64_t wake = start + (uint64_t)((double)(next - 1) * ns_per_packet);
    struct timespec ts = {.tv_sec = (time_t)(wake / 1000000000ull), .tv_nsec = (long)(wake % 1000000000ull)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
  }
  printf("done sent=%llu failed=%llu ns=%llu\n", (unsigned long long)(sent - failed), (unsigned long long)failed,
         (unsigned long long)(now_ns() - start));
}

static void send_shutdown(void) {
  uint8_t p[20] = {0};
  wr32(p, 0x80050000u);
  wr32(p + 8, timestamp_us());
  wr32(p + 12, peer_id);
  (void)send(sock, p, sizeof p, 0);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  alarm(900);
  if (argc != 5) {
    fprintf(stderr, "usage: %s <host> <port> <induction-hex> <conclusion-hex>\n", argv[0]);
    return 2;
  }
  static uint8_t ind[MAX_HS], conc[MAX_HS];
  long ind_len = unhex(argv[3], ind, sizeof ind), conc_len = unhex(argv[4], conc, sizeof conc);
  if (ind_len < 64 || conc_len < 64) {
    fprintf(stderr, "bad handshake hex\n");
    return 2;
  }
  struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai;
  if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
    fprintf(stderr, "bad address %s %s\n", argv[1], argv[2]);
    return 2;
  }
  sock = socket(ai->ai_family, SOCK_DGRAM, 0);
  if (sock < 0 || connect(sock, ai->ai_addr, ai->ai_addrlen) < 0) {
    perror("socket/connect");
    return 2;
  }
  freeaddrinfo(ai);
  struct sockaddr_storage local;
  socklen_t local_len = sizeof local;
  if (getsockname(sock, (struct sockaddr *)&local, &local_len) == 0) {
    local_port = local.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&local)->sin6_port)
                                              : ntohs(((struct sockaddr_in *)&local)->sin_port);
  }
  epoch_ns = now_ns();

  if (handshake(ind, ind_len, conc, conc_len) != 0) return 2;

  for (int i = 0; i < BATCH_MAX; i++) {
    memset(packets[i], 0xFF, PACKET_SIZE);
    for (int off = 16; off < PACKET_SIZE; off += 188) packets[i][off] = 0x47;
    wr32(packets[i] + 12, peer_id);
    iov[i].iov_base = packets[i];
    iov[i].iov_len = PACKET_SIZE;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    long pps = 0, ms = 0;
    int batch = 0;
    if (sscanf(line, "blast %ld %ld %d", &pps, &ms, &batch) >= 2) {
      blast(pps, ms, batch > 0 ? batch : 8);
    } else if (strncmp(line, "quit", 4) == 0) {
      break;
    } else {
      printf("error unknown command\n");
    }
  }
  send_shutdown();
  printf("bye\n");
  return 0;
}
