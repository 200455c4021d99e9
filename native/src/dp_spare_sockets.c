/* Origin sockets of closed links, kept for the next links of the same address family. Measured on the handshake
 * path (perf, 22,000 handshakes): a fresh origin socket cost the loop about 6 us for socket(), 2 us for the two
 * buffer setsockopts, 2.5 us for the epoll_ctl ADD and 7 us for its close() (inode, dentry and epoll item freed),
 * against 4 us for the connect() every link needs. A kept socket is already non-blocking, buffered and in the origin
 * epoll set: keeping it costs a disconnect and an empty peek (about 1.5 us), taking it an epoll_ctl MOD (0.6 us,
 * its events now name the new link) and the connect. That is work saved, not moved: the socket() and close() are
 * not done at all, in a reconnect wave as anywhere else (the wave's closes supply its opens).
 *
 * Why a kept socket cannot mix two sessions: connect(AF_UNSPEC) on a UDP socket whose port the kernel chose
 * unhashes it and forgets that port (__udp_disconnect): from then on nothing can be delivered to it, the old origin's
 * late datagrams draw a port unreachable exactly as after close(), and the next connect() binds a new ephemeral
 * port. Only a socket with nothing queued and no pending error is kept (a datagram or an error queued before the
 * disconnect belongs to the old session); the others are closed as before.
 */
#include "dp.h" /* first: it defines _GNU_SOURCE */
#include <errno.h>
#include <string.h>
#include <unistd.h>

static uint32_t family_index(int family) {
  return family == AF_INET6 ? 1 : 0;
}

int dp_spare_socket_take(dp *d, int family) {
  uint32_t f = family_index(family);
  if (d->spare_n[f] == 0) return -1;
  return d->spare_fd[f][--d->spare_n[f]];
}

int dp_spare_socket_keep(dp *d, int fd, int family) {
  uint32_t f = family_index(family);
  if (d->closing || d->spare_n[f] == DP_SPARE_SOCKETS || uv_now(d->loop) < d->fd_shortage_until) return 0;
  struct sockaddr unspec;
  memset(&unspec, 0, sizeof unspec);
  unspec.sa_family = AF_UNSPEC;
  if (connect(fd, &unspec, sizeof unspec) != 0) return 0;
  /* Unhashed now, so what is queued stays all there is. A pending error (an ICMP error of the old origin, as after an
   * origin failure, whose sessions' callers are the next wave) is reported and cleared by the peek, which then looks
   * again; a datagram is the old session's, and the socket goes with it. */
  uint8_t byte;
  for (int look = 0;; look++) {
    if (recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) >= 0) return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (look == 1) return 0;
  }
  d->spare_fd[f][d->spare_n[f]++] = fd;
  return 1;
}

uint32_t dp_spare_sockets_close(dp *d) {
  uint32_t closed = 0;
  for (uint32_t f = 0; f < 2; f++) {
    while (d->spare_n[f] > 0) {
      close(d->spare_fd[f][--d->spare_n[f]]);
      closed++;
    }
  }
  return closed;
}
