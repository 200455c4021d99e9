/* Addresses as node:dgram spells them: the session logic keys its cookie and session table on these strings, so
 * a caller must look the same on both data paths (`::ffff:127.0.0.1` on a dual-stack socket, `fe80::1%eth0`). */
#include "dp.h" /* first: it defines _GNU_SOURCE for recvmmsg/sendmmsg */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Parses a literal IP (optional `%scope`) for a socket of `family`: an IPv4 address for an IPv6 socket becomes
 * v4-mapped, a v4-mapped one for an IPv4 socket is unmapped. 0 on success, -1 when it is not a literal IP. */
int dp_addr_parse(const char *text, int port, int family, dp_addr *out) {
  char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  size_t n = strlen(text);
  if (n == 0 || n >= sizeof buf || port < 0 || port > 65535) return -1;
  memcpy(buf, text, n + 1);
  /* Brackets as in `[::1]` are tolerated. */
  char *host = buf;
  if (host[0] == '[' && host[n - 1] == ']') {
    host[n - 1] = 0;
    host++;
  }
  memset(out, 0, sizeof *out);
  struct in_addr v4;
  struct in6_addr v6;
  char *scope = strchr(host, '%');
  if (scope != NULL) *scope++ = 0;
  if (inet_pton(AF_INET, host, &v4) == 1) {
    if (scope != NULL) return -1;
    if (family == AF_INET6) {
      out->u.in6.sin6_family = AF_INET6;
      out->u.in6.sin6_port = htons((uint16_t)port);
      out->u.in6.sin6_addr.s6_addr[10] = 0xff;
      out->u.in6.sin6_addr.s6_addr[11] = 0xff;
      memcpy(&out->u.in6.sin6_addr.s6_addr[12], &v4, 4);
      out->len = sizeof(struct sockaddr_in6);
    } else {
      out->u.in4.sin_family = AF_INET;
      out->u.in4.sin_port = htons((uint16_t)port);
      out->u.in4.sin_addr = v4;
      out->len = sizeof(struct sockaddr_in);
    }
    return 0;
  }
  if (inet_pton(AF_INET6, host, &v6) != 1) return -1;
  if (family == AF_INET) {
    if (!IN6_IS_ADDR_V4MAPPED(&v6) || scope != NULL) return -1;
    out->u.in4.sin_family = AF_INET;
    out->u.in4.sin_port = htons((uint16_t)port);
    memcpy(&out->u.in4.sin_addr, &v6.s6_addr[12], 4);
    out->len = sizeof(struct sockaddr_in);
    return 0;
  }
  out->u.in6.sin6_family = AF_INET6;
  out->u.in6.sin6_port = htons((uint16_t)port);
  out->u.in6.sin6_addr = v6;
  if (scope != NULL && *scope != 0) {
    char *end;
    unsigned long id = strtoul(scope, &end, 10);
    if (*end != 0) id = if_nametoindex(scope);
    if (id == 0) return -1;
    out->u.in6.sin6_scope_id = (uint32_t)id;
  }
  out->len = sizeof(struct sockaddr_in6);
  return 0;
}

void dp_addr_format(const dp_addr *a, char *text, size_t size, int *port) {
  text[0] = 0;
  *port = 0;
  if (a->u.sa.sa_family == AF_INET) {
    inet_ntop(AF_INET, &a->u.in4.sin_addr, text, (socklen_t)size);
    *port = ntohs(a->u.in4.sin_port);
  } else if (a->u.sa.sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &a->u.in6.sin6_addr, text, (socklen_t)size);
    *port = ntohs(a->u.in6.sin6_port);
    /* node (AddressToJS) names the interface of a link-local address. */
    if (IN6_IS_ADDR_LINKLOCAL(&a->u.in6.sin6_addr) && a->u.in6.sin6_scope_id > 0) {
      size_t used = strlen(text);
      char name[IF_NAMESIZE];
      if (if_indextoname(a->u.in6.sin6_scope_id, name) != NULL) {
        snprintf(text + used, size - used, "%%%s", name);
      } else {
        snprintf(text + used, size - used, "%%%u", a->u.in6.sin6_scope_id);
      }
    }
  }
}

int dp_addr_same_host(const dp_addr *a, const dp_addr *b) {
  if (a->u.sa.sa_family != b->u.sa.sa_family) return 0;
  if (a->u.sa.sa_family == AF_INET) return a->u.in4.sin_addr.s_addr == b->u.in4.sin_addr.s_addr;
  return memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr, sizeof(struct in6_addr)) == 0;
}

int dp_addr_same_port(const dp_addr *a, const dp_addr *b) {
  /* sin_port and sin6_port sit at the same offset. */
  return a->u.in4.sin_port == b->u.in4.sin_port;
}
