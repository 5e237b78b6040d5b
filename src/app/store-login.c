/*
 * store-login.c — what the store subcommands (init, user, audit, wipe,
 * demo-data) share: their common options (--store DIR, --user NAME,
 * --password-stdin), reading a password into locked memory, opening the
 * store with it and reporting errors the same way.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "store.h"

int
app_store_opt(struct app_store_args *a, int argc, char **argv, int *i)
{
	const char *s = argv[*i];

	if (strcmp(s, "--store") == 0 && *i + 1 < argc) {
		a->store = argv[++*i];
		return 1;
	}
	if (strcmp(s, "--user") == 0 && *i + 1 < argc) {
		a->user = argv[++*i];
		return 1;
	}
	if (strcmp(s, "--password-stdin") == 0) {
		a->pw_stdin = 1;
		return 1;
	}
	return 0;
}

void
app_store_error(const char *what, const struct err *e)
{
	if (e->msg[0] != '\0' && strcmp(err_ja(e), e->msg) != 0)
		fprintf(stderr, "madoguchi %s: %s (%s)\n", what, err_ja(e), e->msg);
	else
		fprintf(stderr, "madoguchi %s: %s\n", what, err_ja(e));
}

char *
app_password_new(const char *prompt, int from_stdin, struct err *e)
{
	char *pw;

	if (sodium_init() < 0) {
		err_set(e, ERR_CRYPTO, "libsodium initialisation failed");
		return NULL;
	}
	if ((pw = sodium_malloc(STORE_PASSWORD_MAX + 2)) == NULL) {
		err_set(e, ERR_NOMEM, "sodium_malloc");
		return NULL;
	}
	if (app_read_password(prompt, from_stdin, pw, STORE_PASSWORD_MAX + 2, e) != 0) {
		sodium_free(pw);
		return NULL;
	}
	return pw;
}

void
app_password_free(char *pw)
{
	if (pw != NULL)
		sodium_free(pw);	/* wipes */
}

int
app_store_login(struct app_opts *o, const struct app_store_args *a,
    const char *what, struct store **st)
{
	struct err e;
	char *pw;
	int r;

	*st = NULL;
	err_clear(&e);
	if (a->user == NULL) {
		fprintf(stderr, "madoguchi %s: --user NAME is required\n", what);
		return 2;
	}
	if ((pw = app_password_new("パスワード: ", a->pw_stdin, &e)) == NULL) {
		app_store_error(what, &e);
		return 1;
	}
	r = store_open(a->store ? a->store : o->store_dir, a->user, pw, st, &e);
	app_password_free(pw);
	if (r != 0) {
		app_store_error(what, &e);
		return 1;
	}
	/* Issue 13: a clock set back refuses work until an administrator
	 * confirms the time (`clock` is how they do it). */
	if (strcmp(what, "clock") != 0 &&
	    ((r = store_clock_check(*st, NULL, &e)) != 0 ||
	    (r = store_clock_mark(*st, &e)) != 0)) {
		app_store_error(what, &e);
		store_close(*st);
		*st = NULL;
		return 1;
	}
	app_offline_notice(*st, stderr);
	/* AC-4, issue 14: a password past [store] password_max_age is changed
	 * first (`madoguchi user passwd` opens the store itself) */
	if (store_password_expired(*st)) {
		store_close(*st);
		*st = NULL;
		fprintf(stderr, "madoguchi %s: パスワードの有効期限が切れています。"
		    "madoguchi user passwd %s で変更してください (the password is older"
		    " than [store] password_max_age)\n", what, a->user);
		return 1;
	}
	/* AC-5, issue 14: the second factor, the line after the password */
	if (sf_cli_check(o, *st, a->pw_stdin, strcmp(what, "user totp") == 0,
	    &e) != 0) {
		store_close(*st);
		*st = NULL;
		app_store_error(what, &e);
		return 1;
	}
	return 0;
}
