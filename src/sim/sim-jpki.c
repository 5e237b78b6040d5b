/*
 * sim-jpki.c — the simulated card's JPKI AP (公的個人認証AP): the keys and
 * X.509 certificates of a test PKI of the simulator's own (TEST ONLY, made
 * once by scripts/gen-jpki-test-ca.sh and committed under data/cards/jpki),
 * and the card's signature (80 2A 00 80) with them.  Nothing is generated at
 * start: a profile names its bundle (`jpki = file:jpki/NAME.pem`).
 *
 * The file system and the PIN state stay in sim-card.c; this file only
 * holds the key material and answers "sign these bytes".
 */
/* OpenSSL's types.h declares a typedef ERR_STATE, which is also one of our
 * error codes (core.h): rename OpenSSL's while its headers are read. */
#define ERR_STATE ossl_ERR_STATE
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#undef ERR_STATE
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct der {
	uint8_t *p;
	size_t n;
};

struct sim_jpki {
	EVP_PKEY *key[2];		/* 0 利用者証明用, 1 署名用 */
	struct der cert[2];		/* EF 000A, EF 0001 */
	struct der ca[2];		/* EF 000B, EF 0002 */
};

void
sim_jpki_free(struct sim_jpki *j)
{
	if (j == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		EVP_PKEY_free(j->key[i]);
		free(j->cert[i].p);
		free(j->ca[i].p);
	}
	free(j);
}

/* One certificate, checked to be DER X.509, kept as it is. */
static int
keep_cert(const unsigned char *data, long len, struct der *d, struct err *e)
{
	const unsigned char *q = data;
	X509 *x = d2i_X509(NULL, &q, len);

	if (x == NULL || q != data + len) {
		X509_free(x);
		return err_set(e, ERR_FORMAT, "jpki: a CERTIFICATE block is not DER X.509");
	}
	X509_free(x);
	if ((d->p = malloc((size_t)len)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	memcpy(d->p, data, (size_t)len);
	d->n = (size_t)len;
	return 0;
}

int
sim_jpki_new(const uint8_t *pem, size_t n, struct sim_jpki **out, struct err *e)
{
	struct sim_jpki *j;
	BIO *bio;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len;
	int nkey = 0, ncert = 0, r = 0;

	*out = NULL;
	if (n > 0x7FFFFFFF)
		return err_set(e, ERR_RANGE, "jpki: bundle too large");
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((bio = BIO_new_mem_buf(pem, (int)n)) == NULL) {
		free(j);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	/* Order: key, cert, CA (利用者証明用), key, cert, CA (署名用). */
	while (r == 0 && PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
		if (strcmp(name, "PRIVATE KEY") == 0) {
			const unsigned char *q = data;
			if (nkey >= 2 || nkey != (ncert + 1) / 2 ||
			    (j->key[nkey] = d2i_AutoPrivateKey(NULL, &q, len)) == NULL ||
			    EVP_PKEY_get_base_id(j->key[nkey]) != EVP_PKEY_RSA ||
			    EVP_PKEY_get_bits(j->key[nkey]) != 2048)
				r = err_set(e, ERR_FORMAT,
				    "jpki: expected an RSA-2048 PRIVATE KEY as block %d", nkey + ncert + 1);
			nkey++;
		} else if (strcmp(name, "CERTIFICATE") == 0) {
			if (ncert >= 4 || ncert / 2 + 1 != nkey)
				r = err_set(e, ERR_FORMAT, "jpki: certificate out of order");
			else
				r = keep_cert(data, len, ncert % 2 == 0 ? &j->cert[ncert / 2] :
				    &j->ca[ncert / 2], e);
			ncert++;
		} else
			r = err_set(e, ERR_FORMAT, "jpki: unexpected PEM block");
		if (data != NULL)
			OPENSSL_cleanse(data, (size_t)len);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
	}
	BIO_free(bio);
	if (r == 0 && (nkey != 2 || ncert != 4))
		r = err_set(e, ERR_FORMAT,
		    "jpki: the bundle needs 2 keys and 4 certificates (has %d and %d)", nkey, ncert);
	for (int i = 0; r == 0 && i < 2; i++) {
		/* The key must be the one the certificate certifies. */
		const unsigned char *q = j->cert[i].p;
		X509 *x = d2i_X509(NULL, &q, (long)j->cert[i].n);
		EVP_PKEY *pub = x != NULL ? X509_get0_pubkey(x) : NULL;
		if (pub == NULL || EVP_PKEY_eq(pub, j->key[i]) != 1)
			r = err_set(e, ERR_FORMAT, "jpki: %s key does not match its certificate",
			    i == 0 ? "authentication" : "signature");
		X509_free(x);
	}
	if (r != 0) {
		sim_jpki_free(j);
		return r;
	}
	*out = j;
	return 0;
}

const uint8_t *
sim_jpki_cert(const struct sim_jpki *j, uint16_t fid, size_t *n)
{
	const struct der *d = NULL;

	*n = 0;
	if (j == NULL)
		return NULL;
	switch (fid) {
	case 0x000A: d = &j->cert[0]; break;
	case 0x000B: d = &j->ca[0]; break;
	case 0x0001: d = &j->cert[1]; break;
	case 0x0002: d = &j->ca[1]; break;
	default: return NULL;
	}
	*n = d->n;
	return d->p;
}

int
sim_jpki_sign(const struct sim_jpki *j, int sign_key, const uint8_t *in, size_t n,
    uint8_t *sig, size_t cap, size_t *siglen, struct err *e)
{
	EVP_PKEY_CTX *ctx;
	size_t len = cap;
	int ok;

	*siglen = 0;
	if (j == NULL || sign_key < 0 || sign_key > 1)
		return err_set(e, ERR_INVAL, "jpki: no such key");
	/* PKCS#1 v1.5 type 1 needs 11 bytes of padding in a 256-byte block. */
	if (n == 0 || n > 256 - 11)
		return err_set(e, ERR_RANGE, "jpki: %zu bytes cannot be signed", n);
	if ((ctx = EVP_PKEY_CTX_new(j->key[sign_key], NULL)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	/* No digest set: the input (the DigestInfo the terminal built) is
	 * padded and signed as it is, as the card does. */
	ok = EVP_PKEY_sign_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_sign(ctx, sig, &len, in, n) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return err_set(e, ERR_CRYPTO, "jpki: RSA signature failed");
	*siglen = len;
	return 0;
}
