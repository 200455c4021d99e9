/*
 * The native data path's internals, shared by its files: dp_addr.c (addresses as node:dgram spells them),
 * dp_links.c (the link table), dp_io.c (sockets and batched I/O on libuv polls), dp_napi.c (the JS binding).
 * One dp per DataPath instance; nothing here is global, so several worker threads each load their own.
 */
#ifndef DP_H
#define DP_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <node_api.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "srt_handshake.h"
#include "srt_packet.h"

/* Receive slots live inside the one dp allocation, so AddressSanitizer cannot see a read past a datagram's end on
 * its own: in ASan builds each slot's unused tail is poisoned after a receive and unpoisoned before the next. */
#if defined(__SANITIZE_ADDRESS__)
#define DP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DP_ASAN 1
#endif
#endif
#ifdef DP_ASAN
#include <sanitizer/asan_interface.h>
#define DP_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define DP_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define DP_POISON(p, n) ((void)(p), (void)(n))
#define DP_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Datagrams per recvmmsg/sendmmsg call. */
#define DP_BATCH 64
/* Receive slot: larger than any SRT datagram (MSS <= 1500), so anything that fills it was truncated (MSG_TRUNC). */
#define DP_SLOT 2048
/* Origin -> caller datagrams queued for one loop turn's sendmmsg on the public socket; the bound of that queue. */
#define DP_OUT_SLOTS 512
/* Handshake-path datagrams handed to JS per loop turn; the rest are shed (counted) so relaying is not starved. */
#define DP_HANDSHAKES_PER_TURN 256
/* Handshake-path datagrams over the turn's budget wait here for the next turns (a reconnect wave is a burst); only
 * what finds it full is shed. */
#define DP_HS_BACKLOG 1024
/* Handshake-path datagrams (callers' and origins') staged for JS and handed over in one call per loop turn
 * (dp_emit_handshakes): at most this many; a slot of the staging bytes each, so the bytes never run out first. */
#define DP_JS_ENTRIES 512
/* Per staged datagram in the entries array JS reads: kind, port or link id, offset, length. */
#define DP_JS_FIELDS 4
#define DP_JS_CALLER 0
#define DP_JS_ORIGIN 1
#define DP_JS_SKIP 2
/* A caller's CONCLUSION whose SYN cookie the data path verified (JS need not hash it again). */
#define DP_JS_CALLER_VERIFIED 3
/* Link events (ends and errors) handed to JS per call (dp_emit_events), in an Int32Array JS owns: kind, link id,
 * code. A pass with more (or with events its handlers cause) makes as many calls as it needs. */
#define DP_JS_EVENTS 512
#define DP_EVENT_FIELDS 3
/* Event kinds, as src/srt/transport/native/native-addon.ts LinkEventKind. */
#define DP_EVENT_ENDED 0
#define DP_EVENT_ERROR 1
/* An ended event's code: the LinkEnd, as native-addon.ts LINK_ENDS (an error's code is its errno). */
#define DP_END_CALLER_SHUTDOWN 0
#define DP_END_ORIGIN_SHUTDOWN 1
#define DP_END_ORIGIN_UNREACHABLE 2
/* recvmmsg batches per poll callback on the public socket before the loop gets a turn for origins. */
#define DP_BATCHES_PER_WAKE 16
/* recvmmsg batches per poll callback on one origin socket, as many as on the public socket: after a stall an origin
 * socket (ORIGIN_SOCKET_BUFFER_BYTES, a few hundred full datagrams) overflows long before the public socket
 * (SRT_RECV_BUFFER_BYTES, megabytes), so it must not be emptied more slowly. More than the out queue holds, which is
 * flushed when full. */
#define DP_ORIGIN_BATCHES_PER_WAKE 16
/* Handshake-path datagrams JS sends to origins in one loop turn, queued and sent in one burst at the turn's flush
 * (dp_send_to_origin). A turn hands JS at most DP_JS_ENTRIES datagrams per call, each answered with at most one send
 * to an origin; a full queue is sent early (one more burst), never grown. */
#define DP_ORIGIN_OUT_SLOTS 256
/* Origin sockets of closed links kept per address family for the next links (dp_spare_sockets.c). A reconnect wave is
 * as large as the sessions that just ended, and each kept socket costs an fd and about 2 KB of kernel memory (no
 * buffer memory while empty): 256 per family absorbs the waves of a few hundred sessions the benchmark models while
 * leaving RLIMIT_NOFILE (raised by node to its hard limit) no tighter than 512 fds. */
#define DP_SPARE_SOCKETS 256
/* Buckets of the origin-socket-id index (power of two). */
#define DP_BUCKETS 4096

typedef struct {
  union {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
  } u;
  socklen_t len;
} dp_addr;

typedef enum { LINK_OPEN = 0, LINK_RELAYING = 1, LINK_ENDED = 2 } dp_link_state;

typedef struct {
  double full_acks, light_acks, naks, loss_reported;
  uint64_t last_full_ack_ms; /* 0 before the first */
  srt_ack_fields ack;
} dp_receiver;

struct dp;

typedef struct dp_link {
  struct dp *dp;
  uint32_t id;
  uint32_t gen;
  int fd;
  int family; /* of fd: AF_INET or AF_INET6 */
  int polling; /* fd is in the dp's origin epoll set */
  dp_link_state state;
  int telemetry;
  int pending_error; /* errno of a failure at openLink, reported on the next turn */
  int error_reported;
  uint32_t origin_socket_id;
  struct dp_link *next_same_id; /* chain of the origin-socket-id bucket */
  dp_addr caller;
  double packets_from_caller, bytes_from_caller, packets_from_origin, bytes_from_origin;
  double retransmitted_from_caller, retransmitted_from_origin;
  double drops, send_queue_drops, send_errors;
  uint64_t last_from_caller, last_from_origin;
  dp_receiver by_caller, by_origin;
  /* This batch's datagrams for the origin (indices into the receive batch). */
  uint32_t batch_gen;
  uint32_t batch_n;
  uint8_t batch_idx[DP_BATCH];
  struct dp_link *batch_next;
} dp_link;

typedef struct {
  double malformed, unknown_session, foreign_address, send_errors, socket_errors, origin_errors, handshakes_shed;
  double truncated, callback_errors;
  /* INDUCTIONs answered here (with a cookie secret given at listen), which JS then never sees. */
  double inductions;
  /* CONCLUSIONs whose SYN cookie is not this secret's (dropped here unanswered, as the engine does). */
  double bad_cookie;
} dp_counters;

/* A link event for JS, collected during a batch and fired after it (JS may then close links). */
typedef struct {
  uint32_t id, gen;
  int kind; /* DP_EVENT_ENDED or DP_EVENT_ERROR */
  int code; /* DP_END_* or errno */
} dp_event;

typedef struct dp {
  napi_env env;
  uv_loop_t *loop;
  int closing;
  int handles_open; /* uv handles not yet closed; the dp is freed when it reaches 0 after close */
  napi_async_cleanup_hook_handle cleanup;
  napi_async_context async_context;
  napi_ref resource;
  napi_ref on_handshakes, on_link_events;

  int pub_fd;
  int pub_family;
  /* pub_fd is this dp's to close (0: adopted from dp_listen_sockets.c, whose registry it is released to). */
  int pub_owned;
  uv_poll_t pub_poll;
  /* Every link's origin socket is in this one epoll set, itself on one uv_poll: opening or closing a link costs one
   * epoll_ctl each, not a libuv handle (uv_poll_init's ioctl and two epoll_ctl checks, start, stop). Events carry the
   * link's id and generation, so one of a link closed meanwhile is recognised and ignored. */
  int origin_epfd;
  uv_poll_t origin_poll;
  uv_check_t check;
  uv_idle_t idle;
  int idle_active;
  int origin_buffer_bytes;
  /* Disconnected origin sockets of closed links, still buffered and in the origin epoll set, per family (0 AF_INET,
   * 1 AF_INET6). */
  int spare_fd[2][DP_SPARE_SOCKETS];
  uint32_t spare_n[2];

  /* Links by id (1..cap-1) and a free list of ids. */
  dp_link **links;
  uint32_t links_cap;
  uint32_t *free_ids;
  uint32_t free_n;
  uint32_t next_id;
  uint32_t open_links;
  uint32_t gen_counter;
  dp_link *buckets[DP_BUCKETS];

  /* Receive batch of the public socket. */
  struct mmsghdr in_hdr[DP_BATCH];
  struct iovec in_iov[DP_BATCH];
  dp_addr in_from[DP_BATCH];
  uint8_t in_buf[DP_BATCH][DP_SLOT];
  dp_link *in_link[DP_BATCH];
  uint32_t batch_gen;

  /* Origin -> caller queue, flushed once per loop turn. iov bases are a permutation of out_buf rows. */
  struct mmsghdr out_hdr[DP_OUT_SLOTS];
  struct iovec out_iov[DP_OUT_SLOTS];
  dp_addr out_to[DP_OUT_SLOTS];
  uint32_t out_link[DP_OUT_SLOTS];
  uint32_t out_gen[DP_OUT_SLOTS];
  uint32_t out_n;
  uint8_t out_buf[DP_OUT_SLOTS][DP_SLOT];

  /* Handshake-path datagrams for origins (links still in their handshake), sent in one burst per turn: each lone
   * send would wake the sleeping origin again, while the burst's later sends find it still runnable. Slots name the
   * link by id and generation: one closed (or its id reused) before the flush sends nothing. */
  uint32_t oq_n;
  uint32_t oq_link[DP_ORIGIN_OUT_SLOTS];
  uint32_t oq_gen[DP_ORIGIN_OUT_SLOTS];
  uint16_t oq_len[DP_ORIGIN_OUT_SLOTS];
  uint8_t oq_buf[DP_ORIGIN_OUT_SLOTS][DP_SLOT];

  /* This turn's datagrams for JS, staged in memory JS owns (a Buffer and an Int32Array made at listen, so a view
   * JS wrongly keeps can only go stale, never dangle); their caller addresses and link generations stay here. */
  napi_ref js_bytes_ref, js_entries_ref, js_addresses_ref;
  uint8_t *js_bytes;
  int32_t *js_entries;
  uint32_t js_n, js_used;
  dp_addr js_from[DP_JS_ENTRIES];
  uint32_t js_gen[DP_JS_ENTRIES];
  /* Inside a JS call of staged datagrams or link events: link ids freed now are not handed out again until it
   * returns (entries name links by id). */
  int js_emitting;
  /* Inside a poll callback or the check's JS call: this turn's uv_check flush is still ahead, so a send JS queues
   * now needs no idle turn to get there. */
  int flush_ahead;

  uint32_t handshakes_this_turn;
  /* Ring of handshake-path datagrams waiting for a turn with budget left. */
  uint32_t hs_head, hs_count;
  uint16_t hs_len[DP_HS_BACKLOG];
  dp_addr hs_from[DP_HS_BACKLOG];
  uint8_t hs_buf[DP_HS_BACKLOG][DP_SLOT];
  /* Grows at handshake rate (openLink failures); bounded per batch otherwise. */
  dp_event *events;
  uint32_t events_n, events_cap;
  /* Where dp_emit_events hands them to JS: an Int32Array made at listen (DP_JS_EVENTS x DP_EVENT_FIELDS). */
  napi_ref js_events_ref;
  int32_t *js_events;
  dp_counters counters;
  /* Set when JS gave the SYN cookie secret at listen: INDUCTIONs are answered here, as the handshake engine would. */
  int answer_inductions;
  hmac_sha256_key cookie_key;
  struct dp_box *box;
  napi_async_cleanup_hook_handle teardown;
} dp;

typedef struct dp_box {
  dp *d;
} dp_box;

/* dp_addr.c */
int dp_addr_parse(const char *text, int port, int family, dp_addr *out);
void dp_addr_format(const dp_addr *a, char *text, size_t size, int *port);
int dp_addr_same_host(const dp_addr *a, const dp_addr *b);
int dp_addr_same_port(const dp_addr *a, const dp_addr *b);

/* dp_links.c */
dp_link *dp_link_new(dp *d);
dp_link *dp_link_get(dp *d, uint32_t id);
void dp_link_index(dp *d, dp_link *l);
void dp_link_unindex(dp *d, dp_link *l);
/* Finds the relaying link for (dst, from); NULL with *foreign set to the link charged with a foreign address. */
dp_link *dp_link_find(dp *d, uint32_t dst, const dp_addr *from, dp_link **foreign, int *any);
void dp_link_release(dp *d, dp_link *l);
void dp_receiver_read(dp_receiver *r, uint16_t type, const uint8_t *p, size_t len, uint64_t now);

/* dp_io.c */
int dp_listen(dp *d, const char *host, int port, int rcvbuf, int sndbuf, int reuse_port);
/* The public socket's set-up (bound, buffers set): an fd, and its family when family_out is not NULL; or an errno. */
int dp_open_public(const char *host, int port, int rcvbuf, int sndbuf, int reuse_port, int *fd_out, int *family_out);
/* Polls a bound UDP socket as the dp's public socket; `owned`: dp_close closes it (else releases it, above). */
int dp_adopt_public(dp *d, int fd, int owned);

/* dp_listen_sockets.c: SO_REUSEPORT sockets the main thread opens for its workers' data paths (process-wide). */
int dp_listen_socket_open(const char *host, int port, int rcvbuf, int sndbuf, int *fd_out);
/* Marks an fd opened above as read by one data path: EBADF when it was not opened there, EBUSY when one has it. */
int dp_listen_socket_adopt(int fd);
void dp_listen_socket_release(int fd);
/* Closes an fd opened above and not adopted (EBADF, EBUSY otherwise). */
int dp_listen_socket_close(int fd);
int dp_open_origin(dp *d, dp_link *l, const char *host, int port);
int dp_send_to_caller(dp *d, const uint8_t *p, size_t len, const char *address, int port);
/* The SYN cookie's minute bucket now (Date.now() / 60000, as src/srt/protocol/syn-cookie.ts). */
int64_t dp_cookie_bucket(void);
int dp_send_to_origin(dp *d, dp_link *l, const uint8_t *p, size_t len);
void dp_close_link(dp *d, dp_link *l);
void dp_close(dp *d);
void dp_schedule_events(dp *d);
void dp_link_fail(dp *d, dp_link *l, int e);

/* dp_spare_sockets.c */
/* A kept origin socket of that family (disconnected, buffered, in the origin epoll set), or -1. */
int dp_spare_socket_take(dp *d, int family);
/* Disconnects a closing link's origin socket and keeps it: 1, or 0 when the caller is to close it (full, closing,
 * something queued). */
int dp_spare_socket_keep(dp *d, int fd, int family);
/* Closes every kept socket; how many. */
uint32_t dp_spare_sockets_close(dp *d);

/* dp_napi.c: JS callbacks from libuv callbacks. */
/* Stages a datagram for the next dp_emit_handshakes; 0 when there is no room (see dp_js_room). */
int dp_stage_caller(dp *d, const uint8_t *p, size_t len, const dp_addr *from, int verified);
int dp_stage_origin(dp *d, dp_link *l, const uint8_t *p, size_t len);
/* Makes room for `n` more staged datagrams, handing the staged ones to JS first if needed: only where JS may run. */
void dp_js_room(dp *d, uint32_t n);
void dp_emit_handshakes(dp *d);
void dp_emit_events(dp *d);
void dp_freed(dp *d);

#endif
