/* rig campaign FILE [--resume] [--db FILE] ... */
#include "campaign.h"
#include "cli.h"
#include "loop.h"
#include "report_out.h"
#include "store.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char campaign_help[] =
	"usage: rig campaign FILE [options]\n"
	"\n"
	"Run a campaign: every test of FILE on every device of its lab, one run per\n"
	"device at a time and all devices at once (docs/campaigns.md).\n"
	"\n"
	"  --resume                go on with the last campaign of this name in the\n"
	"                          database: finished runs are kept, the rest is run\n"
	"  --db FILE               results database (default $RIG_DB or\n"
	"                          $XDG_DATA_HOME/rig/rig.db)\n"
	"  --seed N                campaign seed when the file sets none\n"
	"  --html F, --junit F, --json F   write reports when the campaign ends\n"
	"  --listen ADDR[:PORT]    artifact server address (default 127.0.0.1, any port)\n"
	"  --url-host HOST[:PORT]  host the devices use in artifact URLs\n"
	"  --no-progress           log lines even on a terminal\n"
	"\n"
	"exit status: 0 all passed, 1 a run failed or bricked, 2 bad input,\n"
	"3 errors, quarantined devices, or an unfinished campaign\n";

struct ctx {
	struct rig_loop *loop;
	struct rig_campaign *c;
	int signals;
	bool done;
};

static void on_done(void *arg)
{
	struct ctx *x = arg;

	x->done = true;
	rig_loop_stop(x->loop);
}

static void on_http(void *arg, uint64_t t_ns, const char *kind, const char *detail)
{
	struct ctx *x = arg;

	if (x->c)
		rig_campaign_http_event(x->c, t_ns, kind, detail);
}

static void on_signal(struct rig_loop *loop, int signo, void *arg)
{
	struct ctx *x = arg;

	if (++x->signals > 1) {
		rig_loop_stop(loop);
		return;
	}
	rig_campaign_abort(x->c, signo == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
}

int rig_cmd_campaign(int argc, char **argv)
{
	const char *file = NULL, *db = NULL, *html = NULL, *junit = NULL, *json = NULL;
	const char *listen = "127.0.0.1", *url_host = NULL;
	bool resume = false, no_progress = false, have_seed = false;
	uint64_t seed = 0;
	struct rig_loop *loop = NULL;
	struct rig_store *store = NULL;
	struct rig_artsrv *srv = NULL;
	struct ctx x = { 0 };
	struct rig_errmsg err;
	char *dbpath = NULL, *lhost = NULL;
	unsigned lport = 0;
	int status = RIG_EXIT_INFRA;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(campaign_help, stdout);
			return RIG_EXIT_OK;
		} else if (!strcmp(argv[i], "--resume")) {
			resume = true;
		} else if (!strcmp(argv[i], "--no-progress")) {
			no_progress = true;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--db"))) {
			db = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--seed"))) {
			char *end;

			seed = strtoull(v, &end, 0);
			if (*end) {
				rig_cli_error("campaign", "--seed expects a number, got '%s'", v);
				return RIG_EXIT_USAGE;
			}
			have_seed = true;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--html"))) {
			html = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--junit"))) {
			junit = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--json"))) {
			json = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--listen"))) {
			listen = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--url-host"))) {
			url_host = v;
		} else if (argv[i][0] == '-') {
			rig_cli_error("campaign", "unknown option '%s' (see rig campaign --help)", argv[i]);
			return RIG_EXIT_USAGE;
		} else if (!file) {
			file = argv[i];
		} else {
			rig_cli_error("campaign", "unexpected argument '%s'", argv[i]);
			return RIG_EXIT_USAGE;
		}
	}
	if (!file) {
		rig_cli_error("campaign", "FILE is required (see rig campaign --help)");
		return RIG_EXIT_USAGE;
	}
	if (rig_cli_split_hostport(listen, &lhost, &lport) < 0) {
		rig_cli_error("campaign", "--listen expects ADDR[:PORT]");
		return RIG_EXIT_USAGE;
	}
	if (rig_loop_new(&loop) < 0) {
		rig_cli_error("campaign", "cannot create the event loop");
		goto out;
	}
	dbpath = db ? rig_xstrdup(db) : rig_store_default_path();
	if (rig_store_open(dbpath, &store, &err) < 0) {
		rig_cli_error("campaign", "results database %s: %s", dbpath, err.text);
		goto out;
	}
	/* one transaction per loop iteration: a killed rig loses at most the
	 * records of the iteration it was in (see store.h) */
	rig_store_attach_loop(store, loop);
	{
		struct rig_artsrv_cfg scfg = { .bind = lhost, .port = lport, .url_host = url_host };

		if (rig_artsrv_new(loop, &scfg, on_http, &x, &srv, &err) < 0) {
			rig_cli_error("campaign", "artifact server: %s", err.text);
			goto out;
		}
	}
	{
		struct rig_campaign_opts o = {
			.file = file, .resume = resume, .store = store, .srv = srv, .log = stdout,
			.progress = !no_progress && isatty(STDERR_FILENO), .seed = seed, .have_seed = have_seed,
		};

		if (rig_campaign_new(loop, &o, &x.c, &err) < 0) {
			fprintf(stderr, "rig campaign: %s\n", err.text);
			status = RIG_EXIT_USAGE;
			goto out;
		}
	}
	x.loop = loop;
	printf("campaign %lld: %s%s (results: %s)\n", (long long)rig_campaign_id(x.c), file,
	       resume ? " resumed" : "", dbpath);
	fflush(stdout);
	rig_loop_on_signal(loop, SIGINT, on_signal, &x);
	rig_loop_on_signal(loop, SIGTERM, on_signal, &x);
	rig_loop_on_signal(loop, SIGHUP, on_signal, &x);
	rig_campaign_start(x.c, on_done, &x);
	rig_loop_run(loop);
	if (!x.done)
		rig_campaign_abort(x.c, "interrupted twice");
	rig_campaign_summary(x.c, stdout);
	status = rig_campaign_exit_status(x.c);
	{
		struct rig_report_req req = { .campaign_id = rig_campaign_id(x.c), .html = html, .junit = junit,
					      .json = json };

		if ((html || junit || json) && rig_report_write(store, &req, &err) < 0) {
			rig_cli_error("campaign", "report: %s", err.text);
			if (status == RIG_EXIT_OK)
				status = RIG_EXIT_INFRA;
		}
	}
	printf("report: rig report --db %s --campaign %lld --html report.html\n", dbpath,
	       (long long)rig_campaign_id(x.c));
out:
	{
		struct rig_campaign *c = x.c;

		x.c = NULL;
		rig_campaign_free(c);
	}
	rig_artsrv_free(srv);
	rig_store_close(store);
	rig_loop_free(loop);
	free(dbpath);
	free(lhost);
	return status;
}
