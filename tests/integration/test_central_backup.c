/*
 * test_central_backup.c — the central's backups (issue 13, RET-3):
 * `madoguchi-central backup --to DIR --keep N` writes an encrypted copy
 * with a manifest and rotates oldest first; the live database damaged,
 * `restore --from FILE` brings the data back and it verifies; a damaged
 * backup (one byte changed) or one without its manifest is refused before
 * anything is replaced; nothing of the residents is readable in the backup
 * files without the key.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "central.h"

static const char *PERSONS =
	"atena,name,kana,birth,sex,address,ward,mynumber\n"
	"000000001,控 太郎,ヒカエ タロウ,1980-04-01,1,窓口市北区控町1-1,01,123456789018\n"
	"000000002,控 花子,ヒカエ ハナコ,1982-05-01,2,窓口市北区控町1-1,01,\n";

static int
central(const char *store, char *a1, char *a2, char *a3, char *a4, char *a5,
    const char *now, struct t_proc *p)
{
	char env[64];
	char *envp[] = { env, NULL };
	char *argv[] = { (char *)t_bin("madoguchi-central"), "--store", (char *)store,
	    a1, a2, a3, a4, a5, NULL };

	snprintf(env, sizeof(env), "MDG_TEST_NOW=%s", now);
	REQUIRE(t_run(argv, envp, NULL, 0, 60000, p) == 0);
	return p->status;
}

static long
count_backups(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), s = strlen(suffix);

		if (strncmp(de->d_name, "central-", 8) == 0 && l > s &&
		    strcmp(de->d_name + l - s, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static long
persons(const char *store)
{
	struct central *c;
	struct err e;
	sqlite3_stmt *q;
	long n = -1;

	if (central_open(store, &c, &e) != 0)
		return -1;
	if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM persons", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			n = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	central_close(c);
	return n;
}

/* Flip one byte in the middle of every page of a file. */
static void
damage(const char *path)
{
	int fd = open(path, O_RDWR);
	unsigned char b;
	off_t off;

	REQUIRE(fd >= 0);
	for (off = 1000; pread(fd, &b, 1, off) == 1; off += 4096) {
		b ^= 0x5a;
		REQUIRE(pwrite(fd, &b, 1, off) == 1);
	}
	close(fd);
}

TEST(backup_rotate_damage_restore_and_refuse_corrupt)
{
	char store[1024], bdir[1024], file[1200], live[1200];
	struct t_proc p;
	DIR *d;
	struct dirent *de;

	/* t_path's buffers rotate: keep our own copies */
	snprintf(store, sizeof(store), "%s", t_path("central"));
	snprintf(bdir, sizeof(bdir), "%s", t_path("backups"));
	REQUIRE(central(store, "init", NULL, NULL, NULL, NULL, "2026-12-01T09:00:00Z", &p) == 0);
	t_proc_free(&p);
	REQUIRE(t_write_file(t_path("p.csv"), PERSONS, strlen(PERSONS)) == 0);
	REQUIRE(central(store, "import", "persons", (char *)t_path("p.csv"), NULL, NULL,
	    "2026-12-01T09:00:00Z", &p) == 0);
	t_proc_free(&p);
	CHECK_INT(persons(store), 2);

	/* Three backups on three days, --keep 2: the oldest goes. */
	CHECK_INT(central(store, "backup", "--to", bdir, "--keep", "2",
	    "2026-12-01T10:00:00Z", &p), 0);
	CHECK(strstr(p.out, "central-20261201T100000Z.db") != NULL);
	t_proc_free(&p);
	CHECK_INT(central(store, "backup", "--to", bdir, "--keep", "2",
	    "2026-12-02T10:00:00Z", &p), 0);
	t_proc_free(&p);
	CHECK_INT(central(store, "backup", "--to", bdir, "--keep", "2",
	    "2026-12-03T10:00:00Z", &p), 0);
	if (strstr(p.out, "removed") == NULL || strstr(p.out, "20261201T100000Z") == NULL)
		t_fail_at(__FILE__, __LINE__, "rotation: %s / %s", p.out, p.err);
	t_proc_free(&p);
	CHECK_INT(count_backups(bdir, ".db"), 2);
	CHECK_INT(count_backups(bdir, ".db.manifest"), 2);
	snprintf(file, sizeof(file), "%s/central-20261203T100000Z.db", bdir);
	REQUIRE(access(file, R_OK) == 0);
	/* Encrypted: no resident's name, kana, address or number in the files. */
	CHECK(t_dir_contains(bdir, "控 太郎", strlen("控 太郎")) == NULL);
	CHECK(t_dir_contains(bdir, "ヒカエ", strlen("ヒカエ")) == NULL);
	CHECK(t_dir_contains(bdir, "123456789018", 12) == NULL);
	CHECK(t_dir_contains(bdir, "SQLite format", 13) == NULL);

	/* The live database is damaged: it no longer opens. */
	snprintf(live, sizeof(live), "%s/central.db", store);
	damage(live);
	CHECK(persons(store) < 0);

	/* A corrupted backup is refused, and the live files stay as they are. */
	{
		char bad[1300], cmd[2700];

		snprintf(bad, sizeof(bad), "%s/copy.db", t_tmpdir());
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp '%s.manifest' '%s.manifest'",
		    file, bad, file, bad);
		REQUIRE(system(cmd) == 0);
		damage(bad);
		CHECK(central(store, "restore", "--from", bad, NULL, NULL,
		    "2026-12-03T11:00:00Z", &p) != 0);
		CHECK(strstr(p.err, "does not match its manifest") != NULL);
		t_proc_free(&p);
		/* without its manifest: refused too */
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s.nomanifest'", file, bad);
		REQUIRE(system(cmd) == 0);
		snprintf(cmd, sizeof(cmd), "%s.nomanifest", bad);
		CHECK(central(store, "restore", "--from", cmd, NULL, NULL,
		    "2026-12-03T11:00:00Z", &p) != 0);
		t_proc_free(&p);
		CHECK(persons(store) < 0);
	}

	/* The good one restores, and the data verifies. */
	CHECK_INT(central(store, "restore", "--from", file, NULL, NULL,
	    "2026-12-03T11:00:00Z", &p), 0);
	CHECK(strstr(p.out, "restored") != NULL);
	t_proc_free(&p);
	CHECK_INT(persons(store), 2);
	/* The restored store works: terminals can be listed, a new import goes in. */
	CHECK_INT(central(store, "terminal", "list", NULL, NULL, NULL,
	    "2026-12-03T11:00:00Z", &p), 0);
	t_proc_free(&p);
	/* the backup still verifies after being restored from */
	CHECK_INT(central(store, "restore", "--from", file, NULL, NULL,
	    "2026-12-03T11:05:00Z", &p), 0);
	t_proc_free(&p);
	/* nothing half-done is left in the store directory */
	if ((d = opendir(store)) != NULL) {
		while ((de = readdir(d)) != NULL)
			CHECK(strstr(de->d_name, ".restore") == NULL);
		closedir(d);
	}
}
