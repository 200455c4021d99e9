/* The link table: links by id (small, reused after close; 0 is never a link) and, for relaying links, by the
 * origin socket id callers address. Two origins may hand out the same id: a bucket chains them and the caller's
 * address and port pick the right one, exactly as src/srt/session/session-table.ts. */
#include "dp.h" /* first: it defines _GNU_SOURCE for recvmmsg/sendmmsg */
#include <stdlib.h>
#include <string.h>


static uint32_t bucket_of(uint32_t id) {
  return (id * 2654435761u) >> 20 & (DP_BUCKETS - 1);
}

dp_link *dp_link_new(dp *d) {
  uint32_t id;
  /* While JS reads staged datagrams that name links by id, a freed id is not reused (see dp.h js_emitting). */
  if (d->free_n > 0 && !d->js_emitting) {
    id = d->free_ids[--d->free_n];
  } else {
    if (d->next_id >= d->links_cap) {
      uint32_t cap = d->links_cap == 0 ? 256 : d->links_cap * 2;
      dp_link **links = realloc(d->links, cap * sizeof *links);
      uint32_t *free_ids = realloc(d->free_ids, cap * sizeof *free_ids);
      if (links != NULL) d->links = links;
      if (free_ids != NULL) d->free_ids = free_ids;
      if (links == NULL || free_ids == NULL) return NULL;
      memset(d->links + d->links_cap, 0, (cap - d->links_cap) * sizeof *links);
      d->links_cap = cap;
    }
    id = d->next_id++;
  }
  dp_link *l = calloc(1, sizeof *l);
  if (l == NULL) {
    d->free_ids[d->free_n++] = id;
    return NULL;
  }
  l->dp = d;
  l->id = id;
  l->gen = ++d->gen_counter;
  l->fd = -1;
  d->links[id] = l;
  d->open_links++;
  return l;
}

dp_link *dp_link_get(dp *d, uint32_t id) {
  if (id == 0 || id >= d->next_id) return NULL;
  return d->links[id];
}

void dp_link_index(dp *d, dp_link *l) {
  uint32_t b = bucket_of(l->origin_socket_id);
  l->next_same_id = d->buckets[b];
  d->buckets[b] = l;
}

void dp_link_unindex(dp *d, dp_link *l) {
  dp_link **at = &d->buckets[bucket_of(l->origin_socket_id)];
  while (*at != NULL && *at != l) at = &(*at)->next_same_id;
  if (*at == l) *at = l->next_same_id;
  l->next_same_id = NULL;
}

dp_link *dp_link_find(dp *d, uint32_t dst, const dp_addr *from, dp_link **foreign, int *any) {
  dp_link *only = NULL, *same_host = NULL;
  int matches = 0;
  for (dp_link *l = d->buckets[bucket_of(dst)]; l != NULL; l = l->next_same_id) {
    if (l->origin_socket_id != dst) continue;
    matches++;
    only = l;
    if (dp_addr_same_host(&l->caller, from)) {
      if (dp_addr_same_port(&l->caller, from)) return l;
      /* Same host, another port: a NAT rebinding or a spoofer aiming at this caller; either way, its link. */
      if (same_host == NULL) same_host = l;
    }
  }
  *any = matches > 0;
  /* Several links share the id and none has this address: charging one would blame a bystander. */
  *foreign = same_host != NULL ? same_host : (matches == 1 ? only : NULL);
  return NULL;
}

/* Gives the id back; the caller frees the memory. */
void dp_link_release(dp *d, dp_link *l) {
  if (d->links[l->id] == l) {
    d->links[l->id] = NULL;
    d->free_ids[d->free_n++] = l->id;
    d->open_links--;
  }
}

void dp_receiver_read(dp_receiver *r, uint16_t type, const uint8_t *p, size_t len, uint64_t now) {
  if (type == SRT_CTRL_ACK) {
    srt_ack_kind kind = srt_ack_read(p, len, &r->ack);
    if (kind == SRT_ACK_FULL) {
      r->full_acks++;
      r->last_full_ack_ms = now == 0 ? 1 : now;
    } else if (kind != SRT_ACK_MALFORMED) {
      r->light_acks++;
    }
  } else if (type == SRT_CTRL_NAK) {
    r->naks++;
    r->loss_reported += srt_nak_loss_count(p, len);
  }
}
