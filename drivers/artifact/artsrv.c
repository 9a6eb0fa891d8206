/* The artifact server (see artsrv.h): libmicrohttpd driven by the rig's
 * loop — MHD's epoll fd sits in our epoll set, MHD_run() runs when it is
 * readable, its timeout is one of our timers, and no thread is started.
 * Stalls, throttling and held responses suspend the connection and resume it
 * from a timer, so nothing busy-waits. */
#include "artsrv.h"
#include "json.h"
#include "sha256.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 16384
#define PROGRESS_EVERY (64u * 1024u)

struct watch {
	int id;
	uint64_t offset;
	rig_artsrv_watch_fn *fn;
	void *arg;
	struct watch *next;
};

struct artifact {
	char *name;
	char *url;
	uint8_t *data;
	uint64_t size;
	char sha[65];
	uint64_t sent;
	struct rig_artsrv_faults faults;
	bool has_faults;
	unsigned remaining;       /* requests left when faults.times > 0 */
	struct watch *watches;
};

struct req {
	struct rig_artsrv *srv;
	struct artifact *art;
	struct MHD_Connection *conn;
	uint64_t first, last;     /* inclusive byte range of the artifact */
	uint64_t sent;
	uint64_t t_start;
	struct rig_artsrv_faults f;
	bool has_f, stalled, suspended, held, dropped;
	uint64_t next_progress;
	struct rig_timer *timer;
	struct req *next;
};

static int first_call;   /* marks a request whose headers were seen */

struct rig_artsrv {
	struct rig_loop *loop;
	struct MHD_Daemon *d;
	int epfd;
	struct rig_timer *timer;
	struct artifact **arts;
	size_t narts;
	char *host;               /* for URLs */
	unsigned port;
	rig_artsrv_event_fn *ev;
	void *ev_arg;
	int next_watch;
	struct req *reqs;
	bool stopping, tls;
	char *cert, *key;
};

void rig_artsrv_faults_init(struct rig_artsrv_faults *f)
{
	memset(f, 0, sizeof(*f));
	f->stall_at = f->drop_at = f->corrupt_at = UINT64_MAX;
}

static void emit(struct rig_artsrv *srv, const char *kind, struct rig_json *j)
{
	if (srv->ev)
		srv->ev(srv->ev_arg, rig_now_ns(), kind, rig_json_str(j));
	rig_json_free(j);
}

static struct artifact *find(struct rig_artsrv *srv, const char *name)
{
	for (size_t i = 0; i < srv->narts; i++)
		if (!strcmp(srv->arts[i]->name, name))
			return srv->arts[i];
	return NULL;
}

/* ---- driving MHD from the loop ---- */

static void run_mhd(struct rig_artsrv *srv);

static void mhd_timer(struct rig_loop *loop, void *arg)
{
	struct rig_artsrv *srv = arg;

	RIG_UNUSED(loop);
	srv->timer = NULL;
	run_mhd(srv);
}

static void run_mhd(struct rig_artsrv *srv)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(srv->d);
	rig_loop_cancel_timer(srv->loop, srv->timer);
	srv->timer = NULL;
	if (MHD_get_timeout(srv->d, &ms) == MHD_YES)
		srv->timer = rig_loop_add_timer(srv->loop, rig_now_ns() + (uint64_t)ms * RIG_NS_PER_MS,
						mhd_timer, srv);
}

static void on_epoll(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	RIG_UNUSED(loop);
	RIG_UNUSED(fd);
	RIG_UNUSED(events);
	run_mhd(arg);
}

static void kick(struct rig_artsrv *srv)
{
	/* After a resume: let MHD see it from the loop, soon. */
	if (!srv->timer || rig_timer_deadline(srv->timer) > rig_now_ns()) {
		rig_loop_cancel_timer(srv->loop, srv->timer);
		srv->timer = rig_loop_add_timer(srv->loop, 0, mhd_timer, srv);
	}
}

static void resume(struct req *r)
{
	if (r->suspended) {
		r->suspended = false;
		MHD_resume_connection(r->conn);
		kick(r->srv);
	}
}

static void suspend(struct req *r)
{
	if (!r->suspended) {
		r->suspended = true;
		MHD_suspend_connection(r->conn);
	}
}

static void req_timer(struct rig_loop *loop, void *arg)
{
	struct req *r = arg;

	RIG_UNUSED(loop);
	r->timer = NULL;
	resume(r);
}

static void fault_event(struct req *r, const char *fault, uint64_t offset)
{
	struct rig_json j;

	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_str(&j, "name", r->art->name);
	rig_json_kv_str(&j, "fault", fault);
	rig_json_kv_uint(&j, "offset", offset);
	rig_json_obj_end(&j);
	emit(r->srv, "http.fault", &j);
}

static void progress(struct req *r, bool force)
{
	struct rig_json j;

	if (!force && r->sent < r->next_progress)
		return;
	r->next_progress = r->sent + PROGRESS_EVERY;
	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_str(&j, "name", r->art->name);
	rig_json_kv_uint(&j, "offset", r->first + r->sent);
	rig_json_obj_end(&j);
	emit(r->srv, "http.progress", &j);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct req *r = cls;
	struct artifact *a = r->art;
	uint64_t abs = r->first + pos;
	uint64_t end = r->last + 1;
	uint64_t limit = end;
	size_t n;

	if (r->srv->stopping)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (r->held)
		return 0;
	/* A watch: send exactly up to its offset, fire it, hold the response. */
	for (struct watch **pw = &a->watches; *pw; pw = &(*pw)->next) {
		struct watch *w = *pw;

		if (w->offset == abs) {
			rig_artsrv_watch_fn *fn = w->fn;
			void *arg = w->arg;

			*pw = w->next;
			free(w);
			r->held = true;
			suspend(r);
			fn(arg, a->name, abs, rig_now_ns());
			return 0;
		}
		if (w->offset > abs && w->offset < limit)
			limit = w->offset;
	}
	if (abs >= end)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (r->has_f) {
		if (r->f.drop_at != UINT64_MAX && abs >= r->f.drop_at) {
			r->dropped = true;
			fault_event(r, "drop", abs);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		if (r->f.drop_at != UINT64_MAX && r->f.drop_at > abs && r->f.drop_at < limit)
			limit = r->f.drop_at;
		if (r->f.stall_at != UINT64_MAX && !r->stalled) {
			if (abs >= r->f.stall_at) {
				r->stalled = true;
				fault_event(r, "stall", abs);
				suspend(r);
				if (r->f.stall_ms)
					r->timer = rig_loop_add_timer(r->srv->loop,
								      rig_now_ns() + r->f.stall_ms * RIG_NS_PER_MS,
								      req_timer, r);
				return 0;
			}
			if (r->f.stall_at < limit)
				limit = r->f.stall_at;
		}
		if (r->f.throttle_bps) {
			uint64_t el = rig_now_ns() - r->t_start;
			double allowed = (double)r->f.throttle_bps * (double)el / 1e9 - (double)r->sent;

			if (allowed < 1) {
				uint64_t wait = (uint64_t)(1e9 * 1024.0 / (double)r->f.throttle_bps);

				if (wait > RIG_NS_PER_S)
					wait = RIG_NS_PER_S;
				suspend(r);
				r->timer = rig_loop_add_timer(r->srv->loop, rig_now_ns() + wait, req_timer, r);
				return 0;
			}
			if ((double)(limit - abs) > allowed)
				limit = abs + (uint64_t)allowed;
		}
	}
	n = (size_t)(limit - abs < max ? limit - abs : max);
	memcpy(buf, a->data + abs, n);
	if (r->has_f && r->f.corrupt_at != UINT64_MAX && r->f.corrupt_at >= abs && r->f.corrupt_at < abs + n) {
		buf[r->f.corrupt_at - abs] ^= (char)0xff;
		fault_event(r, "corrupt", r->f.corrupt_at);
	}
	r->sent += n;
	a->sent += n;
	progress(r, false);
	return (ssize_t)n;
}

static enum MHD_Result small(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
								  MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(conn, status, resp);

	MHD_destroy_response(resp);
	return ret;
}

static void peer(struct MHD_Connection *conn, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	snprintf(out, cap, "?");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out, (socklen_t)cap);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out,
			  (socklen_t)cap);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upsize, void **con_cls)
{
	struct rig_artsrv *srv = cls;
	struct artifact *a;
	struct req *r;
	struct MHD_Response *resp;
	const char *range;
	uint64_t first = 0, last = 0;
	unsigned status = MHD_HTTP_OK;
	enum MHD_Result ret;
	struct rig_json j;
	char addr[64], buf[128];
	bool use_range = false;

	RIG_UNUSED(version);
	RIG_UNUSED(upload);
	RIG_UNUSED(upsize);
	if (*con_cls == NULL) {
		*con_cls = &first_call;
		return MHD_YES;
	}
	if (*con_cls != &first_call)
		return MHD_NO;   /* a body where none belongs */
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return small(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	a = url[0] == '/' ? find(srv, url + 1) : NULL;
	range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
	peer(conn, addr, sizeof(addr));
	if (!a) {
		rig_json_init(&j);
		rig_json_obj_begin(&j);
		rig_json_kv_str(&j, "url", url);
		rig_json_kv_int(&j, "status", 404);
		rig_json_kv_str(&j, "peer", addr);
		rig_json_obj_end(&j);
		emit(srv, "http.request", &j);
		return small(conn, MHD_HTTP_NOT_FOUND, "no such artifact\n");
	}
	r = rig_xcalloc(1, sizeof(*r));
	r->srv = srv;
	r->art = a;
	r->conn = conn;
	r->t_start = rig_now_ns();
	r->next_progress = PROGRESS_EVERY;
	if (a->has_faults) {
		r->f = a->faults;
		r->has_f = true;
		if (a->faults.times && --a->remaining == 0)
			a->has_faults = false;
	}
	r->first = 0;
	r->last = a->size ? a->size - 1 : 0;
	if (range && !(r->has_f && r->f.range_as_200)) {
		int pr = rig_http_parse_range(range, a->size, &first, &last);

		if (pr == -ERANGE) {
			free(r);
			snprintf(buf, sizeof(buf), "bytes */%llu", (unsigned long long)a->size);
			resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, buf);
			ret = MHD_queue_response(conn, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp);
			MHD_destroy_response(resp);
			return ret;
		}
		if (pr == 0) {
			use_range = true;
			r->first = first;
			r->last = last;
			status = MHD_HTTP_PARTIAL_CONTENT;
		}
	}
	resp = MHD_create_response_from_callback(a->size ? r->last - r->first + 1 : 0, BLOCK, reader, r, NULL);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	if (use_range) {
		snprintf(buf, sizeof(buf), "bytes %llu-%llu/%llu", (unsigned long long)r->first,
			 (unsigned long long)r->last, (unsigned long long)a->size);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, buf);
	}
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	if (ret != MHD_YES) {
		free(r);
		return ret;
	}
	r->next = srv->reqs;
	srv->reqs = r;
	*con_cls = r;
	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_str(&j, "name", a->name);
	rig_json_kv_str(&j, "method", method);
	if (range)
		rig_json_kv_str(&j, "range", range);
	rig_json_kv_int(&j, "status", status);
	rig_json_kv_uint(&j, "first", r->first);
	rig_json_kv_str(&j, "peer", addr);
	if (r->has_f && r->f.range_as_200 && range)
		rig_json_kv_bool(&j, "range_ignored", true);
	rig_json_obj_end(&j);
	emit(srv, "http.request", &j);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct rig_artsrv *srv = cls;
	struct req *r = *con_cls;
	struct rig_json j;
	bool ours = false;

	RIG_UNUSED(conn);
	*con_cls = NULL;
	for (struct req **pp = &srv->reqs; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			ours = true;
			break;
		}
	}
	if (!ours)
		return;   /* a request answered before it got a req (404, 416...) */
	rig_loop_cancel_timer(srv->loop, r->timer);
	if (!srv->stopping) {
		progress(r, true);
		rig_json_init(&j);
		rig_json_obj_begin(&j);
		rig_json_kv_str(&j, "name", r->art->name);
		rig_json_kv_uint(&j, "sent", r->sent);
		rig_json_kv_bool(&j, "complete", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && !r->dropped);
		rig_json_obj_end(&j);
		emit(srv, "http.done", &j);
	}
	free(r);
}

/* libmicrohttpd's messages go to the timeline, never to the terminal. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct rig_artsrv *srv = cls;
	char msg[512];
	struct rig_json j;
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_str(&j, "message", msg);
	rig_json_obj_end(&j);
	emit(srv, "http.log", &j);
}

static char *slurp(const char *path, size_t *len, struct rig_errmsg *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f) {
		rig_errmsg_set(err, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (n + 65536 > cap) {
			cap = (n + 65536) * 2;
			buf = rig_xrealloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		rig_errmsg_set(err, "cannot read %s", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int rig_artsrv_new(struct rig_loop *loop, const struct rig_artsrv_cfg *cfg, rig_artsrv_event_fn *ev,
		   void *ev_arg, struct rig_artsrv **out, struct rig_errmsg *err)
{
	struct rig_artsrv *srv = rig_xcalloc(1, sizeof(*srv));
	struct sockaddr_in6 sa6 = { 0 };
	struct sockaddr_in sa4 = { 0 };
	struct sockaddr *sa;
	const char *bind = cfg && cfg->bind ? cfg->bind : "127.0.0.1";
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	size_t len;
	int r;

	srv->loop = loop;
	srv->ev = ev;
	srv->ev_arg = ev_arg;
	srv->epfd = -1;
	if (inet_pton(AF_INET, bind, &sa4.sin_addr) == 1) {
		sa4.sin_family = AF_INET;
		sa4.sin_port = htons((uint16_t)(cfg ? cfg->port : 0));
		sa = (struct sockaddr *)&sa4;
	} else if (inet_pton(AF_INET6, bind, &sa6.sin6_addr) == 1) {
		sa6.sin6_family = AF_INET6;
		sa6.sin6_port = htons((uint16_t)(cfg ? cfg->port : 0));
		sa = (struct sockaddr *)&sa6;
		flags |= MHD_USE_IPv6;
	} else {
		rig_errmsg_set(err, "bind address '%s' is not an IPv4 or IPv6 address", bind);
		free(srv);
		return -EINVAL;
	}
	if (cfg && (cfg->tls_cert || cfg->tls_key)) {
		if (!cfg->tls_cert || !cfg->tls_key) {
			rig_errmsg_set(err, "TLS needs both a certificate and a key");
			free(srv);
			return -EINVAL;
		}
		if (!(srv->cert = slurp(cfg->tls_cert, &len, err)) || !(srv->key = slurp(cfg->tls_key, &len, err))) {
			free(srv->cert);
			free(srv);
			return -EINVAL;
		}
		srv->tls = true;
		flags |= MHD_USE_TLS;
	}
	if (srv->tls)
		srv->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, srv, MHD_OPTION_SOCK_ADDR, sa,
					  MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
					  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
					  MHD_OPTION_HTTPS_MEM_CERT, srv->cert, MHD_OPTION_HTTPS_MEM_KEY, srv->key,
					  MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
	else
		srv->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, srv, MHD_OPTION_SOCK_ADDR, sa,
					  MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
					  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
					  MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
	if (!srv->d) {
		rig_errmsg_set(err, "cannot start the artifact server on %s:%u (address in use?)", bind,
			       cfg ? cfg->port : 0);
		free(srv->cert);
		free(srv->key);
		free(srv);
		return -EADDRINUSE;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_EPOLL_FD);
	srv->epfd = info ? info->epoll_fd : -1;
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	r = srv->epfd >= 0 ? rig_loop_add_fd(loop, srv->epfd, RIG_EV_READ, on_epoll, srv) : -EIO;
	if (r < 0) {
		MHD_stop_daemon(srv->d);
		rig_errmsg_set(err, "cannot watch the artifact server");
		free(srv->cert);
		free(srv->key);
		free(srv);
		return r;
	}
	if (cfg && cfg->url_host)
		srv->host = rig_xstrdup(cfg->url_host);
	else if (sa == (struct sockaddr *)&sa6)
		srv->host = rig_xasprintf("[%s]:%u", bind, srv->port);
	else
		srv->host = rig_xasprintf("%s:%u", bind, srv->port);
	if (cfg && cfg->url_host && !strchr(cfg->url_host, ':')) {
		free(srv->host);
		srv->host = rig_xasprintf("%s:%u", cfg->url_host, srv->port);
	}
	*out = srv;
	return 0;
}

void rig_artsrv_free(struct rig_artsrv *srv)
{
	if (!srv)
		return;
	srv->stopping = true;
	for (struct req *r = srv->reqs; r; r = r->next) {
		rig_loop_cancel_timer(srv->loop, r->timer);
		r->timer = NULL;
		r->held = false;
		if (r->suspended) {
			r->suspended = false;
			MHD_resume_connection(r->conn);
		}
	}
	MHD_run(srv->d);
	rig_loop_del_fd(srv->loop, srv->epfd);
	rig_loop_cancel_timer(srv->loop, srv->timer);
	MHD_stop_daemon(srv->d);
	while (srv->reqs) {
		struct req *r = srv->reqs;

		srv->reqs = r->next;
		free(r);
	}
	for (size_t i = 0; i < srv->narts; i++) {
		struct artifact *a = srv->arts[i];

		while (a->watches) {
			struct watch *w = a->watches;

			a->watches = w->next;
			free(w);
		}
		free(a->name);
		free(a->url);
		free(a->data);
		free(a);
	}
	free(srv->arts);
	free(srv->host);
	free(srv->cert);
	free(srv->key);
	free(srv);
}

int rig_artsrv_add(struct rig_artsrv *srv, const char *name, const char *path, struct rig_errmsg *err)
{
	struct artifact *a;
	size_t len;
	char *data;

	if (find(srv, name)) {
		rig_errmsg_set(err, "artifact '%s' is already published", name);
		return -EEXIST;
	}
	data = slurp(path, &len, err);
	if (!data)
		return -ENOENT;
	a = rig_xcalloc(1, sizeof(*a));
	a->name = rig_xstrdup(name);
	a->data = (uint8_t *)data;
	a->size = len;
	rig_sha256_hex(data, len, a->sha);
	a->url = rig_xasprintf("%s://%s/%s", srv->tls ? "https" : "http", srv->host, name);
	rig_artsrv_faults_init(&a->faults);
	srv->arts = rig_xrealloc(srv->arts, (srv->narts + 1) * sizeof(*srv->arts));
	srv->arts[srv->narts++] = a;
	return 0;
}

const char *rig_artsrv_url(struct rig_artsrv *srv, const char *name)
{
	struct artifact *a = find(srv, name);

	return a ? a->url : NULL;
}

const char *rig_artsrv_sha256(struct rig_artsrv *srv, const char *name)
{
	struct artifact *a = find(srv, name);

	return a ? a->sha : NULL;
}

uint64_t rig_artsrv_size(struct rig_artsrv *srv, const char *name)
{
	struct artifact *a = find(srv, name);

	return a ? a->size : 0;
}

uint64_t rig_artsrv_sent(struct rig_artsrv *srv, const char *name)
{
	struct artifact *a = find(srv, name);

	return a ? a->sent : 0;
}

unsigned rig_artsrv_port(const struct rig_artsrv *srv)
{
	return srv->port;
}

int rig_artsrv_set_faults(struct rig_artsrv *srv, const char *name, const struct rig_artsrv_faults *f)
{
	struct artifact *a = find(srv, name);

	if (!a)
		return -ENOENT;
	a->faults = *f;
	a->has_faults = true;
	a->remaining = f->times;
	return 0;
}

void rig_artsrv_clear_faults(struct rig_artsrv *srv, const char *name)
{
	struct artifact *a = find(srv, name);

	if (a)
		a->has_faults = false;
}

int rig_artsrv_watch(struct rig_artsrv *srv, const char *name, uint64_t offset, rig_artsrv_watch_fn *fn,
		     void *arg)
{
	struct artifact *a = find(srv, name);
	struct watch *w;

	if (!a)
		return -ENOENT;
	if (offset > a->size)
		return -ERANGE;
	w = rig_xcalloc(1, sizeof(*w));
	w->id = ++srv->next_watch;
	w->offset = offset;
	w->fn = fn;
	w->arg = arg;
	w->next = a->watches;
	a->watches = w;
	return w->id;
}

void rig_artsrv_unwatch(struct rig_artsrv *srv, int id)
{
	for (size_t i = 0; i < srv->narts; i++) {
		for (struct watch **pw = &srv->arts[i]->watches; *pw; pw = &(*pw)->next) {
			if ((*pw)->id == id) {
				struct watch *w = *pw;

				*pw = w->next;
				free(w);
				return;
			}
		}
	}
}

void rig_artsrv_release(struct rig_artsrv *srv, const char *name)
{
	for (struct req *r = srv->reqs; r; r = r->next) {
		if (r->held && !strcmp(r->art->name, name)) {
			r->held = false;
			resume(r);
		}
	}
}
