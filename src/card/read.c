/*
 * read.c — the three reads a counter needs: 券面事項入力補助AP (個人番号 and
 * 基本4情報 with their digests, signature, issuer certificate and card key),
 * 券面事項確認AP (images for 対面確認, signed) and JPKI (authentication
 * certificate and retry counters).  Authenticity is decided in auth.c and
 * the chip challenged inside the same transaction.
 *
 * Each read runs inside one PC/SC transaction and either returns a complete
 * result or nothing: a card pulled out mid-read, a short or malformed
 * answer, or a refused VERIFY frees everything read so far.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "card-internal.h"

static void
ef_free(uint8_t *p, size_t n)
{
	if (p != NULL) {
		sodium_memzero(p, n);
		free(p);
	}
}

static int
read_ef(struct card *c, uint16_t fid, uint8_t **p, size_t *n, struct err *e)
{
	int r;

	if ((r = card_select_ef(c, fid, e)) != 0)
		return r;
	if ((r = card_read_tlv_ef(c, p, n, e)) != 0)
		err_prefix(e, "EF %04X: ", fid);
	return r;
}

static int
read_small(struct card *c, uint16_t fid, uint8_t **p, size_t *n, struct err *e)
{
	int r;

	if ((r = card_select_ef(c, fid, e)) != 0)
		return r;
	if ((r = card_read_small_ef(c, p, n, e)) != 0)
		err_prefix(e, "EF %04X: ", fid);
	return r;
}

int
card_read_kenhojo(struct card *c, struct card_read_req *req,
    struct card_result **out, struct err *e)
{
	struct card_result *res = NULL;
	uint8_t *ef1 = NULL, *ef2 = NULL, *ef3 = NULL, *ef4 = NULL, *ef7 = NULL;
	size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0, n7 = 0;
	struct card_rsa_pub chipkey;
	enum card_pin which;
	int r;

	*out = NULL;
	req->tries_before = req->tries_after = -1;
	if (req->method == CARD_UNLOCK_PIN)
		which = CARD_PIN_KENHOJO;
	else if (req->method == CARD_UNLOCK_B)
		which = CARD_PIN_KENHOJO_B;
	else
		return err_set(e, ERR_INVAL, "no unlock method given");
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = card_begin(c, e)) != 0) {
		free(res);
		return r;
	}
	/* 照合番号B opens EF 0002, 0003 and 0007 but not EF 0001 (LAYOUT.md):
	 * a B read has no 個人番号. */
	if ((r = card_select_ap(c, CARD_AP_KENHOJO, e)) != 0 ||
	    (r = card_verify_safe(c, which, req, e)) != 0 ||
	    (req->method == CARD_UNLOCK_PIN && (r = read_small(c, 0x0001, &ef1, &n1, e)) != 0) ||
	    (r = read_ef(c, 0x0002, &ef2, &n2, e)) != 0 ||
	    (r = read_ef(c, 0x0003, &ef3, &n3, e)) != 0 ||
	    (r = read_ef(c, 0x0004, &ef4, &n4, e)) != 0 ||
	    (r = read_ef(c, 0x0007, &ef7, &n7, e)) != 0)
		goto done;
	res->ap = CARD_AP_KENHOJO;
	res->unlock = req->method;
	res->tries_left = req->tries_before;
	if ((ef1 != NULL && (r = card_parse_mynumber(ef1, n1, res, e)) != 0) ||
	    (r = card_parse_basic4(ef2, n2, res, e)) != 0 ||
	    (r = card_parse_digests(ef3, n3, ef1, n1, ef2, n2, res, e)) != 0)
		goto done;
	if (res->digest_mynumber == CARD_DIGEST_MISMATCH ||
	    res->digest_mynumber == CARD_DIGEST_MISSING || res->digest_basic4 != CARD_DIGEST_OK)
		log_warn("card: digest check: 個人番号 %s, 基本4情報 %s",
		    res->digest_mynumber == CARD_DIGEST_OK ? "ok" :
		    res->digest_mynumber == CARD_DIGEST_UNCHECKED ? "not read" : "MISMATCH",
		    res->digest_basic4 == CARD_DIGEST_OK ? "ok" : "MISMATCH");
	/* The chip is challenged only with a key from a verified record. */
	if (card_auth_kenhojo(req->anchors, ef3, n3, ef4, n4, ef7, n7, res, &chipkey) == 1)
		r = card_challenge(c, &chipkey, res, e);
	if (res->auth != CARD_AUTH_VERIFIED || res->chip != CARD_CHIP_GENUINE)
		log_warn("card: authenticity %s%s%s, chip %s, issuer key %s",
		    card_auth_name(res->auth), res->auth_fail ? " " : "",
		    card_auth_fail_name(res->auth_fail), card_chip_name(res->chip),
		    res->issuer_key_id[0] ? res->issuer_key_id : "(none)");
done:
	card_end(c);
	ef_free(ef1, n1);
	ef_free(ef2, n2);
	ef_free(ef3, n3);
	ef_free(ef4, n4);
	ef_free(ef7, n7);
	if (r != 0) {
		card_result_free(res);
		return r;
	}
	*out = res;
	return 0;
}

int
card_read_kenmen(struct card *c, struct card_read_req *req,
    struct card_result **out, struct err *e)
{
	struct card_result *res;
	struct card_rsa_pub chipkey;
	uint8_t *ef = NULL, *ef4 = NULL;
	size_t n = 0, n4 = 0;
	int r;

	*out = NULL;
	req->tries_before = req->tries_after = -1;
	if (req->method != CARD_UNLOCK_B && req->method != CARD_UNLOCK_A)
		return err_set_ja(e, ERR_INVAL, "券面事項確認APは照合番号Bか照合番号Aで読み取ります。",
		    "券面事項確認AP needs 照合番号B or A");
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = card_begin(c, e)) != 0) {
		free(res);
		return r;
	}
	if ((r = card_select_ap(c, CARD_AP_KENMEN, e)) != 0 ||
	    (r = card_verify_safe(c, req->method == CARD_UNLOCK_A ? CARD_PIN_KENMEN_A :
	    CARD_PIN_KENMEN_B, req, e)) != 0 ||
	    (r = read_ef(c, 0x0002, &ef, &n, e)) != 0 ||
	    (r = read_ef(c, 0x0004, &ef4, &n4, e)) != 0)
		goto done;
	res->ap = CARD_AP_KENMEN;
	res->unlock = req->method;
	res->tries_left = req->tries_before;
	if ((r = card_parse_kenmen(ef, n, res, e)) != 0)
		goto done;
	if (card_auth_kenmen(req->anchors, ef, n, ef4, n4, res, &chipkey) == 1)
		r = card_challenge(c, &chipkey, res, e);
done:
	card_end(c);
	ef_free(ef, n);
	ef_free(ef4, n4);
	if (r != 0) {
		card_result_free(res);
		return r;
	}
	*out = res;
	return 0;
}

int
card_read_jpki(struct card *c, struct card_jpki **out, struct err *e)
{
	struct card_jpki *j;
	int r;

	*out = NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = card_begin(c, e)) != 0) {
		free(j);
		return r;
	}
	if ((r = card_select_ap(c, CARD_AP_JPKI, e)) != 0 ||
	    (r = read_ef(c, 0x000A, &j->auth_cert, &j->auth_cert_len, e)) != 0)
		goto done;
	if (j->auth_cert[0] != 0x30) {
		r = err_set_ja(e, ERR_FORMAT, "カードの電子証明書の形式が正しくありません。",
		    "JPKI certificate is not a DER SEQUENCE");
		goto done;
	}
	if ((r = card_tries_here(c, CARD_PIN_JPKI_AUTH, e)) < 0)
		goto done;
	j->auth_tries = r;
	if ((r = card_tries_here(c, CARD_PIN_JPKI_SIGN, e)) < 0)
		goto done;
	j->sign_tries = r;
	r = 0;
done:
	card_end(c);
	if (r != 0) {
		card_jpki_free(j);
		return r;
	}
	*out = j;
	return 0;
}

void
card_jpki_free(struct card_jpki *j)
{
	if (j == NULL)
		return;
	ef_free(j->auth_cert, j->auth_cert_len);
	free(j);
}
