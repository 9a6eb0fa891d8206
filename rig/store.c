/* The results store: SQLite in WAL mode, so every event and console byte is
 * durable against the death of the rig as soon as it is committed (see
 * store.h). Attached to a loop, the records of one loop iteration share one
 * transaction, committed when the iteration's callbacks are done; otherwise
 * each statement commits on its own. */
#include "store.h"
#include "loop.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SCHEMA_VERSION 2

struct rig_store {
	sqlite3 *db;
	sqlite3_stmt *ins_event, *ins_console, *ins_run, *end_run;
	struct rig_loop *loop;       /* NULL: autocommit */
	struct rig_timer *commit;    /* set while a transaction is open */
	char err[512];
	/* With a loop, checkpoints (WAL copy-back and its fsyncs) run on a
	 * thread with its own connection, woken by the WAL hook: the loop
	 * never waits for the disk there. */
	char *path;
	pthread_t ckpt;
	pthread_mutex_t ckpt_mu;
	pthread_cond_t ckpt_cv;
	bool ckpt_on, ckpt_due, ckpt_stop;
};

#define CKPT_FRAMES 1000   /* SQLite's own auto-checkpoint threshold */

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS runs ("
	"  id INTEGER PRIMARY KEY,"
	"  campaign TEXT, scenario TEXT NOT NULL, device_id TEXT NOT NULL, device_name TEXT,"
	"  params_json TEXT, seed INTEGER, host TEXT, rig_version TEXT,"
	"  wall_start INTEGER, wall_end INTEGER, t_start INTEGER, t_end INTEGER,"
	"  verdict TEXT, outcome TEXT, message TEXT);"
	"CREATE TABLE IF NOT EXISTS campaigns ("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL, file TEXT NOT NULL, seed INTEGER,"
	"  spec_hash TEXT, host TEXT, wall_start INTEGER, wall_end INTEGER, status TEXT,"
	"  findings_json TEXT);"
	"CREATE TABLE IF NOT EXISTS events ("
	"  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  t_ns INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT);"
	"CREATE TABLE IF NOT EXISTS console ("
	"  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  t_ns INTEGER NOT NULL, stream TEXT NOT NULL, bytes BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS events_run ON events(run_id, t_ns);"
	"CREATE INDEX IF NOT EXISTS console_run ON console(run_id, t_ns);"
	"CREATE INDEX IF NOT EXISTS runs_device ON runs(device_id, id);";

/* Schema 2: campaigns, and per run its job, attempt, kind, device spec,
 * artifacts and where its cut was planned and landed. */
static const char *const v2_columns[] = {
	"campaign_id INTEGER", "job TEXT", "attempt INTEGER DEFAULT 0", "kind TEXT DEFAULT 'run'",
	"device_spec TEXT", "artifacts_json TEXT", "cut_planned REAL", "cut_actual REAL",
	"cut_unit TEXT", "cut_landed TEXT", "infra INTEGER DEFAULT 0", NULL,
};

static int add_v2_columns(sqlite3 *db, char **errmsg)
{
	for (size_t i = 0; v2_columns[i]; i++) {
		char sql[160];
		sqlite3_stmt *q;
		bool have = false;
		size_t n = strcspn(v2_columns[i], " ");

		if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('runs') WHERE name = ?", -1, &q,
				       NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_text(q, 1, v2_columns[i], (int)n, SQLITE_STATIC);
		have = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_finalize(q);
		if (have)
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE runs ADD COLUMN %s", v2_columns[i]);
		if (sqlite3_exec(db, sql, NULL, NULL, errmsg) != SQLITE_OK)
			return -1;
	}
	return sqlite3_exec(db, "CREATE INDEX IF NOT EXISTS runs_campaign ON runs(campaign_id, id)", NULL, NULL,
			    errmsg) == SQLITE_OK ? 0 : -1;
}

static int fail(struct rig_store *st, const char *what)
{
	snprintf(st->err, sizeof(st->err), "%s: %s", what, sqlite3_errmsg(st->db));
	return -EIO;
}

const char *rig_store_error(const struct rig_store *st)
{
	return st->err;
}

char *rig_store_default_path(void)
{
	const char *e = getenv("RIG_DB");
	const char *home;

	if (e && *e)
		return rig_xstrdup(e);
	e = getenv("XDG_DATA_HOME");
	if (e && *e)
		return rig_xasprintf("%s/rig/rig.db", e);
	home = getenv("HOME");
	return rig_xasprintf("%s/.local/share/rig/rig.db", home && *home ? home : ".");
}

static void mkdirs_for(const char *path)
{
	char *p = rig_xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	free(p);
}

static int prep(struct rig_store *st, const char *sql, sqlite3_stmt **out)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
		return fail(st, "prepare");
	return 0;
}

int rig_store_open(const char *path, struct rig_store **out, struct rig_errmsg *err)
{
	struct rig_store *st = rig_xcalloc(1, sizeof(*st));
	char *errmsg = NULL;
	int version = 0;
	sqlite3_stmt *q;

	mkdirs_for(path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rig_errmsg_set(err, "cannot open %s: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		sqlite3_close(st->db);
		free(st);
		return -EIO;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
			 NULL, NULL, &errmsg) != SQLITE_OK)
		goto bad;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			version = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	if (version > SCHEMA_VERSION) {
		rig_errmsg_set(err, "%s: schema version %d is newer than this rig reads (%d)", path, version,
			       SCHEMA_VERSION);
		sqlite3_close(st->db);
		free(st);
		return -EPROTO;
	}
	if (sqlite3_exec(st->db, schema_sql, NULL, NULL, &errmsg) != SQLITE_OK)
		goto bad;
	if (add_v2_columns(st->db, &errmsg) < 0)
		goto bad;
	if (version < SCHEMA_VERSION &&
	    sqlite3_exec(st->db, "PRAGMA user_version = 2", NULL, NULL, &errmsg) != SQLITE_OK)
		goto bad;
	/* from here on, rig_store_close() releases everything */
	pthread_mutex_init(&st->ckpt_mu, NULL);
	pthread_cond_init(&st->ckpt_cv, NULL);
	st->path = rig_xstrdup(path);
	if (prep(st, "INSERT INTO events(run_id, t_ns, kind, detail) VALUES (?,?,?,?)", &st->ins_event) < 0 ||
	    prep(st, "INSERT INTO console(run_id, t_ns, stream, bytes) VALUES (?,?,?,?)", &st->ins_console) < 0 ||
	    prep(st, "INSERT INTO runs(campaign, scenario, device_id, device_name, params_json, seed, host,"
		     " rig_version, wall_start, t_start, campaign_id, job, attempt, kind, device_spec,"
		     " artifacts_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st->ins_run) < 0 ||
	    prep(st, "UPDATE runs SET t_end=?, wall_end=?, verdict=?, outcome=?, message=?, infra=? WHERE id=?",
		 &st->end_run) < 0) {
		rig_errmsg_set(err, "%s: %s", path, st->err);
		rig_store_close(st);
		return -EIO;
	}
	*out = st;
	return 0;
bad:
	rig_errmsg_set(err, "%s: %s", path, errmsg ? errmsg : sqlite3_errmsg(st->db));
	sqlite3_free(errmsg);
	sqlite3_close(st->db);
	free(st);
	return -EIO;
}

static void *ckpt_main(void *arg)
{
	struct rig_store *st = arg;
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK)
		sqlite3_busy_timeout(db, 1000);
	pthread_mutex_lock(&st->ckpt_mu);
	for (;;) {
		while (!st->ckpt_due && !st->ckpt_stop)
			pthread_cond_wait(&st->ckpt_cv, &st->ckpt_mu);
		if (st->ckpt_stop)
			break;
		st->ckpt_due = false;
		pthread_mutex_unlock(&st->ckpt_mu);
		/* PASSIVE: never blocks the loop's writes; what it cannot copy
		 * now goes at the next wake-up */
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&st->ckpt_mu);
	}
	pthread_mutex_unlock(&st->ckpt_mu);
	sqlite3_close(db);
	return NULL;
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct rig_store *st = arg;

	RIG_UNUSED(db);
	RIG_UNUSED(name);
	if (frames >= CKPT_FRAMES) {
		pthread_mutex_lock(&st->ckpt_mu);
		st->ckpt_due = true;
		pthread_cond_signal(&st->ckpt_cv);
		pthread_mutex_unlock(&st->ckpt_mu);
	}
	return SQLITE_OK;
}

static void ckpt_start(struct rig_store *st)
{
	if (st->ckpt_on)
		return;
	sigset_t all, old;
	int r;

	st->ckpt_due = st->ckpt_stop = false;
	/* The thread takes no signal: the loop's signalfd gets them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&st->ckpt, NULL, ckpt_main, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return;   /* checkpoints stay inline */
	st->ckpt_on = true;
	sqlite3_wal_hook(st->db, wal_hook, st);
}

static void ckpt_stop(struct rig_store *st)
{
	if (!st->ckpt_on)
		return;
	sqlite3_wal_autocheckpoint(st->db, CKPT_FRAMES);   /* replaces our hook */
	pthread_mutex_lock(&st->ckpt_mu);
	st->ckpt_stop = true;
	pthread_cond_signal(&st->ckpt_cv);
	pthread_mutex_unlock(&st->ckpt_mu);
	pthread_join(st->ckpt, NULL);
	st->ckpt_on = false;
}

static void commit_cb(struct rig_loop *loop, void *arg)
{
	struct rig_store *st = arg;

	RIG_UNUSED(loop);
	st->commit = NULL;
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fail(st, "commit");
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
}

/* Open the iteration's transaction before a write, if grouping is on. */
static void group(struct rig_store *st)
{
	if (!st->loop || st->commit)
		return;
	if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return;   /* the write autocommits instead */
	st->commit = rig_loop_add_timer(st->loop, 0, commit_cb, st);
}

void rig_store_attach_loop(struct rig_store *st, struct rig_loop *loop)
{
	rig_store_flush(st);
	st->loop = loop;
	if (loop)
		ckpt_start(st);
	else
		ckpt_stop(st);
}

void rig_store_flush(struct rig_store *st)
{
	if (!st || !st->commit)
		return;
	rig_loop_cancel_timer(st->loop, st->commit);
	commit_cb(st->loop, st);
}

void rig_store_close(struct rig_store *st)
{
	if (!st)
		return;
	rig_store_flush(st);
	ckpt_stop(st);
	sqlite3_finalize(st->ins_event);
	sqlite3_finalize(st->ins_console);
	sqlite3_finalize(st->ins_run);
	sqlite3_finalize(st->end_run);
	sqlite3_close(st->db);
	pthread_mutex_destroy(&st->ckpt_mu);
	pthread_cond_destroy(&st->ckpt_cv);
	free(st->path);
	free(st);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static int step_done(struct rig_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return fail(st, what);
	return 0;
}

int rig_store_run_begin(struct rig_store *st, const struct rig_run_info *info, int64_t *run_id)
{
	sqlite3_stmt *s = st->ins_run;
	int r;

	group(st);

	bind_text(s, 1, info->campaign);
	bind_text(s, 2, info->scenario);
	bind_text(s, 3, info->device_id);
	bind_text(s, 4, info->device_name);
	bind_text(s, 5, info->params_json);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)info->seed);
	bind_text(s, 7, info->host);
	bind_text(s, 8, info->rig_version);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)info->wall_start_ns);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)info->t_start_ns);
	if (info->campaign_id)
		sqlite3_bind_int64(s, 11, info->campaign_id);
	else
		sqlite3_bind_null(s, 11);
	bind_text(s, 12, info->job);
	sqlite3_bind_int(s, 13, info->attempt);
	bind_text(s, 14, info->kind ? info->kind : "run");
	bind_text(s, 15, info->device_spec);
	bind_text(s, 16, info->artifacts_json);
	r = step_done(st, s, "insert run");
	if (r < 0)
		return r;
	*run_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int rig_store_run_end(struct rig_store *st, int64_t run_id, uint64_t t_end_ns, const char *verdict,
		      const char *outcome, const char *message, bool infra)
{
	sqlite3_stmt *s = st->end_run;

	group(st);

	sqlite3_bind_int64(s, 1, (sqlite3_int64)t_end_ns);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)rig_wall_ns());
	bind_text(s, 3, verdict);
	bind_text(s, 4, outcome);
	bind_text(s, 5, message);
	sqlite3_bind_int(s, 6, infra);
	sqlite3_bind_int64(s, 7, run_id);
	return step_done(st, s, "end run");
}

int rig_store_event(struct rig_store *st, int64_t run_id, uint64_t t_ns, const char *kind,
		    const char *detail)
{
	sqlite3_stmt *s = st->ins_event;

	group(st);

	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)t_ns);
	bind_text(s, 3, kind);
	bind_text(s, 4, detail);
	return step_done(st, s, "insert event");
}

int rig_store_console(struct rig_store *st, int64_t run_id, uint64_t t_ns, const char *stream,
		      const void *bytes, size_t n)
{
	sqlite3_stmt *s = st->ins_console;

	group(st);

	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)t_ns);
	bind_text(s, 3, stream);
	sqlite3_bind_blob(s, 4, bytes, (int)n, SQLITE_TRANSIENT);
	return step_done(st, s, "insert console");
}

static char *col_dup(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t ? rig_xstrdup((const char *)t) : NULL;
}

static const char run_cols[] =
	"SELECT id, scenario, device_id, device_name, params_json, seed, wall_start, wall_end, t_start,"
	" t_end, verdict, outcome, message, campaign_id, job, attempt, kind, device_spec, artifacts_json,"
	" cut_planned, cut_actual, cut_unit, cut_landed, infra FROM runs";

static void read_run(sqlite3_stmt *q, struct rig_run_result *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(q, 0);
	r->scenario = col_dup(q, 1);
	r->device_id = col_dup(q, 2);
	r->device_name = col_dup(q, 3);
	r->params_json = col_dup(q, 4);
	r->seed = (uint64_t)sqlite3_column_int64(q, 5);
	r->wall_start_ns = (uint64_t)sqlite3_column_int64(q, 6);
	r->wall_end_ns = (uint64_t)sqlite3_column_int64(q, 7);
	if (sqlite3_column_type(q, 9) != SQLITE_NULL)
		r->duration_ns = (uint64_t)(sqlite3_column_int64(q, 9) - sqlite3_column_int64(q, 8));
	r->verdict = col_dup(q, 10);
	r->outcome = col_dup(q, 11);
	r->message = col_dup(q, 12);
	r->campaign_id = sqlite3_column_int64(q, 13);
	r->job = col_dup(q, 14);
	r->attempt = sqlite3_column_int(q, 15);
	r->kind = col_dup(q, 16);
	r->device_spec = col_dup(q, 17);
	r->artifacts_json = col_dup(q, 18);
	r->has_cut = sqlite3_column_type(q, 19) != SQLITE_NULL || sqlite3_column_type(q, 20) != SQLITE_NULL;
	r->cut_planned = sqlite3_column_type(q, 19) != SQLITE_NULL ? sqlite3_column_double(q, 19) : NAN;
	r->cut_actual = sqlite3_column_type(q, 20) != SQLITE_NULL ? sqlite3_column_double(q, 20) : NAN;
	r->cut_unit = col_dup(q, 21);
	r->cut_landed = col_dup(q, 22);
	r->infra = sqlite3_column_int(q, 23) != 0;
	r->t_start_ns = (uint64_t)sqlite3_column_int64(q, 8);
}

int rig_store_runs(struct rig_store *st, const int64_t *ids, size_t nids,
		   struct rig_run_result **out, size_t *n)
{
	sqlite3_stmt *q;
	struct rig_run_result *v = NULL;
	size_t len = 0;
	char sql[512];

	snprintf(sql, sizeof(sql), "%s%s ORDER BY id", run_cols, ids ? " WHERE id = ?" : "");
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "select runs");
	for (size_t k = 0; k < (ids ? nids : 1); k++) {
		if (ids)
			sqlite3_bind_int64(q, 1, ids[k]);
		while (sqlite3_step(q) == SQLITE_ROW) {
			v = rig_xrealloc(v, (len + 1) * sizeof(*v));
			read_run(q, &v[len++]);
		}
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	*out = v;
	*n = len;
	return 0;
}

void rig_store_results_free(struct rig_run_result *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].scenario);
		free(r[i].device_id);
		free(r[i].device_name);
		free(r[i].params_json);
		free(r[i].verdict);
		free(r[i].outcome);
		free(r[i].message);
		free(r[i].job);
		free(r[i].kind);
		free(r[i].device_spec);
		free(r[i].artifacts_json);
		free(r[i].cut_unit);
		free(r[i].cut_landed);
	}
	free(r);
}

int rig_store_console_text(struct rig_store *st, int64_t run_id, char **out, size_t *len)
{
	sqlite3_stmt *q;
	char *buf = NULL;
	size_t n = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT bytes FROM console WHERE run_id = ? AND stream = 'rx' ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK)
		return fail(st, "select console");
	sqlite3_bind_int64(q, 1, run_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(q, 0);
		size_t k = (size_t)sqlite3_column_bytes(q, 0);

		buf = rig_xrealloc(buf, n + k + 1);
		if (k)
			memcpy(buf + n, b, k);
		n += k;
	}
	sqlite3_finalize(q);
	if (!buf)
		buf = rig_xstrdup("");
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int rig_store_events(struct rig_store *st, int64_t run_id,
		     void (*fn)(void *arg, uint64_t t_ns, const char *kind, const char *detail), void *arg)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(st->db, "SELECT t_ns, kind, detail FROM events WHERE run_id = ? ORDER BY id", -1,
			       &q, NULL) != SQLITE_OK)
		return fail(st, "select events");
	sqlite3_bind_int64(q, 1, run_id);
	while (sqlite3_step(q) == SQLITE_ROW)
		fn(arg, (uint64_t)sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
		   (const char *)sqlite3_column_text(q, 2));
	sqlite3_finalize(q);
	return 0;
}

int rig_store_run_cut(struct rig_store *st, int64_t run_id, double planned, double actual, const char *unit,
		      const char *landed)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(st->db, "UPDATE runs SET cut_planned=?, cut_actual=?, cut_unit=?, cut_landed=?"
				       " WHERE id=?", -1, &q, NULL) != SQLITE_OK)
		return fail(st, "prepare cut");
	if (isnan(planned))
		sqlite3_bind_null(q, 1);
	else
		sqlite3_bind_double(q, 1, planned);
	if (isnan(actual))
		sqlite3_bind_null(q, 2);
	else
		sqlite3_bind_double(q, 2, actual);
	bind_text(q, 3, unit);
	bind_text(q, 4, landed);
	sqlite3_bind_int64(q, 5, run_id);
	{
		int rc = sqlite3_step(q);

		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			return fail(st, "record cut");
	}
	return 0;
}

static int exec1(struct rig_store *st, const char *what, const char *sql, int64_t a, const char *t)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, what);
	bind_text(q, 1, t);
	sqlite3_bind_int64(q, 2, a);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : fail(st, what);
}

int rig_store_campaign_begin(struct rig_store *st, const struct rig_campaign_row *c, int64_t *id)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO campaigns(name, file, seed, spec_hash, host, wall_start,"
				       " status) VALUES (?,?,?,?,?,?,'running')", -1, &q, NULL) != SQLITE_OK)
		return fail(st, "prepare campaign");
	bind_text(q, 1, c->name);
	bind_text(q, 2, c->file);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)c->seed);
	bind_text(q, 4, c->spec_hash);
	bind_text(q, 5, c->host);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)rig_wall_ns());
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return fail(st, "insert campaign");
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int rig_store_campaign_status(struct rig_store *st, int64_t id, const char *status)
{
	return exec1(st, "campaign status", "UPDATE campaigns SET status=? WHERE id=?", id, status);
}

int rig_store_campaign_end(struct rig_store *st, int64_t id, const char *status, const char *findings_json)
{
	if (exec1(st, "campaign findings", "UPDATE campaigns SET findings_json=? WHERE id=?", id, findings_json) < 0)
		return -EIO;
	{
		sqlite3_stmt *q;
		int rc;

		if (sqlite3_prepare_v2(st->db, "UPDATE campaigns SET wall_end=? WHERE id=?", -1, &q, NULL) != SQLITE_OK)
			return fail(st, "campaign end");
		sqlite3_bind_int64(q, 1, (sqlite3_int64)rig_wall_ns());
		sqlite3_bind_int64(q, 2, id);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			return fail(st, "campaign end");
	}
	return rig_store_campaign_status(st, id, status);
}

static void read_campaign(sqlite3_stmt *q, struct rig_campaign_row *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(q, 0);
	c->name = col_dup(q, 1);
	c->file = col_dup(q, 2);
	c->seed = (uint64_t)sqlite3_column_int64(q, 3);
	c->spec_hash = col_dup(q, 4);
	c->host = col_dup(q, 5);
	c->wall_start_ns = (uint64_t)sqlite3_column_int64(q, 6);
	c->wall_end_ns = (uint64_t)sqlite3_column_int64(q, 7);
	c->status = col_dup(q, 8);
	c->findings_json = col_dup(q, 9);
}

int rig_store_campaigns(struct rig_store *st, int64_t id, const char *name, struct rig_campaign_row **out,
			size_t *n)
{
	sqlite3_stmt *q;
	struct rig_campaign_row *v = NULL;
	size_t len = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT id, name, file, seed, spec_hash, host, wall_start, wall_end,"
				       " status, findings_json FROM campaigns WHERE (?1 = 0 OR id = ?1)"
				       " AND (?2 IS NULL OR name = ?2) ORDER BY id", -1, &q, NULL) != SQLITE_OK)
		return fail(st, "select campaigns");
	sqlite3_bind_int64(q, 1, id);
	bind_text(q, 2, name);
	while (sqlite3_step(q) == SQLITE_ROW) {
		v = rig_xrealloc(v, (len + 1) * sizeof(*v));
		read_campaign(q, &v[len++]);
	}
	sqlite3_finalize(q);
	*out = v;
	*n = len;
	return 0;
}

void rig_store_campaigns_free(struct rig_campaign_row *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].name);
		free(c[i].file);
		free(c[i].spec_hash);
		free(c[i].host);
		free(c[i].status);
		free(c[i].findings_json);
	}
	free(c);
}

int rig_store_campaign_runs(struct rig_store *st, int64_t campaign_id, struct rig_run_result **out, size_t *n)
{
	sqlite3_stmt *q;
	struct rig_run_result *v = NULL;
	size_t len = 0;
	char sql[512];

	snprintf(sql, sizeof(sql), "%s WHERE campaign_id = ? ORDER BY id", run_cols);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "select campaign runs");
	sqlite3_bind_int64(q, 1, campaign_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		v = rig_xrealloc(v, (len + 1) * sizeof(*v));
		read_run(q, &v[len++]);
	}
	sqlite3_finalize(q);
	*out = v;
	*n = len;
	return 0;
}

int rig_store_mark_interrupted(struct rig_store *st, int64_t campaign_id, int64_t run_id)
{
	if (run_id)
		return exec1(st, "mark interrupted", "UPDATE runs SET verdict=?1, infra=1, message="
			     "'the campaign was stopped during this run' WHERE id=?2", run_id, "interrupted");
	return exec1(st, "mark interrupted", "UPDATE runs SET verdict=?1, infra=1,"
		     " message='the rig stopped during this run' WHERE campaign_id=?2 AND verdict IS NULL",
		     campaign_id, "interrupted");
}

int rig_store_last_run(struct rig_store *st, int64_t *id)
{
	sqlite3_stmt *q;

	*id = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT max(id) FROM runs", -1, &q, NULL) != SQLITE_OK)
		return fail(st, "select last run");
	if (sqlite3_step(q) == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return 0;
}

int rig_store_console_chunks(struct rig_store *st, int64_t run_id, uint64_t from_ns, uint64_t to_ns,
			     void (*fn)(void *arg, uint64_t t_ns, const char *stream, const void *b, size_t n),
			     void *arg)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(st->db, "SELECT t_ns, stream, bytes FROM console WHERE run_id = ? AND t_ns >= ?"
				       " AND t_ns <= ? ORDER BY id", -1, &q, NULL) != SQLITE_OK)
		return fail(st, "select console");
	sqlite3_bind_int64(q, 1, run_id);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)(from_ns > INT64_MAX ? INT64_MAX : from_ns));
	sqlite3_bind_int64(q, 3, (sqlite3_int64)(to_ns > INT64_MAX ? INT64_MAX : to_ns));
	while (sqlite3_step(q) == SQLITE_ROW)
		fn(arg, (uint64_t)sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
		   sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2));
	sqlite3_finalize(q);
	return 0;
}
