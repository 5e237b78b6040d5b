/*
 * test_card_apdu.c — the card module without a reader: APDU encoding and
 * decoding, response parsing, the status-word table, 照合番号B building,
 * the EF parsers with byte vectors, and the simulator's profile parser and
 * card state machine (ID-4, ID-5, LOG-5).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "card.h"
#include "harness.h"
#include "sim.h"

static void
check_encode(const struct apdu *a, const uint8_t *want, size_t wn)
{
	uint8_t out[300];
	size_t n = 0;
	struct apdu back;

	CHECK_INT(apdu_encode(a, out, sizeof(out), &n), 0);
	CHECK_INT(n, wn);
	CHECK_MEM(out, want, wn);
	/* The decoder reads back what the encoder wrote. */
	CHECK_INT(apdu_decode(out, n, &back), 0);
	CHECK_INT(back.cla, a->cla);
	CHECK_INT(back.ins, a->ins);
	CHECK_INT(back.lc, a->lc);
	CHECK_INT(back.le, a->le);
	if (a->lc > 0)
		CHECK_MEM(back.data, a->data, a->lc);
}

TEST(apdu_encode_short_cases)
{
	static const uint8_t aid[] = { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00,
	    0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
	static const uint8_t vfy_empty[] = { 0x00, 0x20, 0x00, 0x80 };
	static const uint8_t rd[] = { 0x00, 0xB0, 0x01, 0x02, 0x00 };
	static const uint8_t rd5[] = { 0x00, 0xB0, 0x00, 0x00, 0x05 };
	static const uint8_t c4[] = { 0x00, 0x88, 0x00, 0x00, 0x02, 0xAA, 0xBB, 0x10 };
	static const uint8_t two[] = { 0xAA, 0xBB };
	struct apdu a;

	memset(&a, 0, sizeof(a));
	a.ins = 0xA4; a.p1 = 0x04; a.p2 = 0x0C; a.data = aid; a.lc = sizeof(aid);
	check_encode(&a, sel, sizeof(sel));			/* case 3 */
	memset(&a, 0, sizeof(a));
	a.ins = 0x20; a.p2 = 0x80;
	check_encode(&a, vfy_empty, sizeof(vfy_empty));		/* case 1 */
	memset(&a, 0, sizeof(a));
	a.ins = 0xB0; a.p1 = 1; a.p2 = 2; a.le = 256;
	check_encode(&a, rd, sizeof(rd));			/* case 2, Le 00 = 256 */
	a.p1 = 0; a.p2 = 0; a.le = 5;
	check_encode(&a, rd5, sizeof(rd5));
	memset(&a, 0, sizeof(a));
	a.ins = 0x88; a.data = two; a.lc = 2; a.le = 16;
	check_encode(&a, c4, sizeof(c4));			/* case 4 */
}

TEST(apdu_encode_extended_cases)
{
	static const uint8_t rd[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t rd300[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x2C };
	uint8_t big[300], out[400];
	struct apdu a, back;
	size_t n;

	memset(&a, 0, sizeof(a));
	a.ins = 0xB0; a.le = CARD_LE_MAX;
	check_encode(&a, rd, sizeof(rd));			/* 0000 = 65536 */
	a.le = 300;
	check_encode(&a, rd300, sizeof(rd300));
	/* Lc 300 and Le 256 forced extended: 00 012C data 0100. */
	memset(big, 0x5A, sizeof(big));
	memset(&a, 0, sizeof(a));
	a.ins = 0xD6; a.data = big; a.lc = sizeof(big); a.le = 256;
	CHECK_INT(apdu_encode(&a, out, sizeof(out), &n), 0);
	CHECK_INT(n, 4 + 3 + 300 + 2);
	CHECK_INT(out[4], 0); CHECK_INT(out[5], 0x01); CHECK_INT(out[6], 0x2C);
	CHECK_INT(out[n - 2], 0x01); CHECK_INT(out[n - 1], 0x00);
	CHECK_INT(apdu_decode(out, n, &back), 0);
	CHECK_INT(back.lc, 300);
	CHECK_INT(back.le, 256);
	CHECK(back.ext);
	/* Too small an output buffer, too long a body. */
	CHECK_INT(apdu_encode(&a, out, 10, &n), ERR_RANGE);
	a.lc = 70000;
	CHECK_INT(apdu_encode(&a, out, sizeof(out), &n), ERR_RANGE);
}

TEST(apdu_decode_rejects_malformed)
{
	static const uint8_t s3[] = { 0x00, 0xA4, 0x04 };
	static const uint8_t lc_long[] = { 0x00, 0xA4, 0x04, 0x0C, 0x05, 0x01, 0x02 };
	static const uint8_t trail[] = { 0x00, 0xA4, 0x04, 0x0C, 0x01, 0x01, 0x00, 0x00 };
	static const uint8_t ext_zero_lc[] = { 0x00, 0xA4, 0x04, 0x0C, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t ext_short[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x01 };
	struct apdu a;

	CHECK_INT(apdu_decode(s3, sizeof(s3), &a), ERR_SHORT);
	CHECK_INT(apdu_decode(lc_long, sizeof(lc_long), &a), ERR_SHORT);
	CHECK_INT(apdu_decode(trail, sizeof(trail), &a), ERR_FORMAT);
	CHECK_INT(apdu_decode(ext_zero_lc, sizeof(ext_zero_lc), &a), ERR_FORMAT);
	CHECK_INT(apdu_decode(ext_short, sizeof(ext_short), &a), ERR_SHORT);
}

TEST(rapdu_and_status_words)
{
	static const uint8_t ok[] = { 0x01, 0x02, 0x90, 0x00 };
	static const uint8_t one[] = { 0x90 };
	struct rapdu r;
	struct err e;

	CHECK_INT(rapdu_parse(ok, sizeof(ok), &r), 0);
	CHECK_INT(r.len, 2);
	CHECK_INT(r.sw, 0x9000);
	CHECK_INT(r.data[1], 0x02);
	CHECK_INT(rapdu_parse(one, sizeof(one), &r), ERR_SHORT);
	CHECK_INT(rapdu_parse(ok, 0, &r), ERR_SHORT);

	CHECK_INT(card_sw_err(0x9000, &e), 0);
	CHECK_INT(card_sw_tries(0x63C2), 2);
	CHECK_INT(card_sw_tries(0x6983), -1);
	CHECK_INT(card_sw_err(0x63C2, &e), ERR_AUTH);
	CHECK(strstr(e.ja, "あと2回") != NULL);
	CHECK(strstr(e.msg, "63C2") != NULL);
	CHECK_INT(card_sw_err(0x63C0, &e), ERR_LOCKED);
	CHECK_INT(card_sw_err(0x6983, &e), ERR_LOCKED);
	CHECK(strstr(e.ja, "ロック") != NULL && strstr(e.ja, "市区町村窓口") != NULL);
	CHECK_INT(card_sw_err(0x6982, &e), ERR_STATE);
	CHECK_INT(card_sw_err(0x6A82, &e), ERR_NOTFOUND);
	CHECK_INT(card_sw_err(0x6412, &e), ERR_CARD);
	CHECK_INT(card_sw_err(0x1234, &e), ERR_CARD);
	CHECK(strstr(e.msg, "1234") != NULL);
	CHECK(e.ja[0] != '\0');
}

TEST(b_number_built_and_validated)
{
	char *s = card_secret_new();
	struct err e;

	REQUIRE(s != NULL);
	CHECK_OK(card_b_build("850412", "2034", "5678", s, &e), &e);
	CHECK_STR(s, "85041220345678");
	CHECK_INT(strlen(s), CARD_B_LEN);
	CHECK_INT(card_b_build("851332", "2034", "5678", s, &e), ERR_INVAL);
	CHECK(strstr(e.ja, "生年月日") != NULL);
	/* The parts never appear in the English message. */
	CHECK(strstr(e.msg, "851332") == NULL);
	CHECK_INT(card_b_build("85041", "2034", "5678", s, &e), ERR_INVAL);
	CHECK_INT(card_b_build("000229", "2034", "5678", s, &e), 0);	/* 2000-02-29 */
	CHECK_INT(card_b_build("010230", "2034", "5678", s, &e), ERR_INVAL);
	CHECK_INT(card_b_build("850412", "1999", "5678", s, &e), ERR_INVAL);
	CHECK(strstr(e.ja, "有効期限") != NULL);
	CHECK_INT(card_b_build("850412", "20x4", "5678", s, &e), ERR_INVAL);
	CHECK_INT(card_b_build("850412", "2034", "567", s, &e), ERR_INVAL);
	CHECK(strstr(e.ja, "セキュリティコード") != NULL);
	CHECK_INT(card_b_build("850412", "2034", "56a8", s, &e), ERR_INVAL);
	CHECK_INT(card_pin_check("1234", &e), 0);
	CHECK_INT(card_pin_check("123", &e), ERR_INVAL);
	CHECK_INT(card_pin_check("12345", &e), ERR_INVAL);
	CHECK_INT(card_pin_check("12a4", &e), ERR_INVAL);
	card_secret_free(s);
}

/* A 基本4情報 element as the card holds it: FF20 { DF21 with the offsets
 * of DF22..DF25 from the start of the file, DF22..DF25 }. */
static size_t
basic4(uint8_t *out, size_t cap, const char *name, const char *addr,
    const char *birth, const char *sex)
{
	struct wbuf in, w, o;
	uint8_t tbl[8];
	size_t at[4], val, hdr;

	wbuf_init(&o, 0);
	at[0] = o.len;
	wbuf_put_tlv(&o, 0xDF22, name, strlen(name));
	at[1] = o.len;
	wbuf_put_tlv(&o, 0xDF23, addr, strlen(addr));
	at[2] = o.len;
	wbuf_put_tlv(&o, 0xDF24, birth, strlen(birth));
	at[3] = o.len;
	wbuf_put_tlv(&o, 0xDF25, sex, strlen(sex));
	val = 11 + o.len;
	hdr = val < 0x80 ? 3 : val <= 0xFF ? 4 : 5;
	for (int i = 0; i < 4; i++) {
		tbl[2 * i] = (uint8_t)((hdr + 11 + at[i]) >> 8);
		tbl[2 * i + 1] = (uint8_t)(hdr + 11 + at[i]);
	}
	wbuf_init(&in, 0);
	wbuf_put_tlv(&in, 0xDF21, tbl, 8);
	wbuf_put(&in, o.p, o.len);
	wbuf_init_fixed(&w, out, cap);
	wbuf_put_tlv(&w, 0xFF20, in.p, in.len);
	wbuf_free(&in);
	wbuf_free(&o);
	return w.err ? 0 : w.len;
}

static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; h[0] && h[1] && n < cap; h += 2) {
		unsigned v;
		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* The bytes of a JPKI test card (holder data synthetic), from
 * shared/cards/LAYOUT.md, parse to exactly its values (issue 11). */
TEST(parse_layout_test_card_bytes)
{
	static const char ef1_hex[] = "FF100C353337363836363737313838";
	static const char ef2_hex[] =
	    "ff2065df2108000e002000590064df220fe9bb92e6a190e38080e5b9b9e4b99f"
	    "df2336e69db1e4baace983bde6b885e780ace5b882e8a6b3e5b883e5ad90e58d"
	    "97efbc91efbc92efbc8defbc97efbc8defbc92efbc90efbc92df24083139383030"
	    "323137df250131";
	uint8_t ef1[32], ef2[256];
	size_t n1, n2;
	struct card_result *r = calloc(1, sizeof(*r));
	struct err e;

	REQUIRE(r != NULL);
	n1 = unhex(ef1_hex, ef1, sizeof(ef1));
	REQUIRE(n1 == 15);
	ef1[n1++] = 0xFF;	/* the stored file has 2 filler bytes */
	ef1[n1++] = 0xFF;
	n2 = unhex(ef2_hex, ef2, sizeof(ef2));
	REQUIRE(n2 == 0x65 + 3);
	CHECK_OK(card_parse_mynumber(ef1, n1, r, &e), &e);
	CHECK_STR(r->mynumber, "537686677188");
	CHECK_OK(card_parse_basic4(ef2, n2, r, &e), &e);
	CHECK_STR(r->name, "黒桐\xe3\x80\x80幹也");			/* U+3000 */
	CHECK_STR(r->address, "東京都清瀬市観布子南１２－７－２０２");
	CHECK_INT(r->birth.y, 1980);
	CHECK_INT(r->birth.m, 2);
	CHECK_INT(r->birth.d, 17);
	CHECK_INT(r->sex, 1);
	card_result_free(r);

	/* DF21 says 000e 0020 0059 0064: the objects are really there; move
	 * one offset and the file is refused. */
	CHECK_INT(ef2[6] << 8 | ef2[7], 0x0E);
	CHECK_INT(ef2[0x0E], 0xDF);
	CHECK_INT(ef2[0x0F], 0x22);
	CHECK_INT(ef2[0x20 + 1], 0x23);
	CHECK_INT(ef2[0x59 + 1], 0x24);
	CHECK_INT(ef2[0x64 + 1], 0x25);
	ef2[9] ^= 1;
	r = calloc(1, sizeof(*r));
	CHECK_INT(card_parse_basic4(ef2, n2, r, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "DF21") != NULL);
	card_result_free(r);
	ef2[9] ^= 1;

	/* DF31 covers the 17 stored bytes, DF32 the FF20 value without DF21. */
	{
		uint8_t h1[32], h15[32], h2[32], want2[32], ef3[200];
		struct wbuf in, w;

		REQUIRE(sodium_init() >= 0);
		crypto_hash_sha256(h1, ef1, 17);
		crypto_hash_sha256(h15, ef1, 15);
		crypto_hash_sha256(want2, ef2 + 0x0E, n2 - 0x0E);	/* DF22.. to the end */
		CHECK_INT(card_basic4_digest(ef2, n2, h2), 0);
		CHECK(memcmp(h2, want2, 32) == 0);
		wbuf_init(&in, 0);
		wbuf_put_tlv(&in, 0xDF31, h1, 32);
		wbuf_put_tlv(&in, 0xDF32, want2, 32);
		wbuf_init_fixed(&w, ef3, sizeof(ef3));
		wbuf_put_tlv(&w, 0xFF30, in.p, in.len);
		wbuf_free(&in);
		r = calloc(1, sizeof(*r));
		CHECK_OK(card_parse_digests(ef3, w.len, ef1, 17, ef2, n2, r, &e), &e);
		CHECK_INT(r->digest_mynumber, CARD_DIGEST_OK);
		CHECK_INT(r->digest_basic4, CARD_DIGEST_OK);
		card_result_free(r);
		/* Hashing only the 15-byte TLV does not match. */
		r = calloc(1, sizeof(*r));
		CHECK_OK(card_parse_digests(ef3, w.len, ef1, 15, ef2, n2, r, &e), &e);
		CHECK_INT(r->digest_mynumber, CARD_DIGEST_MISMATCH);
		card_result_free(r);
		/* A 照合番号B read has no EF 0001: DF31 is not checked. */
		r = calloc(1, sizeof(*r));
		CHECK_OK(card_parse_digests(ef3, w.len, NULL, 0, ef2, n2, r, &e), &e);
		CHECK_INT(r->digest_mynumber, CARD_DIGEST_UNCHECKED);
		CHECK_INT(r->digest_basic4, CARD_DIGEST_OK);
		card_result_free(r);
		(void)h15;
	}
}

TEST(parse_mynumber_and_basic4)
{
	static const uint8_t ef1[] = { 0xFF, 0x10, 0x0C, '3', '1', '4', '1', '5', '9',
	    '2', '6', '5', '3', '5', '2', 0xFF, 0xFF };
	static const uint8_t ef1_bad[] = { 0xFF, 0x10, 0x0C, '3', '1', '4', '1', '5', '9',
	    '2', '6', '5', '3', '5', '3' };
	static const uint8_t ef1_letters[] = { 0xFF, 0x10, 0x0C, '3', '1', '4', '1', '5', '9',
	    '2', '6', '5', '3', 'x', '2' };
	static const uint8_t ef1_short[] = { 0xFF, 0x10, 0x0C, '3', '1' };
	static const uint8_t ef1_old_tag[] = { 0xDF, 0x10, 0x0C, '3', '1', '4', '1', '5', '9',
	    '2', '6', '5', '3', '5', '2' };
	uint8_t buf[512];
	struct card_result *r = calloc(1, sizeof(*r));
	struct err e;
	size_t n;

	REQUIRE(r != NULL);
	CHECK_OK(card_parse_mynumber(ef1, sizeof(ef1), r, &e), &e);
	CHECK_STR(r->mynumber, "314159265352");
	CHECK(r->mynumber_check_ok);
	n = basic4(buf, sizeof(buf), "山田 太郎", "窓口市北区本町一丁目2番3号", "19850412", "1");
	REQUIRE(n > 0);
	CHECK_OK(card_parse_basic4(buf, n, r, &e), &e);
	CHECK_STR(r->name, "山田 太郎");
	CHECK_STR(r->address, "窓口市北区本町一丁目2番3号");
	CHECK_INT(r->birth.y, 1985);
	CHECK_INT(r->birth.m, 4);
	CHECK_INT(r->birth.d, 12);
	CHECK_INT(r->sex, 1);
	card_result_free(r);

	r = calloc(1, sizeof(*r));
	CHECK_OK(card_parse_mynumber(ef1_bad, sizeof(ef1_bad), r, &e), &e);
	CHECK(!r->mynumber_check_ok);				/* ID-4 */
	card_result_free(r);
	r = calloc(1, sizeof(*r));
	CHECK_INT(card_parse_mynumber(ef1_letters, sizeof(ef1_letters), r, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "31415") == NULL);			/* LOG-5 */
	CHECK_INT(card_parse_mynumber(ef1_short, sizeof(ef1_short), r, &e), ERR_SHORT);
	/* The tag an earlier SPEC guessed (DF10) is not the card's. */
	CHECK_INT(card_parse_mynumber(ef1_old_tag, sizeof(ef1_old_tag), r, &e), ERR_FORMAT);
	CHECK(r->mynumber == NULL);
	/* Bad sex code, bad date, invalid UTF-8, missing item. */
	n = basic4(buf, sizeof(buf), "山田", "窓口市", "19850412", "3");
	CHECK_INT(card_parse_basic4(buf, n, r, &e), ERR_FORMAT);
	card_result_free(r);
	r = calloc(1, sizeof(*r));
	n = basic4(buf, sizeof(buf), "山田", "窓口市", "19850230", "1");
	CHECK_INT(card_parse_basic4(buf, n, r, &e), ERR_FORMAT);
	card_result_free(r);
	r = calloc(1, sizeof(*r));
	n = basic4(buf, sizeof(buf), "\xff\xfe", "窓口市", "19850412", "1");
	CHECK_INT(card_parse_basic4(buf, n, r, &e), ERR_FORMAT);
	card_result_free(r);
	r = calloc(1, sizeof(*r));
	n = basic4(buf, sizeof(buf), "山田", "窓口市", "19850412", "1");
	buf[1]--;		/* outer length one short: sex element cut */
	CHECK(card_parse_basic4(buf, n - 1, r, &e) < 0);
	card_result_free(r);
}

TEST(parse_digests_match_and_mismatch)
{
	static const uint8_t ef1[] = { 0xFF, 0x10, 0x0C, '3', '1', '4', '1', '5', '9',
	    '2', '6', '5', '3', '5', '2', 0xFF, 0xFF };
	uint8_t ef2[512], ef3[200], h1[32], h2[32];
	struct card_result *r = calloc(1, sizeof(*r));
	struct wbuf in, w;
	struct tlv t21;
	struct err e;
	size_t n2, hdr;

	REQUIRE(r != NULL && sodium_init() >= 0);
	n2 = basic4(ef2, sizeof(ef2), "鈴木　花子", "窓口市南区", "19920730", "2");
	crypto_hash_sha256(h1, ef1, sizeof(ef1));
	/* DF32: the FF20 value after the DF21 object. */
	hdr = ef2[2] < 0x80 ? 3 : ef2[2] == 0x81 ? 4 : 5;
	REQUIRE(tlv_find(ef2 + hdr, n2 - hdr, 0xDF21, &t21) == 0);
	crypto_hash_sha256(h2, ef2 + hdr + t21.total, n2 - hdr - t21.total);
	wbuf_init(&in, 0);
	wbuf_put_tlv(&in, 0xDF31, h1, 32);
	wbuf_put_tlv(&in, 0xDF32, h2, 32);
	wbuf_put_tlv(&in, 0xDF33, "SIG", 3);
	wbuf_init_fixed(&w, ef3, sizeof(ef3));
	wbuf_put_tlv(&w, 0xFF30, in.p, in.len);
	wbuf_free(&in);
	CHECK_OK(card_parse_digests(ef3, w.len, ef1, sizeof(ef1), ef2, n2, r, &e), &e);
	CHECK_INT(r->digest_mynumber, CARD_DIGEST_OK);
	CHECK_INT(r->digest_basic4, CARD_DIGEST_OK);
	CHECK_INT(r->signature_len, 3);
	card_result_free(r);

	/* One byte of the 基本4情報 changed: a mismatch, still no error. */
	r = calloc(1, sizeof(*r));
	ef2[n2 - 1] ^= 1;
	CHECK_OK(card_parse_digests(ef3, w.len, ef1, sizeof(ef1), ef2, n2, r, &e), &e);
	CHECK_INT(r->digest_mynumber, CARD_DIGEST_OK);
	CHECK_INT(r->digest_basic4, CARD_DIGEST_MISMATCH);
	card_result_free(r);

	/* A truncated EF 0003 is an error. */
	r = calloc(1, sizeof(*r));
	CHECK_INT(card_parse_digests(ef3, w.len - 10, ef1, sizeof(ef1), ef2, n2, r, &e), ERR_SHORT);
	card_result_free(r);
}

/* 照合番号B as printed (LAYOUT.md): the 和暦 era year for a card printed in
 * 和暦, the 西暦 two digits for one printed in 西暦. */
TEST(b_number_from_what_is_printed)
{
	char *s = card_secret_new();
	struct err e;

	REQUIRE(s != NULL);
	CHECK_OK(card_b_from_printed("S55.2.17", "2035", "2285", s, &e), &e);
	CHECK_STR(s, "55021720352285");				/* LAYOUT.md example */
	CHECK_OK(card_b_from_printed("昭和55年2月17日", "2035-02-17", "2285", s, &e), &e);
	CHECK_STR(s, "55021720352285");
	CHECK_OK(card_b_from_printed("1980-02-17", "2035", "2285", s, &e), &e);
	CHECK_STR(s, "80021720352285");				/* 西暦-printed card */
	CHECK_OK(card_b_from_printed("H4.2.29", "2030", "0001", s, &e), &e);
	CHECK_STR(s, "04022920300001");
	CHECK_OK(card_b_from_printed("S63.2.29", "2030", "0001", s, &e), &e);
	CHECK_STR(s, "63022920300001");				/* era year, a leap day */
	CHECK_OK(card_b_from_printed("550217", "2035", "2285", s, &e), &e);
	CHECK_STR(s, "55021720352285");				/* six digits as printed */
	CHECK_OK(card_b_from_line("S55.2.17 2035 2285", s, &e), &e);
	CHECK_STR(s, "55021720352285");
	CHECK_OK(card_b_from_line("  昭和55年2月17日\xe3\x80\x80" "2035年2月17日  2285 ", s, &e), &e);
	CHECK_STR(s, "55021720352285");
	CHECK_INT(card_b_from_line("S55.2.17 2035", s, &e), ERR_INVAL);
	CHECK_INT(card_b_from_line("S55.2.17 2035 2285 9", s, &e), ERR_INVAL);
	CHECK_INT(card_b_from_printed("S55.2.30", "2035", "2285", s, &e), ERR_INVAL);
	CHECK(strstr(e.ja, "生年月日") != NULL);
	CHECK_INT(card_b_from_printed("S55.2.17", "35", "2285", s, &e), ERR_INVAL);
	CHECK(strstr(e.ja, "有効期限") != NULL);
	CHECK_INT(card_b_from_printed("S55.2.17", "2035", "22x5", s, &e), ERR_INVAL);
	CHECK(strstr(e.msg, "2285") == NULL && strstr(e.msg, "S55") == NULL);	/* LOG-5 */
	card_secret_free(s);
}

/* [card] trust_anchors lines (issue 11). */
TEST(trust_anchor_lines)
{
	char text[2400], mod[513];
	struct card_anchors a;
	struct err e;
	static const uint8_t id[16] = { '6', '0', '0', '0', '0', '3', '3', 0, 1, '0', '0', '1',
	    0, 0, 0, 1 };

	memset(mod, 'a', 512);
	mod[512] = '\0';
	snprintf(text, sizeof(text), "# comment\n\n36303030303333000130303100000001 010001 %s\n", mod);
	CHECK_OK(card_anchors_parse(text, strlen(text), "anchors", &a, &e), &e);
	CHECK_INT(a.n, 1);
	CHECK(card_anchors_find(&a, id) != NULL);
	CHECK_INT(card_anchors_find(&a, id)->nlen, 256);
	CHECK_INT(card_anchors_find(&a, id)->elen, 3);
	card_anchors_free(&a);
	snprintf(text, sizeof(text), "# c\n3630 010001 %s\n", mod);
	CHECK_INT(card_anchors_parse(text, strlen(text), "anchors", &a, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "anchors:2:") != NULL && strstr(e.msg, "KEYID") != NULL);
	snprintf(text, sizeof(text), "36303030303333000130303100000001 010001\n");
	CHECK_INT(card_anchors_parse(text, strlen(text), "f", &a, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "f:1:") != NULL);
	snprintf(text, sizeof(text), "36303030303333000130303100000001 010001 abcd\n");
	CHECK_INT(card_anchors_parse(text, strlen(text), "f", &a, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "MODULUS") != NULL);
	snprintf(text, sizeof(text), "36303030303333000130303100000001 010000 %s\n", mod);
	CHECK_INT(card_anchors_parse(text, strlen(text), "f", &a, &e), ERR_FORMAT);
	snprintf(text, sizeof(text), "36303030303333000130303100000001 010001 %s x\n", mod);
	CHECK_INT(card_anchors_parse(text, strlen(text), "f", &a, &e), ERR_FORMAT);
}

static const char profile_text[] =
    "# test\n"
    "name = 山田 太郎\n"
    "address = 窓口市北区本町一丁目2番3号\n"
    "birth = 19850412\n"
    "sex = 1\n"
    "mynumber = 314159265352\n"
    "pin = 1234\n"
    "expiry = 20340412\n"
    "security_code = 5678\n";

TEST(sim_profile_parse_and_errors)
{
	struct sim_profile *p;
	struct err e;
	char buf[1024];

	CHECK_OK(sim_profile_parse(profile_text, strlen(profile_text), NULL, &p, &e), &e);
	REQUIRE(p != NULL);
	CHECK_STR(p->name, "山田 太郎");
	CHECK_INT(p->birth, 19850412);
	CHECK_INT(p->pin_tries, 3);
	CHECK_INT(p->b_tries, 10);
	CHECK_INT(p->extended, 1);
	sim_profile_free(p);

	snprintf(buf, sizeof(buf), "%sphoto = hex:0000000C6A502020\nslow_ms = 5\n", profile_text);
	CHECK_OK(sim_profile_parse(buf, strlen(buf), NULL, &p, &e), &e);
	CHECK_INT(p->photo_len, 8);
	CHECK_INT(p->slow_ms, 5);
	sim_profile_free(p);

	snprintf(buf, sizeof(buf), "%scolour = red\n", profile_text);
	CHECK_INT(sim_profile_parse(buf, strlen(buf), NULL, &p, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "line 10") != NULL);
	snprintf(buf, sizeof(buf), "%spin = 9999\n", profile_text);
	CHECK_INT(sim_profile_parse(buf, strlen(buf), NULL, &p, &e), ERR_EXISTS);
	snprintf(buf, sizeof(buf), "%spin_tries = 4\n", profile_text);
	CHECK_INT(sim_profile_parse(buf, strlen(buf), NULL, &p, &e), ERR_RANGE);
	snprintf(buf, sizeof(buf), "%sphoto = file:x.jp2\n", profile_text);
	CHECK_INT(sim_profile_parse(buf, strlen(buf), NULL, &p, &e), ERR_INVAL);
	snprintf(buf, sizeof(buf), "%sphoto = x.jp2\n", profile_text);	/* bare path */
	CHECK_INT(sim_profile_parse(buf, strlen(buf), NULL, &p, &e), ERR_INVAL);
	snprintf(buf, sizeof(buf), "%sphoto = hex:0G\n", profile_text);
	CHECK_INT(sim_profile_parse(buf, strlen(buf), NULL, &p, &e), ERR_FORMAT);
	CHECK_INT(sim_profile_parse("name = x\n", 9, NULL, &p, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "missing") != NULL);
	CHECK(p == NULL);
}

/* Drive the simulated card directly: one APDU, the answer's SW. */
static uint16_t
sim_send(struct sim_card *c, const struct apdu *a, uint8_t *out, size_t *outn)
{
	uint8_t cmd[300];
	size_t n;

	REQUIRE(apdu_encode(a, cmd, sizeof(cmd), &n) == 0);
	REQUIRE(sim_card_apdu(c, cmd, n, out, 70000, outn) == 0);
	REQUIRE(*outn >= 2);
	return (uint16_t)(out[*outn - 2] << 8 | out[*outn - 1]);
}

TEST(sim_card_counters_security_and_lengths)
{
	static uint8_t out[70000];
	struct sim_profile *p;
	struct sim_card *c;
	struct err e;
	size_t n;
	uint8_t ef[2];
	struct apdu sel = { .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C,
	    .data = (const uint8_t *)CARD_AID_KENHOJO, .lc = CARD_AID_LEN };
	struct apdu self = { .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .data = ef, .lc = 2 };
	struct apdu vfy = { .ins = 0x20, .p2 = 0x80 };
	struct apdu rd = { .ins = 0xB0, .le = 256 };

	REQUIRE(sim_profile_parse(profile_text, strlen(profile_text), NULL, &p, &e) == 0);
	REQUIRE(sim_card_new(p, &c, &e) == 0);
	CHECK_INT(sim_send(c, &sel, out, &n), 0x9000);
	ef[0] = 0x00; ef[1] = 0x11;
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x63C3);
	vfy.data = (const uint8_t *)"9999"; vfy.lc = 4;
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x63C2);	/* decremented */
	vfy.lc = 0;
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x63C2);	/* empty VERIFY: no change */
	/* Reading before VERIFY: security status not satisfied. */
	ef[1] = 0x01;
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	CHECK_INT(sim_send(c, &rd, out, &n), 0x6982);
	ef[1] = 0x11;
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	vfy.data = (const uint8_t *)"1234"; vfy.lc = 4;
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x9000);	/* reset to 3 */
	ef[1] = 0x01;
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	CHECK_INT(sim_send(c, &rd, out, &n), 0x6C11);	/* wrong Le: 17 bytes stored */
	rd.le = 17;
	CHECK_INT(sim_send(c, &rd, out, &n), 0x9000);
	CHECK_INT(n, 19);
	CHECK_INT(out[0], 0xFF);			/* FF10 (LAYOUT.md) */
	CHECK_INT(out[1], 0x10);
	CHECK_INT(out[2], 0x0C);
	rd.le = 256;
	/* Re-selecting the application loses the security status. */
	CHECK_INT(sim_send(c, &sel, out, &n), 0x9000);
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	CHECK_INT(sim_send(c, &rd, out, &n), 0x6982);
	ef[1] = 0x11;
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	vfy.lc = 0;
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x63C3);
	/* Three wrong PINs block it; then even the right one is refused. */
	vfy.data = (const uint8_t *)"0000"; vfy.lc = 4;
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x63C2);
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x63C1);
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x63C0);
	vfy.data = (const uint8_t *)"1234";
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x6983);
	vfy.lc = 0;
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x6983);
	/* Unknown application. */
	sel.data = (const uint8_t *)"\xA0\x00\x00\x00\x01\x02\x03\x04\x05\x06";
	CHECK_INT(sim_send(c, &sel, out, &n), 0x6A82);
	sim_card_free(c);
	sim_profile_free(p);
}

TEST(sim_card_long_answers_in_pieces)
{
	static uint8_t out[70000];
	struct sim_profile *p;
	struct sim_card *c;
	struct err e;
	size_t n, total = 0;
	uint8_t ef[2] = { 0x00, 0x0A };
	struct apdu sel = { .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C,
	    .data = (const uint8_t *)CARD_AID_JPKI, .lc = CARD_AID_LEN };
	struct apdu self = { .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .data = ef, .lc = 2 };
	struct apdu rd = { .ins = 0xB0, .le = CARD_LE_MAX, .ext = 1 };
	struct apdu gr = { .ins = 0xC0, .le = 256 };
	uint16_t sw;

	char bundle[1024];

	REQUIRE(sim_profile_parse(profile_text, strlen(profile_text), NULL, &p, &e) == 0);
	p->max_response = 300;
	/* The JPKI certificate (EF 000A) comes from the profile's test bundle. */
	snprintf(bundle, sizeof(bundle), "%s/data/cards/jpki/test-yamada-taro.pem", t_srcdir());
	REQUIRE((p->jpki = (uint8_t *)t_read_file(bundle, &p->jpki_len)) != NULL);
	REQUIRE(sim_card_new(p, &c, &e) == 0);
	CHECK_INT(sim_send(c, &sel, out, &n), 0x9000);
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	sw = sim_send(c, &rd, out, &n);		/* no PIN needed for the certificate */
	CHECK_INT(n - 2, 300);
	CHECK_INT(sw >> 8, 0x61);
	total += n - 2;
	while ((sw >> 8) == 0x61) {
		gr.le = (sw & 0xFF) == 0 ? 256 : (sw & 0xFF);
		sw = sim_send(c, &gr, out, &n);
		total += n - 2;
	}
	CHECK_INT(sw, 0x9000);
	CHECK(total > 600);
	CHECK_INT(sim_send(c, &gr, out, &n), 0x6985);	/* nothing pending */
	sim_card_free(c);
	sim_profile_free(p);
}

/* A card made by the simulator: its certificate, DF33, DF52 and DF28 all
 * verify with the test CA and the certified key; one changed byte fails. */
TEST(sim_card_data_verifies_with_its_keys)
{
	static uint8_t out[70000];
	static uint8_t ef4[2000], ef3[600], ef7[800];
	size_t n4, n3, n7, n;
	struct sim_profile *p;
	struct sim_card *c;
	struct card_cvc cvc;
	struct err e;
	uint8_t ef[2];
	struct apdu sel = { .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C,
	    .data = (const uint8_t *)CARD_AID_KENHOJO, .lc = CARD_AID_LEN };
	struct apdu self = { .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .data = ef, .lc = 2 };
	struct apdu vfy = { .ins = 0x20, .p2 = 0x80, .data = (const uint8_t *)"1234", .lc = 4 };
	struct apdu rd = { .ins = 0xB0, .le = CARD_LE_MAX, .ext = 1 };
	struct tlv top, t;

	REQUIRE(sim_profile_parse(profile_text, strlen(profile_text), NULL, &p, &e) == 0);
	REQUIRE_OK(sim_card_new(p, &c, &e), &e);
	CHECK_INT(sim_send(c, &sel, out, &n), 0x9000);
	ef[0] = 0; ef[1] = 0x11;
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	CHECK_INT(sim_send(c, &vfy, out, &n), 0x9000);
	ef[1] = 0x04;
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	CHECK(sim_send(c, &rd, out, &n) != 0);
	n4 = n - 2;
	memcpy(ef4, out, n4);
	ef[1] = 0x03;
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	sim_send(c, &rd, out, &n);
	n3 = n - 2;
	memcpy(ef3, out, n3);
	ef[1] = 0x07;
	CHECK_INT(sim_send(c, &self, out, &n), 0x9000);
	sim_send(c, &rd, out, &n);
	n7 = n - 2;
	memcpy(ef7, out, n7);

	REQUIRE_OK(card_parse_cvc(ef4, n4, &cvc, &e), &e);
	CHECK_INT(cvc.body_len, 297);
	CHECK_INT(cvc.sig_len, 256);
	CHECK_INT(cvc.issuer[0], '6');				/* a test key ID */
	CHECK_INT(cvc.key.nlen, 256);
	/* DF33 over DF31 and DF32 as stored, with the certified key. */
	REQUIRE(tlv_find(ef3, n3, 0xFF30, &top) == 0);
	REQUIRE(tlv_find(top.val, top.len, 0xDF33, &t) == 0);
	CHECK_INT(t.len, 256);
	CHECK_INT(card_rsa_verify_sha256(&cvc.key, t.val, t.len, top.val, 2 * 35), 0);
	((uint8_t *)top.val)[5] ^= 1;
	CHECK_INT(card_rsa_verify_sha256(&cvc.key, t.val, t.len, top.val, 2 * 35), ERR_AUTH);
	/* DF52 over the DF51 object. */
	REQUIRE(tlv_find(ef7, n7, 0xFF50, &top) == 0);
	{
		struct tlv k51, s52;
		struct card_rsa_pub ck;
		REQUIRE(tlv_find(top.val, top.len, 0xDF51, &k51) == 0);
		REQUIRE(tlv_find(top.val, top.len, 0xDF52, &s52) == 0);
		CHECK_OK(card_parse_rsakey(k51.val, k51.len, &ck, &e), &e);
		CHECK_INT(card_rsa_verify_sha256(&cvc.key, s52.val, s52.len, top.val, k51.total), 0);
		/* The chip answers 80 2A with that key. */
		{
			uint8_t h[32], di[64];
			size_t din;
			struct apdu ch = { .cla = 0x80, .ins = 0x2A, .le = 256 };
			crypto_hash_sha256(h, (const uint8_t *)"challenge", 9);
			din = card_digestinfo_sha256(h, 32, di, sizeof(di));
			ch.data = di;
			ch.lc = din;
			CHECK_INT(sim_send(c, &ch, out, &n), 0x9000);
			CHECK_INT(n - 2, 256);
			CHECK_INT(card_rsa_check(&ck, out, n - 2, di, din), 0);
			di[din - 1] ^= 1;
			CHECK_INT(card_rsa_check(&ck, out, n - 2, di, din), ERR_AUTH);
		}
	}
	sim_card_free(c);
	sim_profile_free(p);
}
