/*
 * central.h — madoguchi-central: the master store, the CSV imports from the
 * core business systems, the export of received applications, terminal
 * enrolment and the sync server (SPEC 8).  See madoguchi-central(8).
 *
 * Depends on core, store (the encrypting VFS) and sync (channel, messages).
 */
#ifndef MDG_CENTRAL_H
#define MDG_CENTRAL_H

#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "core.h"

/* ------------------------------------------------------------------ CSV */

/*
 * RFC 4180 CSV through the bounded reader: fields separated by commas,
 * optionally in double quotes (a quote inside doubled), quoted fields may
 * hold commas and line breaks; CRLF or LF line ends; UTF-8 only (a BOM at
 * the start is skipped).  The first row is the header.
 */
#define CSV_MAX_FIELDS 64
#define CSV_FIELD_MAX 4096

struct csv;

/* Reads from p..p+n (not copied; must outlive the reader). */
struct csv *csv_new(const void *p, size_t n);
void csv_free(struct csv *c);
/* The next row: *nf fields, each NUL-terminated in storage owned by the
 * reader (valid until the next call).  1 = a row, 0 = end of input,
 * negative = malformed (ERR_FORMAT with the reason; the reader then stops).
 * *line is the line number where the row starts. */
int csv_next(struct csv *c, char ***fields, size_t *nf, int *line,
    struct err *e);

/* -------------------------------------------------------- configuration */

#define CENTRAL_DEFAULT_CONFIG "/etc/madoguchi/central.conf"

/* The keys of madoguchi-central.conf(5) (src/central/config.c). */
extern const struct conf_key central_conf_schema[];
/* Load path (NULL: CENTRAL_DEFAULT_CONFIG when it exists, else the
 * defaults) and check what the types cannot; any mistake is
 * "file:line: reason". */
int central_conf_load(const char *path, struct conf **out, struct err *e);
/* "HH:MM-HH:MM" into minutes of the day (from < to); -1 when malformed. */
int central_office_hours(const char *v, int *from, int *to);

/* ------------------------------------------------------------- the store */

#define CENTRAL_DB_FILE "central.db"
#define CENTRAL_KEY_FILE "central.key"		/* database key, 0600 */
#define CENTRAL_NOISE_FILE "central.noise"	/* Noise static private key, 0600 */

struct central {
	sqlite3 *db;
	const struct conf *conf;	/* madoguchi-central.conf(5); NULL = defaults */
	char actor[80];		/* who runs this command (issue 16): an operator,
				 * "system", or "unix:NAME" in a store without
				 * operators; "" = not known */
	int actor_export;	/* the operator holds the export flag */
	char dir[1024];
	uint8_t *noise_priv;	/* sodium_malloc'd, 32 bytes */
	uint8_t noise_pub[32];
};

/* Create DIR (0700) with a new database key, Noise key and schema.
 * ERR_EXISTS when DIR already holds a central store. */
int central_init(const char *dir, struct err *e);
/* Open an existing central store (key files must be 0600 and owned by us;
 * ERR_PERM otherwise). */
int central_open(const char *dir, struct central **out, struct err *e);
void central_close(struct central *c);

/* --------------------------------------------------------------- imports */

struct import_report {
	long rows, accepted, changed, unchanged, rejected;
};

/* Import a CSV file (columns in madoguchi-central(8)); rejected rows are
 * reported to rep_out as "FILE:LINE: reason"; all accepted rows are applied
 * in one transaction that also writes their change records. */
int central_import_persons(struct central *c, const char *path,
    FILE *rep_out, struct import_report *r, struct err *e);
int central_import_eligibility(struct central *c, const char *path,
    FILE *rep_out, struct import_report *r, struct err *e);
int central_import_decisions(struct central *c, const char *path,
    FILE *rep_out, struct import_report *r, struct err *e);
/* Accounts and permissions for every terminal (AC-2, AC-3, AC-6). */
int central_import_accounts(struct central *c, const char *path,
    FILE *rep_out, struct import_report *r, struct err *e);

/* The same for CSV text already in memory (tests, fuzzing). */
enum import_kind { IMPORT_PERSONS, IMPORT_ELIGIBILITY, IMPORT_DECISIONS,
	IMPORT_ACCOUNTS };
int central_import_text(struct central *c, enum import_kind kind,
    const char *name, const char *text, size_t n, FILE *rep_out,
    struct import_report *r, struct err *e);

/* The fictional residents of 窓口市 (store.h synth_*, seed, n people) with
 * their 個人番号 and certificates, imported as persons and eligibility. */
int central_demo_data(struct central *c, uint64_t seed, size_t n,
    FILE *rep_out, struct import_report *persons, struct import_report *elig,
    struct err *e);

/* Received applications with cursor > since, as JSON Lines or CSV, to out.
 * *next receives the cursor to pass next time. */
int central_export_applications(struct central *c, int64_t since,
    int csv, FILE *out, int64_t *next, struct err *e);

/* The same, *count receiving the number of applications. */
int central_export_applications_n(struct central *c, int64_t since, int csv,
    FILE *out, int64_t *next, long *count, struct err *e);

/* `export applications` as c->actor (issue 16, LK-1): needs the export
 * flag and a purpose; writes into [export] dir only (a new owner-only file,
 * output or a name with the time), as CMS to [export] recipient
 * (AuthEnvelopedData AES-256-GCM, or EnvelopedData AES-256-CBC with
 * [export] cms = enveloped); plaintext only with [export] plaintext = yes
 * (to out with to_stdout).  Writes the audit row. */
struct central_export_req {
	int64_t since;
	int csv;
	const char *purpose;
	const char *output;	/* a file name inside [export] dir, or NULL */
	int plaintext;		/* --plaintext */
	int to_stdout;		/* --output - (plaintext only) */
};
int central_export_protected(struct central *c, const struct central_export_req *q,
    FILE *out, struct err *e);

/* --------------------------------------------------------- reference data */

/*
 * Reference tables fed to every terminal (issue 19; refdata.c): the 全銀
 * bank and branch codes as npm's `zengin-code` ships them (lib/zengin-data.js,
 * "module.exports = {...}", or the same object as a .json file) and Japan
 * Post's KEN_ALL.CSV (Shift_JIS; split records joined).  An import replaces
 * the whole set: new or changed keys become upserts, keys no longer in the
 * file tombstones (protocol version 3 change kinds CHG_BANK, CHG_BRANCH,
 * CHG_POSTAL).
 */
#define KENALL_MAX (64u << 20)		/* bytes of one file */
#define ZENGIN_NAME_MAX 255		/* bytes of a name or reading */

struct kenall_entry {
	char jis[6];			/* 全国地方公共団体コード */
	char postal[8];			/* 7 digits */
	char pref[64], city[128];
	char town_full[1024];		/* 町域名 as published, split rows joined */
	char town[512];			/* what goes into an address, or "" */
	char pref_kana[128], city_kana[256];	/* half-width, as published */
	char kana[1024];		/* full-width reading of pref + city + town */
	int flags[6];			/* columns 10-15 */
	int line;			/* where the record starts */
};

/* KEN_ALL bytes (CP932) to UTF-8 (malloc'd, NUL-terminated); ERR_FORMAT
 * names the line of a byte that is not Shift_JIS. */
int kenall_to_utf8(const void *p, size_t n, char **out, size_t *outn,
    struct err *e);
/* Each record of the UTF-8 text, split records joined, to cb (a non-zero
 * return stops).  ERR_FORMAT "KEN_ALL:LINE: reason" for a bad row. */
typedef int (*kenall_cb)(void *ctx, const struct kenall_entry *k, struct err *e);
int kenall_parse(const char *utf8, size_t n, kenall_cb cb, void *ctx,
    struct err *e);
/* Each bank (branch NULL) and each of its branches to cb. */
typedef int (*zengin_cb)(void *ctx, const char *bank, const char *branch,
    const char *name, const char *kana, struct err *e);
int zengin_parse(const char *text, size_t n, zengin_cb cb, void *ctx,
    struct err *e);

enum refdata_kind { REFDATA_BANKS, REFDATA_POSTAL };
/* Import in one transaction; rep->rows entries read, accepted keys,
 * changed/unchanged, *removed keys tombstoned.  Messages to rep_out. */
int central_import_refdata(struct central *c, enum refdata_kind kind,
    const char *name, const char *text, size_t n, struct import_report *rep,
    long *removed, FILE *rep_out, struct err *e);
int central_import_refdata_file(struct central *c, enum refdata_kind kind,
    const char *path, struct import_report *rep, long *removed, FILE *rep_out,
    struct err *e);

/* ------------------------------------------------------------- terminals */

/* Register a terminal ID with its scope and a one-time enrolment token
 * (printable, written to token, 33 bytes); only the token's hash is kept.
 * Re-enrolling a revoked or pending ID issues a new token. */
int central_terminal_enrol(struct central *c, const char *id,
    const char *wards, const char *procedures, char token[33],
    struct err *e);
/* Revoke: the key is refused from now on (AC-3, AC-8). */
int central_terminal_revoke(struct central *c, const char *id, struct err *e);
int central_terminal_list(struct central *c, FILE *out, struct err *e);
/* Let a terminal held for a rollback (its signed audit head went back) in
 * again, its present chain the new baseline (issue 15).  ERR_NOTFOUND when
 * it is not held. */
int central_terminal_release(struct central *c, const char *id, struct err *e);
/* Items the central refused, of one terminal (NULL = all), with their
 * reasons (issue 15 B: `terminal rejects [ID]`). */
int central_rejects_list(struct central *c, const char *terminal, FILE *out,
    struct err *e);
/* The purge records terminals reported (issue 13, RET-2), of one terminal
 * (NULL = all): `report purges [ID]`. */
int central_purge_report(struct central *c, const char *terminal, FILE *out,
    struct err *e);
/* Issue 13, RET-3: an online consistent copy through the encrypting VFS into
 * dir with a manifest (size, BLAKE2b-256), keeping the newest keep copies;
 * and the restore of one into the store in dir after checking its manifest,
 * its key and its integrity (the server must not be running). */
int central_backup(struct central *c, const char *dir, int keep, FILE *out,
    struct err *e);
int central_restore(const char *dir, const char *file, FILE *out, struct err *e);
/* The signed erasure records terminals sent before a wipe (issue 13),
 * each checked against the terminal's enrolled key: `terminal erasures`. */
int central_erasure_list(struct central *c, const char *terminal, FILE *out,
    struct err *e);

/* ------------------------------------------------------------- accounts */

/* `madoguchi-central user add|mod|revoke|list|review|history ...` (argv[0]
 * is the subcommand; madoguchi-central(8)): accounts issued, changed and
 * revoked one by one against a request reference, each change recorded in
 * account_log and fed to the terminals as `import accounts` does (AC-1,
 * AC-2, AC-3, AC-9).  Output to out; ERR_INVAL for a usage error. */
int central_user_cmd(struct central *c, int argc, char **argv, FILE *out,
    struct err *e);
/* Check a `user` command line (verb, name, options) without the store:
 * ERR_INVAL with the reason when it is a usage error. */
int central_user_args(int argc, char **argv, struct err *e);

/* ------------------------------------------- operators, audit (issue 16) */

/* Who runs a command: an operator logged in, or a recorded actor such as
 * "system" for scheduled purge and backup (never a login). */
struct central_actor {
	char name[80];
	int export_flag;
};
/* Operators in the store (0 = none yet: a store of an older release). */
int central_operator_count(struct central *c, struct err *e);
/* The first operator (init --admin NAME): the password from stdin or the
 * terminal; its TOTP secret (URI, QR code) printed to out once. */
int central_operator_first(struct central *c, const char *name, const char *display,
    int from_stdin, FILE *out, struct err *e);
/* Log in: the password line then the code line (stdin or the terminal). */
int central_operator_login(struct central *c, const char *name, int from_stdin,
    struct central_actor *who, struct err *e);
/* `operator add|mod|list ...` as who. */
int central_operator_cmd(struct central *c, const struct central_actor *who,
    int argc, char **argv, int from_stdin, FILE *out, struct err *e);

/* Append a row to the central's audit chain: detail is a JSON object. */
int central_audit_append(struct central *c, const char *actor, const char *action,
    const char *detail, struct err *e);
/* The same with detail built from key, value string pairs ended by NULL. */
int central_audit_note(struct central *c, const char *actor, const char *action,
    struct err *e, ...);
/* Every row and signed head checked; a line per problem to out, then a
 * summary.  ERR_CORRUPT when anything is wrong. */
int central_audit_verify(struct central *c, FILE *out, struct err *e);
/* Rows filtered (NULL = any): actor, action, day from/until (YYYY-MM-DD). */
int central_audit_list(struct central *c, const char *actor, const char *action,
    const char *since, const char *until, FILE *out, struct err *e);
/* LOG-3: every view, search page, identity check and application about
 * the resident atena at any terminal (what the terminals pushed), oldest
 * first, tab-separated with a header, to out; *count events. */
int central_audit_person(struct central *c, const char *atena, FILE *out, long *count,
    struct err *e);
/* Reports (src/central/report.c). */
int central_import_holidays(struct central *c, const char *path, FILE *rep, long *added,
    long *rejected, struct err *e);
int central_report_access(struct central *c, const char *month, int csv, FILE *out,
    long *flags, struct err *e);
int central_report_daily(struct central *c, const char *date, FILE *out, struct err *e);
/* The Ed25519 public key of the signed day heads. */
void central_audit_pubkey(const struct central *c, uint8_t pk[32]);

/* -------------------------------------------------------------- server */

struct central_server;

/* Listen on "ADDR:PORT" and serve terminals, one thread each, until
 * *stop becomes non-zero; then stop accepting, let each connection finish
 * the request it is in (acknowledged data is always committed first), and
 * return.  max_conn bounds concurrent connections. */
int central_serve(struct central *c, const char *listen_addr, int max_conn,
    volatile int *stop, struct err *e);

/* The server's limits against denial of service (issue 15 B;
 * madoguchi-central(8) serve options). */
struct central_serve_opts {
	int max_conn;		/* connections in all (1000) */
	int max_preauth;	/* still in the handshake, in all (256) */
	int max_preauth_addr;	/* still in the handshake, from one address (64) */
	int handshake_ms;	/* the whole handshake's deadline (5000) */
	size_t max_message;	/* one message from a terminal (SYNC_MSG_MAX) */
	size_t mem_budget;	/* message bodies being received at once (512 MiB) */
};
void central_serve_defaults(struct central_serve_opts *o);
/* central_serve with every limit given. */
int central_serve_with(struct central *c, const char *listen_addr,
    const struct central_serve_opts *o, volatile int *stop, struct err *e);

#endif
