/*
 * sim-card.c — the simulated My Number card: its files, built from a
 * profile, its retry counters and security state, and the answers to
 * SELECT, VERIFY, READ BINARY and GET RESPONSE as a card gives them
 * (6Cxx on a wrong Le, 61xx pieces for long answers, 6983 when blocked,
 * security status lost on reset and on re-select), plus the fault switches.
 *
 * The files follow shared/cards/LAYOUT.md: EF 0001 is FF10 with 2 filler
 * bytes, EF 0002 FF20 with its DF21 offset table, EF 0003 DF31 over the 17
 * stored bytes of EF 0001, DF32 over FF20's value without DF21, DF33 the
 * signature over both; EF 0004 a card-verifiable certificate from the
 * simulator's own test issuer CA; EF 0007 the card key DF51 with DF52; the
 * 券面事項確認AP's EF 0002 DF21..DF2A with DF28 by the three-group rule.
 * Everything is signed when the card is made, with the committed TEST ONLY
 * keys in data/cards/keys (no key generation), and the card answers 80 2A
 * challenges with its own chip key.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "card.h"
#include "sim.h"
#include "../card/ossl.h"

enum { AP_NONE, AP_KENHOJO, AP_KENMEN, AP_JPKI };

struct ef {
	int ap;
	uint16_t fid;
	struct wbuf data;	/* contents (data EFs) */
	int pin;		/* -1 data EF, else index into secrets */
	int need;		/* data EF: bit mask of secrets of which one must be
				 * verified, 0 none */
	int key;		/* JPKI key EF: 1 利用者証明用 (0017), 2 署名用 (001A) */
};

enum { S_PIN, S_KB, S_MB, S_JAUTH, S_JSIGN, S_MA, S_COUNT };

struct secret {
	char value[CARD_SECRET_MAX];
	size_t len;
	int tries, max;
	int verified;
};

#define N_EF 24		/* room for every AP's EFs; add_ef checks */

struct sim_card {
	struct sim_profile prof;	/* copy of the scalars (blobs not owned) */
	struct ef ef[N_EF];
	size_t nef;
	struct secret sec[S_COUNT];
	int ap;
	int cur;			/* index into ef, -1 none */
	uint8_t *pending;		/* GET RESPONSE data */
	size_t pending_len, pending_off;
	unsigned long apdus;
	struct sim_jpki *jpki;		/* JPKI keys and certificates, or NULL */
	struct ossl_key *chip;		/* answers 80 2A (another key on a clone) */
};

/* Key IDs (16 bytes: 7 ASCII digits, 2 bytes, 3 ASCII digits, 4 bytes).
 * Test IDs begin with '6', as on JPKI test cards. */
static const uint8_t id_ca[16] = { '6', '0', '0', '0', '0', '3', '3', 0x00, 0x01,
    '0', '0', '1', 0x00, 0x00, 0x00, 0x01 };
static const uint8_t id_unknown_ca[16] = { '6', '9', '9', '9', '9', '9', '9', 0x00, 0x01,
    '0', '0', '1', 0x00, 0x00, 0x00, 0x09 };
static const uint8_t id_signer_hojo[16] = { '6', '0', '0', '0', '0', '3', '3', 0x00, 0x02,
    '0', '0', '1', 0x00, 0x00, 0x00, 0x02 };
static const uint8_t id_signer_kenmen[16] = { '6', '0', '0', '0', '0', '2', '3', 0x00, 0x02,
    '0', '0', '1', 0x00, 0x00, 0x00, 0x02 };

/* Minimal valid placeholders: an 8x8 grey JPEG 2000 in a JP2 container
 * (made with opj_compress -n 1) and a 1x1 1-bit PNG. */
static const uint8_t placeholder_jp2[] = {
	0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a,
	0x00, 0x00, 0x00, 0x14, 0x66, 0x74, 0x79, 0x70, 0x6a, 0x70, 0x32, 0x20,
	0x00, 0x00, 0x00, 0x00, 0x6a, 0x70, 0x32, 0x20, 0x00, 0x00, 0x00, 0x2d,
	0x6a, 0x70, 0x32, 0x68, 0x00, 0x00, 0x00, 0x16, 0x69, 0x68, 0x64, 0x72,
	0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x07, 0x07,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x63, 0x6f, 0x6c, 0x72, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x81, 0x6a, 0x70, 0x32,
	0x63, 0xff, 0x4f, 0xff, 0x51, 0x00, 0x29, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x01, 0xff, 0x52,
	0x00, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x04, 0x04, 0x00, 0x01,
	0xff, 0x5c, 0x00, 0x04, 0x40, 0x40, 0xff, 0x64, 0x00, 0x25, 0x00, 0x01,
	0x43, 0x72, 0x65, 0x61, 0x74, 0x65, 0x64, 0x20, 0x62, 0x79, 0x20, 0x4f,
	0x70, 0x65, 0x6e, 0x4a, 0x50, 0x45, 0x47, 0x20, 0x76, 0x65, 0x72, 0x73,
	0x69, 0x6f, 0x6e, 0x20, 0x32, 0x2e, 0x35, 0x2e, 0x30, 0xff, 0x90, 0x00,
	0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x01, 0xff, 0x93, 0x80,
	0xff, 0xd9,
};
static const uint8_t placeholder_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
	0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x37, 0x6e, 0xf9, 0x24, 0x00, 0x00, 0x00,
	0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x68, 0x00, 0x00, 0x00,
	0x82, 0x00, 0x81, 0x77, 0xcd, 0x72, 0xb6, 0x00, 0x00, 0x00, 0x00, 0x49,
	0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static struct ef *
add_ef(struct sim_card *c, int ap, uint16_t fid, int pin, int need)
{
	struct ef *f;

	/* A programming error, not input: the file list is fixed at build
	 * time (merges that each added EFs once overflowed it silently). */
	if (c->nef >= N_EF)
		abort();
	f = &c->ef[c->nef++];

	f->ap = ap;
	f->fid = fid;
	f->pin = pin;
	f->need = need;
	wbuf_init(&f->data, 0);
	return f;
}

static void
set_secret(struct secret *s, const char *v, int tries, int max)
{
	s->len = strlen(v);
	memcpy(s->value, v, s->len);
	s->tries = tries;
	s->max = max;
}

/* ----------------------------------------------------------- signing */

struct keys {
	struct ossl_key *ca, *signer, *chip, *answer;
	uint8_t chip_e[8], chip_n[512];
	size_t chip_elen, chip_nlen;
};

static int
key_path(const char *dir, const char *name, char *out, size_t cap)
{
	return snprintf(out, cap, "%s/TEST-ONLY-%s.pem", dir, name) < (int)cap ? 0 : -1;
}

/* The keys directory: the profile's, else $MDG_SRCDIR/data/cards/keys (a
 * test's profile written into a temporary directory). */
static const char *
key_dir(const char *keydir, char *buf, size_t cap)
{
	char probe[4200];
	const char *src = getenv("MDG_SRCDIR");

	if (keydir != NULL && keydir[0] != '\0' &&
	    key_path(keydir, "issuer-ca", probe, sizeof(probe)) == 0 &&
	    access(probe, R_OK) == 0)
		return keydir;
	if (src != NULL) {
		snprintf(buf, cap, "%s/data/cards/keys", src);
		return buf;
	}
	return keydir != NULL ? keydir : ".";
}

static int
load_key(const char *dir, const char *name, struct ossl_key **k, struct err *e)
{
	char path[4200];

	if (key_path(dir, name, path, sizeof(path)) != 0 || ossl_key_load(path, k) != 0)
		return err_set(e, ERR_IO, "%s: cannot load the test key (data/cards/keys)", path);
	return 0;
}

static void
keys_free(struct keys *k)
{
	ossl_key_free(k->ca);
	ossl_key_free(k->signer);
	ossl_key_free(k->chip);
	if (k->answer != NULL && k->answer != k->chip)
		ossl_key_free(k->answer);
	memset(k, 0, sizeof(*k));
}

/* PKCS#1 v1.5 signature of a DigestInfo around v, as a TLV with tag. */
static int
put_sig(struct wbuf *w, uint32_t tag, struct ossl_key *k, const uint8_t *v, size_t vlen)
{
	uint8_t di[200], sig[512];
	size_t din, sn;

	if ((din = card_digestinfo_sha256(v, vlen, di, sizeof(di))) == 0 ||
	    ossl_key_sign(k, di, din, sig, sizeof(sig), &sn) != 0)
		return (w->err = ERR_CRYPTO);
	return wbuf_put_tlv(w, tag, sig, sn);
}

/* Signature with SHA-256 over data. */
static int
put_sig_sha256(struct wbuf *w, uint32_t tag, struct ossl_key *k, const uint8_t *d, size_t n)
{
	uint8_t h[32];

	crypto_hash_sha256(h, d, n);
	return put_sig(w, tag, k, h, sizeof(h));
}

/* 90 exponent, 91 modulus. */
static void
put_rsakey(struct wbuf *w, const uint8_t *ev, size_t elen, const uint8_t *n, size_t nlen)
{
	wbuf_put_tlv(w, 0x90, ev, elen);
	wbuf_put_tlv(w, 0x91, n, nlen);
}

/* EF 0004: 7F21 { 5F4E issuer ID, subject ID, signer key; 5F37 by the CA }. */
static int
put_cvc(struct wbuf *w, struct ossl_key *ca, const uint8_t issuer[16],
    const uint8_t subject[16], struct ossl_key *signer)
{
	struct wbuf body, in;
	uint8_t ev[8], n[512];
	size_t el, nl;
	int r;

	if (ossl_key_public(signer, ev, sizeof(ev), &el, n, sizeof(n), &nl) != 0)
		return ERR_CRYPTO;
	wbuf_init(&body, 0);
	wbuf_init(&in, 0);
	wbuf_put(&body, issuer, 16);
	wbuf_put(&body, subject, 16);
	put_rsakey(&body, ev, el, n, nl);
	wbuf_put_tlv(&in, 0x5F4E, body.p, body.len);
	put_sig_sha256(&in, 0x5F37, ca, body.p, body.len);
	r = body.err ? body.err : in.err;
	if (r == 0)
		r = wbuf_put_tlv(w, 0x7F21, in.p, in.len);
	wbuf_free(&body);
	wbuf_free(&in);
	return r;
}

/* 入力補助AP EF 0001 as stored: FF10 0C + 12 digits + 2 filler bytes. */
static void
put_ef0001(struct wbuf *w, const char *mynumber)
{
	static const uint8_t filler[2] = { 0xFF, 0xFF };

	wbuf_put_tlv(w, 0xFF10, mynumber, 12);
	wbuf_put(w, filler, sizeof(filler));
}

/* FF20 { DF21 offsets, objs... } where objs is the concatenation of nobj
 * objects starting at the given offsets within objs. */
static void
put_with_offsets(struct wbuf *w, const struct wbuf *objs, const size_t *at, size_t nobj,
    int malformed)
{
	struct wbuf in, tbl;
	size_t hdr, val;

	wbuf_init(&in, 0);
	wbuf_init(&tbl, 0);
	/* The FF20 value is DF21 (2 + 1 + 2*nobj bytes with a short length)
	 * then the objects: compute the header length of FF20 first. */
	val = 3 + 2 * nobj + objs->len;
	hdr = 2 + (val < 0x80 ? 1 : val <= 0xFF ? 2 : val <= 0xFFFF ? 3 : 4);
	for (size_t i = 0; i < nobj; i++)
		wbuf_put_u16(&tbl, (uint16_t)(hdr + 3 + 2 * nobj + at[i]));
	wbuf_put_tlv(&in, 0xDF21, tbl.p, tbl.len);
	wbuf_put(&in, objs->p, objs->len);
	if (malformed && in.len > 8)
		in.p[2] = 0x7F;	/* DF21's length now runs past the element */
	wbuf_put_tlv(w, 0xFF20, in.p, in.len);
	wbuf_free(&in);
	wbuf_free(&tbl);
}

/* 入力補助AP EF 0002. */
static void
put_basic4(struct wbuf *w, const char *name, const char *address, int birth, int sex,
    int malformed)
{
	struct wbuf o;
	size_t at[4];
	char ymd[16];

	wbuf_init(&o, 0);
	at[0] = o.len;
	wbuf_put_tlv(&o, 0xDF22, name, strlen(name));
	at[1] = o.len;
	wbuf_put_tlv(&o, 0xDF23, address, strlen(address));
	at[2] = o.len;
	snprintf(ymd, sizeof(ymd), "%08d", birth);
	wbuf_put_tlv(&o, 0xDF24, ymd, 8);
	at[3] = o.len;
	snprintf(ymd, sizeof(ymd), "%d", sex);
	wbuf_put_tlv(&o, 0xDF25, ymd, 1);
	put_with_offsets(w, &o, at, 4, malformed);
	wbuf_free(&o);
}

/* FF30 { DF31, DF32 } value (what DF33 signs) from EF 0001 and EF 0002. */
static void
put_digests(struct wbuf *w, const struct wbuf *ef1, const struct wbuf *ef2, int bad)
{
	uint8_t h1[32], h2[32];

	crypto_hash_sha256(h1, ef1->p, ef1->len);
	if (card_basic4_digest(ef2->p, ef2->len, h2) != 0)
		memset(h2, 0, sizeof(h2));
	if (bad)
		h2[0] ^= 0x5A;
	wbuf_put_tlv(w, 0xDF31, h1, sizeof(h1));
	wbuf_put_tlv(w, 0xDF32, h2, sizeof(h2));
}

static const uint8_t *
img_or(const uint8_t *img, size_t len, const uint8_t *def, size_t deflen, size_t *n)
{
	*n = img != NULL ? len : deflen;
	return img != NULL ? img : def;
}

/* 確認AP EF 0002: FF20 { DF21, DF22 birth, DF23 sex, DF24 card key, DF25
 * name PNG, DF26 address PNG, DF27 face JP2, DF28 signature, DF29 expiry,
 * DF2A security code PNG }. */
static int
put_kenmen(struct wbuf *w, const struct sim_profile *p, int birth, const struct keys *k,
    const uint8_t *sig28, size_t sig28len, uint8_t *sig_out, size_t *sig_outlen)
{
	struct wbuf o, key, tmp;
	size_t at[9], g0, g1, g2, g3, n;
	const uint8_t *img;
	uint8_t groups[96], di[160], sig[512];
	char ymd[16];
	int r = 0;

	wbuf_init(&o, 0);
	wbuf_init(&key, 0);
	at[0] = g0 = o.len;
	snprintf(ymd, sizeof(ymd), "%08d", birth);
	wbuf_put_tlv(&o, 0xDF22, ymd, 8);
	at[1] = o.len;
	snprintf(ymd, sizeof(ymd), "%d", p->sex);
	wbuf_put_tlv(&o, 0xDF23, ymd, 1);
	at[2] = o.len;
	put_rsakey(&key, k->chip_e, k->chip_elen, k->chip_n, k->chip_nlen);
	wbuf_put_tlv(&o, 0xDF24, key.p, key.len);
	at[3] = g1 = o.len;
	img = img_or(p->name_image, p->name_image_len, placeholder_png, sizeof(placeholder_png), &n);
	wbuf_put_tlv(&o, 0xDF25, img, n);
	at[4] = o.len;
	img = img_or(p->address_image, p->address_image_len, placeholder_png,
	    sizeof(placeholder_png), &n);
	wbuf_put_tlv(&o, 0xDF26, img, n);
	at[5] = g2 = o.len;
	img = img_or(p->photo, p->photo_len, placeholder_jp2, sizeof(placeholder_jp2), &n);
	wbuf_put_tlv(&o, 0xDF27, img, n);
	g3 = o.len;
	/* DF28: the three group hashes, 96 bytes as they are, in a DigestInfo. */
	crypto_hash_sha256(groups, o.p + g0, g1 - g0);
	crypto_hash_sha256(groups + 32, o.p + g1, g2 - g1);
	crypto_hash_sha256(groups + 64, o.p + g2, g3 - g2);
	if (sig28 == NULL) {
		size_t din = card_digestinfo_sha256(groups, sizeof(groups), di, sizeof(di));
		if (din == 0 || ossl_key_sign(k->signer, di, din, sig, sizeof(sig), &n) != 0)
			r = ERR_CRYPTO;
		sig28 = sig;
		sig28len = n;
	}
	if (sig_out != NULL && r == 0) {
		memcpy(sig_out, sig28, sig28len);
		*sig_outlen = sig28len;
	}
	at[6] = o.len;
	wbuf_put_tlv(&o, 0xDF28, sig28, sig28len);
	at[7] = o.len;
	snprintf(ymd, sizeof(ymd), "%08d", p->expiry);
	wbuf_put_tlv(&o, 0xDF29, ymd, 8);
	at[8] = o.len;
	wbuf_put_tlv(&o, 0xDF2A, placeholder_png, sizeof(placeholder_png));
	wbuf_init(&tmp, 0);
	put_with_offsets(&tmp, &o, at, 9, 0);
	wbuf_put(w, tmp.p, tmp.len);
	wbuf_free(&tmp);
	wbuf_free(&o);
	wbuf_free(&key);
	return r;
}

/* A forged card's data: the same person with another address. */
static void
forged_address(const struct sim_profile *p, char *out, size_t cap)
{
	snprintf(out, cap, "%s別館", p->address);
}

static int
sign_card(struct sim_card *c, const struct sim_profile *p, struct ef *f1, struct ef *f2,
    struct ef *f3, struct ef *f4, struct ef *f7, struct ef *fk, struct ef *fk4, struct err *e)
{
	struct keys k;
	struct wbuf in, ef1, ef2;
	char kdbuf[4200], addr[600];
	const char *kd;
	int chip, r = 0;
	uint8_t sig28[512];
	size_t sig28len = 0;

	memset(&k, 0, sizeof(k));
	kd = key_dir(p->keydir, kdbuf, sizeof(kdbuf));
	chip = p->chip_key;
	if (chip == 0) {
		unsigned h = 0;
		for (const char *q = p->mynumber; *q; q++)
			h = h * 31 + (unsigned char)*q;
		chip = (int)(h % 4) + 1;
	}
	{
		char cn[16], an[16];
		snprintf(cn, sizeof(cn), "chip-%d", chip);
		snprintf(an, sizeof(an), "chip-%d", chip % 4 + 1);
		if ((r = load_key(kd, p->unknown_issuer ? "unknown-ca" : "issuer-ca", &k.ca, e)) != 0 ||
		    (r = load_key(kd, "issuer-signer", &k.signer, e)) != 0 ||
		    (r = load_key(kd, cn, &k.chip, e)) != 0)
			goto out;
		if (p->clone) {
			if ((r = load_key(kd, an, &k.answer, e)) != 0)
				goto out;
		} else
			k.answer = k.chip;
	}
	if (ossl_key_public(k.chip, k.chip_e, sizeof(k.chip_e), &k.chip_elen, k.chip_n,
	    sizeof(k.chip_n), &k.chip_nlen) != 0) {
		r = err_set(e, ERR_CRYPTO, "test chip key unusable");
		goto out;
	}

	/* 入力補助AP: the data, its digests and DF33 over them. */
	wbuf_init(&ef1, 0);
	wbuf_init(&ef2, 0);
	put_ef0001(&ef1, p->mynumber);
	put_basic4(&ef2, p->name, p->address, p->birth, p->sex, 0);
	wbuf_init(&in, 0);
	put_digests(&in, &ef1, &ef2, p->bad_digest);
	put_sig_sha256(&in, 0xDF33, k.signer, in.p, in.len);
	if (p->forged) {
		/* Changed data, digests recomputed, the old signature kept. */
		struct tlv t33;
		struct wbuf in2;

		forged_address(p, addr, sizeof(addr));
		wbuf_free(&ef2);
		wbuf_init(&ef2, 0);
		put_basic4(&ef2, p->name, addr, p->birth, p->sex, 0);
		wbuf_init(&in2, 0);
		put_digests(&in2, &ef1, &ef2, p->bad_digest);
		if (tlv_find(in.p, in.len, 0xDF33, &t33) == 0)
			wbuf_put_tlv(&in2, 0xDF33, t33.val, t33.len);
		wbuf_free(&in);
		in = in2;
	}
	wbuf_put(&f1->data, ef1.p, ef1.len);
	if (p->malformed) {
		wbuf_free(&ef2);
		wbuf_init(&ef2, 0);
		put_basic4(&ef2, p->name, p->forged ? addr : p->address, p->birth, p->sex, 1);
	}
	wbuf_put(&f2->data, ef2.p, ef2.len);
	wbuf_put_tlv(&f3->data, 0xFF30, in.p, in.len);
	wbuf_free(&in);
	wbuf_free(&ef1);
	wbuf_free(&ef2);

	/* EF 0004 and EF 0007 (DF51 card key, DF52 over the DF51 object). */
	if ((r = put_cvc(&f4->data, k.ca, p->unknown_issuer ? id_unknown_ca : id_ca,
	    id_signer_hojo, k.signer)) != 0 ||
	    (r = put_cvc(&fk4->data, k.ca, p->unknown_issuer ? id_unknown_ca : id_ca,
	    id_signer_kenmen, k.signer)) != 0) {
		r = err_set(e, ERR_CRYPTO, "signing the test certificate failed");
		goto out;
	}
	{
		struct wbuf key, k51;
		wbuf_init(&key, 0);
		wbuf_init(&k51, 0);
		put_rsakey(&key, k.chip_e, k.chip_elen, k.chip_n, k.chip_nlen);
		wbuf_put_tlv(&k51, 0xDF51, key.p, key.len);
		wbuf_init(&in, 0);
		wbuf_put(&in, k51.p, k51.len);
		put_sig_sha256(&in, 0xDF52, k.signer, k51.p, k51.len);
		wbuf_put_tlv(&f7->data, 0xFF50, in.p, in.len);
		wbuf_free(&in);
		wbuf_free(&key);
		wbuf_free(&k51);
	}

	/* 確認AP EF 0002: DF28 by the three-group rule (a forged card: another
	 * birth date under the original signature). */
	if (p->forged) {
		struct wbuf tmp;
		int fb = p->birth + 10000;	/* a year later */
		wbuf_init(&tmp, 0);
		r = put_kenmen(&tmp, p, p->birth, &k, NULL, 0, sig28, &sig28len);
		wbuf_free(&tmp);
		if (r == 0)
			r = put_kenmen(&fk->data, p, fb, &k, sig28, sig28len, NULL, NULL);
	} else
		r = put_kenmen(&fk->data, p, p->birth, &k, NULL, 0, NULL, NULL);
	if (r != 0) {
		r = err_set(e, ERR_CRYPTO, "signing the 券面事項 failed");
		goto out;
	}
	c->chip = k.answer;
	if (k.answer == k.chip)
		k.chip = NULL;
	k.answer = NULL;
out:
	keys_free(&k);
	return r;
}

int
sim_card_new(const struct sim_profile *p, struct sim_card **out, struct err *e)
{
	struct sim_card *c;
	struct ef *f1, *f2, *f3, *f4, *f7, *fk, *fk4, *fc;
	char b[32], seed[600];

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium did not initialise");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	c->prof = *p;
	c->prof.photo = c->prof.name_image = c->prof.address_image = c->prof.cert = NULL;
	c->prof.jpki = NULL;
	c->cur = -1;

	/* Secrets.  照合番号B = birth YYMMDD as printed (the 和暦 era year, or
	 * the 西暦 two digits on a card printed in 西暦) + expiry YYYY +
	 * security code. */
	{
		struct date bd;
		char w[32];
		int yy = (p->birth / 10000) % 100;

		if (!p->birth_seireki && date_from_ymd(p->birth, &bd) == 0 &&
		    date_format_wareki_short(&bd, w, sizeof(w)) > 0)
			yy = atoi(w + 1);
		snprintf(b, sizeof(b), "%02d%04d%04d", yy % 100, p->birth % 10000,
		    (p->expiry / 10000) % 10000);
	}
	memcpy(b + 10, p->code, 4);
	b[14] = '\0';
	set_secret(&c->sec[S_PIN], p->pin, p->pin_tries, 3);
	set_secret(&c->sec[S_KB], b, p->b_tries, 10);
	set_secret(&c->sec[S_MB], b, p->b_tries, 10);
	/* 照合番号A of the 券面事項確認AP: the 個人番号 (LAYOUT.md, EF 0013) */
	set_secret(&c->sec[S_MA], p->mynumber, 10, 10);
	set_secret(&c->sec[S_JAUTH], p->jpki_pin[0] != '\0' ? p->jpki_pin : p->pin,
	    p->jpki_auth_tries, 3);
	set_secret(&c->sec[S_JSIGN], p->jpki_password[0] != '\0' ? p->jpki_password :
	    "MADOGUCHI1", p->jpki_sign_tries, 5);
	mem_wipe(b, sizeof(b));

	/* 券面事項入力補助AP: the PIN opens EF 0001, 0002, 0003, 0007; 照合番号B
	 * opens 0002, 0003, 0007 but not 0001; 0004 needs nothing. */
	add_ef(c, AP_KENHOJO, 0x0011, S_PIN, 0);
	add_ef(c, AP_KENHOJO, 0x0015, S_KB, 0);
	f1 = add_ef(c, AP_KENHOJO, 0x0001, -1, 1 << S_PIN);
	f2 = add_ef(c, AP_KENHOJO, 0x0002, -1, 1 << S_PIN | 1 << S_KB);
	f3 = add_ef(c, AP_KENHOJO, 0x0003, -1, 1 << S_PIN | 1 << S_KB);
	f4 = add_ef(c, AP_KENHOJO, 0x0004, -1, 0);
	f7 = add_ef(c, AP_KENHOJO, 0x0007, -1, 1 << S_PIN | 1 << S_KB);

	/* 券面事項確認AP: 照合番号B (EF 0012) or 照合番号A (EF 0013, the
	 * 個人番号) opens EF 0002. */
	add_ef(c, AP_KENMEN, 0x0012, S_MB, 0);
	add_ef(c, AP_KENMEN, 0x0013, S_MA, 0);
	fk = add_ef(c, AP_KENMEN, 0x0002, -1, 1 << S_MB | 1 << S_MA);
	fk4 = add_ef(c, AP_KENMEN, 0x0004, -1, 0);
	if (sign_card(c, p, f1, f2, f3, f4, f7, fk, fk4, e) != 0) {
		sim_card_free(c);
		return e != NULL ? e->code : ERR_CRYPTO;
	}
	(void)seed;

	/* JPKI (sim-jpki.c): X.509 certificates of the simulator's test PKI;
	 * the 利用者証明用 certificate and both CA certificates need no PIN,
	 * the 署名用 certificate needs the 署名用 password; key EFs 0017 and
	 * 001A are selected before 80 2A.  A profile without a bundle is a
	 * card issued without certificates (only the PIN EFs answer), unless
	 * `cert` gives raw EF 000A bytes. */
	if (p->jpki != NULL) {
		static const struct { uint16_t fid; int need; } cf[] = {
			{ 0x000A, 0 }, { 0x000B, 0 }, { 0x0001, 1 << S_JSIGN }, { 0x0002, 0 } };
		int r;
		if ((r = sim_jpki_new(p->jpki, p->jpki_len, &c->jpki, e)) != 0) {
			sim_card_free(c);
			return r;
		}
		for (size_t i = 0; i < sizeof(cf) / sizeof(cf[0]); i++) {
			size_t dn;
			const uint8_t *d = sim_jpki_cert(c->jpki, cf[i].fid, &dn);
			fc = add_ef(c, AP_JPKI, cf[i].fid, -1, cf[i].need);
			wbuf_put(&fc->data, d, dn);
		}
		add_ef(c, AP_JPKI, 0x0017, -1, 1 << S_JAUTH)->key = 1;
		add_ef(c, AP_JPKI, 0x001A, -1, 1 << S_JSIGN)->key = 2;
	} else if (p->cert != NULL) {
		fc = add_ef(c, AP_JPKI, 0x000A, -1, 0);
		wbuf_put(&fc->data, p->cert, p->cert_len);
	}
	add_ef(c, AP_JPKI, 0x0018, S_JAUTH, 0);
	add_ef(c, AP_JPKI, 0x001B, S_JSIGN, 0);

	for (size_t i = 0; i < c->nef; i++)
		if (c->ef[i].data.err != 0) {
			unsigned fid = c->ef[i].fid;
			sim_card_free(c);
			return err_set(e, ERR_RANGE, "card file %04X too large", fid);
		}
	*out = c;
	return 0;
}

void
sim_card_free(struct sim_card *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nef; i++)
		wbuf_free(&c->ef[i].data);
	sim_jpki_free(c->jpki);
	free(c->pending);
	ossl_key_free(c->chip);
	mem_wipe(c, sizeof(*c));
	free(c);
}

static void
clear_security(struct sim_card *c)
{
	for (int i = 0; i < S_COUNT; i++)
		c->sec[i].verified = 0;
}

void
sim_card_reset(struct sim_card *c)
{
	clear_security(c);
	c->ap = AP_NONE;
	c->cur = -1;
	free(c->pending);
	c->pending = NULL;
	c->pending_len = c->pending_off = 0;
}

size_t
sim_card_atr(const struct sim_card *c, uint8_t *out, size_t cap)
{
	/* T=1: TS, T0 (TD1 follows, 5 historical bytes), TD1 (T=1),
	 * historical bytes 80 73 00 00 xx (card capabilities: xx bit 0x40 =
	 * extended Lc/Le), TCK.  T=0: no interface bytes and no TCK. */
	uint8_t ext = c->prof.extended ? 0x40 : 0x00;
	uint8_t t1[] = { 0x3B, 0x85, 0x01, 0x80, 0x73, 0x00, 0x00, ext, 0x00 };
	uint8_t t0[] = { 0x3B, 0x05, 0x80, 0x73, 0x00, 0x00, ext };
	const uint8_t *atr = c->prof.t0 ? t0 : t1;
	size_t n = c->prof.t0 ? sizeof(t0) : sizeof(t1);
	uint8_t tck = 0;

	for (size_t i = 1; i < sizeof(t1) - 1; i++)
		tck ^= t1[i];
	t1[sizeof(t1) - 1] = tck;
	if (cap < n)
		return 0;
	memcpy(out, atr, n);
	return n;
}

unsigned long
sim_card_apdu_count(const struct sim_card *c)
{
	return c->apdus;
}

void
sim_card_apdu_count_reset(struct sim_card *c)
{
	c->apdus = 0;
}

static int
sw(uint8_t *out, size_t *n, size_t at, uint16_t v)
{
	out[at] = (uint8_t)(v >> 8);
	out[at + 1] = (uint8_t)v;
	*n = at + 2;
	return 0;
}

/* Answer data, in pieces when longer than max_response. */
static int
answer(struct sim_card *c, const uint8_t *d, size_t len, uint16_t final,
    uint8_t *out, size_t cap, size_t *n)
{
	size_t max = (size_t)c->prof.max_response;

	if (len + 2 > cap)
		max = cap - 2 < max ? cap - 2 : max;
	if (len > max) {
		size_t left = len - max;
		free(c->pending);
		if ((c->pending = malloc(left)) == NULL)
			return sw(out, n, 0, 0x6F00);
		memcpy(c->pending, d + max, left);
		c->pending_len = left;
		c->pending_off = 0;
		memcpy(out, d, max);
		return sw(out, n, max, (uint16_t)(0x6100 | (left >= 256 ? 0 : left)));
	}
	memcpy(out, d, len);
	return sw(out, n, len, final);
}

static uint16_t
do_select(struct sim_card *c, const struct apdu *a)
{
	if (a->p1 == 0x04) {
		int ap = AP_NONE;
		if (a->lc == CARD_AID_LEN && memcmp(a->data, CARD_AID_KENHOJO, CARD_AID_LEN) == 0)
			ap = AP_KENHOJO;
		else if (a->lc == CARD_AID_LEN && memcmp(a->data, CARD_AID_KENMEN, CARD_AID_LEN) == 0)
			ap = AP_KENMEN;
		else if (a->lc == CARD_AID_LEN && memcmp(a->data, CARD_AID_JPKI, CARD_AID_LEN) == 0)
			ap = AP_JPKI;
		if (ap == AP_NONE)
			return 0x6A82;
		/* Selecting an application drops every verified state. */
		clear_security(c);
		c->ap = ap;
		c->cur = -1;
		return 0x9000;
	}
	if (a->p1 == 0x02) {
		uint16_t fid;
		if (a->lc != 2)
			return 0x6700;
		fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
		for (size_t i = 0; i < c->nef; i++)
			if (c->ef[i].ap == c->ap && c->ap != AP_NONE && c->ef[i].fid == fid) {
				c->cur = (int)i;
				return 0x9000;
			}
		return 0x6A82;
	}
	return 0x6A86;
}

static uint16_t
do_verify(struct sim_card *c, const struct apdu *a)
{
	struct secret *s;

	if (a->p1 != 0x00 || a->p2 != 0x80)
		return 0x6A86;
	if (c->cur < 0 || c->ef[c->cur].pin < 0)
		return 0x6986;
	s = &c->sec[c->ef[c->cur].pin];
	if (a->lc == 0) {
		if (s->verified)
			return 0x9000;
		return s->tries == 0 ? 0x6983 : (uint16_t)(0x63C0 | s->tries);
	}
	if (s->tries == 0)
		return 0x6983;
	if (a->lc != s->len)
		return 0x6700;
	if (sodium_memcmp(a->data, s->value, s->len) == 0) {
		s->tries = s->max;
		s->verified = 1;
		return 0x9000;
	}
	s->tries--;
	s->verified = 0;
	return (uint16_t)(0x63C0 | s->tries);
}

static int
do_read(struct sim_card *c, const struct apdu *a, uint8_t *out, size_t cap, size_t *n)
{
	struct ef *f;
	size_t off = (size_t)(a->p1 & 0x7F) << 8 | a->p2, avail, le;

	if (a->p1 & 0x80)
		return sw(out, n, 0, 0x6981);	/* SFI addressing not offered */
	if (c->cur < 0 || c->ef[c->cur].pin >= 0)
		return sw(out, n, 0, 0x6986);
	if (c->ef[c->cur].key != 0)
		return sw(out, n, 0, 0x6981);	/* a key EF is not readable */
	f = &c->ef[c->cur];
	if (f->need != 0) {
		int ok = 0;
		for (int i = 0; i < S_COUNT; i++)
			if ((f->need & (1 << i)) && c->sec[i].verified)
				ok = 1;
		if (!ok)
			return sw(out, n, 0, 0x6982);
	}
	if (off >= f->data.len)
		return sw(out, n, 0, 0x6B00);
	avail = f->data.len - off;
	le = a->le == 0 ? 256 : a->le;
	if (le > avail) {
		if (!a->ext)
			return sw(out, n, 0, (uint16_t)(0x6C00 | avail));
		return answer(c, f->data.p + off, avail, 0x6282, out, cap, n);
	}
	return answer(c, f->data.p + off, le, 0x9000, out, cap, n);
}

/* 80 2A 00 00: sign the DigestInfo sent with the card's own key (the DF51
 * key of 入力補助AP, DF24 of 確認AP), after a secret of this AP was
 * verified. */
static int
do_sign(struct sim_card *c, const struct apdu *a, uint8_t *out, size_t cap, size_t *n)
{
	uint8_t sig[512];
	size_t sn;
	int ok = 0;

	if (a->p1 != 0x00 || a->p2 != 0x00)
		return sw(out, n, 0, 0x6A86);
	if (c->ap == AP_KENHOJO)
		ok = c->sec[S_PIN].verified || c->sec[S_KB].verified;
	else if (c->ap == AP_KENMEN)
		ok = c->sec[S_MB].verified || c->sec[S_MA].verified;
	else
		return sw(out, n, 0, 0x6A86);
	if (!ok)
		return sw(out, n, 0, 0x6982);
	if (a->lc == 0 || a->lc > 100)
		return sw(out, n, 0, 0x6700);
	if (c->chip == NULL || ossl_key_sign(c->chip, a->data, a->lc, sig, sizeof(sig), &sn) != 0)
		return sw(out, n, 0, 0x6F00);
	return answer(c, sig, sn, 0x9000, out, cap, n);
}

int
sim_trust_anchor(const char *keydir, char *out, size_t cap, struct err *e)
{
	struct ossl_key *k = NULL;
	uint8_t ev[8], nv[512];
	size_t el, nl;
	char kdbuf[4200], *hx;
	const char *kd = key_dir(keydir, kdbuf, sizeof(kdbuf));
	int r;

	if ((r = load_key(kd, "issuer-ca", &k, e)) != 0)
		return r;
	if (ossl_key_public(k, ev, sizeof(ev), &el, nv, sizeof(nv), &nl) != 0) {
		ossl_key_free(k);
		return err_set(e, ERR_CRYPTO, "test CA key unusable");
	}
	ossl_key_free(k);
	if (cap < 2 * (16 + el + nl) + 3 || (hx = malloc(2 * nl + 1)) == NULL)
		return err_set(e, ERR_RANGE, "anchor line does not fit");
	hex_encode(id_ca, 16, out);
	out[32] = ' ';
	hex_encode(ev, el, out + 33);
	out[33 + 2 * el] = ' ';
	hex_encode(nv, nl, hx);
	memcpy(out + 34 + 2 * el, hx, 2 * nl + 1);
	free(hx);
	return 0;
}

static int
do_get_response(struct sim_card *c, const struct apdu *a, uint8_t *out, size_t cap,
    size_t *n)
{
	size_t left, k, max = (size_t)c->prof.max_response;

	if (c->pending == NULL)
		return sw(out, n, 0, 0x6985);
	left = c->pending_len - c->pending_off;
	k = a->le == 0 ? 256 : a->le;
	if (k > left) {
		if (!a->ext)
			return sw(out, n, 0, (uint16_t)(0x6C00 | (left >= 256 ? 0 : left)));
		k = left;
	}
	if (k > max)
		k = max;
	if (k + 2 > cap)
		k = cap - 2;
	memcpy(out, c->pending + c->pending_off, k);
	c->pending_off += k;
	left -= k;
	if (left > 0)
		return sw(out, n, k, (uint16_t)(0x6100 | (left >= 256 ? 0 : left)));
	free(c->pending);
	c->pending = NULL;
	c->pending_len = c->pending_off = 0;
	return sw(out, n, k, 0x9000);
}

/* JPKI COMPUTE DIGITAL SIGNATURE, 80 2A 00 80 <DigestInfo>: with the key
 * of the selected key EF, after its PIN (or password) was verified. */
static int
do_jpki_sign(struct sim_card *c, const struct apdu *a, uint8_t *out, size_t cap,
    size_t *n)
{
	struct ef *f;
	uint8_t sig[512];
	size_t siglen;
	int r;

	if (c->pending != NULL) {
		free(c->pending);
		c->pending = NULL;
		c->pending_len = c->pending_off = 0;
	}
	if (a->p1 != 0x00 || a->p2 != 0x80)
		return sw(out, n, 0, 0x6A86);
	if (c->cur < 0 || c->ef[c->cur].key == 0)
		return sw(out, n, 0, 0x6985);	/* no key selected */
	f = &c->ef[c->cur];
	if (!c->sec[f->key == 1 ? S_JAUTH : S_JSIGN].verified)
		return sw(out, n, 0, 0x6982);
	if (a->lc == 0)
		return sw(out, n, 0, 0x6700);
	r = sim_jpki_sign(c->jpki, f->key - 1, a->data, a->lc, sig, sizeof(sig), &siglen, NULL);
	if (r != 0)
		return sw(out, n, 0, r == ERR_RANGE ? 0x6700 : 0x6F00);
	if (cap < 2 + siglen)
		return sw(out, n, 0, 0x6F00);
	return answer(c, sig, siglen, 0x9000, out, cap, n);
}

int
sim_card_apdu(struct sim_card *c, const uint8_t *in, size_t n, uint8_t *out,
    size_t cap, size_t *outn)
{
	struct apdu a;
	int is_read = 0;

	if (cap < 2)
		return -1;
	c->apdus++;
	if (c->prof.remove_after > 0 && c->apdus > (unsigned long)c->prof.remove_after)
		return 1;
	if (c->prof.slow_ms > 0) {
		struct timespec ts = { c->prof.slow_ms / 1000,
		    (long)(c->prof.slow_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (apdu_decode(in, n, &a) != 0)
		return sw(out, outn, 0, 0x6700);
	if (a.cla == 0x80 && a.ins == 0x2A && c->ap == AP_JPKI)
		return do_jpki_sign(c, &a, out, cap, outn);
	if (a.cla != 0x00 && !(a.cla == 0x80 && a.ins == 0x2A))
		return sw(out, outn, 0, 0x6E00);
	if (a.ext && c->prof.ext_refused)
		return sw(out, outn, 0, 0x6700);
	if (a.ins != 0xC0 && c->pending != NULL) {
		/* Any other command abandons an unfinished answer. */
		free(c->pending);
		c->pending = NULL;
		c->pending_len = c->pending_off = 0;
	}
	switch (a.ins) {
	case 0xA4:
		sw(out, outn, 0, do_select(c, &a));
		break;
	case 0x20:
		sw(out, outn, 0, do_verify(c, &a));
		break;
	case 0xB0:
		do_read(c, &a, out, cap, outn);
		is_read = 1;
		break;
	case 0xC0:
		do_get_response(c, &a, out, cap, outn);
		is_read = 1;
		break;
	case 0x2A:
		do_sign(c, &a, out, cap, outn);
		break;
	default:
		sw(out, outn, 0, 0x6D00);
	}
	if (is_read && *outn > 2) {
		if (c->prof.garble)
			*outn = 1;		/* no status word at all */
		else if (c->prof.truncate) {
			/* Drop the last data byte, keep the SW. */
			out[*outn - 3] = out[*outn - 2];
			out[*outn - 2] = out[*outn - 1];
			(*outn)--;
		}
	}
	return 0;
}
