/*
 * evq.c — the queue through which background threads reach the UI loop.
 *
 * A fixed ring under a mutex plus a self-pipe: posting never blocks (a full
 * ring drops the event; the events are state updates, so the next one
 * repairs it) and the UI loop sleeps in poll() on the pipe, so it never
 * waits for a background thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"

#define EVQ_CAP 64

struct evq {
	pthread_mutex_t mu;
	int pipe[2];
	struct shell_ev ring[EVQ_CAP];
	int head, n;
};

int
evq_new(struct evq **out, struct err *e)
{
	struct evq *q = calloc(1, sizeof(*q));

	*out = NULL;
	if (q == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (pipe2(q->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		free(q);
		return err_set(e, ERR_IO, "pipe: %s", strerror(errno));
	}
	pthread_mutex_init(&q->mu, NULL);
	*out = q;
	return 0;
}

void
evq_free(struct evq *q)
{
	if (q == NULL)
		return;
	close(q->pipe[0]);
	close(q->pipe[1]);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

int
evq_fd(const struct evq *q)
{
	return q->pipe[0];
}

int
evq_post(struct evq *q, const struct shell_ev *ev)
{
	int full;

	pthread_mutex_lock(&q->mu);
	full = q->n == EVQ_CAP;
	if (!full) {
		q->ring[(q->head + q->n) % EVQ_CAP] = *ev;
		q->ring[(q->head + q->n) % EVQ_CAP].text[sizeof(ev->text) - 1] = '\0';
		q->n++;
	}
	pthread_mutex_unlock(&q->mu);
	if (full)
		return ERR_BUSY;
	/* one byte per event; a full pipe is fine: it is readable already */
	(void)!write(q->pipe[1], "e", 1);
	return 0;
}

int
evq_get(struct evq *q, struct shell_ev *ev)
{
	char b[64];
	int r = ERR_NOTFOUND;

	pthread_mutex_lock(&q->mu);
	if (q->n > 0) {
		*ev = q->ring[q->head];
		q->head = (q->head + 1) % EVQ_CAP;
		q->n--;
		r = 0;
	}
	if (q->n == 0)
		while (read(q->pipe[0], b, sizeof(b)) > 0)
			;
	pthread_mutex_unlock(&q->mu);
	return r;
}
