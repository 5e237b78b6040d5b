/*
 * ossl.c — RSA with OpenSSL 3 libcrypto (see ossl.h for why this file
 * stands apart).  Public-key recovery for the card checks; private-key
 * signing for the simulator's test keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "ossl.h"

struct ossl_key {
	EVP_PKEY *pk;
};

static EVP_PKEY *
pub_key(const uint8_t *nb, size_t nlen, const uint8_t *eb, size_t elen)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *e = NULL;

	if ((n = BN_bin2bn(nb, (int)nlen, NULL)) == NULL ||
	    (e = BN_bin2bn(eb, (int)elen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pk;
}

int
ossl_rsa_recover(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
    const uint8_t *sig, size_t siglen, uint8_t *out, size_t cap, size_t *outlen)
{
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx = NULL;
	size_t got = cap;
	int r = -1;

	*outlen = 0;
	if (siglen != nlen || (pk = pub_key(n, nlen, e, elen)) == NULL)
		return -1;
	if ((ctx = EVP_PKEY_CTX_new(pk, NULL)) != NULL &&
	    EVP_PKEY_verify_recover_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_verify_recover(ctx, out, &got, sig, siglen) > 0) {
		*outlen = got;
		r = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return r;
}

int
ossl_key_load(const char *pem_path, struct ossl_key **out)
{
	FILE *f;
	EVP_PKEY *pk;

	*out = NULL;
	if ((f = fopen(pem_path, "r")) == NULL)
		return -1;
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL)
		return -1;
	if ((*out = calloc(1, sizeof(**out))) == NULL) {
		EVP_PKEY_free(pk);
		return -1;
	}
	(*out)->pk = pk;
	return 0;
}

void
ossl_key_free(struct ossl_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

int
ossl_key_sign(struct ossl_key *k, const uint8_t *m, size_t mlen, uint8_t *out,
    size_t cap, size_t *outlen)
{
	EVP_PKEY_CTX *ctx;
	size_t n = cap;
	int r = -1;

	if ((ctx = EVP_PKEY_CTX_new(k->pk, NULL)) != NULL &&
	    EVP_PKEY_sign_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_sign(ctx, out, &n, m, mlen) > 0) {
		*outlen = n;
		r = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	return r;
}

static int
bn_out(EVP_PKEY *pk, const char *name, uint8_t *out, size_t cap, size_t *len)
{
	BIGNUM *b = NULL;
	int n;

	if (!EVP_PKEY_get_bn_param(pk, name, &b))
		return -1;
	n = BN_num_bytes(b);
	if (n <= 0 || (size_t)n > cap) {
		BN_free(b);
		return -1;
	}
	BN_bn2bin(b, out);
	*len = (size_t)n;
	BN_free(b);
	return 0;
}

int
ossl_key_public(struct ossl_key *k, uint8_t *e, size_t ecap, size_t *elen,
    uint8_t *n, size_t ncap, size_t *nlen)
{
	if (bn_out(k->pk, OSSL_PKEY_PARAM_RSA_E, e, ecap, elen) != 0 ||
	    bn_out(k->pk, OSSL_PKEY_PARAM_RSA_N, n, ncap, nlen) != 0)
		return -1;
	return 0;
}
