/*
 * test_store_cache.c — issue 18's store speed-ups keep their contracts:
 * the per-connection statement cache (store_stmt) hands a nested caller a
 * statement of its own, gives back reset statements with no bindings left,
 * and survives the close; [store] cache_mb sets the connection's page
 * cache and refuses values outside 2..4096.
 */
#include <string.h>

#include <sqlite3.h>

#include "harness.h"
#include "store.h"
#include "../../src/store/store-int.h"

#define PW "Kx9#mPq2vL"

static const char sql_one[] = "SELECT ?1";

TEST(stmt_cache_reuses_and_nests)
{
	struct store *st;
	struct err e;
	sqlite3_stmt *a, *b, *c;

	REQUIRE_OK(store_create(t_path("s"), "admin", PW, &e), &e);
	REQUIRE_OK(store_open(t_path("s"), "admin", PW, &st, &e), &e);
	REQUIRE_OK(store_stmt(st, sql_one, &a, &e), &e);
	sqlite3_bind_int(a, 1, 7);
	CHECK_INT(sqlite3_step(a), SQLITE_ROW);
	/* In use: a nested caller gets another statement. */
	REQUIRE_OK(store_stmt(st, sql_one, &b, &e), &e);
	CHECK(a != b);
	store_stmt_done(st, b);		/* not cached: finalized */
	store_stmt_done(st, a);		/* cached: reset, bindings cleared */
	REQUIRE_OK(store_stmt(st, sql_one, &c, &e), &e);
	CHECK(c == a);
	CHECK_INT(sqlite3_step(c), SQLITE_ROW);
	CHECK_INT(sqlite3_column_type(c, 0), SQLITE_NULL);	/* ?1 unbound */
	store_stmt_done(st, c);
	store_close(st);		/* finalizes the cached statement */
}

TEST(page_cache_setting)
{
	struct store *st;
	struct err e;
	sqlite3_stmt *q;
	int v = 0;

	REQUIRE_OK(store_create(t_path("s"), "admin", PW, &e), &e);
	REQUIRE_OK(store_open(t_path("s"), "admin", PW, &st, &e), &e);
	CHECK_OK(store_cache_set(st, 256, &e), &e);
	REQUIRE(sqlite3_prepare_v2(store_db(st), "PRAGMA cache_size", -1, &q,
	    NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	CHECK_INT(v, -256 * 1024);
	CHECK_INT(store_cache_set(st, 1, &e), ERR_RANGE);
	CHECK_INT(store_cache_set(st, 4097, &e), ERR_RANGE);
	store_close(st);
}
