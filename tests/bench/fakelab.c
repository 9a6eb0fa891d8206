/* A fake lab for the trigger-to-cut benchmark: one device and its power
 * switch in one process, so both ends of the latency come from one clock.
 *
 *  - the device's console is a pty: tools open its slave like a serial port
 *    (DIR/console). While powered it streams noise lines — paced at BAUD
 *    (10 bits a byte), or at full speed (BAUD 0: as fast as the reader
 *    drains) — and 50-200 ms after power-on writes "TRIGGER-LINE now",
 *    taking the CLOCK_MONOTONIC time just before that write;
 *  - the power switch listens on HTTP at 127.0.0.1 (port in DIR/http.port,
 *    keep-alive; GET or PUT /outlet/1/0 = off, /outlet/1/1 = on, GET
 *    /outlet/1 = state "0"/"1"; also /off and /on), and as a USB-relay-style
 *    pty (DIR/relay, LCUS-1 frames A0 01 00 A1 = off, A0 01 01 A2 = on);
 *    it takes the time as soon as an "off" request is complete.
 *
 * Each cut after a trigger appends "LATENCY_MS SWITCH T_TRIGGER_NS" to DIR/lat. SIGUSR1
 * appends "BYTES T_NS" (noise bytes written so far) to DIR/stats. With
 * --no-trigger the device streams noise only (for CPU and drain figures).
 * Usage: fakelab DIR BAUD|0 SEED [--no-trigger]; runs until SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN 8
#define NOISE_MAX 65536

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static volatile sig_atomic_t want_stats, want_exit;
static void on_usr1(int s) { (void)s; want_stats = 1; }
static void on_term(int s) { (void)s; want_exit = 1; }

struct conn {
	int fd;
	char buf[2048];
	size_t len;
};

static struct {
	const char *dir;
	long baud;
	bool trigger;
	int con_m, con_s, relay_m, relay_s, lsn;
	struct conn conns[MAXCONN];
	bool on;
	uint64_t t_on, delay, t_trig;
	bool trig_pending, trig_written;
	/* what is being written: a slice of the noise buffer or the trigger */
	char noise[NOISE_MAX];
	size_t noiselen, noisepos;
	const char *out;
	size_t outlen, outoff;
	uint64_t sent;              /* bytes since power-on (pacing) */
	uint64_t total;             /* noise bytes written, all time */
	uint8_t relay[4];
	size_t relaylen;
} L;

static void dirfile(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", L.dir, name);
}

static void append(const char *name, const char *fmt, double a, const char *b, unsigned long long c)
{
	char path[4096];
	FILE *f;

	dirfile(path, sizeof(path), name);
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, fmt, a, b, c);
	fclose(f);
}

static void power(bool on, const char *via)
{
	uint64_t t = now();

	if (!on && L.on && L.trig_written)
		append("lat", "%.3f %s %llu\n", (double)(t - L.t_trig) / 1e6, via, (unsigned long long)L.t_trig);
	if (on && !L.on) {
		L.t_on = t;
		L.sent = 0;
		L.delay = (uint64_t)(50 + rand() % 150) * 1000000ull;
		L.trig_pending = L.trigger;
		L.trig_written = false;
		L.outlen = L.outoff = 0;
	}
	L.on = on;
}

static void make_noise(void)
{
	while (L.noiselen < NOISE_MAX - 128) {
		int n = snprintf(L.noise + L.noiselen, 128, "[%5d.%06d] noise: eth0 rx %d bytes %d\r\n",
				 rand() % 99999, rand() % 999999, rand(), rand());

		L.noiselen += (size_t)n;
	}
}

/* The next piece to write: one line when paced, up to 4 KiB of whole lines
 * at full speed; the trigger line on its own once it is due. */
static void next_piece(uint64_t t)
{
	static const char trig[] = "TRIGGER-LINE now\r\n";

	if (L.trig_pending && t - L.t_on >= L.delay) {
		L.trig_pending = false;
		L.trig_written = true;
		L.t_trig = now();
		L.out = trig;
		L.outlen = sizeof(trig) - 1;
		L.outoff = 0;
		return;
	}
	if (L.noisepos >= L.noiselen)
		L.noisepos = 0;
	{
		const char *p = L.noise + L.noisepos;
		size_t lim = L.baud > 0 ? 1 : 4096, n = 0;
		size_t lines = 0;

		while (L.noisepos + n < L.noiselen) {
			const char *nl = memchr(p + n, '\n', L.noiselen - L.noisepos - n);

			if (!nl)
				break;
			if (lim == 1 ? lines == 1 : (size_t)(nl + 1 - p) > lim)
				break;
			n = (size_t)(nl + 1 - p);
			lines++;
		}
		L.out = p;
		L.outlen = n;
		L.outoff = 0;
		L.noisepos += n;
	}
}

/* Write what is due; returns the ns until the next write (0 = none). A full
 * pty is retried on a short timer as well as on POLLOUT: Linux wakes a pty
 * master's writer only when the reader's line discipline unthrottles, so a
 * reader taking 4 KiB at a time may never wake it. */
static uint64_t pump(void)
{
	for (;;) {
		uint64_t t = now();
		ssize_t w;

		if (!L.on)
			return 0;
		if (L.outoff == L.outlen) {
			if (L.baud > 0) {
				uint64_t due = L.t_on + L.sent * 10ull * 1000000000ull / (uint64_t)L.baud;

				if (due > t)
					return due - t;
			}
			next_piece(t);
		}
		w = write(L.con_m, L.out + L.outoff, L.outlen - L.outoff);
		if (w < 0)
			return 200000;   /* EAGAIN: retry in 0.2 ms (see below) */
		L.outoff += (size_t)w;
		L.sent += (uint64_t)w;
		L.total += (uint64_t)w;
	}
}

static void http_request(struct conn *c, const char *req, size_t len)
{
	char method[8] = "", path[256] = "", resp[256];
	const char *body;
	int n;

	(void)len;
	if (sscanf(req, "%7s %255s", method, path) != 2)
		return;
	if (!strcmp(path, "/off") || (strncmp(path, "/outlet/", 8) == 0 && strlen(path) > 10 &&
				      !strcmp(path + strlen(path) - 2, "/0")))
		power(false, "http");
	else if (!strcmp(path, "/on") || (strncmp(path, "/outlet/", 8) == 0 && strlen(path) > 10 &&
					  !strcmp(path + strlen(path) - 2, "/1")))
		power(true, "http");
	body = L.on ? "1" : "0";
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
		     "Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n%s", strlen(body), body);
	if (write(c->fd, resp, (size_t)n) < 0)
		return;
}

/* Requests end at the blank line; a body (PUT) is skipped by Content-Length. */
static void http_read(struct conn *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);

	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	for (;;) {
		char *end = strstr(c->buf, "\r\n\r\n"), *cl;
		size_t hdr, body = 0, total;

		if (!end)
			break;
		hdr = (size_t)(end + 4 - c->buf);
		cl = strcasestr(c->buf, "\r\nContent-Length:");
		if (cl && cl < end)
			body = (size_t)strtoul(cl + 17, NULL, 10);
		total = hdr + body;
		if (total > c->len)
			break;
		http_request(c, c->buf, hdr);
		memmove(c->buf, c->buf + total, c->len - total + 1);
		c->len -= total;
	}
	if (c->len == sizeof(c->buf) - 1)
		c->len = 0;   /* junk: drop it */
}

static void relay_read(void)
{
	uint8_t b[64];
	ssize_t n = read(L.relay_m, b, sizeof(b));

	for (ssize_t i = 0; i < n; i++) {
		if (L.relaylen == 0 && b[i] != 0xA0)
			continue;
		L.relay[L.relaylen++] = b[i];
		if (L.relaylen == 4) {
			L.relaylen = 0;
			if (L.relay[1] == 0x01 && (uint8_t)(L.relay[0] + L.relay[1] + L.relay[2]) == L.relay[3])
				power(L.relay[2] == 0x01, "relay");
		}
	}
}

static int open_pty(const char *name, int *m, int *s)
{
	char path[4096], slave[256];
	struct termios tio;

	if (openpty(m, s, slave, NULL, NULL) < 0)
		return -1;
	tcgetattr(*s, &tio);
	cfmakeraw(&tio);
	tcsetattr(*s, TCSANOW, &tio);
	fcntl(*m, F_SETFL, O_NONBLOCK);
	dirfile(path, sizeof(path), name);
	unlink(path);
	return symlink(slave, path);
}

static int listen_http(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	char path[4096];
	FILE *f;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	getsockname(fd, (struct sockaddr *)&a, &al);
	dirfile(path, sizeof(path), "http.port.tmp");
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", ntohs(a.sin_port));
	fclose(f);
	{
		char final[4096];

		dirfile(final, sizeof(final), "http.port");
		rename(path, final);
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	L.dir = argv[1];
	L.baud = atol(argv[2]);
	srand((unsigned)atoi(argv[3]));
	L.trigger = !(argc > 4 && !strcmp(argv[4], "--no-trigger"));
	signal(SIGUSR1, on_usr1);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	make_noise();
	if (open_pty("console", &L.con_m, &L.con_s) < 0 || open_pty("relay", &L.relay_m, &L.relay_s) < 0)
		return 1;
	L.lsn = listen_http();
	if (L.lsn < 0)
		return 1;
	for (int i = 0; i < MAXCONN; i++)
		L.conns[i].fd = -1;
	while (!want_exit) {
		struct pollfd p[3 + MAXCONN];
		int np = 0, ci[MAXCONN];
		uint64_t wait = pump();
		struct timespec ts = { (time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull) };
		bool blocked = L.on && L.outoff < L.outlen;

		if (want_stats) {
			char path[4096];
			FILE *f;

			want_stats = 0;
			dirfile(path, sizeof(path), "stats");
			f = fopen(path, "a");
			if (f) {
				fprintf(f, "%llu %llu\n", (unsigned long long)L.total, (unsigned long long)now());
				fclose(f);
			}
		}
		p[np++] = (struct pollfd){ L.lsn, POLLIN, 0 };
		p[np++] = (struct pollfd){ L.relay_m, POLLIN, 0 };
		p[np++] = (struct pollfd){ L.con_m, (short)(blocked ? POLLOUT : 0), 0 };
		for (int i = 0; i < MAXCONN; i++) {
			ci[i] = -1;
			if (L.conns[i].fd >= 0) {
				ci[i] = np;
				p[np++] = (struct pollfd){ L.conns[i].fd, POLLIN, 0 };
			}
		}
		if (ppoll(p, (nfds_t)np, wait ? &ts : NULL, NULL) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN) {
			int fd = accept4(L.lsn, NULL, NULL, SOCK_CLOEXEC), one = 1;

			for (int i = 0; fd >= 0 && i < MAXCONN; i++) {
				if (L.conns[i].fd < 0) {
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					L.conns[i].fd = fd;
					L.conns[i].len = 0;
					fd = -1;
				}
			}
			if (fd >= 0)
				close(fd);
		}
		if (p[1].revents & POLLIN)
			relay_read();
		for (int i = 0; i < MAXCONN; i++)
			if (ci[i] >= 0 && (p[ci[i]].revents & (POLLIN | POLLHUP | POLLERR)))
				http_read(&L.conns[i]);
	}
	return 0;
}
