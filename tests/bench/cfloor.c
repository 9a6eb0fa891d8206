/* The floor: the least any tool can do. A minimal C poll loop on a pty reads
 * the fake device's console, finds the trigger with memmem across reads, and
 * SIGKILLs it; prints the latency from the device's write to the kill.
 * Usage: cfloor NOISEDEV BAUD|0 RUNS */
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int runs = argc > 3 ? atoi(argv[3]) : 200;
	char stamp[] = "/tmp/rig-cfloor-XXXXXX";
	int sfd = mkstemp(stamp);

	if (argc < 4 || sfd < 0)
		return 2;
	close(sfd);
	for (int r = 0; r < runs; r++) {
		int master;
		char seed[16], buf[8192], win[64] = "";
		size_t wl = 0;
		pid_t pid;
		uint64_t t_kill = 0, t_write = 0;
		FILE *f;

		snprintf(seed, sizeof(seed), "%d", r + 1);
		truncate(stamp, 0);
		pid = forkpty(&master, NULL, NULL, NULL);
		if (pid == 0) {
			execl(argv[1], argv[1], stamp, argv[2], seed, (char *)NULL);
			_exit(127);
		}
		for (;;) {
			struct pollfd p = { master, POLLIN, 0 };
			ssize_t n;

			if (poll(&p, 1, 5000) <= 0)
				break;
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				break;
			/* keep the tail of the previous read: a match may straddle reads */
			for (ssize_t i = 0; i < n; i++) {
				if (wl == sizeof(win) - 1) {
					memmove(win, win + 32, wl - 32);
					wl -= 32;
				}
				win[wl++] = buf[i];
				win[wl] = '\0';
				if (memmem(win, wl, "TRIGGER-LINE", 12)) {
					kill(pid, SIGKILL);
					t_kill = now();
					goto done;
				}
			}
		}
done:
		waitpid(pid, NULL, 0);
		close(master);
		f = fopen(stamp, "r");
		if (f && fscanf(f, "%lu", &t_write) == 1 && t_kill)
			printf("%.3f\n", (double)(t_kill - t_write) / 1e6);
		if (f)
			fclose(f);
	}
	unlink(stamp);
	return 0;
}
