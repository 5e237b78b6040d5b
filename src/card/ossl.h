/*
 * ossl.h — the few RSA operations done with OpenSSL 3 libcrypto, behind
 * plain C types.  OpenSSL's headers declare a type ERR_STATE that collides
 * with core.h's error code of that name, so no file includes both: ossl.c
 * includes only OpenSSL, its callers only this header.
 */
#ifndef MDG_CARD_OSSL_H
#define MDG_CARD_OSSL_H

#include <stddef.h>
#include <stdint.h>

/* RSA public operation on sig and PKCS#1 v1.5 type-1 unpadding: the payload
 * into out.  0, or -1 (bad key, bad block, out too small). */
int ossl_rsa_recover(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
    const uint8_t *sig, size_t siglen, uint8_t *out, size_t cap, size_t *outlen);

/* A private key from a PEM file (the simulator's committed test keys). */
struct ossl_key;
int ossl_key_load(const char *pem_path, struct ossl_key **out);
void ossl_key_free(struct ossl_key *k);
/* PKCS#1 v1.5 type-1 signature of the raw payload m (a DigestInfo); out
 * holds the modulus length.  0 or -1. */
int ossl_key_sign(struct ossl_key *k, const uint8_t *m, size_t mlen, uint8_t *out,
    size_t cap, size_t *outlen);
/* The public exponent and modulus, big-endian without leading zeros. */
int ossl_key_public(struct ossl_key *k, uint8_t *e, size_t ecap, size_t *elen,
    uint8_t *n, size_t ncap, size_t *nlen);

#endif
