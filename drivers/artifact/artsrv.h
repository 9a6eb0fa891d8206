/* The artifact server: serves a run's artifacts over HTTP (libmicrohttpd)
 * from inside the rig's event loop (MHD external epoll mode: no threads),
 * with Range support and faults injected on demand. */
#ifndef RIG_ARTSRV_H
#define RIG_ARTSRV_H

#include "loop.h"

struct rig_artsrv;

struct rig_artsrv_cfg {
	const char *bind;        /* address to bind, default "127.0.0.1" */
	unsigned port;           /* 0 = any free port */
	const char *url_host;    /* host[:port] devices use in URLs; default bind:port */
	const char *tls_cert;    /* PEM file paths; both or neither */
	const char *tls_key;
};

/* Faults for one artifact; a field of UINT64_MAX (or 0 for throttle/stall
 * duration) means "not set". Offsets are byte positions in the artifact. */
struct rig_artsrv_faults {
	uint64_t stall_at;       /* stop sending at this offset, keep the connection open */
	uint64_t stall_ms;       /* ...for this long (0 = until the client gives up) */
	uint64_t drop_at;        /* close the connection abruptly at this offset */
	uint64_t corrupt_at;     /* flip the bits of the byte at this offset */
	uint64_t throttle_bps;   /* bytes per second, 0 = unlimited */
	bool range_as_200;       /* ignore Range: answer 200 with the whole file */
	unsigned times;          /* apply to this many requests, 0 = every request */
};
void rig_artsrv_faults_init(struct rig_artsrv_faults *f);

/* Timeline of the server, for the run's store. kind: "http.request",
 * "http.progress", "http.done", "http.fault"; detail is JSON text. */
typedef void rig_artsrv_event_fn(void *arg, uint64_t t_ns, const char *kind, const char *detail);

/* A byte watch: called once, from the loop, when the bytes of `name` sent in
 * one response reach `offset` (absolute position in the artifact). The server
 * sends exactly up to `offset`, calls fn, and then holds that response (sends
 * nothing more on it) until rig_artsrv_release() or the client closes — the
 * device never receives a byte past the cut point. */
typedef void rig_artsrv_watch_fn(void *arg, const char *name, uint64_t offset, uint64_t t_ns);

int rig_artsrv_new(struct rig_loop *loop, const struct rig_artsrv_cfg *cfg,
		   rig_artsrv_event_fn *ev, void *ev_arg, struct rig_artsrv **out,
		   struct rig_errmsg *err);
void rig_artsrv_free(struct rig_artsrv *srv);

/* Publish a file under `name` (URL path "/<name>"). The file is read at add
 * time (its size and SHA-256 are computed then). */
int rig_artsrv_add(struct rig_artsrv *srv, const char *name, const char *path,
		   struct rig_errmsg *err);
/* Accessors return NULL / 0 for an unknown name. */
const char *rig_artsrv_url(struct rig_artsrv *srv, const char *name);
const char *rig_artsrv_sha256(struct rig_artsrv *srv, const char *name); /* hex */
uint64_t rig_artsrv_size(struct rig_artsrv *srv, const char *name);
unsigned rig_artsrv_port(const struct rig_artsrv *srv);

int rig_artsrv_set_faults(struct rig_artsrv *srv, const char *name, const struct rig_artsrv_faults *f);
void rig_artsrv_clear_faults(struct rig_artsrv *srv, const char *name);

/* Returns a watch id > 0 or -errno. */
int rig_artsrv_watch(struct rig_artsrv *srv, const char *name, uint64_t offset,
		     rig_artsrv_watch_fn *fn, void *arg);
void rig_artsrv_unwatch(struct rig_artsrv *srv, int id);
/* Let held responses continue. */
void rig_artsrv_release(struct rig_artsrv *srv, const char *name);

/* Bytes of `name` sent in total since it was added (all requests). */
uint64_t rig_artsrv_sent(struct rig_artsrv *srv, const char *name);

/* Parse a single "bytes=a-b" / "bytes=a-" / "bytes=-n" Range header for a
 * resource of `size` bytes: 0 with the inclusive range, -ERANGE when it is
 * unsatisfiable (416), -EINVAL when malformed or multiple (serve it whole). */
int rig_http_parse_range(const char *hdr, uint64_t size, uint64_t *first, uint64_t *last);

#endif
