/*
 * output.c — `--output NAME` of the listings that print personal data
 * (`ledger`, `audit list`, `batch`; issue 16, LOG-1): the file is created
 * only inside the directory of [export] dir (madoguchi.conf(5)), new,
 * owner-only, and its name is an audit row.  A pipe cannot be told from a
 * terminal, so the rule is about the files the program itself creates.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "store.h"

int
app_output_to(struct app_opts *o, struct store *st, const char *what, const char *name)
{
	const char *dir = o->conf != NULL ? conf_str(o->conf, "export", "dir") : "";
	char path[1400], detail[1500];
	struct stat sb;
	int fd;

	if (name == NULL)
		return 0;
	if (dir[0] != '/') {
		fprintf(stderr, "madoguchi %s: --output はファイル出力先（[export] dir）が設定されている"
		    "場合だけ使えます ([export] dir is not set in madoguchi.conf)\n", what);
		return 1;
	}
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL || strlen(name) > 200) {
		fprintf(stderr, "madoguchi %s: --output にはファイル名だけを指定してください"
		    " (a file name inside [export] dir)\n", what);
		return 2;
	}
	if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 077) != 0) {
		fprintf(stderr, "madoguchi %s: [export] dir %s must be a directory of this user,"
		    " closed to group and others (mode 0700)\n", what, dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		fprintf(stderr, "madoguchi %s: %s: %s\n", what, path, strerror(errno));
		return 1;
	}
	snprintf(detail, sizeof(detail), "%s --output %s", what, path);
	if (store_audit_append(st, NULL, NULL, "cli.output", NULL, "cli", detail, NULL) != 0) {
		close(fd);
		unlink(path);
		fprintf(stderr, "madoguchi %s: cannot record the output file\n", what);
		return 1;
	}
	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0) {
		close(fd);
		return 1;
	}
	close(fd);
	fprintf(stderr, "madoguchi %s: %s\n", what, path);
	return 0;
}
