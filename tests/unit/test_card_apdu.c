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
	CHECK_INT(card_b_build("010229", "2034", "5678", s, &e), ERR_INVAL);
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

/* A 基本4情報 element as the card holds it. */
static size_t
basic4(uint8_t *out, size_t cap, const char *name, const char *addr,
    const char *birth, const char *sex)
{
	struct wbuf in, w;
	static const uint8_t hdr[] = { 1, 0, 0 };

	wbuf_init(&in, 0);
	wbuf_put_tlv(&in, 0xDF21, hdr, 3);
	wbuf_put_tlv(&in, 0xDF22, name, strlen(name));
	wbuf_put_tlv(&in, 0xDF23, addr, strlen(addr));
	wbuf_put_tlv(&in, 0xDF24, birth, strlen(birth));
	wbuf_put_tlv(&in, 0xDF25, sex, strlen(sex));
	wbuf_init_fixed(&w, out, cap);
	wbuf_put_tlv(&w, 0xFF20, in.p, in.len);
	wbuf_free(&in);
	return w.err ? 0 : w.len;
}

TEST(parse_mynumber_and_basic4)
{
	static const uint8_t ef1[] = { 0xDF, 0x10, 0x0C, '3', '1', '4', '1', '5', '9',
	    '2', '6', '5', '3', '5', '2', 0xFF, 0xFF };
	static const uint8_t ef1_bad[] = { 0xDF, 0x10, 0x0C, '3', '1', '4', '1', '5', '9',
	    '2', '6', '5', '3', '5', '3' };
	static const uint8_t ef1_letters[] = { 0xDF, 0x10, 0x0C, '3', '1', '4', '1', '5', '9',
	    '2', '6', '5', '3', 'x', '2' };
	static const uint8_t ef1_short[] = { 0xDF, 0x10, 0x0C, '3', '1' };
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
	static const uint8_t ef1[] = { 0xDF, 0x10, 0x0C, '3', '1', '4', '1', '5', '9',
	    '2', '6', '5', '3', '5', '2' };
	uint8_t ef2[512], ef3[200], h1[32], h2[32];
	struct card_result *r = calloc(1, sizeof(*r));
	struct wbuf in, w;
	struct err e;
	size_t n2;

	REQUIRE(r != NULL && sodium_init() >= 0);
	n2 = basic4(ef2, sizeof(ef2), "鈴木 花子", "窓口市南区", "19920730", "2");
	crypto_hash_sha256(h1, ef1, sizeof(ef1));
	crypto_hash_sha256(h2, ef2, n2);
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
	CHECK_INT(sim_send(c, &rd, out, &n), 0x6C0F);	/* wrong Le */
	rd.le = 15;
	CHECK_INT(sim_send(c, &rd, out, &n), 0x9000);
	CHECK_INT(n, 17);
	CHECK_INT(out[0], 0xDF);
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
