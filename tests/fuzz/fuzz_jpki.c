/*
 * fuzz_jpki.c — what madoguchi makes of JPKI bytes from a card or a file
 * (X.509 parsing itself is OpenSSL's): the first byte picks the target.
 *   0  card_jpki_cert_parse + card_jpki_chain_check + challenge check of
 *      the rest as a DER certificate (EF 000A as a card returns it)
 *   1  card_jpki_roots_from_pem of the rest ([card] jpki_roots)
 *   2  card_pinpad_parse_features of the rest (a reader's answer)
 *
 * Properties: errors are ERR_* with a message; a parsed certificate has
 * real dates, NUL-terminated UTF-8 strings and an ISO 5218 sex; without
 * roots the chain is never "ok"; a signature of zeros never verifies.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card.h"

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
cert(const uint8_t *p, size_t n)
{
	struct card_jpki_cert c;
	struct err e;
	uint8_t sig[256], ch[32];
	enum card_jpki_chain ch_r;

	memset(sig, 0, sizeof(sig));
	memset(ch, 7, sizeof(ch));
	if (card_jpki_cert_parse(p, n, &c, &e) != 0) {
		check(e.code < 0 && e.msg[0] != '\0');
		check(card_jpki_chain_check(NULL, p, n, time(NULL)) ==
		    CARD_JPKI_CHAIN_MALFORMED);
		return;
	}
	check(date_valid(c.not_after.y, c.not_after.m, c.not_after.d));
	check(date_valid(c.not_before.y, c.not_before.m, c.not_before.d));
	check(memchr(c.subject_cn, '\0', sizeof(c.subject_cn)) != NULL);
	check(utf8_valid(c.subject_cn, strlen(c.subject_cn)));
	if (c.has_basic4) {
		check(utf8_valid(c.name, strlen(c.name)));
		check(utf8_valid(c.address, strlen(c.address)));
		check(c.sex == 0 || c.sex == 1 || c.sex == 2 || c.sex == 9);
		check(date_valid(c.birth.y, c.birth.m, c.birth.d));
	}
	ch_r = card_jpki_chain_check(NULL, p, n, time(NULL));
	check(ch_r == CARD_JPKI_CHAIN_NO_ROOTS);
	check(card_jpki_challenge_verify(p, n, ch, sizeof(ch), sig, sizeof(sig), &e) != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct card_jpki_roots *r = NULL;
	struct err e;
	uint32_t code;

	if (size < 1)
		return 0;
	switch (data[0]) {
	case 0:
		cert(data + 1, size - 1);
		break;
	case 1:
		if (card_jpki_roots_from_pem(data + 1, size - 1, &r, &e) == 0) {
			check(card_jpki_roots_count(r) > 0);
			card_jpki_roots_free(r);
		} else
			check(r == NULL && e.code < 0);
		break;
	case 2:
		if (card_pinpad_parse_features(data + 1, size - 1, 0x06, &code, &e) != 0)
			check(e.code == ERR_NOTFOUND || e.code == ERR_FORMAT);
		break;
	default:
		break;
	}
	return 0;
}
