/* A one-shot client for the fake lab's power switch (fakelab.c), for power
 * drivers that run a command per operation (rig's `command` driver): one
 * HTTP request on a fresh connection, or one relay frame.
 * Usage: switch DIR http|relay on|off */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096];
	int on;

	if (argc < 4)
		return 2;
	on = !strcmp(argv[3], "on");
	if (!strcmp(argv[2], "http")) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		char req[128], resp[512];
		int port = 0, one = 1, fd, n;
		FILE *f;

		snprintf(path, sizeof(path), "%s/http.port", argv[1]);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%d", &port) != 1)
			return 1;
		fclose(f);
		a.sin_port = htons((unsigned short)port);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			return 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		n = snprintf(req, sizeof(req), "GET /outlet/1/%d HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", on);
		if (write(fd, req, (size_t)n) != n || read(fd, resp, sizeof(resp)) <= 0)
			return 1;
		return 0;
	}
	{
		unsigned char fr[4] = { 0xA0, 0x01, (unsigned char)on, (unsigned char)(0xA1 + on) };
		int fd;

		snprintf(path, sizeof(path), "%s/relay", argv[1]);
		fd = open(path, O_WRONLY | O_NOCTTY);
		return fd >= 0 && write(fd, fr, 4) == 4 ? 0 : 1;
	}
}
