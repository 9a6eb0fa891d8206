/* The update client: download (resumable, Range-aware), verify (digest,
 * signature, hardware), install into the other slot, switch, mark good.
 * Robust by default; each flawed variant breaks one rule on purpose (see
 * `rig-sim variants`). */
#include "sim.h"

#include <curl/curl.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096

static char datadir[4096];

static const char *ddir(void)
{
	snprintf(datadir, sizeof(datadir), "%s/data", sim.state);
	return datadir;
}

/* ---- client state: its own file, apart from the environment ---- */

struct cstate {
	char url[1024];
	char phase[32];
};

static void state_write(const struct cstate *s)
{
	char buf[1200];
	int n = snprintf(buf, sizeof(buf), "phase=%s\nurl=%s\n", s->phase, s->url);
	struct sim_file *f = sim_file_open(ddir(), "updater.state.new", 4096, 0.5);

	sim_file_truncate(f, 0);
	sim_file_write(f, 0, buf, (size_t)n);
	if (!sim_variant("no-fsync-rename"))
		sim_file_sync(f);
	sim_rename(ddir(), "updater.state.new", "updater.state");
	sim_dir_sync(ddir());
}

/* 0 ok, 1 absent (fresh device), -1 corrupt */
static int state_read(struct cstate *s)
{
	struct sim_file *f;
	char buf[1200];
	size_t n;

	memset(s, 0, sizeof(*s));
	if (!sim_exists(ddir(), "updater.state"))
		return 1;
	f = sim_file_open(ddir(), "updater.state", 4096, 0.5);
	n = sim_file_size(f) < sizeof(buf) - 1 ? sim_file_size(f) : sizeof(buf) - 1;
	memcpy(buf, sim_file_data(f), n);
	buf[n] = '\0';
	if (sscanf(buf, "phase=%31[^\n]\nurl=%1023[^\n]", s->phase, s->url) < 1)
		return -1;
	return 0;
}

/* ---- download ---- */

struct dl {
	struct sim_file *part;
	size_t off, total;
	bool ranged, started;
	long code;
	int last_pct;
	CURL *c;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *arg)
{
	struct dl *d = arg;
	size_t n = sz * nm;

	if (!d->started) {
		d->started = true;
		curl_easy_getinfo(d->c, CURLINFO_RESPONSE_CODE, &d->code);
		if (d->ranged && d->code == 200) {
			/* the server ignored Range: start over, never append */
			sim_line("updater: server ignored Range, restarting from 0");
			d->off = 0;
			sim_file_truncate(d->part, 0);
		}
	}
	sim_file_write(d->part, d->off, p, n);
	d->off += n;
	if (d->off / 65536 != (d->off - n) / 65536)
		sim_file_sync(d->part);   /* progress survives a cut */
	if (d->total) {
		int pct = (int)(100.0 * (double)d->off / (double)d->total);

		if (pct / 25 != d->last_pct / 25) {
			sim_line("updater: download %d%%", pct);
			d->last_pct = pct;
		}
	}
	return n;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *arg)
{
	struct dl *d = arg;
	unsigned long long a, b, t;

	if (sscanf(p, "Content-Range: bytes %llu-%llu/%llu", &a, &b, &t) == 3 ||
	    sscanf(p, "content-range: bytes %llu-%llu/%llu", &a, &b, &t) == 3)
		d->total = (size_t)t;
	else if (sscanf(p, "Content-Length: %llu", &a) == 1 || sscanf(p, "content-length: %llu", &a) == 1)
		if (!d->total)
			d->total = (size_t)a + (d->ranged ? d->off : 0);
	return sz * nm;
}

static int download(const char *url, struct sim_file *part, bool resume)
{
	struct dl d = { .part = part, .last_pct = -1 };
	char range[64];
	CURLcode rc;
	int ret = 0;

	d.c = curl_easy_init();
	if (resume && sim_file_size(part) > 0) {
		d.off = sim_file_size(part);
		d.ranged = true;
		snprintf(range, sizeof(range), "%zu-", d.off);
		curl_easy_setopt(d.c, CURLOPT_RANGE, range);
		sim_line("updater: resuming at byte %zu", d.off);
	} else {
		sim_file_truncate(part, 0);
	}
	curl_easy_setopt(d.c, CURLOPT_URL, url);
	curl_easy_setopt(d.c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(d.c, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(d.c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(d.c, CURLOPT_HEADERDATA, &d);
	curl_easy_setopt(d.c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(d.c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d.c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(d.c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(d.c, CURLOPT_LOW_SPEED_TIME, 2L);
	curl_easy_setopt(d.c, CURLOPT_SSL_VERIFYPEER, 0L);
	rc = curl_easy_perform(d.c);
	if (rc == CURLE_HTTP_RETURNED_ERROR && d.ranged) {
		long code = 0;

		curl_easy_getinfo(d.c, CURLINFO_RESPONSE_CODE, &code);
		if (code == 416) {
			/* the partial download does not fit this artifact: start over */
			sim_line("updater: stale partial download, restarting");
			d.ranged = false;
			d.started = false;
			d.off = 0;
			d.total = 0;
			sim_file_truncate(part, 0);
			curl_easy_setopt(d.c, CURLOPT_RANGE, NULL);
			rc = curl_easy_perform(d.c);
		}
	}
	if (rc != CURLE_OK) {
		sim_line("updater: error: download failed: %s", curl_easy_strerror(rc));
		ret = -1;
	}
	sim_file_sync(part);
	curl_easy_cleanup(d.c);
	return ret;
}

/* ---- install ---- */

static int fail(const char *fmt, const char *a, const char *b)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, a, b);
	sim_line("updater: error: %s", msg);
	return 1;
}

static void hex_of(const uint8_t *d, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int verify(const uint8_t *img, size_t n, const char *sha, const char *url, struct sim_image_hdr *h)
{
	if (sim_image_parse(img, n, h) < 0)
		return fail("not an update image (%s%s)", url, "");
	if (!sim_variant("no-verify")) {
		char hex[65];

		if (sha && *sha) {
			rig_sha256_hex(img, n, hex);
			if (strcmp(hex, sha))
				return fail("digest mismatch: got %s, expected %s", hex, sha);
		}
		if (!sim_image_sig_ok(h))
			return fail("signature invalid%s%s", "", "");
		if (!sim_image_payload_ok(img, n, h)) {
			hex_of(h->payload_sha, hex);
			return fail("payload corrupt (expected %s%s)", hex, "");
		}
	}
	if (!sim_variant("no-hwcheck") && strcmp(h->hw, sim.hw))
		return fail("wrong hardware (image for %s, device is %s)", h->hw, sim.hw);
	return 0;
}

/* The client is idle again: state, partial download and lock cleared. */
static void finish(struct cstate *st, struct sim_file *part, struct sim_file *lock)
{
	snprintf(st->phase, sizeof(st->phase), "idle");
	st->url[0] = '\0';
	state_write(st);
	sim_file_truncate(part, 0);
	sim_file_sync(part);
	if (lock)
		sim_unlink(ddir(), "updater.lock");
}

static int install(const char *url, const char *sha)
{
	struct cstate st;
	struct sim_file *part, *slot, *lock = NULL;
	struct sim_image_hdr h;
	struct sim_env env;
	int bad, target, r;
	const uint8_t *img;
	size_t n;

	if (sim_variant("stale-lock")) {
		if (sim_exists(ddir(), "updater.lock"))
			return fail("locked (%s%s)", "another install is running", "");
		lock = sim_file_open(ddir(), "updater.lock", 4096, 0.5);
		sim_file_sync(lock);
	}
	r = state_read(&st);
	if (r < 0)
		return fail("client state corrupt (%s%s)", "data/updater.state", "");
	part = sim_file_open(ddir(), "download.part", 4096, 0.2);
	{
		bool resume = r == 0 && !strcmp(st.phase, "downloading") && !strcmp(st.url, url);

		snprintf(st.phase, sizeof(st.phase), "downloading");
		snprintf(st.url, sizeof(st.url), "%s", url);
		state_write(&st);
		sim_line("updater: downloading %s", url);
		if (download(url, part, resume) < 0) {
			if (resume && sim_file_size(part) == 0)
				sim_line("updater: the partial download was dropped");
			return 1;
		}
	}
	img = sim_file_data(part);
	n = sim_file_size(part);
	r = verify(img, n, sha, url, &h);
	if (r) {
		/* Refused: forget the download, so the next attempt starts clean. */
		finish(&st, part, lock);
		return r;
	}

	sim_line("updater: installing %s", h.version);
	target = sim_variant("inplace") ? sim.booted : !sim.booted;
	sim_env_load(&env, &bad);
	/* Prepare: the target boots next once valid; until then it is invalid. */
	env.order[0] = (char)('A' + target);
	env.order[1] = (char)('A' + !target);
	env.order[2] = '\0';
	if (!sim_variant("no-invalidate") && !sim_variant("inplace"))
		env.valid[target] = 0;
	sim_env_save(&env);
	slot = sim_slot(target);
	sim_file_truncate(slot, SIM_HDR_SIZE + h.payload_size);
	/* Only the bytes downloaded: a client that skips verification writes a
	 * truncated image as far as it goes and leaves the rest of the slot. */
	size_t have = n < SIM_HDR_SIZE + h.payload_size ? n : SIM_HDR_SIZE + h.payload_size;
	for (size_t off = 0; off < have; off += CHUNK) {
		size_t k = have - off < CHUNK ? have - off : CHUNK;

		sim_file_write(slot, off, img + off, k);
		sim_sleep_ms(3);
		/* write-back as it goes, like the kernel does for a big write */
		if ((off / CHUNK) % 16 == 15 && !sim_variant("switch-before-sync"))
			sim_file_sync(slot);
	}
	if (!sim_variant("switch-before-sync"))
		sim_file_sync(slot);
	env.valid[target] = 1;
	env.good[target] = 0;
	env.left[target] = 3;
	if (sim_variant("ack-before-durable")) {
		sim_line("updater: installed %s into slot %c", h.version, 'A' + target);
		sim_sleep_ms(200);
		sim_env_save(&env);
	} else {
		sim_env_save(&env);
		if (sim_variant("switch-before-sync"))
			sim_file_sync(slot);
	}
	finish(&st, part, lock);
	if (!sim_variant("ack-before-durable"))
		sim_line("updater: installed %s into slot %c", h.version, 'A' + target);
	return 0;
}

static void reboot_soon(int sig)
{
	(void)sig;
	sim_reboot();
}

static int mark_good(void)
{
	struct sim_env env;
	int bad;

	sim_env_load(&env, &bad);
	if (sim_variant("good-before-health")) {
		env.good[sim.booted] = 1;
		env.left[sim.booted] = 3;
		sim_env_save(&env);
	}
	if (!sim_health_ok()) {
		sim_line("updater: error: health check failed");
		signal(SIGALRM, reboot_soon);
		alarm(1);
		return 1;
	}
	env.good[sim.booted] = 1;
	env.left[sim.booted] = 3;
	if (!sim_variant("lazy-mark-good"))
		sim_env_save(&env);   /* the flawed client "commits" in memory only */
	sim.trial = false;
	sim_line("updater: marked good (slot %c)", 'A' + sim.booted);
	return 0;
}

static int status(void)
{
	struct sim_env env;
	int bad, o = !sim.booted;
	struct sim_image_hdr oh;
	struct sim_file *f = sim_slot(o);
	bool ook;

	sim_env_load(&env, &bad);
	ook = env.valid[o] && sim_image_parse(sim_file_data(f), sim_file_size(f), &oh) == 0;
	sim_line("booted=%c", 'A' + sim.booted);
	sim_line("version=%s", sim.img.version);
	sim_line("trial=%s", env.good[sim.booted] || !sim.trial ? "no" : "yes");
	sim_line("next=%c", env.order[0]);
	sim_line("other=%c", 'A' + o);
	sim_line("other_version=%s", ook ? oh.version : "-");
	return 0;
}

int sim_updater(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "install"))
		return install(argv[2], argc >= 4 ? argv[3] : NULL);
	if (argc == 2 && !strcmp(argv[1], "mark-good"))
		return mark_good();
	if (argc == 2 && !strcmp(argv[1], "status"))
		return status();
	sim_line("usage: updater install URL [SHA256] | mark-good | status");
	return 2;
}
