/*
 * Listen sockets one thread opens (the worker pool, in the main thread) for data paths of other threads (the SRT
 * workers) to adopt: the process keeps each in the SO_REUSEPORT group across a worker's crash or restart, so the
 * kernel moves no flow (docs/KUBERNETES.md "SO_REUSEPORT and restarts"). Worker threads share the process's fd
 * table, so this registry is process-wide, behind one mutex; it runs at start-up and restart rate only.
 *
 * It is what makes two rules hold whatever JS asks: only an fd opened here can be adopted or closed through the
 * binding (an fd number is never closed for someone else: it may be another socket by now), and one data path at
 * a time adopts an fd (two threads never read one socket at once).
 */
#include "dp.h" /* first: it defines _GNU_SOURCE */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

/* At most WORKERS (<= 256) at once; a few more for the tests. */
#define DP_LISTEN_SOCKETS 1024

typedef struct {
  int fd;
  int adopted;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry entries[DP_LISTEN_SOCKETS];
static int count;

static int find(int fd) {
  for (int i = 0; i < count; i++) {
    if (entries[i].fd == fd) return i;
  }
  return -1;
}

int dp_listen_socket_open(const char *host, int port, int rcvbuf, int sndbuf, int *fd_out) {
  pthread_mutex_lock(&lock);
  int e = count == DP_LISTEN_SOCKETS ? EMFILE : 0;
  int fd = -1;
  if (e == 0) e = dp_open_public(host, port, rcvbuf, sndbuf, 1, &fd, NULL);
  if (e == 0) {
    entries[count].fd = fd;
    entries[count].adopted = 0;
    count++;
    *fd_out = fd;
  }
  pthread_mutex_unlock(&lock);
  return e;
}

int dp_listen_socket_adopt(int fd) {
  pthread_mutex_lock(&lock);
  int i = find(fd);
  int e = i < 0 ? EBADF : entries[i].adopted ? EBUSY : 0;
  if (e == 0) entries[i].adopted = 1;
  pthread_mutex_unlock(&lock);
  return e;
}

void dp_listen_socket_release(int fd) {
  pthread_mutex_lock(&lock);
  int i = find(fd);
  if (i >= 0) entries[i].adopted = 0;
  pthread_mutex_unlock(&lock);
}

int dp_listen_socket_close(int fd) {
  pthread_mutex_lock(&lock);
  int i = find(fd);
  int e = i < 0 ? EBADF : entries[i].adopted ? EBUSY : 0;
  if (e == 0) {
    /* Out of the registry before the number is free again (another thread may get it from its next socket()). */
    entries[i] = entries[--count];
    close(fd);
  }
  pthread_mutex_unlock(&lock);
  return e;
}
