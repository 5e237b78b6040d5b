/*
 * refdata.c — the terminal's copy of the central's reference data (issue
 * 19): 全銀 bank and branch codes and Japan Post's addresses by 郵便番号.
 * Sync writes them (apply.c); forms read them to name a bank and branch,
 * refuse an unknown code and fill an address, offline.
 */
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "store-int.h"

static int
digits_n(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[n] == '\0';
}

/* "123-4567" or "1234567" to "1234567"; 0 or ERR_FORMAT. */
static int
postal_key(const char *in, char out[8], struct err *e)
{
	size_t j = 0;

	for (; *in != '\0'; in++) {
		if (*in == '-' && j == 3)
			continue;
		if (*in < '0' || *in > '9' || j >= 7)
			return err_set(e, ERR_FORMAT, "郵便番号は7桁の数字です");
		out[j++] = *in;
	}
	out[j] = '\0';
	return j == 7 ? 0 : err_set(e, ERR_FORMAT, "郵便番号は7桁の数字です");
}

static int
run(struct store *st, const char *sql, int n, const char *const *v,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, i, rc;

	if ((r = sql_prepare(st->db, sql, &q, e)) != 0)
		return r;
	for (i = 0; i < n; i++)
		sql_bind_text(q, i + 1, v[i]);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "reference data");
	return 0;
}

int
store_ref_bank_put(struct store *st, const char *code, const char *name,
    const char *kana, struct err *e)
{
	const char *v[3] = { code, name, kana };

	if (!digits_n(code, 4))
		return err_set(e, ERR_FORMAT, "bank code must be 4 digits");
	return run(st, "INSERT OR REPLACE INTO ref_banks (code, name, kana)"
	    " VALUES (?, ?, ?)", 3, v, e);
}

int
store_ref_branch_put(struct store *st, const char *bank, const char *code,
    const char *name, const char *kana, struct err *e)
{
	const char *v[4] = { bank, code, name, kana };

	if (!digits_n(bank, 4) || !digits_n(code, 3))
		return err_set(e, ERR_FORMAT, "branch code must be 4 + 3 digits");
	return run(st, "INSERT OR REPLACE INTO ref_branches (bank, code, name, kana)"
	    " VALUES (?, ?, ?, ?)", 4, v, e);
}

int
store_ref_postal_put(struct store *st, const char *code,
    const struct ref_addr *a, int n, struct err *e)
{
	sqlite3_stmt *q = NULL;
	char key[8];
	int r, i, ok = 0;

	if ((r = postal_key(code, key, e)) != 0)
		return r;
	if (n < 1 || n > REF_POSTAL_MAX)
		return err_set(e, ERR_RANGE, "1 to %d addresses per postal code", REF_POSTAL_MAX);
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	{
		const char *v[1] = { key };

		if ((r = run(st, "DELETE FROM ref_postal WHERE code = ?", 1, v, e)) != 0)
			goto out;
	}
	if ((r = sql_prepare(st->db, "INSERT INTO ref_postal (code, seq, pref, city,"
	    " town, town_full, kana) VALUES (?, ?, ?, ?, ?, ?, ?)", &q, e)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		sqlite3_reset(q);
		sql_bind_text(q, 1, key);
		sqlite3_bind_int(q, 2, i);
		sql_bind_text(q, 3, a[i].pref);
		sql_bind_text(q, 4, a[i].city);
		sql_bind_text(q, 5, a[i].town);
		sql_bind_text(q, 6, a[i].town_full);
		sql_bind_text(q, 7, a[i].kana);
		if (sqlite3_step(q) != SQLITE_DONE) {
			r = sql_err(st->db, sqlite3_extended_errcode(st->db), e, "reference data");
			goto out;
		}
	}
	ok = 1;
out:
	sqlite3_finalize(q);
	if (!ok) {
		sql_tx_end(st->db, 0, NULL);
		return r;
	}
	return sql_tx_end(st->db, 1, e);
}

int
store_ref_bank_delete(struct store *st, const char *code, struct err *e)
{
	const char *v[1] = { code };

	return run(st, "DELETE FROM ref_banks WHERE code = ?", 1, v, e);
}

int
store_ref_branch_delete(struct store *st, const char *bank, const char *code,
    struct err *e)
{
	const char *v[2] = { bank, code };

	return run(st, "DELETE FROM ref_branches WHERE bank = ? AND code = ?", 2, v, e);
}

int
store_ref_postal_delete(struct store *st, const char *code, struct err *e)
{
	char key[8];
	const char *v[1] = { key };
	int r;

	if ((r = postal_key(code, key, e)) != 0)
		return r;
	return run(st, "DELETE FROM ref_postal WHERE code = ?", 1, v, e);
}

/* 1 when the table has a row, 0 when empty, negative on error. */
static int
any_row(struct store *st, const char *table, struct err *e)
{
	sqlite3_stmt *q;
	char sql[80];
	int r, rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s LIMIT 1", table);
	if ((r = sql_prepare(st->db, sql, &q, e)) != 0)
		return r;
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "reference data");
}

static int
name_get(struct store *st, const char *table, const char *sql, int n,
    const char *const *v, char *name, size_t cap, struct err *e)
{
	sqlite3_stmt *q;
	int r, i, rc;

	if (cap > 0)
		name[0] = '\0';
	if ((r = sql_prepare(st->db, sql, &q, e)) != 0)
		return r;
	for (i = 0; i < n; i++)
		sql_bind_text(q, i + 1, v[i]);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		sql_col_text(q, 0, name, cap);
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "reference data");
	if ((r = any_row(st, table, e)) < 0)
		return r;
	return r == 0 ? err_set(e, ERR_STATE, "no reference data") :
	    err_set(e, ERR_NOTFOUND, "unknown code");
}

int
store_ref_bank_get(struct store *st, const char *code, char *name, size_t cap,
    struct err *e)
{
	const char *v[1] = { code };

	return name_get(st, "ref_banks", "SELECT name FROM ref_banks WHERE code = ?",
	    1, v, name, cap, e);
}

int
store_ref_branch_get(struct store *st, const char *bank, const char *code,
    char *name, size_t cap, struct err *e)
{
	const char *v[2] = { bank, code };

	return name_get(st, "ref_branches", "SELECT name FROM ref_branches"
	    " WHERE bank = ? AND code = ?", 2, v, name, cap, e);
}

int
store_ref_postal_get(struct store *st, const char *code, struct ref_addr *out,
    int max, int *n, struct err *e)
{
	sqlite3_stmt *q;
	char key[8];
	int r, rc;

	*n = 0;
	if ((r = postal_key(code, key, e)) != 0)
		return r;
	if ((r = sql_prepare(st->db, "SELECT pref, city, town, town_full, kana"
	    " FROM ref_postal WHERE code = ? ORDER BY seq", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, key);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n >= max)
			continue;
		sql_col_text(q, 0, out[*n].pref, sizeof(out[*n].pref));
		sql_col_text(q, 1, out[*n].city, sizeof(out[*n].city));
		sql_col_text(q, 2, out[*n].town, sizeof(out[*n].town));
		sql_col_text(q, 3, out[*n].town_full, sizeof(out[*n].town_full));
		sql_col_text(q, 4, out[*n].kana, sizeof(out[*n].kana));
		(*n)++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "reference data");
	if (*n > 0)
		return 0;
	if ((r = any_row(st, "ref_postal", e)) < 0)
		return r;
	return r == 0 ? err_set(e, ERR_STATE, "no reference data") :
	    err_set(e, ERR_NOTFOUND, "unknown postal code");
}

int
store_ref_counts(struct store *st, long *banks, long *branches, long *postal,
    struct err *e)
{
	static const char *const sql[3] = {
		"SELECT count(*) FROM ref_banks",
		"SELECT count(*) FROM ref_branches",
		"SELECT count(DISTINCT code) FROM ref_postal"
	};
	long *out[3] = { banks, branches, postal };
	sqlite3_stmt *q;
	int i, r;

	for (i = 0; i < 3; i++) {
		if ((r = sql_prepare(st->db, sql[i], &q, e)) != 0)
			return r;
		if (sqlite3_step(q) != SQLITE_ROW) {
			sqlite3_finalize(q);
			return sql_err(st->db, sqlite3_extended_errcode(st->db), e,
			    "reference data");
		}
		*out[i] = (long)sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	return 0;
}
