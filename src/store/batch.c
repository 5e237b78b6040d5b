/*
 * batch.c — 進達 batches (INT-9): confirmed applications sent together to
 * the centre, by carrier (搬送) or post (郵送), in a numbered bag, on a date,
 * by a clerk.  The batch row carries the count, and the count is written in
 * the same transaction as the items, so the transmittal list printed from
 * the items always matches it.
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

/* Next "<terminal>-B<yyyymmdd>-<nn>" (a per-day counter in the settings,
 * inside the caller's transaction). */
static int
batch_next_id(struct store *st, int date, char out[48], struct err *e)
{
	char term[64], key[64], val[32];
	long seq = 0;
	int r;

	store_terminal_id(st, term);
	snprintf(key, sizeof(key), "batch.seq.%d", date);
	if (store_setting_get(st, key, val, sizeof(val), NULL) == 0)
		seq = atol(val);
	seq++;
	snprintf(val, sizeof(val), "%ld", seq);
	if ((r = store_setting_set(st, key, val, e)) != 0)
		return r;
	if (snprintf(out, 48, "%.12s-B%d-%02ld", term, date, seq) >= 48)
		return err_set(e, ERR_RANGE, "batch id too long");
	return 0;
}

static int
batch_insert(struct store *st, const struct batch *b, struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if ((r = sql_prepare(st->db, "INSERT INTO batches (id, method, bag, date, "
	    "clerk, destination, count, created_at) VALUES (?,?,?,?,?,?,?,?)",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, b->id);
	sql_bind_text(q, 2, b->method);
	sql_bind_text(q, 3, b->bag);
	sqlite3_bind_int(q, 4, b->date);
	sql_bind_text(q, 5, b->clerk);
	sql_bind_text(q, 6, b->destination);
	sqlite3_bind_int(q, 7, b->count);
	sql_bind_text(q, 8, b->created_at);
	return step_done(st->db, q, e, "batch");
}

static int
item_insert(struct store *st, const char *batch, const char *uuid, int seq,
    struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if ((r = sql_prepare(st->db, "INSERT INTO batch_items (batch, uuid, seq) "
	    "VALUES (?,?,?)", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, batch);
	sql_bind_text(q, 2, uuid);
	sqlite3_bind_int(q, 3, seq);
	r = step_done(st->db, q, e, "batch item");
	if (r == ERR_EXISTS)
		return err_set_ja(e, ERR_EXISTS, "既に別の進達に含まれている申請があります",
		    "application %s is already in a batch", uuid);
	return r;
}

int
store_batch_create(struct store *st, struct batch *b, const char *const *uuids,
    size_t n, struct err *e)
{
	char note[96];
	int r;

	if (n == 0)
		return err_set_ja(e, ERR_INVAL, "進達する申請が選ばれていません",
		    "batch: no applications");
	if (strcmp(b->method, "carry") != 0 && strcmp(b->method, "post") != 0)
		return err_set_ja(e, ERR_INVAL, "送付方法は搬送か郵送です",
		    "batch: method must be carry or post");
	if (b->bag[0] == '\0')
		return err_set_ja(e, ERR_INVAL, "袋番号を入力してください",
		    "batch: bag number required");
	if (b->date == 0)
		b->date = store_today_ymd();
	if (b->clerk[0] == '\0')
		snprintf(b->clerk, sizeof(b->clerk), "%s", st->user.name);
	b->count = (int)n;
	store_now(b->created_at);
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	if ((r = batch_next_id(st, b->date, b->id, e)) != 0 ||
	    (r = batch_insert(st, b, e)) != 0)
		goto out;
	snprintf(note, sizeof(note), "進達 %s", b->id);
	for (size_t i = 0; i < n; i++) {
		struct application a;
		if ((r = store_application_get(st, uuids[i], &a, e)) != 0)
			goto out;
		if (strcmp(a.status, "review") != 0) {
			r = err_set_ja(e, ERR_STATE, "確認済みでない申請は進達できません",
			    "application %s is %s, not confirmed (review)", a.receipt_no,
			    a.status);
			application_clear(&a);
			goto out;
		}
		application_clear(&a);
		if ((r = item_insert(st, b->id, uuids[i], (int)i + 1, e)) != 0 ||
		    (r = store_application_set_status(st, uuids[i], "forwarded", note,
		    e)) != 0)
			goto out;
	}
out:
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	if (r != 0)
		b->id[0] = '\0';
	return r;
}

#define BATCH_COLS "id, method, bag, date, clerk, destination, count, created_at"

static void
read_batch(sqlite3_stmt *q, struct batch *b)
{
	memset(b, 0, sizeof(*b));
	sql_col_text(q, 0, b->id, sizeof(b->id));
	sql_col_text(q, 1, b->method, sizeof(b->method));
	sql_col_text(q, 2, b->bag, sizeof(b->bag));
	b->date = sqlite3_column_int(q, 3);
	sql_col_text(q, 4, b->clerk, sizeof(b->clerk));
	sql_col_text(q, 5, b->destination, sizeof(b->destination));
	b->count = sqlite3_column_int(q, 6);
	sql_col_text(q, 7, b->created_at, sizeof(b->created_at));
}

int
store_batch_get(struct store *st, const char *id, struct batch *out,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT " BATCH_COLS " FROM batches WHERE id = ?",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_batch(q, out);
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set_ja(e, ERR_NOTFOUND, "その進達番号はありません",
		    "no batch %s", id);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "batch");
	return 0;
}

int
store_batch_items(struct store *st, const char *id, struct application_list *out,
    struct err *e)
{
	sqlite3_stmt *q;
	char (*uuids)[37] = NULL;
	size_t n = 0, cap = 0;
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT uuid FROM batch_items WHERE batch = ? "
	    "ORDER BY seq", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			void *nu = realloc(uuids, nc * sizeof(*uuids));
			if (nu == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			uuids = nu;
			cap = nc;
		}
		sql_col_text(q, 0, uuids[n++], 37);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(uuids);
		return rc == SQLITE_NOMEM ? err_set(e, ERR_NOMEM, "out of memory") :
		    sql_err(st->db, sqlite3_extended_errcode(st->db), e, "batch items");
	}
	if (n > 0 && (out->v = calloc(n, sizeof(*out->v))) == NULL) {
		free(uuids);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if ((r = store_application_get(st, uuids[i], &out->v[i], e)) != 0) {
			application_list_free(out);
			free(uuids);
			return r;
		}
		out->n++;
	}
	free(uuids);
	return 0;
}

int
store_batch_list(struct store *st, int from, int to, struct batch **v,
    size_t *n, struct err *e)
{
	sqlite3_stmt *q;
	struct batch *arr = NULL;
	size_t cnt = 0, cap = 0;
	int r, rc;

	*v = NULL;
	*n = 0;
	if ((r = sql_prepare(st->db, "SELECT " BATCH_COLS " FROM batches WHERE "
	    "(?1 = 0 OR date >= ?1) AND (?2 = 0 OR date <= ?2) "
	    "ORDER BY date DESC, id DESC", &q, e)) != 0)
		return r;
	sqlite3_bind_int(q, 1, from);
	sqlite3_bind_int(q, 2, to);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct batch *na = realloc(arr, nc * sizeof(*na));
			if (na == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			arr = na;
			cap = nc;
		}
		read_batch(q, &arr[cnt++]);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(arr);
		return rc == SQLITE_NOMEM ? err_set(e, ERR_NOMEM, "out of memory") :
		    sql_err(st->db, sqlite3_extended_errcode(st->db), e, "batches");
	}
	*v = arr;
	*n = cnt;
	return 0;
}

int
store_batch_of(struct store *st, const char *uuid, char out[48], struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	out[0] = '\0';
	if ((r = sql_prepare(st->db, "SELECT batch FROM batch_items WHERE uuid = ?",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		sql_col_text(q, 0, out, 48);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "batch item");
	return 0;
}
