/*
 * test_noise.c — Noise_IK_25519_ChaChaPoly_BLAKE2b (NET-1): the cacophony
 * vector inline (the full file is run by tests/integration/test_noise_vectors.sh),
 * round trips with random keys, and every way a handshake must fail:
 * wrong pinned responder key, a modified byte in either message, a replayed
 * or modified transport message.
 */
#include <string.h>

#include "harness.h"
#include "core.h"
#include "sync.h"

static void
unhex(const char *s, uint8_t *out, size_t cap, size_t *n)
{
	int r = hex_decode(s, strlen(s), out, cap);

	REQUIRE(r >= 0);
	*n = (size_t)r;
}

/* The one cacophony entry for this protocol name (vectors/cacophony.txt). */
static const char *V_IS = "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1";
static const char *V_IE = "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
static const char *V_RS_PUB = "31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62";
static const char *V_RS = "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893";
static const char *V_RE = "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";
static const char *V_HH = "1c8fa891cb414fedba6daa7c6f4ae0a6d98e5f9768cc9cecd27e805614943ee9c8a1b27fbfb76dc197255c8aa69f6b4285c423840b8bedf45e652ca64f797d81";
static const char *V_M1 = "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944ba83a447b38c83e327ad936929812f624884847b7831e95e197b2f797088efdd2f88f1db7e1fb0e99c64419097af91cee64e470f4b6fcd9298ce0b56fe20f86e13bf70439c538e3602a7127af71a29cc";
static const char *V_M2 = "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f1448088439f069b267a06b3de3ecb1043bcb098e9af91d9c64748d998c7b47890871571";
static const char *V_M3 = "cd54383060e7a28434cca27fb1cc524cfbabeb18181589df219d07";

TEST(noise_vector_inline)
{
	uint8_t is[32], ie[32], rspub[32], rs[32], re[32], hh[64], exp[256], out[256], dec[256];
	uint8_t h1[64], h2[64];
	size_t n, outn, decn;
	struct noise_hs *i, *r;
	struct noise_cipher *is_, *ir_, *rs_, *rr_;
	struct err e;

	unhex(V_IS, is, 32, &n);
	unhex(V_IE, ie, 32, &n);
	unhex(V_RS_PUB, rspub, 32, &n);
	unhex(V_RS, rs, 32, &n);
	unhex(V_RE, re, 32, &n);
	unhex(V_HH, hh, 64, &n);
	REQUIRE((i = noise_hs_new(NOISE_INITIATOR, "John Galt", 9, is, rspub, ie, &e)) != NULL);
	REQUIRE((r = noise_hs_new(NOISE_RESPONDER, "John Galt", 9, rs, NULL, re, &e)) != NULL);
	REQUIRE_OK(noise_hs_write(i, "Ludwig von Mises", 16, out, sizeof(out), &outn, &e), &e);
	unhex(V_M1, exp, sizeof(exp), &n);
	CHECK_INT(outn, n);
	CHECK_MEM(out, exp, n);
	REQUIRE_OK(noise_hs_read(r, out, outn, dec, sizeof(dec), &decn, &e), &e);
	CHECK_INT(decn, 16);
	CHECK_MEM(dec, "Ludwig von Mises", 16);
	REQUIRE_OK(noise_hs_write(r, "Murray Rothbard", 15, out, sizeof(out), &outn, &e), &e);
	unhex(V_M2, exp, sizeof(exp), &n);
	CHECK_INT(outn, n);
	CHECK_MEM(out, exp, n);
	REQUIRE_OK(noise_hs_read(i, out, outn, dec, sizeof(dec), &decn, &e), &e);
	CHECK(noise_hs_done(i) && noise_hs_done(r));
	REQUIRE_OK(noise_hs_split(i, &is_, &ir_, h1, &e), &e);
	REQUIRE_OK(noise_hs_split(r, &rs_, &rr_, h2, &e), &e);
	CHECK_MEM(h1, hh, 64);
	CHECK_MEM(h2, hh, 64);
	REQUIRE_OK(noise_cipher_encrypt(is_, NULL, 0, "F. A. Hayek", 11, out, sizeof(out), &outn, &e), &e);
	unhex(V_M3, exp, sizeof(exp), &n);
	CHECK_INT(outn, n);
	CHECK_MEM(out, exp, n);
	REQUIRE_OK(noise_cipher_decrypt(rr_, NULL, 0, out, outn, dec, sizeof(dec), &decn, &e), &e);
	CHECK_MEM(dec, "F. A. Hayek", 11);
	/* Replaying the same transport message must fail: the nonce moved on. */
	CHECK_INT(noise_cipher_decrypt(rr_, NULL, 0, out, outn, dec, sizeof(dec), &decn, &e), ERR_CRYPTO);
	noise_hs_free(i);
	noise_hs_free(r);
	noise_cipher_free(is_);
	noise_cipher_free(ir_);
	noise_cipher_free(rs_);
	noise_cipher_free(rr_);
}

struct pair {
	uint8_t ipriv[32], ipub[32], rpriv[32], rpub[32];
};

static void
pair_make(struct pair *p)
{
	REQUIRE(noise_keypair(p->ipriv, p->ipub) == 0);
	REQUIRE(noise_keypair(p->rpriv, p->rpub) == 0);
}

/* Run msg1 and msg2; flip byte `flip` of message `which` (1 or 2) when
 * which > 0.  Returns the first error code, 0 when both sides finish. */
static int
handshake(const struct pair *p, const uint8_t *pinned, int which, size_t flip,
    uint8_t learned[32])
{
	uint8_t out[512], dec[512];
	size_t outn, decn;
	struct noise_hs *i, *r;
	struct err e;
	int rc;

	i = noise_hs_new(NOISE_INITIATOR, "madoguchi-sync/1", 16, p->ipriv, pinned, NULL, &e);
	r = noise_hs_new(NOISE_RESPONDER, "madoguchi-sync/1", 16, p->rpriv, NULL, NULL, &e);
	REQUIRE(i != NULL && r != NULL);
	REQUIRE_OK(noise_hs_write(i, "hello", 5, out, sizeof(out), &outn, &e), &e);
	if (which == 1)
		out[flip % outn] ^= 0x01;
	if ((rc = noise_hs_read(r, out, outn, dec, sizeof(dec), &decn, &e)) != 0)
		goto done;
	if (learned != NULL)
		noise_hs_remote_static(r, learned);
	REQUIRE_OK(noise_hs_write(r, "", 0, out, sizeof(out), &outn, &e), &e);
	if (which == 2)
		out[flip % outn] ^= 0x80;
	rc = noise_hs_read(i, out, outn, dec, sizeof(dec), &decn, &e);
done:
	noise_hs_free(i);
	noise_hs_free(r);
	return rc;
}

TEST(noise_roundtrip_learns_initiator_key)
{
	struct pair p;
	uint8_t learned[32];

	pair_make(&p);
	CHECK_INT(handshake(&p, p.rpub, 0, 0, learned), 0);
	CHECK_MEM(learned, p.ipub, 32);
}

TEST(noise_wrong_pinned_key_fails)
{
	struct pair p, q;

	pair_make(&p);
	pair_make(&q);
	/* The terminal pins q's key but talks to p's responder (NET-1). */
	CHECK_INT(handshake(&p, q.rpub, 0, 0, NULL), ERR_CRYPTO);
}

TEST(noise_any_modified_byte_fails)
{
	struct pair p;
	size_t k;

	pair_make(&p);
	/* Message 1 is 32 + 48 + 5 + 16 bytes; message 2 is 32 + 16. */
	for (k = 0; k < 101; k++)
		CHECK(handshake(&p, p.rpub, 1, k, NULL) != 0);
	for (k = 0; k < 48; k++)
		CHECK(handshake(&p, p.rpub, 2, k, NULL) != 0);
}

TEST(noise_truncated_and_state_errors)
{
	struct pair p;
	uint8_t out[512], dec[512];
	size_t outn, decn;
	struct noise_hs *i, *r;
	struct noise_cipher *a, *b;
	struct err e;

	pair_make(&p);
	i = noise_hs_new(NOISE_INITIATOR, "", 0, p.ipriv, p.rpub, NULL, &e);
	r = noise_hs_new(NOISE_RESPONDER, "", 0, p.rpriv, NULL, NULL, &e);
	REQUIRE(i != NULL && r != NULL);
	CHECK_INT(noise_hs_read(i, out, 10, dec, sizeof(dec), &decn, &e), ERR_STATE);
	CHECK_INT(noise_hs_split(i, &a, &b, NULL, &e), ERR_STATE);
	REQUIRE_OK(noise_hs_write(i, "", 0, out, sizeof(out), &outn, &e), &e);
	CHECK_INT(noise_hs_read(r, out, 31, dec, sizeof(dec), &decn, &e), ERR_FORMAT);
	/* A failed read poisons the state: no retry with the good message. */
	CHECK(noise_hs_read(r, out, outn, dec, sizeof(dec), &decn, &e) != 0);
	noise_hs_free(i);
	noise_hs_free(r);
	/* Responder without initiator key, initiator without pinned key. */
	CHECK(noise_hs_new(NOISE_INITIATOR, "", 0, p.ipriv, NULL, NULL, &e) == NULL);
	CHECK(noise_hs_new(NOISE_RESPONDER, "", 0, p.rpriv, p.rpub, NULL, &e) == NULL);
}

TEST(noise_transport_many_and_tamper)
{
	struct pair p;
	uint8_t out[NOISE_MAX_MSG], dec[NOISE_MAX_MSG], m1[512];
	size_t outn, decn, n1;
	struct noise_hs *i, *r;
	struct noise_cipher *is_, *ir_, *rs_, *rr_;
	struct err e;
	int k;

	pair_make(&p);
	i = noise_hs_new(NOISE_INITIATOR, "x", 1, p.ipriv, p.rpub, NULL, &e);
	r = noise_hs_new(NOISE_RESPONDER, "x", 1, p.rpriv, NULL, NULL, &e);
	REQUIRE(i != NULL && r != NULL);
	REQUIRE_OK(noise_hs_write(i, "", 0, m1, sizeof(m1), &n1, &e), &e);
	REQUIRE_OK(noise_hs_read(r, m1, n1, dec, sizeof(dec), &decn, &e), &e);
	REQUIRE_OK(noise_hs_write(r, "", 0, m1, sizeof(m1), &n1, &e), &e);
	REQUIRE_OK(noise_hs_read(i, m1, n1, dec, sizeof(dec), &decn, &e), &e);
	REQUIRE_OK(noise_hs_split(i, &is_, &ir_, NULL, &e), &e);
	REQUIRE_OK(noise_hs_split(r, &rs_, &rr_, NULL, &e), &e);
	memset(m1, 'a', sizeof(m1));
	for (k = 0; k < 100; k++) {
		REQUIRE_OK(noise_cipher_encrypt(rs_, NULL, 0, m1, (size_t)k, out, sizeof(out), &outn, &e), &e);
		REQUIRE_OK(noise_cipher_decrypt(ir_, NULL, 0, out, outn, dec, sizeof(dec), &decn, &e), &e);
		CHECK_INT(decn, k);
	}
	/* The largest payload fits; one more byte does not. */
	CHECK_OK(noise_cipher_encrypt(is_, NULL, 0, dec, NOISE_MAX_PAYLOAD, out, sizeof(out), &outn, &e), &e);
	CHECK_INT(outn, NOISE_MAX_MSG);
	CHECK_OK(noise_cipher_decrypt(rr_, NULL, 0, out, outn, dec, sizeof(dec), &decn, &e), &e);
	CHECK_INT(noise_cipher_encrypt(is_, NULL, 0, dec, NOISE_MAX_PAYLOAD + 1, out, sizeof(out), &outn, &e), ERR_RANGE);
	REQUIRE_OK(noise_cipher_encrypt(is_, NULL, 0, "abc", 3, out, sizeof(out), &outn, &e), &e);
	out[1] ^= 4;
	CHECK_INT(noise_cipher_decrypt(rr_, NULL, 0, out, outn, dec, sizeof(dec), &decn, &e), ERR_CRYPTO);
	CHECK_INT(noise_cipher_decrypt(rr_, NULL, 0, out, 15, dec, sizeof(dec), &decn, &e), ERR_FORMAT);
	noise_hs_free(i);
	noise_hs_free(r);
	noise_cipher_free(is_);
	noise_cipher_free(ir_);
	noise_cipher_free(rs_);
	noise_cipher_free(rr_);
}
