/*
 * cmd-wipe.c — `madoguchi wipe [--store DIR] [--confirm-stdin]`: destroy
 * the store's key slots (RET-4, crypto-erase).  The operator must type
 * "WIPE" (on the terminal, or as a line of standard input with
 * --confirm-stdin); anything else changes nothing.  No password is asked:
 * a stolen or retired terminal must be wipeable by whoever holds it, and
 * wiping reveals nothing.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "store.h"

int
cmd_wipe(struct app_opts *o, int argc, char **argv)
{
	const char *dir = o->store_dir;
	char line[64];
	int from_stdin = 0;
	struct err e;

	err_clear(&e);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--confirm-stdin") == 0)
			from_stdin = 1;
		else {
			fprintf(stderr, "usage: madoguchi wipe [--store DIR] [--confirm-stdin]\n");
			return 2;
		}
	}
	if (!from_stdin && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "madoguchi wipe: no terminal to confirm on; "
		    "use --confirm-stdin\n");
		return 2;
	}
	fprintf(stderr, "%s の端末データを完全に消去します。元に戻せません。\n"
	    "This destroys the key slots of %s: the data becomes unrecoverable.\n"
	    "続けるには WIPE と入力してください: ", dir, dir);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (!from_stdin)
		fputc('\n', stderr);
	if (strcmp(line, "WIPE") != 0) {
		fprintf(stderr, "madoguchi wipe: 中止しました (not confirmed; nothing changed)\n");
		return 1;
	}
	if (store_wipe(dir, &e) != 0) {
		app_store_error("wipe", &e);
		return 1;
	}
	log_info("store in %s wiped (key slots destroyed)", dir);
	printf("store in %s wiped: key slots destroyed, database removed\n", dir);
	return 0;
}
