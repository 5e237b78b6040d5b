/*
 * outbox.c — what waits to be pushed to the central (SPEC 7), the pull
 * cursor, and the terminal's key/value settings.  An item leaves the
 * outbox only when the central acknowledges its UUID.
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

int
store_outbox_add(struct store *st, const char *uuid, const char *kind,
    const void *payload, size_t len, char out_uuid[37], struct err *e)
{
	char id[37], now[32];
	sqlite3_stmt *q;
	int r;

	if (kind == NULL || *kind == '\0' || strlen(kind) >= 32)
		return err_set(e, ERR_INVAL, "outbox: bad kind");
	if (len > 16 * 1024 * 1024)
		return err_set(e, ERR_RANGE, "outbox: payload too large");
	if (uuid == NULL || *uuid == '\0') {
		if ((r = uuid_v4(id)) != 0)
			return err_set(e, r, "uuid");
	} else {
		if (strlen(uuid) != 36)
			return err_set(e, ERR_INVAL, "outbox: bad uuid");
		memcpy(id, uuid, 37);
	}
	store_now(now);
	/* The UUID names the item: adding one that is still waiting does not
	 * queue it twice; the newer payload replaces the waiting one in its
	 * place (seq kept). */
	if ((r = sql_prepare(st->db, "INSERT INTO outbox (uuid, kind, payload, "
	    "created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(uuid) DO UPDATE SET "
	    "kind = ?2, payload = ?3", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, id);
	sql_bind_text(q, 2, kind);
	sqlite3_bind_blob(q, 3, len ? payload : "", (int)len, SQLITE_TRANSIENT);
	sql_bind_text(q, 4, now);
	if ((r = step_done(st->db, q, e, "outbox")) != 0)
		return r;
	if (out_uuid != NULL)
		memcpy(out_uuid, id, 37);
	return 0;
}

void
outbox_free(struct outbox_item *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		if (v[i].payload != NULL) {
			mem_wipe(v[i].payload, v[i].len);
			free(v[i].payload);
		}
	}
	free(v);
}

int
store_outbox_list(struct store *st, size_t limit, struct outbox_item **v,
    size_t *n, struct err *e)
{
	sqlite3_stmt *q;
	struct outbox_item *arr;
	size_t cnt = 0;
	int r, rc;

	*v = NULL;
	*n = 0;
	if (limit == 0 || limit > 10000)
		limit = 100;
	if ((arr = calloc(limit, sizeof(*arr))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = sql_prepare(st->db, "SELECT seq, uuid, kind, payload, created_at "
	    "FROM outbox ORDER BY seq LIMIT ?", &q, e)) != 0) {
		free(arr);
		return r;
	}
	sqlite3_bind_int64(q, 1, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct outbox_item *it = &arr[cnt];
		size_t len = (size_t)sqlite3_column_bytes(q, 3);

		it->seq = sqlite3_column_int64(q, 0);
		sql_col_text(q, 1, it->uuid, sizeof(it->uuid));
		sql_col_text(q, 2, it->kind, sizeof(it->kind));
		sql_col_text(q, 4, it->created_at, sizeof(it->created_at));
		if ((it->payload = malloc(len + 1)) == NULL) {
			sqlite3_finalize(q);
			outbox_free(arr, cnt);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		if (len > 0)
			memcpy(it->payload, sqlite3_column_blob(q, 3), len);
		it->payload[len] = '\0';
		it->len = len;
		cnt++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		outbox_free(arr, cnt);
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "outbox");
	}
	*v = arr;
	*n = cnt;
	return 0;
}

int
store_outbox_ack(struct store *st, const char *uuid, struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if ((r = sql_prepare(st->db, "DELETE FROM outbox WHERE uuid = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	if ((r = step_done(st->db, q, e, "outbox ack")) != 0)
		return r;
	if (sqlite3_changes(st->db) == 0)
		return err_set(e, ERR_NOTFOUND, "outbox: no item %s", uuid);
	return 0;
}

int
store_outbox_count(struct store *st, int64_t *n, struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	*n = 0;
	if ((r = sql_prepare(st->db, "SELECT count(*) FROM outbox", &q, e)) != 0)
		return r;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "outbox");
	return 0;
}

int
store_sync_cursor_get(struct store *st, char *buf, size_t cap, char at[32],
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	if (cap > 0)
		buf[0] = '\0';
	if (at != NULL)
		at[0] = '\0';
	if ((r = sql_prepare(st->db, "SELECT cursor, at FROM sync_cursor "
	    "WHERE id = 1", &q, e)) != 0)
		return r;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(q, 0) >= cap) {
			sqlite3_finalize(q);
			return err_set(e, ERR_RANGE, "sync cursor too long for buffer");
		}
		sql_col_text(q, 0, buf, cap);
		if (at != NULL)
			sql_col_text(q, 1, at, 32);
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no sync cursor yet");
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "cursor");
	return 0;
}

int
store_sync_cursor_set(struct store *st, const char *cursor, struct err *e)
{
	sqlite3_stmt *q;
	char now[32];
	int r;

	store_now(now);
	if ((r = sql_prepare(st->db, "INSERT INTO sync_cursor VALUES (1, ?1, ?2) "
	    "ON CONFLICT(id) DO UPDATE SET cursor = ?1, at = ?2", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, cursor);
	sql_bind_text(q, 2, now);
	return step_done(st->db, q, e, "cursor");
}

int
store_setting_get(struct store *st, const char *key, char *buf, size_t cap,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	if (cap > 0)
		buf[0] = '\0';
	if ((r = sql_prepare(st->db, "SELECT value FROM settings WHERE key = ?",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, key);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		sql_col_text(q, 0, buf, cap);
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "setting %s not set", key);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "setting");
	return 0;
}

int
store_setting_set(struct store *st, const char *key, const char *value,
    struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if (key == NULL || *key == '\0')
		return err_set(e, ERR_INVAL, "setting: empty key");
	if ((r = sql_prepare(st->db, "INSERT INTO settings VALUES (?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = ?2", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, key);
	sql_bind_text(q, 2, value);
	return step_done(st->db, q, e, "setting");
}
