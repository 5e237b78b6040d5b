/*
 * test_idlookup.c — the identity check (F2) and the lookup (F3) end to end:
 * the sanitized madoguchi in a real terminal (tmux), a private pcscd with
 * mynacard-sim holding the demo cards (data/cards, generated from the
 * synthetic residents of seed 1 = `madoguchi demo-data`), and a store made
 * with the store API holding those residents.
 *
 * Requirements: ID-1 (the identity-check record), ID-3/ID-6 (no match and
 * number mismatch link nothing), SC-1 (no 個人番号 on result lists, masked
 * unless permitted), SC-4 (record beside card), SC-5 (DV warning, address
 * hidden, access logged), AC-6 (number search permission), LOG-1 (audit
 * rows), LOG-3 (`madoguchi audit person`), PIN safety (one try left).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "card.h"
#include "core.h"
#include "harness.h"
#include "sim.h"
#include "pcsc_rig.h"
#include "store.h"
#include "tmux.h"
#include "tui_counter.h"

#define ADMIN_PW "Zq#4817Lmtv"
#define CLERK1_PW "Hana#7391kx"
#define CLERK2_PW "Jiro#5274qz"
#define WAIT 20000
#define NRES 1000

/* ------------------------------------------------ pcscd + simulator */

/* struct tui_rig and its functions: tests/lib/tui_counter.h */

/* ------------------------------------------------------------ store */

static void
perms(struct account *a, enum store_perm kokuho, enum store_perm kodomo)
{
	a->nperms = 0;
	snprintf(a->perms[a->nperms].procedure, STORE_NAME_MAX, "kokuho");
	a->perms[a->nperms++].level = kokuho;
	snprintf(a->perms[a->nperms].procedure, STORE_NAME_MAX, "kodomo-iryo");
	a->perms[a->nperms++].level = kodomo;
	snprintf(a->perms[a->nperms].procedure, STORE_NAME_MAX, "koreiki-iko");
	a->perms[a->nperms++].level = kodomo;
}

/* admin: every flag; clerk1 (窓口 花子): no 個人番号 view or search,
 * 国保 write, others read-only; clerk2 (窓口 次郎): view and search.
 * The residents are the demo data set (seed 1). */
static void
setup(void)
{
	struct store *st;
	struct account a;
	struct err e;
	char conf[2048];

	REQUIRE_OK(store_create(t_path("store"), "admin", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "admin", &a, &e), &e);
	snprintf(a.display, sizeof(a.display), "管理 太郎");
	perms(&a, PERM_WRITE, PERM_WRITE);
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "clerk1");
	snprintf(a.display, sizeof(a.display), "窓口 花子");
	a.role = ROLE_CLERK;
	perms(&a, PERM_WRITE, PERM_READ);
	REQUIRE_OK(store_account_add(st, &a, CLERK1_PW, &e), &e);
	snprintf(a.name, sizeof(a.name), "clerk2");
	snprintf(a.display, sizeof(a.display), "窓口 次郎");
	a.view_mynumber = a.search_mynumber = 1;
	REQUIRE_OK(store_account_add(st, &a, CLERK2_PW, &e), &e);
	/* viewer (参照 一郎): 参照のみ on every procedure */
	snprintf(a.name, sizeof(a.name), "viewer");
	snprintf(a.display, sizeof(a.display), "参照 一郎");
	a.view_mynumber = a.search_mynumber = 0;
	perms(&a, PERM_READ, PERM_READ);
	REQUIRE_OK(store_account_add(st, &a, CLERK1_PW, &e), &e);
	REQUIRE_OK(store_synth_load(st, 1, NRES, &e), &e);
	store_close(st);
	snprintf(conf, sizeof(conf),
	    "[terminal]\nmunicipality = 窓口市\nbranch = 北支所\nid = T001\n"
	    "[store]\ndir = %s\n"
	    "[ui]\nlog = %s\n",
	    t_path("store"), t_path("madoguchi.log"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
}

/* The first resident of the demo data with the DV flag. */
static void
dv_resident(struct synth_resident *out)
{
	struct synth *g = synth_new(1);

	REQUIRE(g != NULL);
	for (int i = 0; i < NRES; i++) {
		synth_next(g, out);
		if (out->p.dv) {
			synth_free(g);
			return;
		}
	}
	synth_free(g);
	t_skip("no DV resident among the first %d", NRES);
}

/* --------------------------------------------------------- terminal */

static void
start(struct tmx *t, struct tui_rig *r)
{
	char conf[1024], env[800];
	char *argv[] = { (char *)t_bin("madoguchi"), "--config", conf, NULL };

	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
	env[0] = '\0';
	if (r != NULL)
		tmx_quote(env, sizeof(env), r->env);
	/* a tmux server just killed (second session of a test) may still be
	 * going away: try again shortly */
	for (int i = 0; tmx_start_env(t, 100, 30, env, argv) != 0; i++) {
		REQUIRE(i < 5);
		usleep(400000);
	}
	REQUIRE(tmx_wait(t, "アカウントとパスワードを入力してください", WAIT));
}

/* A run of n or more ASCII digits in s. */
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

/* SC-1: every result list shown is captured and checked here: no
 * 12-digit number on it.  Returns the capture (malloc'd). */
static char *
result_list(struct tmx *t)
{
	char *s;

	REQUIRE(tmx_wait(t, "検索結果", WAIT));
	s = tmx_capture(t);
	if (digit_run(s, 12)) {
		tmx_dump(t, "a result list shows a 12-digit number (SC-1)");
		CHECK(!digit_run(s, 12));
	}
	return s;
}

/* Home → F2 → the method (0 PIN, 1 照合番号B, 2 documents, 3 agent). */
static void
f2_method(struct tmx *t, int m)
{
	tmx_keys(t, "F2", NULL);
	REQUIRE(tmx_wait(t, "本人確認の方法", WAIT));
	for (int i = 0; i < m; i++)
		tmx_keys(t, "Down", NULL);
	tmx_keys(t, "Enter", NULL);
}

static void
type_pin(struct tmx *t, const char *pin)
{
	REQUIRE(tmx_wait(t, "暗証番号で読取", WAIT));
	REQUIRE(tmx_wait(t, "残り回数: ", WAIT));
	tmx_text(t, pin);
	tmx_keys(t, "Enter", NULL);
}

/* Audit rows with this action (and person, and detail containing has). */
static int
audit_count(const char *action, const char *person, const char *has)
{
	struct store *st;
	struct audit_row *v = NULL;
	struct err e;
	size_t n = 0;
	int c = 0;

	if (store_open(t_path("store"), "admin", ADMIN_PW, &st, &e) != 0)
		return -1;
	if (store_audit_list(st, 0, 100000, &v, &n, &e) == 0)
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].action, action) == 0 &&
			    (person == NULL || strcmp(v[i].person, person) == 0) &&
			    (has == NULL || strstr(v[i].detail, has) != NULL))
				c++;
	free(v);
	store_close(st);
	return c;
}

/* Identity-check records of a person. */
static int
idcheck_count(const char *atena)
{
	struct store *st;
	struct err e;
	sqlite3_stmt *q;
	int c = -1;

	if (store_open(t_path("store"), "admin", ADMIN_PW, &st, &e) != 0)
		return -1;
	if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM idchecks WHERE atena = ?",
	    -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, atena, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			c = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	store_close(st);
	return c;
}

/* A line of text holding both a and b. */
static int
line_has(const char *text, const char *a, const char *b)
{
	for (const char *l = text; l != NULL && *l; ) {
		const char *eol = strchr(l, '\n');
		size_t n = eol ? (size_t)(eol - l) : strlen(l);
		char *line = strndup(l, n);
		int ok = line != NULL && strstr(line, a) != NULL && strstr(line, b) != NULL;
		free(line);
		if (ok)
			return 1;
		l = eol ? eol + 1 : NULL;
	}
	return 0;
}

/* ------------------------------------------------------------ tests */

TEST(pin_read_finds_shows_and_records_the_right_resident)	/* ID-1, ID-5, SC-4, LOG-1 */
{
	struct tmx t;
	struct tui_rig r;
	char *s;

	setup();
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "demo-1");		/* 遠藤 和子, resident 1000000001 */
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	/* the status line shows the card (the shell's wording may space it) */
	REQUIRE(tmx_wait(&t, "あり", WAIT));
	s = tmx_capture(&t);
	CHECK(strstr(s, "カード:あり") != NULL || strstr(s, "カード: あり") != NULL);
	free(s);
	f2_method(&t, 0);
	REQUIRE(tmx_wait(&t, "残り回数: 3回", WAIT));
	/* a wrong PIN first: refused, one try fewer, shown */
	type_pin(&t, "9999");
	REQUIRE(tmx_wait(&t, "残り回数: 2回", WAIT));
	type_pin(&t, "1234");
	REQUIRE(tmx_wait(&t, "住民記録と一致しました（宛名番号 1000000001）", WAIT));
	s = tmx_capture(&t);
	CHECK(strstr(s, "遠藤 和子") != NULL);
	CHECK(strstr(s, "窓口市東区東山1丁目3番8号") != NULL);
	CHECK(strstr(s, "S20.8.28（1945年）") != NULL);	/* no ISO (issue 19) */
	CHECK(strstr(s, "基本4情報: 一致") != NULL);
	CHECK(strstr(s, "≠") == NULL);		/* nothing differs */
	/* SC-1: clerk1 may not view the number: masked on card and record */
	CHECK(strstr(s, "**** **** 3287") != NULL);
	CHECK(!digit_run(s, 12));
	CHECK(strstr(s, "1234") == NULL && strstr(s, "9999") == NULL);	/* no PIN */
	free(s);
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "追加の書類", WAIT));
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "本人確認を記録しました", WAIT));
	REQUIRE(tmx_wait(&t, "住民記録  遠藤 和子（1000000001）", WAIT));
	CHECK(tmx_wait(&t, "本人確認  済み  カード読取（暗証番号）", WAIT));
	tui_quit(&t);
	tui_rig_down(&r);
	/* LOG-1: the read, the record and the opening are audit rows */
	CHECK_INT(audit_count("idcheck.failed", NULL, "PIN refused by the card, tries left 2"), 1);
	CHECK_INT(audit_count("idcheck.read", "1000000001", "unlock=PIN digest number=ok basic4=ok"), 1);
	CHECK_INT(audit_count("idcheck.save", "1000000001", "method=ic-card documents=ic-pin"), 1);
	CHECK_INT(audit_count("lookup.view", "1000000001", NULL), 1);
	CHECK_INT(idcheck_count("1000000001"), 1);
	/* LOG-5: neither the PIN nor the full number reached the log files */
	CHECK(t_dir_contains(t_tmpdir(), "401682033287", 12) == NULL);
}

TEST(b_number_read_finds_the_resident)		/* ID-1, ID-5 */
{
	struct tmx t;
	struct tui_rig r;

	setup();
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "demo-5");		/* 前田 勇気, B as printed: S32.5.30 2034 1234 */
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	f2_method(&t, 1);
	REQUIRE(tmx_wait(&t, "照合番号Bで読取", WAIT));
	REQUIRE(tmx_wait(&t, "残り回数: 10回", WAIT));
	tmx_text(&t, "S32.5.30");	/* 和暦 as printed: era year 32, not 57 */
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "2034");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "1234");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "住民記録と一致しました（宛名番号 1000000005）", WAIT));
	CHECK(tmx_wait(&t, "券面事項入力補助AP（照合番号B）", WAIT));
	CHECK(tmx_wait(&t, "前田 勇気", WAIT));
	tui_quit(&t);
	tui_rig_down(&r);
	CHECK_INT(audit_count("idcheck.read", "1000000005", "unlock=B"), 1);
}

/* Issue 11: with the issuer key installed the screen says 検証済み and the
 * chip 真正; a cloned chip says so and cannot complete the check. */
TEST(card_verdicts_on_the_identity_screen)		/* ID-1, ID-3 */
{
	struct tmx t;
	struct tui_rig r;
	char line[2200], dir[1100], conf[3000], *old;
	struct err e;

	setup();
	snprintf(dir, sizeof(dir), "%s/data/cards/keys", t_srcdir());
	REQUIRE_OK(sim_trust_anchor(dir, line, sizeof(line), &e), &e);
	REQUIRE(t_write_file(t_path("anchors"), line, strlen(line)) == 0);
	old = t_read_file(t_path("madoguchi.conf"), NULL);
	REQUIRE(old != NULL);
	snprintf(conf, sizeof(conf), "%s[card]\ntrust_anchors = %s\n", old, t_path("anchors"));
	free(old);
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "demo-1");
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	f2_method(&t, 0);
	type_pin(&t, "1234");
	REQUIRE(tmx_wait(&t, "住民記録と一致しました（宛名番号 1000000001）", WAIT));
	CHECK(tmx_wait(&t, "真正性 検証済み", WAIT));
	CHECK(tmx_wait(&t, "チップ 真正", WAIT));
	tmx_keys(&t, "Escape", NULL);
	usleep(300000);
	tmx_keys(&t, "Escape", NULL);
	tui_rig_card(&r, "--clone", "demo-1");
	REQUIRE(tmx_wait(&t, "メインメニュー", WAIT));
	f2_method(&t, 0);
	type_pin(&t, "1234");
	REQUIRE(tmx_wait(&t, "住民記録と一致しました（宛名番号 1000000001）", WAIT));
	CHECK(tmx_wait(&t, "チップ 不一致（複製の疑い）", WAIT));
	CHECK(tmx_wait(&t, "このカードでは本人確認を完了できません", WAIT));
	tmx_keys(&t, "F9", NULL);
	CHECK(tmx_wait(&t, "書類で確認してください", WAIT));
	tui_quit(&t);
	tui_rig_down(&r);
	CHECK_INT(audit_count("idcheck.refused", "1000000001", "chip failed"), 1);
}

TEST(card_with_a_new_address_shows_the_difference)	/* ID-3, SC-4 */
{
	struct tmx t;
	struct tui_rig r;
	char *s;

	setup();
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "other-moved");	/* resident 4, address changed */
	start(&t, &r);
	tui_login(&t, "clerk2", CLERK2_PW);
	f2_method(&t, 0);
	type_pin(&t, "1234");
	REQUIRE(tmx_wait(&t, "相違があります（≠）", WAIT));
	s = tmx_capture(&t);
	/* the address line is marked, the name and birth lines are not */
	CHECK(line_has(s, "住所", "≠"));
	CHECK(line_has(s, "住所", "駅前5丁目1番1号"));
	CHECK(line_has(s, "氏名", "宮崎 清"));
	CHECK(!line_has(s, "氏名", "≠"));
	CHECK(!line_has(s, "生年月日", "≠"));
	CHECK(strstr(s, "窓口市中央区駅前5丁目1番1号 駅前ハイツ201") != NULL);
	/* clerk2 may view the number: shown in full on this screen */
	CHECK(strstr(s, "492919070293") != NULL);
	free(s);
	tui_quit(&t);
	tui_rig_down(&r);
	CHECK_INT(audit_count("idcheck.read", "1000000004", "diff=address"), 1);
	CHECK_INT(audit_count("mynumber.view", "1000000004", NULL), 1);
}

TEST(card_with_no_matching_resident_links_nothing)	/* ID-3 */
{
	struct tmx t;
	struct tui_rig r;

	setup();
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "other-unregistered");
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	f2_method(&t, 0);
	type_pin(&t, "2222");
	REQUIRE(tmx_wait(&t, "この個人番号の住民は登録されていません — 紐付けしません", WAIT));
	CHECK(tmx_wait(&t, "佐藤 一郎", WAIT));
	tmx_keys(&t, "F9", NULL);	/* not offered; nothing is recorded */
	usleep(300000);
	CHECK(tmx_wait(&t, "紐付けしません", WAIT));
	tui_quit(&t);
	tui_rig_down(&r);
	CHECK_INT(audit_count("idcheck.nomatch", NULL, "matches no resident"), 1);
	CHECK_INT(audit_count("idcheck.save", NULL, NULL), 0);
}

TEST(stored_number_differs_links_nothing)		/* ID-3, ID-6 */
{
	struct tmx t;
	struct tui_rig r;
	struct store *st;
	struct err e;

	setup();
	/* resident 3's record holds another (valid) number than the card */
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_mynumber_set(st, "1000000003", "123456789018", &e), &e);
	store_close(st);
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "demo-3");
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	f2_method(&t, 0);
	type_pin(&t, "1234");
	REQUIRE(tmx_wait(&t, "個人番号が住民記録", WAIT));
	CHECK(tmx_wait(&t, "と一致しません — 紐付けしません", WAIT));
	tui_quit(&t);
	tui_rig_down(&r);
	CHECK_INT(audit_count("idcheck.mismatch", "1000000003", "differs"), 1);
	CHECK_INT(idcheck_count("1000000003"), 0);
}

TEST(one_try_left_needs_the_clerks_confirmation)	/* PIN safety (SPEC 5) */
{
	struct tmx t;
	struct tui_rig r;

	setup();
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "fault-last-try");
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	f2_method(&t, 0);
	REQUIRE(tmx_wait(&t, "残り回数: 1回（あと1回間違えるとロックされます）", WAIT));
	tmx_text(&t, "1234");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "入力の残り回数が1回です", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "送信を取りやめました（回数は減っていません）", WAIT));
	CHECK(tmx_wait(&t, "残り回数: 1回", WAIT));
	tmx_text(&t, "1234");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "入力の残り回数が1回です", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "照合結果:", WAIT));
	CHECK(tmx_wait(&t, "試験 太郎", WAIT));
	tui_quit(&t);
	tui_rig_down(&r);
}

TEST(dv_resident_warned_address_hidden_and_logged)	/* SC-5, LOG-1 */
{
	struct synth_resident dv;
	struct tmx t;
	char *s, birth[16];
	struct date d;

	setup();
	dv_resident(&dv);
	start(&t, NULL);
	tui_login(&t, "clerk1", CLERK1_PW);
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	tmx_text(&t, dv.p.kana);
	tmx_keys(&t, "Tab", "Tab", NULL);
	date_from_ymd(dv.p.birth, &d);
	date_format_iso(&d, birth, sizeof(birth));
	tmx_text(&t, birth);
	tmx_keys(&t, "Enter", NULL);
	s = result_list(&t);
	CHECK(strstr(s, dv.p.name) != NULL);
	CHECK(strstr(s, "（DV等支援措置のため非表示）") != NULL);
	CHECK(strstr(s, dv.p.address) == NULL);
	free(s);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "閲覧制限の警告", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "【閲覧制限】DV等支援措置の対象者", WAIT));
	s = tmx_capture(&t);
	CHECK(strstr(s, dv.p.address) == NULL);
	free(s);
	tui_quit(&t);
	CHECK_INT(audit_count("lookup.view.restricted", dv.p.atena, "warning shown"), 1);
	CHECK_INT(audit_count("lookup.search", dv.p.atena, "criteria=kana+birth results=1"), 1);
}

TEST(account_without_number_permission_sees_masks_and_cannot_search)	/* SC-1, AC-6 */
{
	struct tmx t;
	char *s;

	setup();
	start(&t, NULL);
	tui_login(&t, "clerk1", CLERK1_PW);
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "（このアカウントは個人番号で検索できません）", WAIT));
	/* the box is not there: five Tabs go round to 氏名カナ again */
	tmx_text(&t, "エンドウ");
	tmx_keys(&t, "Tab", "Tab", "Tab", "Tab", "Tab", NULL);
	tmx_text(&t, "かずこ");
	tmx_keys(&t, "Enter", NULL);
	s = result_list(&t);
	CHECK(strstr(s, "遠藤 和子") != NULL);
	free(s);
	tmx_keys(&t, "Enter", NULL);		/* 遠藤 (first row) */
	REQUIRE(tmx_wait(&t, "住民記録", WAIT));
	REQUIRE(tmx_wait(&t, "個人番号  **** ****", WAIT));
	s = tmx_capture(&t);
	CHECK(!digit_run(s, 12));
	free(s);
	tui_quit(&t);
	CHECK_INT(audit_count("mynumber.view", NULL, NULL), 0);
	CHECK_INT(audit_count("lookup.search", NULL, "mynumber"), 0);
	tmx_stop(&t);

	/* clerk2 may: a bad check digit is refused before any search runs,
	 * the right number finds the resident, and the number is shown */
	start(&t, NULL);
	tui_login(&t, "clerk2", CLERK2_PW);
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	tmx_keys(&t, "BTab", NULL);
	tmx_text(&t, "401682033288");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "チェックデジットが正しくありません", WAIT));
	tmx_keys(&t, "C-u", NULL);
	tmx_text(&t, "401682033287");
	tmx_keys(&t, "Enter", NULL);
	s = result_list(&t);
	CHECK(strstr(s, "遠藤 和子") != NULL);
	free(s);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "個人番号  401682033287", WAIT));
	tui_quit(&t);
	CHECK_INT(audit_count("lookup.search", "1000000001", "criteria=mynumber results=1"), 1);
	CHECK_INT(audit_count("mynumber.view", "1000000001", NULL), 1);
	CHECK(t_dir_contains(t_path("store"), "401682033287", 12) == NULL);
}

TEST(result_lists_never_show_a_12_digit_number)		/* SC-1 */
{
	struct tmx t;
	char *s;
	int pages = 0;

	setup();
	start(&t, NULL);
	tui_login(&t, "clerk2", CLERK2_PW);	/* even with the view permission */
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	/* a broad kana prefix (half-width, as typed on some keyboards): pages */
	tmx_text(&t, "ｻ");
	tmx_keys(&t, "Enter", NULL);
	s = result_list(&t);
	pages++;
	CHECK(strstr(s, "（続きあり）") != NULL);
	free(s);
	tmx_keys(&t, "End", "Enter", NULL);	/* 次の50件 */
	REQUIRE(tmx_wait(&t, "検索結果 51〜", WAIT));
	s = result_list(&t);
	pages++;
	free(s);
	tmx_keys(&t, "Escape", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	/* 和暦 birth date alone, then combined with a name */
	tmx_keys(&t, "C-u", "Tab", "Tab", NULL);
	tmx_text(&t, "S20.8.28");
	tmx_keys(&t, "Enter", NULL);
	s = result_list(&t);
	pages++;
	CHECK(strstr(s, "遠藤 和子") != NULL);
	/* one date style on screen (和暦), with the 宛名番号 and the age
	 * (issue 19) */
	CHECK(strstr(s, "S20.8.28") != NULL && strstr(s, "(1945-08-28)") == NULL);
	CHECK(strstr(s, "1000000001") != NULL);
	CHECK(strstr(s, "歳") != NULL);
	free(s);
	tmx_keys(&t, "Escape", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	tmx_keys(&t, "BTab", NULL);
	tmx_text(&t, "遠藤");
	tmx_keys(&t, "Enter", NULL);
	s = result_list(&t);
	pages++;
	CHECK(strstr(s, "遠藤 和子") != NULL);
	free(s);
	tmx_keys(&t, "Escape", NULL);
	/* 宛名番号 */
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	tmx_keys(&t, "C-u", "Tab", "C-u", "Tab", NULL);	/* 氏名 and 生年月日 cleared */
	tmx_text(&t, "1000000002");
	tmx_keys(&t, "Enter", NULL);
	s = result_list(&t);
	pages++;
	CHECK(strstr(s, "遠藤 大輔") != NULL);
	free(s);
	tui_quit(&t);
	CHECK_INT(pages, 5);
	CHECK(audit_count("lookup.search", NULL, NULL) >= 5);
}

TEST(audit_person_lists_who_viewed)			/* LOG-3 */
{
	struct tmx t;
	struct t_proc p;
	char *s;

	setup();
	start(&t, NULL);
	tui_login(&t, "clerk1", CLERK1_PW);
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	tmx_keys(&t, "Tab", "Tab", "Tab", NULL);
	tmx_text(&t, "1000000002");
	tmx_keys(&t, "Enter", NULL);
	free(result_list(&t));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "住民記録  遠藤 大輔", WAIT));
	/* a clerk does not get the who-viewed list */
	tmx_keys(&t, "v", NULL);
	usleep(500000);
	s = tmx_capture(&t);
	CHECK(strstr(s, "閲覧者の確認") == NULL);
	free(s);
	tui_quit(&t);
	tmx_stop(&t);

	/* the administrator's screen */
	start(&t, NULL);
	tui_login(&t, "admin", ADMIN_PW);
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	tmx_keys(&t, "Tab", "Tab", "Tab", NULL);
	tmx_text(&t, "1000000002");
	tmx_keys(&t, "Enter", NULL);
	free(result_list(&t));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "住民記録  遠藤 大輔", WAIT));
	tmx_keys(&t, "v", NULL);
	REQUIRE(tmx_wait(&t, "閲覧者の確認  宛名番号 1000000002", WAIT));
	s = tmx_capture(&t);
	CHECK(strstr(s, "clerk1") != NULL);
	CHECK(strstr(s, "記録照会") != NULL);
	free(s);
	tui_quit(&t);

	/* and the command */
	{
		char *argv[] = { (char *)t_bin("madoguchi"), "--store", (char *)t_path("store"),
		    "audit", "person", "1000000002", "--user", "admin", "--password-stdin", NULL };
		REQUIRE(t_run(argv, NULL, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 30000, &p) == 0);
	}
	CHECK_INT(p.status, 0);
	if (strstr(p.out, "\tclerk1\t") == NULL)
		printf("    audit person printed:\n%s\n%s\n", p.out, p.err);
	CHECK(line_has(p.out, "\tclerk1\t", "\tlookup.view\t記録照会\t"));
	CHECK(line_has(p.out, "\tclerk1\t", "\tlookup.search\t"));
	CHECK(line_has(p.out, "\tadmin\t", "\tlookup.view\t"));
	CHECK(!line_has(p.out, "\tclerk2\t", "\t"));	/* clerk2 never looked */
	t_proc_free(&p);
	/* a clerk may not run it */
	{
		char *argv[] = { (char *)t_bin("madoguchi"), "--store", (char *)t_path("store"),
		    "audit", "person", "1000000002", "--user", "clerk1", "--password-stdin", NULL };
		REQUIRE(t_run(argv, NULL, CLERK1_PW "\n", strlen(CLERK1_PW) + 1, 30000, &p) == 0);
	}
	CHECK_INT(p.status, 1);
	t_proc_free(&p);
}

TEST(stale_data_warns_then_blocks_lookups)		/* NET-5 */
{
	struct tmx t;
	struct store *st;
	struct err e;
	char conf[2048], *s;

	setup();
	/* a store loaded two hours ago and never synchronised */
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	{
		time_t old = time(NULL) - 7200;
		struct tm tm;
		char at[32];
		localtime_r(&old, &tm);
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%S%z", &tm);
		REQUIRE_OK(store_setting_set(st, "data.as_of", at, &e), &e);
	}
	store_close(st);
	/* warn after an hour, no block: the search runs, the screens say so */
	snprintf(conf, sizeof(conf), "[store]\ndir = %s\n[sync]\nstale_warn = 3600\n"
	    "stale_block = 0\n[ui]\nlog = %s\n", t_path("store"), t_path("madoguchi.log"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
	start(&t, NULL);
	tui_login(&t, "clerk1", CLERK1_PW);
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "（2時間前） — 古いデータです。同期してください", WAIT));
	tmx_keys(&t, "Tab", "Tab", "Tab", NULL);
	tmx_text(&t, "1000000001");
	tmx_keys(&t, "Enter", NULL);
	free(result_list(&t));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "住民記録  遠藤 和子", WAIT));
	CHECK(tmx_wait(&t, "古いデータです", WAIT));
	tui_quit(&t);
	tmx_stop(&t);

	/* block after an hour: refused with the reason, nothing searched */
	snprintf(conf, sizeof(conf), "[store]\ndir = %s\n[sync]\nstale_warn = 600\n"
	    "stale_block = 3600\n[ui]\nlog = %s\n", t_path("store"), t_path("madoguchi.log"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
	start(&t, NULL);
	tui_login(&t, "clerk2", CLERK2_PW);
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "古すぎるため照会できません", WAIT));
	tmx_keys(&t, "Tab", "Tab", "Tab", NULL);
	tmx_text(&t, "1000000001");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "データが古すぎるため検索できません", WAIT));
	s = tmx_capture(&t);
	CHECK(strstr(s, "検索結果") == NULL);
	free(s);
	tui_quit(&t);
	CHECK_INT(audit_count("lookup.search", NULL, NULL), 1);	/* clerk1's only */
}

TEST(agent_and_documents_from_the_configured_checklist)	/* ID-1, ID-2 */
{
	struct tmx t;
	char conf[2048], *s;

	setup();
	/* a municipality's own list: no 通知カード path (KAWASAKI) */
	snprintf(conf, sizeof(conf), "[store]\ndir = %s\n[card]\nid_documents = "
	    "juminhyo:住民票の写し（番号付）:number,license:運転免許証,"
	    "passport:旅券\n[ui]\nlog = %s\n", t_path("store"), t_path("madoguchi.log"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
	start(&t, NULL);
	tui_login(&t, "clerk1", CLERK1_PW);
	/* the person first: 遠藤 和子 by 宛名番号 */
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	tmx_keys(&t, "Tab", "Tab", "Tab", NULL);
	tmx_text(&t, "1000000001");
	tmx_keys(&t, "Enter", NULL);
	free(result_list(&t));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "住民記録  遠藤 和子", WAIT));

	/* an agent from outside the household without a 委任状: refused */
	tmx_keys(&t, "F2", NULL);
	REQUIRE(tmx_wait(&t, "本人確認の方法", WAIT));
	tmx_keys(&t, "Down", "Down", "Down", "Enter", NULL);
	REQUIRE(tmx_wait(&t, "委任者（本人）: 遠藤 和子（1000000001）", WAIT));
	tmx_text(&t, "代理 一郎");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "ダイリ イチロウ");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "知人");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "委任状と、代理人ご本人の本人確認書類", WAIT));
	s = tmx_capture(&t);
	CHECK(strstr(s, "運転免許証") != NULL);
	CHECK(strstr(s, "通知カード") == NULL);	/* not in this municipality's list */
	free(s);
	tmx_keys(&t, "Down", "Down", "Space", "F9", NULL);	/* licence only */
	REQUIRE(tmx_wait(&t, "委任状を確認してください", WAIT));
	tmx_keys(&t, "Up", "Up", "Space", "F9", NULL);		/* + 委任状 */
	REQUIRE(tmx_wait(&t, "代理人（代理 一郎）を記録しました", WAIT));

	/* then the person's number confirmation by documents */
	tmx_keys(&t, "F2", NULL);
	REQUIRE(tmx_wait(&t, "本人確認の方法", WAIT));
	tmx_keys(&t, "Down", "Down", "Enter", NULL);
	/* issue 19: with the agent recorded, the principal's 番号確認 only */
	REQUIRE(tmx_wait(&t, "の番号確認の書類を選んでください", WAIT));
	tmx_keys(&t, "Down", "Space", "F9", NULL);		/* licence: no number */
	REQUIRE(tmx_wait(&t, "番号確認の書類", WAIT));
	tmx_keys(&t, "Up", "Space", "F9", NULL);		/* + 住民票の写し */
	REQUIRE(tmx_wait(&t, "本人確認（書類）を記録しました", WAIT));
	/* in Japanese, with the labels of this municipality's checklist */
	CHECK(tmx_wait(&t, "本人確認  済み  番号確認書類と本人確認書類（住民票の写し（番号付）、運転免許証）",
	    WAIT));
	tui_quit(&t);
	CHECK_INT(audit_count("idcheck.agent", "1000000001", "documents=license,proxy-letter"), 1);
	CHECK_INT(audit_count("idcheck.save", "1000000001",
	    "method=number-doc+photo-id documents=juminhyo,license"), 1);
	CHECK_INT(idcheck_count("1000000001"), 1);
}

TEST(blocked_card_is_explained_and_nothing_is_read)	/* PIN safety (SPEC 5) */
{
	struct tmx t;
	struct tui_rig r;

	setup();
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "fault-blocked");
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	f2_method(&t, 0);
	REQUIRE(tmx_wait(&t, "残り回数: 0回（ロックされています）", WAIT));
	tmx_text(&t, "1234");
	tmx_keys(&t, "Enter", NULL);
	/* Issue 19: the PIN is locked, 照合番号B is offered for the 基本4情報
	 * (not the 個人番号). */
	REQUIRE(tmx_wait(&t, "暗証番号がロックされています", WAIT));
	CHECK(tmx_wait(&t, "照合番号B", WAIT));
	CHECK(tmx_wait(&t, "個人番号は読めない", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "照合番号Bで読取", WAIT));
	CHECK(tmx_wait(&t, "残り回数: 10回", WAIT));		/* B's own counter */
	tmx_keys(&t, "Escape", NULL);
	tui_quit(&t);
	tui_rig_down(&r);
	CHECK_INT(audit_count("idcheck.read", NULL, NULL), 0);
}

TEST(status_line_marks_old_synchronised_data)		/* NET-5 */
{
	struct tmx t;
	struct store *st;
	struct err e;
	char conf[2048], sql[256], at[32];
	time_t old = time(NULL) - 3 * 3600;
	struct tm tm;

	setup();
	/* the last pull was three hours ago */
	localtime_r(&old, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%S%z", &tm);
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_sync_cursor_set(st, "c1", &e), &e);
	snprintf(sql, sizeof(sql), "UPDATE sync_cursor SET at = '%s'", at);
	REQUIRE(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
	store_close(st);
	snprintf(conf, sizeof(conf), "[store]\ndir = %s\n[sync]\nstale_warn = 3600\n"
	    "stale_block = 7200\n[ui]\nlog = %s\n", t_path("store"), t_path("madoguchi.log"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
	start(&t, NULL);
	tui_login(&t, "clerk1", CLERK1_PW);
	REQUIRE(tmx_wait(&t, "3時間前（照会停止）", WAIT));
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "古すぎるため照会できません", WAIT));
	tui_quit(&t);
	tmx_stop(&t);

	snprintf(conf, sizeof(conf), "[store]\ndir = %s\n[sync]\nstale_warn = 3600\n"
	    "stale_block = 0\n[ui]\nlog = %s\n", t_path("store"), t_path("madoguchi.log"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
	start(&t, NULL);
	tui_login(&t, "clerk1", CLERK1_PW);
	REQUIRE(tmx_wait(&t, "3時間前（古い）", WAIT));
	tui_quit(&t);
}

TEST(read_only_account_cannot_start_changes)		/* AC-6 */
{
	struct tmx t;
	char *s;

	setup();
	start(&t, NULL);
	tui_login(&t, "viewer", CLERK1_PW);
	tmx_keys(&t, "F3", NULL);
	REQUIRE(tmx_wait(&t, "住民の検索（F3）", WAIT));
	tmx_keys(&t, "Tab", "Tab", "Tab", NULL);
	tmx_text(&t, "1000000001");
	tmx_keys(&t, "Enter", NULL);
	free(result_list(&t));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "（参照のみ：申請の入力はできません）", WAIT));
	s = tmx_capture(&t);
	CHECK(strstr(s, "F4新規申請") == NULL);	/* not on the key bar */
	free(s);
	tmx_keys(&t, "F4", NULL);
	REQUIRE(tmx_wait(&t, "参照のみの権限のため、申請の入力はできません", WAIT));
	tui_quit(&t);
}

/* Issue 11, ID-5: F2 「電子証明書で真正性を確認」 — the read with the
 * 4-digit PIN, then the 利用者証明用 PIN: the simulated card signs a fresh
 * challenge, the certificate chains offline to [card] jpki_roots (the
 * simulator's TEST ONLY CA), and the verdict is shown and kept in the
 * identity-check record like the others; a card whose certificate was
 * forged is refused. */
TEST(f2_jpki_route_verifies_and_records_the_verdict)	/* ID-1, ID-5, LOG-1 */
{
	struct tmx t;
	struct tui_rig r;
	char conf[3000], *old, *s;
	struct store *st;
	struct err e;
	sqlite3_stmt *q;
	int rows = 0;

	setup();
	old = t_read_file(t_path("madoguchi.conf"), NULL);
	REQUIRE(old != NULL);
	snprintf(conf, sizeof(conf), "%s[card]\njpki_roots = %s/data/cards/jpki/ca-auth.pem\n",
	    old, t_srcdir());
	free(old);
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "demo-1");		/* 遠藤 和子; no issuer key installed */
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	f2_method(&t, 4);
	type_pin(&t, "1234");
	REQUIRE(tmx_wait(&t, "電子証明書で真正性を確認", WAIT));
	REQUIRE(tmx_wait(&t, "利用者証明用電子証明書の暗証番号（4桁）", WAIT));
	REQUIRE(tmx_wait(&t, "残り回数: 3回", WAIT));
	tmx_text(&t, "1234");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "住民記録と一致しました（宛名番号 1000000001）", WAIT));
	CHECK(tmx_wait(&t, "電子証明書で確認: 検証済み（オフライン", WAIT));
	CHECK(tmx_wait(&t, "真正性 検証済み", WAIT));
	CHECK(tmx_wait(&t, "チップ 真正", WAIT));
	s = tmx_capture(&t);
	CHECK(strstr(s, "1234") == NULL);	/* no PIN on the screen */
	free(s);
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "追加の書類", WAIT));
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "本人確認を記録しました", WAIT));
	CHECK(tmx_wait(&t, "電子証明書で真正性を確認", WAIT));	/* the record's method text */
	tui_quit(&t);
	tmx_stop(&t);
	tui_rig_down(&r);
	CHECK_INT(audit_count("idcheck.save", "1000000001", "documents=ic-pin,jpki"), 1);
	/* the record keeps the route's verdict (idcheck_verdicts) */
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE(sqlite3_prepare_v2(store_db(st), "SELECT v.authenticity, v.chip, i.detail"
	    " FROM idchecks i JOIN idcheck_verdicts v ON v.uuid = i.uuid"
	    " WHERE i.atena = '1000000001'", -1, &q, NULL) == SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		rows++;
		CHECK_STR((const char *)sqlite3_column_text(q, 0), "verified");
		CHECK_STR((const char *)sqlite3_column_text(q, 1), "genuine");
		CHECK(strstr((const char *)sqlite3_column_text(q, 2),
		    "method=jpki authenticity=verified chain=ok offline=1") != NULL);
	}
	sqlite3_finalize(q);
	store_close(st);
	CHECK_INT(rows, 1);

	/* a forged 利用者証明用 certificate: failed, the check cannot be made
	 * with this card */
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "fault-jpki-forged");
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	f2_method(&t, 4);
	type_pin(&t, "1234");
	REQUIRE(tmx_wait(&t, "利用者証明用電子証明書の暗証番号（4桁）", WAIT));
	REQUIRE(tmx_wait(&t, "残り回数: ", WAIT));
	tmx_text(&t, "1234");
	tmx_keys(&t, "Enter", NULL);
	CHECK(tmx_wait(&t, "電子証明書で確認: 検証失敗", WAIT));
	CHECK(tmx_wait(&t, "真正性 検証失敗（発行者証明書）", WAIT));
	tui_quit(&t);
	tmx_stop(&t);
	tui_rig_down(&r);
}

/* Issue 14 (SC-5): F2's card match opens a DV/不開示 person only after the
 * same warning as F3, and the audit row of the opening is written only
 * after it was acknowledged (before, F2 opened the record at once and the
 * row said the warning had been shown). */
TEST(f2_card_match_warns_before_opening_a_dv_person)
{
	struct tmx t;
	struct tui_rig r;
	struct store *st;
	struct person p;
	struct err e;

	setup();
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_person_get(st, "1000000001", &p, &e), &e);
	p.dv = 1;
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	store_close(st);
	tui_rig_up(&r);
	tui_rig_card(&r, NULL, "demo-1");		/* 遠藤 和子, resident 1000000001 */
	start(&t, &r);
	tui_login(&t, "clerk1", CLERK1_PW);
	f2_method(&t, 0);
	type_pin(&t, "1234");
	REQUIRE(tmx_wait(&t, "住民記録と一致しました（宛名番号 1000000001）", WAIT));
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "追加の書類", WAIT));
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "閲覧制限の警告", WAIT));
	CHECK_INT(audit_count("lookup.view.restricted", "1000000001", NULL), 0);
	CHECK_INT(audit_count("lookup.view", "1000000001", NULL), 0);
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "住民記録  遠藤 和子（1000000001）", WAIT));
	REQUIRE(tmx_wait(&t, "【閲覧制限】", WAIT));
	tui_quit(&t);
	tui_rig_down(&r);
	CHECK_INT(audit_count("lookup.view.restricted", "1000000001", "warning shown"), 1);
}
