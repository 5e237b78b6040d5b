/*
 * bgsync.c — background synchronisation for the shell (SPEC 7): the app
 * module's scheduler (app_sync_*, src/app/sync-bg.c) runs on its own thread
 * with its own store connection from login to logout and reports each round
 * through the event queue (the status line's online/offline and data age,
 * NET-5; a message when the line goes down or comes back).  F5 asks for a
 * round now.  The UI never waits for the network.
 */
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "sync.h"
#include "ui-internal.h"

static void
bgsync_now(struct ui *u)
{
	struct sync_status st;

	if (u->sync == NULL) {
		ui_message(u, 1, "同期を開始できません（ログインし直してください）");
		return;
	}
	app_sync_status(u->sync, &st);
	if (!st.enrolled) {
		ui_message(u, 1, "この端末は中央システムに登録されていません（madoguchi enroll）");
		return;
	}
	app_sync_request(u->sync);	/* the outcome comes as a message */
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
	if (app_sync_start(u->ses.st, u->conf, u->evq, &u->sync, &e) != 0) {
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
	app_sync_stop(u->sync);		/* waits for a running round */
	u->sync = NULL;
	u->status.online = -1;
	u->status.synced_at[0] = '\0';
}
