/*
 * pcsc_rig.h — pieces every suite that runs a private pcscd with
 * mynacard-sim needs (header-only, like tmux.h: the Makefile links only
 * harness.c from tests/lib).  Each suite keeps its own rig_up/rig_down,
 * since they differ in what they start; these are the parts that do not.
 */
#ifndef MDG_TEST_PCSC_RIG_H
#define MDG_TEST_PCSC_RIG_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "card.h"
#include "harness.h"

/* A port p with p and p+1 free on every address (vpcd binds both). */
static inline int
rig_pair_port(void)
{
	for (int i = 0; i < 50; i++) {
		int p = t_free_port(), ok = 1;
		for (int k = 0; k < 2 && ok; k++) {
			struct sockaddr_in sa;
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			memset(&sa, 0, sizeof(sa));
			sa.sin_family = AF_INET;
			sa.sin_port = htons((uint16_t)(p + k));
			ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
			if (fd >= 0)
				close(fd);
		}
		if (ok && p > 0 && p < 65534)
			return p;
	}
	return -1;
}

/* For t_wait_for: the private pcscd lists a reader. */
static inline int
rig_reader_up(void *arg)
{
	char **names;
	size_t n;
	int ok;

	(void)arg;
	if (card_readers_list(&names, &n, NULL) != 0)
		return 0;
	ok = n > 0;
	card_readers_free(names, n);
	return ok;
}

/* For t_wait_for: a card can be opened (arg: reader name, or NULL for the
 * first reader with a card). */
static inline int
rig_card_in(void *arg)
{
	const char *reader = arg;
	struct card *c;

	if (card_open(reader, &c, NULL) != 0)
		return 0;
	card_close(c);
	return 1;
}

#endif
