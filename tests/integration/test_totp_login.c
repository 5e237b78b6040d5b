/*
 * test_totp_login.c — issue 14, the TOTP second factor at login (AC-5)
 * through the command line: `madoguchi user totp` enrols (the otpauth URI
 * and the QR code shown once), then every login gives the code as the line
 * after the password.  Codes come from oathtool (Debian's oath-toolkit, an
 * independent implementation) at the test clock (MDG_TEST_NOW): the right
 * code, a wrong one, the same code replayed, ±1 step of clock skew and 2
 * steps refused; [terminal] second_factor = required refuses an account
 * that has not enrolled, optional lets it in, off asks for no code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "harness.h"

#define PW "Kx9#vTq2mWzr"
#define ADMIN "kanri-taro"
#define T0 1796292000LL		/* 2026-12-03T10:00:00Z */

static char secret[64];

static void
conf(const char *mode)
{
	char c[256];

	snprintf(c, sizeof(c), "[terminal]\nsecond_factor = %s\n", mode);
	REQUIRE(t_write_file(t_path("madoguchi.conf"), c, strlen(c)) == 0);
}

static int
mdg(long long now, const char *input, struct t_proc *p, const char *sub,
    const char *sub2)
{
	char env[64], cf[600], dir[600];
	char *envp[] = { env, NULL };
	char *argv[] = { (char *)t_bin("madoguchi"), "--config", cf, "--store", dir,
		(char *)sub, (char *)sub2, "--user", ADMIN, "--password-stdin", NULL };

	snprintf(env, sizeof(env), "MDG_TEST_NOW=%lld", now);
	snprintf(cf, sizeof(cf), "%s", t_path("madoguchi.conf"));
	snprintf(dir, sizeof(dir), "%s", t_path("s"));
	memset(p, 0, sizeof(*p));
	REQUIRE(t_run(argv, envp, input, strlen(input), 60000, p) == 0);
	return p->status;
}

/* oathtool --totp -b SECRET --now @T */
static void
oath(long long t, char out[7])
{
	char cmd[256], line[64] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd), "oathtool --totp -b '%s' --now '@%lld'", secret, t);
	f = popen(cmd, "r");
	REQUIRE(f != NULL);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	pclose(f);
	REQUIRE(strlen(line) >= 6);
	memcpy(out, line, 6);
	out[6] = '\0';
}

/* A login (audit verify) at now with code; its exit status. */
static int
login_with(long long now, const char *code, struct t_proc *p)
{
	char in[128];

	snprintf(in, sizeof(in), "%s\n%s\n", PW, code);
	return mdg(now, in, p, "audit", "verify");
}

static void
init_store(void)
{
	char dir[600];
	char *argv[] = { (char *)t_bin("madoguchi"), "init", "--store", dir, "--admin",
		ADMIN, "--request", "REQ-1", "--password-stdin", NULL };
	struct t_proc p;

	snprintf(dir, sizeof(dir), "%s", t_path("s"));
	REQUIRE(t_run(argv, NULL, PW "\n", strlen(PW) + 1, 60000, &p) == 0);
	REQUIRE(p.status == 0);
	t_proc_free(&p);
}

static void
enrol(void)
{
	struct t_proc p;
	const char *s;

	REQUIRE(mdg(T0, PW "\n", &p, "user", "totp") == 0);
	s = strstr(p.out, "otpauth://totp/");
	REQUIRE(s != NULL);
	CHECK(strstr(p.out, "\xe2\x96\x80") != NULL || strstr(p.out, "\xe2\x96\x84") != NULL ||
	    strstr(p.out, "\xe2\x96\x88") != NULL);	/* the QR in half blocks */
	s = strstr(s, "secret=");
	REQUIRE(s != NULL);
	REQUIRE(sscanf(s + 7, "%40[A-Z2-7]", secret) == 1);
	t_proc_free(&p);
}

TEST(totp_right_wrong_replayed_and_skew_against_oathtool)
{
	struct t_proc p;
	char code[7], other[7];

	init_store();
	conf("required");
	/* required: an account that has not enrolled is refused */
	CHECK_INT(login_with(T0, "123456", &p), 1);
	CHECK(strstr(p.err, "二要素認証の登録が必要です") != NULL);
	t_proc_free(&p);
	enrol();
	/* the right code */
	oath(T0, code);
	CHECK_INT(login_with(T0, code, &p), 0);
	CHECK(strstr(p.out, "intact") != NULL);
	t_proc_free(&p);
	/* the same code again: replay */
	CHECK_INT(login_with(T0 + 5, code, &p), 1);
	CHECK(strstr(p.err, "使用済み") != NULL);
	t_proc_free(&p);
	/* a wrong code */
	snprintf(other, sizeof(other), "%06d", (atoi(code) + 1) % 1000000);
	CHECK_INT(login_with(T0 + 60, other, &p), 1);
	CHECK(strstr(p.err, "確認コードが違います") != NULL);
	t_proc_free(&p);
	/* the phone one step behind, then one step ahead (clock skew) */
	oath(T0 + 300 - 30, code);
	CHECK_INT(login_with(T0 + 300, code, &p), 0);
	t_proc_free(&p);
	oath(T0 + 300 + 30, code);
	CHECK_INT(login_with(T0 + 300, code, &p), 0);
	t_proc_free(&p);
	/* two steps off is not accepted */
	oath(T0 + 600 - 60, code);
	CHECK_INT(login_with(T0 + 600, code, &p), 1);
	t_proc_free(&p);
	oath(T0 + 900 + 60, code);
	CHECK_INT(login_with(T0 + 900, code, &p), 1);
	t_proc_free(&p);
	/* no code line at all */
	CHECK_INT(mdg(T0 + 1200, PW "\n", &p, "audit", "verify"), 1);
	t_proc_free(&p);
}

TEST(totp_optional_and_off)
{
	struct t_proc p;
	char code[7];

	init_store();
	conf("optional");
	/* not enrolled: the password alone */
	CHECK_INT(mdg(T0, PW "\n", &p, "audit", "verify"), 0);
	t_proc_free(&p);
	enrol();
	/* enrolled: the code is asked for */
	CHECK_INT(mdg(T0 + 30, PW "\n", &p, "audit", "verify"), 1);
	t_proc_free(&p);
	oath(T0 + 60, code);
	CHECK_INT(login_with(T0 + 60, code, &p), 0);
	t_proc_free(&p);
	conf("off");
	CHECK_INT(mdg(T0 + 90, PW "\n", &p, "audit", "verify"), 0);
	t_proc_free(&p);
}
