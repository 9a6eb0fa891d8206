/* Reports from the store to files. */
#include "report_out.h"
#include "reports/junit.h"
#include "reports/html.h"
#include "reports/json_report.h"
#include "reports/model.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONSOLE_TAIL 8192

struct tl {
	char *buf;
	size_t len;
	uint64_t t0;
};

static void add_event(void *arg, uint64_t t_ns, const char *kind, const char *detail)
{
	struct tl *t = arg;
	char line[1200];
	int n;

	if (!t->t0)
		t->t0 = t_ns;
	n = snprintf(line, sizeof(line), "%+9.3fs %-18s %s\n", (double)(t_ns - t->t0) / 1e9, kind,
		     detail ? detail : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	t->buf = rig_xrealloc(t->buf, t->len + (size_t)n + 1);
	memcpy(t->buf + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
}

int rig_report_junit_file(const char *path, struct rig_store *st, const int64_t *ids, size_t n,
			  struct rig_errmsg *err)
{
	struct rig_run_result *runs = NULL;
	struct rig_junit_extra *extra;
	char **consoles;
	struct tl *tls;
	size_t nruns = 0;
	FILE *f;
	int r;

	r = rig_store_runs(st, ids, n, &runs, &nruns);
	if (r < 0) {
		rig_errmsg_set(err, "reading results: %s", rig_store_error(st));
		return r;
	}
	extra = rig_xcalloc(nruns ? nruns : 1, sizeof(*extra));
	consoles = rig_xcalloc(nruns ? nruns : 1, sizeof(char *));
	tls = rig_xcalloc(nruns ? nruns : 1, sizeof(*tls));
	for (size_t i = 0; i < nruns; i++) {
		size_t len = 0;

		rig_store_events(st, runs[i].id, add_event, &tls[i]);
		extra[i].timeline = tls[i].buf;
		if (rig_store_console_text(st, runs[i].id, &consoles[i], &len) == 0) {
			size_t off = len > CONSOLE_TAIL ? len - CONSOLE_TAIL : 0;

			extra[i].console = consoles[i] + off;
			extra[i].console_len = len - off;
		}
	}
	f = fopen(path, "w");
	if (!f) {
		rig_errmsg_set(err, "cannot write %s: %s", path, strerror(errno));
		r = -errno;
	} else {
		r = rig_junit_write(f, "rig", runs, extra, nruns);
		if (fclose(f) != 0 || r < 0) {
			rig_errmsg_set(err, "cannot write %s", path);
			r = -EIO;
		}
	}
	for (size_t i = 0; i < nruns; i++) {
		free(consoles[i]);
		free(tls[i].buf);
	}
	free(consoles);
	free(tls);
	free(extra);
	rig_store_results_free(runs, nruns);
	return r;
}

static int write_file(const char *path, struct rig_store *st, const struct rig_report_model *m, bool html,
		      struct rig_errmsg *err)
{
	char *tmp = rig_xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int r;

	if (!f) {
		rig_errmsg_set(err, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -errno;
	}
	r = html ? rig_html_write(f, st, m) : rig_json_report_write(f, m);
	if (fclose(f) != 0)
		r = -1;
	if (r < 0 || rename(tmp, path) < 0) {
		rig_errmsg_set(err, "%s: write failed: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -EIO;
	}
	free(tmp);
	return 0;
}

int rig_report_write(struct rig_store *st, const struct rig_report_req *req, struct rig_errmsg *err)
{
	struct rig_report_model m;
	int r;

	r = rig_report_model_load(st, req->campaign_id, &m, err);
	if (r < 0)
		return r;
	if (req->html && (r = write_file(req->html, st, &m, true, err)) < 0)
		goto out;
	if (req->json && (r = write_file(req->json, st, &m, false, err)) < 0)
		goto out;
	if (req->junit) {
		int64_t *ids = rig_xcalloc(m.nrows + 1, sizeof(int64_t));
		size_t n = 0;

		for (size_t i = 0; i < m.nrows; i++)
			if (m.final[i])
				ids[n++] = m.rows[i].id;
		r = n ? rig_report_junit_file(req->junit, st, ids, n, err) : 0;
		if (!n) {
			FILE *f = fopen(req->junit, "w");

			if (f) {
				fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"0\"/>\n", f);
				fclose(f);
			}
		}
		free(ids);
	}
out:
	rig_report_model_free(&m);
	return r;
}
