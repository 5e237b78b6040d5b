/*
 * client.c — the terminal's side of a sync round and enrolment.
 *
 * Exactly-once delivery rests on two rules: an outbox item is deleted only
 * after the central acknowledged its UUID (and the central commits before
 * it acknowledges), and the central stores a UUID once.  A connection cut
 * anywhere leaves the item in the outbox; the next round sends it again
 * and gets "duplicate" if it had arrived.  Pulled changes are applied page
 * by page, each page with its new cursor in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store.h"
#include "sync.h"
#include "sync-int.h"

#define CLIENT_NAME "madoguchi 0.1.0"
#define STR_(x) #x
#define STR(x) STR_(x)
/* HELLO's client text: the release and the protocol versions it offers
 * (see msg.c: a first-release central ignores the offer and speaks 1). */
#define CLIENT_HELLO CLIENT_NAME " proto=" STR(SYNC_PROTO_MIN) "-" STR(SYNC_PROTO_MAX)

/* The terminal's Noise static key and Ed25519 key (hex) are sealed in the
 * store under the terminal key's secrets subkey, never in the plain
 * settings (issue 15).  Reads one into buf as a NUL-terminated string. */
static int
sync_secret_get(struct store *st, const char *name, char *buf, size_t cap)
{
	size_t n = 0;

	if (store_secret_get(st, name, buf, cap - 1, &n, NULL) != 0) {
		sodium_memzero(buf, cap);
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

static const struct {
	const char *name;
	uint8_t kind;
} item_kinds[] = {
	{ "application", ITEM_APPLICATION },
	{ "status", ITEM_STATUS },
	{ "idcheck", ITEM_IDCHECK },
	{ "audit", ITEM_AUDIT },
};

static uint8_t
item_kind(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(item_kinds) / sizeof(item_kinds[0]); i++)
		if (strcmp(item_kinds[i].name, name) == 0)
			return item_kinds[i].kind;
	return 0;
}

int
sync_config_load(struct store *st, const struct conf *cf,
    struct sync_config *cfg, struct err *e)
{
	char buf[256], hex[80];
	const char *central = NULL, *key = NULL;

	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = SYNC_TIMEOUT_MS;
	cfg->batch = 200;
	cfg->page = 1000;
	if (cf != NULL && conf_str(cf, "sync", "central")[0] != '\0')
		central = conf_str(cf, "sync", "central");
	if (cf != NULL && conf_str(cf, "sync", "central_key")[0] != '\0')
		key = conf_str(cf, "sync", "central_key");
	if (central == NULL) {
		if (store_setting_get(st, "sync.central", buf, sizeof(buf), NULL) != 0)
			return err_set_ja(e, ERR_STATE, "この端末は中央システムに登録されていません",
			    "no central configured: enrol with `madoguchi enroll` or set"
			    " [sync] central");
		central = buf;
	}
	snprintf(cfg->central, sizeof(cfg->central), "%s", central);
	if (key == NULL) {
		if (store_setting_get(st, "sync.central_key", hex, sizeof(hex), NULL) != 0)
			return err_set(e, ERR_STATE, "no central key configured ([sync] central_key)");
		key = hex;
	}
	if (strlen(key) != 64 || hex_decode(key, 64, cfg->central_key, 32) != 32)
		return err_set(e, ERR_INVAL, "[sync] central_key must be 64 hex digits");
	return 0;
}

/* The terminal's static private key, from the store, into locked memory. */
static uint8_t *
private_key(struct store *st, struct err *e)
{
	char hex[80];
	uint8_t *k;

	if (sodium_init() < 0) {
		err_set(e, ERR_CRYPTO, "libsodium failed to initialise");
		return NULL;
	}
	if (sync_secret_get(st, "sync.private_key", hex, sizeof(hex)) != 0) {
		err_set_ja(e, ERR_STATE, "この端末は中央システムに登録されていません",
		    "this terminal is not enrolled (madoguchi enroll)");
		return NULL;
	}
	if ((k = sodium_malloc(32)) == NULL) {
		sodium_memzero(hex, sizeof(hex));
		err_set(e, ERR_NOMEM, "out of locked memory");
		return NULL;
	}
	if (hex_decode(hex, strlen(hex), k, 32) != 32) {
		sodium_memzero(hex, sizeof(hex));
		sodium_free(k);
		err_set(e, ERR_CORRUPT, "stored terminal key is damaged");
		return NULL;
	}
	sodium_memzero(hex, sizeof(hex));
	return k;
}

/* Connect with a HELLO (optionally carrying an enrolment token) and decode
 * the WELCOME, whose version (welcome->proto) is the one the central chose
 * from our offer: every later message of the connection is in it. */
static int
open_channel(const char *central, const uint8_t central_key[32],
    const uint8_t *priv, const char *token, const char *signkey, int timeout_ms,
    struct sync_chan **ch, struct msg *welcome, struct err *e)
{
	struct msg h;
	struct wbuf hb, reply;
	int r;

	*ch = NULL;
	msg_init(&h, MSG_HELLO, msg_new_id());
	msg_set_text(&h.client, CLIENT_HELLO);
	if (token != NULL)
		msg_set_text(&h.token, token);
	if (signkey != NULL)
		msg_set_text(&h.signkey, signkey);
	wbuf_init(&hb, NOISE_MAX_PAYLOAD);
	wbuf_init(&reply, NOISE_MAX_PAYLOAD);
	if ((r = msg_encode(&h, &hb, e)) != 0)
		goto out;
	if ((r = sync_chan_connect(central, priv, central_key, hb.p, hb.len,
	    &reply, timeout_ms, ch, e)) != 0)
		goto out;
	if ((r = msg_decode(reply.p, reply.len, welcome, e)) != 0 ||
	    welcome->type != MSG_WELCOME || welcome->id != h.id) {
		if (r == 0) {
			msg_clear(welcome);
			r = err_set(e, ERR_PROTO, "central answered the handshake with %s"
			    " or a foreign request ID", msg_type_name(welcome->type));
		}
		sync_chan_free(*ch);
		*ch = NULL;
	} else
		log_info("sync: central %s, protocol version %u",
		    welcome->server != NULL ? welcome->server : "(release not said)",
		    (unsigned)welcome->proto);
out:
	msg_clear(&h);
	wbuf_free(&hb);
	wbuf_free(&reply);
	return r;
}

/* Send req in the connection's protocol version and receive its answer,
 * which must be in the same version, echo the request ID and be of the
 * expected type (NET-2).  An ERROR answer is ERR_PROTO with its text. */
static int
exchange(struct sync_chan *ch, int proto, const struct msg *req, int want,
    struct msg *rep, struct wbuf *buf, struct err *e)
{
	struct msg q = *req;	/* shallow: only its version differs */
	int r;

	buf->len = 0;
	buf->err = 0;
	q.proto = (uint8_t)proto;
	if ((r = msg_encode(&q, buf, e)) != 0 ||
	    (r = sync_chan_send(ch, buf->p, buf->len, e)) != 0 ||
	    (r = sync_chan_recv(ch, buf, e)) != 0 ||
	    (r = msg_decode(buf->p, buf->len, rep, e)) != 0)
		return r;
	if (rep->proto != proto) {
		r = err_set(e, ERR_PROTO, "central answered in protocol version %u,"
		    " not the agreed %d", (unsigned)rep->proto, proto);
		msg_clear(rep);
		return r;
	}
	if (rep->id != req->id) {
		msg_clear(rep);
		return err_set(e, ERR_PROTO, "answer does not match the request ID (NET-2)");
	}
	if (rep->type == MSG_ERROR) {
		r = err_set(e, ERR_PROTO, "central: %s (code %u)", rep->text, rep->code);
		msg_clear(rep);
		return r;
	}
	if (rep->type != want) {
		r = err_set(e, ERR_PROTO, "central answered %s to %s",
		    msg_type_name(rep->type), msg_type_name(req->type));
		msg_clear(rep);
		return r;
	}
	return 0;
}

/* ------------------------------------------------------------------ push */

struct ack_ctx {
	const struct msg *req;
	const struct msg *acks;
	struct sync_report *rep;
};

static int
was_sent(const struct msg *req, const char *uuid)
{
	size_t i;

	for (i = 0; i < req->nitems; i++)
		if (strcmp(req->items[i].uuid, uuid) == 0)
			return 1;
	return 0;
}

static int
ack_apply(struct store *st, void *arg)
{
	struct ack_ctx *a = arg;
	struct err e;
	size_t i;
	int r;

	for (i = 0; i < a->acks->nacks; i++) {
		const struct msg_ack *k = &a->acks->acks[i];

		/* NET-2: only what this request carried can be acknowledged;
		 * anything else would delete an item the central never got. */
		if (!was_sent(a->req, k->uuid)) {
			log_warn("sync: central acknowledged %s, which it was not sent",
			    k->uuid);
			continue;
		}
		if (k->status == ACK_REJECTED) {
			if ((r = sync_reject_note(st, k->uuid, k->reason, &e)) != 0)
				return r;
			continue;
		}
		r = store_outbox_ack(st, k->uuid, &e);
		if (r != 0 && r != ERR_NOTFOUND)
			return r;
	}
	return 0;
}

/* UUIDs not to offer again in this round (refused, or unsendable). */
struct skip {
	char (*v)[37];
	size_t n, cap;
};

static int
skip_has(const struct skip *k, const char *uuid)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i], uuid) == 0)
			return 1;
	return 0;
}

static void
skip_add(struct skip *k, const char *uuid)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;
		void *p = realloc(k->v, cap * sizeof(*k->v));

		if (p == NULL)
			return;	/* only costs a second offer */
		k->v = p;
		k->cap = cap;
	}
	snprintf(k->v[k->n++], 37, "%s", uuid);
}

static int
push_outbox(struct store *st, struct sync_chan *ch, const struct sync_config *cfg,
    struct sync_report *rep, struct wbuf *buf, struct err *e)
{
	struct outbox_item *v = NULL;
	struct skip skip = { NULL, 0, 0 };
	struct msg req, ack;
	struct ack_ctx ctx;
	size_t n, i, bytes;
	int r = 0;

	for (;;) {
		/* The window grows past the items skipped this round, so that
		 * refused items at the head never hold the others up. */
		if ((r = store_outbox_list(st, cfg->batch + skip.n, &v, &n, e)) != 0)
			break;
		msg_init(&req, MSG_PUSH, msg_new_id());
		bytes = 0;
		for (i = 0; i < n; i++) {
			uint8_t k = item_kind(v[i].kind);

			if (skip_has(&skip, v[i].uuid))
				continue;
			if (k == 0 || v[i].len > SYNC_BODY_MAX ||
			    !utf8_valid(v[i].payload, v[i].len)) {
				/* Cannot be sent as it is: kept, and listed with
				 * the reason (sync pending). */
				log_warn("sync: outbox item %s cannot be sent (kind \"%s\","
				    " %zu bytes); kept", v[i].uuid, v[i].kind, v[i].len);
				sync_reject_note(st, v[i].uuid, k == 0 ? "unknown kind" :
				    "too large or not UTF-8 text", NULL);
				skip_add(&skip, v[i].uuid);
				continue;
			}
			/* Keep the message well inside SYNC_MSG_MAX and the batch
			 * at its size; the rest goes in the next batch. */
			if (req.nitems > 0 && (req.nitems == cfg->batch ||
			    bytes + v[i].len + 128 > SYNC_MSG_MAX / 2))
				break;
			bytes += v[i].len + 128;
			if (k == ITEM_APPLICATION && memmem(v[i].payload, v[i].len,
			    "mdg-sealed:", 11) != NULL) {
				/* issue 15: a 個人番号 waits sealed in the outbox;
				 * the central gets it plain, inside the channel */
				char *plain = NULL, *z = malloc(v[i].len + 1);
				int rr;

				if (z == NULL) {
					r = err_set(e, ERR_NOMEM, "out of memory");
					break;
				}
				memcpy(z, v[i].payload, v[i].len);
				z[v[i].len] = '\0';
				rr = store_body_for_push(st, z, &plain, NULL);
				mem_wipe(z, v[i].len);
				free(z);
				if (rr != 0) {
					log_warn("sync: outbox item %s: a sealed 個人番号 "
					    "does not open; kept", v[i].uuid);
					sync_reject_note(st, v[i].uuid,
					    "sealed 個人番号 does not open", NULL);
					skip_add(&skip, v[i].uuid);
					continue;
				}
				rr = msg_add_item(&req, v[i].uuid, k, plain, strlen(plain));
				mem_wipe(plain, strlen(plain));
				free(plain);
				if (rr != 0) {
					r = err_set(e, ERR_NOMEM, "out of memory");
					break;
				}
				continue;
			}
			if (msg_add_item(&req, v[i].uuid, k, v[i].payload, v[i].len) != 0) {
				r = err_set(e, ERR_NOMEM, "out of memory");
				break;
			}
		}
		outbox_free(v, n);
		if (r != 0 || req.nitems == 0) {
			msg_clear(&req);
			break;
		}
		if ((r = exchange(ch, rep->proto, &req, MSG_PUSH_ACK, &ack, buf, e)) != 0) {
			msg_clear(&req);
			break;
		}
		ctx.req = &req;
		ctx.acks = &ack;
		ctx.rep = rep;
		r = store_tx(st, ack_apply, &ctx, e);
		for (i = 0; i < ack.nacks && r == 0; i++) {
			if (!was_sent(&req, ack.acks[i].uuid))
				continue;
			if (ack.acks[i].status == ACK_STORED)
				rep->pushed++;
			else if (ack.acks[i].status == ACK_DUPLICATE)
				rep->duplicates++;
			else {
				rep->rejected++;
				skip_add(&skip, ack.acks[i].uuid);
				log_warn("sync: central rejected outbox item %s: %s",
				    ack.acks[i].uuid, ack.acks[i].reason ?
				    ack.acks[i].reason : "?");
			}
		}
		/* Every item sent must have its answer; one without is a
		 * protocol error (and is not offered again in this round). */
		for (i = 0; i < req.nitems && r == 0; i++) {
			size_t k;

			for (k = 0; k < ack.nacks; k++)
				if (strcmp(ack.acks[k].uuid, req.items[i].uuid) == 0)
					break;
			if (k == ack.nacks) {
				skip_add(&skip, req.items[i].uuid);
				r = err_set(e, ERR_PROTO, "central did not acknowledge"
				    " item %s (NET-2)", req.items[i].uuid);
			}
		}
		msg_clear(&ack);
		msg_clear(&req);
		if (r != 0)
			break;
	}
	free(skip.v);
	return r;
}

/* A stable UUID for audit row id of this terminal, so a re-push after a cut
 * is recognised as a duplicate by the central. */
static void
audit_uuid(const char *terminal, int64_t id, char out[37])
{
	uint8_t h[16];
	char in[64];
	char hex[33];

	snprintf(in, sizeof(in), "audit:%s:%lld", terminal, (long long)id);
	crypto_generichash(h, sizeof(h), (const uint8_t *)in, strlen(in), NULL, 0);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);	/* name-based */
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	hex_encode(h, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
}

static void
jfield(struct wbuf *w, const char *k, const char *v)
{
	wbuf_put_u8(w, ',');
	json_put_str(w, k, strlen(k));
	wbuf_put_u8(w, ':');
	json_put_str(w, v, strlen(v));
}

static int
push_audit(struct store *st, struct sync_chan *ch, const struct sync_config *cfg,
    struct sync_report *rep, struct wbuf *buf, struct err *e)
{
	struct audit_row *v = NULL;
	struct msg req, ack;
	struct wbuf body;
	char setting[32], uuid[37], hex[65];
	int64_t after = 0;
	size_t n, i, k;
	int r;

	if (store_setting_get(st, "sync.audit_pushed", setting, sizeof(setting), NULL) == 0)
		after = strtoll(setting, NULL, 10);
	wbuf_init(&body, 8192);
	for (;;) {
		if ((r = store_audit_list(st, after, cfg->batch, &v, &n, e)) != 0)
			break;
		if (n == 0) {
			free(v);
			break;
		}
		msg_init(&req, MSG_PUSH, msg_new_id());
		for (i = 0; i < n; i++) {
			body.len = 0;
			wbuf_printf(&body, "{\"id\":%lld", (long long)v[i].id);
			jfield(&body, "at", v[i].at);
			jfield(&body, "who", v[i].who);
			jfield(&body, "terminal", v[i].terminal);
			jfield(&body, "action", v[i].action);
			jfield(&body, "person", v[i].person);
			jfield(&body, "screen", v[i].screen);
			jfield(&body, "detail", v[i].detail);
			hex_encode(v[i].prev, 32, hex);
			jfield(&body, "prev", hex);
			hex_encode(v[i].hash, 32, hex);
			jfield(&body, "hash", hex);
			wbuf_put_u8(&body, '}');
			audit_uuid(rep->terminal_id, v[i].id, uuid);
			if (msg_add_item(&req, uuid, ITEM_AUDIT, (char *)body.p, body.len) != 0) {
				r = err_set(e, ERR_NOMEM, "out of memory");
				break;
			}
		}
		if (r == 0)
			r = exchange(ch, rep->proto, &req, MSG_PUSH_ACK, &ack, buf, e);
		msg_clear(&req);
		if (r != 0) {
			free(v);
			break;
		}
		/* Advance over the acknowledged prefix only. */
		for (i = 0; i < n; i++) {
			audit_uuid(rep->terminal_id, v[i].id, uuid);
			for (k = 0; k < ack.nacks; k++)
				if (strcmp(ack.acks[k].uuid, uuid) == 0)
					break;
			if (k == ack.nacks || ack.acks[k].status == ACK_REJECTED)
				break;
			if (ack.acks[k].status == ACK_STORED)
				rep->audit_rows++;
			after = v[i].id;
		}
		msg_clear(&ack);
		snprintf(setting, sizeof(setting), "%lld", (long long)after);
		r = store_setting_set(st, "sync.audit_pushed", setting, e);
		k = i;
		free(v);
		if (r != 0 || k < n)
			break;
	}
	wbuf_free(&body);
	return r;
}

int
sync_head_message(const char *terminal, int64_t id, const uint8_t hash[32],
    char *out, size_t cap)
{
	char hex[65];
	int n;

	hex_encode(hash, 32, hex);
	n = snprintf(out, cap, "%s%s\n%lld\n%s", SYNC_HEAD_CONTEXT, terminal,
	    (long long)id, hex);
	return n < 0 || (size_t)n >= cap ? ERR_RANGE : n;
}

int
sync_head_message2(const char *terminal, int64_t id, const uint8_t hash[32],
    uint64_t counter, char *out, size_t cap)
{
	char hex[65];
	int n;

	hex_encode(hash, 32, hex);
	n = snprintf(out, cap, "%s%s\n%lld\n%s\n%llu", SYNC_HEAD_CONTEXT2, terminal,
	    (long long)id, hex, (unsigned long long)counter);
	return n < 0 || (size_t)n >= cap ? ERR_RANGE : n;
}

/* LOG-2 / SPEC 4: sign the audit chain head with the terminal's Ed25519 key
 * and send it, once per head, after the rows themselves. */
static int
push_head(struct store *st, struct sync_chan *ch, struct sync_report *rep,
    struct wbuf *buf, struct err *e)
{
	char hex[160], done[32], text[256], uuid[37], body[512], sigx[129], hashx[65];
	uint8_t *sk, hash[32], sig[64];
	struct msg req, ack;
	int64_t id = 0;
	uint64_t counter = 0;
	int n, r, with_counter = sync_proto_has(rep->proto, SYNC_SINCE_HEAD_COUNTER);

	if (sync_secret_get(st, "sync.sign_key", hex, sizeof(hex)) != 0)
		return 0;	/* enrolled before heads were signed */
	if ((r = store_audit_head(st, &id, hash, e)) != 0 || id == 0) {
		sodium_memzero(hex, sizeof(hex));
		return r;
	}
	snprintf(text, sizeof(text), "%lld", (long long)id);
	if (store_setting_get(st, "sync.head_signed", done, sizeof(done), NULL) == 0 &&
	    strcmp(done, text) == 0) {
		sodium_memzero(hex, sizeof(hex));
		return 0;
	}
	/* Issue 15: every head signed raises the store's generation counter,
	 * which goes into the signed text (protocol 3); a store restored from
	 * an older copy signs a counter the central has seen. */
	if (with_counter && (r = store_generation_next(st, &counter, e)) != 0) {
		sodium_memzero(hex, sizeof(hex));
		return r;
	}
	if ((sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL) {
		sodium_memzero(hex, sizeof(hex));
		return err_set(e, ERR_NOMEM, "out of locked memory");
	}
	n = hex_decode(hex, strlen(hex), sk, crypto_sign_SECRETKEYBYTES);
	sodium_memzero(hex, sizeof(hex));
	if (n != crypto_sign_SECRETKEYBYTES ||
	    (n = with_counter ? sync_head_message2(rep->terminal_id, id, hash, counter,
	    text, sizeof(text)) : sync_head_message(rep->terminal_id, id, hash, text,
	    sizeof(text))) < 0) {
		sodium_free(sk);
		return err_set(e, ERR_CORRUPT, "stored signing key is damaged");
	}
	crypto_sign_detached(sig, NULL, (const uint8_t *)text, (size_t)n, sk);
	sodium_free(sk);
	hex_encode(sig, 64, sigx);
	hex_encode(hash, 32, hashx);
	sync_log_now(done);
	if (with_counter)
		snprintf(body, sizeof(body), "{\"id\":%lld,\"hash\":\"%s\",\"sig\":\"%s\","
		    "\"at\":\"%s\",\"counter\":%llu}", (long long)id, hashx, sigx, done,
		    (unsigned long long)counter);
	else
		snprintf(body, sizeof(body), "{\"id\":%lld,\"hash\":\"%s\",\"sig\":\"%s\","
		    "\"at\":\"%s\"}", (long long)id, hashx, sigx, done);
	snprintf(text, sizeof(text), "head:%s:%lld", rep->terminal_id, (long long)id);
	audit_uuid(text, id, uuid);
	msg_init(&req, MSG_PUSH, msg_new_id());
	if (msg_add_item(&req, uuid, ITEM_AUDIT_HEAD, body, strlen(body)) != 0) {
		msg_clear(&req);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	r = exchange(ch, rep->proto, &req, MSG_PUSH_ACK, &ack, buf, e);
	msg_clear(&req);
	if (r != 0)
		return r;
	if (ack.nacks == 1 && strcmp(ack.acks[0].uuid, uuid) == 0 &&
	    ack.acks[0].status != ACK_REJECTED) {
		snprintf(text, sizeof(text), "%lld", (long long)id);
		r = store_setting_set(st, "sync.head_signed", text, e);
		rep->head_signed = r == 0;
	} else
		log_warn("sync: central refused the signed audit head: %s",
		    ack.nacks == 1 && ack.acks[0].reason ? ack.acks[0].reason : "?");
	msg_clear(&ack);
	return r;
}

/* ------------------------------------------------------------------ pull */

struct page_ctx {
	const struct msg *page;
	struct sync_report *rep;
	struct err *e;
};

static int
page_apply(struct store *st, void *arg)
{
	struct page_ctx *p = arg;
	char cur[32];
	size_t i;
	int r;

	for (i = 0; i < p->page->nchanges; i++)
		if ((r = sync_change_apply(st, &p->page->changes[i], p->rep, p->e)) != 0)
			return r;
	snprintf(cur, sizeof(cur), "%llu", (unsigned long long)p->page->cursor);
	return store_sync_cursor_set(st, cur, p->e);
}

static int
pull(struct store *st, struct sync_chan *ch, const struct sync_config *cfg,
    struct sync_report *rep, struct wbuf *buf, struct err *e)
{
	struct msg req, page;
	struct page_ctx ctx;
	char cur[64], at[32];
	int r, more;

	for (;;) {
		uint64_t cursor = 0;

		if (store_sync_cursor_get(st, cur, sizeof(cur), at, NULL) == 0)
			cursor = strtoull(cur, NULL, 10);
		msg_init(&req, MSG_PULL, msg_new_id());
		req.cursor = cursor;
		req.limit = cfg->page;
		if ((r = exchange(ch, rep->proto, &req, MSG_CHANGES, &page, buf, e)) != 0)
			return r;
		/* "More" must move the cursor forward, or this never ends. */
		if (page.more && page.cursor <= cursor) {
			msg_clear(&page);
			return err_set(e, ERR_PROTO, "central announced more changes"
			    " without moving the cursor");
		}
		rep->pulled += (long)page.nchanges;
		ctx.page = &page;
		ctx.rep = rep;
		ctx.e = e;
		r = store_tx(st, page_apply, &ctx, e);
		rep->cursor = page.cursor;
		more = page.more;
		msg_clear(&page);
		if (r != 0)
			return r;
		if (!more)
			return 0;
	}
}

int
sync_round(struct store *st, const struct sync_config *cfg,
    struct sync_report *rep, struct err *e)
{
	struct sync_chan *ch = NULL;
	struct msg welcome;
	struct wbuf buf;
	char started[32];
	uint8_t *priv;
	int64_t left = 0;
	int r;

	memset(rep, 0, sizeof(rep[0]));
	uuid_v4(rep->round_id);
	sync_log_now(started);
	store_setting_get(st, "terminal.id", rep->terminal_id,
	    sizeof(rep->terminal_id), NULL);
	wbuf_init(&buf, SYNC_MSG_MAX + 64);
	if ((priv = private_key(st, e)) == NULL) {
		r = e != NULL ? e->code : ERR_STATE;
		goto out;
	}
	r = open_channel(cfg->central, cfg->central_key, priv, NULL, NULL,
	    cfg->timeout_ms, &ch, &welcome, e);
	sodium_free(priv);
	if (r != 0)
		goto out;
	snprintf(rep->terminal_id, sizeof(rep->terminal_id), "%s", welcome.terminal_id);
	rep->proto = welcome.proto;
	if (welcome.server != NULL)
		snprintf(rep->central_release, sizeof(rep->central_release), "%s",
		    welcome.server);
	msg_clear(&welcome);
	if ((r = push_outbox(st, ch, cfg, rep, &buf, e)) != 0 ||
	    (r = push_audit(st, ch, cfg, rep, &buf, e)) != 0 ||
	    (r = push_head(st, ch, rep, &buf, e)) != 0 ||
	    (r = pull(st, ch, cfg, rep, &buf, e)) != 0)
		goto out;
out:
	sync_chan_free(ch);
	wbuf_free(&buf);
	if (store_outbox_count(st, &left, NULL) == 0)
		rep->outbox_left = (long)left;
	rep->ok = r == 0;
	if (r != 0)
		snprintf(rep->error, sizeof(rep->error), "%s",
		    e != NULL ? e->msg : err_name(r));
	sync_log_write(st, cfg->central, started, rep);
	/* A disabling or revocation this round pulled re-keys the store now
	 * when nothing else has it open (issue 15); otherwise it stays
	 * pending for the next open. */
	if (store_rekey_pending(st, NULL) != 0)
		log_info("sync: re-key pending until the store is free");
	return r;
}

int
sync_enroll(struct store *st, const char *central, const uint8_t central_key[32],
    const char *token, char *terminal_id, struct err *e)
{
	struct sync_chan *ch = NULL;
	struct msg welcome;
	uint8_t *priv, *ssk, pub[32], spk[crypto_sign_PUBLICKEYBYTES];
	char hex[65], spkx[65], sskx[2 * crypto_sign_SECRETKEYBYTES + 1];
	int r;

	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium failed to initialise");
	if ((priv = sodium_malloc(32)) == NULL)
		return err_set(e, ERR_NOMEM, "out of locked memory");
	if ((ssk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL) {
		sodium_free(priv);
		return err_set(e, ERR_NOMEM, "out of locked memory");
	}
	noise_keypair(priv, pub);
	/* The audit-head signing key (SPEC 4), its public half enrolled now. */
	crypto_sign_keypair(spk, ssk);
	hex_encode(spk, sizeof(spk), spkx);
	if ((r = open_channel(central, central_key, priv, token, spkx, SYNC_TIMEOUT_MS,
	    &ch, &welcome, e)) != 0) {
		sodium_free(priv);
		sodium_free(ssk);
		return r;
	}
	sync_chan_free(ch);
	snprintf(terminal_id, 17, "%s", welcome.terminal_id);
	hex_encode(priv, 32, hex);
	sodium_free(priv);
	r = store_secret_set(st, "sync.private_key", hex, strlen(hex), e);
	sodium_memzero(hex, sizeof(hex));
	hex_encode(ssk, crypto_sign_SECRETKEYBYTES, sskx);
	sodium_free(ssk);
	if (r == 0)
		r = store_secret_set(st, "sync.sign_key", sskx, strlen(sskx), e);
	sodium_memzero(sskx, sizeof(sskx));
	if (r == 0)
		r = store_setting_set(st, "sync.head_signed", "0", e);
	if (r == 0)
		r = store_setting_set(st, "sync.central", central, e);
	hex_encode(central_key, 32, hex);
	if (r == 0)
		r = store_setting_set(st, "sync.central_key", hex, e);
	if (r == 0)
		r = store_setting_set(st, "terminal.id", welcome.terminal_id, e);
	if (r == 0)
		r = store_setting_set(st, "sync.wards", welcome.wards, e);
	if (r == 0)
		r = store_setting_set(st, "sync.procedures", welcome.procedures, e);
	msg_clear(&welcome);
	return r;
}
