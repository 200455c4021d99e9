// udp-blast: the SRT caller / load generator of bench/relay-cpu. Small on purpose so it never competes with the
// process under test for CPU: paced sendmmsg() batches of pre-built 1332-byte data datagrams.
//
//   udp-blast <host> <port> <induction-hex> <conclusion-hex> [<induction-hex> <conclusion-hex> ...]
//
// 1. One session per handshake pair (K sessions, K <= 1024): connects a UDP socket to host:port and does the caller
//    handshake: sends the INDUCTION, takes the cookie from the answer (CIF bytes 28..31), patches it into the
//    CONCLUSION, sends it and takes the listener's socket id from the CONCLUSION answer. Retransmits every 250 ms and
//    gives up after 3 s, like libsrt. Sessions connect one after the other.
//    Prints `connected peer=<first session's id> local=<its port> hs_us=<us, all> sessions=<K>` (or `failed <reason>`
//    and exits 2).
// 2. Reads commands on stdin, one per line, answers one line each:
//      blast <pps> <ms> [batch]   -> `done sent=<n> failed=<n> ns=<elapsed> received=<n>`: the packets go to the
//                                    sessions in turn (K = 1: sendmmsg batches; K > 1: one send per packet)
//      stats                      -> `stats received=<n> control=<n>`
//      quit (or end of stdin)     -> sends SHUTDOWN to every peer, prints `bye`, exits 0
//    Datagrams arriving on the sessions' sockets (the origin -> caller direction) are read all along, during blasts
//    and between commands, and counted: `received` = data packets, `control` = control packets.
// A watchdog (alarm) ends the process after 900 s whatever happens.
//
// Build: gcc -O2 -Wall -o udp-blast bench/udp-blast.c (with bench/bench-net.h beside it)

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-net.h"

#define PACKET_SIZE 1332
#define BATCH_MAX 64
#define MAX_HS 2048
#define MAX_SESSIONS 1024

struct session {
  int fd;
  uint32_t peer_id;
  int local_port;
  uint32_t sequence;
  uint8_t ind[MAX_HS], conc[MAX_HS];
  long ind_len, conc_len;
};

static struct session *sessions;
static int nsessions;
static int epfd = -1;
static uint64_t epoch_ns;
static unsigned long long received, received_control;


/* Caller handshake of one session (its socket is still blocking); returns 0 when connected. */
static int handshake(struct session *s) {
  uint8_t buf[MAX_HS];
  uint64_t start = now_ns(), give_up = start + 3000000000ull;
  int phase = 1;
  uint8_t *out = s->ind;
  long out_len = s->ind_len;
  for (;;) {
    if (send(s->fd, out, (size_t)out_len, 0) < 0 && errno != ECONNREFUSED) {
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
      struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
      int wait_ms = (int)((retransmit - t) / 1000000ull) + 1;
      if (poll(&pfd, 1, wait_ms) <= 0) continue;
      ssize_t n = recv(s->fd, buf, sizeof buf, 0);
      enum handshake_answer answer = handshake_answer(buf, (long)n, phase);
      if (answer == ANSWER_INDUCTION) {
        memcpy(s->conc + 44, buf + 44, 4); /* echo the listener's cookie */
        phase = 2;
        out = s->conc;
        out_len = s->conc_len;
        break;
      }
      if (answer == ANSWER_ACCEPTED) {
        s->peer_id = rd32(buf + 40);
        return 0;
      }
      if (answer == ANSWER_REJECTED) {
        printf("failed rejected %u\n", rd32(buf + 36));
        return -1;
      }
    }
  }
}

static uint8_t rbuf[BATCH_MAX][MAX_HS];
static struct iovec riov[BATCH_MAX];
static struct mmsghdr rmsgs[BATCH_MAX];

/* Reads what the sessions' sockets hold (the origin -> caller direction) and counts it. */
static void drain(void) {
  struct epoll_event ready[64];
  int n = epoll_wait(epfd, ready, 64, 0);
  for (int e = 0; e < n; e++) {
    int fd = ready[e].data.fd;
    for (int round = 0; round < 16; round++) {
      point_batch(rmsgs, riov, &rbuf[0][0], MAX_HS, NULL, BATCH_MAX);
      int r = recvmmsg(fd, rmsgs, BATCH_MAX, MSG_DONTWAIT, NULL);
      if (r <= 0) break;
      for (int i = 0; i < r; i++) {
        if (rmsgs[i].msg_len >= 16 && (rbuf[i][0] & 0x80) == 0) received++;
        else received_control++;
      }
      if (r < BATCH_MAX) break;
    }
  }
}

/* Waits until `deadline` (CLOCK_MONOTONIC ns) or until a session socket or `extra_fd` is readable. */
static int wait_until(uint64_t deadline, int extra_fd) {
  struct pollfd pfds[2] = {{.fd = epfd, .events = POLLIN}, {.fd = extra_fd, .events = POLLIN}};
  uint64_t now = now_ns();
  uint64_t left = deadline > now ? deadline - now : 0;
  struct timespec ts = {.tv_sec = (time_t)(left / 1000000000ull), .tv_nsec = (long)(left % 1000000000ull)};
  int r = ppoll(pfds, extra_fd >= 0 ? 2 : 1, deadline == UINT64_MAX ? NULL : &ts, NULL);
  if (r > 0 && (pfds[0].revents & POLLIN)) drain();
  return r > 0 && extra_fd >= 0 && (pfds[1].revents & (POLLIN | POLLHUP));
}

static uint8_t packets[BATCH_MAX][PACKET_SIZE];
static struct iovec iov[BATCH_MAX];
static struct mmsghdr msgs[BATCH_MAX];

static void blast(long pps, long ms, int batch) {
  struct pacer pacer;
  if (pacer_start(&pacer, pps, ms) != 0) {
    printf("done sent=0 failed=0 ns=0 received=%llu error=bad-arguments\n", received);
    return;
  }
  if (batch < 1) batch = 1;
  if (batch > BATCH_MAX) batch = BATCH_MAX;
  uint64_t sent = 0, failed = 0;
  int next = 0;
  while (sent < pacer.total) {
    uint64_t due = pacer_due(&pacer);
    if (due > sent) {
      unsigned n = (unsigned)(due - sent < (uint64_t)batch ? due - sent : (uint64_t)batch);
      uint32_t ts = srt_timestamp(epoch_ns);
      if (nsessions == 1) {
        struct session *s = &sessions[0];
        for (unsigned i = 0; i < n; i++) write_data_header(packets[i], s->sequence++, ts, s->peer_id);
        int r = sendmmsg(s->fd, msgs, n, 0);
        unsigned ok = r < 0 ? 0 : (unsigned)r; /* r < 0: e.g. ECONNREFUSED from an earlier ICMP: count and go on */
        failed += n - ok;
        sent += n;
      } else {
        for (unsigned i = 0; i < n; i++) {
          struct session *s = &sessions[next];
          next = (next + 1) % nsessions;
          write_data_header(packets[0], s->sequence++, ts, s->peer_id);
          if (send(s->fd, packets[0], PACKET_SIZE, 0) < 0) failed++;
          sent++;
        }
      }
      continue;
    }
    (void)wait_until(pacer_next_batch(&pacer, sent, batch), -1);
  }
  drain();
  printf("done sent=%llu failed=%llu ns=%llu received=%llu\n", (unsigned long long)(sent - failed), (unsigned long long)failed,
         (unsigned long long)(now_ns() - pacer.start), received);
}

static void send_shutdown(struct session *s) {
  uint8_t p[SRT_CONTROL_SIZE + 4] = {0};
  write_control(p, SRT_SHUTDOWN, srt_timestamp(epoch_ns), s->peer_id);
  (void)send(s->fd, p, sizeof p, 0);
}

/* One line of stdin; nonzero for quit. */
static int run_command(const char *line) {
  long pps = 0, ms = 0;
  int batch = 0;
  if (sscanf(line, "blast %ld %ld %d", &pps, &ms, &batch) >= 2) {
    blast(pps, ms, batch > 0 ? batch : 8);
  } else if (strncmp(line, "stats", 5) == 0) {
    drain();
    printf("stats received=%llu control=%llu\n", received, received_control);
  } else if (strncmp(line, "quit", 4) == 0) {
    return 1;
  } else {
    printf("error unknown command\n");
  }
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  alarm(900);
  if (argc < 5 || (argc - 3) % 2 != 0 || (argc - 3) / 2 > MAX_SESSIONS) {
    fprintf(stderr, "usage: %s <host> <port> <induction-hex> <conclusion-hex> [<induction-hex> <conclusion-hex> ...]\n", argv[0]);
    return 2;
  }
  nsessions = (argc - 3) / 2;
  sessions = calloc((size_t)nsessions, sizeof *sessions);
  if (sessions == NULL) return 2;
  struct sockaddr_storage target;
  socklen_t target_len;
  if (numeric_address(argv[1], argv[2], &target, &target_len) != 0) {
    fprintf(stderr, "bad address %s %s\n", argv[1], argv[2]);
    return 2;
  }
  epfd = epoll_create1(0);
  epoch_ns = now_ns();
  uint64_t hs_start = now_ns();
  for (int k = 0; k < nsessions; k++) {
    struct session *s = &sessions[k];
    s->ind_len = unhex(argv[3 + 2 * k], s->ind, sizeof s->ind);
    s->conc_len = unhex(argv[4 + 2 * k], s->conc, sizeof s->conc);
    if (s->ind_len < 64 || s->conc_len < 64) {
      fprintf(stderr, "bad handshake hex (session %d)\n", k);
      return 2;
    }
    s->sequence = 1;
    s->fd = socket(target.ss_family, SOCK_DGRAM, 0);
    if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&target, target_len) < 0) {
      perror("socket/connect");
      return 2;
    }
    /* The origin -> caller direction arrives here at full rate: the kernel's largest unprivileged buffer (rmem_max). */
    int rcvbuf = 4 << 20;
    (void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    s->local_port = local_port(s->fd);
    if (handshake(s) != 0) return 2;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->fd};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
      perror("epoll_ctl");
      return 2;
    }
  }
  printf("connected peer=%u local=%d hs_us=%llu sessions=%d\n", sessions[0].peer_id, sessions[0].local_port,
         (unsigned long long)((now_ns() - hs_start) / 1000), nsessions);

  for (int i = 0; i < BATCH_MAX; i++) fill_ts_payload(packets[i], PACKET_SIZE);
  point_batch(msgs, iov, &packets[0][0], PACKET_SIZE, NULL, BATCH_MAX);

  struct command_reader commands = {.used = 0};
  for (;;) {
    if (!wait_until(UINT64_MAX, 0)) continue;
    if (read_commands(&commands, 0, run_command) != 0) break;
  }
  for (int k = 0; k < nsessions; k++) send_shutdown(&sessions[k]);
  printf("bye\n");
  return 0;
}
