/*
 * transport.c — one PC/SC context and one connected card over libpcsclite:
 * reader discovery, connect (T=1 or T=0), and APDU exchange with GET
 * RESPONSE on 61xx and a re-send with the right Le on 6Cxx.
 *
 * pcsc-lite clients find pcscd through the socket named by the environment
 * variable PCSCLITE_CSOCK_NAME (default /run/pcscd/pcscd.comm); the tests
 * and the demo point it at a private pcscd (scripts/pcscd-private.sh).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winscard.h>
#include <reader.h>

#include "card.h"
#include "card-internal.h"

/* Largest answer we accept to one APDU: extended Le plus SW. */
#define RESP_MAX (65536 + 2)

struct card {
	SCARDCONTEXT ctx;
	SCARDHANDLE h;
	DWORD proto;
	char reader[256];
	uint8_t atr[MAX_ATR_SIZE];
	size_t atrlen;
	int ext;			/* extended length usable */
	long last_rv;			/* PC/SC result of the last exchange */
	struct card_stats st;
	uint8_t *rx;			/* RESP_MAX scratch */
};

int
card_pcsc_err(long rv, const char *what, struct err *e)
{
	switch (rv) {
	case SCARD_S_SUCCESS:
		return 0;
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
		return err_set_ja(e, ERR_CARD,
		    "カード読み取りサービス（pcscd）が動いていません。システム管理者に連絡してください。",
		    "%s: pcscd is not running (%s)", what, pcsc_stringify_error(rv));
	case SCARD_E_NO_READERS_AVAILABLE:
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE:
		return err_set_ja(e, ERR_NOTFOUND,
		    "カードリーダーが見つかりません。接続を確認してください。",
		    "%s: no such reader (%s)", what, pcsc_stringify_error(rv));
	case SCARD_E_NO_SMARTCARD:
	case SCARD_W_REMOVED_CARD:
		return err_set_ja(e, ERR_CARD,
		    "カードが取り外されました。カードを置いて、もう一度読み取ってください。",
		    "%s: card removed (%s)", what, pcsc_stringify_error(rv));
	case SCARD_W_RESET_CARD:
		return err_set_ja(e, ERR_CARD,
		    "カードがリセットされました。もう一度読み取ってください。",
		    "%s: card was reset (%s)", what, pcsc_stringify_error(rv));
	case SCARD_W_UNRESPONSIVE_CARD:
	case SCARD_W_UNPOWERED_CARD:
	case SCARD_E_PROTO_MISMATCH:
		return err_set_ja(e, ERR_CARD,
		    "カードが応答しません。置き直してください。",
		    "%s: card does not answer (%s)", what, pcsc_stringify_error(rv));
	case SCARD_E_SHARING_VIOLATION:
		return err_set_ja(e, ERR_BUSY,
		    "カードを別のプログラムが使用中です。しばらくしてからもう一度読み取ってください。",
		    "%s: card in use (%s)", what, pcsc_stringify_error(rv));
	case SCARD_E_TIMEOUT:
		return err_set_ja(e, ERR_TIMEOUT, "カードの応答が時間内にありませんでした。",
		    "%s: timeout (%s)", what, pcsc_stringify_error(rv));
	default:
		return err_set_ja(e, ERR_CARD, "カードの読み取りで誤りがありました。置き直してください。",
		    "%s: %s (0x%lX)", what, pcsc_stringify_error(rv), (unsigned long)rv);
	}
}

/* A multi-string "a\0b\0\0" into a malloc'd array. */
static int
split_multistring(const char *ms, DWORD len, char ***names, size_t *n)
{
	size_t cnt = 0, i = 0;
	char **v;

	for (const char *p = ms; p < ms + len && *p != '\0'; p += strlen(p) + 1)
		cnt++;
	if ((v = calloc(cnt + 1, sizeof(*v))) == NULL)
		return ERR_NOMEM;
	for (const char *p = ms; i < cnt; p += strlen(p) + 1) {
		if ((v[i++] = strdup(p)) == NULL) {
			card_readers_free(v, i - 1);
			return ERR_NOMEM;
		}
	}
	*names = v;
	*n = cnt;
	return 0;
}

int
card_readers_list_ctx(long ctx, char ***names, size_t *n, struct err *e)
{
	DWORD len = 0;
	LONG rv;
	char *ms;
	int r;

	*names = NULL;
	*n = 0;
	rv = SCardListReaders(ctx, NULL, NULL, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		return 0;
	if (rv != SCARD_S_SUCCESS)
		return card_pcsc_err(rv, "SCardListReaders", e);
	if ((ms = calloc(1, len + 1)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	rv = SCardListReaders(ctx, NULL, ms, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		free(ms);
		return 0;
	}
	if (rv != SCARD_S_SUCCESS) {
		free(ms);
		return card_pcsc_err(rv, "SCardListReaders", e);
	}
	r = split_multistring(ms, len, names, n);
	free(ms);
	if (r != 0)
		return err_set(e, r, "out of memory");
	return 0;
}

int
card_readers_list(char ***names, size_t *n, struct err *e)
{
	SCARDCONTEXT ctx;
	LONG rv;
	int r;

	*names = NULL;
	*n = 0;
	if ((rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx)) != SCARD_S_SUCCESS)
		return card_pcsc_err(rv, "SCardEstablishContext", e);
	r = card_readers_list_ctx(ctx, names, n, e);
	SCardReleaseContext(ctx);
	return r;
}

void
card_readers_free(char **names, size_t n)
{
	if (names == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Does the ATR's historical bytes say "extended Lc and Le" (compact TLV
 * card capabilities, tag 7x, third byte bit 0x40)?  Read through rbuf. */
static int
atr_extended(const uint8_t *atr, size_t n)
{
	struct rbuf b;
	uint8_t t0, td, y, k, x;
	size_t skip;

	rbuf_init(&b, atr, n);
	if (rbuf_skip(&b, 1) != 0 || rbuf_get_u8(&b, &t0) != 0)
		return 0;
	k = t0 & 0x0F;
	y = t0 >> 4;
	for (;;) {
		skip = (size_t)((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1));
		if (rbuf_skip(&b, skip) != 0)
			return 0;
		if (!(y & 8))
			break;
		if (rbuf_get_u8(&b, &td) != 0)
			return 0;
		y = td >> 4;
	}
	/* Historical bytes: category 80, then compact TLV objects. */
	if (k == 0 || rbuf_get_u8(&b, &x) != 0 || x != 0x80)
		return 0;
	for (uint8_t i = 1; i < k; ) {
		uint8_t tl, len;
		const uint8_t *v;
		if (rbuf_get_u8(&b, &tl) != 0)
			return 0;
		len = tl & 0x0F;
		if (rbuf_get_view(&b, len, &v) != 0)
			return 0;
		if ((tl >> 4) == 7 && len >= 3)
			return (v[2] & 0x40) != 0;
		i = (uint8_t)(i + 1 + len);
	}
	return 0;
}

/* Is there a card in this reader now (no waiting)? */
static int
reader_has_card(SCARDCONTEXT ctx, const char *name)
{
	SCARD_READERSTATE rs;

	memset(&rs, 0, sizeof(rs));
	rs.szReader = name;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	if (SCardGetStatusChange(ctx, 0, &rs, 1) != SCARD_S_SUCCESS)
		return 0;
	return (rs.dwEventState & SCARD_STATE_PRESENT) != 0 &&
	    (rs.dwEventState & SCARD_STATE_MUTE) == 0;
}

int
card_open(const char *reader, struct card **out, struct err *e)
{
	struct card *c;
	char **names = NULL;
	size_t n = 0;
	const char *pick = NULL;
	LONG rv;
	DWORD rlen, state, proto, atrlen, attrlen;
	uint8_t attr[8];
	int r;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->rx = malloc(RESP_MAX)) == NULL) {
		free(c);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if ((rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &c->ctx)) != SCARD_S_SUCCESS) {
		free(c->rx);
		free(c);
		return card_pcsc_err(rv, "SCardEstablishContext", e);
	}
	if ((r = card_readers_list_ctx(c->ctx, &names, &n, e)) != 0)
		goto fail;
	if (n == 0) {
		r = err_set_ja(e, ERR_NOTFOUND,
		    "カードリーダーが見つかりません。接続を確認してください。",
		    "no PC/SC reader");
		goto fail;
	}
	for (size_t i = 0; i < n && pick == NULL; i++) {
		if (reader != NULL && reader[0] != '\0') {
			if (strcmp(names[i], reader) == 0)
				pick = names[i];
		} else if (reader_has_card(c->ctx, names[i]))
			pick = names[i];
	}
	if (pick == NULL) {
		if (reader != NULL && reader[0] != '\0')
			r = err_set_ja(e, ERR_NOTFOUND,
			    "設定されたカードリーダーが見つかりません。接続と設定を確認してください。",
			    "reader \"%s\" not found", reader);
		else
			r = err_set_ja(e, ERR_NOTFOUND,
			    "カードがありません。カードをリーダーに置いてください。",
			    "no reader has a card");
		goto fail;
	}
	snprintf(c->reader, sizeof(c->reader), "%s", pick);
	rv = SCardConnect(c->ctx, c->reader, SCARD_SHARE_SHARED,
	    SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, &c->h, &c->proto);
	if (rv != SCARD_S_SUCCESS) {
		if (rv == SCARD_E_NO_SMARTCARD || rv == SCARD_W_REMOVED_CARD)
			r = err_set_ja(e, ERR_NOTFOUND,
			    "カードがありません。カードをリーダーに置いてください。",
			    "no card in reader \"%s\"", c->reader);
		else
			r = card_pcsc_err(rv, "SCardConnect", e);
		goto fail;
	}
	rlen = 0;
	atrlen = sizeof(c->atr);
	if ((rv = SCardStatus(c->h, NULL, &rlen, &state, &proto, c->atr, &atrlen)) != SCARD_S_SUCCESS) {
		r = card_pcsc_err(rv, "SCardStatus", e);
		SCardDisconnect(c->h, SCARD_LEAVE_CARD);
		goto fail;
	}
	c->atrlen = atrlen;
	/* Extended length needs both: the card says so in its ATR and the
	 * reader takes messages that long. */
	attrlen = sizeof(attr);
	memset(attr, 0, sizeof(attr));
	if (atr_extended(c->atr, c->atrlen)) {
		rv = SCardGetAttrib(c->h, SCARD_ATTR_MAXINPUT, attr, &attrlen);
		if (rv == SCARD_S_SUCCESS && attrlen >= 4) {
			uint32_t maxin = (uint32_t)attr[0] | (uint32_t)attr[1] << 8 |
			    (uint32_t)attr[2] << 16 | (uint32_t)attr[3] << 24;
			c->ext = maxin >= 65544;
		} else
			/* The reader does not say (vpcd does not): try, and
			 * fall back to short APDUs if it fails. */
			c->ext = 1;
	}
	card_readers_free(names, n);
	log_debug("card: connected to \"%s\" (T=%d%s)", c->reader,
	    c->proto == SCARD_PROTOCOL_T1 ? 1 : 0, c->ext ? ", extended length" : "");
	*out = c;
	return 0;
fail:
	card_readers_free(names, n);
	SCardReleaseContext(c->ctx);
	free(c->rx);
	free(c);
	return r;
}

void
card_close(struct card *c)
{
	if (c == NULL)
		return;
	SCardDisconnect(c->h, SCARD_RESET_CARD);
	SCardReleaseContext(c->ctx);
	sodium_memzero(c->rx, RESP_MAX);
	free(c->rx);
	sodium_memzero(c, sizeof(*c));
	free(c);
}

const char *
card_reader(const struct card *c)
{
	return c->reader;
}

int
card_protocol(const struct card *c)
{
	return c->proto == SCARD_PROTOCOL_T1 ? 1 : 0;
}

const uint8_t *
card_atr(const struct card *c, size_t *n)
{
	*n = c->atrlen;
	return c->atr;
}

int
card_extended(const struct card *c)
{
	return c->ext;
}

int
card_refused_by_reader(const struct card *c)
{
	/* The reader or pcscd refused the command (too long for it), as
	 * opposed to the card going away or answering badly. */
	return c->last_rv == SCARD_E_INSUFFICIENT_BUFFER ||
	    c->last_rv == SCARD_E_INVALID_PARAMETER ||
	    c->last_rv == SCARD_E_INVALID_VALUE ||
	    c->last_rv == SCARD_E_NOT_TRANSACTED ||
	    c->last_rv == SCARD_F_COMM_ERROR;
}

void
card_extended_off(struct card *c)
{
	if (c->ext)
		log_info("card: extended length failed; using short APDUs");
	c->ext = 0;
}

void
card_stats_get(const struct card *c, struct card_stats *s)
{
	*s = c->st;
}

int
card_begin(struct card *c, struct err *e)
{
	LONG rv = SCardBeginTransaction(c->h);

	if (rv == SCARD_W_RESET_CARD) {
		DWORD proto;
		rv = SCardReconnect(c->h, SCARD_SHARE_SHARED,
		    SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, SCARD_LEAVE_CARD, &proto);
		if (rv == SCARD_S_SUCCESS) {
			c->proto = proto;
			rv = SCardBeginTransaction(c->h);
		}
	}
	return card_pcsc_err(rv, "SCardBeginTransaction", e);
}

void
card_end(struct card *c)
{
	SCardEndTransaction(c->h, SCARD_LEAVE_CARD);
}

/* One exchange on the wire.  The command buffer is wiped afterwards since
 * it may hold a PIN. */
static int
exchange(struct card *c, const struct apdu *a, struct rapdu *r, struct err *e)
{
	uint8_t cmd[65536 + 10];
	size_t n;
	DWORD rlen = RESP_MAX;
	LONG rv;
	const SCARD_IO_REQUEST *pci;

	if (apdu_encode(a, cmd, sizeof(cmd), &n) != 0)
		return err_set(e, ERR_RANGE, "APDU too long");
	pci = c->proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	c->st.apdus++;
	c->st.bytes_out += n;
	rv = SCardTransmit(c->h, pci, cmd, (DWORD)n, NULL, c->rx, &rlen);
	c->last_rv = rv;
	sodium_memzero(cmd, n);
	if (rv != SCARD_S_SUCCESS)
		return card_pcsc_err(rv, "SCardTransmit", e);
	c->st.bytes_in += rlen;
	if (rapdu_parse(c->rx, rlen, r) != 0)
		return err_set_ja(e, ERR_SHORT, "カードの応答が不完全です。置き直してください。",
		    "card answer of %lu bytes has no status word", (unsigned long)rlen);
	return 0;
}

int
card_transmit(struct card *c, const struct apdu *a, uint8_t *resp, size_t cap,
    size_t *rlen, uint16_t *sw, struct err *e)
{
	struct apdu cur = *a;
	struct rapdu r;
	struct wbuf w;
	int retried = 0, rounds = 0, rc;

	*rlen = 0;
	*sw = 0;
	wbuf_init_fixed(&w, resp, cap);
	for (;;) {
		if ((rc = exchange(c, &cur, &r, e)) != 0)
			return rc;
		if ((r.sw >> 8) == 0x6C && !retried) {
			/* Wrong Le: the card tells the right one; send again. */
			cur.le = (r.sw & 0xFF) == 0 ? 256 : (r.sw & 0xFF);
			cur.ext = 0;
			retried = 1;
			continue;
		}
		if (wbuf_put(&w, r.data, r.len) != 0)
			return err_set_ja(e, ERR_RANGE, "カードの応答が長すぎます。",
			    "card answer longer than %zu bytes", cap);
		if ((r.sw >> 8) == 0x61) {
			/* More data waiting: GET RESPONSE. */
			if (++rounds > 300)
				return err_set_ja(e, ERR_PROTO, "カードの応答が終わりません。",
				    "GET RESPONSE loop");
			memset(&cur, 0, sizeof(cur));
			cur.cla = 0x00;
			cur.ins = 0xC0;
			cur.le = (r.sw & 0xFF) == 0 ? 256 : (r.sw & 0xFF);
			/* 6100 means "256 or more": take it all at once when
			 * extended length works. */
			if ((r.sw & 0xFF) == 0 && c->ext) {
				cur.le = CARD_LE_MAX;
				cur.ext = 1;
			}
			continue;
		}
		*sw = r.sw;
		*rlen = w.len;
		return 0;
	}
}

int
card_control(struct card *c, unsigned long code, const uint8_t *in, size_t inlen,
    uint8_t *out, size_t cap, size_t *outlen, struct err *e)
{
	DWORD got = 0;
	LONG rv;

	*outlen = 0;
	rv = SCardControl(c->h, (DWORD)code, in, (DWORD)inlen, out, (DWORD)cap, &got);
	c->last_rv = rv;
	if (rv != SCARD_S_SUCCESS)
		return card_pcsc_err(rv, "SCardControl", e);
	*outlen = got;
	return 0;
}
