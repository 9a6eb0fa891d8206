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
#include "http_int.h"
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *const phase_names[] = { "idle", "switch", "read-back", "status" };

static int fail(struct http *h, int err, const char *fmt, ...) RIG_PRINTF(3, 4);
static int fail(struct http *h, int err, const char *fmt, ...)
{
	char msg[RIG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rig_pwhttp_scrub(h, msg, sizeof(msg));
	return rig_drv_fail(&h->ctx, err, "%s", msg);
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
		body = b = rig_pwhttp_expand(h, h->body_tpl[on], on, false, false);
	r = request(h, PH_SWITCH, rig_pwhttp_switch_url(h, on, false), rig_pwhttp_switch_url(h, on, true),
		    h->prof == P_GENERIC ? h->method : "GET", body);
	if (b) {
		explicit_bzero(b, strlen(b));
		free(b);
	}
	return r;
}

static int start_read(struct http *h, enum phase phase)
{
	return request(h, phase, rig_pwhttp_state_url(h, false), rig_pwhttp_state_url(h, true), "GET", NULL);
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

	rig_pwhttp_scrub(h, h->errbuf, sizeof(h->errbuf));
	if (res != CURLE_OK)
		snprintf(text, sizeof(text), "%.150s", h->too_big ? "reply larger than 16 KiB" :
			 h->errbuf[0] ? h->errbuf : curl_easy_strerror(res));
	else if (!ok) {
		rig_pwhttp_excerpt(h, ex, sizeof(ex));
		snprintf(text, sizeof(text), "HTTP %ld%s%s", code, ex[0] ? ": " : "", ex);
	}
	rig_pwhttp_scrub(h, text, sizeof(text));
	if (ok)
		parsed = rig_pwhttp_reply_state(h, phase != PH_SWITCH, &st);

	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_str(&j, "op", phase == PH_GET ? "status" : h->on ? "on" : "off");
	rig_json_kv_str(&j, "phase", phase_names[phase]);
	rig_json_kv_str(&j, "profile", rig_pwhttp_profile_names[h->prof]);
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
		rig_pwhttp_excerpt(h, ex, sizeof(ex));
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
		if (!h->on && rig_pwhttp_can_read(h)) {
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
	r = rig_pwhttp_parse_profile(h, ctx, cfg);
	if (r == 0)
		r = rig_pwhttp_parse_generic(h, ctx, cfg);
	if (r == 0 && (timeout < 1 || timeout > 600000))
		r = rig_drv_fail(ctx, -EINVAL, "power.timeout: expected 1 to 600000 ms, got %lld", (long long)timeout);
	if (r == 0 && (retries < 0 || retries > 100))
		r = rig_drv_fail(ctx, -EINVAL, "power.retries: expected 0 to 100, got %lld", (long long)retries);
	if (r == 0 && (delay < 0 || delay > 600000))
		r = rig_drv_fail(ctx, -EINVAL, "power.retry_delay: expected 0 to 600000 ms, got %lld", (long long)delay);
	if (r == 0)
		r = rig_pwhttp_read_secret(ctx, cfg, &h->secret);
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

	if (!rig_pwhttp_can_read(h))
		return rig_drv_fail(&h->ctx, -ENOTSUP, "the %s profile cannot read the state back",
				    rig_pwhttp_profile_names[h->prof]);
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
