/*
 * test_screen_additions.c — the screen-engine additions made for the
 * shipped application screens (madoguchi-screen(5)): "shows-when A = x or
 * B = y" alternatives (TOKYO III.2-R2 同意書 gate), "attachment" (the 添付書類
 * checklist), "help" (the explanation behind a short label), the screen
 * "flag" review-board (TOKYO 審査会 routing, INT-4),
 * and age-fiscal for a child born during the current fiscal year.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "harness.h"
#include "screen.h"

#define HDR "screen s1\ntitle テスト\nprocedure p\n"

static const struct {
	const char *text;
	const char *msg;
} ext_bad[] = {
	{ HDR "field a\nlabel x\ntype text\nattachment\n",
	  "t.screen:7: attachment applies only to type checkbox" },
	{ HDR "field a\nlabel x\nattachment\n", "t.screen:6: \"attachment\" must follow \"type\"" },
	{ HDR "field a\nlabel x\ntype checkbox\nattachment yes\n",
	  "t.screen:7: \"attachment\" takes no value" },
	{ HDR "field a\nlabel x\ntype checkbox\nattachment\nattachment\n",
	  "t.screen:8: \"attachment\" given twice for field \"a\"" },
	{ HDR "attachment\n", "t.screen:4: \"attachment\" outside a field" },
	{ HDR "field a\nlabel x\nhelp y\nhelp z\n",
	  "t.screen:7: \"help\" given twice for field \"a\"" },
	{ HDR "help y\n", "t.screen:4: \"help\" outside a field" },
	{ HDR "flag bogus\n", "t.screen:4: unknown flag \"bogus\" (see madoguchi-screen(5))" },
	{ HDR "flag review-board\nflag review-board\n", "t.screen:5: flag \"review-board\" given twice" },
	{ "flag review-board\n", "t.screen:1: the file must start with \"screen ID\"" },
	{ HDR "field a\nlabel x\ntype text\nflag review-board\n",
	  "t.screen:7: \"flag\" belongs before the first field" },
	{ HDR "field a\nlabel x\ntype checkbox\nfield b\nlabel y\ntype text\nshows-when a = on or\n",
	  "t.screen:10: shows-when: expected FIELD = VALUE or FIELD != VALUE" },
	{ HDR "field a\nlabel x\ntype checkbox\nfield b\nlabel y\ntype text\n"
	  "shows-when a = on or c = on\n",
	  "t.screen:10: shows-when: no field \"c\" declared before this one" },
	{ HDR "field a\nlabel x\ntype checkbox\nfield b\nlabel y\ntype text\n"
	  "shows-when a = on or a = yes\n",
	  "t.screen:10: shows-when: checkbox \"a\" is compared with on or off" },
	{ HDR "field a\nlabel x\ntype checkbox\nfield b\nlabel y\ntype text\n"
	  "shows-when a = on or a = off or a = on or a = off or a = on\n",
	  "t.screen:10: shows-when: too many alternatives (max 4)" },
	/* issue 19: kana and suggest */
	{ HDR "kana コクホ\nkana コクホ\n", "t.screen:5: \"kana\" given twice" },
	{ HDR "suggest Bad!\n", "t.screen:4: bad screen id in suggest \"Bad!\"" },
	{ HDR "suggest s2 age 18\n",
	  "t.screen:4: suggest: age wants MIN-MAX (0-150), not \"18\"" },
	{ HDR "suggest s2 age 9-3\n",
	  "t.screen:4: suggest: age wants MIN-MAX (0-150), not \"9-3\"" },
	{ HDR "suggest s2 sex 3\n", "t.screen:4: suggest: sex wants 1 or 2, not \"3\"" },
	{ HDR "suggest s2 income 1\n",
	  "t.screen:4: suggest: unknown condition \"income\" (age, sex)" },
	{ HDR "suggest s2 age\n", "t.screen:4: suggest: \"age\" needs a value" },
	{ HDR "field a\nlabel x\ntype text\nsuggest s2\n",
	  "t.screen:7: \"suggest\" belongs before the first field" },
};

TEST(screen_engine_additions_errors)
{
	for (size_t i = 0; i < sizeof(ext_bad) / sizeof(ext_bad[0]); i++) {
		struct screen *s = NULL;
		struct err e;
		err_clear(&e);
		CHECK_INT(screen_parse("t.screen", ext_bad[i].text, strlen(ext_bad[i].text), &s, &e),
		    ERR_FORMAT);
		CHECK(s == NULL);
		CHECK_STR(e.msg, ext_bad[i].msg);
	}
}

/* "or": shown when any alternative holds; an alternative on a hidden field
 * never holds; attachment and flag are parsed into the definition. */
TEST(screen_engine_additions_semantics)
{
	const char *text = HDR "flag review-board\n"
	    "field transfer\nlabel 他県転入\ntype checkbox\n"
	    "field consent\nlabel 同意書\nhelp 他県の診断書の情報の入手についての同意\ntype checkbox\n"
	    "required\nshows-when transfer = on\nattachment\n"
	    "field kind\nlabel 区分\ntype select\noptions 甲 | 乙 | 丙\n"
	    "field diag\nlabel 診断書\ntype text\nrequired\nshows-when transfer = off or consent = on\n"
	    "field two\nlabel 乙丙\ntype text\nshows-when kind = 乙 or kind = 丙\n";
	struct screen *s = NULL;
	struct form *f;
	struct err e;
	int bad = -1;

	err_clear(&e);
	REQUIRE_OK(screen_parse("t.screen", text, strlen(text), &s, &e), &e);
	CHECK(screen_has_flag(s, "review-board"));
	CHECK(!screen_has_flag(s, "other"));
	CHECK_INT(s->nflags, 1);
	CHECK(s->fields[1].attachment);
	CHECK_STR(s->fields[1].help, "他県の診断書の情報の入手についての同意");
	CHECK_STR(s->fields[0].help, "");
	CHECK(!s->fields[0].attachment);
	CHECK_INT(s->fields[3].nwhen_or, 1);
	CHECK_INT(s->fields[3].when_or[0].ref, 1);
	CHECK_INT(s->fields[4].nwhen_or, 1);
	CHECK_STR(s->fields[4].when_or[0].value, "丙");
	f = form_new(s);
	REQUIRE(f != NULL);
	/* not a transfer: diag shown, consent hidden */
	CHECK(form_field_shown(f, 3));
	CHECK(!form_field_shown(f, 1));
	/* transfer without consent: diag hidden, consent required */
	CHECK_OK(form_set(f, "transfer", "on", &e), &e);
	CHECK(!form_field_shown(f, 3));
	CHECK_INT(form_validate(f, &bad, &e), ERR_INVAL);
	CHECK_INT(bad, 1);
	CHECK_OK(form_set(f, "consent", "on", &e), &e);
	CHECK(form_field_shown(f, 3));
	CHECK_INT(form_validate(f, &bad, &e), ERR_INVAL);
	CHECK_INT(bad, 3);
	CHECK_OK(form_set(f, "diag", "F32", &e), &e);
	CHECK_OK(form_validate(f, NULL, &e), &e);
	/* either option of the second alternative list */
	CHECK(!form_field_shown(f, 4));
	CHECK_OK(form_set(f, "kind", "乙", &e), &e);
	CHECK(form_field_shown(f, 4));
	CHECK_OK(form_set(f, "kind", "丙", &e), &e);
	CHECK(form_field_shown(f, 4));
	CHECK_OK(form_set(f, "kind", "甲", &e), &e);
	CHECK(!form_field_shown(f, 4));
	form_free(f);
	screen_free(s);
}

/* age-fiscal counts a child born after 1 April of this fiscal year (but not
 * after today) as 0; before this fix such a baby was refused as "not born". */
TEST(screen_age_fiscal_child_born_this_fiscal_year)
{
	const char *text = HDR "field b\nlabel 生年月日\ntype date\ncheck age-fiscal 0 17\n"
	    "field c\nlabel 年齢\ntype date\ncheck age-fiscal 3 5\n";
	struct screen *s = NULL;
	struct form *f;
	struct err e;

	REQUIRE_OK(screen_parse("t.screen", text, strlen(text), &s, &e), &e);
	f = form_new(s);
	REQUIRE(f != NULL);
	f->today.y = 2025;
	f->today.m = 10;
	f->today.d = 1;
	CHECK_OK(form_set(f, "b", "2025-09-30", &e), &e);
	CHECK_OK(form_set(f, "b", "2025-10-01", &e), &e);
	CHECK_OK(form_set(f, "b", "2025-04-02", &e), &e);
	CHECK_INT(form_set(f, "b", "2025-10-02", &e), ERR_RANGE);	/* not born yet */
	CHECK_INT(form_set(f, "c", "2025-09-30", &e), ERR_RANGE);	/* 0 is below 3 */
	CHECK_OK(form_set(f, "c", "2021-04-01", &e), &e);		/* 4 on 1 April */
	form_free(f);
	screen_free(s);
}

/* Issue 19: the F4 filter matches kana in either script and width and
 * kanji of the title or the 事務 name; "suggest" offers the screens the
 * person qualifies for, writable and not yet saved, each once. */
#include "intake.h"

TEST(screen_kana_filter_and_suggestions)
{
	static const char *const text[] = {
		"screen shutoku\ntitle 国民健康保険 資格取得届\nprocedure kokuho\n"
		"kana コクミンケンコウホケン コクホ シカクシュトクトドケ\n"
		"suggest koza\nsuggest kodomo age 0-17\nsuggest ninsanpu sex 2 age 16-49\n"
		"suggest koza\nsuggest nowhere\nfield a\nlabel x\ntype text\n",
		"screen koza\ntitle 国民健康保険料 口座振替依頼書\nprocedure kokuho\n"
		"kana コクホ コウザフリカエ\nfield a\nlabel x\ntype text\n",
		"screen kodomo\ntitle 医療福祉費受給資格申請（子ども）\nprocedure maru-fuku\n"
		"kana マルフク コドモ\nfield a\nlabel x\ntype text\n",
		"screen ninsanpu\ntitle 医療福祉費受給資格申請（妊産婦）\nprocedure maru-fuku\n"
		"field a\nlabel x\ntype text\n",
	};
	struct screen *v[4];
	struct screen_set set = { 4, v };
	struct person p;
	struct date today = { 2026, 12, 3 };
	const char *saved[2] = { "shutoku", "koza" };
	int menu[4] = { 0, 1, 2, 3 }, out[8], n;
	struct err e;

	for (int i = 0; i < 4; i++)
		REQUIRE_OK(screen_parse("t.screen", text[i], strlen(text[i]), &v[i], &e), &e);
	CHECK_STR(v[0]->kana, "コクミンケンコウホケン コクホ シカクシュトクトドケ");
	CHECK_INT(v[0]->nsuggest, 5);
	CHECK_INT(v[0]->suggest[1].age_min, 0);
	CHECK_INT(v[0]->suggest[1].age_max, 17);
	CHECK_INT(v[0]->suggest[2].sex, 2);
	/* the filter */
	CHECK(intake_menu_match(v[0], ""));
	CHECK(intake_menu_match(v[0], "こくほ"));
	CHECK(intake_menu_match(v[0], "ｺｸﾎ"));
	CHECK(intake_menu_match(v[0], "シカク　シュトク"));
	CHECK(intake_menu_match(v[0], "資格取得"));
	CHECK(intake_menu_match(v[2], "マル福"));	/* the 事務's name */
	CHECK(intake_menu_match(v[3], "妊産婦"));
	CHECK(!intake_menu_match(v[3], "にんさんぷ"));	/* no reading given */
	CHECK(!intake_menu_match(v[1], "シカク"));
	/* an adult man: 口座振替 only */
	memset(&p, 0, sizeof(p));
	p.birth = 19800101;
	p.sex = 1;
	n = intake_suggest(&set, menu, 4, saved, 1, &p, &today, out, 8);
	CHECK_INT(n, 1);
	CHECK_INT(out[0], 1);
	/* a girl of 16: 口座振替 and both マル福 */
	p.birth = 20100101;
	p.sex = 2;
	n = intake_suggest(&set, menu, 4, saved, 1, &p, &today, out, 8);
	CHECK_INT(n, 3);
	CHECK_INT(out[0], 1);
	CHECK_INT(out[1], 2);
	CHECK_INT(out[2], 3);
	/* 口座振替 already saved in the visit; マル福 not writable */
	n = intake_suggest(&set, menu, 2, saved, 2, &p, &today, out, 8);
	CHECK_INT(n, 0);
	for (int i = 0; i < 4; i++)
		screen_free(v[i]);
}
