/*
 * totp.c — RFC 6238 codes through liboath and the enrolment QR code through
 * libqrencode (include/totp.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <qrencode.h>
#include <sodium.h>

#include "totp.h"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_init_rc;

static void
oath_start(void)
{
	oath_init_rc = oath_init();
}

static int
totp_lib(struct err *e)
{
	pthread_once(&oath_once, oath_start);
	if (oath_init_rc != OATH_OK)
		return err_set(e, ERR_STATE, "liboath: %s", oath_strerror(oath_init_rc));
	return 0;
}

int
totp_secret_new(uint8_t s[TOTP_SECRET_LEN], struct err *e)
{
	if (rand_bytes(s, TOTP_SECRET_LEN) != 0)
		return err_set(e, ERR_IO, "random bytes for the TOTP secret");
	return 0;
}

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int
totp_base32(const uint8_t s[TOTP_SECRET_LEN], char out[TOTP_B32_MAX],
    struct err *e)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i, o = 0;

	(void)e;
	for (i = 0; i < TOTP_SECRET_LEN; i++) {
		acc = (acc << 8) | s[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32_alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	sodium_memzero(&acc, sizeof(acc));
	return 0;
}

int
totp_base32_parse(const char *b32, uint8_t s[TOTP_SECRET_LEN], struct err *e)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	const char *p, *q;
	int c;

	for (p = b32; *p != '\0'; p++) {
		c = *p;
		if (c == ' ' || c == '-')
			continue;
		if (c == '=')
			break;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if ((q = strchr(b32_alphabet, c)) == NULL || c == '\0')
			goto bad;
		acc = (acc << 5) | (uint32_t)(q - b32_alphabet);
		bits += 5;
		if (bits >= 8) {
			if (o == TOTP_SECRET_LEN)
				goto bad;
			s[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	if (o != TOTP_SECRET_LEN)
		goto bad;
	sodium_memzero(&acc, sizeof(acc));
	return 0;
bad:
	sodium_memzero(&acc, sizeof(acc));
	sodium_memzero(s, TOTP_SECRET_LEN);
	return err_set(e, ERR_FORMAT, "not a base32 secret of %d bytes",
	    TOTP_SECRET_LEN);
}

/* Percent-encode everything but RFC 3986's unreserved characters. */
static int
pct_put(struct wbuf *w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char t[3];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			wbuf_put(w, p, 1);
			continue;
		}
		t[0] = '%';
		t[1] = hex[*p >> 4];
		t[2] = hex[*p & 15];
		wbuf_put(w, t, 3);
	}
	return 0;
}

int
totp_uri(const uint8_t s[TOTP_SECRET_LEN], const char *issuer,
    const char *account, char *out, size_t cap, struct err *e)
{
	char b32[TOTP_B32_MAX];
	struct wbuf w;
	int r;

	if (issuer == NULL || *issuer == '\0' || strchr(issuer, ':') != NULL ||
	    account == NULL || *account == '\0' || strchr(account, ':') != NULL)
		return err_set(e, ERR_INVAL, "TOTP issuer and account must be "
		    "non-empty and without ':'");
	totp_base32(s, b32, e);
	wbuf_init_fixed(&w, out, cap);
	wbuf_printf(&w, "%s", "otpauth://totp/");
	pct_put(&w, issuer);
	wbuf_printf(&w, "%s", ":");
	pct_put(&w, account);
	wbuf_printf(&w, "%s", "?secret=");
	wbuf_printf(&w, "%s", b32);
	wbuf_printf(&w, "%s", "&issuer=");
	pct_put(&w, issuer);
	wbuf_printf(&w, "%s", "&algorithm=SHA1&digits=6&period=30");
	r = wbuf_str(&w) == NULL || w.err != 0;
	sodium_memzero(b32, sizeof(b32));
	if (r != 0) {
		sodium_memzero(out, cap);
		return err_set(e, ERR_RANGE, "otpauth URI longer than %zu bytes",
		    cap);
	}
	return 0;
}

int
totp_code(const uint8_t s[TOTP_SECRET_LEN], int64_t t,
    char out[TOTP_DIGITS + 1], struct err *e)
{
	int r;

	if ((r = totp_lib(e)) != 0)
		return r;
	if (t < 0)
		return err_set(e, ERR_RANGE, "time before the epoch");
	r = oath_totp_generate((const char *)s, TOTP_SECRET_LEN, (time_t)t,
	    TOTP_STEP, 0, TOTP_DIGITS, out);
	if (r != OATH_OK)
		return err_set(e, ERR_STATE, "liboath: %s", oath_strerror(r));
	return 0;
}

int
totp_verify(const uint8_t s[TOTP_SECRET_LEN], const char *code, int64_t now,
    int64_t *last_step, struct err *e)
{
	int r, pos = 0;
	int64_t step;
	size_t i;

	if ((r = totp_lib(e)) != 0)
		return r;
	if (code == NULL || strlen(code) != TOTP_DIGITS)
		return err_set(e, ERR_AUTH, "a code has %d digits", TOTP_DIGITS);
	for (i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return err_set(e, ERR_AUTH, "a code has %d digits",
			    TOTP_DIGITS);
	if (now < TOTP_STEP * TOTP_WINDOW)
		return err_set(e, ERR_RANGE, "clock before the epoch");
	r = oath_totp_validate2((const char *)s, TOTP_SECRET_LEN, (time_t)now,
	    TOTP_STEP, 0, TOTP_WINDOW, &pos, code);
	if (r == OATH_INVALID_OTP)
		return err_set(e, ERR_AUTH, "wrong code");
	if (r < 0)
		return err_set(e, ERR_STATE, "liboath: %s", oath_strerror(r));
	step = now / TOTP_STEP + pos;
	if (last_step != NULL) {
		if (step <= *last_step)
			return err_set(e, ERR_AUTH, "code already used");
		*last_step = step;
	}
	return 0;
}

/* Module at (x, y) of the code with its quiet zone: 1 dark, 0 light. */
static int
qr_dark(const QRcode *q, int quiet, int x, int y)
{
	x -= quiet;
	y -= quiet;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->data[y * q->width + x] & 1;
}

int
totp_qr_text(const char *text, char **out, int *cols, int *rows,
    struct err *e)
{
	const int quiet = 2;
	QRcode *q;
	int n, x, y, top, bot;
	size_t cap, o = 0;
	char *buf;
	const char *cell;

	*out = NULL;
	q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (q == NULL)
		return err_set(e, ERR_INVAL, "text too long for a QR code");
	n = q->width + 2 * quiet;
	/* Each cell is at most 3 bytes of UTF-8, plus a newline per row. */
	cap = (size_t)((n + 1) / 2) * ((size_t)n * 3 + 1) + 1;
	if ((buf = malloc(cap)) == NULL) {
		QRcode_free(q);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (y = 0; y < n; y += 2) {
		for (x = 0; x < n; x++) {
			top = !qr_dark(q, quiet, x, y);
			bot = y + 1 < n ? !qr_dark(q, quiet, x, y + 1) : 0;
			if (top && bot)
				cell = "\u2588";	/* █ */
			else if (top)
				cell = "\u2580";	/* ▀ */
			else if (bot)
				cell = "\u2584";	/* ▄ */
			else
				cell = " ";
			memcpy(buf + o, cell, strlen(cell));
			o += strlen(cell);
		}
		buf[o++] = '\n';
	}
	buf[o] = '\0';
	*out = buf;
	if (cols != NULL)
		*cols = n;
	if (rows != NULL)
		*rows = (n + 1) / 2;
	QRcode_free(q);
	return 0;
}
