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

/* ------------------------------------------------------------- the store */

#define CENTRAL_DB_FILE "central.db"
#define CENTRAL_KEY_FILE "central.key"		/* database key, 0600 */
#define CENTRAL_NOISE_FILE "central.noise"	/* Noise static private key, 0600 */

struct central {
	sqlite3 *db;
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
