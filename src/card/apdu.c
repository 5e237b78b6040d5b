/*
 * apdu.c — command APDU encoding and decoding (ISO/IEC 7816-4 cases 1-4,
 * short and extended), response parsing, and the status-word table that
 * turns every SW into an English log message and a Japanese explanation.
 */
#include <stdio.h>
#include <string.h>

#include "card.h"

int
apdu_encode(const struct apdu *a, uint8_t *out, size_t cap, size_t *n)
{
	struct wbuf w;
	int ext;

	if (a->lc > 65535 || a->le > CARD_LE_MAX || (a->lc > 0 && a->data == NULL))
		return ERR_RANGE;
	ext = a->ext || a->lc > 255 || a->le > 256;
	wbuf_init_fixed(&w, out, cap);
	wbuf_put_u8(&w, a->cla);
	wbuf_put_u8(&w, a->ins);
	wbuf_put_u8(&w, a->p1);
	wbuf_put_u8(&w, a->p2);
	if (!ext) {
		if (a->lc > 0) {
			wbuf_put_u8(&w, (uint8_t)a->lc);
			wbuf_put(&w, a->data, a->lc);
		}
		if (a->le > 0)
			wbuf_put_u8(&w, (uint8_t)(a->le == 256 ? 0 : a->le));
	} else {
		/* Extended: one 00 byte, then Lc on two bytes and/or Le on
		 * two bytes (the 00 is not repeated before Le when Lc is
		 * present). */
		if (a->lc > 0 || a->le > 0)
			wbuf_put_u8(&w, 0);
		if (a->lc > 0) {
			wbuf_put_u16(&w, (uint16_t)a->lc);
			wbuf_put(&w, a->data, a->lc);
		}
		if (a->le > 0)
			wbuf_put_u16(&w, (uint16_t)(a->le == 65536 ? 0 : a->le));
	}
	if (w.err != 0)
		return ERR_RANGE;
	*n = w.len;
	return 0;
}

int
apdu_decode(const uint8_t *p, size_t n, struct apdu *a)
{
	struct rbuf b;
	uint8_t b5;
	uint16_t v;
	size_t rest;

	memset(a, 0, sizeof(*a));
	rbuf_init(&b, p, n);
	if (rbuf_get_u8(&b, &a->cla) || rbuf_get_u8(&b, &a->ins) ||
	    rbuf_get_u8(&b, &a->p1) || rbuf_get_u8(&b, &a->p2))
		return ERR_SHORT;
	rest = rbuf_left(&b);
	if (rest == 0)
		return 0;					/* case 1 */
	if (rbuf_get_u8(&b, &b5) != 0)
		return ERR_SHORT;
	if (rest == 1) {					/* case 2 short */
		a->le = b5 == 0 ? 256 : b5;
		return 0;
	}
	if (b5 != 0) {						/* case 3/4 short */
		a->lc = b5;
		if (rbuf_get_view(&b, a->lc, &a->data) != 0)
			return ERR_SHORT;
		if (rbuf_left(&b) == 0)
			return 0;
		if (rbuf_get_u8(&b, &b5) != 0 || rbuf_left(&b) != 0)
			return ERR_FORMAT;
		a->le = b5 == 0 ? 256 : b5;
		return 0;
	}
	/* b5 == 00 and more follows: extended. */
	a->ext = 1;
	if (rbuf_get_u16(&b, &v) != 0)
		return ERR_SHORT;
	if (rbuf_left(&b) == 0) {				/* case 2 extended */
		a->le = v == 0 ? 65536 : v;
		return 0;
	}
	if (v == 0)
		return ERR_FORMAT;
	a->lc = v;
	if (rbuf_get_view(&b, a->lc, &a->data) != 0)
		return ERR_SHORT;
	if (rbuf_left(&b) == 0)
		return 0;					/* case 3 extended */
	if (rbuf_get_u16(&b, &v) != 0 || rbuf_left(&b) != 0)
		return ERR_FORMAT;
	a->le = v == 0 ? 65536 : v;				/* case 4 extended */
	return 0;
}

int
rapdu_parse(const uint8_t *p, size_t n, struct rapdu *r)
{
	struct rbuf b;

	memset(r, 0, sizeof(*r));
	if (n < 2)
		return ERR_SHORT;
	rbuf_init(&b, p, n);
	if (rbuf_get_view(&b, n - 2, &r->data) != 0 || rbuf_get_u16(&b, &r->sw) != 0)
		return ERR_SHORT;
	r->len = n - 2;
	return 0;
}

int
card_sw_tries(uint16_t sw)
{
	if ((sw & 0xFFF0) == 0x63C0)
		return sw & 0x0F;
	return -1;
}

struct sw_entry {
	uint16_t sw, mask;
	int code;
	const char *en;
	const char *ja;
};

/* Most specific first.  The Japanese says what happened and what to do,
 * in words a resident at the counter understands. */
static const struct sw_entry sw_table[] = {
	{ 0x6983, 0xFFFF, ERR_LOCKED, "authentication method blocked",
	  "暗証番号がロックされています。カードは読み取れません。"
	  "ロックの解除は、住所地の市区町村窓口で本人が手続きしてください。" },
	{ 0x6984, 0xFFFF, ERR_LOCKED, "reference data not usable",
	  "カードの暗証番号が使用できない状態です。市区町村窓口で確認してください。" },
	{ 0x6982, 0xFFFF, ERR_STATE, "security status not satisfied",
	  "暗証番号の照合が済んでいないため、読み取れませんでした。" },
	{ 0x6A82, 0xFFFF, ERR_NOTFOUND, "file or application not found",
	  "このカードには必要な情報がありません。マイナンバーカードか確認してください。" },
	{ 0x6A81, 0xFFFF, ERR_CARD, "function not supported",
	  "このカードはこの操作に対応していません。" },
	{ 0x6A86, 0xFFFF, ERR_PROTO, "incorrect P1-P2", "カードとの通信で誤りがありました。" },
	{ 0x6A80, 0xFFFF, ERR_PROTO, "incorrect data field", "カードとの通信で誤りがありました。" },
	{ 0x6B00, 0xFFFF, ERR_RANGE, "offset outside the file", "カードの情報を最後まで読めませんでした。" },
	{ 0x6700, 0xFFFF, ERR_PROTO, "wrong length", "カードとの通信で誤りがありました。" },
	{ 0x6D00, 0xFFFF, ERR_PROTO, "instruction not supported", "カードとの通信で誤りがありました。" },
	{ 0x6E00, 0xFFFF, ERR_PROTO, "class not supported", "カードとの通信で誤りがありました。" },
	{ 0x6986, 0xFFFF, ERR_STATE, "no current EF", "カードとの通信で誤りがありました。" },
	{ 0x6581, 0xFFFF, ERR_CARD, "memory failure", "カードの故障の可能性があります。市区町村窓口で確認してください。" },
	{ 0x6400, 0xFF00, ERR_CARD, "execution error", "カードが処理できませんでした。もう一度置き直してください。" },
	{ 0x6500, 0xFF00, ERR_CARD, "execution error", "カードが処理できませんでした。もう一度置き直してください。" },
	{ 0x6200, 0xFF00, ERR_CARD, "warning", "カードが警告を返しました。もう一度置き直してください。" },
	{ 0x6F00, 0xFF00, ERR_CARD, "no precise diagnosis", "カードが処理できませんでした。もう一度置き直してください。" },
	{ 0, 0, 0, NULL, NULL }
};

int
card_sw_err(uint16_t sw, struct err *e)
{
	char ja[ERR_MSG_MAX];
	int t;

	if (sw == 0x9000)
		return 0;
	if ((t = card_sw_tries(sw)) >= 0) {
		if (t == 0)
			return err_set_ja(e, ERR_LOCKED,
			    "暗証番号が違います。残りの回数がなくなり、ロックされました。"
			    "ロックの解除は、住所地の市区町村窓口で本人が手続きしてください。",
			    "verification failed (SW %04X), no tries left", sw);
		snprintf(ja, sizeof(ja), "暗証番号が違います。あと%d回間違えるとロックされます。", t);
		return err_set_ja(e, ERR_AUTH, ja,
		    "verification failed (SW %04X), %d tries left", sw, t);
	}
	for (const struct sw_entry *s = sw_table; s->en != NULL; s++)
		if ((sw & s->mask) == s->sw)
			return err_set_ja(e, s->code, s->ja, "card: %s (SW %04X)", s->en, sw);
	return err_set_ja(e, ERR_CARD, "カードが予期しない応答を返しました。",
	    "card: unexpected status word %04X", sw);
}
