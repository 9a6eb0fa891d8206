/* Power driver `http`: what each profile sends and how it reads the state
 * back, the options, and keeping the password out of everything shown. */
#include "http_int.h"
#include "readback.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const rig_pwhttp_profile_names[P_GENERIC + 1] = { "tasmota", "shelly1", "shelly2", "pdudaemon", "generic" };

/* ---- secrets ---- */

/* Replace every occurrence of the secret (raw or URL-escaped) by ***. */
void rig_pwhttp_scrub(const struct http *h, char *s, size_t cap)
{
	const char *secrets[] = { h->secret, h->secret_esc };

	for (size_t i = 0; i < RIG_ARRAY_SIZE(secrets); i++) {
		const char *sec = secrets[i];
		size_t n = sec ? strlen(sec) : 0;
		char *p, *from = s;

		if (!n)
			continue;
		/* search on after each *** (a password may be "*") */
		while ((p = strstr(from, sec))) {
			size_t off = (size_t)(p - s), tail = strlen(p + n);

			if (off + 3 >= cap) {
				*p = '\0';   /* no room for ***: cut the secret off */
				break;
			}
			if (off + 3 + tail + 1 > cap)
				tail = cap - off - 3 - 1;
			memmove(p + 3, p + n, tail);
			memcpy(p, "***", 3);
			p[3 + tail] = '\0';
			from = p + 3;
		}
	}
}

int rig_pwhttp_read_secret(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, char **out)
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
bool rig_pwhttp_has_userinfo(const char *url)
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
char *rig_pwhttp_expand(const struct http *h, const char *tpl, bool on, bool redact, bool escape)
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
	char *path = rig_pwhttp_expand(h, tpl, on, redact, true);
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

char *rig_pwhttp_switch_url(const struct http *h, bool on, bool redact)
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

bool rig_pwhttp_can_read(const struct http *h)
{
	return h->prof != P_PDUDAEMON && !(h->prof == P_GENERIC && !h->state_tpl);
}

char *rig_pwhttp_state_url(const struct http *h, bool redact)
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
int rig_pwhttp_reply_state(const struct http *h, bool readback, enum rig_power_state *st)
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

/* A short, printable excerpt of the reply for messages. The whole reply is
 * scrubbed before it is cut: a cut through the password would leave a piece
 * of it that no longer matches. */
void rig_pwhttp_excerpt(const struct http *h, char *out, size_t cap)
{
	static char all[BODY_MAX + 1];
	size_t n = 0;

	for (size_t i = 0; i < h->body_len; i++) {
		unsigned char c = (unsigned char)h->body[i];

		all[n++] = c >= 0x20 && c < 0x7f ? (char)c : ' ';
	}
	all[n] = '\0';
	rig_pwhttp_scrub(h, all, sizeof(all));
	snprintf(out, cap, "%.80s", all);
	explicit_bzero(all, n);
}

/* ---- options ---- */

int rig_pwhttp_parse_profile(struct http *h, const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg)
{
	const char *prof = rig_cfg_str(cfg, "profile", "");
	const char *url = rig_cfg_str(cfg, "url", NULL);
	const char *host = rig_cfg_str(cfg, "host", NULL);
	const char *auth = rig_cfg_str(cfg, "auth", NULL);
	size_t i;

	for (i = 0; i < RIG_ARRAY_SIZE(rig_pwhttp_profile_names); i++)
		if (!strcmp(prof, rig_pwhttp_profile_names[i]))
			break;
	if (i == RIG_ARRAY_SIZE(rig_pwhttp_profile_names))
		return rig_drv_fail(ctx, -EINVAL, "power.profile: expected tasmota, shelly1, shelly2, pdudaemon or generic, got '%s'", prof);
	h->prof = (enum profile)i;
	if (url && host)
		return rig_drv_fail(ctx, -EINVAL, "power: give url or host, not both");
	if (url && rig_pwhttp_has_userinfo(url))
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

int rig_pwhttp_parse_generic(struct http *h, const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg)
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
		if (rig_pwhttp_has_userinfo(h->url_tpl[i]))
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
		if (rig_pwhttp_has_userinfo(h->state_tpl))
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
