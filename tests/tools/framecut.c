/*
 * framecut — a TCP proxy that cuts a sync connection at a chosen Noise
 * frame boundary, 127.0.0.1 only (issue 18: a pull cut at every page
 * boundary):
 *
 *   framecut LISTEN_PORT TARGET_PORT KFILE
 *
 * For each accepted connection it reads K from KFILE (a decimal number;
 * 0 or a missing file: never cut), forwards the terminal's bytes as they
 * come, and forwards the central's bytes frame by frame (every Noise
 * message on the wire is a 2-byte big-endian length and that many bytes,
 * src/sync/channel.c): right after the K-th whole frame from the central
 * it closes both sides.  Prints "conn N: frames F cut|closed" per
 * connection.  Connections are served one at a time.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "proxy.h"

static long
read_k(const char *path)
{
	FILE *f = fopen(path, "r");
	long k = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &k) != 1)
		k = 0;
	fclose(f);
	return k;
}

static void
serve(int cfd, int target, long k, long id)
{
	struct pollfd p[2];
	static uint8_t in[65536 + 2 + 65536];
	uint8_t buf[8192];
	size_t have = 0;
	long frames = 0;
	int sfd = connect_to(target), cut = 0;

	if (sfd < 0) {
		close(cfd);
		printf("conn %ld: target down\n", id);
		fflush(stdout);
		return;
	}
	p[0].fd = cfd;
	p[1].fd = sfd;
	for (;;) {
		ssize_t n;

		p[0].events = p[1].events = POLLIN;
		if (poll(p, 2, 30000) <= 0)
			break;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((n = recv(cfd, buf, sizeof(buf), 0)) <= 0 ||
			    write_all(sfd, buf, (size_t)n) != 0)
				break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((n = recv(sfd, in + have, sizeof(in) - have, 0)) <= 0)
				break;
			have += (size_t)n;
			/* Forward whole frames only; stop after the K-th. */
			for (;;) {
				size_t len;

				if (have < 2)
					break;
				len = 2 + ((size_t)in[0] << 8 | in[1]);
				if (have < len)
					break;
				if (write_all(cfd, in, len) != 0)
					goto done;
				memmove(in, in + len, have - len);
				have -= len;
				frames++;
				if (k > 0 && frames >= k) {
					cut = 1;
					goto done;
				}
			}
		}
	}
done:
	close(cfd);
	close(sfd);
	printf("conn %ld: frames %ld %s\n", id, frames, cut ? "cut" : "closed");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a;
	int lfd, one = 1;
	long id = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: framecut LISTEN_PORT TARGET_PORT KFILE\n");
		return 2;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)atoi(argv[1]));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 16) != 0) {
		perror("framecut: listen");
		return 1;
	}
	for (;;) {
		int cfd = accept(lfd, NULL, NULL);

		if (cfd < 0)
			continue;
		serve(cfd, atoi(argv[2]), read_k(argv[3]), ++id);
	}
}
