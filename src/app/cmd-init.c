/*
 * cmd-init.c — `madoguchi init --store DIR --admin NAME [--password-stdin]
 * [--terminal ID]`: create the encrypted store and its first administrator
 * (SPEC 4).  On a terminal the password is asked twice; with
 * --password-stdin it is one line of standard input.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "store.h"

int
cmd_init(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	const char *admin = NULL, *terminal = NULL, *dir;
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
		else {
			fprintf(stderr, "usage: madoguchi init --store DIR --admin NAME "
			    "[--password-stdin] [--terminal ID]\n");
			return 2;
		}
	}
	if (admin == NULL) {
		fprintf(stderr, "madoguchi init: --admin NAME is required\n");
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
	app_password_free(pw);
	app_password_free(pw2);
	printf("store created in %s (administrator %s)\n", dir, admin);
	return 0;
fail:
	store_close(st);
	app_password_free(pw);
	app_password_free(pw2);
	app_store_error("init", &e);
	return 1;
}
