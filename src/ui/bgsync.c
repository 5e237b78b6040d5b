/*
 * bgsync.c — background synchronisation for the shell (SPEC 7): the sync
 * scheduler runs on its own thread with its own store connection from
 * login to logout, reports each round through the event queue (the status
 * line's online/offline and data age, NET-5), and F5 asks for a round now.
 * The UI never waits for the network.
 */
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "sync.h"
#include "ui-internal.h"

/* On the sync thread: only post. */
static void
bgsync_notify(void *arg, const struct sync_status *st)
{
	struct ui *u = arg;
	struct shell_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = EV_SYNC;
	ev.code = st->enrolled && st->online;
	snprintf(ev.text, sizeof(ev.text), "%s", st->synced_at);
	evq_post(u->evq, &ev);
}

static void
bgsync_now(struct ui *u)
{
	struct sync_status st;

	if (u->sync == NULL) {
		ui_message(u, 1, "同期を開始できません（ログインし直してください）");
		return;
	}
	sync_sched_status(u->sync, &st);
	if (!st.enrolled) {
		ui_message(u, 1, "この端末は中央システムに登録されていません（madoguchi enroll）");
		return;
	}
	sync_sched_trigger(u->sync);
	ui_message(u, 0, "中央システムとの同期を始めました（画面はそのまま使えます）");
}

void
ui_bgsync_start(struct ui *u)
{
	struct err e;
	char cur[256], at[32] = "";

	if (u->sync != NULL || u->ses.st == NULL)
		return;
	/* the data's age is known before the first round finishes */
	if (store_sync_cursor_get(u->ses.st, cur, sizeof(cur), at, NULL) == 0 && at[0] != '\0')
		snprintf(u->status.synced_at, sizeof(u->status.synced_at), "%s", at);
	err_clear(&e);
	if (sync_sched_new(u->ses.st, u->conf, (int)conf_int(u->conf, "sync", "interval"),
	    bgsync_notify, u, &u->sync, &e) != 0) {
		log_error("background sync not started: %s", e.msg);
		u->sync = NULL;
	}
	u->actions[ACT_SYNC] = bgsync_now;
}

void
ui_bgsync_stop(struct ui *u)
{
	if (u->sync == NULL)
		return;
	sync_sched_free(u->sync);	/* waits for a running round */
	u->sync = NULL;
	u->status.online = -1;
	u->status.synced_at[0] = '\0';
}
