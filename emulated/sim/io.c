/* Console output with the hostile console's habits, delays, a seeded PRNG. */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double sim_scale = 1.0;
bool sim_hostile;
static uint64_t rng = 88172645463325252ull;

void sim_rand_seed(uint64_t seed)
{
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	if (!rng)
		rng = 1;
}

uint32_t sim_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

void sim_sleep_ms(double ms)
{
	struct timespec ts;
	double s = ms * sim_scale / 1000.0;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
}

void sim_raw(const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(1, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Format into buf; the length written (truncated to cap - 1). */
static size_t vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, cap, fmt, ap);

	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

void sim_out(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sim_raw(buf, n);
}

void sim_kernel_line(void)
{
	static const char *const msgs[] = {
		"usb 1-1: new high-speed USB device number %u using ehci-pci",
		"mmcblk0: mmc0:0001 SIM32G %u GiB",
		"EXT4-fs (mmcblk0p%u): mounted filesystem with ordered data mode",
		"random: crng init done (%u)",
		"eth0: link up (%u Mbps)",
	};
	unsigned s = 1 + sim_rand() % 9999;

	sim_out("[%5u.%06u] ", s, sim_rand() % 1000000);
	sim_out(msgs[sim_rand() % 5], 1 + sim_rand() % 9);
	sim_out("\n");
}

void sim_line(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (sim_hostile && n > 2 && sim_rand() % 4 == 0) {
		/* the kernel prints in the middle of the line */
		size_t cut = 1 + sim_rand() % (unsigned)(n - 1);

		sim_raw(buf, cut);
		sim_kernel_line();
		sim_raw(buf + cut, n - cut);
	} else {
		sim_raw(buf, n);
	}
	sim_raw("\n", 1);
}

size_t sim_readline(char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		char c;
		ssize_t r = read(0, &c, 1);

		if (r <= 0)
			exit(0);   /* the console went away */
		if (c == '\n' || c == '\r')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return n;
}
