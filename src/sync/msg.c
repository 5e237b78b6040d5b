/*
 * msg.c — the sync messages: encoding, and decoding with field-by-field
 * validation against the definition of each message type (NET-3).
 *
 * The definitions are tables (which tags a type allows, of which type,
 * how long, whether required or repeated), so that the decoder and the
 * encoder enforce the same interface and an undefined item can only be
 * rejected.  Every read goes through struct rbuf.
 *
 * Versions and rolling upgrades (SPEC 7, NET-3).  Terminals and the central
 * are upgraded one at a time, so a new program meets old peers in both
 * directions.  The rule for every change to the protocol:
 *
 *  - Nothing is ever changed or removed within a version; a change is a new
 *    version.  Raise SYNC_PROTO_MAX, add SYNC_SINCE_<WHAT> in sync.h, and
 *    give the new message type (type_since[]), field (the fdef's since) or
 *    pushed-item JSON member (serve.c's struct member since) that version.
 *  - The decoder checks a message against its version's definitions only:
 *    what is newer than the message's version is undefined and rejected,
 *    exactly as before (NET-3 holds for every version).
 *  - The encoder writes the agreed version: it leaves out an optional field
 *    newer than it and refuses a newer message type, so code that sends a
 *    new message asks sync_proto_has(proto, SYNC_SINCE_X) first, and the
 *    receiver's behaviour for an older peer is written next to it.
 *  - HELLO never gains fields (an old central rejects them): it is version 1,
 *    and offers the terminal's versions in its client text ("proto=1-2").  A
 *    HELLO without an offer comes from the first release and means 1.  The
 *    central picks the highest common version and writes the WELCOME, and
 *    everything after it, in that version; a first-release central knows
 *    nothing of offers and answers in 1, which the new terminal then speaks.
 *  - Required fields added later are required only from their version on.
 *
 * Version 1: the first release (v0.1.0, commit 02f4559).
 * Version 2: WELCOME carries the central's program and release (T_SERVER).
 * Version 3: a pushed audit head (ITEM_AUDIT_HEAD) has the member "counter",
 *            the store's generation counter, inside the signed text
 *            (sync_head_message2; issue 15, rollback detection).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"

enum ftype { FT_U8, FT_U32, FT_U64, FT_TEXT, FT_UUID, FT_REC };
enum { F_REQ = 1, F_REP = 2, F_MULTILINE = 4 };	/* MULTILINE: JSON bodies */

/* Top-level tags. */
enum {
	T_TOKEN = 1, T_CLIENT = 2, T_TERMINAL_ID = 3, T_WARDS = 4,
	T_PROCEDURES = 5, T_TIME = 6, T_CURSOR = 7, T_LIMIT = 8, T_MORE = 9,
	T_CODE = 10, T_TEXT = 11, T_SIGNKEY = 12, T_SERVER = 13, T_ITEM = 20,
	T_ACK = 21, T_CHANGE = 22
};
/* Record tags (inside T_ITEM, T_ACK, T_CHANGE). */
enum {
	R_UUID = 1, R_KIND = 2, R_BODY = 3, R_STATUS = 4, R_REASON = 5,
	R_SEQ = 6, R_OP = 7, R_KEY = 8
};

struct fdef {
	uint8_t tag;
	uint8_t type;		/* enum ftype */
	uint32_t max;		/* text: bytes; u8/u32: largest value */
	uint32_t min;		/* u8/u32: smallest value */
	uint8_t flags;
	uint8_t since;		/* protocol version that added it (0: 1) */
};

/* A row that leaves `since` out exists since version 1. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct fdef hello_f[] = {
	{ T_TOKEN, FT_TEXT, 128, 0, 0 },
	{ T_CLIENT, FT_TEXT, 64, 0, F_REQ },
	{ T_SIGNKEY, FT_TEXT, 64, 0, 0 },
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef welcome_f[] = {
	{ T_TERMINAL_ID, FT_TEXT, 16, 0, F_REQ },
	{ T_WARDS, FT_TEXT, 1024, 0, F_REQ },
	{ T_PROCEDURES, FT_TEXT, 1024, 0, F_REQ },
	{ T_TIME, FT_U64, 0, 0, F_REQ },
	{ T_SERVER, FT_TEXT, 64, 0, 0, SYNC_SINCE_SERVER },
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef push_f[] = {
	{ T_ITEM, FT_REC, 0, 0, F_REQ | F_REP },
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef push_ack_f[] = {
	{ T_ACK, FT_REC, 0, 0, F_REP },
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef pull_f[] = {
	{ T_CURSOR, FT_U64, 0, 0, F_REQ },
	{ T_LIMIT, FT_U32, SYNC_BATCH_MAX, 1, F_REQ },
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef changes_f[] = {
	{ T_CURSOR, FT_U64, 0, 0, F_REQ },
	{ T_MORE, FT_U8, 1, 0, F_REQ },
	{ T_CHANGE, FT_REC, 0, 0, F_REP },
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef ping_f[] = {
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef pong_f[] = {
	{ T_TIME, FT_U64, 0, 0, F_REQ },
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef error_f[] = {
	{ T_CODE, FT_U32, 0xffffffffu, 0, F_REQ },
	{ T_TEXT, FT_TEXT, 512, 0, F_REQ },
	{ 0, 0, 0, 0, 0 }
};

static const struct fdef item_f[] = {
	{ R_UUID, FT_UUID, 36, 0, F_REQ },
	{ R_KIND, FT_U8, ITEM_KIND_MAX, 1, F_REQ },
	{ R_BODY, FT_TEXT, SYNC_BODY_MAX, 0, F_REQ | F_MULTILINE },
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef ack_f[] = {
	{ R_UUID, FT_UUID, 36, 0, F_REQ },
	{ R_STATUS, FT_U8, ACK_REJECTED, ACK_STORED, F_REQ },
	{ R_REASON, FT_TEXT, 256, 0, 0 },
	{ 0, 0, 0, 0, 0 }
};
static const struct fdef change_f[] = {
	{ R_SEQ, FT_U64, 0, 0, F_REQ },
	{ R_KIND, FT_U8, CHG_KIND_MAX, 1, F_REQ },
	{ R_OP, FT_U8, CHG_DELETE, CHG_UPSERT, F_REQ },
	{ R_KEY, FT_TEXT, 128, 0, F_REQ },
	{ R_BODY, FT_TEXT, SYNC_BODY_MAX, 0, F_MULTILINE },
	{ 0, 0, 0, 0, 0 }
};

#pragma GCC diagnostic pop

static const struct fdef *const type_defs[MSG_TYPE_MAX + 1] = {
	NULL, hello_f, welcome_f, push_f, push_ack_f, pull_f, changes_f,
	ping_f, pong_f, error_f
};

/* The protocol version that added each message type (0: 1). */
static const uint8_t type_since[MSG_TYPE_MAX + 1] = {
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1
};

static const char *const type_names[MSG_TYPE_MAX + 1] = {
	"?", "HELLO", "WELCOME", "PUSH", "PUSH_ACK", "PULL", "CHANGES",
	"PING", "PONG", "ERROR"
};

const char *
msg_type_name(int type)
{
	return type >= 1 && type <= MSG_TYPE_MAX ? type_names[type] : "?";
}

static const struct fdef *
fdef_find(const struct fdef *defs, uint8_t tag)
{
	for (; defs->tag != 0; defs++)
		if (defs->tag == tag)
			return defs;
	return NULL;
}

/* 1 when the definition d exists in protocol version ver. */
static int
in_version(const struct fdef *d, unsigned ver)
{
	return d->since <= ver;
}

static unsigned
msg_version(const struct msg *m)
{
	return m->proto != 0 ? m->proto : SYNC_MSG_VERSION;
}

int
sync_proto_offer(const char *client, int *lo, int *hi)
{
	const char *w, *p;
	char *end;
	long a, b;

	*lo = *hi = 1;
	if (client == NULL)
		return 0;
	w = strrchr(client, ' ');
	w = w != NULL ? w + 1 : client;
	if (strncmp(w, "proto=", 6) != 0)
		return strstr(client, "proto=") != NULL ? ERR_FORMAT : 0;
	p = w + 6;
	if (*p < '1' || *p > '9')
		return ERR_FORMAT;
	a = strtol(p, &end, 10);
	b = a;
	if (*end == '-') {
		if (end[1] < '1' || end[1] > '9')
			return ERR_FORMAT;
		b = strtol(end + 1, &end, 10);
	}
	if (*end != '\0' || a > 255 || b > 255 || b < a)
		return ERR_FORMAT;
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

int
sync_proto_choose(int lo, int hi)
{
	int v = hi < SYNC_PROTO_MAX ? hi : SYNC_PROTO_MAX;

	return v >= lo && v >= SYNC_PROTO_MIN ? v : ERR_PROTO;
}

int
msg_uuid_valid(const char *s, size_t n)
{
	size_t i;

	if (n != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

uint64_t
msg_new_id(void)
{
	uint64_t id = 0;

	while (id == 0)
		if (rand_bytes(&id, sizeof(id)) != 0)
			break;
	return id;
}

void
msg_init(struct msg *m, enum sync_msg_type type, uint64_t id)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)type;
	m->id = id;
}

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int
msg_set_text(char **field, const char *s)
{
	char *p = NULL;

	if (s != NULL && (p = dup_n(s, strlen(s))) == NULL)
		return ERR_NOMEM;
	free(*field);
	*field = p;
	return 0;
}

/* Make room for element n of an array whose capacity is implied by n
 * (8, then doubling): reallocate only when it is full. */
static int
grow(void *arrp, size_t n, size_t sz)
{
	void **arr = arrp;
	void *p;
	size_t cap;

	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return 0;
	cap = n == 0 ? 8 : n * 2;
	if ((p = realloc(*arr, cap * sz)) == NULL)
		return ERR_NOMEM;
	*arr = p;
	return 0;
}

int
msg_add_item(struct msg *m, const char *uuid, uint8_t kind, const char *body,
    size_t bodylen)
{
	struct msg_item *it;

	if (grow(&m->items, m->nitems, sizeof(*m->items)) != 0)
		return ERR_NOMEM;
	it = &m->items[m->nitems];
	memset(it, 0, sizeof(*it));
	snprintf(it->uuid, sizeof(it->uuid), "%s", uuid);
	it->kind = kind;
	if ((it->body = dup_n(body, bodylen)) == NULL)
		return ERR_NOMEM;
	it->bodylen = bodylen;
	m->nitems++;
	return 0;
}

int
msg_add_ack(struct msg *m, const char *uuid, uint8_t status,
    const char *reason)
{
	struct msg_ack *a;

	if (grow(&m->acks, m->nacks, sizeof(*m->acks)) != 0)
		return ERR_NOMEM;
	a = &m->acks[m->nacks];
	memset(a, 0, sizeof(*a));
	snprintf(a->uuid, sizeof(a->uuid), "%s", uuid);
	a->status = status;
	if (reason != NULL && (a->reason = dup_n(reason, strlen(reason))) == NULL)
		return ERR_NOMEM;
	m->nacks++;
	return 0;
}

int
msg_add_change(struct msg *m, uint64_t seq, uint8_t kind, uint8_t op,
    const char *key, const char *body, size_t bodylen)
{
	struct msg_change *c;

	if (grow(&m->changes, m->nchanges, sizeof(*m->changes)) != 0)
		return ERR_NOMEM;
	c = &m->changes[m->nchanges];
	memset(c, 0, sizeof(*c));
	c->seq = seq;
	c->kind = kind;
	c->op = op;
	if ((c->key = dup_n(key, strlen(key))) == NULL)
		return ERR_NOMEM;
	if (body != NULL) {
		if ((c->body = dup_n(body, bodylen)) == NULL) {
			free(c->key);
			return ERR_NOMEM;
		}
		c->bodylen = bodylen;
	}
	m->nchanges++;
	return 0;
}

void
msg_clear(struct msg *m)
{
	size_t i;

	free(m->token);
	free(m->client);
	free(m->signkey);
	free(m->terminal_id);
	free(m->wards);
	free(m->procedures);
	free(m->server);
	free(m->text);
	for (i = 0; i < m->nitems; i++)
		free(m->items[i].body);
	free(m->items);
	for (i = 0; i < m->nacks; i++)
		free(m->acks[i].reason);
	free(m->acks);
	for (i = 0; i < m->nchanges; i++) {
		free(m->changes[i].key);
		free(m->changes[i].body);
	}
	free(m->changes);
	memset(m, 0, sizeof(*m));
}

/* ---------------------------------------------------------------- encode */

static void
put_field(struct wbuf *w, uint8_t tag, const void *p, size_t n)
{
	wbuf_put_u8(w, tag);
	wbuf_put_u32(w, (uint32_t)n);
	wbuf_put(w, p, n);
}

static void
put_u8(struct wbuf *w, uint8_t tag, uint8_t v)
{
	put_field(w, tag, &v, 1);
}

static void
put_u32(struct wbuf *w, uint8_t tag, uint32_t v)
{
	wbuf_put_u8(w, tag);
	wbuf_put_u32(w, 4);
	wbuf_put_u32(w, v);
}

static void
put_u64(struct wbuf *w, uint8_t tag, uint64_t v)
{
	wbuf_put_u8(w, tag);
	wbuf_put_u32(w, 8);
	wbuf_put_u64(w, v);
}

/* Control characters: only JSON bodies may hold line breaks and tabs;
 * every other text (keys, IDs, reasons) is one line, so that it can be
 * logged and shown without surprises. */
static int
has_controls(const char *s, size_t n, int multiline)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x7f || (c < 0x20 && !(multiline &&
		    (c == '\n' || c == '\r' || c == '\t'))))
			return 1;
	}
	return 0;
}

/* A text field as the decoder will want it. */
static int
check_text(const struct fdef *d, const char *s, size_t n, const char *what,
    struct err *e)
{
	if (d->type == FT_UUID ? !msg_uuid_valid(s, n) :
	    (n > d->max || has_controls(s, n, d->flags & F_MULTILINE) ||
	    !utf8_valid(s, n)))
		return err_set(e, ERR_INVAL, "message field %s is not valid", what);
	return 0;
}

static int
put_text(struct wbuf *w, const struct fdef *defs, uint8_t tag, const char *s,
    size_t n, const char *what, struct err *e)
{
	const struct fdef *d = fdef_find(defs, tag);
	int r;

	if ((r = check_text(d, s, n, what, e)) != 0)
		return r;
	put_field(w, tag, s, n);
	return 0;
}

/* An optional text field of the top level, written only in a version that
 * has it (the peer of an older one would reject it). */
static int
enc_opt(struct wbuf *w, const struct fdef *defs, uint8_t tag, const char *s,
    unsigned ver, const char *what, struct err *e)
{
	if (s == NULL || !in_version(fdef_find(defs, tag), ver))
		return 0;
	return put_text(w, defs, tag, s, strlen(s), what, e);
}

/* The value of a numeric field within its definition's range. */
static int
check_num(const struct fdef *d, uint64_t v, const char *what, struct err *e)
{
	if ((d->type == FT_U8 || d->type == FT_U32) && (v < d->min || v > d->max))
		return err_set(e, ERR_INVAL, "message field %s out of range", what);
	return 0;
}

static int
enc_item(struct wbuf *w, const struct msg_item *it, struct err *e)
{
	struct wbuf sub;
	int r;

	wbuf_init(&sub, SYNC_BODY_MAX + 256);
	if ((r = put_text(&sub, item_f, R_UUID, it->uuid, strlen(it->uuid), "uuid", e)) != 0 ||
	    (r = check_num(fdef_find(item_f, R_KIND), it->kind, "kind", e)) != 0)
		goto out;
	put_u8(&sub, R_KIND, it->kind);
	if ((r = put_text(&sub, item_f, R_BODY, it->body, it->bodylen, "body", e)) != 0)
		goto out;
	if (sub.err != 0) {
		r = err_set(e, ERR_RANGE, "item too large");
		goto out;
	}
	put_field(w, T_ITEM, sub.p, sub.len);
out:
	wbuf_free(&sub);
	return r;
}

static int
enc_ack(struct wbuf *w, const struct msg_ack *a, struct err *e)
{
	uint8_t buf[512];
	struct wbuf sub;
	int r;

	wbuf_init_fixed(&sub, buf, sizeof(buf));
	if ((r = put_text(&sub, ack_f, R_UUID, a->uuid, strlen(a->uuid), "uuid", e)) != 0 ||
	    (r = check_num(fdef_find(ack_f, R_STATUS), a->status, "status", e)) != 0)
		return r;
	put_u8(&sub, R_STATUS, a->status);
	if (a->reason != NULL && (r = put_text(&sub, ack_f, R_REASON, a->reason,
	    strlen(a->reason), "reason", e)) != 0)
		return r;
	put_field(w, T_ACK, sub.p, sub.len);
	return 0;
}

static int
enc_change(struct wbuf *w, struct wbuf *sub, const struct msg_change *c,
    struct err *e)
{
	int r;

	sub->len = 0;
	sub->err = 0;
	if ((r = check_num(fdef_find(change_f, R_KIND), c->kind, "kind", e)) != 0 ||
	    (r = check_num(fdef_find(change_f, R_OP), c->op, "op", e)) != 0)
		return r;
	if ((c->op == CHG_UPSERT) != (c->body != NULL))
		return err_set(e, ERR_INVAL, "change body must be present exactly for an upsert");
	put_u64(sub, R_SEQ, c->seq);
	put_u8(sub, R_KIND, c->kind);
	put_u8(sub, R_OP, c->op);
	if ((r = put_text(sub, change_f, R_KEY, c->key, strlen(c->key), "key", e)) != 0)
		return r;
	if (c->body != NULL && (r = put_text(sub, change_f, R_BODY, c->body,
	    c->bodylen, "body", e)) != 0)
		return r;
	if (sub->err != 0)
		return err_set(e, ERR_RANGE, "change too large");
	put_field(w, T_CHANGE, sub->p, sub->len);
	return 0;
}

/* A required text field of the top level. */
static int
enc_str(struct wbuf *w, const struct fdef *defs, uint8_t tag, const char *s,
    const char *what, struct err *e)
{
	const struct fdef *d = fdef_find(defs, tag);

	if (s == NULL) {
		if (d->flags & F_REQ)
			return err_set(e, ERR_INVAL, "message field %s is missing", what);
		return 0;
	}
	return put_text(w, defs, tag, s, strlen(s), what, e);
}

int
msg_encode(const struct msg *m, struct wbuf *w, struct err *e)
{
	const struct fdef *defs;
	struct wbuf sub;
	unsigned ver;
	size_t i;
	int r = 0;

	if (m->type < 1 || m->type > MSG_TYPE_MAX)
		return err_set(e, ERR_INVAL, "unknown message type %u", m->type);
	ver = msg_version(m);
	if (ver < SYNC_PROTO_MIN || ver > SYNC_PROTO_MAX)
		return err_set(e, ERR_INVAL, "protocol version %u is not spoken", ver);
	if (type_since[m->type] > ver)
		return err_set(e, ERR_INVAL, "%s is not in protocol version %u",
		    msg_type_name(m->type), ver);
	if (m->type == MSG_HELLO && ver != SYNC_MSG_VERSION)
		return err_set(e, ERR_INVAL, "HELLO is always version %d", SYNC_MSG_VERSION);
	defs = type_defs[m->type];
	wbuf_put_u8(w, (uint8_t)ver);
	wbuf_put_u8(w, m->type);
	wbuf_put_u64(w, m->id);
	switch (m->type) {
	case MSG_HELLO:
		if ((r = enc_str(w, defs, T_TOKEN, m->token, "token", e)) == 0 &&
		    (r = enc_str(w, defs, T_CLIENT, m->client, "client", e)) == 0)
			r = enc_str(w, defs, T_SIGNKEY, m->signkey, "signkey", e);
		break;
	case MSG_WELCOME:
		if ((r = enc_str(w, defs, T_TERMINAL_ID, m->terminal_id, "terminal_id", e)) == 0 &&
		    (r = enc_str(w, defs, T_WARDS, m->wards, "wards", e)) == 0 &&
		    (r = enc_str(w, defs, T_PROCEDURES, m->procedures, "procedures", e)) == 0) {
			put_u64(w, T_TIME, m->time);
			r = enc_opt(w, defs, T_SERVER, m->server, ver, "server", e);
		}
		break;
	case MSG_PUSH:
		if (m->nitems == 0 || m->nitems > SYNC_BATCH_MAX)
			return err_set(e, ERR_INVAL, "a push carries 1 to %d items", SYNC_BATCH_MAX);
		for (i = 0; i < m->nitems && r == 0; i++)
			r = enc_item(w, &m->items[i], e);
		break;
	case MSG_PUSH_ACK:
		if (m->nacks > SYNC_BATCH_MAX)
			return err_set(e, ERR_INVAL, "too many acknowledgements");
		for (i = 0; i < m->nacks && r == 0; i++)
			r = enc_ack(w, &m->acks[i], e);
		break;
	case MSG_PULL:
		if ((r = check_num(fdef_find(defs, T_LIMIT), m->limit, "limit", e)) != 0)
			return r;
		put_u64(w, T_CURSOR, m->cursor);
		put_u32(w, T_LIMIT, m->limit);
		break;
	case MSG_CHANGES:
		if (m->nchanges > SYNC_BATCH_MAX || m->more > 1)
			return err_set(e, ERR_INVAL, "bad change page");
		put_u64(w, T_CURSOR, m->cursor);
		put_u8(w, T_MORE, m->more);
		wbuf_init(&sub, SYNC_BODY_MAX + 512);
		for (i = 0; i < m->nchanges && r == 0; i++)
			r = enc_change(w, &sub, &m->changes[i], e);
		wbuf_free(&sub);
		break;
	case MSG_PING:
		break;
	case MSG_PONG:
		put_u64(w, T_TIME, m->time);
		break;
	case MSG_ERROR:
		put_u32(w, T_CODE, m->code);
		r = enc_str(w, defs, T_TEXT, m->text, "text", e);
		break;
	}
	if (r == 0 && w->err != 0)
		r = err_set(e, ERR_RANGE, "message too large");
	return r;
}

/* ---------------------------------------------------------------- decode */

/* One field's value, checked against its definition. */
struct fval {
	uint64_t num;
	const char *s;		/* text/uuid/record bytes (not terminated) */
	size_t n;
};

static int
field_read(struct rbuf *b, const struct fdef *defs, unsigned ver, uint32_t *seen,
    const struct fdef **dout, struct fval *v, struct err *e)
{
	const struct fdef *d;
	const uint8_t *p;
	uint8_t tag;
	uint32_t len;
	struct rbuf vb;

	if (rbuf_get_u8(b, &tag) != 0 || rbuf_get_u32(b, &len) != 0)
		return err_set(e, ERR_SHORT, "truncated field header");
	if ((d = fdef_find(defs, tag)) == NULL || !in_version(d, ver))
		return err_set(e, ERR_FORMAT, "undefined field tag %u", tag);
	if ((*seen & (1u << (tag & 31))) && !(d->flags & F_REP))
		return err_set(e, ERR_FORMAT, "field tag %u repeated", tag);
	*seen |= 1u << (tag & 31);
	if (rbuf_get_view(b, len, &p) != 0)
		return err_set(e, ERR_SHORT, "field tag %u runs past the end", tag);
	rbuf_init(&vb, p, len);
	memset(v, 0, sizeof(*v));
	switch (d->type) {
	case FT_U8: {
		uint8_t x;

		if (len != 1 || rbuf_get_u8(&vb, &x) != 0)
			return err_set(e, ERR_FORMAT, "field tag %u: length %u, want 1", tag, len);
		v->num = x;
		break;
	}
	case FT_U32: {
		uint32_t x;

		if (len != 4 || rbuf_get_u32(&vb, &x) != 0)
			return err_set(e, ERR_FORMAT, "field tag %u: length %u, want 4", tag, len);
		v->num = x;
		break;
	}
	case FT_U64:
		if (len != 8 || rbuf_get_u64(&vb, &v->num) != 0)
			return err_set(e, ERR_FORMAT, "field tag %u: length %u, want 8", tag, len);
		break;
	case FT_TEXT:
	case FT_UUID:
		v->s = (const char *)p;
		v->n = len;
		if (check_text(d, v->s, v->n, "", e) != 0)
			return err_set(e, ERR_FORMAT, "field tag %u: invalid text", tag);
		break;
	case FT_REC:
		v->s = (const char *)p;
		v->n = len;
		break;
	}
	if ((d->type == FT_U8 || d->type == FT_U32) &&
	    (v->num < d->min || v->num > d->max))
		return err_set(e, ERR_FORMAT, "field tag %u: value %llu out of range",
		    tag, (unsigned long long)v->num);
	*dout = d;
	return 0;
}

static int
required_seen(const struct fdef *defs, unsigned ver, uint32_t seen, struct err *e)
{
	for (; defs->tag != 0; defs++)
		if ((defs->flags & F_REQ) && in_version(defs, ver) &&
		    !(seen & (1u << (defs->tag & 31))))
			return err_set(e, ERR_FORMAT, "required field tag %u missing",
			    defs->tag);
	return 0;
}

static int
set_str(char **dst, const struct fval *v)
{
	if ((*dst = dup_n(v->s, v->n)) == NULL)
		return ERR_NOMEM;
	return 0;
}

static int
dec_record(struct msg *m, unsigned ver, uint8_t tag, const struct fval *rv,
    struct err *e)
{
	const struct fdef *defs = tag == T_ITEM ? item_f : tag == T_ACK ? ack_f : change_f;
	const struct fdef *d;
	struct fval v, uuid = { 0, NULL, 0 }, body = { 0, NULL, 0 }, key = { 0, NULL, 0 };
	struct fval reason = { 0, NULL, 0 };
	uint64_t seq = 0;
	uint8_t kind = 0, status = 0, op = 0;
	uint32_t seen = 0;
	struct rbuf b;
	char u[37], *k = NULL, *rs = NULL;
	int r;

	rbuf_init(&b, rv->s, rv->n);
	while (rbuf_left(&b) > 0) {
		if ((r = field_read(&b, defs, ver, &seen, &d, &v, e)) != 0)
			return r;
		switch (d->tag) {
		case R_UUID: uuid = v; break;
		case R_KIND: kind = (uint8_t)v.num; break;
		case R_BODY: body = v; break;
		case R_STATUS: status = (uint8_t)v.num; break;
		case R_REASON: reason = v; break;
		case R_SEQ: seq = v.num; break;
		case R_OP: op = (uint8_t)v.num; break;
		case R_KEY: key = v; break;
		}
	}
	if ((r = required_seen(defs, ver, seen, e)) != 0)
		return r;
	if (uuid.s != NULL) {
		memcpy(u, uuid.s, 36);
		u[36] = '\0';
	}
	if (tag == T_ITEM) {
		if (m->nitems >= SYNC_BATCH_MAX)
			return err_set(e, ERR_FORMAT, "too many items");
		if (msg_add_item(m, u, kind, body.s, body.n) != 0)
			return err_set(e, ERR_NOMEM, "out of memory");
		return 0;
	}
	if (tag == T_ACK) {
		if (m->nacks >= SYNC_BATCH_MAX)
			return err_set(e, ERR_FORMAT, "too many acknowledgements");
		if (reason.s != NULL && (rs = dup_n(reason.s, reason.n)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		r = msg_add_ack(m, u, status, rs);
		free(rs);
		return r != 0 ? err_set(e, ERR_NOMEM, "out of memory") : 0;
	}
	if (m->nchanges >= SYNC_BATCH_MAX)
		return err_set(e, ERR_FORMAT, "too many changes");
	if ((op == CHG_UPSERT) != (body.s != NULL))
		return err_set(e, ERR_FORMAT, "change body must be present exactly for an upsert");
	if ((k = dup_n(key.s, key.n)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	r = msg_add_change(m, seq, kind, op, k, body.s, body.n);
	free(k);
	return r != 0 ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

int
msg_decode(const uint8_t *p, size_t n, struct msg *m, struct err *e)
{
	const struct fdef *defs, *d;
	struct fval v;
	struct rbuf b;
	uint8_t ver, type;
	uint32_t seen = 0;
	int r = 0;

	memset(m, 0, sizeof(*m));
	rbuf_init(&b, p, n);
	if (rbuf_get_u8(&b, &ver) != 0 || rbuf_get_u8(&b, &type) != 0 ||
	    rbuf_get_u64(&b, &m->id) != 0)
		return err_set(e, ERR_SHORT, "message header truncated");
	if (ver < SYNC_PROTO_MIN || ver > SYNC_PROTO_MAX)
		return err_set(e, ERR_PROTO, "unsupported message version %u", ver);
	if (type < 1 || type > MSG_TYPE_MAX || type_since[type] > ver)
		return err_set(e, ERR_FORMAT, "undefined message type %u", type);
	if (type == MSG_HELLO && ver != SYNC_MSG_VERSION)
		return err_set(e, ERR_PROTO, "HELLO of version %u", ver);
	m->type = type;
	m->proto = ver;
	defs = type_defs[type];
	while (rbuf_left(&b) > 0 && r == 0) {
		if ((r = field_read(&b, defs, ver, &seen, &d, &v, e)) != 0)
			break;
		switch (d->tag) {
		case T_TOKEN: r = set_str(&m->token, &v); break;
		case T_CLIENT: r = set_str(&m->client, &v); break;
		case T_SIGNKEY: r = set_str(&m->signkey, &v); break;
		case T_TERMINAL_ID: r = set_str(&m->terminal_id, &v); break;
		case T_WARDS: r = set_str(&m->wards, &v); break;
		case T_PROCEDURES: r = set_str(&m->procedures, &v); break;
		case T_SERVER: r = set_str(&m->server, &v); break;
		case T_TEXT: r = set_str(&m->text, &v); break;
		case T_TIME: m->time = v.num; break;
		case T_CURSOR: m->cursor = v.num; break;
		case T_LIMIT: m->limit = (uint32_t)v.num; break;
		case T_MORE: m->more = (uint8_t)v.num; break;
		case T_CODE: m->code = (uint32_t)v.num; break;
		case T_ITEM:
		case T_ACK:
		case T_CHANGE:
			if ((r = dec_record(m, ver, d->tag, &v, e)) != 0)
				err_prefix(e, "%s: ", d->tag == T_ITEM ? "item" :
				    d->tag == T_ACK ? "ack" : "change");
			break;
		}
		if (r == ERR_NOMEM)
			err_set(e, r, "out of memory");
	}
	if (r == 0)
		r = required_seen(defs, ver, seen, e);
	if (r != 0) {
		err_prefix(e, "%s message: ", msg_type_name(type));
		msg_clear(m);
		return r;
	}
	return 0;
}
