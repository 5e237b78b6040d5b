/*
 * pinpad.c — PIN entry on the reader's own keypad (PC/SC part 10 v2.02.09):
 * find FEATURE_VERIFY_PIN_DIRECT with CM_IOCTL_GET_FEATURE_REQUEST, build
 * PIN_VERIFY_STRUCTURE, and have the reader send the VERIFY with the PIN
 * typed on it.  The PIN never reaches this process.
 *
 * PIN_VERIFY_STRUCTURE (part 10, 2.5.2; multi-byte fields little-endian):
 *   0  bTimerOut                 7  bEntryValidationCondition
 *   1  bTimerOut2                8  bNumberMessage
 *   2  bmFormatString            9  wLangId (2)
 *   3  bmPINBlockString         11  bMsgIndex
 *   4  bmPINLengthFormat        12  bTeoPrologue (3)
 *   5  wPINMaxExtraDigit (2)    15  ulDataLength (4)
 *                               19  abData: the VERIFY APDU
 * wPINMaxExtraDigit is 0xXXYY, XX the minimum and YY the maximum number of
 * digits, so the bytes are YY XX.
 */
#include <stdio.h>
#include <string.h>

#include "card.h"
#include "card-internal.h"

#define PV_HEADER 19

void
card_pinpad_params_pin4(struct card_pinpad_params *p)
{
	memset(p, 0, sizeof(*p));
	p->timeout = 30;
	p->timeout2 = 15;
	p->min_digits = CARD_PIN_LEN;
	p->max_digits = CARD_PIN_LEN;
	p->lang = 0x0411;
	p->apdu[0] = 0x00;
	p->apdu[1] = 0x20;
	p->apdu[2] = 0x00;
	p->apdu[3] = 0x80;
}

int
card_pinpad_build_verify(const struct card_pinpad_params *p, uint8_t *out, size_t cap,
    size_t *n, struct err *e)
{
	size_t dlen, k = 0;

	*n = 0;
	if (p->min_digits == 0 || p->min_digits > p->max_digits || p->max_digits > 15)
		return err_set(e, ERR_INVAL, "PIN pad: digits %u..%u", p->min_digits,
		    p->max_digits);
	dlen = 5 + p->max_digits;		/* header, Lc, PIN block */
	if (cap < PV_HEADER + dlen)
		return err_set(e, ERR_RANGE, "PIN pad: structure needs %zu bytes",
		    (size_t)PV_HEADER + dlen);
	out[k++] = p->timeout;
	out[k++] = p->timeout2;
	/* bmFormatString: bit 7 units are bytes; bits 6-3 the PIN is at
	 * position 0 of the APDU data; bit 2 left-justified; bits 1-0 10 =
	 * ASCII (the card wants the digits as '0'..'9'). */
	out[k++] = 0x80 | (0 << 3) | (0 << 2) | 0x02;
	/* bmPINBlockString: bits 7-4 no PIN length field in the APDU (0 bits);
	 * bits 3-0 the PIN block is max_digits bytes. */
	out[k++] = (uint8_t)((0 << 4) | p->max_digits);
	/* bmPINLengthFormat: no length field, so its position is 0. */
	out[k++] = 0x00;
	out[k++] = p->max_digits;		/* wPINMaxExtraDigit, low byte: max */
	out[k++] = p->min_digits;		/* high byte: min */
	/* bEntryValidationCondition: 02 = the validation key (OK/Enter). */
	out[k++] = 0x02;
	/* bNumberMessage: 01, the reader's standard "enter PIN" message. */
	out[k++] = 0x01;
	out[k++] = (uint8_t)(p->lang & 0xFF);
	out[k++] = (uint8_t)(p->lang >> 8);
	out[k++] = 0x00;			/* bMsgIndex */
	out[k++] = 0x00;			/* bTeoPrologue: 00 00 00 */
	out[k++] = 0x00;
	out[k++] = 0x00;
	out[k++] = (uint8_t)(dlen & 0xFF);	/* ulDataLength, little-endian */
	out[k++] = (uint8_t)(dlen >> 8);
	out[k++] = 0x00;
	out[k++] = 0x00;
	memcpy(out + k, p->apdu, 4);
	k += 4;
	out[k++] = p->max_digits;		/* Lc */
	memset(out + k, 0xFF, p->max_digits);	/* overwritten by the reader */
	k += p->max_digits;
	*n = k;
	return 0;
}

int
card_pinpad_parse_features(const uint8_t *p, size_t n, uint8_t tag, uint32_t *code,
    struct err *e)
{
	struct rbuf b;

	*code = 0;
	rbuf_init(&b, p, n);
	while (rbuf_left(&b) > 0) {
		uint8_t t, len;
		uint32_t v;
		if (rbuf_get_u8(&b, &t) != 0 || rbuf_get_u8(&b, &len) != 0)
			return err_set(e, ERR_FORMAT, "PC/SC features: truncated TLV");
		if (len != 4)
			return err_set(e, ERR_FORMAT, "PC/SC features: tag %02X has length %u",
			    t, len);
		if (rbuf_get_u32(&b, &v) != 0)	/* big-endian, part 10 2.2 */
			return err_set(e, ERR_FORMAT, "PC/SC features: truncated value");
		if (t == tag) {
			*code = v;
			return 0;
		}
	}
	return err_set(e, ERR_NOTFOUND, "PC/SC feature %02X not offered", tag);
}

/* The VERIFY_PIN_DIRECT control code, or 0. */
static uint32_t
verify_direct_code(struct card *c)
{
	uint8_t buf[256];
	size_t n;
	uint32_t code;

	if (card_control(c, CARD_IOCTL_GET_FEATURE_REQUEST, NULL, 0, buf, sizeof(buf), &n,
	    NULL) != 0)
		return 0;
	if (card_pinpad_parse_features(buf, n, CARD_FEATURE_VERIFY_PIN_DIRECT, &code,
	    NULL) != 0)
		return 0;
	return code;
}

int
card_pinpad_offered(struct card *c)
{
	return verify_direct_code(c) != 0;
}

int
card_pinpad_verify_here(struct card *c, uint16_t *sw, struct err *e)
{
	struct card_pinpad_params pp;
	uint8_t st[64], resp[8];
	size_t n, rn;
	uint32_t code = verify_direct_code(c);
	int r;

	*sw = 0;
	if (code == 0)
		return err_set(e, ERR_STATE, "reader has no FEATURE_VERIFY_PIN_DIRECT");
	card_pinpad_params_pin4(&pp);
	if ((r = card_pinpad_build_verify(&pp, st, sizeof(st), &n, e)) != 0)
		return r;
	if ((r = card_control(c, code, st, n, resp, sizeof(resp), &rn, e)) != 0)
		return r;
	if (rn != 2)
		return err_set(e, ERR_PROTO, "PIN pad answered %zu bytes, not SW1 SW2", rn);
	*sw = (uint16_t)(resp[0] << 8 | resp[1]);
	/* The reader's own status words (CCID): timeout, cancel, length. */
	if (*sw == 0x6400)
		return err_set_ja(e, ERR_TIMEOUT, "カードリーダーで暗証番号が時間内に入力されませんでした。",
		    "PIN pad: entry timed out");
	if (*sw == 0x6401)
		return err_set_ja(e, ERR_CANCEL, "カードリーダーで入力が取り消されました。",
		    "PIN pad: cancelled on the reader");
	if (*sw == 0x6403)
		return err_set_ja(e, ERR_INVAL, "暗証番号は数字4桁で入力してください。",
		    "PIN pad: PIN of the wrong length");
	return 0;
}
