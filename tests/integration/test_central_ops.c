/*
 * test_central_ops.c — the central's operations (issue 16): named operators
 * with a password and a TOTP second factor (AC-1, AC-5, AC-6), the central's
 * own audit chain (LOG-1, LOG-2: edited, deleted and reordered rows found by
 * `audit verify`, `audit list` filters), and the protected export of
 * applications (CMS to the core system's certificate, LK-1).
 *
 * Each command runs at its own test time (MDG_TEST_NOW, a step of 30 s
 * later than the one before) with the code of that step, as an operator
 * at a real central would wait for the next code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "central.h"
#include "harness.h"
#include "totp.h"

#define PW "Sato#Pass-2580"
#define PW2 "Kato#Pass-7713"

struct ops {
	char dir[512], conf[512];
	uint8_t secret[TOTP_SECRET_LEN], secret2[TOTP_SECRET_LEN];
	int64_t now;
};

/* Run madoguchi-central --config CONF --store DIR ARGS... with input in
 * at the test's next time step; returns the process (caller frees). */
static void
run_at(struct ops *o, struct t_proc *p, const char *input, va_list ap)
{
	char *argv[48], env_now[64];
	char *envp[] = { env_now, NULL };
	int n = 0;

	o->now += 30;
	snprintf(env_now, sizeof(env_now), "MDG_TEST_NOW=%lld", (long long)o->now);
	argv[n++] = (char *)t_bin("madoguchi-central");
	argv[n++] = "--config";
	argv[n++] = o->conf;
	argv[n++] = "--store";
	argv[n++] = o->dir;
	while (n < 47 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	argv[n] = NULL;
	REQUIRE(t_run(argv, envp, input, input ? strlen(input) : 0, 120000, p) == 0);
}

static int
raw(struct ops *o, struct t_proc *p, const char *input, ...)
{
	va_list ap;

	va_start(ap, input);
	run_at(o, p, input, ap);
	va_end(ap);
	return p->status;
}

/* As operator sato.hanako (second = 0) or kato.jiro (1), with the right
 * code for the step the command runs at. */
static int
as_op(struct ops *o, int second, struct t_proc *p, ...)
{
	char input[128], code[TOTP_DIGITS + 1], *argv[48];
	struct err e;
	va_list ap;
	int n = 0;

	err_clear(&e);
	REQUIRE_OK(totp_code(second ? o->secret2 : o->secret, o->now + 30, code, &e), &e);
	snprintf(input, sizeof(input), "%s\n%s\n", second ? PW2 : PW, code);
	argv[n++] = "--operator";
	argv[n++] = second ? "kato.jiro" : "sato.hanako";
	argv[n++] = "--password-stdin";
	va_start(ap, p);
	while (n < 40 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	/* run_at takes a va_list: pass the built argv through a helper. */
	{
		char env_now[64];
		char *envp[] = { env_now, NULL };
		char *full[56];
		int k = 0;

		o->now += 30;
		snprintf(env_now, sizeof(env_now), "MDG_TEST_NOW=%lld", (long long)o->now);
		full[k++] = (char *)t_bin("madoguchi-central");
		full[k++] = "--config";
		full[k++] = o->conf;
		full[k++] = "--store";
		full[k++] = o->dir;
		for (int i = 0; i < n; i++)
			full[k++] = argv[i];
		full[k] = NULL;
		REQUIRE(t_run(full, envp, input, strlen(input), 120000, p) == 0);
	}
	return p->status;
}

static void
secret_from(const char *out, uint8_t s[TOTP_SECRET_LEN])
{
	const char *k = strstr(out, "secret: ");
	char b32[TOTP_B32_MAX];
	struct err e;

	REQUIRE(k != NULL);
	snprintf(b32, sizeof(b32), "%.32s", k + 8);
	err_clear(&e);
	REQUIRE_OK(totp_base32_parse(b32, s, &e), &e);
}

/* A central with operator sato.hanako (export flag) and kato.jiro (none). */
static void
ops_init(struct ops *o, const char *extra_conf)
{
	struct t_proc p;
	char text[2048];

	memset(o, 0, sizeof(*o));
	o->now = 1796256000;	/* 2026-12-03T00:00:00Z */
	snprintf(o->dir, sizeof(o->dir), "%s", t_path("central"));
	snprintf(o->conf, sizeof(o->conf), "%s", t_path("central.conf"));
	snprintf(text, sizeof(text), "%s", extra_conf ? extra_conf : "");
	REQUIRE(t_write_file(o->conf, text, strlen(text)) == 0);
	REQUIRE(raw(o, &p, PW "\n", "init", "--admin", "sato.hanako", "--display", "佐藤 花子",
	    "--password-stdin", NULL) == 0);
	secret_from(p.out, o->secret);
	CHECK(strstr(p.out, "otpauth://totp/") != NULL);
	t_proc_free(&p);
	{
		char input[256], code[8];
		struct err e;
		err_clear(&e);
		REQUIRE_OK(totp_code(o->secret, o->now + 30, code, &e), &e);
		snprintf(input, sizeof(input), "%s\n%s\n%s\n", PW, code, PW2);
		REQUIRE(raw(o, &p, input, "--operator", "sato.hanako", "--password-stdin",
		    "operator", "add", "kato.jiro", "--display", "加藤 次郎", NULL) == 0);
		secret_from(p.out, o->secret2);
		t_proc_free(&p);
	}
}

/* AC-5, AC-6: a command on personal data or accounts needs an operator
 * with the password and a fresh code; serve/key need none. */
TEST(operator_login_required_with_second_factor)
{
	struct ops o;
	struct t_proc p;
	char input[128], code[8];
	struct err e;

	ops_init(&o, NULL);
	/* No operator. */
	CHECK(raw(&o, &p, NULL, "terminal", "enrol", "K01", NULL) != 0);
	CHECK(strstr(p.err, "needs an operator") != NULL);
	t_proc_free(&p);
	/* Right password, no code line. */
	CHECK(raw(&o, &p, PW "\n", "--operator", "sato.hanako", "--password-stdin",
	    "user", "list", NULL) != 0);
	t_proc_free(&p);
	/* Right password, wrong code. */
	CHECK(raw(&o, &p, PW "\n000000\n", "--operator", "sato.hanako", "--password-stdin",
	    "user", "list", NULL) != 0);
	CHECK(strstr(p.err, "login refused") != NULL);
	t_proc_free(&p);
	/* Wrong password, right code. */
	err_clear(&e);
	REQUIRE_OK(totp_code(o.secret, o.now + 30, code, &e), &e);
	snprintf(input, sizeof(input), "Wrong#Pass-0000\n%s\n", code);
	CHECK(raw(&o, &p, input, "--operator", "sato.hanako", "--password-stdin",
	    "user", "list", NULL) != 0);
	t_proc_free(&p);
	/* Both right. */
	CHECK_INT(as_op(&o, 0, &p, "user", "list", NULL), 0);
	t_proc_free(&p);
	/* The same code again (same step): replay refused. */
	err_clear(&e);
	REQUIRE_OK(totp_code(o.secret, o.now, code, &e), &e);
	snprintf(input, sizeof(input), "%s\n%s\n", PW, code);
	o.now -= 30;	/* run at the step just used */
	CHECK(raw(&o, &p, input, "--operator", "sato.hanako", "--password-stdin",
	    "user", "list", NULL) != 0);
	CHECK(strstr(p.err, "already used") != NULL);
	t_proc_free(&p);
	/* The public key needs no operator. */
	CHECK_INT(raw(&o, &p, NULL, "key", NULL), 0);
	t_proc_free(&p);
	/* The refusals are in the chain. */
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--action", "login-failed", NULL), 0);
	CHECK(strstr(p.out, "login-failed") != NULL);
	t_proc_free(&p);
	/* Operators never reach a terminal: nothing in the pull feed. */
	{
		struct central *c;
		sqlite3_stmt *st;
		err_clear(&e);
		REQUIRE_OK(central_open(o.dir, &c, &e), &e);
		REQUIRE(sqlite3_prepare_v2(c->db, "SELECT count(*) FROM changes WHERE body LIKE"
		    " '%kato.jiro%' OR key LIKE '%kato.jiro%'", -1, &st, NULL) == SQLITE_OK);
		REQUIRE(sqlite3_step(st) == SQLITE_ROW);
		CHECK_INT(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
		central_close(c);
	}
}

/* LOG-2: the chain records operator actions; verify finds an edited, a
 * deleted and a reordered row, each on a fresh copy. */
static void
tamper(const char *dir, const char *sql)
{
	struct central *c;
	struct err e;

	err_clear(&e);
	REQUIRE_OK(central_open(dir, &c, &e), &e);
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		t_fail_at(__FILE__, __LINE__, "%s: %s", sql, sqlite3_errmsg(c->db));
	central_close(c);
}

static void
copy_store(const char *from, const char *to)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", to, from, to);
	REQUIRE(system(cmd) == 0);
}

TEST(central_audit_chain_finds_edit_delete_reorder)
{
	struct ops o;
	struct t_proc p;
	char orig[512];
	const char *csv = t_path("persons.csv");
	static const char persons[] =
	    "atena,ward,kana,name,birth,sex,address\n"
	    "000000000101,01,ヤマダ タロウ,山田 太郎,1970-01-01,1,窓口市1-1\n";

	ops_init(&o, NULL);
	REQUIRE(t_write_file(csv, persons, strlen(persons)) == 0);
	CHECK_INT(as_op(&o, 0, &p, "terminal", "enrol", "K01", "--wards", "01", NULL), 0);
	t_proc_free(&p);
	as_op(&o, 0, &p, "import", "persons", csv, NULL);
	t_proc_free(&p);
	/* The next day: the previous day's head gets signed. */
	o.now += 86400;
	CHECK_INT(as_op(&o, 1, &p, "terminal", "revoke", "K01", NULL), 0);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "audit", "verify", NULL), 0);
	CHECK(strstr(p.out, " 0 problems") != NULL);
	CHECK(strstr(p.out, "1 signed day heads") != NULL);
	t_proc_free(&p);
	/* list: by operator, action, date */
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--by", "kato.jiro", NULL), 0);
	CHECK(strstr(p.out, "terminal-revoke") != NULL);
	CHECK(strstr(p.out, "terminal-enrol") == NULL);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--action", "import-persons", NULL), 0);
	CHECK(strstr(p.out, "persons.csv") != NULL);
	CHECK(strstr(p.out, "\"sha256\":\"") != NULL);
	CHECK(strstr(p.out, "\"accepted\":") != NULL);
	CHECK(strstr(p.out, "terminal-enrol") == NULL);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--since", "2026-12-04", NULL), 0);
	CHECK(strstr(p.out, "terminal-revoke") != NULL);
	CHECK(strstr(p.out, "terminal-enrol") == NULL);
	t_proc_free(&p);

	snprintf(orig, sizeof(orig), "%s.orig", o.dir);
	copy_store(o.dir, orig);
	/* Edited: one row's detail changed. */
	tamper(o.dir, "UPDATE central_audit SET detail = '{\"terminal\":\"K99\"}'"
	    " WHERE action = 'terminal-enrol'");
	CHECK(as_op(&o, 0, &p, "audit", "verify", NULL) != 0);
	CHECK(strstr(p.out, "edited") != NULL);
	t_proc_free(&p);
	/* Deleted: a row from the middle. */
	copy_store(orig, o.dir);
	tamper(o.dir, "DELETE FROM central_audit WHERE action = 'terminal-enrol'");
	CHECK(as_op(&o, 0, &p, "audit", "verify", NULL) != 0);
	CHECK(strstr(p.out, "deleted") != NULL);
	t_proc_free(&p);
	/* Reordered: two rows swap places (ids exchanged). */
	copy_store(orig, o.dir);
	tamper(o.dir, "UPDATE central_audit SET id = -1 WHERE id = 2;"
	    "UPDATE central_audit SET id = 2 WHERE id = 3;"
	    "UPDATE central_audit SET id = 3 WHERE id = -1;");
	CHECK(as_op(&o, 0, &p, "audit", "verify", NULL) != 0);
	CHECK(strstr(p.out, "reordered") != NULL);
	t_proc_free(&p);
	/* Deleted at the end. */
	copy_store(orig, o.dir);
	tamper(o.dir, "DELETE FROM central_audit WHERE id = (SELECT max(id) FROM central_audit)");
	CHECK(as_op(&o, 0, &p, "audit", "verify", NULL) != 0);
	CHECK(strstr(p.out, "deleted at the end") != NULL);
	t_proc_free(&p);
	/* The untouched copy still verifies. */
	copy_store(orig, o.dir);
	CHECK_INT(as_op(&o, 0, &p, "audit", "verify", NULL), 0);
	t_proc_free(&p);
}
