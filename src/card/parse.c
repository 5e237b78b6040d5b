/*
 * parse.c — the contents of the card's EFs, read through the bounded reader
 * and the core BER-TLV parser only.  Every field is checked for length and
 * character set; anything unexpected is ERR_FORMAT with an English reason
 * that never quotes the 個人番号.
 *
 *   EF 0001  DF10 個人番号 (12 ASCII digits)
 *   EF 0002  FF20 { DF21 header, DF22 name, DF23 address, DF24 birth
 *                   YYYYMMDD, DF25 sex ISO 5218 ('1' '2' '9') }
 *   EF 0003  FF30 { DF31 SHA-256 of EF 0001's element, DF32 SHA-256 of
 *                   EF 0002's element, DF33 signature }
 *   確認AP EF 0002  FF40 { DF41 birth, DF42 sex, DF43 name image,
 *                   DF44 address image, DF45 face photo, DF46 expiry }
 *
 * Which bytes the card's digests cover is not public; we hash the whole
 * TLV element as read (see mynacard-sim(1)).
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

	if ((rc = top_element(p, n, 0xDF10, &t, e)) != 0)
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

int
card_parse_basic4(const uint8_t *p, size_t n, struct card_result *r, struct err *e)
{
	struct tlv top, t;
	struct rbuf b;
	int rc, seen = 0;

	if ((rc = top_element(p, n, 0xFF20, &top, e)) != 0)
		return rc;
	rbuf_init(&b, top.val, top.len);
	while (rbuf_left(&b) > 0) {
		if ((rc = rbuf_get_tlv(&b, &t)) != 0)
			return err_set_ja(e, rc, "カードの情報が壊れているか不完全です。",
			    "基本4情報: malformed inner element");
		switch (t.tag) {
		case 0xDF21:
			break;		/* header: offsets of the items, not needed */
		case 0xDF22:
			if (r->name != NULL || (rc = text_dup(&t, &r->name)) != 0)
				return rc == ERR_NOMEM ? err_set(e, rc, "out of memory") :
				    fmt_err(e, "bad or repeated name");
			seen |= 1;
			break;
		case 0xDF23:
			if (r->address != NULL || (rc = text_dup(&t, &r->address)) != 0)
				return rc == ERR_NOMEM ? err_set(e, rc, "out of memory") :
				    fmt_err(e, "bad or repeated address");
			seen |= 2;
			break;
		case 0xDF24:
			if ((seen & 4) || ymd_date(t.val, t.len, &r->birth) != 0)
				return fmt_err(e, "bad birth date");
			seen |= 4;
			break;
		case 0xDF25:
			if ((seen & 8) || t.len != 1 ||
			    (t.val[0] != '1' && t.val[0] != '2' && t.val[0] != '9'))
				return fmt_err(e, "bad sex code");
			r->sex = t.val[0] - '0';
			seen |= 8;
			break;
		default:
			return fmt_err(e, "unknown element in 基本4情報");
		}
	}
	if (seen != 15)
		return fmt_err(e, "基本4情報 incomplete");
	return 0;
}

static enum card_digest
digest_check(const uint8_t *p, size_t n, uint32_t tag, const uint8_t *data, size_t dn)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	struct tlv t;

	if (tlv_find(p, n, tag, &t) != 0 || t.len != sizeof(h) || data == NULL)
		return CARD_DIGEST_MISSING;
	crypto_hash_sha256(h, data, dn);
	return sodium_memcmp(h, t.val, sizeof(h)) == 0 ? CARD_DIGEST_OK :
	    CARD_DIGEST_MISMATCH;
}

int
card_parse_digests(const uint8_t *p, size_t n, const uint8_t *ef1, size_t ef1n,
    const uint8_t *ef2, size_t ef2n, struct card_result *r, struct err *e)
{
	struct tlv top, t;
	struct rbuf b;
	int rc;

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
	r->digest_mynumber = digest_check(top.val, top.len, 0xDF31, ef1, ef1n);
	r->digest_basic4 = digest_check(top.val, top.len, 0xDF32, ef2, ef2n);
	if (tlv_find(top.val, top.len, 0xDF33, &t) == 0 && r->signature == NULL) {
		if (blob_dup(&t, &r->signature, &r->signature_len) != 0)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

int
card_parse_kenmen(const uint8_t *p, size_t n, struct card_result *r, struct err *e)
{
	struct tlv top, t;
	struct rbuf b;
	int rc, seen = 0;

	if ((rc = top_element(p, n, 0xFF40, &top, e)) != 0)
		return rc;
	rbuf_init(&b, top.val, top.len);
	while (rbuf_left(&b) > 0) {
		uint8_t **blob = NULL;
		size_t *blen = NULL;
		int bit;

		if ((rc = rbuf_get_tlv(&b, &t)) != 0)
			return err_set_ja(e, rc, "カードの情報が壊れているか不完全です。",
			    "券面事項: malformed inner element");
		switch (t.tag) {
		case 0xDF41:
			if ((seen & 1) || ymd_date(t.val, t.len, &r->birth) != 0)
				return fmt_err(e, "bad birth date");
			bit = 1;
			break;
		case 0xDF42:
			if ((seen & 2) || t.len != 1 ||
			    (t.val[0] != '1' && t.val[0] != '2' && t.val[0] != '9'))
				return fmt_err(e, "bad sex code");
			r->sex = t.val[0] - '0';
			bit = 2;
			break;
		case 0xDF43: blob = &r->name_image; blen = &r->name_image_len; bit = 4; break;
		case 0xDF44: blob = &r->address_image; blen = &r->address_image_len; bit = 8; break;
		case 0xDF45: blob = &r->photo; blen = &r->photo_len; bit = 16; break;
		case 0xDF46:
			if ((seen & 32) || ymd_date(t.val, t.len, &r->expiry) != 0)
				return fmt_err(e, "bad expiry date");
			bit = 32;
			break;
		default:
			return fmt_err(e, "unknown element in 券面事項");
		}
		if (seen & bit)
			return fmt_err(e, "repeated element in 券面事項");
		if (blob != NULL) {
			if (t.len == 0)
				return fmt_err(e, "empty image");
			if (blob_dup(&t, blob, blen) != 0)
				return err_set(e, ERR_NOMEM, "out of memory");
		}
		seen |= bit;
	}
	if (seen != 63)
		return fmt_err(e, "券面事項 incomplete");
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
	if (r->name_image != NULL) {
		sodium_memzero(r->name_image, r->name_image_len);
		free(r->name_image);
	}
	if (r->address_image != NULL) {
		sodium_memzero(r->address_image, r->address_image_len);
		free(r->address_image);
	}
	if (r->photo != NULL) {
		sodium_memzero(r->photo, r->photo_len);
		free(r->photo);
	}
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
