/*
 * caudit.c — the central's own audit chain (issue 16; LOG-1, LOG-2, LOG-3):
 * every operator action (imports with file name, hash and counts,
 * enrolments, revocations, account and operator changes, exports, backups,
 * restores, purges, failed logins) as a row of table central_audit, each
 * row's hash over the previous row's hash and its own fields
 * (BLAKE2b-256), the head signed with the central's Ed25519 audit key at
 * every change of day (table central_audit_heads).  `audit verify` finds an
 * edited, deleted or reordered row; `audit list` filters the rows.
 *
 * The audit key is derived from the central's Noise static key (a keyed
 * BLAKE2b), so a store of an older release has one without a new file; its
 * public half is printed by `audit verify`.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "central.h"
#include "central-int.h"

#define HEAD_CONTEXT "madoguchi-central audit head v1"

static void
put_field(crypto_generichash_state *h, const char *s)
{
	uint8_t len[4];
	size_t n = strlen(s);

	len[0] = (uint8_t)(n >> 24);
	len[1] = (uint8_t)(n >> 16);
	len[2] = (uint8_t)(n >> 8);
	len[3] = (uint8_t)n;
	crypto_generichash_update(h, len, 4);
	crypto_generichash_update(h, (const uint8_t *)s, n);
}

static void
row_hash(const uint8_t prev[32], int64_t id, const char *at, const char *actor,
    const char *action, const char *detail, uint8_t out[32])
{
	crypto_generichash_state h;
	uint8_t idb[8];

	for (int i = 0; i < 8; i++)
		idb[i] = (uint8_t)((uint64_t)id >> (8 * i));
	crypto_generichash_init(&h, NULL, 0, 32);
	put_field(&h, "madoguchi-central audit row v1");
	crypto_generichash_update(&h, prev, 32);
	crypto_generichash_update(&h, idb, 8);
	put_field(&h, at);
	put_field(&h, actor);
	put_field(&h, action);
	put_field(&h, detail);
	crypto_generichash_final(&h, out, 32);
}

static void
head_message(const char *day, int64_t id, const uint8_t hash[32], uint8_t out[32])
{
	crypto_generichash_state h;
	char ids[32];

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	crypto_generichash_init(&h, NULL, 0, 32);
	put_field(&h, HEAD_CONTEXT);
	put_field(&h, day);
	put_field(&h, ids);
	crypto_generichash_update(&h, hash, 32);
	crypto_generichash_final(&h, out, 32);
}

/* The Ed25519 key pair of the audit heads (sk in sodium_malloc memory). */
static int
audit_keypair(const struct central *c, uint8_t pk[32], uint8_t **sk, struct err *e)
{
	uint8_t seed[32];

	if ((*sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	crypto_generichash(seed, 32, (const uint8_t *)HEAD_CONTEXT, strlen(HEAD_CONTEXT),
	    c->noise_priv, 32);
	crypto_sign_seed_keypair(pk, *sk, seed);
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

void
central_audit_pubkey(const struct central *c, uint8_t pk[32])
{
	uint8_t *sk;
	struct err e;

	err_clear(&e);
	if (audit_keypair(c, pk, &sk, &e) == 0)
		sodium_free(sk);
}

/* Sign the head (day, id, hash) once. */
static int
head_sign(struct central *c, const char *day, int64_t id, const uint8_t hash[32],
    struct err *e)
{
	uint8_t pk[32], msg[32], sig[crypto_sign_BYTES], *sk;
	char at[32];
	sqlite3_stmt *st;
	int r;

	if ((r = audit_keypair(c, pk, &sk, e)) != 0)
		return r;
	head_message(day, id, hash, msg);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	sodium_free(sk);
	central_now(at);
	if ((r = central_prepare(c->db, "INSERT OR IGNORE INTO central_audit_heads"
	    " (day, id, hash, sig, signed_at) VALUES (?, ?, ?, ?, ?)", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, sig, sizeof(sig), SQLITE_STATIC);
	sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_DONE ? 0 :
	    err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	return r;
}

int
central_audit_append(struct central *c, const char *actor, const char *action,
    const char *detail, struct err *e)
{
	uint8_t prev[32] = { 0 }, hash[32];
	char at[32], day[11], last_day[16] = "";
	int64_t id = 0;
	sqlite3_stmt *st;
	int r;

	if (actor == NULL || actor[0] == '\0')
		return err_set(e, ERR_INVAL, "audit row without an actor");
	central_now(at);
	memcpy(day, at, 10);
	day[10] = '\0';
	if ((r = central_sql(c->db, "SAVEPOINT caudit", e)) != 0)
		return r;
	if ((r = central_prepare(c->db, "SELECT id, hash, day FROM central_audit"
	    " ORDER BY id DESC LIMIT 1", &st, e)) != 0)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
		id = sqlite3_column_int64(st, 0);
		memcpy(prev, sqlite3_column_blob(st, 1), 32);
		snprintf(last_day, sizeof(last_day), "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	/* The first row of a new day: the previous day's head is signed. */
	if (id > 0 && strcmp(last_day, day) != 0 &&
	    (r = head_sign(c, last_day, id, prev, e)) != 0)
		goto fail;
	id++;
	row_hash(prev, id, at, actor, action, detail, hash);
	if ((r = central_prepare(c->db, "INSERT INTO central_audit (id, at, day, actor, action,"
	    " detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st, e)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, prev, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, hash, 32, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_DONE ? 0 :
	    err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	if (r != 0)
		goto fail;
	{
		char v[32];
		snprintf(v, sizeof(v), "%lld", (long long)id);
		if ((r = central_prepare(c->db, "INSERT OR REPLACE INTO meta (key, value)"
		    " VALUES ('central_audit_last', ?)", &st, e)) != 0)
			goto fail;
		sqlite3_bind_text(st, 1, v, -1, SQLITE_TRANSIENT);
		r = sqlite3_step(st) == SQLITE_DONE ? 0 :
		    err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
		sqlite3_finalize(st);
		if (r != 0)
			goto fail;
	}
	return central_sql(c->db, "RELEASE caudit", e);
fail:
	{
		struct err e2;
		err_clear(&e2);
		central_sql(c->db, "ROLLBACK TO caudit; RELEASE caudit", &e2);
	}
	return r;
}

int
central_audit_note(struct central *c, const char *actor, const char *action,
    struct err *e, ...)
{
	struct wbuf w;
	va_list ap;
	const char *k, *v;
	int first = 1, r;

	wbuf_init(&w, 1 << 20);
	wbuf_put(&w, "{", 1);
	va_start(ap, e);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (!first)
			wbuf_put(&w, ",", 1);
		first = 0;
		json_put_str(&w, k, strlen(k));
		wbuf_put(&w, ":", 1);
		json_put_str(&w, v != NULL ? v : "", v != NULL ? strlen(v) : 0);
	}
	va_end(ap);
	wbuf_put(&w, "}", 1);
	if (w.err != 0)
		r = err_set(e, ERR_NOMEM, "audit row too large");
	else
		r = central_audit_append(c, actor, action, wbuf_str(&w), e);
	wbuf_free(&w);
	return r;
}

int
central_audit_verify(struct central *c, FILE *out, struct err *e)
{
	uint8_t prev[32] = { 0 }, hash[32], pk[32];
	char pkhex[65];
	int64_t expect = 1, last = 0, rows = 0;
	long problems = 0, heads = 0;
	sqlite3_stmt *st;
	int r;

	if ((r = central_prepare(c->db, "SELECT id, at, actor, action, detail, prev, hash"
	    " FROM central_audit ORDER BY id", &st, e)) != 0)
		return r;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *at = (const char *)sqlite3_column_text(st, 1);
		const char *actor = (const char *)sqlite3_column_text(st, 2);
		const char *action = (const char *)sqlite3_column_text(st, 3);
		const char *detail = (const char *)sqlite3_column_text(st, 4);

		rows++;
		if (id != expect) {
			fprintf(out, "row %lld: expected row %lld here: rows deleted or reordered\n",
			    (long long)id, (long long)expect);
			problems++;
		}
		if (sqlite3_column_bytes(st, 5) != 32 ||
		    memcmp(sqlite3_column_blob(st, 5), prev, 32) != 0) {
			fprintf(out, "row %lld: does not follow the row before it"
			    " (deleted, inserted or reordered)\n", (long long)id);
			problems++;
		}
		row_hash(sqlite3_column_bytes(st, 5) == 32 ? sqlite3_column_blob(st, 5) : prev,
		    id, at ? at : "", actor ? actor : "", action ? action : "",
		    detail ? detail : "", hash);
		if (sqlite3_column_bytes(st, 6) != 32 ||
		    memcmp(sqlite3_column_blob(st, 6), hash, 32) != 0) {
			fprintf(out, "row %lld: edited (its hash does not match its content)\n",
			    (long long)id);
			problems++;
		}
		if (sqlite3_column_bytes(st, 6) == 32)
			memcpy(prev, sqlite3_column_blob(st, 6), 32);
		expect = id + 1;
		last = id;
	}
	sqlite3_finalize(st);
	/* The last row written, kept beside the chain: rows cut off the end. */
	if ((r = central_prepare(c->db, "SELECT value FROM meta WHERE key = 'central_audit_last'",
	    &st, e)) != 0)
		return r;
	if (sqlite3_step(st) == SQLITE_ROW) {
		long long want = atoll((const char *)sqlite3_column_text(st, 0));
		if (want != last) {
			fprintf(out, "the chain ends at row %lld, but row %lld was written:"
			    " rows deleted at the end\n", (long long)last, want);
			problems++;
		}
	}
	sqlite3_finalize(st);
	/* Signed heads: each signature valid and its row still as signed. */
	central_audit_pubkey(c, pk);
	if ((r = central_prepare(c->db, "SELECT h.day, h.id, h.hash, h.sig, a.hash"
	    " FROM central_audit_heads h LEFT JOIN central_audit a ON a.id = h.id"
	    " ORDER BY h.id", &st, e)) != 0)
		return r;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *day = (const char *)sqlite3_column_text(st, 0);
		int64_t id = sqlite3_column_int64(st, 1);
		uint8_t msg[32];

		heads++;
		if (sqlite3_column_bytes(st, 2) != 32 ||
		    sqlite3_column_bytes(st, 3) != crypto_sign_BYTES) {
			fprintf(out, "head of %s: malformed\n", day ? day : "?");
			problems++;
			continue;
		}
		head_message(day ? day : "", id, sqlite3_column_blob(st, 2), msg);
		if (crypto_sign_verify_detached(sqlite3_column_blob(st, 3), msg, 32, pk) != 0) {
			fprintf(out, "head of %s (row %lld): bad signature\n", day, (long long)id);
			problems++;
		} else if (sqlite3_column_bytes(st, 4) != 32 ||
		    memcmp(sqlite3_column_blob(st, 4), sqlite3_column_blob(st, 2), 32) != 0) {
			fprintf(out, "head of %s (row %lld): the signed row is gone or changed\n",
			    day, (long long)id);
			problems++;
		}
	}
	sqlite3_finalize(st);
	hex_encode(pk, 32, pkhex);
	fprintf(out, "%lld rows, %ld signed day heads, %ld problems; audit key %s\n",
	    (long long)rows, heads, problems, pkhex);
	if (problems > 0)
		return err_set(e, ERR_CORRUPT, "central audit chain: %ld problems", problems);
	return 0;
}

int
central_audit_list(struct central *c, const char *actor, const char *action,
    const char *since, const char *until, FILE *out, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	if ((r = central_prepare(c->db, "SELECT id, at, actor, action, detail FROM central_audit"
	    " WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2)"
	    " AND (?3 IS NULL OR day >= ?3) AND (?4 IS NULL OR day <= ?4) ORDER BY id",
	    &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, since, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, until, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char a[200], d[4096];
		text_visible((const char *)sqlite3_column_text(st, 2), a, sizeof(a));
		text_visible((const char *)sqlite3_column_text(st, 4), d, sizeof(d));
		fprintf(out, "%lld\t%s\t%s\t%s\t%s\n", (long long)sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1), a,
		    (const char *)sqlite3_column_text(st, 3), d);
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
}
