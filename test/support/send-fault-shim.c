/*
 * An LD_PRELOAD shim for the e2e tests (test/support/send-fault.ts compiles it with gcc into a temp dir): makes
 * the kernel "refuse" chosen UDP sends of a real process, as a full socket buffer (EAGAIN), a full device queue
 * (ENOBUFS) or a firewall (EPERM) would, which loopback almost never does on its own.
 *
 * SEND_FAULT_RULES: rules separated by ';', each `port,errno,minBytes,maxBytes,every,limit`:
 *   port      the destination port a send goes to (its address argument, else the connected socket's peer);
 *   errno     a name (EAGAIN, ENOBUFS, EPERM...) or a number;
 *   minBytes, maxBytes  the length of the call's first datagram must be in this range;
 *   every     fail every Kth call the rule matches (1: each one);
 *   limit     fail at most this many calls (0: no limit), and let every later one through.
 * The first rule whose port and length match a call takes it (a call matches one rule at most). sendmmsg fails as
 * a whole, as the kernel does when its first datagram is refused. Every other send is passed on untouched.
 * SEND_FAULT_TALLY: a file rewritten after each matched call, one line per rule:
 *   `<rule index> <matched calls> <failed calls> <datagrams in failed calls>`.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_RULES 8

typedef struct {
  int port, err;
  size_t min_bytes, max_bytes;
  unsigned long every, limit;
  unsigned long matched, failed, datagrams;
} rule;

static rule rules[MAX_RULES];
static int n_rules;
static int tally_fd = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static int (*real_sendmmsg)(int, struct mmsghdr *, unsigned int, int);

static int errno_of(const char *name) {
  static const struct { const char *name; int value; } names[] = {
    {"EAGAIN", EAGAIN}, {"EWOULDBLOCK", EWOULDBLOCK}, {"ENOBUFS", ENOBUFS}, {"EPERM", EPERM},
    {"EACCES", EACCES}, {"ENOMEM", ENOMEM}, {"EMSGSIZE", EMSGSIZE}, {"EINVAL", EINVAL},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(name, names[i].name) == 0) return names[i].value;
  }
  return atoi(name);
}

__attribute__((constructor)) static void init(void) {
  real_send = dlsym(RTLD_NEXT, "send");
  real_sendto = dlsym(RTLD_NEXT, "sendto");
  real_sendmsg = dlsym(RTLD_NEXT, "sendmsg");
  real_sendmmsg = dlsym(RTLD_NEXT, "sendmmsg");
  const char *spec = getenv("SEND_FAULT_RULES");
  if (spec == NULL) return;
  char copy[1024];
  snprintf(copy, sizeof copy, "%s", spec);
  char *save = NULL;
  for (char *r = strtok_r(copy, ";", &save); r != NULL && n_rules < MAX_RULES; r = strtok_r(NULL, ";", &save)) {
    char err[32];
    rule *x = &rules[n_rules];
    if (sscanf(r, "%d,%31[^,],%zu,%zu,%lu,%lu", &x->port, err, &x->min_bytes, &x->max_bytes, &x->every, &x->limit) != 6) {
      fprintf(stderr, "send-fault-shim: bad rule '%s'\n", r);
      abort();
    }
    x->err = errno_of(err);
    if (x->every == 0) x->every = 1;
    n_rules++;
  }
  const char *tally = getenv("SEND_FAULT_TALLY");
  if (tally != NULL) tally_fd = open(tally, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

static int port_of(const struct sockaddr *sa) {
  if (sa == NULL) return -1;
  if (sa->sa_family == AF_INET) return ntohs(((const struct sockaddr_in *)sa)->sin_port);
  if (sa->sa_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
  return -1;
}

static int peer_port(int fd) {
  struct sockaddr_storage peer;
  socklen_t len = sizeof peer;
  if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0) return -1;
  return port_of((const struct sockaddr *)&peer);
}

static void write_tally(void) {
  if (tally_fd < 0) return;
  char text[MAX_RULES * 96];
  size_t used = 0;
  for (int i = 0; i < n_rules; i++) {
    used += (size_t)snprintf(text + used, sizeof text - used, "%d %lu %lu %lu\n", i, rules[i].matched, rules[i].failed, rules[i].datagrams);
  }
  /* One pwrite from offset 0 of lines that only grow: a reader sees the old or the new text, never a mix. */
  if (pwrite(tally_fd, text, used, 0) < 0) return;
}

/* 0 to pass the call on; else the errno to fail it with. `dest`: the call's address argument (NULL: connected). */
static int fault(int fd, const struct sockaddr *dest, size_t first_len, unsigned int datagrams) {
  if (n_rules == 0) return 0;
  int port = dest != NULL ? port_of(dest) : peer_port(fd);
  if (port < 0) return 0;
  int e = 0;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < n_rules; i++) {
    rule *x = &rules[i];
    if (x->port != port || first_len < x->min_bytes || first_len > x->max_bytes) continue;
    x->matched++;
    if (x->matched % x->every == 0 && (x->limit == 0 || x->failed < x->limit)) {
      x->failed++;
      x->datagrams += datagrams;
      e = x->err;
    }
    write_tally();
    break;
  }
  pthread_mutex_unlock(&lock);
  return e;
}

static size_t iov_len(const struct msghdr *m) {
  size_t n = 0;
  for (size_t i = 0; i < m->msg_iovlen; i++) n += m->msg_iov[i].iov_len;
  return n;
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
  int e = fault(fd, NULL, len, 1);
  if (e != 0) {
    errno = e;
    return -1;
  }
  return real_send(fd, buf, len, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen) {
  int e = fault(fd, to, len, 1);
  if (e != 0) {
    errno = e;
    return -1;
  }
  return real_sendto(fd, buf, len, flags, to, tolen);
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags) {
  int e = fault(fd, (const struct sockaddr *)m->msg_name, iov_len(m), 1);
  if (e != 0) {
    errno = e;
    return -1;
  }
  return real_sendmsg(fd, m, flags);
}

int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags) {
  if (n > 0) {
    int e = fault(fd, (const struct sockaddr *)v[0].msg_hdr.msg_name, iov_len(&v[0].msg_hdr), n);
    if (e != 0) {
      errno = e;
      return -1;
    }
  }
  return real_sendmmsg(fd, v, n, flags);
}
