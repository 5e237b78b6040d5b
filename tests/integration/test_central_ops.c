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

/* As operator sato-hanako (second = 0) or kato-jiro (1), with the right
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
	argv[n++] = second ? "kato-jiro" : "sato-hanako";
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

/* A central with operator sato-hanako (export flag) and kato-jiro (none). */
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
	REQUIRE(raw(o, &p, PW "\n", "init", "--admin", "sato-hanako", "--display", "佐藤 花子",
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
		REQUIRE(raw(o, &p, input, "--operator", "sato-hanako", "--password-stdin",
		    "operator", "add", "kato-jiro", "--display", "加藤 次郎", NULL) == 0);
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
	CHECK(raw(&o, &p, PW "\n", "--operator", "sato-hanako", "--password-stdin",
	    "user", "list", NULL) != 0);
	t_proc_free(&p);
	/* Right password, wrong code. */
	CHECK(raw(&o, &p, PW "\n000000\n", "--operator", "sato-hanako", "--password-stdin",
	    "user", "list", NULL) != 0);
	CHECK(strstr(p.err, "login refused") != NULL);
	t_proc_free(&p);
	/* Wrong password, right code. */
	err_clear(&e);
	REQUIRE_OK(totp_code(o.secret, o.now + 30, code, &e), &e);
	snprintf(input, sizeof(input), "Wrong#Pass-0000\n%s\n", code);
	CHECK(raw(&o, &p, input, "--operator", "sato-hanako", "--password-stdin",
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
	CHECK(raw(&o, &p, input, "--operator", "sato-hanako", "--password-stdin",
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
		    " '%kato-jiro%' OR key LIKE '%kato-jiro%'", -1, &st, NULL) == SQLITE_OK);
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
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--by", "kato-jiro", NULL), 0);
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
	/* A signed day head altered (its row and hash rewritten together). */
	copy_store(orig, o.dir);
	tamper(o.dir, "UPDATE central_audit_heads SET id = id - 1");
	CHECK(as_op(&o, 0, &p, "audit", "verify", NULL) != 0);
	CHECK(strstr(p.out, "bad signature") != NULL);
	t_proc_free(&p);
	/* The untouched copy still verifies. */
	copy_store(orig, o.dir);
	CHECK_INT(as_op(&o, 0, &p, "audit", "verify", NULL), 0);
	t_proc_free(&p);
}

/* ------------------------------------------------------------ export */

/* Two applications as terminals push them (table received, kind 1). */
static void
plant_applications(const char *dir)
{
	tamper(dir, "INSERT INTO received (uuid, terminal, kind, receipt_no, app, status, body,"
	    " received_at) VALUES"
	    " ('u-1', 'K01', 1, 'K01-20261203-1', 'u-1', 'received',"
	    "  '{\"receipt_no\":\"K01-20261203-1\",\"procedure\":\"kokuho\",\"atena\":\"000000000101\","
	    "\"status\":\"received\"}', '2026-12-03T09:00:00+0900'),"
	    " ('u-2', 'K01', 1, 'K01-20261203-2', 'u-2', 'received',"
	    "  '{\"receipt_no\":\"K01-20261203-2\",\"procedure\":\"=HYPERLINK(1)\",\"atena\":\"000000000102\","
	    "\"status\":\"received\"}', '2026-12-03T09:05:00+0900')");
}

static char *
sh_out(const char *cmd)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	struct t_proc p;
	char *out;

	REQUIRE(t_run(argv, NULL, NULL, 0, 60000, &p) == 0);
	if (p.status != 0)
		t_fail_at(__FILE__, __LINE__, "%s: status %d: %s", cmd, p.status, p.err);
	out = strdup(p.out);
	t_proc_free(&p);
	return out;
}

static void
export_conf(char *text, size_t cap, const char *cms, const char *plain)
{
	char cmd[2048];
	const char *ex = t_path("export");

	snprintf(cmd, sizeof(cmd), "mkdir -p -m 700 '%s' && cd '%s' && openssl req -x509"
	    " -newkey rsa:2048 -nodes -keyout core.key -out core.pem -subj /CN=core-system"
	    " -days 2 2>/dev/null", ex, t_tmpdir());
	free(sh_out(cmd));
	snprintf(text, cap, "[export]\ndir = %s\nrecipient = %s/core.pem\ncms = %s\nplaintext = %s\n",
	    ex, t_tmpdir(), cms, plain);
}

/* LK-1, LOG-2: export needs the flag, a purpose, the second factor;
 * writes CMS into [export] dir only, which openssl cms -decrypt opens to
 * exactly the applications; the audit row names the file's hash. */
TEST(export_protected_cms_and_refusals)
{
	struct ops o;
	struct t_proc p;
	char conf[2048], cmd[2048], *dec, *ct, *dg;
	char input[128];

	export_conf(conf, sizeof(conf), "auth-enveloped", "no");
	ops_init(&o, conf);
	plant_applications(o.dir);
	/* Without the export flag. */
	CHECK(as_op(&o, 1, &p, "export", "applications", "--purpose", "REQ-2026-77", NULL) != 0);
	CHECK(strstr(p.err, "export flag") != NULL);
	t_proc_free(&p);
	/* Without a purpose. */
	CHECK(as_op(&o, 0, &p, "export", "applications", NULL) != 0);
	CHECK(strstr(p.err, "--purpose") != NULL);
	t_proc_free(&p);
	/* Without the second factor (a wrong code). */
	snprintf(input, sizeof(input), "%s\n000000\n", PW);
	CHECK(raw(&o, &p, input, "--operator", "sato-hanako", "--password-stdin", "export",
	    "applications", "--purpose", "REQ-2026-77", NULL) != 0);
	t_proc_free(&p);
	/* Plaintext, or to standard output, without the permissive setting. */
	CHECK(as_op(&o, 0, &p, "export", "applications", "--purpose", "REQ-2026-77",
	    "--plaintext", NULL) != 0);
	CHECK(strstr(p.err, "plaintext") != NULL);
	t_proc_free(&p);
	CHECK(as_op(&o, 0, &p, "export", "applications", "--purpose", "REQ-2026-77",
	    "--output", "-", NULL) != 0);
	t_proc_free(&p);
	/* Outside the directory. */
	CHECK(as_op(&o, 0, &p, "export", "applications", "--purpose", "REQ-2026-77",
	    "--output", "../x.p7m", NULL) != 0);
	t_proc_free(&p);
	/* Nothing was written. */
	snprintf(cmd, sizeof(cmd), "ls -A '%s'", t_path("export"));
	dec = sh_out(cmd);
	CHECK_STR(dec, "");
	free(dec);
	/* Allowed. */
	CHECK_INT(as_op(&o, 0, &p, "export", "applications", "--purpose", "REQ-2026-77",
	    "--output", "apps.p7m", NULL), 0);
	CHECK(strstr(p.err, "2 applications") != NULL);
	t_proc_free(&p);
	snprintf(cmd, sizeof(cmd), "stat -c %%a '%s/apps.p7m'", t_path("export"));
	dec = sh_out(cmd);
	CHECK_STR(dec, "600\n");
	free(dec);
	snprintf(cmd, sizeof(cmd), "openssl cms -decrypt -inform DER -in '%s/apps.p7m'"
	    " -recip '%s/core.pem' -inkey '%s/core.key'", t_path("export"), t_tmpdir(), t_tmpdir());
	dec = sh_out(cmd);
	CHECK(strstr(dec, "\"cursor\":1,\"uuid\":\"u-1\"") != NULL);
	CHECK(strstr(dec, "\"cursor\":2,\"uuid\":\"u-2\"") != NULL);
	CHECK(strstr(dec, "000000000102") != NULL);
	{
		int lines = 0;
		for (const char *q = dec; *q; q++)
			lines += *q == '\n';
		CHECK_INT(lines, 2);
	}
	free(dec);
	snprintf(cmd, sizeof(cmd), "openssl cms -cmsout -print -inform DER -in '%s/apps.p7m'"
	    " | grep -m1 contentType", t_path("export"));
	ct = sh_out(cmd);
	CHECK(strstr(ct, "AuthEnvelopedData") != NULL || strstr(ct, "authEnvelopedData") != NULL);
	free(ct);
	/* The audit row: purpose, range, count, file, its SHA-256, recipient. */
	snprintf(cmd, sizeof(cmd), "sha256sum '%s/apps.p7m' | cut -c1-64 | tr -d '\\n'",
	    t_path("export"));
	dg = sh_out(cmd);
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--action", "export", NULL), 0);
	CHECK(strstr(p.out, dg) != NULL);
	CHECK(strstr(p.out, "\"purpose\":\"REQ-2026-77\"") != NULL);
	CHECK(strstr(p.out, "\"cursor_from\":\"1\",\"cursor_to\":\"2\",\"count\":\"2\"") != NULL);
	CHECK(strstr(p.out, "apps.p7m") != NULL);
	free(dg);
	t_proc_free(&p);
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s/core.pem' -noout -fingerprint -sha256"
	    " | sed 's/.*=//; s/://g' | tr A-F a-f | tr -d '\\n'", t_tmpdir());
	dg = sh_out(cmd);
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--action", "export", NULL), 0);
	CHECK(strstr(p.out, dg) != NULL);
	free(dg);
	t_proc_free(&p);
	/* An existing file is never overwritten. */
	CHECK(as_op(&o, 0, &p, "export", "applications", "--purpose", "REQ-2026-77",
	    "--output", "apps.p7m", NULL) != 0);
	t_proc_free(&p);
}

/* [export] cms = enveloped: AES-256-CBC EnvelopedData; [export] plaintext =
 * yes: CSV with the formula guard, still audited. */
TEST(export_enveloped_and_permitted_plaintext_csv)
{
	struct ops o;
	struct t_proc p;
	char conf[2048], cmd[2048], *dec;

	export_conf(conf, sizeof(conf), "enveloped", "yes");
	ops_init(&o, conf);
	plant_applications(o.dir);
	CHECK_INT(as_op(&o, 0, &p, "export", "applications", "--purpose", "REQ-2026-78",
	    "--output", "cbc.p7m", "--format", "csv", NULL), 0);
	t_proc_free(&p);
	snprintf(cmd, sizeof(cmd), "openssl cms -cmsout -print -inform DER -in '%s/cbc.p7m'"
	    " | grep -m1 contentType", t_path("export"));
	dec = sh_out(cmd);
	CHECK(strstr(dec, "nvelopedData") != NULL && strstr(dec, "uthEnvelopedData") == NULL);
	free(dec);
	snprintf(cmd, sizeof(cmd), "openssl cms -decrypt -inform DER -in '%s/cbc.p7m'"
	    " -recip '%s/core.pem' -inkey '%s/core.key'", t_path("export"), t_tmpdir(), t_tmpdir());
	dec = sh_out(cmd);
	CHECK(strstr(dec, "\"'=HYPERLINK(1)\"") != NULL);
	CHECK(strstr(dec, ",=HYPERLINK") == NULL && strstr(dec, ",\"=HYPERLINK") == NULL);
	free(dec);
	/* Plaintext to standard output, allowed here and audited. */
	CHECK_INT(as_op(&o, 0, &p, "export", "applications", "--purpose", "REQ-2026-79",
	    "--plaintext", "--output", "-", "--since", "1", NULL), 0);
	CHECK(strstr(p.out, "\"uuid\":\"u-2\"") != NULL);
	CHECK(strstr(p.out, "\"uuid\":\"u-1\"") == NULL);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--action", "export", NULL), 0);
	CHECK(strstr(p.out, "REQ-2026-79") != NULL);
	CHECK(strstr(p.out, "plaintext") != NULL);
	CHECK(strstr(p.out, "enveloped aes-256-cbc") != NULL);
	t_proc_free(&p);
}

/* ------------------------------------------- oversight across terminals */

#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "store.h"

#define TPW "Kx9#mPq2vL"

static int central_port;

static int
port_open(void *arg)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	(void)arg;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)central_port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static void
term_run(const char *tdir, const char *input, char **args)
{
	char *argv[24];
	struct t_proc p;
	int n = 0;

	argv[n++] = (char *)t_bin("madoguchi");
	argv[n++] = "--store";
	argv[n++] = (char *)tdir;
	while (*args != NULL && n < 23)
		argv[n++] = *args++;
	argv[n] = NULL;
	REQUIRE(t_run(argv, NULL, input, strlen(input), 60000, &p) == 0);
	if (p.status != 0)
		t_fail_at(__FILE__, __LINE__, "%s: %s %s", argv[3], p.out, p.err);
	t_proc_free(&p);
}

/* A terminal ID enrolled at the central, its store made and enrolled. */
static void
terminal_up(struct ops *o, const char *id, const char *tdir, const char *addr,
    const char *key)
{
	struct t_proc p;
	struct err e;
	char token[64], in[256];
	char *enroll[] = { "enroll", "--central", (char *)addr, "--central-key", (char *)key,
	    "--user", "admin", "--password-stdin", "--token-stdin", NULL };

	REQUIRE(as_op(o, 0, &p, "terminal", "enrol", id, "--wards", "01", NULL) == 0);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
	t_proc_free(&p);
	err_clear(&e);
	REQUIRE_OK(store_create(tdir, "admin", TPW, &e), &e);
	snprintf(in, sizeof(in), "%s\n%s\n", TPW, token);
	term_run(tdir, in, enroll);
}

static void
term_sync(const char *tdir)
{
	char *sync[] = { "sync", "--user", "admin", "--password-stdin", NULL };

	term_run(tdir, TPW "\n", sync);
}

static void
term_view(const char *tdir, const char *action, const char *atena, const char *detail)
{
	struct store *st = NULL;
	struct err e;

	err_clear(&e);
	REQUIRE_OK(store_open(tdir, "admin", TPW, &st, &e), &e);
	CHECK_OK(store_audit_append(st, NULL, NULL, action, atena, "person", detail, &e), &e);
	store_close(st);
}

/* LOG-3: views of one resident made at two terminals, after their sync,
 * are listed with clerk, terminal and time; another resident's are not. */
TEST(audit_person_across_two_terminals)
{
	struct ops o;
	struct t_proc p;
	char addr[64], key[65], *t1, *t2;
	const char *csv = t_path("persons.csv");
	static const char persons[] =
	    "atena,name,kana,birth,sex,address,ward,mynumber\n"
	    "000000001,山田 太郎,ヤマダ タロウ,1980-04-01,1,窓口市北区1-1,01,\n"
	    "000000002,山田 花子,ヤマダ ハナコ,1981-05-01,2,窓口市北区1-1,01,\n";
	pid_t pid;

	ops_init(&o, NULL);
	REQUIRE(t_write_file(csv, persons, strlen(persons)) == 0);
	REQUIRE(as_op(&o, 0, &p, "import", "persons", csv, NULL) == 0);
	t_proc_free(&p);
	REQUIRE(raw(&o, &p, NULL, "key", NULL) == 0);
	snprintf(key, sizeof(key), "%.64s", p.out);
	t_proc_free(&p);
	central_port = t_free_port();
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", central_port);
	{
		char *argv[] = { (char *)t_bin("madoguchi-central"), "--config", o.conf,
		    "--store", o.dir, "serve", "--listen", addr, NULL };
		pid = t_start(argv, NULL, t_path("central.log"));
		REQUIRE(pid > 0);
		REQUIRE(t_wait_for(port_open, NULL, 20000));
	}
	t1 = strdup(t_path("term1"));
	t2 = strdup(t_path("term2"));
	terminal_up(&o, "K01", t1, addr, key);
	terminal_up(&o, "K02", t2, addr, key);
	term_sync(t1);
	term_sync(t2);
	term_view(t1, "lookup.view", "000000001", NULL);
	term_view(t2, "lookup.view", "000000001", NULL);
	term_view(t2, "lookup.search", NULL, "page=1 shown=,000000002,000000001,");
	term_view(t2, "lookup.view", "000000002", NULL);
	term_sync(t1);
	term_sync(t2);
	CHECK_INT(t_stop_proc(pid, SIGTERM, 20000), 0);

	CHECK(as_op(&o, 0, &p, "audit", "person", "000000001", NULL) == 0);
	{
		int k01 = 0, k02 = 0, other = 0, search = 0;
		for (char *l = strtok(p.out, "\n"); l != NULL; l = strtok(NULL, "\n")) {
			if (strncmp(l, "time\t", 5) == 0)
				continue;
			k01 += strstr(l, "\tK01\tadmin\taudit\tlookup.view\t") != NULL;
			k02 += strstr(l, "\tK02\tadmin\taudit\tlookup.view\t") != NULL;
			search += strstr(l, "\tK02\tadmin\taudit\tlookup.search\t") != NULL;
			other += strstr(l, "lookup.view") == NULL && strstr(l, "lookup.search") == NULL;
		}
		CHECK_INT(k01, 1);
		CHECK_INT(k02, 1);
		CHECK_INT(search, 1);
		CHECK_INT(other, 0);
	}
	t_proc_free(&p);
	/* Asking is recorded. */
	CHECK(as_op(&o, 0, &p, "audit", "list", "--action", "audit-person", NULL) == 0);
	CHECK(strstr(p.out, "000000001") != NULL);
	t_proc_free(&p);
	free(t1);
	free(t2);
}

/* ------------------------------------------------------------ reports */

static int audit_id;

/* A terminal's audit row as pushed (table audit of the central). */
static void
pushed(const char *dir, const char *term, const char *at, const char *who,
    const char *action, const char *person, const char *detail)
{
	char sql[2048];

	audit_id++;
	snprintf(sql, sizeof(sql), "INSERT INTO audit (terminal, id, body, chain_ok, received_at)"
	    " VALUES ('%s', %d, json_object('id', %d, 'at', '%s', 'who', '%s', 'terminal', '%s',"
	    " 'action', '%s', 'person', '%s', 'screen', 'person', 'detail', '%s'), 1, '%s')",
	    term, audit_id, audit_id, at, who, term, action, person, detail, at);
	tamper(dir, sql);
}

/* The monthly review flags the planted out-of-hours (evening, a holiday
 * imported from the Cabinet Office's Shift_JIS list), bulk, DV, no-visit
 * and own-household cases, and nothing of the clean set (LOG-3, AC-6). */
TEST(report_access_flags_planted_cases_only)
{
	struct ops o;
	struct t_proc p;
	char hol[700], persons_p[700], acc_p[700];
	static const char persons[] =
	    "atena,name,kana,birth,sex,address,ward,household,dv\n"
	    "000000001,山田 太郎,ヤマダ タロウ,1980-04-01,1,窓口市北区1-1,01,200,0\n"
	    "000000002,山田 花子,ヤマダ ハナコ,1981-05-01,2,窓口市北区1-1,01,200,0\n"
	    "000000003,鈴木 一郎,スズキ イチロウ,1990-01-01,1,窓口市北区2-2,01,300,0\n"
	    "000000009,佐藤 秘子,サトウ ヒミコ,1985-02-02,2,窓口市北区9-9,01,900,1\n"
	    "000000010,田中 一郎,タナカ イチロウ,1970-03-03,1,窓口市北区3-3,01,100,0\n"
	    "000000011,田中 花子,タナカ ハナコ,1972-04-04,2,窓口市北区3-3,01,100,0\n";
	static const char accounts[] =
	    "name,display,role,perms,view_mynumber,valid_until,request\n"
	    "tanaka-ichiro,田中 一郎,clerk,kokuho:write,0,2027-03-31,REQ-2026-101\n"
	    "suzuki-jiro,鈴木 次郎,clerk,kokuho:write,0,2027-03-31,REQ-2026-102\n";

	ops_init(&o, "[report]\nlookup_rate = 3\noffice_hours = 08:30-17:15\n");
	snprintf(hol, sizeof(hol), "%s/data/holidays/syukujitsu-2026-sample.csv", t_srcdir());
	snprintf(persons_p, sizeof(persons_p), "%s", t_path("persons.csv"));
	snprintf(acc_p, sizeof(acc_p), "%s", t_path("accounts.csv"));
	REQUIRE(t_write_file(persons_p, persons, strlen(persons)) == 0);
	REQUIRE(t_write_file(acc_p, accounts, strlen(accounts)) == 0);
	CHECK_INT(as_op(&o, 0, &p, "import", "holidays", hol, NULL), 0);
	CHECK(strstr(p.out, "18 imported, 0 rejected") != NULL);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "import", "persons", persons_p, NULL), 0);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "import", "accounts", acc_p, NULL), 0);
	t_proc_free(&p);

	/* The clean set: within hours on working days, each view in a visit
	 * with an identity check or an application. */
	pushed(o.dir, "K01", "2026-11-04T10:00:00+0900", "suzuki-jiro", "lookup.search", "",
	    "page=1 shown=,000000001,");
	pushed(o.dir, "K01", "2026-11-04T10:01:00+0900", "suzuki-jiro", "lookup.view",
	    "000000001", "");
	pushed(o.dir, "K01", "2026-11-04T10:02:00+0900", "suzuki-jiro", "idcheck.read",
	    "000000001", "unlock=PIN");
	pushed(o.dir, "K01", "2026-11-04T11:00:00+0900", "suzuki-jiro", "lookup.view",
	    "000000002", "");
	tamper(o.dir, "INSERT INTO received (uuid, terminal, kind, receipt_no, app, status, body,"
	    " received_at) VALUES ('a-1', 'K01', 1, 'K01-20261104-1', 'a-1', 'received',"
	    " json_object('uuid', 'a-1', 'receipt_no', 'K01-20261104-1', 'procedure', 'kokuho',"
	    " 'atena', '000000002', 'entered_by', 'suzuki-jiro', 'status', 'received',"
	    " 'received_at', '2026-11-04T11:10:00+0900'), '2026-11-04T11:10:05+0900')");
	/* Planted: the evening (view and its card read), a holiday (文化の日),
	 * a name that would be a spreadsheet formula, five lookups in one hour
	 * (rate 3), a DV person, a view with nothing else, an own household. */
	pushed(o.dir, "K01", "2026-11-04T19:30:00+0900", "suzuki-jiro", "lookup.view",
	    "000000001", "");
	pushed(o.dir, "K01", "2026-11-04T19:31:00+0900", "suzuki-jiro", "idcheck.read",
	    "000000001", "");
	pushed(o.dir, "K02", "2026-11-03T10:00:00+0900", "suzuki-jiro", "lookup.view",
	    "000000003", "");
	pushed(o.dir, "K02", "2026-11-03T10:01:00+0900", "suzuki-jiro", "idcheck.read",
	    "000000003", "");
	pushed(o.dir, "K02", "2026-11-07T09:00:00+0900", "=evil()", "lookup.search", "",
	    "page=1 shown=,");
	for (int i = 0; i < 5; i++) {
		char at[40];
		snprintf(at, sizeof(at), "2026-11-05T14:0%d:00+0900", i);
		pushed(o.dir, "K01", at, "tanaka-ichiro", "lookup.search", "", "page=1 shown=,");
	}
	pushed(o.dir, "K01", "2026-11-06T10:00:00+0900", "suzuki-jiro", "lookup.view.restricted",
	    "000000009", "");
	pushed(o.dir, "K01", "2026-11-06T10:03:00+0900", "suzuki-jiro", "idcheck.read",
	    "000000009", "");
	pushed(o.dir, "K01", "2026-11-06T15:00:00+0900", "suzuki-jiro", "lookup.view",
	    "000000003", "");
	pushed(o.dir, "K01", "2026-11-09T10:00:00+0900", "tanaka-ichiro", "lookup.view",
	    "000000011", "");
	pushed(o.dir, "K01", "2026-11-09T10:01:00+0900", "tanaka-ichiro", "idcheck.read",
	    "000000011", "");
	/* Another month: not in November's review. */
	pushed(o.dir, "K01", "2026-12-01T22:00:00+0900", "suzuki-jiro", "lookup.view",
	    "000000003", "");

	CHECK_INT(as_op(&o, 0, &p, "report", "access", "--month", "2026-11", NULL), 0);
	{
		int n[6] = { 0 }, lines = 0;
		static const char *const rule[6] = { "out-of-hours ", "bulk ", "dv-view ",
			"no-visit ", "own-household ", "rule " };
		for (char *l = strtok(p.out, "\n"); l != NULL; l = strtok(NULL, "\n")) {
			lines++;
			for (int k = 0; k < 6; k++)
				n[k] += strncmp(l, rule[k], strlen(rule[k])) == 0;
			/* nothing of the clean set */
			CHECK(strstr(l, "2026-11-04 10:") == NULL);
			CHECK(strstr(l, "2026-11-04 11:") == NULL);
			CHECK(strstr(l, "2026-12") == NULL);
		}
		CHECK_INT(n[0], 5);	/* 19:30, 19:31, holiday x2, 09:00 on a Saturday */
		CHECK_INT(n[1], 1);
		CHECK_INT(n[2], 1);
		CHECK_INT(n[3], 1);
		CHECK_INT(n[4], 1);
		CHECK_INT(n[5], 1);	/* the header */
		CHECK_INT(lines, 10);
	}
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "report", "access", "--month", "2026-11", "--format", "csv",
	    NULL), 0);
	CHECK(strncmp(p.out, "rule,time,terminal,clerk,atena,detail\n", 38) == 0);
	CHECK(strstr(p.out, "\"'=evil()\"") != NULL);
	CHECK(strstr(p.out, ",=evil") == NULL && strstr(p.out, ",\"=evil") == NULL);
	CHECK(strstr(p.out, "祝日") != NULL);
	t_proc_free(&p);
	/* The 日報 of 4 November: lookups, identity checks, an application. */
	CHECK_INT(as_op(&o, 0, &p, "report", "daily", "--date", "2026-11-04", NULL), 0);
	{
		/* suzuki-jiro at K01: 2 card reads, 4 lookups; 1 kokuho application. */
		int a = 0, b = 0;
		for (char *l = strtok(p.out, "\n"); l != NULL; l = strtok(NULL, "\n")) {
			int n[5];
			char term[32], proc[64], clerk[64];
			if (sscanf(l, "%31s %63s %63s %d %d %d %d %d", term, proc, clerk, &n[0], &n[1],
			    &n[2], &n[3], &n[4]) != 8)
				continue;
			if (strcmp(term, "K01") == 0 && strcmp(proc, "-") == 0 &&
			    strcmp(clerk, "suzuki-jiro") == 0)
				a = n[0] == 2 && n[1] == 4 && n[2] == 0;
			if (strcmp(term, "K01") == 0 && strcmp(proc, "kokuho") == 0 &&
			    strcmp(clerk, "suzuki-jiro") == 0)
				b = n[2] == 1 && n[3] == 0;
		}
		CHECK(a);
		CHECK(b);
	}
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--action", "report-access", NULL), 0);
	CHECK(strstr(p.out, "\"month\":\"2026-11\",\"flags\":\"9\"") != NULL);
	t_proc_free(&p);
}

/* AC-5: five failed logins lock an operator until another unlocks it; no
 * operator gives itself the export flag; a disabled one cannot log in. */
TEST(operator_lock_unlock_and_flags)
{
	struct ops o;
	struct t_proc p;

	ops_init(&o, NULL);
	for (int i = 0; i < 5; i++) {
		CHECK(raw(&o, &p, PW2 "\n000000\n", "--operator", "kato-jiro", "--password-stdin",
		    "operator", "list", NULL) != 0);
		t_proc_free(&p);
	}
	CHECK(as_op(&o, 1, &p, "operator", "list", NULL) != 0);
	CHECK(strstr(p.err, "locked") != NULL);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "operator", "list", NULL), 0);
	CHECK(strstr(p.out, "kato-jiro") != NULL && strstr(p.out, "locked") != NULL);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "operator", "mod", "kato-jiro", "--unlock", NULL), 0);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 1, &p, "operator", "list", NULL), 0);
	t_proc_free(&p);
	/* Not to oneself. */
	CHECK(as_op(&o, 1, &p, "operator", "mod", "kato-jiro", "--export", "yes", NULL) != 0);
	t_proc_free(&p);
	/* Generic names are refused, as for accounts (AC-1). */
	{
		char input[256], code[8];
		struct err e;
		err_clear(&e);
		REQUIRE_OK(totp_code(o.secret, o.now + 30, code, &e), &e);
		snprintf(input, sizeof(input), "%s\n%s\n%s\n", PW, code, PW2);
		CHECK(raw(&o, &p, input, "--operator", "sato-hanako", "--password-stdin",
		    "operator", "add", "admin01", "--display", "管理者", NULL) != 0);
		CHECK(strstr(p.err, "generic") != NULL);
		t_proc_free(&p);
	}
	CHECK_INT(as_op(&o, 0, &p, "operator", "mod", "kato-jiro", "--disable", NULL), 0);
	t_proc_free(&p);
	CHECK(as_op(&o, 1, &p, "operator", "list", NULL) != 0);
	CHECK(strstr(p.err, "disabled") != NULL);
	t_proc_free(&p);
	CHECK_INT(as_op(&o, 0, &p, "audit", "list", "--action", "operator-mod", NULL), 0);
	CHECK(strstr(p.out, "\"unlock\":\"yes\"") != NULL);
	CHECK(strstr(p.out, "\"disable\":\"yes\"") != NULL);
	t_proc_free(&p);
}
