/*
 * fuzz_card_auth.c — the parsers of card bytes added for authenticity
 * (issue 11): the card-verifiable certificate (EF 0004), an RSA key as the
 * card writes it (90/91: DF51, DF24), the 確認AP's three-group digests
 * (DF28's input), DF32's input, the PKCS#1 recovery with a key from the
 * input, the address normaliser (the card's 住所 text), and the lines of
 * [card] trust_anchors and 照合番号B as typed.
 *
 * The first byte picks the target.  Properties: errors are ERR_* values; a
 * parsed certificate has a 297-byte body for a 2048-bit key and points
 * inside the input; a recovered block is never longer than the modulus;
 * a built 照合番号B is 14 digits.
 */
#include <stdlib.h>
#include <string.h>

#include "card.h"

static void
check(int cond)
{
	if (!cond)
		abort();
}

static int
inside(const uint8_t *q, size_t qn, const uint8_t *p, size_t n)
{
	return q >= p && q + qn <= p + n;
}

static void
fuzz_cvc(const uint8_t *p, size_t n)
{
	struct card_cvc c;
	struct err e;
	int r = card_parse_cvc(p, n, &c, &e);

	if (r != 0) {
		check(r == ERR_FORMAT);
		return;
	}
	check(inside(c.body, c.body_len, p, n) && inside(c.sig, c.sig_len, p, n));
	check(inside(c.key.n, c.key.nlen, p, n) && inside(c.key.e, c.key.elen, p, n));
	check(c.key.nlen >= 128 && c.key.nlen <= 512 && c.key.elen >= 1 && c.key.elen <= 8);
	if (c.key.nlen == 256 && c.key.elen == 3)
		check(c.body_len == 297);
	/* A signature from the input checked against the key from the input:
	 * only ever 0 or ERR_AUTH. */
	r = card_rsa_verify_sha256(&c.key, c.sig, c.sig_len, c.body, c.body_len);
	check(r == 0 || r == ERR_AUTH);
}

static void
fuzz_rsakey(const uint8_t *p, size_t n)
{
	struct card_rsa_pub k;
	uint8_t out[512];
	size_t on;
	int r;

	if ((r = card_parse_rsakey(p, n, &k, NULL)) != 0) {
		check(r == ERR_FORMAT);
		return;
	}
	/* Recover a block of the modulus's length made of the key's bytes. */
	if (k.nlen <= sizeof(out)) {
		uint8_t sig[512];
		memset(sig, 0x01, k.nlen);
		r = card_rsa_recover(&k, sig, k.nlen, out, sizeof(out), &on);
		check(r == 0 || r == ERR_AUTH || r == ERR_INVAL);
		if (r == 0)
			check(on <= k.nlen);
	}
}

static void
fuzz_digests(const uint8_t *p, size_t n)
{
	uint8_t h[96];
	int r = card_kenmen_digests(p, n, h);

	check(r == 0 || r == ERR_FORMAT);
	r = card_basic4_digest(p, n, h);
	check(r == 0 || r == ERR_FORMAT);
}

static void
fuzz_text(const uint8_t *p, size_t n)
{
	char *t = malloc(n + 1), *s = card_secret_new();
	struct card_anchors a;
	struct err e;
	int r;

	check(t != NULL && s != NULL);
	memcpy(t, p, n);
	t[n] = '\0';
	r = card_anchors_parse(t, n, "fuzz", &a, &e);
	if (r == 0) {
		for (size_t i = 0; i < a.n; i++)
			check(a.v[i].nlen >= 128 && a.v[i].elen >= 1);
		card_anchors_free(&a);
	} else
		check(r == ERR_FORMAT || r == ERR_NOMEM);
	/* The card's address text (addr_same in the difference view). */
	{
		char ad[512];
		r = addr_normalize(t, ad, sizeof(ad));
		if (r >= 0)
			check((size_t)r == strlen(ad) && utf8_valid(ad, (size_t)r));
		else
			check(r == ERR_FORMAT || r == ERR_RANGE);
		check(addr_same(t, t));
	}
	r = card_b_from_line(t, s, &e);
	if (r == 0) {
		check(strlen(s) == CARD_B_LEN);
		for (size_t i = 0; i < CARD_B_LEN; i++)
			check(s[i] >= '0' && s[i] <= '9');
	} else
		check(r == ERR_INVAL || r == ERR_NOMEM);
	card_secret_free(s);
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0: fuzz_cvc(data + 1, size - 1); break;
	case 1: fuzz_rsakey(data + 1, size - 1); break;
	case 2: fuzz_digests(data + 1, size - 1); break;
	case 3: fuzz_text(data + 1, size - 1); break;
	}
	return 0;
}
