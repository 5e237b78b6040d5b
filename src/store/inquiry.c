/*
 * inquiry.c — the inquiry and disclosure-request log (INT-11: 問合せ・開示
 * 請求の受付簿): what was asked, by whom, about whom, when and by which
 * clerk it was received, and the response with its time and clerk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

static const char *const kinds[] = { "inquiry", "disclosure", "correction",
	"stop", NULL };

static int
step_done(sqlite3 *db, sqlite3_stmt *q, struct err *e, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(db, sqlite3_extended_errcode(db), e, what);
	return 0;
}

int
store_inquiry_add(struct store *st, struct inquiry *qi, struct err *e)
{
	sqlite3_stmt *q;
	char term[64], key[64], val[32];
	int today = store_today_ymd(), r, ok = 0;
	long seq = 0;

	for (int i = 0; kinds[i] != NULL; i++)
		ok |= strcmp(qi->kind, kinds[i]) == 0;
	if (!ok)
		return err_set_ja(e, ERR_INVAL, "受付の種別が正しくありません",
		    "inquiry: kind must be inquiry, disclosure, correction or stop");
	if (qi->summary[0] == '\0')
		return err_set_ja(e, ERR_INVAL, "内容を入力してください",
		    "inquiry: summary required");
	store_terminal_id(st, term);
	store_now(qi->received_at);
	snprintf(qi->received_by, sizeof(qi->received_by), "%s", st->user.name);
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	snprintf(key, sizeof(key), "inquiry.seq.%d", today);
	if (store_setting_get(st, key, val, sizeof(val), NULL) == 0)
		seq = atol(val);
	seq++;
	snprintf(val, sizeof(val), "%ld", seq);
	if ((r = store_setting_set(st, key, val, e)) != 0)
		goto out;
	snprintf(qi->no, sizeof(qi->no), "%.12s-Q%d-%03ld", term, today, seq);
	if ((r = sql_prepare(st->db, "INSERT INTO inquiries (no, kind, atena, "
	    "requester, summary, received_at, received_by) VALUES (?,?,?,?,?,?,?)",
	    &q, e)) != 0)
		goto out;
	sql_bind_text(q, 1, qi->no);
	sql_bind_text(q, 2, qi->kind);
	sql_bind_text(q, 3, qi->atena);
	sql_bind_text(q, 4, qi->requester);
	sql_bind_text(q, 5, qi->summary);
	sql_bind_text(q, 6, qi->received_at);
	sql_bind_text(q, 7, qi->received_by);
	if ((r = step_done(st->db, q, e, "inquiry")) == 0)
		qi->id = sqlite3_last_insert_rowid(st->db);
out:
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	return r;
}

int
store_inquiry_respond(struct store *st, const char *no, const char *response,
    struct err *e)
{
	sqlite3_stmt *q;
	char now[32];
	int r;

	if (response == NULL || response[0] == '\0')
		return err_set_ja(e, ERR_INVAL, "回答内容を入力してください",
		    "inquiry: response required");
	store_now(now);
	if ((r = sql_prepare(st->db, "UPDATE inquiries SET response = ?, "
	    "responded_at = ?, responded_by = ? WHERE no = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, response);
	sql_bind_text(q, 2, now);
	sql_bind_text(q, 3, st->user.name);
	sql_bind_text(q, 4, no);
	if ((r = step_done(st->db, q, e, "inquiry")) != 0)
		return r;
	if (sqlite3_changes(st->db) == 0)
		return err_set_ja(e, ERR_NOTFOUND, "その受付番号はありません",
		    "no inquiry %s", no);
	return 0;
}

#define INQ_COLS "id, no, kind, atena, requester, summary, received_at, " \
	"received_by, response, responded_at, responded_by"

static void
read_inquiry(sqlite3_stmt *q, struct inquiry *qi)
{
	memset(qi, 0, sizeof(*qi));
	qi->id = sqlite3_column_int64(q, 0);
	sql_col_text(q, 1, qi->no, sizeof(qi->no));
	sql_col_text(q, 2, qi->kind, sizeof(qi->kind));
	sql_col_text(q, 3, qi->atena, sizeof(qi->atena));
	sql_col_text(q, 4, qi->requester, sizeof(qi->requester));
	sql_col_text(q, 5, qi->summary, sizeof(qi->summary));
	sql_col_text(q, 6, qi->received_at, sizeof(qi->received_at));
	sql_col_text(q, 7, qi->received_by, sizeof(qi->received_by));
	sql_col_text(q, 8, qi->response, sizeof(qi->response));
	sql_col_text(q, 9, qi->responded_at, sizeof(qi->responded_at));
	sql_col_text(q, 10, qi->responded_by, sizeof(qi->responded_by));
}

int
store_inquiry_get(struct store *st, const char *no, struct inquiry *out,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	/* bound before out is cleared: no may point into out */
	if ((r = sql_prepare(st->db, "SELECT " INQ_COLS " FROM inquiries WHERE no = ?",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, no);
	memset(out, 0, sizeof(*out));
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_inquiry(q, out);
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set_ja(e, ERR_NOTFOUND, "その受付番号はありません",
		    "no such inquiry");
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "inquiry");
	return 0;
}

int
store_inquiry_list(struct store *st, int open_only, struct inquiry **v,
    size_t *n, struct err *e)
{
	sqlite3_stmt *q;
	struct inquiry *arr = NULL;
	size_t cnt = 0, cap = 0;
	int r, rc;

	*v = NULL;
	*n = 0;
	if ((r = sql_prepare(st->db, "SELECT " INQ_COLS " FROM inquiries WHERE "
	    "(?1 = 0 OR response = '') ORDER BY id DESC", &q, e)) != 0)
		return r;
	sqlite3_bind_int(q, 1, open_only);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct inquiry *na = realloc(arr, nc * sizeof(*na));
			if (na == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			arr = na;
			cap = nc;
		}
		read_inquiry(q, &arr[cnt++]);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(arr);
		return rc == SQLITE_NOMEM ? err_set(e, ERR_NOMEM, "out of memory") :
		    sql_err(st->db, sqlite3_extended_errcode(st->db), e, "inquiries");
	}
	*v = arr;
	*n = cnt;
	return 0;
}
