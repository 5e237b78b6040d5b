/*
 * legacy.c — stores written by v0.1.0 (key-slot format 1: one database key
 * wrapped per password, names in the clear; 個人番号, DV addresses and the
 * terminal's sync keys plain inside the encrypted database), converted to
 * the key model of issue 15 one account at a time, at each account's first
 * login with its old password.
 *
 * The first login of any account on such a store ("the first conversion"):
 *   1. its format-1 slot gives the database key K (the database is not
 *      re-keyed: K stays);
 *   2. a terminal key, the right key pairs (mynumber, address) and the
 *      account's X25519 key pair are made; in one transaction the
 *      database gets the account's public key, the right public keys, the
 *      bridge (below), the 個人番号 moved from table mynumbers_v1 (kept by
 *      migration 5) into the sealed table with the blind index, DV/不開示
 *      addresses sealed to "address", the sync keys moved into
 *      sealed_settings, the grants this session can write and an audit row
 *      "store.convert";
 *   3. store.keys.v1 is written with the other accounts' format-1 slots,
 *      then store.keys is replaced by a format-2 file holding this
 *      account's slot.
 * Every later login of an account that has no format-2 slot but one in
 * store.keys.v1 opens its old slot (K), the bridge (terminal key and right
 * keys), gets its own slot and grants, and leaves store.keys.v1; the last
 * one removes store.keys.v1 and the bridge.
 *
 * The bridge (sealed_settings "legacy.bridge") is the terminal key and the
 * right secret keys sealed under a subkey of K, so an account that has not
 * converted yet can still join.  Everyone who holds a format-1 slot holds
 * K, and with it everything, as in v0.1.0: until the last old slot is gone
 * (every account has logged in once, or an administrator re-keys — any
 * revocation or disabling does, which also drops store.keys.v1 and the
 * bridge: the accounts still on it then need a new password from an
 * administrator) the store protects no more than v0.1.0 did.
 *
 * Crash safety: the database commits first; a crash before store.keys is
 * replaced leaves the format-1 file in place and the next login converts
 * again, reusing the committed bridge (the account gets a fresh key pair;
 * its grants are rewritten).  store.keys.v1 is written before store.keys
 * changes, from the file that is still format 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

#define V1_MAGIC "MDGKEYS1"
#define V1_MAX_SLOTS 1000
#define V1_SALT 16
#define V1_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define V1_SEALED (STORE_KEY_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define V1_LOCKED 1
#define V1_DISABLED 2
#define BRIDGE_NAME "legacy.bridge"
#define BRIDGE_PLAIN (32 * 3)	/* terminal key | mynumber sk | address sk */

struct v1_slot {
	char name[STORE_NAME_MAX];
	uint8_t flags, failures;
	uint64_t ops, mem;
	uint8_t salt[V1_SALT];
	uint8_t nonce[V1_NONCE];
	uint8_t sealed[V1_SEALED];
};

struct v1_file {
	uint8_t id[16];
	struct v1_slot *v;
	size_t n;
};

static void
v1_free(struct v1_file *f)
{
	if (f == NULL)
		return;
	if (f->v != NULL) {
		sodium_memzero(f->v, f->n * sizeof(*f->v));
		free(f->v);
	}
	free(f);
}

static int
v1_name_ok(const uint8_t *p, size_t n)
{
	if (n == 0 || n >= STORE_NAME_MAX || !utf8_valid((const char *)p, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

static struct v1_slot *
v1_find(struct v1_file *f, const char *name)
{
	for (size_t i = 0; name != NULL && i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}

/* Parse a format-1 file (bounded reader). */
static int
v1_parse(const uint8_t *p, size_t len, struct v1_file **out, struct err *e)
{
	struct v1_file *f;
	struct rbuf b;
	uint8_t magic[8];
	uint16_t count;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	rbuf_init(&b, p, len);
	if (rbuf_get(&b, magic, 8) != 0 || memcmp(magic, V1_MAGIC, 8) != 0 ||
	    rbuf_get(&b, f->id, 16) != 0 || rbuf_get_u16(&b, &count) != 0 ||
	    count > V1_MAX_SLOTS)
		goto bad;
	if (count > 0 && (f->v = calloc(count, sizeof(*f->v))) == NULL) {
		v1_free(f);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (f->n = 0; f->n < count; f->n++) {
		struct v1_slot *s = &f->v[f->n];
		const uint8_t *nm;
		size_t nlen;
		uint8_t alg;

		if (rbuf_get_lp(&b, 1, STORE_NAME_MAX - 1, &nm, &nlen) != 0 ||
		    !v1_name_ok(nm, nlen))
			goto bad;
		memcpy(s->name, nm, nlen);
		s->name[nlen] = '\0';
		if (rbuf_get_u8(&b, &s->flags) != 0 ||
		    rbuf_get_u8(&b, &s->failures) != 0 ||
		    rbuf_get_u8(&b, &alg) != 0 ||
		    rbuf_get_u64(&b, &s->ops) != 0 ||
		    rbuf_get_u64(&b, &s->mem) != 0 ||
		    rbuf_get(&b, s->salt, V1_SALT) != 0 ||
		    rbuf_get(&b, s->nonce, V1_NONCE) != 0 ||
		    rbuf_get(&b, s->sealed, V1_SEALED) != 0 || alg != 1 ||
		    (s->flags & ~(V1_LOCKED | V1_DISABLED)) != 0 ||
		    s->ops < crypto_pwhash_OPSLIMIT_INTERACTIVE ||
		    s->ops > crypto_pwhash_OPSLIMIT_MAX ||
		    s->mem < crypto_pwhash_MEMLIMIT_INTERACTIVE ||
		    s->mem > (uint64_t)1 << 32)
			goto bad;
		for (size_t j = 0; j < f->n; j++)
			if (strcmp(f->v[j].name, s->name) == 0)
				goto bad;
	}
	if (rbuf_left(&b) != 0)
		goto bad;
	*out = f;
	return 0;
bad:
	v1_free(f);
	return err_set(e, ERR_FORMAT, "malformed key-slot file of format 1");
}

static int
v1_load(const char *path, struct v1_file **out, struct err *e)
{
	enum { CAP = 64 + V1_MAX_SLOTS * 256 };
	size_t len = 0;
	ssize_t n;
	uint8_t *p;
	int fd, r;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s",
		    path, strerror(errno));
	if ((p = malloc(CAP)) == NULL) {
		close(fd);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	while (len < CAP && (n = read(fd, p + len, CAP - len)) > 0)
		len += (size_t)n;
	close(fd);
	r = len == CAP ? err_set(e, ERR_FORMAT, "key-slot file too large") :
	    v1_parse(p, len, out, e);
	free(p);
	return r != 0 ? err_prefix(e, "%s: ", path) : 0;
}

static int
v1_save(const struct v1_file *f, const char *path, struct err *e)
{
	struct wbuf w;
	int r;

	wbuf_init(&w, 1 << 20);
	wbuf_put(&w, V1_MAGIC, 8);
	wbuf_put(&w, f->id, 16);
	wbuf_put_u16(&w, (uint16_t)f->n);
	for (size_t i = 0; i < f->n; i++) {
		const struct v1_slot *s = &f->v[i];

		wbuf_put_u8(&w, (uint8_t)strlen(s->name));
		wbuf_put(&w, s->name, strlen(s->name));
		wbuf_put_u8(&w, s->flags);
		wbuf_put_u8(&w, s->failures);
		wbuf_put_u8(&w, 1);
		wbuf_put_u64(&w, s->ops);
		wbuf_put_u64(&w, s->mem);
		wbuf_put(&w, s->salt, V1_SALT);
		wbuf_put(&w, s->nonce, V1_NONCE);
		wbuf_put(&w, s->sealed, V1_SEALED);
	}
	if (w.err != 0) {
		wbuf_free(&w);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	r = store_write_atomic(path, w.p, w.len, e);
	wbuf_free(&w);
	return r;
}

static void
v1_remove(struct v1_file *f, struct v1_slot *s)
{
	size_t i = (size_t)(s - f->v);

	sodium_memzero(s, sizeof(*s));
	memmove(&f->v[i], &f->v[i + 1], (f->n - i - 1) * sizeof(*s));
	f->n--;
}

/* The old slot's database key (ERR_AUTH for a wrong password). */
static int
v1_unlock(const struct v1_file *f, const struct v1_slot *s, const char *pw,
    uint8_t key[STORE_KEY_LEN], struct err *e)
{
	uint8_t ad[24 + STORE_NAME_MAX], *wk;
	size_t n = strlen(s->name);
	int r;

	if (pw == NULL || *pw == '\0' || strlen(pw) >= STORE_PASSWORD_MAX)
		return err_set(e, ERR_AUTH, "no password");
	if ((wk = sodium_malloc(32)) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	if (crypto_pwhash(wk, 32, pw, strlen(pw), s->salt, s->ops, (size_t)s->mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(wk);
		return err_set(e, ERR_NOMEM, "Argon2id: out of memory");
	}
	memcpy(ad, V1_MAGIC, 8);
	memcpy(ad + 8, f->id, 16);
	memcpy(ad + 24, s->name, n);
	r = crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL, s->sealed,
	    V1_SEALED, ad, 24 + n, s->nonce, wk);
	sodium_free(wk);
	if (r != 0) {
		sodium_memzero(key, STORE_KEY_LEN);
		return err_set_ja(e, ERR_AUTH, "パスワードが違います", "wrong password");
	}
	return 0;
}

int
legacy_is_v1(const char *path)
{
	char magic[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok = 0;

	if (fd < 0)
		return 0;
	ok = read(fd, magic, 8) == 8 && memcmp(magic, V1_MAGIC, 8) == 0;
	close(fd);
	return ok;
}

/* ---------------------------------------------------------------- bridge */

static void
bridge_key(const uint8_t *dbkey, uint8_t *k)
{
	crypto_kdf_derive_from_key(k, 32, 3, "mdglegcy", dbkey);
}

static int
bridge_put(struct store *st, const uint8_t *plain, struct err *e)
{
	enum { NB = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	    AB = crypto_aead_xchacha20poly1305_ietf_ABYTES };
	uint8_t c[NB + BRIDGE_PLAIN + AB], *k;
	sqlite3_stmt *q;
	int r, rc;

	if ((k = sodium_malloc(32)) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	bridge_key(st->key, k);
	randombytes_buf(c, NB);
	crypto_aead_xchacha20poly1305_ietf_encrypt(c + NB, NULL, plain, BRIDGE_PLAIN,
	    (const uint8_t *)BRIDGE_NAME, strlen(BRIDGE_NAME), NULL, c, k);
	sodium_free(k);
	if ((r = sql_prepare(st->db, "INSERT OR REPLACE INTO sealed_settings "
	    "VALUES (?, ?)", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, BRIDGE_NAME);
	sqlite3_bind_blob(q, 2, c, sizeof(c), SQLITE_TRANSIENT);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 :
	    sql_err(st->db, sqlite3_extended_errcode(st->db), e, "bridge");
}

/* 1 found (plain filled), 0 none. */
static int
bridge_get(struct store *st, uint8_t *plain, struct err *e)
{
	enum { NB = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	    AB = crypto_aead_xchacha20poly1305_ietf_ABYTES };
	sqlite3_stmt *q;
	uint8_t *k;
	int r, rc;

	if ((r = sql_prepare(st->db, "SELECT value FROM sealed_settings WHERE key = ?",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, BRIDGE_NAME);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(q);
		return rc == SQLITE_DONE ? 0 :
		    sql_err(st->db, sqlite3_extended_errcode(st->db), e, "bridge");
	}
	if (sqlite3_column_bytes(q, 0) != NB + BRIDGE_PLAIN + AB ||
	    (k = sodium_malloc(32)) == NULL) {
		sqlite3_finalize(q);
		return err_set(e, ERR_CORRUPT, "the conversion bridge is damaged");
	}
	bridge_key(st->key, k);
	{
		const uint8_t *c = sqlite3_column_blob(q, 0);

		rc = crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL,
		    c + NB, BRIDGE_PLAIN + AB, (const uint8_t *)BRIDGE_NAME,
		    strlen(BRIDGE_NAME), c, k);
	}
	sodium_free(k);
	sqlite3_finalize(q);
	if (rc != 0)
		return err_set(e, ERR_CORRUPT, "the conversion bridge does not open");
	return 1;
}

int
legacy_bridge_drop(sqlite3 *db, struct err *e)
{
	return sql_exec(db, "DELETE FROM sealed_settings WHERE key = '"
	    BRIDGE_NAME "'", e);
}

/* ------------------------------------------------------- moving the data */

static int
table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *q;
	int found;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = "
	    "'table' AND name = ?", -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return found;
}

/* 個人番号 of v0.1.0 (table mynumbers_v1, kept by migration 5): sealed,
 * indexed, masked, then the old table dropped. */
static int
move_numbers(struct store *st, int *moved, struct err *e)
{
	sqlite3_stmt *q, *ins;
	int r, rc;

	*moved = 0;
	if (!table_exists(st->db, "mynumbers_v1"))
		return 0;
	if ((r = sql_prepare(st->db, "SELECT atena, mynumber, updated_at, updated_by "
	    "FROM mynumbers_v1", &q, e)) != 0)
		return r;
	if ((r = mynumber_stmt_prepare(st->db, 0, &ins, e)) != 0) {
		sqlite3_finalize(q);
		return r;
	}
	while (r == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		char atena[16], num[16], by[STORE_NAME_MAX];

		sql_col_text(q, 0, atena, sizeof(atena));
		sql_col_text(q, 1, num, sizeof(num));
		sql_col_text(q, 3, by, sizeof(by));
		r = mynumber_stmt_run(st->db, ins, atena, num, by[0] ? by : "v0.1.0",
		    &st->fk, e);
		sodium_memzero(num, sizeof(num));
		if (r == 0)
			(*moved)++;
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(q);
	if (r == 0)
		r = sql_exec(st->db, "DROP TABLE mynumbers_v1", e);
	return r;
}

/* DV/不開示 addresses still plain (persons and their history). */
static int
seal_addresses(struct store *st, const char *table, const char *key,
    int *sealed_n, struct err *e)
{
	char sql[256];
	sqlite3_stmt *q, *up;
	int r, rc;

	snprintf(sql, sizeof(sql), "SELECT %s, postal, address FROM %s WHERE "
	    "(dv = 1 OR nondisclose = 1) AND address_sealed IS NULL AND "
	    "(postal <> '' OR address <> '')", key, table);
	if ((r = sql_prepare(st->db, sql, &q, e)) != 0)
		return r;
	snprintf(sql, sizeof(sql), "UPDATE %s SET postal = '', address = '', "
	    "address_sealed = ?2 WHERE %s = ?1", table, key);
	if ((r = sql_prepare(st->db, sql, &up, e)) != 0) {
		sqlite3_finalize(q);
		return r;
	}
	/* persons first: its history trigger copies each old row, plain,
	 * into person_history, which is sealed after it */
	while (r == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		char buf[300];
		uint8_t *c = NULL;
		size_t cn;
		int n = snprintf(buf, sizeof(buf), "%s\n%s",
		    (const char *)sqlite3_column_text(q, 1),
		    (const char *)sqlite3_column_text(q, 2));

		if (n < 0 || (size_t)n >= sizeof(buf))
			n = (int)sizeof(buf) - 1;
		r = field_seal(st->fk.addr_pk, buf, (size_t)n, &c, &cn, e);
		sodium_memzero(buf, sizeof(buf));
		if (r != 0)
			break;
		sqlite3_bind_value(up, 1, sqlite3_column_value(q, 0));
		sqlite3_bind_blob(up, 2, c, (int)cn, SQLITE_TRANSIENT);
		rc = sqlite3_step(up);
		sqlite3_reset(up);
		free(c);
		if (rc != SQLITE_DONE)
			r = sql_err(st->db, sqlite3_extended_errcode(st->db), e, table);
		else
			(*sealed_n)++;
	}
	sqlite3_finalize(up);
	sqlite3_finalize(q);
	return r;
}

/* The sync keys v0.1.0 kept as plain settings. */
static int
move_secrets(struct store *st, struct err *e)
{
	static const char *const names[] = { "sync.private_key", "sync.sign_key" };
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(names) / sizeof(names[0]); i++) {
		char v[256];
		sqlite3_stmt *q;

		if (store_setting_get(st, names[i], v, sizeof(v), NULL) != 0)
			continue;
		r = store_secret_set(st, names[i], v, strlen(v), e);
		sodium_memzero(v, sizeof(v));
		if (r == 0 && (r = sql_prepare(st->db, "DELETE FROM settings WHERE "
		    "key = ?", &q, e)) == 0) {
			sql_bind_text(q, 1, names[i]);
			if (sqlite3_step(q) != SQLITE_DONE)
				r = sql_err(st->db, sqlite3_extended_errcode(st->db), e,
				    "settings");
			sqlite3_finalize(q);
		}
	}
	return r;
}

static int
insert_right(struct store *st, const char *right, const uint8_t *sk,
    struct err *e)
{
	uint8_t pk[STORE_PK_LEN];
	sqlite3_stmt *q;
	int r, rc;

	crypto_scalarmult_base(pk, sk);
	if ((r = sql_prepare(st->db, "INSERT OR REPLACE INTO right_keys VALUES (?, ?)",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, right);
	sqlite3_bind_blob(q, 2, pk, STORE_PK_LEN, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 :
	    sql_err(st->db, sqlite3_extended_errcode(st->db), e, "right key");
}

/* In one transaction: everything the account's first login on the new
 * model writes into the database (st->key = K || terminal key once the
 * bridge is read or made; st->sk/pk the account's new pair). */
static int
convert_db(struct store *st, const char *user, int first, struct err *e)
{
	uint8_t *bp;
	char detail[200];
	int r, have, moved = 0, addrs = 0;

	if ((bp = sodium_malloc(BRIDGE_PLAIN)) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	if ((r = sql_tx_begin(st->db, e)) != 0) {
		sodium_free(bp);
		return r;
	}
	if ((have = bridge_get(st, bp, e)) < 0) {
		r = have;
		goto out;
	}
	if (!have) {
		if (!first) {
			r = err_set_ja(e, ERR_PERM,
			    "古いパスワードは使えなくなりました。管理者にパスワードの再設定を依頼してください",
			    "this account's old (format 1) key slot predates a re-key: "
			    "an administrator sets a new password");
			goto out;
		}
		randombytes_buf(bp, BRIDGE_PLAIN);	/* T, then two secret keys */
		if ((r = bridge_put(st, bp, e)) != 0 ||
		    (r = insert_right(st, "mynumber", bp + 32, e)) != 0 ||
		    (r = insert_right(st, "address", bp + 64, e)) != 0)
			goto out;
	}
	memcpy(st->key + STORE_KEY_LEN, bp, 32);
	rights_clear(st);
	if ((r = rights_hold(st, "mynumber", bp + 32, e)) != 0 ||
	    (r = rights_hold(st, "address", bp + 64, e)) != 0 ||
	    (r = fieldkeys_load(st, e)) != 0 ||
	    (r = account_key_set(st->db, user, st->pk, e)) != 0 ||
	    (r = move_numbers(st, &moved, e)) != 0 ||
	    (r = seal_addresses(st, "persons", "atena", &addrs, e)) != 0 ||
	    (r = seal_addresses(st, "person_history", "id", &addrs, e)) != 0 ||
	    (r = move_secrets(st, e)) != 0 ||
	    (r = store_rights_sync(st, NULL, e)) != 0)
		goto out;
	snprintf(detail, sizeof(detail), "account converted from a v0.1.0 key slot%s: "
	    "%d 個人番号 and %d protected addresses sealed",
	    first ? " (the store's first conversion)" : "", moved, addrs);
	r = store_audit_append(st, user, NULL, "store.convert", NULL, "login",
	    detail, e);
out:
	sodium_free(bp);
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	return r;
}

/* Count a wrong password in the old slot (AC-4 holds on old slots too). */
static int
v1_count_failure(struct v1_file *f, struct v1_slot *s, const char *path,
    struct err *e)
{
	s->failures = s->failures < 255 ? s->failures + 1 : 255;
	if (s->failures >= STORE_LOGIN_ATTEMPTS) {
		s->flags |= V1_LOCKED;
		err_set_ja(e, ERR_LOCKED,
		    "パスワードを3回間違えたため、アカウントをロックしました",
		    "wrong password; account now locked (AC-4)");
	} else {
		char ja[128];

		snprintf(ja, sizeof(ja), "パスワードが違います（あと%d回でロック）",
		    STORE_LOGIN_ATTEMPTS - s->failures);
		err_set_ja(e, ERR_AUTH, ja, "wrong password (%d of %d)", s->failures,
		    STORE_LOGIN_ATTEMPTS);
	}
	v1_save(f, path, NULL);
	return s->failures >= STORE_LOGIN_ATTEMPTS ? ERR_LOCKED : ERR_AUTH;
}

int
legacy_login(struct store *st, const char *user, const char *password,
    int *done, struct err *e)
{
	char kpath[4200], v1path[4200];
	struct v1_file *f = NULL;
	struct v1_slot *s;
	struct store_keyslots *ks = NULL;
	int r, first;

	*done = 0;
	if ((r = keyslots_path(st->dir, kpath, sizeof(kpath), e)) != 0 ||
	    (r = store_path(st->dir, STORE_KEYS_FILE ".v1", v1path, sizeof(v1path),
	    e)) != 0)
		return r;
	first = legacy_is_v1(kpath);
	if (!first) {
		if (access(v1path, F_OK) != 0)
			return 0;
		if ((r = store_keyslots_load(kpath, &ks, e)) != 0)
			return r;
		if (store_keyslots_has(ks, user) || (r = v1_load(v1path, &f, e)) != 0 ||
		    v1_find(f, user) == NULL) {
			store_keyslots_free(ks);
			v1_free(f);
			return r;
		}
	} else if ((r = v1_load(kpath, &f, e)) != 0)
		return r;
	*done = 1;
	if ((s = v1_find(f, user)) == NULL) {
		r = err_set_ja(e, ERR_NOTFOUND, "利用者IDが登録されていません",
		    "unknown account");
		goto out;
	}
	if (s->flags & V1_DISABLED) {
		r = err_set_ja(e, ERR_PERM, "アカウントは無効です", "account disabled");
		goto out;
	}
	if (s->flags & V1_LOCKED) {
		r = err_set_ja(e, ERR_LOCKED,
		    "アカウントがロックされています。管理者に解除を依頼してください",
		    "account locked after %d wrong passwords", STORE_LOGIN_ATTEMPTS);
		goto out;
	}
	if ((r = v1_unlock(f, s, password, st->key, e)) != 0) {
		if (r == ERR_AUTH)
			r = v1_count_failure(f, s, first ? kpath : v1path, e);
		goto out;
	}
	if ((r = store_attach_db(st, e)) != 0)
		goto out;
	{
		struct account a;

		if ((r = account_load(st->db, user, &a, e)) != 0 || a.disabled ||
		    (a.valid_until != 0 && a.valid_until < store_today_ymd())) {
			/* not converted: store_open says why */
			r = 0;
			*done = 2;
			goto out;
		}
	}
	crypto_box_keypair(st->pk, st->sk);
	if ((r = convert_db(st, user, first, e)) != 0)
		goto out;
	/* the files: the old slots that remain first, then the new slot */
	v1_remove(f, s);
	if (first && (r = store_keyslots_new(&ks, e)) != 0)
		goto out;
	if ((r = store_keyslots_set(ks, user, password, st->key, st->sk, NULL, e)) != 0)
		goto out;
	if (f->n > 0) {
		if ((r = v1_save(f, v1path, e)) != 0)
			goto out;
	}
	if ((r = store_keyslots_save(ks, kpath, e)) != 0)
		goto out;
	if (f->n == 0) {
		unlink(v1path);
		if ((r = legacy_bridge_drop(st->db, e)) != 0)
			goto out;
		log_info("%s: the last v0.1.0 key slot was converted", st->dir);
	}
	log_info("account %s converted from a v0.1.0 key slot", user);
out:
	store_keyslots_free(ks);
	v1_free(f);
	return r;
}
