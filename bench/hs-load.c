// hs-load: the caller side of bench/datapath's handshake part. N full SRT caller handshakes, M in flight, each from
// a fresh UDP socket with a fresh socket id, timed from the first INDUCTION to the CONCLUSION response; each ends
// with a SHUTDOWN to the listener's socket id, as a caller that hangs up, so the relay does not keep N sessions.
//
//   hs-load <host> <port> <n> <in-flight> <induction-hex> <conclusion-hex> [trace-file]
//
// The socket id (CIF bytes 24..27) of both templates is replaced per handshake; the listener's cookie from the
// INDUCTION answer is patched into the CONCLUSION. Retransmits every 250 ms and gives up after 3 s, like libsrt.
// With a trace file, writes one line per accepted handshake, `<start_us> <latency_us>` (start: microseconds since
// hs-load began), to see when the slow ones happened (a stall of the relay shows as a cluster).
// Prints `done ok=<n> failed=<n> rejected=<n> retransmits=<n> ns=<elapsed> p50_us=<> p99_us=<> max_us=<> mean_us=<>`
// and exits (retransmits: INDUCTIONs and CONCLUSIONs sent again after 250 ms without an answer).
// A watchdog (alarm) ends the process after 600 s whatever happens.
//
// Build: gcc -O2 -Wall -o hs-load bench/hs-load.c (with bench/bench-net.h beside it)

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-net.h"

#define MAX_HS 2048
#define MAX_INFLIGHT 1024

struct attempt {
  int fd; /* -1: free */
  int phase;
  uint32_t socket_id;
  uint64_t start, retransmit, give_up;
  uint8_t conc[MAX_HS];
};

static uint8_t ind_tpl[MAX_HS], conc_tpl[MAX_HS];
static long ind_len, conc_len;
static struct attempt slots[MAX_INFLIGHT];
static struct sockaddr_storage target;
static socklen_t target_len;
static int epfd;
static uint64_t epoch;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void send_induction(struct attempt *a) {
  uint8_t p[MAX_HS];
  memcpy(p, ind_tpl, (size_t)ind_len);
  wr32(p + 8, srt_timestamp(epoch));
  wr32(p + 40, a->socket_id);
  (void)send(a->fd, p, (size_t)ind_len, 0);
}

static int start(struct attempt *a, int index) {
  a->fd = socket(target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (a->fd < 0 || connect(a->fd, (struct sockaddr *)&target, target_len) < 0) {
    perror("hs-load: socket/connect");
    return -1;
  }
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)index};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, a->fd, &ev) < 0) return -1;
  a->phase = 1;
  a->socket_id = ((uint32_t)random() & 0x3FFFFFFFu) | 1u;
  memcpy(a->conc, conc_tpl, (size_t)conc_len);
  wr32(a->conc + 40, a->socket_id);
  a->start = now_ns();
  a->retransmit = a->start + 250000000ull;
  a->give_up = a->start + 3000000000ull;
  send_induction(a);
  return 0;
}

static void finish(struct attempt *a) {
  close(a->fd);
  a->fd = -1;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  alarm(600);
  if (argc != 7 && argc != 8) {
    fprintf(stderr, "usage: %s <host> <port> <n> <in-flight> <induction-hex> <conclusion-hex> [trace-file]\n", argv[0]);
    return 2;
  }
  long n = atol(argv[3]), inflight = atol(argv[4]);
  ind_len = unhex(argv[5], ind_tpl, sizeof ind_tpl);
  conc_len = unhex(argv[6], conc_tpl, sizeof conc_tpl);
  if (n < 1 || n > 1000000 || inflight < 1 || inflight > MAX_INFLIGHT || ind_len < 64 || conc_len < 64) {
    fprintf(stderr, "hs-load: bad arguments\n");
    return 2;
  }
  if (numeric_address(argv[1], argv[2], &target, &target_len) != 0) {
    fprintf(stderr, "hs-load: bad address %s %s\n", argv[1], argv[2]);
    return 2;
  }
  epoch = now_ns();
  srandom((unsigned)(epoch ^ (uint64_t)getpid()));
  epfd = epoll_create1(0);
  uint64_t *latencies = calloc((size_t)n, sizeof *latencies);
  uint64_t *starts = calloc((size_t)n, sizeof *starts);
  FILE *trace = argc == 8 ? fopen(argv[7], "w") : NULL;
  if (argc == 8 && trace == NULL) {
    perror("hs-load: trace file");
    return 2;
  }
  long started = 0, ok = 0, failed = 0, rejected = 0, retransmits = 0;
  for (int i = 0; i < MAX_INFLIGHT; i++) slots[i].fd = -1;
  uint64_t t0 = now_ns();
  for (long i = 0; i < inflight && started < n; i++, started++)
    if (start(&slots[i], (int)i) < 0) return 2;
  uint8_t buf[MAX_HS];
  while (ok + failed + rejected < n) {
    struct epoll_event ready[64];
    int r = epoll_wait(epfd, ready, 64, 5);
    for (int e = 0; e < r; e++) {
      int idx = (int)ready[e].data.u32;
      struct attempt *a = &slots[idx];
      for (;;) {
        if (a->fd < 0) break;
        ssize_t len = recv(a->fd, buf, sizeof buf, 0);
        if (len < 0) break;
        enum handshake_answer answer = handshake_answer(buf, (long)len, a->phase);
        if (answer == ANSWER_INDUCTION) {
          memcpy(a->conc + 44, buf + 44, 4);
          wr32(a->conc + 8, srt_timestamp(epoch));
          (void)send(a->fd, a->conc, (size_t)conc_len, 0);
          a->phase = 2;
          a->retransmit = now_ns() + 250000000ull;
        } else if (answer == ANSWER_ACCEPTED) {
          starts[ok] = a->start - epoch;
          latencies[ok++] = now_ns() - a->start;
          uint8_t shutdown[SRT_CONTROL_SIZE + 4] = {0};
          write_control(shutdown, SRT_SHUTDOWN, srt_timestamp(epoch), rd32(buf + 40));
          (void)send(a->fd, shutdown, sizeof shutdown, 0);
          finish(a);
        } else if (answer == ANSWER_REJECTED) {
          rejected++;
          finish(a);
        }
      }
      if (a->fd < 0 && started < n) {
        if (start(a, idx) < 0) return 2;
        started++;
      }
    }
    uint64_t t = now_ns();
    for (long i = 0; i < inflight; i++) {
      struct attempt *a = &slots[i];
      if (a->fd < 0) continue;
      if (t >= a->give_up) {
        failed++;
        finish(a);
        if (started < n) {
          if (start(a, (int)i) < 0) return 2;
          started++;
        }
      } else if (t >= a->retransmit) {
        retransmits++;
        if (a->phase == 1) send_induction(a);
        else (void)send(a->fd, a->conc, (size_t)conc_len, 0);
        a->retransmit = t + 250000000ull;
      }
    }
  }
  uint64_t elapsed = now_ns() - t0;
  if (trace != NULL) {
    for (long i = 0; i < ok; i++)
      fprintf(trace, "%llu %llu\n", (unsigned long long)(starts[i] / 1000ull), (unsigned long long)(latencies[i] / 1000ull));
    fclose(trace);
  }
  qsort(latencies, (size_t)ok, sizeof *latencies, cmp_u64);
  uint64_t sum = 0;
  for (long i = 0; i < ok; i++) sum += latencies[i];
#define PCT(p) (ok > 0 ? latencies[(long)((p) / 100.0 * (double)ok + 0.999999) - 1 < 0 ? 0 : (long)((p) / 100.0 * (double)ok + 0.999999) - 1] / 1000ull : 0ull)
  printf("done ok=%ld failed=%ld rejected=%ld retransmits=%ld ns=%llu p50_us=%llu p99_us=%llu max_us=%llu mean_us=%llu\n", ok, failed, rejected,
         retransmits, (unsigned long long)elapsed, (unsigned long long)PCT(50), (unsigned long long)PCT(99),
         (unsigned long long)(ok > 0 ? latencies[ok - 1] / 1000ull : 0), (unsigned long long)(ok > 0 ? sum / (uint64_t)ok / 1000ull : 0));
  return 0;
}
