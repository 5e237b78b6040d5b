/*
 * test_store_migrate.c — the store's schema comes from numbered migrations
 * applied at open (SPEC 4, issue 3), including the sync module's tables
 * (LOG-4 sync log and refused-items list, ID-6 confirmation queue), and a
 * store written by an older build upgrades without losing data.
 *
 * Older builds applied migrations 1..2 and let the sync code create its
 * three tables on first use; OLD_FIRST_USE_SQL below is that code's SQL,
 * verbatim, so the simulated old store has exactly the shape they left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core.h"
#include "harness.h"
#include "store.h"
#include "sync.h"

#define ADMIN_PW "Kx9#vTq2mWzr"
#define OLD_VERSION 2		/* the last migration before the sync tables */
#define PROPOSED "123456789018"	/* valid check digit, synthetic */

/* What migration 7 (issue 13, the local copy's lifecycle) added, taken off
 * the same way: the purge log, the minimised and redaction columns, and the
 * audit triggers as migration 1 made them. */
static const char UNDO_LIFE_SQL[] =
    "DROP TABLE purge_log;"
    "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
    "ALTER TABLE applications DROP COLUMN minimised_at;"
    "ALTER TABLE audit DROP COLUMN redacted_at;"
    "ALTER TABLE audit DROP COLUMN redacted_why;"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
    "  SELECT RAISE(ABORT, 'audit rows are append-only');"
    "END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
    "  SELECT RAISE(ABORT, 'audit rows are append-only');"
    "END;";

/* What the keys migration (issue 15) added, taken off again so that the
 * fake older store is what a build at OLD_VERSION wrote: the key tables, the
 * sealed columns, the 個人番号 table and the history trigger as migration 1
 * made them.  (A real store of such a build also has a format-1 key file,
 * which this build converts at each account's first login:
 * test_cross_version.sh; the schema steps are what is tested here.) */
static const char UNDO_KEYS_SQL[] =
    /* migration 9 (issue 19) too */
    "DROP TABLE ref_banks; DROP TABLE ref_branches; DROP TABLE ref_postal;"
    /* migration 8 (issue 14) */
    "DROP TABLE account_log;"
    "ALTER TABLE accounts DROP COLUMN password_changed_at;"
    "ALTER TABLE account_perms DROP COLUMN sensitive;"
    "DROP TABLE account_keys; DROP TABLE right_keys; DROP TABLE right_grants;"
    "DROP TABLE sealed_settings; DROP TABLE account_totp;"
    "DROP TRIGGER persons_keep;"
    "ALTER TABLE persons DROP COLUMN address_sealed;"
    "ALTER TABLE person_history DROP COLUMN address_sealed;"
    "DROP TABLE mynumbers;"
    "CREATE TABLE mynumbers ("
    "  atena TEXT PRIMARY KEY REFERENCES persons(atena) ON DELETE CASCADE,"
    "  mynumber TEXT NOT NULL UNIQUE,"
    "  updated_at TEXT NOT NULL,"
    "  updated_by TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TRIGGER persons_keep BEFORE UPDATE ON persons BEGIN"
    "  INSERT INTO person_history (atena, name, kana, alias, alias_kana,"
    "    alpha, birth, sex, postal, address, household, relation, head,"
    "    ward, dv, nondisclose, updated_at, updated_by, replaced_at)"
    "  VALUES (old.atena, old.name, old.kana, old.alias, old.alias_kana,"
    "    old.alpha, old.birth, old.sex, old.postal, old.address,"
    "    old.household, old.relation, old.head, old.ward, old.dv,"
    "    old.nondisclose, old.updated_at, old.updated_by, new.updated_at);"
    "END;";

static const char OLD_FIRST_USE_SQL[] =
	"CREATE TABLE IF NOT EXISTS sync_log ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" round_id TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT NOT NULL,"
	" source TEXT NOT NULL, destination TEXT NOT NULL, content TEXT NOT NULL,"
	" result TEXT NOT NULL, error TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE IF NOT EXISTS sync_confirm ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" atena TEXT NOT NULL, proposed TEXT NOT NULL, reason TEXT NOT NULL,"
	" received_at TEXT NOT NULL, resolved_at TEXT, resolved_by TEXT);"
	"CREATE TABLE IF NOT EXISTS sync_rejects ("
	" uuid TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL);";

static const char *const log_cols[] = { "id", "round_id", "started_at",
	"ended_at", "source", "destination", "content", "result", "error", NULL };
static const char *const confirm_cols[] = { "id", "atena", "proposed", "reason",
	"received_at", "resolved_at", "resolved_by", "queued_by", NULL };
static const char *const reject_cols[] = { "uuid", "reason", "at", NULL };

static int
sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	int v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		t_fail_at(__FILE__, __LINE__, "%s: %s", sql, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

static void
sql_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		t_fail_at(__FILE__, __LINE__, "%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

/* The table's columns, in order, must be exactly want[]. */
static void
check_columns(sqlite3 *db, const char *table, const char *const *want)
{
	char sql[128];
	sqlite3_stmt *q;
	size_t i = 0;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		t_fail_at(__FILE__, __LINE__, "%s: %s", sql, sqlite3_errmsg(db));
		return;
	}
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 1);

		if (want[i] == NULL) {
			t_fail_at(__FILE__, __LINE__, "%s: extra column %s", table, name);
			break;
		}
		if (strcmp(name, want[i]) != 0)
			t_fail_at(__FILE__, __LINE__, "%s column %zu: %s, want %s",
			    table, i, name, want[i]);
		i++;
	}
	sqlite3_finalize(q);
	if (want[i] != NULL)
		t_fail_at(__FILE__, __LINE__, "%s: %s", table,
		    i == 0 ? "missing table" : "missing columns");
}

static void
check_sync_tables(sqlite3 *db)
{
	check_columns(db, "sync_log", log_cols);
	check_columns(db, "sync_confirm", confirm_cols);
	check_columns(db, "sync_rejects", reject_cols);
}

/* SPEC 4: right after create+open, before any sync function has touched the
 * store, the sync tables exist with their columns and the store is at the
 * latest migration. */
TEST(migrate_fresh_store_has_sync_tables)
{
	struct err e;
	struct store *st = NULL;
	sqlite3 *db;

	REQUIRE(store_schema_version() > OLD_VERSION);
	REQUIRE_OK(store_create(t_path("s"), "admin01", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	db = store_db(st);
	CHECK_INT(sql_int(db, "PRAGMA user_version"), store_schema_version());
	check_sync_tables(db);
	/* Migration 1's sync_cursor and outbox are still there too. */
	CHECK_INT(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE type ="
	    " 'table' AND name IN ('outbox', 'sync_cursor')"), 2);
	store_close(st);
}

/* Turn a new store back into what an older build left: schema at
 * migration OLD_VERSION, the sync tables created by the old first-use SQL
 * (when with_tables), holding rows. */
static void
make_old_store(const char *dir, int with_tables)
{
	struct err e;
	struct store *st = NULL;
	sqlite3 *db;
	char sql[64];

	REQUIRE_OK(store_create(dir, "admin01", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(dir, "admin01", ADMIN_PW, &st, &e), &e);
	db = store_db(st);
	sql_ok(db, "DROP TABLE sync_log; DROP TABLE sync_confirm;"
	    " DROP TABLE sync_rejects;");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name"
	    " LIKE 'sync_%' AND name <> 'sync_cursor'"), 0);
	if (with_tables) {
		sql_ok(db, OLD_FIRST_USE_SQL);
		sql_ok(db, "INSERT INTO sync_log (round_id, started_at, ended_at,"
		    " source, destination, content, result, error) VALUES"
		    " ('round-old-1', '2026-11-01T09:00:00+0900',"
		    " '2026-11-01T09:00:02+0900', 'terminal T1', 'central:8443',"
		    " 'pushed 3', 'ok', '')");
		sql_ok(db, "INSERT INTO sync_confirm (atena, proposed, reason,"
		    " received_at) VALUES ('0000000042', '" PROPOSED "',"
		    " 'central change', '2026-11-01T09:00:01+0900')");
		sql_ok(db, "INSERT INTO sync_confirm (atena, proposed, reason,"
		    " received_at, resolved_at, resolved_by) VALUES ('0000000043',"
		    " '', 'cleared', '2026-11-01T09:00:01+0900',"
		    " '2026-11-01T10:00:00+0900', 'admin01')");
		sql_ok(db, "INSERT INTO sync_rejects (uuid, reason, at) VALUES"
		    " ('0b9f7c2e-1111-4222-8333-444455556666', 'unknown procedure',"
		    " '2026-11-01T09:00:02+0900')");
	}
	sql_ok(db, UNDO_LIFE_SQL);
	sql_ok(db, UNDO_KEYS_SQL);
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", OLD_VERSION);
	sql_ok(db, sql);
	store_close(st);
}

/* An older store that already has the first-use tables with data: the new
 * migration applies without error at open and every row survives, readable
 * through the sync API (LOG-4, ID-6). */
TEST(migrate_old_store_keeps_first_use_tables)
{
	struct err e;
	struct store *st = NULL;
	sqlite3 *db;
	struct sync_log_row *log = NULL;
	struct sync_confirm_row *cq = NULL;
	size_t n = 0;
	char why[256], masked[MYNUMBER_MASKED_LEN];

	make_old_store(t_path("old"), 1);
	REQUIRE_OK(store_open(t_path("old"), "admin01", ADMIN_PW, &st, &e), &e);
	db = store_db(st);
	CHECK_INT(sql_int(db, "PRAGMA user_version"), store_schema_version());
	check_sync_tables(db);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM sync_log"), 1);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM sync_confirm"), 2);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM sync_rejects"), 1);

	REQUIRE_OK(sync_log_list(st, 10, &log, &n, &e), &e);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(log[0].round_id, "round-old-1");
		CHECK_STR(log[0].result, "ok");
		CHECK_STR(log[0].destination, "central:8443");
	}
	free(log);
	REQUIRE_OK(sync_confirm_list(st, 10, &cq, &n, &e), &e);
	CHECK_INT(n, 1);	/* the resolved one is not open */
	if (n == 1) {
		CHECK_STR(cq[0].atena, "0000000042");
		mynumber_mask(PROPOSED, strlen(PROPOSED), masked);
		CHECK_STR(cq[0].proposed_masked, masked);
	}
	free(cq);
	CHECK_INT(sync_reject_reason(st, "0b9f7c2e-1111-4222-8333-444455556666",
	    why, sizeof(why)), 1);
	CHECK(strstr(why, "unknown procedure") != NULL);
	/* New rows keep numbering after the old ones (AUTOINCREMENT state kept). */
	sql_ok(db, "INSERT INTO sync_log (round_id, started_at, ended_at, source,"
	    " destination, content, result) VALUES ('round-new', 'a', 'b', 'c',"
	    " 'd', 'e', 'ok')");
	CHECK_INT(sql_int(db, "SELECT id FROM sync_log WHERE round_id ="
	    " 'round-new'"), 2);
	store_close(st);

	/* Reopening at the latest version changes nothing. */
	REQUIRE_OK(store_open(t_path("old"), "admin01", ADMIN_PW, &st, &e), &e);
	CHECK_INT(sql_int(store_db(st), "SELECT count(*) FROM sync_log"), 2);
	CHECK_INT(sql_int(store_db(st), "SELECT count(*) FROM sync_confirm"), 2);
	store_close(st);
}

/* An older store that never ran a sync (no first-use tables): the
 * migration creates them at open. */
TEST(migrate_old_store_without_sync_tables)
{
	struct err e;
	struct store *st = NULL;
	struct sync_log_row *log = NULL;
	size_t n = 1;

	make_old_store(t_path("old2"), 0);
	REQUIRE_OK(store_open(t_path("old2"), "admin01", ADMIN_PW, &st, &e), &e);
	CHECK_INT(sql_int(store_db(st), "PRAGMA user_version"),
	    store_schema_version());
	check_sync_tables(store_db(st));
	REQUIRE_OK(sync_log_list(st, 10, &log, &n, &e), &e);
	CHECK_INT(n, 0);
	free(log);
	store_close(st);
}

/* Migration 9 (issue 19): the reference-data tables, and the pull cursor
 * back to 0 once, because a central moved a version 2 terminal's cursor
 * past the reference data it did not send (NET-3). */
TEST(migrate_9_refdata_tables_and_cursor_reset)
{
	struct err e;
	struct store *st = NULL;
	sqlite3 *db;
	char cur[32];

	REQUIRE_OK(store_create(t_path("m9"), "admin01", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("m9"), "admin01", ADMIN_PW, &st, &e), &e);
	db = store_db(st);
	REQUIRE_OK(store_sync_cursor_set(st, "4242", &e), &e);
	sql_ok(db, "DROP TABLE ref_banks; DROP TABLE ref_branches;"
	    " DROP TABLE ref_postal; PRAGMA user_version=8");
	store_close(st);
	REQUIRE_OK(store_open(t_path("m9"), "admin01", ADMIN_PW, &st, &e), &e);
	db = store_db(st);
	CHECK_INT(sql_int(db, "PRAGMA user_version"), store_schema_version());
	CHECK_INT(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE type ="
	    " 'table' AND name IN ('ref_banks', 'ref_branches', 'ref_postal')"), 3);
	REQUIRE_OK(store_sync_cursor_get(st, cur, sizeof(cur), NULL, &e), &e);
	CHECK_STR(cur, "0");
	/* later opens keep the cursor */
	REQUIRE_OK(store_sync_cursor_set(st, "4243", &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(t_path("m9"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_sync_cursor_get(st, cur, sizeof(cur), NULL, &e), &e);
	CHECK_STR(cur, "4243");
	store_close(st);
}
