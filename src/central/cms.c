/*
 * cms.c — CMS encryption of export files to the receiving system's X.509
 * certificate (issue 16; cms.h).  Only OpenSSL is included here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cms.h"

static int
fail(char *why, size_t whylen, const char *what)
{
	unsigned long x = ERR_get_error();
	char buf[160] = "";

	if (x != 0)
		ERR_error_string_n(x, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(why, whylen, "%s%s%s", what, x ? ": " : "", buf);
	return -1;
}

static X509 *
cert_load(const char *path, char *why, size_t whylen)
{
	X509 *c;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "cannot open the certificate file");
		return NULL;
	}
	c = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (c == NULL)
		fail(why, whylen, "not a PEM X.509 certificate");
	return c;
}

int
central_cms_fingerprint(const char *path, char fp[65], char *why, size_t whylen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	X509 *c = cert_load(path, why, whylen);

	if (c == NULL)
		return -1;
	if (X509_digest(c, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32) {
		X509_free(c);
		return fail(why, whylen, "certificate fingerprint");
	}
	X509_free(c);
	for (unsigned i = 0; i < 32; i++)
		snprintf(fp + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int
central_cms_seal(const char *path, const void *p, size_t n, int auth,
    unsigned char **der, size_t *derlen, char *why, size_t whylen)
{
	STACK_OF(X509) *certs = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *out = NULL;
	X509 *c;
	BUF_MEM *bm;
	int r = -1;

	*der = NULL;
	*derlen = 0;
	if ((c = cert_load(path, why, whylen)) == NULL)
		return -1;
	if ((certs = sk_X509_new_null()) == NULL || !sk_X509_push(certs, c)) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	if ((in = BIO_new_mem_buf(p, (int)n)) == NULL || (out = BIO_new(BIO_s_mem())) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	/* An AEAD cipher makes OpenSSL 3 write AuthEnvelopedData. */
	cms = CMS_encrypt(certs, in, auth ? EVP_aes_256_gcm() : EVP_aes_256_cbc(), CMS_BINARY);
	if (cms == NULL) {
		fail(why, whylen, "CMS_encrypt");
		goto done;
	}
	if (i2d_CMS_bio(out, cms) != 1) {
		fail(why, whylen, "CMS encoding");
		goto done;
	}
	BIO_get_mem_ptr(out, &bm);
	if ((*der = malloc(bm->length)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	memcpy(*der, bm->data, bm->length);
	*derlen = bm->length;
	r = 0;
done:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	sk_X509_pop_free(certs, X509_free);
	if (certs == NULL)
		X509_free(c);
	return r;
}
