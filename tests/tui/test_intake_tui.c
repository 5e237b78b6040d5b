/*
 * test_intake_tui.c — the intake flow (F4), review, corrections and 進達 end
 * to end: the sanitized madoguchi in a real terminal (tmux), a store made
 * with the store API, private test screens, and the print command pointed
 * at a file.  The identity check is the documents path of F2 (no card
 * reader needed); test_idlookup.c covers the card read itself.
 *
 * Requirements: ID-1 (save refused without the identity check), ID-2 (agent
 * without 委任状), AC-6 (menu by permission), AC-7 (self-confirmation
 * refused, another reviewer accepted), DATA-3 (a correction keeps the old
 * value), INT-7 (purpose of use before the form), INT-8 (receipt numbers,
 * status), INT-9 (transmittal list count equals the batch), LK-3 (printing
 * logged), LOG-5 (the slip holds no 12-digit number), crash safety.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core.h"
#include "harness.h"
#include "intake.h"
#include "store.h"
#include "tmux.h"
#include "tui_counter.h"
#include "visit.h"

#define ADMIN_PW "Zq#4817Lmtv"
#define CLERK_PW "Hana#7391kx"
#define REV1_PW "Kaz1#8264mq"
#define REV2_PW "Tor2#5193pw"
#define WAIT 20000

static const char screen_a[] =
	"screen tt-kodomo\n"
	"title 試験 子ども医療費申請\n"
	"procedure t-proc-a\n"
	"purpose 申請の内容は、試験用の医療費助成の審査に利用します。\n"
	"\n"
	"field name\n  label 氏名\n  type text\n  required\n  length 1 40\n  prefill person.name\n"
	"field birth\n  label 生年月日\n  type date\n  required\n  prefill person.birth\n"
	"field note\n  label 備考\n  type text\n  length 40\n";

static const char screen_b[] =
	"screen tt-henko\n"
	"title 試験 変更届\n"
	"procedure t-proc-a\n"
	"\n"
	"field name\n  label 氏名\n  type text\n  required\n  length 1 40\n  prefill person.name\n"
	"field address\n  label 住所\n  type text\n  required\n  length 1 120\n  prefill person.address\n";

static const char screen_c[] =
	"screen tt-saikofu\n"
	"title 試験 再交付申請\n"
	"procedure t-proc-a\n"
	"\n"
	"field name\n  label 氏名\n  type text\n  required\n  length 1 40\n  prefill person.name\n"
	"field reason\n  label 理由\n  type select\n  required\n  options 紛失 | 破損 | その他\n";

/* a procedure nobody here may take in: never in the menu (AC-6) */
static const char screen_x[] =
	"screen tt-forbidden\n"
	"title 試験 権限外の申請書\n"
	"procedure t-proc-x\n"
	"\n"
	"field name\n  label 氏名\n  type text\n  required\n  length 1 40\n";

static void
account(struct store *st, const char *name, const char *display, enum store_role role,
    enum store_perm p, const char *pw)
{
	struct account a;
	struct err e;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.display, sizeof(a.display), "%s", display);
	a.role = role;
	snprintf(a.perms[0].procedure, STORE_NAME_MAX, "t-proc-a");
	a.perms[0].level = p;
	a.nperms = 1;
	REQUIRE_OK(store_account_add(st, &a, pw, &e), &e);
}

static void
person(struct store *st, const char *atena, const char *name, const char *kana, int birth)
{
	struct person p;
	struct err e;

	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "%s", atena);
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.kana, sizeof(p.kana), "%s", kana);
	p.birth = birth;
	p.sex = 1;
	snprintf(p.address, sizeof(p.address), "窓口市北区青葉町1丁目2番3号");
	snprintf(p.household, sizeof(p.household), "H%s", atena);
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
}

/* The print command of the next setup(); NULL = a file (printed.txt). */
static const char *print_override;

static void
setup(void)
{
	struct store *st;
	struct err e;
	char conf[4096];

	REQUIRE_OK(store_create(t_path("store"), "admin", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	account(st, "clerk1", "窓口 花子", ROLE_CLERK, PERM_WRITE, CLERK_PW);
	account(st, "rev1", "確認 一郎", ROLE_REVIEWER, PERM_WRITE, REV1_PW);
	account(st, "rev2", "確認 二郎", ROLE_REVIEWER, PERM_READ, REV2_PW);
	person(st, "3000000001", "試験 太郎", "シケン タロウ", 20150506);
	person(st, "3000000002", "試験 次郎", "シケン ジロウ", 20170809);
	store_close(st);
	REQUIRE(mkdir(t_path("screens"), 0700) == 0);
	REQUIRE(t_write_file(t_path("screens/a.screen"), screen_a, strlen(screen_a)) == 0);
	REQUIRE(t_write_file(t_path("screens/b.screen"), screen_b, strlen(screen_b)) == 0);
	REQUIRE(t_write_file(t_path("screens/c.screen"), screen_c, strlen(screen_c)) == 0);
	REQUIRE(t_write_file(t_path("screens/x.screen"), screen_x, strlen(screen_x)) == 0);
	{
		char pc[1200];
		if (print_override != NULL)
			snprintf(pc, sizeof(pc), "%s", print_override);
		else
			snprintf(pc, sizeof(pc), "cat >> '%s'", t_path("printed.txt"));
		snprintf(conf, sizeof(conf),
		    "[terminal]\nmunicipality = 窓口市\nbranch = 北支所\nid = T009\n"
		    "[store]\ndir = %s\n"
		    "[ui]\nlog = %s\nscreens = %s\nprint_command = %s\n",
		    t_path("store"), t_path("madoguchi.log"), t_path("screens"), pc);
	}
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
}

/* ------------------------------------------------------- terminal */

static void
start(struct tmx *t)
{
	char conf[1024];
	char *argv[] = { (char *)t_bin("madoguchi"), "--config", conf, NULL };

	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
	REQUIRE(tmx_start(t, 100, 30, argv) == 0);
	REQUIRE(tmx_wait(t, "アカウントとパスワードを入力してください", WAIT));
}

/* Back to the start screen, then log out (F10 → ログアウト). */
static void
logout(struct tmx *t)
{
	for (int i = 0; i < 6; i++) {
		tmx_keys(t, "Escape", NULL);
		usleep(100000);
	}
	REQUIRE(tmx_wait(t, "メインメニュー", WAIT));
	tmx_keys(t, "F10", NULL);
	REQUIRE(tmx_wait(t, "パスワード変更", WAIT));
	tmx_keys(t, "End", "Up", "Enter", NULL);
	REQUIRE(tmx_wait(t, "ログアウトしますか", WAIT));
	tmx_keys(t, "y", NULL);
	REQUIRE(tmx_wait(t, "アカウントとパスワードを入力してください", WAIT));
}

/* F3 by 宛名番号, open the record. */
static void
open_person(struct tmx *t, const char *atena, const char *name)
{
	char title[128];

	tmx_keys(t, "F3", NULL);
	REQUIRE(tmx_wait(t, "住民の検索（F3）", WAIT));
	tmx_keys(t, "Tab", "Tab", "Tab", NULL);
	tmx_text(t, atena);
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "検索結果", WAIT));
	tmx_keys(t, "Enter", NULL);
	snprintf(title, sizeof(title), "住民記録  %s（%s）", name, atena);
	REQUIRE(tmx_wait(t, title, WAIT));
}

/* F2 from the record: the documents path, マイナンバーカード shown (ID-1). */
static void
identity_by_documents(struct tmx *t)
{
	tmx_keys(t, "F2", NULL);
	REQUIRE(tmx_wait(t, "本人確認の方法", WAIT));
	tmx_keys(t, "Down", "Down", "Enter", NULL);
	REQUIRE(tmx_wait(t, "書類による確認", WAIT));
	tmx_keys(t, "Space", "F9", NULL);
	REQUIRE(tmx_wait(t, "本人確認（書類）を記録しました", WAIT));
}

/* F4 → pick the n-th screen of the menu → purpose → form → F9 → save.
 * Returns the receipt number shown (static buffer). */
static const char *
intake_one(struct tmx *t, int n, int has_purpose)
{
	static char receipt[64];
	char *s, *p;

	REQUIRE(tmx_wait(t, "新規申請 —", WAIT));
	for (int i = 0; i < n; i++)
		tmx_keys(t, "Down", NULL);
	tmx_keys(t, "Enter", NULL);
	if (has_purpose) {
		REQUIRE(tmx_wait(t, "利用目的の説明", WAIT));
		tmx_keys(t, "y", NULL);
	}
	REQUIRE(tmx_wait(t, "F9", WAIT));
	tmx_keys(t, "F9", NULL);
	REQUIRE(tmx_wait(t, "この内容で確定しますか", WAIT));
	tmx_keys(t, "y", NULL);
	REQUIRE(tmx_wait(t, "で保存しました", WAIT));
	s = tmx_capture(t);
	p = strstr(s, "受付番号 T009-");
	REQUIRE(p != NULL);
	sscanf(p + strlen("受付番号 "), "%63s", receipt);
	free(s);
	return receipt;
}

/* ------------------------------------------------------------ store */

static struct store *
admin_store(void)
{
	struct store *st;
	struct err e;

	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	return st;
}

static int64_t
count(const char *sql)
{
	struct store *st = admin_store();
	sqlite3_stmt *q;
	int64_t n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			n = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	store_close(st);
	return n;
}

static int
digit_run(const char *s, int n)
{
	int run = 0;

	for (; *s; s++) {
		run = (*s >= '0' && *s <= '9') ? run + 1 : 0;
		if (run >= n)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ tests */

/* A complete intake: F3, F2 by documents, F4 with the purpose of use
 * (INT-7), the prefilled form, the save (INT-8) and the slip on the print
 * command (LK-3) with no 12-digit number (LOG-5).  The menu holds only the
 * procedures the clerk may take in (AC-6). */
TEST(complete_intake_prints_the_slip)
{
	struct tmx t;
	char *s, *printed, receipt[64];
	struct store *st;
	struct application_list l;
	struct application_query q;
	struct err e;

	setup();
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	open_person(&t, "3000000001", "試験 太郎");
	identity_by_documents(&t);
	tmx_keys(&t, "F4", NULL);
	REQUIRE(tmx_wait(&t, "新規申請 — 試験 太郎 さん", WAIT));
	s = tmx_capture(&t);
	CHECK(strstr(s, "試験 子ども医療費申請") != NULL);
	CHECK(strstr(s, "試験 権限外の申請書") == NULL);	/* AC-6 */
	free(s);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "申請の内容は、試験用の医療費助成の審査に利用します。", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "試験 子ども医療費申請", WAIT));
	REQUIRE(tmx_wait(&t, "試験 太郎", WAIT));		/* prefilled */
	REQUIRE(tmx_wait(&t, "2015-05-06", WAIT));
	tmx_keys(&t, "Down", "Down", NULL);
	tmx_text(&t, "窓口で受付");
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "この内容で確定しますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "受付番号 T009-", WAIT));
	s = tmx_capture(&t);
	REQUIRE(sscanf(strstr(s, "受付番号 T009-") + strlen("受付番号 "), "%63s", receipt) == 1);
	free(s);
	REQUIRE(tmx_wait(&t, "続けて入力しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "受付票を印刷しました", WAIT));
	REQUIRE(tmx_wait(&t, "もう一度印刷しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "受付は以上ですか", WAIT));
	tmx_keys(&t, "n", NULL);		/* the visit goes on */
	REQUIRE(tmx_wait(&t, "住民記録  試験 太郎", WAIT));
	tui_quit(&t);
	printed = t_read_file(t_path("printed.txt"), NULL);
	REQUIRE(printed != NULL);
	CHECK(strstr(printed, "受　付　票") != NULL);
	CHECK(strstr(printed, receipt) != NULL);
	CHECK(strstr(printed, "試験 子ども医療費申請") != NULL);
	CHECK(strstr(printed, "北支所") != NULL);
	CHECK(strstr(printed, "今後の流れ") != NULL);
	/* issue 19: who, when (和暦 and 24-hour time) and whom to ask */
	CHECK(strstr(printed, "申請者 試験 太郎 様") != NULL);
	CHECK(strstr(printed, "受付日時 令和") != NULL);
	CHECK(strstr(printed, "問い合わせ先") != NULL);
	CHECK(!digit_run(printed, 12));
	free(printed);
	st = admin_store();
	memset(&q, 0, sizeof(q));
	REQUIRE_OK(store_application_list(st, &q, &l, &e), &e);
	REQUIRE(l.n == 1);
	CHECK_STR(l.v[0].receipt_no, receipt);
	CHECK_STR(l.v[0].status, "received");
	CHECK_STR(l.v[0].entered_by, "clerk1");
	CHECK_STR(l.v[0].atena, "3000000001");
	CHECK(strstr(l.v[0].form_json, "窓口で受付") != NULL);
	application_list_free(&l);
	store_close(st);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action = 'print.receipt'"), 1);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action = 'application.save' "
	    "AND detail LIKE '%purpose-of-use acknowledged%'"), 1);
}

/* Three applications in one visit, one slip listing all three. */
TEST(three_applications_in_one_visit)
{
	struct tmx t;
	char r[3][64], *printed;

	setup();
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	open_person(&t, "3000000002", "試験 次郎");
	identity_by_documents(&t);
	tmx_keys(&t, "F4", NULL);
	snprintf(r[0], sizeof(r[0]), "%s", intake_one(&t, 0, 1));
	REQUIRE(tmx_wait(&t, "続けて入力しますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "この来庁で受付 1 件", WAIT));
	snprintf(r[1], sizeof(r[1]), "%s", intake_one(&t, 1, 0));
	REQUIRE(tmx_wait(&t, "続けて入力しますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "この来庁で受付 2 件", WAIT));
	/* the select needs a value: the form refuses F9 until it has one */
	tmx_keys(&t, "Down", "Down", "Enter", NULL);
	REQUIRE(tmx_wait(&t, "試験 再交付申請", WAIT));
	tmx_keys(&t, "Down", "Right", "F9", NULL);
	REQUIRE(tmx_wait(&t, "この内容で確定しますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "で保存しました", WAIT));
	{
		char *s = tmx_capture(&t), *p = strstr(s, "受付番号 T009-");
		REQUIRE(p != NULL);
		sscanf(p + strlen("受付番号 "), "%63s", r[2]);
		free(s);
	}
	REQUIRE(tmx_wait(&t, "続けて入力しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "もう一度印刷しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	tui_quit(&t);
	CHECK(strcmp(r[0], r[1]) != 0 && strcmp(r[1], r[2]) != 0 && strcmp(r[0], r[2]) != 0);
	printed = t_read_file(t_path("printed.txt"), NULL);
	REQUIRE(printed != NULL);
	for (int i = 0; i < 3; i++)
		CHECK(strstr(printed, r[i]) != NULL);
	CHECK(strstr(printed, "受け付けた申請・届出 3 件") != NULL);
	CHECK(!digit_run(printed, 12));
	free(printed);
	CHECK_INT(count("SELECT count(*) FROM applications WHERE atena = '3000000002'"), 3);
	CHECK_INT(count("SELECT count(DISTINCT idcheck) FROM applications"), 1);
}

/* ID-1: without the identity check F4 saves nothing and says why; a form
 * with typed values asks before it is abandoned. */
TEST(save_refused_without_identity_check)
{
	struct tmx t;

	setup();
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	open_person(&t, "3000000001", "試験 太郎");
	tmx_keys(&t, "F4", NULL);
	REQUIRE(tmx_wait(&t, "本人確認（番号確認・身元確認）の記録がありません", WAIT));
	tmx_keys(&t, "Enter", NULL);
	CHECK(tmx_wait_gone(&t, "新規申請 —", 3000));
	/* now with the check: a started form asks before it goes */
	identity_by_documents(&t);
	tmx_keys(&t, "F4", NULL);
	REQUIRE(tmx_wait(&t, "新規申請 —", WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "利用目的の説明", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "試験 子ども医療費申請", WAIT));
	tmx_keys(&t, "Down", "Down", NULL);
	tmx_text(&t, "途中まで");
	tmx_keys(&t, "Escape", NULL);
	REQUIRE(tmx_wait(&t, "入力した内容を破棄して戻りますか", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait_gone(&t, "入力した内容を破棄して戻りますか", WAIT));
	tmx_keys(&t, "Escape", NULL);
	REQUIRE(tmx_wait(&t, "入力した内容を破棄して戻りますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "新規申請 —", WAIT));
	tui_quit(&t);
	CHECK_INT(count("SELECT count(*) FROM applications"), 0);
}

/* ID-2: an agent without 委任状 is not recorded, and F4 then refuses. */
TEST(agent_without_proxy_letter_refused)
{
	struct tmx t;

	setup();
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	open_person(&t, "3000000001", "試験 太郎");
	tmx_keys(&t, "F2", NULL);
	REQUIRE(tmx_wait(&t, "本人確認の方法", WAIT));
	tmx_keys(&t, "Down", "Down", "Down", "Enter", NULL);
	REQUIRE(tmx_wait(&t, "代理人の来庁", WAIT));
	tmx_text(&t, "代理 花子");
	tmx_keys(&t, "Tab", "Tab", NULL);
	tmx_text(&t, "知人");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "委任状を確認した", WAIT));
	/* no 委任状: tick the driving licence only */
	for (int i = 0; i < 4; i++)
		tmx_keys(&t, "Down", NULL);
	tmx_keys(&t, "Space", "F9", NULL);
	REQUIRE(tmx_wait(&t, "委任状", WAIT));
	tmx_keys(&t, "Escape", NULL);
	tmx_keys(&t, "Escape", NULL);
	REQUIRE(tmx_wait(&t, "住民記録  試験 太郎", WAIT));
	tmx_keys(&t, "F4", NULL);
	REQUIRE(tmx_wait(&t, "申請の入力", WAIT));
	CHECK(tmx_wait(&t, "F2 で本人確認をしてから", WAIT));
	tmx_keys(&t, "Enter", NULL);
	tui_quit(&t);
	CHECK_INT(count("SELECT count(*) FROM applications"), 0);
}

/* AC-7: the reviewer who entered an application cannot confirm it; the
 * other reviewer can. */
TEST(self_confirmation_refused_other_reviewer_accepted)
{
	struct tmx t;
	char receipt[64];
	struct store *st;
	struct application_list l;
	struct application_query q;
	struct err e;

	setup();
	start(&t);
	tui_login(&t, "rev1", REV1_PW);
	open_person(&t, "3000000001", "試験 太郎");
	identity_by_documents(&t);
	tmx_keys(&t, "F4", NULL);
	snprintf(receipt, sizeof(receipt), "%s", intake_one(&t, 0, 1));
	REQUIRE(tmx_wait(&t, "続けて入力しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "もう一度印刷しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "受付は以上ですか", WAIT));
	tmx_keys(&t, "n", NULL);		/* the visit goes on */
	REQUIRE(tmx_wait(&t, "住民記録", WAIT));
	tmx_keys(&t, "Escape", "Escape", "Escape", NULL);
	REQUIRE(tmx_wait(&t, "メインメニュー", WAIT));
	tmx_keys(&t, "F10", NULL);
	REQUIRE(tmx_wait(&t, "申請の確認（審査）", WAIT));
	/* 申請の確認 is the first entry (issue 19: work first) */
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, receipt, WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "F9 確認", WAIT));
	tmx_keys(&t, "c", NULL);
	REQUIRE(tmx_wait(&t, "を確認済みにしますか", WAIT));	/* issue 19 */
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "自分が入力した申請は確認できません", WAIT));
	logout(&t);
	tui_login(&t, "rev2", REV2_PW);
	tmx_keys(&t, "F10", NULL);
	REQUIRE(tmx_wait(&t, "申請の確認（審査）", WAIT));
	/* 申請の確認 is the first entry (issue 19: work first) */
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, receipt, WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "F9 確認", WAIT));
	tmx_keys(&t, "c", NULL);
	REQUIRE(tmx_wait(&t, "を確認済みにしますか", WAIT));	/* issue 19 */
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "を確認しました", WAIT));
	REQUIRE(tmx_wait(&t, "確認者     rev2", WAIT));
	tui_quit(&t);
	st = admin_store();
	memset(&q, 0, sizeof(q));
	REQUIRE_OK(store_application_list(st, &q, &l, &e), &e);
	REQUIRE(l.n == 1);
	CHECK_STR(l.v[0].status, "review");
	CHECK_STR(l.v[0].confirmed_by, "rev2");
	CHECK_STR(l.v[0].entered_by, "rev1");
	application_list_free(&l);
	store_close(st);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action = 'application.confirm.refused' "
	    "AND who = 'rev1'"), 1);
}

/* DATA-3: a correction from the ledger keeps the old value, shown in the
 * application's history. */
TEST(correction_keeps_the_old_value)
{
	struct tmx t;
	char receipt[64];
	struct store *st;
	struct app_correction *c = NULL;
	struct application_list l;
	struct application_query q;
	size_t n = 0;
	struct err e;

	setup();
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	open_person(&t, "3000000001", "試験 太郎");
	identity_by_documents(&t);
	tmx_keys(&t, "F4", NULL);
	REQUIRE(tmx_wait(&t, "新規申請 —", WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "利用目的の説明", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "試験 子ども医療費申請", WAIT));
	tmx_keys(&t, "Down", "Down", NULL);
	tmx_text(&t, "最初の備考");
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "この内容で確定しますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "で保存しました", WAIT));
	{
		char *s = tmx_capture(&t), *p = strstr(s, "受付番号 T009-");
		REQUIRE(p != NULL);
		sscanf(p + strlen("受付番号 "), "%63s", receipt);
		free(s);
	}
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "もう一度印刷しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "受付は以上ですか", WAIT));
	tmx_keys(&t, "n", NULL);
	tmx_keys(&t, "Escape", "Escape", "Escape", NULL);
	REQUIRE(tmx_wait(&t, "メインメニュー", WAIT));
	/* F10 → 受付簿 → すべて → the application → e (訂正) → 備考 */
	tmx_keys(&t, "F10", NULL);
	REQUIRE(tmx_wait(&t, "受付簿", WAIT));
	for (int i = 0; i < 1; i++)
		tmx_keys(&t, "Down", NULL);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "表示する状態", WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, receipt, WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "F7 訂正", WAIT));
	tmx_keys(&t, "e", NULL);
	REQUIRE(tmx_wait(&t, "訂正する項目", WAIT));
	tmx_keys(&t, "Down", "Down", "Enter", NULL);
	REQUIRE(tmx_wait(&t, "備考（訂正後の値）", WAIT));
	tmx_keys(&t, "C-u", NULL);
	tmx_text(&t, "訂正後の備考");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "訂正の理由", WAIT));
	tmx_text(&t, "記入誤り");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "訂正しました", WAIT));
	REQUIRE(tmx_wait(&t, "最初の備考 → 訂正後の備考", WAIT));
	tui_quit(&t);
	st = admin_store();
	memset(&q, 0, sizeof(q));
	REQUIRE_OK(store_application_list(st, &q, &l, &e), &e);
	REQUIRE(l.n == 1);
	CHECK(strstr(l.v[0].form_json, "訂正後の備考") != NULL);
	REQUIRE_OK(store_correction_list(st, l.v[0].uuid, &c, &n, &e), &e);
	REQUIRE(n == 1);
	CHECK_STR(c[0].old_value, "最初の備考");
	CHECK_STR(c[0].new_value, "訂正後の備考");
	CHECK_STR(c[0].by, "clerk1");
	CHECK_STR(c[0].reason, "記入誤り");
	free(c);
	application_list_free(&l);
	store_close(st);
}

/* Three confirmed applications made through the API for speed. */
static void
three_confirmed(void)
{
	struct store *clerk, *rev;
	struct screen *s;
	struct visit v;
	struct person p;
	struct err e;

	REQUIRE_OK(store_open(t_path("store"), "clerk1", CLERK_PW, &clerk, &e), &e);
	REQUIRE_OK(store_open(t_path("store"), "rev1", REV1_PW, &rev, &e), &e);
	REQUIRE_OK(screen_parse("a.screen", screen_a, strlen(screen_a), &s, &e), &e);
	REQUIRE_OK(store_person_get(clerk, "3000000001", &p, &e), &e);
	visit_begin(&v, "clerk1");
	visit_set_person(&v, &p);
	snprintf(v.idcheck.atena, sizeof(v.idcheck.atena), "%s", p.atena);
	snprintf(v.idcheck.method, sizeof(v.idcheck.method), "documents");
	REQUIRE_OK(store_idcheck_save(clerk, &v.idcheck, &e), &e);
	v.linked = 1;
	for (int i = 0; i < 3; i++) {
		struct form *f = form_new(s);
		struct intake_result r;
		intake_prefill(f, clerk, &v, NULL);
		REQUIRE_OK(intake_save(clerk, &v, f, 1, &r, &e), &e);
		REQUIRE_OK(review_confirm(rev, r.uuid, &e), &e);
		form_free(f);
	}
	visit_end(&v);
	screen_free(s);
	store_close(clerk);
	store_close(rev);
}

/* INT-9: a 進達 batch of the confirmed applications; the printed list's
 * count equals the batch's. */
TEST(batch_list_count_matches)
{
	struct tmx t;
	char *printed, *p;
	int lines = 0;

	setup();
	three_confirmed();
	start(&t);
	tui_login(&t, "rev1", REV1_PW);
	tmx_keys(&t, "F10", NULL);
	REQUIRE(tmx_wait(&t, "進達", WAIT));
	for (int i = 0; i < 2; i++)
		tmx_keys(&t, "Down", NULL);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "進達を作成する", WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "選択 0 件 / 3 件", WAIT));
	tmx_keys(&t, "a", NULL);
	REQUIRE(tmx_wait(&t, "選択 3 件 / 3 件", WAIT));
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "送付方法", WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "袋番号", WAIT));
	tmx_text(&t, "B-07");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "3 件を搬送で進達します", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "進達書を印刷しました", WAIT));
	tui_quit(&t);
	printed = t_read_file(t_path("printed.txt"), NULL);
	REQUIRE(printed != NULL);
	CHECK(strstr(printed, "件数 3 件") != NULL);
	CHECK(strstr(printed, "搬送") != NULL);
	CHECK(strstr(printed, "B-07") != NULL);
	for (p = printed; (p = strstr(p, "試験 子ども医療費申請")) != NULL; p++)
		lines++;
	CHECK_INT(lines, 3);
	free(printed);
	CHECK_INT(count("SELECT count FROM batches"), 3);
	CHECK_INT(count("SELECT count(*) FROM batch_items"), 3);
	CHECK_INT(count("SELECT count(*) FROM applications WHERE status = 'forwarded'"), 3);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action = 'print.receipt' "
	    "AND detail LIKE 'transmittal list%'"), 1);
}

/* The pid of the program in the pane: the child of the pane's shell. */
static pid_t
program_pid(struct tmx *t)
{
	char *a[] = { "list-panes", "-t", "t", "-F", "#{pane_pid}", NULL };
	char *out = NULL, path[64], buf[512];
	pid_t shell, found = -1;
	DIR *d;
	struct dirent *de;

	if (tmx_run(t, a, &out) != 0 || out == NULL) {
		free(out);
		return -1;
	}
	shell = (pid_t)atoi(out);
	free(out);
	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && found < 0) {
		FILE *f;
		int pid = atoi(de->d_name), ppid = 0;
		char comm[64] = "";
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL)
			sscanf(buf, "%*d (%63[^)]) %*c %d", comm, &ppid);
		fclose(f);
		if (ppid == shell && strcmp(comm, "madoguchi") == 0)
			found = pid;
	}
	closedir(d);
	return found;
}

/* Crash safety: killed right after the save confirmation, the
 * application is in the store. */
TEST(killed_after_save_the_application_is_there)
{
	struct tmx t;
	char receipt[64];
	struct store *st;
	struct application a;
	struct err e;
	pid_t pid;

	setup();
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	open_person(&t, "3000000001", "試験 太郎");
	identity_by_documents(&t);
	tmx_keys(&t, "F4", NULL);
	snprintf(receipt, sizeof(receipt), "%s", intake_one(&t, 0, 1));
	pid = program_pid(&t);
	REQUIRE(pid > 0);
	REQUIRE(kill(pid, SIGKILL) == 0);
	REQUIRE(tmx_wait(&t, "[exited 137]", WAIT));
	tmx_stop(&t);
	st = admin_store();
	REQUIRE_OK(store_application_by_receipt(st, receipt, &a, &e), &e);
	CHECK_STR(a.status, "received");
	CHECK_STR(a.entered_by, "clerk1");
	application_clear(&a);
	store_close(st);
	CHECK_INT(count("SELECT count(*) FROM outbox WHERE kind = 'application'"), 1);
}

/* SC-5: the details of an application of a DV-flagged person do not show
 * the address, in the values or the corrections. */
TEST(dv_person_address_hidden_in_application_details)
{
	struct tmx t;
	struct store *st, *clerk;
	struct screen *s;
	struct visit v;
	struct person p;
	struct form *f;
	struct intake_result r;
	struct err e;
	char *cap;

	setup();
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "3000000009");
	snprintf(p.name, sizeof(p.name), "試験 支援");
	snprintf(p.kana, sizeof(p.kana), "シケン シエン");
	p.birth = 19900101;
	snprintf(p.address, sizeof(p.address), "窓口市南区秘密町9丁目9番9号");
	p.dv = 1;
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(t_path("store"), "clerk1", CLERK_PW, &clerk, &e), &e);
	REQUIRE_OK(screen_parse("b.screen", screen_b, strlen(screen_b), &s, &e), &e);
	visit_begin(&v, "clerk1");
	visit_set_person(&v, &p);
	snprintf(v.idcheck.atena, sizeof(v.idcheck.atena), "%s", p.atena);
	snprintf(v.idcheck.method, sizeof(v.idcheck.method), "documents");
	REQUIRE_OK(store_idcheck_save(clerk, &v.idcheck, &e), &e);
	v.linked = 1;
	f = form_new(s);
	intake_prefill(f, clerk, &v, NULL);
	/* issue 14 (SC-5): never prefilled; the clerk asks the resident */
	CHECK_STR(form_get(f, "address"), "（不開示）");
	REQUIRE_OK(form_set(f, "address", "窓口市南区秘密町9丁目9番9号", &e), &e);
	REQUIRE_OK(intake_save(clerk, &v, f, 1, &r, &e), &e);
	form_free(f);
	visit_end(&v);
	screen_free(s);
	store_close(clerk);
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	tmx_keys(&t, "F10", NULL);
	REQUIRE(tmx_wait(&t, "受付簿", WAIT));
	for (int i = 0; i < 1; i++)
		tmx_keys(&t, "Down", NULL);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "表示する状態", WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, r.receipt_no, WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "【閲覧制限】", WAIT));
	cap = tmx_capture(&t);
	CHECK(strstr(cap, "秘密町") == NULL);
	CHECK(strstr(cap, "（DV等支援措置のため非表示）") != NULL);
	free(cap);
	tui_quit(&t);
}

/* Without a printer (or when printing fails) the slip is shown on the
 * screen, and the failed print is an audit row (LK-3). */
TEST(no_printer_shows_the_slip_on_screen)
{
	struct tmx t;
	char receipt[64], *cap;

	print_override = "exit 3";
	setup();
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	open_person(&t, "3000000001", "試験 太郎");
	identity_by_documents(&t);
	tmx_keys(&t, "F4", NULL);
	snprintf(receipt, sizeof(receipt), "%s", intake_one(&t, 0, 1));
	REQUIRE(tmx_wait(&t, "続けて入力しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "印刷できませんでした", WAIT));
	REQUIRE(tmx_wait(&t, "受　付　票", WAIT));
	cap = tmx_capture(&t);
	CHECK(strstr(cap, receipt) != NULL);
	CHECK(!digit_run(cap, 12));
	free(cap);
	tmx_keys(&t, "Escape", NULL);
	/* issue 19: nothing was printed, so no "print again": the visit's
	 * end is offered next */
	REQUIRE(tmx_wait(&t, "受付は以上ですか", WAIT));
	cap = tmx_capture(&t);
	CHECK(strstr(cap, "もう一度印刷しますか") == NULL);
	free(cap);
	tmx_keys(&t, "n", NULL);
	tui_quit(&t);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action = 'print.failed'"), 1);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action = 'print.receipt'"), 0);
}

/* INT-8: the ledger by reception period. */
TEST(ledger_by_period)
{
	struct tmx t;
	struct date d;
	char today[16], title[64];

	setup();
	three_confirmed();
	date_today(&d);
	date_format_iso(&d, today, sizeof(today));
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	tmx_keys(&t, "F10", NULL);
	REQUIRE(tmx_wait(&t, "受付簿", WAIT));
	for (int i = 0; i < 1; i++)
		tmx_keys(&t, "Down", NULL);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "受付日の期間を指定", WAIT));
	tmx_keys(&t, "End", "Enter", NULL);
	REQUIRE(tmx_wait(&t, "開始日", WAIT));
	tmx_text(&t, "2000-01-01");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "終了日", WAIT));
	tmx_text(&t, "H12.12.31");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "受付日 20000101〜20001231", WAIT));
	REQUIRE(tmx_wait(&t, "（該当なし）", WAIT));
	tmx_keys(&t, "Escape", NULL);
	tmx_keys(&t, "F10", NULL);
	REQUIRE(tmx_wait(&t, "受付簿", WAIT));
	for (int i = 0; i < 1; i++)
		tmx_keys(&t, "Down", NULL);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "受付日の期間を指定", WAIT));
	tmx_keys(&t, "End", "Enter", NULL);
	REQUIRE(tmx_wait(&t, "開始日", WAIT));
	tmx_text(&t, today);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "終了日", WAIT));
	tmx_keys(&t, "Enter", NULL);
	snprintf(title, sizeof(title), "受付日 %04d%02d%02d〜）", d.y, d.m, d.d);
	REQUIRE(tmx_wait(&t, title, WAIT));
	REQUIRE(tmx_wait(&t, "1 / 3", WAIT));
	tui_quit(&t);
}

/* SC-1: a form's 個人番号 field prefilled from the record stays masked when
 * a clerk without the view flag moves onto it to edit (it was shown in
 * full in the edit box). */
TEST(mynumber_field_masked_while_edited_without_view_flag)
{
	static const char screen_n[] =
	    "screen tt-bango\n"
	    "title 試験 番号付きの申請\n"
	    "procedure t-proc-a\n"
	    "\n"
	    "field name\n  label 氏名\n  type text\n  required\n  length 1 40\n"
	    "  prefill person.name\n"
	    "field mynumber\n  label 個人番号\n  type mynumber\n  required\n"
	    "  prefill person.mynumber\n";
	struct store *st;
	struct tmx t;
	struct err e;
	char *s;

	setup();
	/* "0" sorts first: the first entry of the F4 menu */
	REQUIRE(t_write_file(t_path("screens/0.screen"), screen_n, strlen(screen_n)) == 0);
	st = admin_store();
	REQUIRE_OK(store_mynumber_set(st, "3000000001", "314159265352", &e), &e);
	store_close(st);
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);		/* no view flag */
	open_person(&t, "3000000001", "試験 太郎");
	identity_by_documents(&t);
	tmx_keys(&t, "F4", NULL);
	REQUIRE(tmx_wait(&t, "新規申請 — 試験 太郎 さん", WAIT));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "試験 番号付きの申請", WAIT));
	/* issue 15: the stored number is sealed to the view right, so the
	 * identity check by documents prefills nothing for this clerk; the
	 * resident gives the number and the clerk types it. */
	s = tmx_capture(&t);
	CHECK(strstr(s, "5352") == NULL);
	free(s);
	tmx_keys(&t, "Down", NULL);			/* edit the number */
	tmx_text(&t, "314159265352");
	CHECK(tmx_wait(&t, "************", WAIT));	/* masked while edited */
	s = tmx_capture(&t);
	CHECK(strstr(s, "314159265352") == NULL);
	CHECK(strstr(s, "3141 5926 5352") == NULL);
	free(s);
	tmx_keys(&t, "Up", NULL);
	CHECK(tmx_wait(&t, "**** **** 5352", WAIT));	/* not focused: masked */
	tmx_stop(&t);
}

/* Issue 14 (ID-6): F10 → 個人番号変更の確認.  Linking a changed 個人番号
 * needs a reviewer holding view-mynumber who did not ask for it: the clerk
 * is refused, a reviewer without the flag is refused, the reviewer who
 * asked is refused, another reviewer with the flag links it; the audit row
 * names both. */
TEST(mynumber_change_approval_needs_another_reviewer_with_view_flag)
{
	static const char screen_n[] =
	    "screen tt-bango\n"
	    "title 試験 番号付きの申請\n"
	    "procedure t-proc-a\n"
	    "\n"
	    "field name\n  label 氏名\n  type text\n  required\n  length 1 40\n"
	    "field mynumber\n  label 個人番号\n  type mynumber\n  required\n";
	struct store *st;
	struct application a;
	struct account ac;
	struct tmx t;
	struct err e;
	const char *who[] = { "clerk1", "rev2", "rev1" };
	const char *pw[] = { CLERK_PW, REV2_PW, REV1_PW };
	const char *want[] = { "確認者（審査）の権限", "閲覧権限がないため承認できません",
		"別の職員が確認します" };

	setup();
	REQUIRE(t_write_file(t_path("screens/0.screen"), screen_n, strlen(screen_n)) == 0);
	st = admin_store();
	/* rev1 asks for the change and holds the view flag; rev3 too */
	REQUIRE_OK(store_account_get(st, "rev1", &ac, &e), &e);
	ac.view_mynumber = 1;
	REQUIRE_OK(store_account_update(st, &ac, &e), &e);
	memset(&ac, 0, sizeof(ac));
	snprintf(ac.name, sizeof(ac.name), "rev3");
	snprintf(ac.display, sizeof(ac.display), "確認 三郎");
	ac.role = ROLE_REVIEWER;
	ac.view_mynumber = 1;
	snprintf(ac.perms[0].procedure, STORE_NAME_MAX, "t-proc-a");
	ac.perms[0].level = PERM_WRITE;
	ac.nperms = 1;
	REQUIRE_OK(store_account_add(st, &ac, REV2_PW, &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(t_path("store"), "rev1", REV1_PW, &st, &e), &e);
	memset(&a, 0, sizeof(a));
	snprintf(a.procedure, sizeof(a.procedure), "t-proc-a");
	snprintf(a.type, sizeof(a.type), "tt-bango");
	snprintf(a.atena, sizeof(a.atena), "3000000001");
	snprintf(a.entered_by, sizeof(a.entered_by), "clerk1");
	snprintf(a.status, sizeof(a.status), "received");
	a.form_json = strdup("{\"name\":\"試験 太郎\",\"mynumber\":\"314159265352\"}");
	REQUIRE(a.form_json != NULL);
	REQUIRE_OK(store_application_save(st, &a, &e), &e);
	REQUIRE_OK(store_confirm_add(st, a.uuid, "mynumber", "271828182840", "番号誤り",
	    NULL, &e), &e);
	application_clear(&a);
	store_close(st);

	start(&t);
	for (int i = 0; i < 4; i++) {
		tui_login(&t, i < 3 ? who[i] : "rev3", i < 3 ? pw[i] : REV2_PW);
		tmx_keys(&t, "F10", NULL);
		REQUIRE(tmx_wait(&t, "個人番号変更の確認", WAIT));
		tmx_keys(&t, "Down", "Down", "Down", "Down", "Enter", NULL);
		REQUIRE(tmx_wait(&t, "Enter 承認・却下", WAIT));
		tmx_keys(&t, "Enter", NULL);
		REQUIRE(tmx_wait(&t, "承認する（申請に反映）", WAIT));
		tmx_keys(&t, "Enter", NULL);
		if (i < 3) {
			if (!tmx_wait(&t, want[i], WAIT))
				t_fail_at(__FILE__, __LINE__, "%s: no refusal \"%s\"", who[i],
				    want[i]);
		} else
			CHECK(tmx_wait(&t, "変更を承認し、申請に反映しました", WAIT));
		logout(&t);
	}
	tmx_stop(&t);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE detail LIKE"
	    " '%requested_by=rev1 confirmed_by=rev3%'"), 1);
	/* linked: the correction kept (its values sealed, issue 15) */
	CHECK_INT(count("SELECT count(*) FROM application_corrections WHERE field ="
	    " 'mynumber' AND by = 'rev1' AND confirmed_by = 'rev3'"), 1);
}

/* oathtool --totp -b SECRET --now @T (Debian's oath-toolkit). */
static void
oath_code(const char *b32, long long t, char out[7])
{
	char cmd[256], line[64] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd), "oathtool --totp -b '%s' --now '@%lld'", b32, t);
	f = popen(cmd, "r");
	REQUIRE(f != NULL);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	pclose(f);
	REQUIRE(strlen(line) >= 6);
	memcpy(out, line, 6);
	out[6] = '\0';
}

static void
clock_at(long long t)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld\n", t);
	REQUIRE(t_write_file(t_path("clock"), s, strlen(s)) == 0);
}

/* Issue 14 (AC-5) on the screens: with [terminal] second_factor = required
 * an account that has not enrolled is refused after its password; an
 * enrolled one gives its code (a wrong one is refused), and F12's unlock
 * asks the code again after second_factor_relock (0 here: every time). */
TEST(second_factor_at_login_and_unlock)
{
	const long long t0 = 1796292000LL;
	char cf[8192], b32[64] = "", code[7], env[700], confp[600], dir[600], bin[600];
	char *argv[] = { bin, "--config", confp, NULL };
	struct t_proc p;
	struct tmx t;
	size_t n;
	char *c, *s;

	setup();
	/* t_bin and t_path share rotating buffers: keep copies */
	snprintf(bin, sizeof(bin), "%s", t_bin("madoguchi"));
	snprintf(confp, sizeof(confp), "%s", t_path("madoguchi.conf"));
	snprintf(dir, sizeof(dir), "%s", t_path("store"));
	c = t_read_file(confp, &n);
	REQUIRE(c != NULL);
	s = strstr(c, "[terminal]\n");
	REQUIRE(s != NULL);
	snprintf(cf, sizeof(cf), "%.*s[terminal]\nsecond_factor = required\n"
	    "second_factor_relock = 0\n%s", (int)(s - c), c, s + strlen("[terminal]\n"));
	free(c);
	REQUIRE(t_write_file(confp, cf, strlen(cf)) == 0);
	clock_at(t0);
	snprintf(env, sizeof(env), "MDG_TEST_NOW=@%s", t_path("clock"));
	{
		char *en[] = { env, NULL };
		char *a[] = { (char *)t_bin("madoguchi"), "--config", confp, "user", "totp",
			"--user", "rev1", "--password-stdin", NULL };

		REQUIRE(t_run(a, en, REV1_PW "\n", strlen(REV1_PW) + 1, 60000, &p) == 0);
		REQUIRE(p.status == 0);
		s = strstr(p.out, "secret=");
		REQUIRE(s != NULL);
		REQUIRE(sscanf(s + 7, "%40[A-Z2-7]", b32) == 1);
		t_proc_free(&p);
	}
	{
		char qenv[800] = "";

		tmx_quote(qenv, sizeof(qenv), env);
		REQUIRE(tmx_start_env(&t, 100, 30, qenv, argv) == 0);
	}
	REQUIRE(tmx_wait(&t, "アカウントとパスワードを入力してください", WAIT));
	/* not enrolled: refused after the password */
	tmx_text(&t, "clerk1");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, CLERK_PW);
	tmx_keys(&t, "Enter", NULL);
	CHECK(tmx_wait(&t, "二要素認証の登録が必要です", WAIT));
	/* enrolled: a wrong code, then the right one */
	tmx_keys(&t, "Up", NULL);
	for (int i = 0; i < 8; i++)
		tmx_keys(&t, "BSpace", NULL);
	tmx_text(&t, "rev1");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, REV1_PW);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "確認コード（6桁）", WAIT));
	oath_code(b32, t0, code);
	{
		char wrong[7];

		snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
		tmx_text(&t, wrong);
	}
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "確認コードが違います", WAIT));
	tmx_text(&t, code);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "メインメニュー", WAIT));
	/* F12, a minute later: the password, then the code again */
	clock_at(t0 + 60);
	tmx_keys(&t, "F12", NULL);
	REQUIRE(tmx_wait(&t, "画面をロックしました", WAIT));
	tmx_text(&t, REV1_PW);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "確認コード（6桁）", WAIT));
	oath_code(b32, t0 + 60, code);
	tmx_text(&t, code);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "メインメニュー", WAIT));
	tmx_stop(&t);
	CHECK(count("SELECT count(*) FROM audit WHERE action = 'login.second_factor'"
	    " AND who = 'rev1'") == 2);
	CHECK(count("SELECT count(*) FROM audit WHERE action ="
	    " 'login.second_factor_failed'") == 1);
}

/* Issue 14 (SC-5): F3 opens a DV person only after the warning, the F4
 * form shows （不開示） in place of the address (never prefilled), and the
 * 受付票 holds no address; the audit row is written after the warning. */
TEST(dv_person_warning_f3_and_no_address_in_form_or_slip)
{
	struct tmx t;
	struct store *st;
	struct person p;
	struct err e;
	char *cap, *slip;
	size_t n;

	setup();
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "3000000009");
	snprintf(p.name, sizeof(p.name), "試験 支援");
	snprintf(p.kana, sizeof(p.kana), "シケン シエン");
	p.birth = 19900101;
	snprintf(p.address, sizeof(p.address), "窓口市南区秘密町9丁目9番9号");
	p.dv = 1;
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	store_close(st);
	start(&t);
	tui_login(&t, "clerk1", CLERK_PW);
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	tmx_keys(&t, "Tab", "Tab", "Tab", NULL);
	tmx_text(&t, "3000000009");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "検索結果", WAIT));
	tmx_keys(&t, "Enter", NULL);
	/* the warning first; nothing audited as viewed before it is answered */
	REQUIRE(tmx_wait(&t, "閲覧制限の警告", WAIT));
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action = 'lookup.view.restricted'"), 0);
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "住民記録  試験 支援（3000000009）", WAIT));
	identity_by_documents(&t);
	tmx_keys(&t, "F4", NULL);
	REQUIRE(tmx_wait(&t, "新規申請 —", WAIT));
	tmx_keys(&t, "Down", "Enter", NULL);		/* b: 変更届 with the address */
	REQUIRE(tmx_wait(&t, "試験 変更届", WAIT));
	REQUIRE(tmx_wait(&t, "（不開示）", WAIT));
	cap = tmx_capture(&t);
	CHECK(strstr(cap, "秘密町") == NULL);
	free(cap);
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "この内容で確定しますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "で保存しました", WAIT));
	tui_quit(&t);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action = 'lookup.view.restricted'"), 1);
	slip = t_read_file(t_path("printed.txt"), &n);
	REQUIRE(slip != NULL);
	CHECK(strstr(slip, "秘密町") == NULL);
	CHECK(strstr(slip, "試験 変更届") != NULL || strstr(slip, "受付") != NULL);
	free(slip);
}

/* Issue 14 (DATA-5): an item a screen marks `sensitive` shows as ＊＊＊ in
 * the application details (受付簿) for an account without the right
 * sensitive:PROC, and in clear for one with it, whose view is audited. */
TEST(sensitive_item_masked_without_the_right_and_audited_with_it)
{
	static const char screen_s[] =
	    "screen tt-shindan\n"
	    "title 試験 診断のある申請\n"
	    "procedure t-proc-a\n"
	    "\n"
	    "field name\n  label 氏名\n  type text\n  required\n  length 1 40\n"
	    "field icd\n  label 主たる精神障害（ICD）\n  type text\n  sensitive\n"
	    "  length 1 20\n";
	struct store *st;
	struct application a;
	struct account ac;
	struct tmx t;
	struct err e;
	char receipt[32], *cap;
	const char *who[] = { "rev2", "rev1" };
	const char *pw[] = { REV2_PW, REV1_PW };

	setup();
	REQUIRE(t_write_file(t_path("screens/0.screen"), screen_s, strlen(screen_s)) == 0);
	st = admin_store();
	REQUIRE_OK(store_account_get(st, "rev1", &ac, &e), &e);
	ac.perms[0].sensitive = 1;
	REQUIRE_OK(store_account_update(st, &ac, &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(t_path("store"), "clerk1", CLERK_PW, &st, &e), &e);
	memset(&a, 0, sizeof(a));
	snprintf(a.procedure, sizeof(a.procedure), "t-proc-a");
	snprintf(a.type, sizeof(a.type), "tt-shindan");
	snprintf(a.atena, sizeof(a.atena), "3000000001");
	snprintf(a.entered_by, sizeof(a.entered_by), "clerk1");
	snprintf(a.status, sizeof(a.status), "received");
	a.form_json = strdup("{\"name\":\"試験 太郎\",\"icd\":\"F32.1\"}");
	REQUIRE(a.form_json != NULL);
	REQUIRE_OK(store_application_save(st, &a, &e), &e);
	snprintf(receipt, sizeof(receipt), "%s", a.receipt_no);
	application_clear(&a);
	store_close(st);
	start(&t);
	for (int i = 0; i < 2; i++) {
		tui_login(&t, who[i], pw[i]);
		tmx_keys(&t, "F10", NULL);
		REQUIRE(tmx_wait(&t, "受付簿", WAIT));
		tmx_keys(&t, "Down", "Enter", NULL);
		REQUIRE(tmx_wait(&t, "表示する状態", WAIT));
		tmx_keys(&t, "Enter", NULL);
		REQUIRE(tmx_wait(&t, receipt, WAIT));
		tmx_keys(&t, "Enter", NULL);
		REQUIRE(tmx_wait(&t, "主たる精神障害（ICD）", WAIT));
		cap = tmx_capture(&t);
		if (i == 0) {
			CHECK(strstr(cap, "F32.1") == NULL);
			CHECK(strstr(cap, "＊＊＊") != NULL);
			CHECK_INT(count("SELECT count(*) FROM audit WHERE action ="
			    " 'application.sensitive.view'"), 0);
		} else {
			CHECK(strstr(cap, "F32.1") != NULL);
		}
		free(cap);
		logout(&t);
	}
	tmx_stop(&t);
	CHECK(count("SELECT count(*) FROM audit WHERE action ="
	    " 'application.sensitive.view' AND who = 'rev1'") >= 1);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action ="
	    " 'application.sensitive.view' AND who = 'rev2'"), 0);
}
