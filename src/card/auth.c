/*
 * auth.c — is the card's data the issuer's, and is the chip the one it was
 * issued to (issue 11; SPEC 5 Authenticity; LAYOUT.md).
 *
 *   - trust anchors: the issuer (CA) keys the terminal holds, from
 *     `[card] trust_anchors` (the CA key is never on the card);
 *   - EF 0004's card-verifiable certificate, checked with the anchor its
 *     issuer key ID names;
 *   - with the certified key: DF33 over DF31‖DF32 and DF52 over DF51
 *     (入力補助AP), DF28 over the three group hashes (確認AP, recovered and
 *     compared, since its DigestInfo carries 96 bytes, not a hash);
 *   - the digests the unlock method could read;
 *   - then, and only then, a challenge: 32 fresh random bytes, 80 2A, the
 *     answer checked with the card key from the verified record.
 *
 * RSA is OpenSSL 3 libcrypto's (ossl.c); hashing and randomness are
 * libsodium's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "card.h"
#include "card-internal.h"
#include "ossl.h"

/* ---------------------------------------------------------------- names */

const char *
card_auth_name(enum card_auth a)
{
	switch (a) {
	case CARD_AUTH_VERIFIED: return "verified";
	case CARD_AUTH_FAILED: return "failed";
	case CARD_AUTH_UNVERIFIABLE: return "unverifiable";
	default: return "not-checked";
	}
}

const char *
card_auth_fail_name(enum card_auth_fail f)
{
	switch (f) {
	case CARD_FAIL_CERTIFICATE: return "certificate";
	case CARD_FAIL_SIGNATURE: return "signature";
	case CARD_FAIL_DIGEST: return "digest";
	case CARD_FAIL_SUBJECT: return "subject";
	default: return "";
	}
}

const char *
card_chip_name(enum card_chip c)
{
	switch (c) {
	case CARD_CHIP_GENUINE: return "genuine";
	case CARD_CHIP_FAILED: return "failed";
	default: return "not-checked";
	}
}

const char *
card_auth_name_ja(enum card_auth a)
{
	switch (a) {
	case CARD_AUTH_VERIFIED: return "検証済み";
	case CARD_AUTH_FAILED: return "検証失敗";
	case CARD_AUTH_UNVERIFIABLE: return "検証できません（発行者の鍵が未登録）";
	default: return "未検証";
	}
}

const char *
card_auth_fail_name_ja(enum card_auth_fail f)
{
	switch (f) {
	case CARD_FAIL_CERTIFICATE: return "発行者証明書";
	case CARD_FAIL_SIGNATURE: return "署名";
	case CARD_FAIL_DIGEST: return "ハッシュ値";
	case CARD_FAIL_SUBJECT: return "電子証明書の氏名等";
	default: return "";
	}
}

const char *
card_chip_name_ja(enum card_chip c)
{
	switch (c) {
	case CARD_CHIP_GENUINE: return "真正（チップ確認済み）";
	case CARD_CHIP_FAILED: return "不一致（複製の疑い）";
	default: return "未確認";
	}
}

/* -------------------------------------------------------- trust anchors */

void
card_keyid_hex(const uint8_t keyid[CARD_KEYID_LEN], char out[2 * CARD_KEYID_LEN + 1])
{
	hex_encode(keyid, CARD_KEYID_LEN, out);
}

static int
anchor_field(const char **s, size_t *n, const char **f, size_t *fn)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	*f = *s;
	while (*n > 0 && **s != ' ' && **s != '\t') {
		(*s)++;
		(*n)--;
	}
	*fn = (size_t)(*s - *f);
	return *fn > 0;
}

int
card_anchors_parse(const char *text, size_t len, const char *name,
    struct card_anchors *out, struct err *e)
{
	struct rbuf b;
	const char *line;
	size_t n, lineno = 0;
	struct card_anchor *v = NULL;
	size_t cnt = 0;

	memset(out, 0, sizeof(*out));
	if (name == NULL)
		name = "trust_anchors";
	rbuf_init(&b, text, len);
	while (rbuf_get_line(&b, &line, &n) == 0) {
		const char *f[3], *rest;
		size_t fn[3], restn;
		struct card_anchor a;
		int r;
		const char *why = NULL;

		lineno++;
		memset(&a, 0, sizeof(a));
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		{
			size_t k = 0;
			while (k < n && (line[k] == ' ' || line[k] == '\t'))
				k++;
			if (k == n || line[k] == '#')
				continue;
		}
		rest = line;
		restn = n;
		for (int i = 0; i < 3; i++)
			if (!anchor_field(&rest, &restn, &f[i], &fn[i])) {
				why = "expected KEYID EXPONENT MODULUS (hex)";
				break;
			}
		if (why == NULL) {
			const char *x;
			size_t xn;
			if (anchor_field(&rest, &restn, &x, &xn))
				why = "more than three fields";
		}
		if (why == NULL && (fn[0] != 2 * CARD_KEYID_LEN ||
		    hex_decode(f[0], fn[0], a.keyid, sizeof(a.keyid)) != CARD_KEYID_LEN))
			why = "KEYID must be 32 hex digits";
		if (why == NULL && ((r = hex_decode(f[1], fn[1], a.e, sizeof(a.e))) <= 0))
			why = "EXPONENT must be 1 to 8 bytes of hex";
		else if (why == NULL)
			a.elen = (size_t)r;
		if (why == NULL && ((r = hex_decode(f[2], fn[2], a.n, sizeof(a.n))) < 128 ||
		    a.n[0] == 0))
			why = "MODULUS must be 128 to 512 bytes of hex without leading zeros";
		else if (why == NULL)
			a.nlen = (size_t)r;
		if (why == NULL && (a.elen == 0 || !(a.e[a.elen - 1] & 1)))
			why = "EXPONENT must be odd";
		if (why == NULL)
			for (size_t i = 0; i < cnt; i++)
				if (memcmp(v[i].keyid, a.keyid, CARD_KEYID_LEN) == 0)
					why = "KEYID given twice";
		if (why != NULL) {
			free(v);
			return err_set(e, ERR_FORMAT, "%s:%zu: %s", name, lineno, why);
		}
		{
			struct card_anchor *nv = realloc(v, (cnt + 1) * sizeof(*v));
			if (nv == NULL) {
				free(v);
				return err_set(e, ERR_NOMEM, "out of memory");
			}
			v = nv;
		}
		v[cnt++] = a;
	}
	out->v = v;
	out->n = cnt;
	return 0;
}

int
card_anchors_load(const char *path, struct card_anchors *out, struct err *e)
{
	FILE *f;
	char *text;
	size_t n;
	int r;

	memset(out, 0, sizeof(*out));
	if ((f = fopen(path, "rb")) == NULL)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	if ((text = malloc(1 << 20)) == NULL) {
		fclose(f);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	n = fread(text, 1, 1 << 20, f);
	fclose(f);
	if (n == 1 << 20) {
		free(text);
		return err_set(e, ERR_RANGE, "%s: larger than 1 MiB", path);
	}
	r = card_anchors_parse(text, n, path, out, e);
	free(text);
	return r;
}

void
card_anchors_free(struct card_anchors *a)
{
	if (a == NULL)
		return;
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

const struct card_anchor *
card_anchors_find(const struct card_anchors *a, const uint8_t keyid[CARD_KEYID_LEN])
{
	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < a->n; i++)
		if (memcmp(a->v[i].keyid, keyid, CARD_KEYID_LEN) == 0)
			return &a->v[i];
	return NULL;
}

/* ------------------------------------------------------- card key, CVC */

int
card_parse_rsakey(const uint8_t *p, size_t n, struct card_rsa_pub *k, struct err *e)
{
	struct rbuf b;
	struct tlv te, tn;

	rbuf_init(&b, p, n);
	if (rbuf_get_tlv(&b, &te) != 0 || te.tag != 0x90 || te.len == 0 || te.len > 8 ||
	    rbuf_get_tlv(&b, &tn) != 0 || tn.tag != 0x91 || tn.len < 128 || tn.len > 512 ||
	    tn.val[0] == 0 || rbuf_left(&b) != 0)
		return err_set(e, ERR_FORMAT, "card data: RSA key is not 90 exponent, 91 modulus");
	k->e = te.val;
	k->elen = te.len;
	k->n = tn.val;
	k->nlen = tn.len;
	return 0;
}

int
card_parse_cvc(const uint8_t *p, size_t n, struct card_cvc *c, struct err *e)
{
	struct rbuf b, in;
	struct tlv top, body, sig;

	memset(c, 0, sizeof(*c));
	rbuf_init(&b, p, n);
	if (rbuf_get_tlv(&b, &top) != 0 || top.tag != 0x7F21)
		return err_set(e, ERR_FORMAT, "certificate: not a 7F21 element");
	while (rbuf_left(&b) > 0) {
		uint8_t x;
		rbuf_get_u8(&b, &x);
		if (x != 0xFF && x != 0x00)
			return err_set(e, ERR_FORMAT, "certificate: bytes after the element");
	}
	rbuf_init(&in, top.val, top.len);
	if (rbuf_get_tlv(&in, &body) != 0 || body.tag != 0x5F4E ||
	    rbuf_get_tlv(&in, &sig) != 0 || sig.tag != 0x5F37 || rbuf_left(&in) != 0)
		return err_set(e, ERR_FORMAT, "certificate: expected 5F4E then 5F37");
	if (body.len < 2 * CARD_KEYID_LEN + 2 || sig.len < 128 || sig.len > 512)
		return err_set(e, ERR_FORMAT, "certificate: body or signature of a wrong size");
	memcpy(c->issuer, body.val, CARD_KEYID_LEN);
	memcpy(c->subject, body.val + CARD_KEYID_LEN, CARD_KEYID_LEN);
	if (card_parse_rsakey(body.val + 2 * CARD_KEYID_LEN, body.len - 2 * CARD_KEYID_LEN,
	    &c->key, e) != 0)
		return err_prefix(e, "certificate: ");
	c->body = body.val;
	c->body_len = body.len;
	c->sig = sig.val;
	c->sig_len = sig.len;
	return 0;
}

/* --------------------------------------------------------------- RSA */

size_t
card_digestinfo_sha256(const uint8_t *v, size_t vlen, uint8_t *out, size_t cap)
{
	/* SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.2.1, NULL }, OCTET STRING } */
	static const uint8_t alg[] = { 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00 };
	size_t inner = sizeof(alg) + 2 + vlen;

	if (vlen > 0x7F || inner > 0x7F || inner + 2 > cap)
		return 0;
	out[0] = 0x30;
	out[1] = (uint8_t)inner;
	memcpy(out + 2, alg, sizeof(alg));
	out[2 + sizeof(alg)] = 0x04;
	out[3 + sizeof(alg)] = (uint8_t)vlen;
	memcpy(out + 4 + sizeof(alg), v, vlen);
	return inner + 2;
}

int
card_rsa_recover(const struct card_rsa_pub *k, const uint8_t *sig, size_t siglen,
    uint8_t *out, size_t cap, size_t *outlen)
{
	*outlen = 0;
	if (k->n == NULL || k->e == NULL || siglen != k->nlen)
		return ERR_AUTH;
	return ossl_rsa_recover(k->n, k->nlen, k->e, k->elen, sig, siglen, out, cap,
	    outlen) == 0 ? 0 : ERR_AUTH;
}

int
card_rsa_check(const struct card_rsa_pub *k, const uint8_t *sig, size_t siglen,
    const uint8_t *di, size_t dlen)
{
	uint8_t got[512];
	size_t n;

	if (card_rsa_recover(k, sig, siglen, got, sizeof(got), &n) != 0)
		return ERR_AUTH;
	return n == dlen && sodium_memcmp(got, di, dlen) == 0 ? 0 : ERR_AUTH;
}

int
card_rsa_verify_sha256(const struct card_rsa_pub *k, const uint8_t *sig, size_t siglen,
    const uint8_t *data, size_t dlen)
{
	uint8_t h[32], di[64];
	size_t n;

	if (sodium_init() < 0)
		return ERR_CRYPTO;
	crypto_hash_sha256(h, data, dlen);
	n = card_digestinfo_sha256(h, sizeof(h), di, sizeof(di));
	return card_rsa_check(k, sig, siglen, di, n);
}

/* ------------------------------------------------------ the verdicts */

static void
fail(struct card_result *r, enum card_auth_fail why)
{
	r->auth = CARD_AUTH_FAILED;
	r->auth_fail = why;
	r->chip = CARD_CHIP_NOT_CHECKED;
}

/* The certificate: its issuer must be an anchor and must have signed it.
 * Returns 1 when the certified key may be used, 0 when the verdict is
 * settled (unverifiable or failed). */
static int
cert_check(const uint8_t *ef4, size_t n4, const struct card_anchors *anchors,
    struct card_cvc *cvc, struct card_result *r)
{
	const struct card_anchor *a;
	struct card_rsa_pub ak;

	if (ef4 == NULL || card_parse_cvc(ef4, n4, cvc, NULL) != 0) {
		fail(r, CARD_FAIL_CERTIFICATE);
		return 0;
	}
	card_keyid_hex(cvc->issuer, r->issuer_key_id);
	if ((a = card_anchors_find(anchors, cvc->issuer)) == NULL) {
		r->auth = CARD_AUTH_UNVERIFIABLE;
		r->auth_fail = CARD_FAIL_NONE;
		return 0;
	}
	ak.n = a->n;
	ak.nlen = a->nlen;
	ak.e = a->e;
	ak.elen = a->elen;
	if (card_rsa_verify_sha256(&ak, cvc->sig, cvc->sig_len, cvc->body, cvc->body_len) != 0) {
		fail(r, CARD_FAIL_CERTIFICATE);
		return 0;
	}
	return 1;
}

int
card_auth_kenhojo(const struct card_anchors *anchors, const uint8_t *ef3, size_t n3,
    const uint8_t *ef4, size_t n4, const uint8_t *ef7, size_t n7,
    struct card_result *r, struct card_rsa_pub *chipkey)
{
	struct card_cvc cvc;
	struct tlv top, t, df51, df52;
	struct rbuf b;
	size_t signed_len = 0;
	const uint8_t *sig = NULL;
	size_t siglen = 0;

	memset(chipkey, 0, sizeof(*chipkey));
	r->chip = CARD_CHIP_NOT_CHECKED;
	if (!cert_check(ef4, n4, anchors, &cvc, r))
		return 0;
	/* DF33 over everything in FF30 before it. */
	rbuf_init(&b, ef3, n3);
	if (ef3 == NULL || rbuf_get_tlv(&b, &top) != 0 || top.tag != 0xFF30) {
		fail(r, CARD_FAIL_SIGNATURE);
		return 0;
	}
	rbuf_init(&b, top.val, top.len);
	while (rbuf_left(&b) > 0) {
		size_t at = b.off;
		if (rbuf_get_tlv(&b, &t) != 0)
			break;
		if (t.tag == 0xDF33) {
			signed_len = at;
			sig = t.val;
			siglen = t.len;
			break;
		}
	}
	if (sig == NULL || card_rsa_verify_sha256(&cvc.key, sig, siglen, top.val,
	    signed_len) != 0) {
		fail(r, CARD_FAIL_SIGNATURE);
		return 0;
	}
	/* DF52 over the DF51 object: the card key is the issuer's. */
	rbuf_init(&b, ef7, n7);
	if (ef7 == NULL || rbuf_get_tlv(&b, &top) != 0 || top.tag != 0xFF50 ||
	    (rbuf_init(&b, top.val, top.len), rbuf_get_tlv(&b, &df51)) != 0 ||
	    df51.tag != 0xDF51 || rbuf_get_tlv(&b, &df52) != 0 || df52.tag != 0xDF52 ||
	    card_parse_rsakey(df51.val, df51.len, chipkey, NULL) != 0 ||
	    card_rsa_verify_sha256(&cvc.key, df52.val, df52.len, top.val, df51.total) != 0) {
		memset(chipkey, 0, sizeof(*chipkey));
		fail(r, CARD_FAIL_SIGNATURE);
		return 0;
	}
	/* The digests of what this unlock could read. */
	if (r->digest_mynumber == CARD_DIGEST_MISMATCH || r->digest_mynumber == CARD_DIGEST_MISSING ||
	    r->digest_basic4 != CARD_DIGEST_OK) {
		memset(chipkey, 0, sizeof(*chipkey));
		fail(r, CARD_FAIL_DIGEST);
		return 0;
	}
	r->auth = CARD_AUTH_VERIFIED;
	r->auth_fail = CARD_FAIL_NONE;
	return 1;
}

int
card_auth_kenmen(const struct card_anchors *anchors, const uint8_t *ef2, size_t n2,
    const uint8_t *ef4, size_t n4, struct card_result *r, struct card_rsa_pub *chipkey)
{
	struct card_cvc cvc;
	uint8_t groups[96], di[160];
	size_t din;
	struct tlv top, t, df24 = { 0 }, df28 = { 0 };
	struct rbuf b;
	int have24 = 0, have28 = 0;

	memset(chipkey, 0, sizeof(*chipkey));
	r->chip = CARD_CHIP_NOT_CHECKED;
	if (!cert_check(ef4, n4, anchors, &cvc, r))
		return 0;
	if (card_kenmen_digests(ef2, n2, groups) != 0) {
		fail(r, CARD_FAIL_SIGNATURE);
		return 0;
	}
	rbuf_init(&b, ef2, n2);
	if (rbuf_get_tlv(&b, &top) == 0) {
		rbuf_init(&b, top.val, top.len);
		while (rbuf_left(&b) > 0 && rbuf_get_tlv(&b, &t) == 0) {
			if (t.tag == 0xDF24) {
				df24 = t;
				have24 = 1;
			} else if (t.tag == 0xDF28) {
				df28 = t;
				have28 = 1;
			}
		}
	}
	/* The 96 bytes go into the DigestInfo as they are (LAYOUT.md). */
	din = card_digestinfo_sha256(groups, sizeof(groups), di, sizeof(di));
	if (!have24 || !have28 || din == 0 ||
	    card_rsa_check(&cvc.key, df28.val, df28.len, di, din) != 0 ||
	    card_parse_rsakey(df24.val, df24.len, chipkey, NULL) != 0) {
		memset(chipkey, 0, sizeof(*chipkey));
		fail(r, CARD_FAIL_SIGNATURE);
		return 0;
	}
	r->auth = CARD_AUTH_VERIFIED;
	r->auth_fail = CARD_FAIL_NONE;
	return 1;
}

int
card_challenge(struct card *c, const struct card_rsa_pub *chipkey, struct card_result *r,
    struct err *e)
{
	uint8_t rnd[32], h[32], di[64], resp[600];
	struct apdu a = { .cla = 0x80, .ins = 0x2A, .p1 = 0x00, .p2 = 0x00, .le = 256 };
	size_t n, din;
	uint16_t sw;
	int rc;

	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium did not initialise");
	randombytes_buf(rnd, sizeof(rnd));
	crypto_hash_sha256(h, rnd, sizeof(rnd));
	din = card_digestinfo_sha256(h, sizeof(h), di, sizeof(di));
	a.data = di;
	a.lc = din;
	if ((rc = card_transmit(c, &a, resp, sizeof(resp), &n, &sw, e)) != 0)
		return rc;
	if (sw == 0x9000 && card_rsa_check(chipkey, resp, n, di, din) == 0)
		r->chip = CARD_CHIP_GENUINE;
	else {
		r->chip = CARD_CHIP_FAILED;
		log_warn("card: chip challenge failed (SW %04X, %zu bytes): the card key is not "
		    "on this chip", sw, n);
	}
	return 0;
}
