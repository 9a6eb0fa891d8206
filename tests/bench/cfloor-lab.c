/* The floor against the fake lab (fakelab.c): a minimal C poll loop opens
 * the console pty like a serial port, powers the device on, finds the trigger
 * with one memmem per read (the last 11 bytes carried over) and switches the
 * power off — over one keep-alive
 * HTTP connection, or with a relay frame on the relay pty. The fake lab
 * records the latency.
 * Usage: cfloor-lab DIR http|relay RUNS */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

static int http = -1, relay = -1;

static int switch_power(int on)
{
	if (http >= 0) {
		char req[128], resp[512];
		int n = snprintf(req, sizeof(req), "GET /outlet/1/%d HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", on);
		ssize_t r;

		if (write(http, req, (size_t)n) != n)
			return -1;
		/* the response is small and arrives whole */
		r = read(http, resp, sizeof(resp));
		return r > 0 ? 0 : -1;
	}
	{
		unsigned char f[4] = { 0xA0, 0x01, (unsigned char)on, (unsigned char)(0xA1 + on) };

		return write(relay, f, 4) == 4 ? 0 : -1;
	}
}

static int open_raw(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY);
	struct termios tio;

	if (fd >= 0 && tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	return fd;
}

int main(int argc, char **argv)
{
	char path[4096];
	int runs, con;
	FILE *f;

	if (argc < 4)
		return 2;
	runs = atoi(argv[3]);
	snprintf(path, sizeof(path), "%s/console", argv[1]);
	con = open_raw(path);
	if (con < 0)
		return 1;
	if (!strcmp(argv[2], "http")) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int port = 0, one = 1;

		snprintf(path, sizeof(path), "%s/http.port", argv[1]);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%d", &port) != 1)
			return 1;
		fclose(f);
		a.sin_port = htons((unsigned short)port);
		http = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(http, (struct sockaddr *)&a, sizeof(a)) < 0)
			return 1;
		setsockopt(http, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	} else {
		snprintf(path, sizeof(path), "%s/relay", argv[1]);
		relay = open_raw(path);
		if (relay < 0)
			return 1;
	}
	for (int r = 0; r < runs; r++) {
		/* the last 11 bytes of the previous read, then the new bytes: one
		 * memmem per read finds a match that straddles reads */
		char buf[11 + 65536];
		size_t keep = 0;

		if (switch_power(1) < 0)
			return 1;
		for (;;) {
			struct pollfd p = { con, POLLIN, 0 };
			ssize_t n;

			if (poll(&p, 1, -1) <= 0)
				return 1;
			n = read(con, buf + keep, sizeof(buf) - keep);
			if (n <= 0)
				return 1;
			if (memmem(buf, keep + (size_t)n, "TRIGGER-LINE", 12)) {
				if (switch_power(0) < 0)
					return 1;
				break;
			}
			keep += (size_t)n;
			if (keep > 11) {
				memmove(buf, buf + keep - 11, 11);
				keep = 11;
			}
		}
	}
	return 0;
}
