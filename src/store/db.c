/*
 * db.c — opening encrypted (and, for comparisons, plain) SQLite databases
 * with the pragmas the store relies on, database keys in locked memory,
 * and the small SQL helpers the other store files share.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

uint8_t *
store_key_alloc(struct err *e)
{
	uint8_t *k;

	if (sodium_init() < 0) {
		err_set(e, ERR_CRYPTO, "libsodium initialisation failed");
		return NULL;
	}
	if ((k = sodium_malloc(STORE_KEY_LEN)) == NULL) {
		err_set(e, ERR_NOMEM, "sodium_malloc");
		return NULL;
	}
	sodium_memzero(k, STORE_KEY_LEN);
	return k;
}

uint8_t *
store_key_new(struct err *e)
{
	uint8_t *k = store_key_alloc(e);

	if (k != NULL)
		randombytes_buf(k, STORE_KEY_LEN);
	return k;
}

void
store_key_free(uint8_t *key)
{
	if (key != NULL)
		sodium_free(key);	/* wipes before unmapping */
}

int
sql_err(sqlite3 *db, int rc, struct err *e, const char *what)
{
	const char *m = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	if (rc == SQLITE_IOERR_DATA)
		return err_set_ja(e, ERR_CORRUPT,
		    "データベースの改ざんまたは破損を検出しました",
		    "%s: a database page failed authentication "
		    "(tampered with or damaged)", what);
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return err_set(e, ERR_CORRUPT, "%s: %s", what, m);
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return err_set(e, ERR_EXISTS, "%s: %s", what, m);
		return err_set(e, ERR_INVAL, "%s: %s", what, m);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(e, ERR_BUSY, "%s: %s", what, m);
	case SQLITE_NOMEM:
		return err_set(e, ERR_NOMEM, "%s: out of memory", what);
	case SQLITE_FULL:
		return err_set(e, ERR_IO, "%s: disk full", what);
	default:
		return err_set(e, ERR_IO, "%s: %s", what, m);
	}
}

int
sql_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct err *e)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);

	if (rc != SQLITE_OK) {
		*st = NULL;
		return sql_err(db, sqlite3_extended_errcode(db), e, "prepare");
	}
	return 0;
}

int
sql_exec(sqlite3 *db, const char *sql, struct err *e)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sql_err(db, sqlite3_extended_errcode(db), e, "exec");
	return 0;
}

int
sql_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_TRANSIENT);
}

void
sql_col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	size_t n = s ? (size_t)sqlite3_column_bytes(st, i) : 0;

	if (cap == 0)
		return;
	if (n >= cap) {
		n = cap - 1;
		/* Do not split a UTF-8 sequence. */
		while (n > 0 && (s[n] & 0xC0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(out, s, n);
	out[n] = '\0';
}

int
sql_tx_begin(sqlite3 *db, struct err *e)
{
	/* Outside a transaction BEGIN IMMEDIATE takes the write lock at once
	 * (no deadlock-prone upgrade); inside one, a savepoint nests. */
	if (sqlite3_get_autocommit(db))
		return sql_exec(db, "BEGIN IMMEDIATE", e);
	return sql_exec(db, "SAVEPOINT s", e);
}

int
sql_tx_end(sqlite3 *db, int ok, struct err *e)
{
	struct err e2;

	if (sqlite3_get_autocommit(db))
		return ok ? 0 : ERR_STATE;	/* already rolled back by SQLite */
	if (ok) {
		/* RELEASE of the outermost savepoint or COMMIT: which one
		 * depends on how we began; a savepoint named s exists only
		 * when nested, and then RELEASE s is right. */
		if (sqlite3_exec(db, "RELEASE s", NULL, NULL, NULL) == SQLITE_OK)
			return 0;
		return sql_exec(db, "COMMIT", e);
	}
	if (sqlite3_exec(db, "ROLLBACK TO s", NULL, NULL, NULL) == SQLITE_OK) {
		sqlite3_exec(db, "RELEASE s", NULL, NULL, NULL);
		return 0;
	}
	return sql_exec(db, "ROLLBACK", &e2);
}

void
store_now(char out[32])
{
	time_t t = (time_t)mdg_now();
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

int
store_today_ymd(void)
{
	struct date d;

	date_today(&d);
	return d.y * 10000 + d.m * 100 + d.d;
}

int
store_path(const char *dir, const char *name, char *out, size_t cap,
    struct err *e)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= cap)
		return err_set(e, ERR_RANGE, "path too long");
	return 0;
}

/* Percent-encode a file name for a "file:" URI. */
static int
uri_escape(const char *path, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-~", *p) != NULL;

		if (o + 4 >= cap)
			return ERR_RANGE;
		if (plain) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

static int
pragma_text(sqlite3 *db, const char *sql, char *out, size_t cap,
    struct err *e)
{
	sqlite3_stmt *st;
	int rc, r;

	if ((r = sql_prepare(db, sql, &st, e)) != 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sql_col_text(st, 0, out, cap);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		out[0] = '\0';
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return sql_err(db, sqlite3_extended_errcode(db), e, sql);
	return 0;
}

/*
 * What SQL on a store connection may not do, whatever its origin: ATTACH
 * another file (the only way SQL could name a file, and so a URI with
 * parameters for the VFS, or reach an unencrypted copy), load extensions,
 * or edit the schema or pages behind SQLite's back (DEFENSIVE); and
 * functions with side effects are not run from inside the schema (views,
 * triggers, indexes) of a file someone may have altered (trusted_schema
 * OFF).  The limit holds for VACUUM too, which attaches a transient
 * database: the store never runs it.
 */
static int
db_harden(sqlite3 *db, struct err *e)
{
	int defensive = 0, trusted = 1, ext = 1;

	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &defensive) !=
	    SQLITE_OK || sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    &trusted) != SQLITE_OK || sqlite3_db_config(db,
	    SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &ext) != SQLITE_OK ||
	    defensive != 1 || trusted != 0 || ext != 0 ||
	    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, -1) != 0)
		return err_set(e, ERR_STATE, "cannot restrict the database "
		    "connection (ATTACH, defensive mode, trusted schema)");
	return 0;
}

/*
 * Pragmas every store connection runs with.  A new (empty) file first gets
 * its page size and, when encrypted, the reserved bytes for nonce and tag:
 * both are fixed for the life of the file once the first page is written.
 * journal_mode goes through MEMORY so that the switch to WAL never creates
 * a rollback journal file (the VFS refuses those).
 */
static int
db_setup(sqlite3 *db, int encrypted, struct err *e)
{
	char buf[32];
	int r, reserve;

	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 5000);
	if ((r = db_harden(db, e)) != 0)
		return r;
	if ((r = pragma_text(db, "PRAGMA page_count", buf, sizeof(buf), e)) != 0)
		return r;
	if (strcmp(buf, "0") == 0) {
		if ((r = sql_exec(db, "PRAGMA page_size=4096", e)) != 0)
			return r;
		if (encrypted) {
			reserve = STORE_RESERVE;
			sqlite3_file_control(db, "main",
			    SQLITE_FCNTL_RESERVE_BYTES, &reserve);
		}
		if ((r = pragma_text(db, "PRAGMA journal_mode=MEMORY", buf,
		    sizeof(buf), e)) != 0)
			return r;
	}
	if ((r = pragma_text(db, "PRAGMA journal_mode=WAL", buf, sizeof(buf),
	    e)) != 0)
		return r;
	if (strcmp(buf, "wal") != 0)
		return err_set(e, ERR_STATE, "cannot switch the database to WAL mode");
	if ((r = sql_exec(db, "PRAGMA temp_store=MEMORY;"
	    "PRAGMA secure_delete=ON;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA cache_size=-" STORE_CACHE_KIB_STR ";"
	    "PRAGMA mmap_size=0", e)) != 0)
		return r;
	if ((r = pragma_text(db, "PRAGMA page_size", buf, sizeof(buf), e)) != 0)
		return r;
	if (strcmp(buf, "4096") != 0)
		return err_set(e, ERR_FORMAT, "unexpected page size %s", buf);
	if (encrypted) {
		reserve = -1;
		sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES,
		    &reserve);
		if (reserve != STORE_RESERVE)
			return err_set(e, ERR_FORMAT,
			    "database has %d reserved bytes per page, not %d",
			    reserve, STORE_RESERVE);
	}
	return 0;
}

int
store_db_open_key(const char *path, const uint8_t key[STORE_KEY_LEN],
    sqlite3 **db, struct err *e)
{
	struct vfs_key *k;
	char uri[4200 + 3 * 256], kp[64];
	sqlite3 *h = NULL;
	int rc, r;

	*db = NULL;
	if ((r = store_vfs_register(e)) != 0)
		return r;
	if (strlen(path) > 1300 || (r = uri_escape(path, uri + 5,
	    sizeof(uri) - 5 - 80)) != 0)
		return err_set(e, ERR_RANGE, "database path too long");
	memcpy(uri, "file:", 5);
	if ((r = vfs_key_new(key, &k, e)) != 0)
		return r;
	vfs_key_uri(k, kp, sizeof(kp));
	{
		size_t at = strlen(uri);
		snprintf(uri + at, sizeof(uri) - at, "?%s", kp);
	}
	rc = sqlite3_open_v2(uri, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX, STORE_VFS_NAME);
	/* The files hold their own references now. */
	vfs_key_unref(k);
	sodium_memzero(uri, sizeof(uri));
	if (rc != SQLITE_OK) {
		int xrc = h ? sqlite3_extended_errcode(h) : rc;

		sqlite3_close(h);
		if (xrc == SQLITE_IOERR_DATA)
			return err_set_ja(e, ERR_AUTH, "データベースを復号できません",
			    "%s: cannot decrypt the database "
			    "(wrong key, or its first page was tampered with)", path);
		return sql_err(NULL, xrc, e, path);
	}
	/* The unix VFS creates files 0644 (the WAL and shm copy the database's
	 * mode): ciphertext only, but nobody else needs to read it. */
	chmod(path, 0600);
	if ((r = db_setup(h, 1, e)) != 0) {
		if (r == ERR_CORRUPT)
			err_set_ja(e, ERR_AUTH, "データベースを復号できません",
			    "%s: cannot decrypt the database "
			    "(wrong key, or its first page was tampered with)", path);
		sqlite3_close(h);
		return e ? e->code : r;
	}
	*db = h;
	return 0;
}

int
store_db_open_plain(const char *path, sqlite3 **db, struct err *e)
{
	sqlite3 *h = NULL;
	int rc, r;

	*db = NULL;
	rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = sql_err(h, rc, e, path);
		sqlite3_close(h);
		return r;
	}
	if ((r = db_setup(h, 0, e)) != 0) {
		sqlite3_close(h);
		return r;
	}
	*db = h;
	return 0;
}
