// c-relay: the raw C reference of bench/datapath. What a UDP relay costs when it does nothing but move datagrams with
// batched system calls: no SRT logic, no lookups beyond one hash of the caller's address.
//
//   c-relay --listen <ip>:<port> --origin <ip>:<port> [--rcvbuf N] [--origin-buf N] [--max-seconds S]
//
// --rcvbuf sets SO_RCVBUF and SO_SNDBUF of the listener, --origin-buf those of each origin socket (default: --rcvbuf),
// like the proxy's SRT_RECV_BUFFER_BYTES/SRT_SEND_BUFFER_BYTES and ORIGIN_SOCKET_BUFFER_BYTES; 0 keeps the kernel's.
//
// Like the proxy it gives every caller 4-tuple its own UDP socket connect()ed to the origin, so handshakes pass
// through unchanged and the origin answers each caller on its own socket (it completes real SRT handshakes without
// knowing SRT). Caller -> origin: recvmmsg() on the listener, one sendmmsg() per session per batch. Origin -> caller:
// recvmmsg() on the session's socket, one sendmmsg() on the listener. A SHUTDOWN (control type 5) from either side is
// relayed and ends the session, so handshake benchmarks do not pile up sockets. Nothing is queued: what the kernel
// refuses (EAGAIN/ENOBUFS) is counted and dropped. One thread, epoll.
//
// Prints `listening <port>` once bound. SIGUSR1 prints `stats {json}`; SIGTERM/SIGINT print it and exit 0.
// Exits by itself after --max-seconds (default 900) whatever happens.
//
// Build: gcc -O2 -Wall -o c-relay bench/c-relay.c (with bench/bench-net.h beside it)

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-net.h"

#define BATCH 64
#define BUF_SIZE 2048
#define MAX_SESSIONS 16384
#define TABLE_SIZE 32768 /* power of two, twice MAX_SESSIONS */
#define EMPTY -1
#define TOMBSTONE -2

struct session {
  int fd; /* -1 when the slot is free */
  struct sockaddr_storage caller;
  socklen_t caller_len;
  int slot;    /* its index in the hash table */
  int pending; /* datagrams of the current listener batch for this session */
};

static struct session sessions[MAX_SESSIONS];
static int free_list[MAX_SESSIONS];
static int free_count;
static int table[TABLE_SIZE];

static struct {
  unsigned long long from_caller, to_origin, from_origin, to_caller;
  unsigned long long refused; /* EAGAIN/ENOBUFS: the kernel did not take it, dropped */
  unsigned long long send_errors, truncated, opened, closed, open_failures, table_full;
} counters;

static int listener = -1, epfd = -1;
static struct sockaddr_storage origin;
static socklen_t origin_len;
static int rcvbuf, origin_buf = -1;
static volatile sig_atomic_t want_stats, want_exit;

static uint8_t bufs[BATCH][BUF_SIZE];
static struct iovec iovs[BATCH];
static struct sockaddr_storage names[BATCH];
static struct mmsghdr msgs[BATCH];
static struct mmsghdr out[BATCH];
static int order[BATCH];

static void on_signal(int sig) {
  if (sig == SIGUSR1) want_stats = 1;
  else want_exit = 1;
}

static void print_stats(void) {
  printf("stats {\"fromCaller\":%llu,\"toOrigin\":%llu,\"fromOrigin\":%llu,\"toCaller\":%llu,\"refused\":%llu,"
         "\"sendErrors\":%llu,\"truncated\":%llu,\"opened\":%llu,\"closed\":%llu,\"openFailures\":%llu,\"tableFull\":%llu,"
         "\"active\":%d}\n",
         counters.from_caller, counters.to_origin, counters.from_origin, counters.to_caller, counters.refused,
         counters.send_errors, counters.truncated, counters.opened, counters.closed, counters.open_failures,
         counters.table_full, MAX_SESSIONS - free_count);
  fflush(stdout);
}

/* FNV-1a over the address and port (the key of a caller). */
static uint32_t hash_addr(const struct sockaddr_storage *a) {
  const uint8_t *p;
  size_t n;
  uint32_t h = 2166136261u;
  if (a->ss_family == AF_INET6) {
    const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)a;
    p = (const uint8_t *)&s->sin6_addr;
    n = 16;
    h = (h ^ (s->sin6_port & 0xff)) * 16777619u;
    h = (h ^ (s->sin6_port >> 8)) * 16777619u;
  } else {
    const struct sockaddr_in *s = (const struct sockaddr_in *)a;
    p = (const uint8_t *)&s->sin_addr;
    n = 4;
    h = (h ^ (s->sin_port & 0xff)) * 16777619u;
    h = (h ^ (s->sin_port >> 8)) * 16777619u;
  }
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static int find_session(const struct sockaddr_storage *caller) {
  uint32_t i = hash_addr(caller) & (TABLE_SIZE - 1);
  for (int probes = 0; probes < TABLE_SIZE; probes++, i = (i + 1) & (TABLE_SIZE - 1)) {
    int s = table[i];
    if (s == EMPTY) return -1;
    if (s >= 0 && same_addr(&sessions[s].caller, caller)) return s;
  }
  return -1;
}

static int tombstones;

static void insert_slot(int s) {
  uint32_t i = hash_addr(&sessions[s].caller) & (TABLE_SIZE - 1);
  while (table[i] >= 0) i = (i + 1) & (TABLE_SIZE - 1);
  if (table[i] == TOMBSTONE) tombstones--;
  table[i] = s;
  sessions[s].slot = (int)i;
}

static int open_session(const struct sockaddr_storage *caller, socklen_t caller_len) {
  if (free_count == 0) {
    counters.table_full++;
    return -1;
  }
  int fd = socket(origin.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    counters.open_failures++;
    return -1;
  }
  set_socket_buffers(fd, origin_buf);
  if (connect(fd, (struct sockaddr *)&origin, origin_len) < 0) {
    close(fd);
    counters.open_failures++;
    return -1;
  }
  int s = free_list[--free_count];
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)s + 1};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    close(fd);
    free_list[free_count++] = s;
    counters.open_failures++;
    return -1;
  }
  sessions[s].fd = fd;
  memcpy(&sessions[s].caller, caller, caller_len);
  sessions[s].caller_len = caller_len;
  insert_slot(s);
  sessions[s].pending = 0;
  counters.opened++;
  return s;
}

static void close_session(int s) {
  if (sessions[s].fd < 0) return;
  close(sessions[s].fd); /* also leaves the epoll set */
  sessions[s].fd = -1;
  table[sessions[s].slot] = TOMBSTONE;
  free_list[free_count++] = s;
  counters.closed++;
  if (++tombstones > TABLE_SIZE / 4) {
    /* Lookups of unknown callers probe up to an empty slot: rebuild before tombstones make that long. */
    for (int i = 0; i < TABLE_SIZE; i++) table[i] = EMPTY;
    tombstones = 0;
    for (int i = 0; i < MAX_SESSIONS; i++)
      if (sessions[i].fd >= 0) insert_slot(i);
  }
}

static int is_shutdown(const uint8_t *p, unsigned len) { return len >= 16 && p[0] == 0x80 && p[1] == 0x05; }

/* Counts a sendmmsg() result: sent ones, and the rest as refused (no queue) or failed. */
static void account(int r, unsigned n, unsigned long long *sent) {
  if (r > 0) *sent += (unsigned)r;
  if ((unsigned)(r < 0 ? 0 : r) < n) {
    unsigned lost = n - (unsigned)(r < 0 ? 0 : r);
    if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) counters.send_errors += lost;
    else counters.refused += lost;
  }
}

static void prepare_receive(void) {
  for (int i = 0; i < BATCH; i++) {
    iovs[i].iov_base = bufs[i];
    iovs[i].iov_len = BUF_SIZE;
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &names[i];
    msgs[i].msg_hdr.msg_namelen = sizeof names[i];
    msgs[i].msg_hdr.msg_control = NULL;
    msgs[i].msg_hdr.msg_controllen = 0;
    msgs[i].msg_hdr.msg_flags = 0;
  }
}

/* Sends the datagrams of listener batch entries 0..upto that belong to session `s` with one sendmmsg(). */
static void flush_session(int s, int upto) {
  unsigned k = 0;
  for (int i = 0; i <= upto; i++) {
    if (order[i] != s) continue;
    order[i] = -1;
    memset(&out[k], 0, sizeof out[k]);
    iovs[i].iov_len = msgs[i].msg_len;
    out[k].msg_hdr.msg_iov = &iovs[i];
    out[k].msg_hdr.msg_iovlen = 1;
    k++;
  }
  sessions[s].pending = 0;
  if (k > 0) account(sendmmsg(sessions[s].fd, out, k, MSG_DONTWAIT), k, &counters.to_origin);
}

/* Callers -> origin: one sendmmsg() per session per batch; at most a few batches per wake-up so origins get turns. A
 * SHUTDOWN flushes and closes its session at once, so a new caller on the same 4-tuple later in the batch (a reused
 * port) gets a session of its own. */
static void on_listener(void) {
  for (int round = 0; round < 8; round++) {
    prepare_receive();
    int n = recvmmsg(listener, msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) return;
    int touched[BATCH], ntouched = 0;
    for (int i = 0; i < n; i++) {
      order[i] = -1;
      if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        counters.truncated++;
        continue;
      }
      counters.from_caller++;
      int s = find_session(&names[i]);
      if (s < 0) s = open_session(&names[i], msgs[i].msg_hdr.msg_namelen);
      if (s < 0) continue;
      order[i] = s;
      if (sessions[s].pending++ == 0) touched[ntouched++] = s;
      if (is_shutdown(bufs[i], msgs[i].msg_len)) {
        flush_session(s, i);
        close_session(s);
      }
    }
    for (int t = 0; t < ntouched; t++)
      if (sessions[touched[t]].pending > 0) flush_session(touched[t], n - 1);
    if (n < BATCH) return;
  }
}

/* Origin -> caller: one sendmmsg() on the listener per batch. */
static void on_origin(int s) {
  for (int round = 0; round < 8 && sessions[s].fd >= 0; round++) {
    prepare_receive();
    for (int i = 0; i < BATCH; i++) msgs[i].msg_hdr.msg_name = NULL;
    int n = recvmmsg(sessions[s].fd, msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == ECONNREFUSED) counters.send_errors++; /* ICMP from an earlier send: the origin port is closed */
      return;
    }
    if (n == 0) return;
    unsigned k = 0;
    int shutdown = 0;
    for (int i = 0; i < n; i++) {
      if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        counters.truncated++;
        continue;
      }
      counters.from_origin++;
      if (is_shutdown(bufs[i], msgs[i].msg_len)) shutdown = 1;
      memset(&out[k], 0, sizeof out[k]);
      iovs[i].iov_len = msgs[i].msg_len;
      out[k].msg_hdr.msg_iov = &iovs[i];
      out[k].msg_hdr.msg_iovlen = 1;
      out[k].msg_hdr.msg_name = &sessions[s].caller;
      out[k].msg_hdr.msg_namelen = sessions[s].caller_len;
      k++;
    }
    if (k > 0) account(sendmmsg(listener, out, k, MSG_DONTWAIT), k, &counters.to_caller);
    if (shutdown) {
      close_session(s);
      return;
    }
    if (n < BATCH) return;
  }
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *listen_arg = NULL, *origin_arg = NULL;
  long max_seconds = 900;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--listen") == 0) listen_arg = argv[i + 1];
    else if (strcmp(argv[i], "--origin") == 0) origin_arg = argv[i + 1];
    else if (strcmp(argv[i], "--rcvbuf") == 0) rcvbuf = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--origin-buf") == 0) origin_buf = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--max-seconds") == 0) max_seconds = atol(argv[i + 1]);
    else {
      fprintf(stderr, "c-relay: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  struct sockaddr_storage local;
  socklen_t local_len;
  if (listen_arg == NULL || origin_arg == NULL || parse_host_port(listen_arg, &local, &local_len) < 0 ||
      parse_host_port(origin_arg, &origin, &origin_len) < 0) {
    fprintf(stderr, "usage: c-relay --listen <ip>:<port> --origin <ip>:<port> [--rcvbuf N] [--origin-buf N] [--max-seconds S]\n");
    return 2;
  }
  if (origin_buf < 0) origin_buf = rcvbuf;
  alarm((unsigned)max_seconds);
  struct sigaction sa = {0};
  sa.sa_handler = on_signal; /* no SA_RESTART: epoll_wait returns EINTR and the loop looks at the flags */
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  for (int i = 0; i < TABLE_SIZE; i++) table[i] = EMPTY;
  for (int i = 0; i < MAX_SESSIONS; i++) {
    sessions[i].fd = -1;
    free_list[i] = MAX_SESSIONS - 1 - i;
  }
  free_count = MAX_SESSIONS;

  listener = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&local, local_len) < 0) {
    perror("c-relay: listener");
    return 2;
  }
  set_socket_buffers(listener, rcvbuf);
  int port = local_port(listener);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 0};
  if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev) < 0) {
    perror("c-relay: epoll");
    return 2;
  }
  printf("listening %d\n", port);

  struct epoll_event events[256];
  while (!want_exit) {
    int n = epoll_wait(epfd, events, 256, -1);
    if (want_stats) {
      want_stats = 0;
      print_stats();
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("c-relay: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; i++) {
      uint32_t id = events[i].data.u32;
      if (id == 0) on_listener();
      else if (sessions[id - 1].fd >= 0) on_origin((int)id - 1);
    }
  }
  print_stats();
  return 0;
}
