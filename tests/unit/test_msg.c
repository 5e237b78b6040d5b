/*
 * test_msg.c — sync messages (NET-2, NET-3): every type round-trips, and the
 * decoder rejects what the interface definition does not allow: unknown
 * version or type, undefined tags, repeated single fields, missing required
 * fields, wrong lengths, values out of range, bad UUIDs, invalid UTF-8,
 * truncation and trailing bytes; and protocol versions (SPEC 7, rolling
 * upgrades): what a version added is undefined in an older one.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core.h"
#include "sync.h"

static const char *U1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
static const char *U2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

static void
roundtrip(const struct msg *in, struct msg *out)
{
	struct wbuf w;
	struct err e;

	wbuf_init(&w, 0);
	REQUIRE_OK(msg_encode(in, &w, &e), &e);
	REQUIRE_OK(msg_decode(w.p, w.len, out, &e), &e);
	CHECK_INT(out->type, in->type);
	CHECK(out->id == in->id);
	wbuf_free(&w);
}

TEST(msg_push_roundtrip)
{
	struct msg m, d;

	msg_init(&m, MSG_PUSH, 0x1122334455667788ULL);
	REQUIRE(msg_add_item(&m, U1, ITEM_APPLICATION, "{\"a\":\"申請\"}", 14) == 0);
	REQUIRE(msg_add_item(&m, U2, ITEM_AUDIT, "{}", 2) == 0);
	roundtrip(&m, &d);
	REQUIRE(d.nitems == 2);
	CHECK_STR(d.items[0].uuid, U1);
	CHECK_INT(d.items[0].kind, ITEM_APPLICATION);
	CHECK_STR(d.items[0].body, "{\"a\":\"申請\"}");
	CHECK_INT(d.items[1].bodylen, 2);
	msg_clear(&m);
	msg_clear(&d);
}

TEST(msg_all_types_roundtrip)
{
	struct msg m, d;
	size_t i;

	msg_init(&m, MSG_HELLO, 1);
	msg_set_text(&m.client, "madoguchi 0.1.0");
	msg_set_text(&m.token, "abcdef");
	roundtrip(&m, &d);
	CHECK_STR(d.client, "madoguchi 0.1.0");
	CHECK_STR(d.token, "abcdef");
	msg_clear(&m);
	msg_clear(&d);

	msg_init(&m, MSG_WELCOME, 2);
	msg_set_text(&m.terminal_id, "T001");
	msg_set_text(&m.wards, "01,02");
	msg_set_text(&m.procedures, "");
	m.time = 1700000000;
	roundtrip(&m, &d);
	CHECK_STR(d.terminal_id, "T001");
	CHECK_STR(d.wards, "01,02");
	CHECK_STR(d.procedures, "");
	CHECK(d.time == 1700000000);
	msg_clear(&m);
	msg_clear(&d);

	msg_init(&m, MSG_PUSH_ACK, 3);
	msg_add_ack(&m, U1, ACK_STORED, NULL);
	msg_add_ack(&m, U2, ACK_REJECTED, "bad procedure");
	roundtrip(&m, &d);
	REQUIRE(d.nacks == 2);
	CHECK(d.acks[0].reason == NULL);
	CHECK_STR(d.acks[1].reason, "bad procedure");
	CHECK_INT(d.acks[1].status, ACK_REJECTED);
	msg_clear(&m);
	msg_clear(&d);

	msg_init(&m, MSG_PULL, 4);
	m.cursor = 12345;
	m.limit = 1000;
	roundtrip(&m, &d);
	CHECK(d.cursor == 12345 && d.limit == 1000);
	msg_clear(&m);
	msg_clear(&d);

	msg_init(&m, MSG_CHANGES, 5);
	m.cursor = 99;
	m.more = 1;
	for (i = 0; i < 100; i++)
		msg_add_change(&m, i + 1, CHG_PERSON, CHG_UPSERT, "000000001", "{\"x\":1}", 7);
	msg_add_change(&m, 101, CHG_PERSON, CHG_DELETE, "000000002", NULL, 0);
	roundtrip(&m, &d);
	REQUIRE(d.nchanges == 101);
	CHECK(d.changes[99].seq == 100);
	CHECK(d.changes[100].body == NULL);
	CHECK_INT(d.changes[100].op, CHG_DELETE);
	CHECK_STR(d.changes[100].key, "000000002");
	CHECK(d.more == 1 && d.cursor == 99);
	msg_clear(&m);
	msg_clear(&d);

	msg_init(&m, MSG_ERROR, 6);
	m.code = 7;
	msg_set_text(&m.text, "no");
	roundtrip(&m, &d);
	CHECK_STR(d.text, "no");
	msg_clear(&m);
	msg_clear(&d);

	msg_init(&m, MSG_PING, 7);
	roundtrip(&m, &d);
	msg_clear(&d);
	msg_init(&m, MSG_PONG, 8);
	m.time = 5;
	roundtrip(&m, &d);
	CHECK(d.time == 5);
	msg_clear(&d);
}

TEST(msg_encoder_refuses_invalid)
{
	struct msg m;
	struct wbuf w;
	struct err e;

	wbuf_init(&w, 0);
	msg_init(&m, MSG_PUSH, 1);
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);	/* empty push */
	msg_add_item(&m, "not-a-uuid", ITEM_APPLICATION, "{}", 2);
	w.len = 0;
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);
	msg_clear(&m);
	msg_init(&m, MSG_HELLO, 1);	/* client is required */
	w.len = 0;
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);
	msg_init(&m, MSG_PULL, 1);
	m.limit = 0;
	w.len = 0;
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);
	msg_init(&m, MSG_CHANGES, 1);
	msg_add_change(&m, 1, CHG_PERSON, CHG_DELETE, "k", "{}", 2);	/* delete with body */
	w.len = 0;
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);
	msg_clear(&m);
	wbuf_free(&w);
}

/* Build raw messages by hand to reach the decoder's checks. */
static void
hdr(struct wbuf *w, uint8_t ver, uint8_t type)
{
	w->len = 0;
	wbuf_put_u8(w, ver);
	wbuf_put_u8(w, type);
	wbuf_put_u64(w, 42);
}

static void
fld(struct wbuf *w, uint8_t tag, const void *p, uint32_t n)
{
	wbuf_put_u8(w, tag);
	wbuf_put_u32(w, n);
	wbuf_put(w, p, n);
}

static int
dec(struct wbuf *w)
{
	struct msg m;
	struct err e;
	int r = msg_decode(w->p, w->len, &m, &e);

	msg_clear(&m);
	return r;
}

TEST(msg_decoder_rejects_undefined_and_malformed)
{
	uint8_t cur[8] = { 0, 0, 0, 0, 0, 0, 0, 1 }, lim[4] = { 0, 0, 0, 10 };
	uint8_t big[4] = { 0, 0, 0xff, 0xff };
	struct wbuf w;

	wbuf_init(&w, 0);
	/* A good PULL first, so that each failure below is the one change. */
	hdr(&w, 1, MSG_PULL);
	fld(&w, 7, cur, 8);
	fld(&w, 8, lim, 4);
	CHECK_INT(dec(&w), 0);
	/* NET-3: undefined field */
	fld(&w, 99, "x", 1);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* a field defined for another type (token in a PULL) */
	hdr(&w, 1, MSG_PULL);
	fld(&w, 7, cur, 8);
	fld(&w, 8, lim, 4);
	fld(&w, 1, "tok", 3);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* repeated single field */
	hdr(&w, 1, MSG_PULL);
	fld(&w, 7, cur, 8);
	fld(&w, 7, cur, 8);
	fld(&w, 8, lim, 4);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* missing required */
	hdr(&w, 1, MSG_PULL);
	fld(&w, 7, cur, 8);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* wrong length of a u64 */
	hdr(&w, 1, MSG_PULL);
	fld(&w, 7, cur, 7);
	fld(&w, 8, lim, 4);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* limit out of range */
	hdr(&w, 1, MSG_PULL);
	fld(&w, 7, cur, 8);
	fld(&w, 8, big, 4);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* unknown version (past the newest spoken, and 0), unknown type */
	hdr(&w, SYNC_PROTO_MAX + 1, MSG_PING);
	CHECK_INT(dec(&w), ERR_PROTO);
	hdr(&w, 0, MSG_PING);
	CHECK_INT(dec(&w), ERR_PROTO);
	hdr(&w, 1, 0);
	CHECK_INT(dec(&w), ERR_FORMAT);
	hdr(&w, 1, 200);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* truncated header, truncated field, length past the end */
	hdr(&w, 1, MSG_PING);
	w.len = 5;
	CHECK_INT(dec(&w), ERR_SHORT);
	hdr(&w, 1, MSG_PING);
	wbuf_put_u8(&w, 7);
	wbuf_put_u8(&w, 0);
	CHECK_INT(dec(&w), ERR_SHORT);
	hdr(&w, 1, MSG_PULL);
	wbuf_put_u8(&w, 7);
	wbuf_put_u32(&w, 0xffffffffu);
	CHECK_INT(dec(&w), ERR_SHORT);
	wbuf_free(&w);
}

TEST(msg_decoder_checks_records)
{
	struct wbuf w, r;
	uint8_t kind = ITEM_APPLICATION, badkind = 9;

	wbuf_init(&w, 0);
	wbuf_init(&r, 0);
	/* good item */
	fld(&r, 1, U1, 36);
	fld(&r, 2, &kind, 1);
	fld(&r, 3, "{}", 2);
	hdr(&w, 1, MSG_PUSH);
	fld(&w, 20, r.p, (uint32_t)r.len);
	CHECK_INT(dec(&w), 0);
	/* upper-case UUID is not canonical */
	r.len = 0;
	fld(&r, 1, "0F8FAD5B-D9CB-469F-A165-70867728950E", 36);
	fld(&r, 2, &kind, 1);
	fld(&r, 3, "{}", 2);
	hdr(&w, 1, MSG_PUSH);
	fld(&w, 20, r.p, (uint32_t)r.len);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* kind out of range */
	r.len = 0;
	fld(&r, 1, U1, 36);
	fld(&r, 2, &badkind, 1);
	fld(&r, 3, "{}", 2);
	hdr(&w, 1, MSG_PUSH);
	fld(&w, 20, r.p, (uint32_t)r.len);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* invalid UTF-8 in the body, NUL in the body */
	r.len = 0;
	fld(&r, 1, U1, 36);
	fld(&r, 2, &kind, 1);
	fld(&r, 3, "\xff\xfe", 2);
	hdr(&w, 1, MSG_PUSH);
	fld(&w, 20, r.p, (uint32_t)r.len);
	CHECK_INT(dec(&w), ERR_FORMAT);
	r.len = 0;
	fld(&r, 1, U1, 36);
	fld(&r, 2, &kind, 1);
	fld(&r, 3, "{\0}", 3);
	hdr(&w, 1, MSG_PUSH);
	fld(&w, 20, r.p, (uint32_t)r.len);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* a line break in a one-line field (the key of a change) */
	r.len = 0;
	{
		uint8_t seq[8] = { 0, 0, 0, 0, 0, 0, 0, 1 }, k = CHG_PERSON, op = CHG_DELETE;

		fld(&r, 6, seq, 8);
		fld(&r, 2, &k, 1);
		fld(&r, 7, &op, 1);
		fld(&r, 8, "0001\nFAKE LOG LINE", 19);
		hdr(&w, 1, MSG_CHANGES);
		fld(&w, 7, seq, 8);
		fld(&w, 9, "\0", 1);
		fld(&w, 22, r.p, (uint32_t)r.len);
		CHECK_INT(dec(&w), ERR_FORMAT);
		/* the same without the line break is fine */
		r.len = 0;
		fld(&r, 6, seq, 8);
		fld(&r, 2, &k, 1);
		fld(&r, 7, &op, 1);
		fld(&r, 8, "0001", 4);
		hdr(&w, 1, MSG_CHANGES);
		fld(&w, 7, seq, 8);
		fld(&w, 9, "\0", 1);
		fld(&w, 22, r.p, (uint32_t)r.len);
		CHECK_INT(dec(&w), 0);
	}
	/* a JSON body may span lines */
	r.len = 0;
	fld(&r, 1, U1, 36);
	fld(&r, 2, &kind, 1);
	fld(&r, 3, "{\n\t\"a\": 1\n}", 11);
	hdr(&w, 1, MSG_PUSH);
	fld(&w, 20, r.p, (uint32_t)r.len);
	CHECK_INT(dec(&w), 0);
	/* missing body in an item */
	r.len = 0;
	fld(&r, 1, U1, 36);
	fld(&r, 2, &kind, 1);
	hdr(&w, 1, MSG_PUSH);
	fld(&w, 20, r.p, (uint32_t)r.len);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* undefined tag inside a record */
	r.len = 0;
	fld(&r, 1, U1, 36);
	fld(&r, 2, &kind, 1);
	fld(&r, 3, "{}", 2);
	fld(&r, 8, "key", 3);
	hdr(&w, 1, MSG_PUSH);
	fld(&w, 20, r.p, (uint32_t)r.len);
	CHECK_INT(dec(&w), ERR_FORMAT);
	/* a push with no items */
	hdr(&w, 1, MSG_PUSH);
	CHECK_INT(dec(&w), ERR_FORMAT);
	wbuf_free(&w);
	wbuf_free(&r);
}

TEST(msg_batch_limit)
{
	struct msg m, d;
	struct wbuf w;
	struct err e;
	char u[37];
	int i;

	/* The encoder refuses more than SYNC_BATCH_MAX items. */
	msg_init(&m, MSG_PUSH, 1);
	for (i = 0; i <= SYNC_BATCH_MAX; i++) {
		uuid_v4(u);
		REQUIRE(msg_add_item(&m, u, ITEM_AUDIT, "{}", 2) == 0);
	}
	wbuf_init(&w, 0);
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);
	/* SYNC_BATCH_MAX exactly is fine. */
	m.nitems--;
	free(m.items[m.nitems].body);
	w.len = 0;
	w.err = 0;
	REQUIRE_OK(msg_encode(&m, &w, &e), &e);
	REQUIRE_OK(msg_decode(w.p, w.len, &d, &e), &e);
	CHECK_INT(d.nitems, SYNC_BATCH_MAX);
	msg_clear(&d);
	msg_clear(&m);
	wbuf_free(&w);
}

/* SPEC 7 / NET-3, rolling upgrades: a field added in version 2 (WELCOME's
 * server) is written only in version 2, left out for a version-1 peer, and
 * a version-1 message that carries it is rejected as undefined. */
TEST(msg_version_field_since)
{
	struct msg m, d;
	struct wbuf w;
	struct err e;
	uint8_t t[8] = { 0, 0, 0, 0, 0x65, 0x5a, 0x2f, 0x00 };

	REQUIRE(SYNC_PROTO_MAX >= SYNC_SINCE_SERVER);
	wbuf_init(&w, 0);
	msg_init(&m, MSG_WELCOME, 7);
	msg_set_text(&m.terminal_id, "K01");
	msg_set_text(&m.wards, "01");
	msg_set_text(&m.procedures, "");
	msg_set_text(&m.server, "madoguchi-central 9.9");
	m.time = 1;
	/* version 2: the server travels */
	m.proto = SYNC_SINCE_SERVER;
	REQUIRE_OK(msg_encode(&m, &w, &e), &e);
	CHECK_INT(w.p[0], SYNC_SINCE_SERVER);
	REQUIRE_OK(msg_decode(w.p, w.len, &d, &e), &e);
	CHECK_INT(d.proto, SYNC_SINCE_SERVER);
	REQUIRE(d.server != NULL);
	CHECK_STR(d.server, "madoguchi-central 9.9");
	msg_clear(&d);
	/* version 1 (and 0, which means 1): left out, not an error */
	m.proto = 1;
	w.len = 0;
	REQUIRE_OK(msg_encode(&m, &w, &e), &e);
	CHECK_INT(w.p[0], 1);
	REQUIRE_OK(msg_decode(w.p, w.len, &d, &e), &e);
	CHECK_INT(d.proto, 1);
	CHECK(d.server == NULL);
	msg_clear(&d);
	m.proto = 0;
	w.len = 0;
	REQUIRE_OK(msg_encode(&m, &w, &e), &e);
	CHECK_INT(w.p[0], 1);
	msg_clear(&m);
	/* by hand: a version-1 WELCOME with tag 13 is undefined (NET-3); the
	 * same bytes as version 2 are fine */
	hdr(&w, 1, MSG_WELCOME);
	fld(&w, 3, "K01", 3);
	fld(&w, 4, "01", 2);
	fld(&w, 5, "", 0);
	fld(&w, 6, t, 8);
	CHECK_INT(dec(&w), 0);
	fld(&w, 13, "x 1", 3);
	CHECK_INT(dec(&w), ERR_FORMAT);
	w.p[0] = SYNC_SINCE_SERVER;
	CHECK_INT(dec(&w), 0);
	/* the new field keeps its own checks in version 2 */
	fld(&w, 13, "y", 1);
	CHECK_INT(dec(&w), ERR_FORMAT);		/* repeated */
	wbuf_free(&w);
}

/* HELLO is version 1 whatever the terminal speaks: an old central must
 * read it.  The encoder refuses another version, the decoder rejects one,
 * and every other type may be written in any version spoken. */
TEST(msg_version_hello_is_1_and_others_follow)
{
	struct msg m, d;
	struct wbuf w;
	struct err e;
	int v;

	wbuf_init(&w, 0);
	msg_init(&m, MSG_HELLO, 9);
	msg_set_text(&m.client, "madoguchi 0.2.0 proto=1-2");
	m.proto = 2;
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);
	msg_clear(&m);
	hdr(&w, 2, MSG_HELLO);
	fld(&w, 2, "madoguchi", 9);
	CHECK_INT(dec(&w), ERR_PROTO);
	w.p[0] = 1;
	CHECK_INT(dec(&w), 0);
	for (v = SYNC_PROTO_MIN; v <= SYNC_PROTO_MAX; v++) {
		msg_init(&m, MSG_PING, 5);
		m.proto = (uint8_t)v;
		w.len = 0;
		REQUIRE_OK(msg_encode(&m, &w, &e), &e);
		REQUIRE_OK(msg_decode(w.p, w.len, &d, &e), &e);
		CHECK_INT(d.proto, v);
		msg_clear(&d);
		msg_clear(&m);
	}
	msg_init(&m, MSG_PING, 5);
	m.proto = SYNC_PROTO_MAX + 1;
	w.len = 0;
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);
	msg_clear(&m);
	wbuf_free(&w);
}

/* The offer in HELLO's client text, and the choice. */
TEST(msg_version_offer_and_choice)
{
	int lo, hi;

	/* the first release sends no offer: version 1 */
	CHECK_INT(sync_proto_offer("madoguchi 0.1.0", &lo, &hi), 0);
	CHECK_INT(lo, 1);
	CHECK_INT(hi, 1);
	CHECK_INT(sync_proto_offer("madoguchi 0.2.0 proto=1-2", &lo, &hi), 0);
	CHECK_INT(lo, 1);
	CHECK_INT(hi, 2);
	CHECK_INT(sync_proto_offer("proto=3", &lo, &hi), 0);
	CHECK_INT(lo, 3);
	CHECK_INT(hi, 3);
	CHECK_INT(sync_proto_offer("m proto=", &lo, &hi), ERR_FORMAT);
	CHECK_INT(sync_proto_offer("m proto=2-1", &lo, &hi), ERR_FORMAT);
	CHECK_INT(sync_proto_offer("m proto=0-2", &lo, &hi), ERR_FORMAT);
	CHECK_INT(sync_proto_offer("m proto=1-2x", &lo, &hi), ERR_FORMAT);
	CHECK_INT(sync_proto_offer("m proto=1--2", &lo, &hi), ERR_FORMAT);
	CHECK_INT(sync_proto_offer("m proto=1-300", &lo, &hi), ERR_FORMAT);
	CHECK_INT(sync_proto_offer("m proto=1-2 extra", &lo, &hi), ERR_FORMAT);
	/* the highest common version */
	CHECK_INT(sync_proto_choose(1, 1), 1);
	CHECK_INT(sync_proto_choose(1, SYNC_PROTO_MAX), SYNC_PROTO_MAX);
	CHECK_INT(sync_proto_choose(1, 200), SYNC_PROTO_MAX);
	CHECK_INT(sync_proto_choose(SYNC_PROTO_MAX + 1, 200), ERR_PROTO);
}

/* Issue 13 (RET-2): the pushed item kind "purge" exists from protocol
 * version 3 on; in version 2 it is undefined: not encoded, and rejected
 * when it arrives (NET-3). */
TEST(msg_item_purge_since_version_3)
{
	static const char body[] = "{\"count\":1}";
	static const char uuid[] = "0b9f7c2e-1111-4222-8333-444455556666";
	struct msg m, d;
	struct wbuf w;
	struct err e;

	CHECK_INT(sync_item_kind_since(ITEM_PURGE), 3);
	CHECK_INT(sync_item_kind_since(ITEM_AUDIT), 1);
	wbuf_init(&w, 0);
	msg_init(&m, MSG_PUSH, 7);
	REQUIRE(msg_add_item(&m, uuid, ITEM_PURGE, body, strlen(body)) == 0);
	m.proto = 3;
	REQUIRE_OK(msg_encode(&m, &w, &e), &e);
	REQUIRE_OK(msg_decode(w.p, w.len, &d, &e), &e);
	CHECK_INT(d.nitems, 1);
	if (d.nitems == 1)
		CHECK_INT(d.items[0].kind, ITEM_PURGE);
	msg_clear(&d);
	/* The same bytes labelled version 2 are refused by the decoder. */
	w.p[0] = 2;
	CHECK(msg_decode(w.p, w.len, &d, &e) != 0);
	msg_clear(&d);
	/* And the encoder refuses to write it in version 2. */
	w.len = 0;
	m.proto = 2;
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);
	msg_clear(&m);
	wbuf_free(&w);
}
