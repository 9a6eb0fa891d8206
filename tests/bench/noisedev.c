/* A fake device for the latency benchmark: streams console noise on stdout
 * (paced at a baud rate, or at full speed) and, after a random delay, writes
 * a trigger line, recording the CLOCK_MONOTONIC time of the write to a file
 * first. It runs until killed — the cut is what the benchmark measures.
 * Usage: noisedev STAMPFILE BAUD|0 SEED */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void out(const char *s, size_t n, long baud)
{
	if (write(1, s, n) < 0)
		exit(1);
	if (baud > 0) {
		/* 10 bits per byte on the wire */
		uint64_t ns = (uint64_t)n * 10ull * 1000000000ull / (uint64_t)baud;
		struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	long baud = argc > 2 ? atol(argv[2]) : 115200;
	unsigned seed = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
	uint64_t t0 = now(), delay;
	char line[128];
	FILE *f;

	if (argc < 3)
		return 2;
	srand(seed);
	delay = (uint64_t)(50 + rand() % 150) * 1000000ull;   /* 50-200 ms of noise first */
	while (now() - t0 < delay) {
		int n = snprintf(line, sizeof(line), "[%5d.%06d] noise: eth0 rx %d bytes %d\r\n", rand() % 99999,
				 rand() % 999999, rand(), rand());
		out(line, (size_t)n, baud);
	}
	f = fopen(argv[1], "a");
	if (!f)
		return 1;
	fprintf(f, "%llu\n", (unsigned long long)now());
	fclose(f);
	out("TRIGGER-LINE now\r\n", 18, baud);
	for (;;) {
		int n = snprintf(line, sizeof(line), "after the trigger %d\r\n", rand());

		out(line, (size_t)n, baud);
	}
}
