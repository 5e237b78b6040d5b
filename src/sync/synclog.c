/*
 * synclog.c — the sync log (LOG-4: date-time, link ID, source, destination,
 * content, result) and the confirmation queue (確認リスト, ID-6), kept in
 * the terminal's encrypted store.
 *
 * The tables (sync_log, sync_confirm, sync_rejects) are created by the
 * store's migration 3 (src/store/schema.c), applied by store_open before any
 * handle reaches this module, so nothing here creates schema.  Earlier
 * builds created them here on first use with the same columns; the
 * migration's IF NOT EXISTS keeps what such a store already holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "sync.h"
#include "sync-int.h"

void
sync_log_now(char out[32])
{
	time_t t = (time_t)mdg_now();
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

void
sync_log_write(struct store *st, const char *central, const char *started,
    const struct sync_report *rep)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	char ended[32], content[256], source[64];

	sync_log_now(ended);
	snprintf(content, sizeof(content), "pushed %ld, duplicates %ld, rejected %ld,"
	    " audit rows %ld, pulled %ld, deleted %ld, queued %ld, outbox left %ld,"
	    " cursor %llu", rep->pushed, rep->duplicates, rep->rejected,
	    rep->audit_rows, rep->pulled, rep->deleted, rep->queued,
	    rep->outbox_left, (unsigned long long)rep->cursor);
	snprintf(source, sizeof(source), "terminal %s",
	    rep->terminal_id[0] ? rep->terminal_id : "?");
	if (sqlite3_prepare_v2(db, "INSERT INTO sync_log"
	    " (round_id, started_at, ended_at, source, destination, content, result,"
	    " error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &q, NULL) != SQLITE_OK) {
		log_warn("sync: cannot write the sync log: %s", sqlite3_errmsg(db));
		return;
	}
	sqlite3_bind_text(q, 1, rep->round_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, started, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, ended, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, central, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, content, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, rep->ok ? "ok" : "error", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, rep->error, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		log_warn("sync: cannot write the sync log: %s", sqlite3_errmsg(db));
	sqlite3_finalize(q);
	log_info("sync round %s %s: %s%s%s", rep->round_id, rep->ok ? "ok" : "failed",
	    content, rep->ok ? "" : ": ", rep->error);
}

static void
col_copy(sqlite3_stmt *q, int i, char *out, size_t cap)
{
	const char *s = (const char *)sqlite3_column_text(q, i);

	snprintf(out, cap, "%s", s != NULL ? s : "");
}

int
sync_log_list(struct store *st, size_t limit, struct sync_log_row **v,
    size_t *n, struct err *e)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	struct sync_log_row *rows;

	*v = NULL;
	*n = 0;
	if (limit == 0)
		limit = 100;
	if ((rows = calloc(limit, sizeof(*rows))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db, "SELECT id, round_id, started_at, ended_at, source,"
	    " destination, content, result, error FROM sync_log ORDER BY id DESC"
	    " LIMIT ?", -1, &q, NULL) != SQLITE_OK) {
		free(rows);
		return err_set(e, ERR_IO, "sync log: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_int64(q, 1, (sqlite3_int64)limit);
	while (*n < limit && sqlite3_step(q) == SQLITE_ROW) {
		struct sync_log_row *w = &rows[*n];

		w->id = sqlite3_column_int64(q, 0);
		col_copy(q, 1, w->round_id, sizeof(w->round_id));
		col_copy(q, 2, w->started_at, sizeof(w->started_at));
		col_copy(q, 3, w->ended_at, sizeof(w->ended_at));
		col_copy(q, 4, w->source, sizeof(w->source));
		col_copy(q, 5, w->destination, sizeof(w->destination));
		col_copy(q, 6, w->content, sizeof(w->content));
		col_copy(q, 7, w->result, sizeof(w->result));
		col_copy(q, 8, w->error, sizeof(w->error));
		(*n)++;
	}
	sqlite3_finalize(q);
	*v = rows;
	return 0;
}

int
sync_confirm_add(struct store *st, const char *atena, const char *proposed,
    const char *reason, struct err *e)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	char now[32];
	int r;

	sync_log_now(now);
	/* issue 14: who queued it (the account whose session ran the sync)
	 * may not be the one who confirms it */
	if (sqlite3_prepare_v2(db, "INSERT INTO sync_confirm (atena, proposed, reason,"
	    " received_at, queued_by) VALUES (?, ?, ?, ?, ?)", -1, &q, NULL) != SQLITE_OK)
		return err_set(e, ERR_IO, "confirmation queue: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(q, 1, atena, -1, SQLITE_STATIC);
	/* issue 15: the proposed number waits sealed to the right "mynumber"
	 * (with its masked form for the list), "" = clear it. */
	if (proposed != NULL && proposed[0] != '\0') {
		uint8_t *blob;
		size_t bn;

		if ((r = store_mynumber_seal(st, proposed, &blob, &bn, e)) != 0) {
			sqlite3_finalize(q);
			return r;
		}
		sqlite3_bind_blob(q, 2, blob, (int)bn, free);
	} else
		sqlite3_bind_text(q, 2, "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, store_user(st) != NULL ? store_user(st)->name : "",
	    -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "confirmation queue: %s", sqlite3_errmsg(db));
	/* LOG-5: the person, never the number. */
	log_warn("sync: 個人番号 change for %s held for confirmation (%s)", atena, reason);
	return store_audit_append(st, "sync", NULL, "sync.confirm_queued", atena,
	    "sync", reason, e);
}

int
sync_confirm_list(struct store *st, size_t limit, struct sync_confirm_row **v,
    size_t *n, struct err *e)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	struct sync_confirm_row *rows;

	*v = NULL;
	*n = 0;
	if (limit == 0)
		limit = 100;
	if ((rows = calloc(limit, sizeof(*rows))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db, "SELECT id, atena, proposed, reason, received_at"
	    " FROM sync_confirm WHERE resolved_at IS NULL ORDER BY id LIMIT ?", -1,
	    &q, NULL) != SQLITE_OK) {
		free(rows);
		return err_set(e, ERR_IO, "confirmation queue: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_int64(q, 1, (sqlite3_int64)limit);
	while (*n < limit && sqlite3_step(q) == SQLITE_ROW) {
		struct sync_confirm_row *w = &rows[*n];
		w->id = sqlite3_column_int64(q, 0);
		col_copy(q, 1, w->atena, sizeof(w->atena));
		if (sqlite3_column_type(q, 2) == SQLITE_BLOB)
			store_mynumber_unseal(st, sqlite3_column_blob(q, 2),
			    (size_t)sqlite3_column_bytes(q, 2), NULL,
			    w->proposed_masked, NULL);
		else {
			const char *p = (const char *)sqlite3_column_text(q, 2);
			if (p != NULL && p[0] != '\0')
				mynumber_mask(p, strlen(p), w->proposed_masked);
		}
		col_copy(q, 3, w->reason, sizeof(w->reason));
		col_copy(q, 4, w->received_at, sizeof(w->received_at));
		(*n)++;
	}
	sqlite3_finalize(q);
	*v = rows;
	return 0;
}

int
sync_confirm_may_decide(const struct store *st, const char *queued_by,
    int approve, struct err *e)
{
	const struct account *a = store_user(st);

	if (a == NULL || (a->role != ROLE_REVIEWER && a->role != ROLE_ADMIN))
		return err_set_ja(e, ERR_PERM, "個人番号の変更は確認者（審査）の権限がある"
		    "職員が確認します", "a 個人番号 change is decided by a reviewer"
		    " (ID-6, issue 14)");
	if (approve && (!a->view_mynumber || !store_right_held(st, "mynumber")))
		return err_set_ja(e, ERR_PERM, "個人番号の閲覧権限がないため承認できません",
		    "approving a 個人番号 link needs the view-mynumber right"
		    " (ID-6, issue 14)");
	if (queued_by != NULL && queued_by[0] != '\0' &&
	    strcmp(queued_by, a->name) == 0)
		return err_set_ja(e, ERR_PERM, "自分の同期で届いた変更は別の職員が確認します",
		    "%s queued this change and cannot decide it: another"
		    " reviewer does (ID-6, issue 14)", a->name);
	return 0;
}

int
sync_confirm_decide(struct store *st, int64_t id, int approve, struct err *e)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	char atena[16] = "", proposed[16] = "", now[32], queued_by[STORE_NAME_MAX] = "";
	char detail[200];
	int r = 0, found = 0;	/* r stays 0 when the change is refused */

	if (sqlite3_prepare_v2(db, "SELECT atena, proposed, queued_by FROM sync_confirm"
	    " WHERE id = ? AND resolved_at IS NULL", -1, &q, NULL) != SQLITE_OK)
		return err_set(e, ERR_IO, "confirmation queue: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		found = 1;
		snprintf(atena, sizeof(atena), "%s", sqlite3_column_text(q, 0));
		snprintf(queued_by, sizeof(queued_by), "%s",
		    sqlite3_column_text(q, 2) ? (const char *)sqlite3_column_text(q, 2) : "");
		/* issue 14: a reviewer with the view flag who did not queue it */
		if ((r = sync_confirm_may_decide(st, queued_by, approve, e)) != 0) {
			sqlite3_finalize(q);
			return r;
		}
		if (sqlite3_column_type(q, 1) == SQLITE_BLOB && approve) {
			char masked[MYNUMBER_MASKED_LEN];

			/* approving opens the sealed number: it needs the right
			 * (view-mynumber; issue 14 asks the same of the approver) */
			r = store_mynumber_unseal(st, sqlite3_column_blob(q, 1),
			    (size_t)sqlite3_column_bytes(q, 1), proposed, masked, e);
		} else if (sqlite3_column_type(q, 1) != SQLITE_BLOB)
			snprintf(proposed, sizeof(proposed), "%s", sqlite3_column_text(q, 1));
		else
			snprintf(proposed, sizeof(proposed), "sealed");
	}
	sqlite3_finalize(q);
	if (!found)
		return err_set(e, ERR_NOTFOUND, "no open confirmation %lld", (long long)id);
	if (r != 0) {
		mem_wipe(proposed, sizeof(proposed));
		return r;
	}
	if (approve)
		r = proposed[0] != '\0' ? store_mynumber_set(st, atena, proposed, e) :
		    store_mynumber_delete(st, atena, e);
	mem_wipe(proposed, sizeof(proposed));
	if (r == ERR_NOTFOUND && approve && found)
		r = 0;	/* clearing a number that is already gone */
	if (r != 0)
		return r;
	sync_log_now(now);
	if (sqlite3_prepare_v2(db, "UPDATE sync_confirm SET resolved_at = ?, resolved_by = ?"
	    " WHERE id = ?", -1, &q, NULL) != SQLITE_OK)
		return err_set(e, ERR_IO, "confirmation queue: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(q, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, store_user(st)->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, id);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "confirmation queue: %s", sqlite3_errmsg(db));
	/* the audit row names both: who queued it and who decided */
	snprintf(detail, sizeof(detail), "queued_by=%s decided_by=%s",
	    queued_by[0] ? queued_by : "-", store_user(st)->name);
	return store_audit_append(st, NULL, NULL, approve ? "sync.confirm_approved" :
	    "sync.confirm_rejected", atena, "sync", detail, e);
}

int
sync_reject_note(struct store *st, const char *uuid, const char *reason,
    struct err *e)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	char now[32];
	int r;

	sync_log_now(now);
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO sync_rejects (uuid, reason, at)"
	    " VALUES (?, ?, ?)", -1, &q, NULL) != SQLITE_OK)
		return err_set(e, ERR_IO, "sync rejects: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, reason != NULL ? reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	return r == SQLITE_DONE ? 0 : err_set(e, ERR_IO, "sync rejects: %s",
	    sqlite3_errmsg(db));
}

int
sync_reject_reason(struct store *st, const char *uuid, char *buf, size_t cap)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	int found = 0;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT reason, at FROM"
	    " sync_rejects WHERE uuid = ?", -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(buf, cap, "%s (%s)", sqlite3_column_text(q, 0),
		    sqlite3_column_text(q, 1));
		found = 1;
	}
	sqlite3_finalize(q);
	return found;
}
