/*
 * change.c — the pull feed of the central: one row per (kind, key, ward)
 * holding the latest change, with a sequence number that only grows.  A
 * terminal asks for everything after its cursor within its scope.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "central-int.h"

void
central_now(char out[32])
{
	time_t t = (time_t)mdg_now();
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

int
central_sql(sqlite3 *db, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, ERR_IO, "central db: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return ERR_IO;
	}
	return 0;
}

int
central_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct err *e)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
	return 0;
}

static void
bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int
central_change_put(sqlite3 *db, int kind, int op, const char *key,
    const char *ward, const char *procedure, const char *terminal,
    const char *body, struct err *e)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int r;

	if ((r = central_prepare(db, "DELETE FROM changes WHERE kind = ? AND key = ?"
	    " AND ifnull(ward, '') = ifnull(?, '')", &st, e)) != 0)
		return r;
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 3, ward);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
	if ((r = central_prepare(db, "INSERT INTO changes (kind, op, key, ward,"
	    " procedure, terminal, body, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    &st, e)) != 0)
		return r;
	central_now(now);
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_int(st, 2, op);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 4, ward);
	bind_text_or_null(st, 5, procedure);
	bind_text_or_null(st, 6, terminal);
	bind_text_or_null(st, 7, body);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
	return 0;
}

/* "" = everything; otherwise value must be one of the comma-separated list. */
static void
scope_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *list = (const char *)sqlite3_value_text(argv[0]);
	const char *v = (const char *)sqlite3_value_text(argv[1]);
	size_t vl;
	const char *p;

	(void)argc;
	if (list == NULL || list[0] == '\0' || v == NULL || v[0] == '\0') {
		sqlite3_result_int(ctx, 1);
		return;
	}
	vl = strlen(v);
	for (p = list; *p != '\0';) {
		size_t n = strcspn(p, ",");

		if (n == vl && memcmp(p, v, n) == 0) {
			sqlite3_result_int(ctx, 1);
			return;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	sqlite3_result_int(ctx, 0);
}

int
central_functions(sqlite3 *db, struct err *e)
{
	if (sqlite3_create_function(db, "mdg_in_scope", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, scope_fn, NULL, NULL) != SQLITE_OK)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
	return 0;
}

int
central_changes_page(sqlite3 *db, const char *terminal, const char *wards,
    const char *procedures, uint64_t cursor, uint32_t limit, struct msg *out,
    struct err *e)
{
	return central_changes_page_v(db, terminal, wards, procedures,
	    SYNC_PROTO_MAX, cursor, limit, out, e);
}

int
central_changes_page_v(sqlite3 *db, const char *terminal, const char *wards,
    const char *procedures, int proto, uint64_t cursor, uint32_t limit,
    struct msg *out, struct err *e)
{
	sqlite3_stmt *st = NULL;
	uint64_t last = cursor, max = cursor;
	uint32_t n = 0;
	size_t bytes = 0;
	int r, full = 0;

	if ((r = central_sql(db, "BEGIN", e)) != 0)
		return r;
	if ((r = central_prepare(db, "SELECT ifnull(max(seq), 0) FROM changes",
	    &st, e)) != 0)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		max = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if ((r = central_prepare(db, "SELECT seq, kind, op, key, body FROM changes"
	    " WHERE seq > ?1 AND mdg_in_scope(?2, ward)"
	    " AND mdg_in_scope(?3, procedure)"
	    " AND (terminal IS NULL OR terminal = ?4)"
	    " AND (kind < ?6 OR ?7)"
	    " ORDER BY seq LIMIT ?5", &st, e)) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)cursor);
	sqlite3_bind_text(st, 2, wards, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, procedures, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, terminal, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, (int)limit);
	sqlite3_bind_int(st, 6, CHG_BANK);
	sqlite3_bind_int(st, 7, sync_proto_has(proto, SYNC_SINCE_REFDATA));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(st, 4);
		int bl = sqlite3_column_bytes(st, 4);

		last = (uint64_t)sqlite3_column_int64(st, 0);
		if (msg_add_change(out, last, (uint8_t)sqlite3_column_int(st, 1),
		    (uint8_t)sqlite3_column_int(st, 2),
		    (const char *)sqlite3_column_text(st, 3), body,
		    body != NULL ? (size_t)bl : 0) != 0) {
			sqlite3_finalize(st);
			r = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		n++;
		/* Keep a page well inside SYNC_MSG_MAX whatever the bodies. */
		bytes += (size_t)bl + 128;
		if (bytes > SYNC_MSG_MAX / 2) {
			full = 1;
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		r = err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
		goto out;
	}
	r = 0;
	/* A full page may have more after it; a short page has seen all up to
	 * max (rows out of scope included), so the cursor jumps there. */
	if (n == limit)
		full = 1;
	out->more = (uint8_t)full;
	out->cursor = full ? last : max;
out:
	central_sql(db, r == 0 ? "COMMIT" : "ROLLBACK", NULL);
	return r;
}
