/*
 * sync-bg.c — background synchronisation for the workstation (NET-5,
 * NET-7): the sync module's scheduler on its own store connection, with
 * its results turned into events for the UI loop (EV_SYNC for the status
 * line: online/offline and the time of the last pull; EV_MESSAGE when the
 * line goes down or comes back).  The UI calls app_sync_now on F5 and after
 * every intake; nothing here ever waits for the network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "shell.h"
#include "store.h"
#include "sync.h"

struct app_sync {
	struct sync_sched *sched;
	struct evq *q;
	int was_online;		/* -1 unknown; touched by the sync thread only */
	int report;		/* atomic: the clerk asked (F5), say how it ended */
};

static void report_round(struct app_sync *a, const struct sync_status *st);

/* Runs on the sync thread: post, never block. */
static void
on_round(void *arg, const struct sync_status *st)
{
	struct app_sync *a = arg;
	struct shell_ev ev;

	if (st->running)
		return;
	if (__atomic_exchange_n(&a->report, 0, __ATOMIC_ACQ_REL) && st->enrolled) {
		report_round(a, st);
		a->was_online = st->online;	/* said: no second message */
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_SYNC;
	/* "online" on the status line means an enrolled terminal reached
	 * its central; an unenrolled one is always shown offline. */
	ev.code = st->enrolled && st->online;
	snprintf(ev.text, sizeof(ev.text), "%s", st->synced_at);
	evq_post(a->q, &ev);
	if (a->was_online != -1 && a->was_online != st->online && st->enrolled) {
		memset(&ev, 0, sizeof(ev));
		ev.type = EV_MESSAGE;
		snprintf(ev.text, sizeof(ev.text), "%s", st->online ?
		    "中央システムと再接続しました" :
		    "中央システムに接続できません（オフラインで受付を続けられます）");
		evq_post(a->q, &ev);
	}
	a->was_online = st->online;
}

/* The clerk's F5: the round that ends next says how it went, also when
 * nothing changed (a second F5 while offline used to say only that it
 * had started).  Never carries the server's error text to the screen: it
 * is English and for the log. */
static void
report_round(struct app_sync *a, const struct sync_status *st)
{
	struct shell_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = EV_MESSAGE;
	if (st->online) {
		ev.code = 2;
		snprintf(ev.text, sizeof(ev.text), "中央システムと同期しました");
	} else {
		ev.code = 1;
		/* short enough for an 80-column message line */
		snprintf(ev.text, sizeof(ev.text), "同期できませんでした：中央システムに接続できません"
		    "（%d回連続）", st->failures);
	}
	evq_post(a->q, &ev);
}

int
app_sync_start(struct store *st, const struct conf *cf, struct evq *q,
    struct app_sync **out, struct err *e)
{
	struct app_sync *a;
	int r;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	a->q = q;
	a->was_online = -1;
	if ((r = sync_sched_new(st, cf, cf != NULL ? (int)conf_int(cf, "sync",
	    "interval") : 180, on_round, a, &a->sched, e)) != 0) {
		free(a);
		return r;
	}
	*out = a;
	return 0;
}

void
app_sync_now(struct app_sync *a)
{
	if (a != NULL)
		sync_sched_trigger(a->sched);
}

void
app_sync_request(struct app_sync *a)
{
	if (a == NULL)
		return;
	__atomic_store_n(&a->report, 1, __ATOMIC_RELEASE);
	sync_sched_trigger(a->sched);
}

void
app_sync_status(struct app_sync *a, struct sync_status *out)
{
	if (a != NULL)
		sync_sched_status(a->sched, out);
	else
		memset(out, 0, sizeof(*out));
}

void
app_sync_stop(struct app_sync *a)
{
	if (a == NULL)
		return;
	sync_sched_free(a->sched);	/* joins the thread: no callback after */
	free(a);
}
