/* Console fan-in: 128 consoles paced at 115200 baud plus 8 at full speed
 * into ONE rig loop, through the real console core and `serial` console
 * driver (ptys opened by path like serial ports), with every read stored in
 * the rig store as `rig run` does: one transaction per loop iteration
 * (FANIN_STORE=0 leaves the store out; FANIN_STORE=1 commits every read on
 * its own, as rig did before issue 5).
 *
 * A generator process (forked, not measured) writes numbered lines into each
 * pty master — paced ones in ticks of FANIN_TICK_MS (default 10 ms, like a
 * USB serial adapter's latency timer), full-speed ones as fast as the pty
 * takes them — and every 1-3 s per console a line "TRIGGER <ns>" stamped
 * just before its write. Each console has an armed watch for it, re-armed
 * when it fires; latency = watch fired - stamp.
 *
 * Lost bytes: both sides keep a byte count and an FNV-1a hash per console;
 * at the end the bench compares what the generator wrote with what the rig
 * loop received and with what the store holds. A pty never drops bytes (the
 * writer waits), so the generator also counts "overruns": times a paced
 * console's pty was full, where a real UART would have lost bytes.
 *
 * Phase 1: the 128 paced consoles only; phase 2: plus the 8 full-speed ones.
 * CPU is this process's utime+stime (getrusage) over each phase.
 * Usage: fanin [SECONDS]   (total, split between the phases; default 20) */
#include "console.h"
#include "regex.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NPACED 128
#define NFAST 8
#define NCON (NPACED + NFAST)
#define BAUD 115200
#define MAXTRIG 100000

struct shared {
	int stop, fast_on, done;
	struct { uint64_t bytes, hash, overruns; } c[NCON];
};

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

#define FNV0 0xcbf29ce484222325ull

/* ---- the generator ---- */

struct gen {
	int fd;
	char buf[8192];
	size_t len, off;
	size_t trig_end;            /* end of a trigger line still in buf, or 0 */
	uint64_t seq, written, next_trig;
};

/* Append whole lines until want bytes are pending; a due trigger line is
 * stamped as it is appended (and goes out with the same write). */
static void gen_fill(struct gen *g, unsigned i, size_t want)
{
	if (g->off) {
		memmove(g->buf, g->buf + g->off, g->len - g->off);
		g->len -= g->off;
		g->trig_end = g->trig_end > g->off ? g->trig_end - g->off : 0;
		g->off = 0;
	}
	while (g->len < want && g->len + 128 <= sizeof(g->buf)) {
		uint64_t t = rig_now_ns();

		if (t >= g->next_trig && !g->trig_end) {
			g->len += (size_t)snprintf(g->buf + g->len, 128, "TRIGGER %llu\r\n", (unsigned long long)t);
			g->trig_end = g->len;
			g->next_trig = t + (uint64_t)(1000 + rand() % 2000) * RIG_NS_PER_MS;
		} else {
			g->len += (size_t)snprintf(g->buf + g->len, 128, "c%03u %010llu the quick brown fox jumps\r\n",
						   i, (unsigned long long)g->seq++);
		}
	}
}

/* Write up to max bytes (more if a trigger line is pending: it goes out
 * whole, now). Returns -1 when the pty is full. */
static int gen_write(struct shared *sh, struct gen *g, unsigned i, size_t max)
{
	ssize_t w;
	size_t n;

	gen_fill(g, i, max);
	n = g->len - g->off;
	if (n > max && g->trig_end <= max)
		n = max;
	else if (n > max)
		n = g->trig_end;
	w = write(g->fd, g->buf + g->off, n);
	if (w <= 0)
		return -1;
	sh->c[i].hash = fnv(sh->c[i].hash, (const uint8_t *)g->buf + g->off, (size_t)w);
	__atomic_add_fetch(&sh->c[i].bytes, (uint64_t)w, __ATOMIC_RELEASE);
	g->off += (size_t)w;
	g->written += (uint64_t)w;
	if (g->trig_end && g->off >= g->trig_end)
		g->trig_end = 0;
	return (size_t)w < n ? -1 : 0;
}

static void generator(struct shared *sh, const int *master, uint64_t tick_ns)
{
	static struct gen g[NCON];
	uint64_t t0 = rig_now_ns(), next = t0, fast_t0 = 0;

	srand(42);
	for (unsigned i = 0; i < NCON; i++) {
		g[i].fd = master[i];
		g[i].next_trig = t0 + (uint64_t)(500 + rand() % 2000) * RIG_NS_PER_MS;
		fcntl(master[i], F_SETFL, O_NONBLOCK);
	}
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p[NFAST];
		uint64_t t = rig_now_ns();
		bool fast = __atomic_load_n(&sh->fast_on, __ATOMIC_ACQUIRE);
		int timeout;

		if (t >= next) {
			for (unsigned i = 0; i < NPACED; i++) {
				uint64_t target = (t - t0) / 1000 * (BAUD / 10) / 1000000;
				uint64_t owed = target > g[i].written ? target - g[i].written : 0;

				if (owed && gen_write(sh, &g[i], i, (size_t)owed) < 0)
					sh->c[i].overruns++;
			}
			next += tick_ns;
			if (next < t)
				next = t + tick_ns;
		}
		if (fast && !fast_t0) {
			fast_t0 = t;
			for (unsigned i = NPACED; i < NCON; i++)
				g[i].next_trig = t + (uint64_t)(200 + rand() % 1000) * RIG_NS_PER_MS;
		}
		for (unsigned i = 0; i < NFAST; i++)
			p[i] = (struct pollfd){ master[NPACED + i], (short)(fast ? POLLOUT : 0), 0 };
		t = rig_now_ns();
		timeout = next > t ? (int)((next - t + 999999) / 1000000) : 0;
		/* a full pty master is retried every ms too: Linux wakes its
		 * writer only when the reader's line discipline unthrottles */
		if (fast && timeout > 1)
			timeout = 1;
		if (poll(p, NFAST, timeout) > 0 || fast)
			for (unsigned i = 0; i < NFAST; i++)
				if (fast)
					for (int k = 0; k < 16; k++)
						if (gen_write(sh, &g[NPACED + i], NPACED + i, 4096) < 0)
							break;
	}
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	/* keep the masters open until the rig side has read everything: a
	 * closed master hangs the slave up */
	while (__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE) != 2)
		usleep(10000);
}

/* ---- the rig side ---- */

struct con {
	unsigned i;
	struct rig_console *c;
	int64_t run_id;
	uint64_t bytes, hash;
};

static struct {
	struct rig_store *store;
	struct rig_regex *re;
	int phase;
	double lat[3][MAXTRIG];   /* [0] phase 1, [1] phase 2 paced, [2] phase 2 full speed */
	size_t nlat[3];
} B;

static void rx(void *arg, const uint8_t *buf, size_t n, uint64_t t_ns)
{
	struct con *c = arg;

	c->bytes += n;
	c->hash = fnv(c->hash, buf, n);
	if (B.store)
		rig_store_console(B.store, c->run_id, t_ns, "rx", buf, n);
}

static void fired(void *arg, struct rig_console_hit *hit)
{
	struct con *c = arg;
	uint64_t stamp = strtoull(hit->cap[0] ? hit->cap[0] : "0", NULL, 10);
	int k = B.phase == 1 ? 0 : c->i < NPACED ? 1 : 2;

	if (stamp && B.phase && B.nlat[k] < MAXTRIG)
		B.lat[k][B.nlat[k]++] = (double)(hit->t_match_ns - stamp) / 1e6;
	rig_console_watch(c->c, RIG_WATCH_EXPECT, B.re, fired, c);
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void lat_row(const char *label, double *v, size_t n)
{
	if (!n) {
		printf("  %-36s no triggers\n", label);
		return;
	}
	qsort(v, n, sizeof(*v), cmp);
	printf("  %-36s triggers %5zu  median %7.3f  p99 %7.3f  max %7.3f ms\n", label, n, v[(n - 1) / 2],
	       v[(size_t)((double)n * 0.99 + 0.999) - 1], v[n - 1]);
}

static void run_for(struct rig_loop *loop, uint64_t ns)
{
	uint64_t end = rig_now_ns() + ns;

	while (rig_now_ns() < end)
		rig_loop_run_once(loop, end);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 20;
	const char *tick = getenv("FANIN_TICK_MS");
	const char *st = getenv("FANIN_STORE");
	uint64_t tick_ns = (uint64_t)(tick ? atof(tick) * 1e6 : 10e6);
	int master[NCON], slave[NCON];
	static struct con cons[NCON];
	struct shared *sh;
	struct rig_loop *loop;
	struct rig_errmsg err = { "" };
	char dbpath[256] = "/tmp/rig-fanin-XXXXXX";
	const struct rig_console_ops *ops = rig_console_driver("serial");
	pid_t pid;
	double c0, c1, c2, t0, t1, t2;
	uint64_t fast0 = 0, fast1 = 0, lost = 0, lost_store = 0, overruns = 0, total = 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || rig_loop_new(&loop) < 0 || !ops)
		return 1;
	for (unsigned i = 0; i < NCON; i++) {
		sh->c[i].hash = FNV0;
		if (openpty(&master[i], &slave[i], NULL, NULL, NULL) < 0) {
			perror("openpty");
			return 1;
		}
	}
	if (!(st && !strcmp(st, "0"))) {
		if (!mkdtemp(dbpath))
			return 1;
		strcat(dbpath, "/rig.db");
		if (rig_store_open(dbpath, &B.store, &err) < 0) {
			fprintf(stderr, "store: %s\n", err.text);
			return 1;
		}
		if (!(st && !strcmp(st, "1")))
			rig_store_attach_loop(B.store, loop);   /* as `rig run` does */
	}
	if (rig_regex_new("TRIGGER (\\d+)\n", 0, &B.re, &err) < 0)
		return 1;
	for (unsigned i = 0; i < NCON; i++) {
		struct rig_cfg *cfg = rig_cfg_new("fanin: console");
		struct rig_drv_ctx ctx = { .loop = loop, .device_id = "fanin", .err = &err };
		struct rig_console_observer obs = { rx, NULL, NULL, &cons[i] };
		struct rig_console_opts opts = { 0 };
		char path[64];

		cons[i].i = i;
		cons[i].hash = FNV0;
		snprintf(path, sizeof(path), "%s", ptsname(master[i]));
		rig_cfg_add(cfg, "path", RIG_OPT_STRING)->str = rig_xstrdup(path);
		if (rig_console_open(loop, ops, &ctx, cfg, -1, &opts, &obs, &cons[i].c) < 0) {
			fprintf(stderr, "console %u: %s\n", i, err.text);
			return 1;
		}
		rig_cfg_free(cfg);
		if (B.store) {
			struct rig_run_info info = { .scenario = "fanin", .device_id = path, .device_name = path,
						     .params_json = "{}", .t_start_ns = rig_now_ns(), .host = "bench",
						     .rig_version = RIG_VERSION };

			rig_store_run_begin(B.store, &info, &cons[i].run_id);
		}
		rig_console_watch(cons[i].c, RIG_WATCH_EXPECT, B.re, fired, &cons[i]);
		close(slave[i]);
	}
	pid = fork();
	if (pid == 0) {
		generator(sh, master, tick_ns);
		_exit(0);
	}
	for (unsigned i = 0; i < NCON; i++)
		close(master[i]);

	run_for(loop, RIG_NS_PER_S);   /* settle */
	B.phase = 1;
	c0 = cpu_s();
	t0 = (double)rig_now_ns() / 1e9;
	run_for(loop, (uint64_t)(secs / 2 * 1e9));
	c1 = cpu_s();
	t1 = (double)rig_now_ns() / 1e9;
	for (unsigned i = NPACED; i < NCON; i++)
		fast0 += cons[i].bytes;
	__atomic_store_n(&sh->fast_on, 1, __ATOMIC_RELEASE);
	B.phase = 2;
	run_for(loop, (uint64_t)(secs / 2 * 1e9));
	c2 = cpu_s();
	t2 = (double)rig_now_ns() / 1e9;
	for (unsigned i = NPACED; i < NCON; i++)
		fast1 += cons[i].bytes;
	B.phase = 0;
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	/* read what is still in flight */
	while (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE))
		rig_loop_run_once(loop, rig_now_ns() + RIG_NS_PER_MS);
	{
		uint64_t end = rig_now_ns() + 5 * RIG_NS_PER_S;
		bool all;

		do {
			all = true;
			for (unsigned i = 0; i < NCON; i++)
				if (cons[i].bytes < __atomic_load_n(&sh->c[i].bytes, __ATOMIC_ACQUIRE))
					all = false;
			if (!all)
				rig_loop_run_once(loop, rig_now_ns() + 10 * RIG_NS_PER_MS);
		} while (!all && rig_now_ns() < end);
	}
	__atomic_store_n(&sh->stop, 2, __ATOMIC_RELEASE);
	waitpid(pid, NULL, 0);
	for (unsigned i = 0; i < NCON; i++) {
		uint64_t w = sh->c[i].bytes;

		total += w;
		overruns += i < NPACED ? sh->c[i].overruns : 0;
		if (cons[i].bytes != w || cons[i].hash != sh->c[i].hash)
			lost += w > cons[i].bytes ? w - cons[i].bytes : 1;
		if (B.store) {
			char *text = NULL;
			size_t len = 0;

			rig_store_console_text(B.store, cons[i].run_id, &text, &len);
			if (len != w || fnv(FNV0, (const uint8_t *)text, len) != sh->c[i].hash)
				lost_store += w > len ? w - len : 1;
			free(text);
		}
	}
	printf("  phase 1, 128 paced:       cpu %5.1f %% of one core over %.1f s\n", 100 * (c1 - c0) / (t1 - t0),
	       t1 - t0);
	printf("  phase 2, 128 paced + 8 full speed: cpu %5.1f %% of one core; full speed drained %.1f MB/s\n",
	       100 * (c2 - c1) / (t2 - t1), (double)(fast1 - fast0) / (t2 - t1) / 1e6);
	printf("  bytes written %llu, lost (received) %llu, lost (stored) %s%llu, paced overruns %llu\n",
	       (unsigned long long)total, (unsigned long long)lost, B.store ? "" : "n/a ",
	       (unsigned long long)lost_store, (unsigned long long)overruns);
	lat_row("phase 1, paced consoles", B.lat[0], B.nlat[0]);
	lat_row("phase 2, paced consoles", B.lat[1], B.nlat[1]);
	lat_row("phase 2, full-speed consoles", B.lat[2], B.nlat[2]);
	for (unsigned i = 0; i < NCON; i++)
		rig_console_close(cons[i].c);
	rig_regex_free(B.re);
	rig_store_close(B.store);
	rig_loop_free(loop);
	if (B.store) {
		unlink(dbpath);
		strcat(dbpath, "-wal");
		unlink(dbpath);
		dbpath[strlen(dbpath) - 4] = '\0';
		strcat(dbpath, "-shm");
		unlink(dbpath);
		*strrchr(dbpath, '/') = '\0';
		rmdir(dbpath);
	}
	return 0;
}
