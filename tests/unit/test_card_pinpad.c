/*
 * test_card_pinpad.c — PIN-pad readers (PC/SC part 10 v2.02.09,
 * FEATURE_VERIFY_PIN_DIRECT; SPEC 5 PIN safety): the PIN_VERIFY_STRUCTURE
 * bytes, exactly, checked against a hand-decoded vector and against
 * pcsc-lite's own declaration of the structure (reader.h), and the
 * GET_FEATURE_REQUEST answer parser.
 */
#include <stddef.h>
#include <string.h>

#include <reader.h>

#include "card.h"
#include "harness.h"

/* 4-digit PIN, VERIFY 00 20 00 80, 30 s / 15 s, Japanese. */
static const uint8_t expected_pin4[] = {
	0x1E,			/* bTimerOut 30 s */
	0x0F,			/* bTimerOut2 15 s */
	0x82,			/* bmFormatString: bytes, position 0, left, ASCII */
	0x04,			/* bmPINBlockString: no length field, 4-byte block */
	0x00,			/* bmPINLengthFormat */
	0x04, 0x04,		/* wPINMaxExtraDigit 0x0404: max 4, min 4 */
	0x02,			/* bEntryValidationCondition: validation key */
	0x01,			/* bNumberMessage */
	0x11, 0x04,		/* wLangId 0x0411 (Japanese), little-endian */
	0x00,			/* bMsgIndex */
	0x00, 0x00, 0x00,	/* bTeoPrologue */
	0x09, 0x00, 0x00, 0x00,	/* ulDataLength 9 */
	0x00, 0x20, 0x00, 0x80, 0x04, 0xFF, 0xFF, 0xFF, 0xFF,	/* VERIFY, PIN block */
};

TEST(pinpad_verify_structure_bytes)
{
	struct card_pinpad_params pp;
	uint8_t out[64];
	size_t n = 0;
	struct err e;

	card_pinpad_params_pin4(&pp);
	REQUIRE_OK(card_pinpad_build_verify(&pp, out, sizeof(out), &n, &e), &e);
	CHECK_INT(n, sizeof(expected_pin4));
	CHECK_MEM(out, expected_pin4, sizeof(expected_pin4));
}

/* The same bytes through pcsc-lite's packed PIN_VERIFY_STRUCTURE, filled
 * field by field as its documentation says (host order = little-endian on
 * the machines this runs on; the test says so if not). */
TEST(pinpad_verify_structure_matches_pcsclite)
{
	uint8_t raw[sizeof(PIN_VERIFY_STRUCTURE) + 16], out[64];
	PIN_VERIFY_STRUCTURE *pv = (PIN_VERIFY_STRUCTURE *)(void *)raw;
	struct card_pinpad_params pp;
	const uint16_t one = 1;
	size_t n;
	struct err e;

	if (*(const uint8_t *)&one != 1)
		t_skip("big-endian host: pcsc-lite's struct is host order");
	CHECK_INT(offsetof(PIN_VERIFY_STRUCTURE, abData), 19);
	CHECK_INT(CARD_IOCTL_GET_FEATURE_REQUEST, CM_IOCTL_GET_FEATURE_REQUEST);
	CHECK_INT(CARD_FEATURE_VERIFY_PIN_DIRECT, FEATURE_VERIFY_PIN_DIRECT);
	memset(raw, 0, sizeof(raw));
	pv->bTimerOut = 20;
	pv->bTimerOut2 = 5;
	pv->bmFormatString = 0x82;
	pv->bmPINBlockString = 0x04;
	pv->bmPINLengthFormat = 0x00;
	pv->wPINMaxExtraDigit = (4 << 8) | 4;
	pv->bEntryValidationCondition = 0x02;
	pv->bNumberMessage = 0x01;
	pv->wLangId = 0x0409;
	pv->bMsgIndex = 0;
	pv->ulDataLength = 9;
	memcpy(raw + offsetof(PIN_VERIFY_STRUCTURE, abData),
	    "\x00\x20\x00\x80\x04\xFF\xFF\xFF\xFF", 9);

	card_pinpad_params_pin4(&pp);
	pp.timeout = 20;
	pp.timeout2 = 5;
	pp.lang = 0x0409;
	REQUIRE_OK(card_pinpad_build_verify(&pp, out, sizeof(out), &n, &e), &e);
	CHECK_INT(n, offsetof(PIN_VERIFY_STRUCTURE, abData) + 9);
	CHECK_MEM(out, raw, n);
}

TEST(pinpad_verify_structure_refuses_bad_parameters)
{
	struct card_pinpad_params pp;
	uint8_t out[64];
	size_t n = 99;
	struct err e;

	card_pinpad_params_pin4(&pp);
	CHECK_INT(card_pinpad_build_verify(&pp, out, 27, &n, &e), ERR_RANGE);
	CHECK_INT(n, 0);
	pp.min_digits = 5;			/* min above max */
	CHECK_INT(card_pinpad_build_verify(&pp, out, sizeof(out), &n, &e), ERR_INVAL);
	pp.min_digits = 0;
	CHECK_INT(card_pinpad_build_verify(&pp, out, sizeof(out), &n, &e), ERR_INVAL);
	pp.min_digits = 4;
	pp.max_digits = 16;			/* does not fit bits 3-0 */
	CHECK_INT(card_pinpad_build_verify(&pp, out, sizeof(out), &n, &e), ERR_INVAL);
	/* 4..8 digits: block of 8, Lc 8, wPINMaxExtraDigit 0x0408. */
	pp.max_digits = 8;
	REQUIRE_OK(card_pinpad_build_verify(&pp, out, sizeof(out), &n, &e), &e);
	CHECK_INT(n, 19 + 13);
	CHECK_INT(out[3], 0x08);
	CHECK_INT(out[5], 8);
	CHECK_INT(out[6], 4);
	CHECK_INT(out[15], 13);
	CHECK_INT(out[23], 8);
}

/* A GET_FEATURE_REQUEST answer as a CCID reader with a keypad gives it. */
TEST(pinpad_features_parse)
{
	static const uint8_t ans[] = {
		0x01, 0x04, 0x42, 0x33, 0x00, 0x01,
		0x06, 0x04, 0x42, 0x33, 0x00, 0x06,
		0x0A, 0x04, 0x42, 0x33, 0x00, 0x0A,
	};
	uint32_t code = 1;
	struct err e;

	REQUIRE_OK(card_pinpad_parse_features(ans, sizeof(ans), 0x06, &code, &e), &e);
	CHECK_INT(code, 0x42330006);
	CHECK_INT(card_pinpad_parse_features(ans, sizeof(ans), 0x07, &code, &e), ERR_NOTFOUND);
	CHECK_INT(code, 0);
	CHECK_INT(card_pinpad_parse_features(ans, 0, 0x06, &code, &e), ERR_NOTFOUND);
	CHECK_INT(card_pinpad_parse_features(ans, 5, 0x01, &code, &e), ERR_FORMAT);
	CHECK_INT(card_pinpad_parse_features(ans, 1, 0x01, &code, &e), ERR_FORMAT);
	{
		static const uint8_t bad[] = { 0x06, 0x03, 0x42, 0x33, 0x00 };
		CHECK_INT(card_pinpad_parse_features(bad, sizeof(bad), 0x06, &code, &e),
		    ERR_FORMAT);
	}
}
