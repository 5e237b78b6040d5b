/*
 * store.c — creating, opening, closing and wiping a store: the key slots
 * decide who may open it (AC-4 counters live there, because the database
 * cannot be read without a correct password), the account row decides
 * whether they still may (disabled, expired).
 */
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
	if ((st->key = store_key_alloc(e)) == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db != NULL)
		sqlite3_close(st->db);
	store_key_free(st->key);
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
	return 0;
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
		STORE_DB_FILE "-shm", STORE_DB_FILE "-journal" };
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
	randombytes_buf(st->key, STORE_KEY_LEN);
	if ((r = store_keyslots_new(&ks, e)) != 0 ||
	    (r = store_keyslots_set(ks, admin, password, st->key, NULL, e)) != 0 ||
	    (r = open_db(st, e)) != 0)
		goto fail;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", admin);
	snprintf(a.display, sizeof(a.display), "%s", admin);
	a.role = ROLE_ADMIN;
	a.view_mynumber = a.search_mynumber = a.export_ok = 1;
	if ((r = account_insert(st->db, &a, admin, 0, e)) != 0 ||
	    (r = account_load(st->db, admin, &st->user, e)) != 0 ||
	    (r = store_audit_append(st, admin, NULL, "store.create", NULL,
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

int
store_open(const char *dir, const char *user, const char *password,
    struct store **out, struct err *e)
{
	struct store_keyslots *ks = NULL;
	struct store_slot_state ss;
	struct store *st = NULL;
	char kpath[4200];
	int r, lk, today, failures;

	*out = NULL;
	if ((r = keyslots_path(dir, kpath, sizeof(kpath), e)) != 0)
		return r;
	if (!exists(dir, STORE_KEYS_FILE))
		return err_set_ja(e, ERR_STATE, "端末のデータストアがありません",
		    "%s holds no store (run madoguchi init)", dir);
	if ((lk = store_dir_lock(dir, e)) < 0)
		return lk;
	if ((r = store_keyslots_load(kpath, &ks, e)) != 0)
		goto out;
	if (user == NULL || store_keyslots_state(ks, user, &ss) != 0) {
		r = err_set_ja(e, ERR_NOTFOUND, "利用者IDが登録されていません",
		    "unknown account");
		goto out;
	}
	if (ss.locked) {
		r = err_set_ja(e, ERR_LOCKED,
		    "アカウントがロックされています。管理者に解除を依頼してください",
		    "account locked after %d wrong passwords", STORE_LOGIN_ATTEMPTS);
		goto out;
	}
	if (ss.disabled) {
		r = err_set_ja(e, ERR_PERM, "アカウントは無効です",
		    "account disabled");
		goto out;
	}
	if ((st = store_alloc(dir, e)) == NULL) {
		r = e ? e->code : ERR_NOMEM;
		goto out;
	}
	r = store_keyslots_unlock(ks, user, password, st->key, e);
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
	failures = ss.failures;
	if (ss.failures != 0) {
		ss.failures = 0;
		store_keyslots_set_state(ks, user, &ss);
		if ((r = store_keyslots_save(ks, kpath, e)) != 0)
			goto out;
	}
	if ((r = open_db(st, e)) != 0)
		goto out;
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
	*out = st;
	st = NULL;
	r = 0;
out:
	store_keyslots_free(ks);
	store_close(st);
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
	memcpy(st->key, src->key, STORE_KEY_LEN);
	st->user = src->user;
	if ((r = open_db(st, e)) != 0) {
		store_close(st);
		return r;
	}
	*out = st;
	return 0;
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
	char path[4200];
	int r, lk, found;

	if ((lk = store_dir_lock(dir, e)) < 0)
		return lk;
	if ((r = keyslots_path(dir, path, sizeof(path), e)) != 0) {
		store_dir_unlock(lk);
		return r;
	}
	found = exists(dir, STORE_KEYS_FILE);
	if (found && (r = shred(path, e)) != 0 && r != ERR_NOTFOUND) {
		store_dir_unlock(lk);
		return r;
	}
	if (!found && !exists(dir, STORE_DB_FILE)) {
		store_dir_unlock(lk);
		return err_set(e, ERR_NOTFOUND, "%s holds no store", dir);
	}
	remove_db_files(dir);
	{
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	store_dir_unlock(lk);
	return 0;
}
