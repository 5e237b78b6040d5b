/*
 * test_listing_output.c — `--output NAME` of the workstation's listings
 * that print personal data (issue 16, LOG-1): the file is created only
 * inside [export] dir, new and owner-only, and is an audit row; without
 * [export] dir, with a path, or over an existing file it is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "store.h"

#define PW "Hk4#mados-2580"

static int
mdg(const char *conf, const char *store, const char *output, struct t_proc *p)
{
	char *argv[] = { (char *)t_bin("madoguchi"), "--config", (char *)conf, "audit", "list",
	    "--store", (char *)store, "--user", "sato-hanako", "--password-stdin",
	    output ? "--output" : NULL, (char *)output, NULL };

	REQUIRE(t_run(argv, NULL, PW "\n", strlen(PW) + 1, 60000, p) == 0);
	return p->status;
}

TEST(listing_output_only_inside_export_dir)
{
	char store[600], dir[600], conf[600], none[600], text[1400], file[700];
	struct audit_row *v = NULL;
	struct store *st = NULL;
	struct t_proc p;
	struct stat sb;
	struct err e;
	size_t n = 0;
	int found = 0;

	snprintf(store, sizeof(store), "%s", t_path("store"));
	snprintf(dir, sizeof(dir), "%s", t_path("export"));
	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
	snprintf(none, sizeof(none), "%s", t_path("none.conf"));
	err_clear(&e);
	REQUIRE_OK(store_create(store, "sato-hanako", PW, &e), &e);
	REQUIRE(mkdir(dir, 0700) == 0);
	snprintf(text, sizeof(text), "[export]\ndir = %s\n", dir);
	REQUIRE(t_write_file(conf, text, strlen(text)) == 0);
	REQUIRE(t_write_file(none, "", 0) == 0);

	/* Without [export] dir: refused, nothing written. */
	CHECK_INT(mdg(none, store, "list.tsv", &p), 1);
	CHECK(strstr(p.err, "[export] dir") != NULL);
	t_proc_free(&p);
	/* A path instead of a name. */
	CHECK_INT(mdg(conf, store, "../list.tsv", &p), 2);
	t_proc_free(&p);
	snprintf(file, sizeof(file), "%s/../list.tsv", dir);
	CHECK(access(file, F_OK) != 0);
	/* Allowed: the listing is in the file, not on standard output. */
	CHECK_INT(mdg(conf, store, "list.tsv", &p), 0);
	CHECK(strstr(p.out, "\t") == NULL);
	t_proc_free(&p);
	snprintf(file, sizeof(file), "%s/list.tsv", dir);
	REQUIRE(stat(file, &sb) == 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	CHECK(sb.st_size > 0);
	/* Never over an existing file. */
	CHECK_INT(mdg(conf, store, "list.tsv", &p), 1);
	t_proc_free(&p);
	/* The file's name is an audit row. */
	REQUIRE_OK(store_open(store, "sato-hanako", PW, &st, &e), &e);
	REQUIRE_OK(store_audit_list(st, 0, 10000, &v, &n, &e), &e);
	for (size_t i = 0; i < n; i++)
		found += strcmp(v[i].action, "cli.output") == 0 && strstr(v[i].detail, file) != NULL;
	CHECK_INT(found, 1);
	free(v);
	store_close(st);
}
