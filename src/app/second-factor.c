/*
 * second-factor.c — the TOTP second factor at login (issue 14, AC-5).
 *
 *   [terminal] second_factor = required | optional | off
 *     required  every account gives a code after its password; an account
 *               not enrolled yet is refused until it enrols
 *               (`madoguchi user totp`)
 *     optional  the accounts that enrolled give their code
 *     off       no second factor (the demo)
 *
 * The secret (RFC 6238, 160 bits) is sealed to the account's own key
 * (store_account_secret_set, table account_totp) together with the last
 * accepted step, so a code is never accepted twice (totp_verify).  The
 * time is mdg_now() (MDG_TEST_NOW in test builds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "store.h"
#include "totp.h"

/* The sealed blob: secret, then the last accepted step (little endian). */
#define SF_BLOB (TOTP_SECRET_LEN + 8)

int
sf_mode(const struct conf *c)
{
	const char *v = c != NULL ? conf_str(c, "terminal", "second_factor") : NULL;

	if (v == NULL || strcmp(v, "optional") == 0)
		return SF_OPTIONAL;
	if (strcmp(v, "required") == 0)
		return SF_REQUIRED;
	return SF_OFF;
}

int
sf_mode_check(const struct conf *c, const char *path, struct err *e)
{
	const char *v = conf_str(c, "terminal", "second_factor");

	if (strcmp(v, "required") == 0 || strcmp(v, "optional") == 0 ||
	    strcmp(v, "off") == 0)
		return 0;
	return err_set(e, ERR_FORMAT, "%s:%d: [terminal] second_factor: must be"
	    " required, optional or off", path != NULL ? path : "(config)",
	    conf_line(c, "terminal", "second_factor"));
}

static int
blob_get(struct store *st, uint8_t b[SF_BLOB], struct err *e)
{
	size_t n = 0;
	int r;

	r = store_account_secret_get(st, store_user(st)->name, b, SF_BLOB, &n, e);
	if (r == 0 && n != SF_BLOB) {
		sodium_memzero(b, SF_BLOB);
		return err_set(e, ERR_CORRUPT, "second factor: bad secret size");
	}
	return r;
}

int
sf_enrolled(struct store *st)
{
	uint8_t b[SF_BLOB];
	int r = blob_get(st, b, NULL);

	sodium_memzero(b, sizeof(b));
	return r == 0;
}

int
sf_verify(struct store *st, const char *code, struct err *e)
{
	uint8_t b[SF_BLOB];
	int64_t last = 0;
	int r;

	if ((r = blob_get(st, b, e)) != 0)
		return r;
	for (int i = 0; i < 8; i++)
		last |= (int64_t)b[TOTP_SECRET_LEN + i] << (8 * i);
	if ((r = totp_verify(b, code, mdg_now(), &last, e)) == 0) {
		for (int i = 0; i < 8; i++)
			b[TOTP_SECRET_LEN + i] = (uint8_t)(last >> (8 * i));
		/* the step is kept before the login goes on: replay refused */
		r = store_account_secret_set(st, store_user(st)->name, b, SF_BLOB, e);
		if (r == 0)
			store_audit_append(st, NULL, NULL, "login.second_factor", NULL,
			    "login", "totp ok", NULL);
	} else {
		err_set_ja(e, r, strstr(e->msg, "already used") != NULL ?
		    "この確認コードは使用済みです。次のコードを入力してください" :
		    "確認コードが違います", "second factor: %s", e->msg);
		store_audit_append(st, NULL, NULL, "login.second_factor_failed", NULL,
		    "login", strstr(e->msg, "already used") ? "replayed code" :
		    "wrong code", NULL);
	}
	sodium_memzero(b, sizeof(b));
	return r;
}

int
sf_enrol(struct store *st, const char *issuer, char **uri, char **qr,
    struct err *e)
{
	uint8_t b[SF_BLOB];
	char *u = NULL;
	int r, cols, rows;

	*uri = *qr = NULL;
	memset(b, 0, sizeof(b));
	if ((u = malloc(512)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = totp_secret_new(b, e)) != 0 ||
	    (r = totp_uri(b, issuer, store_user(st)->name, u, 512, e)) != 0 ||
	    (r = totp_qr_text(u, qr, &cols, &rows, e)) != 0 ||
	    (r = store_account_secret_set(st, store_user(st)->name, b, SF_BLOB,
	    e)) != 0) {
		sodium_memzero(u, 512);
		free(u);
		free(*qr);
		*qr = NULL;
		sodium_memzero(b, sizeof(b));
		return r;
	}
	store_audit_append(st, NULL, NULL, "account.second_factor.enrol", NULL,
	    "cli", "totp", NULL);
	sodium_memzero(b, sizeof(b));
	*uri = u;
	return 0;
}

/* The code after the password: the next line of standard input with
 * --password-stdin, else asked on the terminal without echo. */
int
sf_cli_check(const struct app_opts *o, struct store *st, int pw_stdin,
    int enrolling, struct err *e)
{
	char code[64];
	int mode = sf_mode(o->conf), r;

	if (mode == SF_OFF)
		return 0;
	if (!sf_enrolled(st)) {
		if (mode == SF_REQUIRED && !enrolling)
			return err_set_ja(e, ERR_PERM, "二要素認証の登録が必要です"
			    "（madoguchi user totp で登録してください）",
			    "[terminal] second_factor = required and %s has not"
			    " enrolled: madoguchi user totp", store_user(st)->name);
		return 0;
	}
	if ((r = app_read_password("確認コード（6桁）: ", pw_stdin, code, sizeof(code),
	    e)) != 0)
		return r;
	r = sf_verify(st, code, e);
	sodium_memzero(code, sizeof(code));
	return r;
}
