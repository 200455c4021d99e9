// handshake-flood: the flood of bench/abuse-cpu. Handshake datagrams (dst socket id 0) from many loopback source
// addresses at a paced rate, answers read and thrown away, so that it costs the machine little besides the sends.
//
//   handshake-flood <host> <port> <sources> <pps> <ms> <packet-hex> [<packet-hex> ...]
//
// Binds <sources> UDP sockets on 127.2.x.y (the whole loopback /8 is local on Linux), then sends the given packets in
// turn, each from the next source, for <ms> milliseconds at <pps> datagrams per second (paced every 500 us). Prints `done sent=<n> failed=<n> answers=<n> answer_bytes=<n> ns=<elapsed>` and exits.
// A watchdog (alarm) ends the process after 600 s whatever happens.
//
// Build: gcc -O2 -Wall -o handshake-flood bench/handshake-flood.c (with bench/bench-net.h beside it)

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-net.h"

#define MAX_SOURCES 4096
#define MAX_PACKETS 16
#define MAX_SIZE 1500

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: handshake-flood <host> <port> <sources> <pps> <ms> <packet-hex>...\n");
    return 2;
  }
  alarm(600);
  struct sockaddr_storage target;
  socklen_t target_len;
  /* IPv4 only: the sources are 127.2.x.y. */
  if (numeric_address(argv[1], argv[2], &target, &target_len) != 0 || target.ss_family != AF_INET) return 2;
  int sources = atoi(argv[3]);
  long pps = atol(argv[4]);
  long ms = atol(argv[5]);
  if (sources < 1 || sources > MAX_SOURCES || pps < 1 || ms < 1) return 2;
  static uint8_t packets[MAX_PACKETS][MAX_SIZE];
  long sizes[MAX_PACKETS];
  int count = 0;
  for (int i = 6; i < argc && count < MAX_PACKETS; i++, count++) {
    sizes[count] = unhex(argv[i], packets[count], MAX_SIZE);
    if (sizes[count] < 0) return 2;
  }
  static int socks[MAX_SOURCES];
  for (int s = 0; s < sources; s++) {
    socks[s] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = 0};
    char address[32];
    snprintf(address, sizeof address, "127.2.%d.%d", s / 250, s % 250 + 1);
    inet_pton(AF_INET, address, &local.sin_addr);
    if (socks[s] < 0 || bind(socks[s], (struct sockaddr *)&local, sizeof local) != 0 ||
        connect(socks[s], (struct sockaddr *)&target, target_len) != 0) {
      fprintf(stderr, "socket %s: %s\n", address, strerror(errno));
      return 2;
    }
  }
  uint64_t start = now_ns();
  uint64_t end = start + (uint64_t)ms * 1000000ull;
  uint64_t sent = 0, failed = 0, answers = 0, answer_bytes = 0;
  int source = 0, next_packet = 0, drain = 0;
  static uint8_t sink[MAX_SIZE];
  for (;;) {
    uint64_t now = now_ns();
    if (now >= end) break;
    uint64_t due = (now - start) * (uint64_t)pps / 1000000000ull;
    while (sent + failed < due) {
      ssize_t r = send(socks[source], packets[next_packet], (size_t)sizes[next_packet], 0);
      if (r < 0) failed++;
      else sent++;
      source = (source + 1) % sources;
      next_packet = (next_packet + 1) % count;
    }
    // Read answers from a few sources per pass (all of them every pass would cost more than the sends); answers a
    // full queue drops are not counted, so `answers` is a lower bound.
    for (int k = 0; k < 16 && k < sources; k++) {
      int s = drain;
      drain = (drain + 1) % sources;
      ssize_t r;
      while ((r = recv(socks[s], sink, sizeof sink, MSG_DONTWAIT)) > 0) {
        answers++;
        answer_bytes += (uint64_t)r;
      }
    }
    struct timespec pause = {0, 500000};
    nanosleep(&pause, NULL);
  }
  uint64_t elapsed = now_ns() - start;
  printf("done sent=%llu failed=%llu answers=%llu answer_bytes=%llu ns=%llu\n", (unsigned long long)sent,
         (unsigned long long)failed, (unsigned long long)answers, (unsigned long long)answer_bytes,
         (unsigned long long)elapsed);
  return 0;
}
