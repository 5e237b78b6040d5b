/*
 * terminal.c — terminal enrolment at the central (AC-8): an operator
 * registers a terminal ID with its scope and hands a one-time token to the
 * person setting the terminal up; the terminal presents the token once in
 * its first handshake, and from then on only its static key admits it.
 * Revocation refuses the key at the next handshake.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "central-int.h"

#define TOKEN_DAYS 7

static void
token_hash(const char *token, uint8_t out[32])
{
	crypto_generichash(out, 32, (const uint8_t *)token, strlen(token), NULL, 0);
}

static int
scope_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == ','))
			return 0;
	return 1;
}

int
central_terminal_enrol(struct central *c, const char *id, const char *wards,
    const char *procedures, char token[33], struct err *e)
{
	sqlite3_stmt *st;
	uint8_t raw[16], h[32];
	char now[32];
	size_t i;
	int r;

	if (id[0] == '\0' || strlen(id) > 16 || !scope_ok(id) || strchr(id, ',') != NULL)
		return err_set(e, ERR_INVAL, "terminal ID must be 1 to 16 letters, digits, - or _");
	if (strlen(wards) > 1024 || strlen(procedures) > 1024 || !scope_ok(wards) ||
	    !scope_ok(procedures))
		return err_set(e, ERR_INVAL, "wards and procedures are comma-separated codes");
	randombytes_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	sodium_memzero(raw, sizeof(raw));
	token_hash(token, h);
	central_now(now);
	/* A new token for a known ID re-enrols it: the old key stops working. */
	if ((r = central_prepare(c->db, "INSERT INTO terminals (id, wards, procedures,"
	    " token_hash, token_expires, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " 'pending', ?6) ON CONFLICT(id) DO UPDATE SET wards = ?2, procedures = ?3,"
	    " token_hash = ?4, token_expires = ?5, status = 'pending', pubkey = NULL,"
	    " held = NULL, held_at = NULL, gen = gen + 1",
	    &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, wards, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, procedures, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, h, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)mdg_now() + TOKEN_DAYS * 86400);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		sodium_memzero(token, 33);
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	}
	log_info("terminal %s registered for enrolment (wards \"%s\", procedures \"%s\")",
	    id, wards, procedures);
	return 0;
}

int
central_terminal_revoke(struct central *c, const char *id, struct err *e)
{
	sqlite3_stmt *st;
	char now[32];
	int r;

	central_now(now);
	if ((r = central_prepare(c->db, "UPDATE terminals SET status = 'revoked',"
	    " revoked_at = ?2, token_hash = NULL WHERE id = ?1", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	if (sqlite3_changes(c->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no terminal \"%s\"", id);
	log_info("terminal %s revoked", id);
	return 0;
}

int
central_terminal_list(struct central *c, FILE *out, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	if ((r = central_prepare(c->db, "SELECT id, CASE WHEN held IS NOT NULL THEN"
	    " 'HELD' ELSE status END, wards, procedures,"
	    " ifnull(enrolled_at, '-'), ifnull(last_seen, '-'), hex(pubkey), held,"
	    " held_at FROM terminals ORDER BY id", &st, e)) != 0)
		return r;
	fprintf(out, "%-16s %-8s %-12s %-16s %-25s %-25s %s\n", "ID", "STATUS",
	    "WARDS", "PROCEDURES", "ENROLLED", "LAST SEEN", "KEY");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 6);
		const char *wards = (const char *)sqlite3_column_text(st, 2);
		const char *procs = (const char *)sqlite3_column_text(st, 3);

		fprintf(out, "%-16s %-8s %-12s %-16s %-25s %-25s %.16s%s\n",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		    wards[0] ? wards : "*", procs[0] ? procs : "*",
		    sqlite3_column_text(st, 4), sqlite3_column_text(st, 5),
		    key != NULL && key[0] ? key : "-", key != NULL && key[0] ? "..." : "");
		if (sqlite3_column_type(st, 7) != SQLITE_NULL)
			/* issue 15: raised for an administrator */
			fprintf(out, "  HELD since %s: %s\n  (after checking the terminal:"
			    " madoguchi-central terminal release %s)\n",
			    sqlite3_column_text(st, 8), sqlite3_column_text(st, 7),
			    sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return 0;
}

int
central_terminal_admit(struct central *c, const uint8_t pub[32],
    const char *token, const char *signkey, struct central_terminal *t,
    struct err *e)
{
	sqlite3_stmt *st;
	uint8_t h[32], spk[32];
	int have_spk = signkey != NULL && strlen(signkey) == 64 &&
	    hex_decode(signkey, 64, spk, 32) == 32;
	char now[32];
	int r, found = 0;

	memset(t, 0, sizeof(*t));
	central_now(now);
	if ((r = central_prepare(c->db, "SELECT id, status, wards, procedures, held FROM"
	    " terminals WHERE pubkey = ?", &st, e)) != 0)
		return r;
	sqlite3_bind_blob(st, 1, pub, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(t->id, sizeof(t->id), "%s", sqlite3_column_text(st, 0));
		snprintf(t->wards, sizeof(t->wards), "%s", sqlite3_column_text(st, 2));
		snprintf(t->procedures, sizeof(t->procedures), "%s",
		    sqlite3_column_text(st, 3));
		if (strcmp((const char *)sqlite3_column_text(st, 1), "active") != 0) {
			sqlite3_finalize(st);
			return err_set(e, ERR_AUTH, "terminal %s is revoked", t->id);
		}
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			/* issue 15: its store went back; an administrator decides */
			sqlite3_finalize(st);
			return err_set(e, ERR_AUTH, "terminal %s is held for an administrator"
			    " (terminal list)", t->id);
		}
	}
	sqlite3_finalize(st);
	if (!found) {
		if (token == NULL)
			return err_set(e, ERR_AUTH, "unknown terminal key");
		token_hash(token, h);
		if ((r = central_prepare(c->db, "UPDATE terminals SET pubkey = ?1,"
		    " status = 'active', token_hash = NULL, enrolled_at = ?3, sign_pub = ?5"
		    " WHERE token_hash = ?2 AND status = 'pending' AND token_expires > ?4"
		    " RETURNING id, wards, procedures", &st, e)) != 0)
			return r;
		if (have_spk)
			sqlite3_bind_blob(st, 5, spk, 32, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_blob(st, 1, pub, 32, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)mdg_now());
		if (sqlite3_step(st) == SQLITE_ROW) {
			found = 1;
			snprintf(t->id, sizeof(t->id), "%s", sqlite3_column_text(st, 0));
			snprintf(t->wards, sizeof(t->wards), "%s", sqlite3_column_text(st, 1));
			snprintf(t->procedures, sizeof(t->procedures), "%s",
			    sqlite3_column_text(st, 2));
		}
		while (sqlite3_step(st) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
		if (!found)
			return err_set(e, ERR_AUTH, "unknown terminal key with an invalid,"
			    " used or expired enrolment token");
		log_info("terminal %s enrolled", t->id);
	}
	if ((r = central_prepare(c->db, "UPDATE terminals SET last_seen = ? WHERE id = ?",
	    &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->id, -1, SQLITE_STATIC);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return 0;
}

int
central_terminal_release(struct central *c, const char *id, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	/* the terminal's present chain becomes the new baseline */
	if ((r = central_prepare(c->db, "UPDATE terminals SET held = NULL, held_at ="
	    " NULL, gen = gen + 1 WHERE id = ? AND held IS NOT NULL", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	if (sqlite3_changes(c->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no held terminal \"%s\"", id);
	log_info("terminal %s released by the operator (its audit heads start again)", id);
	return 0;
}
