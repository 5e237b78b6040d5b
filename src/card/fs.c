/*
 * fs.c — the card's file system as the applications use it: SELECT by AID
 * and by file ID, READ BINARY of one TLV element, and the PIN-safe VERIFY
 * (tries are always read first; one try left needs the clerk's explicit
 * confirmation; the secret lives only in sodium memory and is wiped right
 * after the command went out).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "card-internal.h"

static const struct {
	enum card_ap ap;
	uint16_t fid;
	size_t len;		/* expected secret length */
} pin_ef[CARD_PIN_COUNT] = {
	[CARD_PIN_KENHOJO] = { CARD_AP_KENHOJO, 0x0011, CARD_PIN_LEN },
	[CARD_PIN_KENHOJO_B] = { CARD_AP_KENHOJO, 0x0015, CARD_B_LEN },
	[CARD_PIN_KENMEN_B] = { CARD_AP_KENMEN, 0x0012, CARD_B_LEN },
	[CARD_PIN_JPKI_AUTH] = { CARD_AP_JPKI, 0x0018, CARD_PIN_LEN },
	[CARD_PIN_JPKI_SIGN] = { CARD_AP_JPKI, 0x001B, 0 },
	[CARD_PIN_KENMEN_A] = { CARD_AP_KENMEN, 0x0013, MYNUMBER_LEN },
};

int
card_select_ap(struct card *c, enum card_ap ap, struct err *e)
{
	struct apdu a = { .cla = 0x00, .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C,
	    .lc = CARD_AID_LEN };
	uint8_t resp[258];
	size_t n;
	uint16_t sw;
	int r;

	switch (ap) {
	case CARD_AP_KENHOJO: a.data = (const uint8_t *)CARD_AID_KENHOJO; break;
	case CARD_AP_KENMEN: a.data = (const uint8_t *)CARD_AID_KENMEN; break;
	case CARD_AP_JPKI: a.data = (const uint8_t *)CARD_AID_JPKI; break;
	default: return err_set(e, ERR_INVAL, "no such application");
	}
	if ((r = card_transmit(c, &a, resp, sizeof(resp), &n, &sw, e)) != 0)
		return r;
	if (sw != 0x9000) {
		r = card_sw_err(sw, e);
		if (sw == 0x6A82)
			err_set_ja(e, ERR_NOTFOUND,
			    "このカードはマイナンバーカードではないか、必要な機能がありません。",
			    "application %s not found on the card (SW 6A82)", card_ap_name(ap));
		else
			err_prefix(e, "SELECT %s: ", card_ap_name(ap));
		return e != NULL ? e->code : r;
	}
	return 0;
}

int
card_select_ef(struct card *c, uint16_t fid, struct err *e)
{
	uint8_t id[2] = { (uint8_t)(fid >> 8), (uint8_t)fid };
	struct apdu a = { .cla = 0x00, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C,
	    .data = id, .lc = 2 };
	uint8_t resp[258];
	size_t n;
	uint16_t sw;
	int r;

	if ((r = card_transmit(c, &a, resp, sizeof(resp), &n, &sw, e)) != 0)
		return r;
	if (sw != 0x9000) {
		r = card_sw_err(sw, e);
		err_prefix(e, "SELECT EF %04X: ", fid);
		return r;
	}
	return 0;
}

/* READ BINARY at off asking for le bytes; 9000 and 6282 (end of file
 * reached first) both deliver data. */
static int
read_binary(struct card *c, size_t off, size_t le, uint8_t *out, size_t cap,
    size_t *got, int *answered, struct err *e)
{
	struct apdu a = { .cla = 0x00, .ins = 0xB0, .p1 = (uint8_t)(off >> 8),
	    .p2 = (uint8_t)off, .le = le };
	uint16_t sw;
	int r;

	*answered = 0;

	if (off > 0x7FFF)
		return err_set(e, ERR_RANGE, "READ BINARY offset %zu too large", off);
	if ((r = card_transmit(c, &a, out, cap, got, &sw, e)) != 0)
		return r;
	*answered = sw == 0x6700 ? 2 : 1;	/* 2: the card refused the length */
	if (sw != 0x9000 && sw != 0x6282) {
		r = card_sw_err(sw, e);
		err_prefix(e, "READ BINARY at %zu: ", off);
		return r;
	}
	return 0;
}

/* Tag and length of a BER-TLV header: *hdr bytes of header, *vlen of value.
 * ERR_SHORT when p holds less than the header. */
static int
tlv_header(const uint8_t *p, size_t n, size_t *hdr, size_t *vlen)
{
	struct rbuf b;
	uint8_t x;
	size_t len = 0;

	rbuf_init(&b, p, n);
	if (rbuf_get_u8(&b, &x) != 0)
		return ERR_SHORT;
	if (x == 0x00)
		return ERR_FORMAT;		/* empty file */
	if ((x & 0x1F) == 0x1F) {
		int i = 0;
		do {
			if (++i > 2)
				return ERR_FORMAT;
			if (rbuf_get_u8(&b, &x) != 0)
				return ERR_SHORT;
		} while (x & 0x80);
	}
	if (rbuf_get_u8(&b, &x) != 0)
		return ERR_SHORT;
	if (x == 0x80 || x > 0x83)
		return ERR_FORMAT;
	if (x < 0x80)
		len = x;
	else
		for (uint8_t i = 0; i < (x & 0x7F); i++) {
			uint8_t y;
			if (rbuf_get_u8(&b, &y) != 0)
				return ERR_SHORT;
			len = len << 8 | y;
		}
	*hdr = b.off;
	*vlen = len;
	return 0;
}

int
card_read_tlv_ef(struct card *c, uint8_t **out, size_t *n, struct err *e)
{
	size_t chunk = card_extended(c) ? 65536 : 256;
	size_t hdr, vlen, total, got, have;
	uint8_t *buf;
	int r, answered;

	*out = NULL;
	*n = 0;
	if ((buf = malloc(CARD_EF_MAX + 2)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	/* One read as large as the reader allows; most elements fit. */
	r = read_binary(c, 0, chunk, buf, CARD_EF_MAX + 2, &got, &answered, e);
	if (r != 0 && chunk > 256 &&
	    ((!answered && card_refused_by_reader(c)) || answered == 2)) {
		/* The reader refused the extended APDU, or the card answered
		 * 6700 (wrong length) to it: short APDUs from now on. */
		card_extended_off(c);
		chunk = 256;
		r = read_binary(c, 0, chunk, buf, CARD_EF_MAX + 2, &got, &answered, e);
	}
	if (r != 0)
		goto fail;
	if ((r = tlv_header(buf, got, &hdr, &vlen)) != 0) {
		r = err_set_ja(e, r, "カードの情報が壊れているか不完全です。",
		    "EF content: %s TLV header", r == ERR_SHORT ? "truncated" : "malformed");
		goto fail;
	}
	total = hdr + vlen;
	if (total > CARD_EF_MAX) {
		r = err_set_ja(e, ERR_RANGE, "カードの情報が大きすぎます。",
		    "EF element of %zu bytes is too large", total);
		goto fail;
	}
	have = got < total ? got : total;
	while (have < total) {
		size_t want = total - have < chunk ? total - have : chunk;
		if ((r = read_binary(c, have, want, buf + have, CARD_EF_MAX + 2 - have,
		    &got, &answered, e)) != 0)
			goto fail;
		if (got != want) {
			r = err_set_ja(e, ERR_SHORT, "カードの応答が途中で切れています。置き直してください。",
			    "READ BINARY at %zu: %zu bytes instead of %zu", have, got, want);
			goto fail;
		}
		have += got;
	}
	*out = buf;
	*n = total;
	return 0;
fail:
	sodium_memzero(buf, CARD_EF_MAX + 2);
	free(buf);
	return r;
}

int
card_tries_here(struct card *c, enum card_pin which, struct err *e)
{
	struct apdu a = { .cla = 0x00, .ins = 0x20, .p1 = 0x00, .p2 = 0x80 };
	uint8_t resp[258];
	size_t n;
	uint16_t sw;
	int r, t;

	if ((unsigned)which >= CARD_PIN_COUNT)
		return err_set(e, ERR_INVAL, "no such secret");
	if ((r = card_select_ef(c, pin_ef[which].fid, e)) != 0)
		return r;
	if ((r = card_transmit(c, &a, resp, sizeof(resp), &n, &sw, e)) != 0)
		return r;
	if ((t = card_sw_tries(sw)) >= 0)
		return t;
	if (sw == 0x6983)
		return 0;
	if (sw == 0x9000)
		return err_set(e, ERR_PROTO,
		    "card reports %s as already verified instead of its retry counter",
		    card_pin_name_ja(which));
	r = card_sw_err(sw, e);
	err_prefix(e, "retry counter: ");
	return r;
}

int
card_pin_tries(struct card *c, enum card_pin which, struct err *e)
{
	int r;

	if ((unsigned)which >= CARD_PIN_COUNT)
		return err_set(e, ERR_INVAL, "no such secret");
	if ((r = card_begin(c, e)) != 0)
		return r;
	if ((r = card_select_ap(c, pin_ef[which].ap, e)) == 0)
		r = card_tries_here(c, which, e);
	card_end(c);
	return r;
}

static int
blocked_err(enum card_pin which, struct err *e)
{
	char ja[ERR_MSG_MAX];

	snprintf(ja, sizeof(ja),
	    "%sがロックされています（残り0回）。このカードでは読み取れません。"
	    "ロックの解除（暗証番号の再設定）は、本人がカードを持って住所地の市区町村窓口で手続きできます。",
	    card_pin_name_ja(which));
	return err_set_ja(e, ERR_LOCKED, ja, "card secret %d is blocked", (int)which);
}

int
card_verify_safe(struct card *c, enum card_pin which, struct card_read_req *req,
    struct err *e)
{
	struct apdu a = { .cla = 0x00, .ins = 0x20, .p1 = 0x00, .p2 = 0x80 };
	uint8_t resp[258];
	char ja[ERR_MSG_MAX];
	size_t n, slen = 0;
	uint16_t sw;
	uint8_t *buf;
	int r, t, pad = 0;

	req->tries_before = -1;
	req->tries_after = -1;
	if (req->secret == NULL) {
		/* No PIN in hand: only on a PIN-pad reader, for a 4-digit PIN,
		 * typed on the reader's keys (pinpad.c). */
		if (pin_ef[which].len != CARD_PIN_LEN || !card_pinpad_offered(c))
			return err_set(e, ERR_INVAL, "no PIN given");
		pad = 1;
		goto tries;
	}
	slen = strnlen(req->secret, CARD_SECRET_MAX);
	if ((which == CARD_PIN_KENHOJO || which == CARD_PIN_JPKI_AUTH) &&
	    (r = card_pin_check(req->secret, e)) != 0)
		return r;
	if (slen != pin_ef[which].len)
		return err_set_ja(e, ERR_INVAL,
		    "照合番号Bは14桁（生年月日6桁・有効期限の年4桁・セキュリティコード4桁）です。",
		    "secret has the wrong length for this reference");
	for (size_t i = 0; i < slen; i++)
		if (req->secret[i] < '0' || req->secret[i] > '9')
			return err_set_ja(e, ERR_INVAL, "数字だけで入力してください。",
			    "secret must be digits");
tries:
	if ((t = card_tries_here(c, which, e)) < 0)
		return t;
	req->tries_before = t;
	if (t == 0) {
		req->tries_after = 0;
		return blocked_err(which, e);
	}
	if (t == 1 && !req->confirm_last_try) {
		snprintf(ja, sizeof(ja),
		    "%sの残り回数は1回です。間違えるとカードがロックされます。"
		    "本人に確認したうえで、確認操作をしてから照合してください。",
		    card_pin_name_ja(which));
		return err_set_ja(e, ERR_STATE, ja,
		    "one try left: VERIFY refused without confirmation");
	}
	if (pad) {
		/* The reader sends the VERIFY to the EF card_tries_here selected. */
		if ((r = card_pinpad_verify_here(c, &sw, e)) != 0)
			return r;
	} else {
		if ((buf = sodium_malloc(CARD_SECRET_MAX)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		memcpy(buf, req->secret, slen);
		a.data = buf;
		a.lc = slen;
		r = card_transmit(c, &a, resp, sizeof(resp), &n, &sw, e);
		sodium_free(buf);	/* wiped before anything else happens */
		a.data = NULL;
		if (r != 0)
			return r;
	}
	if (sw == 0x9000) {
		req->tries_after = -1;	/* reset to the card's maximum */
		return 0;
	}
	if ((t = card_sw_tries(sw)) >= 0) {
		req->tries_after = t;
		if (t == 0)
			return blocked_err(which, e);
		snprintf(ja, sizeof(ja), "%sが違います。残りは%d回です。%s",
		    card_pin_name_ja(which), t,
		    t == 1 ? "次に間違えるとカードがロックされます。" : "");
		return err_set_ja(e, ERR_AUTH, ja,
		    "VERIFY failed (SW %04X), %d tries left", sw, t);
	}
	if (sw == 0x6983) {
		req->tries_after = 0;
		return blocked_err(which, e);
	}
	r = card_sw_err(sw, e);
	err_prefix(e, "VERIFY: ");
	return r;
}

int
card_read_small_ef(struct card *c, uint8_t **out, size_t *n, struct err *e)
{
	uint8_t *buf;
	size_t got;
	int r, answered;

	*out = NULL;
	*n = 0;
	if ((buf = malloc(258)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	/* Le 0000 (extended) or 00: the card answers the whole file, with 6282
	 * or, on a short Le, 6Cxx with its length (the transport re-sends). */
	r = read_binary(c, 0, card_extended(c) ? 65536 : 256, buf, 258, &got, &answered, e);
	if (r != 0 && card_extended(c) &&
	    ((!answered && card_refused_by_reader(c)) || answered == 2)) {
		card_extended_off(c);
		r = read_binary(c, 0, 256, buf, 258, &got, &answered, e);
	}
	if (r != 0) {
		sodium_memzero(buf, 258);
		free(buf);
		return r;
	}
	*out = buf;
	*n = got;
	return 0;
}
