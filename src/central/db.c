/*
 * db.c — the central's master store: an SQLite database opened through the
 * store module's encrypting VFS (every page sealed), its schema, and its
 * two key files.
 *
 * Key handling (madoguchi-central(8), KEYS): the database key and the Noise
 * static key are random 32-byte files in the store directory, mode 0600,
 * owned by the service user, and refused when group or others can read
 * them (as ssh does).  A passphrase would need an operator at every start,
 * and the central must come back by itself after a power cut so that the
 * branches can sync; the files protect the database against a copied or
 * stolen database file and backups of it, not against root on the running
 * server.  Keep backups of the key file apart from backups of the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "central.h"
#include "central-int.h"
#include "store.h"
#include "sync.h"

/* What terminals pushed: each UUID once per terminal (one terminal's
 * UUIDs never make another's items "duplicates"); app and status are the
 * application UUID and status of application and status items. */
#define RECEIVED_SQL(name) \
	"CREATE TABLE IF NOT EXISTS " name " (" \
	" seq INTEGER PRIMARY KEY AUTOINCREMENT," \
	" uuid TEXT NOT NULL, terminal TEXT NOT NULL, kind INTEGER NOT NULL," \
	" receipt_no TEXT, app TEXT, status TEXT, body TEXT NOT NULL," \
	" received_at TEXT NOT NULL, UNIQUE (terminal, uuid));"
/* Decisions of the core system, routed by (terminal, receipt number). */
#define DECISIONS_SQL(name) \
	"CREATE TABLE IF NOT EXISTS " name " (" \
	" terminal TEXT NOT NULL, receipt_no TEXT NOT NULL, status TEXT NOT NULL," \
	" decided_at TEXT NOT NULL, note TEXT NOT NULL DEFAULT ''," \
	" PRIMARY KEY (terminal, receipt_no));"

static const char *const schema_sql =
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	/* Terminals and their enrolment (AC-8). */
	"CREATE TABLE IF NOT EXISTS terminals ("
	" id TEXT PRIMARY KEY,"
	" pubkey BLOB UNIQUE,"
	" wards TEXT NOT NULL DEFAULT '',"
	" procedures TEXT NOT NULL DEFAULT '',"
	" token_hash BLOB,"
	" token_expires INTEGER NOT NULL DEFAULT 0,"
	" status TEXT NOT NULL CHECK (status IN ('pending','active','revoked')),"
	" created_at TEXT NOT NULL,"
	" enrolled_at TEXT, revoked_at TEXT, last_seen TEXT,"
	" audit_last_id INTEGER NOT NULL DEFAULT 0,"
	" audit_last_hash BLOB);"
	/* Master data: current state, one row per key. */
	"CREATE TABLE IF NOT EXISTS persons ("
	" atena TEXT PRIMARY KEY, ward TEXT NOT NULL, body TEXT NOT NULL);"
	/* 個人番号 in one place keyed by 宛名番号 (DATA-1). */
	"CREATE TABLE IF NOT EXISTS mynumbers ("
	" atena TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE);"
	"CREATE TABLE IF NOT EXISTS eligibility ("
	" key TEXT PRIMARY KEY, atena TEXT NOT NULL, procedure TEXT NOT NULL,"
	" body TEXT NOT NULL);"
	/* The pull feed: one row per (kind, key), the latest change only; its
	 * seq moves forward on every change.  Deletions stay as tombstones. */
	"CREATE TABLE IF NOT EXISTS changes ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind INTEGER NOT NULL, op INTEGER NOT NULL, key TEXT NOT NULL,"
	" ward TEXT, procedure TEXT, terminal TEXT, body TEXT,"
	" at TEXT NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS changes_key ON changes(kind, key, ifnull(ward, ''));"
	/* What terminals pushed, each UUID once. */
	RECEIVED_SQL("received")
	"CREATE INDEX IF NOT EXISTS received_receipt ON received(receipt_no);"
	"CREATE INDEX IF NOT EXISTS received_app ON received(app);"
	/* Items refused (issue 15 B): `terminal rejects`. */
	"CREATE TABLE IF NOT EXISTS rejects ("
	" terminal TEXT NOT NULL, uuid TEXT NOT NULL, kind INTEGER NOT NULL,"
	" reason TEXT NOT NULL, first_at TEXT NOT NULL, last_at TEXT NOT NULL,"
	" times INTEGER NOT NULL, PRIMARY KEY (terminal, uuid));"
	/* Audit rows of the terminals' chains (LOG-2). */
	"CREATE TABLE IF NOT EXISTS audit ("
	" terminal TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL,"
	" chain_ok INTEGER NOT NULL, received_at TEXT NOT NULL,"
	" PRIMARY KEY (terminal, id));"
	/* Signed audit chain heads (SPEC 4, LOG-2). */
	"CREATE TABLE IF NOT EXISTS audit_heads ("
	" terminal TEXT NOT NULL, id INTEGER NOT NULL, hash BLOB NOT NULL,"
	" sig BLOB NOT NULL, signed_at TEXT NOT NULL, matches INTEGER NOT NULL,"
	" received_at TEXT NOT NULL, PRIMARY KEY (terminal, id));"
	DECISIONS_SQL("decisions");

static int
path_in(char *out, size_t cap, const char *dir, const char *name, struct err *e)
{
	if ((size_t)snprintf(out, cap, "%s/%s", dir, name) >= cap)
		return err_set(e, ERR_RANGE, "store path too long");
	return 0;
}

/* Write a new 0600 file with n random bytes (O_EXCL). */
static int
key_file_create(const char *path, size_t n, uint8_t *copy, struct err *e)
{
	uint8_t k[32];
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return err_set(e, errno == EEXIST ? ERR_EXISTS : ERR_IO,
		    "%s: %s", path, strerror(errno));
	randombytes_buf(k, n);
	if (write(fd, k, n) != (ssize_t)n || fsync(fd) != 0) {
		sodium_memzero(k, sizeof(k));
		close(fd);
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	}
	close(fd);
	if (copy != NULL)
		memcpy(copy, k, n);
	sodium_memzero(k, sizeof(k));
	return 0;
}

/* Read a 32-byte key file into locked memory, refusing loose permissions. */
static int
key_file_read(const char *path, uint8_t *out, struct err *e)
{
	struct stat st;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
		    "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_IO, "%s: not a regular file", path);
	}
	if ((st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
		close(fd);
		return err_set(e, ERR_PERM,
		    "%s: must be mode 0600 and owned by this user (chmod 600)", path);
	}
	r = read(fd, out, 32);
	close(fd);
	if (r != 32 || st.st_size != 32) {
		sodium_memzero(out, 32);
		return err_set(e, ERR_CORRUPT, "%s: not a 32-byte key file", path);
	}
	return 0;
}

/* Stores made before issue 15: received had one UUID namespace for all
 * terminals and decisions were keyed by receipt number alone.  Rebuilt in
 * place, rows kept (a decision goes to the terminal that sent its
 * application). */
static int
schema_upgrade(sqlite3 *db, struct err *e)
{
	sqlite3_stmt *st;
	int old_received = 0, old_decisions = 0;

	if (sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master WHERE type ="
	    " 'table' AND name IN ('received', 'decisions')", -1, &st, NULL) != SQLITE_OK)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0),
		    *sql = (const char *)sqlite3_column_text(st, 1);

		if (strcmp(n, "received") == 0 && sql != NULL &&
		    strstr(sql, "UNIQUE (terminal, uuid)") == NULL)
			old_received = 1;
		if (strcmp(n, "decisions") == 0 && sql != NULL &&
		    strstr(sql, "terminal") == NULL)
			old_decisions = 1;
	}
	sqlite3_finalize(st);
	if (!old_received && !old_decisions)
		return 0;
	if (central_sql(db, "BEGIN IMMEDIATE", e) != 0)
		return ERR_IO;
	if (old_received && central_sql(db, RECEIVED_SQL("received_v2")
	    "INSERT INTO received_v2 (seq, uuid, terminal, kind, receipt_no, app,"
	    " status, body, received_at) SELECT seq, uuid, terminal, kind, receipt_no,"
	    " CASE WHEN kind IN (1, 2) AND json_valid(body) THEN"
	    " json_extract(body, '$.uuid') END,"
	    " CASE WHEN kind IN (1, 2) AND json_valid(body) THEN"
	    " json_extract(body, '$.status') END, body, received_at FROM received;"
	    "DROP TABLE received; ALTER TABLE received_v2 RENAME TO received;"
	    "CREATE INDEX IF NOT EXISTS received_receipt ON received(receipt_no);"
	    "CREATE INDEX IF NOT EXISTS received_app ON received(app);", e) != 0)
		goto fail;
	if (old_decisions && central_sql(db, DECISIONS_SQL("decisions_v2")
	    "INSERT OR IGNORE INTO decisions_v2 (terminal, receipt_no, status,"
	    " decided_at, note) SELECT (SELECT terminal FROM received r WHERE"
	    " r.receipt_no = d.receipt_no AND r.kind = 1 ORDER BY seq LIMIT 1),"
	    " receipt_no, status, decided_at, note FROM decisions d WHERE EXISTS"
	    " (SELECT 1 FROM received r WHERE r.receipt_no = d.receipt_no);"
	    "DROP TABLE decisions; ALTER TABLE decisions_v2 RENAME TO decisions;", e) != 0)
		goto fail;
	return central_sql(db, "COMMIT", e);
fail:
	central_sql(db, "ROLLBACK", NULL);
	return ERR_IO;
}

static int
db_open(const char *dir, const uint8_t key[32], sqlite3 **db, struct err *e)
{
	char path[1100];
	char *msg = NULL;
	int r;

	if ((r = path_in(path, sizeof(path), dir, CENTRAL_DB_FILE, e)) != 0)
		return r;
	if ((r = store_db_open_key(path, key, db, e)) != 0)
		return r;
	if ((r = schema_upgrade(*db, e)) != 0) {
		sqlite3_close(*db);
		*db = NULL;
		return r;
	}
	if (sqlite3_exec(*db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
		r = err_set(e, ERR_IO, "central schema: %s", msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(*db);
		*db = NULL;
		return r;
	}
	/* Added after the first version: the audit-head signing key.  An
	 * error here only means the column is already there. */
	sqlite3_exec(*db, "ALTER TABLE terminals ADD COLUMN sign_pub BLOB", NULL,
	    NULL, NULL);
	/* Rollback detection (issue 15): a terminal held for an administrator,
	 * and the generation of its audit heads (a re-enrolment or a release
	 * starts a new one). */
	sqlite3_exec(*db, "ALTER TABLE terminals ADD COLUMN held TEXT", NULL, NULL, NULL);
	sqlite3_exec(*db, "ALTER TABLE terminals ADD COLUMN held_at TEXT", NULL, NULL,
	    NULL);
	sqlite3_exec(*db, "ALTER TABLE terminals ADD COLUMN gen INTEGER NOT NULL"
	    " DEFAULT 0", NULL, NULL, NULL);
	sqlite3_exec(*db, "ALTER TABLE audit_heads ADD COLUMN gen INTEGER NOT NULL"
	    " DEFAULT 0", NULL, NULL, NULL);
	/* the terminal store's generation counter in its signed head
	 * (protocol 3; NULL before) */
	sqlite3_exec(*db, "ALTER TABLE audit_heads ADD COLUMN counter INTEGER", NULL,
	    NULL, NULL);
	if ((r = central_functions(*db, e)) != 0) {
		sqlite3_close(*db);
		*db = NULL;
		return r;
	}
	/* Durability of acknowledged data across a power cut (NET, SIGTERM). */
	sqlite3_exec(*db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
	return 0;
}

int
central_init(const char *dir, struct err *e)
{
	char kp[1100], np[1100];
	uint8_t *key;
	sqlite3 *db = NULL;
	int r;

	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium failed to initialise");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "%s: %s", dir, strerror(errno));
	if ((r = path_in(kp, sizeof(kp), dir, CENTRAL_KEY_FILE, e)) != 0 ||
	    (r = path_in(np, sizeof(np), dir, CENTRAL_NOISE_FILE, e)) != 0)
		return r;
	if ((key = store_key_alloc(e)) == NULL)
		return ERR_NOMEM;
	if ((r = key_file_create(kp, 32, key, e)) != 0) {
		store_key_free(key);
		if (r == ERR_EXISTS)
			err_set(e, ERR_EXISTS, "%s already holds a central store", dir);
		return r;
	}
	if ((r = key_file_create(np, 32, NULL, e)) != 0 ||
	    (r = db_open(dir, key, &db, e)) != 0) {
		unlink(kp);
		unlink(np);
		store_key_free(key);
		return r;
	}
	store_key_free(key);
	sqlite3_close(db);
	return 0;
}

int
central_open(const char *dir, struct central **out, struct err *e)
{
	struct central *c;
	char kp[1100], np[1100];
	uint8_t *key;
	int r;

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium failed to initialise");
	if ((r = path_in(kp, sizeof(kp), dir, CENTRAL_KEY_FILE, e)) != 0 ||
	    (r = path_in(np, sizeof(np), dir, CENTRAL_NOISE_FILE, e)) != 0)
		return r;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	if ((c->noise_priv = sodium_malloc(32)) == NULL ||
	    (key = store_key_alloc(e)) == NULL) {
		central_close(c);
		return err_set(e, ERR_NOMEM, "out of locked memory");
	}
	if ((r = key_file_read(kp, key, e)) != 0 ||
	    (r = key_file_read(np, c->noise_priv, e)) != 0 ||
	    (r = db_open(dir, key, &c->db, e)) != 0) {
		if (r == ERR_NOTFOUND)
			err_prefix(e, "no central store (run madoguchi-central init): ");
		store_key_free(key);
		central_close(c);
		return r;
	}
	store_key_free(key);
	noise_pubkey(c->noise_priv, c->noise_pub);
	*out = c;
	return 0;
}

void
central_close(struct central *c)
{
	if (c == NULL)
		return;
	if (c->db != NULL)
		sqlite3_close(c->db);
	if (c->noise_priv != NULL)
		sodium_free(c->noise_priv);
	free(c);
}
