/*
 * store-int.h — what the files of src/store share and nothing else sees:
 * the store handle, the VFS key context, SQL helpers and clocks.
 */
#ifndef MDG_STORE_INT_H
#define MDG_STORE_INT_H

#include <sqlite3.h>

#include "core.h"
#include "store.h"

/* vfs.c: the reference-counted key context handed to the VFS via the URI. */
struct vfs_key;
int vfs_key_new(const uint8_t key[STORE_KEY_LEN], struct vfs_key **out,
    struct err *e);
void vfs_key_unref(struct vfs_key *k);
/* "mdgkey=<hex>" for the open URI. */
int vfs_key_uri(const struct vfs_key *k, char *out, size_t cap);

/* rights.c: what a writer needs to seal a protected field and index a
 * number (public keys and the blind-index key), on any connection. */
struct field_keys {
	int have_mn, have_addr;
	uint8_t mn_pk[STORE_PK_LEN];	/* right "mynumber" */
	uint8_t addr_pk[STORE_PK_LEN];	/* right "address" */
	uint8_t *idx;			/* sodium_malloc 32: blind-index key */
};

#define STORE_RIGHTS_MAX 40
struct held_right {
	char name[80];
	uint8_t *sk;			/* sodium_malloc */
};

struct store {
	sqlite3 *db;
	char dir[4096];
	uint8_t *key;			/* sodium_malloc, 64: database key ||
					 * terminal key (STORE_SLOT_KEYS_LEN) */
	uint8_t *sk;			/* sodium_malloc 32: the account's
					 * X25519 secret key */
	uint8_t pk[STORE_PK_LEN];
	struct field_keys fk;
	struct held_right rights[STORE_RIGHTS_MAX];
	size_t nrights;
	struct account user;
	int tx_depth;			/* store_tx nesting */
};

/* rights.c */
/* Load the right public keys and derive the blind-index key (open_db). */
int fieldkeys_load(struct store *st, struct err *e);
void fieldkeys_clear(struct field_keys *fk);
/* Throw-away keys for writers on a bare connection (benchmarks). */
const struct field_keys *fieldkeys_ephemeral(void);
/* New store: the right key pairs, all granted to the first administrator. */
int rights_create(struct store *st, struct err *e);
/* Open the logged-in account's grants into st->rights. */
int rights_open(struct store *st, struct err *e);
void rights_clear(struct store *st);
/* Hold a right's secret key in this session (copied). */
int rights_hold(struct store *st, const char *right, const uint8_t *sk,
    struct err *e);
/* The held secret key of a right, or NULL. */
const uint8_t *right_sk(const struct store *st, const char *right);
/* Record an account's public key (its slot was created or replaced). */
int account_key_set(sqlite3 *db, const char *name,
    const uint8_t pk[STORE_PK_LEN], struct err *e);
/* Seal to a right's public key: *out malloc'd (n + crypto_box_SEALBYTES). */
int field_seal(const uint8_t pk[STORE_PK_LEN], const void *m, size_t n,
    uint8_t **out, size_t *outn, struct err *e);
/* Open a sealed field with a held right: ERR_PERM when not held, ERR_CORRUPT
 * when it does not open.  out gets n - SEALBYTES bytes plus a NUL. */
int field_open(const struct store *st, const char *right, const void *c,
    size_t n, char *out, size_t cap, struct err *e);
/* Blind index of a 個人番号. */
#define MN_IDX_LEN 16
void mynumber_index(const struct field_keys *fk, const char *mynumber,
    uint8_t out[MN_IDX_LEN]);


/* db.c: map an SQLite result to ERR_* with a message naming what failed. */
int sql_err(sqlite3 *db, int rc, struct err *e, const char *what);
/* Prepare or fail with a message. */
int sql_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct err *e);
/* Run one statement without results. */
int sql_exec(sqlite3 *db, const char *sql, struct err *e);
/* Bind text, NULL or "" binding as "" (never NULL). */
int sql_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Copy column i as text into out (cap bytes, truncated on a UTF-8 boundary). */
void sql_col_text(sqlite3_stmt *st, int i, char *out, size_t cap);
/* Savepoint helpers used by every write function so that they nest inside
 * store_tx: begin, then end with ok=1 (release) or ok=0 (rollback). */
int sql_tx_begin(sqlite3 *db, struct err *e);
int sql_tx_end(sqlite3 *db, int ok, struct err *e);

/* Local time "2025-04-01T09:30:00+0900". */
void store_now(char out[32]);
/* Today as yyyymmdd. */
int store_today_ymd(void);
/* Join dir and name. */
int store_path(const char *dir, const char *name, char *out, size_t cap,
    struct err *e);

/* person.c: kana search key (normalised, no spaces, uppercase ASCII). */
int person_key(const char *in, char *out, size_t cap);
/* Writers on any connection (store and the synthetic loader). */
int person_upsert_db(sqlite3 *db, const struct person *p, const char *by,
    const struct field_keys *fk, struct err *e);
int mynumber_set_db(sqlite3 *db, const char *atena, const char *mynumber,
    const char *by, const struct field_keys *fk, struct err *e);
int cert_save_db(sqlite3 *db, const struct certificate *c, const char *by,
    int64_t *id, struct err *e);
/* Reusable statements for bulk loads: prepare once, run (bind, step,
 * reset) per row, finalize. */
int person_stmt_prepare(sqlite3 *db, int insert_only, sqlite3_stmt **q,
    struct err *e);
int person_stmt_run(sqlite3 *db, sqlite3_stmt *q, const struct person *p,
    const char *by, const struct field_keys *fk, struct err *e);
int mynumber_stmt_prepare(sqlite3 *db, int insert_only, sqlite3_stmt **q,
    struct err *e);
int mynumber_stmt_run(sqlite3 *db, sqlite3_stmt *q, const char *atena,
    const char *mynumber, const char *by, const struct field_keys *fk,
    struct err *e);
int cert_stmt_prepare(sqlite3 *db, sqlite3_stmt **q, struct err *e);
int cert_stmt_run(sqlite3 *db, sqlite3_stmt *q, const struct certificate *c,
    const char *by, int64_t *id, struct err *e);

/* account.c */
int account_load(sqlite3 *db, const char *name, struct account *out,
    struct err *e);
int account_insert(sqlite3 *db, const struct account *a, const char *by,
    int replace, struct err *e);

/* store.c: serialise read-modify-write of the key-slot file between
 * processes (flock on the directory; the file is replaced by rename).
 * Returns an fd (>= 0) to pass to store_dir_unlock, or an error. */
int store_dir_lock(const char *dir, struct err *e);
void store_dir_unlock(int fd);

/* keyslot.c */
int keyslots_path(const char *dir, char *out, size_t cap, struct err *e);
/* Replace path atomically (temp file, fsync, rename, fsync dir), mode 0600. */
int store_write_atomic(const char *path, const void *data, size_t len,
    struct err *e);

/* store.c: finish or undo an interrupted re-key (caller holds the dir
 * lock). */
int rekey_recover(const char *dir, struct err *e);
/* synth.c: the loader with the keys of its connection. */
int synth_load_keys(sqlite3 *db, struct synth *g, size_t n,
    const struct field_keys *fk, struct err *e);

/* store.c: open the database of st->dir with st->key (schema brought up
 * to date, field keys loaded). */
int store_attach_db(struct store *st, struct err *e);

/* legacy.c: stores of v0.1.0 (key-slot format 1).  With the dir lock held
 * and st allocated: when user's slot is a format-1 one, unwrap it, open
 * the database (st->db) and convert the account (files included): *done
 * = 1; *done = 2 when the database is open but the account was not
 * converted (disabled, expired or without a record: the caller refuses
 * it); *done = 0 when nothing of format 1 concerns this login. */
int legacy_login(struct store *st, const char *user, const char *password,
    int *done, struct err *e);
/* 1 when path is a key-slot file of format 1. */
int legacy_is_v1(const char *path);
/* Delete the bridge of a conversion (a re-key does: the old slots no
 * longer open the database). */
int legacy_bridge_drop(sqlite3 *db, struct err *e);

/* mnseal.c: 個人番号 inside application bodies as tokens.  seal: every
 * full number of json sealed (a masked value takes old's token); open: the
 * number with the right, else the masked form.  *out malloc'd. */
int mnseal_body(struct store *st, const char *json, const char *old,
    char **out, struct err *e);
int mnseal_open_body(struct store *st, const char *json, char **out,
    struct err *e);
/* The same for one value (corrections): seal a full number; open in place. */
int mnseal_value(struct store *st, const char *v, char **out, struct err *e);
void mnseal_open_value(struct store *st, char *buf, size_t cap);

/* audit.c: the terminal id setting or "T000". */
void store_terminal_id(struct store *st, char out[64]);

#endif
