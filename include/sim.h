/*
 * sim.h — mynacard-sim, a My Number card simulator that plugs into the real
 * PC/SC stack through the vsmartcard vpcd reader driver (SPEC 5), and the
 * private pcscd the tests and the demo run it behind.  See mynacard-sim(1)
 * for the profile format and the fault switches.
 */
#ifndef MDG_SIM_H
#define MDG_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

/* One simulated card, as read from data/cards/NAME.card. */
struct sim_profile {
	char synth[32];			/* "SEED INDEX" of the synthetic resident */
	char name[256];			/* 氏名, UTF-8 */
	char address[512];		/* 住所, UTF-8 */
	int birth;			/* YYYYMMDD */
	int sex;			/* ISO 5218: 1, 2 or 9 */
	char mynumber[13];		/* 12 digits */
	char pin[5];			/* 券面事項入力補助用 4 digits */
	int pin_tries;			/* remaining; max 3 */
	int expiry;			/* YYYYMMDD (照合番号B uses the year) */
	char code[5];			/* セキュリティコード, 4 digits */
	int b_tries;			/* 照合番号B remaining; max 10 */
	int jpki_auth_tries;		/* max 3 */
	int jpki_sign_tries;		/* max 5 */
	uint8_t *photo;			size_t photo_len;
	uint8_t *name_image;		size_t name_image_len;
	uint8_t *address_image;		size_t address_image_len;
	uint8_t *cert;			size_t cert_len;
	/* JPKI AP (sim-jpki.c): a PEM bundle of the 利用者証明用 key, cert and
	 * CA cert, then the 署名用 key, cert and CA cert (TEST ONLY, made by
	 * scripts/gen-jpki-test-ca.sh); the 利用者証明用 PIN (default: pin) and
	 * the 署名用 password (default MADOGUCHI1). */
	uint8_t *jpki;			size_t jpki_len;
	char jpki_pin[5];
	char jpki_password[17];
	int birth_seireki;		/* the card face prints the birth date in 西暦
					 * (照合番号B then uses its two digits, not
					 * the 和暦 era year) */
	int chip_key;			/* 1..4: data/cards/keys/TEST-ONLY-chip-N.pem;
					 * 0: chosen from the 個人番号 */
	char keydir[4096];		/* the test keys (set by sim_profile_load:
					 * PROFILE_DIR/keys) */
	/* Fault switches. */
	int forged;			/* data changed, digests recomputed, old signature */
	int clone;			/* files copied onto another chip (another key
					 * answers the challenge) */
	int unknown_issuer;		/* certified by an issuer CA no terminal trusts */
	int bad_digest;			/* DF32 does not match 基本4情報 (signed as stored) */
	int truncate;			/* READ BINARY answers lose their last byte */
	int garble;			/* READ BINARY answers lack a status word */
	int malformed;			/* 基本4情報 TLV has a length past its end */
	int slow_ms;			/* delay before every answer */
	int remove_after;		/* pulled out when APDU N+1 arrives (0 = never) */
	int extended;			/* advertise extended length (default 1) */
	int max_response;		/* longer answers come as 61xx pieces (default 1024) */
	int t0;				/* offer T=0 instead of T=1 in the ATR */
	int ext_refused;		/* announce extended length, answer 6700 to it */
};

/* Parse a profile (key = value lines, see mynacard-sim(1)); file: values
 * (images, certificate) are read relative to dir (NULL: not allowed). */
int sim_profile_parse(const char *text, size_t n, const char *dir,
    struct sim_profile **out, struct err *e);
int sim_profile_load(const char *path, struct sim_profile **out, struct err *e);
void sim_profile_free(struct sim_profile *p);

/* The trust anchor line of the simulator's test issuer CA ("KEYID EXPONENT
 * MODULUS", hex, no newline), from keydir/TEST-ONLY-issuer-ca.pem. */
int sim_trust_anchor(const char *keydir, char *out, size_t cap, struct err *e);

/* The card: files built from a profile, counters, security state.  The
 * data is signed here with the committed test keys (no key generation). */
struct sim_card;
int sim_card_new(const struct sim_profile *p, struct sim_card **out, struct err *e);
void sim_card_free(struct sim_card *c);
/* Power on or reset: security status and pending answers are lost. */
void sim_card_reset(struct sim_card *c);
size_t sim_card_atr(const struct sim_card *c, uint8_t *out, size_t cap);
/* Answer one command APDU.  Returns 0, or 1 when the card is "pulled out"
 * instead of answering (remove_after); *outn may be < 2 (garble). */
int sim_card_apdu(struct sim_card *c, const uint8_t *in, size_t n,
    uint8_t *out, size_t cap, size_t *outn);
unsigned long sim_card_apdu_count(const struct sim_card *c);
void sim_card_apdu_count_reset(struct sim_card *c);

/* The JPKI AP's keys and certificates, from the profile's jpki bundle. */
struct sim_jpki;
int sim_jpki_new(const uint8_t *pem, size_t n, struct sim_jpki **out, struct err *e);
void sim_jpki_free(struct sim_jpki *j);
/* DER of a certificate EF: 000A 利用者証明用, 000B its CA, 0001 署名用,
 * 0002 its CA.  NULL when the bundle has none. */
const uint8_t *sim_jpki_cert(const struct sim_jpki *j, uint16_t fid, size_t *n);
/* The card's COMPUTE DIGITAL SIGNATURE (80 2A 00 80): PKCS#1 v1.5 type 1
 * over the data as given (a DigestInfo), with the 利用者証明用 key (sign_key
 * 0) or the 署名用 key (1).  sig receives 256 bytes.  ERR_RANGE when the data
 * is too long for the key. */
int sim_jpki_sign(const struct sim_jpki *j, int sign_key, const uint8_t *in,
    size_t n, uint8_t *sig, size_t cap, size_t *siglen, struct err *e);

/* Run pcscd in the foreground with its own reader configuration in dir
 * (dir/reader.conf.d/vpcd naming the vpcd driver on port and port+1) and
 * its own socket dir/pcscd.comm (handed over by socket activation, so the
 * system's /run/pcscd is never touched).  Only returns on error. */
int sim_pcscd_exec(const char *dir, int port, struct err *e);

#endif
