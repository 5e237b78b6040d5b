/*
 * cms.h — the export's CMS encryption with OpenSSL 3 libcrypto, behind
 * plain C types (OpenSSL's ERR_STATE collides with core.h's error code, so
 * cms.c includes only OpenSSL and its callers only this header; as
 * src/card/ossl.h).  Errors: -1 with the reason in why.
 */
#ifndef MDG_CENTRAL_CMS_H
#define MDG_CENTRAL_CMS_H

#include <stddef.h>

/* SHA-256 fingerprint of the PEM certificate at path, 64 hex digits. */
int central_cms_fingerprint(const char *path, char fp[65], char *why, size_t whylen);
/* p..p+n encrypted to the certificate at path as CMS, DER: AuthEnvelopedData
 * with AES-256-GCM (RFC 5083) when auth, else EnvelopedData with
 * AES-256-CBC.  *der is malloc'd (free()). */
int central_cms_seal(const char *path, const void *p, size_t n, int auth,
    unsigned char **der, size_t *derlen, char *why, size_t whylen);

#endif
