/*
 * purge.c — the local copy's lifecycle on a terminal (issue 13; RET-1,
 * RET-2, RET-3, DATA-1, NET-6).
 *
 * A terminal holds a copy of personal data only as long as its work needs
 * it.  Three things take it away:
 *
 *  - minimisation: an application that has left the terminal's hands for
 *    good (acknowledged by the central: nothing about it waits in the
 *    outbox; and forwarded, decided, rejected, issued or withdrawn, so no
 *    correction at the terminal can need it) keeps the 個人番号 masked only,
 *    in its body, agent, corrections and confirmation rows (DATA-1: the
 *    number then lives in the one table, sealed);
 *  - retention: each category is deleted a number of days after the event
 *    that starts its clock ([retention] in madoguchi.conf(5));
 *  - the deletion cascade: a person deleted at the centre takes every row
 *    naming them off the terminal in the same transaction as the tombstone
 *    (applications with their history, identity checks, outbox rows,
 *    confirmation queue, inquiries), and audit rows naming them are
 *    redacted (audit.c keeps the chain verifiable).
 *
 * Every purge that removed something writes an audit row and a purge_log
 * row (RET-2): category, how, count, oldest and newest dates and the record
 * IDs (receipt numbers, UUIDs, row ids) — never content, never a 宛名番号.
 * secure_delete is on (db.c), so freed cells and pages are zeroed; after a
 * purge the WAL is checkpointed and truncated so no old frame keeps a copy.
 *
 * Dates: a record's clock day is the first 10 characters of its local
 * timestamp; it is purged when that day is before today - N days, so on
 * day D + N it is still there and on day D + N + 1 it is gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

/* Final statuses: the application can no longer be corrected here. */
#define FINAL_SQL "status IN ('forwarded','decided','rejected','issued','withdrawn')"
/* Nothing about the row with uuid X waits in the outbox (the central has
 * acknowledged it): neither an item of that UUID nor one whose JSON
 * payload names it (status items, identity checks). */
#define NOT_PENDING_SQL(X) \
	" NOT EXISTS (SELECT 1 FROM outbox o WHERE o.uuid = " X " OR" \
	" (json_valid(CAST(o.payload AS TEXT)) AND" \
	" json_extract(CAST(o.payload AS TEXT), '$.uuid') = " X "))"

/* ------------------------------------------------------------ masking */

static int
is_sep(char c)
{
	return c == ' ' || c == '-';
}

/*
 * Replace every valid 個人番号 in s (12 ASCII digits, optionally grouped
 * with single spaces or hyphens, not part of a longer digit run) by its
 * masked form.  Returns a malloc'd string (NULL on no memory) and the
 * number of replacements.
 */
static char *
mask_numbers(const char *s, int *count)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(n * 2 + 16);

	*count = 0;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		if (s[i] >= '0' && s[i] <= '9' && (i == 0 || !(s[i - 1] >= '0' &&
		    s[i - 1] <= '9'))) {
			char digits[MYNUMBER_LEN + 1];
			size_t j = i, nd = 0;

			while (j < n && nd <= MYNUMBER_LEN) {
				if (s[j] >= '0' && s[j] <= '9') {
					if (nd < MYNUMBER_LEN)
						digits[nd] = s[j];
					nd++;
					j++;
				} else if (is_sep(s[j]) && j + 1 < n && s[j + 1] >= '0' &&
				    s[j + 1] <= '9' && nd > 0 && nd < MYNUMBER_LEN) {
					j++;
				} else {
					break;
				}
			}
			if (nd == MYNUMBER_LEN &&
			    mynumber_validate(digits, MYNUMBER_LEN, NULL) == 0) {
				char m[MYNUMBER_MASKED_LEN];

				mynumber_mask(digits, MYNUMBER_LEN, m);
				memcpy(out + o, m, strlen(m));
				o += strlen(m);
				(*count)++;
				i = j;
				mem_wipe(digits, sizeof(digits));
				continue;
			}
			mem_wipe(digits, sizeof(digits));
			/* Not a number: copy the digit run as it is. */
			while (i < n && s[i] >= '0' && s[i] <= '9')
				out[o++] = s[i++];
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	return out;
}

/* SQL function mdg_mask(text): the text with every 個人番号 masked. */
static void
sql_mask(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char *in;
	char *out;
	int cnt;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	in = sqlite3_value_text(argv[0]);
	if (in == NULL || (out = mask_numbers((const char *)in, &cnt)) == NULL) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	sqlite3_result_text(cx, out, -1, SQLITE_TRANSIENT);
	mem_wipe(out, strlen(out));
	free(out);
}

int
store_mask_mynumbers(const char *in, char **out, int *count)
{
	*out = mask_numbers(in, count);
	return *out == NULL ? ERR_NOMEM : 0;
}

/* ------------------------------------------------------------ helpers */

static void
cutoff_day(int days, char out[16])
{
	struct date d;

	date_today(&d);
	date_from_days(date_to_days(&d) - days, &d);
	snprintf(out, 16, "%04d-%02d-%02d", d.y % 10000, d.m % 100, d.d % 100);
}

/* Run SQL with up to two text parameters; *changes gets sqlite3_changes. */
static int
run(struct store *st, const char *sql, const char *p1, const char *p2,
    long *changes, struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	if ((r = sql_prepare(st->db, sql, &q, e)) != 0)
		return r;
	if (p1 != NULL && sqlite3_bind_parameter_count(q) >= 1)
		sql_bind_text(q, 1, p1);
	if (p2 != NULL && sqlite3_bind_parameter_count(q) >= 2)
		sql_bind_text(q, 2, p2);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		;
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "purge");
	if (changes != NULL)
		*changes = sqlite3_changes(st->db);
	return 0;
}

/*
 * What a selection holds: count, oldest and newest day, IDs (comma-joined,
 * the list cut with "+N" past the room of the audit row).  sql selects
 * (id, day) rows.
 */
static int
survey(struct store *st, const char *sql, const char *p1, const char *p2,
    struct purge_count *c, struct err *e)
{
	sqlite3_stmt *q;
	size_t o = strlen(c->ids);
	long more = 0;
	int r, rc;

	if ((r = sql_prepare(st->db, sql, &q, e)) != 0)
		return r;
	if (p1 != NULL && sqlite3_bind_parameter_count(q) >= 1)
		sql_bind_text(q, 1, p1);
	if (p2 != NULL && sqlite3_bind_parameter_count(q) >= 2)
		sql_bind_text(q, 2, p2);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char id[64], day[16] = "";

		sql_col_text(q, 0, id, sizeof(id));
		sql_col_text(q, 1, day, 11);	/* YYYY-MM-DD */
		c->count++;
		if (day[0] != '\0' && (c->oldest[0] == '\0' || strcmp(day, c->oldest) < 0))
			memcpy(c->oldest, day, sizeof(day));
		if (day[0] != '\0' && strcmp(day, c->newest) > 0)
			memcpy(c->newest, day, sizeof(day));
		if (o + strlen(id) + 2 < sizeof(c->ids) - 16) {
			o += (size_t)snprintf(c->ids + o, sizeof(c->ids) - o, "%s%s",
			    o > 0 ? "," : "", id);
		} else {
			more++;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "purge");
	if (more > 0)
		snprintf(c->ids + o, sizeof(c->ids) - o, ",+%ld", more + c->more);
	c->more += more;
	return 0;
}

static struct purge_count *
slot(struct purge_result *res, const char *category, const char *how)
{
	struct purge_count *c;

	for (size_t i = 0; i < res->n; i++)
		if (strcmp(res->c[i].category, category) == 0)
			return &res->c[i];
	if (res->n >= PURGE_CATEGORIES_MAX)
		return &res->c[PURGE_CATEGORIES_MAX - 1];
	c = &res->c[res->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->category, sizeof(c->category), "%s", category);
	snprintf(c->how, sizeof(c->how), "%s", how);
	return c;
}

/* RET-2: the audit row and the purge_log row of one category. */
static int
record(struct store *st, const char *who, const struct purge_count *c,
    const char *why, struct err *e)
{
	char detail[512], action[64], now[32];
	sqlite3_stmt *q;
	int r, rc;

	if (c->count == 0)
		return 0;
	snprintf(action, sizeof(action), "purge.%s", c->category);
	snprintf(detail, sizeof(detail), "how=%s why=%s count=%ld oldest=%s newest=%s ids=%s",
	    c->how, why, c->count, c->oldest[0] ? c->oldest : "-",
	    c->newest[0] ? c->newest : "-", c->ids);
	if ((r = store_audit_append(st, who, NULL, action, NULL, "purge", detail, e)) != 0)
		return r;
	store_now(now);
	if ((r = sql_prepare(st->db, "INSERT INTO purge_log (at, who, category, how,"
	    " count, oldest, newest, ids) VALUES (?,?,?,?,?,?,?,?)", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, now);
	sql_bind_text(q, 2, who != NULL ? who : st->user.name);
	sql_bind_text(q, 3, c->category);
	sql_bind_text(q, 4, c->how);
	sqlite3_bind_int64(q, 5, c->count);
	sql_bind_text(q, 6, c->oldest);
	sql_bind_text(q, 7, c->newest);
	sql_bind_text(q, 8, c->ids);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "purge_log");
	/* Reported to the central at the next sync (item kind "purge",
	 * protocol version 3; an older central leaves it waiting). */
	{
		struct wbuf w;
		const char *who_s = who != NULL ? who : st->user.name;
		const char *k[] = { "at", "who", "category", "how", "why", "oldest",
			"newest", "ids" };
		const char *v[] = { now, who_s, c->category, c->how, why, c->oldest,
			c->newest, c->ids };

		wbuf_init(&w, 4096);
		wbuf_printf(&w, "{\"count\":%ld", c->count);
		for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
			wbuf_printf(&w, ",\"%s\":", k[i]);
			json_put_str(&w, v[i], strlen(v[i]));
		}
		wbuf_printf(&w, "}");
		r = w.err ? err_set(e, ERR_RANGE, "purge record too large") :
		    store_outbox_add(st, NULL, "purge", w.p, w.len, NULL, e);
		wbuf_free(&w);
	}
	return r;
}

static int64_t
audit_pushed(struct store *st)
{
	char v[32];

	if (store_setting_get(st, "sync.audit_pushed", v, sizeof(v), NULL) != 0)
		return 0;
	return strtoll(v, NULL, 10);
}

/* ------------------------------------------------------ the categories */

/* Minimisation of applications that left the terminal's hands. */
static int
minimise(struct store *st, int dry, struct purge_result *res, struct err *e)
{
	struct purge_count *c = slot(res, "minimise", "masked");
	char now[32];
	int r;

	if ((r = survey(st, "SELECT receipt_no, updated_at FROM applications a"
	    " WHERE minimised_at = '' AND " FINAL_SQL " AND" NOT_PENDING_SQL("a.uuid")
	    " ORDER BY received_at", NULL, NULL, c, e)) != 0 || dry || c->count == 0)
		return r;
	store_now(now);
	if ((r = run(st, "UPDATE applications SET form_json = mdg_mask(form_json),"
	    " agent_json = mdg_mask(agent_json), minimised_at = ?1"
	    " WHERE minimised_at = '' AND " FINAL_SQL " AND" NOT_PENDING_SQL("applications.uuid"),
	    now, NULL, NULL, e)) != 0 ||
	    (r = run(st, "UPDATE application_corrections SET old_value ="
	    " mdg_mask(old_value), new_value = mdg_mask(new_value) WHERE uuid IN"
	    " (SELECT uuid FROM applications WHERE minimised_at = ?1)", now, NULL,
	    NULL, e)) != 0 ||
	    (r = run(st, "UPDATE application_confirm SET value = mdg_mask(value)"
	    " WHERE uuid IN (SELECT uuid FROM applications WHERE minimised_at = ?1)",
	    now, NULL, NULL, e)) != 0)
		return r;
	return 0;
}

/* Delete applications (with their history rows, which cascade) selected
 * by where (over applications a, parameters p1, p2). */
static int
delete_apps(struct store *st, const char *where, const char *p1, const char *p2,
    struct err *e)
{
	char sql[1024];
	int r;

	snprintf(sql, sizeof(sql), "DELETE FROM batch_items WHERE uuid IN"
	    " (SELECT uuid FROM applications a WHERE %s)", where);
	if ((r = run(st, sql, p1, p2, NULL, e)) != 0)
		return r;
	snprintf(sql, sizeof(sql), "DELETE FROM sync_rejects WHERE uuid IN"
	    " (SELECT uuid FROM applications a WHERE %s)", where);
	if ((r = run(st, sql, p1, p2, NULL, e)) != 0)
		return r;
	snprintf(sql, sizeof(sql), "DELETE FROM applications AS a WHERE %s", where);
	if ((r = run(st, sql, p1, p2, NULL, e)) != 0)
		return r;
	return run(st, "DELETE FROM batches WHERE NOT EXISTS (SELECT 1 FROM"
	    " batch_items i WHERE i.batch = batches.id)", NULL, NULL, NULL, e);
}

static int
purge_applications(struct store *st, int days, int dry, struct purge_result *res,
    struct err *e)
{
	static const char *const where = FINAL_SQL " AND"
	    NOT_PENDING_SQL("a.uuid") " AND substr(a.updated_at, 1, 10) < ?1";
	struct purge_count *c = slot(res, "applications", "deleted");
	char cut[16], sql[1024];
	int r;

	if (days <= 0)
		return 0;
	cutoff_day(days, cut);
	snprintf(sql, sizeof(sql), "SELECT receipt_no, updated_at FROM applications a"
	    " WHERE %s ORDER BY updated_at", where);
	if ((r = survey(st, sql, cut, NULL, c, e)) != 0 || dry || c->count == 0)
		return r;
	return delete_apps(st, where, cut, NULL, e);
}

static int
purge_idchecks(struct store *st, int days, int dry, struct purge_result *res,
    struct err *e)
{
	static const char *const where = "substr(i.at, 1, 10) < ?1 AND"
	    NOT_PENDING_SQL("i.uuid") " AND NOT EXISTS (SELECT 1 FROM applications a"
	    " WHERE a.idcheck = i.uuid)";
	struct purge_count *c = slot(res, "idchecks", "deleted");
	char cut[16], sql[1024];
	int r;

	if (days <= 0)
		return 0;
	cutoff_day(days, cut);
	snprintf(sql, sizeof(sql), "SELECT uuid, at FROM idchecks i WHERE %s ORDER BY at", where);
	if ((r = survey(st, sql, cut, NULL, c, e)) != 0 || dry || c->count == 0)
		return r;
	snprintf(sql, sizeof(sql), "DELETE FROM idcheck_verdicts WHERE uuid IN"
	    " (SELECT uuid FROM idchecks i WHERE %s)", where);
	if ((r = run(st, sql, cut, NULL, NULL, e)) != 0)
		return r;
	snprintf(sql, sizeof(sql), "DELETE FROM idchecks AS i WHERE %s", where);
	return run(st, sql, cut, NULL, NULL, e);
}

static int
purge_simple(struct store *st, const char *category, const char *table,
    const char *idcol, const char *daycol, const char *extra, int days, int dry,
    struct purge_result *res, struct err *e)
{
	struct purge_count *c = slot(res, category, "deleted");
	char cut[16], sql[512];
	int r;

	if (days <= 0)
		return 0;
	cutoff_day(days, cut);
	snprintf(sql, sizeof(sql), "SELECT %s, %s FROM %s WHERE substr(%s, 1, 10) < ?1%s"
	    " ORDER BY %s", idcol, daycol, table, daycol, extra, daycol);
	if ((r = survey(st, sql, cut, NULL, c, e)) != 0 || dry || c->count == 0)
		return r;
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE substr(%s, 1, 10) < ?1%s",
	    table, daycol, extra);
	return run(st, sql, cut, NULL, NULL, e);
}

/* Audit rows acknowledged by the central (pushed) and older than the
 * period go from the front of the chain; the base records where the kept
 * chain starts. */
static int
purge_audit(struct store *st, int days, int dry, struct purge_result *res,
    struct err *e)
{
	struct purge_count *c = slot(res, "audit", "deleted");
	int64_t pushed = audit_pushed(st), last = 0;
	char cut[16], sql[256], base[128], hex[65], lim[32];
	sqlite3_stmt *q;
	int r, rc;

	if (days <= 0 || pushed <= 0)
		return 0;
	cutoff_day(days, cut);
	/* The last row of the prefix that is old enough, and pushed. */
	snprintf(sql, sizeof(sql), "SELECT max(id) FROM audit WHERE id <= %lld AND"
	    " substr(at, 1, 10) < ?1 AND id < (SELECT coalesce(min(id), 1 << 62) FROM"
	    " audit WHERE substr(at, 1, 10) >= ?1)", (long long)pushed);
	if ((r = sql_prepare(st->db, sql, &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, cut);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		last = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "purge");
	if (last <= 0)
		return 0;
	snprintf(lim, sizeof(lim), "%lld", (long long)last);
	{
		/* IDs as a range: the rows are consecutive. */
		struct purge_count tmp;

		memset(&tmp, 0, sizeof(tmp));
		if ((r = survey(st, "SELECT id, at FROM audit WHERE id <= CAST(?1 AS INTEGER)"
		    " ORDER BY id", lim, NULL, &tmp, e)) != 0)
			return r;
		if (tmp.count == 0)
			return 0;
		c->count = tmp.count;
		memcpy(c->oldest, tmp.oldest, sizeof(c->oldest));
		memcpy(c->newest, tmp.newest, sizeof(c->newest));
		snprintf(c->ids, sizeof(c->ids), "%lld-%lld",
		    (long long)(last - tmp.count + 1), (long long)last);
	}
	if (dry)
		return 0;
	if ((r = sql_prepare(st->db, "SELECT hash FROM audit WHERE id = ?", &q, e)) != 0)
		return r;
	sqlite3_bind_int64(q, 1, last);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 32)
		hex_encode(sqlite3_column_blob(q, 0), 32, hex);
	else
		rc = SQLITE_ERROR;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return err_set(e, ERR_CORRUPT, "purge: audit row %lld has no hash", (long long)last);
	snprintf(base, sizeof(base), "%lld:%s", (long long)last + 1, hex);
	if ((r = store_setting_set(st, "audit.purging", "1", e)) != 0 ||
	    (r = run(st, "DELETE FROM audit WHERE id <= CAST(?1 AS INTEGER)", lim,
	    NULL, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM settings WHERE key = 'audit.purging'", NULL,
	    NULL, NULL, e)) != 0 ||
	    (r = store_setting_set(st, "audit.base", base, e)) != 0)
		return r;
	return 0;
}

/*
 * [retention] offline_max: a terminal that has not synchronised for that
 * many days (the clock of its last successful pull) drops the personal
 * data it pulled — residents with their numbers, eligibility and history,
 * the confirmation queue — and the applications and identity checks the
 * central already holds, keeping only what it has not pushed yet.  The
 * pull cursor goes too, so the next sync pulls everything again.  The next
 * login says so (setting purge.offline).
 */
static int
purge_offline(struct store *st, int days, int dry, struct purge_result *res,
    struct err *e)
{
	static const char *const app_where = "" NOT_PENDING_SQL("a.uuid");
	static const char *const ic_where = "NOT EXISTS (SELECT 1 FROM applications a"
	    " WHERE a.idcheck = i.uuid) AND" NOT_PENDING_SQL("i.uuid");
	struct purge_count *c;
	char cut[16], last[16] = "", now[32], sql[1024];
	sqlite3_stmt *q;
	int r;

	if (days <= 0)
		return 0;
	if ((r = sql_prepare(st->db, "SELECT at FROM sync_cursor WHERE id = 1", &q, e)) != 0)
		return r;
	if (sqlite3_step(q) == SQLITE_ROW)
		sql_col_text(q, 0, last, 11);
	sqlite3_finalize(q);
	cutoff_day(days, cut);
	if (last[0] == '\0' || strcmp(last, cut) >= 0)
		return 0;
	c = slot(res, "offline", "deleted");
	if ((r = survey(st, "SELECT atena, updated_at FROM persons", NULL, NULL, c, e)) != 0 ||
	    (r = survey(st, "SELECT receipt_no, received_at FROM applications a WHERE"
	    NOT_PENDING_SQL("a.uuid"), NULL, NULL, c, e)) != 0)
		return r;
	/* The IDs of residents are 宛名番号: not for the record. */
	snprintf(c->ids, sizeof(c->ids), "last-sync=%s", last);
	if (dry || c->count == 0)
		return 0;
	store_now(now);
	if ((r = delete_apps(st, app_where, NULL, NULL, e)) != 0)
		return r;
	snprintf(sql, sizeof(sql), "DELETE FROM idcheck_verdicts WHERE uuid IN"
	    " (SELECT uuid FROM idchecks i WHERE %s)", ic_where);
	if ((r = run(st, sql, NULL, NULL, NULL, e)) != 0)
		return r;
	snprintf(sql, sizeof(sql), "DELETE FROM idchecks AS i WHERE %s", ic_where);
	if ((r = run(st, sql, NULL, NULL, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM persons", NULL, NULL, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM person_history", NULL, NULL, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM sync_confirm", NULL, NULL, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM sync_cursor", NULL, NULL, NULL, e)) != 0 ||
	    (r = store_setting_set(st, "purge.offline", now, e)) != 0)
		return r;
	return 0;
}

/* ----------------------------------------------------------- redaction */

int
store_audit_redact(struct store *st, const char *atena, const char *why,
    long *count, struct err *e)
{
	char now[32], sql[512];
	long n = 0;
	int r;

	if (count != NULL)
		*count = 0;
	if (atena == NULL || *atena == '\0')
		return err_set(e, ERR_INVAL, "redact: no 宛名番号");
	store_now(now);
	/* Only rows the central has acknowledged: one not pushed yet must
	 * reach the central whole (its hash is checked there).  A sync round
	 * pushes before it pulls, so when a deletion is applied every row
	 * written before the round is pushed; rows naming the person written
	 * during the round itself stay unredacted (a known gap). */
	snprintf(sql, sizeof(sql), "UPDATE audit SET person = '', screen = '',"
	    " detail = '', redacted_at = ?2, redacted_why = '%s' WHERE"
	    " redacted_at = '' AND id <= %lld AND (person = ?1 OR instr(detail, ?1) > 0)",
	    strcmp(why, "deleted-at-centre") == 0 ? "deleted-at-centre" : "retention",
	    (long long)audit_pushed(st));
	if ((r = run(st, sql, atena, now, &n, e)) != 0)
		return r;
	if (count != NULL)
		*count = n;
	return 0;
}

/* ------------------------------------------------- the deletion cascade */

int
store_person_purge(struct store *st, const char *atena, const char *who,
    struct purge_result *res, struct err *e)
{
	static const char *const app_where = "a.atena = ?1";
	struct purge_count *c;
	long redacted = 0;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	c = slot(res, "person-deleted", "deleted");
	/* What goes, by record ID: applications (receipt numbers), identity
	 * checks and outbox items (UUIDs). */
	if ((r = survey(st, "SELECT receipt_no, received_at FROM applications a"
	    " WHERE a.atena = ?1", atena, NULL, c, e)) != 0 ||
	    (r = survey(st, "SELECT uuid, at FROM idchecks WHERE atena = ?1", atena,
	    NULL, c, e)) != 0 ||
	    (r = survey(st, "SELECT 'outbox:' || seq, created_at FROM outbox o WHERE"
	    " json_valid(CAST(o.payload AS TEXT)) AND (json_extract(CAST(o.payload AS TEXT),"
	    " '$.atena') = ?1 OR json_extract(CAST(o.payload AS TEXT), '$.uuid') IN"
	    " (SELECT uuid FROM applications WHERE atena = ?1))", atena, NULL, c, e)) != 0 ||
	    (r = survey(st, "SELECT 'inquiry:' || no, received_at FROM inquiries WHERE"
	    " atena = ?1", atena, NULL, c, e)) != 0 ||
	    (r = survey(st, "SELECT 'confirm:' || id, received_at FROM sync_confirm WHERE"
	    " atena = ?1", atena, NULL, c, e)) != 0)
		goto out;
	if ((r = run(st, "DELETE FROM outbox WHERE json_valid(CAST(payload AS TEXT)) AND"
	    " (json_extract(CAST(payload AS TEXT), '$.atena') = ?1 OR"
	    " json_extract(CAST(payload AS TEXT), '$.uuid') IN (SELECT uuid FROM"
	    " applications WHERE atena = ?1))", atena, NULL, NULL, e)) != 0 ||
	    (r = delete_apps(st, app_where, atena, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM idcheck_verdicts WHERE uuid IN (SELECT uuid FROM"
	    " idchecks WHERE atena = ?1)", atena, NULL, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM idchecks WHERE atena = ?1", atena, NULL, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM inquiries WHERE atena = ?1", atena, NULL, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM sync_confirm WHERE atena = ?1", atena, NULL, NULL, e)) != 0 ||
	    (r = run(st, "DELETE FROM person_history WHERE atena = ?1", atena, NULL, NULL, e)) != 0 ||
	    (r = store_audit_redact(st, atena, "deleted-at-centre", &redacted, e)) != 0)
		goto out;
	if (redacted > 0) {
		struct purge_count *a = slot(res, "audit-redacted", "redacted");

		a->count = redacted;
	}
	if ((r = record(st, who, c, "deleted-at-centre", e)) != 0)
		goto out;
	if (redacted > 0)
		r = record(st, who, slot(res, "audit-redacted", "redacted"),
		    "deleted-at-centre", e);
out:
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	return r;
}

/* ------------------------------------------------------------ the purge */

int
store_purge(struct store *st, const struct purge_policy *p, int dry_run,
    const char *who, struct purge_result *res, struct err *e)
{
	long gone = 0;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = store_clock_check(st, NULL, e)) != 0)
		return r;
	if (sqlite3_create_function(st->db, "mdg_mask", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_mask, NULL, NULL) != SQLITE_OK)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "purge");
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	if ((r = minimise(st, dry_run, res, e)) != 0 ||
	    (r = purge_applications(st, p->applications, dry_run, res, e)) != 0 ||
	    (r = purge_idchecks(st, p->idchecks, dry_run, res, e)) != 0 ||
	    (r = purge_simple(st, "inquiries", "inquiries", "'inquiry:' || no",
	    "responded_at", " AND responded_at <> ''", p->inquiries, dry_run, res, e)) != 0 ||
	    (r = purge_simple(st, "sync_log", "sync_log", "id", "started_at", "",
	    p->sync_log, dry_run, res, e)) != 0 ||
	    (r = purge_audit(st, p->audit, dry_run, res, e)) != 0 ||
	    (r = purge_offline(st, p->offline_max, dry_run, res, e)) != 0)
		goto out;
	if (!dry_run && (r = store_clock_mark(st, e)) != 0)
		goto out;
	if (!dry_run)
		for (size_t i = 0; i < res->n && r == 0; i++) {
			r = record(st, who, &res->c[i], "retention", e);
			gone += res->c[i].count;
		}
out:
	sql_tx_end(st->db, r == 0 && !dry_run, r == 0 ? e : NULL);
	if (r == 0 && gone > 0)
		store_wal_flush(st);
	return r;
}

void
store_wal_flush(struct store *st)
{
	/* Old frames of the WAL hold the purged pages as they were: copy
	 * what is committed into the database and truncate the WAL.  Another
	 * reader (the screens' background sync) can make this busy; the next
	 * purge tries again. */
	sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
}

int
store_scan_pages(struct store *st,
    int (*fn)(const uint8_t *pt, size_t n, uint32_t pgno, int wal, void *arg),
    void *arg, long *bad, struct err *e)
{
	char path[4200];
	int r;

	if ((r = store_path(st->dir, STORE_DB_FILE, path, sizeof(path), e)) != 0)
		return r;
	return store_vfs_pages(path, st->key, fn, arg, bad, e);
}

/* ------------------------------------------------- a clock set back */

#define CLOCK_KEY "clock.high_water"
/* Slack for an NTP step or two machines a little apart. */
#define CLOCK_SLACK 300

int
store_clock_check(struct store *st, int64_t *high_water, struct err *e)
{
	char v[32];
	int64_t hw = 0, now = mdg_now();

	if (store_setting_get(st, CLOCK_KEY, v, sizeof(v), NULL) == 0)
		hw = strtoll(v, NULL, 10);
	if (high_water != NULL)
		*high_water = hw;
	if (hw > 0 && now + CLOCK_SLACK < hw)
		return err_set_ja(e, ERR_STATE,
		    "端末の時計が戻っています。管理者が時刻を確認するまで使えません",
		    "the clock is %lld s behind the latest time this terminal has"
		    " seen (last sync, login or purge): refused until an administrator"
		    " confirms the time (madoguchi clock confirm)", (long long)(hw - now));
	return 0;
}

int
store_clock_mark(struct store *st, struct err *e)
{
	char v[32];
	int64_t hw = 0, now = mdg_now();

	if (store_setting_get(st, CLOCK_KEY, v, sizeof(v), NULL) == 0)
		hw = strtoll(v, NULL, 10);
	if (now <= hw)
		return 0;
	snprintf(v, sizeof(v), "%lld", (long long)now);
	return store_setting_set(st, CLOCK_KEY, v, e);
}

int
store_clock_confirm(struct store *st, struct err *e)
{
	char v[32], detail[128];
	int64_t hw = 0, now = mdg_now();
	int r;

	if (store_setting_get(st, CLOCK_KEY, v, sizeof(v), NULL) == 0)
		hw = strtoll(v, NULL, 10);
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	snprintf(v, sizeof(v), "%lld", (long long)now);
	snprintf(detail, sizeof(detail), "high_water=%lld now=%lld", (long long)hw,
	    (long long)now);
	if ((r = store_setting_set(st, CLOCK_KEY, v, e)) == 0)
		r = store_audit_append(st, NULL, NULL, "clock.confirm", NULL, "cli",
		    detail, e);
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	return r;
}
