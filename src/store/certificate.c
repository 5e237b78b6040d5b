/*
 * certificate.c — eligibility and certificate records per procedure
 * (受給者証・被保険者証, DATA-4): number, 区分, 有効期間, 交付日, 回収日,
 * 負担 and 交付理由.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

#define CERT_COLS "id, atena, procedure, recipient_no, category, valid_from, " \
	"valid_to, issued, returned, burden_rate, burden_limit, burden_note, " \
	"reason, updated_at, updated_by"

static const char cert_insert_sql[] =
    "INSERT INTO certificates (atena, procedure, recipient_no, category, "
    "valid_from, valid_to, issued, returned, burden_rate, burden_limit, "
    "burden_note, reason, updated_at, updated_by) VALUES "
    "(?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)";
static const char cert_update_sql[] =
    "UPDATE certificates SET atena=?2, procedure=?3, recipient_no=?4, "
    "category=?5, valid_from=?6, valid_to=?7, issued=?8, returned=?9, "
    "burden_rate=?10, burden_limit=?11, burden_note=?12, reason=?13, "
    "updated_at=?14, updated_by=?15 WHERE id=?1";

int
cert_stmt_prepare(sqlite3 *db, sqlite3_stmt **q, struct err *e)
{
	return sql_prepare(db, cert_insert_sql, q, e);
}

/* Run an insert (c->id == 0, statement from cert_stmt_prepare) or an
 * update (its own statement) and reset it. */
int
cert_stmt_run(sqlite3 *db, sqlite3_stmt *q, const struct certificate *c,
    const char *by, int64_t *id, struct err *e)
{
	char now[32];
	int rc;

	if (c->atena[0] == '\0' || c->procedure[0] == '\0')
		return err_set(e, ERR_INVAL, "certificate: 宛名番号 and procedure required");
	if (c->valid_from && c->valid_to && c->valid_to < c->valid_from)
		return err_set_ja(e, ERR_INVAL, "有効期間の終了日が開始日より前です",
		    "certificate: valid_to before valid_from");
	if (c->updated_at[0])
		memcpy(now, c->updated_at, sizeof(now));
	else
		store_now(now);
	if (c->id != 0)
		sqlite3_bind_int64(q, 1, c->id);
	sql_bind_text(q, 2, c->atena);
	sql_bind_text(q, 3, c->procedure);
	sql_bind_text(q, 4, c->recipient_no);
	sql_bind_text(q, 5, c->category);
	sqlite3_bind_int(q, 6, c->valid_from);
	sqlite3_bind_int(q, 7, c->valid_to);
	sqlite3_bind_int(q, 8, c->issued);
	sqlite3_bind_int(q, 9, c->returned);
	sqlite3_bind_int(q, 10, c->burden_rate);
	sqlite3_bind_int(q, 11, c->burden_limit);
	sql_bind_text(q, 12, c->burden_note);
	sql_bind_text(q, 13, c->reason);
	sql_bind_text(q, 14, now);
	sql_bind_text(q, 15, c->updated_by[0] ? c->updated_by : by);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		return err_set(e, ERR_NOTFOUND, "certificate: no person %s", c->atena);
	if (rc != SQLITE_DONE)
		return sql_err(db, sqlite3_extended_errcode(db), e, "certificate");
	if (c->id != 0 && sqlite3_changes(db) == 0)
		return err_set(e, ERR_NOTFOUND, "no certificate %lld", (long long)c->id);
	if (id != NULL)
		*id = c->id ? c->id : sqlite3_last_insert_rowid(db);
	return 0;
}

int
cert_save_db(sqlite3 *db, const struct certificate *c, const char *by,
    int64_t *id, struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if ((r = sql_prepare(db, c->id == 0 ? cert_insert_sql : cert_update_sql,
	    &q, e)) != 0)
		return r;
	r = cert_stmt_run(db, q, c, by, id, e);
	sqlite3_finalize(q);
	return r;
}

int
store_cert_save(struct store *st, const struct certificate *c, int64_t *id,
    struct err *e)
{
	return cert_save_db(st->db, c, st->user.name, id, e);
}

int
store_cert_delete(struct store *st, int64_t id, struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	if ((r = sql_prepare(st->db, "DELETE FROM certificates WHERE id = ?",
	    &q, e)) != 0)
		return r;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "certificate");
	if (sqlite3_changes(st->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no certificate %lld", (long long)id);
	return 0;
}

void
cert_list_free(struct cert_list *l)
{
	if (l == NULL)
		return;
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
store_cert_list(struct store *st, const char *atena, const char *procedure,
    struct cert_list *out, struct err *e)
{
	sqlite3_stmt *q;
	size_t cap = 0;
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT " CERT_COLS " FROM certificates "
	    "WHERE atena = ?1 AND (?2 IS NULL OR procedure = ?2) "
	    "ORDER BY valid_from DESC, id DESC", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, atena);
	if (procedure != NULL)
		sql_bind_text(q, 2, procedure);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct certificate *c;

		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct certificate *v = realloc(out->v, nc * sizeof(*v));
			if (v == NULL) {
				sqlite3_finalize(q);
				cert_list_free(out);
				return err_set(e, ERR_NOMEM, "out of memory");
			}
			out->v = v;
			cap = nc;
		}
		c = &out->v[out->n++];
		memset(c, 0, sizeof(*c));
		c->id = sqlite3_column_int64(q, 0);
		sql_col_text(q, 1, c->atena, sizeof(c->atena));
		sql_col_text(q, 2, c->procedure, sizeof(c->procedure));
		sql_col_text(q, 3, c->recipient_no, sizeof(c->recipient_no));
		sql_col_text(q, 4, c->category, sizeof(c->category));
		c->valid_from = sqlite3_column_int(q, 5);
		c->valid_to = sqlite3_column_int(q, 6);
		c->issued = sqlite3_column_int(q, 7);
		c->returned = sqlite3_column_int(q, 8);
		c->burden_rate = sqlite3_column_int(q, 9);
		c->burden_limit = sqlite3_column_int(q, 10);
		sql_col_text(q, 11, c->burden_note, sizeof(c->burden_note));
		sql_col_text(q, 12, c->reason, sizeof(c->reason));
		sql_col_text(q, 13, c->updated_at, sizeof(c->updated_at));
		sql_col_text(q, 14, c->updated_by, sizeof(c->updated_by));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		cert_list_free(out);
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "certificate");
	}
	return 0;
}
