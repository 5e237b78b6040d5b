/*
 * person.c — residents (住民) and their 個人番号 (DATA-1, DATA-2, DATA-3,
 * SC-6): upsert with history, lookups by 宛名番号 and 個人番号, and the
 * combined search the lookup screen uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

#define PERSON_COLS "atena, name, kana, alias, alias_kana, alpha, birth, sex, " \
	"postal, address, household, relation, head, ward, dv, nondisclose, " \
	"updated_at, updated_by, address_sealed"

/* SC-5, issue 15: the postal code and address of a DV/不開示 person are
 * stored only sealed to the right "address", as "postal\naddress". */
static int
protected(const struct person *p)
{
	return p->dv || p->nondisclose;
}

int
person_key(const char *in, char *out, size_t cap)
{
	char tmp[512];
	size_t n = strlen(in), o = 0;
	int len;

	if (n >= sizeof(tmp) || cap == 0)
		return ERR_RANGE;
	if ((len = kana_normalize(in, n, tmp, sizeof(tmp))) < 0)
		return len;
	/* Spaces are dropped (ヤマダ タロウ and ヤマダタロウ search alike) and
	 * ASCII is upper-cased for alphabet names. */
	for (int i = 0; i < len && o + 1 < cap; i++) {
		char c = tmp[i];
		if (c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		out[o++] = c;
	}
	out[o] = '\0';
	return (int)o;
}

static void
read_person(const struct store *st, sqlite3_stmt *q, struct person *p)
{
	memset(p, 0, sizeof(*p));
	sql_col_text(q, 0, p->atena, sizeof(p->atena));
	sql_col_text(q, 1, p->name, sizeof(p->name));
	sql_col_text(q, 2, p->kana, sizeof(p->kana));
	sql_col_text(q, 3, p->alias, sizeof(p->alias));
	sql_col_text(q, 4, p->alias_kana, sizeof(p->alias_kana));
	sql_col_text(q, 5, p->alpha, sizeof(p->alpha));
	p->birth = sqlite3_column_int(q, 6);
	p->sex = sqlite3_column_int(q, 7);
	sql_col_text(q, 8, p->postal, sizeof(p->postal));
	sql_col_text(q, 9, p->address, sizeof(p->address));
	sql_col_text(q, 10, p->household, sizeof(p->household));
	sql_col_text(q, 11, p->relation, sizeof(p->relation));
	sql_col_text(q, 12, p->head, sizeof(p->head));
	sql_col_text(q, 13, p->ward, sizeof(p->ward));
	p->dv = sqlite3_column_int(q, 14);
	p->nondisclose = sqlite3_column_int(q, 15);
	sql_col_text(q, 16, p->updated_at, sizeof(p->updated_at));
	sql_col_text(q, 17, p->updated_by, sizeof(p->updated_by));
	if (st != NULL && sqlite3_column_type(q, 18) == SQLITE_BLOB &&
	    store_right_held(st, "address")) {
		char buf[512], *nl;

		if (field_open(st, "address", sqlite3_column_blob(q, 18),
		    (size_t)sqlite3_column_bytes(q, 18), buf, sizeof(buf), NULL) == 0 &&
		    (nl = strchr(buf, '\n')) != NULL) {
			size_t pl = (size_t)(nl - buf), al = strlen(nl + 1);

			if (pl < sizeof(p->postal) && al < sizeof(p->address)) {
				memcpy(p->postal, buf, pl);
				p->postal[pl] = '\0';
				memcpy(p->address, nl + 1, al + 1);
			}
		}
		sodium_memzero(buf, sizeof(buf));
	}
}

static const char person_upsert_sql[] =
    "INSERT INTO persons (atena, name, kana, kana_key, alias, alias_kana, "
    "alias_key, alpha, birth, sex, postal, address, household, relation, "
    "head, ward, dv, nondisclose, updated_at, updated_by, address_sealed) VALUES "
    "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21) "
    "ON CONFLICT(atena) DO UPDATE SET name=?2, kana=?3, kana_key=?4, "
    "alias=?5, alias_kana=?6, alias_key=?7, alpha=?8, birth=?9, sex=?10, "
    "postal=?11, address=?12, household=?13, relation=?14, head=?15, "
    "ward=?16, dv=?17, nondisclose=?18, updated_at=?19, updated_by=?20, "
    "address_sealed=?21";

/* The bulk loader inserts new rows only; the plain INSERT also runs on
 * SQLite versions without UPSERT (SQLCipher's, in the benchmark). */
static const char person_insert_sql[] =
    "INSERT INTO persons (atena, name, kana, kana_key, alias, alias_kana, "
    "alias_key, alpha, birth, sex, postal, address, household, relation, "
    "head, ward, dv, nondisclose, updated_at, updated_by, address_sealed) VALUES "
    "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)";

int
person_stmt_prepare(sqlite3 *db, int insert_only, sqlite3_stmt **q,
    struct err *e)
{
	return sql_prepare(db, insert_only ? person_insert_sql : person_upsert_sql,
	    q, e);
}

/* Bind, run and reset a statement from person_stmt_prepare. */
int
person_stmt_run(sqlite3 *db, sqlite3_stmt *q, const struct person *p,
    const char *by, const struct field_keys *fk, struct err *e)
{
	char kkey[512], akey[512], now[32];
	uint8_t *sealed = NULL;
	size_t slen = 0;
	int rc;

	if (p->atena[0] == '\0' || p->name[0] == '\0')
		return err_set(e, ERR_INVAL, "person: 宛名番号 and 氏名 are required");
	if (p->birth != 0) {
		struct date d;
		if (date_from_ymd(p->birth, &d) != 0)
			return err_set(e, ERR_INVAL, "person %s: bad birth date", p->atena);
	}
	if (person_key(p->kana, kkey, sizeof(kkey)) < 0 ||
	    person_key(p->alias_kana, akey, sizeof(akey)) < 0)
		return err_set(e, ERR_FORMAT, "person %s: kana is not valid UTF-8",
		    p->atena);
	if (p->updated_at[0] != '\0')
		snprintf(now, sizeof(now), "%s", p->updated_at);
	else
		store_now(now);
	sql_bind_text(q, 1, p->atena);
	sql_bind_text(q, 2, p->name);
	sql_bind_text(q, 3, p->kana);
	sql_bind_text(q, 4, kkey);
	sql_bind_text(q, 5, p->alias);
	sql_bind_text(q, 6, p->alias_kana);
	sql_bind_text(q, 7, akey);
	sql_bind_text(q, 8, p->alpha);
	sqlite3_bind_int(q, 9, p->birth);
	sqlite3_bind_int(q, 10, p->sex);
	if (protected(p)) {
		char buf[300];
		int n = snprintf(buf, sizeof(buf), "%s\n%s", p->postal, p->address);

		if (!fk->have_addr)
			return err_set(e, ERR_STATE, "the store has no key for addresses");
		if (n < 0 || (size_t)n >= sizeof(buf))
			return err_set(e, ERR_RANGE, "person %s: address too long", p->atena);
		rc = field_seal(fk->addr_pk, buf, (size_t)n, &sealed, &slen, e);
		sodium_memzero(buf, sizeof(buf));
		if (rc != 0)
			return rc;
		sql_bind_text(q, 11, "");
		sql_bind_text(q, 12, "");
		sqlite3_bind_blob(q, 21, sealed, (int)slen, SQLITE_STATIC);
	} else {
		sql_bind_text(q, 11, p->postal);
		sql_bind_text(q, 12, p->address);
		sqlite3_bind_null(q, 21);
	}
	sql_bind_text(q, 13, p->household);
	sql_bind_text(q, 14, p->relation);
	sql_bind_text(q, 15, p->head);
	sql_bind_text(q, 16, p->ward);
	sqlite3_bind_int(q, 17, p->dv != 0);
	sqlite3_bind_int(q, 18, p->nondisclose != 0);
	sql_bind_text(q, 19, now);
	sql_bind_text(q, 20, p->updated_by[0] ? p->updated_by : by);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	free(sealed);
	if (rc != SQLITE_DONE)
		return sql_err(db, sqlite3_extended_errcode(db), e, "person");
	return 0;
}

int
person_upsert_db(sqlite3 *db, const struct person *p, const char *by,
    const struct field_keys *fk, struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if ((r = person_stmt_prepare(db, 0, &q, e)) != 0)
		return r;
	r = person_stmt_run(db, q, p, by, fk, e);
	sqlite3_finalize(q);
	return r;
}

int
store_person_upsert(struct store *st, const struct person *p, struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if ((r = store_stmt(st, person_upsert_sql, &q, e)) != 0)
		return r;
	r = person_stmt_run(st->db, q, p, st->user.name, &st->fk, e);
	store_stmt_done(st, q);
	return r;
}

static int
exec_atena(struct store *st, const char *sql, const char *atena,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	if ((r = sql_prepare(st->db, sql, &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, atena);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "person");
	return 0;
}

int
store_person_delete(struct store *st, const char *atena, struct err *e)
{
	int r, had = 0;

	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	/* Foreign keys cascade to mynumbers and certificates; the history
	 * of a deleted person goes too (a purge must not leave copies). */

	r = exec_atena(st, "DELETE FROM persons WHERE atena = ?", atena, e);
	if (r == 0)
		had = sqlite3_changes(st->db) > 0;
	if (r == 0)
		r = exec_atena(st, "DELETE FROM person_history WHERE atena = ?",
		    atena, e);
	/* NET-6, issue 13: everything else naming them goes in the same
	 * transaction (applications, identity checks, outbox, confirmation
	 * queue, inquiries; audit rows redacted), even when the person row
	 * itself was not here. */
	if (r == 0) {
		struct purge_result res;

		r = store_person_purge(st, atena, "sync", &res, e);
		if (r == 0 && !had && res.c[0].count == 0)
			r = err_set(e, ERR_NOTFOUND, "no person %s", atena);
	}
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	return r;
}

static int
get_one(struct store *st, const char *sql, const char *arg, struct person *out,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	if ((r = store_stmt(st, sql, &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, arg);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_person(st, q, out);
	store_stmt_done(st, q);
	if (rc == SQLITE_DONE)
		return err_set_ja(e, ERR_NOTFOUND, "該当する住民がいません",
		    "no such person");
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "person");
	return 0;
}

int
store_person_get(struct store *st, const char *atena, struct person *out,
    struct err *e)
{
	return get_one(st, "SELECT " PERSON_COLS " FROM persons WHERE atena = ?",
	    atena, out, e);
}

int
store_person_find_by_mynumber(struct store *st, const char *mynumber,
    struct person *out, struct err *e)
{
	uint8_t idx[MN_IDX_LEN];
	sqlite3_stmt *q;
	int r, rc;

	if (mynumber == NULL || mynumber_validate(mynumber, strlen(mynumber), e) != 0)
		return err_set_ja(e, ERR_FORMAT, "個人番号が正しくありません",
		    "not a valid 個人番号");
	/* Through the blind index: no right is needed to find the record,
	 * and the number is never compared in the clear (issue 15). */
	mynumber_index(&st->fk, mynumber, idx);
	if ((r = sql_prepare(st->db, "SELECT " PERSON_COLS " FROM persons WHERE "
	    "atena = (SELECT atena FROM mynumbers WHERE idx = ?)", &q, e)) != 0)
		return r;
	sqlite3_bind_blob(q, 1, idx, MN_IDX_LEN, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_person(st, q, out);
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set_ja(e, ERR_NOTFOUND, "該当する住民がいません",
		    "no such person");
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "person");
	return 0;
}

void
person_list_free(struct person_list *l)
{
	if (l == NULL)
		return;
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
collect(const struct store *st, sqlite3 *db, sqlite3_stmt *q, size_t limit,
    struct person_list *out, struct err *e)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (limit > 0 && out->n == limit) {
			out->more = 1;
			break;
		}
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct person *v = realloc(out->v, nc * sizeof(*v));
			if (v == NULL) {
				sqlite3_finalize(q);
				person_list_free(out);
				return err_set(e, ERR_NOMEM, "out of memory");
			}
			out->v = v;
			cap = nc;
		}
		read_person(st, q, &out->v[out->n++]);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		person_list_free(out);
		return sql_err(db, sqlite3_extended_errcode(db), e, "search");
	}
	return 0;
}

/* mdg_name_fold(text): name_fold in SQL (blanks removed, 異体字 folded).
 * A function rather than nested replace(): two columns of two dozen
 * nested calls overflow SQLite's parser stack. */
static void
sql_name_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char *in;
	char buf[1024];

	(void)argc;
	if ((in = sqlite3_value_text(argv[0])) == NULL) {
		sqlite3_result_null(cx);
		return;
	}
	if (name_fold((const char *)in, buf, sizeof(buf)) < 0) {
		sqlite3_result_text(cx, (const char *)in, -1, SQLITE_TRANSIENT);
		return;
	}
	sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
}

static void
fold_sql(struct wbuf *x, const char *col)
{
	wbuf_printf(x, "mdg_name_fold(%s)", col);
}

/*
 * The search.  Every criterion narrows.  With a kana prefix the 宛名番号 to
 * show come from two branches, one walking the 氏名カナ index and one the
 * 通称名カナ index, each with the other criteria and its own LIMIT (limit +
 * offset + 1): the index range is walked in order and only rows that can be
 * shown are fetched, so a short prefix over a million residents touches
 * ~100 rows, not every match.  (A plain OR of the two ranges would fetch
 * and sort every match; a UNION of full rows costs more to prepare than the
 * search itself.)  Without a kana prefix one plain query suffices.
 */
static int
search(const struct store *st, sqlite3 *db, const struct person_query *qy,
    struct person_list *out, struct err *e)
{
	char sql[4096], extra[1024], lo[512], hi[520];
	struct wbuf w, x;
	sqlite3_stmt *q;
	size_t limit = qy->limit ? qy->limit : 100;
	int r, have = 0, kp = 0;

	memset(out, 0, sizeof(*out));
	if (limit > 100000 || qy->offset > 100000000)
		return err_set(e, ERR_RANGE, "search: limit or offset too large");
	if (qy->kana_prefix && *qy->kana_prefix) {
		if (person_key(qy->kana_prefix, lo, sizeof(lo)) < 0)
			return err_set(e, ERR_FORMAT, "search: kana is not valid UTF-8");
		kp = lo[0] != '\0';
		/* [prefix, prefix + U+10FFFF) is every key starting with it and
		 * lets SQLite use the index. */
		snprintf(hi, sizeof(hi), "%s\xF4\x8F\xBF\xBF", lo);
	}
	wbuf_init_fixed(&x, extra, sizeof(extra));
	if (qy->name && *qy->name) {
		if (sqlite3_create_function_v2(db, "mdg_name_fold", 1,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_name_fold, NULL, NULL,
		    NULL) != SQLITE_OK)
			return err_set(e, ERR_IO, "search: %s", sqlite3_errmsg(db));
		/* "遠藤和子" finds "遠藤 和子", 斉藤 finds 齋藤 (name_fold: the
		 * same folding on both sides, in SQL as nested replace()) */
		wbuf_printf(&x, " AND (instr(");
		fold_sql(&x, "name");
		wbuf_printf(&x, ", ?11) > 0 OR instr(");
		fold_sql(&x, "alias");
		wbuf_printf(&x, ", ?11) > 0 OR instr(upper(alpha), upper(?3)) > 0)");
		have = 1;
	}
	if (qy->birth) {
		wbuf_printf(&x, " AND birth = ?4");
		have = 1;
	}
	if (qy->atena && *qy->atena) {
		wbuf_printf(&x, " AND atena = ?5");
		have = 1;
	}
	if (qy->recipient_no && *qy->recipient_no) {
		wbuf_printf(&x, " AND atena IN (SELECT atena FROM certificates "
		    "WHERE recipient_no = ?6)");
		have = 1;
	}
	if (qy->household && *qy->household) {
		wbuf_printf(&x, " AND household = ?7");
		have = 1;
	}
	if (x.err)
		return err_set(e, ERR_RANGE, "search: query too long");
	wbuf_str(&x);
	if (!have && !kp)
		return err_set_ja(e, ERR_INVAL, "検索条件を入力してください",
		    "search: no criterion given");
	wbuf_init_fixed(&w, sql, sizeof(sql));
	if (kp)
		wbuf_printf(&w, "SELECT " PERSON_COLS " FROM persons WHERE atena IN ("
		    "SELECT atena FROM (SELECT atena, kana_key FROM persons "
		    "WHERE kana_key >= ?1 AND kana_key < ?2%s "
		    "ORDER BY kana_key, atena LIMIT ?10) "
		    "UNION ALL "
		    "SELECT atena FROM (SELECT atena, kana_key FROM persons "
		    "WHERE alias_key >= ?1 AND alias_key < ?2 AND alias_key <> ''%s "
		    "ORDER BY kana_key, atena LIMIT ?10)"
		    ") ORDER BY kana_key, atena LIMIT ?8 OFFSET ?9", extra, extra);
	else
		wbuf_printf(&w, "SELECT " PERSON_COLS " FROM persons WHERE 1%s "
		    "ORDER BY kana_key, atena LIMIT ?8 OFFSET ?9", extra);
	if (w.err)
		return err_set(e, ERR_RANGE, "search: query too long");
	wbuf_str(&w);
	if ((r = sql_prepare(db, sql, &q, e)) != 0)
		return r;
	if (kp) {
		sql_bind_text(q, 1, lo);
		sql_bind_text(q, 2, hi);
		sqlite3_bind_int64(q, 10, (sqlite3_int64)(limit + 1 + qy->offset));
	}
	if (qy->name && *qy->name) {
		char folded[512];
		sql_bind_text(q, 3, qy->name);
		if (name_fold(qy->name, folded, sizeof(folded)) < 0) {
			sqlite3_finalize(q);
			return err_set(e, ERR_RANGE, "search: name too long");
		}
		sqlite3_bind_text(q, 11, folded, -1, SQLITE_TRANSIENT);
	}
	if (qy->birth)
		sqlite3_bind_int(q, 4, qy->birth);
	if (qy->atena && *qy->atena)
		sql_bind_text(q, 5, qy->atena);
	if (qy->recipient_no && *qy->recipient_no)
		sql_bind_text(q, 6, qy->recipient_no);
	if (qy->household && *qy->household)
		sql_bind_text(q, 7, qy->household);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)limit + 1);
	sqlite3_bind_int64(q, 9, (sqlite3_int64)qy->offset);
	return collect(st, db, q, limit, out, e);
}

/* How many persons the query finds in all (limit and offset ignored;
 * issue 19: the total beside the first page).  The same criteria as
 * search(); with a kana prefix, either index range. */
static int
count(sqlite3 *db, const struct person_query *qy, size_t *n, struct err *e)
{
	char sql[4096], lo[512], hi[520], folded[512];
	struct wbuf w;
	sqlite3_stmt *q;
	int r, kp = 0, have = 0;

	*n = 0;
	if (qy->kana_prefix && *qy->kana_prefix) {
		if (person_key(qy->kana_prefix, lo, sizeof(lo)) < 0)
			return err_set(e, ERR_FORMAT, "count: kana is not valid UTF-8");
		kp = lo[0] != '\0';
		snprintf(hi, sizeof(hi), "%s\xF4\x8F\xBF\xBF", lo);
	}
	wbuf_init_fixed(&w, sql, sizeof(sql));
	wbuf_printf(&w, "SELECT count(*) FROM persons WHERE 1");
	if (kp)
		wbuf_printf(&w, " AND ((kana_key >= ?1 AND kana_key < ?2) OR "
		    "(alias_key >= ?1 AND alias_key < ?2 AND alias_key <> ''))");
	if (qy->name && *qy->name) {
		if (sqlite3_create_function_v2(db, "mdg_name_fold", 1,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_name_fold, NULL, NULL,
		    NULL) != SQLITE_OK)
			return err_set(e, ERR_IO, "count: %s", sqlite3_errmsg(db));
		wbuf_printf(&w, " AND (instr(mdg_name_fold(name), ?11) > 0 OR "
		    "instr(mdg_name_fold(alias), ?11) > 0 OR instr(upper(alpha), upper(?3)) > 0)");
		have = 1;
	}
	if (qy->birth) {
		wbuf_printf(&w, " AND birth = ?4");
		have = 1;
	}
	if (qy->atena && *qy->atena) {
		wbuf_printf(&w, " AND atena = ?5");
		have = 1;
	}
	if (qy->recipient_no && *qy->recipient_no) {
		wbuf_printf(&w, " AND atena IN (SELECT atena FROM certificates "
		    "WHERE recipient_no = ?6)");
		have = 1;
	}
	if (qy->household && *qy->household) {
		wbuf_printf(&w, " AND household = ?7");
		have = 1;
	}
	if (w.err)
		return err_set(e, ERR_RANGE, "count: query too long");
	wbuf_str(&w);
	if (!have && !kp)
		return err_set_ja(e, ERR_INVAL, "検索条件を入力してください",
		    "count: no criterion given");
	if ((r = sql_prepare(db, sql, &q, e)) != 0)
		return r;
	if (kp) {
		sql_bind_text(q, 1, lo);
		sql_bind_text(q, 2, hi);
	}
	if (qy->name && *qy->name) {
		if (name_fold(qy->name, folded, sizeof(folded)) < 0) {
			sqlite3_finalize(q);
			return err_set(e, ERR_RANGE, "count: name too long");
		}
		sql_bind_text(q, 3, qy->name);
		sqlite3_bind_text(q, 11, folded, -1, SQLITE_TRANSIENT);
	}
	if (qy->birth)
		sqlite3_bind_int(q, 4, qy->birth);
	if (qy->atena && *qy->atena)
		sql_bind_text(q, 5, qy->atena);
	if (qy->recipient_no && *qy->recipient_no)
		sql_bind_text(q, 6, qy->recipient_no);
	if (qy->household && *qy->household)
		sql_bind_text(q, 7, qy->household);
	r = sqlite3_step(q);
	if (r == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (r != SQLITE_ROW)
		return sql_err(db, r, e, "count");
	return 0;
}

int
store_person_count(struct store *st, const struct person_query *qy, size_t *n,
    struct err *e)
{
	return count(st->db, qy, n, e);
}

int
store_person_search_db(sqlite3 *db, const struct person_query *qy,
    struct person_list *out, struct err *e)
{
	return search(NULL, db, qy, out, e);
}

int
store_person_search(struct store *st, const struct person_query *qy,
    struct person_list *out, struct err *e)
{
	return search(st, st->db, qy, out, e);
}

int
store_person_household(struct store *st, const char *household,
    struct person_list *out, struct err *e)
{
	sqlite3_stmt *q;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT " PERSON_COLS " FROM persons "
	    "WHERE household = ? ORDER BY relation <> '世帯主', birth, atena",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, household);
	return collect(st, st->db, q, 0, out, e);
}

static const char mynumber_insert_sql[] =
    "INSERT INTO mynumbers VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char mynumber_upsert_sql[] =
    "INSERT INTO mynumbers VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT(atena) DO UPDATE SET idx = ?2, sealed = ?3, masked = ?4, "
    "updated_at = ?5, updated_by = ?6";

int
mynumber_stmt_prepare(sqlite3 *db, int insert_only, sqlite3_stmt **q,
    struct err *e)
{
	return sql_prepare(db, insert_only ? mynumber_insert_sql :
	    mynumber_upsert_sql, q, e);
}

/* The number sealed to the right "mynumber", its blind index and its
 * masked form (issue 15). */
int
mynumber_stmt_run(sqlite3 *db, sqlite3_stmt *q, const char *atena,
    const char *mynumber, const char *by, const struct field_keys *fk,
    struct err *e)
{
	char now[32], masked[MYNUMBER_MASKED_LEN];
	uint8_t idx[MN_IDX_LEN], *sealed = NULL;
	size_t slen = 0;
	int rc;

	if (mynumber == NULL || mynumber_validate(mynumber, strlen(mynumber), e) != 0)
		return err_set_ja(e, ERR_FORMAT, "個人番号が正しくありません",
		    "not a valid 個人番号 (ID-4)");
	if (!fk->have_mn || fk->idx == NULL)
		return err_set(e, ERR_STATE, "the store has no key for 個人番号");
	if ((rc = field_seal(fk->mn_pk, mynumber, MYNUMBER_LEN, &sealed, &slen, e)) != 0)
		return rc;
	mynumber_index(fk, mynumber, idx);
	mynumber_mask(mynumber, MYNUMBER_LEN, masked);
	store_now(now);
	sql_bind_text(q, 1, atena);
	sqlite3_bind_blob(q, 2, idx, MN_IDX_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, sealed, (int)slen, SQLITE_STATIC);
	sql_bind_text(q, 4, masked);
	sql_bind_text(q, 5, now);
	sql_bind_text(q, 6, by);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	free(sealed);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return err_set_ja(e, ERR_EXISTS, "この個人番号は別の住民に登録されています",
		    "that 個人番号 belongs to another person");
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		return err_set(e, ERR_NOTFOUND, "no person %s", atena);
	if (rc != SQLITE_DONE)
		return sql_err(db, sqlite3_extended_errcode(db), e, "mynumber");
	return 0;
}

int
mynumber_set_db(sqlite3 *db, const char *atena, const char *mynumber,
    const char *by, const struct field_keys *fk, struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if ((r = mynumber_stmt_prepare(db, 0, &q, e)) != 0)
		return r;
	r = mynumber_stmt_run(db, q, atena, mynumber, by, fk, e);
	sqlite3_finalize(q);
	return r;
}

int
store_mynumber_set(struct store *st, const char *atena, const char *mynumber,
    struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if ((r = store_stmt(st, mynumber_upsert_sql, &q, e)) != 0)
		return r;
	r = mynumber_stmt_run(st->db, q, atena, mynumber, st->user.name, &st->fk, e);
	store_stmt_done(st, q);
	return r;
}

/* Column col of the person's mynumbers row through fn; ERR_NOTFOUND. */
static int
mn_row(struct store *st, const char *atena, const char *col,
    int (*fn)(sqlite3_stmt *q, void *arg), void *arg, struct err *e)
{
	/* One static statement per column, so that store_stmt keeps each. */
	static const char *const sqls[][2] = {
		{ "sealed", "SELECT sealed FROM mynumbers WHERE atena = ?" },
		{ "idx", "SELECT idx FROM mynumbers WHERE atena = ?" },
		{ "masked", "SELECT masked FROM mynumbers WHERE atena = ?" },
		{ "0", "SELECT 0 FROM mynumbers WHERE atena = ?" },
	};
	const char *sql = NULL;
	sqlite3_stmt *q;
	int r, rc;

	for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++)
		if (strcmp(sqls[i][0], col) == 0)
			sql = sqls[i][1];
	if (sql == NULL)
		return err_set(e, ERR_INVAL, "mynumbers has no column %s", col);
	if ((r = store_stmt(st, sql, &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, atena);
	rc = sqlite3_step(q);
	r = rc == SQLITE_ROW ? fn(q, arg) : 0;
	store_stmt_done(st, q);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no 個人番号 for %s", atena);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "mynumber");
	return r;
}

struct mn_open {
	struct store *st;
	char *out;
	struct err *e;
};

static int
mn_open_fn(sqlite3_stmt *q, void *arg)
{
	struct mn_open *o = arg;

	return field_open(o->st, "mynumber", sqlite3_column_blob(q, 0),
	    (size_t)sqlite3_column_bytes(q, 0), o->out, 13, o->e);
}

int
store_mynumber_get(struct store *st, const char *atena, char out[13],
    struct err *e)
{
	struct mn_open o = { st, out, e };
	int r;

	out[0] = '\0';
	r = mn_row(st, atena, "sealed", mn_open_fn, &o, e);
	if (r != 0)
		sodium_memzero(out, 13);
	return r;
}

struct mn_cmp {
	uint8_t idx[MN_IDX_LEN];
};

static int
mn_cmp_fn(sqlite3_stmt *q, void *arg)
{
	struct mn_cmp *c = arg;

	return sqlite3_column_bytes(q, 0) == MN_IDX_LEN &&
	    sodium_memcmp(sqlite3_column_blob(q, 0), c->idx, MN_IDX_LEN) == 0;
}

int
store_mynumber_matches(struct store *st, const char *atena,
    const char *mynumber, struct err *e)
{
	struct mn_cmp c;

	if (mynumber == NULL || strlen(mynumber) != MYNUMBER_LEN)
		return mn_row(st, atena, "0", mn_cmp_fn, &c, e) < 0 ?
		    ERR_NOTFOUND : 0;
	mynumber_index(&st->fk, mynumber, c.idx);
	return mn_row(st, atena, "idx", mn_cmp_fn, &c, e);
}

static int
mn_masked_fn(sqlite3_stmt *q, void *arg)
{
	sql_col_text(q, 0, arg, MYNUMBER_MASKED_LEN);
	return 0;
}

int
store_mynumber_masked(struct store *st, const char *atena,
    char out[MYNUMBER_MASKED_LEN], struct err *e)
{
	out[0] = '\0';
	return mn_row(st, atena, "masked", mn_masked_fn, out, e);
}

int
store_mynumber_delete(struct store *st, const char *atena, struct err *e)
{
	int r = exec_atena(st, "DELETE FROM mynumbers WHERE atena = ?", atena, e);

	if (r == 0 && sqlite3_changes(st->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no 個人番号 for %s", atena);
	return r;
}

int
store_mynumber_seal(struct store *st, const char *mynumber, uint8_t **out,
    size_t *n, struct err *e)
{
	char masked[MYNUMBER_MASKED_LEN];
	uint8_t *sealed;
	size_t slen;
	int r;

	*out = NULL;
	*n = 0;
	if (mynumber == NULL || mynumber_validate(mynumber, strlen(mynumber), e) != 0)
		return err_set(e, ERR_FORMAT, "not a valid 個人番号");
	if (!st->fk.have_mn)
		return err_set(e, ERR_STATE, "the store has no key for 個人番号");
	if ((r = field_seal(st->fk.mn_pk, mynumber, MYNUMBER_LEN, &sealed, &slen, e)) != 0)
		return r;
	if ((*out = malloc(MYNUMBER_MASKED_LEN + slen)) == NULL) {
		free(sealed);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	mynumber_mask(mynumber, MYNUMBER_LEN, masked);
	memcpy(*out, masked, MYNUMBER_MASKED_LEN);
	memcpy(*out + MYNUMBER_MASKED_LEN, sealed, slen);
	*n = MYNUMBER_MASKED_LEN + slen;
	free(sealed);
	return 0;
}

int
store_mynumber_unseal(struct store *st, const void *p, size_t n, char out[13],
    char masked[MYNUMBER_MASKED_LEN], struct err *e)
{
	const uint8_t *b = p;

	if (out != NULL)
		out[0] = '\0';
	masked[0] = '\0';
	if (n < MYNUMBER_MASKED_LEN || b[MYNUMBER_MASKED_LEN - 1] != '\0')
		return err_set(e, ERR_CORRUPT, "sealed 個人番号 of a bad shape");
	memcpy(masked, b, MYNUMBER_MASKED_LEN);
	if (out == NULL)
		return 0;
	return field_open(st, "mynumber", b + MYNUMBER_MASKED_LEN,
	    n - MYNUMBER_MASKED_LEN, out, 13, e);
}
