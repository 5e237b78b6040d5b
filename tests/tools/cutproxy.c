/*
 * cutproxy — a TCP proxy for fault-injection tests, 127.0.0.1 only:
 *
 *   cutproxy LISTEN_PORT TARGET_PORT SEED MAX_CUT [MAX_DELAY_MS]
 *
 * Each accepted connection is forwarded to 127.0.0.1:TARGET_PORT in small
 * chunks, sometimes delayed by up to MAX_DELAY_MS, and cut (both sides
 * closed) after a random number of bytes in [0, MAX_CUT) counted over both
 * directions.  MAX_CUT 0 never cuts.  Connections are served one at a
 * time (the sync client makes one at a time).  Runs until killed; prints a
 * line per connection to standard output.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "proxy.h"

static uint64_t rng;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
serve(int cfd, int target, long max_cut, int max_delay, long id)
{
	struct pollfd p[2];
	char buf[512];
	long budget = max_cut > 0 ? (long)(next() % (uint64_t)max_cut) : -1;
	long moved = 0;
	int sfd = connect_to(target), i, cut = 0;

	if (sfd < 0) {
		close(cfd);
		printf("conn %ld: target down\n", id);
		return;
	}
	p[0].fd = cfd;
	p[1].fd = sfd;
	for (;;) {
		p[0].events = p[1].events = POLLIN;
		if (poll(p, 2, 30000) <= 0)
			break;
		for (i = 0; i < 2; i++) {
			ssize_t n;
			size_t want = sizeof(buf);

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* Small reads so the cut lands anywhere, not on frames. */
			want = 1 + next() % sizeof(buf);
			if ((n = recv(p[i].fd, buf, want, 0)) <= 0)
				goto done;
			if (budget >= 0 && moved + n >= budget) {
				n = budget - moved;
				if (n > 0)
					write_all(p[1 - i].fd, buf, (size_t)n);
				moved += n;
				cut = 1;
				goto done;
			}
			if (max_delay > 0 && next() % 8 == 0)
				usleep((useconds_t)(next() % (uint64_t)max_delay) * 1000);
			if (write_all(p[1 - i].fd, buf, (size_t)n) != 0)
				goto done;
			moved += n;
		}
	}
done:
	close(cfd);
	close(sfd);
	printf("conn %ld: %s after %ld bytes\n", id, cut ? "cut" : "closed", moved);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a;
	int lfd, one = 1;
	long id = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: cutproxy LISTEN_PORT TARGET_PORT SEED MAX_CUT [MAX_DELAY_MS]\n");
		return 2;
	}
	rng = strtoull(argv[3], NULL, 10) * 2654435761u + 1;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)atoi(argv[1]));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 16) != 0) {
		perror("cutproxy: listen");
		return 1;
	}
	for (;;) {
		int cfd = accept(lfd, NULL, NULL);

		if (cfd < 0)
			continue;
		serve(cfd, atoi(argv[2]), atol(argv[4]), argc > 5 ? atoi(argv[5]) : 0, ++id);
	}
}
