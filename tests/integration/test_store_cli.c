/*
 * test_store_cli.c — the store commands as an operator runs them:
 * `madoguchi init`, `user`, `audit verify`, `wipe`, `demo-data`, with
 * --password-stdin (SPEC 4; AC-1..AC-6, LOG-2, RET-4).  Tampering is done
 * through the store API with the administrator's password, as an attacker
 * holding it would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core.h"
#include "harness.h"
#include "store.h"
#include "tmux.h"

#define ADMIN_PW "Kx9#vTq2mWzr"
#define CLERK_PW "Hb7$pLe4nQvs"

/* Run madoguchi with args (NULL-terminated) and standard input. */
static int
run(const char *input, struct t_proc *p, const char *const *args)
{
	char *argv[24] = { (char *)t_bin("madoguchi") };
	int n = 1;

	for (int i = 0; args[i] != NULL && n < 23; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	memset(p, 0, sizeof(*p));
	if (t_run(argv, NULL, input, input ? strlen(input) : 0, 60000, p) != 0)
		return -1;
	return p->status;
}

#define RUN(in, p, ...) run(in, p, (const char *const[]){ __VA_ARGS__, NULL })

static void
init_store(const char *dir)
{
	struct t_proc p;

	CHECK_INT(RUN(ADMIN_PW "\n", &p, "init", "--request", "REQ-1", "--store", dir, "--admin", "kanri-taro",
	    "--password-stdin", "--terminal", "T101"), 0);
	CHECK(strstr(p.out, "store created") != NULL);
	t_proc_free(&p);
}

TEST(cli_init_wrong_password_changes_nothing)
{
	struct t_proc p;
	char dir[512];
	char dbp[512];
	size_t n1, n2;
	char *before, *after;

	snprintf(dir, sizeof(dir), "%s", t_path("s"));
	init_store(dir);
	/* A second init refuses to overwrite. */
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "init", "--request", "REQ-1", "--store", dir, "--admin", "x1",
	    "--password-stdin"), 1);
	t_proc_free(&p);
	/* A weak password is refused with the rule, not the password. */
	CHECK_INT(RUN("password123\n", &p, "init", "--request", "REQ-1", "--store", t_path("w"), "--admin",
	    "a", "--password-stdin"), 1);
	CHECK(strstr(p.err, "password123") == NULL);
	t_proc_free(&p);

	snprintf(dbp, sizeof(dbp), "%s/store.db", dir);
	before = t_read_file(dbp, &n1);
	REQUIRE(before != NULL);
	CHECK_INT(RUN("Wrong#Pass77\n", &p, "audit", "verify", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 1);
	CHECK(strstr(p.err, "パスワードが違います") != NULL);
	CHECK(strstr(p.err, "Wrong#Pass77") == NULL);
	t_proc_free(&p);
	after = t_read_file(dbp, &n2);
	REQUIRE(after != NULL);
	CHECK(n1 == n2 && memcmp(before, after, n1) == 0);
	free(before);
	free(after);
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "audit", "verify", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 0);
	CHECK(strstr(p.out, "intact") != NULL);
	t_proc_free(&p);
}

TEST(cli_user_lifecycle_and_lockout)
{
	struct t_proc p;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s", t_path("s"));
	init_store(dir);
	CHECK_INT(RUN(ADMIN_PW "\n" CLERK_PW "\n", &p, "user", "add", "--request", "REQ-2", "mado-hanako",
	    "--store", dir, "--user", "kanri-taro", "--password-stdin"), 0);
	t_proc_free(&p);
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "user", "mod", "--request", "REQ-2", "mado-hanako", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin", "--perm", "kokuho=write"), 0);
	t_proc_free(&p);
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "user", "list", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 0);
	CHECK(strstr(p.out, "mado-hanako") != NULL);
	CHECK(strstr(p.out, "kokuho=write") != NULL);
	t_proc_free(&p);
	/* A clerk cannot manage accounts. */
	CHECK_INT(RUN(CLERK_PW "\n", &p, "user", "list", "--store", dir,
	    "--user", "mado-hanako", "--password-stdin"), 1);
	t_proc_free(&p);
	/* Three wrong passwords lock (AC-4); unlock by the administrator. */
	for (int i = 0; i < 3; i++) {
		CHECK_INT(RUN("Bad#guess1234\n", &p, "audit", "verify", "--store", dir,
		    "--user", "mado-hanako", "--password-stdin"), 1);
		t_proc_free(&p);
	}
	CHECK_INT(RUN(CLERK_PW "\n", &p, "audit", "verify", "--store", dir,
	    "--user", "mado-hanako", "--password-stdin"), 1);
	CHECK(strstr(p.err, "ロック") != NULL);
	t_proc_free(&p);
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "user", "unlock", "mado-hanako", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 0);
	t_proc_free(&p);
	CHECK_INT(RUN(CLERK_PW "\nNm3%tYu8kBzq\n", &p, "user", "passwd", "mado-hanako",
	    "--store", dir, "--user", "mado-hanako", "--password-stdin"), 0);
	t_proc_free(&p);
	CHECK_INT(RUN("Nm3%tYu8kBzq\n", &p, "audit", "verify", "--store", dir,
	    "--user", "mado-hanako", "--password-stdin"), 0);
	t_proc_free(&p);
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "user", "disable", "--request", "REQ-2", "mado-hanako", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 0);
	t_proc_free(&p);
	CHECK_INT(RUN("Nm3%tYu8kBzq\n", &p, "audit", "verify", "--store", dir,
	    "--user", "mado-hanako", "--password-stdin"), 1);
	CHECK(strstr(p.err, "無効") != NULL);
	t_proc_free(&p);
	/* Every change above is in the chain. */
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "audit", "list", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 0);
	CHECK(strstr(p.out, "account.add") != NULL);
	CHECK(strstr(p.out, "account.unlock") != NULL);
	CHECK(strstr(p.out, "account.password") != NULL);
	CHECK(strstr(p.out, "account.update") != NULL);
	t_proc_free(&p);
}

static void
tamper(const char *dir, const char *sql)
{
	struct err e;
	struct store *st;

	REQUIRE_OK(store_open(dir, "kanri-taro", ADMIN_PW, &st, &e), &e);
	if (sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
		t_fail_at(__FILE__, __LINE__, "%s: %s", sql, sqlite3_errmsg(store_db(st)));
	store_close(st);
}

/* LOG-2: `audit verify` names the row where the chain breaks. */
TEST(cli_audit_verify_finds_edit_delete_reorder)
{
	struct t_proc p;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s", t_path("s"));
	init_store(dir);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(RUN(ADMIN_PW "\n", &p, "user", "list", "--store", dir,
		    "--user", "kanri-taro", "--password-stdin"), 0);
		t_proc_free(&p);
	}
	tamper(dir, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
	    "CREATE TABLE keep AS SELECT * FROM audit");
	tamper(dir, "UPDATE audit SET who='intruder' WHERE id=3");
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "audit", "verify", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 1);
	CHECK(strstr(p.out, "BROKEN at row 3") != NULL);
	t_proc_free(&p);
	tamper(dir, "DELETE FROM audit; INSERT INTO audit SELECT * FROM keep;"
	    "DELETE FROM audit WHERE id=2");
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "audit", "verify", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 1);
	CHECK(strstr(p.out, "BROKEN at row 2") != NULL);
	t_proc_free(&p);
	tamper(dir, "DELETE FROM audit; INSERT INTO audit SELECT * FROM keep;"
	    "UPDATE audit SET id=-4 WHERE id=4; UPDATE audit SET id=4 WHERE id=5;"
	    "UPDATE audit SET id=5 WHERE id=-4");
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "audit", "verify", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 1);
	CHECK(strstr(p.out, "BROKEN at row 4") != NULL);
	t_proc_free(&p);
	tamper(dir, "DELETE FROM audit; INSERT INTO audit SELECT * FROM keep");
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "audit", "verify", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 0);
	t_proc_free(&p);
}

/* RET-4 and the leak scan at the store level: sentinel data never reaches
 * the disk in the clear; after `wipe` (typed confirmation) nothing is
 * left that opens. */
TEST(cli_demo_data_leak_scan_and_wipe)
{
	struct t_proc p;
	struct err e;
	struct store *st;
	struct person per;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s", t_path("s"));
	init_store(dir);
	/* The first audit row names the terminal of init --terminal (issue 15:
	 * it said T000). */
	{
		struct audit_row *v = NULL;
		size_t n = 0;

		REQUIRE_OK(store_open(dir, "kanri-taro", ADMIN_PW, &st, &e), &e);
		REQUIRE_OK(store_audit_list(st, 0, 5, &v, &n, &e), &e);
		REQUIRE(n >= 1);
		CHECK_STR(v[0].action, "store.create");
		CHECK_STR(v[0].terminal, "T101");
		free(v);
		store_close(st);
	}
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "demo-data", "--store", dir, "--user",
	    "kanri-taro", "--password-stdin", "--count", "500"), 0);
	t_proc_free(&p);
	REQUIRE_OK(store_open(dir, "kanri-taro", ADMIN_PW, &st, &e), &e);
	memset(&per, 0, sizeof(per));
	snprintf(per.atena, sizeof(per.atena), "9999999999");
	snprintf(per.name, sizeof(per.name), "漏洩検査 太郎XQJ");
	snprintf(per.kana, sizeof(per.kana), "ロウエイケンサ タロウ");
	snprintf(per.address, sizeof(per.address), "窓口市秘密町SENTINEL9番地");
	per.birth = 19700101;
	REQUIRE_OK(store_person_upsert(st, &per, &e), &e);
	REQUIRE_OK(store_mynumber_set(st, "9999999999", "876543210989", &e), &e);
	CHECK(t_dir_contains(dir, "漏洩検査", strlen("漏洩検査")) == NULL);
	CHECK(t_dir_contains(dir, "SENTINEL9", 9) == NULL);
	CHECK(t_dir_contains(dir, "876543210989", 12) == NULL);
	/* the scan works (the key file's magic) ... */
	CHECK(t_dir_contains(dir, "MDGKEYS2", 8) != NULL);
	/* ... and account names are not readable in store.keys (issue 15) */
	CHECK(t_dir_contains(dir, "kanri-taro", 7) == NULL);
	store_close(st);
	CHECK(t_dir_contains(dir, "SENTINEL9", 9) == NULL);

	CHECK_INT(RUN("no\n", &p, "wipe", "--store", dir, "--confirm-stdin"), 1);
	t_proc_free(&p);
	REQUIRE_OK(store_open(dir, "kanri-taro", ADMIN_PW, &st, &e), &e);
	store_close(st);
	/* Leftovers of an interrupted key-slot save and the operator log go
	 * too, and wipe names every file it removed (issue 15). */
	{
		char f[600];
		snprintf(f, sizeof(f), "%s/store.keys.tmpQ1w2E3", dir);
		REQUIRE(t_write_file(f, "x", 1) == 0);
		snprintf(f, sizeof(f), "%s/madoguchi.log", dir);
		REQUIRE(t_write_file(f, "log\n", 4) == 0);
	}
	CHECK_INT(RUN("WIPE\n", &p, "wipe", "--store", dir, "--confirm-stdin"), 0);
	CHECK(strstr(p.out, "removed ") != NULL && strstr(p.out, "/store.keys\n") != NULL);
	CHECK(strstr(p.out, "/store.keys.tmpQ1w2E3\n") != NULL);
	CHECK(strstr(p.out, "/madoguchi.log\n") != NULL);
	CHECK(strstr(p.out, "/store.db\n") != NULL);
	t_proc_free(&p);
	{
		char cmd[700];
		snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", dir);
		CHECK(system(cmd) == 0);
	}
	CHECK(store_open(dir, "kanri-taro", ADMIN_PW, &st, &e) != 0);
	CHECK_INT(RUN(ADMIN_PW "\n", &p, "audit", "verify", "--store", dir,
	    "--user", "kanri-taro", "--password-stdin"), 1);
	t_proc_free(&p);
}

/* Ctrl-C at a password prompt leaves the terminal with echo on (issue 15:
 * it stayed off).  A shell runs madoguchi at a real terminal (tmux), the
 * interrupt arrives at the prompt, and the shell then reports stty's echo
 * flag. */
TEST(cli_ctrl_c_at_password_prompt_restores_echo)
{
	struct tmx t;
	char cmd[1400];
	char *screen;

	snprintf(cmd, sizeof(cmd), "trap 'echo INTERRUPTED' INT; '%s' init --request REQ-1 --store '%s' "
	    "--admin kanri-taro 2>&1; stty -a | tr ' ;' '\\n\\n' | "
	    "grep -x -e echo -e -echo | sed 's/^/STATE:/'", t_bin("madoguchi"),
	    t_path("s"));
	{
		char *argv[] = { "sh", "-c", cmd, NULL };
		REQUIRE(tmx_start(&t, 100, 24, argv) == 0);
	}
	REQUIRE(tmx_wait(&t, "管理者のパスワード", 20000));
	tmx_keys(&t, "secret", NULL);
	tmx_keys(&t, "C-c", NULL);
	REQUIRE(tmx_wait(&t, "STATE:", 20000));
	screen = tmx_capture(&t);
	CHECK(strstr(screen, "STATE:echo") != NULL);
	CHECK(strstr(screen, "STATE:-echo") == NULL);
	CHECK(strstr(screen, "secret") == NULL);	/* typed while echo was off */
	free(screen);
	tmx_stop(&t);
}
