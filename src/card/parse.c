/*
 * parse.c — the contents of the card's EFs as shared/cards/LAYOUT.md gives
 * them (public work on physical and JPKI test cards), read through the
 * bounded reader and the core BER-TLV parser only.  Every field is checked
 * for length and character set; anything unexpected is ERR_FORMAT with an
 * English reason that never quotes the 個人番号.
 *
 *   入力補助AP EF 0001  FF10 0C + 12 ASCII digits, then 2 filler bytes (17
 *                      bytes stored; DF31 covers all 17)
 *   入力補助AP EF 0002  FF20 { DF21 four 2-byte offsets from the start of the
 *                      file of DF22..DF25, DF22 氏名, DF23 住所, DF24 birth
 *                      YYYYMMDD, DF25 sex ISO 5218 }
 *   入力補助AP EF 0003  FF30 { DF31 SHA-256 of EF 0001 as stored, DF32 SHA-256
 *                      of FF20's value without DF21, DF33 signature }
 *   確認AP EF 0002      FF20 { DF21 offsets, DF22 birth, DF23 sex, DF24 card
 *                      key, DF25 氏名 PNG, DF26 住所 PNG, DF27 face JP2, DF28
 *                      signature, DF29 expiry, DF2A security code PNG }
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"

#define TEXT_MAX 1024

static int
fmt_err(struct err *e, const char *what)
{
	return err_set_ja(e, ERR_FORMAT, "カードの情報の形式が正しくありません。",
	    "card data: %s", what);
}

/* The one top-level element of an EF: exactly one TLV with this tag
 * (trailing FF/00 padding tolerated). */
static int
top_element(const uint8_t *p, size_t n, uint32_t tag, struct tlv *t, struct err *e)
{
	struct rbuf b;
	int r;

	rbuf_init(&b, p, n);
	if ((r = rbuf_get_tlv(&b, t)) != 0)
		return err_set_ja(e, r, "カードの情報が壊れているか不完全です。",
		    "card data: %s element", r == ERR_SHORT ? "truncated" : "malformed");
	if (t->tag != tag)
		return fmt_err(e, "unexpected tag");
	while (rbuf_left(&b) > 0) {
		uint8_t x;
		rbuf_get_u8(&b, &x);
		if (x != 0xFF && x != 0x00)
			return fmt_err(e, "bytes after the element");
	}
	return 0;
}

static int
digits(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

static int
ymd_date(const uint8_t *p, size_t n, struct date *d)
{
	int v = 0;

	if (n != 8 || !digits(p, 8))
		return ERR_FORMAT;
	for (size_t i = 0; i < 8; i++)
		v = v * 10 + (p[i] - '0');
	return date_from_ymd(v, d) == 0 ? 0 : ERR_FORMAT;
}

static int
text_dup(const struct tlv *t, char **out)
{
	if (t->len == 0 || t->len > TEXT_MAX || !utf8_valid((const char *)t->val, t->len) ||
	    memchr(t->val, '\0', t->len) != NULL)
		return ERR_FORMAT;
	if ((*out = malloc(t->len + 1)) == NULL)
		return ERR_NOMEM;
	memcpy(*out, t->val, t->len);
	(*out)[t->len] = '\0';
	return 0;
}

static int
blob_dup(const struct tlv *t, uint8_t **out, size_t *n)
{
	if ((*out = malloc(t->len ? t->len : 1)) == NULL)
		return ERR_NOMEM;
	memcpy(*out, t->val, t->len);
	*n = t->len;
	return 0;
}

int
card_parse_mynumber(const uint8_t *p, size_t n, struct card_result *r, struct err *e)
{
	struct tlv t;
	int rc;

	if ((rc = top_element(p, n, 0xFF10, &t, e)) != 0)
		return rc;
	if (t.len != MYNUMBER_LEN || !digits(t.val, t.len))
		return fmt_err(e, "個人番号 is not 12 digits");
	if (sodium_init() < 0 || (r->mynumber = sodium_malloc(MYNUMBER_LEN + 1)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	memcpy(r->mynumber, t.val, MYNUMBER_LEN);
	r->mynumber[MYNUMBER_LEN] = '\0';
	r->mynumber_check_ok = mynumber_validate(r->mynumber, MYNUMBER_LEN, NULL) == 0;
	return 0;
}

/* DF21: n 2-byte offsets; each must be where the object that follows
 * really starts (counted from the first byte of the file). */
static int
offsets_check(const struct tlv *df21, const size_t *real, size_t nreal, size_t want)
{
	size_t k = df21->len / 2;

	if (df21->len % 2 != 0 || k < want || k > nreal)
		return ERR_FORMAT;
	for (size_t i = 0; i < k; i++)
		if ((size_t)(df21->val[2 * i] << 8 | df21->val[2 * i + 1]) != real[i])
			return ERR_FORMAT;
	return 0;
}

static int
sex_code(const struct tlv *t, int *sex)
{
	if (t->len != 1 || (t->val[0] != '0' && t->val[0] != '1' && t->val[0] != '2' &&
	    t->val[0] != '9'))
		return ERR_FORMAT;
	*sex = t->val[0] - '0';
	return 0;
}

int
card_parse_basic4(const uint8_t *p, size_t n, struct card_result *r, struct err *e)
{
	struct tlv top, t, df21;
	struct rbuf b;
	size_t real[4], hdr;
	int rc, seen = 0;
	static const uint32_t order[4] = { 0xDF22, 0xDF23, 0xDF24, 0xDF25 };

	if ((rc = top_element(p, n, 0xFF20, &top, e)) != 0)
		return rc;
	hdr = top.total - top.len;
	rbuf_init(&b, top.val, top.len);
	if ((rc = rbuf_get_tlv(&b, &df21)) != 0 || df21.tag != 0xDF21)
		return fmt_err(e, "基本4情報 does not begin with its DF21 offset table");
	for (int i = 0; i < 4; i++) {
		real[i] = hdr + b.off;
		if ((rc = rbuf_get_tlv(&b, &t)) != 0)
			return err_set_ja(e, rc, "カードの情報が壊れているか不完全です。",
			    "基本4情報: malformed inner element");
		if (t.tag != order[i])
			return fmt_err(e, "基本4情報: elements missing or out of order");
		switch (t.tag) {
		case 0xDF22:
			if ((rc = text_dup(&t, &r->name)) != 0)
				return rc == ERR_NOMEM ? err_set(e, rc, "out of memory") :
				    fmt_err(e, "bad name");
			break;
		case 0xDF23:
			if ((rc = text_dup(&t, &r->address)) != 0)
				return rc == ERR_NOMEM ? err_set(e, rc, "out of memory") :
				    fmt_err(e, "bad address");
			break;
		case 0xDF24:
			if (ymd_date(t.val, t.len, &r->birth) != 0)
				return fmt_err(e, "bad birth date");
			break;
		case 0xDF25:
			if (sex_code(&t, &r->sex) != 0)
				return fmt_err(e, "bad sex code");
			break;
		}
		seen++;
	}
	if (rbuf_left(&b) > 0)
		return fmt_err(e, "unknown element in 基本4情報");
	if (offsets_check(&df21, real, 4, 4) != 0)
		return fmt_err(e, "基本4情報: DF21 offsets do not match the objects");
	return seen == 4 ? 0 : fmt_err(e, "基本4情報 incomplete");
}

int
card_basic4_digest(const uint8_t *p, size_t n, uint8_t out[32])
{
	crypto_hash_sha256_state st;
	struct tlv top, t;
	struct rbuf b;
	size_t start;

	if (top_element(p, n, 0xFF20, &top, NULL) != 0)
		return ERR_FORMAT;
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	crypto_hash_sha256_init(&st);
	rbuf_init(&b, top.val, top.len);
	while (rbuf_left(&b) > 0) {
		start = b.off;
		if (rbuf_get_tlv(&b, &t) != 0)
			return ERR_FORMAT;
		if (t.tag != 0xDF21)
			crypto_hash_sha256_update(&st, top.val + start, t.total);
	}
	crypto_hash_sha256_final(&st, out);
	return 0;
}

static enum card_digest
digest_check(const uint8_t *p, size_t n, uint32_t tag, const uint8_t *h, int have)
{
	struct tlv t;

	if (!have)
		return CARD_DIGEST_UNCHECKED;
	if (tlv_find(p, n, tag, &t) != 0 || t.len != 32)
		return CARD_DIGEST_MISSING;
	return sodium_memcmp(h, t.val, 32) == 0 ? CARD_DIGEST_OK : CARD_DIGEST_MISMATCH;
}

int
card_parse_digests(const uint8_t *p, size_t n, const uint8_t *ef1, size_t ef1n,
    const uint8_t *ef2, size_t ef2n, struct card_result *r, struct err *e)
{
	struct tlv top, t;
	struct rbuf b;
	uint8_t h1[32], h2[32];
	int rc, have2 = 0;

	if ((rc = top_element(p, n, 0xFF30, &top, e)) != 0)
		return rc;
	/* Every inner element must parse, even those we do not use. */
	rbuf_init(&b, top.val, top.len);
	while (rbuf_left(&b) > 0)
		if ((rc = rbuf_get_tlv(&b, &t)) != 0)
			return err_set_ja(e, rc, "カードの情報が壊れているか不完全です。",
			    "digests: malformed inner element");
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium did not initialise");
	/* DF31: the whole stored EF 0001, filler included. */
	if (ef1 != NULL)
		crypto_hash_sha256(h1, ef1, ef1n);
	if (ef2 != NULL) {
		if (card_basic4_digest(ef2, ef2n, h2) != 0)
			return fmt_err(e, "基本4情報 malformed");
		have2 = 1;
	}
	r->digest_mynumber = digest_check(top.val, top.len, 0xDF31, h1, ef1 != NULL);
	r->digest_basic4 = digest_check(top.val, top.len, 0xDF32, h2, have2);
	if (tlv_find(top.val, top.len, 0xDF33, &t) == 0 && r->signature == NULL) {
		if (blob_dup(&t, &r->signature, &r->signature_len) != 0)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

static int
sodium_dup(const struct tlv *t, uint8_t **out, size_t *n)
{
	if (t->len == 0)
		return ERR_FORMAT;
	if (sodium_init() < 0 || (*out = sodium_malloc(t->len)) == NULL)
		return ERR_NOMEM;
	memcpy(*out, t->val, t->len);
	*n = t->len;
	return 0;
}

#define KENMEN_N 10	/* DF21 .. DF2A */

/* The 確認AP's EF 0002 objects DF21..DF2A, in order, each exactly once. */
static int
kenmen_split(const uint8_t *p, size_t n, struct tlv obj[KENMEN_N],
    size_t real[KENMEN_N], struct err *e)
{
	struct tlv top;
	struct rbuf b;
	size_t hdr;
	int rc;

	if ((rc = top_element(p, n, 0xFF20, &top, e)) != 0)
		return rc;
	hdr = top.total - top.len;
	rbuf_init(&b, top.val, top.len);
	for (int i = 0; i < KENMEN_N; i++) {
		real[i] = hdr + b.off;
		if ((rc = rbuf_get_tlv(&b, &obj[i])) != 0)
			return err_set_ja(e, rc, "カードの情報が壊れているか不完全です。",
			    "券面事項: malformed inner element");
		if (obj[i].tag != (uint32_t)(0xDF21 + i))
			return fmt_err(e, "券面事項: elements missing or out of order");
	}
	if (rbuf_left(&b) > 0)
		return fmt_err(e, "unknown element in 券面事項");
	return 0;
}

int
card_kenmen_digests(const uint8_t *p, size_t n, uint8_t out[96])
{
	struct tlv o[KENMEN_N];
	size_t real[KENMEN_N];
	crypto_hash_sha256_state st;
	/* Groups of objects (index into o): DF22‖DF23‖DF24, DF25‖DF26, DF27. */
	static const int from[3] = { 1, 4, 6 }, to[3] = { 3, 5, 6 };

	if (kenmen_split(p, n, o, real, NULL) != 0 || sodium_init() < 0)
		return ERR_FORMAT;
	for (int g = 0; g < 3; g++) {
		crypto_hash_sha256_init(&st);
		for (int i = from[g]; i <= to[g]; i++)
			crypto_hash_sha256_update(&st, p + real[i], o[i].total);
		crypto_hash_sha256_final(&st, out + 32 * g);
	}
	return 0;
}

int
card_parse_kenmen(const uint8_t *p, size_t n, struct card_result *r, struct err *e)
{
	struct tlv o[KENMEN_N];
	size_t real[KENMEN_N];
	struct date exp;
	int rc;

	if ((rc = kenmen_split(p, n, o, real, e)) != 0)
		return rc;
	if (offsets_check(&o[0], real + 1, KENMEN_N - 1, 1) != 0)
		return fmt_err(e, "券面事項: DF21 offsets do not match the objects");
	if (ymd_date(o[1].val, o[1].len, &r->birth) != 0)
		return fmt_err(e, "bad birth date");
	if (sex_code(&o[2], &r->sex) != 0)
		return fmt_err(e, "bad sex code");
	{
		struct card_rsa_pub k;
		if (card_parse_rsakey(o[3].val, o[3].len, &k, NULL) != 0)
			return fmt_err(e, "券面事項: bad card key");
	}
	if (ymd_date(o[8].val, o[8].len, &exp) != 0)
		return fmt_err(e, "bad expiry date");
	if (o[7].len == 0)
		return fmt_err(e, "券面事項: empty signature");
	if ((rc = sodium_dup(&o[4], &r->face.name_png, &r->face.name_len)) != 0 ||
	    (rc = sodium_dup(&o[5], &r->face.addr_png, &r->face.addr_len)) != 0 ||
	    (rc = sodium_dup(&o[6], &r->face.photo_jp2, &r->face.photo_len)) != 0) {
		card_face_free(&r->face);
		return rc == ERR_NOMEM ? err_set(e, rc, "out of memory") :
		    fmt_err(e, "empty image");
	}
	r->expiry = exp;
	date_format_iso(&exp, r->face.expiry, sizeof(r->face.expiry));
	if (r->signature == NULL && blob_dup(&o[7], &r->signature, &r->signature_len) != 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	return 0;
}

void
card_result_free(struct card_result *r)
{
	if (r == NULL)
		return;
	if (r->mynumber != NULL)
		sodium_free(r->mynumber);
	if (r->name != NULL) {
		sodium_memzero(r->name, strlen(r->name));
		free(r->name);
	}
	if (r->address != NULL) {
		sodium_memzero(r->address, strlen(r->address));
		free(r->address);
	}
	if (r->signature != NULL) {
		sodium_memzero(r->signature, r->signature_len);
		free(r->signature);
	}
	card_face_free(&r->face);
	sodium_memzero(r, sizeof(*r));
	free(r);
}

void
card_face_free(struct card_face *f)
{
	if (f == NULL)
		return;
	if (f->photo_jp2 != NULL)
		sodium_free(f->photo_jp2);	/* sodium_free wipes */
	if (f->name_png != NULL)
		sodium_free(f->name_png);
	if (f->addr_png != NULL)
		sodium_free(f->addr_png);
	sodium_memzero(f, sizeof(*f));
}
