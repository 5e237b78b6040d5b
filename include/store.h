/*
 * store.h — the encrypted local store (SPEC 4): SQLite through an encrypting
 * VFS built on libsodium, key slots, the schema and its migrations, the
 * queries the workstation needs, the audit chain, the outbox and the
 * synthetic data generator.
 *
 * Depends on core only (plus SQLite and libsodium).
 *
 * Files of a store directory (see madoguchi(1), FILES):
 *   DIR/store.db       the database; every page sealed with XChaCha20-Poly1305
 *   DIR/store.db-wal   its write-ahead log; every page image sealed the same way
 *   DIR/store.db-shm   WAL index (page numbers, salts, checksums; no content)
 *   DIR/store.keys     key slots (format 2): per account an X25519 key pair
 *                      wrapped under Argon2id(password), and the database and
 *                      terminal keys sealed to its public key (issue 15)
 *   DIR/store.db.rekey, DIR/store.keys.rekey   only during a re-key
 *
 * Conventions: functions return 0 (or a count) or a negative ERR_* and fill
 * the struct err (may be NULL).  Structs with fixed-size char arrays are
 * plain values owned by the caller; the few heap members (char *) are owned
 * by the struct and released by the matching *_clear / *_free function.
 * Strings are UTF-8.  Dates are yyyymmdd integers (0 = none; see
 * date_to_ymd/date_from_ymd in core.h).  Timestamps are local ISO 8601
 * text "2025-04-01T09:30:00+0900".
 *
 * A struct store is one connection; it is not thread-safe.  A background
 * thread opens its own with store_dup().
 */
#ifndef MDG_STORE_H
#define MDG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core.h"

#define STORE_KEY_LEN 32		/* database key */
#define STORE_PAGE_SIZE 4096		/* fixed page size of every encrypted db */
#define STORE_RESERVE 40		/* per-page reserved bytes: nonce 24 + tag 16 */
/* Page cache per connection (PRAGMA cache_size, KiB).  Every page that
 * misses it costs a decryption (~4 us on the reference machine), so it is
 * larger than SQLite's 2 MiB default; plain comparison databases get the
 * same. */
#define STORE_CACHE_KIB 65536		/* [store] cache_mb's default, 64 MiB */
#define STORE_CACHE_KIB_STR "65536"
#define STORE_DB_FILE "store.db"
#define STORE_KEYS_FILE "store.keys"
#define STORE_VFS_NAME "mdg-enc"

#define STORE_NAME_MAX 64		/* account names, procedure codes */
#define STORE_PASSWORD_MAX 256
#define STORE_LOGIN_ATTEMPTS 3		/* AC-4: the third failure locks */

/* ============================================================ the VFS */

/*
 * Register the encrypting VFS ("mdg-enc") over the default unix VFS.
 * Idempotent and safe to call from any opener; it is never made the default.
 * Every page of the main database and every page image in its WAL is sealed
 * with XChaCha20-Poly1305 under a key derived from the database key, a fresh
 * random 24-byte nonce per write, nonce and tag in the page's 40 reserved
 * bytes, associated data = database id + page number.  The database id is
 * derived from the database key (keys are random per database).  Reads of
 * part of a page decrypt the whole page.  A page that fails authentication
 * is SQLITE_IOERR_DATA (ERR_CORRUPT through the store API), logged as
 * "page N of FILE failed authentication", never returned as data.  Rollback
 * journals are refused (the store runs in WAL mode); transient files
 * (statement journals, sorter spills, temp databases) are encrypted with a
 * throw-away per-file key, although temp_store=MEMORY normally avoids them.
 */
int store_vfs_register(struct err *e);

/*
 * Open (creating when absent) an encrypted SQLite database at path with a
 * 32-byte key, for any program: the workstation's store uses it, and so does
 * madoguchi-central for its master database (it keeps its own key file,
 * e.g. with the key-slot functions below).  Sets page size 4096, reserved
 * bytes 40 (before the first table), journal_mode=WAL, temp_store=MEMORY,
 * secure_delete=ON, foreign_keys=ON, busy_timeout 5 s, and checks that the
 * database really is encrypted with this key (a wrong key is ERR_AUTH, a
 * damaged page ERR_CORRUPT).  The key is copied into locked memory that is
 * wiped when the last file of the connection closes: the caller may wipe its
 * copy at once.  The connection is closed with sqlite3_close().
 */
int store_db_open_key(const char *path, const uint8_t key[STORE_KEY_LEN],
    sqlite3 **db, struct err *e);

/* The same on the plain default VFS with the same pragmas (no reserve bytes):
 * for benchmarks and comparisons only, never for personal data. */
int store_db_open_plain(const char *path, sqlite3 **db, struct err *e);

/* A new random database key in sodium_malloc memory (NULL on failure, with
 * e set); release with store_key_free, which wipes it. */
uint8_t *store_key_new(struct err *e);
/* An uninitialised key buffer in sodium_malloc memory (for unlocking). */
uint8_t *store_key_alloc(struct err *e);
void store_key_free(uint8_t *key);

/* ========================================================== key slots */

/*
 * The key-slot file (format 2, issue 15; keyslot.c has the byte layout):
 * one slot per account that has a password.  Each slot holds the account's
 * X25519 key pair — the secret key (with the account name) wrapped with
 * XChaCha20-Poly1305 under Argon2id(password, salt), the Argon2id
 * parameters per slot (never below the libsodium INTERACTIVE limits) — and
 * the slot keys (database key || terminal key, STORE_SLOT_KEYS_LEN) sealed
 * to the account's public key, so a re-key reseals every slot without any
 * password.  A slot is found by a keyed hash of the name: names are not
 * readable in the file.  Each slot also holds the account's consecutive
 * failed-login counter and its locked flag: they are needed before the
 * database can be opened (AC-4).  Disabling or revoking replaces the slot
 * by a tombstone without keys and re-keys the store (store_rekey).
 * A struct store_keyslots is an in-memory copy; nothing reaches the disk
 * until store_keyslots_save, which writes a temp file, fsyncs it, renames it
 * over the old file and fsyncs the directory.
 */
struct store_keyslots;

#define STORE_SLOT_KEYS_LEN 64		/* database key || terminal key */
#define STORE_PK_LEN 32			/* X25519 public key */
#define STORE_SK_LEN 32			/* X25519 secret key */

struct store_kdf {
	uint64_t opslimit;		/* >= crypto_pwhash_OPSLIMIT_INTERACTIVE */
	uint64_t memlimit;		/* >= crypto_pwhash_MEMLIMIT_INTERACTIVE */
};

/* Empty set with a new random file id, generation 1.  Free with
 * store_keyslots_free. */
int store_keyslots_new(struct store_keyslots **out, struct err *e);
/* Read and parse a key-slot file (bounded reader; a malformed file is
 * ERR_FORMAT, a missing one ERR_NOTFOUND; a format-1 file of an older
 * madoguchi is ERR_FORMAT with a message saying so). */
int store_keyslots_load(const char *path, struct store_keyslots **out,
    struct err *e);
/* The same from memory (e.g. a key file kept elsewhere), and the file's
 * bytes (appended to w; 0 or w's sticky error). */
int store_keyslots_parse(const void *p, size_t n, struct store_keyslots **out,
    struct err *e);
int store_keyslots_encode(const struct store_keyslots *ks, struct wbuf *w);
/* Atomic replace (temp file, fsync, rename, fsync dir); mode 0600. */
int store_keyslots_save(const struct store_keyslots *ks, const char *path,
    struct err *e);
void store_keyslots_free(struct store_keyslots *ks);

size_t store_keyslots_count(const struct store_keyslots *ks);
/* Raised by every reseal; sealed into every slot. */
uint64_t store_keyslots_generation(const struct store_keyslots *ks);
/* 1 when the account has a slot. */
int store_keyslots_has(const struct store_keyslots *ks, const char *name);
/* The account's public key; ERR_NOTFOUND. */
int store_keyslots_pk(const struct store_keyslots *ks, const char *name,
    uint8_t pk[STORE_PK_LEN]);

/* Create or replace the slot of name: sk is the account's X25519 secret key
 * to keep (a password change), NULL for a new key pair (a new account, or an
 * administrator's reset: grants sealed to the old public key no longer
 * open).  keys = database key || terminal key.  kdf NULL = INTERACTIVE
 * limits; limits below INTERACTIVE are ERR_RANGE.  A replaced slot's
 * counters are reset. */
int store_keyslots_set(struct store_keyslots *ks, const char *name,
    const char *password, const uint8_t keys[STORE_SLOT_KEYS_LEN],
    const uint8_t *sk, const struct store_kdf *kdf, struct err *e);
/* Remove the slot: the account can no longer open the store.  ERR_NOTFOUND.
 * store_keyslots_disable instead leaves a tombstone (the name's locator and
 * a disabled flag, no keys), so a login is told "disabled"; setting a new
 * password on the name (store_keyslots_set) replaces it. */
int store_keyslots_disable(struct store_keyslots *ks, const char *name,
    struct err *e);
int store_keyslots_remove(struct store_keyslots *ks, const char *name,
    struct err *e);
/* Raise the generation and seal new slot keys to every slot's public key
 * (a re-key; no password needed). */
int store_keyslots_reseal(struct store_keyslots *ks,
    const uint8_t keys[STORE_SLOT_KEYS_LEN], struct err *e);
/* Unwrap: keys (64 bytes) and, when sk is not NULL, the account's secret key
 * (32 bytes), both caller's locked buffers, zeroed on failure.
 * ERR_NOTFOUND unknown account, ERR_AUTH wrong password, ERR_CORRUPT a slot
 * that does not belong to the account or to this generation.  Does not look
 * at or change the counters (store_open does that). */
int store_keyslots_unlock(const struct store_keyslots *ks, const char *name,
    const char *password, uint8_t keys[STORE_SLOT_KEYS_LEN], uint8_t *sk,
    struct err *e);

/* Per-slot login state.  get returns ERR_NOTFOUND for an unknown name. */
struct store_slot_state {
	int failures;			/* consecutive wrong passwords */
	int locked;			/* locked after STORE_LOGIN_ATTEMPTS */
	int disabled;			/* a tombstone: disabled or revoked */
};
int store_keyslots_state(const struct store_keyslots *ks, const char *name,
    struct store_slot_state *st);
int store_keyslots_set_state(struct store_keyslots *ks, const char *name,
    const struct store_slot_state *st);

/* ========================================================= the store */

struct store;

enum store_role { ROLE_CLERK = 0, ROLE_REVIEWER = 1, ROLE_ADMIN = 2 };
/* AC-6: 不可 / 参照のみ可 / 更新・参照可; issue 14: review = write and
 * confirming (審査) the procedure's applications without the reviewer
 * role.  Compare with >= PERM_WRITE for "may write". */
enum store_perm { PERM_NONE = 0, PERM_READ = 1, PERM_WRITE = 2, PERM_REVIEW = 3 };

#define STORE_MAX_PERMS 32

struct store_perm_entry {
	char procedure[STORE_NAME_MAX];	/* procedure code, e.g. "maru-fuku" */
	enum store_perm level;
	int sensitive;			/* issue 14: may see the procedure's
					 * sensitive items (right sensitive:PROC) */
};

struct account {
	char name[STORE_NAME_MAX];	/* login ID, unique, individual (AC-1) */
	char display[128];		/* 氏名 */
	enum store_role role;
	struct store_perm_entry perms[STORE_MAX_PERMS];
	size_t nperms;
	int view_mynumber;		/* may see 個人番号 unmasked (SC-1) */
	int search_mynumber;		/* may search by 個人番号 */
	int export_ok;			/* may export (LK-1) */
	int valid_until;		/* yyyymmdd, 0 = no end date (AC-3) */
	int disabled;
	int must_change_password;	/* AC-4: forced change at next login */
	/* From the key-slot file (read-only here): */
	int failures;
	int locked;
	int has_slot;
	char updated_at[32];
	char updated_by[STORE_NAME_MAX];
};

/* Permission of a procedure for the account (PERM_NONE when not listed). */
enum store_perm account_perm(const struct account *a, const char *procedure);
const char *store_role_name(enum store_role r);	/* "clerk" ... */
int store_role_parse(const char *s, enum store_role *r);
const char *store_perm_name(enum store_perm p);	/* "none" "read" "write" */
int store_perm_parse(const char *s, enum store_perm *p);

/*
 * Create a new store in dir (created 0700 if absent; ERR_EXISTS if it
 * already holds a store): a random database key, the key-slot file with one
 * slot for the administrator, the schema, and the administrator's account
 * (role admin, all flags).  The password must pass store_password_check.
 * Writes the first audit row ("store.create").
 */
int store_create(const char *dir, const char *admin, const char *password,
    struct err *e);
/* The same with the terminal ID set before the first audit row, which
 * names it (terminal NULL or "" = "T000" until one is set). */
int store_create_terminal(const char *dir, const char *admin,
    const char *password, const char *terminal, struct err *e);

/*
 * Open a store as user.  Distinct results for the login screen:
 *   ERR_NOTFOUND  no such account (no key slot)
 *   ERR_AUTH      wrong password (the failure is counted in the slot)
 *   ERR_LOCKED    locked after STORE_LOGIN_ATTEMPTS consecutive wrong
 *                 passwords (the third wrong password returns ERR_LOCKED);
 *                 only an administrator's store_account_unlock clears it
 *   ERR_PERM      account disabled
 *   ERR_STATE     account expired (valid_until passed, AC-3)
 *   ERR_CORRUPT   store damaged or tampered with
 * A correct password resets the failure counter.  The caller checks
 * store_user(st)->must_change_password.  *out is freed with store_close.
 */
int store_open(const char *dir, const char *user, const char *password,
    struct store **out, struct err *e);
/* Set this connection's decrypted page cache to mib MiB ([store] cache_mb,
 * 2..4096): more pages stay decrypted in RAM (faster lookups on a large
 * store, fewer page decryptions) for longer (the trade-off madoguchi.conf(5)
 * states).  Shrinking it drops cached pages at once. */
int store_cache_set(struct store *st, int mib, struct err *e);
/* A second connection to the same store as the same user (for a background
 * thread); no password needed.  Closed with store_close. */
int store_dup(const struct store *st, struct store **out, struct err *e);
/* Close and wipe the key.  NULL is fine. */
void store_close(struct store *st);

/* The logged-in account (valid while st is open). */
const struct account *store_user(const struct store *st);
const char *store_dir(const struct store *st);
/* The raw connection, for tests, tools and the sync helper's own queries.
 * Do not close it. */
sqlite3 *store_db(struct store *st);

/*
 * Run fn inside one transaction (BEGIN IMMEDIATE ... COMMIT, or a SAVEPOINT
 * when already inside one): a non-zero return from fn, or any error, rolls
 * everything back.  Returns fn's result.  Every store write function is
 * itself atomic and may be called inside.
 */
int store_tx(struct store *st, int (*fn)(struct store *st, void *arg),
    void *arg, struct err *e);

/* Destroy the store (RET-4 crypto-erase): overwrite the key-slot file with
 * random bytes, fsync, unlink it, then unlink the database, WAL and shm.
 * Nothing is decryptable afterwards even if the database files survive. */
int store_wipe(const char *dir, struct err *e);
/* The same, telling said (may be NULL) each file it removed: the key slots
 * (shredded), temp files of an interrupted key-slot save
 * (store.keys.tmp*), an interrupted re-key's files, the database, its WAL
 * and shm. */
int store_wipe_report(const char *dir, void (*said)(const char *path, void *arg),
    void *arg, struct err *e);

/*
 * Re-key (issue 15): remove the key slot of every disabled account, then copy
 * the database page by page through the VFS (SQLite's backup API) into
 * DIR/store.db.rekey under a new random database key, write
 * DIR/store.keys.rekey with every remaining slot resealed (generation + 1),
 * rename the database over store.db (the commit point), then the key file
 * over store.keys; st continues on the new key.  Crash-safe: store_open
 * rolls an interrupted re-key forward or back, so the store always opens
 * with either the old key set or the new one.  Needs the store to itself:
 * ERR_BUSY when another connection (another process, or this process's
 * background thread) has it open, and inside a transaction; the request
 * then stays pending (setting "rekey.pending") and runs at the next
 * store_open or store_rekey_pending.  Nothing the old slots unwrap reads
 * anything written after it.  Audited ("store.rekey").
 */
int store_rekey(struct store *st, struct err *e);
/* Run a pending re-key now if one is pending and possible: 0 (done or
 * nothing pending), ERR_BUSY (still pending), or an error. */
int store_rekey_pending(struct store *st, struct err *e);
/* The generation counter (issue 15, rollback detection): raised by every
 * re-key and by store_generation_next, which the sync client calls for
 * every audit head it signs; the central refuses a terminal whose counter
 * (or audit head) goes backwards.  Kept in the database (setting
 * "store.generation"). */
int store_generation(struct store *st, uint64_t *gen, struct err *e);
int store_generation_next(struct store *st, uint64_t *gen, struct err *e);

/* Rights backed by keys (issue 15, issue 14).  A right key guards a field;
 * "mynumber" (view_mynumber), "address" (DV/不開示 addresses; role admin).
 * 1 when the logged-in account holds the right's key in this session. */
int store_right_held(const struct store *st, const char *right);
/* Grants the session can complete now (accounts made entitled by a sync or
 * by an administrator) are written; withdrawn ones deleted.  Run at every
 * open and after every account change.  *pending (may be NULL) = grants
 * that still wait for a session holding the right. */
int store_rights_sync(struct store *st, int *pending, struct err *e);

/*
 * Any right, for other modules (issue 14's sensitive items).  Right names:
 * "mynumber", "address", and STORE_RIGHT_SENSITIVE PROC ("sensitive:kokuho")
 * for the sensitive items of a procedure, held by administrators and by
 * accounts whose permission entry for PROC has sensitive = 1 (column
 * account_perms.sensitive, migration 6); store_rights_sync completes and
 * withdraws these grants like the others.
 *
 * store_right_sensitive: the right's name for a procedure (ERR_INVAL for
 * an empty, too long or control-character name).
 * store_seal_right: seal n bytes to the right's public key — any session
 * may, whether or not it holds the right; a sensitive:PROC right is
 * created on first use (its key granted at once to every entitled account
 * with a key pair).  *out is malloc'd, *outn = n + STORE_SEAL_OVERHEAD.
 * store_open_right: open with the session's grant: ERR_PERM when the
 * account does not hold the right, ERR_RANGE when cap is too small,
 * ERR_CORRUPT when it does not open; *outn bytes in out (no NUL added).
 */
#define STORE_RIGHT_SENSITIVE "sensitive:"
#define STORE_RIGHT_MAX 80		/* a right's name with its NUL */
#define STORE_SEAL_OVERHEAD 48		/* crypto_box_SEALBYTES */
int store_right_sensitive(const char *procedure, char out[STORE_RIGHT_MAX]);
int store_seal_right(struct store *st, const char *right, const void *m,
    size_t n, uint8_t **out, size_t *outn, struct err *e);
int store_open_right(struct store *st, const char *right, const void *c,
    size_t n, void *out, size_t cap, size_t *outn, struct err *e);

/*
 * A secret of one account (issue 14's TOTP secret), sealed to that
 * account's own public key in table account_totp: any session may set it
 * for an account with a key pair (ERR_NOTFOUND before its first password);
 * only a session of that very account opens it (ERR_PERM otherwise,
 * ERR_NOTFOUND when none is set).  A new key pair (an administrator's
 * password reset) deletes it: the account enrols again.  At most 4096
 * bytes.  Wipe out after use.
 */
int store_account_secret_set(struct store *st, const char *name,
    const void *v, size_t n, struct err *e);
int store_account_secret_get(struct store *st, const char *name, void *out,
    size_t cap, size_t *n, struct err *e);
int store_account_secret_delete(struct store *st, const char *name,
    struct err *e);

/* Secrets of the terminal itself (the sync's Noise static key and Ed25519
 * key), sealed in the database under a subkey of the terminal key (table
 * sealed_settings), never printed by any command.  get: ERR_NOTFOUND. */
int store_secret_set(struct store *st, const char *name, const void *v,
    size_t n, struct err *e);
int store_secret_get(struct store *st, const char *name, void *out,
    size_t cap, size_t *n, struct err *e);

/* Password policy (AC-4): at least 10 characters and 3 of 4 classes
 * (lower, upper, digit, other), not containing the account name, no run of
 * 4 identical or sequential characters (aaaa, 1234, abcd, qwer), no
 * dictionary word (a small built-in list, compared after undoing
 * l33t substitutions).  ERR_INVAL with the reason (the password is never
 * in the message). */
int store_password_check(const char *password, const char *user,
    struct err *e);

/* ======================================================= accounts */

/* Add an account with its first password (must_change_password is taken
 * from a; an administrator normally sets it).  Admin only (ERR_PERM);
 * ERR_EXISTS; the password policy applies.  Creates the key slot.  Audited. */
int store_account_add(struct store *st, const struct account *a,
    const char *password, struct err *e);
/* Replace role, display name, permissions, flags, valid_until, disabled,
 * must_change_password of an existing account (admin only).  Disabling also
 * marks the slot disabled.  Audited. */
int store_account_update(struct store *st, const struct account *a,
    struct err *e);
/* Insert or replace an account row without touching key slots (sync of
 * master data from the central; no permission check, audited). */
int store_account_upsert(struct store *st, const struct account *a,
    struct err *e);
int store_account_get(struct store *st, const char *name, struct account *out,
    struct err *e);
/* All accounts by name; *v is malloc'd, free(*v). */
int store_account_list(struct store *st, struct account **v, size_t *n,
    struct err *e);
/* Set a password: the user's own (old password required, checked against
 * the slot) or, for an admin, anyone's (old may be NULL; the account must
 * change it at next login).  Rewraps the slot atomically.  Audited. */
int store_account_set_password(struct store *st, const char *name,
    const char *old, const char *password, struct err *e);
/* Admin: clear the lock and failure counter (AC-4).  Audited. */
int store_account_unlock(struct store *st, const char *name, struct err *e);
/* Admin: disable, remove the key slot and re-key (revocation; see
 * store_rekey: when the re-key cannot run now it is left pending and the
 * call still succeeds).  Audited.  store_account_update and
 * store_account_upsert re-key (or leave it pending) when they disable. */
int store_account_revoke(struct store *st, const char *name, struct err *e);

/* Issue 14: the terminal's account_log (AC-2): append a row naming the
 * account, the action (init, add, mod, disable, enable, revoke, ...), the
 * request reference, the logged-in operator and the time; list them
 * (name NULL = every account), oldest first. */
int store_account_log(struct store *st, const char *name, const char *action,
    const char *request, const char *detail, struct err *e);
int store_account_log_list(struct store *st, const char *name,
    void (*row)(const char *at, const char *name, const char *action,
    const char *request, const char *operator, const char *detail, void *arg),
    void *arg, struct err *e);
/* Days since name's password was last set (AC-4 ageing, [store]
 * password_max_age); -1 when not known. */
int store_password_age(struct store *st, const char *name, int *days,
    struct err *e);
/* [store] password_max_age in days (0 = none), set at start-up; then 1 when
 * the logged-in account's password is that old or older: the login forces
 * a change (the screens) or refuses until `madoguchi user passwd` (the
 * command line).  AC-4, issue 14. */
void store_password_max_age_set(int days);
int store_password_expired(struct store *st);

/* ========================================================= persons */

struct person {
	char atena[16];			/* 宛名番号, primary key */
	char name[128];			/* 氏名 */
	char kana[128];			/* 氏名カナ */
	char alias[128];		/* 通称名 */
	char alias_kana[128];		/* 通称名カナ */
	char alpha[128];		/* alphabet name (DATA-2) */
	int birth;			/* yyyymmdd */
	int sex;			/* ISO 5218: 0 unknown, 1 male, 2 female, 9 n/a */
	char postal[16];		/* "123-4567" */
	char address[256];
	char household[16];		/* 世帯番号 */
	char relation[32];		/* 続柄 */
	char head[128];			/* 世帯主 (name of the head) */
	char ward[8];			/* ward code */
	int dv;				/* DV support flag (SC-5) */
	int nondisclose;		/* 不開示 / 閲覧停止 (SC-5) */
	char updated_at[32];		/* 更新年月日 (DATA-3), set by the store */
	char updated_by[STORE_NAME_MAX];	/* 更新職員ID, set by the store */
};

/* Insert or update by atena.  The kana search keys are computed here with
 * kana_normalize.  The previous values of an updated row are kept in
 * person_history (DATA-3).  updated_at/by are set from the clock and the
 * logged-in user (or p->updated_by when non-empty, for synced rows). */
int store_person_upsert(struct store *st, const struct person *p,
    struct err *e);
/* Delete a person (sync tombstone, purge) with their 個人番号 and
 * certificates.  ERR_NOTFOUND. */
int store_person_delete(struct store *st, const char *atena, struct err *e);
int store_person_get(struct store *st, const char *atena, struct person *out,
    struct err *e);
/* By 個人番号 (12 digits; the number is never logged).  ERR_NOTFOUND. */
int store_person_find_by_mynumber(struct store *st, const char *mynumber,
    struct person *out, struct err *e);

/* Search criteria: every non-empty field narrows the result. */
struct person_query {
	const char *kana_prefix;	/* 氏名カナ or 通称名カナ starts with (normalised) */
	const char *name;		/* substring of 氏名, 通称名 or alphabet name */
	int birth;			/* yyyymmdd, 0 = any */
	const char *atena;		/* exact */
	const char *recipient_no;	/* 受給者番号, exact (any procedure) */
	const char *household;		/* 世帯番号, exact */
	size_t limit;			/* 0 = 100 */
	size_t offset;
};

struct person_list {
	struct person *v;		/* malloc'd array */
	size_t n;
	int more;			/* 1 when rows beyond limit exist */
};

/* Ordered by kana key, then atena.  ERR_INVAL when no criterion is given. */
int store_person_search(struct store *st, const struct person_query *q,
    struct person_list *out, struct err *e);
/* The same search on any connection with the store schema (the central's
 * master database, the benchmarks). */
int store_person_search_db(sqlite3 *db, const struct person_query *q,
    struct person_list *out, struct err *e);
/* How many persons the search finds in all (limit, offset ignored). */
int store_person_count(struct store *st, const struct person_query *q, size_t *n,
    struct err *e);
/* Members of a household, head first then by birth. */
int store_person_household(struct store *st, const char *household,
    struct person_list *out, struct err *e);
void person_list_free(struct person_list *l);

/* 個人番号 table (DATA-1): validated with mynumber_validate (ERR_FORMAT);
 * another person holding the same number is ERR_EXISTS. */
int store_mynumber_set(struct store *st, const char *atena,
    const char *mynumber, struct err *e);
/* The number is stored sealed to the right "mynumber" with a blind index
 * (keyed BLAKE2b) beside it (issue 15).  get: out 13 bytes; ERR_NOTFOUND,
 * ERR_PERM when the session does not hold the right (view_mynumber). */
int store_mynumber_get(struct store *st, const char *atena, char out[13],
    struct err *e);
/* Whether the person's number is mynumber, through the blind index (ID-3;
 * no right needed): 1 the same, 0 different, ERR_NOTFOUND none held. */
int store_mynumber_matches(struct store *st, const char *atena,
    const char *mynumber, struct err *e);
/* The masked form "**** **** 1234" kept beside the sealed number (SC-1
 * shows it to everyone).  ERR_NOTFOUND. */
int store_mynumber_masked(struct store *st, const char *atena,
    char out[MYNUMBER_MASKED_LEN], struct err *e);
int store_mynumber_delete(struct store *st, const char *atena, struct err *e);
/* A 個人番号 held outside the 個人番号 table (the sync's confirmation queue):
 * seal gives malloc'd bytes = masked form (MYNUMBER_MASKED_LEN) || the
 * number sealed to the right "mynumber" (anyone may seal); unseal gives the
 * masked form always and the number (out, 13 bytes; may be NULL) only with
 * the right (ERR_PERM otherwise, masked still filled). */
int store_mynumber_seal(struct store *st, const char *mynumber, uint8_t **out,
    size_t *n, struct err *e);
int store_mynumber_unseal(struct store *st, const void *p, size_t n,
    char out[13], char masked[MYNUMBER_MASKED_LEN], struct err *e);

/* ============================================ eligibility, certificates */

/* One eligibility / certificate (受給者証・被保険者証) record (DATA-4). */
struct certificate {
	int64_t id;			/* 0 = new */
	char atena[16];
	char procedure[STORE_NAME_MAX];
	char recipient_no[32];		/* 受給者番号 */
	char category[64];		/* 区分 (所得区分 etc.) */
	int valid_from, valid_to;	/* 有効期間, yyyymmdd */
	int issued;			/* 交付日 */
	int returned;			/* 回収日, 0 = not returned */
	int burden_rate;		/* 負担割合 in percent, -1 = n/a */
	int burden_limit;		/* 自己負担上限額 (yen/month), -1 = n/a */
	char burden_note[128];
	char reason[128];		/* 交付理由 */
	char updated_at[32];
	char updated_by[STORE_NAME_MAX];
};

/* Insert (id 0; c->id is not changed, the new id is returned through *id
 * when id is not NULL) or update by id. */
int store_cert_save(struct store *st, const struct certificate *c,
    int64_t *id, struct err *e);
int store_cert_delete(struct store *st, int64_t id, struct err *e);
struct cert_list {
	struct certificate *v;
	size_t n;
};
/* procedure NULL = all; newest valid_from first. */
int store_cert_list(struct store *st, const char *atena, const char *procedure,
    struct cert_list *out, struct err *e);
void cert_list_free(struct cert_list *l);

/* ====================================================== applications */

/* Identity check (ID-1, ID-2): 番号確認 and 身元確認. */
struct idcheck {
	char uuid[37];			/* "" = generate on save */
	char atena[16];
	char method[32];		/* "ic-card", "card-presented", ... */
	char documents[256];		/* documents seen, free text */
	char clerk[STORE_NAME_MAX];
	char at[32];			/* "" = now */
	int digest_result;		/* -1 not checked, 0 mismatch, 1 ok */
	char detail[256];		/* never a full 個人番号 */
	/* The card's authenticity (issue 11; "" without a card read):
	 * "verified" | "failed" | "unverifiable" | "not-checked", the failed
	 * check ("certificate" | "signature" | "digest" | ""), the issuer key
	 * ID (32 hex digits), and the chip "genuine" | "failed" | "not-checked". */
	char authenticity[16];
	char authenticity_detail[16];
	char issuer_key_id[33];
	char chip[16];
};
int store_idcheck_save(struct store *st, struct idcheck *ic, struct err *e);
int store_idcheck_get(struct store *st, const char *uuid, struct idcheck *out,
    struct err *e);

/* Application statuses (INT-8): received → review → forwarded → decided →
 * issued, or rejected / returned.  Stored as these ASCII words. */
struct application {
	char uuid[37];			/* "" = generate on save */
	char receipt_no[32];		/* "" = next from store_receipt_next */
	char procedure[STORE_NAME_MAX];
	char type[STORE_NAME_MAX];	/* 新規, 変更, ... as a code */
	char atena[16];
	char *form_json;		/* owned; form values as JSON */
	char *agent_json;		/* owned; NULL = no agent (ID-2) */
	char idcheck[37];		/* idcheck uuid */
	char entered_by[STORE_NAME_MAX];
	char confirmed_by[STORE_NAME_MAX];	/* "" until confirmed (AC-7) */
	char status[16];
	char received_at[32];
	char updated_at[32];
};
/* Release form_json and agent_json. */
void application_clear(struct application *a);

/* Insert or update by uuid (filled in when empty, as is receipt_no and
 * received_at).  A new application gets a status row "received".  Setting
 * confirmed_by equal to entered_by is ERR_PERM (AC-7). */
int store_application_save(struct store *st, struct application *a,
    struct err *e);
/* Load by uuid; out must be application_clear'ed by the caller.  A full
 * 個人番号 inside form_json / agent_json is stored sealed (issue 15,
 * src/store/mnseal.c): get and list give it to a session holding the right
 * "mynumber" and the masked form ("**** **** 9018") to any other; saving a
 * masked value keeps the stored number.  get_sealed gives the bodies as
 * stored (tokens "mdg-sealed:1:..."), for the outbox; store_body_for_push
 * turns such a body into the plain one the central receives (the sync
 * path: it opens the push copies with the terminal key, no right needed;
 * *out malloc'd, wipe it). */
int store_application_get(struct store *st, const char *uuid,
    struct application *out, struct err *e);
int store_application_get_sealed(struct store *st, const char *uuid,
    struct application *out, struct err *e);
int store_body_for_push(struct store *st, const char *json, char **out,
    struct err *e);

struct application_query {
	const char *status;		/* NULL = any */
	const char *procedure;
	const char *atena;
	const char *entered_by;
	const char *received_from;	/* timestamp prefix bounds, inclusive */
	const char *received_to;
	size_t limit, offset;		/* limit 0 = 100 */
};
struct application_list {
	struct application *v;		/* each with its owned members */
	size_t n;
};
int store_application_list(struct store *st, const struct application_query *q,
    struct application_list *out, struct err *e);
void application_list_free(struct application_list *l);

/* Change the status and append a history row (who = logged-in user). */
int store_application_set_status(struct store *st, const char *uuid,
    const char *status, const char *note, struct err *e);
struct status_row {
	char status[16];
	char at[32];
	char by[STORE_NAME_MAX];
	char note[256];
};
/* *v malloc'd (free it), oldest first. */
int store_application_history(struct store *st, const char *uuid,
    struct status_row **v, size_t *n, struct err *e);

/* Next receipt number "<terminal>-<yyyymmdd>-<nnnnn>", unique on this
 * terminal (INT-8); terminal id from the setting "terminal.id" ("T000"). */
int store_receipt_next(struct store *st, char out[32], struct err *e);

/* ========================================================== audit */

/*
 * Append one row to the audit chain (LOG-1, LOG-2): hash = BLAKE2b-256(
 * previous hash || canonical content).  who NULL = logged-in user; terminal
 * NULL = setting "terminal.id"; person/screen/detail may be NULL.  A detail
 * containing something that looks like a full 個人番号 (12 digits with a
 * valid check digit) is refused with ERR_INVAL (LOG-5).
 */
int store_audit_append(struct store *st, const char *who, const char *terminal,
    const char *action, const char *person, const char *screen,
    const char *detail, struct err *e);
/* Verify the whole chain.  0 when intact (*rows = row count);
 * ERR_CORRUPT with *bad_id = the first row where the chain breaks
 * (edited, deleted, inserted or reordered rows). */
int store_audit_verify(struct store *st, int64_t *bad_id, int64_t *rows,
    struct err *e);

struct audit_row {
	int64_t id;
	char at[32];
	char who[STORE_NAME_MAX];
	char terminal[STORE_NAME_MAX];
	char action[64];
	char person[16];
	char screen[64];
	char detail[512];
	uint8_t prev[32], hash[32];
	/* Issue 13: a redacted row keeps id, at, who, terminal, action, prev
	 * and hash; person, screen and detail are empty and these say when
	 * and why ("" when not redacted). */
	char redacted_at[32];
	char redacted_why[64];
};
/* ------------------------------------------- purge (issue 13, RET-1..3) */

/* Retention in days per category ([retention] in madoguchi.conf(5));
 * 0 = never purged. */
struct purge_policy {
	int applications;	/* after it left the terminal's hands */
	int idchecks;		/* after the check (not one an application kept uses) */
	int audit;		/* after the central acknowledged the row */
	int sync_log;
	int inquiries;		/* after the response */
	int offline_max;	/* days without a successful sync: the pulled
				 * personal data goes (0 = never) */
};
#define PURGE_CATEGORIES_MAX 8
struct purge_count {
	char category[24];	/* minimise, applications, idchecks, inquiries,
				 * sync_log, audit, person-deleted, audit-redacted */
	char how[16];		/* masked, deleted, redacted */
	long count, more;
	char oldest[16], newest[16];	/* YYYY-MM-DD of the records' clocks */
	char ids[400];		/* record IDs, never content */
};
struct purge_result {
	struct purge_count c[PURGE_CATEGORIES_MAX];
	size_t n;
};
/* Minimise, then purge every category past its period, in one transaction;
 * each category that lost rows gets an audit row "purge.CATEGORY" (who,
 * NULL = the logged-in account; "system" when scheduled) and a purge_log
 * row (RET-2).  dry_run: count only, change nothing.  A clock set back
 * (store_clock_check) refuses with ERR_STATE. */
int store_purge(struct store *st, const struct purge_policy *p, int dry_run,
    const char *who, struct purge_result *res, struct err *e);
/* NET-6: everything naming a person deleted at the centre, in the caller's
 * transaction (store_person_delete calls it). */
int store_person_purge(struct store *st, const char *atena, const char *who,
    struct purge_result *res, struct err *e);
/* Redact the pushed audit rows naming atena (person or detail). */
int store_audit_redact(struct store *st, const char *atena, const char *why,
    long *count, struct err *e);
/* A clock set back (issue 13): the terminal remembers the latest time it
 * has seen (login, successful sync, purge).  check: ERR_STATE (with the
 * Japanese message) when now is more than 5 minutes before it; mark: raise
 * it to now; confirm: an administrator accepts the present time (audited
 * "clock.confirm"). */
int store_clock_check(struct store *st, int64_t *high_water, struct err *e);
int store_clock_mark(struct store *st, struct err *e);
int store_clock_confirm(struct store *st, struct err *e);
/* Checkpoint and truncate the WAL (no old frame keeps purged pages). */
void store_wal_flush(struct store *st);
/* Leak scans (issue 13): every page of the database file and every page
 * image in its WAL (old frames included), decrypted with the database key,
 * passed to fn (n = the page's data bytes; a non-zero return stops and is
 * returned).  Pages that do not authenticate are counted in *bad.  The
 * store form uses the open store's key.  For tests and audits. */
int store_vfs_pages(const char *path, const uint8_t key[STORE_KEY_LEN],
    int (*fn)(const uint8_t *pt, size_t n, uint32_t pgno, int wal, void *arg),
    void *arg, long *bad, struct err *e);
int store_scan_pages(struct store *st,
    int (*fn)(const uint8_t *pt, size_t n, uint32_t pgno, int wal, void *arg),
    void *arg, long *bad, struct err *e);
/* in with every valid 個人番号 masked; *out malloc'd. */
int store_mask_mynumbers(const char *in, char **out, int *count);

/* Rows with id > after_id, at most limit (0 = 1000), oldest first; *v
 * malloc'd.  For reports and for pushing to the central. */
int store_audit_list(struct store *st, int64_t after_id, size_t limit,
    struct audit_row **v, size_t *n, struct err *e);
/* The chain head (last id and hash; 0 and zeros when empty), for signing. */
int store_audit_head(struct store *st, int64_t *id, uint8_t hash[32],
    struct err *e);

/* ============================================ outbox, cursor, settings */

struct outbox_item {
	int64_t seq;
	char uuid[37];
	char kind[32];			/* "application", "idcheck", "audit", ... */
	char *payload;			/* owned */
	size_t len;
	char created_at[32];
};
/* uuid NULL or "" = generate (written back when out_uuid is not NULL).
 * Adding a UUID that is still waiting does not queue it twice: the new
 * kind and payload replace the waiting item, which keeps its place. */
int store_outbox_add(struct store *st, const char *uuid, const char *kind,
    const void *payload, size_t len, char out_uuid[37], struct err *e);
/* Oldest first, at most limit (0 = 100).  *v malloc'd: outbox_free(v, n). */
int store_outbox_list(struct store *st, size_t limit, struct outbox_item **v,
    size_t *n, struct err *e);
void outbox_free(struct outbox_item *v, size_t n);
/* Delete an acknowledged item; ERR_NOTFOUND when it is not there (an ack
 * that arrives twice is harmless to the caller: check the code). */
int store_outbox_ack(struct store *st, const char *uuid, struct err *e);
int store_outbox_count(struct store *st, int64_t *n, struct err *e);

/* The pull cursor (opaque text from the central) and its time. */
int store_sync_cursor_get(struct store *st, char *buf, size_t cap,
    char at[32], struct err *e);
int store_sync_cursor_set(struct store *st, const char *cursor, struct err *e);

/* Terminal settings, key/value text.  get: ERR_NOTFOUND when unset. */
int store_setting_get(struct store *st, const char *key, char *buf, size_t cap,
    struct err *e);
int store_setting_set(struct store *st, const char *key, const char *value,
    struct err *e);

/* ====================================================== schema */

/* Apply the numbered migrations to any connection (encrypted or plain);
 * PRAGMA user_version holds the number applied.  Idempotent. */
int store_schema_apply(sqlite3 *db, struct err *e);
int store_schema_version(void);

/* ============================================== synthetic residents */

/*
 * A deterministic generator of fictional residents of 窓口市 (a city that
 * does not exist, with wards 北区 南区 東区 西区 中央区): realistic Japanese
 * names with kana, some 通称名 and alphabet names, birth dates, addresses,
 * households of 1-6 people with 続柄 and 世帯主, valid 個人番号 check digits,
 * some DV/不開示 flags and eligibility records.  The same seed gives the same
 * residents in the same order.
 */
struct synth;
struct synth_resident {
	struct person p;
	char mynumber[13];
	struct certificate certs[2];
	int ncerts;
};
struct synth *synth_new(uint64_t seed);
/* The next resident (never fails). */
void synth_next(struct synth *s, struct synth_resident *r);
void synth_free(struct synth *s);
/* Generate n residents into an open store in transactions of 5000
 * (person, 個人番号, certificates).  Returns 0 or an error. */
int store_synth_load(struct store *st, uint64_t seed, size_t n,
    struct err *e);
/* The same into any connection with the schema (benchmarks). */
int synth_load_db(sqlite3 *db, uint64_t seed, size_t n, struct err *e);
/* The blind index of a 個人番号 as synth_load_db / synth_load_more write it
 * on a bare connection (throw-away keys of this process; benchmarks). */
void synth_mynumber_index(const char *mynumber, uint8_t out[16]);
/* Load the next n residents of g (loads can be split into chunks). */
int synth_load_more(sqlite3 *db, struct synth *g, size_t n, struct err *e);

/* ==================== identity/lookup additions (src/store/audit-person.c) */

/* LOG-3 "who viewed this person": the audit rows whose person is atena,
 * and the "lookup.search" rows whose detail lists it as ",atena," (a result
 * page that showed them), newest first, at most limit (0 = 1000).  *v
 * malloc'd, free(*v).  No permission check here: the caller (app)
 * restricts it to administrators. */
int store_audit_person(struct store *st, const char *atena, size_t limit,
    struct audit_row **v, size_t *n, struct err *e);

/* ================================================================
 * Intake, review and the ledger (issue 7; src/store/correction.c,
 * src/store/batch.c, src/store/inquiry.c; tables of migration 2).
 * ================================================================ */

#define STORE_VALUE_MAX 1024		/* one form value (FORM_VALUE_MAX) */

/* DATA-3: one corrected field of an application, old and new value, who
 * changed it and when, and who confirmed the correction (AC-7). */
struct app_correction {
	int64_t id;
	char uuid[37];
	char field[48];
	char old_value[STORE_VALUE_MAX];
	char new_value[STORE_VALUE_MAX];
	char reason[256];
	char by[STORE_NAME_MAX];
	char at[32];
	char confirmed_by[STORE_NAME_MAX];	/* "" = not yet confirmed */
};
/* Record a correction (at = now; by NULL = the logged-in user;
 * confirmed_by NULL = not yet confirmed).  Atomic. */
int store_correction_add(struct store *st, const char *uuid, const char *field,
    const char *old_value, const char *new_value, const char *reason,
    const char *by, const char *confirmed_by, struct err *e);
/* Oldest first; *v malloc'd (free it; values are personal data, wipe). */
int store_correction_list(struct store *st, const char *uuid,
    struct app_correction **v, size_t *n, struct err *e);
/* Mark every unconfirmed correction of uuid confirmed by the logged-in
 * user; one made by that user is ERR_PERM (AC-7) and nothing changes. */
int store_correction_confirm(struct store *st, const char *uuid,
    struct err *e);

/* ID-6: a changed 個人番号 in an application is not applied; it waits here
 * until a different person approves or rejects it. */
struct app_confirm {
	int64_t id;
	char uuid[37];
	char field[48];
	char value[STORE_VALUE_MAX];	/* proposed value ("" = clear it) */
	char reason[256];
	char requested_by[STORE_NAME_MAX];
	char requested_at[32];
	char state[16];			/* "pending" "approved" "rejected" */
	char decided_by[STORE_NAME_MAX];
	char decided_at[32];
};
/* Queue (requested_by = user, state pending); *id (may be NULL) set. */
int store_confirm_add(struct store *st, const char *uuid, const char *field,
    const char *value, const char *reason, int64_t *id, struct err *e);
int store_confirm_get(struct store *st, int64_t id, struct app_confirm *out,
    struct err *e);
/* state NULL = any; uuid NULL = all; oldest first; *v malloc'd. */
int store_confirm_list(struct store *st, const char *state, const char *uuid,
    struct app_confirm **v, size_t *n, struct err *e);
/* Decide a pending item as the logged-in user: ERR_PERM when that user
 * requested it (AC-7), ERR_STATE when already decided. */
int store_confirm_decide(struct store *st, int64_t id, int approve,
    struct err *e);

/* INT-10: 返戻 — an application given back with a resubmission deadline. */
struct app_return {
	char uuid[37];
	char reason[256];
	int deadline;			/* yyyymmdd */
	char returned_at[32];
	char by[STORE_NAME_MAX];
	char resubmitted_at[32];	/* "" = still out */
};
/* Record (or replace) the return of uuid. */
int store_return_set(struct store *st, const char *uuid, const char *reason,
    int deadline, struct err *e);
int store_return_get(struct store *st, const char *uuid,
    struct app_return *out, struct err *e);
int store_return_resubmitted(struct store *st, const char *uuid,
    struct err *e);

/* The application with this receipt number (ERR_NOTFOUND); out must be
 * application_clear'ed. */
int store_application_by_receipt(struct store *st, const char *receipt_no,
    struct application *out, struct err *e);

/* INT-9: 進達 batches.  method "carry" (搬送) or "post" (郵送). */
struct batch {
	char id[48];			/* "<terminal>-B<yyyymmdd>-<nn>" */
	char method[16];
	char bag[64];			/* bag / envelope number */
	int date;			/* yyyymmdd of the 進達 */
	char clerk[STORE_NAME_MAX];
	char destination[128];
	int count;			/* number of documents */
	char created_at[32];
};
/*
 * Create a batch of the applications uuids[0..n-1] in one transaction: a
 * new id (filled in b->id), count = n, every application must be status
 * "review" (confirmed, AC-7) and in no other batch; each becomes
 * "forwarded" with a history row naming the batch.  clerk "" = user.
 */
int store_batch_create(struct store *st, struct batch *b,
    const char *const *uuids, size_t n, struct err *e);
int store_batch_get(struct store *st, const char *id, struct batch *out,
    struct err *e);
/* The applications of a batch in list order. */
int store_batch_items(struct store *st, const char *id,
    struct application_list *out, struct err *e);
/* Batches with date in [from, to] (0 = open), newest first; *v malloc'd. */
int store_batch_list(struct store *st, int from, int to, struct batch **v,
    size_t *n, struct err *e);
/* The batch an application went in ("" when none). */
int store_batch_of(struct store *st, const char *uuid, char out[48],
    struct err *e);

/* INT-11: inquiry and disclosure-request log (問合せ・開示請求受付簿). */
struct inquiry {
	int64_t id;
	char no[40];			/* "<terminal>-Q<yyyymmdd>-<nnn>" */
	char kind[32];			/* inquiry, disclosure, correction, stop */
	char atena[16];			/* person concerned, may be "" */
	char requester[128];
	char summary[512];
	char received_at[32];
	char received_by[STORE_NAME_MAX];
	char response[512];		/* "" = not answered yet */
	char responded_at[32];
	char responded_by[STORE_NAME_MAX];
};
/* New entry: no, received_at/by filled in.  Audited by the caller. */
int store_inquiry_add(struct store *st, struct inquiry *q, struct err *e);
/* Record the response (by = user, at = now).  ERR_NOTFOUND. */
int store_inquiry_respond(struct store *st, const char *no,
    const char *response, struct err *e);
int store_inquiry_get(struct store *st, const char *no, struct inquiry *out,
    struct err *e);
/* open_only: not answered yet; newest first; *v malloc'd. */
int store_inquiry_list(struct store *st, int open_only, struct inquiry **v,
    size_t *n, struct err *e);

/* ------------------------------------------------------ reference data */

/* 全銀 bank and branch codes and Japan Post's addresses by 郵便番号, as
 * pulled from the central (issue 19; refdata.c).  Written only by sync. */
#define REF_NAME_MAX 256
#define REF_POSTAL_MAX 64	/* addresses of one 郵便番号 kept */

struct ref_addr {
	char pref[64];			/* 都道府県 */
	char city[128];			/* 市区町村 */
	char town[512];			/* 町域 as an address is written, or "" */
	char town_full[1024];		/* 町域 as published (notes included) */
	char kana[1024];		/* full-width katakana, pref + city + town */
};

int store_ref_bank_put(struct store *st, const char *code, const char *name,
    const char *kana, struct err *e);
int store_ref_branch_put(struct store *st, const char *bank, const char *code,
    const char *name, const char *kana, struct err *e);
/* Replace the addresses of a 郵便番号 (n >= 1). */
int store_ref_postal_put(struct store *st, const char *code,
    const struct ref_addr *a, int n, struct err *e);
/* Deletions (sync tombstones); a missing row is no error. */
int store_ref_bank_delete(struct store *st, const char *code, struct err *e);
int store_ref_branch_delete(struct store *st, const char *bank,
    const char *code, struct err *e);
int store_ref_postal_delete(struct store *st, const char *code, struct err *e);
/* Look-ups: 0 with the name, ERR_NOTFOUND for an unknown code, ERR_STATE
 * when the terminal holds no such reference data at all (nothing pulled
 * yet: the caller cannot tell a good code from a bad one). */
int store_ref_bank_get(struct store *st, const char *code, char *name,
    size_t cap, struct err *e);
int store_ref_branch_get(struct store *st, const char *bank, const char *code,
    char *name, size_t cap, struct err *e);
/* The addresses of a 郵便番号 (7 digits, a hyphen allowed): *n of them
 * (at most max), 0 / ERR_NOTFOUND / ERR_STATE as above. */
int store_ref_postal_get(struct store *st, const char *code,
    struct ref_addr *out, int max, int *n, struct err *e);
/* Rows held: banks, branches, postal codes (for `sync` and the tests). */
int store_ref_counts(struct store *st, long *banks, long *branches,
    long *postal, struct err *e);

#endif
