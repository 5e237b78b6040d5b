/*
 * test_rbuf.c — the bounded reader, BER-TLV and the writer (STYLE: OpenSSH
 * sshbuf habits; every parser of outside bytes relies on these).
 */
#include <string.h>

#include "core.h"
#include "harness.h"

TEST(rbuf_integers_big_endian)
{
	const uint8_t d[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
	    0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	struct rbuf b;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	rbuf_init(&b, d, sizeof(d));
	CHECK_INT(rbuf_get_u8(&b, &u8), 0);
	CHECK_INT(u8, 1);
	CHECK_INT(rbuf_get_u16(&b, &u16), 0);
	CHECK_INT(u16, 0x0203);
	CHECK_INT(rbuf_get_u32(&b, &u32), 0);
	CHECK_INT(u32, 0x04050607);
	CHECK_INT(rbuf_get_u64(&b, &u64), 0);
	CHECK(u64 == 0x08090a0b0c0d0e0fULL);
	CHECK_INT(rbuf_left(&b), 0);
	CHECK_INT(rbuf_get_u8(&b, &u8), ERR_SHORT);
}

TEST(rbuf_short_reads_consume_nothing)
{
	const uint8_t d[] = { 0xaa, 0xbb, 0xcc };
	struct rbuf b;
	uint32_t u32 = 7;
	uint64_t u64;
	uint8_t out[4];

	rbuf_init(&b, d, sizeof(d));
	CHECK_INT(rbuf_get_u32(&b, &u32), ERR_SHORT);
	CHECK_INT(u32, 7);
	CHECK_INT(rbuf_get_u64(&b, &u64), ERR_SHORT);
	CHECK_INT(rbuf_get(&b, out, 4), ERR_SHORT);
	CHECK_INT(rbuf_skip(&b, 4), ERR_SHORT);
	CHECK_INT(rbuf_left(&b), 3);
	CHECK_INT(rbuf_skip(&b, 3), 0);
	CHECK_INT(rbuf_skip(&b, 0), 0);
	CHECK_INT(rbuf_skip(&b, (size_t)-1), ERR_SHORT);
}

TEST(rbuf_length_prefixed)
{
	const uint8_t ok[] = { 0x00, 0x03, 'a', 'b', 'c', 0x05 };
	const uint8_t lying[] = { 0x00, 0x09, 'a', 'b' };
	const uint8_t big[] = { 0xff, 0xff, 0xff, 0xff, 'x' };
	const uint8_t *p;
	size_t n;
	struct rbuf b;

	rbuf_init(&b, ok, sizeof(ok));
	CHECK_INT(rbuf_get_lp(&b, 2, 16, &p, &n), 0);
	CHECK_INT(n, 3);
	CHECK_MEM(p, "abc", 3);
	CHECK_INT(rbuf_left(&b), 1);

	rbuf_init(&b, lying, sizeof(lying));
	CHECK_INT(rbuf_get_lp(&b, 2, 16, &p, &n), ERR_SHORT);
	CHECK_INT(rbuf_left(&b), sizeof(lying));
	CHECK_INT(rbuf_get_lp(&b, 2, 4, &p, &n), ERR_RANGE);

	rbuf_init(&b, big, sizeof(big));
	CHECK_INT(rbuf_get_lp(&b, 4, (size_t)-1, &p, &n), ERR_SHORT);
	CHECK_INT(rbuf_get_lp(&b, 3, 10, &p, &n), ERR_INVAL);
}

TEST(rbuf_sub_reader_is_bounded)
{
	const uint8_t d[] = { 1, 2, 3, 4, 5 };
	struct rbuf b, s;
	uint16_t v;

	rbuf_init(&b, d, sizeof(d));
	CHECK_INT(rbuf_get_sub(&b, 3, &s), 0);
	CHECK_INT(rbuf_get_u16(&s, &v), 0);
	CHECK_INT(rbuf_get_u16(&s, &v), ERR_SHORT);	/* 4 is outside the sub */
	CHECK_INT(rbuf_left(&b), 2);
	CHECK_INT(rbuf_get_sub(&b, 3, &s), ERR_SHORT);
}

TEST(rbuf_lines)
{
	const char *t = "one\r\ntwo\n\nlast";
	const char *l;
	size_t n;
	struct rbuf b;

	rbuf_init(&b, t, strlen(t));
	CHECK_INT(rbuf_get_line(&b, &l, &n), 0);
	CHECK(n == 3 && memcmp(l, "one", 3) == 0);
	CHECK_INT(rbuf_get_line(&b, &l, &n), 0);
	CHECK(n == 3 && memcmp(l, "two", 3) == 0);
	CHECK_INT(rbuf_get_line(&b, &l, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(rbuf_get_line(&b, &l, &n), 0);
	CHECK(n == 4 && memcmp(l, "last", 4) == 0);
	CHECK_INT(rbuf_get_line(&b, &l, &n), ERR_SHORT);
}

TEST(tlv_one_and_two_byte_tags_and_long_lengths)
{
	/* FF20 constructed holding DF21 (short), DF22 (81 xx), 5A. */
	uint8_t d[300];
	size_t n = 0;
	struct rbuf b, in;
	struct tlv t, c;

	d[n++] = 0xff; d[n++] = 0x20; d[n++] = 0x81; d[n++] = 0;	/* length later */
	size_t start = n;
	d[n++] = 0xdf; d[n++] = 0x21; d[n++] = 0x02; d[n++] = 'h'; d[n++] = 'i';
	d[n++] = 0xdf; d[n++] = 0x22; d[n++] = 0x81; d[n++] = 0x80;
	memset(d + n, 'N', 0x80);
	n += 0x80;
	d[n++] = 0x5a; d[n++] = 0x01; d[n++] = 0x07;
	d[3] = (uint8_t)(n - start);

	rbuf_init(&b, d, n);
	REQUIRE(rbuf_get_tlv(&b, &t) == 0);
	CHECK_INT(t.tag, 0xff20);
	CHECK_INT(t.constructed, 1);
	CHECK_INT(t.len, n - start);
	CHECK_INT(t.total, n);
	rbuf_init(&in, t.val, t.len);
	REQUIRE(rbuf_get_tlv(&in, &c) == 0);
	CHECK_INT(c.tag, 0xdf21);
	CHECK_INT(c.constructed, 0);
	CHECK_INT(c.len, 2);
	REQUIRE(rbuf_get_tlv(&in, &c) == 0);
	CHECK_INT(c.tag, 0xdf22);
	CHECK_INT(c.len, 0x80);
	REQUIRE(rbuf_get_tlv(&in, &c) == 0);
	CHECK_INT(c.tag, 0x5a);
	CHECK_INT(c.val[0], 7);
	CHECK_INT(rbuf_left(&in), 0);

	CHECK_INT(tlv_find(t.val, t.len, 0xdf22, &c), 0);
	CHECK_INT(c.len, 0x80);
	CHECK_INT(tlv_find(t.val, t.len, 0xdf25, &c), ERR_NOTFOUND);
}

TEST(tlv_82_length)
{
	static uint8_t d[4 + 0x1234];
	struct rbuf b;
	struct tlv t;

	d[0] = 0x53; d[1] = 0x82; d[2] = 0x12; d[3] = 0x34;
	rbuf_init(&b, d, sizeof(d));
	CHECK_INT(rbuf_get_tlv(&b, &t), 0);
	CHECK_INT(t.len, 0x1234);
	rbuf_init(&b, d, sizeof(d) - 1);		/* one byte short */
	CHECK_INT(rbuf_get_tlv(&b, &t), ERR_SHORT);
	CHECK_INT(rbuf_left(&b), sizeof(d) - 1);
}

TEST(tlv_malformed)
{
	const uint8_t trunc_tag[] = { 0xdf };
	const uint8_t trunc_len[] = { 0xdf, 0x21, 0x82, 0x01 };
	const uint8_t indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
	const uint8_t len_overflow[] = { 0x04, 0x84, 0xff, 0xff, 0xff, 0xff };
	const uint8_t long_tag[] = { 0x1f, 0x81, 0x82, 0x03, 0x00 };
	const uint8_t val_past_end[] = { 0x04, 0x05, 1, 2 };
	struct rbuf b;
	struct tlv t;

	rbuf_init(&b, trunc_tag, sizeof(trunc_tag));
	CHECK_INT(rbuf_get_tlv(&b, &t), ERR_SHORT);
	rbuf_init(&b, trunc_len, sizeof(trunc_len));
	CHECK_INT(rbuf_get_tlv(&b, &t), ERR_SHORT);
	rbuf_init(&b, indefinite, sizeof(indefinite));
	CHECK_INT(rbuf_get_tlv(&b, &t), ERR_FORMAT);
	rbuf_init(&b, len_overflow, sizeof(len_overflow));
	CHECK_INT(rbuf_get_tlv(&b, &t), ERR_RANGE);
	rbuf_init(&b, long_tag, sizeof(long_tag));
	CHECK_INT(rbuf_get_tlv(&b, &t), ERR_FORMAT);
	rbuf_init(&b, val_past_end, sizeof(val_past_end));
	CHECK_INT(rbuf_get_tlv(&b, &t), ERR_SHORT);
	CHECK_INT(rbuf_left(&b), sizeof(val_past_end));
	CHECK_INT(tlv_find(val_past_end, sizeof(val_past_end), 0x04, &t), ERR_SHORT);
}

TEST(wbuf_round_trip_through_rbuf)
{
	struct wbuf w;
	struct rbuf b;
	struct tlv t;
	uint32_t u32;
	const uint8_t *p;
	size_t n;
	uint8_t big[300];

	memset(big, 0x42, sizeof(big));
	wbuf_init(&w, 0);
	CHECK_INT(wbuf_put_u32(&w, 0xdeadbeef), 0);
	CHECK_INT(wbuf_put_lp(&w, 1, "xyz", 3), 0);
	CHECK_INT(wbuf_put_tlv(&w, 0xdf22, big, sizeof(big)), 0);
	CHECK_INT(wbuf_put_tlv(&w, 0x5a, "a", 1), 0);
	rbuf_init(&b, w.p, w.len);
	CHECK_INT(rbuf_get_u32(&b, &u32), 0);
	CHECK(u32 == 0xdeadbeef);
	CHECK_INT(rbuf_get_lp(&b, 1, 10, &p, &n), 0);
	CHECK_INT(n, 3);
	CHECK_INT(rbuf_get_tlv(&b, &t), 0);
	CHECK_INT(t.tag, 0xdf22);
	CHECK_INT(t.len, 300);
	CHECK_INT(t.total, 2 + 3 + 300);
	CHECK_INT(rbuf_get_tlv(&b, &t), 0);
	CHECK_INT(t.total, 3);
	wbuf_free(&w);
}

TEST(wbuf_limits_are_sticky)
{
	uint8_t mem[4];
	struct wbuf w;

	wbuf_init_fixed(&w, mem, sizeof(mem));
	CHECK_INT(wbuf_put_u16(&w, 1), 0);
	CHECK_INT(wbuf_put_u16(&w, 2), 0);
	CHECK_INT(wbuf_put_u8(&w, 3), ERR_RANGE);
	CHECK_INT(wbuf_put_u8(&w, 3), ERR_RANGE);
	CHECK_INT(w.len, 4);
	wbuf_init(&w, 10);
	CHECK_INT(wbuf_printf(&w, "%s", "123456789"), 0);
	CHECK_STR(wbuf_str(&w), "123456789");
	CHECK_INT(wbuf_put(&w, "xx", 2), ERR_RANGE);
	CHECK_INT(wbuf_put_lp(&w, 1, mem, 300), ERR_RANGE);
	wbuf_free(&w);
}

/* An empty input may arrive as (NULL, 0): the reader must not do pointer
 * arithmetic on NULL (undefined behaviour; clang's UBSan found it through
 * fuzz_conf). */
TEST(rbuf_null_empty_input)
{
	struct rbuf b;
	const char *line;
	size_t n;
	struct tlv t;

	rbuf_init(&b, NULL, 0);
	CHECK(rbuf_cur(&b) != NULL);
	CHECK_INT(rbuf_left(&b), 0);
	CHECK_INT(rbuf_get_line(&b, &line, &n), ERR_SHORT);
	CHECK_INT(rbuf_get_tlv(&b, &t), ERR_SHORT);
	rbuf_init(&b, NULL, 10);		/* a length without bytes is none */
	CHECK_INT(rbuf_left(&b), 0);
}

/* Every prefix of a valid element (a 基本4情報-shaped FF20 with a long
 * value) is refused as truncated, consuming nothing; the whole reads. */
TEST(tlv_every_truncation_is_short)
{
	struct wbuf inner, outer;
	uint8_t big[300];
	struct rbuf b;
	struct tlv t;

	memset(big, 'x', sizeof(big));
	wbuf_init(&inner, 0);
	wbuf_put_tlv(&inner, 0xdf21, "\x00\x01", 2);
	wbuf_put_tlv(&inner, 0xdf22, big, 200);		/* 81 C8 */
	wbuf_put_tlv(&inner, 0xdf23, big, 300);		/* 82 01 2C */
	wbuf_init(&outer, 0);
	wbuf_put_tlv(&outer, 0xff20, inner.p, inner.len);
	REQUIRE(outer.err == 0 && inner.err == 0);
	for (size_t n = 0; n < outer.len; n++) {
		rbuf_init(&b, outer.p, n);
		CHECK_INT(rbuf_get_tlv(&b, &t), ERR_SHORT);
		CHECK_INT(rbuf_left(&b), n);
	}
	rbuf_init(&b, outer.p, outer.len);
	REQUIRE(rbuf_get_tlv(&b, &t) == 0);
	CHECK_INT(t.tag, 0xff20);
	CHECK_INT(t.constructed, 1);
	CHECK_INT(t.total, outer.len);
	CHECK_INT(tlv_find(t.val, t.len, 0xdf23, &t), 0);
	CHECK_INT(t.len, 300);
	/* a length that claims more than there is: 83 FF FF FF */
	const uint8_t lying[] = { 0x04, 0x83, 0xff, 0xff, 0xff, 'a' };
	rbuf_init(&b, lying, sizeof(lying));
	CHECK_INT(rbuf_get_tlv(&b, &t), ERR_SHORT);
	wbuf_free(&inner);
	wbuf_free(&outer);
}
