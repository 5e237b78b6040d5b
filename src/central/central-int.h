/*
 * central-int.h — helpers shared by the files of src/central (not part of
 * the module's public interface, include/central.h).
 */
#ifndef MDG_CENTRAL_INT_H
#define MDG_CENTRAL_INT_H

#include "central.h"
#include "sync.h"

/* The program and release, as `--version` prints it and WELCOME says it. */
#define CENTRAL_NAME "madoguchi-central 0.1.0"

/* The database key of the central store in dir (central.key, checked like
 * central_open does) into key (32 bytes, locked memory; issue 13 backups). */
int central_key_read(const char *dir, uint8_t *key, struct err *e);
/* Local ISO 8601 time "2025-04-01T09:30:00+0900". */
void central_now(char out[32]);
int central_sql(sqlite3 *db, const char *sql, struct err *e);
int central_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
    struct err *e);
/* Record the latest change of (kind, key) for terminals in ward (NULL = all
 * wards), procedure (NULL = all) and terminal (NULL = every terminal). */
int central_change_put(sqlite3 *db, int kind, int op, const char *key,
    const char *ward, const char *procedure, const char *terminal,
    const char *body, struct err *e);
/* Register the SQL functions the queries use (mdg_in_scope). */
int central_functions(sqlite3 *db, struct err *e);
/* A page of changes after cursor within a terminal's scope, into out
 * (type MSG_CHANGES): changes, cursor and more. */
int central_changes_page(sqlite3 *db, const char *terminal, const char *wards,
    const char *procedures, uint64_t cursor, uint32_t limit, struct msg *out,
    struct err *e);
/* The same for a terminal that agreed to protocol version proto: change
 * kinds newer than proto (sync_change_kind_since) are left out, and the
 * cursor still moves past them (a terminal that upgrades pulls again from
 * 0: store migration 9). */
int central_changes_page_v(sqlite3 *db, const char *terminal, const char *wards,
    const char *procedures, int proto, uint64_t cursor, uint32_t limit,
    struct msg *out, struct err *e);

/* Read a whole CSV file and import it (see central_import_text). */
int central_import_file(struct central *c, enum import_kind kind,
    const char *path, FILE *rep_out, struct import_report *r, struct err *e);

/* central_import_text inside the caller's transaction (which the caller
 * rolls back on error): `madoguchi-central user` (cmd-user.c). */
int central_import_text_tx(struct central *c, enum import_kind kind,
    const char *name, const char *text, size_t n, FILE *rep_out,
    struct import_report *r, struct err *e);

/* Append a row to account_log (who: the operating system user, and the
 * sudo caller; when; which request; what; the resulting feed body): the
 * user commands and every row of `import accounts` (AC-2, issue 14). */
int central_account_log(sqlite3 *db, const char *actor, const char *name,
    const char *action,
    const char *request, const char *body, struct err *e);

/* A terminal admitted by its key (or its enrolment token). */
struct central_terminal {
	char id[17];
	char wards[1025];
	char procedures[1025];
};
/* Admit the key pub: an active terminal's key, or an unknown key with a
 * valid pending token (which enrols it with its audit-head signing key
 * signkey, 64 hex digits or NULL; the token is then spent).  A revoked or
 * unknown key is ERR_AUTH.  Updates last_seen. */
int central_terminal_admit(struct central *c, const uint8_t pub[32],
    const char *token, const char *signkey, struct central_terminal *t,
    struct err *e);

/* check.c: what a terminal may push (issue 15 B). */
/* 1 when v is in the comma-separated list ("" = every value). */
int central_list_has(const char *list, const char *v);
/* 1 when rno is a receipt number terminal makes (its ID's first 12
 * characters, '-', yyyymmdd, '-', digits). */
int central_receipt_of(const char *terminal, const char *rno);
/* 1 when a terminal may move an application from status from to to. */
int central_status_legal(const char *from, const char *to);
/* Check a pushed item (already well-formed, j its body) against the
 * terminal t: 0 allowed, 1 refused with the reason in why, negative on a
 * database error. */
int central_item_allowed(sqlite3 *db, const struct central_terminal *t,
    int kind, const struct json *j, char *why, size_t whylen, struct err *e);
/* Record a refused item (kept per terminal and UUID, with a count). */
int central_reject_note(sqlite3 *db, const char *terminal, const char *uuid,
    int kind, const char *reason, struct err *e);

/* import.c: an account name's characters (1 to 63 letters, digits, - or _),
 * the rule of `import accounts` and `user add`. */
int central_account_name_ok(const char *name);
/* cmd-user.c: AC-1, a name that names a person, not a post or a group. */
int central_name_individual(const char *name, const char *what, struct err *e);

/* operator.c: a line from standard input (from_stdin) or the terminal
 * (echo off unless echo) into buf (the caller's sodium_malloc memory). */
int central_secret_read(const char *prompt, int from_stdin, int echo, char *buf,
    size_t cap, struct err *e);

#endif
