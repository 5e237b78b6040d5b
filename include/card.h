/*
 * card.h — the My Number card over PC/SC (SPEC 5; REQUIREMENTS ID-1, ID-3,
 * ID-4, ID-5, LOG-5).
 *
 * Layers, bottom up:
 *   - APDU building and response parsing (pure functions, byte vectors in
 *     the unit tests, fuzzed);
 *   - the transport: one PC/SC context and one connected card (struct card),
 *     GET RESPONSE on 61xx, re-send with the right Le on 6Cxx;
 *   - a reader/card state watcher that runs on its own thread and never
 *     blocks the caller (struct card_watch);
 *   - the three applications: 券面事項入力補助AP (kenhojo), 券面事項確認AP
 *     (kenmen) and JPKI, with PIN safety.
 *
 * Secrets: PINs and 照合番号B are held by the caller in memory from
 * card_secret_new() (sodium_malloc: guard pages, locked, wiped on free); the
 * card module copies them only into sodium_malloc'd APDU buffers that are
 * wiped right after the VERIFY.  The full 個人番号 in a result lives in
 * sodium_malloc'd memory too and is wiped by card_result_free().  No
 * function here puts a PIN, a 照合番号B or a full 個人番号 into a log line or
 * into struct err.
 *
 * Errors: every function returns 0 or a negative ERR_* and fills struct err
 * with an English .msg (for the operator log) and, for everything the clerk
 * can act on, a Japanese .ja (err_ja() gives it).
 *
 * Thread safety: a struct card and a struct card_watch may be used from
 * different threads, but one struct card only from one thread at a time.
 */
#ifndef MDG_CARD_H
#define MDG_CARD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core.h"

/* ----------------------------------------------------------- identifiers */

/* Application identifiers (public). */
#define CARD_AID_JPKI     "\xD3\x92\xF0\x00\x26\x01\x00\x00\x00\x01"
#define CARD_AID_KENHOJO  "\xD3\x92\x10\x00\x31\x00\x01\x01\x04\x08"
#define CARD_AID_KENMEN   "\xD3\x92\x10\x00\x31\x00\x01\x01\x04\x02"
#define CARD_AID_LEN 10

/* Which application a read went through. */
enum card_ap {
	CARD_AP_NONE = 0,
	CARD_AP_KENHOJO = 1,	/* 券面事項入力補助AP */
	CARD_AP_KENMEN = 2,	/* 券面事項確認AP */
	CARD_AP_JPKI = 3,	/* 公的個人認証AP */
};

/* The secrets a card knows, each with its own retry counter. */
enum card_pin {
	CARD_PIN_KENHOJO = 0,	/* 4-digit PIN, 入力補助AP EF 0011 */
	CARD_PIN_KENHOJO_B = 1,	/* 照合番号B, 入力補助AP EF 0015 */
	CARD_PIN_KENMEN_B = 2,	/* 照合番号B, 確認AP EF 0012 (see mynacard-sim(1)) */
	CARD_PIN_JPKI_AUTH = 3,	/* 利用者証明用 PIN, JPKI EF 0018 */
	CARD_PIN_JPKI_SIGN = 4,	/* 署名用 password, JPKI EF 001B */
	CARD_PIN_KENMEN_A = 5,	/* 照合番号A (the 個人番号), 確認AP EF 0013 */
	CARD_PIN_COUNT = 6,
};

/* How the card was unlocked for a read. */
enum card_unlock {
	CARD_UNLOCK_NONE = 0,
	CARD_UNLOCK_PIN = 1,	/* 4-digit 暗証番号 */
	CARD_UNLOCK_B = 2,	/* 照合番号B */
	CARD_UNLOCK_A = 3,	/* 照合番号A: the 個人番号 a PIN read gave (確認AP only) */
};

const char *card_ap_name(enum card_ap ap);		/* "kenhojo", ... */
const char *card_ap_name_ja(enum card_ap ap);		/* "券面事項入力補助AP", ... */
const char *card_unlock_name_ja(enum card_unlock u);	/* "暗証番号", "照合番号B" */
const char *card_pin_name_ja(enum card_pin p);

/* ------------------------------------------------------- secrets (PINs) */

#define CARD_PIN_LEN 4
#define CARD_B_LEN 14		/* birth YYMMDD + expiry YYYY + code 4 digits */
#define CARD_SECRET_MAX 16	/* holds either, NUL-terminated */

/* A PIN or 照合番号B buffer of CARD_SECRET_MAX bytes in sodium_malloc memory
 * (libsodium initialised on first use).  NULL when out of memory. */
char *card_secret_new(void);
/* Wipe and free (NULL is fine). */
void card_secret_free(char *s);
/* Check a 4-digit PIN typed by the clerk/resident: ERR_INVAL with a
 * Japanese reason when it is not exactly 4 ASCII digits. */
int card_pin_check(const char *pin, struct err *e);
/* Build 照合番号B into out (a card_secret_new() buffer) from the parts the
 * clerk types: birth YYMMDD (a real date), expiry year YYYY (2014..2099) and
 * the 4-digit security code (セキュリティコード).  Each part is validated and
 * a bad part is named in .ja; the parts themselves never appear in .msg. */
int card_b_build(const char *birth6, const char *expiry4, const char *code4,
    char *out, struct err *e);
/* 照合番号B from what is printed on the card face (LAYOUT.md): birth as
 * printed — 和暦 ("S55.2.17", "昭和55年2月17日": the era year is used) or
 * 西暦 for a card printed in 西暦 ("1980-02-17", "1980/2/17", "19800217":
 * the last two digits of the year), or the six digits YYMMDD as printed;
 * expiry: the year "2035" or the full expiry date (any form date_parse
 * takes); code: the 4-digit セキュリティコード.  1980-02-17 (昭和55),
 * expiry 2035, code 2285 → 55021720352285.  Nothing typed appears in .msg. */
int card_b_from_printed(const char *birth, const char *expiry, const char *code,
    char *out, struct err *e);
/* The same from one line "BIRTH EXPIRY CODE" (fields separated by spaces,
 * ASCII or U+3000), as `card read --b-stdin` and the F2 screen take it. */
int card_b_from_line(const char *line, char *out, struct err *e);

/* ------------------------------------------------------------------ APDU */

/* A command APDU.  le: expected length, 0 = none, CARD_LE_MAX = "all"
 * (00 short, 0000 extended).  ext: force the extended length encoding. */
#define CARD_LE_MAX 65536
struct apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	size_t le;
	int ext;
};

/* Encode into out (cap bytes); *n receives the length.  Short encoding when
 * lc <= 255 and le <= 256 and !ext; extended otherwise (lc <= 65535,
 * le <= 65536).  ERR_RANGE when it does not fit. */
int apdu_encode(const struct apdu *a, uint8_t *out, size_t cap, size_t *n);
/* Parse a command APDU (the simulator's side): cases 1, 2, 3, 4, short and
 * extended, strictly (trailing bytes are ERR_FORMAT).  a->data points into
 * p.  le is 0 when absent, 256 / 65536 for 00 / 0000. */
int apdu_decode(const uint8_t *p, size_t n, struct apdu *a);

/* A response: data and SW1 SW2.  ERR_SHORT when fewer than 2 bytes. */
struct rapdu {
	const uint8_t *data;
	size_t len;
	uint16_t sw;
};
int rapdu_parse(const uint8_t *p, size_t n, struct rapdu *r);

/* Map a status word to an error (0 for 9000).  Sets .msg (English, with the
 * SW in hex) and .ja (plain Japanese): 63Cx gives the tries left, 6983 the
 * blocked-card explanation with what the resident must do. */
int card_sw_err(uint16_t sw, struct err *e);
/* 63Cx → x; -1 for any other SW. */
int card_sw_tries(uint16_t sw);

/* ------------------------------------------------------------ transport */

struct card;

/* Names of the readers pcscd knows: *names is a malloc'd array of malloc'd
 * strings (free with card_readers_free).  n may be 0 (no reader). */
int card_readers_list(char ***names, size_t *n, struct err *e);
void card_readers_free(char **names, size_t n);

/* Connect to the card in `reader`, or (reader NULL or "") the first reader
 * that has a card.  ERR_NOTFOUND with .ja when there is no reader or no
 * card.  Free with card_close. */
int card_open(const char *reader, struct card **out, struct err *e);
void card_close(struct card *c);
const char *card_reader(const struct card *c);
/* The transmission protocol in use: 0 (T=0) or 1 (T=1). */
int card_protocol(const struct card *c);
/* The ATR (valid while the card is open). */
const uint8_t *card_atr(const struct card *c, size_t *n);

/* Send one APDU and collect the whole answer: 61xx is followed by GET
 * RESPONSE until done, 6Cxx re-sends with Le = xx.  resp (cap bytes)
 * receives the data, *sw the final status word.  Returns 0 when the card
 * answered at all (whatever the SW); ERR_CARD / ERR_SHORT / ERR_RANGE when
 * the card was removed, the reader failed, or the answer was malformed. */
int card_transmit(struct card *c, const struct apdu *a, uint8_t *resp,
    size_t cap, size_t *rlen, uint16_t *sw, struct err *e);

/* Counters of what went over the wire since card_open (benchmarks).
 * A fully authenticated PIN read of 入力補助AP with extended length takes
 * 15 APDUs: SELECT AP, SELECT PIN EF, empty VERIFY (tries), VERIFY, SELECT +
 * READ BINARY for each of EF 0001, 0002, 0003, 0004, 0007, and the chip
 * challenge (80 2A).  A 照合番号B read skips EF 0001: 13. */
struct card_stats {
	unsigned long apdus;		/* command APDUs sent, retries included */
	unsigned long bytes_out, bytes_in;
};
void card_stats_get(const struct card *c, struct card_stats *s);

/* ------------------------------------------------------------ PIN safety */

/* Remaining tries of one secret, asked with an empty VERIFY (selects the
 * application and EF first).  Returns the count (0..15, 0 = blocked) or a
 * negative error.  Never changes a counter. */
int card_pin_tries(struct card *c, enum card_pin which, struct err *e);

/* -------------------------------------------------------------- PIN pad
 * pinpad.c: readers with their own keypad (PC/SC part 10 v2.02.09,
 * FEATURE_VERIFY_PIN_DIRECT).  When the reader offers it, the PIN is typed
 * on the reader and never passes through this program: card_verify_safe
 * (and every read built on it) takes a NULL secret to mean "on the reader's
 * keys" for the 4-digit PINs, after the same tries check and last-try rule.
 * The simulator (vpcd) cannot offer it; see mynacard-sim(1). */
#define CARD_IOCTL_GET_FEATURE_REQUEST 0x42000D48UL	/* SCARD_CTL_CODE(3400) */
#define CARD_FEATURE_VERIFY_PIN_DIRECT 0x06

/* What goes into PIN_VERIFY_STRUCTURE. */
struct card_pinpad_params {
	uint8_t timeout;		/* bTimerOut: seconds for the whole entry (0 = reader default) */
	uint8_t timeout2;		/* bTimerOut2: seconds after the first key */
	uint8_t min_digits, max_digits;	/* wPINMaxExtraDigit */
	uint16_t lang;			/* wLangId, 0x0411 Japanese */
	uint8_t apdu[4];		/* CLA INS P1 P2 of the VERIFY (00 20 00 80) */
};
/* The defaults for the 4-digit PINs: 30 s, 15 s after the first key, 4..4
 * digits, Japanese, VERIFY 00 20 00 80. */
void card_pinpad_params_pin4(struct card_pinpad_params *p);
/* PIN_VERIFY_STRUCTURE (19 bytes + the APDU: header, Lc = max_digits and
 * max_digits placeholder bytes 0xFF the reader overwrites with the ASCII
 * digits), little-endian as part 10 says.  ERR_INVAL on bad parameters,
 * ERR_RANGE when cap is too small. */
int card_pinpad_build_verify(const struct card_pinpad_params *p, uint8_t *out,
    size_t cap, size_t *n, struct err *e);
/* The control code of feature `tag` in a GET_FEATURE_REQUEST answer (TLV:
 * tag, length 4, code big-endian).  ERR_NOTFOUND when the reader does not
 * offer it, ERR_FORMAT on a malformed answer (pure; fuzzed). */
int card_pinpad_parse_features(const uint8_t *p, size_t n, uint8_t tag,
    uint32_t *code, struct err *e);
/* 1 when the card's reader offers FEATURE_VERIFY_PIN_DIRECT, else 0. */
int card_pinpad_offered(struct card *c);

/* ----------------------------------------------------------------- reads */

/* ------------------------------------------------------- authenticity */

/* Verdicts (issue 11; SPEC 5 Authenticity).  The data: signed by an issuer
 * key the terminal trusts (verified), a check failed (failed, with which),
 * or the issuer key is not installed (unverifiable — never "forged").  The
 * chip: it signed a fresh challenge with the card key from a verified
 * record (genuine), it did not (failed), or no verified key to challenge
 * (not-checked). */
enum card_auth {
	CARD_AUTH_NOT_CHECKED = 0,
	CARD_AUTH_VERIFIED = 1,
	CARD_AUTH_FAILED = 2,
	CARD_AUTH_UNVERIFIABLE = 3,
};
enum card_auth_fail {
	CARD_FAIL_NONE = 0,
	CARD_FAIL_CERTIFICATE = 1,	/* EF 0004 does not verify with the anchor */
	CARD_FAIL_SIGNATURE = 2,	/* DF33 / DF52 / DF28 */
	CARD_FAIL_DIGEST = 3,		/* DF31 / DF32 against the data read */
	CARD_FAIL_SUBJECT = 4,		/* JPKI route: the certificate names someone else */
};
enum card_chip {
	CARD_CHIP_NOT_CHECKED = 0,
	CARD_CHIP_GENUINE = 1,
	CARD_CHIP_FAILED = 2,
};
const char *card_auth_name(enum card_auth a);		/* "verified", ... "not-checked" */
const char *card_auth_fail_name(enum card_auth_fail f);	/* "certificate", ... "" */
const char *card_chip_name(enum card_chip c);		/* "genuine", "failed", "not-checked" */
const char *card_auth_name_ja(enum card_auth a);	/* "検証済み", ... */
const char *card_auth_fail_name_ja(enum card_auth_fail f);
const char *card_chip_name_ja(enum card_chip c);

/* A card-verifiable key ID: 16 bytes (7 ASCII digits, 2 bytes, 3 ASCII
 * digits, 4 bytes), compared whole. */
#define CARD_KEYID_LEN 16

/* Issuer keys the terminal trusts: `[card] trust_anchors = FILE`, one per
 * line "KEYID EXPONENT MODULUS" in hex (KEYID 32 hex digits, MODULUS 128 to
 * 512 bytes), `#` comments and blank lines.  A bad line is ERR_FORMAT
 * "NAME:LINE: reason". */
struct card_anchor {
	uint8_t keyid[CARD_KEYID_LEN];
	uint8_t e[8];
	size_t elen;
	uint8_t n[512];
	size_t nlen;
};
struct card_anchors {
	struct card_anchor *v;
	size_t n;
};
int card_anchors_parse(const char *text, size_t len, const char *name,
    struct card_anchors *out, struct err *e);
int card_anchors_load(const char *path, struct card_anchors *out, struct err *e);
void card_anchors_free(struct card_anchors *a);
const struct card_anchor *card_anchors_find(const struct card_anchors *a,
    const uint8_t keyid[CARD_KEYID_LEN]);
/* A key ID as 32 hex digits. */
void card_keyid_hex(const uint8_t keyid[CARD_KEYID_LEN], char out[2 * CARD_KEYID_LEN + 1]);

/* An RSA public key as the card writes it: 90 exponent, 91 modulus.  The
 * pointers point into the parsed bytes. */
struct card_rsa_pub {
	const uint8_t *n;
	size_t nlen;
	const uint8_t *e;
	size_t elen;
};
int card_parse_rsakey(const uint8_t *p, size_t n, struct card_rsa_pub *k, struct err *e);

/* The card-verifiable certificate of EF 0004: 7F21 { 5F4E 297 bytes
 * (issuer key ID, subject key ID, 90/91 key), 5F37 signature }. */
struct card_cvc {
	uint8_t issuer[CARD_KEYID_LEN];
	uint8_t subject[CARD_KEYID_LEN];
	struct card_rsa_pub key;
	const uint8_t *body;		/* the 5F4E value (what 5F37 signs) */
	size_t body_len;
	const uint8_t *sig;
	size_t sig_len;
};
int card_parse_cvc(const uint8_t *p, size_t n, struct card_cvc *c, struct err *e);

/* A SHA-256 DigestInfo (DER) around v (vlen bytes, put as they are: 32 for
 * a hash, 96 for DF28's three hashes).  Returns its length, or 0 when cap
 * is too small. */
size_t card_digestinfo_sha256(const uint8_t *v, size_t vlen, uint8_t *out, size_t cap);
/* RSA public operation and PKCS#1 v1.5 type-1 unpadding of sig: the block's
 * payload into out.  ERR_AUTH when the block is not a valid type-1 block,
 * ERR_INVAL for a bad key. */
int card_rsa_recover(const struct card_rsa_pub *k, const uint8_t *sig, size_t siglen,
    uint8_t *out, size_t cap, size_t *outlen);
/* 0 when sig is k's PKCS#1 v1.5 signature of exactly this DigestInfo
 * payload (di, dlen), ERR_AUTH otherwise. */
int card_rsa_check(const struct card_rsa_pub *k, const uint8_t *sig, size_t siglen,
    const uint8_t *di, size_t dlen);
/* 0 when sig is k's PKCS#1 v1.5 SHA-256 signature of data. */
int card_rsa_verify_sha256(const struct card_rsa_pub *k, const uint8_t *sig,
    size_t siglen, const uint8_t *data, size_t dlen);

/* Digest check of one item (LAYOUT.md: DF31 over the stored EF 0001, DF32
 * over FF20's value without DF21). */
enum card_digest {
	CARD_DIGEST_UNCHECKED = 0,	/* not read (this AP has none) */
	CARD_DIGEST_OK = 1,
	CARD_DIGEST_MISMATCH = 2,	/* warning for the clerk, not a refusal */
	CARD_DIGEST_MISSING = 3,	/* EF 0003 lacks the digest */
};

/* What the caller asks for.  secret: the PIN (CARD_UNLOCK_PIN) or
 * 照合番号B (CARD_UNLOCK_B), NUL-terminated, from card_secret_new().
 * confirm_last_try: the clerk has confirmed sending the secret although
 * only one try is left; without it such a VERIFY is refused (ERR_STATE,
 * counter untouched). */
struct card_read_req {
	enum card_unlock method;
	const char *secret;
	int confirm_last_try;
	/* Issuer keys to verify the data against (NULL: none installed, the
	 * verdict is at best unverifiable). */
	const struct card_anchors *anchors;
	/* out, filled even when the read fails: tries left before the VERIFY
	 * and after it (-1 = not known). */
	int tries_before;
	int tries_after;
};

/* The 券面事項確認AP images for the identity screen, as raw bytes from the
 * card (EF 0002: DF27 face photo, JPEG 2000 in a JP2 container; DF25 氏名
 * and DF26 住所 images, PNG) and the expiry DF29 as "YYYY-MM-DD" ("" when
 * not read).  Every buffer is sodium_malloc'd (NULL and 0 when absent) and
 * wiped and freed by card_face_free(), which also zeroes the struct (the
 * struct itself is the caller's; NULL ok).  Never written to a file or a
 * log. */
struct card_face {
	uint8_t *photo_jp2;	size_t photo_len;
	uint8_t *name_png;	size_t name_len;
	uint8_t *addr_png;	size_t addr_len;
	char expiry[11];
};
void card_face_free(struct card_face *f);

/* One identity read (入力補助AP or 確認AP). */
struct card_result {
	enum card_ap ap;
	enum card_unlock unlock;
	int tries_left;			/* of the secret used, as read just before
					 * the VERIFY (the success then resets the
					 * card's counter to its maximum) */
	char *name;			/* UTF-8, malloc'd */
	char *address;			/* UTF-8, malloc'd */
	struct date birth;
	int sex;			/* ISO 5218: 1 male, 2 female, 9 n/a, 0 unknown */
	/* 入力補助AP only (never on a 照合番号B read, which opens EF 0002 and
	 * not EF 0001): */
	char *mynumber;			/* 12 digits + NUL, sodium_malloc'd; NULL if not read */
	int mynumber_check_ok;		/* check digit (ID-4) */
	enum card_digest digest_mynumber;	/* DF31 over EF 0001 */
	enum card_digest digest_basic4;		/* DF32 over EF 0002 */
	uint8_t *signature;		/* DF33 (DF28 on the 確認AP), malloc'd */
	size_t signature_len;
	/* 確認AP only: the images for the identity screen (sodium memory). */
	struct card_face face;
	struct date expiry;		/* zero when not read */
	/* Authenticity (both APs). */
	enum card_auth auth;
	enum card_auth_fail auth_fail;
	char issuer_key_id[2 * CARD_KEYID_LEN + 1];	/* "" when no certificate */
	enum card_chip chip;
	/* The JPKI route 「電子証明書で真正性を確認」 after this read (issue 11;
	 * card_result_add_jpki): 0 not taken, else its verdict (enum
	 * card_jpki_verdict) and card_jpki_auth_summary's line. */
	int jpki;
	char jpki_summary[192];
};

/* 券面事項入力補助AP: tries (EF 0011 or 0015) → refuse on one try left
 * without confirmation → VERIFY (secret wiped) → 個人番号, 基本4情報,
 * digests.  On failure *out is NULL and nothing partial is returned.
 * ERR_AUTH (wrong secret; req->tries_after and .ja say how many are left),
 * ERR_LOCKED (blocked: 6983 or 0 tries), ERR_STATE (one try left, not
 * confirmed), ERR_CARD (removed, reader error), ERR_FORMAT/ERR_SHORT
 * (malformed answers). */
int card_read_kenhojo(struct card *c, struct card_read_req *req,
    struct card_result **out, struct err *e);
/* 券面事項確認AP with 照合番号B, or with 照合番号A (CARD_UNLOCK_A: the
 * 12-digit 個人番号 a PIN read of the 入力補助AP gave, LAYOUT.md EF 0013):
 * birth, sex, expiry, name/address images, face photo. */
int card_read_kenmen(struct card *c, struct card_read_req *req,
    struct card_result **out, struct err *e);
/* Wipe every field (the 個人番号 with sodium_free) and free.  NULL ok. */
void card_result_free(struct card_result *r);

/* JPKI: the authentication certificate (no PIN) and both retry counters. */
struct card_jpki {
	uint8_t *auth_cert;		/* DER, malloc'd */
	size_t auth_cert_len;
	int auth_tries;			/* 利用者証明用 PIN */
	int sign_tries;			/* 署名用 password */
};
int card_read_jpki(struct card *c, struct card_jpki **out, struct err *e);
void card_jpki_free(struct card_jpki *j);

/* ------------------------------------------------------------------ JPKI
 * jpki.c: the 利用者証明用 certificate and key of the JPKI AP as a second,
 * publicly checkable route to authenticity (issue 11), and as a staff
 * member's second factor (issue 14).  X.509 and RSA are OpenSSL 3's
 * libcrypto; this module only decides what the results mean.
 *
 * What a real 利用者証明用 certificate says: subject C=JP and an issue
 * identifier, no 基本4情報 (public work on real cards; only the 署名用
 * certificate carries them, in subjectAltName otherNames under
 * 1.2.392.200149.8.5.5).  So the link between the JPKI key and the 基本4情報
 * read from 入力補助AP is "the same chip answered both in one session";
 * where a certificate does carry 基本4情報 they are compared as well. */

/* J-LIS root certificates (`[card] jpki_roots`), loaded once. */
struct card_jpki_roots;
/* Load a PEM file of one or more self-signed root certificates.  Each must
 * be a CA whose self-signature verifies; a bad one is ERR_FORMAT with
 * "FILE: certificate N: reason".  Free with card_jpki_roots_free. */
int card_jpki_roots_load(const char *path, struct card_jpki_roots **out,
    struct err *e);
int card_jpki_roots_from_pem(const uint8_t *pem, size_t n,
    struct card_jpki_roots **out, struct err *e);
size_t card_jpki_roots_count(const struct card_jpki_roots *r);
void card_jpki_roots_free(struct card_jpki_roots *r);

/* What a certificate says (pure; fuzzed).  Strings are NUL-terminated;
 * has_basic4 is set when the certificate carries 基本4情報 (JPKI otherName
 * 1.2.392.200149.8.5.5.1/.3/.4/.5). */
struct card_jpki_cert {
	struct date not_before, not_after;
	char subject_cn[128];
	int has_basic4;
	char name[256];
	char address[512];
	struct date birth;		/* from EYYYYMMDD (Gregorian after the era digit) */
	int sex;			/* ISO 5218 */
};
int card_jpki_cert_parse(const uint8_t *der, size_t n,
    struct card_jpki_cert *out, struct err *e);

/* Does a certificate that carries 基本4情報 name the person the card's
 * 入力補助AP read names?  Name and address are compared after folding
 * U+3000/ASCII spaces and full-width/ASCII digits and hyphens
 * (kana_normalize); birth and sex exactly.  1 same, 0 different, -1 the
 * certificate carries none (a 利用者証明用 certificate). */
int card_jpki_subject_match(const struct card_jpki_cert *c,
    const struct card_result *basic4);

/* The chain, offline: signature and validity only (no CRL/OCSP).  The root
 * is chosen by signature, not by name (three J-LIS generations share one
 * DN).  `now` is the time to judge validity at. */
enum card_jpki_chain {
	CARD_JPKI_CHAIN_OK = 0,
	CARD_JPKI_CHAIN_NO_ROOTS = 1,		/* no [card] jpki_roots: unverifiable */
	CARD_JPKI_CHAIN_UNKNOWN_ISSUER = 2,	/* no root has the issuer's name: unverifiable */
	CARD_JPKI_CHAIN_BAD_SIGNATURE = 3,	/* a root of that name, none signed it: failed */
	CARD_JPKI_CHAIN_EXPIRED = 4,		/* the certificate or its root is out of date: failed */
	CARD_JPKI_CHAIN_NOT_YET_VALID = 5,	/* failed */
	CARD_JPKI_CHAIN_MALFORMED = 6,		/* not a certificate: failed */
};
const char *card_jpki_chain_name(enum card_jpki_chain c);	/* "ok", "no-roots", ... */
const char *card_jpki_chain_name_ja(enum card_jpki_chain c);
enum card_jpki_chain card_jpki_chain_check(const struct card_jpki_roots *roots,
    const uint8_t *der, size_t n, time_t now);

/* Check `sig` (from 80 2A 00 80 over DigestInfo(SHA-256(challenge))) with
 * the public key of the certificate `der` — e.g. the one registered for a
 * staff account (issue 14).  0 when it verifies, ERR_AUTH when it does not,
 * ERR_FORMAT when der is not an RSA certificate. */
int card_jpki_challenge_verify(const uint8_t *der, size_t n,
    const uint8_t *challenge, size_t clen, const uint8_t *sig, size_t siglen,
    struct err *e);

/* On the card: tries of the 利用者証明用 PIN first (req->secret, 4 digits;
 * one try left needs req->confirm_last_try), VERIFY (the PIN wiped at once),
 * select the 利用者証明用 key (EF 0017) and sign DigestInfo(SHA-256(data))
 * with 80 2A 00 80.  sig needs 256 bytes.  Errors as card_read_kenhojo. */
int card_jpki_sign(struct card *c, struct card_read_req *req,
    const uint8_t *data, size_t n, uint8_t *sig, size_t cap, size_t *siglen,
    struct err *e);

/* The authenticity route 「電子証明書で真正性を確認」. */
enum card_jpki_verdict {
	CARD_JPKI_VERIFIED = 1,
	CARD_JPKI_FAILED = 2,
	CARD_JPKI_UNVERIFIABLE = 3,
};
const char *card_jpki_verdict_name(enum card_jpki_verdict v);	/* verified|failed|unverifiable */
const char *card_jpki_verdict_name_ja(enum card_jpki_verdict v);	/* 検証済み, ... */

struct card_jpki_auth {
	enum card_jpki_verdict verdict;
	/* failed: "signature" | "certificate" | "subject"; unverifiable:
	 * "no-roots" | "unknown-issuer"; verified: NULL */
	const char *detail;
	char note_ja[320];		/* what the clerk reads, including "オフライン" */
	enum card_jpki_chain chain;
	int signature_ok;
	int subject;			/* 0 not carried by the certificate, 1 match, 2 differs */
	struct card_jpki_cert cert;	/* parsed 利用者証明用 certificate */
	uint8_t *cert_der;		/* DER, malloc'd */
	size_t cert_der_len;
};
/* Read EF 000A, sign 32 fresh random bytes after the PIN (card_jpki_sign),
 * verify the signature against the certificate, check the chain against
 * roots (NULL: none configured) at the current time, compare the subject
 * with basic4 (NULL: not compared) where the certificate carries 基本4情報.
 * A wrong PIN, a blocked PIN, an unconfirmed last try or a card error is a
 * negative return (no verdict); everything the card answered is a verdict
 * in *out.  Free with card_jpki_auth_free. */
int card_jpki_authenticate(struct card *c, struct card_read_req *req,
    const struct card_jpki_roots *roots, const struct card_result *basic4,
    struct card_jpki_auth **out, struct err *e);
void card_jpki_auth_free(struct card_jpki_auth *a);
/* Take the JPKI route's verdict into a read's result (the verdict the
 * identity-check record keeps): verified makes the card verified with a
 * genuine chip (the card signed with the key of a certificate that chains
 * to J-LIS), unless the read's own checks failed (those stay failed);
 * failed makes it failed (signature: the chip failed too);
 * unverifiable leaves the read's own verdicts.  res->jpki and
 * res->jpki_summary say the route was taken. */
void card_result_add_jpki(struct card_result *res, const struct card_jpki_auth *a);
/* The verdict as one line for the identity-check record and the operator
 * log (no PIN, no personal data): "method=jpki authenticity=verified
 * chain=ok offline=1 cert_until=2030-04-12" (plus " detail=..." when
 * failed or unverifiable).  Returns the length written (snprintf). */
int card_jpki_auth_summary(const struct card_jpki_auth *a, char *out, size_t cap);

/* Parsers of the EF contents as LAYOUT.md gives them (pure; fuzzed).  They
 * fill the fields of r that the EF carries; strings are malloc'd.
 *   card_parse_mynumber: EF 0001 as stored, FF10 0C + 12 digits + filler;
 *   card_parse_basic4: EF 0002, FF20 { DF21 offsets (checked against where
 *     DF22..DF25 really are), DF22 氏名, DF23 住所, DF24 YYYYMMDD, DF25 性別 };
 *   card_parse_digests: EF 0003, FF30 { DF31, DF32, DF33 }: DF31 against
 *     SHA-256 of ef1 as stored (NULL: not read, UNCHECKED), DF32 against
 *     SHA-256 of ef2's FF20 value without DF21 (NULL: UNCHECKED); keeps DF33;
 *   card_parse_kenmen: 確認AP EF 0002, FF20 { DF21..DF2A }. */
int card_parse_mynumber(const uint8_t *p, size_t n, struct card_result *r,
    struct err *e);
int card_parse_basic4(const uint8_t *p, size_t n, struct card_result *r,
    struct err *e);
int card_parse_digests(const uint8_t *p, size_t n, const uint8_t *ef1,
    size_t ef1n, const uint8_t *ef2, size_t ef2n, struct card_result *r,
    struct err *e);
int card_parse_kenmen(const uint8_t *p, size_t n, struct card_result *r,
    struct err *e);
/* SHA-256 of FF20's value without the DF21 object (DF32's input), and of
 * the 確認AP's three groups (DF22‖DF23‖DF24, DF25‖DF26, DF27: 96 bytes, what
 * DF28 signs).  ERR_FORMAT on a malformed file. */
int card_basic4_digest(const uint8_t *p, size_t n, uint8_t out[32]);
int card_kenmen_digests(const uint8_t *p, size_t n, uint8_t out[96]);

/* ---------------------------------------------------------------- watch */

/* Reader and card state, as the status line shows it. */
enum card_state {
	CARD_STATE_UNKNOWN = 0,		/* not yet known */
	CARD_STATE_NO_SERVICE = 1,	/* pcscd not running */
	CARD_STATE_NO_READER = 2,
	CARD_STATE_EMPTY = 3,		/* reader, no card */
	CARD_STATE_PRESENT = 4,		/* card in the reader */
	CARD_STATE_MUTE = 5,		/* card does not answer */
};
const char *card_state_name_ja(enum card_state s);	/* "カードなし", ... */

struct card_event {
	enum card_state state;
	char reader[128];		/* the reader watched ("" if none) */
	unsigned long seq;		/* increases with every change */
};

struct card_watch;
/* Called on the watcher thread after every state change; keep it short
 * (post to the UI, do not read the card here).  May be NULL. */
typedef void (*card_watch_fn)(void *arg, const struct card_event *ev);

/* Start watching `reader` (NULL or "": whichever reader has a card, else
 * the first) on a new thread.  Returns at once. */
int card_watch_start(const char *reader, card_watch_fn fn, void *arg,
    struct card_watch **out, struct err *e);
/* The latest state (never blocks). */
void card_watch_get(struct card_watch *w, struct card_event *ev);
/* A file descriptor that becomes readable after each change, for a
 * poll()/select() loop; read and discard its bytes (non-blocking). */
int card_watch_fd(const struct card_watch *w);
/* Stop the thread (cancels the pending SCardGetStatusChange) and free. */
void card_watch_stop(struct card_watch *w);

#endif
