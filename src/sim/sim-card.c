/*
 * sim-card.c — the simulated My Number card: its files, built from a
 * profile, its retry counters and security state, and the answers to
 * SELECT, VERIFY, READ BINARY and GET RESPONSE as a card gives them
 * (6Cxx on a wrong Le, 61xx pieces for long answers, 6983 when blocked,
 * security status lost on reset and on re-select), plus the fault switches.
 *
 * The digests in EF 0003 are SHA-256 over the whole TLV element of EF 0001
 * and of EF 0002, the same convention the reader checks (unconfirmed on a
 * physical card; see mynacard-sim(1)).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card.h"
#include "sim.h"

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

enum { S_PIN, S_KB, S_MB, S_JAUTH, S_JSIGN, S_COUNT };

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
};

static void
fill_placeholder(struct wbuf *w, const char *seed, size_t n)
{
	/* Deterministic bytes derived from the seed: different people get
	 * different images without shipping binary files. */
	uint8_t block[crypto_hash_sha256_BYTES];
	uint32_t ctr = 0;

	while (n > 0) {
		crypto_hash_sha256_state st;
		size_t k = n < sizeof(block) ? n : sizeof(block);
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, (const uint8_t *)seed, strlen(seed));
		crypto_hash_sha256_update(&st, (const uint8_t *)&ctr, sizeof(ctr));
		crypto_hash_sha256_final(&st, block);
		wbuf_put(w, block, k);
		n -= k;
		ctr++;
	}
}

/* Image bytes: the profile's, or a placeholder (a JPEG 2000 signature box
 * followed by seeded bytes, for the photo). */
static void
put_image(struct wbuf *w, uint32_t tag, const uint8_t *img, size_t len,
    const char *seed, size_t deflen, int jp2)
{
	static const uint8_t sig[] = { 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20,
	    0x0D, 0x0A, 0x87, 0x0A };
	struct wbuf tmp;

	if (img != NULL) {
		wbuf_put_tlv(w, tag, img, len);
		return;
	}
	wbuf_init(&tmp, 0);
	if (jp2)
		wbuf_put(&tmp, sig, sizeof(sig));
	fill_placeholder(&tmp, seed, deflen);
	wbuf_put_tlv(w, tag, tmp.p, tmp.len);
	wbuf_free(&tmp);
}

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

int
sim_card_new(const struct sim_profile *p, struct sim_card **out, struct err *e)
{
	struct sim_card *c;
	struct ef *f1, *f2, *f3, *fk, *fc;
	struct wbuf in;
	uint8_t h1[32], h2[32];
	char ymd[16], b[32], seed[600];

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium did not initialise");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	c->prof = *p;
	c->prof.photo = c->prof.name_image = c->prof.address_image = c->prof.cert = NULL;
	c->prof.jpki = NULL;
	c->cur = -1;

	/* Secrets.  照合番号B = birth YYMMDD + expiry YYYY + security code. */
	snprintf(b, sizeof(b), "%06d%04d", p->birth % 1000000, (p->expiry / 10000) % 10000);
	memcpy(b + 10, p->code, 4);
	b[14] = '\0';
	set_secret(&c->sec[S_PIN], p->pin, p->pin_tries, 3);
	set_secret(&c->sec[S_KB], b, p->b_tries, 10);
	set_secret(&c->sec[S_MB], b, p->b_tries, 10);
	set_secret(&c->sec[S_JAUTH], p->jpki_pin[0] != '\0' ? p->jpki_pin : p->pin,
	    p->jpki_auth_tries, 3);
	set_secret(&c->sec[S_JSIGN], p->jpki_password[0] != '\0' ? p->jpki_password :
	    "MADOGUCHI1", p->jpki_sign_tries, 5);
	mem_wipe(b, sizeof(b));

	/* 券面事項入力補助AP. */
	add_ef(c, AP_KENHOJO, 0x0011, S_PIN, 0);
	add_ef(c, AP_KENHOJO, 0x0015, S_KB, 0);
	/* Either the PIN or 照合番号B opens the data files. */
	f1 = add_ef(c, AP_KENHOJO, 0x0001, -1, 1 << S_PIN | 1 << S_KB);
	f2 = add_ef(c, AP_KENHOJO, 0x0002, -1, 1 << S_PIN | 1 << S_KB);
	f3 = add_ef(c, AP_KENHOJO, 0x0003, -1, 1 << S_PIN | 1 << S_KB);
	wbuf_put_tlv(&f1->data, 0xDF10, p->mynumber, 12);
	wbuf_init(&in, 0);
	{
		static const uint8_t hdr[] = { 0x01, 0x00, 0x00 };
		wbuf_put_tlv(&in, 0xDF21, hdr, sizeof(hdr));
	}
	wbuf_put_tlv(&in, 0xDF22, p->name, strlen(p->name));
	wbuf_put_tlv(&in, 0xDF23, p->address, strlen(p->address));
	snprintf(ymd, sizeof(ymd), "%08d", p->birth);
	wbuf_put_tlv(&in, 0xDF24, ymd, 8);
	snprintf(ymd, sizeof(ymd), "%d", p->sex);
	wbuf_put_tlv(&in, 0xDF25, ymd, 1);
	if (p->malformed && in.len > 8)
		in.p[2] = 0x7F;	/* DF21's length now runs past the element */
	wbuf_put_tlv(&f2->data, 0xFF20, in.p, in.len);
	wbuf_free(&in);
	crypto_hash_sha256(h1, f1->data.p, f1->data.len);
	crypto_hash_sha256(h2, f2->data.p, f2->data.len);
	if (p->bad_digest)
		h2[0] ^= 0x5A;
	wbuf_init(&in, 0);
	wbuf_put_tlv(&in, 0xDF31, h1, sizeof(h1));
	wbuf_put_tlv(&in, 0xDF32, h2, sizeof(h2));
	snprintf(seed, sizeof(seed), "sig:%s", p->mynumber);
	put_image(&in, 0xDF33, NULL, 0, seed, 256, 0);
	wbuf_put_tlv(&f3->data, 0xFF30, in.p, in.len);
	wbuf_free(&in);

	/* 券面事項確認AP. */
	add_ef(c, AP_KENMEN, 0x0012, S_MB, 0);
	fk = add_ef(c, AP_KENMEN, 0x0002, -1, 1 << S_MB);
	wbuf_init(&in, 0);
	snprintf(ymd, sizeof(ymd), "%08d", p->birth);
	wbuf_put_tlv(&in, 0xDF41, ymd, 8);
	snprintf(ymd, sizeof(ymd), "%d", p->sex);
	wbuf_put_tlv(&in, 0xDF42, ymd, 1);
	snprintf(seed, sizeof(seed), "name:%s", p->name);
	put_image(&in, 0xDF43, p->name_image, p->name_image_len, seed, 800, 0);
	snprintf(seed, sizeof(seed), "addr:%s", p->address);
	put_image(&in, 0xDF44, p->address_image, p->address_image_len, seed, 1200, 0);
	snprintf(seed, sizeof(seed), "face:%s", p->name);
	put_image(&in, 0xDF45, p->photo, p->photo_len, seed, 2400, 1);
	snprintf(ymd, sizeof(ymd), "%08d", p->expiry);
	wbuf_put_tlv(&in, 0xDF46, ymd, 8);
	wbuf_put_tlv(&fk->data, 0xFF40, in.p, in.len);
	wbuf_free(&in);

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
	if (a.cla != 0x00)
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
