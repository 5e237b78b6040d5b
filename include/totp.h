/*
 * totp.h — time-based one-time passwords (RFC 6238) for the second factor
 * at login (AC-5), through liboath, and the enrolment QR code (libqrencode).
 *
 * The parameters are what authenticator apps expect: HMAC-SHA-1, 6 digits,
 * 30-second steps from the epoch, a 160-bit secret (RFC 4226 section 4).
 * The caller keeps the secret sealed (store_account_secret_*) and the last
 * accepted step per account, so that a code is never accepted twice.
 */
#ifndef MDG_TOTP_H
#define MDG_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#define TOTP_SECRET_LEN	20	/* bytes: 160 bits */
#define TOTP_DIGITS	6
#define TOTP_STEP	30	/* seconds */
#define TOTP_WINDOW	1	/* steps accepted either side of now */
#define TOTP_B32_MAX	40	/* base32 of the secret (32 chars) + NUL, rounded */

/* A fresh random secret. */
int totp_secret_new(uint8_t s[TOTP_SECRET_LEN], struct err *e);
/* Base32 (RFC 4648, upper case, no padding) of the secret, as typed into an
 * app by hand and as in the otpauth URI. */
int totp_base32(const uint8_t s[TOTP_SECRET_LEN], char out[TOTP_B32_MAX],
    struct err *e);
/* Parse base32 (case and spaces ignored) into exactly TOTP_SECRET_LEN
 * bytes; ERR_FORMAT otherwise. */
int totp_base32_parse(const char *b32, uint8_t s[TOTP_SECRET_LEN],
    struct err *e);
/*
 * The Key URI Format that authenticator apps scan:
 *   otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
 * issuer and account are percent-encoded (UTF-8).  ERR_RANGE if cap is
 * too small.
 */
int totp_uri(const uint8_t s[TOTP_SECRET_LEN], const char *issuer,
    const char *account, char *out, size_t cap, struct err *e);
/* The code for time t (seconds since the epoch), for tests and tools. */
int totp_code(const uint8_t s[TOTP_SECRET_LEN], int64_t t,
    char out[TOTP_DIGITS + 1], struct err *e);
/*
 * Check a typed code at time now (mdg_now()), accepting the steps
 * now-1 .. now+1 (clock skew between the phone and the terminal).
 * *last_step is the last step accepted for this account (0 = never): a
 * code of that step or an earlier one is refused as already used (replay),
 * ERR_AUTH "code already used".  On success *last_step is set to the step
 * the code matched; the caller stores it in the same transaction as the
 * login.  A wrong code or a malformed one: ERR_AUTH.
 */
int totp_verify(const uint8_t s[TOTP_SECRET_LEN], const char *code,
    int64_t now, int64_t *last_step, struct err *e);

/*
 * A QR code of text (the otpauth URI) drawn with Unicode half blocks, two
 * modules per character row, dark modules as spaces on light blocks (so it
 * scans on a dark terminal background), with a 2-module quiet zone.
 * *out is malloc'd UTF-8 text, lines ending in '\n'; *cols and *rows are its
 * size in terminal cells.  Free with free().  Error correction level M.
 */
int totp_qr_text(const char *text, char **out, int *cols, int *rows,
    struct err *e);

#endif
