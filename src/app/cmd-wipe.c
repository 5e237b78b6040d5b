/*
 * cmd-wipe.c — `madoguchi wipe [--store DIR] [--confirm-stdin]`: destroy
 * the store's key slots (RET-4, crypto-erase).  The operator must type
 * "WIPE" (on the terminal, or as a line of standard input with
 * --confirm-stdin); anything else changes nothing.  No password is asked:
 * a stolen or retired terminal must be wipeable by whoever holds it, and
 * wiping reveals nothing.  Every file the store and the screens wrote
 * goes, and each is named on standard output (issue 15): the key slots,
 * their temp files, an interrupted re-key's files, the database, WAL and
 * shm, and the operator log (madoguchi.log* in the store directory, and
 * the [ui] log file when one is configured).
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "store.h"

static void
said(const char *path, void *arg)
{
	int *n = arg;

	printf("removed %s\n", path);
	(*n)++;
}

/* The operator log the screens write (shell.c): [ui] log, or
 * madoguchi.log in the store directory, with any rotated copies. */
static void
remove_logs(struct app_opts *o, const char *dir, int *n)
{
	const char *conf_log = o->conf != NULL ? conf_str(o->conf, "ui", "log") : "";
	DIR *d;
	struct dirent *de;
	char p[4400];

	if (conf_log != NULL && conf_log[0] != '\0' && unlink(conf_log) == 0)
		said(conf_log, n);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "madoguchi.log", 13) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (unlink(p) == 0)
			said(p, n);
	}
	closedir(d);
}

int
cmd_wipe(struct app_opts *o, int argc, char **argv)
{
	const char *dir = o->store_dir;
	char line[64];
	int from_stdin = 0, n = 0;
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
	if (store_wipe_report(dir, said, &n, &e) != 0) {
		app_store_error("wipe", &e);
		return 1;
	}
	log_info("store in %s wiped (key slots destroyed)", dir);
	log_close();
	remove_logs(o, dir, &n);
	printf("store in %s wiped: key slots destroyed, %d file(s) removed\n", dir, n);
	return 0;
}
