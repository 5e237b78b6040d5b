/*
 * noise.c — Noise_IK_25519_ChaChaPoly_BLAKE2b (Noise specification,
 * revision 34) on libsodium primitives.
 *
 *   IK:  <- s
 *        ...
 *        -> e, es, s, ss
 *        <- e, ee, se
 *
 * The three objects of the specification (CipherState, SymmetricState,
 * HandshakeState) are kept as in the text so that each step can be checked
 * against it.  Every state that holds a key lives in sodium_malloc memory
 * (guard pages, locked, wiped by sodium_free) and temporaries are wiped on
 * every path out.  Verified against the cacophony vectors by
 * tests/tools/noise-vectors.
 */
#include <string.h>

#include <sodium.h>

#include "sync.h"

#define BLOCKLEN 128		/* BLAKE2b block length, for HMAC */
#define NONCE_MAX UINT64_MAX	/* 2^64-1 is reserved (spec 5.1) */

struct noise_cipher {
	uint8_t k[NOISE_KEYLEN];
	uint64_t n;
	int has_key;
};

struct symstate {
	struct noise_cipher cs;
	uint8_t ck[NOISE_HASHLEN];
	uint8_t h[NOISE_HASHLEN];
};

struct noise_hs {
	struct symstate ss;
	enum noise_role role;
	uint8_t s_priv[32], s_pub[32];
	uint8_t e_priv[32], e_pub[32];
	uint8_t rs[32], re[32];
	int has_rs, has_re;
	int fixed_e;		/* test vectors: use the given ephemeral */
	int step;		/* messages processed: 0, 1, 2 */
	int failed;		/* a failed read poisons the handshake */
};

/* ------------------------------------------------------------ primitives */

static void
hash2(const void *a, size_t alen, const void *b, size_t blen,
    uint8_t out[NOISE_HASHLEN])
{
	crypto_generichash_blake2b_state st;

	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_blake2b_update(&st, a, alen);
	if (blen > 0)
		crypto_generichash_blake2b_update(&st, b, blen);
	crypto_generichash_blake2b_final(&st, out, NOISE_HASHLEN);
	sodium_memzero(&st, sizeof(st));
}

/* HMAC (RFC 2104) over BLAKE2b-512 with its 128-byte block, as the Noise
 * specification section 4.3 requires (not BLAKE2b's own keyed mode).  The
 * message is the concatenation d1 || d2.  Keys here are at most HASHLEN. */
static void
hmac(const uint8_t *key, size_t klen, const uint8_t *d1, size_t n1,
    const uint8_t *d2, size_t n2, uint8_t out[NOISE_HASHLEN])
{
	crypto_generichash_blake2b_state st;
	uint8_t pad[BLOCKLEN], inner[NOISE_HASHLEN];
	size_t i;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, klen);
	for (i = 0; i < BLOCKLEN; i++)
		pad[i] ^= 0x36;
	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_blake2b_update(&st, pad, BLOCKLEN);
	if (n1 > 0)
		crypto_generichash_blake2b_update(&st, d1, n1);
	if (n2 > 0)
		crypto_generichash_blake2b_update(&st, d2, n2);
	crypto_generichash_blake2b_final(&st, inner, NOISE_HASHLEN);
	for (i = 0; i < BLOCKLEN; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_blake2b_update(&st, pad, BLOCKLEN);
	crypto_generichash_blake2b_update(&st, inner, NOISE_HASHLEN);
	crypto_generichash_blake2b_final(&st, out, NOISE_HASHLEN);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
}

/* HKDF as Noise section 4.3 defines it, with two outputs. */
static void
hkdf2(const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm, size_t ikmlen,
    uint8_t o1[NOISE_HASHLEN], uint8_t o2[NOISE_HASHLEN])
{
	uint8_t tk[NOISE_HASHLEN];
	uint8_t one = 0x01, two = 0x02;

	hmac(ck, NOISE_HASHLEN, ikm, ikmlen, NULL, 0, tk);
	hmac(tk, NOISE_HASHLEN, &one, 1, NULL, 0, o1);
	hmac(tk, NOISE_HASHLEN, o1, NOISE_HASHLEN, &two, 1, o2);
	sodium_memzero(tk, sizeof(tk));
}

/* ChaChaPoly nonce: 32 bits of zeros, then the 64-bit counter little-endian. */
static void
nonce_bytes(uint64_t n, uint8_t out[12])
{
	int i;

	memset(out, 0, 4);
	for (i = 0; i < 8; i++)
		out[4 + i] = (uint8_t)(n >> (8 * i));
}

static int
dh(const uint8_t priv[32], const uint8_t pub[32], uint8_t out[32],
    struct err *e)
{
	/* libsodium refuses an all-zero result (a low-order point); for us
	 * that can only be a malicious or broken peer. */
	if (crypto_scalarmult(out, priv, pub) != 0) {
		sodium_memzero(out, 32);
		return err_set(e, ERR_CRYPTO, "noise: peer sent a low-order public key");
	}
	return 0;
}

/* ----------------------------------------------------------- CipherState */

static void
cs_init_key(struct noise_cipher *c, const uint8_t *k)
{
	memcpy(c->k, k, NOISE_KEYLEN);
	c->n = 0;
	c->has_key = 1;
}

static int
cs_encrypt(struct noise_cipher *c, const uint8_t *ad, size_t adlen,
    const uint8_t *pt, size_t ptlen, uint8_t *out, size_t cap, size_t *outlen,
    struct err *e)
{
	uint8_t nonce[12];
	unsigned long long clen = 0;

	if (!c->has_key) {
		if (cap < ptlen)
			return err_set(e, ERR_RANGE, "noise: output buffer too small");
		memmove(out, pt, ptlen);
		*outlen = ptlen;
		return 0;
	}
	if (ptlen > NOISE_MAX_PAYLOAD || cap < ptlen + NOISE_TAGLEN)
		return err_set(e, ERR_RANGE, "noise: message too long");
	if (c->n == NONCE_MAX)
		return err_set(e, ERR_RANGE, "noise: nonce exhausted");
	nonce_bytes(c->n, nonce);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, pt, ptlen, ad,
	    adlen, NULL, nonce, c->k);
	c->n++;
	*outlen = (size_t)clen;
	return 0;
}

static int
cs_decrypt(struct noise_cipher *c, const uint8_t *ad, size_t adlen,
    const uint8_t *ct, size_t ctlen, uint8_t *out, size_t cap, size_t *outlen,
    struct err *e)
{
	uint8_t nonce[12];
	unsigned long long plen = 0;

	if (!c->has_key) {
		if (cap < ctlen)
			return err_set(e, ERR_RANGE, "noise: output buffer too small");
		memmove(out, ct, ctlen);
		*outlen = ctlen;
		return 0;
	}
	if (ctlen < NOISE_TAGLEN)
		return err_set(e, ERR_FORMAT, "noise: ciphertext shorter than its tag");
	if (ctlen > NOISE_MAX_MSG || cap < ctlen - NOISE_TAGLEN)
		return err_set(e, ERR_RANGE, "noise: message too long");
	if (c->n == NONCE_MAX)
		return err_set(e, ERR_RANGE, "noise: nonce exhausted");
	nonce_bytes(c->n, nonce);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, &plen, NULL, ct, ctlen,
	    ad, adlen, nonce, c->k) != 0) {
		sodium_memzero(out, ctlen - NOISE_TAGLEN);
		return err_set(e, ERR_CRYPTO, "noise: message failed authentication");
	}
	c->n++;
	*outlen = (size_t)plen;
	return 0;
}

int
noise_cipher_encrypt(struct noise_cipher *c, const void *ad, size_t adlen,
    const void *pt, size_t ptlen, uint8_t *out, size_t cap, size_t *outlen,
    struct err *e)
{
	if (c == NULL || !c->has_key)
		return err_set(e, ERR_STATE, "noise: transport cipher has no key");
	return cs_encrypt(c, ad, adlen, pt, ptlen, out, cap, outlen, e);
}

int
noise_cipher_decrypt(struct noise_cipher *c, const void *ad, size_t adlen,
    const void *ct, size_t ctlen, uint8_t *out, size_t cap, size_t *outlen,
    struct err *e)
{
	if (c == NULL || !c->has_key)
		return err_set(e, ERR_STATE, "noise: transport cipher has no key");
	return cs_decrypt(c, ad, adlen, ct, ctlen, out, cap, outlen, e);
}

void
noise_cipher_free(struct noise_cipher *c)
{
	if (c != NULL)
		sodium_free(c);	/* wipes before unmapping */
}

/* -------------------------------------------------------- SymmetricState */

static void
ss_init(struct symstate *ss, const char *name)
{
	size_t n = strlen(name);

	memset(ss->h, 0, NOISE_HASHLEN);
	if (n <= NOISE_HASHLEN)
		memcpy(ss->h, name, n);
	else
		hash2(name, n, NULL, 0, ss->h);
	memcpy(ss->ck, ss->h, NOISE_HASHLEN);
	ss->cs.has_key = 0;
	ss->cs.n = 0;
}

static void
ss_mix_hash(struct symstate *ss, const uint8_t *data, size_t n)
{
	uint8_t h[NOISE_HASHLEN];

	hash2(ss->h, NOISE_HASHLEN, data, n, h);
	memcpy(ss->h, h, NOISE_HASHLEN);
}

static void
ss_mix_key(struct symstate *ss, const uint8_t *ikm, size_t n)
{
	uint8_t o1[NOISE_HASHLEN], o2[NOISE_HASHLEN];

	hkdf2(ss->ck, ikm, n, o1, o2);
	memcpy(ss->ck, o1, NOISE_HASHLEN);
	cs_init_key(&ss->cs, o2);	/* HASHLEN 64: truncated to 32 */
	sodium_memzero(o1, sizeof(o1));
	sodium_memzero(o2, sizeof(o2));
}

static int
ss_encrypt_and_hash(struct symstate *ss, const uint8_t *pt, size_t ptlen,
    uint8_t *out, size_t cap, size_t *outlen, struct err *e)
{
	int r;

	if ((r = cs_encrypt(&ss->cs, ss->h, NOISE_HASHLEN, pt, ptlen, out, cap,
	    outlen, e)) != 0)
		return r;
	ss_mix_hash(ss, out, *outlen);
	return 0;
}

static int
ss_decrypt_and_hash(struct symstate *ss, const uint8_t *ct, size_t ctlen,
    uint8_t *out, size_t cap, size_t *outlen, struct err *e)
{
	uint8_t h[NOISE_HASHLEN];
	int r;

	/* h is updated with the ciphertext, which out may overwrite: hash
	 * first into a copy and commit only after the tag checks. */
	hash2(ss->h, NOISE_HASHLEN, ct, ctlen, h);
	if ((r = cs_decrypt(&ss->cs, ss->h, NOISE_HASHLEN, ct, ctlen, out, cap,
	    outlen, e)) != 0)
		return r;
	memcpy(ss->h, h, NOISE_HASHLEN);
	return 0;
}

/* -------------------------------------------------------- HandshakeState */

int
noise_pubkey(const uint8_t priv[32], uint8_t pub[32])
{
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	return crypto_scalarmult_base(pub, priv) == 0 ? 0 : ERR_CRYPTO;
}

int
noise_keypair(uint8_t priv[32], uint8_t pub[32])
{
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	randombytes_buf(priv, 32);
	return noise_pubkey(priv, pub);
}

struct noise_hs *
noise_hs_new(enum noise_role role, const void *prologue, size_t plen,
    const uint8_t s_priv[32], const uint8_t *rs_pub, const uint8_t *e_priv,
    struct err *e)
{
	struct noise_hs *hs;

	if (sodium_init() < 0) {
		err_set(e, ERR_CRYPTO, "noise: libsodium failed to initialise");
		return NULL;
	}
	if ((role == NOISE_INITIATOR) != (rs_pub != NULL)) {
		err_set(e, ERR_INVAL, "noise: IK initiator needs the responder key");
		return NULL;
	}
	if ((hs = sodium_malloc(sizeof(*hs))) == NULL) {
		err_set(e, ERR_NOMEM, "noise: out of locked memory");
		return NULL;
	}
	memset(hs, 0, sizeof(*hs));
	hs->role = role;
	memcpy(hs->s_priv, s_priv, 32);
	if (crypto_scalarmult_base(hs->s_pub, hs->s_priv) != 0) {
		noise_hs_free(hs);
		err_set(e, ERR_CRYPTO, "noise: bad static key");
		return NULL;
	}
	if (e_priv != NULL) {
		memcpy(hs->e_priv, e_priv, 32);
		hs->fixed_e = 1;
	}
	ss_init(&hs->ss, NOISE_PROTOCOL_NAME);
	ss_mix_hash(&hs->ss, prologue, plen);
	/* Pre-message "<- s": both sides hash the responder's static key. */
	if (role == NOISE_INITIATOR) {
		memcpy(hs->rs, rs_pub, 32);
		hs->has_rs = 1;
		ss_mix_hash(&hs->ss, hs->rs, 32);
	} else
		ss_mix_hash(&hs->ss, hs->s_pub, 32);
	return hs;
}

void
noise_hs_free(struct noise_hs *hs)
{
	if (hs != NULL)
		sodium_free(hs);
}

int
noise_hs_done(const struct noise_hs *hs)
{
	return hs->step == 2 && !hs->failed;
}

int
noise_hs_our_turn(const struct noise_hs *hs)
{
	return (hs->role == NOISE_INITIATOR) == (hs->step == 0);
}

int
noise_hs_remote_static(const struct noise_hs *hs, uint8_t out[32])
{
	if (!hs->has_rs)
		return ERR_STATE;
	memcpy(out, hs->rs, 32);
	return 0;
}

static int
make_ephemeral(struct noise_hs *hs, struct err *e)
{
	if (!hs->fixed_e)
		randombytes_buf(hs->e_priv, 32);
	if (crypto_scalarmult_base(hs->e_pub, hs->e_priv) != 0)
		return err_set(e, ERR_CRYPTO, "noise: bad ephemeral key");
	return 0;
}

int
noise_hs_write(struct noise_hs *hs, const void *payload, size_t plen,
    uint8_t *out, size_t cap, size_t *outlen, struct err *e)
{
	uint8_t k[32];
	size_t off = 0, n;
	int r;

	if (hs->failed || hs->step >= 2 || !noise_hs_our_turn(hs))
		return err_set(e, ERR_STATE, "noise: not our turn to write");
	/* e + (s + tag) in message 1, e in message 2, then payload + tag. */
	if (cap < 32 + (hs->step == 0 ? 48 : 0) + plen + NOISE_TAGLEN ||
	    32 + 48 + plen + NOISE_TAGLEN > NOISE_MAX_MSG)
		return err_set(e, ERR_RANGE, "noise: handshake payload too long");
	if ((r = make_ephemeral(hs, e)) != 0)
		goto fail;
	memcpy(out, hs->e_pub, 32);
	off = 32;
	ss_mix_hash(&hs->ss, hs->e_pub, 32);
	if (hs->step == 0) {
		/* -> e, es, s, ss */
		if ((r = dh(hs->e_priv, hs->rs, k, e)) != 0)
			goto fail;
		ss_mix_key(&hs->ss, k, 32);
		if ((r = ss_encrypt_and_hash(&hs->ss, hs->s_pub, 32, out + off,
		    cap - off, &n, e)) != 0)
			goto fail;
		off += n;
		if ((r = dh(hs->s_priv, hs->rs, k, e)) != 0)
			goto fail;
		ss_mix_key(&hs->ss, k, 32);
	} else {
		/* <- e, ee, se */
		if ((r = dh(hs->e_priv, hs->re, k, e)) != 0)
			goto fail;
		ss_mix_key(&hs->ss, k, 32);
		if ((r = dh(hs->e_priv, hs->rs, k, e)) != 0)
			goto fail;
		ss_mix_key(&hs->ss, k, 32);
	}
	if ((r = ss_encrypt_and_hash(&hs->ss, payload, plen, out + off,
	    cap - off, &n, e)) != 0)
		goto fail;
	*outlen = off + n;
	hs->step++;
	sodium_memzero(k, sizeof(k));
	return 0;
fail:
	hs->failed = 1;
	sodium_memzero(k, sizeof(k));
	return r;
}

int
noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t mlen,
    uint8_t *out, size_t cap, size_t *outlen, struct err *e)
{
	struct rbuf b;
	const uint8_t *p;
	uint8_t k[32];
	size_t n;
	int r;

	if (hs->failed || hs->step >= 2 || noise_hs_our_turn(hs))
		return err_set(e, ERR_STATE, "noise: not our turn to read");
	rbuf_init(&b, msg, mlen);
	if (mlen > NOISE_MAX_MSG) {
		r = err_set(e, ERR_RANGE, "noise: handshake message too long");
		goto fail;
	}
	if ((r = rbuf_get(&b, hs->re, 32)) != 0) {
		r = err_set(e, ERR_FORMAT, "noise: handshake message too short");
		goto fail;
	}
	hs->has_re = 1;
	ss_mix_hash(&hs->ss, hs->re, 32);
	if (hs->step == 0) {
		/* responder reads: e, es, s, ss */
		if ((r = dh(hs->s_priv, hs->re, k, e)) != 0)
			goto fail;
		ss_mix_key(&hs->ss, k, 32);
		if (rbuf_get_view(&b, 32 + NOISE_TAGLEN, &p) != 0) {
			r = err_set(e, ERR_FORMAT, "noise: handshake message too short");
			goto fail;
		}
		if ((r = ss_decrypt_and_hash(&hs->ss, p, 32 + NOISE_TAGLEN, hs->rs,
		    32, &n, e)) != 0)
			goto fail;
		hs->has_rs = 1;
		if ((r = dh(hs->s_priv, hs->rs, k, e)) != 0)
			goto fail;
		ss_mix_key(&hs->ss, k, 32);
	} else {
		/* initiator reads: e, ee, se */
		if ((r = dh(hs->e_priv, hs->re, k, e)) != 0)
			goto fail;
		ss_mix_key(&hs->ss, k, 32);
		if ((r = dh(hs->s_priv, hs->re, k, e)) != 0)
			goto fail;
		ss_mix_key(&hs->ss, k, 32);
	}
	/* What is left is the encrypted payload (at least its tag). */
	if ((r = ss_decrypt_and_hash(&hs->ss, rbuf_cur(&b), rbuf_left(&b), out,
	    cap, outlen, e)) != 0)
		goto fail;
	hs->step++;
	sodium_memzero(k, sizeof(k));
	return 0;
fail:
	hs->failed = 1;
	sodium_memzero(k, sizeof(k));
	return r;
}

int
noise_hs_split(struct noise_hs *hs, struct noise_cipher **send,
    struct noise_cipher **recv, uint8_t h[NOISE_HASHLEN], struct err *e)
{
	uint8_t o1[NOISE_HASHLEN], o2[NOISE_HASHLEN];
	struct noise_cipher *c1, *c2;

	*send = *recv = NULL;
	if (!noise_hs_done(hs))
		return err_set(e, ERR_STATE, "noise: handshake not finished");
	c1 = sodium_malloc(sizeof(*c1));
	c2 = sodium_malloc(sizeof(*c2));
	if (c1 == NULL || c2 == NULL) {
		noise_cipher_free(c1);
		noise_cipher_free(c2);
		return err_set(e, ERR_NOMEM, "noise: out of locked memory");
	}
	hkdf2(hs->ss.ck, NULL, 0, o1, o2);
	cs_init_key(c1, o1);	/* initiator to responder */
	cs_init_key(c2, o2);	/* responder to initiator */
	sodium_memzero(o1, sizeof(o1));
	sodium_memzero(o2, sizeof(o2));
	if (h != NULL)
		memcpy(h, hs->ss.h, NOISE_HASHLEN);
	if (hs->role == NOISE_INITIATOR) {
		*send = c1;
		*recv = c2;
	} else {
		*send = c2;
		*recv = c1;
	}
	return 0;
}
