/*
 * correction.c — what happens to an application after it is saved:
 * corrections that keep the previous value of each field and who changed
 * it (DATA-3), the confirmation of those corrections by a different person
 * (AC-7), the queue where a changed 個人番号 waits for a second person
 * (ID-6), and 返戻 with a resubmission deadline (INT-10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

static int
step_done(sqlite3 *db, sqlite3_stmt *q, struct err *e, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(db, sqlite3_extended_errcode(db), e, what);
	return 0;
}

/* Grow *arr to hold one more element of size sz. */
static int
grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	void *na;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 8;
	if ((na = realloc(*arr, nc * sz)) == NULL)
		return -1;
	*arr = na;
	*cap = nc;
	return 0;
}

/* ---------------------------------------------------------- corrections */

int
store_correction_add(struct store *st, const char *uuid, const char *field,
    const char *old_value, const char *new_value, const char *reason,
    const char *by, const char *confirmed_by, struct err *e)
{
	sqlite3_stmt *q;
	char now[32], *ov = NULL, *nv = NULL;
	int r;

	if (uuid == NULL || field == NULL || field[0] == '\0')
		return err_set(e, ERR_INVAL, "correction: application and field required");
	/* issue 15: a full 個人番号 is kept sealed (mnseal.c) */
	if ((r = mnseal_value(st, old_value, &ov, e)) != 0 ||
	    (r = mnseal_value(st, new_value, &nv, e)) != 0) {
		free(ov);
		return r;
	}
	store_now(now);
	if ((r = sql_prepare(st->db, "INSERT INTO application_corrections (uuid, "
	    "field, old_value, new_value, reason, by, at, confirmed_by) VALUES "
	    "(?,?,?,?,?,?,?,?)",
	    &q, e)) != 0) {
		free(ov);
		free(nv);
		return r;
	}
	sql_bind_text(q, 1, uuid);
	sql_bind_text(q, 2, field);
	sqlite3_bind_text(q, 3, ov, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, nv, -1, SQLITE_TRANSIENT);
	mem_wipe(ov, strlen(ov));
	mem_wipe(nv, strlen(nv));
	free(ov);
	free(nv);
	sql_bind_text(q, 5, reason);
	sql_bind_text(q, 6, by != NULL ? by : st->user.name);
	sql_bind_text(q, 7, now);
	sql_bind_text(q, 8, confirmed_by);
	return step_done(st->db, q, e, "correction");
}

int
store_correction_list(struct store *st, const char *uuid,
    struct app_correction **v, size_t *n, struct err *e)
{
	sqlite3_stmt *q;
	struct app_correction *arr = NULL;
	size_t cnt = 0, cap = 0;
	int r, rc;

	*v = NULL;
	*n = 0;
	if ((r = sql_prepare(st->db, "SELECT id, uuid, field, old_value, "
	    "new_value, reason, by, at, confirmed_by FROM application_corrections "
	    "WHERE uuid = ? ORDER BY id", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct app_correction *c;
		if (grow((void **)&arr, &cap, cnt, sizeof(*arr)) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		c = &arr[cnt++];
		memset(c, 0, sizeof(*c));
		c->id = sqlite3_column_int64(q, 0);
		sql_col_text(q, 1, c->uuid, sizeof(c->uuid));
		sql_col_text(q, 2, c->field, sizeof(c->field));
		sql_col_text(q, 3, c->old_value, sizeof(c->old_value));
		sql_col_text(q, 4, c->new_value, sizeof(c->new_value));
		mnseal_open_value(st, c->old_value, sizeof(c->old_value));
		mnseal_open_value(st, c->new_value, sizeof(c->new_value));
		sql_col_text(q, 5, c->reason, sizeof(c->reason));
		sql_col_text(q, 6, c->by, sizeof(c->by));
		sql_col_text(q, 7, c->at, sizeof(c->at));
		sql_col_text(q, 8, c->confirmed_by, sizeof(c->confirmed_by));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		if (arr != NULL)
			mem_wipe(arr, cnt * sizeof(*arr));
		free(arr);
		return rc == SQLITE_NOMEM ? err_set(e, ERR_NOMEM, "out of memory") :
		    sql_err(st->db, sqlite3_extended_errcode(st->db), e, "corrections");
	}
	*v = arr;
	*n = cnt;
	return 0;
}

int
store_correction_confirm(struct store *st, const char *uuid, struct err *e)
{
	sqlite3_stmt *q;
	int r, rc, own = 0;

	if ((r = sql_prepare(st->db, "SELECT count(*) FROM application_corrections "
	    "WHERE uuid = ? AND confirmed_by = '' AND by = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	sql_bind_text(q, 2, st->user.name);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		own = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "corrections");
	if (own > 0)
		return err_set_ja(e, ERR_PERM, "自分が訂正した内容は確認できません",
		    "a correction cannot be confirmed by the person who made it (AC-7)");
	if ((r = sql_prepare(st->db, "UPDATE application_corrections SET "
	    "confirmed_by = ? WHERE uuid = ? AND confirmed_by = ''", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, st->user.name);
	sql_bind_text(q, 2, uuid);
	return step_done(st->db, q, e, "corrections");
}

/* ------------------------------------------------- 個人番号 confirmation */

int
store_confirm_add(struct store *st, const char *uuid, const char *field,
    const char *value, const char *reason, int64_t *id, struct err *e)
{
	sqlite3_stmt *q;
	char now[32];
	int r;

	store_now(now);
	if ((r = sql_prepare(st->db, "INSERT INTO application_confirm (uuid, "
	    "field, value, reason, requested_by, requested_at) VALUES "
	    "(?,?,?,?,?,?)", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	sql_bind_text(q, 2, field);
	sql_bind_text(q, 3, value);
	sql_bind_text(q, 4, reason);
	sql_bind_text(q, 5, st->user.name);
	sql_bind_text(q, 6, now);
	if ((r = step_done(st->db, q, e, "confirmation queue")) != 0)
		return r;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

#define CONFIRM_COLS "id, uuid, field, value, reason, requested_by, " \
	"requested_at, state, decided_by, decided_at"

static void
read_confirm(sqlite3_stmt *q, struct app_confirm *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(q, 0);
	sql_col_text(q, 1, c->uuid, sizeof(c->uuid));
	sql_col_text(q, 2, c->field, sizeof(c->field));
	sql_col_text(q, 3, c->value, sizeof(c->value));
	sql_col_text(q, 4, c->reason, sizeof(c->reason));
	sql_col_text(q, 5, c->requested_by, sizeof(c->requested_by));
	sql_col_text(q, 6, c->requested_at, sizeof(c->requested_at));
	sql_col_text(q, 7, c->state, sizeof(c->state));
	sql_col_text(q, 8, c->decided_by, sizeof(c->decided_by));
	sql_col_text(q, 9, c->decided_at, sizeof(c->decided_at));
}

int
store_confirm_get(struct store *st, int64_t id, struct app_confirm *out,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT " CONFIRM_COLS " FROM "
	    "application_confirm WHERE id = ?", &q, e)) != 0)
		return r;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_confirm(q, out);
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no confirmation item %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "confirmation queue");
	return 0;
}

int
store_confirm_list(struct store *st, const char *state, const char *uuid,
    struct app_confirm **v, size_t *n, struct err *e)
{
	sqlite3_stmt *q;
	struct app_confirm *arr = NULL;
	size_t cnt = 0, cap = 0;
	int r, rc;

	*v = NULL;
	*n = 0;
	if ((r = sql_prepare(st->db, "SELECT " CONFIRM_COLS " FROM "
	    "application_confirm WHERE (?1 IS NULL OR state = ?1) AND "
	    "(?2 IS NULL OR uuid = ?2) ORDER BY id", &q, e)) != 0)
		return r;
	if (state != NULL)
		sql_bind_text(q, 1, state);
	if (uuid != NULL)
		sql_bind_text(q, 2, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (grow((void **)&arr, &cap, cnt, sizeof(*arr)) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		read_confirm(q, &arr[cnt++]);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		if (arr != NULL)
			mem_wipe(arr, cnt * sizeof(*arr));
		free(arr);
		return rc == SQLITE_NOMEM ? err_set(e, ERR_NOMEM, "out of memory") :
		    sql_err(st->db, sqlite3_extended_errcode(st->db), e, "confirmation queue");
	}
	*v = arr;
	*n = cnt;
	return 0;
}

int
store_confirm_decide(struct store *st, int64_t id, int approve, struct err *e)
{
	struct app_confirm c;
	sqlite3_stmt *q;
	char now[32];
	int r;

	if ((r = store_confirm_get(st, id, &c, e)) != 0)
		return r;
	mem_wipe(c.value, sizeof(c.value));
	if (strcmp(c.state, "pending") != 0)
		return err_set_ja(e, ERR_STATE, "この確認事項は処理済みです",
		    "confirmation item %lld is already %s", (long long)id, c.state);
	if (strcmp(c.requested_by, st->user.name) == 0)
		return err_set_ja(e, ERR_PERM, "自分が依頼した変更は確認できません",
		    "a change cannot be confirmed by the person who asked for it (AC-7)");
	store_now(now);
	if ((r = sql_prepare(st->db, "UPDATE application_confirm SET state = ?, "
	    "decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, approve ? "approved" : "rejected");
	sql_bind_text(q, 2, st->user.name);
	sql_bind_text(q, 3, now);
	sqlite3_bind_int64(q, 4, id);
	return step_done(st->db, q, e, "confirmation queue");
}

/* ------------------------------------------------------------- 返戻 */

int
store_return_set(struct store *st, const char *uuid, const char *reason,
    int deadline, struct err *e)
{
	sqlite3_stmt *q;
	struct date d;
	char now[32];
	int r;

	if (date_from_ymd(deadline, &d) != 0)
		return err_set_ja(e, ERR_INVAL, "再提出期限の日付が正しくありません",
		    "return: invalid resubmission deadline %d", deadline);
	store_now(now);
	if ((r = sql_prepare(st->db, "INSERT OR REPLACE INTO application_returns "
	    "(uuid, reason, deadline, returned_at, by, resubmitted_at) VALUES "
	    "(?,?,?,?,?,'')", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	sql_bind_text(q, 2, reason);
	sqlite3_bind_int(q, 3, deadline);
	sql_bind_text(q, 4, now);
	sql_bind_text(q, 5, st->user.name);
	return step_done(st->db, q, e, "return");
}

int
store_return_get(struct store *st, const char *uuid, struct app_return *out,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT uuid, reason, deadline, returned_at, "
	    "by, resubmitted_at FROM application_returns WHERE uuid = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		sql_col_text(q, 0, out->uuid, sizeof(out->uuid));
		sql_col_text(q, 1, out->reason, sizeof(out->reason));
		out->deadline = sqlite3_column_int(q, 2);
		sql_col_text(q, 3, out->returned_at, sizeof(out->returned_at));
		sql_col_text(q, 4, out->by, sizeof(out->by));
		sql_col_text(q, 5, out->resubmitted_at, sizeof(out->resubmitted_at));
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "application %s was not returned", uuid);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "return");
	return 0;
}

int
store_return_resubmitted(struct store *st, const char *uuid, struct err *e)
{
	sqlite3_stmt *q;
	char now[32];
	int r;

	store_now(now);
	if ((r = sql_prepare(st->db, "UPDATE application_returns SET "
	    "resubmitted_at = ? WHERE uuid = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, now);
	sql_bind_text(q, 2, uuid);
	if ((r = step_done(st->db, q, e, "return")) != 0)
		return r;
	if (sqlite3_changes(st->db) == 0)
		return err_set(e, ERR_NOTFOUND, "application %s was not returned", uuid);
	return 0;
}

/* ------------------------------------------------------ by receipt */

int
store_application_by_receipt(struct store *st, const char *receipt_no,
    struct application *out, struct err *e)
{
	sqlite3_stmt *q;
	char uuid[37] = "";
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT uuid FROM applications WHERE "
	    "receipt_no = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, receipt_no);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		sql_col_text(q, 0, uuid, sizeof(uuid));
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set_ja(e, ERR_NOTFOUND, "その受付番号の申請はありません",
		    "no application with receipt number %s", receipt_no);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "application");
	return store_application_get(st, uuid, out, e);
}
