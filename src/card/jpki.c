/*
 * jpki.c — the JPKI AP's 利用者証明用 certificate and key: the certificate's
 * dates and (where it has them) 基本4情報, the offline chain check against
 * configured J-LIS roots, the card's signature over a challenge, and the
 * authenticity route 「電子証明書で真正性を確認」 built from them.
 *
 * Parsing of X.509 and every RSA operation is OpenSSL 3's; what is ours is
 * reading the results: which root (chosen by signature, never by name alone),
 * which check failed, and what the clerk is told.
 */
/* OpenSSL's types.h declares a typedef ERR_STATE, which is also one of our
 * error codes (core.h): rename OpenSSL's while its headers are read. */
#define ERR_STATE ossl_ERR_STATE
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#undef ERR_STATE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "card-internal.h"

#define JPKI_AUTH_KEY_EF 0x0017
#define JPKI_AUTH_CERT_EF 0x000A
#define JPKI_SIG_LEN 256
#define JPKI_CHALLENGE_LEN 32

/* DigestInfo header for SHA-256 (PKCS#1 v2.2, 9.2 note 1). */
static const uint8_t sha256_digestinfo[19] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };

/* ------------------------------------------------------------------ roots */

struct card_jpki_roots {
	X509 **cert;
	size_t n;
};

void
card_jpki_roots_free(struct card_jpki_roots *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		X509_free(r->cert[i]);
	free(r->cert);
	free(r);
}

size_t
card_jpki_roots_count(const struct card_jpki_roots *r)
{
	return r == NULL ? 0 : r->n;
}

/* A root must sign itself and be a CA (or carry no basicConstraints, as
 * some old self-signed roots do not). */
static const char *
root_problem(X509 *x)
{
	EVP_PKEY *k = X509_get0_pubkey(x);

	if (k == NULL)
		return "no usable public key";
	if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) != 0)
		return "not self-signed (issuer differs from subject)";
	if (X509_verify(x, k) != 1)
		return "its self-signature does not verify";
	if ((X509_get_extension_flags(x) & EXFLAG_BCONS) && !(X509_get_extension_flags(x) & EXFLAG_CA))
		return "not a CA certificate";
	return NULL;
}

int
card_jpki_roots_from_pem(const uint8_t *pem, size_t n, struct card_jpki_roots **out,
    struct err *e)
{
	struct card_jpki_roots *r;
	BIO *bio;
	X509 *x;
	int ret = 0;

	*out = NULL;
	if (n > 0x7FFFFFFF)
		return err_set(e, ERR_RANGE, "roots file too large");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((bio = BIO_new_mem_buf(pem, (int)n)) == NULL) {
		free(r);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		const char *why = root_problem(x);
		X509 **grown;
		if (why != NULL) {
			ret = err_set(e, ERR_FORMAT, "certificate %zu: %s", r->n + 1, why);
			X509_free(x);
			break;
		}
		if ((grown = realloc(r->cert, (r->n + 1) * sizeof(*grown))) == NULL) {
			X509_free(x);
			ret = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		r->cert = grown;
		r->cert[r->n++] = x;
	}
	BIO_free(bio);
	if (ret == 0 && r->n == 0)
		ret = err_set(e, ERR_FORMAT, "no PEM certificate found");
	if (ret != 0) {
		card_jpki_roots_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int
card_jpki_roots_load(const char *path, struct card_jpki_roots **out, struct err *e)
{
	FILE *f;
	uint8_t *buf;
	size_t got;
	int r;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return err_set(e, ERR_IO, "%s: cannot open", path);
	if ((buf = malloc(1024 * 1024 + 1)) == NULL) {
		fclose(f);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	got = fread(buf, 1, 1024 * 1024 + 1, f);
	fclose(f);
	if (got > 1024 * 1024) {
		free(buf);
		return err_set(e, ERR_RANGE, "%s: larger than 1 MiB", path);
	}
	r = card_jpki_roots_from_pem(buf, got, out, e);
	free(buf);
	if (r != 0)
		err_prefix(e, "%s: ", path);
	return r;
}

/* ---------------------------------------------------------- certificates */

static X509 *
der_to_x509(const uint8_t *der, size_t n)
{
	const unsigned char *q = der;
	X509 *x;

	if (der == NULL || n == 0 || n > 0x7FFFFFFF)
		return NULL;
	x = d2i_X509(NULL, &q, (long)n);
	if (x != NULL && q != der + n) {	/* trailing bytes: not one certificate */
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
asn1_time_date(const ASN1_TIME *t, struct date *d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return ERR_FORMAT;
	/* The date in Japan (JST, UTC+9), which is what the card face and
	 * J-LIS state as the expiry day. */
	tm.tm_hour += 9;
	if (tm.tm_hour >= 24) {
		struct date x = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
		date_from_days(date_to_days(&x) + 1, d);
		return 0;
	}
	d->y = tm.tm_year + 1900;
	d->m = tm.tm_mon + 1;
	d->d = tm.tm_mday;
	return 0;
}

/* Copy an ASN.1 string that must be UTF-8 (UTF8String, or the ASCII
 * PrintableString / IA5String) into out; ERR_FORMAT otherwise. */
static int
asn1_text(const ASN1_TYPE *v, char *out, size_t cap)
{
	const ASN1_STRING *s;
	int len;

	if (v == NULL)
		return ERR_FORMAT;
	switch (v->type) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_IA5STRING:
		s = v->value.asn1_string;
		break;
	default:
		return ERR_FORMAT;
	}
	len = ASN1_STRING_length(s);
	if (len < 0 || (size_t)len >= cap ||
	    !utf8_valid((const char *)ASN1_STRING_get0_data(s), (size_t)len) ||
	    memchr(ASN1_STRING_get0_data(s), '\0', (size_t)len) != NULL)
		return ERR_FORMAT;
	memcpy(out, ASN1_STRING_get0_data(s), (size_t)len);
	out[len] = '\0';
	return 0;
}

/* The JPKI personal-data otherNames (1.2.392.200149.8.5.5.N). */
static void
parse_basic4(X509 *x, struct card_jpki_cert *c)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int have = 0;

	if (gens == NULL)
		return;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char oid[64], buf[512];
		int k;

		if (g->type != GEN_OTHERNAME)
			continue;
		if (OBJ_obj2txt(oid, sizeof(oid), g->d.otherName->type_id, 1) <= 0 ||
		    strncmp(oid, "1.2.392.200149.8.5.5.", 21) != 0 || oid[22] != '\0')
			continue;
		if (asn1_text(g->d.otherName->value, buf, sizeof(buf)) != 0)
			continue;
		switch (oid[21]) {
		case '1':
			if (strlen(buf) < sizeof(c->name)) {
				memcpy(c->name, buf, strlen(buf) + 1);
				have |= 1;
			}
			break;
		case '3':
			if (strlen(buf) == 1 && strchr("0129", buf[0]) != NULL) {
				c->sex = buf[0] - '0';
				have |= 2;
			}
			break;
		case '4':
			/* EYYYYMMDD: era digit, then the Gregorian date. */
			if (strlen(buf) == 9 && buf[0] >= '0' && buf[0] <= '5') {
				int ymd = 0, ok = 1;
				for (k = 1; k < 9; k++) {
					if (buf[k] < '0' || buf[k] > '9')
						ok = 0;
					ymd = ymd * 10 + (buf[k] - '0');
				}
				if (ok && date_from_ymd(ymd, &c->birth) == 0)
					have |= 4;
			}
			break;
		case '5':
			memcpy(c->address, buf, strlen(buf) + 1);
			have |= 8;
			break;
		default:
			break;
		}
	}
	GENERAL_NAMES_free(gens);
	c->has_basic4 = have == 15;
}

int
card_jpki_cert_parse(const uint8_t *der, size_t n, struct card_jpki_cert *out,
    struct err *e)
{
	X509 *x;
	X509_NAME *sub;
	int idx;

	memset(out, 0, sizeof(*out));
	if ((x = der_to_x509(der, n)) == NULL)
		return err_set_ja(e, ERR_FORMAT, "カードの電子証明書の形式が正しくありません。",
		    "JPKI certificate is not DER X.509");
	if (asn1_time_date(X509_get0_notBefore(x), &out->not_before) != 0 ||
	    asn1_time_date(X509_get0_notAfter(x), &out->not_after) != 0) {
		X509_free(x);
		return err_set_ja(e, ERR_FORMAT, "カードの電子証明書の有効期間が読めません。",
		    "JPKI certificate validity is malformed");
	}
	sub = X509_get_subject_name(x);
	if ((idx = X509_NAME_get_index_by_NID(sub, NID_commonName, -1)) >= 0) {
		ASN1_TYPE t;
		t.type = V_ASN1_UTF8STRING;
		t.value.asn1_string = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(sub, idx));
		if (t.value.asn1_string != NULL) {
			t.type = ASN1_STRING_type(t.value.asn1_string);
			if (asn1_text(&t, out->subject_cn, sizeof(out->subject_cn)) != 0)
				out->subject_cn[0] = '\0';
		}
	}
	parse_basic4(x, out);
	X509_free(x);
	return 0;
}

/* ------------------------------------------------------------------ chain */

const char *
card_jpki_chain_name(enum card_jpki_chain c)
{
	switch (c) {
	case CARD_JPKI_CHAIN_OK: return "ok";
	case CARD_JPKI_CHAIN_NO_ROOTS: return "no-roots";
	case CARD_JPKI_CHAIN_UNKNOWN_ISSUER: return "unknown-issuer";
	case CARD_JPKI_CHAIN_BAD_SIGNATURE: return "bad-signature";
	case CARD_JPKI_CHAIN_EXPIRED: return "expired";
	case CARD_JPKI_CHAIN_NOT_YET_VALID: return "not-yet-valid";
	case CARD_JPKI_CHAIN_MALFORMED: return "malformed";
	}
	return "?";
}

const char *
card_jpki_chain_name_ja(enum card_jpki_chain c)
{
	switch (c) {
	case CARD_JPKI_CHAIN_OK: return "発行元（J-LIS）の署名と有効期間を確認しました（オフライン）";
	case CARD_JPKI_CHAIN_NO_ROOTS: return "J-LISのルート証明書が設定されていないため、発行元を確認できません";
	case CARD_JPKI_CHAIN_UNKNOWN_ISSUER: return "この証明書の発行元のルート証明書が設定されていないため、確認できません";
	case CARD_JPKI_CHAIN_BAD_SIGNATURE: return "証明書の発行元の署名が正しくありません";
	case CARD_JPKI_CHAIN_EXPIRED: return "電子証明書の有効期限が切れています";
	case CARD_JPKI_CHAIN_NOT_YET_VALID: return "電子証明書の有効期間がまだ始まっていません";
	case CARD_JPKI_CHAIN_MALFORMED: return "電子証明書の形式が正しくありません";
	}
	return "?";
}

/* -1 before, 0 within, 1 after the validity of x at now. */
static int
validity_at(X509 *x, time_t now)
{
	time_t t = now;

	if (X509_cmp_time(X509_get0_notBefore(x), &t) >= 0)
		return -1;
	if (X509_cmp_time(X509_get0_notAfter(x), &t) <= 0)
		return 1;
	return 0;
}

enum card_jpki_chain
card_jpki_chain_check(const struct card_jpki_roots *roots, const uint8_t *der,
    size_t n, time_t now)
{
	X509 *x, *root = NULL;
	size_t named = 0;
	enum card_jpki_chain r;
	int v;

	if ((x = der_to_x509(der, n)) == NULL)
		return CARD_JPKI_CHAIN_MALFORMED;
	if (roots == NULL || roots->n == 0) {
		X509_free(x);
		return CARD_JPKI_CHAIN_NO_ROOTS;
	}
	/* Every root whose subject is the certificate's issuer is tried; the
	 * one whose key verifies the signature is the issuer.  Three J-LIS
	 * generations share one DN, so the name only narrows the search. */
	for (size_t i = 0; i < roots->n && root == NULL; i++) {
		EVP_PKEY *k = X509_get0_pubkey(roots->cert[i]);
		if (X509_NAME_cmp(X509_get_issuer_name(x),
		    X509_get_subject_name(roots->cert[i])) != 0)
			continue;
		named++;
		if (k != NULL && X509_verify(x, k) == 1)
			root = roots->cert[i];
	}
	if (root == NULL)
		r = named == 0 ? CARD_JPKI_CHAIN_UNKNOWN_ISSUER : CARD_JPKI_CHAIN_BAD_SIGNATURE;
	else if ((v = validity_at(x, now)) != 0 || (v = validity_at(root, now)) != 0)
		r = v < 0 ? CARD_JPKI_CHAIN_NOT_YET_VALID : CARD_JPKI_CHAIN_EXPIRED;
	else
		r = CARD_JPKI_CHAIN_OK;
	X509_free(x);
	return r;
}

/* ------------------------------------------------------------- signature */

int
card_jpki_challenge_verify(const uint8_t *der, size_t n, const uint8_t *challenge,
    size_t clen, const uint8_t *sig, size_t siglen, struct err *e)
{
	X509 *x;
	EVP_PKEY *k;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t h[32];
	int ok;

	if ((x = der_to_x509(der, n)) == NULL)
		return err_set(e, ERR_FORMAT, "JPKI certificate is not DER X.509");
	k = X509_get0_pubkey(x);
	if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		X509_free(x);
		return err_set(e, ERR_FORMAT, "JPKI certificate has no RSA key");
	}
	crypto_hash_sha256(h, challenge, clen);
	ok = (ctx = EVP_PKEY_CTX_new(k, NULL)) != NULL &&
	    EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
	    EVP_PKEY_verify(ctx, sig, siglen, h, sizeof(h)) == 1;
	EVP_PKEY_CTX_free(ctx);
	X509_free(x);
	if (!ok)
		return err_set_ja(e, ERR_AUTH, "カードの署名が電子証明書と一致しません。",
		    "JPKI signature does not verify with the certificate's key");
	return 0;
}

int
card_jpki_sign(struct card *c, struct card_read_req *req, const uint8_t *data,
    size_t n, uint8_t *sig, size_t cap, size_t *siglen, struct err *e)
{
	uint8_t di[sizeof(sha256_digestinfo) + 32];
	struct apdu a = { .cla = 0x80, .ins = 0x2A, .p1 = 0x00, .p2 = 0x80,
	    .data = di, .lc = sizeof(di), .le = 256 };
	uint16_t sw;
	int r;

	*siglen = 0;
	if (cap < JPKI_SIG_LEN)
		return err_set(e, ERR_RANGE, "signature buffer too small");
	memcpy(di, sha256_digestinfo, sizeof(sha256_digestinfo));
	crypto_hash_sha256(di + sizeof(sha256_digestinfo), data, n);
	if ((r = card_begin(c, e)) != 0)
		return r;
	if ((r = card_select_ap(c, CARD_AP_JPKI, e)) != 0 ||
	    (r = card_verify_safe(c, CARD_PIN_JPKI_AUTH, req, e)) != 0 ||
	    (r = card_select_ef(c, JPKI_AUTH_KEY_EF, e)) != 0 ||
	    (r = card_transmit(c, &a, sig, cap, siglen, &sw, e)) != 0)
		goto done;
	if (sw != 0x9000) {
		r = card_sw_err(sw, e);
		err_prefix(e, "JPKI SIGN: ");
		goto done;
	}
	if (*siglen != JPKI_SIG_LEN)
		r = err_set_ja(e, ERR_FORMAT, "カードの署名の長さが正しくありません。",
		    "JPKI signature of %zu bytes, expected 256", *siglen);
done:
	card_end(c);
	if (r != 0) {
		sodium_memzero(sig, cap);
		*siglen = 0;
	}
	return r;
}

/* ---------------------------------------------------------- authenticity */

const char *
card_jpki_verdict_name(enum card_jpki_verdict v)
{
	switch (v) {
	case CARD_JPKI_VERIFIED: return "verified";
	case CARD_JPKI_FAILED: return "failed";
	case CARD_JPKI_UNVERIFIABLE: return "unverifiable";
	}
	return "?";
}

const char *
card_jpki_verdict_name_ja(enum card_jpki_verdict v)
{
	switch (v) {
	case CARD_JPKI_VERIFIED: return "検証済み";
	case CARD_JPKI_FAILED: return "検証失敗";
	case CARD_JPKI_UNVERIFIABLE: return "検証不能";
	}
	return "?";
}

void
card_jpki_auth_free(struct card_jpki_auth *a)
{
	if (a == NULL)
		return;
	free(a->cert_der);
	sodium_memzero(a, sizeof(*a));
	free(a);
}

/* Names and addresses compare after folding what the card and a
 * certificate may write differently: U+3000 and ASCII spaces, full-width
 * and ASCII digits and hyphens (kana_normalize). */
static int
same_text(const char *a, const char *b)
{
	char x[1024], y[1024];
	int n, m;

	if (a == NULL || b == NULL)
		return 0;
	n = kana_normalize(a, strlen(a), x, sizeof(x));
	m = kana_normalize(b, strlen(b), y, sizeof(y));
	return n >= 0 && m >= 0 && n == m && memcmp(x, y, (size_t)n) == 0;
}

int
card_jpki_subject_match(const struct card_jpki_cert *c, const struct card_result *basic4)
{
	if (!c->has_basic4)
		return -1;
	return same_text(c->name, basic4->name) && same_text(c->address, basic4->address) &&
	    date_cmp(&c->birth, &basic4->birth) == 0 && c->sex == basic4->sex;
}

static void
judge(struct card_jpki_auth *a, const struct card_result *basic4)
{
	char exp[32];

	date_format_wareki(&a->cert.not_after, exp, sizeof(exp));
	if (basic4 != NULL && card_jpki_subject_match(&a->cert, basic4) >= 0)
		a->subject = card_jpki_subject_match(&a->cert, basic4) == 1 ? 1 : 2;
	if (!a->signature_ok) {
		a->verdict = CARD_JPKI_FAILED;
		a->detail = "signature";
		snprintf(a->note_ja, sizeof(a->note_ja),
		    "カードの署名が電子証明書の鍵と一致しません。本人確認書類で確認してください。");
		return;
	}
	switch (a->chain) {
	case CARD_JPKI_CHAIN_OK:
		break;
	case CARD_JPKI_CHAIN_NO_ROOTS:
	case CARD_JPKI_CHAIN_UNKNOWN_ISSUER:
		a->verdict = CARD_JPKI_UNVERIFIABLE;
		a->detail = a->chain == CARD_JPKI_CHAIN_NO_ROOTS ? "no-roots" : "unknown-issuer";
		snprintf(a->note_ja, sizeof(a->note_ja), "%s。証明書の有効期限: %s。",
		    card_jpki_chain_name_ja(a->chain), exp);
		return;
	default:
		a->verdict = CARD_JPKI_FAILED;
		a->detail = "certificate";
		snprintf(a->note_ja, sizeof(a->note_ja), "%s（オフライン確認）。有効期限: %s。",
		    card_jpki_chain_name_ja(a->chain), exp);
		return;
	}
	if (a->subject == 2) {
		a->verdict = CARD_JPKI_FAILED;
		a->detail = "subject";
		snprintf(a->note_ja, sizeof(a->note_ja),
		    "電子証明書の基本4情報がカードの券面事項と一致しません。");
		return;
	}
	a->verdict = CARD_JPKI_VERIFIED;
	a->detail = NULL;
	snprintf(a->note_ja, sizeof(a->note_ja),
	    "利用者証明用電子証明書で確認しました（チェーンと有効期間はオフライン確認、失効は未確認）。"
	    "有効期限: %s。%s", exp,
	    a->subject == 1 ? "証明書の基本4情報も一致しました。" :
	    "この証明書には基本4情報の記載がないため、同じカードの応答であることで結び付けています。");
}

int
card_jpki_auth_summary(const struct card_jpki_auth *a, char *out, size_t cap)
{
	char iso[16] = "";

	date_format_iso(&a->cert.not_after, iso, sizeof(iso));
	return snprintf(out, cap, "method=jpki authenticity=%s%s%s chain=%s offline=1 cert_until=%s",
	    card_jpki_verdict_name(a->verdict), a->detail != NULL ? " detail=" : "",
	    a->detail != NULL ? a->detail : "", card_jpki_chain_name(a->chain), iso);
}

int
card_jpki_authenticate(struct card *c, struct card_read_req *req,
    const struct card_jpki_roots *roots, const struct card_result *basic4,
    struct card_jpki_auth **out, struct err *e)
{
	struct card_jpki_auth *a;
	uint8_t challenge[JPKI_CHALLENGE_LEN], sig[JPKI_SIG_LEN];
	size_t siglen = 0;
	int r;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	/* The certificate first (no PIN): a card without one is told before
	 * the resident types anything. */
	if ((r = card_begin(c, e)) != 0)
		goto fail;
	if ((r = card_select_ap(c, CARD_AP_JPKI, e)) == 0 &&
	    (r = card_select_ef(c, JPKI_AUTH_CERT_EF, e)) == 0)
		r = card_read_tlv_ef(c, &a->cert_der, &a->cert_der_len, e);
	card_end(c);
	if (r == ERR_NOTFOUND || (r != 0 && e != NULL && strstr(e->msg, "6A82") != NULL))
		r = err_set_ja(e, ERR_NOTFOUND,
		    "このカードには利用者証明用電子証明書がありません（未発行または失効）。",
		    "no JPKI authentication certificate on the card");
	if (r != 0)
		goto fail;
	if ((r = card_jpki_cert_parse(a->cert_der, a->cert_der_len, &a->cert, e)) != 0) {
		/* What the card holds is not a certificate: a verdict, not an error. */
		a->chain = CARD_JPKI_CHAIN_MALFORMED;
		a->verdict = CARD_JPKI_FAILED;
		a->detail = "certificate";
		snprintf(a->note_ja, sizeof(a->note_ja), "%s。", card_jpki_chain_name_ja(a->chain));
		*out = a;
		return 0;
	}
	randombytes_buf(challenge, sizeof(challenge));
	if ((r = card_jpki_sign(c, req, challenge, sizeof(challenge), sig, sizeof(sig),
	    &siglen, e)) != 0)
		goto fail;
	a->signature_ok = card_jpki_challenge_verify(a->cert_der, a->cert_der_len,
	    challenge, sizeof(challenge), sig, siglen, NULL) == 0;
	a->chain = card_jpki_chain_check(roots, a->cert_der, a->cert_der_len, time(NULL));
	judge(a, basic4);
	sodium_memzero(sig, sizeof(sig));
	*out = a;
	return 0;
fail:
	card_jpki_auth_free(a);
	return r;
}

void
card_result_add_jpki(struct card_result *res, const struct card_jpki_auth *a)
{
	if (res == NULL || a == NULL)
		return;
	res->jpki = (int)a->verdict;
	card_jpki_auth_summary(a, res->jpki_summary, sizeof(res->jpki_summary));
	switch (a->verdict) {
	case CARD_JPKI_VERIFIED:
		/* never over a failure of the read's own checks */
		if (res->auth != CARD_AUTH_FAILED) {
			res->auth = CARD_AUTH_VERIFIED;
			res->auth_fail = CARD_FAIL_NONE;
		}
		if (res->chip != CARD_CHIP_FAILED)
			res->chip = CARD_CHIP_GENUINE;
		break;
	case CARD_JPKI_FAILED:
		res->auth = CARD_AUTH_FAILED;
		if (a->detail != NULL && strcmp(a->detail, "signature") == 0) {
			res->auth_fail = CARD_FAIL_SIGNATURE;
			res->chip = CARD_CHIP_FAILED;
		} else if (a->detail != NULL && strcmp(a->detail, "subject") == 0)
			res->auth_fail = CARD_FAIL_SUBJECT;
		else
			res->auth_fail = CARD_FAIL_CERTIFICATE;
		break;
	case CARD_JPKI_UNVERIFIABLE:
		break;
	}
}
