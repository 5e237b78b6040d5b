/*
 * cmd-init.c — `madoguchi init --store DIR --admin NAME --request REF
 * [--display 氏名] [--valid-until DATE] [--password-stdin] [--terminal ID]`:
 * create the encrypted store and its first administrator (SPEC 4).  On a
 * terminal the password is asked twice; with --password-stdin it is one
 * line of standard input.  The first administrator is an account like any
 * other (issue 14): an individual name, a request reference, an end date
 * (the fiscal year end unless set) and an account_log row.
 */
#include <stdio.h>
#include <string.h>

#include "acctrule.h"
#include "app.h"
#include "store.h"

#define INIT_USAGE "usage: madoguchi init --store DIR --admin NAME --request REF\n" \
	"       [--display 氏名] [--valid-until DATE] [--password-stdin] [--terminal ID]\n"

int
cmd_init(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	const char *admin = NULL, *terminal = NULL, *dir, *request = NULL;
	const char *display = NULL, *until_s = NULL;
	struct account_rule_args ra;
	struct account acc;
	int until = 0;
	char *pw = NULL, *pw2 = NULL;
	struct store *st = NULL;
	struct err e;
	int r;

	err_clear(&e);
	for (int i = 1; i < argc; i++) {
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--admin") == 0 && i + 1 < argc)
			admin = argv[++i];
		else if (strcmp(argv[i], "--terminal") == 0 && i + 1 < argc)
			terminal = argv[++i];
		else if (strcmp(argv[i], "--request") == 0 && i + 1 < argc)
			request = argv[++i];
		else if (strcmp(argv[i], "--display") == 0 && i + 1 < argc)
			display = argv[++i];
		else if (strcmp(argv[i], "--valid-until") == 0 && i + 1 < argc)
			until_s = argv[++i];
		else {
			fputs(INIT_USAGE, stderr);
			return 2;
		}
	}
	if (admin == NULL) {
		fprintf(stderr, "madoguchi init: --admin NAME is required\n");
		return 2;
	}
	/* Issue 14: the rules of every account path, before any password. */
	if (until_s != NULL) {
		struct date d;

		if (date_parse(until_s, &d, &e) != 0) {
			fprintf(stderr, "madoguchi init: --valid-until: %s\n", e.msg);
			return 2;
		}
		until = date_to_ymd(&d);
	}
	memset(&ra, 0, sizeof(ra));
	ra.name = admin;
	ra.display = display;
	ra.request = request;
	ra.until = &until;
	if (account_rules_check(&ra, &e) != 0) {
		fprintf(stderr, "madoguchi init: %s\n", e.msg);
		return 2;
	}
	dir = a.store ? a.store : o->store_dir;
	if (terminal == NULL && o->conf != NULL)
		terminal = conf_str(o->conf, "terminal", "id");
	if ((pw = app_password_new("管理者のパスワード: ", a.pw_stdin, &e)) == NULL)
		goto fail;
	if (!a.pw_stdin) {
		if ((pw2 = app_password_new("もう一度入力してください: ", 0, &e)) == NULL)
			goto fail;
		if (strcmp(pw, pw2) != 0) {
			err_set_ja(&e, ERR_INVAL, "パスワードが一致しません",
			    "the passwords do not match");
			goto fail;
		}
	}
	/* The first audit row names the terminal (issue 15: it said T000). */
	if ((r = store_create_terminal(dir, admin, pw, terminal, &e)) != 0)
		goto fail;
	/* The end date, the name shown and the account_log row (AC-2, AC-3). */
	if (store_open(dir, admin, pw, &st, &e) != 0 ||
	    store_account_get(st, admin, &acc, &e) != 0)
		goto fail;
	acc.valid_until = until;
	if (display != NULL)
		snprintf(acc.display, sizeof(acc.display), "%s", display);
	if (store_account_update(st, &acc, &e) != 0 ||
	    store_account_log(st, admin, "init", request, "role admin", &e) != 0)
		goto fail;
	store_close(st);
	st = NULL;
	app_password_free(pw);
	app_password_free(pw2);
	printf("store created in %s (administrator %s, valid until %04d-%02d-%02d,"
	    " request %s)\n", dir, admin, until / 10000, until / 100 % 100,
	    until % 100, request);
	return 0;
fail:
	store_close(st);
	app_password_free(pw);
	app_password_free(pw2);
	app_store_error("init", &e);
	return 1;
}
