/*
 * Sockets and batched I/O. The public socket is read with recvmmsg; a batch's datagrams for relaying links are
 * grouped by link and leave with one sendmmsg per link. Origin datagrams of relaying links are received straight
 * into one bounded queue for the public socket, flushed with sendmmsg at uv_check (once, twice when the link events'
 * handlers sent something) and whenever it is full. Handshake datagrams JS sends to origins leave in one burst at
 * uv_check too. What the kernel refuses is dropped and counted, never queued further. Per relayed datagram: no
 * malloc, no JS, no other syscall.
 */
#include "dp.h" /* first: it defines _GNU_SOURCE for recvmmsg/sendmmsg */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>


static void on_public(uv_poll_t *h, int status, int events);
static void on_origins(uv_poll_t *h, int status, int events);
static void on_check(uv_check_t *h);
static void on_idle(uv_idle_t *h);
static void flush_out(dp *d);
static void flush_origins(dp *d);
static void origin_error(dp *d, dp_link *l, int e);
static void backlog_handshake(dp *d, const uint8_t *p, size_t len, const dp_addr *from);
static void drain_handshakes(dp *d);

static void set_buffers(int fd, int rcv, int snd) {
  if (rcv > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  if (snd > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
}

static int is_unreachable(int e) {
  return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH;
}

static void push_event(dp *d, dp_link *l, int kind, int code) {
  if (d->events_n == d->events_cap) {
    uint32_t cap = d->events_cap == 0 ? 64 : d->events_cap * 2;
    dp_event *grown = realloc(d->events, cap * sizeof *grown);
    if (grown == NULL) return;
    d->events = grown;
    d->events_cap = cap;
  }
  dp_event *e = &d->events[d->events_n++];
  e->id = l->id;
  e->gen = l->gen;
  e->kind = kind;
  e->code = code;
}

/* A failure at openLink, told on the next turn. */
void dp_link_fail(dp *d, dp_link *l, int e) {
  l->error_reported = 1;
  d->counters.origin_errors++;
  push_event(d, l, DP_EVENT_ERROR, e);
  dp_schedule_events(d);
}

/* Stops relaying a link by itself (SHUTDOWN or ICMP) and tells JS after the batch. */
static void end_link(dp *d, dp_link *l, int why) {
  if (l->state != LINK_RELAYING) return;
  l->state = LINK_ENDED;
  push_event(d, l, DP_EVENT_ENDED, why);
}

int64_t dp_cookie_bucket(void) {
  /* CLOCK_REALTIME through the vDSO: no syscall. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  return ms / SRT_COOKIE_BUCKET_MS;
}

/* A slot of the outgoing queue for a handshake-path datagram to `to` (link 0: failures count process-wide). */
/* Out-queue slot w (its bytes already in place) goes to `to`; `link`/`gen` name the link charged for a refusal
 * (0 for the handshake path's own answers). */
static inline void address_out(dp *d, uint32_t w, size_t len, const dp_addr *to, uint32_t link, uint32_t gen) {
  d->out_iov[w].iov_len = len;
  d->out_to[w] = *to;
  struct msghdr *m = &d->out_hdr[w].msg_hdr;
  memset(m, 0, sizeof *m);
  m->msg_iov = &d->out_iov[w];
  m->msg_iovlen = 1;
  m->msg_name = &d->out_to[w].u;
  m->msg_namelen = d->out_to[w].len;
  d->out_link[w] = link;
  d->out_gen[w] = gen;
}

static uint8_t *queue_to_caller(dp *d, const dp_addr *to, size_t len) {
  if (d->out_n == DP_OUT_SLOTS) flush_out(d);
  uint32_t w = d->out_n++;
  uint8_t *p = d->out_iov[w].iov_base;
  DP_UNPOISON(p, DP_SLOT);
  DP_POISON(p + len, DP_SLOT - len);
  address_out(d, w, len, to, 0, 0);
  return p;
}

/* SynCookie.verify on a CONCLUSION from `from`, with the engine's secret. */
static int cookie_ok(dp *d, const uint8_t *p, const dp_addr *from) {
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  int port;
  dp_addr_format(from, text, sizeof text, &port);
  return srt_syn_cookie_verify(&d->cookie_key, text, port, dp_cookie_bucket(), srt_hs_cookie_of(p));
}

/* The handshake engine's INDUCTION answer, written here: stateless, so no JS call, Buffer or sendto for it. */
static void answer_induction(dp *d, const uint8_t *p, const dp_addr *from) {
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  int port;
  dp_addr_format(from, text, sizeof text, &port);
  uint32_t cookie = srt_syn_cookie(&d->cookie_key, text, port, dp_cookie_bucket());
  srt_hs_induction_answer(p, cookie, queue_to_caller(d, from, SRT_HS_SIZE));
  d->counters.inductions++;
}

/* The public socket's set-up, for a data path's own (dp_listen) and for the shared ones the main thread opens for
 * its workers (dp_listen_sockets.c): one place, so both are the same socket. */
int dp_open_public(const char *host, int port, int rcvbuf, int sndbuf, int reuse_port, int *fd_out, int *family_out) {
  dp_addr a;
  int family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
  if (dp_addr_parse(host, port, family, &a) != 0) return EINVAL;
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  int off = 0, on = 1;
  /* `::` accepts IPv4 too (dual stack), as node:dgram's udp6 with ipv6Only false. */
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    int e = errno;
    close(fd);
    return e;
  }
  if (bind(fd, &a.u.sa, a.len) != 0) {
    int e = errno;
    close(fd);
    return e;
  }
  set_buffers(fd, rcvbuf, sndbuf);
  *fd_out = fd;
  if (family_out != NULL) *family_out = family;
  return 0;
}

int dp_listen(dp *d, const char *host, int port, int rcvbuf, int sndbuf, int reuse_port) {
  int fd = -1;
  int e = dp_open_public(host, port, rcvbuf, sndbuf, reuse_port, &fd, NULL);
  if (e != 0) return e;
  e = dp_adopt_public(d, fd, 1);
  if (e != 0) close(fd);
  return e;
}

int dp_adopt_public(dp *d, int fd, int owned) {
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  int type = 0;
  socklen_t type_len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0) return errno;
  if (type != SOCK_DGRAM) return ENOTSOCK;
  if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0) return errno;
  if (bound.ss_family != AF_INET && bound.ss_family != AF_INET6) return EAFNOSUPPORT;
  int family = bound.ss_family;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return errno;
  d->origin_epfd = epfd;
  d->pub_fd = fd;
  d->pub_owned = owned;
  d->pub_family = family;
  for (int i = 0; i < DP_BATCH; i++) {
    d->in_iov[i].iov_base = d->in_buf[i];
    d->in_iov[i].iov_len = DP_SLOT;
  }
  for (int i = 0; i < DP_OUT_SLOTS; i++) d->out_iov[i].iov_base = d->out_buf[i];
  uv_poll_init_socket(d->loop, &d->pub_poll, fd);
  d->pub_poll.data = d;
  uv_poll_start(&d->pub_poll, UV_READABLE, on_public);
  uv_poll_init(d->loop, &d->origin_poll, epfd);
  d->origin_poll.data = d;
  uv_poll_start(&d->origin_poll, UV_READABLE, on_origins);
  uv_check_init(d->loop, &d->check);
  d->check.data = d;
  uv_check_start(&d->check, on_check);
  uv_unref((uv_handle_t *)&d->check);
  uv_idle_init(d->loop, &d->idle);
  d->idle.data = d;
  d->handles_open = 4;
  return 0;
}

/* Events (link errors at open, ends) wait for the next turn: openLink must return its id first. */
void dp_schedule_events(dp *d) {
  if (!d->idle_active && !d->closing) {
    d->idle_active = 1;
    uv_idle_start(&d->idle, on_idle);
  }
}

static void on_idle(uv_idle_t *h) {
  dp *d = h->data;
  d->idle_active = 0;
  uv_idle_stop(h);
  dp_emit_events(d);
  drain_handshakes(d);
}

/* Keeps a handshake-path datagram for a later turn (a copy: handshake rate, not the relay path), or sheds it. */
static void backlog_handshake(dp *d, const uint8_t *p, size_t len, const dp_addr *from) {
  if (d->hs_count == DP_HS_BACKLOG) {
    d->counters.handshakes_shed++;
    return;
  }
  uint32_t at = (d->hs_head + d->hs_count++) % DP_HS_BACKLOG;
  DP_UNPOISON(d->hs_buf[at], DP_SLOT);
  memcpy(d->hs_buf[at], p, len);
  DP_POISON(d->hs_buf[at] + len, DP_SLOT - len);
  d->hs_len[at] = (uint16_t)len;
  d->hs_from[at] = *from;
  dp_schedule_events(d);
}

/* Stages waiting handshakes for JS within the turn's budget; the idle handle keeps the loop turning until done. */
static void drain_handshakes(dp *d) {
  while (d->hs_count > 0 && d->handshakes_this_turn < DP_HANDSHAKES_PER_TURN && !d->closing) {
    dp_js_room(d, 1);
    uint32_t at = d->hs_head;
    if (!dp_stage_caller(d, d->hs_buf[at], d->hs_len[at], &d->hs_from[at], 0)) break;
    d->hs_head = (d->hs_head + 1) % DP_HS_BACKLOG;
    d->hs_count--;
    d->handshakes_this_turn++;
  }
  if (d->hs_count > 0) dp_schedule_events(d);
}

/* A fresh origin socket of `family`, buffered and in the origin epoll set with `ev`: an fd, or -errno. */
static int new_origin_socket(dp *d, int family, struct epoll_event *ev) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  /* Out of fds: the kept sockets (of the other family, this one's are used first) are only a saving. */
  if (fd < 0 && (errno == EMFILE || errno == ENFILE) && dp_spare_sockets_close(d) > 0) {
    fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  if (fd < 0) return -errno;
  set_buffers(fd, d->origin_buffer_bytes, d->origin_buffer_bytes);
  if (epoll_ctl(d->origin_epfd, EPOLL_CTL_ADD, fd, ev) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

int dp_open_origin(dp *d, dp_link *l, const char *host, int port) {
  dp_addr a;
  int family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
  if (dp_addr_parse(host, port, family, &a) != 0) return EINVAL;
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u64 = (uint64_t)l->gen << 32 | l->id;
  /* A closed link's socket when one is kept (dp_spare_sockets.c): only its events' link changes. */
  int fd = dp_spare_socket_take(d, family);
  if (fd >= 0 && epoll_ctl(d->origin_epfd, EPOLL_CTL_MOD, fd, &ev) != 0) {
    close(fd);
    fd = -1;
  }
  if (fd < 0) fd = new_origin_socket(d, family, &ev);
  if (fd < 0) return -fd;
  /* A failed connect may leave the socket bound to a port: closed, never kept. */
  if (connect(fd, &a.u.sa, a.len) != 0) {
    int e = errno;
    close(fd);
    return e;
  }
  l->fd = fd;
  l->family = family;
  l->polling = 1;
  return 0;
}

/* Queued with the turn's relayed datagrams (one sendmmsg at uv_check, not one sendto each); a refusal then counts
 * in sendErrors. JS may call this in any phase: the idle handle keeps the loop from blocking in poll before the
 * check that flushes it. */
int dp_send_to_caller(dp *d, const uint8_t *p, size_t len, const char *address, int port) {
  dp_addr a;
  if (d->pub_fd < 0 || d->closing || len > DP_SLOT || dp_addr_parse(address, port, d->pub_family, &a) != 0 || port == 0) {
    d->counters.send_errors++;
    return 0;
  }
  memcpy(queue_to_caller(d, &a, len), p, len);
  if (!d->flush_ahead) dp_schedule_events(d);
  return 1;
}

/* A link still in its handshake: the datagram is copied into the turn's origin queue and leaves in one burst with
 * the others at uv_check (flush_origins), so a turn's handshakes wake the origin once, not once per send. Returns
 * 0 only when it cannot be queued (no socket, too long, closing). A relaying link's datagram (the SHUTDOWN a
 * closing session sends right before closeLink) leaves now, behind anything queued, so nothing overtakes it and
 * closeLink loses nothing. */
int dp_send_to_origin(dp *d, dp_link *l, const uint8_t *p, size_t len) {
  if (l->fd < 0 || d->closing || len > DP_SLOT) {
    d->counters.send_errors++;
    return 0;
  }
  if (l->state != LINK_OPEN) {
    flush_origins(d);
    if (send(l->fd, p, len, 0) < 0) {
      d->counters.send_errors++;
      return 0;
    }
    return 1;
  }
  if (d->oq_n == DP_ORIGIN_OUT_SLOTS) flush_origins(d);
  uint32_t w = d->oq_n++;
  DP_UNPOISON(d->oq_buf[w], DP_SLOT);
  memcpy(d->oq_buf[w], p, len);
  DP_POISON(d->oq_buf[w] + len, DP_SLOT - len);
  d->oq_len[w] = (uint16_t)len;
  d->oq_link[w] = l->id;
  d->oq_gen[w] = l->gen;
  if (!d->flush_ahead) dp_schedule_events(d);
  return 1;
}

/* The turn's queued origin datagrams, back to back: the first wakes the origin, the rest find it awake. A refusal
 * counts in sendErrors as a lone send's did; an ICMP error a send collects (and so clears from the socket) is told
 * to JS as the origin poll would have told it. */
static void flush_origins(dp *d) {
  uint32_t n = d->oq_n;
  d->oq_n = 0;
  for (uint32_t i = 0; i < n; i++) {
    dp_link *l = dp_link_get(d, d->oq_link[i]);
    /* Closed since (or its id handed to another link): the session is gone, so is its datagram. */
    if (l == NULL || l->gen != d->oq_gen[i] || l->fd < 0) continue;
    while (send(l->fd, d->oq_buf[i], d->oq_len[i], 0) < 0) {
      int e = errno;
      if (e == EINTR) continue;
      d->counters.send_errors++;
      if (is_unreachable(e)) {
        origin_error(d, l, e);
        dp_schedule_events(d);
      }
      break;
    }
  }
}

void dp_close_link(dp *d, dp_link *l) {
  if (l->state == LINK_RELAYING || l->state == LINK_ENDED) dp_link_unindex(d, l);
  l->state = LINK_ENDED;
  dp_link_release(d, l);
  /* No EPOLL_CTL_DEL first: close() takes the socket out of the epoll set by itself (one syscall per session fewer)
   * once no other process holds it. Only a child between fork and exec could (the socket is CLOEXEC, and the proxy
   * starts no children; tests that spawn peers do), and then only for that moment: its events carry this link's
   * generation, which no live link has, so they are skipped (at worst a few idle turns of the origin poll).
   * UDP sends are in the kernel once send/sendmmsg returned: closing now loses nothing already sent. A socket kept
   * for the next link (dp_spare_sockets.c) stays in the set; its events name this link, which is gone, until the
   * next link takes it. */
  if (l->fd >= 0 && !dp_spare_socket_keep(d, l->fd, l->family)) close(l->fd);
  free(l);
}

static void on_dp_handle_closed(uv_handle_t *h) {
  dp *d = h->data;
  if (--d->handles_open == 0) dp_freed(d);
}

void dp_close(dp *d) {
  if (d->closing) return;
  d->closing = 1;
  flush_out(d);
  /* Handshakes of sessions closing with the data path: nobody waits for their answers. */
  d->oq_n = 0;
  for (uint32_t id = 1; id < d->next_id; id++) {
    if (d->links[id] != NULL) dp_close_link(d, d->links[id]);
  }
  dp_spare_sockets_close(d);
  if (d->pub_fd >= 0) {
    uv_close((uv_handle_t *)&d->pub_poll, on_dp_handle_closed);
    uv_close((uv_handle_t *)&d->origin_poll, on_dp_handle_closed);
    close(d->origin_epfd);
    d->origin_epfd = -1;
    uv_close((uv_handle_t *)&d->check, on_dp_handle_closed);
    uv_close((uv_handle_t *)&d->idle, on_dp_handle_closed);
    /* An adopted socket is the main thread's (dp_listen_sockets.c): it stays open, in the SO_REUSEPORT group, for
     * the next data path to adopt. The poll is stopped already (uv_close takes the fd out of this loop's epoll). */
    if (d->pub_owned) close(d->pub_fd);
    else dp_listen_socket_release(d->pub_fd);
    d->pub_fd = -1;
  } else if (d->handles_open == 0) {
    dp_freed(d);
  }
}

/* --- caller -> origin -------------------------------------------------------------------------------------- */

static void send_link_batch(dp *d, dp_link *l) {
  struct mmsghdr hdr[DP_BATCH];
  for (uint32_t i = 0; i < l->batch_n; i++) {
    memset(&hdr[i], 0, sizeof hdr[i]);
    hdr[i].msg_hdr.msg_iov = &d->in_iov[l->batch_idx[i]];
    hdr[i].msg_hdr.msg_iovlen = 1;
  }
  uint32_t sent = 0;
  while (sent < l->batch_n) {
    int r = sendmmsg(l->fd, hdr + sent, l->batch_n - sent, 0);
    if (r > 0) {
      sent += (uint32_t)r;
      continue;
    }
    int e = r < 0 ? errno : EAGAIN;
    if (e == EINTR) continue;
    if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS) {
      l->send_queue_drops += l->batch_n - sent;
      break;
    }
    l->send_errors++;
    sent++;
    if (is_unreachable(e)) {
      d->counters.origin_errors++;
      l->send_errors += l->batch_n - sent;
      end_link(d, l, DP_END_ORIGIN_UNREACHABLE);
      break;
    }
  }
}

/* One recvmmsg batch; the number of datagrams read (0: none left). */
static int read_public(dp *d) {
  /* Room to stage a whole batch of handshakes (JS may run here: nothing of a batch is pending). */
  dp_js_room(d, DP_BATCH);
  if (d->closing) return 0;
  uint64_t now = uv_now(d->loop);
  DP_UNPOISON(d->in_buf, sizeof d->in_buf);
  for (int i = 0; i < DP_BATCH; i++) {
    struct msghdr *m = &d->in_hdr[i].msg_hdr;
    memset(m, 0, sizeof *m);
    m->msg_name = &d->in_from[i].u;
    m->msg_namelen = sizeof d->in_from[i].u;
    m->msg_iov = &d->in_iov[i];
    m->msg_iovlen = 1;
  }
  int n = recvmmsg(d->pub_fd, d->in_hdr, DP_BATCH, 0, NULL);
  if (n <= 0) {
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) d->counters.socket_errors++;
    return 0;
  }
  /* Stamps the links touched by this batch (0 is never a stamp). */
  uint32_t gen = ++d->batch_gen;
  if (gen == 0) gen = d->batch_gen = 1;
  dp_link *touched = NULL;
  for (int i = 0; i < n; i++) {
    const uint8_t *p = d->in_buf[i];
    size_t len = d->in_hdr[i].msg_len < DP_SLOT ? d->in_hdr[i].msg_len : DP_SLOT;
    DP_POISON(d->in_buf[i] + len, DP_SLOT - len);
    dp_addr *from = &d->in_from[i];
    from->len = d->in_hdr[i].msg_hdr.msg_namelen;
    if (d->in_hdr[i].msg_hdr.msg_flags & MSG_TRUNC) {
      d->counters.malformed++;
      d->counters.truncated++;
      continue;
    }
    srt_pkt_info info;
    srt_pkt_classify(p, len, &info);
    if (info.kind == SRT_PKT_MALFORMED) {
      d->counters.malformed++;
      continue;
    }
    if (info.kind == SRT_PKT_HANDSHAKE_PATH) {
      uint32_t hs_type = d->answer_inductions ? srt_hs_type(p, len) : 0;
      int verified = 0;
      /* Source port 0 is legal on the wire but cannot be answered. */
      if (from->u.in4.sin_port == 0) {
        d->counters.malformed++;
      } else if (hs_type == SRT_HS_INDUCTION) {
        answer_induction(d, p, from);
      } else if (hs_type == SRT_HS_CONCLUSION && !(verified = cookie_ok(d, p, from))) {
        /* As the engine (and libsrt): a wrong cookie gets no answer, and here costs no JS and no budget. */
        d->counters.bad_cookie++;
      } else if (d->hs_count == 0 && d->handshakes_this_turn < DP_HANDSHAKES_PER_TURN &&
                 dp_stage_caller(d, p, len, from, verified)) {
        /* Copied out now: the receive slot is reused by the next batch. JS gets it at the end of the turn. */
        d->handshakes_this_turn++;
      } else {
        backlog_handshake(d, p, len, from);
      }
      continue;
    }
    dp_link *foreign;
    int any;
    dp_link *l = dp_link_find(d, info.dst_socket_id, from, &foreign, &any);
    if (l == NULL) {
      if (any) {
        d->counters.foreign_address++;
        if (foreign != NULL) foreign->drops++;
      } else {
        d->counters.unknown_session++;
      }
      continue;
    }
    if (l->state != LINK_RELAYING) {
      /* Ended (its SHUTDOWN seen), not yet closed: a late datagram of a finished session, not one it lost. Not
       * counted as a drop, as on the JS path. */
      continue;
    }
    l->packets_from_caller++;
    l->bytes_from_caller += (double)len;
    l->last_from_caller = now;
    if (l->batch_gen != gen) {
      l->batch_gen = gen;
      l->batch_n = 0;
      l->batch_next = touched;
      touched = l;
    }
    d->in_iov[i].iov_len = len;
    l->batch_idx[l->batch_n++] = (uint8_t)i;
    if (info.kind == SRT_PKT_CONTROL) {
      if (info.control_type == SRT_CTRL_SHUTDOWN) end_link(d, l, DP_END_CALLER_SHUTDOWN);
      else if (l->telemetry) dp_receiver_read(&l->by_caller, info.control_type, p, len, now);
    } else if (info.retransmitted && l->telemetry) {
      l->retransmitted_from_caller++;
    }
  }
  for (dp_link *l = touched; l != NULL; l = l->batch_next) send_link_batch(d, l);
  for (int i = 0; i < n; i++) d->in_iov[i].iov_len = DP_SLOT;
  /* The link ends found here reach JS at uv_check, after this turn's handshakes (on_check). */
  drain_handshakes(d);
  return n;
}

static void on_public(uv_poll_t *h, int status, int events) {
  (void)events;
  dp *d = h->data;
  if (status < 0) {
    /* libuv stops a poll on POLLERR: collect the error and go on reading. */
    int e = 0;
    socklen_t el = sizeof e;
    getsockopt(d->pub_fd, SOL_SOCKET, SO_ERROR, &e, &el);
    d->counters.socket_errors++;
    if (!d->closing) uv_poll_start(&d->pub_poll, UV_READABLE, on_public);
    return;
  }
  d->flush_ahead = 1;
  for (int b = 0; b < DP_BATCHES_PER_WAKE && !d->closing; b++) {
    if (read_public(d) < DP_BATCH) break;
  }
  d->flush_ahead = 0;
}

/* --- origin -> caller -------------------------------------------------------------------------------------- */

static void flush_out(dp *d) {
  uint32_t n = d->out_n, sent = 0;
  if (n == 0) return;
  while (sent < n) {
    int r = sendmmsg(d->pub_fd, d->out_hdr + sent, n - sent, 0);
    if (r > 0) {
      sent += (uint32_t)r;
      continue;
    }
    int e = r < 0 ? errno : EAGAIN;
    if (e == EINTR) continue;
    int refused = e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS;
    /* Refused by the kernel: drop the rest of this turn's queue (never carried over, so never unbounded). */
    uint32_t upto = refused ? n : sent + 1;
    for (uint32_t i = sent; i < upto; i++) {
      if (d->out_link[i] == 0) {
        d->counters.send_errors++; /* a handshake-path datagram */
        continue;
      }
      dp_link *l = dp_link_get(d, d->out_link[i]);
      if (l == NULL || l->gen != d->out_gen[i]) continue;
      if (refused) l->send_queue_drops++;
      else l->send_errors++;
    }
    sent = upto;
  }
  d->out_n = 0;
}

static void on_check(uv_check_t *h) {
  dp *d = h->data;
  /* The turn's handshake-path datagrams, callers' and origins', in one JS call; what JS sends to callers in it
   * leaves with the flush below. */
  d->flush_ahead = 1;
  dp_emit_handshakes(d);
  /* What JS just sent leaves now, both ways: to origins in one burst (a lone send each woke the origin each time),
   * to callers with the datagrams relayed this turn; the peers go on while JS handles the link events (an ICMP error
   * a burst send collects is told with them). What those handlers send goes with the flush below. */
  if (!d->closing) {
    flush_origins(d);
    flush_out(d);
  }
  /* Link ends and errors after the handshakes of the same turn, as they were received: a caller's retransmitted
   * CONCLUSION and its SHUTDOWN in one turn find the session still open (answered as a repeat), not closed (which
   * would open a new one). */
  if (!d->closing) dp_emit_events(d);
  d->flush_ahead = 0;
  d->handshakes_this_turn = 0;
  if (d->closing) return;
  flush_origins(d);
  flush_out(d);
}

static void origin_error(dp *d, dp_link *l, int e) {
  d->counters.origin_errors++;
  if (l->state == LINK_OPEN) {
    if (!l->error_reported) {
      l->error_reported = 1;
      push_event(d, l, DP_EVENT_ERROR, e);
    }
  } else if (l->state == LINK_RELAYING && is_unreachable(e)) {
    end_link(d, l, DP_END_ORIGIN_UNREACHABLE);
  }
}

static void read_origin(dp *d, dp_link *l) {
  uint64_t now = uv_now(d->loop);
  uint32_t id = l->id, gen = l->gen;
  for (int round = 0; round < DP_ORIGIN_BATCHES_PER_WAKE && l->polling && l->state != LINK_ENDED; round++) {
    if (l->state == LINK_OPEN) {
      /* Room to stage a whole batch (JS may run here: the queue is consistent); JS may close the link (freed at
       * once) or everything. */
      dp_js_room(d, DP_BATCH);
      if (d->closing) return;
      l = dp_link_get(d, id);
      if (l == NULL || l->gen != gen) return;
    }
    if (d->out_n + DP_BATCH > DP_OUT_SLOTS) flush_out(d);
    uint32_t base = d->out_n;
    for (uint32_t i = base; i < base + DP_BATCH; i++) {
      struct msghdr *m = &d->out_hdr[i].msg_hdr;
      memset(m, 0, sizeof *m);
      d->out_iov[i].iov_len = DP_SLOT;
      DP_UNPOISON(d->out_iov[i].iov_base, DP_SLOT);
      m->msg_iov = &d->out_iov[i];
      m->msg_iovlen = 1;
    }
    int n = recvmmsg(l->fd, d->out_hdr + base, DP_BATCH, 0, NULL);
    if (n <= 0) {
      int e = n < 0 ? errno : EAGAIN;
      if (e != EAGAIN && e != EWOULDBLOCK && e != EINTR) origin_error(d, l, e);
      return;
    }
    uint32_t w = base;
    for (uint32_t j = base; j < base + (uint32_t)n; j++) {
      uint8_t *p = d->out_iov[j].iov_base;
      size_t len = d->out_hdr[j].msg_len < DP_SLOT ? d->out_hdr[j].msg_len : DP_SLOT;
      DP_POISON(p + len, DP_SLOT - len);
      if (d->out_hdr[j].msg_hdr.msg_flags & MSG_TRUNC) {
        l->drops++;
        d->counters.truncated++;
        continue;
      }
      if (l->state == LINK_OPEN) {
        /* Still in its handshake: staged for the session logic (copied, the slot is reused). */
        if (!dp_stage_origin(d, l, p, len)) l->drops++;
        continue;
      }
      if (l->state != LINK_RELAYING) {
        /* Behind its SHUTDOWN in the same batch: the session is over (see the caller side). */
        continue;
      }
      srt_pkt_info info;
      srt_pkt_classify(p, len, &info);
      l->packets_from_origin++;
      l->bytes_from_origin += (double)len;
      l->last_from_origin = now;
      if (info.kind == SRT_PKT_CONTROL) {
        if (info.control_type == SRT_CTRL_SHUTDOWN) end_link(d, l, DP_END_ORIGIN_SHUTDOWN);
        else if (l->telemetry) dp_receiver_read(&l->by_origin, info.control_type, p, len, now);
      } else if (info.kind == SRT_PKT_DATA && info.retransmitted && l->telemetry) {
        l->retransmitted_from_origin++;
      }
      if (w != j) {
        void *t = d->out_iov[w].iov_base;
        d->out_iov[w].iov_base = p;
        d->out_iov[j].iov_base = t;
      }
      address_out(d, w, len, &l->caller, l->id, l->gen);
      w++;
    }
    d->out_n = w;
    if (n < DP_BATCH) return;
  }
}

/* Origin sockets ready, from the one epoll set: up to DP_ORIGIN_ROUNDS x DP_BATCH links per wake (level
 * triggered, and epoll requeues a reported socket behind the others, so the rest come next turn, in turn). */
#define DP_ORIGIN_ROUNDS 16
static void on_origins(uv_poll_t *h, int status, int events) {
  (void)events;
  dp *d = h->data;
  if (status < 0) {
    if (!d->closing) uv_poll_start(&d->origin_poll, UV_READABLE, on_origins);
    return;
  }
  struct epoll_event ev[DP_BATCH];
  d->flush_ahead = 1;
  for (int round = 0; round < DP_ORIGIN_ROUNDS && !d->closing; round++) {
    int n = epoll_wait(d->origin_epfd, ev, DP_BATCH, 0);
    for (int i = 0; i < n && !d->closing; i++) {
      dp_link *l = dp_link_get(d, (uint32_t)ev[i].data.u64);
      if (l == NULL || l->gen != (uint32_t)(ev[i].data.u64 >> 32) || !l->polling) continue;
      if (ev[i].events & EPOLLERR) {
        /* An ICMP error (ECONNREFUSED...) on the connected socket; reading it clears it. */
        int e = 0;
        socklen_t el = sizeof e;
        getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &e, &el);
        if (e != 0) origin_error(d, l, e);
      }
      if (ev[i].events & EPOLLIN) read_origin(d, l);
    }
    if (n < DP_BATCH) break;
  }
  d->flush_ahead = 0;
}
