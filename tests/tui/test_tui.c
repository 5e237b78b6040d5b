/*
 * test_tui.c — the counter shell in a real terminal (tmux): login, wrong
 * password and the lock on the third failure (AC-4), disabled and expired
 * accounts, the forced password change, inactivity lock and F12 lock with
 * nothing personal on the locked screen (SC-3), another clerk taking over,
 * resizing, a form of mixed full- and half-width text whose columns line
 * up, a bad screen file and a non-UTF-8 locale refused at start-up.  Every
 * login, failure, lock, unlock and logout must be an audit row (LOG-1).
 *
 * The store is made in-process with the store API; the program under test
 * is the sanitized madoguchi, and its standard error must stay free of
 * sanitizer reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"
#include "harness.h"
#include "store.h"
#include "tmux.h"

#define ADMIN_PW "Zq#4817Lmtv"
#define CLERK1_PW "Hana#7391kx"
#define CLERK2_PW "Jiro#5274qz"
#define NEWBIE_PW "Sabu#8163wy"
#define WAIT 20000

static void
add_account(struct store *st, const char *name, const char *display, const char *pw,
    int must_change)
{
	struct account a;
	struct err e;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.display, sizeof(a.display), "%s", display);
	a.role = ROLE_CLERK;
	a.must_change_password = must_change;
	REQUIRE_OK(store_account_add(st, &a, pw, &e), &e);
}

/* A store with admin, clerk1 (窓口 花子), clerk2 (窓口 次郎), newbie (must
 * change the password); a config with the given lock time and screens. */
static void
setup(int lock_after, const char *screens)
{
	struct store *st;
	struct err e;
	char conf[2048], sc[1100] = "";

	REQUIRE_OK(store_create(t_path("store"), "admin", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	add_account(st, "clerk1", "窓口 花子", CLERK1_PW, 0);
	add_account(st, "clerk2", "窓口 次郎", CLERK2_PW, 0);
	add_account(st, "newbie", "新人 三郎", NEWBIE_PW, 1);
	store_close(st);
	if (screens != NULL)
		snprintf(sc, sizeof(sc), "screens = %s\n", screens);
	snprintf(conf, sizeof(conf),
	    "[terminal]\nmunicipality = 窓口市\nbranch = 北支所\nid = T001\n"
	    "[store]\ndir = %s\n"
	    "[ui]\nlock_after = %d\n%slog = %s\n",
	    t_path("store"), lock_after, sc, t_path("madoguchi.log"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
}

static const char *
test_screens(void)
{
	static char d[1024];

	snprintf(d, sizeof(d), "%s/tests/tui/screens", t_srcdir());
	return d;
}

static void
start(struct tmx *t, int cols, int rows)
{
	char conf[1024];
	char *argv[] = { (char *)t_bin("madoguchi"), "--config", conf, NULL };

	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
	REQUIRE(tmx_start(t, cols, rows, argv) == 0);
	REQUIRE(tmx_wait(t, "アカウントとパスワードを入力してください", WAIT));
}

/* Does the screen show text now? */
static int
shows(struct tmx *t, const char *text)
{
	char *s = tmx_capture(t);
	int r = strstr(s, text) != NULL;

	free(s);
	return r;
}

static void
type_login(struct tmx *t, const char *user, const char *pw)
{
	tmx_keys(t, "Up", NULL);		/* the account box, whichever had focus */
	tmx_keys(t, "C-u", NULL);
	tmx_text(t, user);
	tmx_keys(t, "Down", NULL);
	tmx_keys(t, "C-u", NULL);
	tmx_text(t, pw);
	tmx_keys(t, "Enter", NULL);
}

static void
login(struct tmx *t, const char *user, const char *pw, const char *display)
{
	type_login(t, user, pw);
	REQUIRE(tmx_wait(t, "メインメニュー", WAIT));
	REQUIRE(tmx_wait(t, display, WAIT));
}

/* F10 → 終了 → はい, and the program exits 0. */
static void
quit(struct tmx *t)
{
	tmx_keys(t, "F10", NULL);
	REQUIRE(tmx_wait(t, "メニュー", WAIT));
	tmx_keys(t, "End", "Enter", NULL);
	REQUIRE(tmx_wait(t, "終了しますか", WAIT));
	tmx_keys(t, "y", NULL);
	CHECK(tmx_wait(t, "[exited 0]", WAIT));
	CHECK(tmx_sanitizer_clean(t));
}

/* Is there an audit row with this action, who, and detail containing
 * `has` (NULL: any)? */
static int
audited(const char *action, const char *who, const char *has)
{
	struct store *st;
	struct audit_row *v = NULL;
	struct err e;
	size_t n = 0;
	int found = 0;

	if (store_open(t_path("store"), "admin", ADMIN_PW, &st, &e) != 0) {
		printf("    cannot open the store: %s\n", e.msg);
		return 0;
	}
	if (store_audit_list(st, 0, 0, &v, &n, &e) == 0) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].action, action) == 0 && strcmp(v[i].who, who) == 0 &&
			    (has == NULL || strstr(v[i].detail, has) != NULL))
				found = 1;
		if (!found) {
			printf("    no audit row %s/%s/%s among:\n", action, who, has ? has : "*");
			for (size_t i = 0; i < n; i++)
				printf("    | %s %s %s\n", v[i].action, v[i].who, v[i].detail);
		}
	}
	free(v);
	store_close(st);
	return found;
}

TEST(tui_login_ok_and_logout_audited)
{
	struct tmx t;

	setup(300, NULL);
	start(&t, 80, 24);
	login(&t, "clerk1", CLERK1_PW, "窓口 花子 さん");
	/* the status line: municipality, branch, terminal, clerk, clock */
	char *s = tmx_capture(&t);
	CHECK(strstr(s, "窓口市 北支所 [T001] 窓口 花子") != NULL);
	CHECK(strstr(s, "オフライン") != NULL);
	free(s);
	/* F5: the background sync is asked for a round; this terminal has no
	 * central, and says so without waiting for anything */
	tmx_keys(&t, "F5", NULL);
	CHECK(tmx_wait(&t, "中央システムに登録されていません", WAIT));
	quit(&t);
	tmx_stop(&t);
	CHECK(audited("login", "clerk1", NULL));	/* LOG-1 */
	CHECK(audited("logout", "clerk1", "reason=quit"));
}

TEST(tui_wrong_password_message_counter_and_audit)
{
	struct tmx t;

	setup(300, NULL);
	start(&t, 80, 24);
	type_login(&t, "clerk1", "Wrong#Pw-123");
	REQUIRE(tmx_wait(&t, "アカウント名またはパスワードが違います（あと2回", WAIT));
	/* an unknown account gets the same words and no counter */
	type_login(&t, "nobody", "Wrong#Pw-123");
	REQUIRE(tmx_wait_gone(&t, "あと2回", WAIT));
	REQUIRE(tmx_wait(&t, "アカウント名またはパスワードが違います", WAIT));
	login(&t, "clerk1", CLERK1_PW, "窓口 花子 さん");
	quit(&t);
	tmx_stop(&t);
	/* failures before a login are written at the next login, with their time */
	CHECK(audited("login.failure", "clerk1", "reason=wrong-password"));
	CHECK(audited("login.failure", "(unknown)", "reason=no-account"));
	/* LOG-5: the name typed is in neither the audit trail nor the log */
	CHECK(!audited("login.failure", "nobody", NULL));
	CHECK(t_dir_contains(t_tmpdir(), "nobody", 6) == NULL);
}

TEST(tui_third_failure_locks_the_account)
{
	struct tmx t;
	struct store_keyslots *ks;
	struct store_slot_state ss;
	struct err e;
	char keys[1100];

	setup(300, NULL);
	start(&t, 80, 24);
	type_login(&t, "clerk1", "Wrong#Pw-111");
	REQUIRE(tmx_wait(&t, "あと2回", WAIT));
	type_login(&t, "clerk1", "Wrong#Pw-222");
	REQUIRE(tmx_wait(&t, "あと1回", WAIT));
	type_login(&t, "clerk1", "Wrong#Pw-333");
	REQUIRE(tmx_wait(&t, "このアカウントはロックされています", WAIT));	/* AC-4 */
	/* the right password does not open a locked account (another
	 * message in between, so that the next one is news) */
	type_login(&t, "nobody", "Wrong#Pw-444");
	REQUIRE(tmx_wait_gone(&t, "ロックされています", WAIT));
	type_login(&t, "clerk1", CLERK1_PW);
	REQUIRE(tmx_wait(&t, "このアカウントはロックされています", WAIT));
	CHECK(!shows(&t, "メインメニュー"));
	/* another clerk still can */
	login(&t, "clerk2", CLERK2_PW, "窓口 次郎 さん");
	quit(&t);
	tmx_stop(&t);
	snprintf(keys, sizeof(keys), "%s/%s", t_path("store"), STORE_KEYS_FILE);
	REQUIRE_OK(store_keyslots_load(keys, &ks, &e), &e);
	REQUIRE(store_keyslots_state(ks, "clerk1", &ss) == 0);
	CHECK_INT(ss.locked, 1);
	store_keyslots_free(ks);
	CHECK(audited("login.failure", "clerk1", "reason=locked"));
}

TEST(tui_disabled_and_expired_accounts_refused_with_reason)
{
	struct tmx t;
	struct store *st;
	struct account a;
	struct err e;

	setup(300, NULL);
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk1", &a, &e), &e);
	a.disabled = 1;
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk2", &a, &e), &e);
	a.valid_until = 20200331;	/* AC-3: lapsed at a past fiscal-year end */
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	store_close(st);
	start(&t, 80, 24);
	type_login(&t, "clerk1", CLERK1_PW);
	REQUIRE(tmx_wait(&t, "このアカウントは無効にされています", WAIT));
	type_login(&t, "clerk2", CLERK2_PW);
	REQUIRE(tmx_wait(&t, "このアカウントは有効期限が切れています", WAIT));
	tmx_stop(&t);
}

TEST(tui_forced_password_change)
{
	struct tmx t;

	setup(300, NULL);
	start(&t, 80, 24);
	type_login(&t, "newbie", NEWBIE_PW);
	REQUIRE(tmx_wait(&t, "パスワードの変更が必要です", WAIT));
	tmx_text(&t, NEWBIE_PW);
	tmx_keys(&t, "Enter", NULL);
	tmx_text(&t, "Neu#Kw9352tr");
	tmx_keys(&t, "Enter", NULL);
	tmx_text(&t, "Neu#Kw9352tX");	/* mismatch first */
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "新しいパスワードが一致しません", WAIT));
	tmx_text(&t, "Neu#Kw9352tr");
	tmx_keys(&t, "Enter", NULL);
	tmx_text(&t, "Neu#Kw9352tr");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "メインメニュー", WAIT));
	quit(&t);
	tmx_stop(&t);
	/* the new password opens the store, the old one does not */
	struct store *st;
	struct err e;
	CHECK_INT(store_open(t_path("store"), "newbie", NEWBIE_PW, &st, &e), ERR_AUTH);
	REQUIRE_OK(store_open(t_path("store"), "newbie", "Neu#Kw9352tr", &st, &e), &e);
	CHECK_INT(store_user(st)->must_change_password, 0);
	store_close(st);
}

/* F10 → the last entry (try out a screen) → the test form. */
static void
open_test_form(struct tmx *t)
{
	tmx_keys(t, "F10", NULL);
	REQUIRE(tmx_wait(t, "パスワード変更", WAIT));
	tmx_keys(t, "End", "Up", "Up", "Up", "Up", NULL);
	REQUIRE(tmx_wait(t, "申請画面の試用（保存しません）", WAIT));
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "テスト用 申請書（幅混在）", WAIT));
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "利用目的", WAIT));
}

/* Fill the test form's name and address with personal text. */
static void
open_form_with_personal_text(struct tmx *t)
{
	open_test_form(t);
	tmx_text(t, "山田 太郎");
	tmx_keys(t, "Tab", "Tab", "Tab", "Tab", "Tab", NULL);	/* kana, birth, kind, zip, addr */
	tmx_text(t, "東京都千代田区霞が関1-2-3");
	tmx_keys(t, "Tab", NULL);
	REQUIRE(tmx_wait(t, "千代田区霞が関", WAIT));
}

static void
check_nothing_personal(struct tmx *t)
{
	char *s = tmx_capture(t);

	/* SC-3: neither the values nor even the form are on the lock screen */
	CHECK(strstr(s, "山田") == NULL);
	CHECK(strstr(s, "千代田") == NULL);
	CHECK(strstr(s, "テスト用") == NULL);
	CHECK(strstr(s, "氏名") == NULL);
	free(s);
}

TEST(tui_inactivity_lock_shows_nothing_personal)
{
	struct tmx t;

	setup(5, test_screens());	/* lock after 5 s */
	start(&t, 80, 24);
	login(&t, "clerk1", CLERK1_PW, "窓口 花子 さん");
	open_form_with_personal_text(&t);
	REQUIRE(tmx_wait(&t, "一定時間操作がなかったためロックしました", 30000));
	check_nothing_personal(&t);
	/* the same clerk unlocks and gets the form back as it was */
	tmx_text(&t, CLERK1_PW);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "千代田区霞が関", WAIT));
	CHECK(shows(&t, "山田 太郎"));
	tmx_stop(&t);
	CHECK(audited("lock", "clerk1", "reason=timeout"));
	CHECK(audited("unlock", "clerk1", NULL));
}

TEST(tui_f12_lock_wrong_password_then_unlock)
{
	struct tmx t;

	setup(300, test_screens());
	start(&t, 80, 24);
	login(&t, "clerk1", CLERK1_PW, "窓口 花子 さん");
	open_form_with_personal_text(&t);
	tmx_keys(&t, "F12", NULL);
	REQUIRE(tmx_wait(&t, "画面をロックしました", WAIT));
	check_nothing_personal(&t);
	tmx_text(&t, "Wrong#Pw-999");
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "パスワードが違います", WAIT));
	check_nothing_personal(&t);
	tmx_text(&t, CLERK1_PW);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "千代田区霞が関", WAIT));
	tmx_keys(&t, "Escape", NULL);
	REQUIRE(tmx_wait(&t, "入力した内容を破棄して戻りますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "メインメニュー", WAIT));
	quit(&t);
	tmx_stop(&t);
	CHECK(audited("lock", "clerk1", "reason=key"));
	CHECK(audited("unlock.failure", "clerk1", "reason=wrong-password"));
	CHECK(audited("unlock", "clerk1", NULL));
}

TEST(tui_other_clerk_at_lock_screen_ends_the_session)
{
	struct tmx t;

	setup(300, test_screens());
	start(&t, 80, 24);
	login(&t, "clerk1", CLERK1_PW, "窓口 花子 さん");
	open_form_with_personal_text(&t);
	tmx_keys(&t, "F12", NULL);
	REQUIRE(tmx_wait(&t, "画面をロックしました", WAIT));
	login(&t, "clerk2", CLERK2_PW, "窓口 次郎 さん");
	/* clerk1's form is gone: clerk2 starts from the main menu */
	CHECK(!shows(&t, "千代田"));
	quit(&t);
	tmx_stop(&t);
	CHECK(audited("logout", "clerk1", "ended by login of clerk2"));
	CHECK(audited("login", "clerk2", NULL));
	CHECK(audited("logout", "clerk2", NULL));
}

/* The last non-empty line of the screen and the number of lines. */
static int
screen_lines(const char *s, char *last, size_t cap)
{
	int n = 0;
	const char *p = s;

	last[0] = '\0';
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		n++;
		if (l > 0)
			snprintf(last, cap, "%.*s", (int)l, p);
		p += l + (e ? 1 : 0);
	}
	return n;
}

TEST(tui_resize_80x24_to_120x40_and_back)
{
	struct tmx t;
	char last[1024], *s;

	setup(300, test_screens());
	start(&t, 80, 24);
	login(&t, "clerk1", CLERK1_PW, "窓口 花子 さん");
	open_form_with_personal_text(&t);
	tmx_resize(&t, 120, 40);
	REQUIRE(tmx_wait(&t, "千代田区霞が関", WAIT));
	usleep(300000);
	s = tmx_capture(&t);
	CHECK_INT(screen_lines(s, last, sizeof(last)), 40);
	CHECK(strncmp(last, "F1ヘルプ", strlen("F1ヘルプ")) == 0);	/* bar on the last row */
	/* the status line spans the new width: the clock ends near column 120 */
	{
		const char *nl = strchr(s, '\n');
		int w = utf8_width(s, (size_t)(nl - s));
		CHECK(w >= 115 && w <= 120);
	}
	CHECK(strstr(s, "テスト用 申請書（幅混在）") != NULL);
	free(s);
	/* too small: says so, and comes back when it is big enough */
	tmx_resize(&t, 70, 20);
	REQUIRE(tmx_wait(&t, "画面が小さすぎます", WAIT));
	tmx_resize(&t, 80, 24);
	REQUIRE(tmx_wait(&t, "千代田区霞が関", WAIT));
	usleep(300000);
	s = tmx_capture(&t);
	CHECK_INT(screen_lines(s, last, sizeof(last)), 24);
	CHECK(strncmp(last, "F1ヘルプ", strlen("F1ヘルプ")) == 0);
	CHECK(strstr(s, "画面が小さすぎます") == NULL);
	free(s);
	/* still usable after the resizes */
	tmx_keys(&t, "Escape", NULL);
	REQUIRE(tmx_wait(&t, "入力した内容を破棄して戻りますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "メインメニュー", WAIT));
	quit(&t);
	tmx_stop(&t);
}

TEST(tui_form_mixed_width_columns_line_up)
{
	struct tmx t;
	char *s;
	int c[7];

	setup(300, test_screens());
	start(&t, 80, 24);
	login(&t, "clerk1", CLERK1_PW, "窓口 花子 さん");
	open_test_form(&t);
	tmx_text(&t, "山田 Taro 太郎");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "ﾔﾏﾀﾞ たろう");	/* half-width kana and hiragana in */
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "R7.4.1");	/* 和暦 in */
	tmx_keys(&t, "Tab", NULL);
	tmx_keys(&t, "Right", "Right", NULL);	/* 変更: shows the reason field */
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "転居 moving");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "１０００００１");	/* full-width digits */
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "東京都千代田区 Chiyoda 1-1");
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "Chiyoda", WAIT));
	s = tmx_capture(&t);
	c[0] = tmx_col(s, "氏名*", "山田 Taro 太郎");
	c[1] = tmx_col(s, "氏名カナ (ﾌﾘｶﾞﾅ)", "ヤマダ タロウ");	/* normalised */
	c[2] = tmx_col(s, "生年月日 DOB", "2025-04-01");
	c[3] = tmx_col(s, "区分", "< 変更 >");
	c[4] = tmx_col(s, "変更の理由 reason", "転居 moving");
	c[5] = tmx_col(s, "〒 Postal", "100-0001");
	c[6] = tmx_col(s, "住所 Address", "東京都千代田区 Chiyoda 1-1");
	for (int i = 0; i < 7; i++) {
		if (c[i] != c[0] || c[0] < 0)
			t_fail_at(__FILE__, __LINE__, "field %d starts at column %d, field 0 at %d", i, c[i], c[0]);
	}
	/* the date shows both calendars */
	CHECK(strstr(s, "令和7年4月1日") != NULL);
	free(s);
	/* F9 confirms a valid form */
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "この内容で確定しますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "入力内容を確認しました", WAIT));
	quit(&t);
	tmx_stop(&t);
}

TEST(tui_form_refuses_invalid_values_and_requires_fields)
{
	struct tmx t;

	setup(300, test_screens());
	start(&t, 80, 24);
	login(&t, "clerk1", CLERK1_PW, "窓口 花子 さん");
	open_test_form(&t);
	tmx_keys(&t, "F9", NULL);	/* 氏名 is required */
	REQUIRE(tmx_wait(&t, "「氏名」: 入力が必要です", WAIT));
	tmx_text(&t, "山田");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "山田");	/* not kana */
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "カタカナで入力してください", WAIT));
	tmx_keys(&t, "C-u", NULL);
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "R7.2.30");	/* no such day */
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "「生年月日 DOB」", WAIT));
	tmx_stop(&t);
}

TEST(tui_bad_screen_file_refused_with_file_and_line)
{
	struct tmx t;
	char dir[1024], *err;
	const char *bad = "screen broken\ntitle t\nprocedure p\nfield a\n  lable typo\n";
	size_t n;

	snprintf(dir, sizeof(dir), "%s/screens", t_tmpdir());
	REQUIRE(mkdir(dir, 0700) == 0);
	REQUIRE(t_write_file(t_path("screens/broken.screen"), bad, strlen(bad)) == 0);
	setup(300, dir);
	{
		char conf[1024];
		char *argv[] = { (char *)t_bin("madoguchi"), "--config", conf, NULL };
	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
		REQUIRE(tmx_start(&t, 80, 24, argv) == 0);
	}
	REQUIRE(tmx_wait(&t, "[exited 1]", WAIT));
	err = t_read_file(t.errpath, &n);
	REQUIRE(err != NULL);
	CHECK(strstr(err, "broken.screen:5: unknown keyword \"lable\"") != NULL);
	free(err);
	tmx_stop(&t);
}

TEST(tui_non_utf8_locale_refused_with_advice)
{
	struct tmx t;
	char conf[1024], *err;
	char *argv[] = { (char *)t_bin("madoguchi"), "--config", conf, NULL };
	size_t n;

	setup(300, NULL);
	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
	REQUIRE(tmx_start_env(&t, 80, 24, "LANG=C LC_ALL=C", argv) == 0);
	REQUIRE(tmx_wait(&t, "[exited 1]", WAIT));
	err = t_read_file(t.errpath, &n);
	REQUIRE(err != NULL);
	CHECK(strstr(err, "the locale is not UTF-8") != NULL);
	CHECK(strstr(err, "LANG=ja_JP.UTF-8") != NULL);
	free(err);
	tmx_stop(&t);
}
