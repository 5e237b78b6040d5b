/*
 * watch.c — the reader/card state watcher for the status line and the
 * identity screen.  A thread of its own waits in SCardGetStatusChange (with
 * the PnP pseudo-reader so that readers coming and going are seen too) and
 * publishes each change three ways: a mutex-protected snapshot
 * (card_watch_get), a byte on a pipe for poll() loops, and an optional
 * callback.  The caller never blocks on PC/SC.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <winscard.h>

#include "card.h"
#include "card-internal.h"

#define PNP_READER "\\\\?PnP?\\Notification"
#define WAIT_MS 500		/* upper bound on stop latency */
#define MAX_READERS 16

struct card_watch {
	pthread_t thr;
	pthread_mutex_t mu;
	int stop;			/* under mu */
	SCARDCONTEXT ctx;		/* valid while have_ctx, under mu */
	int have_ctx;
	struct card_event ev;		/* under mu */
	char want[128];			/* configured reader or "" */
	int pipe[2];
	card_watch_fn fn;
	void *arg;
};

static int
stopping(struct card_watch *w)
{
	int s;

	pthread_mutex_lock(&w->mu);
	s = w->stop;
	pthread_mutex_unlock(&w->mu);
	return s;
}

static void
publish(struct card_watch *w, enum card_state st, const char *reader)
{
	struct card_event copy;
	int changed;

	pthread_mutex_lock(&w->mu);
	changed = w->ev.state != st || strcmp(w->ev.reader, reader) != 0;
	if (changed) {
		w->ev.state = st;
		strncpy(w->ev.reader, reader, sizeof(w->ev.reader) - 1);
		w->ev.reader[sizeof(w->ev.reader) - 1] = '\0';
		w->ev.seq++;
	}
	copy = w->ev;
	pthread_mutex_unlock(&w->mu);
	if (!changed)
		return;
	(void)!write(w->pipe[1], "x", 1);
	if (w->fn != NULL)
		w->fn(w->arg, &copy);
}

static void
nap(struct card_watch *w, int ms)
{
	for (int i = 0; i < ms / 50 && !stopping(w); i++) {
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

static enum card_state
state_of(DWORD s)
{
	if (s & SCARD_STATE_PRESENT)
		return (s & SCARD_STATE_MUTE) ? CARD_STATE_MUTE : CARD_STATE_PRESENT;
	if (s & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE))
		return CARD_STATE_NO_READER;
	return CARD_STATE_EMPTY;
}

/* Watch until the reader list changes, the service goes away or we stop. */
static void
watch_readers(struct card_watch *w, SCARDCONTEXT ctx, char **names, size_t n)
{
	SCARD_READERSTATE rs[MAX_READERS + 1];
	size_t m = 0, pick;
	LONG rv;

	memset(rs, 0, sizeof(rs));
	for (size_t i = 0; i < n && m < MAX_READERS; i++) {
		if (w->want[0] != '\0' && strcmp(names[i], w->want) != 0)
			continue;
		rs[m].szReader = names[i];
		rs[m].dwCurrentState = SCARD_STATE_UNAWARE;
		m++;
	}
	rs[m].szReader = PNP_READER;
	rs[m].dwCurrentState = SCARD_STATE_UNAWARE;
	if (m == 0) {
		publish(w, CARD_STATE_NO_READER, w->want);
		/* Wait for a reader to appear. */
		while (!stopping(w)) {
			rv = SCardGetStatusChange(ctx, WAIT_MS, &rs[0], 1);
			if (rv == SCARD_E_TIMEOUT)
				continue;
			if (rv != SCARD_S_SUCCESS || (rs[0].dwEventState & SCARD_STATE_CHANGED))
				return;
			rs[0].dwCurrentState = rs[0].dwEventState;
		}
		return;
	}
	while (!stopping(w)) {
		rv = SCardGetStatusChange(ctx, WAIT_MS, rs, (DWORD)(m + 1));
		if (rv == SCARD_E_TIMEOUT)
			continue;
		if (rv != SCARD_S_SUCCESS)
			return;		/* cancelled, service gone, reader gone */
		if (rs[m].dwEventState & SCARD_STATE_CHANGED)
			return;		/* readers added or removed: list again */
		/* The reader with a card wins; else the first. */
		pick = 0;
		for (size_t i = 0; i < m; i++)
			if (rs[i].dwEventState & SCARD_STATE_PRESENT) {
				pick = i;
				break;
			}
		publish(w, state_of(rs[pick].dwEventState), rs[pick].szReader);
		for (size_t i = 0; i <= m; i++)
			rs[i].dwCurrentState = rs[i].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	}
}

static void *
watch_main(void *arg)
{
	struct card_watch *w = arg;
	SCARDCONTEXT ctx;
	char **names;
	size_t n;
	LONG rv;

	while (!stopping(w)) {
		rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
		if (rv != SCARD_S_SUCCESS) {
			publish(w, CARD_STATE_NO_SERVICE, "");
			nap(w, 1000);
			continue;
		}
		pthread_mutex_lock(&w->mu);
		w->ctx = ctx;
		w->have_ctx = 1;
		pthread_mutex_unlock(&w->mu);
		while (!stopping(w)) {
			if (card_readers_list_ctx(ctx, &names, &n, NULL) != 0) {
				publish(w, CARD_STATE_NO_SERVICE, "");
				break;
			}
			watch_readers(w, ctx, names, n);
			card_readers_free(names, n);
			if (SCardIsValidContext(ctx) != SCARD_S_SUCCESS)
				break;
		}
		pthread_mutex_lock(&w->mu);
		w->have_ctx = 0;
		pthread_mutex_unlock(&w->mu);
		SCardReleaseContext(ctx);
		nap(w, 200);
	}
	return NULL;
}

int
card_watch_start(const char *reader, card_watch_fn fn, void *arg,
    struct card_watch **out, struct err *e)
{
	struct card_watch *w;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		free(w);
		return err_set(e, ERR_IO, "pipe: %s", strerror(errno));
	}
	pthread_mutex_init(&w->mu, NULL);
	if (reader != NULL)
		strncpy(w->want, reader, sizeof(w->want) - 1);
	w->fn = fn;
	w->arg = arg;
	w->ev.state = CARD_STATE_UNKNOWN;
	if (pthread_create(&w->thr, NULL, watch_main, w) != 0) {
		close(w->pipe[0]);
		close(w->pipe[1]);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return err_set(e, ERR_IO, "cannot start the card watcher thread");
	}
	*out = w;
	return 0;
}

void
card_watch_get(struct card_watch *w, struct card_event *ev)
{
	pthread_mutex_lock(&w->mu);
	*ev = w->ev;
	pthread_mutex_unlock(&w->mu);
}

int
card_watch_fd(const struct card_watch *w)
{
	return w->pipe[0];
}

void
card_watch_stop(struct card_watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	if (w->have_ctx)
		SCardCancel(w->ctx);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thr, NULL);
	close(w->pipe[0]);
	close(w->pipe[1]);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
