/*
 * test_intake_cli.c — `madoguchi ledger`, `madoguchi report` and
 * `madoguchi batch` against a store prepared through the intake API:
 * the ledger with status history (INT-8), hand status changes and their
 * refusal, the 進達 transmittal list with its count (INT-9), the overdue
 * report (INT-10) and the inquiry log (INT-11); no 個人番号 in any output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core.h"
#include "harness.h"
#include "intake.h"
#include "screen.h"
#include "store.h"
#include "visit.h"

#define ADMIN_PW "Zq#4817Lmtv"
#define CLERK_PW "Hana#7391kx"
#define REV_PW "Kaz1#8264mq"
#define CLERK2_PW "Jir0#5528pw"

static const char screen_a[] =
	"screen tt-kodomo\n"
	"title 試験 子ども医療費申請\n"
	"procedure t-proc-a\n"
	"\n"
	"field name\n  label 氏名\n  type text\n  required\n  length 1 40\n  prefill person.name\n"
	"field mynumber\n  label 個人番号\n  type mynumber\n  prefill person.mynumber\n";

static char receipts[4][32];
static char uuids[4][37];
static char number[13];

static void
account_on(struct store *st, const char *name, enum store_role role, const char *pw,
    const char *proc)
{
	struct account a;
	struct err e;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.role = role;
	snprintf(a.perms[0].procedure, STORE_NAME_MAX, "%s", proc);
	a.perms[0].level = PERM_WRITE;
	a.nperms = 1;
	REQUIRE_OK(store_account_add(st, &a, pw, &e), &e);
}

static void
account(struct store *st, const char *name, enum store_role role, const char *pw)
{
	account_on(st, name, role, pw, "t-proc-a");
}

/* Four applications: 0 and 1 confirmed and forwarded in one batch, 2 old
 * and unconfirmed (overdue), 3 fresh. */
static void
setup(void)
{
	struct store *st, *clerk, *rev;
	struct screen *s;
	struct visit v;
	struct person p;
	struct batch b;
	struct inquiry q;
	const char *two[2];
	char conf[2048], sql[512];
	struct err e;

	REQUIRE_OK(store_create(t_path("store"), "admin", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_setting_set(st, "terminal.id", "T042", &e), &e);
	account(st, "clerk1", ROLE_CLERK, CLERK_PW);
	account(st, "rev1", ROLE_REVIEWER, REV_PW);
	/* a clerk of another procedure only (issue 15 B, CLI rights) */
	account_on(st, "clerk2", ROLE_CLERK, CLERK2_PW, "t-proc-b");
	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "4000000001");
	snprintf(p.name, sizeof(p.name), "試験 三郎");
	snprintf(p.kana, sizeof(p.kana), "シケン サブロウ");
	p.birth = 20100101;
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	snprintf(number, sizeof(number), "12345678901%d", mynumber_check_digit("12345678901"));
	REQUIRE_OK(store_mynumber_set(st, p.atena, number, &e), &e);
	REQUIRE_OK(store_open(t_path("store"), "clerk1", CLERK_PW, &clerk, &e), &e);
	REQUIRE_OK(store_open(t_path("store"), "rev1", REV_PW, &rev, &e), &e);
	REQUIRE_OK(screen_parse("a.screen", screen_a, strlen(screen_a), &s, &e), &e);
	visit_begin(&v, "clerk1");
	visit_set_person(&v, &p);
	snprintf(v.idcheck.atena, sizeof(v.idcheck.atena), "%s", p.atena);
	snprintf(v.idcheck.method, sizeof(v.idcheck.method), "ic-card");
	REQUIRE_OK(store_idcheck_save(clerk, &v.idcheck, &e), &e);
	v.linked = 1;
	for (int i = 0; i < 4; i++) {
		struct form *f = form_new(s);
		struct intake_result r;
		intake_prefill(f, clerk, &v, NULL);
		REQUIRE_OK(intake_save(clerk, &v, f, 1, &r, &e), &e);
		snprintf(receipts[i], sizeof(receipts[i]), "%s", r.receipt_no);
		snprintf(uuids[i], sizeof(uuids[i]), "%s", r.uuid);
		form_free(f);
	}
	REQUIRE_OK(review_confirm(rev, uuids[0], &e), &e);
	REQUIRE_OK(review_confirm(rev, uuids[1], &e), &e);
	memset(&b, 0, sizeof(b));
	snprintf(b.method, sizeof(b.method), "post");
	snprintf(b.bag, sizeof(b.bag), "封筒12");
	two[0] = uuids[0];
	two[1] = uuids[1];
	REQUIRE_OK(batch_make(rev, &b, two, 2, &e), &e);
	snprintf(sql, sizeof(sql), "UPDATE application_status SET at = "
	    "strftime('%%Y-%%m-%%dT%%H:%%M:%%S+0900', 'now', '-12 days') WHERE uuid = '%s'",
	    uuids[2]);
	REQUIRE(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
	memset(&q, 0, sizeof(q));
	snprintf(q.kind, sizeof(q.kind), "disclosure");
	snprintf(q.requester, sizeof(q.requester), "本人");
	snprintf(q.summary, sizeof(q.summary), "受給記録の開示");
	REQUIRE_OK(inquiry_receive(clerk, &q, &e), &e);
	visit_end(&v);
	screen_free(s);
	store_close(clerk);
	store_close(rev);
	store_close(st);
	snprintf(conf, sizeof(conf), "[store]\ndir = %s\n[ui]\nscreens = %s\n",
	    t_path("store"), t_path("noscreens"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
}

/* Run madoguchi with args as user (password on stdin). */
static int
run(struct t_proc *p, const char *pw, const char *const *args)
{
	char *argv[24];
	char input[64];
	int n = 0;

	argv[n++] = (char *)t_bin("madoguchi");
	argv[n++] = "--config";
	argv[n++] = (char *)t_path("madoguchi.conf");
	for (; *args != NULL && n < 22; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	snprintf(input, sizeof(input), "%s\n", pw);
	return t_run(argv, NULL, input, strlen(input), 30000, p);
}

static int
digit_run(const char *s, int n)
{
	int r = 0;

	for (; *s; s++) {
		r = (*s >= '0' && *s <= '9') ? r + 1 : 0;
		if (r >= n)
			return 1;
	}
	return 0;
}

TEST(ledger_lists_shows_and_changes_status)	/* INT-8 */
{
	struct t_proc p;
	const char *list[] = { "ledger", "--user", "clerk1", "--password-stdin", NULL };
	const char *fwd[] = { "ledger", "--status", "進達", "--user", "clerk1",
		"--password-stdin", NULL };
	const char *show[] = { "ledger", "show", receipts[0], "--user", "clerk1",
		"--password-stdin", NULL };
	const char *bad[] = { "ledger", "status", receipts[3], "decided", "--user", "clerk1",
		"--password-stdin", NULL };
	const char *ok[] = { "ledger", "status", receipts[0], "決定", "--note", "決定通知",
		"--user", "clerk1", "--password-stdin", NULL };

	setup();
	REQUIRE(run(&p, CLERK_PW, list) == 0);
	CHECK_INT(p.status, 0);
	for (int i = 0; i < 4; i++)
		CHECK(strstr(p.out, receipts[i]) != NULL);
	CHECK(strstr(p.out, "\t進達\t") != NULL);
	CHECK(strstr(p.out, "\t受付\t") != NULL);
	CHECK(!digit_run(p.out, 12));
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK_PW, fwd) == 0);
	CHECK(strstr(p.out, receipts[0]) != NULL && strstr(p.out, receipts[1]) != NULL);
	CHECK(strstr(p.out, receipts[2]) == NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK_PW, show) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "history\t") != NULL);
	CHECK(strstr(p.out, "\t確認済\trev1") != NULL);
	CHECK(strstr(p.out, "batch\tT042-B") != NULL);
	CHECK(!digit_run(p.out, 12));
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK_PW, bad) == 0);
	CHECK_INT(p.status, 1);			/* 受付 → 決定 is not a hand change */
	CHECK(strstr(p.err, "変更できません") != NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK_PW, ok) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "決定") != NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK_PW, show) == 0);
	CHECK(strstr(p.out, "\t決定\tclerk1\t決定通知") != NULL);
	t_proc_free(&p);
}

TEST(batch_show_prints_the_list_with_its_count)	/* INT-9 */
{
	struct t_proc p;
	const char *list[] = { "batch", "list", "--user", "rev1", "--password-stdin", NULL };
	char id[64] = "";
	const char *show[] = { "batch", "show", id, "--user", "rev1", "--password-stdin", NULL };
	char *l;

	setup();
	REQUIRE(run(&p, REV_PW, list) == 0);
	CHECK_INT(p.status, 0);
	REQUIRE((l = strstr(p.out, "T042-B")) != NULL);
	sscanf(l, "%63[^\t]", id);
	CHECK(strstr(p.out, "\t郵送\t封筒12\t2\t") != NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, REV_PW, show) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "件数 2 件") != NULL);
	CHECK(strstr(p.out, receipts[0]) != NULL && strstr(p.out, receipts[1]) != NULL);
	CHECK(strstr(p.out, receipts[2]) == NULL);
	CHECK(!digit_run(p.out, 12));
	t_proc_free(&p);
}

TEST(report_overdue_and_inquiries)	/* INT-10, INT-11 */
{
	struct t_proc p;
	const char *od[] = { "report", "overdue", "--user", "rev1", "--password-stdin", NULL };
	const char *od0[] = { "report", "overdue", "--days", "0", "--user", "rev1",
		"--password-stdin", NULL };
	const char *inq[] = { "report", "inquiries", "--open", "--user", "clerk1",
		"--password-stdin", NULL };
	const char *usage[] = { "report", "nothing", "--user", "rev1", "--password-stdin", NULL };

	setup();
	REQUIRE(run(&p, REV_PW, od) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, receipts[2]) != NULL);	/* 12 days, limit 7 */
	CHECK(strstr(p.out, "未進達") != NULL);
	CHECK(strstr(p.out, receipts[3]) == NULL);	/* today */
	CHECK(strstr(p.out, receipts[0]) == NULL);	/* forwarded today */
	t_proc_free(&p);
	REQUIRE(run(&p, REV_PW, od0) == 0);
	CHECK(strstr(p.out, receipts[3]) != NULL);	/* 0 days: everything waiting */
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK_PW, inq) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "T042-Q") != NULL);
	CHECK(strstr(p.out, "開示請求") != NULL);
	CHECK(strstr(p.out, "受給記録の開示") != NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, REV_PW, usage) == 0);
	CHECK_INT(p.status, 2);
	t_proc_free(&p);
}

/* Issue 15 B, AC-6: every report and list of the command line checks the
 * account's rights (src/app/rights.c), one test per command and role:
 * clerk2 may read only another procedure, clerk1 enters t-proc-a, rev1 is
 * a reviewer of t-proc-a. */
TEST(cli_rights_per_command_and_role)
{
	struct t_proc p;
	char id[64] = "";
	const char *list1[] = { "batch", "list", "--user", "clerk1", "--password-stdin", NULL };
	const char *list2[] = { "batch", "list", "--user", "clerk2", "--password-stdin", NULL };
	const char *show2[] = { "batch", "show", id, "--user", "clerk2", "--password-stdin",
		NULL };
	const char *show1[] = { "batch", "show", id, "--user", "clerk1", "--password-stdin",
		NULL };
	const char *inq1[] = { "report", "inquiries", "--user", "clerk1", "--password-stdin",
		NULL };
	const char *inq2[] = { "report", "inquiries", "--user", "clerk2", "--password-stdin",
		NULL };
	const char *inqr[] = { "report", "inquiries", "--user", "rev1", "--password-stdin",
		NULL };
	const char *od2[] = { "report", "overdue", "--days", "0", "--user", "clerk2",
		"--password-stdin", NULL };
	const char *od1[] = { "report", "overdue", "--days", "0", "--user", "clerk1",
		"--password-stdin", NULL };
	const char *led2[] = { "ledger", "--user", "clerk2", "--password-stdin", NULL };
	char *l;

	setup();
	/* batch list: clerk1 sees the t-proc-a batch, clerk2 does not */
	REQUIRE(run(&p, CLERK_PW, list1) == 0);
	CHECK_INT(p.status, 0);
	REQUIRE((l = strstr(p.out, "T042-B")) != NULL);
	sscanf(l, "%63[^\t]", id);
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK2_PW, list2) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "T042-B") == NULL);
	t_proc_free(&p);
	/* batch show: refused to clerk2, with nothing of the list printed */
	REQUIRE(run(&p, CLERK2_PW, show2) == 0);
	CHECK_INT(p.status, 1);
	CHECK(strstr(p.out, receipts[0]) == NULL && strstr(p.out, "件数") == NULL);
	CHECK(strstr(p.err, "権限") != NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK_PW, show1) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, receipts[0]) != NULL);
	t_proc_free(&p);
	/* report inquiries: the clerk who received it and a reviewer see it;
	 * another clerk does not */
	REQUIRE(run(&p, CLERK_PW, inq1) == 0);
	CHECK(strstr(p.out, "受給記録の開示") != NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, REV_PW, inqr) == 0);
	CHECK(strstr(p.out, "受給記録の開示") != NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK2_PW, inq2) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "受給記録の開示") == NULL && strstr(p.out, "T042-Q") == NULL);
	t_proc_free(&p);
	/* report overdue and the ledger: only readable procedures */
	REQUIRE(run(&p, CLERK_PW, od1) == 0);
	CHECK(strstr(p.out, receipts[3]) != NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK2_PW, od2) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "T042-") == NULL);
	t_proc_free(&p);
	REQUIRE(run(&p, CLERK2_PW, led2) == 0);
	CHECK(strstr(p.out, "T042-2") == NULL);
	t_proc_free(&p);
}
