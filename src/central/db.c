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
	"CREATE TABLE IF NOT EXISTS received ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" uuid TEXT NOT NULL UNIQUE, terminal TEXT NOT NULL, kind INTEGER NOT NULL,"
	" receipt_no TEXT, body TEXT NOT NULL, received_at TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS received_receipt ON received(receipt_no);"
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
	"CREATE TABLE IF NOT EXISTS decisions ("
	" receipt_no TEXT PRIMARY KEY, status TEXT NOT NULL, decided_at TEXT NOT NULL,"
	" note TEXT NOT NULL DEFAULT '');";

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
