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
 *
 * Issue 13, the erasure record (データ消去証明書): with --user ADMIN the
 * store is opened first and a record signed with the terminal's key is
 * written to a file outside the store (--record FILE, default
 * erasure-TERMINAL-TIME.txt beside the store directory) and sent to the
 * central by one sync round when it can be reached (`madoguchi-central
 * terminal erasures` lists and verifies it): terminal, store, time, the
 * operator's name as typed (--operator, default the account), the method
 * and the audit head.  No personal data.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "store.h"
#include "sync.h"

#define WIPE_METHOD "crypto-erase: key slots overwritten with random bytes," \
	" synced and removed; database, WAL, index and logs removed (RET-4)"

/* Write the record and try to send it; the store is closed here. */
static int
erasure_record(struct app_opts *o, struct store *st, const char *dir,
    const char *operator_name, const char *record_path)
{
	struct sync_config cfg;
	struct sync_report rep;
	struct err e;
	char *text = NULL, sigx[129], path[4400], tid[64] = "", stamp[32];
	time_t t = (time_t)mdg_now();
	struct tm tm;
	FILE *f;
	int fd;

	err_clear(&e);
	if (sync_erasure_record(st, operator_name, WIPE_METHOD, &text, sigx, &e) != 0) {
		app_store_error("wipe", &e);
		store_close(st);
		return 1;
	}
	store_setting_get(st, "terminal.id", tid, sizeof(tid), NULL);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (record_path != NULL)
		snprintf(path, sizeof(path), "%s", record_path);
	else {
		char parent[4096];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", dir);
		while (strlen(parent) > 1 && parent[strlen(parent) - 1] == '/')
			parent[strlen(parent) - 1] = '\0';
		slash = strrchr(parent, '/');
		if (slash == NULL)
			snprintf(parent, sizeof(parent), ".");
		else if (slash == parent)
			parent[1] = '\0';
		else
			*slash = '\0';
		snprintf(path, sizeof(path), "%s/erasure-%s-%s.txt", parent,
		    tid[0] ? tid : "T", stamp);
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "madoguchi wipe: %s: cannot create the erasure record\n", path);
		if (fd >= 0)
			close(fd);
		free(text);
		store_close(st);
		return 1;
	}
	fprintf(f, "%ssignature ed25519 %s\n", text, sigx[0] ? sigx : "none");
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0) {
		fprintf(stderr, "madoguchi wipe: %s: write error\n", path);
		free(text);
		store_close(st);
		return 1;
	}
	printf("erasure record %s\n", path);
	/* Sent first when the central can be reached (the record is queued
	 * in the outbox, a round pushes it); the wipe goes on either way. */
	memset(&rep, 0, sizeof(rep));
	if (sync_config_load(st, o->conf, &cfg, &e) == 0 &&
	    sync_round(st, &cfg, &rep, &e) == 0)
		printf("erasure record sent to the central\n");
	else
		printf("erasure record not sent to the central (%s); hand over %s\n",
		    e.msg[0] ? e.msg : "not enrolled", path);
	free(text);
	store_close(st);
	return 0;
}

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
	struct app_store_args a = { NULL, NULL, 0 };
	struct store *st = NULL;
	const char *operator_name = NULL, *record_path = NULL;

	err_clear(&e);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--confirm-stdin") == 0)
			from_stdin = 1;
		else if (strcmp(argv[i], "--operator") == 0 && i + 1 < argc)
			operator_name = argv[++i];
		else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc)
			record_path = argv[++i];
		else if (app_store_opt(&a, argc, argv, &i))
			continue;
		else {
			fprintf(stderr, "usage: madoguchi wipe [--store DIR] [--confirm-stdin]"
			    " [--user ADMIN [--password-stdin] [--operator NAME]"
			    " [--record FILE]]\n");
			return 2;
		}
	}
	if (a.store != NULL)
		dir = a.store;
	/* The erasure record needs the terminal's signing key: log in first
	 * (the password line comes before the confirmation). */
	if (a.user != NULL) {
		int r = app_store_login(o, &a, "wipe", &st);

		if (r != 0)
			return r;
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
		if (st != NULL)
			store_close(st);
		return 1;
	}
	if (st != NULL && erasure_record(o, st, dir, operator_name != NULL ?
	    operator_name : a.user, record_path) != 0)
		return 1;
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
