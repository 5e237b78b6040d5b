/*
 * test_central_user.c — `madoguchi-central user add|mod|revoke|list|review|
 * history` (AC-1, AC-2, AC-3, AC-9): individual accounts only, each change
 * against a request reference and recorded, the end of the fiscal year as
 * the default end date, the annual access review, and a revocation at the
 * centre refused at a terminal after one sync (a real central on 127.0.0.1).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "harness.h"
#include "central.h"
#include "store.h"
#include "sync.h"

#define PW "Kx9#mPq2vL"
#define PW_IN PW "\n"

struct env {
	char cdir[512], tdir[512], key[65], addr[64];
	int port;
	pid_t pid;
};

/* Run madoguchi-central --store CDIR ARGS... (NULL-terminated). */
static int
cu(struct env *v, struct t_proc *p, ...)
{
	char *argv[40];
	va_list ap;
	int n = 0;

	argv[n++] = (char *)t_bin("madoguchi-central");
	argv[n++] = "--store";
	argv[n++] = v->cdir;
	va_start(ap, p);
	while (n < 39 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	REQUIRE(t_run(argv, NULL, NULL, 0, 60000, p) == 0);
	return p->status;
}

/* The same, expecting status want; returns standard output (caller frees). */
static char *
cu_out(struct env *v, int line, int want, ...)
{
	char *argv[40], *out;
	struct t_proc p;
	va_list ap;
	int n = 0;

	argv[n++] = (char *)t_bin("madoguchi-central");
	argv[n++] = "--store";
	argv[n++] = v->cdir;
	va_start(ap, want);
	while (n < 39 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	REQUIRE(t_run(argv, NULL, NULL, 0, 60000, &p) == 0);
	if (p.status != want)
		t_fail_at(__FILE__, line, "status %d, want %d: %s %s", p.status, want,
		    p.out, p.err);
	out = strdup(p.out);
	t_proc_free(&p);
	REQUIRE(out != NULL);
	return out;
}

static void
central_init_dir(struct env *v)
{
	struct t_proc p;
	const char *k;

	memset(v, 0, sizeof(*v));
	snprintf(v->cdir, sizeof(v->cdir), "%s", t_path("central"));
	snprintf(v->tdir, sizeof(v->tdir), "%s", t_path("terminal"));
	REQUIRE(cu(v, &p, "init", NULL) == 0);
	k = strstr(p.out, "central public key: ");
	REQUIRE(k != NULL);
	snprintf(v->key, sizeof(v->key), "%.64s", k + 20);
	t_proc_free(&p);
}

/* The pull-feed body of account name at the central (NULL = none). */
static char *
feed_body(struct env *v, const char *name)
{
	struct central *c;
	struct err e;
	sqlite3_stmt *st;
	char *out = NULL;

	REQUIRE_OK(central_open(v->cdir, &c, &e), &e);
	REQUIRE(sqlite3_prepare_v2(c->db, "SELECT body FROM changes WHERE kind = 4"
	    " AND key = ?", -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	central_close(c);
	return out;
}

static int
count_lines(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)) != NULL; s += strlen(needle))
		n++;
	return n;
}

TEST(user_add_mod_list_review_history)
{
	struct env v;
	struct date today;
	char fy_end[16], fy_next[16], *o, *b;

	central_init_dir(&v);
	date_today(&today);
	snprintf(fy_end, sizeof(fy_end), "%04d-03-31", date_fiscal_year(&today) + 1);
	snprintf(fy_next, sizeof(fy_next), "%04d-03-31", date_fiscal_year(&today) + 2);
	o = cu_out(&v, __LINE__, 0, "user", "add", "tanaka-h", "--display", "田中 花子",
	    "--role", "clerk", "--perm", "maru-fuku:write", "--perm", "kokuho:read",
	    "--view-mynumber", "--request", "REQ-2026-001", NULL);
	/* AC-3: no --valid-until = the end of the current fiscal year */
	CHECK(strstr(o, fy_end) != NULL);
	free(o);
	/* the same feed row `import accounts` writes (kind 4, master copy) */
	b = feed_body(&v, "tanaka-h");
	REQUIRE(b != NULL);
	CHECK(strstr(b, "\"perms\":\"maru-fuku:write;kokuho:read\"") != NULL);
	CHECK(strstr(b, "\"view_mynumber\":1") != NULL);
	CHECK(strstr(b, "\"disabled\":0") != NULL);
	free(b);
	free(cu_out(&v, __LINE__, 0, "user", "add", "sato-j", "--display", "佐藤 次郎",
	    "--role", "reviewer", "--perm", "kokuho:read", "--valid-until", fy_end,
	    "--request", "申請 12", NULL));
	/* an existing active name is not added twice */
	free(cu_out(&v, __LINE__, 1, "user", "add", "sato-j", "--display", "佐藤 次郎",
	    "--role", "clerk", "--request", "REQ-2026-003", NULL));
	/* mod: drop kokuho, grant export; renew moves to the next 31 March */
	free(cu_out(&v, __LINE__, 0, "user", "mod", "tanaka-h", "--perm", "kokuho:none",
	    "--export", "--no-view-mynumber", "--request", "REQ-2026-002", NULL));
	free(cu_out(&v, __LINE__, 0, "user", "mod", "sato-j", "--renew", "--request",
	    "REQ-2026-004", NULL));
	/* a change that changes nothing is refused, not logged */
	free(cu_out(&v, __LINE__, 1, "user", "mod", "tanaka-h", "--export", "--request",
	    "REQ-2026-005", NULL));
	/* an invalid role is refused by the import row code */
	free(cu_out(&v, __LINE__, 1, "user", "mod", "tanaka-h", "--role", "boss",
	    "--request", "REQ-2026-006", NULL));
	/* an end date in the past is refused */
	free(cu_out(&v, __LINE__, 1, "user", "mod", "tanaka-h", "--valid-until",
	    "2001-03-31", "--request", "REQ-2026-007", NULL));
	b = feed_body(&v, "tanaka-h");
	REQUIRE(b != NULL);
	CHECK(strstr(b, "\"perms\":\"maru-fuku:write\"") != NULL);
	CHECK(strstr(b, "\"export\":1") != NULL);
	CHECK(strstr(b, "\"view_mynumber\":0") != NULL);
	CHECK(strstr(b, "\"role\":\"clerk\"") != NULL);
	free(b);

	o = cu_out(&v, __LINE__, 0, "user", "list", NULL);
	CHECK(strstr(o, "tanaka-h") != NULL && strstr(o, "田中 花子") != NULL);
	CHECK(strstr(o, fy_next) != NULL);	/* sato-j renewed */
	CHECK(strstr(o, "# 2 accounts") != NULL);
	free(o);

	/* AC-9: one row per account and permission with end date and the
	 * last change (when, what, request, by whom) */
	o = cu_out(&v, __LINE__, 0, "user", "review", "--format", "csv", NULL);
	CHECK(strncmp(o, "name,display,role,status,procedure,level,", 41) == 0);
	CHECK_INT(count_lines(o, "\n"), 3);
	CHECK(strstr(o, "\"tanaka-h\",\"田中 花子\",\"clerk\",\"active\",\"maru-fuku\","
	    "\"write\",0,0,1,") != NULL);
	CHECK(strstr(o, "\"mod\",\"REQ-2026-002\"") != NULL);
	{
		char want[128];

		snprintf(want, sizeof(want), "\"sato-j\",\"佐藤 次郎\",\"reviewer\","
		    "\"active\",\"kokuho\",\"read\",0,0,0,\"%s\"", fy_next);
		CHECK(strstr(o, want) != NULL);
	}
	CHECK(strstr(o, "\"mod\",\"REQ-2026-004\"") != NULL);
	free(o);
	o = cu_out(&v, __LINE__, 0, "user", "review", NULL);
	CHECK(strstr(o, "tanaka-h\t田中 花子\tclerk\tactive\tmaru-fuku:write") != NULL);
	free(o);

	/* AC-2: every issuance and change kept with its request */
	o = cu_out(&v, __LINE__, 0, "user", "history", NULL);
	CHECK_INT(count_lines(o, "\n"), 4);
	CHECK(strstr(o, "tanaka-h\tadd\trequest=REQ-2026-001") != NULL);
	CHECK(strstr(o, "sato-j\tadd\trequest=申請 12") != NULL);
	CHECK(strstr(o, "tanaka-h\tmod\trequest=REQ-2026-002") != NULL);
	CHECK(strstr(o, "REQ-2026-005") == NULL && strstr(o, "REQ-2026-006") == NULL);
	free(o);
	o = cu_out(&v, __LINE__, 0, "user", "history", "sato-j", NULL);
	CHECK_INT(count_lines(o, "\n"), 2);
	free(o);

	/* an account from `import accounts` shows up as an import */
	{
		static const char csv[] = "name,display,role,perms,request\n"
		    "yamada-t,山田 太郎,clerk,kokuho:write,REQ-30\n";

		REQUIRE(t_write_file(t_path("acc.csv"), csv, strlen(csv)) == 0);
	}
	free(cu_out(&v, __LINE__, 0, "import", "accounts", t_path("acc.csv"), NULL));
	o = cu_out(&v, __LINE__, 0, "user", "review", "--format", "csv", NULL);
	CHECK(strstr(o, "\"yamada-t\",\"山田 太郎\",\"clerk\",\"active\",\"kokuho\","
	    "\"write\"") != NULL);
	/* issue 14: the import logged it with the row's request */
	CHECK(strstr(o, "\"import\",\"REQ-30\",\"") != NULL);
	free(o);
}

/* AC-1 and AC-2: generic or shared names and changes without a request
 * reference are refused, and leave no account and no log row. */
TEST(user_refuses_generic_names_and_missing_request)
{
	static const char *const names[] = { "admin", "Admin", "user", "guest",
		"shared", "test", "0123", "admin01", "test_user", "madoguchi-2",
		"kyoyu", "guest-3", "testuser", NULL };
	static const char *const displays[] = { "窓口", "窓口1", "窓口 ２", "共用",
		"管理者", "テスト01", "admin", "ユーザー3", NULL };
	struct env v;
	struct t_proc p;
	char *o;
	int k;

	central_init_dir(&v);
	for (k = 0; names[k] != NULL; k++) {
		CHECK_INT(cu(&v, &p, "user", "add", names[k], "--display", "山田 太郎",
		    "--role", "clerk", "--request", "REQ-1", NULL), 1);
		if (strstr(p.err, "generic") == NULL)
			t_fail_at(__FILE__, __LINE__, "%s: %s", names[k], p.err);
		t_proc_free(&p);
	}
	for (k = 0; displays[k] != NULL; k++) {
		CHECK_INT(cu(&v, &p, "user", "add", "yamada-t", "--display", displays[k],
		    "--role", "clerk", "--request", "REQ-1", NULL), 1);
		if (strstr(p.err, "generic") == NULL)
			t_fail_at(__FILE__, __LINE__, "%s: %s", displays[k], p.err);
		t_proc_free(&p);
	}
	/* no request reference, or a placeholder for one */
	CHECK_INT(cu(&v, &p, "user", "add", "yamada-t", "--display", "山田 太郎",
	    "--role", "clerk", NULL), 1);
	CHECK(strstr(p.err, "--request") != NULL);
	t_proc_free(&p);
	CHECK_INT(cu(&v, &p, "user", "add", "yamada-t", "--display", "山田 太郎",
	    "--role", "clerk", "--request", "-", NULL), 1);
	t_proc_free(&p);
	CHECK_INT(cu(&v, &p, "user", "add", "yamada-t", "--display", "山田 太郎",
	    "--role", "clerk", "--request", "", NULL), 1);
	t_proc_free(&p);
	o = cu_out(&v, __LINE__, 0, "user", "list", NULL);
	CHECK(strstr(o, "# 0 accounts") != NULL);
	free(o);
	/* individual names of people pass, mod and revoke need a request too */
	free(cu_out(&v, __LINE__, 0, "user", "add", "yamada-t", "--display", "山田 太郎",
	    "--role", "clerk", "--request", "REQ-1", NULL));
	free(cu_out(&v, __LINE__, 0, "user", "add", "madoka_s", "--display", "窓口 まどか",
	    "--role", "clerk", "--request", "REQ-2", NULL));
	free(cu_out(&v, __LINE__, 1, "user", "mod", "yamada-t", "--export", NULL));
	free(cu_out(&v, __LINE__, 1, "user", "revoke", "yamada-t", NULL));
	free(cu_out(&v, __LINE__, 1, "user", "revoke", "nobody-here", "--request",
	    "REQ-3", NULL));
	o = cu_out(&v, __LINE__, 0, "user", "history", NULL);
	CHECK_INT(count_lines(o, "\n"), 2);
	free(o);
	o = feed_body(&v, "yamada-t");
	REQUIRE(o != NULL);
	CHECK(strstr(o, "\"export\":0,") != NULL && strstr(o, "\"disabled\":0") != NULL);
	free(o);
	CHECK(feed_body(&v, "admin") == NULL);
}

/* ------------------------------------------------------ with a terminal */

static int
port_open(void *arg)
{
	struct env *v = arg;
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)v->port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static int
term_sync(struct env *v)
{
	char *argv[] = { (char *)t_bin("madoguchi"), "--store", v->tdir, "sync",
	    "--user", "admin", "--password-stdin", NULL };
	struct t_proc p;
	int st;

	REQUIRE(t_run(argv, NULL, PW_IN, strlen(PW_IN), 60000, &p) == 0);
	st = p.status;
	if (st != 0)
		t_fail_at(__FILE__, __LINE__, "sync: %s %s", p.out, p.err);
	t_proc_free(&p);
	return st;
}

/* AC-3: revoked with `user revoke` at the centre, refused at the branch
 * terminal after one sync; a permission change arrives the same way. */
TEST(user_revoke_reaches_terminal_after_one_sync)
{
	struct env v;
	struct t_proc p;
	struct store *st;
	struct account a;
	struct err e;
	char token[64], in[128];

	struct date today;
	char fy_next[16];

	date_today(&today);
	snprintf(fy_next, sizeof(fy_next), "%04d-03-31", date_fiscal_year(&today) + 2);
	central_init_dir(&v);
	v.port = t_free_port();
	snprintf(v.addr, sizeof(v.addr), "127.0.0.1:%d", v.port);
	REQUIRE(cu(&v, &p, "terminal", "enrol", "T001", "--wards", "01", NULL) == 0);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
	t_proc_free(&p);
	REQUIRE_OK(store_create(v.tdir, "admin", PW, &e), &e);
	{
		char *argv[] = { (char *)t_bin("madoguchi-central"), "--store", v.cdir,
		    "serve", "--listen", v.addr, NULL };

		v.pid = t_start(argv, NULL, t_path("central.log"));
		REQUIRE(v.pid > 0);
		REQUIRE(t_wait_for(port_open, &v, 20000));
	}
	{
		char *argv[] = { (char *)t_bin("madoguchi"), "--store", v.tdir, "enroll",
		    "--central", v.addr, "--central-key", v.key, "--user", "admin",
		    "--password-stdin", "--token-stdin", NULL };

		snprintf(in, sizeof(in), "%s%s\n", PW_IN, token);
		REQUIRE(t_run(argv, NULL, in, strlen(in), 60000, &p) == 0);
		if (p.status != 0)
			t_fail_at(__FILE__, __LINE__, "enroll: %s %s", p.out, p.err);
		t_proc_free(&p);
	}
	free(cu_out(&v, __LINE__, 0, "user", "add", "suzuki-i", "--display", "鈴木 一郎",
	    "--role", "clerk", "--perm", "maru-fuku:read", "--valid-until", fy_next,
	    "--request", "REQ-10", NULL));
	CHECK_INT(term_sync(&v), 0);
	st = NULL;
	REQUIRE_OK(store_open(v.tdir, "admin", PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "suzuki-i", &a, &e), &e);
	CHECK_STR(a.display, "鈴木 一郎");
	CHECK_INT(a.valid_until, (date_fiscal_year(&today) + 2) * 10000 + 331);
	CHECK_INT(account_perm(&a, "maru-fuku"), PERM_READ);
	CHECK_OK(store_account_set_password(st, "suzuki-i", NULL, "Tq7!wZr4pM", &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(v.tdir, "suzuki-i", "Tq7!wZr4pM", &st, &e), &e);
	store_close(st);

	/* a permission change reaches the terminal at the next sync */
	free(cu_out(&v, __LINE__, 0, "user", "mod", "suzuki-i", "--perm", "maru-fuku:write",
	    "--request", "REQ-11", NULL));
	CHECK_INT(term_sync(&v), 0);
	REQUIRE_OK(store_open(v.tdir, "admin", PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "suzuki-i", &a, &e), &e);
	CHECK_INT(account_perm(&a, "maru-fuku"), PERM_WRITE);
	store_close(st);

	/* revoked at the centre (the server keeps running: immediate) */
	free(cu_out(&v, __LINE__, 0, "user", "revoke", "suzuki-i", "--request", "REQ-12",
	    NULL));
	CHECK_INT(term_sync(&v), 0);
	CHECK_INT(store_open(v.tdir, "suzuki-i", "Tq7!wZr4pM", &st, &e), ERR_PERM);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
}

/* AC-3: an account past its end date shows as expired in the list and the
 * review, and --renew gives it until the end of the current fiscal year. */
TEST(user_expired_account_listed_and_renewed)
{
	static const char csv[] = "name,display,role,perms,valid_until,request\n"
	    "kato-m,加藤 美咲,clerk,kokuho:read,2020-03-31,REQ-19\n";
	struct env v;
	struct date today;
	char want[32], *o, *b;

	central_init_dir(&v);
	REQUIRE(t_write_file(t_path("acc.csv"), csv, strlen(csv)) == 0);
	free(cu_out(&v, __LINE__, 0, "import", "accounts", t_path("acc.csv"), NULL));
	o = cu_out(&v, __LINE__, 0, "user", "list", NULL);
	CHECK(strstr(o, "expired 2020-03-31") != NULL);
	free(o);
	o = cu_out(&v, __LINE__, 0, "user", "review", "--format", "csv", NULL);
	CHECK(strstr(o, "\"kato-m\",\"加藤 美咲\",\"clerk\",\"expired\",\"kokuho\","
	    "\"read\",0,0,0,\"2020-03-31\"") != NULL);
	free(o);
	free(cu_out(&v, __LINE__, 0, "user", "mod", "kato-m", "--renew", "--request",
	    "REQ-20", NULL));
	date_today(&today);
	snprintf(want, sizeof(want), "\"valid_until\":%d0331", date_fiscal_year(&today) + 1);
	b = feed_body(&v, "kato-m");
	REQUIRE(b != NULL);
	CHECK(strstr(b, want) != NULL);
	free(b);
	o = cu_out(&v, __LINE__, 0, "user", "list", NULL);
	CHECK(strstr(o, "active ") != NULL && strstr(o, "expired") == NULL);
	free(o);
	/* --renew and --valid-until together are refused */
	free(cu_out(&v, __LINE__, 1, "user", "mod", "kato-m", "--renew", "--valid-until",
	    "2099-03-31", "--request", "REQ-21", NULL));
}
