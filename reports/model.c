/* The campaign model behind every report (model.h). */
#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rig_wilson rig_wilson95(unsigned k, unsigned n)
{
	struct rig_wilson w = { .n = n, .k = k, .p = NAN, .lo = NAN, .hi = NAN };
	const double z = 1.959963984540054;
	double p, z2n, centre, half;

	if (!n)
		return w;
	p = (double)k / n;
	z2n = z * z / n;
	centre = (p + z2n / 2) / (1 + z2n);
	half = z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z2n);
	w.p = p;
	w.lo = centre - half < 0 ? 0 : centre - half;
	w.hi = centre + half > 1 ? 1 : centre + half;
	return w;
}

char *rig_job_test(const char *job, const char *scenario)
{
	const char *c, *s;

	if (job && (c = strchr(job, ':')) && (s = strchr(c, '/')))
		return rig_xstrndup(c + 1, (size_t)(s - c - 1));
	if (scenario) {
		const char *b = strrchr(scenario, '/');
		const char *e;

		b = b ? b + 1 : scenario;
		e = strstr(b, ".lua");
		return e ? rig_xstrndup(b, (size_t)(e - b)) : rig_xstrdup(b);
	}
	return rig_xstrdup("?");
}

bool rig_event_is_cut(const char *kind)
{
	return !strcmp(kind, "trigger.done") || !strcmp(kind, "cut");
}

void rig_counts_add(struct rig_counts *c, const char *v, bool infra)
{
	if (!v || !strcmp(v, "error")) {
		c->error++;
		c->infra += infra;
	} else if (!strcmp(v, "pass")) {
		c->pass++;
	} else if (!strcmp(v, "fail")) {
		c->fail++;
	} else if (!strcmp(v, "brick")) {
		c->brick++;
	} else if (!strcmp(v, "inconclusive")) {
		c->inconclusive++;
	} else {
		c->skip++;
	}
}

static struct rig_wilson survival(const struct rig_counts *c)
{
	return rig_wilson95(c->pass, c->pass + c->fail + c->brick);
}

static size_t intern(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return i;
	*v = rig_xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[*n] = rig_xstrdup(s);
	return (*n)++;
}

static bool is_health(const struct rig_run_result *r)
{
	return r->kind && !strcmp(r->kind, "health");
}

/* Final rows: per job, the last row that ended (not interrupted). */
static void mark_final(struct rig_report_model *m)
{
	m->final = rig_xcalloc(m->nrows ? m->nrows : 1, sizeof(bool));
	for (size_t i = 0; i < m->nrows; i++) {
		const struct rig_run_result *r = &m->rows[i];
		bool later = false;

		if (is_health(r)) {
			m->health++;
			m->health_failed += r->verdict && strcmp(r->verdict, "pass") != 0;
			continue;
		}
		if (!r->verdict || !strcmp(r->verdict, "interrupted")) {
			m->interrupted++;
			continue;
		}
		for (size_t j = i + 1; j < m->nrows && !later && !strcmp(r->verdict, "error"); j++) {
			const struct rig_run_result *x = &m->rows[j];

			later = x->job && r->job && !strcmp(x->job, r->job) && x->verdict && !is_health(x) &&
				strcmp(x->verdict, "interrupted") != 0;
		}
		if (later && !strcmp(r->verdict, "error")) {
			m->retried++;
			continue;
		}
		if (later)
			continue;   /* cannot happen: only errors are retried */
		m->final[i] = true;
		m->nfinal++;
	}
}

static int load_trends(struct rig_store *st, struct rig_report_model *m)
{
	struct rig_campaign_row *cs = NULL;
	size_t n = 0;

	if (rig_store_campaigns(st, 0, m->camp.name, &cs, &n) < 0)
		return -EIO;
	for (size_t i = 0; i < n && cs[i].id <= m->camp.id; i++) {
		struct rig_run_result *rows = NULL;
		size_t nr = 0;
		struct rig_trend *t;

		if (rig_store_campaign_runs(st, cs[i].id, &rows, &nr) < 0)
			break;
		m->trends = rig_xrealloc(m->trends, (m->ntrends + 1) * sizeof(*m->trends));
		t = &m->trends[m->ntrends++];
		memset(t, 0, sizeof(*t));
		t->id = cs[i].id;
		t->wall_start_ns = cs[i].wall_start_ns;
		t->status = cs[i].status ? rig_xstrdup(cs[i].status) : NULL;
		{
			struct rig_report_model tmp = { .rows = rows, .nrows = nr };

			mark_final(&tmp);
			for (size_t k = 0; k < nr; k++)
				if (tmp.final[k]) {
					rig_counts_add(&t->c, rows[k].verdict, rows[k].infra);
					t->runs++;
				}
			free(tmp.final);
		}
		t->w = survival(&t->c);
		rig_store_results_free(rows, nr);
	}
	rig_store_campaigns_free(cs, n);
	return 0;
}

int rig_report_model_load(struct rig_store *st, int64_t id, struct rig_report_model *m, struct rig_errmsg *err)
{
	struct rig_campaign_row *cs = NULL;
	size_t n = 0;

	memset(m, 0, sizeof(*m));
	if (rig_store_campaigns(st, id, NULL, &cs, &n) < 0) {
		rig_errmsg_set(err, "reading campaigns: %s", rig_store_error(st));
		return -EIO;
	}
	if (!n) {
		if (id)
			rig_errmsg_set(err, "no campaign %lld in the database", (long long)id);
		else
			rig_errmsg_set(err, "no campaign in the database");
		free(cs);
		return -ENOENT;
	}
	m->camp = cs[n - 1];
	for (size_t i = 0; i + 1 < n; i++) {
		struct rig_campaign_row *c = &cs[i];

		free(c->name);
		free(c->file);
		free(c->spec_hash);
		free(c->host);
		free(c->status);
		free(c->findings_json);
	}
	free(cs);
	if (rig_store_campaign_runs(st, m->camp.id, &m->rows, &m->nrows) < 0) {
		rig_errmsg_set(err, "reading runs: %s", rig_store_error(st));
		return -EIO;
	}
	mark_final(m);
	m->test = rig_xcalloc(m->nrows ? m->nrows : 1, sizeof(char *));
	for (size_t i = 0; i < m->nrows; i++) {
		const struct rig_run_result *r = &m->rows[i];

		m->test[i] = is_health(r) ? rig_xstrdup("health") : rig_job_test(r->job, r->scenario);
		if (!m->final[i])
			continue;
		intern(&m->tests, &m->ntests, m->test[i]);
		intern(&m->devices, &m->ndevices, r->device_id);
	}
	m->cells = rig_xcalloc(m->ntests * m->ndevices + 1, sizeof(*m->cells));
	for (size_t t = 0; t < m->ntests; t++)
		for (size_t d = 0; d < m->ndevices; d++) {
			m->cells[t * m->ndevices + d].test = m->tests[t];
			m->cells[t * m->ndevices + d].device = m->devices[d];
		}
	for (size_t i = 0; i < m->nrows; i++) {
		const struct rig_run_result *r = &m->rows[i];

		if (!m->final[i])
			continue;
		size_t t = intern(&m->tests, &m->ntests, m->test[i]);
		size_t d = intern(&m->devices, &m->ndevices, r->device_id);

		rig_counts_add(&m->cells[t * m->ndevices + d].c, r->verdict, r->infra);
		rig_counts_add(&m->total, r->verdict, r->infra);
	}
	for (size_t k = 0; k < m->ntests * m->ndevices; k++)
		m->cells[k].w = survival(&m->cells[k].c);
	m->total_w = survival(&m->total);
	if (load_trends(st, m) < 0) {
		rig_errmsg_set(err, "reading earlier campaigns: %s", rig_store_error(st));
		return -EIO;
	}
	return 0;
}

void rig_report_model_free(struct rig_report_model *m)
{
	free(m->camp.name);
	free(m->camp.file);
	free(m->camp.spec_hash);
	free(m->camp.host);
	free(m->camp.status);
	free(m->camp.findings_json);
	for (size_t i = 0; i < m->nrows; i++)
		free(m->test ? m->test[i] : NULL);
	free(m->test);
	rig_store_results_free(m->rows, m->nrows);
	free(m->final);
	for (size_t i = 0; i < m->ntests; i++)
		free(m->tests[i]);
	free(m->tests);
	for (size_t i = 0; i < m->ndevices; i++)
		free(m->devices[i]);
	free(m->devices);
	free(m->cells);
	for (size_t i = 0; i < m->ntrends; i++)
		free(m->trends[i].status);
	free(m->trends);
	memset(m, 0, sizeof(*m));
}
