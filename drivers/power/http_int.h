/* Internals of the power driver `http` (drivers/power/http.c): the handle,
 * and what each profile sends and reads (http_profile.c). */
#ifndef RIG_POWER_HTTP_INT_H
#define RIG_POWER_HTTP_INT_H

#include "driver.h"
#include "regex.h"

#include <curl/curl.h>

enum profile { P_TASMOTA, P_SHELLY1, P_SHELLY2, P_PDUDAEMON, P_GENERIC };
extern const char *const rig_pwhttp_profile_names[P_GENERIC + 1];

enum phase { PH_IDLE, PH_SWITCH, PH_READBACK, PH_GET };

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

/* Replace every occurrence of the password (raw or URL-escaped) in s by ***. */
void rig_pwhttp_scrub(const struct http *h, char *s, size_t cap);
/* A short printable excerpt of the reply, scrubbed before it is cut. */
void rig_pwhttp_excerpt(const struct http *h, char *out, size_t cap);
/* The password from password_env or password_file (*out NULL if none). */
int rig_pwhttp_read_secret(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, char **out);
bool rig_pwhttp_has_userinfo(const char *url);
/* Expand a template; redact puts *** for the password, escape URL-escapes it. */
char *rig_pwhttp_expand(const struct http *h, const char *tpl, bool on, bool redact, bool escape);
/* The URL switching on/off, and the read-back URL (NULL: the profile has none);
 * redact: the form that may be shown. */
char *rig_pwhttp_switch_url(const struct http *h, bool on, bool redact);
char *rig_pwhttp_state_url(const struct http *h, bool redact);
bool rig_pwhttp_can_read(const struct http *h);
/* The state in h->body: 0, -ENOENT (none in it) or -EINVAL. */
int rig_pwhttp_reply_state(const struct http *h, bool readback, enum rig_power_state *st);
/* The options: profile, base URL, channel, auth; then the generic templates. */
int rig_pwhttp_parse_profile(struct http *h, const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg);
int rig_pwhttp_parse_generic(struct http *h, const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg);

#endif
