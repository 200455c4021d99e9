/* The JS binding (src/srt/transport/native/native-data-path.ts wraps it). Everything here runs at handshake or
 * sweep rate. JS is called from libuv callbacks with a handle scope and napi_make_callback, so that promises the
 * session logic schedules run; an exception thrown there is caught and counted, never fatal. */
#include "dp.h" /* first: it defines _GNU_SOURCE for recvmmsg/sendmmsg */
#include <errno.h>
#include <stdlib.h>
#include <string.h>


typedef struct {
  /* Data paths alive in this env (workers each have their own). */
  uint32_t live;
} dp_instance;

static void throw_errno(napi_env env, int e, const char *what) {
  napi_value code, msg, error;
  const char *name = uv_err_name(-e);
  char text[160];
  snprintf(text, sizeof text, "%s %s", what, name);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &error);
  napi_set_named_property(env, error, "code", code);
  napi_throw(env, error);
}

static void call_js(dp *d, napi_ref fn_ref, size_t argc, napi_value *argv) {
  napi_env env = d->env;
  napi_value fn, resource, result;
  if (napi_get_reference_value(env, fn_ref, &fn) != napi_ok || fn == NULL) return;
  napi_get_reference_value(env, d->resource, &resource);
  napi_status s = napi_make_callback(env, d->async_context, resource, fn, argc, argv, &result);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (s != napi_ok || pending) {
    napi_value ex;
    if (pending) napi_get_and_clear_last_exception(env, &ex);
    d->counters.callback_errors++;
  }
}

static int stage(dp *d, int32_t kind, int32_t what, uint32_t gen, const uint8_t *p, size_t len) {
  if (d->closing || d->js_bytes == NULL || d->js_n == DP_JS_ENTRIES || d->js_used + len > DP_JS_ENTRIES * DP_SLOT) return 0;
  uint32_t i = d->js_n++;
  memcpy(d->js_bytes + d->js_used, p, len);
  int32_t *e = d->js_entries + DP_JS_FIELDS * i;
  e[0] = kind;
  e[1] = what;
  e[2] = (int32_t)d->js_used;
  e[3] = (int32_t)len;
  d->js_gen[i] = gen;
  d->js_used += (uint32_t)len;
  return 1;
}

int dp_stage_caller(dp *d, const uint8_t *p, size_t len, const dp_addr *from, int verified) {
  if (!stage(d, verified ? DP_JS_CALLER_VERIFIED : DP_JS_CALLER, 0, 0, p, len)) return 0;
  d->js_from[d->js_n - 1] = *from;
  return 1;
}

int dp_stage_origin(dp *d, dp_link *l, const uint8_t *p, size_t len) {
  return stage(d, DP_JS_ORIGIN, (int32_t)l->id, l->gen, p, len);
}

void dp_js_room(dp *d, uint32_t n) {
  if (d->js_n + n > DP_JS_ENTRIES) dp_emit_handshakes(d);
}

/* One JS call for every staged datagram: JS reads them from the Buffer and Int32Array it got at listen, by the
 * entries written here, and must copy what it keeps past the call (DataPathEvents: lent for the call only). Caller
 * addresses become strings only now, in one handle scope; entries of links closed since they were staged (their id
 * may be another link's by now) are skipped. */
void dp_emit_handshakes(dp *d) {
  uint32_t n = d->js_n;
  if (n == 0) return;
  napi_env env = d->env;
  napi_handle_scope scope;
  if (d->closing || napi_open_handle_scope(env, &scope) != napi_ok) {
    d->js_n = d->js_used = 0;
    return;
  }
  napi_value addresses = NULL;
  napi_get_reference_value(env, d->js_addresses_ref, &addresses);
  for (uint32_t i = 0; i < n; i++) {
    int32_t *e = d->js_entries + DP_JS_FIELDS * i;
    if (e[0] == DP_JS_CALLER || e[0] == DP_JS_CALLER_VERIFIED) {
      char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
      int port;
      napi_value v;
      dp_addr_format(&d->js_from[i], text, sizeof text, &port);
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
      if (addresses != NULL) napi_set_element(env, addresses, i, v);
      e[1] = port;
    } else {
      dp_link *l = dp_link_get(d, (uint32_t)e[1]);
      if (l == NULL || l->gen != d->js_gen[i] || l->state != LINK_OPEN || !l->polling) e[0] = DP_JS_SKIP;
    }
  }
  napi_value argv[1];
  napi_create_uint32(env, n, &argv[0]);
  d->js_emitting = 1;
  call_js(d, d->on_handshakes, 1, argv);
  d->js_emitting = 0;
  d->js_n = d->js_used = 0;
  napi_close_handle_scope(env, scope);
}

/* The pass's link ends and errors, in the order they happened, in as few JS calls as the entries allow (one per
 * turn unless more than DP_JS_EVENTS): JS reads them from the Int32Array it got at listen, as numbers (the end's
 * LinkEnd index, the error's errno), and names them itself. Events of links closed (or ids reused) since they were
 * pushed are left out here by generation; link ids freed during a call are not reused before the pass ends, so JS
 * skips the events of links its handlers close during the call by id alone. Events JS causes while these run
 * (openLink failing) are told in this same pass, by a further call. */
void dp_emit_events(dp *d) {
  if (d->events_n == 0) return;
  napi_env env = d->env;
  napi_handle_scope scope;
  if (d->closing || d->js_events == NULL || napi_open_handle_scope(env, &scope) != napi_ok) {
    d->events_n = 0;
    return;
  }
  int emitting = d->js_emitting;
  d->js_emitting = 1;
  uint32_t done = 0;
  while (done < d->events_n && !d->closing) {
    uint32_t n = 0;
    for (; done < d->events_n && n < DP_JS_EVENTS; done++) {
      dp_event e = d->events[done];
      dp_link *l = dp_link_get(d, e.id);
      if (l == NULL || l->gen != e.gen) continue;
      int32_t *out = d->js_events + DP_EVENT_FIELDS * n++;
      out[0] = e.kind;
      out[1] = (int32_t)e.id;
      out[2] = e.code;
    }
    if (n == 0) continue;
    napi_value argv[1];
    napi_create_uint32(env, n, &argv[0]);
    call_js(d, d->on_link_events, 1, argv);
  }
  d->js_emitting = emitting;
  d->events_n = 0;
  napi_close_handle_scope(env, scope);
}

static void release_js(dp *d) {
  napi_env env = d->env;
  napi_ref *refs[] = {&d->resource,       &d->on_handshakes,     &d->on_link_events, &d->js_bytes_ref,
                      &d->js_entries_ref, &d->js_addresses_ref, &d->js_events_ref};
  for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
    if (*refs[i] != NULL) napi_delete_reference(env, *refs[i]);
    *refs[i] = NULL;
  }
  /* JS owns that memory: never written again. */
  d->js_bytes = NULL;
  d->js_entries = NULL;
  d->js_events = NULL;
  d->js_n = d->js_used = 0;
  if (d->async_context != NULL) napi_async_destroy(env, d->async_context);
  d->async_context = NULL;
}

/* One data path fewer in this env; never called from a close callback during env teardown (instance data may be
 * gone by then). */
static void forget(napi_env env) {
  dp_instance *inst = NULL;
  napi_get_instance_data(env, (void **)&inst);
  if (inst != NULL && inst->live > 0) inst->live--;
}

/* Every handle has closed: nothing of the dp is referenced by libuv any more. */
void dp_freed(dp *d) {
  napi_async_cleanup_hook_handle teardown = d->teardown;
  if (d->box != NULL) d->box->d = NULL;
  if (teardown == NULL) forget(d->env);
  free(d->links);
  free(d->free_ids);
  free(d->events);
  DP_UNPOISON(d, sizeof *d);
  free(d);
  if (teardown != NULL) napi_remove_async_cleanup_hook(teardown);
}

/* The env goes away (worker terminated, process exits) with the data path still open. */
static void on_env_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  dp *d = arg;
  d->teardown = handle;
  d->cleanup = NULL;
  forget(d->env);
  release_js(d);
  dp_close(d);
}

static void box_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  dp_box *box = data;
  if (box->d != NULL) box->d->box = NULL;
  free(box);
}

static dp *dp_of(napi_env env, napi_value v) {
  dp_box *box = NULL;
  if (napi_get_value_external(env, v, (void **)&box) != napi_ok || box == NULL || box->d == NULL || box->d->closing) {
    napi_throw_error(env, "ERR_DATA_PATH_CLOSED", "the native data path is closed");
    return NULL;
  }
  return box->d;
}

/* The call's first n arguments (undefined where missing, as napi_get_cb_info fills them) and how many were given. */
static size_t args_of(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok) return argc;
  napi_value undefined = NULL;
  napi_get_undefined(env, &undefined);
  for (size_t i = 0; i < n; i++) argv[i] = undefined;
  return 0;
}

/* A method's arguments and its data path, the first of them (NULL with an exception pending when it is closed). */
static dp *dp_call(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  args_of(env, info, n, argv);
  return dp_of(env, argv[0]);
}

static int32_t int_arg(napi_env env, napi_value v) {
  int32_t n = 0;
  napi_get_value_int32(env, v, &n);
  return n;
}

static void string_arg(napi_env env, napi_value v, char *out, size_t size) {
  size_t n = 0;
  out[0] = 0;
  if (napi_get_value_string_utf8(env, v, out, size, &n) != napi_ok) out[0] = 0;
}

static int bytes_arg(napi_env env, napi_value v, void **data, size_t *len);

static napi_ref fn_ref(napi_env env, napi_value events, const char *name) {
  napi_value fn;
  napi_ref ref = NULL;
  napi_valuetype t;
  if (napi_get_named_property(env, events, name, &fn) != napi_ok) return NULL;
  if (napi_typeof(env, fn, &t) != napi_ok || t != napi_function) return NULL;
  napi_create_reference(env, fn, 1, &ref);
  return ref;
}

/* listen(host, port, receiveBufferBytes, sendBufferBytes, originBufferBytes, reusePort, events[, cookieSecret[, fd]])
 *   -> { handle, address, port, receiveBufferBytes, sendBufferBytes, handshakeBytes, handshakeEntries,
 *        handshakeAddresses, linkEvents }
 * events: onHandshakes(count), onLinkEvents(count). onLinkEvents hands over `count` link events, entry i being
 * linkEvents[3i..3i+2] = kind (0 ended, 1 error), link id, code (ended: 0 caller-shutdown, 1 origin-shutdown,
 * 2 origin-unreachable; error: the errno), valid during the call only. onHandshakes hands over `count` staged
 * datagrams, entry i being handshakeEntries[4i..4i+3] = kind (0 caller, 1 origin, 2 skip, 3 caller CONCLUSION
 * with a verified cookie), caller port or link id,
 * offset and length in handshakeBytes; a caller's address is handshakeAddresses[i]. Valid during the call only.
 * With cookieSecret (a Uint8Array, the handshake engine's SYN cookie secret) INDUCTIONs are answered here.
 * With fd (a number >= 0, from openListenSocket) that socket is adopted instead of binding host and port (which
 * with the buffer sizes and reusePort are then ignored): close() leaves it open, for the next data path to adopt. */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  size_t argc = args_of(env, info, 9, argv);
  if (argc < 7) {
    napi_throw_type_error(env, NULL, "listen needs 7 arguments");
    return NULL;
  }
  char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 4];
  string_arg(env, argv[0], host, sizeof host);
  bool reuse = false;
  napi_get_value_bool(env, argv[5], &reuse);
  dp *d = calloc(1, sizeof *d);
  if (d == NULL) {
    throw_errno(env, ENOMEM, "listen");
    return NULL;
  }
  d->env = env;
  d->pub_fd = -1;
  d->origin_epfd = -1;
  d->next_id = 1;
  d->origin_buffer_bytes = int_arg(env, argv[4]);
  if (napi_get_uv_event_loop(env, &d->loop) != napi_ok) {
    free(d);
    throw_errno(env, EINVAL, "listen: no event loop");
    return NULL;
  }
  int fd = -1;
  napi_valuetype fd_type = napi_undefined;
  if (argc > 8) napi_typeof(env, argv[8], &fd_type);
  if (fd_type == napi_number) fd = int_arg(env, argv[8]);
  int e;
  if (fd >= 0) {
    e = dp_listen_socket_adopt(fd);
    if (e == 0 && (e = dp_adopt_public(d, fd, 0)) != 0) dp_listen_socket_release(fd);
  } else {
    e = dp_listen(d, host, int_arg(env, argv[1]), int_arg(env, argv[2]), int_arg(env, argv[3]), reuse);
  }
  if (e != 0) {
    free(d);
    throw_errno(env, e, fd >= 0 ? "adopt listen socket" : "bind");
    return NULL;
  }
  void *secret;
  size_t secret_len;
  if (argc > 7 && bytes_arg(env, argv[7], &secret, &secret_len) && secret_len > 0) {
    hmac_sha256_key_init(&d->cookie_key, secret, secret_len);
    d->answer_inductions = 1;
  }
  d->on_handshakes = fn_ref(env, argv[6], "onHandshakes");
  d->on_link_events = fn_ref(env, argv[6], "onLinkEvents");
  napi_value resource, name;
  napi_create_object(env, &resource);
  napi_create_reference(env, resource, 1, &d->resource);
  napi_create_string_utf8(env, "SrtNativeDataPath", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, resource, name, &d->async_context);
  napi_add_async_cleanup_hook(env, on_env_teardown, d, &d->cleanup);
  dp_instance *inst = NULL;
  napi_get_instance_data(env, (void **)&inst);
  if (inst != NULL) inst->live++;

  dp_box *box = calloc(1, sizeof *box);
  box->d = d;
  d->box = box;
  napi_value result, handle, v;
  napi_create_object(env, &result);
  napi_create_external(env, box, box_finalize, NULL, &handle);
  napi_set_named_property(env, result, "handle", handle);
  dp_addr bound;
  bound.len = sizeof bound.u;
  getsockname(d->pub_fd, &bound.u.sa, &bound.len);
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  int port;
  dp_addr_format(&bound, text, sizeof text, &port);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, result, "address", v);
  napi_create_int32(env, port, &v);
  napi_set_named_property(env, result, "port", v);
  int size = 0;
  socklen_t sl = sizeof size;
  getsockopt(d->pub_fd, SOL_SOCKET, SO_RCVBUF, &size, &sl);
  napi_create_int32(env, size, &v);
  napi_set_named_property(env, result, "receiveBufferBytes", v);
  sl = sizeof size;
  getsockopt(d->pub_fd, SOL_SOCKET, SO_SNDBUF, &size, &sl);
  napi_create_int32(env, size, &v);
  napi_set_named_property(env, result, "sendBufferBytes", v);
  napi_value bytes, entries_ab, entries, addresses;
  void *data;
  if (napi_create_buffer(env, DP_JS_ENTRIES * DP_SLOT, &data, &bytes) == napi_ok) {
    d->js_bytes = data;
    napi_create_reference(env, bytes, 1, &d->js_bytes_ref);
    napi_set_named_property(env, result, "handshakeBytes", bytes);
  }
  if (napi_create_arraybuffer(env, DP_JS_ENTRIES * DP_JS_FIELDS * sizeof(int32_t), &data, &entries_ab) == napi_ok &&
      napi_create_typedarray(env, napi_int32_array, DP_JS_ENTRIES * DP_JS_FIELDS, entries_ab, 0, &entries) == napi_ok) {
    d->js_entries = data;
    napi_create_reference(env, entries, 1, &d->js_entries_ref);
    napi_set_named_property(env, result, "handshakeEntries", entries);
  } else {
    d->js_bytes = NULL; /* nothing staged without both */
  }
  napi_value events_ab, events;
  if (napi_create_arraybuffer(env, DP_JS_EVENTS * DP_EVENT_FIELDS * sizeof(int32_t), &data, &events_ab) == napi_ok &&
      napi_create_typedarray(env, napi_int32_array, DP_JS_EVENTS * DP_EVENT_FIELDS, events_ab, 0, &events) == napi_ok) {
    d->js_events = data;
    napi_create_reference(env, events, 1, &d->js_events_ref);
    napi_set_named_property(env, result, "linkEvents", events);
  }
  napi_create_array_with_length(env, DP_JS_ENTRIES, &addresses);
  napi_create_reference(env, addresses, 1, &d->js_addresses_ref);
  napi_set_named_property(env, result, "handshakeAddresses", addresses);
  return result;
}

static int bytes_arg(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_typed = false;
  napi_is_typedarray(env, v, &is_typed);
  if (is_typed) {
    napi_typedarray_type type;
    napi_value ab;
    size_t offset, length;
    if (napi_get_typedarray_info(env, v, &type, &length, data, &ab, &offset) != napi_ok) return 0;
    if (type != napi_uint8_array) return 0;
    *len = length;
    return 1;
  }
  bool is_buffer = false;
  napi_is_buffer(env, v, &is_buffer);
  return is_buffer && napi_get_buffer_info(env, v, data, len) == napi_ok;
}

static napi_value boolean(napi_env env, int b) {
  napi_value v;
  napi_get_boolean(env, b != 0, &v);
  return v;
}

/* sendToCaller(handle, bytes, address, port) -> boolean */
static napi_value js_send_to_caller(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  dp *d = dp_call(env, info, 4, argv);
  if (d == NULL) return NULL;
  void *data;
  size_t len;
  char address[INET6_ADDRSTRLEN + IF_NAMESIZE + 4];
  if (!bytes_arg(env, argv[1], &data, &len)) {
    d->counters.send_errors++;
    return boolean(env, 0);
  }
  string_arg(env, argv[2], address, sizeof address);
  return boolean(env, dp_send_to_caller(d, data, len, address, int_arg(env, argv[3])));
}

/* openLink(handle, originHost, originPort, callerAddress, callerPort) -> id */
static napi_value js_open_link(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  dp *d = dp_call(env, info, 5, argv);
  if (d == NULL) return NULL;
  char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 4], caller[INET6_ADDRSTRLEN + IF_NAMESIZE + 4];
  string_arg(env, argv[1], host, sizeof host);
  string_arg(env, argv[3], caller, sizeof caller);
  dp_link *l = dp_link_new(d);
  if (l == NULL) {
    throw_errno(env, ENOMEM, "openLink");
    return NULL;
  }
  l->last_from_caller = l->last_from_origin = uv_now(d->loop);
  int e = 0;
  if (dp_addr_parse(caller, int_arg(env, argv[4]), d->pub_family, &l->caller) != 0) e = EINVAL;
  if (e == 0) e = dp_open_origin(d, l, host, int_arg(env, argv[2]));
  if (e != 0) dp_link_fail(d, l, e);
  napi_value v;
  napi_create_uint32(env, l->id, &v);
  return v;
}

static dp_link *link_arg(napi_env env, dp *d, napi_value v) {
  uint32_t id = 0;
  napi_get_value_uint32(env, v, &id);
  return dp_link_get(d, id);
}

/* sendToOrigin(handle, id, bytes) -> boolean */
static napi_value js_send_to_origin(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  dp *d = dp_call(env, info, 3, argv);
  if (d == NULL) return NULL;
  dp_link *l = link_arg(env, d, argv[1]);
  void *data;
  size_t len;
  if (l == NULL || !bytes_arg(env, argv[2], &data, &len)) {
    d->counters.send_errors++;
    return boolean(env, 0);
  }
  return boolean(env, dp_send_to_origin(d, l, data, len));
}

/* startRelay(handle, id, originSocketId, telemetry) */
static napi_value js_start_relay(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  dp *d = dp_call(env, info, 4, argv);
  if (d == NULL) return NULL;
  dp_link *l = link_arg(env, d, argv[1]);
  if (l == NULL || l->state != LINK_OPEN) return NULL;
  uint32_t socket_id = 0;
  bool telemetry = false;
  napi_get_value_uint32(env, argv[2], &socket_id);
  napi_get_value_bool(env, argv[3], &telemetry);
  l->origin_socket_id = socket_id;
  l->telemetry = telemetry;
  l->state = LINK_RELAYING;
  l->last_from_caller = l->last_from_origin = uv_now(d->loop);
  dp_link_index(d, l);
  return NULL;
}

/* closeLink(handle, id) */
static napi_value js_close_link(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  dp *d = dp_call(env, info, 2, argv);
  if (d == NULL) return NULL;
  dp_link *l = link_arg(env, d, argv[1]);
  if (l != NULL) dp_close_link(d, l);
  return NULL;
}

#define LINK_FIELDS 11
#define RECEIVER_FIELDS 12

static void write_receiver(double *out, const dp_receiver *r, uint64_t now) {
  out[0] = r->full_acks;
  out[1] = r->light_acks;
  out[2] = r->naks;
  out[3] = r->loss_reported;
  out[4] = r->last_full_ack_ms == 0 ? -1 : (double)(now - r->last_full_ack_ms);
  out[5] = r->ack.rtt_us;
  out[6] = r->ack.rtt_var_us;
  out[7] = r->ack.available_buffer_packets;
  out[8] = r->ack.packet_rate;
  out[9] = r->ack.link_capacity_packets;
  out[10] = r->ack.byte_rate;
  out[11] = r->ack.last_acked_sequence;
}

static double *f64_arg(napi_env env, napi_value v, size_t need) {
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset) != napi_ok) return NULL;
  if (type != napi_float64_array || length < need) return NULL;
  return data;
}

/* readLink(handle, id, Float64Array(35)) -> boolean */
static napi_value js_read_link(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  dp *d = dp_call(env, info, 3, argv);
  if (d == NULL) return NULL;
  dp_link *l = link_arg(env, d, argv[1]);
  double *out = f64_arg(env, argv[2], LINK_FIELDS + 2 * RECEIVER_FIELDS);
  if (l == NULL || out == NULL) return boolean(env, 0);
  /* The loop's time may be a turn old; the sweep wants ms, so refresh it (sweep rate, not per packet). */
  uv_update_time(d->loop);
  uint64_t now = uv_now(d->loop);
  out[0] = l->packets_from_caller;
  out[1] = l->bytes_from_caller;
  out[2] = l->packets_from_origin;
  out[3] = l->bytes_from_origin;
  out[4] = l->retransmitted_from_caller;
  out[5] = l->retransmitted_from_origin;
  out[6] = (double)(now - l->last_from_caller);
  out[7] = (double)(now - l->last_from_origin);
  out[8] = l->drops;
  out[9] = l->send_queue_drops;
  out[10] = l->send_errors;
  write_receiver(out + LINK_FIELDS, &l->by_caller, now);
  write_receiver(out + LINK_FIELDS + RECEIVER_FIELDS, &l->by_origin, now);
  return boolean(env, 1);
}

/* readCounters(handle, Float64Array(10 to 12)) -> boolean; a closed data path leaves its last figures in place.
 * The 11th and 12th slots, when there, get the INDUCTIONs answered and the bad-cookie CONCLUSIONs dropped here. */
static napi_value js_read_counters(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  args_of(env, info, 2, argv);
  dp_box *box = NULL;
  napi_get_value_external(env, argv[0], (void **)&box);
  double *out = f64_arg(env, argv[1], 11);
  int with_inductions = out != NULL;
  if (out == NULL) out = f64_arg(env, argv[1], 10);
  if (box == NULL || box->d == NULL || out == NULL) return boolean(env, 0);
  dp *d = box->d;
  const dp_counters *c = &d->counters;
  out[0] = c->malformed;
  out[1] = c->unknown_session;
  out[2] = c->foreign_address;
  out[3] = c->send_errors;
  out[4] = c->socket_errors;
  out[5] = c->origin_errors;
  out[6] = c->handshakes_shed;
  out[7] = c->truncated;
  out[8] = c->callback_errors;
  out[9] = d->open_links;
  if (with_inductions) out[10] = c->inductions;
  if (f64_arg(env, argv[1], 12) != NULL) out[11] = c->bad_cookie;
  return boolean(env, 1);
}

/* close(handle): closes every link and the public socket now; memory goes once libuv closed the handles. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  args_of(env, info, 1, argv);
  dp_box *box = NULL;
  napi_get_value_external(env, argv[0], (void **)&box);
  if (box == NULL || box->d == NULL || box->d->closing) return NULL;
  dp *d = box->d;
  if (d->cleanup != NULL) napi_remove_async_cleanup_hook(d->cleanup);
  d->cleanup = NULL;
  release_js(d);
  dp_close(d);
  return NULL;
}

/* classify(bytes, Float64Array(13)): what srt_packet.h reads from a datagram, for the differential test against
 * src/srt/protocol: kind, destination, control type, R flag, NAK loss count, ACK kind, then the 7 ACK fields. */
static napi_value js_classify(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = args_of(env, info, 2, argv);
  void *data;
  size_t len;
  double *out = f64_arg(env, argv[1], 13);
  if (argc < 2 || out == NULL || !bytes_arg(env, argv[0], &data, &len)) {
    napi_throw_type_error(env, NULL, "classify(Uint8Array, Float64Array(13))");
    return NULL;
  }
  srt_pkt_info pi;
  srt_pkt_classify(data, len, &pi);
  srt_ack_fields ack;
  memset(&ack, 0, sizeof ack);
  out[0] = pi.kind;
  out[1] = pi.dst_socket_id;
  out[2] = pi.control_type;
  out[3] = pi.retransmitted;
  out[4] = srt_nak_loss_count(data, len);
  out[5] = srt_ack_read(data, len, &ack);
  out[6] = ack.last_acked_sequence;
  out[7] = ack.rtt_us;
  out[8] = ack.rtt_var_us;
  out[9] = ack.available_buffer_packets;
  out[10] = ack.packet_rate;
  out[11] = ack.link_capacity_packets;
  out[12] = ack.byte_rate;
  return NULL;
}

static napi_value buffer_of(napi_env env, const uint8_t *p, size_t len) {
  napi_value v;
  void *copy;
  if (napi_create_buffer_copy(env, len, p, &copy, &v) != napi_ok) return NULL;
  return v;
}

/* sha256(bytes) -> Buffer: srt_handshake's hash, for the FIPS 180-4 vectors. */
static napi_value js_sha256(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = args_of(env, info, 1, argv);
  void *data;
  size_t len;
  if (argc < 1 || !bytes_arg(env, argv[0], &data, &len)) {
    napi_throw_type_error(env, NULL, "sha256(Uint8Array)");
    return NULL;
  }
  uint8_t out[SHA256_DIGEST];
  sha256(data, len, out);
  return buffer_of(env, out, sizeof out);
}

/* inductionAnswer(secret, request, address, port, bucket) -> Buffer | null: what the data path answers to an
 * INDUCTION from address:port in that minute bucket (null: not an INDUCTION, JS would be handed it). */
static napi_value js_induction_answer(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  size_t argc = args_of(env, info, 5, argv);
  void *secret, *req;
  size_t secret_len, req_len;
  char address[INET6_ADDRSTRLEN + IF_NAMESIZE + 4];
  int64_t bucket = 0;
  if (argc < 5 || !bytes_arg(env, argv[0], &secret, &secret_len) || !bytes_arg(env, argv[1], &req, &req_len) ||
      napi_get_value_int64(env, argv[4], &bucket) != napi_ok) {
    napi_throw_type_error(env, NULL, "inductionAnswer(Uint8Array, Uint8Array, string, number, number)");
    return NULL;
  }
  string_arg(env, argv[2], address, sizeof address);
  if (!srt_hs_is_induction(req, req_len)) {
    napi_value v;
    napi_get_null(env, &v);
    return v;
  }
  hmac_sha256_key key;
  hmac_sha256_key_init(&key, secret, secret_len);
  uint8_t out[SRT_HS_SIZE];
  srt_hs_induction_answer(req, srt_syn_cookie(&key, address, int_arg(env, argv[3]), bucket), out);
  return buffer_of(env, out, sizeof out);
}

/* cookieBucket() -> the minute bucket the data path uses now. */
static napi_value js_cookie_bucket(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_int64(env, dp_cookie_bucket(), &v);
  return v;
}

/* openListenSocket(host, port, receiveBufferBytes, sendBufferBytes) -> { fd, address, port }: a UDP socket bound
 * with SO_REUSEPORT for a data path of any thread of this process to adopt (listen's fd); the caller owns it until
 * closeListenSocket. The worker pool opens one per worker, in order, so worker i holds slot i of the group. */
static napi_value js_open_listen_socket(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (args_of(env, info, 4, argv) < 4) {
    napi_throw_type_error(env, NULL, "openListenSocket(host, port, receiveBufferBytes, sendBufferBytes)");
    return NULL;
  }
  char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 4];
  string_arg(env, argv[0], host, sizeof host);
  int fd = -1;
  int e = dp_listen_socket_open(host, int_arg(env, argv[1]), int_arg(env, argv[2]), int_arg(env, argv[3]), &fd);
  if (e != 0) {
    throw_errno(env, e, "bind");
    return NULL;
  }
  dp_addr bound;
  bound.len = sizeof bound.u;
  getsockname(fd, &bound.u.sa, &bound.len);
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  int port;
  dp_addr_format(&bound, text, sizeof text, &port);
  napi_value result, v;
  napi_create_object(env, &result);
  napi_create_int32(env, fd, &v);
  napi_set_named_property(env, result, "fd", v);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, result, "address", v);
  napi_create_int32(env, port, &v);
  napi_set_named_property(env, result, "port", v);
  return result;
}

/* closeListenSocket(fd): closes a socket of openListenSocket that no data path has adopted; throws EBADF for any
 * other fd (never closes a number it did not open) and EBUSY while a data path reads it. */
static napi_value js_close_listen_socket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  args_of(env, info, 1, argv);
  int32_t fd = -1;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok) fd = -1;
  int e = fd < 0 ? EBADF : dp_listen_socket_close(fd);
  if (e != 0) throw_errno(env, e, "closeListenSocket");
  return NULL;
}

/* liveDataPaths() -> number of data paths of this env not yet freed (leak checks). */
static napi_value js_live(napi_env env, napi_callback_info info) {
  (void)info;
  dp_instance *inst = NULL;
  napi_get_instance_data(env, (void **)&inst);
  napi_value v;
  napi_create_uint32(env, inst != NULL ? inst->live : 0, &v);
  return v;
}

static void instance_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

NAPI_MODULE_INIT() {
  dp_instance *inst = calloc(1, sizeof *inst);
  if (inst != NULL) napi_set_instance_data(env, inst, instance_finalize, NULL);
  napi_property_descriptor props[] = {
      {"listen", NULL, js_listen, NULL, NULL, NULL, napi_default, NULL},
      {"sendToCaller", NULL, js_send_to_caller, NULL, NULL, NULL, napi_default, NULL},
      {"openLink", NULL, js_open_link, NULL, NULL, NULL, napi_default, NULL},
      {"sendToOrigin", NULL, js_send_to_origin, NULL, NULL, NULL, napi_default, NULL},
      {"startRelay", NULL, js_start_relay, NULL, NULL, NULL, napi_default, NULL},
      {"closeLink", NULL, js_close_link, NULL, NULL, NULL, napi_default, NULL},
      {"readLink", NULL, js_read_link, NULL, NULL, NULL, napi_default, NULL},
      {"readCounters", NULL, js_read_counters, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"classify", NULL, js_classify, NULL, NULL, NULL, napi_default, NULL},
      {"liveDataPaths", NULL, js_live, NULL, NULL, NULL, napi_default, NULL},
      {"sha256", NULL, js_sha256, NULL, NULL, NULL, napi_default, NULL},
      {"inductionAnswer", NULL, js_induction_answer, NULL, NULL, NULL, napi_default, NULL},
      {"cookieBucket", NULL, js_cookie_bucket, NULL, NULL, NULL, napi_default, NULL},
      {"openListenSocket", NULL, js_open_listen_socket, NULL, NULL, NULL, napi_default, NULL},
      {"closeListenSocket", NULL, js_close_listen_socket, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
