/*
 * serve.c — `madoguchi-central serve`: the sync server.
 *
 * One thread per terminal connection (bounded by max_conn), blocking I/O
 * with deadlines on the Noise channel, and one database connection shared
 * under a mutex: every request runs in its own transaction and its answer
 * is sent only after COMMIT, so an acknowledged item is always durable
 * (a repeat of an item, after a cut connection, is acknowledged as a
 * duplicate and not stored again).  On stop the listener closes, each
 * connection finishes the request it is in and closes at the next wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include <sodium.h>

#include "central-int.h"

#define IDLE_TIMEOUT_MS 60000

struct conn;

/* Denial of service (issue 15 B): connections that have not finished the
 * handshake are on a list, oldest first, and limited in all and per
 * address; when a limit is reached the oldest one (of that address) is
 * dropped to make room, so that an attacker holding the limit cannot keep
 * a terminal out (its handshake takes milliseconds).  Each is dropped at
 * the handshake deadline.  Message bodies take their announced size from
 * a global budget before they are read. */
struct server {
	struct central *c;
	struct central_serve_opts o;
	pthread_mutex_t dbmu;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int active;
	volatile int *stop;
	struct conn *pre_head, *pre_tail;	/* not authenticated, oldest first */
	int npre;
	size_t mem_used;
	long dropped, expired, refused;		/* since the last log line */
	int64_t last_log;
};

struct conn {
	struct server *s;
	int fd;			/* the channel's (a dup of sock) */
	int sock;		/* the accepted socket, closed last */
	int proto;		/* protocol version agreed in the handshake */
	struct central_terminal t;
	struct conn *prev, *next;
	int listed;		/* on the pre-authentication list */
	int64_t start;		/* accepted at (monotonic ms) */
	char ip[64];
	size_t held;		/* bytes of the memory budget held */
};

/* --------------------------------------------------------- item checks */

/* The definition of each pushed item body (NET-3): members, their JSON
 * types, and which are required.  Anything else is rejected.  A member
 * added later names the protocol version that added it (since; see msg.c):
 * a terminal of an older version that sends it is rejected like any other
 * undefined member, and "required" holds from that version on. */
struct member {
	const char *name;
	int type;		/* JSON_STR, JSON_NUM, JSON_OBJ, -1 any */
	int required;
	int since;		/* protocol version that added it (0: 1) */
};

/* A row that leaves `since` out exists since version 1. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct member app_members[] = {
	{ "uuid", JSON_STR, 1 }, { "receipt_no", JSON_STR, 1 },
	{ "procedure", JSON_STR, 1 }, { "type", JSON_STR, 0 },
	{ "atena", JSON_STR, 1 }, { "form", JSON_OBJ, 0 }, { "agent", -1, 0 },
	{ "idcheck", JSON_STR, 0 }, { "entered_by", JSON_STR, 1 },
	{ "confirmed_by", JSON_STR, 0 }, { "status", JSON_STR, 1 },
	{ "received_at", JSON_STR, 1 }, { "updated_at", JSON_STR, 0 },
	{ NULL, 0, 0 }
};
static const struct member status_members[] = {
	{ "uuid", JSON_STR, 1 }, { "receipt_no", JSON_STR, 0 },
	{ "status", JSON_STR, 1 }, { "at", JSON_STR, 1 }, { "by", JSON_STR, 1 },
	{ "note", JSON_STR, 0 }, { NULL, 0, 0 }
};
static const struct member idcheck_members[] = {
	{ "uuid", JSON_STR, 1 }, { "atena", JSON_STR, 1 }, { "method", JSON_STR, 1 },
	{ "documents", JSON_STR, 0 }, { "clerk", JSON_STR, 1 }, { "at", JSON_STR, 1 },
	{ "digest_result", JSON_NUM, 0 }, { "detail", JSON_STR, 0 },
	{ NULL, 0, 0 }
};
static const struct member head_members[] = {
	{ "id", JSON_NUM, 1 }, { "hash", JSON_STR, 1 }, { "sig", JSON_STR, 1 },
	{ "at", JSON_STR, 1 }, { "counter", JSON_NUM, 1, SYNC_SINCE_HEAD_COUNTER },
	{ NULL, 0, 0 }
};
static const struct member audit_members[] = {
	{ "id", JSON_NUM, 1 }, { "at", JSON_STR, 1 }, { "who", JSON_STR, 1 },
	{ "terminal", JSON_STR, 0 }, { "action", JSON_STR, 1 },
	{ "person", JSON_STR, 0 }, { "screen", JSON_STR, 0 },
	{ "detail", JSON_STR, 0 }, { "prev", JSON_STR, 1 }, { "hash", JSON_STR, 1 },
	{ NULL, 0, 0 }
};
#pragma GCC diagnostic pop

/* A member name from outside, safe to put in a log line. */
static const char *
printable(const char *s, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static int
body_check(const struct msg_item *it, int proto, struct json **out, char *why,
    size_t whylen)
{
	const struct member *defs = it->kind == ITEM_APPLICATION ? app_members :
	    it->kind == ITEM_STATUS ? status_members :
	    it->kind == ITEM_IDCHECK ? idcheck_members :
	    it->kind == ITEM_AUDIT_HEAD ? head_members : audit_members;
	const struct member *d;
	const struct json *m;
	struct json *j = NULL;
	struct err e;

	*out = NULL;
	if (json_parse(it->body, it->bodylen, &j, &e) != 0 || j->type != JSON_OBJ) {
		snprintf(why, whylen, "body is not a JSON object");
		json_free(j);
		return -1;
	}
	for (m = j->child; m != NULL; m = m->next) {
		for (d = defs; d->name != NULL; d++)
			if (strcmp(d->name, m->key) == 0 && d->since <= proto)
				break;
		if (d->name == NULL) {
			char pb[41];

			snprintf(why, whylen, "undefined member \"%s\"",
			    printable(m->key, pb, sizeof(pb)));
			json_free(j);
			return -1;
		}
		if (d->type >= 0 && (int)m->type != d->type &&
		    !(m->type == JSON_NULL && !d->required)) {
			snprintf(why, whylen, "member \"%s\" has the wrong type", d->name);
			json_free(j);
			return -1;
		}
	}
	for (d = defs; d->name != NULL; d++)
		if (d->required && d->since <= proto && json_get(j, d->name) == NULL) {
			snprintf(why, whylen, "member \"%s\" missing", d->name);
			json_free(j);
			return -1;
		}
	if (it->kind == ITEM_AUDIT) {
		const char *p = json_get_str(j, "prev"), *h = json_get_str(j, "hash");
		uint8_t tmp[32];

		if (hex_decode(p, strlen(p), tmp, 32) != 32 ||
		    hex_decode(h, strlen(h), tmp, 32) != 32) {
			snprintf(why, whylen, "prev and hash must be 32 bytes in hex");
			json_free(j);
			return -1;
		}
	}
	if (it->kind == ITEM_AUDIT_HEAD) {
		const char *h = json_get_str(j, "hash"), *g = json_get_str(j, "sig");
		uint8_t tmp[64];

		if (hex_decode(h, strlen(h), tmp, 32) != 32 ||
		    hex_decode(g, strlen(g), tmp, 64) != 64 ||
		    json_get(j, "id")->num < 1) {
			snprintf(why, whylen, "hash must be 32 and sig 64 bytes in hex");
			json_free(j);
			return -1;
		}
	}
	*out = j;
	return 0;
}

static void
hash_field(crypto_generichash_state *h, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	uint8_t len[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16),
		(uint8_t)(n >> 8), (uint8_t)n };

	crypto_generichash_update(h, len, 4);
	if (n > 0)
		crypto_generichash_update(h, (const uint8_t *)s, n);
}

/* The row hash as the terminal's store defines it (src/store/audit.c):
 * BLAKE2b-256(prev || id u64 || at, who, terminal, action, person, screen,
 * detail each as u32 length + bytes, big-endian). */
static void
audit_row_hash(const struct json *j, int64_t id, const uint8_t prev[32],
    uint8_t out[32])
{
	static const char *const fields[] = { "at", "who", "terminal", "action",
		"person", "screen", "detail" };
	crypto_generichash_state h;
	uint8_t idb[8];
	size_t i;

	for (i = 0; i < 8; i++)
		idb[i] = (uint8_t)((uint64_t)id >> (56 - 8 * i));
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, prev, 32);
	crypto_generichash_update(&h, idb, 8);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		hash_field(&h, json_get_str(j, fields[i]));
	crypto_generichash_final(&h, out, 32);
}

/* LOG-2: the terminal's audit rows must continue its chain: the next id,
 * and prev equal to the hash of the row before.  A break is kept (the row
 * is stored, marked) and reported in the operator log. */
static int
audit_store(struct server *s, struct conn *cn, const struct json *j,
    const char *body, struct err *e)
{
	sqlite3 *db = s->c->db;
	sqlite3_stmt *st;
	int64_t id = (int64_t)json_get(j, "id")->num, last_id = 0;
	uint8_t prev[32], hash[32], last_hash[32], calc[32];
	char now[32];
	int ok, r, have_hash = 0, content_ok;

	hex_decode(json_get_str(j, "prev"), 64, prev, 32);
	hex_decode(json_get_str(j, "hash"), 64, hash, 32);
	if ((r = central_prepare(db, "SELECT audit_last_id, audit_last_hash FROM"
	    " terminals WHERE id = ?", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, cn->t.id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		last_id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == 32) {
			memcpy(last_hash, sqlite3_column_blob(st, 1), 32);
			have_hash = 1;
		}
	}
	sqlite3_finalize(st);
	if (last_id == 0)
		/* The first row we see: it starts the chain (id 1, prev zero)
		 * or continues rows pushed before this version kept them. */
		ok = id == 1 ? sodium_is_zero(prev, 32) : 1;
	else
		ok = id == last_id + 1 && have_hash && memcmp(prev, last_hash, 32) == 0;
	/* The row's content must give its hash: an edited row is caught
	 * here even when its neighbours' links are intact. */
	audit_row_hash(j, id, prev, calc);
	content_ok = sodium_memcmp(calc, hash, 32) == 0;
	if (!content_ok)
		log_warn("audit row %lld of terminal %s does not match its hash",
		    (long long)id, cn->t.id);
	if (!ok)
		log_warn("audit chain of terminal %s broken at row %lld (last good row %lld)",
		    cn->t.id, (long long)id, (long long)last_id);
	ok = ok && content_ok;
	central_now(now);
	if ((r = central_prepare(db, "INSERT OR IGNORE INTO audit (terminal, id, body,"
	    " chain_ok, received_at) VALUES (?, ?, ?, ?, ?)", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, cn->t.id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, ok);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
	if (id > last_id) {
		if ((r = central_prepare(db, "UPDATE terminals SET audit_last_id = ?,"
		    " audit_last_hash = ? WHERE id = ?", &st, e)) != 0)
			return r;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, cn->t.id, -1, SQLITE_STATIC);
		r = sqlite3_step(st);
		sqlite3_finalize(st);
		if (r != SQLITE_DONE)
			return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
	}
	return 0;
}

/* The store generation counter of a head (protocol 3), -1 without one. */
static int64_t
head_counter(const struct json *j)
{
	const struct json *c = json_get(j, "counter");

	return c != NULL && c->num >= 0 && c->num < 9007199254740992.0 ?
	    (int64_t)c->num : -1;
}

/* SPEC 4, LOG-2: a signed chain head.  The signature must verify with the
 * key enrolled for this terminal (else the item is refused); whether the
 * head matches the rows received so far is recorded and a mismatch (rows
 * withheld or cut off the end) is reported. */
static int
head_verify(struct server *s, struct conn *cn, const struct json *j, char *why,
    size_t whylen)
{
	sqlite3_stmt *st;
	uint8_t spk[32], hash[32], sig[64];
	char text[256];
	int64_t id = (int64_t)json_get(j, "id")->num;
	int have = 0, n;

	if (central_prepare(s->c->db, "SELECT sign_pub FROM terminals WHERE id = ?",
	    &st, NULL) != 0)
		return snprintf(why, whylen, "database error"), -1;
	sqlite3_bind_text(st, 1, cn->t.id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(spk, sqlite3_column_blob(st, 0), 32);
		have = 1;
	}
	sqlite3_finalize(st);
	if (!have)
		return snprintf(why, whylen, "no signing key enrolled for this terminal"), -1;
	hex_decode(json_get_str(j, "hash"), 64, hash, 32);
	hex_decode(json_get_str(j, "sig"), 128, sig, 64);
	if ((n = head_counter(j) >= 0 ? sync_head_message2(cn->t.id, id, hash,
	    (uint64_t)head_counter(j), text, sizeof(text)) :
	    sync_head_message(cn->t.id, id, hash, text, sizeof(text))) < 0 ||
	    crypto_sign_verify_detached(sig, (const uint8_t *)text, (size_t)n, spk) != 0) {
		log_warn("terminal %s: signed audit head %lld does not verify",
		    cn->t.id, (long long)id);
		return snprintf(why, whylen, "signature does not verify"), -1;
	}
	return 0;
}

static int
head_store(struct server *s, struct conn *cn, const struct json *j,
    struct err *e)
{
	sqlite3 *db = s->c->db;
	sqlite3_stmt *st;
	int64_t id = (int64_t)json_get(j, "id")->num, last_id = -1;
	uint8_t hash[32], sig[64], last_hash[32];
	char now[32];
	int matches = 0, r;

	hex_decode(json_get_str(j, "hash"), 64, hash, 32);
	hex_decode(json_get_str(j, "sig"), 128, sig, 64);
	if ((r = central_prepare(db, "SELECT audit_last_id, audit_last_hash FROM"
	    " terminals WHERE id = ?", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, cn->t.id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
		last_id = sqlite3_column_int64(st, 0);
		memcpy(last_hash, sqlite3_column_blob(st, 1), 32);
		matches = last_id == id && memcmp(last_hash, hash, 32) == 0;
	}
	sqlite3_finalize(st);
	if (!matches)
		log_warn("terminal %s: signed audit head %lld does not match the rows"
		    " received (last row %lld)", cn->t.id, (long long)id, (long long)last_id);
	central_now(now);
	if ((r = central_prepare(db, "INSERT OR REPLACE INTO audit_heads (terminal, id,"
	    " hash, sig, signed_at, matches, received_at, gen, counter) VALUES (?, ?, ?,"
	    " ?, ?, ?, ?, (SELECT gen FROM terminals WHERE id = ?1), ?8)", &st, e)) != 0)
		return r;
	if (head_counter(j) >= 0)
		sqlite3_bind_int64(st, 8, head_counter(j));
	sqlite3_bind_text(st, 1, cn->t.id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, sig, 64, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, json_get_str(j, "at"), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, matches);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : err_set(e, ERR_IO, "central db: %s",
	    sqlite3_errmsg(db));
}

/* Rollback (issue 15): a signed head behind one this terminal signed
 * before, or at the same row with another hash, means its store went back
 * (restored from an older copy: rows and their effects undone).  The
 * page seals cannot see that; the central can.  1 = rolled back (why). */
static int
head_rollback(struct server *s, struct conn *cn, const struct json *j,
    char *why, size_t whylen, struct err *e)
{
	sqlite3 *db = s->c->db;
	sqlite3_stmt *st;
	int64_t id = (int64_t)json_get(j, "id")->num, max = 0;
	uint8_t hash[32];
	int r, differs = 0;

	hex_decode(json_get_str(j, "hash"), 64, hash, 32);
	if ((r = central_prepare(db, "SELECT max(h.id) FROM audit_heads h JOIN"
	    " terminals t ON t.id = h.terminal AND h.gen = t.gen WHERE h.terminal = ?",
	    &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, cn->t.id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		max = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if ((r = central_prepare(db, "SELECT h.hash FROM audit_heads h JOIN terminals t"
	    " ON t.id = h.terminal AND h.gen = t.gen WHERE h.terminal = ? AND h.id = ?",
	    &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, cn->t.id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
		differs = memcmp(sqlite3_column_blob(st, 0), hash, 32) != 0;
	sqlite3_finalize(st);
	/* The store's generation counter (protocol 3) rises with every head
	 * signed: one not above the highest seen means an older copy of the
	 * store, even when enough rows were added after the restore to carry
	 * the head's row number past the old one. */
	if (head_counter(j) >= 0) {
		int64_t maxc = -1;

		if ((r = central_prepare(db, "SELECT max(h.counter) FROM audit_heads h"
		    " JOIN terminals t ON t.id = h.terminal AND h.gen = t.gen WHERE"
		    " h.terminal = ?", &st, e)) != 0)
			return r;
		sqlite3_bind_text(st, 1, cn->t.id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL)
			maxc = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (head_counter(j) <= maxc) {
			snprintf(why, whylen, "signed audit head %lld carries store counter"
			    " %lld, not above %lld signed before: the terminal's store went"
			    " back (restored from an older copy?); held for an administrator",
			    (long long)id, (long long)head_counter(j), (long long)maxc);
			return 1;
		}
	}
	if (id < max)
		snprintf(why, whylen, "signed audit head %lld is behind head %lld signed"
		    " before: the terminal's store went back (restored from an older"
		    " copy?); held for an administrator", (long long)id, (long long)max);
	else if (differs)
		snprintf(why, whylen, "signed audit head %lld differs from the head %lld"
		    " signed before: the terminal's store went back; held for an"
		    " administrator", (long long)id, (long long)id);
	else
		return 0;
	return 1;
}

/* Hold the terminal: refused at its next handshake until `terminal
 * release` (terminal list shows it). */
static int
terminal_hold(struct server *s, struct conn *cn, const char *why, struct err *e)
{
	sqlite3_stmt *st;
	char now[32];
	int r;

	central_now(now);
	if ((r = central_prepare(s->c->db, "UPDATE terminals SET held = ?, held_at = ?"
	    " WHERE id = ?", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, why, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cn->t.id, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(s->c->db));
	log_error("terminal %s HELD for an administrator: %s", cn->t.id, why);
	return 0;
}

/* Refuse one item: the ack's reason, the central log and the rejects
 * table (issue 15 B). */
static int
push_refuse(struct server *s, struct conn *cn, const struct msg_item *it,
    const char *why, struct msg *rep, struct err *e)
{
	char uu[41];
	int r;

	log_warn("terminal %s: item %s rejected: %s", cn->t.id,
	    printable(it->uuid, uu, sizeof(uu)), why);
	if ((r = central_reject_note(s->c->db, cn->t.id, it->uuid, it->kind, why,
	    e)) != 0)
		return r;
	return msg_add_ack(rep, it->uuid, ACK_REJECTED, why);
}

/* Store each item once per terminal; fill the acknowledgements.  All in
 * one transaction: either every STORED ack is durable or none is sent.
 * An item already received from this terminal is a duplicate before any
 * check (it was checked when it came); a new one is checked against the
 * terminal (check.c) before it is stored. */
static int
handle_push(struct server *s, struct conn *cn, const struct msg *req,
    struct msg *rep, struct err *e)
{
	sqlite3 *db = s->c->db;
	sqlite3_stmt *ins = NULL, *dup = NULL;
	char now[32], why[256];
	size_t i;
	int r;

	msg_init(rep, MSG_PUSH_ACK, req->id);
	central_now(now);
	if ((r = central_sql(db, "BEGIN IMMEDIATE", e)) != 0)
		return r;
	if ((r = central_prepare(db, "INSERT INTO received (uuid, terminal, kind,"
	    " receipt_no, app, status, body, received_at) VALUES (?, ?, ?, ?, ?, ?,"
	    " ?, ?)", &ins, e)) != 0 ||
	    (r = central_prepare(db, "SELECT body FROM received WHERE terminal = ? AND"
	    " uuid = ?", &dup, e)) != 0)
		goto fail;
	for (i = 0; i < req->nitems; i++) {
		const struct msg_item *it = &req->items[i];
		struct json *j = NULL;
		const char *rno, *app = NULL, *status = NULL;
		int seen;

		sqlite3_reset(dup);
		sqlite3_bind_text(dup, 1, cn->t.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(dup, 2, it->uuid, -1, SQLITE_STATIC);
		seen = sqlite3_step(dup) == SQLITE_ROW;
		/* the same signed head again, but different: a rollback */
		if (seen && it->kind == ITEM_AUDIT_HEAD &&
		    ((size_t)sqlite3_column_bytes(dup, 0) != it->bodylen ||
		    memcmp(sqlite3_column_text(dup, 0), it->body, it->bodylen) != 0))
			seen = 2;
		sqlite3_reset(dup);
		if (seen == 2) {
			why[0] = '\0';
			r = 0;
			if (body_check(it, cn->proto, &j, why, sizeof(why)) == 0 &&
			    head_verify(s, cn, j, why, sizeof(why)) == 0 &&
			    (r = head_rollback(s, cn, j, why, sizeof(why), e)) == 1 &&
			    (r = terminal_hold(s, cn, why, e)) == 0)
				r = 1;
			json_free(j);
			j = NULL;
			if (r < 0)
				goto fail;
			if (r == 1) {
				if ((r = push_refuse(s, cn, it, why, rep, e)) != 0)
					goto fail;
				continue;
			}
			seen = 1;	/* a head of an older generation */
		}
		if (seen) {
			if ((r = msg_add_ack(rep, it->uuid, ACK_DUPLICATE, NULL)) != 0)
				goto fail;
			continue;
		}
		why[0] = '\0';
		if (body_check(it, cn->proto, &j, why, sizeof(why)) != 0 ||
		    (it->kind == ITEM_AUDIT_HEAD && head_verify(s, cn, j, why,
		    sizeof(why)) != 0) ||
		    (it->kind == ITEM_AUDIT_HEAD && (r = head_rollback(s, cn, j, why,
		    sizeof(why), e)) != 0 && (r < 0 || (r = terminal_hold(s, cn, why,
		    e)) != 0 || (r = 1))) ||
		    (r = central_item_allowed(db, &cn->t, it->kind, j, why,
		    sizeof(why), e)) != 0) {
			json_free(j);
			j = NULL;
			if (r < 0)
				goto fail;
			if ((r = push_refuse(s, cn, it, why, rep, e)) != 0)
				goto fail;
			continue;
		}
		rno = it->kind == ITEM_APPLICATION || it->kind == ITEM_STATUS ?
		    json_get_str(j, "receipt_no") : NULL;
		if (it->kind == ITEM_APPLICATION || it->kind == ITEM_STATUS) {
			app = json_get_str(j, "uuid");
			status = json_get_str(j, "status");
		}
		if (it->kind == ITEM_STATUS)
			rno = NULL;	/* the application row carries it */
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, it->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, cn->t.id, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 3, it->kind);
		if (rno != NULL)
			sqlite3_bind_text(ins, 4, rno, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 4);
		if (app != NULL)
			sqlite3_bind_text(ins, 5, app, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 5);
		if (status != NULL)
			sqlite3_bind_text(ins, 6, status, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 6);
		sqlite3_bind_text(ins, 7, it->body, (int)it->bodylen, SQLITE_STATIC);
		sqlite3_bind_text(ins, 8, now, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			json_free(j);
			r = err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
			goto fail;
		}
		r = it->kind == ITEM_AUDIT ? audit_store(s, cn, j, it->body, e) :
		    it->kind == ITEM_AUDIT_HEAD ? head_store(s, cn, j, e) : 0;
		json_free(j);
		if (r == 0)
			r = msg_add_ack(rep, it->uuid, ACK_STORED, NULL);
		if (r != 0)
			goto fail;
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(dup);
	return central_sql(db, "COMMIT", e);
fail:
	sqlite3_finalize(ins);
	sqlite3_finalize(dup);
	central_sql(db, "ROLLBACK", NULL);
	msg_clear(rep);
	return r != 0 ? r : ERR_IO;
}

static int
handle(struct server *s, struct conn *cn, const struct msg *req,
    struct msg *rep, struct err *e)
{
	int r = 0;

	switch (req->type) {
	case MSG_PUSH:
		pthread_mutex_lock(&s->dbmu);
		r = handle_push(s, cn, req, rep, e);
		pthread_mutex_unlock(&s->dbmu);
		return r;
	case MSG_PULL:
		msg_init(rep, MSG_CHANGES, req->id);
		pthread_mutex_lock(&s->dbmu);
		r = central_changes_page(s->c->db, cn->t.id, cn->t.wards,
		    cn->t.procedures, req->cursor, req->limit, rep, e);
		pthread_mutex_unlock(&s->dbmu);
		if (r != 0)
			msg_clear(rep);
		return r;
	case MSG_PING:
		msg_init(rep, MSG_PONG, req->id);
		rep->time = (uint64_t)time(NULL);
		return 0;
	default:
		return err_set(e, ERR_PROTO, "unexpected %s message from a terminal",
		    msg_type_name(req->type));
	}
}

static int
auth(void *arg, const uint8_t rs[32], const uint8_t *hello, size_t hlen,
    struct wbuf *reply, struct err *e)
{
	struct conn *cn = arg;
	struct msg h, w;
	int r, lo, hi;

	if ((r = msg_decode(hello, hlen, &h, e)) != 0)
		return r;
	if (h.type != MSG_HELLO) {
		msg_clear(&h);
		return err_set(e, ERR_PROTO, "handshake payload is not HELLO");
	}
	/* The versions the terminal offers (none: a first-release terminal,
	 * version 1); the highest both speak is the connection's. */
	if (sync_proto_offer(h.client, &lo, &hi) != 0) {
		msg_clear(&h);
		return err_set(e, ERR_FORMAT, "HELLO: malformed protocol offer");
	}
	if ((cn->proto = sync_proto_choose(lo, hi)) < 0) {
		msg_clear(&h);
		return err_set(e, ERR_PROTO, "terminal speaks protocol versions %d-%d,"
		    " this central %d-%d", lo, hi, SYNC_PROTO_MIN, SYNC_PROTO_MAX);
	}
	pthread_mutex_lock(&cn->s->dbmu);
	r = central_terminal_admit(cn->s->c, rs, h.token, h.signkey, &cn->t, e);
	pthread_mutex_unlock(&cn->s->dbmu);
	if (r != 0) {
		msg_clear(&h);
		return r;
	}
	log_info("terminal %s connected: %s, protocol version %d", cn->t.id,
	    h.client, cn->proto);
	msg_init(&w, MSG_WELCOME, h.id);
	w.proto = (uint8_t)cn->proto;
	msg_set_text(&w.terminal_id, cn->t.id);
	msg_set_text(&w.wards, cn->t.wards);
	msg_set_text(&w.procedures, cn->t.procedures);
	msg_set_text(&w.server, CENTRAL_NAME);	/* left out below version 2 */
	w.time = (uint64_t)time(NULL);
	r = msg_encode(&w, reply, e);
	msg_clear(&w);
	msg_clear(&h);
	return r;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The pre-authentication list (under s->mu). */
static void
pre_unlink(struct server *s, struct conn *cn)
{
	if (!cn->listed)
		return;
	if (cn->prev != NULL)
		cn->prev->next = cn->next;
	else
		s->pre_head = cn->next;
	if (cn->next != NULL)
		cn->next->prev = cn->prev;
	else
		s->pre_tail = cn->prev;
	cn->prev = cn->next = NULL;
	cn->listed = 0;
	s->npre--;
}

static void
pre_append(struct server *s, struct conn *cn)
{
	cn->prev = s->pre_tail;
	cn->next = NULL;
	if (s->pre_tail != NULL)
		s->pre_tail->next = cn;
	else
		s->pre_head = cn;
	s->pre_tail = cn;
	cn->listed = 1;
	s->npre++;
}

/* Drop a connection still in its handshake: its thread's next read fails
 * and it ends.  The socket stays open until that thread closes it, after
 * it has left the list, so the descriptor is never one reused meanwhile. */
static void
pre_drop(struct server *s, struct conn *cn)
{
	shutdown(cn->sock, SHUT_RDWR);
	pre_unlink(s, cn);
}

/* One line a second at most about dropped and refused connections. */
static void
pre_log(struct server *s, int64_t now)
{
	if (s->dropped + s->expired + s->refused == 0 || now - s->last_log < 1000)
		return;
	log_warn("connections: %ld dropped at the pre-authentication limits (%d in all,"
	    " %d per address), %ld past the %d ms handshake deadline, %ld refused at"
	    " %d connections", s->dropped, s->o.max_preauth, s->o.max_preauth_addr,
	    s->expired, s->o.handshake_ms, s->refused, s->o.max_conn);
	s->dropped = s->expired = s->refused = 0;
	s->last_log = now;
}

/* Drop every handshake past the deadline (under s->mu). */
static void
pre_reap(struct server *s, int64_t now)
{
	while (s->pre_head != NULL && now - s->pre_head->start >= s->o.handshake_ms) {
		pre_drop(s, s->pre_head);
		s->expired++;
	}
	pre_log(s, now);
}

/* Make room for a new connection from ip; 0 = admit it (under s->mu). */
static int
pre_admit(struct server *s, const char *ip)
{
	struct conn *cn, *oldest = NULL;
	int n = 0;

	for (cn = s->pre_head; cn != NULL; cn = cn->next)
		if (strcmp(cn->ip, ip) == 0 && n++ == 0)
			oldest = cn;
	if (n >= s->o.max_preauth_addr && oldest != NULL) {
		pre_drop(s, oldest);
		s->dropped++;
	}
	if (s->npre >= s->o.max_preauth && s->pre_head != NULL) {
		pre_drop(s, s->pre_head);
		s->dropped++;
	}
	if (s->active >= s->o.max_conn) {
		if (s->pre_head == NULL) {
			s->refused++;
			return -1;
		}
		pre_drop(s, s->pre_head);
		s->dropped++;
	}
	return 0;
}

/* The memory budget: a message's announced size is taken before its body
 * is read, and given back once it is answered. */
static int
budget_take(void *arg, size_t n)
{
	struct conn *cn = arg;
	struct server *s = cn->s;
	int r = -1;

	pthread_mutex_lock(&s->mu);
	if (n <= s->o.mem_budget && s->mem_used <= s->o.mem_budget - n) {
		s->mem_used += n;
		cn->held += n;
		r = 0;
	}
	pthread_mutex_unlock(&s->mu);
	if (r != 0)
		log_warn("terminal %s: message of %zu bytes refused: memory budget for"
		    " message bodies (%zu bytes) in use", cn->t.id, n, s->o.mem_budget);
	return r;
}

static void
budget_give(struct conn *cn)
{
	pthread_mutex_lock(&cn->s->mu);
	cn->s->mem_used -= cn->held;
	cn->held = 0;
	pthread_mutex_unlock(&cn->s->mu);
}

static void *
conn_main(void *arg)
{
	struct conn *cn = arg;
	struct server *s = cn->s;
	struct sync_chan *ch = NULL;
	struct msg req, rep;
	struct wbuf in, out;
	struct err e;
	uint64_t rid;
	int r, ok;

	err_clear(&e);
	wbuf_init(&in, SYNC_MSG_MAX + 64);
	wbuf_init(&out, SYNC_MSG_MAX + 64);
	ok = cn->fd >= 0 && sync_chan_accept(cn->fd, s->c->noise_priv, auth, cn,
	    s->o.handshake_ms, &ch, &e) == 0;
	pthread_mutex_lock(&s->mu);
	pre_unlink(s, cn);
	pthread_mutex_unlock(&s->mu);
	if (!ok)
		goto out;
	sync_chan_set_timeout(ch, IDLE_TIMEOUT_MS);
	sync_chan_set_cancel(ch, s->stop);
	sync_chan_set_max(ch, s->o.max_message);
	sync_chan_set_budget(ch, budget_take, cn);
	for (;;) {
		budget_give(cn);
		if (in.cap > ((size_t)1 << 20)) {
			/* a large message's buffer is not kept while idle */
			wbuf_free(&in);
			wbuf_init(&in, SYNC_MSG_MAX + 64);
		}
		if (sync_chan_recv(ch, &in, &e) != 0)
			break;
		if ((r = msg_decode(in.p, in.len, &req, &e)) != 0) {
			log_warn("terminal %s: closing: %s", cn->t.id, e.msg);
			break;
		}
		if (req.proto != cn->proto) {
			log_warn("terminal %s: closing: %s in protocol version %u,"
			    " not the agreed %d", cn->t.id, msg_type_name(req.type),
			    (unsigned)req.proto, cn->proto);
			msg_clear(&req);
			break;
		}
		rid = req.id;
		r = handle(s, cn, &req, &rep, &e);
		msg_clear(&req);
		out.len = 0;
		out.err = 0;
		if (r != 0) {
			log_warn("terminal %s: %s", cn->t.id, e.msg);
			msg_init(&rep, MSG_ERROR, rid);
			rep.proto = (uint8_t)cn->proto;
			rep.code = (uint32_t)-r;
			msg_set_text(&rep.text, "request failed at the central");
			if (msg_encode(&rep, &out, &e) == 0)
				sync_chan_send(ch, out.p, out.len, &e);
			msg_clear(&rep);
			break;
		}
		rep.proto = (uint8_t)cn->proto;
		r = msg_encode(&rep, &out, &e);
		msg_clear(&rep);
		if (r != 0 || sync_chan_send(ch, out.p, out.len, &e) != 0) {
			log_warn("terminal %s: %s", cn->t.id, e.msg);
			break;
		}
		if (out.cap > ((size_t)1 << 20)) {
			wbuf_free(&out);
			wbuf_init(&out, SYNC_MSG_MAX + 64);
		}
	}
out:
	sync_chan_free(ch);	/* closes fd; on accept failure it was closed */
	budget_give(cn);
	wbuf_free(&in);
	wbuf_free(&out);
	pthread_mutex_lock(&s->mu);
	close(cn->sock);
	s->active--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	free(cn);
	return NULL;
}

static int
listen_on(const char *addr, struct err *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256], *colon;
	int fd = -1, one = 1, r;

	snprintf(host, sizeof(host), "%s", addr);
	if ((colon = strrchr(host, ':')) == NULL)
		return err_set(e, ERR_INVAL, "--listen wants ADDR:PORT");
	*colon = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res)) != 0)
		return err_set(e, ERR_INVAL, "%s: %s", addr, gai_strerror(r));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 512) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err_set(e, ERR_NET, "cannot listen on %s: %s", addr, strerror(errno));
	return fd;
}

void
central_serve_defaults(struct central_serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_conn = 1000;
	o->max_preauth = 256;
	o->max_preauth_addr = 64;
	o->handshake_ms = 5000;
	o->max_message = SYNC_MSG_MAX;
	o->mem_budget = (size_t)512 << 20;
}

int
central_serve(struct central *c, const char *listen_addr, int max_conn,
    volatile int *stop, struct err *e)
{
	struct central_serve_opts o;

	central_serve_defaults(&o);
	o.max_conn = max_conn;
	return central_serve_with(c, listen_addr, &o, stop, e);
}

int
central_serve_with(struct central *c, const char *listen_addr,
    const struct central_serve_opts *opts, volatile int *stop, struct err *e)
{
	struct server s;
	pthread_attr_t attr;
	struct pollfd pfd;
	int lfd, fd;

	if (opts->max_conn < 1 || opts->max_preauth < 1 || opts->max_preauth_addr < 1 ||
	    opts->handshake_ms < 100 || opts->max_message < 1024 ||
	    opts->max_message > SYNC_MSG_MAX || opts->mem_budget < opts->max_message)
		return err_set(e, ERR_INVAL, "serve limits out of range (madoguchi-central(8))");
	if ((lfd = listen_on(listen_addr, e)) < 0)
		return lfd;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.o = *opts;
	s.stop = stop;
	pthread_mutex_init(&s.dbmu, NULL);
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	log_info("serving on %s (at most %d connections, %d in the handshake, %d of"
	    " them from one address, %d ms to finish it)", listen_addr, s.o.max_conn,
	    s.o.max_preauth, s.o.max_preauth_addr, s.o.handshake_ms);
	while (!*stop) {
		struct sockaddr_storage sa;
		socklen_t salen = sizeof(sa);
		char ip[64];
		struct conn *cn;
		pthread_t th;
		int admit;

		pthread_mutex_lock(&s.mu);
		pre_reap(&s, mono_ms());
		pthread_mutex_unlock(&s.mu);
		pfd.fd = lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((fd = accept4(lfd, (struct sockaddr *)&sa, &salen, SOCK_CLOEXEC)) < 0)
			continue;
		if (getnameinfo((struct sockaddr *)&sa, salen, ip, sizeof(ip), NULL, 0,
		    NI_NUMERICHOST) != 0)
			snprintf(ip, sizeof(ip), "?");
		pthread_mutex_lock(&s.mu);
		admit = pre_admit(&s, ip) == 0;
		if (admit)
			s.active++;
		pre_log(&s, mono_ms());
		pthread_mutex_unlock(&s.mu);
		if (!admit) {
			close(fd);
			continue;
		}
		if ((cn = calloc(1, sizeof(*cn))) == NULL) {
			close(fd);
			pthread_mutex_lock(&s.mu);
			s.active--;
			pthread_mutex_unlock(&s.mu);
			continue;
		}
		cn->s = &s;
		cn->sock = fd;
		cn->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		cn->start = mono_ms();
		snprintf(cn->ip, sizeof(cn->ip), "%s", ip);
		pthread_mutex_lock(&s.mu);
		pre_append(&s, cn);
		pthread_mutex_unlock(&s.mu);
		if (pthread_create(&th, &attr, conn_main, cn) != 0) {
			log_warn("cannot start a connection thread");
			pthread_mutex_lock(&s.mu);
			pre_unlink(&s, cn);
			s.active--;
			pthread_mutex_unlock(&s.mu);
			if (cn->fd >= 0)
				close(cn->fd);
			close(fd);
			free(cn);
		}
	}
	close(lfd);
	log_info("stopping: waiting for %d connection(s) to finish", s.active);
	pthread_mutex_lock(&s.mu);
	/* handshakes in progress are not worth waiting for */
	while (s.pre_head != NULL)
		pre_drop(&s, s.pre_head);
	while (s.active > 0)
		pthread_cond_wait(&s.cv, &s.mu);
	pthread_mutex_unlock(&s.mu);
	pthread_attr_destroy(&attr);
	pthread_mutex_destroy(&s.dbmu);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cv);
	log_info("stopped");
	return 0;
}
