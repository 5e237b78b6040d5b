/*
 * rights.c — rights backed by keys (issue 15, with issue 14's rights): the
 * right key pairs, their grants sealed to entitled accounts, sealed fields,
 * the 個人番号 blind index and the terminal's own secrets.
 *
 * A right ("mynumber", "address") has an X25519 key pair: the public key in
 * right_keys, the secret key sealed (crypto_box_seal) to the public key of
 * every entitled account in right_grants.  Anyone writes a protected field
 * by sealing it to the right's public key; a session opens it only with a
 * grant its account's secret key opens.  A grant can only be written by a
 * session that holds the right: store_rights_sync, run at every open and
 * after every account change, writes what it can and counts the rest as
 * pending, so a grant pulled by sync lands at the next login of anyone who
 * holds the right, without the grantee's password.
 *
 * The terminal key (in every slot) gives two subkeys: the blind-index key
 * (crypto_kdf id 1, "mdgblind") and the secrets key (id 2, "mdgsecrt").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

static const char *const rights_all[] = { "mynumber", "address", NULL };

/*
 * Who holds a right's key (disabled accounts never do).  Administrators are
 * the custodians of every right key: they grant the rights, and a right key
 * nobody holds is lost for good — every field sealed to it could never be
 * opened again and no later grant could be written.  Without custodians
 * that happened at the first sync of a store whose administrator the
 * central lists without view-mynumber (the pulled account row withdrew the
 * only grant).  Whether a screen or command shows the field is the
 * account's flag (view_mynumber), checked by the caller as before.
 */
static const char *
entitled_sql(const char *right)
{
	if (strcmp(right, "mynumber") == 0)
		return "SELECT a.name, k.pk FROM accounts a JOIN account_keys k "
		    "ON k.name = a.name WHERE (a.view_mynumber = 1 OR "
		    "a.role = 'admin') AND a.disabled = 0 AND ?2 IS NOT NULL";
	if (strcmp(right, "address") == 0)
		return "SELECT a.name, k.pk FROM accounts a JOIN account_keys k "
		    "ON k.name = a.name WHERE a.role = 'admin' AND a.disabled = 0 "
		    "AND ?2 IS NOT NULL";
	/* sensitive:PROC (issue 14): the per-procedure flag, ?2 = PROC */
	if (strncmp(right, STORE_RIGHT_SENSITIVE, strlen(STORE_RIGHT_SENSITIVE)) == 0)
		return "SELECT a.name, k.pk FROM accounts a JOIN account_keys k "
		    "ON k.name = a.name WHERE a.disabled = 0 AND (a.role = 'admin' "
		    "OR EXISTS (SELECT 1 FROM account_perms p WHERE p.name = a.name "
		    "AND p.procedure = ?2 AND p.sensitive = 1))";
	return NULL;
}

/* The parameter ?2 of entitled_sql: the procedure of sensitive:PROC, ""
 * for the others. */
static const char *
right_param(const char *right)
{
	size_t n = strlen(STORE_RIGHT_SENSITIVE);

	return strncmp(right, STORE_RIGHT_SENSITIVE, n) == 0 ? right + n : "";
}

int
store_right_sensitive(const char *procedure, char out[STORE_RIGHT_MAX])
{
	out[0] = '\0';
	if (procedure == NULL || *procedure == '\0' ||
	    strlen(procedure) >= STORE_NAME_MAX)
		return ERR_INVAL;
	for (const char *c = procedure; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return ERR_INVAL;
	snprintf(out, STORE_RIGHT_MAX, "%s%s", STORE_RIGHT_SENSITIVE, procedure);
	return 0;
}

void
fieldkeys_clear(struct field_keys *fk)
{
	if (fk->idx != NULL)
		sodium_free(fk->idx);
	memset(fk, 0, sizeof(*fk));
}

static int
right_pk(sqlite3 *db, const char *right, uint8_t pk[STORE_PK_LEN], struct err *e)
{
	sqlite3_stmt *q;
	int r, rc, found = 0;

	if ((r = sql_prepare(db, "SELECT pk FROM right_keys WHERE name = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, right);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW &&
	    sqlite3_column_bytes(q, 0) == STORE_PK_LEN) {
		memcpy(pk, sqlite3_column_blob(q, 0), STORE_PK_LEN);
		found = 1;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_err(db, sqlite3_extended_errcode(db), e, "right key");
	return found;
}

int
fieldkeys_load(struct store *st, struct err *e)
{
	struct field_keys *fk = &st->fk;
	int r;

	fieldkeys_clear(fk);
	if ((fk->idx = sodium_malloc(32)) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	crypto_kdf_derive_from_key(fk->idx, 32, 1, "mdgblind", st->key + STORE_KEY_LEN);
	if ((r = right_pk(st->db, "mynumber", fk->mn_pk, e)) < 0)
		return r;
	fk->have_mn = r;
	if ((r = right_pk(st->db, "address", fk->addr_pk, e)) < 0)
		return r;
	fk->have_addr = r;
	return 0;
}

const struct field_keys *
fieldkeys_ephemeral(void)
{
	static struct field_keys fk;
	static uint8_t idx[32];
	static int done;
	uint8_t sk[32];

	if (!done) {
		if (sodium_init() < 0)
			abort();
		randombytes_buf(idx, sizeof(idx));
		crypto_box_keypair(fk.mn_pk, sk);
		crypto_box_keypair(fk.addr_pk, sk);
		sodium_memzero(sk, sizeof(sk));
		fk.idx = idx;
		fk.have_mn = fk.have_addr = 1;
		done = 1;
	}
	return &fk;
}

void
mynumber_index(const struct field_keys *fk, const char *mynumber,
    uint8_t out[MN_IDX_LEN])
{
	crypto_generichash(out, MN_IDX_LEN, (const uint8_t *)mynumber,
	    strlen(mynumber), fk->idx, 32);
}

int
field_seal(const uint8_t pk[STORE_PK_LEN], const void *m, size_t n,
    uint8_t **out, size_t *outn, struct err *e)
{
	*out = malloc(n + crypto_box_SEALBYTES);
	if (*out == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (crypto_box_seal(*out, m, n, pk) != 0) {
		free(*out);
		*out = NULL;
		return err_set(e, ERR_CRYPTO, "crypto_box_seal failed");
	}
	*outn = n + crypto_box_SEALBYTES;
	return 0;
}

const uint8_t *
right_sk(const struct store *st, const char *right)
{
	for (size_t i = 0; i < st->nrights; i++)
		if (strcmp(st->rights[i].name, right) == 0)
			return st->rights[i].sk;
	return NULL;
}

int
store_right_held(const struct store *st, const char *right)
{
	return right != NULL && right_sk(st, right) != NULL;
}

int
field_open(const struct store *st, const char *right, const void *c, size_t n,
    char *out, size_t cap, struct err *e)
{
	const uint8_t *sk = right_sk(st, right);
	uint8_t pk[STORE_PK_LEN];

	out[0] = '\0';
	if (sk == NULL)
		return err_set_ja(e, ERR_PERM, "この情報を見る権限がありません",
		    "the account does not hold the right \"%s\"", right);
	if (n < crypto_box_SEALBYTES || n - crypto_box_SEALBYTES >= cap)
		return err_set(e, ERR_CORRUPT, "sealed field of a bad length");
	crypto_scalarmult_base(pk, sk);
	if (crypto_box_seal_open((uint8_t *)out, c, n, pk, sk) != 0) {
		sodium_memzero(out, cap);
		return err_set(e, ERR_CORRUPT, "a sealed field does not open");
	}
	out[n - crypto_box_SEALBYTES] = '\0';
	return 0;
}

void
rights_clear(struct store *st)
{
	for (size_t i = 0; i < st->nrights; i++)
		if (st->rights[i].sk != NULL)
			sodium_free(st->rights[i].sk);
	memset(st->rights, 0, sizeof(st->rights));
	st->nrights = 0;
}

int
rights_hold(struct store *st, const char *right, const uint8_t *sk, struct err *e)
{
	struct held_right *h;

	if (right_sk(st, right) != NULL)
		return 0;
	if (st->nrights == STORE_RIGHTS_MAX)
		return err_set(e, ERR_RANGE, "too many rights");
	h = &st->rights[st->nrights];
	if ((h->sk = sodium_malloc(32)) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	memcpy(h->sk, sk, 32);
	snprintf(h->name, sizeof(h->name), "%s", right);
	st->nrights++;
	return 0;
}

int
account_key_set(sqlite3 *db, const char *name, const uint8_t pk[STORE_PK_LEN],
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	/* Grants and the account's own secret (TOTP) sealed to an older key
	 * pair of the account no longer open. */
	for (int i = 0; i < 2; i++) {
		if ((r = sql_prepare(db, i == 0 ?
		    "DELETE FROM right_grants WHERE account = ?1 AND NOT EXISTS "
		    "(SELECT 1 FROM account_keys WHERE name = ?1 AND pk = ?2)" :
		    "DELETE FROM account_totp WHERE name = ?1 AND NOT EXISTS "
		    "(SELECT 1 FROM account_keys WHERE name = ?1 AND pk = ?2)",
		    &q, e)) != 0)
			return r;
		sql_bind_text(q, 1, name);
		sqlite3_bind_blob(q, 2, pk, STORE_PK_LEN, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			return sql_err(db, sqlite3_extended_errcode(db), e, "account key");
	}
	if ((r = sql_prepare(db, "INSERT OR REPLACE INTO account_keys VALUES (?, ?)",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, name);
	sqlite3_bind_blob(q, 2, pk, STORE_PK_LEN, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(db, sqlite3_extended_errcode(db), e, "account key");
	return 0;
}

int
rights_create(struct store *st, struct err *e)
{
	uint8_t pk[STORE_PK_LEN], *sk;
	int r = 0;

	if ((sk = sodium_malloc(32)) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	for (int i = 0; rights_all[i] != NULL && r == 0; i++) {
		sqlite3_stmt *q;
		int rc;

		crypto_box_keypair(pk, sk);
		if ((r = sql_prepare(st->db, "INSERT INTO right_keys VALUES (?, ?)",
		    &q, e)) != 0)
			break;
		sql_bind_text(q, 1, rights_all[i]);
		sqlite3_bind_blob(q, 2, pk, STORE_PK_LEN, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			r = sql_err(st->db, sqlite3_extended_errcode(st->db), e, "right key");
		else
			r = rights_hold(st, rights_all[i], sk, e);
	}
	sodium_free(sk);
	if (r == 0)
		r = fieldkeys_load(st, e);
	if (r == 0)
		r = store_rights_sync(st, NULL, e);
	return r;
}

int
rights_open(struct store *st, struct err *e)
{
	sqlite3_stmt *q;
	uint8_t *sk;
	int r, rc;

	rights_clear(st);
	if ((r = sql_prepare(st->db, "SELECT right, sealed FROM right_grants "
	    "WHERE account = ?", &q, e)) != 0)
		return r;
	if ((sk = sodium_malloc(32)) == NULL) {
		sqlite3_finalize(q);
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	}
	sql_bind_text(q, 1, st->user.name);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char right[80];

		sql_col_text(q, 0, right, sizeof(right));
		if (sqlite3_column_bytes(q, 1) != 32 + crypto_box_SEALBYTES ||
		    crypto_box_seal_open(sk, sqlite3_column_blob(q, 1),
		    32 + crypto_box_SEALBYTES, st->pk, st->sk) != 0) {
			log_warn("a grant of the right %s does not open for this "
			    "account (sealed to an older key pair)", right);
			continue;
		}
		if ((r = rights_hold(st, right, sk, e)) != 0)
			break;
	}
	sodium_free(sk);
	sqlite3_finalize(q);
	if (r == 0 && rc != SQLITE_DONE)
		r = sql_err(st->db, sqlite3_extended_errcode(st->db), e, "grants");
	return r;
}

static int
grant_exists(sqlite3 *db, const char *right, const char *account)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM right_grants WHERE right = ? "
	    "AND account = ?", -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, right, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, account, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW;
}

/* Write the grants of one right this session can write; count the rest. */
static int
rights_sync_one(struct store *st, const char *right, int *waiting,
    struct err *e)
{
	const char *sql = entitled_sql(right);
	const uint8_t *sk = right_sk(st, right);
	char del[768];
	sqlite3_stmt *q;
	int r = 0, rc;

	if (sql == NULL)
		return 0;
	/* Withdrawn: the grant goes (the right key is not rotated). */
	snprintf(del, sizeof(del), "DELETE FROM right_grants WHERE right = ?1 "
	    "AND account NOT IN (SELECT name FROM (%s))", sql);
	if ((r = sql_prepare(st->db, del, &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, right);
	sql_bind_text(q, 2, right_param(right));
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "grants");
	if ((r = sql_prepare(st->db, sql, &q, e)) != 0)
		return r;
	sql_bind_text(q, 2, right_param(right));
	while (r == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		char name[STORE_NAME_MAX];
		uint8_t sealed[32 + crypto_box_SEALBYTES];
		sqlite3_stmt *ins;

		sql_col_text(q, 0, name, sizeof(name));
		if (grant_exists(st->db, right, name) ||
		    sqlite3_column_bytes(q, 1) != STORE_PK_LEN)
			continue;
		if (sk == NULL) {
			(*waiting)++;
			continue;
		}
		crypto_box_seal(sealed, sk, 32, sqlite3_column_blob(q, 1));
		if ((r = sql_prepare(st->db, "INSERT INTO right_grants "
		    "VALUES (?, ?, ?)", &ins, e)) != 0)
			break;
		sql_bind_text(ins, 1, right);
		sql_bind_text(ins, 2, name);
		sqlite3_bind_blob(ins, 3, sealed, sizeof(sealed), SQLITE_TRANSIENT);
		rc = sqlite3_step(ins);
		sqlite3_finalize(ins);
		if (rc != SQLITE_DONE)
			r = sql_err(st->db, sqlite3_extended_errcode(st->db), e,
			    "grants");
		else
			log_info("right %s granted to %s", right, name);
	}
	sqlite3_finalize(q);
	return r;
}

int
store_rights_sync(struct store *st, int *pending, struct err *e)
{
	sqlite3_stmt *q;
	int r = 0, rc, waiting = 0;

	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	for (int i = 0; rights_all[i] != NULL && r == 0; i++)
		r = rights_sync_one(st, rights_all[i], &waiting, e);
	/* the rights created on first use (sensitive:PROC) */
	if (r == 0 && (r = sql_prepare(st->db, "SELECT name FROM right_keys "
	    "WHERE name NOT IN ('mynumber', 'address') ORDER BY name", &q, e)) == 0) {
		while (r == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
			char right[STORE_RIGHT_MAX];

			sql_col_text(q, 0, right, sizeof(right));
			r = rights_sync_one(st, right, &waiting, e);
		}
		sqlite3_finalize(q);
	}
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	if (pending != NULL)
		*pending = waiting;
	return r;
}

/* -------------------------------------------- sealing to any right (API) */

/* The right's public key, creating the right (a new key pair, granted at
 * once to every entitled account with a key) when it is a sensitive:PROC
 * right used for the first time.  The creating session forgets the secret
 * key unless its own account is entitled (rights_open decides). */
static int
right_pk_or_create(struct store *st, const char *right,
    uint8_t pk[STORE_PK_LEN], struct err *e)
{
	uint8_t *sk;
	sqlite3_stmt *q;
	int r, rc;

	if ((r = right_pk(st->db, right, pk, e)) != 0)
		return r < 0 ? r : 0;
	if (entitled_sql(right) == NULL || strcmp(right, "mynumber") == 0 ||
	    strcmp(right, "address") == 0)
		return err_set(e, ERR_NOTFOUND, "no right \"%s\"", right);
	if ((sk = sodium_malloc(32)) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	crypto_box_keypair(pk, sk);
	if ((r = sql_tx_begin(st->db, e)) != 0) {
		sodium_free(sk);
		return r;
	}
	if ((r = sql_prepare(st->db, "INSERT OR IGNORE INTO right_keys VALUES (?, ?)",
	    &q, e)) == 0) {
		sql_bind_text(q, 1, right);
		sqlite3_bind_blob(q, 2, pk, STORE_PK_LEN, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			r = sql_err(st->db, sqlite3_extended_errcode(st->db), e, "right key");
		else if (sqlite3_changes(st->db) == 1) {
			int waiting = 0;

			/* ours: grant it to everyone entitled, then keep it only
			 * when this account is one of them */
			if ((r = rights_hold(st, right, sk, e)) == 0)
				r = rights_sync_one(st, right, &waiting, e);
			log_info("right %s created", right);
		}
	}
	sodium_free(sk);
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	if (r == 0 && (r = rights_open(st, e)) == 0 &&
	    (r = right_pk(st->db, right, pk, e)) == 1)
		r = 0;
	else if (r == 0)
		r = err_set(e, ERR_STATE, "right \"%s\" vanished", right);
	return r;
}

int
store_seal_right(struct store *st, const char *right, const void *m, size_t n,
    uint8_t **out, size_t *outn, struct err *e)
{
	uint8_t pk[STORE_PK_LEN];
	int r;

	*out = NULL;
	*outn = 0;
	if (right == NULL || strlen(right) >= STORE_RIGHT_MAX)
		return err_set(e, ERR_INVAL, "bad right name");
	if ((r = right_pk_or_create(st, right, pk, e)) != 0)
		return r;
	return field_seal(pk, m, n, out, outn, e);
}

int
store_open_right(struct store *st, const char *right, const void *c, size_t n,
    void *out, size_t cap, size_t *outn, struct err *e)
{
	const uint8_t *sk = right != NULL ? right_sk(st, right) : NULL;
	uint8_t pk[STORE_PK_LEN];

	*outn = 0;
	if (sk == NULL)
		return err_set_ja(e, ERR_PERM, "この情報を見る権限がありません",
		    "the account does not hold the right \"%s\"", right ? right : "");
	if (n < crypto_box_SEALBYTES || n - crypto_box_SEALBYTES > cap)
		return err_set(e, ERR_RANGE, "sealed field larger than the buffer");
	crypto_scalarmult_base(pk, sk);
	if (crypto_box_seal_open(out, c, n, pk, sk) != 0) {
		sodium_memzero(out, cap);
		return err_set(e, ERR_CORRUPT, "a sealed field does not open");
	}
	*outn = n - crypto_box_SEALBYTES;
	return 0;
}

/* ------------------------------------------ a secret of one account (TOTP) */

int
store_account_secret_set(struct store *st, const char *name, const void *v,
    size_t n, struct err *e)
{
	uint8_t pk[STORE_PK_LEN], *c = NULL;
	sqlite3_stmt *q;
	size_t cn;
	int r, rc, found = 0;

	if (n == 0 || n > 4096)
		return err_set(e, ERR_RANGE, "secret of a bad length");
	if ((r = sql_prepare(st->db, "SELECT pk FROM account_keys WHERE name = ?",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, name);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW &&
	    sqlite3_column_bytes(q, 0) == STORE_PK_LEN) {
		memcpy(pk, sqlite3_column_blob(q, 0), STORE_PK_LEN);
		found = 1;
	}
	sqlite3_finalize(q);
	if (!found)
		return err_set(e, ERR_NOTFOUND, "account \"%s\" has no key pair "
		    "(no password yet)", name);
	if ((r = field_seal(pk, v, n, &c, &cn, e)) != 0)
		return r;
	if ((r = sql_prepare(st->db, "INSERT OR REPLACE INTO account_totp "
	    "VALUES (?, ?)", &q, e)) == 0) {
		sql_bind_text(q, 1, name);
		sqlite3_bind_blob(q, 2, c, (int)cn, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			r = sql_err(st->db, sqlite3_extended_errcode(st->db), e,
			    "account secret");
	}
	free(c);
	return r;
}

int
store_account_secret_get(struct store *st, const char *name, void *out,
    size_t cap, size_t *n, struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	*n = 0;
	if (name == NULL || strcmp(name, st->user.name) != 0)
		return err_set(e, ERR_PERM, "only the account itself opens its secret");
	if ((r = sql_prepare(st->db, "SELECT sealed FROM account_totp WHERE name = ?",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, name);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const uint8_t *c = sqlite3_column_blob(q, 0);
		size_t cn = (size_t)sqlite3_column_bytes(q, 0);

		if (cn < crypto_box_SEALBYTES || cn - crypto_box_SEALBYTES > cap)
			r = err_set(e, ERR_CORRUPT, "account secret of a bad length");
		else if (crypto_box_seal_open(out, c, cn, st->pk, st->sk) != 0) {
			sodium_memzero(out, cap);
			r = err_set(e, ERR_CORRUPT, "the account secret does not open "
			    "(sealed to an older key pair)");
		} else
			*n = cn - crypto_box_SEALBYTES;
	} else if (rc == SQLITE_DONE)
		r = err_set(e, ERR_NOTFOUND, "no secret for \"%s\"", name);
	else
		r = sql_err(st->db, sqlite3_extended_errcode(st->db), e, "account secret");
	sqlite3_finalize(q);
	return r;
}

int
store_account_secret_delete(struct store *st, const char *name, struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	if ((r = sql_prepare(st->db, "DELETE FROM account_totp WHERE name = ?",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, name);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e,
		    "account secret");
	return sqlite3_changes(st->db) > 0 ? 0 :
	    err_set(e, ERR_NOTFOUND, "no secret for \"%s\"", name);
}

/* ------------------------------------------------- the terminal's secrets */

static int
secrets_key(const struct store *st, uint8_t *k)
{
	return crypto_kdf_derive_from_key(k, 32, 2, "mdgsecrt",
	    st->key + STORE_KEY_LEN);
}

int
store_secret_set(struct store *st, const char *name, const void *v, size_t n,
    struct err *e)
{
	enum { NB = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	    AB = crypto_aead_xchacha20poly1305_ietf_ABYTES };
	uint8_t *k, *c;
	sqlite3_stmt *q;
	int r, rc;

	if (n > 4096)
		return err_set(e, ERR_RANGE, "secret too long");
	if ((c = malloc(NB + n + AB)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((k = sodium_malloc(32)) == NULL) {
		free(c);
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	}
	secrets_key(st, k);
	randombytes_buf(c, NB);
	crypto_aead_xchacha20poly1305_ietf_encrypt(c + NB, NULL, v, n,
	    (const uint8_t *)name, strlen(name), NULL, c, k);
	sodium_free(k);
	if ((r = sql_prepare(st->db, "INSERT OR REPLACE INTO sealed_settings "
	    "VALUES (?, ?)", &q, e)) == 0) {
		sql_bind_text(q, 1, name);
		sqlite3_bind_blob(q, 2, c, (int)(NB + n + AB), SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			r = sql_err(st->db, sqlite3_extended_errcode(st->db), e, "secret");
	}
	free(c);
	return r;
}

int
store_secret_get(struct store *st, const char *name, void *out, size_t cap,
    size_t *n, struct err *e)
{
	enum { NB = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	    AB = crypto_aead_xchacha20poly1305_ietf_ABYTES };
	sqlite3_stmt *q;
	uint8_t *k;
	int r, rc;

	*n = 0;
	if ((r = sql_prepare(st->db, "SELECT value FROM sealed_settings "
	    "WHERE key = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, name);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(q);
		if (rc == SQLITE_DONE)
			return err_set(e, ERR_NOTFOUND, "no secret %s", name);
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "secret");
	}
	{
		const uint8_t *c = sqlite3_column_blob(q, 0);
		size_t cn = (size_t)sqlite3_column_bytes(q, 0);

		if (cn < NB + AB || cn - NB - AB > cap) {
			sqlite3_finalize(q);
			return err_set(e, ERR_CORRUPT, "secret %s of a bad length", name);
		}
		if ((k = sodium_malloc(32)) == NULL) {
			sqlite3_finalize(q);
			return err_set(e, ERR_NOMEM, "sodium_malloc");
		}
		secrets_key(st, k);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, c + NB,
		    cn - NB, (const uint8_t *)name, strlen(name), c, k) != 0)
			r = err_set(e, ERR_CORRUPT, "secret %s does not open", name);
		else
			*n = cn - NB - AB;
		sodium_free(k);
	}
	sqlite3_finalize(q);
	return r;
}
