/* Power driver `http`: network power switches (Tasmota, Shelly Gen1 and Gen2,
 * pdudaemon's HTTP listener, or a generic method/URL/body template).
 *
 * libcurl's multi interface runs inside the rig's loop: curl tells the driver
 * which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to wake it
 * (CURLMOPT_TIMERFUNCTION); the loop calls curl_multi_socket_action() back.
 * Nothing here blocks. One request is in flight at a time, and connections
 * are not reused (cheap switches dislike keep-alive).
 *
 * An "off" is confirmed by reading the state back where the profile can: a
 * failed switch request is followed by a read-back before any retry (the
 * relay may have switched though the reply was lost), and a switch that
 * replied but still reads back "on" is an error, never retried blindly.
 *
 * The password (password_env / password_file) is a secret: it goes to curl
 * and nowhere else. URLs shown in events and messages are built with "***"
 * in its place, and every message is scrubbed of it before it leaves. */
#include "driver.h"
#include "readback.h"
#include "regex.h"
#include "json.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct rig_opt http_opts[] = {
	{ "profile", RIG_OPT_STRING, true, "tasmota, shelly1, shelly2, pdudaemon or generic" },
	{ "url", RIG_OPT_STRING, false, "base URL of the switch, e.g. http://10.0.0.5 (or use host)" },
	{ "host", RIG_OPT_STRING, false, "host[:port] of the switch (http)" },
	{ "channel", RIG_OPT_INT, false, "relay / outlet / switch id (profile default: tasmota none, shelly 0)" },
	{ "pdu", RIG_OPT_STRING, false, "pdudaemon: the PDU's hostname in pdudaemon's config" },
	{ "timeout", RIG_OPT_INT, false, "ms per HTTP request (default 3000)" },
	{ "retries", RIG_OPT_INT, false, "further attempts after a failed one (default 2)" },
	{ "retry_delay", RIG_OPT_INT, false, "ms between attempts (default 200)" },
	{ "user", RIG_OPT_STRING, false, "user name for the switch" },
	{ "password_env", RIG_OPT_STRING, false, "environment variable holding the password" },
	{ "password_file", RIG_OPT_STRING, false, "file holding the password (first line)" },
	{ "auth", RIG_OPT_STRING, false, "basic, digest or any (default basic; shelly2: digest)" },
	{ "method", RIG_OPT_STRING, false, "generic: GET, POST, PUT... (default GET, POST with a body)" },
	{ "on_url", RIG_OPT_STRING, false, "generic: URL template switching on ({channel} {state} {bool} {num} {user} {password})" },
	{ "off_url", RIG_OPT_STRING, false, "generic: URL template switching off" },
	{ "on_body", RIG_OPT_STRING, false, "generic: request body template for on" },
	{ "off_body", RIG_OPT_STRING, false, "generic: request body template for off" },
	{ "content_type", RIG_OPT_STRING, false, "generic: Content-Type of the body (default application/json)" },
	{ "state_url", RIG_OPT_STRING, false, "generic: URL template reading the state back" },
	{ "state_on", RIG_OPT_STRING, false, "generic: regex a state reply matches when on" },
	{ "state_off", RIG_OPT_STRING, false, "generic: regex a state reply matches when off" },
	{ NULL, 0, false, NULL },
};

enum profile { P_TASMOTA, P_SHELLY1, P_SHELLY2, P_PDUDAEMON, P_GENERIC };
static const char *const profile_names[] = { "tasmota", "shelly1", "shelly2", "pdudaemon", "generic" };

enum phase { PH_IDLE, PH_SWITCH, PH_READBACK, PH_GET };
static const char *const phase_names[] = { "idle", "switch", "read-back", "status" };

#define BODY_MAX 16384
#define SECRET_MAX 1024

struct http {
	struct rig_drv_ctx ctx;
	enum profile prof;
	char *base;                 /* scheme://host[:port], no trailing '/' */
	int channel;
	bool has_channel;
	char *pdu;
	char *user, *secret, *secret_esc;
	long auth;
	long timeout_ms;
	unsigned retries;
	uint64_t retry_delay_ns;
	char *method, *url_tpl[2], *body_tpl[2], *content_type, *state_tpl;   /* [0] off, [1] on */
	struct rig_regex *re_on, *re_off;

	CURLM *multi;
	CURL *easy;
	struct curl_slist *headers;
	struct rig_timer *curl_timer, *retry_timer;
	char errbuf[CURL_ERROR_SIZE];
	char body[BODY_MAX + 1];
	size_t body_len;
	bool too_big;
	char *shown;                /* URL of the request in flight, credentials as *** */
	uint64_t t_req;

	enum phase phase;
	bool on;                    /* the state asked for */
	unsigned attempt;
	bool switch_ok;             /* the last switch request got a 2xx reply */
	uint64_t t_switched;
	char why[400];              /* the last failure */
	rig_power_done_fn *done;
	void *arg;
};

/* ---- secrets ---- */

/* Replace every occurrence of the secret (raw or URL-escaped) by ***. */
static void scrub(const struct http *h, char *s, size_t cap)
{
	const char *secrets[] = { h->secret, h->secret_esc };

	for (size_t i = 0; i < RIG_ARRAY_SIZE(secrets); i++) {
		const char *sec = secrets[i];
		size_t n = sec ? strlen(sec) : 0;
		char *p;

		if (!n)
			continue;
		while ((p = strstr(s, sec))) {
			size_t tail = strlen(p + n);

			if ((size_t)(p - s) + 3 + tail + 1 > cap)
				tail = cap - (size_t)(p - s) - 4;
			memmove(p + 3, p + n, tail);
			memcpy(p, "***", 3);
			p[3 + tail] = '\0';
		}
	}
}

static int fail(struct http *h, int err, const char *fmt, ...) RIG_PRINTF(3, 4);
static int fail(struct http *h, int err, const char *fmt, ...)
{
	char msg[RIG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	scrub(h, msg, sizeof(msg));
	return rig_drv_fail(&h->ctx, err, "%s", msg);
}

static int read_secret(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, char **out)
{
	const char *env = rig_cfg_str(cfg, "password_env", NULL);
	const char *file = rig_cfg_str(cfg, "password_file", NULL);
	char buf[SECRET_MAX + 2];
	ssize_t n;
	int fd;

	*out = NULL;
	if (env && file)
		return rig_drv_fail(ctx, -EINVAL, "power: give password_env or password_file, not both");
	if (env) {
		const char *v = getenv(env);

		if (!v || !*v)
			return rig_drv_fail(ctx, -EINVAL, "power.password_env: %s is not set", env);
		if (strlen(v) > SECRET_MAX)
			return rig_drv_fail(ctx, -EINVAL, "power.password_env: %s is too long", env);
		*out = rig_xstrdup(v);
		return 0;
	}
	if (!file)
		return 0;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rig_drv_fail(ctx, -errno, "power.password_file: %s: %s", file, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return rig_drv_fail(ctx, -EIO, "power.password_file: %s: cannot read", file);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0] || strlen(buf) > SECRET_MAX) {
		explicit_bzero(buf, sizeof(buf));
		return rig_drv_fail(ctx, -EINVAL, "power.password_file: %s: empty or longer than %d bytes",
				    file, SECRET_MAX);
	}
	*out = rig_xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* ---- URLs ---- */

/* A URL must not carry credentials itself: they would be shown. */
static bool has_userinfo(const char *url)
{
	const char *p = strstr(url, "://");
	size_t auth;

	if (!p)
		return false;
	p += 3;
	auth = strcspn(p, "/?#");
	return memchr(p, '@', auth) != NULL;
}

static void append(char **s, size_t *len, const char *x)
{
	size_t n = strlen(x);

	*s = rig_xrealloc(*s, *len + n + 1);
	memcpy(*s + *len, x, n + 1);
	*len += n;
}

/* Expand {channel} {state} {bool} {num} {user} {password}; with redact, the
 * password becomes ***. Unknown {names} are kept as they are. */
static char *expand(const struct http *h, const char *tpl, bool on, bool redact, bool escape)
{
	char *out = rig_xstrdup("");
	size_t len = 0;
	char num[32];

	for (const char *p = tpl; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		char one[2] = { *p, 0 };
		const char *v = NULL;

		if (close) {
			size_t n = (size_t)(close - p - 1);

			if (n == 7 && !strncmp(p + 1, "channel", n)) {
				snprintf(num, sizeof(num), "%d", h->channel);
				v = num;
			} else if (n == 5 && !strncmp(p + 1, "state", n)) {
				v = on ? "on" : "off";
			} else if (n == 4 && !strncmp(p + 1, "bool", n)) {
				v = on ? "true" : "false";
			} else if (n == 3 && !strncmp(p + 1, "num", n)) {
				v = on ? "1" : "0";
			} else if (n == 4 && !strncmp(p + 1, "user", n)) {
				v = h->user ? h->user : "";
			} else if (n == 8 && !strncmp(p + 1, "password", n)) {
				v = redact ? "***" : escape ? h->secret_esc : h->secret;
				v = v ? v : "";
			}
		}
		if (v) {
			append(&out, &len, v);
			p = close + 1;
		} else {
			append(&out, &len, one);
			p++;
		}
	}
	return out;
}

/* Absolute URL templates stay; "/path" is relative to the base. */
static char *full_url(const struct http *h, const char *tpl, bool on, bool redact)
{
	char *path = expand(h, tpl, on, redact, true);
	char *url;

	if (strstr(path, "://"))
		return path;
	url = rig_xasprintf("%s%s%s", h->base, path[0] == '/' ? "" : "/", path);
	free(path);
	return url;
}

static char *tasmota_creds(const struct http *h, bool redact)
{
	char *u, *s;

	if (!h->user && !h->secret)
		return rig_xstrdup("");
	u = h->user ? curl_easy_escape(NULL, h->user, 0) : NULL;
	s = rig_xasprintf("user=%s&password=%s&", u ? u : "",
			  redact ? "***" : h->secret_esc ? h->secret_esc : "");
	curl_free(u);
	return s;
}

static char *switch_url(const struct http *h, bool on, bool redact)
{
	char ch[16] = "";
	char *creds, *url;

	switch (h->prof) {
	case P_TASMOTA:
		if (h->has_channel)
			snprintf(ch, sizeof(ch), "%d", h->channel);
		creds = tasmota_creds(h, redact);
		url = rig_xasprintf("%s/cm?%scmnd=Power%s%%20%s", h->base, creds, ch, on ? "On" : "Off");
		free(creds);
		return url;
	case P_SHELLY1:
		return rig_xasprintf("%s/relay/%d?turn=%s", h->base, h->channel, on ? "on" : "off");
	case P_SHELLY2:
		return rig_xasprintf("%s/rpc/Switch.Set?id=%d&on=%s", h->base, h->channel, on ? "true" : "false");
	case P_PDUDAEMON: {
		char *pdu = curl_easy_escape(NULL, h->pdu, 0);

		url = rig_xasprintf("%s/power/control/%s?hostname=%s&port=%d", h->base, on ? "on" : "off",
				    pdu ? pdu : "", h->channel);
		curl_free(pdu);
		return url;
	}
	case P_GENERIC:
		return full_url(h, h->url_tpl[on], on, redact);
	}
	return NULL;
}

static bool can_read(const struct http *h)
{
	return h->prof != P_PDUDAEMON && !(h->prof == P_GENERIC && !h->state_tpl);
}

static char *state_url(const struct http *h, bool redact)
{
	char ch[16] = "";
	char *creds, *url;

	switch (h->prof) {
	case P_TASMOTA:
		if (h->has_channel)
			snprintf(ch, sizeof(ch), "%d", h->channel);
		creds = tasmota_creds(h, redact);
		url = rig_xasprintf("%s/cm?%scmnd=Power%s", h->base, creds, ch);
		free(creds);
		return url;
	case P_SHELLY1:
		return rig_xasprintf("%s/relay/%d", h->base, h->channel);
	case P_SHELLY2:
		return rig_xasprintf("%s/rpc/Switch.GetStatus?id=%d", h->base, h->channel);
	case P_GENERIC:
		return full_url(h, h->state_tpl, false, redact);
	case P_PDUDAEMON:
		break;
	}
	return NULL;
}

/* The state in a reply body: read-back replies, and the replies to a switch
 * request that carry the new state (Tasmota, Shelly Gen1). 0 or -errno. */
static int reply_state(const struct http *h, bool readback, enum rig_power_state *st)
{
	char key[24];
	int r;

	switch (h->prof) {
	case P_TASMOTA:
		/* "POWER" on single-relay devices, "POWER<n>" on others */
		snprintf(key, sizeof(key), "POWER%d", h->channel);
		r = h->has_channel ? rig_readback_json(h->body, h->body_len, key, st) : -ENOENT;
		if (r == -ENOENT && (!h->has_channel || h->channel == 1))
			r = rig_readback_json(h->body, h->body_len, "POWER", st);
		return r;
	case P_SHELLY1:
		return rig_readback_json(h->body, h->body_len, "ison", st);
	case P_SHELLY2:
		return readback ? rig_readback_json(h->body, h->body_len, "output", st) : -ENOENT;
	case P_GENERIC: {
		struct rig_match m;
		size_t resume;
		bool on, off;

		if (!readback)
			return -ENOENT;
		on = rig_regex_search(h->re_on, (const uint8_t *)h->body, h->body_len, 0, &m, &resume) == 1;
		off = rig_regex_search(h->re_off, (const uint8_t *)h->body, h->body_len, 0, &m, &resume) == 1;
		if (on == off)
			return -EINVAL;   /* neither, or both: not understood */
		*st = on ? RIG_POWER_ON : RIG_POWER_OFF;
		return 0;
	}
	case P_PDUDAEMON:
		break;
	}
	return -ENOENT;
}

/* ---- curl in the loop ---- */

static void check_done(struct http *h);

static void on_io(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct http *h = arg;
	int flags = 0, running;

	RIG_UNUSED(loop);
	if (events & RIG_EV_READ)
		flags |= CURL_CSELECT_IN;
	if (events & RIG_EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	if (events & (RIG_EV_ERR | RIG_EV_HUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	check_done(h);
}

static int on_curl_socket(CURL *e, curl_socket_t s, int what, void *arg, void *sockp)
{
	struct http *h = arg;
	unsigned ev = (what & CURL_POLL_IN ? RIG_EV_READ : 0) | (what & CURL_POLL_OUT ? RIG_EV_WRITE : 0);

	RIG_UNUSED(e);
	if (what == CURL_POLL_REMOVE) {
		if (sockp) {
			rig_loop_del_fd(h->ctx.loop, s);
			curl_multi_assign(h->multi, s, NULL);
		}
		return 0;
	}
	if (sockp)
		return rig_loop_mod_fd(h->ctx.loop, s, ev) < 0 ? -1 : 0;
	if (rig_loop_add_fd(h->ctx.loop, s, ev, on_io, h) < 0)
		return -1;
	curl_multi_assign(h->multi, s, h);
	return 0;
}

static void on_timer(struct rig_loop *loop, void *arg)
{
	struct http *h = arg;
	int running;

	RIG_UNUSED(loop);
	h->curl_timer = NULL;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int on_curl_timer(CURLM *m, long ms, void *arg)
{
	struct http *h = arg;

	RIG_UNUSED(m);
	rig_loop_cancel_timer(h->ctx.loop, h->curl_timer);
	h->curl_timer = NULL;
	if (ms >= 0)
		h->curl_timer = rig_loop_add_timer(h->ctx.loop, rig_now_ns() + (uint64_t)ms * RIG_NS_PER_MS,
						   on_timer, h);
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http *h = arg;
	size_t n = size * nmemb;

	if (h->body_len + n > BODY_MAX) {
		h->too_big = true;
		return 0;   /* aborts the transfer */
	}
	memcpy(h->body + h->body_len, data, n);
	h->body_len += n;
	h->body[h->body_len] = '\0';
	return n;
}

static void drop_request(struct http *h)
{
	if (h->easy) {
		curl_multi_remove_handle(h->multi, h->easy);
		curl_easy_cleanup(h->easy);
		h->easy = NULL;
	}
	curl_slist_free_all(h->headers);
	h->headers = NULL;
	free(h->shown);
	h->shown = NULL;
}

static int request(struct http *h, enum phase phase, char *url, char *shown, const char *method,
		   const char *body)
{
	CURL *e = curl_easy_init();
	CURLMcode mc;

	if (!e) {
		free(url);
		free(shown);
		return fail(h, -ENOMEM, "power: cannot create an HTTP request");
	}
	h->phase = phase;
	h->shown = shown;
	h->body_len = 0;
	h->body[0] = '\0';
	h->too_big = false;
	h->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, h);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");   /* lab switches are local: no http_proxy */
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "rig/" RIG_VERSION);
	if (h->user && h->prof != P_TASMOTA) {
		curl_easy_setopt(e, CURLOPT_USERNAME, h->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, h->secret ? h->secret : "");
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, h->auth);
	}
	if (body) {
		char *ct = rig_xasprintf("Content-Type: %s", h->content_type);

		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body);
		h->headers = curl_slist_append(NULL, ct);
		free(ct);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
	}
	if (method && strcmp(method, "GET") && strcmp(method, "POST"))
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	else if (method && !strcmp(method, "POST") && !body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	explicit_bzero(url, strlen(url));
	free(url);
	h->easy = e;
	h->t_req = rig_now_ns();
	mc = curl_multi_add_handle(h->multi, e);
	if (mc != CURLM_OK) {
		drop_request(h);
		h->phase = PH_IDLE;
		return fail(h, -EIO, "power: cannot start the HTTP request: %s", curl_multi_strerror(mc));
	}
	return 0;
}

static int start_switch(struct http *h)
{
	bool on = h->on;
	const char *body = NULL;
	char *b = NULL;
	int r;

	h->attempt++;
	h->switch_ok = false;
	h->t_switched = 0;
	if (h->prof == P_GENERIC && h->body_tpl[on])
		body = b = expand(h, h->body_tpl[on], on, false, false);
	r = request(h, PH_SWITCH, switch_url(h, on, false), switch_url(h, on, true),
		    h->prof == P_GENERIC ? h->method : "GET", body);
	if (b) {
		explicit_bzero(b, strlen(b));
		free(b);
	}
	return r;
}

static int start_read(struct http *h, enum phase phase)
{
	return request(h, phase, state_url(h, false), state_url(h, true), "GET", NULL);
}

/* ---- completion ---- */

static void complete(struct http *h, int result, uint64_t t, enum rig_power_state st)
{
	rig_power_done_fn *done = h->done;

	h->phase = PH_IDLE;
	h->done = NULL;
	if (done)
		done(h->arg, result, t, st);   /* may close h */
}

static void retry_cb(struct rig_loop *loop, void *arg)
{
	struct http *h = arg;
	int r;

	RIG_UNUSED(loop);
	h->retry_timer = NULL;
	r = start_switch(h);
	if (r < 0)
		complete(h, r, rig_now_ns(), RIG_POWER_UNKNOWN);
}

/* The attempt did not confirm the state: retry, or give up with h->why. */
static void retry_or_fail(struct http *h, int err)
{
	if (h->attempt <= h->retries) {
		h->phase = PH_SWITCH;
		h->retry_timer = rig_loop_add_timer(h->ctx.loop, rig_now_ns() + h->retry_delay_ns, retry_cb, h);
		return;
	}
	fail(h, err, "%u attempt%s, none confirmed: %s", h->attempt, h->attempt == 1 ? "" : "s", h->why);
	complete(h, err, rig_now_ns(), RIG_POWER_UNKNOWN);
}

/* A short, printable excerpt of the reply for messages. The whole reply is
 * scrubbed before it is cut: a cut through the password would leave a piece
 * of it that no longer matches. */
static void excerpt(const struct http *h, char *out, size_t cap)
{
	static char all[BODY_MAX + 1];
	size_t n = 0;

	for (size_t i = 0; i < h->body_len; i++) {
		unsigned char c = (unsigned char)h->body[i];

		all[n++] = c >= 0x20 && c < 0x7f ? (char)c : ' ';
	}
	all[n] = '\0';
	scrub(h, all, sizeof(all));
	snprintf(out, cap, "%.80s", all);
	explicit_bzero(all, n);
}

static void finished(struct http *h, CURLcode res, long code)
{
	uint64_t now = rig_now_ns();
	bool ok = res == CURLE_OK && code >= 200 && code < 300;
	int err = res == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
	enum phase phase = h->phase;
	enum rig_power_state st = RIG_POWER_UNKNOWN;
	int parsed = -ENOENT;
	char text[160] = "", ex[96], shown[300];
	struct rig_json j;

	scrub(h, h->errbuf, sizeof(h->errbuf));
	if (res != CURLE_OK)
		snprintf(text, sizeof(text), "%.150s", h->too_big ? "reply larger than 16 KiB" :
			 h->errbuf[0] ? h->errbuf : curl_easy_strerror(res));
	else if (!ok) {
		excerpt(h, ex, sizeof(ex));
		snprintf(text, sizeof(text), "HTTP %ld%s%s", code, ex[0] ? ": " : "", ex);
	}
	scrub(h, text, sizeof(text));
	if (ok)
		parsed = reply_state(h, phase != PH_SWITCH, &st);

	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_str(&j, "op", phase == PH_GET ? "status" : h->on ? "on" : "off");
	rig_json_kv_str(&j, "phase", phase_names[phase]);
	rig_json_kv_str(&j, "profile", profile_names[h->prof]);
	if (phase != PH_GET)
		rig_json_kv_uint(&j, "attempt", h->attempt);
	rig_json_kv_str(&j, "url", h->shown ? h->shown : "?");
	rig_json_kv_int(&j, "status", code);
	rig_json_kv_uint(&j, "us", (now - h->t_req) / 1000);
	if (parsed == 0)
		rig_json_kv_str(&j, "state", st == RIG_POWER_ON ? "on" : "off");
	if (text[0])
		rig_json_kv_str(&j, "error", text);
	rig_json_obj_end(&j);
	rig_drv_event(&h->ctx, "power.http", "%s", rig_json_str(&j));
	rig_json_free(&j);

	if (ok && parsed < 0 && phase != PH_SWITCH) {
		/* no state in it (-ENOENT: e.g. POWER1 when POWER was asked) or not JSON */
		excerpt(h, ex, sizeof(ex));
		snprintf(text, sizeof(text), "state reply not understood: '%s'", ex);
		ok = false;
		err = -EPROTO;
	}
	snprintf(shown, sizeof(shown), "%s", h->shown ? h->shown : "?");
	if (!ok)
		snprintf(h->why, sizeof(h->why), "%.200s (%s): %.160s", shown, phase_names[phase], text);
	drop_request(h);

	switch (phase) {
	case PH_SWITCH:
		if (ok && parsed == 0 && st != (h->on ? RIG_POWER_ON : RIG_POWER_OFF)) {
			fail(h, -EIO, "the switch replied that the power is %s (%s)",
			     st == RIG_POWER_ON ? "on" : "off", shown);
			complete(h, -EIO, now, RIG_POWER_UNKNOWN);
			return;
		}
		h->switch_ok = ok;
		if (ok)
			h->t_switched = now;
		if (!h->on && can_read(h)) {
			/* confirm the off, and never retry before knowing the state */
			int r = start_read(h, PH_READBACK);

			if (r < 0)
				complete(h, r, now, RIG_POWER_UNKNOWN);
			return;
		}
		if (ok)
			complete(h, 0, now, h->on ? RIG_POWER_ON : RIG_POWER_OFF);
		else
			retry_or_fail(h, err);
		return;
	case PH_READBACK:
		if (ok && st == RIG_POWER_OFF) {
			/* the reply to the switch request is when it was done; if it
			 * was lost, the read-back is a later bound */
			complete(h, 0, h->switch_ok ? h->t_switched : now, RIG_POWER_OFF);
			return;
		}
		if (ok && h->switch_ok) {
			fail(h, -EIO, "the switch accepted the request but the device is still powered "
			     "(read back on from %s)", shown);
			complete(h, -EIO, now, RIG_POWER_ON);
			return;
		}
		if (ok) {
			char prev[sizeof(h->why)];

			snprintf(prev, sizeof(prev), "%s", h->why);
			snprintf(h->why, sizeof(h->why), "%.300s; the state read back is on", prev);
		}
		retry_or_fail(h, err);
		return;
	case PH_GET:
		if (ok) {
			complete(h, 0, now, st);
		} else {
			fail(h, err, "%s", h->why);
			complete(h, err, now, RIG_POWER_UNKNOWN);
		}
		return;
	case PH_IDLE:
		break;
	}
}

static void check_done(struct http *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left))) {
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h->easy) {
			CURLcode res = msg->data.result;
			long code = 0;

			curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
			finished(h, res, code);   /* may close h */
			return;
		}
	}
}

/* ---- driver callbacks ---- */

static int parse_profile(struct http *h, const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg)
{
	const char *prof = rig_cfg_str(cfg, "profile", "");
	const char *url = rig_cfg_str(cfg, "url", NULL);
	const char *host = rig_cfg_str(cfg, "host", NULL);
	const char *auth = rig_cfg_str(cfg, "auth", NULL);
	size_t i;

	for (i = 0; i < RIG_ARRAY_SIZE(profile_names); i++)
		if (!strcmp(prof, profile_names[i]))
			break;
	if (i == RIG_ARRAY_SIZE(profile_names))
		return rig_drv_fail(ctx, -EINVAL, "power.profile: expected tasmota, shelly1, shelly2, pdudaemon or generic, got '%s'", prof);
	h->prof = (enum profile)i;
	if (url && host)
		return rig_drv_fail(ctx, -EINVAL, "power: give url or host, not both");
	if (url && has_userinfo(url))
		return rig_drv_fail(ctx, -EINVAL, "power.url: credentials in the URL are not accepted (use user and password_env or password_file)");
	if (url) {
		h->base = rig_xstrdup(url);
		if (!strstr(url, "://"))
			return rig_drv_fail(ctx, -EINVAL, "power.url: expected http://host[:port][/path], got '%s'", url);
	} else if (host) {
		if (strchr(host, '@') || strchr(host, '/'))
			return rig_drv_fail(ctx, -EINVAL, "power.host: expected host[:port], got '%s'", host);
		h->base = h->prof == P_PDUDAEMON && !strchr(host, ':') ? rig_xasprintf("http://%s:16421", host)
									 : rig_xasprintf("http://%s", host);
	} else if (h->prof != P_GENERIC) {
		return rig_drv_fail(ctx, -EINVAL, "power: the %s profile needs url or host", prof);
	} else {
		h->base = rig_xstrdup("");
	}
	for (size_t n = strlen(h->base); n && h->base[n - 1] == '/'; n--)
		h->base[n - 1] = '\0';

	h->has_channel = rig_cfg_has(cfg, "channel");
	h->channel = (int)rig_cfg_int(cfg, "channel", h->prof == P_TASMOTA ? 1 : 0);
	if (h->channel < 0 || h->channel > 255)
		return rig_drv_fail(ctx, -EINVAL, "power.channel: expected 0 to 255, got %d", h->channel);
	if (h->prof == P_PDUDAEMON) {
		const char *pdu = rig_cfg_str(cfg, "pdu", NULL);

		if (!pdu || !h->has_channel)
			return rig_drv_fail(ctx, -EINVAL, "power: the pdudaemon profile needs pdu (the PDU's hostname in pdudaemon) and channel (its port)");
		h->pdu = rig_xstrdup(pdu);
	}
	h->auth = h->prof == P_SHELLY2 ? CURLAUTH_DIGEST : CURLAUTH_BASIC;
	if (auth && !strcmp(auth, "basic"))
		h->auth = CURLAUTH_BASIC;
	else if (auth && !strcmp(auth, "digest"))
		h->auth = CURLAUTH_DIGEST;
	else if (auth && !strcmp(auth, "any"))
		h->auth = CURLAUTH_ANY;
	else if (auth)
		return rig_drv_fail(ctx, -EINVAL, "power.auth: expected basic, digest or any, got '%s'", auth);
	return 0;
}

static int parse_generic(struct http *h, const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg)
{
	static const char *const generic_only[] = { "method", "on_url", "off_url", "on_body", "off_body",
						    "content_type", "state_url", "state_on", "state_off" };
	const char *on_re = rig_cfg_str(cfg, "state_on", NULL), *off_re = rig_cfg_str(cfg, "state_off", NULL);
	struct rig_errmsg e;

	if (h->prof != P_GENERIC) {
		for (size_t i = 0; i < RIG_ARRAY_SIZE(generic_only); i++)
			if (rig_cfg_has(cfg, generic_only[i]))
				return rig_drv_fail(ctx, -EINVAL, "power.%s: only for the generic profile",
						    generic_only[i]);
		return 0;
	}
	h->url_tpl[1] = rig_xstrdup(rig_cfg_str(cfg, "on_url", ""));
	h->url_tpl[0] = rig_xstrdup(rig_cfg_str(cfg, "off_url", ""));
	if (!h->url_tpl[0][0] || !h->url_tpl[1][0])
		return rig_drv_fail(ctx, -EINVAL, "power: the generic profile needs on_url and off_url");
	for (int i = 0; i < 2; i++) {
		if (has_userinfo(h->url_tpl[i]))
			return rig_drv_fail(ctx, -EINVAL, "power.%s_url: credentials in the URL are not accepted (use user and password_env, and {password} in the template)", i ? "on" : "off");
		if (!strstr(h->url_tpl[i], "://") && !h->base[0])
			return rig_drv_fail(ctx, -EINVAL, "power.%s_url: a relative URL needs url or host", i ? "on" : "off");
	}
	if (rig_cfg_has(cfg, "on_body"))
		h->body_tpl[1] = rig_xstrdup(rig_cfg_str(cfg, "on_body", ""));
	if (rig_cfg_has(cfg, "off_body"))
		h->body_tpl[0] = rig_xstrdup(rig_cfg_str(cfg, "off_body", ""));
	h->method = rig_xstrdup(rig_cfg_str(cfg, "method", h->body_tpl[0] || h->body_tpl[1] ? "POST" : "GET"));
	for (char *p = h->method; *p; p++)
		if (*p < 'A' || *p > 'Z')
			return rig_drv_fail(ctx, -EINVAL, "power.method: expected an HTTP method like GET or POST, got '%s'", h->method);
	h->content_type = rig_xstrdup(rig_cfg_str(cfg, "content_type", "application/json"));
	if (rig_cfg_has(cfg, "state_url")) {
		h->state_tpl = rig_xstrdup(rig_cfg_str(cfg, "state_url", ""));
		if (has_userinfo(h->state_tpl))
			return rig_drv_fail(ctx, -EINVAL, "power.state_url: credentials in the URL are not accepted");
		if (!on_re || !off_re)
			return rig_drv_fail(ctx, -EINVAL, "power: state_url needs both state_on and state_off (regexes); a reply matching neither is an error");
		if (rig_regex_new(on_re, 0, &h->re_on, &e) < 0)
			return rig_drv_fail(ctx, -EINVAL, "power.state_on: %s", e.text);
		if (rig_regex_new(off_re, 0, &h->re_off, &e) < 0)
			return rig_drv_fail(ctx, -EINVAL, "power.state_off: %s", e.text);
	} else if (on_re || off_re) {
		return rig_drv_fail(ctx, -EINVAL, "power: state_on and state_off need state_url");
	}
	return 0;
}

static void http_close(void *handle);

static int http_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, void **handle)
{
	static bool global_done;
	struct http *h = rig_xcalloc(1, sizeof(*h));
	int64_t timeout = rig_cfg_int(cfg, "timeout", 3000);
	int64_t retries = rig_cfg_int(cfg, "retries", 2);
	int64_t delay = rig_cfg_int(cfg, "retry_delay", 200);
	const char *user = rig_cfg_str(cfg, "user", NULL);
	int r;

	h->ctx = *ctx;
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			free(h);
			return rig_drv_fail(ctx, -EIO, "power: cannot initialise libcurl");
		}
		global_done = true;
	}
	r = parse_profile(h, ctx, cfg);
	if (r == 0)
		r = parse_generic(h, ctx, cfg);
	if (r == 0 && (timeout < 1 || timeout > 600000))
		r = rig_drv_fail(ctx, -EINVAL, "power.timeout: expected 1 to 600000 ms, got %lld", (long long)timeout);
	if (r == 0 && (retries < 0 || retries > 100))
		r = rig_drv_fail(ctx, -EINVAL, "power.retries: expected 0 to 100, got %lld", (long long)retries);
	if (r == 0 && (delay < 0 || delay > 600000))
		r = rig_drv_fail(ctx, -EINVAL, "power.retry_delay: expected 0 to 600000 ms, got %lld", (long long)delay);
	if (r == 0)
		r = read_secret(ctx, cfg, &h->secret);
	if (r < 0) {
		http_close(h);
		return r;
	}
	h->timeout_ms = (long)timeout;
	h->retries = (unsigned)retries;
	h->retry_delay_ns = (uint64_t)delay * RIG_NS_PER_MS;
	h->user = user ? rig_xstrdup(user) : NULL;
	if (h->secret)
		h->secret_esc = curl_easy_escape(NULL, h->secret, 0);
	h->multi = curl_multi_init();
	if (!h->multi) {
		http_close(h);
		return rig_drv_fail(ctx, -ENOMEM, "power: cannot initialise libcurl");
	}
	if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_ASYNCHDNS))
		rig_drv_event(ctx, "power.http.note", "{\"note\":\"this libcurl resolves names synchronously: "
			      "give the switch as an IP address, or a name lookup may stall the loop\"}");
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	*handle = h;
	return 0;
}

static void wipe(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
}

static void http_close(void *handle)
{
	struct http *h = handle;

	if (!h)
		return;
	h->done = NULL;
	rig_loop_cancel_timer(h->ctx.loop, h->retry_timer);
	drop_request(h);
	if (h->multi)
		curl_multi_cleanup(h->multi);   /* may call on_curl_timer / on_curl_socket */
	rig_loop_cancel_timer(h->ctx.loop, h->curl_timer);
	free(h->base);
	free(h->pdu);
	free(h->user);
	wipe(h->secret);
	free(h->secret);
	wipe(h->secret_esc);
	curl_free(h->secret_esc);
	free(h->method);
	for (int i = 0; i < 2; i++) {
		free(h->url_tpl[i]);
		wipe(h->body_tpl[i]);
		free(h->body_tpl[i]);
	}
	free(h->content_type);
	free(h->state_tpl);
	rig_regex_free(h->re_on);
	rig_regex_free(h->re_off);
	free(h);
}

static int http_set(void *handle, bool on, rig_power_done_fn *done, void *arg)
{
	struct http *h = handle;
	int r;

	if (h->phase != PH_IDLE)
		return rig_drv_fail(&h->ctx, -EBUSY, "a power request is already in flight");
	h->on = on;
	h->attempt = 0;
	h->why[0] = '\0';
	h->done = done;
	h->arg = arg;
	r = start_switch(h);
	if (r < 0) {
		h->done = NULL;
		h->phase = PH_IDLE;
	}
	return r;
}

static int http_get(void *handle, rig_power_done_fn *done, void *arg)
{
	struct http *h = handle;
	int r;

	if (!can_read(h))
		return rig_drv_fail(&h->ctx, -ENOTSUP, "the %s profile cannot read the state back",
				    profile_names[h->prof]);
	if (h->phase != PH_IDLE)
		return rig_drv_fail(&h->ctx, -EBUSY, "a power request is already in flight");
	h->why[0] = '\0';
	h->done = done;
	h->arg = arg;
	r = start_read(h, PH_GET);
	if (r < 0) {
		h->done = NULL;
		h->phase = PH_IDLE;
	}
	return r;
}

static void http_precision(void *handle, const char **text, uint64_t *ns)
{
	struct http *h = handle;

	if (h->prof == P_PDUDAEMON) {
		*text = "pdudaemon accepted the request into its queue; the PDU switches later "
			"(seconds: pdudaemon's own delays and retries)";
		*ns = 5 * RIG_NS_PER_S;
	}
}

const struct rig_power_ops rig_power_http = {
	.name = "http",
	.opts = http_opts,
	.precision = "the switch's HTTP reply to the request was received; the relay's switch time is "
		     "unknown (assume 50 ms; profile pdudaemon: 5 s)",
	.precision_ns = 50 * RIG_NS_PER_MS,
	.precision_of = http_precision,
	.open = http_open,
	.close = http_close,
	.set = http_set,
	.get = http_get,
	.confirms_off = true,
};
