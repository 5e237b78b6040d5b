/*
 * test_account_rules.c — issue 14, "one rule, every path" (AC-1, AC-2,
 * AC-3): every path that creates or changes an account — `madoguchi init`,
 * `madoguchi user add`, `madoguchi user mod`, `madoguchi-central user add`,
 * `madoguchi-central user mod` and `madoguchi-central import accounts` — is
 * run with a generic or shared name, without a request reference and with
 * an end date past the next fiscal year end, and must refuse each with the
 * same reason; an individual name with a request and a near end date
 * passes on each and is in its account_log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "harness.h"
#include "store.h"

#define ADMIN_PW "Kx9#vTq2mWzr"
#define NEW_PW "Hb7$pLe4nQvs"
#define ADMIN "kanri-taro"

enum path { P_INIT, P_USER_ADD, P_USER_MOD, P_C_ADD, P_C_MOD, P_C_IMPORT,
	P_N };
static const char *const path_name[P_N] = { "madoguchi init",
	"madoguchi user add", "madoguchi user mod", "madoguchi-central user add",
	"madoguchi-central user mod", "madoguchi-central import accounts" };

/* One attempt: the account's name and display name, its request (NULL =
 * none given) and end date (NULL = none given). */
struct attempt {
	const char *name, *display, *request, *until;
	const char *want;	/* the reason's words; NULL = accepted */
};

static char far_end[16], near_end[16], fy_end[16];

static void
dates(void)
{
	struct date today;
	int fy;

	date_today(&today);
	fy = date_fiscal_year(&today);
	snprintf(fy_end, sizeof(fy_end), "%04d-03-31", fy + 1);
	snprintf(near_end, sizeof(near_end), "%04d-03-31", fy + 2);	/* the limit */
	snprintf(far_end, sizeof(far_end), "%04d-04-01", fy + 2);	/* one day past */
}

static int
run(const char *prog, const char *input, const char *const *args, struct t_proc *p)
{
	char *argv[40] = { (char *)t_bin(prog) };
	int n = 1;

	for (int i = 0; args[i] != NULL && n < 39; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	memset(p, 0, sizeof(*p));
	REQUIRE(t_run(argv, NULL, input, input ? strlen(input) : 0, 60000, p) == 0);
	return p->status;
}

/* The terminal store and the central the change paths work on. */
static void
setup(const char *tdir, const char *cdir)
{
	const char *a[] = { "init", "--store", tdir, "--admin", ADMIN, "--request",
		"REQ-0", "--password-stdin", NULL };
	const char *c[] = { "--store", cdir, "init", NULL };
	const char *u[] = { "--store", tdir, "user", "add", "sato-hanako", "--request",
		"REQ-0", "--user", ADMIN, "--password-stdin", NULL };
	const char *cu[] = { "--store", cdir, "user", "add", "sato-hanako",
		"--display", "佐藤 花子", "--role", "clerk", "--request", "REQ-0", NULL };
	struct t_proc p;

	REQUIRE(run("madoguchi", ADMIN_PW "\n", a, &p) == 0);
	t_proc_free(&p);
	REQUIRE(run("madoguchi", ADMIN_PW "\n" NEW_PW "\n", u, &p) == 0);
	t_proc_free(&p);
	REQUIRE(run("madoguchi-central", NULL, c, &p) == 0);
	t_proc_free(&p);
	REQUIRE(run("madoguchi-central", NULL, cu, &p) == 0);
	t_proc_free(&p);
}

/* Run attempt t on path k; status and stderr in p. */
static int
attempt_run(enum path k, const struct attempt *t, const char *tdir,
    const char *cdir, int n, struct t_proc *p)
{
	const char *a[40];
	char dir[600], csv[1024], file[600];
	int i = 0;

	switch (k) {
	case P_INIT:
		snprintf(dir, sizeof(dir), "%s/init-%d", t_tmpdir(), n);
		a[i++] = "init";
		a[i++] = "--store";
		a[i++] = dir;
		a[i++] = "--admin";
		a[i++] = t->name;
		if (t->display != NULL) {
			a[i++] = "--display";
			a[i++] = t->display;
		}
		break;
	case P_USER_ADD:
	case P_USER_MOD:
		a[i++] = "--store";
		a[i++] = tdir;
		a[i++] = "user";
		a[i++] = k == P_USER_ADD ? "add" : "mod";
		a[i++] = k == P_USER_ADD ? t->name : "sato-hanako";
		a[i++] = "--user";
		a[i++] = ADMIN;
		if (t->display != NULL) {
			a[i++] = "--display";
			a[i++] = t->display;
		}
		break;
	case P_C_ADD:
	case P_C_MOD:
		a[i++] = "--store";
		a[i++] = cdir;
		a[i++] = "user";
		a[i++] = k == P_C_ADD ? "add" : "mod";
		a[i++] = k == P_C_ADD ? t->name : "sato-hanako";
		a[i++] = "--display";
		a[i++] = t->display != NULL ? t->display : "山田 一郎";
		if (k == P_C_ADD) {
			a[i++] = "--role";
			a[i++] = "clerk";
		}
		break;
	case P_C_IMPORT:
		snprintf(file, sizeof(file), "%s/acc-%d.csv", t_tmpdir(), n);
		snprintf(csv, sizeof(csv), "name,display,role,valid_until,request\n"
		    "%s,%s,clerk,%s,%s\n", t->name, t->display != NULL ? t->display :
		    "山田 一郎", t->until != NULL ? t->until : "",
		    t->request != NULL ? t->request : "");
		REQUIRE(t_write_file(file, csv, strlen(csv)) == 0);
		a[i++] = "--store";
		a[i++] = cdir;
		a[i++] = "import";
		a[i++] = "accounts";
		a[i++] = file;
		a[i] = NULL;
		return run("madoguchi-central", NULL, a, p);
	default:
		return -1;
	}
	if (t->request != NULL) {
		a[i++] = "--request";
		a[i++] = t->request;
	}
	if (t->until != NULL) {
		a[i++] = "--valid-until";
		a[i++] = t->until;
	}
	if (k == P_C_ADD || k == P_C_MOD) {
		a[i] = NULL;
		return run("madoguchi-central", NULL, a, p);
	}
	a[i++] = "--password-stdin";
	a[i] = NULL;
	return run("madoguchi", k == P_INIT ? NEW_PW "\n" :
	    k == P_USER_ADD ? ADMIN_PW "\n" NEW_PW "\n" : ADMIN_PW "\n", a, p);
}

TEST(every_account_path_refuses_alike)
{
	/* name: for mod paths the display name carries the generic word */
	struct attempt refused[] = {
		{ "kyoyu01", "山田 一郎", "REQ-1", NULL, "is generic or shared" },
		{ "admin", NULL, "REQ-1", NULL, "is generic or shared" },
		{ "Madoguchi-2", "山田 一郎", "REQ-1", NULL, "is generic or shared" },
		{ "shokuin", "山田 一郎", "REQ-1", NULL, "is generic or shared" },
		{ "yamada-ichiro", "窓口1", "REQ-1", NULL, "is generic or shared" },
		{ "yamada-ichiro", "共用 ２", "REQ-1", NULL, "is generic or shared" },
		{ "yamada-ichiro", "管理者", "REQ-1", NULL, "is generic or shared" },
		{ "yamada-ichiro", "山田 一郎", NULL, NULL, "request reference" },
		{ "yamada-ichiro", "山田 一郎", "", NULL, "request reference" },
		{ "yamada-ichiro", "山田 一郎", "なし", NULL, "request reference" },
		{ "yamada-ichiro", "山田 一郎", "REQ-1", far_end,
		    "later than the end of the next fiscal year" },
		{ "yamada-ichiro", "山田 一郎", "REQ-1", "2099-03-31",
		    "later than the end of the next fiscal year" },
	};
	char tdir[600], cdir[600];
	struct t_proc p;
	int n = 0;

	dates();
	snprintf(tdir, sizeof(tdir), "%s", t_path("term"));
	snprintf(cdir, sizeof(cdir), "%s", t_path("central"));
	setup(tdir, cdir);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		for (int k = 0; k < P_N; k++) {
			int st;

			/* a mod does not change the login name: the rows of
			 * a generic login name are for the adding paths */
			if ((k == P_USER_MOD || k == P_C_MOD) &&
			    strcmp(refused[i].name, "yamada-ichiro") != 0)
				continue;
			st = attempt_run((enum path)k, &refused[i], tdir, cdir, n++, &p);
			if (st == 0 || strstr(p.err, refused[i].want) == NULL)
				t_fail_at(__FILE__, __LINE__, "%s with name \"%s\" display \"%s\""
				    " request \"%s\" until %s: status %d, want the refusal \"%s\":"
				    " %s", path_name[k], refused[i].name,
				    refused[i].display ? refused[i].display : "-",
				    refused[i].request ? refused[i].request : "(none)",
				    refused[i].until ? refused[i].until : "-", st,
				    refused[i].want, p.err);
			t_proc_free(&p);
		}
	}
}

static int
has_line(const char *out, const char *a, const char *b)
{
	const char *l = out;

	while (l != NULL && *l != '\0') {
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l) : strlen(l);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)n, l);
		if (strstr(line, a) != NULL && strstr(line, b) != NULL)
			return 1;
		l = end ? end + 1 : NULL;
	}
	return 0;
}

/* The same paths accept an individual account with a request and an end
 * date up to the end of the next fiscal year, default the end date to the
 * end of this one, and keep an account_log row naming the request. */
TEST(every_account_path_accepts_and_logs)
{
	char tdir[600], cdir[600], want[64];
	struct attempt ok[P_N] = {
		{ "yamada-ichiro", "山田 一郎", "REQ-11", NULL, NULL },
		{ "suzuki-jiro", "鈴木 次郎", "REQ-12", NULL, NULL },
		{ "sato-hanako", "佐藤 花子", "REQ-13", NULL, NULL },
		{ "kato-saburo", "加藤 三郎", "REQ-14", NULL, NULL },
		{ "sato-hanako", "佐藤 花子", "REQ-15", NULL, NULL },
		{ "ito-shiro", "伊藤 四郎", "REQ-16", NULL, NULL },
	};
	const char *tlog[] = { "--store", NULL, "user", "log", "--user", ADMIN,
		"--password-stdin", NULL };
	const char *clog[] = { "--store", NULL, "user", "history", NULL };
	const char *clist[] = { "--store", NULL, "user", "list", NULL };
	struct t_proc p;
	int k;

	dates();
	ok[P_INIT].until = near_end;
	ok[P_USER_MOD].until = near_end;
	ok[P_C_MOD].until = near_end;
	snprintf(tdir, sizeof(tdir), "%s", t_path("term"));
	snprintf(cdir, sizeof(cdir), "%s", t_path("central"));
	setup(tdir, cdir);
	for (k = 0; k < P_N; k++) {
		if (attempt_run((enum path)k, &ok[k], tdir, cdir, k, &p) != 0)
			t_fail_at(__FILE__, __LINE__, "%s refused an individual account:"
			    " %s %s", path_name[k], p.out, p.err);
		t_proc_free(&p);
	}
	/* the terminal's account_log */
	tlog[1] = tdir;
	REQUIRE(run("madoguchi", ADMIN_PW "\n", tlog, &p) == 0);
	CHECK(has_line(p.out, "\tsuzuki-jiro\tadd\t", "request=REQ-12\tby=" ADMIN));
	CHECK(has_line(p.out, "\tsato-hanako\tmod\t", "request=REQ-13\tby=" ADMIN));
	CHECK(has_line(p.out, "\t" ADMIN "\tinit\t", "request=REQ-0"));
	/* AC-3: no end date given = the fiscal year end */
	snprintf(want, sizeof(want), "valid until %.4s%.2s%.2s", fy_end, fy_end + 5,
	    fy_end + 8);
	CHECK(has_line(p.out, "\tsuzuki-jiro\tadd\t", want));
	snprintf(want, sizeof(want), "valid until %.4s%.2s%.2s", near_end, near_end + 5,
	    near_end + 8);
	CHECK(has_line(p.out, "\tsato-hanako\tmod\t", want));
	t_proc_free(&p);
	/* the first administrator made by init has its end date too */
	{
		char d[600];
		const char *l[] = { "--store", d, "user", "list", "--user", "yamada-ichiro",
			"--password-stdin", NULL };

		snprintf(d, sizeof(d), "%s/init-0", t_tmpdir());
		REQUIRE(run("madoguchi", NEW_PW "\n", l, &p) == 0);
		snprintf(want, sizeof(want), "%.4s%.2s%.2s", near_end, near_end + 5,
		    near_end + 8);
		CHECK(has_line(p.out, "yamada-ichiro", want));
		t_proc_free(&p);
	}
	/* the central's account_log: the user commands and the import */
	clog[1] = cdir;
	REQUIRE(run("madoguchi-central", NULL, clog, &p) == 0);
	CHECK(has_line(p.out, "\tkato-saburo\tadd\t", "request=REQ-14"));
	CHECK(has_line(p.out, "\tsato-hanako\tmod\t", "request=REQ-15"));
	CHECK(has_line(p.out, "\tito-shiro\timport\t", "request=REQ-16"));
	t_proc_free(&p);
	clist[1] = cdir;
	REQUIRE(run("madoguchi-central", NULL, clist, &p) == 0);
	CHECK(has_line(p.out, "ito-shiro", fy_end));
	CHECK(has_line(p.out, "kato-saburo", fy_end));
	CHECK(has_line(p.out, "sato-hanako", near_end));
	t_proc_free(&p);
}

/* AC-4: [store] password_max_age forces a change at login: the command
 * line refuses until `madoguchi user passwd`, which then lets it in. */
TEST(password_max_age_forces_a_change)
{
	char tdir[600], conf[600], cf[700];
	const char *verify[] = { "--config", conf, "--store", NULL, "audit", "verify",
		"--user", ADMIN, "--password-stdin", NULL };
	const char *passwd[] = { "--config", conf, "--store", NULL, "user", "passwd",
		ADMIN, "--user", ADMIN, "--password-stdin", NULL };
	struct store *st;
	struct err e;
	struct t_proc p;

	dates();
	snprintf(tdir, sizeof(tdir), "%s", t_path("term"));
	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
	verify[3] = passwd[3] = tdir;
	{
		const char *a[] = { "init", "--store", tdir, "--admin", ADMIN, "--request",
			"REQ-0", "--password-stdin", NULL };

		REQUIRE(run("madoguchi", ADMIN_PW "\n", a, &p) == 0);
		t_proc_free(&p);
	}
	snprintf(cf, sizeof(cf), "[store]\npassword_max_age = 90\n");
	REQUIRE(t_write_file(conf, cf, strlen(cf)) == 0);
	/* a fresh password passes */
	CHECK_INT(run("madoguchi", ADMIN_PW "\n", verify, &p), 0);
	t_proc_free(&p);
	/* set 91 days ago */
	REQUIRE_OK(store_open(tdir, ADMIN, ADMIN_PW, &st, &e), &e);
	{
		struct date d;
		char sql[200];

		date_today(&d);
		date_from_days(date_to_days(&d) - 91, &d);
		snprintf(sql, sizeof(sql), "UPDATE accounts SET password_changed_at ="
		    " '%04d-%02d-%02dT09:00:00+0900' WHERE name = '" ADMIN "'", d.y, d.m, d.d);
		REQUIRE(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
	}
	store_close(st);
	CHECK_INT(run("madoguchi", ADMIN_PW "\n", verify, &p), 1);
	CHECK(strstr(p.err, "パスワードの有効期限が切れています") != NULL);
	CHECK(strstr(p.err, ADMIN_PW) == NULL);
	t_proc_free(&p);
	CHECK_INT(run("madoguchi", ADMIN_PW "\n" NEW_PW "\n", passwd, &p), 0);
	t_proc_free(&p);
	CHECK_INT(run("madoguchi", NEW_PW "\n", verify, &p), 0);
	t_proc_free(&p);
}
