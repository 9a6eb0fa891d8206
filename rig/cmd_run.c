/* rig run SCENARIO --device FILE[:ID] ... */
#include "cli.h"
#include "loop.h"
#include "run.h"
#include "store.h"
#include "report_out.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char run_help[] =
	"usage: rig run SCENARIO --device FILE[:ID] [options]\n"
	"\n"
	"Run one scenario on one device and print its verdict.\n"
	"\n"
	"  --device FILE[:ID]      device file (and the device's id if it holds several)\n"
	"  --artifact FILE         the artifact named 'target'\n"
	"  --artifact NAME=FILE    another artifact (repeatable)\n"
	"  --set KEY=VALUE         a scenario parameter (repeatable; rig.param in Lua)\n"
	"  --seed N                seed of the run (default: from the clock, printed)\n"
	"  --db FILE               results database (default $RIG_DB or\n"
	"                          $XDG_DATA_HOME/rig/rig.db)\n"
	"  --junit FILE            write a JUnit XML report\n"
	"  --listen ADDR[:PORT]    artifact server address (default 127.0.0.1, any port)\n"
	"  --url-host HOST[:PORT]  host the devices use in artifact URLs\n"
	"  --tls-cert F --tls-key F  serve artifacts over HTTPS\n"
	"  --timeout SECONDS       per-run deadline (default 3600)\n"
	"  -v, --verbose           print the timeline (twice: the console too)\n"
	"\n"
	"exit status: 0 passed, 1 failed or bricked, 2 bad usage or input, 3 infrastructure error\n";

struct run_ctx {
	struct rig_loop *loop;
	struct rig_run *run;
	bool done;
	int signals;
};

static void on_done(void *arg, struct rig_run *run)
{
	struct run_ctx *ctx = arg;

	RIG_UNUSED(run);
	ctx->done = true;
	rig_loop_stop(ctx->loop);
}

/* The artifact server serves this process's one run. */
static void on_http(void *arg, uint64_t t_ns, const char *kind, const char *detail)
{
	struct run_ctx *ctx = arg;

	if (ctx->run)
		rig_run_record(ctx->run, t_ns, kind, detail);
}

static void on_signal(struct rig_loop *loop, int signo, void *arg)
{
	struct run_ctx *ctx = arg;

	if (++ctx->signals > 1) {
		rig_loop_stop(loop);   /* second signal: stop now */
		return;
	}
	rig_run_abort(ctx->run, signo == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
}

int rig_cmd_run(int argc, char **argv)
{
	struct rig_strv params = { 0 }, arts = { 0 };
	const char *scenario = NULL, *device = NULL, *db = NULL, *junit = NULL;
	const char *listen = "127.0.0.1", *url_host = NULL, *cert = NULL, *key = NULL;
	uint64_t seed = 0;
	bool have_seed = false;
	double timeout = 3600;
	int verbose = 0, status = RIG_EXIT_INFRA;
	struct rig_loop *loop = NULL;
	struct rig_store *store = NULL;
	struct rig_artsrv *srv = NULL;
	struct run_ctx ctx = { 0 };
	struct rig_errmsg err;
	enum rig_run_class cls;
	char *dbpath = NULL, *lhost = NULL;
	unsigned lport = 0;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(run_help, stdout);
			return RIG_EXIT_OK;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--device"))) {
			device = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--artifact"))) {
			rig_strv_push(&arts, v);
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--set"))) {
			if (!strchr(v, '=')) {
				rig_cli_error("run", "--set expects KEY=VALUE, got '%s'", v);
				return RIG_EXIT_USAGE;
			}
			rig_strv_push(&params, v);
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--seed"))) {
			char *end;

			seed = strtoull(v, &end, 0);
			if (*end) {
				rig_cli_error("run", "--seed expects a number, got '%s'", v);
				return RIG_EXIT_USAGE;
			}
			have_seed = true;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--db"))) {
			db = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--junit"))) {
			junit = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--listen"))) {
			listen = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--url-host"))) {
			url_host = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--tls-cert"))) {
			cert = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--tls-key"))) {
			key = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--timeout"))) {
			timeout = atof(v);
			if (!(timeout > 0)) {
				rig_cli_error("run", "--timeout expects seconds > 0, got '%s'", v);
				return RIG_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose++;
		} else if (!strcmp(argv[i], "-vv")) {
			verbose += 2;
		} else if (argv[i][0] == '-') {
			rig_cli_error("run", "unknown option '%s' (see rig run --help)", argv[i]);
			return RIG_EXIT_USAGE;
		} else if (!scenario) {
			scenario = argv[i];
		} else {
			rig_cli_error("run", "unexpected argument '%s'", argv[i]);
			return RIG_EXIT_USAGE;
		}
	}
	if (!scenario || !device) {
		rig_cli_error("run", "%s is required (see rig run --help)", !scenario ? "SCENARIO" : "--device");
		rig_strv_free(&params);
		rig_strv_free(&arts);
		return RIG_EXIT_USAGE;
	}
	if (!have_seed)
		seed = rig_wall_ns() % 1000000007ull;
	if ((cert == NULL) != (key == NULL) || rig_cli_split_hostport(listen, &lhost, &lport) < 0) {
		rig_cli_error("run", "%s", cert != NULL || key != NULL ? "--tls-cert and --tls-key go together"
								 : "--listen expects ADDR[:PORT]");
		status = RIG_EXIT_USAGE;
		goto out;
	}

	if (rig_loop_new(&loop) < 0) {
		rig_cli_error("run", "cannot create the event loop");
		goto out;
	}
	dbpath = db ? rig_xstrdup(db) : rig_store_default_path();
	if (rig_store_open(dbpath, &store, &err) < 0) {
		rig_cli_error("run", "results database %s: %s", dbpath, err.text);
		goto out;
	}
	rig_store_attach_loop(store, loop);
	{
		struct rig_artsrv_cfg scfg = { .bind = lhost, .port = lport, .url_host = url_host,
					       .tls_cert = cert, .tls_key = key };

		int r = rig_artsrv_new(loop, &scfg, on_http, &ctx, &srv, &err);

		if (r < 0) {
			rig_cli_error("run", "artifact server: %s", err.text);
			status = r == -EINVAL ? RIG_EXIT_USAGE : RIG_EXIT_INFRA;   /* a bad address or TLS file */
			goto out;
		}
	}
	{
		struct rig_run_opts o = {
			.scenario = scenario, .device_spec = device, .params = params.v,
			.artifacts = arts.v, .seed = seed, .store = store, .srv = srv,
			.deadline_ns = (uint64_t)(timeout * 1e9), .verbose = verbose,
		};

		if (rig_run_new(loop, &o, &ctx.run, &cls, &err) < 0) {
			fprintf(stderr, "rig run: %s\n", err.text);
			status = cls == RIG_RUN_INPUT ? RIG_EXIT_USAGE : RIG_EXIT_INFRA;
			goto out;
		}
	}
	ctx.loop = loop;
	rig_loop_on_signal(loop, SIGINT, on_signal, &ctx);
	rig_loop_on_signal(loop, SIGTERM, on_signal, &ctx);
	rig_loop_on_signal(loop, SIGHUP, on_signal, &ctx);
	rig_run_start(ctx.run, on_done, &ctx);
	rig_loop_run(loop);
	if (!ctx.done) {
		/* a second signal: record what we know and leave */
		rig_run_abort(ctx.run, "interrupted twice");
	}
	{
		const struct rig_run_outcome *o = rig_run_outcome(ctx.run);

		rig_report_summary(stdout, scenario, rig_device_cfg(rig_run_device(ctx.run))->id, seed, o);
		printf("results: %s (run %lld)\n", dbpath, (long long)o->run_id);
		if (junit) {
			if (rig_report_junit_file(junit, store, &o->run_id, 1, &err) < 0) {
				rig_cli_error("run", "%s", err.text);
			} else {
				printf("junit:   %s\n", junit);
			}
		}
		if (o->cls == RIG_RUN_INPUT)
			fprintf(stderr, "%s\n", o->message ? o->message : "");
		status = rig_run_exit_status(&o, 1);
	}
out:
	if (ctx.run && rig_device_make_safe(rig_run_device(ctx.run), 30 * RIG_NS_PER_S) < 0) {
		rig_cli_error("run", "could not leave device '%s' in its safe power state",
			      rig_device_cfg(rig_run_device(ctx.run))->id);
		if (status == RIG_EXIT_OK)
			status = RIG_EXIT_INFRA;
	}
	/* The device is released (and left powered as its driver's close says)
	 * before the store closes, so the last events are recorded. */
	{
		/* The server may still log while it stops: it must not reach a
		 * freed run. */
		struct rig_run *run = ctx.run;

		ctx.run = NULL;
		rig_run_free(run);
	}
	rig_artsrv_free(srv);
	rig_store_close(store);
	rig_loop_free(loop);
	free(dbpath);
	free(lhost);
	rig_strv_free(&params);
	rig_strv_free(&arts);
	return status;
}
