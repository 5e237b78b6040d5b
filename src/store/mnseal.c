/*
 * mnseal.c — the 個人番号 inside application bodies (form and agent JSON)
 * and the outbox items made from them (issue 15 A, SC-1, DATA-1).
 *
 * Every JSON string value of a body that is a full 個人番号 (12 digits with
 * a valid check digit) is stored as a token
 *
 *   "mdg-sealed:1:<masked>:<sealed to the right mynumber>:<push copy>"
 *
 * (both parts base64): the masked form ("**** **** 9018") that everyone may
 * see, the number sealed to the right "mynumber" (only accounts holding it
 * open it), and the push copy: the number under XChaCha20-Poly1305 with a
 * subkey of the terminal key (crypto_kdf id 4, "mdgpushn").  The push copy
 * is what lets the background sync — which runs in any account's process,
 * a clerk's too, and holds the terminal key but not the right — send the
 * plain number to the central inside the Noise channel (any protocol
 * version: the central never sees a token).  So a plain reading of the
 * files with a clerk's password finds no 個人番号; an account holder who
 * extracts the terminal key itself (a debugger, or a program that unwraps
 * their slot and derives the subkey) can open push copies, as they can the
 * terminal's sync keys (madoguchi(1), FILES).
 *
 * Reading a body (store_application_get / list) gives the number to a
 * session holding the right and the masked form to any other; saving a body
 * whose value is still the masked form of a token of the stored version
 * keeps that token, so an account without the right can correct other
 * fields of an application without losing the number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

#define TOKEN_PREFIX "mdg-sealed:1:"
#define B64V sodium_base64_VARIANT_ORIGINAL
enum { PNB = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    PAB = crypto_aead_xchacha20poly1305_ietf_ABYTES };

static void
push_key(const struct store *st, uint8_t *k)
{
	crypto_kdf_derive_from_key(k, 32, 4, "mdgpushn", st->key + STORE_KEY_LEN);
}

/* Append the token of a valid number to w. */
static int
token_put(struct store *st, const char *num, struct wbuf *w, struct err *e)
{
	char masked[MYNUMBER_MASKED_LEN], b64[256];
	uint8_t *sealed = NULL, push[PNB + MYNUMBER_LEN + PAB], *k;
	size_t slen;
	int r;

	if (!st->fk.have_mn)
		return err_set(e, ERR_STATE, "the store has no key for 個人番号");
	if ((r = field_seal(st->fk.mn_pk, num, MYNUMBER_LEN, &sealed, &slen, e)) != 0)
		return r;
	if ((k = sodium_malloc(32)) == NULL) {
		free(sealed);
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	}
	push_key(st, k);
	randombytes_buf(push, PNB);
	crypto_aead_xchacha20poly1305_ietf_encrypt(push + PNB, NULL,
	    (const uint8_t *)num, MYNUMBER_LEN, (const uint8_t *)"mdgpushn", 8, NULL,
	    push, k);
	sodium_free(k);
	mynumber_mask(num, MYNUMBER_LEN, masked);
	wbuf_put(w, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
	wbuf_put(w, masked, strlen(masked));
	wbuf_put_u8(w, ':');
	sodium_bin2base64(b64, sizeof(b64), sealed, slen, B64V);
	wbuf_put(w, b64, strlen(b64));
	wbuf_put_u8(w, ':');
	sodium_bin2base64(b64, sizeof(b64), push, sizeof(push), B64V);
	wbuf_put(w, b64, strlen(b64));
	free(sealed);
	return 0;
}

/* Split a token's content (s, n bytes, between the quotes): pointers into
 * it.  0 or -1 when it is not a token. */
static int
token_split(const char *s, size_t n, const char **masked, size_t *mlen,
    const char **right, size_t *rlen, const char **push, size_t *plen)
{
	const char *p = s + strlen(TOKEN_PREFIX), *end = s + n, *c1, *c2;

	if (n <= strlen(TOKEN_PREFIX) || memcmp(s, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return -1;
	if ((c1 = memchr(p, ':', (size_t)(end - p))) == NULL ||
	    (c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1))) == NULL)
		return -1;
	*masked = p;
	*mlen = (size_t)(c1 - p);
	*right = c1 + 1;
	*rlen = (size_t)(c2 - c1 - 1);
	*push = c2 + 1;
	*plen = (size_t)(end - c2 - 1);
	return *mlen + 1 == MYNUMBER_MASKED_LEN ? 0 : -1;
}

static int
b64_dec(const char *s, size_t n, uint8_t *out, size_t cap, size_t *outn)
{
	return sodium_base642bin(out, cap, s, n, NULL, outn, NULL, B64V);
}

/* Open a token for reading: the number with the right (or, push = 1, from
 * the push copy), else the masked form.  out: 13 bytes at least. */
static int
token_open(struct store *st, const char *s, size_t n, int push, char *out,
    size_t cap, struct err *e)
{
	const char *m, *rt, *pu;
	size_t ml, rl, pl, bn;
	uint8_t bin[256];
	int r;

	if (token_split(s, n, &m, &ml, &rt, &rl, &pu, &pl) != 0 || cap < MYNUMBER_MASKED_LEN)
		return err_set(e, ERR_CORRUPT, "a sealed 個人番号 of a bad shape");
	if (push) {
		uint8_t *k;

		if (b64_dec(pu, pl, bin, sizeof(bin), &bn) != 0 ||
		    bn != PNB + MYNUMBER_LEN + PAB || (k = sodium_malloc(32)) == NULL)
			return err_set(e, ERR_CORRUPT, "a sealed 個人番号 of a bad shape");
		push_key(st, k);
		r = crypto_aead_xchacha20poly1305_ietf_decrypt((uint8_t *)out, NULL,
		    NULL, bin + PNB, bn - PNB, (const uint8_t *)"mdgpushn", 8, bin, k);
		sodium_free(k);
		if (r != 0)
			return err_set(e, ERR_CORRUPT, "a sealed 個人番号 does not open");
		out[MYNUMBER_LEN] = '\0';
		return 0;
	}
	if (right_sk(st, "mynumber") != NULL &&
	    b64_dec(rt, rl, bin, sizeof(bin), &bn) == 0 &&
	    field_open(st, "mynumber", bin, bn, out, cap, NULL) == 0)
		return 0;
	memcpy(out, m, ml);
	out[ml] = '\0';
	return 0;
}

/* The token in old (a stored body) whose masked form is masked, copied
 * into w; 1 found, 0 not. */
static int
token_reuse(const char *old, const char *masked, size_t mlen, struct wbuf *w)
{
	const char *p = old;

	while (old != NULL && (p = strstr(p, TOKEN_PREFIX)) != NULL) {
		const char *q = p + strlen(TOKEN_PREFIX), *end = strchr(q, '"');

		if (end == NULL)
			return 0;
		if ((size_t)(end - q) > mlen && memcmp(q, masked, mlen) == 0 &&
		    q[mlen] == ':') {
			wbuf_put(w, p, (size_t)(end - p));
			return 1;
		}
		p = end;
	}
	return 0;
}

/* The token in old that holds num (its push copy opens to it), copied
 * into w; 1 found, 0 not. */
static int
token_same(struct store *st, const char *old, const char *num, struct wbuf *w)
{
	const char *p = old;

	while (old != NULL && (p = strstr(p, TOKEN_PREFIX)) != NULL) {
		const char *end = strchr(p, '"');
		char v[64];
		int same;

		if (end == NULL)
			return 0;
		same = token_open(st, p, (size_t)(end - p), 1, v, sizeof(v), NULL) == 0 &&
		    strcmp(v, num) == 0;
		sodium_memzero(v, sizeof(v));
		if (same) {
			wbuf_put(w, p, (size_t)(end - p));
			return 1;
		}
		p = end;
	}
	return 0;
}

static int
is_masked(const char *s, size_t n)
{
	if (n + 1 != MYNUMBER_MASKED_LEN || memcmp(s, "**** **** ", 10) != 0)
		return 0;
	for (size_t i = 10; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * Rewrite the string values of a JSON text: mode 0 seals numbers (old: the
 * stored version, for masked values), 1 opens for reading, 2 opens push
 * copies.  Keys and strings with escapes are copied as they are.  *out is
 * malloc'd (wiped and freed by the caller).
 */
static int
rewrite(struct store *st, const char *json, const char *old, int mode,
    char **out, struct err *e)
{
	struct wbuf w;
	const char *p = json;
	int r = 0;

	*out = NULL;
	wbuf_init(&w, 4u << 20);
	while (*p != '\0' && r == 0) {
		const char *q, *after;
		size_t n;
		int esc = 0;

		if (*p != '"') {
			wbuf_put_u8(&w, (uint8_t)*p++);
			continue;
		}
		for (q = p + 1; *q != '\0' && *q != '"'; q++)
			if (*q == '\\') {
				esc = 1;
				if (q[1] != '\0')
					q++;
			}
		if (*q != '"') {		/* not JSON: copy the rest */
			wbuf_put(&w, p, strlen(p));
			break;
		}
		n = (size_t)(q - p - 1);
		for (after = q + 1; *after == ' ' || *after == '\t' || *after == '\n' ||
		    *after == '\r'; after++)
			;
		wbuf_put_u8(&w, '"');
		if (esc || *after == ':') {
			wbuf_put(&w, p + 1, n);
		} else if (mode == 0 && n == MYNUMBER_LEN &&
		    strspn(p + 1, "0123456789") >= MYNUMBER_LEN &&
		    mynumber_validate(p + 1, MYNUMBER_LEN, NULL) == 0) {
			char num[MYNUMBER_LEN + 1];

			memcpy(num, p + 1, MYNUMBER_LEN);
			num[MYNUMBER_LEN] = '\0';
			/* the same number as the stored version: its token, so
			 * an unchanged body stays byte for byte the same (the
			 * outbox item's UUID is derived from it) */
			if (!token_same(st, old, num, &w))
				r = token_put(st, num, &w, e);
			sodium_memzero(num, sizeof(num));
		} else if (mode == 0 && is_masked(p + 1, n)) {
			if (!token_reuse(old, p + 1, n, &w))
				wbuf_put(&w, p + 1, n);
		} else if (mode != 0 && n > strlen(TOKEN_PREFIX) &&
		    memcmp(p + 1, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0) {
			char v[64];

			if ((r = token_open(st, p + 1, n, mode == 2, v, sizeof(v), e)) == 0)
				wbuf_put(&w, v, strlen(v));
			else if (mode == 1) {
				/* a damaged token is shown as it is, not
				 * the whole application refused */
				wbuf_put(&w, p + 1, n);
				r = 0;
			}
			sodium_memzero(v, sizeof(v));
		} else
			wbuf_put(&w, p + 1, n);
		wbuf_put_u8(&w, '"');
		p = q + 1;
	}
	if (r == 0 && w.err != 0)
		r = err_set(e, ERR_RANGE, "application body too large");
	if (r != 0) {
		if (w.p != NULL)
			sodium_memzero(w.p, w.cap);
		wbuf_free(&w);
		return r;
	}
	wbuf_str(&w);
	*out = (char *)w.p;
	return 0;
}

int
mnseal_body(struct store *st, const char *json, const char *old, char **out,
    struct err *e)
{
	return rewrite(st, json, old, 0, out, e);
}

int
mnseal_open_body(struct store *st, const char *json, char **out,
    struct err *e)
{
	if (strstr(json, TOKEN_PREFIX) == NULL) {
		*out = strdup(json);
		return *out == NULL ? err_set(e, ERR_NOMEM, "out of memory") : 0;
	}
	return rewrite(st, json, NULL, 1, out, e);
}

int
store_body_for_push(struct store *st, const char *json, char **out,
    struct err *e)
{
	if (strstr(json, TOKEN_PREFIX) == NULL) {
		*out = strdup(json);
		return *out == NULL ? err_set(e, ERR_NOMEM, "out of memory") : 0;
	}
	return rewrite(st, json, NULL, 2, out, e);
}

/* One value (a correction's old or new value, DATA-3): a full 個人番号 is
 * stored as a token like those inside bodies. */
int
mnseal_value(struct store *st, const char *v, char **out, struct err *e)
{
	struct wbuf w;
	int r;

	*out = NULL;
	if (v == NULL || strlen(v) != MYNUMBER_LEN ||
	    strspn(v, "0123456789") != MYNUMBER_LEN ||
	    mynumber_validate(v, MYNUMBER_LEN, NULL) != 0) {
		*out = strdup(v != NULL ? v : "");
		return *out == NULL ? err_set(e, ERR_NOMEM, "out of memory") : 0;
	}
	wbuf_init(&w, 4096);
	if ((r = token_put(st, v, &w, e)) != 0 || w.err != 0) {
		wbuf_free(&w);
		return r != 0 ? r : err_set(e, ERR_NOMEM, "out of memory");
	}
	wbuf_str(&w);
	*out = (char *)w.p;
	return 0;
}

/* In place: a token becomes the number (with the right) or its masked
 * form; anything else stays. */
void
mnseal_open_value(struct store *st, char *buf, size_t cap)
{
	char v[64];

	if (strncmp(buf, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return;
	if (token_open(st, buf, strlen(buf), 0, v, sizeof(v), NULL) == 0 &&
	    strlen(v) < cap) {
		sodium_memzero(buf, cap);
		memcpy(buf, v, strlen(v) + 1);
	}
	sodium_memzero(v, sizeof(v));
}
