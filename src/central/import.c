/*
 * import.c — `madoguchi-central import persons|eligibility|decisions FILE`.
 *
 * Each row is validated field by field (check digits, dates, codes); a bad
 * row is reported with its line and reason and skipped, and every accepted
 * row is applied in one transaction together with its change records for
 * the pull feed.  A row whose content equals what is stored changes
 * nothing, so re-importing a file is a no-op.  Columns: madoguchi-central(8).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctrule.h"
#include "central-int.h"

struct col {
	const char *name;
	int required;
};

static const struct col person_cols[] = {
	{ "atena", 1 }, { "name", 1 }, { "kana", 1 }, { "alias", 0 },
	{ "alias_kana", 0 }, { "alpha", 0 }, { "birth", 1 }, { "sex", 1 },
	{ "postal", 0 }, { "address", 1 }, { "household", 0 }, { "relation", 0 },
	{ "head", 0 }, { "ward", 1 }, { "dv", 0 }, { "nondisclose", 0 },
	{ "mynumber", 0 }, { "op", 0 }, { NULL, 0 }
};
enum { P_ATENA, P_NAME, P_KANA, P_ALIAS, P_ALIAS_KANA, P_ALPHA, P_BIRTH,
	P_SEX, P_POSTAL, P_ADDRESS, P_HOUSEHOLD, P_RELATION, P_HEAD, P_WARD,
	P_DV, P_NONDISCLOSE, P_MYNUMBER, P_OP };

static const struct col elig_cols[] = {
	{ "atena", 1 }, { "procedure", 1 }, { "recipient_no", 1 },
	{ "category", 0 }, { "valid_from", 1 }, { "valid_to", 0 },
	{ "issued", 0 }, { "returned", 0 }, { "burden_rate", 0 },
	{ "burden_limit", 0 }, { "burden_note", 0 }, { "reason", 0 },
	{ "op", 0 }, { NULL, 0 }
};
enum { E_ATENA, E_PROCEDURE, E_RECIPIENT, E_CATEGORY, E_FROM, E_TO,
	E_ISSUED, E_RETURNED, E_RATE, E_LIMIT, E_NOTE, E_REASON, E_OP };

static const struct col decision_cols[] = {
	{ "receipt_no", 1 }, { "status", 1 }, { "decided_at", 1 },
	{ "note", 0 }, { "terminal", 0 }, { NULL, 0 }
};
enum { D_RECEIPT, D_STATUS, D_AT, D_NOTE, D_TERMINAL };

static const struct col account_cols[] = {
	{ "name", 1 }, { "display", 1 }, { "role", 1 }, { "perms", 0 },
	{ "view_mynumber", 0 }, { "search_mynumber", 0 }, { "export", 0 },
	{ "valid_until", 0 }, { "disabled", 0 }, { "request", 1 }, { NULL, 0 }
};
enum { A_NAME, A_DISPLAY, A_ROLE, A_PERMS, A_VIEW, A_SEARCH, A_EXPORT,
	A_UNTIL, A_DISABLED, A_REQUEST };

#define MAXCOLS 20

struct importer {
	struct central *c;
	const char *name;
	FILE *rep;
	struct import_report *r;
	int idx[MAXCOLS];	/* column -> field index, -1 absent */
	char **f;
	size_t nf;
	int line;
	char why[256];
};

/* The key columns (atena; procedure and recipient_no for eligibility). */
static int
key_columns(struct importer *im, const struct col *cols, struct err *e)
{
	size_t k;

	for (k = 0; cols[k].name != NULL; k++)
		if ((strcmp(cols[k].name, "atena") == 0 ||
		    strcmp(cols[k].name, "procedure") == 0 ||
		    strcmp(cols[k].name, "recipient_no") == 0) && im->idx[k] < 0)
			return err_set(e, ERR_FORMAT, "%s:%d: required column \"%s\" missing",
			    im->name, im->line, cols[k].name);
	return 0;
}

/* Map the header; unknown or duplicate columns make the file invalid. */
static int
header_map(struct importer *im, const struct col *cols, struct err *e)
{
	size_t i, k;

	for (k = 0; cols[k].name != NULL; k++)
		im->idx[k] = -1;
	for (i = 0; i < im->nf; i++) {
		for (k = 0; cols[k].name != NULL; k++)
			if (strcmp(im->f[i], cols[k].name) == 0)
				break;
		if (cols[k].name == NULL)
			return err_set(e, ERR_FORMAT, "%s:%d: unknown column \"%.64s\"",
			    im->name, im->line, im->f[i]);
		if (im->idx[k] >= 0)
			return err_set(e, ERR_FORMAT, "%s:%d: column \"%s\" twice",
			    im->name, im->line, cols[k].name);
		im->idx[k] = (int)i;
	}
	/* A file with an op column may be deletions only: then only the key
	 * columns are needed, and an upsert row lacking a required value is
	 * rejected row by row. */
	for (k = 0; cols[k].name != NULL; k++)
		if (strcmp(cols[k].name, "op") == 0 && im->idx[k] >= 0)
			return key_columns(im, cols, e);
	for (k = 0; cols[k].name != NULL; k++)
		if (cols[k].required && im->idx[k] < 0)
			return err_set(e, ERR_FORMAT, "%s:%d: required column \"%s\" missing",
			    im->name, im->line, cols[k].name);
	return 0;
}

/* Field k of the current row, trimmed of ASCII spaces in place; "" when
 * the column is absent. */
static const char *
col(struct importer *im, int k)
{
	char *s, *end;

	if (im->idx[k] < 0)
		return "";
	s = im->f[im->idx[k]];
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static int
reject(struct importer *im, const char *fmt, const char *what)
{
	snprintf(im->why, sizeof(im->why), fmt, what);
	return -1;
}

static int
digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
code_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* A date in 西暦 or 和暦 -> yyyymmdd; "" -> 0 when optional. */
static int
date_col(struct importer *im, int k, const char *what, int optional, int *ymd)
{
	const char *s = col(im, k);
	struct date d;
	struct err e;

	*ymd = 0;
	if (s[0] == '\0')
		return optional ? 0 : reject(im, "%s is required", what);
	if (date_parse(s, &d, &e) != 0)
		return reject(im, "%s is not a valid date", what);
	*ymd = date_to_ymd(&d);
	return 0;
}

static int
flag_col(struct importer *im, int k, const char *what, int *v)
{
	const char *s = col(im, k);

	if (s[0] == '\0' || strcmp(s, "0") == 0)
		*v = 0;
	else if (strcmp(s, "1") == 0)
		*v = 1;
	else
		return reject(im, "%s must be 0 or 1", what);
	return 0;
}

static int
int_col(struct importer *im, int k, const char *what, long min, long max,
    long *v)
{
	const char *s = col(im, k);
	char *end;

	*v = -1;
	if (s[0] == '\0')
		return 0;
	errno = 0;
	*v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v < min || *v > max)
		return reject(im, "%s is out of range", what);
	return 0;
}

static int
text_col(struct importer *im, int k, const char *what, size_t max,
    int required)
{
	const char *s = col(im, k);

	if (required && s[0] == '\0')
		return reject(im, "%s is required", what);
	if (strlen(s) > max)
		return reject(im, "%s is too long", what);
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return reject(im, "%s contains a control character", what);
	return 0;
}

static void
wipe_str(char *s)
{
	mem_wipe(s, strlen(s));
}

static int
postal_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 8 || s[3] != '-')
		return 0;
	for (i = 0; i < 8; i++)
		if (i != 3 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

static void
jstr(struct wbuf *w, const char *k, const char *v, int first)
{
	if (!first)
		wbuf_put_u8(w, ',');
	json_put_str(w, k, strlen(k));
	wbuf_put_u8(w, ':');
	json_put_str(w, v, strlen(v));
}

static void
jint(struct wbuf *w, const char *k, long v)
{
	wbuf_put_u8(w, ',');
	json_put_str(w, k, strlen(k));
	wbuf_printf(w, ":%ld", v);
}

/* Stored text of one column by key, or NULL when there is no row. */
static char *
lookup(sqlite3 *db, const char *sql, const char *key)
{
	sqlite3_stmt *st;
	char *out = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static int
exec_bind(sqlite3 *db, const char *sql, int n, const char **vals,
    struct err *e)
{
	sqlite3_stmt *st;
	int i, r;

	if ((r = central_prepare(db, sql, &st, e)) != 0)
		return r;
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, vals[i], -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
	return 0;
}

/* Rows already seen in this file (a key twice is refused). */
static int
seen_before(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(db, "INSERT INTO temp.import_seen VALUES (?)", -1,
	    &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return (r & 0xff) == SQLITE_CONSTRAINT;	/* extended codes may be on */
}

/* ---------------------------------------------------------------- persons */

/* Apply one person row; -1 = rejected (im->why), 0 = unchanged, 1 = changed,
 * negative ERR_* = database failure (aborts the import). */
static int
person_row(struct importer *im, struct err *e)
{
	sqlite3 *db = im->c->db;
	const char *atena = col(im, P_ATENA), *op = col(im, P_OP);
	const char *mn = col(im, P_MYNUMBER), *ward = col(im, P_WARD);
	char *old_body = NULL, *old_ward = NULL, *old_mn = NULL, *holder = NULL;
	struct wbuf w;
	int birth, dv, nd, changed = 0, r = 0;
	long sex;
	char mnbody[64];

	if (!digits(atena, 1, 15))
		return reject(im, "%s must be 1 to 15 digits", "atena");
	if (seen_before(db, atena))
		return reject(im, "%s appears twice in this file", "atena");
	if (strcmp(op, "delete") == 0) {
		old_ward = lookup(db, "SELECT ward FROM persons WHERE atena = ?", atena);
		if (old_ward == NULL)
			return 0;	/* already gone: nothing to do */
		const char *v[1] = { atena };
		if ((r = exec_bind(db, "DELETE FROM persons WHERE atena = ?", 1, v, e)) != 0 ||
		    (r = exec_bind(db, "DELETE FROM mynumbers WHERE atena = ?", 1, v, e)) != 0 ||
		    (r = exec_bind(db, "DELETE FROM eligibility WHERE atena = ?", 1, v, e)) != 0 ||
		    (r = exec_bind(db, "DELETE FROM changes WHERE (kind = 2 AND key = ?1)"
		    " OR (kind = 3 AND key LIKE ?1 || '/%')", 1, v, e)) != 0 ||
		    (r = central_change_put(db, CHG_PERSON, CHG_DELETE, atena, old_ward,
		    NULL, NULL, NULL, e)) != 0) {
			free(old_ward);
			return r;
		}
		free(old_ward);
		return 1;
	}
	if (op[0] != '\0' && strcmp(op, "upsert") != 0)
		return reject(im, "%s must be empty, upsert or delete", "op");
	if (text_col(im, P_NAME, "name", 127, 1) || text_col(im, P_KANA, "kana", 127, 1) ||
	    text_col(im, P_ALIAS, "alias", 127, 0) ||
	    text_col(im, P_ALIAS_KANA, "alias_kana", 127, 0) ||
	    text_col(im, P_ALPHA, "alpha", 127, 0) ||
	    text_col(im, P_ADDRESS, "address", 255, 1) ||
	    text_col(im, P_RELATION, "relation", 31, 0) ||
	    text_col(im, P_HEAD, "head", 127, 0))
		return -1;
	if (date_col(im, P_BIRTH, "birth", 0, &birth) != 0)
		return -1;
	if (int_col(im, P_SEX, "sex (ISO 5218: 0, 1, 2 or 9)", 0, 9, &sex) != 0 ||
	    (sex != 0 && sex != 1 && sex != 2 && sex != 9))
		return reject(im, "%s", "sex must be 0, 1, 2 or 9 (ISO 5218)");
	if (!code_ok(ward, 7))
		return reject(im, "%s must be a code of 1 to 7 letters or digits", "ward");
	if (col(im, P_HOUSEHOLD)[0] != '\0' && !digits(col(im, P_HOUSEHOLD), 1, 15))
		return reject(im, "%s must be 1 to 15 digits", "household");
	if (col(im, P_POSTAL)[0] != '\0' && !postal_ok(col(im, P_POSTAL)))
		return reject(im, "%s must look like 123-4567", "postal");
	if (flag_col(im, P_DV, "dv", &dv) != 0 ||
	    flag_col(im, P_NONDISCLOSE, "nondisclose", &nd) != 0)
		return -1;
	if (mn[0] != '\0') {
		/* ID-4: the check digit; the number is never in the report. */
		if (mynumber_validate(mn, strlen(mn), NULL) != 0)
			return reject(im, "%s is not a valid 個人番号 (check digit)", "mynumber");
		holder = lookup(db, "SELECT atena FROM mynumbers WHERE number = ?", mn);
		if (holder != NULL && strcmp(holder, atena) != 0) {
			free(holder);
			return reject(im, "%s is already held by another person", "mynumber");
		}
		free(holder);
	}
	wbuf_init(&w, 8192);
	wbuf_put_u8(&w, '{');
	jstr(&w, "atena", atena, 1);
	jstr(&w, "name", col(im, P_NAME), 0);
	jstr(&w, "kana", col(im, P_KANA), 0);
	jstr(&w, "alias", col(im, P_ALIAS), 0);
	jstr(&w, "alias_kana", col(im, P_ALIAS_KANA), 0);
	jstr(&w, "alpha", col(im, P_ALPHA), 0);
	jint(&w, "birth", birth);
	jint(&w, "sex", sex);
	jstr(&w, "postal", col(im, P_POSTAL), 0);
	jstr(&w, "address", col(im, P_ADDRESS), 0);
	jstr(&w, "household", col(im, P_HOUSEHOLD), 0);
	jstr(&w, "relation", col(im, P_RELATION), 0);
	jstr(&w, "head", col(im, P_HEAD), 0);
	jstr(&w, "ward", ward, 0);
	jint(&w, "dv", dv);
	jint(&w, "nondisclose", nd);
	wbuf_put_u8(&w, '}');
	wbuf_str(&w);
	old_body = lookup(db, "SELECT body FROM persons WHERE atena = ?", atena);
	old_ward = lookup(db, "SELECT ward FROM persons WHERE atena = ?", atena);
	if (old_body == NULL || strcmp(old_body, (char *)w.p) != 0) {
		const char *v[3] = { atena, ward, (char *)w.p };

		changed = 1;
		if ((r = exec_bind(db, "INSERT OR REPLACE INTO persons (atena, ward, body)"
		    " VALUES (?, ?, ?)", 3, v, e)) != 0 ||
		    (r = central_change_put(db, CHG_PERSON, CHG_UPSERT, atena, ward,
		    NULL, NULL, (char *)w.p, e)) != 0)
			goto out;
		/* Moved to another ward: the old ward's terminals drop the person
		 * (and with it the number and certificates), the new ward's get
		 * the number and certificates again. */
		if (old_ward != NULL && strcmp(old_ward, ward) != 0) {
			sqlite3_stmt *st;
			const char *v1[1] = { atena };

			if ((r = central_change_put(db, CHG_PERSON, CHG_DELETE, atena,
			    old_ward, NULL, NULL, NULL, e)) != 0 ||
			    (r = exec_bind(db, "DELETE FROM changes WHERE kind IN (2, 3)"
			    " AND (key = ?1 OR key LIKE ?1 || '/%')", 1, v1, e)) != 0 ||
			    (r = central_prepare(db, "SELECT key, procedure, body FROM"
			    " eligibility WHERE atena = ?", &st, e)) != 0)
				goto out;
			sqlite3_bind_text(st, 1, atena, -1, SQLITE_STATIC);
			while (r == 0 && sqlite3_step(st) == SQLITE_ROW)
				r = central_change_put(db, CHG_ELIGIBILITY, CHG_UPSERT,
				    (const char *)sqlite3_column_text(st, 0), ward,
				    (const char *)sqlite3_column_text(st, 1), NULL,
				    (const char *)sqlite3_column_text(st, 2), e);
			sqlite3_finalize(st);
			if (r != 0)
				goto out;
			old_mn = lookup(db, "SELECT number FROM mynumbers WHERE atena = ?", atena);
			if (old_mn != NULL && mn[0] == '\0') {
				snprintf(mnbody, sizeof(mnbody), "{\"mynumber\":\"%s\"}", old_mn);
				r = central_change_put(db, CHG_MYNUMBER, CHG_UPSERT, atena,
				    ward, NULL, NULL, mnbody, e);
				wipe_str(mnbody);
				if (r != 0)
					goto out;
			}
		}
	}
	if (mn[0] != '\0') {
		free(old_mn);
		old_mn = lookup(db, "SELECT number FROM mynumbers WHERE atena = ?", atena);
		if (old_mn == NULL || strcmp(old_mn, mn) != 0 ||
		    (old_ward != NULL && strcmp(old_ward, ward) != 0)) {
			const char *v[2] = { atena, mn };

			changed = 1;
			snprintf(mnbody, sizeof(mnbody), "{\"mynumber\":\"%s\"}", mn);
			r = exec_bind(db, "INSERT OR REPLACE INTO mynumbers (atena, number)"
			    " VALUES (?, ?)", 2, v, e);
			if (r == 0)
				r = central_change_put(db, CHG_MYNUMBER, CHG_UPSERT, atena,
				    ward, NULL, NULL, mnbody, e);
			wipe_str(mnbody);
		}
	}
out:
	if (old_mn != NULL)
		wipe_str(old_mn);
	free(old_mn);
	free(old_body);
	free(old_ward);
	wbuf_free(&w);
	return r != 0 ? r : changed;
}

/* ------------------------------------------------------------ eligibility */

static int
elig_row(struct importer *im, struct err *e)
{
	sqlite3 *db = im->c->db;
	const char *atena = col(im, E_ATENA), *proc = col(im, E_PROCEDURE);
	const char *rno = col(im, E_RECIPIENT), *op = col(im, E_OP);
	char key[256], *old = NULL, *ward = NULL;
	struct wbuf w;
	int from, to, issued, returned, r = 0;
	long rate, limit;

	if (!digits(atena, 1, 15))
		return reject(im, "%s must be 1 to 15 digits", "atena");
	if (!code_ok(proc, 63))
		return reject(im, "%s must be a code of letters, digits, - and _", "procedure");
	if (!code_ok(rno, 31))
		return reject(im, "%s must be 1 to 31 letters or digits", "recipient_no");
	snprintf(key, sizeof(key), "%s/%s/%s", atena, proc, rno);
	if (seen_before(db, key))
		return reject(im, "%s appears twice in this file", "record");
	if ((ward = lookup(db, "SELECT ward FROM persons WHERE atena = ?", atena)) == NULL)
		return reject(im, "%s is not a known person", "atena");
	if (strcmp(op, "delete") == 0) {
		const char *v[1] = { key };

		free(ward);
		if ((old = lookup(db, "SELECT body FROM eligibility WHERE key = ?", key)) == NULL)
			return 0;
		free(old);
		if ((r = exec_bind(db, "DELETE FROM eligibility WHERE key = ?", 1, v, e)) != 0)
			return r;
		ward = lookup(db, "SELECT ward FROM persons WHERE atena = ?", atena);
		r = central_change_put(db, CHG_ELIGIBILITY, CHG_DELETE, key, ward,
		    proc, NULL, NULL, e);
		free(ward);
		return r != 0 ? r : 1;
	}
	if (op[0] != '\0' && strcmp(op, "upsert") != 0) {
		free(ward);
		return reject(im, "%s must be empty, upsert or delete", "op");
	}
	if (text_col(im, E_CATEGORY, "category", 63, 0) ||
	    text_col(im, E_NOTE, "burden_note", 127, 0) ||
	    text_col(im, E_REASON, "reason", 127, 0) ||
	    date_col(im, E_FROM, "valid_from", 0, &from) ||
	    date_col(im, E_TO, "valid_to", 1, &to) ||
	    date_col(im, E_ISSUED, "issued", 1, &issued) ||
	    date_col(im, E_RETURNED, "returned", 1, &returned) ||
	    int_col(im, E_RATE, "burden_rate", 0, 100, &rate) ||
	    int_col(im, E_LIMIT, "burden_limit", 0, 10000000, &limit)) {
		free(ward);
		return -1;
	}
	if (to != 0 && to < from) {
		free(ward);
		return reject(im, "%s is before valid_from", "valid_to");
	}
	wbuf_init(&w, 4096);
	wbuf_put_u8(&w, '{');
	jstr(&w, "atena", atena, 1);
	jstr(&w, "procedure", proc, 0);
	jstr(&w, "recipient_no", rno, 0);
	jstr(&w, "category", col(im, E_CATEGORY), 0);
	jint(&w, "valid_from", from);
	jint(&w, "valid_to", to);
	jint(&w, "issued", issued);
	jint(&w, "returned", returned);
	jint(&w, "burden_rate", rate);
	jint(&w, "burden_limit", limit);
	jstr(&w, "burden_note", col(im, E_NOTE), 0);
	jstr(&w, "reason", col(im, E_REASON), 0);
	wbuf_put_u8(&w, '}');
	wbuf_str(&w);
	old = lookup(db, "SELECT body FROM eligibility WHERE key = ?", key);
	if (old == NULL || strcmp(old, (char *)w.p) != 0) {
		const char *v[4] = { key, atena, proc, (char *)w.p };

		if ((r = exec_bind(db, "INSERT OR REPLACE INTO eligibility (key, atena,"
		    " procedure, body) VALUES (?, ?, ?, ?)", 4, v, e)) == 0)
			r = central_change_put(db, CHG_ELIGIBILITY, CHG_UPSERT, key,
			    ward, proc, NULL, (char *)w.p, e);
		if (r == 0)
			r = 1;
	}
	free(old);
	free(ward);
	wbuf_free(&w);
	return r;
}

/* -------------------------------------------------------------- decisions */

/* The one terminal that sent an application numbered rno under its own
 * ID (want "" = any): 0 and *out malloc'd, 1 none, 2 more than one. */
static int
decision_terminal(sqlite3 *db, const char *rno, const char *want, char **out)
{
	sqlite3_stmt *st;
	int n = 0;

	*out = NULL;
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT terminal FROM received WHERE"
	    " receipt_no = ?1 AND kind = 1 AND (?2 = '' OR terminal = ?2)", -1, &st,
	    NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_text(st, 1, rno, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, want, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (!central_receipt_of(t, rno))
			continue;
		if (n++ == 0)
			*out = strdup(t);
	}
	sqlite3_finalize(st);
	if (n == 1 && *out != NULL)
		return 0;
	free(*out);
	*out = NULL;
	return n == 0 ? 1 : 2;
}

static int
decision_row(struct importer *im, struct err *e)
{
	sqlite3 *db = im->c->db;
	const char *rno = col(im, D_RECEIPT), *status = col(im, D_STATUS);
	char *terminal, *old, at[16];
	struct wbuf w;
	int ymd, r = 0;
	struct date d;

	if (strcmp(status, "決定") == 0)
		status = "decided";
	else if (strcmp(status, "却下") == 0)
		status = "rejected";
	else if (strcmp(status, "交付") == 0)
		status = "issued";
	if (strcmp(status, "decided") != 0 && strcmp(status, "rejected") != 0 &&
	    strcmp(status, "issued") != 0)
		return reject(im, "%s must be decided, rejected or issued (決定/却下/交付)",
		    "status");
	if (text_col(im, D_RECEIPT, "receipt_no", 31, 1) ||
	    text_col(im, D_NOTE, "note", 255, 0) ||
	    date_col(im, D_AT, "decided_at", 0, &ymd))
		return -1;
	if (text_col(im, D_TERMINAL, "terminal", 16, 0))
		return -1;
	{
		char key[64];

		snprintf(key, sizeof(key), "%s|%s", col(im, D_TERMINAL), rno);
		if (seen_before(db, key))
			return reject(im, "%s appears twice in this file", "receipt_no");
	}
	/* Issue 15 B: a decision goes to the terminal whose receipt number it
	 * is (its ID is the number's prefix, checked at every push), never to
	 * whichever terminal pushed the number first. */
	if ((r = decision_terminal(db, rno, col(im, D_TERMINAL), &terminal)) != 0)
		return reject(im, "%s", r == 2 ? "receipt_no matches applications of more"
		    " than one terminal: give the terminal column" :
		    "receipt_no is not a received application");
	date_from_ymd(ymd, &d);
	date_format_iso(&d, at, sizeof(at));
	wbuf_init(&w, 2048);
	wbuf_put_u8(&w, '{');
	jstr(&w, "receipt_no", rno, 1);
	jstr(&w, "status", status, 0);
	jstr(&w, "decided_at", at, 0);
	jstr(&w, "note", col(im, D_NOTE), 0);
	wbuf_put_u8(&w, '}');
	wbuf_str(&w);
	{
		char k2[64];

		snprintf(k2, sizeof(k2), "%s|%s", terminal, rno);
		old = lookup(db, "SELECT status || '|' || decided_at || '|' || note FROM"
		    " decisions WHERE terminal || '|' || receipt_no = ?", k2);
	}
	{
		char cur[600];

		snprintf(cur, sizeof(cur), "%s|%s|%s", status, at, col(im, D_NOTE));
		if (old == NULL || strcmp(old, cur) != 0) {
			const char *v[5] = { terminal, rno, status, at, col(im, D_NOTE) };

			if ((r = exec_bind(db, "INSERT OR REPLACE INTO decisions (terminal,"
			    " receipt_no, status, decided_at, note) VALUES (?, ?, ?, ?, ?)",
			    5, v, e)) == 0)
				r = central_change_put(db, CHG_DECISION, CHG_UPSERT, rno,
				    NULL, NULL, terminal, (char *)w.p, e);
			if (r == 0)
				r = 1;
		}
	}
	free(old);
	free(terminal);
	wbuf_free(&w);
	return r;
}

/* --------------------------------------------------------------- accounts */

/* "proc:level;proc:level" with level none, read or write (AC-6). */
static int
perms_ok(const char *s)
{
	char buf[1100], *save = NULL, *tok;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ";", &save); tok != NULL; tok = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(tok, ':');

		if (colon == NULL || ++n > 32)
			return 0;
		*colon = '\0';
		if (!code_ok(tok, 63) || (strcmp(colon + 1, "none") != 0 &&
		    strcmp(colon + 1, "read") != 0 && strcmp(colon + 1, "write") != 0))
			return 0;
	}
	return 1;
}

int
central_account_name_ok(const char *name)
{
	return code_ok(name, 63);
}

static int
account_row(struct importer *im, struct err *e)
{
	sqlite3 *db = im->c->db;
	const char *name = col(im, A_NAME), *role = col(im, A_ROLE);
	char *old;
	struct wbuf w;
	int until, view, search, exp, dis, r = 0;

	if (!code_ok(name, 63))
		return reject(im, "%s must be 1 to 63 letters, digits, - or _", "name");
	if (seen_before(db, name))
		return reject(im, "%s appears twice in this file", "name");
	if (strcmp(role, "clerk") != 0 && strcmp(role, "reviewer") != 0 &&
	    strcmp(role, "admin") != 0)
		return reject(im, "%s must be clerk, reviewer or admin", "role");
	if (!perms_ok(col(im, A_PERMS)))
		return reject(im, "%s must be procedure:none|read|write;...", "perms");
	if (text_col(im, A_DISPLAY, "display", 127, 1) ||
	    date_col(im, A_UNTIL, "valid_until", 1, &until) ||
	    flag_col(im, A_VIEW, "view_mynumber", &view) ||
	    flag_col(im, A_SEARCH, "search_mynumber", &search) ||
	    flag_col(im, A_EXPORT, "export", &exp) ||
	    flag_col(im, A_DISABLED, "disabled", &dis))
		return -1;
	/* Issue 14: the rules of every path.  `madoguchi-central user` (the
	 * one-row import named "user") checked them against the command
	 * line already, the end date of an unchanged account included; an
	 * imported row needs its request reference, an individual name
	 * (unless it revokes) and an end date no later than the end of the
	 * next fiscal year (the end of this one when empty). */
	if (strcmp(im->name, "user") != 0) {
		struct account_rule_args ra = { dis ? NULL : name,
			dis ? NULL : col(im, A_DISPLAY), col(im, A_REQUEST),
			&until, NULL, 1 };
		struct err re;

		err_clear(&re);
		if (account_rules_check(&ra, &re) != 0) {
			snprintf(im->why, sizeof(im->why), "%s", re.msg);
			return -1;
		}
	}
	wbuf_init(&w, 4096);
	wbuf_put_u8(&w, '{');
	jstr(&w, "name", name, 1);
	jstr(&w, "display", col(im, A_DISPLAY), 0);
	jstr(&w, "role", role, 0);
	jstr(&w, "perms", col(im, A_PERMS), 0);
	jint(&w, "view_mynumber", view);
	jint(&w, "search_mynumber", search);
	jint(&w, "export", exp);
	jint(&w, "valid_until", until);
	jint(&w, "disabled", dis);
	wbuf_put_u8(&w, '}');
	wbuf_str(&w);
	old = lookup(db, "SELECT body FROM changes WHERE kind = 4 AND key = ?", name);
	if (old == NULL || strcmp(old, (char *)w.p) != 0) {
		/* The feed row is the master copy of an account. */
		r = central_change_put(db, CHG_ACCOUNT, CHG_UPSERT, name, NULL, NULL,
		    NULL, (char *)w.p, e);
		/* AC-2: every imported change kept with its request (the user
		 * commands log their own row with their action) */
		if (r == 0 && strcmp(im->name, "user") != 0)
			r = central_account_log(db, im->c != NULL ? im->c->actor : NULL, name,
			    "import", col(im, A_REQUEST),
			    (char *)w.p, e);
		if (r == 0)
			r = 1;
	}
	free(old);
	wbuf_free(&w);
	return r;
}

/* ------------------------------------------------------------------ driver */

/* Issue 15 B, output: no field of any import may hold a control character
 * (C0, DEL, C1, bidi overrides and isolates: core text.c); it would reach
 * the terminals' screens, CSV files and logs.  Private-use characters
 * (外字) are not controls and pass.  1 = rejected (im->why). */
static int
row_controls(struct importer *im, const struct col *cols)
{
	size_t i, k;
	uint32_t cp;

	for (i = 0; i < im->nf; i++) {
		if (text_find_control(im->f[i], strlen(im->f[i]), &cp) < 0)
			continue;
		for (k = 0; cols[k].name != NULL; k++)
			if (im->idx[k] == (int)i)
				break;
		snprintf(im->why, sizeof(im->why), "%s holds the control character"
		    " U+%04X", cols[k].name != NULL ? cols[k].name : "a column",
		    (unsigned)(cp & 0x7fffffff));
		return 1;
	}
	return 0;
}

/* own_tx: begin and commit (or roll back) here; else the caller's
 * transaction holds the rows and the caller rolls back on error. */
static int
import_run(struct central *c, enum import_kind kind, const char *name,
    const char *text, size_t n, FILE *rep_out, struct import_report *r,
    int own_tx, struct err *e)
{
	const struct col *cols = kind == IMPORT_PERSONS ? person_cols :
	    kind == IMPORT_ELIGIBILITY ? elig_cols :
	    kind == IMPORT_ACCOUNTS ? account_cols : decision_cols;
	struct importer im;
	struct csv *csv;
	int rc, got;

	memset(r, 0, sizeof(*r));
	memset(&im, 0, sizeof(im));
	im.c = c;
	im.name = name;
	im.rep = rep_out;
	im.r = r;
	if ((csv = csv_new(text, n)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((got = csv_next(csv, &im.f, &im.nf, &im.line, e)) <= 0) {
		csv_free(csv);
		if (got == 0)
			return err_set(e, ERR_FORMAT, "%s: empty file (no header)", name);
		return err_prefix(e, "%s: ", name);
	}
	if ((rc = header_map(&im, cols, e)) != 0) {
		csv_free(csv);
		return rc;
	}
	if ((rc = central_sql(c->db, "CREATE TEMP TABLE IF NOT EXISTS import_seen"
	    " (k TEXT PRIMARY KEY); DELETE FROM temp.import_seen;", e)) != 0 ||
	    (own_tx && (rc = central_sql(c->db, "BEGIN IMMEDIATE", e)) != 0)) {
		csv_free(csv);
		return rc;
	}
	for (;;) {
		got = csv_next(csv, &im.f, &im.nf, &im.line, e);
		if (got == 0)
			break;
		if (got < 0) {
			/* The file itself is broken past this point: nothing of it
			 * is applied, rather than an unknown part. */
			rc = err_prefix(e, "%s: ", name);
			break;
		}
		r->rows++;
		im.why[0] = '\0';
		{
			size_t k, ncols = 0;

			for (k = 0; cols[k].name != NULL; k++)
				if (im.idx[k] >= 0)
					ncols++;
			if (im.nf != ncols) {
				snprintf(im.why, sizeof(im.why),
				    "%zu fields, the header has %zu", im.nf, ncols);
				rc = -1;
			} else if (row_controls(&im, cols))
				rc = -1;
			else if (kind == IMPORT_PERSONS)
				rc = person_row(&im, e);
			else if (kind == IMPORT_ELIGIBILITY)
				rc = elig_row(&im, e);
			else if (kind == IMPORT_ACCOUNTS)
				rc = account_row(&im, e);
			else
				rc = decision_row(&im, e);
		}
		if (rc == -1) {
			r->rejected++;
			if (rep_out != NULL)
				fprintf(rep_out, "%s:%d: rejected: %s\n", name, im.line, im.why);
			rc = 0;
			continue;
		}
		if (rc < 0)
			break;
		r->accepted++;
		if (rc == 1)
			r->changed++;
		else
			r->unchanged++;
		rc = 0;
	}
	csv_free(csv);
	if (rc != 0) {
		if (own_tx)
			central_sql(c->db, "ROLLBACK", NULL);
		r->accepted = r->changed = r->unchanged = 0;
		return rc;
	}
	return own_tx ? central_sql(c->db, "COMMIT", e) : 0;
}

int
central_import_text(struct central *c, enum import_kind kind, const char *name,
    const char *text, size_t n, FILE *rep_out, struct import_report *r,
    struct err *e)
{
	return import_run(c, kind, name, text, n, rep_out, r, 1, e);
}

int
central_import_text_tx(struct central *c, enum import_kind kind,
    const char *name, const char *text, size_t n, FILE *rep_out,
    struct import_report *r, struct err *e)
{
	return import_run(c, kind, name, text, n, rep_out, r, 0, e);
}

int
central_import_file(struct central *c, enum import_kind kind, const char *path,
    FILE *rep_out, struct import_report *r, struct err *e)
{
	FILE *f;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	int rc;

	if ((f = fopen(path, "rb")) == NULL)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	setvbuf(f, NULL, _IONBF, 0);	/* no unwiped stdio copy of the rows */
	for (;;) {
		if (n == cap) {
			/* Grown by hand, not realloc: the rows are personal data
			 * (個人番号 included) and realloc would free the old block
			 * unwiped (STYLE: wipe on every path out). */
			size_t nc = cap ? cap * 2 : 1 << 20;
			char *t;

			if (cap >= (size_t)1 << 31 || (t = malloc(nc)) == NULL) {
				fclose(f);
				if (buf != NULL)
					mem_wipe(buf, cap);
				free(buf);
				return cap >= (size_t)1 << 31 ?
				    err_set(e, ERR_RANGE, "%s: file too large", path) :
				    err_set(e, ERR_NOMEM, "out of memory");
			}
			if (buf != NULL) {
				memcpy(t, buf, n);
				mem_wipe(buf, cap);
				free(buf);
			}
			buf = t;
			cap = nc;
		}
		if ((got = fread(buf + n, 1, cap - n, f)) == 0)
			break;
		n += got;
	}
	fclose(f);
	rc = central_import_text(c, kind, path, buf, n, rep_out, r, e);
	mem_wipe(buf, cap);
	free(buf);
	return rc;
}

int
central_import_persons(struct central *c, const char *path, FILE *rep_out,
    struct import_report *r, struct err *e)
{
	return central_import_file(c, IMPORT_PERSONS, path, rep_out, r, e);
}

int
central_import_eligibility(struct central *c, const char *path, FILE *rep_out,
    struct import_report *r, struct err *e)
{
	return central_import_file(c, IMPORT_ELIGIBILITY, path, rep_out, r, e);
}

int
central_import_decisions(struct central *c, const char *path, FILE *rep_out,
    struct import_report *r, struct err *e)
{
	return central_import_file(c, IMPORT_DECISIONS, path, rep_out, r, e);
}

int
central_import_accounts(struct central *c, const char *path, FILE *rep_out,
    struct import_report *r, struct err *e)
{
	return central_import_file(c, IMPORT_ACCOUNTS, path, rep_out, r, e);
}
