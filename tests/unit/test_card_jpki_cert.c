/*
 * test_card_jpki_cert.c — card_jpki_cert_parse on the simulator's test
 * certificates (data/cards/jpki, TEST ONLY): the 署名用 certificate's
 * 基本4情報 in subjectAltName otherNames (1.2.392.200149.8.5.5.1 氏名,
 * .3 性別, .4 EYYYYMMDD 生年月日, .5 住所), none in the 利用者証明用 one,
 * validity dates in JST, and the chain of each to its own test root only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* OpenSSL's typedef ERR_STATE clashes with our error code (see jpki.c). */
#define ERR_STATE ossl_ERR_STATE
#include <openssl/pem.h>
#include <openssl/x509.h>
#undef ERR_STATE

#include "card.h"
#include "harness.h"

/* The n-th certificate (1-based) of a bundle as DER. */
static uint8_t *
bundle_cert(const char *name, int nth, size_t *len)
{
	char path[1024];
	FILE *f;
	X509 *x = NULL;
	uint8_t *der = NULL, *q;
	int n;

	snprintf(path, sizeof(path), "%s/data/cards/jpki/%s", t_srcdir(), name);
	REQUIRE((f = fopen(path, "r")) != NULL);
	for (int i = 0; i < nth; i++) {
		X509_free(x);
		REQUIRE((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL);
	}
	fclose(f);
	REQUIRE((n = i2d_X509(x, NULL)) > 0);
	REQUIRE((der = malloc((size_t)n)) != NULL);
	q = der;
	i2d_X509(x, &q);
	X509_free(x);
	*len = (size_t)n;
	return der;
}

TEST(jpki_sign_cert_carries_basic4)
{
	size_t n;
	uint8_t *der = bundle_cert("test-yamada-taro.pem", 3, &n);
	struct card_jpki_cert c;
	struct card_jpki_roots *ro = NULL;
	struct err e;
	char path[1024];

	REQUIRE_OK(card_jpki_cert_parse(der, n, &c, &e), &e);
	CHECK(c.has_basic4);
	CHECK_STR(c.name, "山田\xE3\x80\x80太郎");	/* U+3000 between the names */
	CHECK_STR(c.address, "窓口市北区本町一丁目2番3号");
	CHECK_INT(c.birth.y, 1985);
	CHECK_INT(c.birth.m, 4);
	CHECK_INT(c.birth.d, 12);
	CHECK_INT(c.sex, 1);
	CHECK_INT(c.not_after.y, 2030);
	snprintf(path, sizeof(path), "%s/data/cards/jpki/ca-sign.pem", t_srcdir());
	REQUIRE_OK(card_jpki_roots_load(path, &ro, &e), &e);
	CHECK_INT(card_jpki_chain_check(ro, der, n, time(NULL)), CARD_JPKI_CHAIN_OK);
	card_jpki_roots_free(ro);
	snprintf(path, sizeof(path), "%s/data/cards/jpki/ca-auth.pem", t_srcdir());
	REQUIRE_OK(card_jpki_roots_load(path, &ro, &e), &e);
	CHECK_INT(card_jpki_chain_check(ro, der, n, time(NULL)), CARD_JPKI_CHAIN_UNKNOWN_ISSUER);
	card_jpki_roots_free(ro);
	free(der);
}

TEST(jpki_auth_cert_has_no_basic4_and_jst_dates)
{
	size_t n;
	uint8_t *der = bundle_cert("test-suzuki-hanako.pem", 1, &n);
	struct card_jpki_cert c;
	struct err e;

	REQUIRE_OK(card_jpki_cert_parse(der, n, &c, &e), &e);
	CHECK(!c.has_basic4);
	CHECK_STR(c.name, "");
	/* notBefore 2025-04-01T00:00:00Z is 09:00 JST the same day; notAfter
	 * 14:59:59Z is 23:59:59 JST on the birthday. */
	CHECK_INT(c.not_before.y, 2025);
	CHECK_INT(c.not_before.m, 4);
	CHECK_INT(c.not_before.d, 1);
	CHECK_INT(c.not_after.m, 7);
	CHECK_INT(c.not_after.d, 30);
	free(der);
}

TEST(jpki_cert_parse_refuses_non_certificates)
{
	size_t n;
	uint8_t *der = bundle_cert("test-yamada-taro.pem", 1, &n);
	struct card_jpki_cert c;
	struct err e;

	CHECK_INT(card_jpki_cert_parse(der, n - 1, &c, &e), ERR_FORMAT);
	CHECK_INT(card_jpki_cert_parse(der, 0, &c, &e), ERR_FORMAT);
	CHECK_INT(card_jpki_chain_check(NULL, der, n - 1, time(NULL)), CARD_JPKI_CHAIN_MALFORMED);
	free(der);
}

/* The 署名用 certificate against what 入力補助AP read: the same person
 * written the card's way (U+3000, full-width digits) matches; another
 * birth date or name does not; a 利用者証明用 certificate has nothing. */
TEST(jpki_subject_match_folds_spaces_and_digits)
{
	size_t n, an;
	uint8_t *der = bundle_cert("test-yamada-taro.pem", 3, &n);
	uint8_t *auth = bundle_cert("test-yamada-taro.pem", 1, &an);
	struct card_jpki_cert c, ac;
	struct card_result r;
	char name[] = "山田 太郎", other[] = "山田 次郎", addr[] = "窓口市北区本町一丁目２番３号";
	struct err e;

	REQUIRE_OK(card_jpki_cert_parse(der, n, &c, &e), &e);
	REQUIRE_OK(card_jpki_cert_parse(auth, an, &ac, &e), &e);
	memset(&r, 0, sizeof(r));
	r.name = name;
	r.address = addr;
	r.birth.y = 1985;
	r.birth.m = 4;
	r.birth.d = 12;
	r.sex = 1;
	CHECK_INT(card_jpki_subject_match(&c, &r), 1);
	CHECK_INT(card_jpki_subject_match(&ac, &r), -1);
	r.birth.d = 13;
	CHECK_INT(card_jpki_subject_match(&c, &r), 0);
	r.birth.d = 12;
	r.sex = 2;
	CHECK_INT(card_jpki_subject_match(&c, &r), 0);
	r.sex = 1;
	r.name = other;
	CHECK_INT(card_jpki_subject_match(&c, &r), 0);
	free(der);
	free(auth);
}
