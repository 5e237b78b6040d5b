/*
 * store.c — creating, opening, closing and wiping a store: the key slots
 * decide who may open it (AC-4 counters live there, because the database
 * cannot be read without a correct password), the account row decides
 * whether they still may (disabled, expired).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

/* Serialise read-modify-write of the key-slot file between processes: an
 * flock on the directory (the file itself is replaced by rename). */
int
store_dir_lock(const char *dir, struct err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, ERR_IO, "%s: %s", dir, strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(fd);
			return err_set(e, ERR_IO, "flock %s: %s", dir, strerror(errno));
		}
	}
	return fd;
}

void
store_dir_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

static struct store *
store_alloc(const char *dir, struct err *e)
{
	struct store *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	if (sodium_init() < 0 ||
	    (st->key = sodium_malloc(STORE_SLOT_KEYS_LEN)) == NULL ||
	    (st->sk = sodium_malloc(STORE_SK_LEN)) == NULL) {
		err_set(e, ERR_NOMEM, "sodium_malloc");
		if (st->key != NULL)
			sodium_free(st->key);
		free(st);
		return NULL;
	}
	sodium_memzero(st->key, STORE_SLOT_KEYS_LEN);
	sodium_memzero(st->sk, STORE_SK_LEN);
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db != NULL)
		sqlite3_close(st->db);
	sodium_free(st->key);
	sodium_free(st->sk);
	rights_clear(st);
	fieldkeys_clear(&st->fk);
	sodium_memzero(&st->user, sizeof(st->user));
	free(st);
}

const struct account *
store_user(const struct store *st)
{
	return &st->user;
}

const char *
store_dir(const struct store *st)
{
	return st->dir;
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

/* Open the database of dir with st->key and bring the schema up to date. */
static int
open_db(struct store *st, struct err *e)
{
	char path[4200];
	int r;

	if ((r = store_path(st->dir, STORE_DB_FILE, path, sizeof(path), e)) != 0)
		return r;
	if ((r = store_db_open_key(path, st->key, &st->db, e)) != 0) {
		if (r == ERR_AUTH)	/* the slot opened: the key is right */
			err_set_ja(e, ERR_CORRUPT, "データベースの改ざんまたは破損を検出しました",
			    "%s: the database does not match its key slots "
			    "(replaced or tampered with)", path);
		return e ? e->code : ERR_CORRUPT;
	}
	if ((r = store_schema_apply(st->db, e)) != 0)
		return r;
	return fieldkeys_load(st, e);
}

int
store_attach_db(struct store *st, struct err *e)
{
	return open_db(st, e);
}

static int
exists(const char *dir, const char *name)
{
	char path[4200];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0;
}

static void
remove_db_files(const char *dir)
{
	static const char *const names[] = { STORE_DB_FILE, STORE_DB_FILE "-wal",
		STORE_DB_FILE "-shm", STORE_DB_FILE "-journal",
		STORE_DB_FILE ".rekey", STORE_DB_FILE ".rekey-wal",
		STORE_DB_FILE ".rekey-shm" };
	char path[4200];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
}

int
store_create(const char *dir, const char *admin, const char *password,
    struct err *e)
{
	return store_create_terminal(dir, admin, password, NULL, e);
}

int
store_create_terminal(const char *dir, const char *admin, const char *password,
    const char *terminal, struct err *e)
{
	struct store_keyslots *ks = NULL;
	struct store *st = NULL;
	struct account a;
	char kpath[4200];
	int r, lk;

	if (admin == NULL || *admin == '\0' || strlen(admin) >= STORE_NAME_MAX)
		return err_set(e, ERR_INVAL, "bad administrator name");
	if ((r = store_password_check(password, admin, e)) != 0)
		return r;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "mkdir %s: %s", dir, strerror(errno));
	if ((lk = store_dir_lock(dir, e)) < 0)
		return lk;
	if (exists(dir, STORE_KEYS_FILE) || exists(dir, STORE_DB_FILE)) {
		store_dir_unlock(lk);
		return err_set(e, ERR_EXISTS, "%s already holds a store", dir);
	}
	if ((st = store_alloc(dir, e)) == NULL) {
		store_dir_unlock(lk);
		return e ? e->code : ERR_NOMEM;
	}
	/* database key || terminal key, and the administrator's key pair */
	randombytes_buf(st->key, STORE_SLOT_KEYS_LEN);
	crypto_box_keypair(st->pk, st->sk);
	if ((r = store_keyslots_new(&ks, e)) != 0 ||
	    (r = store_keyslots_set(ks, admin, password, st->key, st->sk, NULL, e)) != 0 ||
	    (r = open_db(st, e)) != 0)
		goto fail;
	/* migration 5 keeps v0.1.0's numbers for the conversion (legacy.c);
	 * a new store has none */
	if ((r = sql_exec(st->db, "DROP TABLE IF EXISTS mynumbers_v1", e)) != 0)
		goto fail;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", admin);
	snprintf(a.display, sizeof(a.display), "%s", admin);
	a.role = ROLE_ADMIN;
	a.view_mynumber = a.search_mynumber = a.export_ok = 1;
	if ((r = account_insert(st->db, &a, admin, 0, e)) != 0 ||
	    (r = account_load(st->db, admin, &st->user, e)) != 0 ||
	    (r = account_key_set(st->db, admin, st->pk, e)) != 0 ||
	    (r = rights_create(st, e)) != 0)
		goto fail;
	/* The first audit row names the terminal given at init (not T000). */
	if (terminal != NULL && *terminal != '\0' &&
	    (r = store_setting_set(st, "terminal.id", terminal, e)) != 0)
		goto fail;
	if ((r = store_audit_append(st, admin, NULL, "store.create", NULL,
	    "init", "store created with its first administrator", e)) != 0)
		goto fail;
	if ((r = keyslots_path(dir, kpath, sizeof(kpath), e)) != 0 ||
	    (r = store_keyslots_save(ks, kpath, e)) != 0)
		goto fail;
	store_keyslots_free(ks);
	store_close(st);
	store_dir_unlock(lk);
	return 0;
fail:
	store_keyslots_free(ks);
	store_close(st);
	remove_db_files(dir);
	store_dir_unlock(lk);
	return r;
}

/* Paths of the re-key's files. */
static int
rekey_paths(const char *dir, char db[4200], char dbnew[4200], char keys[4200],
    char keysnew[4200], struct err *e)
{
	int r;

	if ((r = store_path(dir, STORE_DB_FILE, db, 4200, e)) != 0 ||
	    (r = store_path(dir, STORE_DB_FILE ".rekey", dbnew, 4200, e)) != 0 ||
	    (r = store_path(dir, STORE_KEYS_FILE, keys, 4200, e)) != 0 ||
	    (r = store_path(dir, STORE_KEYS_FILE ".rekey", keysnew, 4200, e)) != 0)
		return r;
	return 0;
}

static void
fsync_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

static void
unlink_db_set(const char *db)
{
	char p[4300];

	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
}

/* Temp files of an interrupted key-slot save (store.keys.tmpXXXXXX,
 * store.keys.rekey.tmpXXXXXX); the caller holds the dir lock, so none is
 * being written.  said (may be NULL) is told each path removed. */
static void
remove_tmp_keys(const char *dir, void (*said)(const char *, void *), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[4400];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, STORE_KEYS_FILE ".tmp", 14) != 0 &&
		    strncmp(de->d_name, STORE_KEYS_FILE ".rekey.tmp", 20) != 0 &&
		    strncmp(de->d_name, STORE_KEYS_FILE ".v1.tmp", 17) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (unlink(p) == 0 && said != NULL)
			said(p, arg);
	}
	closedir(d);
}

/*
 * An interrupted re-key (store_rekey's order: store.db.rekey complete,
 * store.keys.rekey complete, rename store.db.rekey -> store.db = commit,
 * rename store.keys.rekey -> store.keys):
 *   store.keys.rekey and store.db.rekey  -> not committed: remove both
 *   store.keys.rekey alone               -> committed: finish the rename
 *   store.db.rekey alone                 -> not committed: remove it
 */
int
rekey_recover(const char *dir, struct err *e)
{
	char db[4200], dbnew[4200], keys[4200], keysnew[4200];
	struct stat sb;
	int r, has_db, has_keys;

	if ((r = rekey_paths(dir, db, dbnew, keys, keysnew, e)) != 0)
		return r;
	remove_tmp_keys(dir, NULL, NULL);
	has_db = stat(dbnew, &sb) == 0;
	has_keys = stat(keysnew, &sb) == 0;
	if (!has_db && !has_keys)
		return 0;
	if (has_keys && !has_db) {
		if (rename(keysnew, keys) != 0)
			return err_set(e, ERR_IO, "rename %s: %s", keysnew, strerror(errno));
		log_warn("%s: an interrupted re-key was completed", dir);
	} else {
		unlink(keysnew);
		unlink_db_set(dbnew);
		log_warn("%s: an interrupted re-key was undone (old keys kept)", dir);
	}
	fsync_dir(dir);
	return 0;
}

int
store_open(const char *dir, const char *user, const char *password,
    struct store **out, struct err *e)
{
	struct store_keyslots *ks = NULL;
	struct store_slot_state ss;
	struct store *st = NULL;
	char kpath[4200];
	int r, lk, today, failures, legacy = 0;

	*out = NULL;
	if ((r = keyslots_path(dir, kpath, sizeof(kpath), e)) != 0)
		return r;
	if (!exists(dir, STORE_KEYS_FILE) && !exists(dir, STORE_KEYS_FILE ".rekey"))
		return err_set_ja(e, ERR_STATE, "端末のデータストアがありません",
		    "%s holds no store (run madoguchi init)", dir);
	if ((lk = store_dir_lock(dir, e)) < 0)
		return lk;
	if ((r = rekey_recover(dir, e)) != 0)
		goto out;
	if ((st = store_alloc(dir, e)) == NULL) {
		r = e ? e->code : ERR_NOMEM;
		goto out;
	}
	/* A store of v0.1.0 (key-slot format 1): this account's first login
	 * converts it (legacy.c). */
	if ((r = legacy_login(st, user, password, &legacy, e)) != 0)
		goto out;
	if (legacy) {
		failures = 0;
		goto opened;
	}
	if ((r = store_keyslots_load(kpath, &ks, e)) != 0)
		goto out;
	if (user == NULL || store_keyslots_state(ks, user, &ss) != 0) {
		r = err_set_ja(e, ERR_NOTFOUND, "利用者IDが登録されていません",
		    "unknown account");
		goto out;
	}
	if (ss.disabled) {
		r = err_set_ja(e, ERR_PERM, "アカウントは無効です",
		    "account disabled");
		goto out;
	}
	if (ss.locked) {
		r = err_set_ja(e, ERR_LOCKED,
		    "アカウントがロックされています。管理者に解除を依頼してください",
		    "account locked after %d wrong passwords", STORE_LOGIN_ATTEMPTS);
		goto out;
	}
	r = store_keyslots_unlock(ks, user, password, st->key, st->sk, e);
	if (r == ERR_AUTH) {
		ss.failures++;
		if (ss.failures >= STORE_LOGIN_ATTEMPTS) {
			ss.locked = 1;
			r = err_set_ja(e, ERR_LOCKED,
			    "パスワードを3回間違えたため、アカウントをロックしました",
			    "wrong password; account now locked (AC-4)");
		} else {
			char ja[128];
			snprintf(ja, sizeof(ja), "パスワードが違います（あと%d回でロック）",
			    STORE_LOGIN_ATTEMPTS - ss.failures);
			r = err_set_ja(e, ERR_AUTH, ja, "wrong password (%d of %d)",
			    ss.failures, STORE_LOGIN_ATTEMPTS);
		}
		store_keyslots_set_state(ks, user, &ss);
		store_keyslots_save(ks, kpath, NULL);
		goto out;
	}
	if (r != 0)
		goto out;
	crypto_scalarmult_base(st->pk, st->sk);
	failures = ss.failures;
	if (ss.failures != 0) {
		ss.failures = 0;
		store_keyslots_set_state(ks, user, &ss);
		if ((r = store_keyslots_save(ks, kpath, e)) != 0)
			goto out;
	}
	if ((r = open_db(st, e)) != 0)
		goto out;
opened:
	if ((r = account_load(st->db, user, &st->user, e)) != 0) {
		r = err_set_ja(e, ERR_NOTFOUND, "利用者IDが登録されていません",
		    "account has a key slot but no account record");
		goto out;
	}
	st->user.has_slot = 1;
	if (st->user.disabled) {
		r = err_set_ja(e, ERR_PERM, "アカウントは無効です", "account disabled");
		goto out;
	}
	today = store_today_ymd();
	if (st->user.valid_until != 0 && st->user.valid_until < today) {
		r = err_set_ja(e, ERR_STATE, "アカウントの有効期限が切れています",
		    "account expired on %d (AC-3)", st->user.valid_until);
		goto out;
	}
	/* The account's grants, then the grants this session can complete for
	 * others (issue 15). */
	if ((r = rights_open(st, e)) != 0 ||
	    (r = store_rights_sync(st, NULL, e)) != 0)
		goto out;
	/* Wrong passwords could not be written to the audit log while the
	 * database was closed to them; the next good login records them
	 * (LOG-1). */
	if (failures > 0) {
		char detail[96];

		snprintf(detail, sizeof(detail),
		    "%d wrong password(s) before this login", failures);
		if ((r = store_audit_append(st, NULL, NULL, "login.failures", NULL,
		    "login", detail, e)) != 0)
			goto out;
	}
	store_keyslots_free(ks);
	ks = NULL;
	store_dir_unlock(lk);
	lk = -1;
	/* A re-key left pending (a revocation pulled while the store was
	 * open elsewhere) runs now if it can. */
	if ((r = store_rekey_pending(st, e)) != 0 && r != ERR_BUSY)
		goto out;
	*out = st;
	st = NULL;
	r = 0;
out:
	store_keyslots_free(ks);
	store_close(st);
	if (lk >= 0)
		store_dir_unlock(lk);
	return r;
}

int
store_dup(const struct store *src, struct store **out, struct err *e)
{
	struct store *st;
	int r;

	*out = NULL;
	if ((st = store_alloc(src->dir, e)) == NULL)
		return e ? e->code : ERR_NOMEM;
	memcpy(st->key, src->key, STORE_SLOT_KEYS_LEN);
	memcpy(st->sk, src->sk, STORE_SK_LEN);
	memcpy(st->pk, src->pk, STORE_PK_LEN);
	st->user = src->user;
	if ((r = open_db(st, e)) != 0 || (r = rights_open(st, e)) != 0) {
		store_close(st);
		return r;
	}
	*out = st;
	return 0;
}

/* ------------------------------------------------------------- re-key */

static int
setting_int(struct store *st, const char *key, uint64_t *v)
{
	char buf[32];

	*v = 0;
	if (store_setting_get(st, key, buf, sizeof(buf), NULL) != 0)
		return 0;
	*v = strtoull(buf, NULL, 10);
	return 1;
}

int
store_generation(struct store *st, uint64_t *gen, struct err *e)
{
	(void)e;
	setting_int(st, "store.generation", gen);
	return 0;
}

int
store_generation_next(struct store *st, uint64_t *gen, struct err *e)
{
	char buf[32];
	uint64_t g;

	setting_int(st, "store.generation", &g);
	g++;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)g);
	if (store_setting_set(st, "store.generation", buf, e) != 0)
		return e ? e->code : ERR_IO;
	if (gen != NULL)
		*gen = g;
	return 0;
}

static int
mark_pending(struct store *st, struct err *e)
{
	return store_setting_set(st, "rekey.pending", "1", e);
}

/* Test hook: MDG_REKEY_PAUSE=N sleeps N ms between the re-key's steps, so
 * a crash test can kill it anywhere. */
static void
step_pause(void)
{
	const char *s = getenv("MDG_REKEY_PAUSE");

	if (s != NULL && *s != '\0')
		usleep((useconds_t)(atoi(s) > 0 && atoi(s) < 1000 ? atoi(s) : 0) * 1000);
}

/* Copy the open database into path under key (the backup API through
 * the VFS: every page sealed under the new key), then sync it. */
static int
copy_under(sqlite3 *src, const char *path, const uint8_t key[STORE_KEY_LEN],
    struct err *e)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int r, rc, fd;

	unlink_db_set(path);
	if ((r = store_db_open_key(path, key, &dst, e)) != 0)
		return r;
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		r = sql_err(dst, sqlite3_extended_errcode(dst), e, "re-key copy");
		sqlite3_close(dst);
		return r;
	}
	while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK)
		step_pause();
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		r = sql_err(dst, rc, e, "re-key copy");
		sqlite3_close(dst);
		return r;
	}
	if ((r = sql_exec(dst, "PRAGMA wal_checkpoint(TRUNCATE)", e)) != 0) {
		sqlite3_close(dst);
		return r;
	}
	if (sqlite3_close(dst) != SQLITE_OK)
		return err_set(e, ERR_IO, "%s: close failed", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	rc = fsync(fd);
	close(fd);
	if (rc != 0)
		return err_set(e, ERR_IO, "fsync %s: %s", path, strerror(errno));
	return 0;
}

/* Remove the slots of disabled accounts (they stay removed even when the
 * re-key itself cannot run now). */
static int
drop_disabled_slots(struct store *st, struct store_keyslots *ks, int *dropped,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	*dropped = 0;
	if ((r = sql_prepare(st->db, "SELECT name FROM accounts WHERE disabled = 1",
	    &q, e)) != 0)
		return r;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char name[STORE_NAME_MAX];

		sql_col_text(q, 0, name, sizeof(name));
		if (store_keyslots_has(ks, name) &&
		    store_keyslots_disable(ks, name, NULL) == 0)
			(*dropped)++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "accounts");
	return 0;
}

int
store_rekey(struct store *st, struct err *e)
{
	char db[4200], dbnew[4200], keys[4200], keysnew[4200], detail[128];
	struct store_keyslots *ks = NULL;
	uint8_t *nk = NULL;
	sqlite3 *probe = NULL;
	uint64_t gen;
	int r, lk, dropped = 0, reopened = 0;

	if (!sqlite3_get_autocommit(st->db)) {
		/* Inside a transaction (a sync page): after it commits. */
		if ((r = mark_pending(st, e)) != 0)
			return r;
		return err_set(e, ERR_BUSY, "re-key pending (inside a transaction)");
	}
	if ((r = rekey_paths(st->dir, db, dbnew, keys, keysnew, e)) != 0)
		return r;
	if ((lk = store_dir_lock(st->dir, e)) < 0)
		return lk;
	if ((r = store_keyslots_load(keys, &ks, e)) != 0)
		goto out;
	if ((r = drop_disabled_slots(st, ks, &dropped, e)) != 0)
		goto out;
	if (dropped > 0 && (r = store_keyslots_save(ks, keys, e)) != 0)
		goto out;
	/* The store to ourselves: our connection closes, a probe takes the
	 * database exclusively (any other connection makes it busy) and
	 * stands in for it until the switch. */
	sqlite3_close(st->db);
	st->db = NULL;
	if ((r = store_db_open_key(db, st->key, &probe, e)) != 0)
		goto reopen;
	sqlite3_busy_timeout(probe, 0);
	if (sqlite3_exec(probe, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; "
	    "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(probe);
		probe = NULL;
		r = ERR_BUSY;
		goto reopen;
	}
	st->db = probe;
	/* The record of the re-key goes into the copy; the generation rises
	 * with it. */
	/* v0.1.0 slots not converted yet stop here: the conversion bridge
	 * stays behind in the old database, store.keys.v1 goes at the commit */
	if ((r = store_generation_next(st, &gen, e)) == 0 &&
	    (r = legacy_bridge_drop(st->db, e)) == 0 &&
	    (r = store_setting_set(st, "rekey.pending", "0", e)) == 0) {
		snprintf(detail, sizeof(detail), "database re-keyed: %d key slot(s) "
		    "removed, %zu kept, generation %llu", dropped,
		    store_keyslots_count(ks), (unsigned long long)gen);
		r = store_audit_append(st, NULL, NULL, "store.rekey", NULL, "admin",
		    detail, e);
	}
	st->db = NULL;
	if (r != 0)
		goto reopen;
	if ((r = sql_exec(probe, "PRAGMA wal_checkpoint(TRUNCATE)", e)) != 0)
		goto reopen;
	if ((nk = sodium_malloc(STORE_SLOT_KEYS_LEN)) == NULL) {
		r = err_set(e, ERR_NOMEM, "sodium_malloc");
		goto reopen;
	}
	randombytes_buf(nk, STORE_KEY_LEN);
	memcpy(nk + STORE_KEY_LEN, st->key + STORE_KEY_LEN, STORE_SLOT_KEYS_LEN -
	    STORE_KEY_LEN);		/* the terminal key stays */
	step_pause();
	if ((r = copy_under(probe, dbnew, nk, e)) != 0)
		goto undo;
	step_pause();
	if ((r = store_keyslots_reseal(ks, nk, e)) != 0 ||
	    (r = store_keyslots_save(ks, keysnew, e)) != 0)
		goto undo;
	step_pause();
	/* The old database's last connection closes (its WAL is empty). */
	sqlite3_close(probe);
	probe = NULL;
	{
		/* The old database's WAL is empty and its shm stale: neither may
		 * be read against the new database. */
		char p[4300];

		snprintf(p, sizeof(p), "%s-wal", db);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", db);
		unlink(p);
	}
	if (rename(dbnew, db) != 0) {
		r = err_set(e, ERR_IO, "rename %s: %s", dbnew, strerror(errno));
		goto undo;
	}
	fsync_dir(st->dir);		/* committed */
	{
		char v1[4300];

		snprintf(v1, sizeof(v1), "%s.v1", keys);
		unlink(v1);	/* they open the old database key only */
	}
	memcpy(st->key, nk, STORE_SLOT_KEYS_LEN);
	step_pause();
	if (rename(keysnew, keys) != 0)	/* the next open finishes it */
		r = err_set(e, ERR_IO, "rename %s: %s", keysnew, strerror(errno));
	else {
		fsync_dir(st->dir);
		log_info("store %s re-keyed: %d slot(s) removed", st->dir, dropped);
		r = 0;
	}
	goto reopen;
undo:
	unlink(keysnew);
	unlink_db_set(dbnew);
reopen:
	if (probe != NULL)
		sqlite3_close(probe);
	probe = NULL;
	{
		struct err e2;
		int r2 = open_db(st, r == 0 ? e : &e2);

		reopened = r2 == 0;
		if (r2 != 0 && r == 0)
			r = r2;
	}
	if (r == ERR_BUSY && reopened) {
		mark_pending(st, NULL);
		err_set(e, ERR_BUSY, "the store is open elsewhere: re-key pending");
	}
out:
	if (nk != NULL)
		sodium_free(nk);
	store_keyslots_free(ks);
	store_dir_unlock(lk);
	return r;
}

int
store_rekey_pending(struct store *st, struct err *e)
{
	uint64_t v;

	if (!setting_int(st, "rekey.pending", &v) || v == 0)
		return 0;
	return store_rekey(st, e);
}

int
store_tx(struct store *st, int (*fn)(struct store *st, void *arg), void *arg,
    struct err *e)
{
	int r;

	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	r = fn(st, arg);
	if (r != 0) {
		sql_tx_end(st->db, 0, NULL);
		return r;
	}
	return sql_tx_end(st->db, 1, e);
}

/* Overwrite a file's bytes with random data and fsync before unlinking, so
 * that the old key slots are gone from the disk blocks as far as the file
 * system lets us reach them. */
static int
shred(const char *path, struct err *e)
{
	struct stat sb;
	uint8_t buf[4096];
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	off_t off = 0;

	if (fd < 0)
		return errno == ENOENT ? ERR_NOTFOUND :
		    err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) == 0) {
		while (off < sb.st_size) {
			size_t n = (size_t)(sb.st_size - off) < sizeof(buf) ?
			    (size_t)(sb.st_size - off) : sizeof(buf);
			randombytes_buf(buf, n);
			if (pwrite(fd, buf, n, off) != (ssize_t)n)
				break;
			off += (off_t)n;
		}
		fsync(fd);
	}
	close(fd);
	if (unlink(path) != 0)
		return err_set(e, ERR_IO, "unlink %s: %s", path, strerror(errno));
	return 0;
}

int
store_wipe(const char *dir, struct err *e)
{
	return store_wipe_report(dir, NULL, NULL, e);
}

static void
unlink_said(const char *dir, const char *name,
    void (*said)(const char *, void *), void *arg)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (unlink(path) == 0 && said != NULL)
		said(path, arg);
}

int
store_wipe_report(const char *dir, void (*said)(const char *path, void *arg),
    void *arg, struct err *e)
{
	static const char *const names[] = { STORE_DB_FILE, STORE_DB_FILE "-wal",
		STORE_DB_FILE "-shm", STORE_DB_FILE "-journal",
		STORE_DB_FILE ".rekey", STORE_DB_FILE ".rekey-wal",
		STORE_DB_FILE ".rekey-shm" };
	char path[4200], kpath[4300];
	int r, lk, found;

	if ((lk = store_dir_lock(dir, e)) < 0)
		return lk;
	if ((r = keyslots_path(dir, path, sizeof(path), e)) != 0) {
		store_dir_unlock(lk);
		return r;
	}
	found = exists(dir, STORE_KEYS_FILE) || exists(dir, STORE_KEYS_FILE ".rekey");
	if (!found && !exists(dir, STORE_DB_FILE)) {
		store_dir_unlock(lk);
		return err_set(e, ERR_NOTFOUND, "%s holds no store", dir);
	}
	/* Key slots first (crypto-erase), every generation of them. */
	if ((r = shred(path, e)) == 0 && said != NULL)
		said(path, arg);
	else if (r != 0 && r != ERR_NOTFOUND) {
		store_dir_unlock(lk);
		return r;
	}
	snprintf(kpath, sizeof(kpath), "%s.rekey", path);
	if (shred(kpath, NULL) == 0 && said != NULL)
		said(kpath, arg);
	snprintf(kpath, sizeof(kpath), "%s.v1", path);	/* v0.1.0's slots */
	if (shred(kpath, NULL) == 0 && said != NULL)
		said(kpath, arg);
	remove_tmp_keys(dir, said, arg);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink_said(dir, names[i], said, arg);
	fsync_dir(dir);
	store_dir_unlock(lk);
	return 0;
}
