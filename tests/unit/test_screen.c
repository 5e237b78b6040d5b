/*
 * test_screen.c — the screen-file parser (every error message, each with
 * its file:line), the form model (normalisation, checks, shows-when,
 * INT-6 "only declared fields"), and the JSON round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"
#include "harness.h"
#include "screen.h"

#define HDR "screen s1\ntitle テスト\nprocedure p\n"
#define F1 "field a\nlabel 氏名\ntype text\n"

static struct screen *
parse_ok(const char *text)
{
	struct screen *s = NULL;
	struct err e;

	err_clear(&e);
	if (screen_parse("t.screen", text, strlen(text), &s, &e) != 0)
		t_fail_at(__FILE__, __LINE__, "parse failed: %s", e.msg);
	return s;
}

/* Each bad definition and the exact message it must produce. */
static const struct {
	const char *text;
	const char *msg;
} bad_cases[] = {
	{ "title x\n", "t.screen:1: the file must start with \"screen ID\"" },
	{ "field a\n", "t.screen:1: the file must start with \"screen ID\"" },
	{ "screen Bad\n", "t.screen:1: bad screen id \"Bad\" (a-z, 0-9, _ and -, starting with a letter, at most 47)" },
	{ "screen s\nscreen t\n", "t.screen:2: \"screen\" given twice" },
	{ "screen s\ntitle a\ntitle b\n", "t.screen:3: \"title\" given twice" },
	{ "screen s\nprocedure p\nprocedure q\n", "t.screen:3: \"procedure\" given twice" },
	{ "screen s\nprocedure P!\n", "t.screen:2: bad procedure \"P!\" (a-z, 0-9, _ and -, starting with a letter, at most 47)" },
	{ HDR "bogus 1\n", "t.screen:4: unknown keyword \"bogus\"" },
	{ HDR "title\n", "t.screen:4: \"title\" needs a value" },
	{ HDR "required\n", "t.screen:4: \"required\" outside a field" },
	{ HDR "label x\n", "t.screen:4: \"label\" outside a field" },
	{ HDR F1 "title again\n", "t.screen:7: \"title\" belongs before the first field" },
	{ HDR F1 "required yes\n", "t.screen:7: \"required\" takes no value" },
	{ HDR F1 "required\nrequired\n", "t.screen:8: \"required\" given twice for field \"a\"" },
	{ HDR F1 "label again\n", "t.screen:7: \"label\" given twice for field \"a\"" },
	{ HDR F1 "type text\n", "t.screen:7: \"type\" given twice for field \"a\"" },
	{ HDR "field A\n", "t.screen:4: bad field name \"A\" (a-z, 0-9 and _, starting with a letter, at most 47)" },
	{ HDR "field a-b\n", "t.screen:4: bad field name \"a-b\" (a-z, 0-9 and _, starting with a letter, at most 47)" },
	{ HDR F1 "field a\n", "t.screen:7: field \"a\" declared twice (first on line 4)" },
	{ HDR "field a\ntype text\n", "t.screen:4: field \"a\" has no label" },
	{ HDR "field a\nlabel x\n", "t.screen:4: field \"a\" has no type" },
	{ HDR "field a\nlabel x\nfield b\nlabel y\ntype text\n", "t.screen:4: field \"a\" has no type" },
	{ HDR "field a\nlabel x\ntype strange\n", "t.screen:6: unknown type \"strange\" (text, kana, digits, date, select, checkbox, mynumber, postal, phone, money, year, year-month)" },
	{ HDR "field a\nlabel x\nlength 5\n", "t.screen:6: \"length\" must follow \"type\"" },
	{ HDR "field a\nlabel x\ntype date\nlength 5\n", "t.screen:7: length does not apply to type date" },
	{ HDR "field a\nlabel x\ntype mynumber\nlength 12\n", "t.screen:7: length does not apply to type mynumber" },
	{ HDR F1 "length x\n", "t.screen:7: length: expected MAX or MIN MAX, numbers up to 256" },
	{ HDR F1 "length 0\n", "t.screen:7: length: expected MAX or MIN MAX, numbers up to 256" },
	{ HDR F1 "length 1 2 3\n", "t.screen:7: length: expected MAX or MIN MAX, numbers up to 256" },
	{ HDR F1 "length 300\n", "t.screen:7: length: expected MAX or MIN MAX, numbers up to 256" },
	{ HDR F1 "length 9 3\n", "t.screen:7: length: minimum 9 is greater than maximum 3" },
	{ HDR F1 "length 3\nlength 4\n", "t.screen:8: \"length\" given twice for field \"a\"" },
	{ HDR F1 "options a | b\n", "t.screen:7: options apply only to type select" },
	{ HDR "field a\nlabel x\noptions a\n", "t.screen:6: \"options\" must follow \"type\"" },
	{ HDR "field a\nlabel x\ntype select\n", "t.screen:4: field \"a\": type select needs options" },
	{ HDR "field a\nlabel x\ntype select\noptions a || b\n", "t.screen:7: options: empty option" },
	{ HDR "field a\nlabel x\ntype select\noptions a | | b\n", "t.screen:7: options: empty option" },
	{ HDR "field a\nlabel x\ntype select\noptions a | b |\n", "t.screen:7: options: empty option" },
	{ HDR "field a\nlabel x\ntype select\noptions a | b | a\n", "t.screen:7: options: \"a\" given twice" },
	{ HDR "field a\nlabel x\ntype select\noptions a\noptions b\n", "t.screen:8: \"options\" given twice for field \"a\"" },
	{ HDR "field a\nlabel x\ntype select\noptions a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q|r|s|t|u|v|w|x|y|z|"
	  "aa|bb|cc|dd|ee|ff|gg\n", "t.screen:7: options: too many (max 32)" },
	{ HDR F1 "shows-when b\n", "t.screen:7: shows-when: expected FIELD = VALUE or FIELD != VALUE" },
	{ HDR F1 "shows-when = x\n", "t.screen:7: shows-when: expected FIELD = VALUE or FIELD != VALUE" },
	{ HDR F1 "shows-when zz = x\n", "t.screen:7: shows-when: no field \"zz\" declared before this one" },
	{ HDR F1 "shows-when a = x\n", "t.screen:7: shows-when: no field \"a\" declared before this one" },
	{ HDR "field c\nlabel c\ntype checkbox\n" F1 "shows-when c = yes\n",
	  "t.screen:10: shows-when: checkbox \"c\" is compared with on or off" },
	{ HDR "field c\nlabel c\ntype select\noptions x | y\n" F1 "shows-when c = z\n",
	  "t.screen:11: shows-when: \"z\" is not an option of \"c\"" },
	{ HDR "field c\nlabel c\ntype checkbox\n" F1 "shows-when c = on\nshows-when c = off\n",
	  "t.screen:11: \"shows-when\" given twice for field \"a\"" },
	{ HDR F1 "prefill card.nothing\n", "t.screen:7: unknown prefill source \"card.nothing\" (see madoguchi-screen(5))" },
	{ HDR F1 "prefill card.name\nprefill card.name\n", "t.screen:8: \"prefill\" given twice for field \"a\"" },
	{ HDR "field a\nlabel x\ncheck age 1 2\n", "t.screen:6: \"check\" must follow \"type\"" },
	{ HDR F1 "check shape\n", "t.screen:7: unknown check \"shape\" (age, age-fiscal, regex, not-before, not-after, insurer-number, option-needs)" },
	{ HDR F1 "check age 1 2\n", "t.screen:7: check age applies only to type date" },
	{ HDR F1 "check age-fiscal 1 2\n", "t.screen:7: check age-fiscal applies only to type date" },
	{ HDR "field d\nlabel d\ntype date\ncheck age 1\n", "t.screen:7: check age: expected MIN MAX, years 0-150" },
	{ HDR "field d\nlabel d\ntype date\ncheck age 1 200\n", "t.screen:7: check age: expected MIN MAX, years 0-150" },
	{ HDR "field d\nlabel d\ntype date\ncheck age 9 3\n", "t.screen:7: check age: minimum 9 is greater than maximum 3" },
	{ HDR "field d\nlabel d\ntype date\ncheck age-fiscal x y\n", "t.screen:7: check age-fiscal: expected MIN MAX, years 0-150" },
	{ HDR F1 "check regex\n", "t.screen:7: check regex: expected a pattern" },
	{ HDR F1 "check regex a(b\n", "t.screen:7: check regex: Unmatched ( or \\(" },
	{ HDR "field d\nlabel d\ntype date\ncheck regex x\n", "t.screen:7: check regex does not apply to type date" },
	{ HDR F1 "check not-before today\n", "t.screen:7: check not-before applies only to types date, year and year-month" },
	{ HDR "field d\nlabel d\ntype date\ncheck not-after\n", "t.screen:7: check not-after: expected a date field or today" },
	{ HDR "field d\nlabel d\ntype date\ncheck not-after x y\n", "t.screen:7: check not-after: expected a date field or today" },
	{ HDR F1 "field d\nlabel d\ntype date\ncheck not-before a\n",
	  "t.screen:10: check not-before: \"a\" is not a date field declared before this one" },
	{ HDR "field d\nlabel d\ntype date\ncheck not-before e\n",
	  "t.screen:7: check not-before: \"e\" is not a date field declared before this one" },
	{ HDR "field d\nlabel d\ntype date\ncheck age 0 1\ncheck age 0 1\ncheck age 0 1\ncheck age 0 1\n"
	  "check age 0 1\ncheck age 0 1\ncheck age 0 1\ncheck age 0 1\ncheck age 0 1\n",
	  "t.screen:15: too many checks for field \"d\" (max 8)" },
	{ HDR F1 "label \xff\n", "t.screen:7: invalid UTF-8" },
	{ HDR "field a\nlabel x\x01y\n", "t.screen:5: control character in line" },
	{ "screen s\ntitle a\0b\n", "t.screen:2: NUL byte in line" },
	{ "", "t.screen:0: missing \"screen\"" },
	{ "# only a comment\n\n", "t.screen:0: missing \"screen\"" },
	{ "screen s\n", "t.screen:0: missing \"title\"" },
	{ "screen s\ntitle t\n", "t.screen:0: missing \"procedure\"" },
	{ HDR, "t.screen:0: no fields" },
	{ HDR "purpose x\n" F1 "purpose y\n", "t.screen:8: \"purpose\" belongs before the first field" },
};

TEST(screen_parser_every_error_message)
{
	/* Every rule of madoguchi-screen(5) has its message with file:line. */
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct screen *s = (struct screen *)1;
		struct err e;
		size_t n = strlen(bad_cases[i].text);
		/* the NUL case carries its NUL inside the literal */
		if (strncmp(bad_cases[i].text, "screen s\ntitle a", 16) == 0 && n == 16)
			n = 19;
		err_clear(&e);
		int r = screen_parse("t.screen", bad_cases[i].text, n, &s, &e);
		if (r != ERR_FORMAT || s != NULL || strcmp(e.msg, bad_cases[i].msg) != 0)
			t_fail_at(__FILE__, __LINE__, "case %zu: r=%d msg \"%s\", expected \"%s\"",
			    i, r, e.msg, bad_cases[i].msg);
	}
}

TEST(screen_parser_limits)
{
	struct screen *s;
	struct err e;
	char *big;
	size_t off;

	/* too many fields */
	big = malloc(64 * 1024);
	REQUIRE(big != NULL);
	off = (size_t)sprintf(big, HDR);
	for (int i = 0; i <= SCREEN_FIELDS_MAX; i++)
		off += (size_t)sprintf(big + off, "field f%d\nlabel l\ntype text\n", i);
	CHECK_INT(screen_parse("t.screen", big, off, &s, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "t.screen:388: too many fields (max 128)");
	/* a line longer than 1024 bytes */
	off = (size_t)sprintf(big, HDR "field a\nlabel ");
	memset(big + off, 'x', 1100);
	off += 1100;
	big[off++] = '\n';
	CHECK_INT(screen_parse("t.screen", big, off, &s, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "t.screen:5: line too long (max 1024 bytes)");
	/* a label longer than SCREEN_TEXT_MAX */
	off = (size_t)sprintf(big, HDR "field a\nlabel ");
	memset(big + off, 'x', 300);
	off += 300;
	big[off++] = '\n';
	CHECK_INT(screen_parse("t.screen", big, off, &s, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "t.screen:5: text too long (max 255 bytes)");
	/* a whole file over the limit */
	free(big);
	big = calloc(1, SCREEN_FILE_MAX + 1);
	REQUIRE(big != NULL);
	CHECK_INT(screen_parse("t.screen", big, SCREEN_FILE_MAX + 1, &s, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "t.screen:0: file larger than 262144 bytes");
	free(big);
}

TEST(screen_parser_accepts_everything_documented)
{
	struct screen *s = parse_ok(
	    "# a comment\n"
	    "screen nhi-test\n"
	    "title 国民健康保険 テスト\n"
	    "procedure nhi\n"
	    "purpose 資格の管理のために利用します。\n"
	    "purpose 二行目。\n"
	    "\n"
	    "field name\n"
	    "  label 氏名\n"
	    "  type text\n"
	    "  required\n"
	    "  length 1 30\n"
	    "  prefill card.name\n"
	    "field kind\n"
	    "\tlabel 区分\n"
	    "\ttype select\n"
	    "\toptions 転入 | 出生 | その他\n"
	    "field other\n"
	    "  label その他の理由\n"
	    "  type text\n"
	    "  shows-when kind = その他\n"
	    "field birth\n"
	    "  label 生年月日\n"
	    "  type date\n"
	    "  check age 0 18\n"
	    "  check not-after today\n"
	    "field since\n"
	    "  label 取得日\n"
	    "  type date\n"
	    "  check not-before birth\n"
	    "field code\n"
	    "  label 記号\n"
	    "  type digits\n"
	    "  check regex ^[0-9]{2} ?[0-9]*$\n"
	    "field agree\n"
	    "  label 同意\n"
	    "  type checkbox\n"
	    "field doc\n"
	    "  label 同意書\n"
	    "  type checkbox\n"
	    "  shows-when agree != off\n");
	REQUIRE(s != NULL);
	CHECK_STR(s->id, "nhi-test");
	CHECK_STR(s->title, "国民健康保険 テスト");
	CHECK_STR(s->procedure, "nhi");
	CHECK_STR(s->purpose, "資格の管理のために利用します。\n二行目。");
	CHECK_INT(s->nfields, 8);
	CHECK_STR(s->fields[0].prefill, "card.name");
	CHECK_INT(s->fields[0].min_len, 1);
	CHECK_INT(s->fields[0].max_len, 30);
	CHECK_INT(s->fields[0].required, 1);
	CHECK_INT(s->fields[1].noptions, 3);
	CHECK_STR(s->fields[1].options[2], "その他");
	CHECK_INT(s->fields[2].when.ref, 1);
	CHECK_STR(s->fields[2].when.value, "その他");
	CHECK_INT(s->fields[3].nchecks, 2);
	CHECK_INT(s->fields[4].checks[0].ref, 3);
	CHECK_STR(s->fields[5].checks[0].src, "^[0-9]{2} ?[0-9]*$");
	CHECK_INT(s->fields[7].when.op, '!');
	CHECK_INT(s->fields[7].when.ref, 6);
	CHECK_INT(screen_field(s, "birth"), 3);
	CHECK_INT(screen_field(s, "nope"), -1);
	screen_free(s);
}

static struct screen *
test_screen(void)
{
	return parse_ok(HDR
	    "field name\nlabel 氏名\ntype text\nrequired\nlength 10\n"
	    "field kana\nlabel カナ\ntype kana\n"
	    "field num\nlabel 番号\ntype mynumber\n"
	    "field birth\nlabel 生年月日\ntype date\ncheck age 65 69\n"
	    "field child\nlabel 子\ntype date\ncheck age-fiscal 0 18\n"
	    "field from\nlabel 開始日\ntype date\n"
	    "field to\nlabel 終了日\ntype date\ncheck not-before from\n"
	    "field kind\nlabel 区分\ntype select\noptions 新規 | 変更\n"
	    "field why\nlabel 理由\ntype text\nshows-when kind = 変更\nrequired\n"
	    "field ok\nlabel 同意\ntype checkbox\n"
	    "field doc\nlabel 同意書番号\ntype digits\nlength 2 4\nshows-when ok = on\n"
	    "field zip\nlabel 郵便番号\ntype postal\n"
	    "field tel\nlabel 電話\ntype phone\n"
	    "field yen\nlabel 金額\ntype money\nlength 6\n"
	    "field code\nlabel 記号\ntype text\ncheck regex ^[A-Z]{2}[0-9]+$\n");
}

TEST(form_normalises_and_checks_values)
{
	struct screen *s = test_screen();
	struct form *f;
	struct err e;

	REQUIRE(s != NULL);
	f = form_new(s);
	REQUIRE(f != NULL);
	f->today = (struct date){ 2025, 6, 1 };
	CHECK_OK(form_set(f, "name", "　山田 太郎 ", &e), &e);
	CHECK_STR(form_get(f, "name"), "山田 太郎");
	CHECK_INT(form_set(f, "name", "あいうえおかきくけこさ", &e), ERR_RANGE);
	CHECK(strstr(err_ja(&e), "「氏名」") != NULL);
	CHECK_STR(form_get(f, "name"), "山田 太郎");	/* old value stays */
	CHECK_OK(form_set(f, "kana", "ﾔﾏﾀﾞ　たろう", &e), &e);
	CHECK_STR(form_get(f, "kana"), "ヤマダ タロウ");
	CHECK_INT(form_set(f, "kana", "山田", &e), ERR_FORMAT);
	/* 個人番号: check digit (ID-4); the message never holds the number */
	CHECK_OK(form_set(f, "num", "１２３４ ５６７８ ９０１８", &e), &e);
	CHECK_STR(form_get(f, "num"), "123456789018");
	CHECK_INT(form_set(f, "num", "123456789012", &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "123456789012") == NULL && strstr(err_ja(&e), "123456789012") == NULL);
	CHECK_INT(form_set(f, "num", "12345", &e), ERR_FORMAT);
	/* dates: 和暦 in, ISO stored; age range on the date */
	CHECK_OK(form_set(f, "birth", "S32.5.1", &e), &e);	/* 68 */
	CHECK_STR(form_get(f, "birth"), "1957-05-01");
	CHECK_OK(form_set(f, "birth", "昭和30年6月2日", &e), &e);	/* still 69 on 6/1 */
	CHECK_INT(form_set(f, "birth", "1955-06-01", &e), ERR_RANGE);	/* 70 today */
	CHECK(strstr(err_ja(&e), "65歳から69歳") != NULL);
	CHECK_INT(form_set(f, "birth", "R7.2.30", &e), ERR_FORMAT);
	/* fiscal age: the age on 1 April 2025 counts (17 in, 19 out) */
	CHECK_OK(form_set(f, "child", "2007-04-02", &e), &e);
	CHECK_INT(form_set(f, "child", "2006-04-01", &e), ERR_RANGE);
	/* select: only the options */
	CHECK_INT(form_set(f, "kind", "廃止", &e), ERR_FORMAT);
	CHECK_OK(form_set(f, "kind", "新規", &e), &e);
	/* checkbox */
	CHECK_OK(form_set(f, "ok", "on", &e), &e);
	CHECK_STR(form_get(f, "ok"), "1");
	CHECK_INT(form_set(f, "ok", "maybe", &e), ERR_FORMAT);
	/* digits with length bounds; full-width digits folded */
	CHECK_OK(form_set(f, "doc", "１２3", &e), &e);
	CHECK_STR(form_get(f, "doc"), "123");
	CHECK_INT(form_set(f, "doc", "1", &e), ERR_RANGE);
	CHECK_INT(form_set(f, "doc", "12a", &e), ERR_FORMAT);
	/* postal, phone, money */
	CHECK_OK(form_set(f, "zip", "1000001", &e), &e);
	CHECK_STR(form_get(f, "zip"), "100-0001");
	CHECK_OK(form_set(f, "zip", "１００－０００２", &e), &e);
	CHECK_STR(form_get(f, "zip"), "100-0002");
	CHECK_INT(form_set(f, "zip", "10-00001", &e), ERR_FORMAT);
	CHECK_OK(form_set(f, "tel", "03-1234-5678", &e), &e);
	CHECK_INT(form_set(f, "tel", "12345", &e), ERR_FORMAT);
	CHECK_INT(form_set(f, "tel", "3-1234-56789", &e), ERR_FORMAT);
	CHECK_OK(form_set(f, "yen", "12,000円", &e), &e);
	CHECK_STR(form_get(f, "yen"), "12000");
	CHECK_INT(form_set(f, "yen", "1234567", &e), ERR_RANGE);
	CHECK_INT(form_set(f, "yen", "abc", &e), ERR_FORMAT);
	/* regex */
	CHECK_OK(form_set(f, "code", "AB12", &e), &e);
	CHECK_INT(form_set(f, "code", "ab12", &e), ERR_FORMAT);
	/* INT-6: nothing outside the declaration */
	CHECK_INT(form_set(f, "extra", "x", &e), ERR_NOTFOUND);
	CHECK_INT(form_set_index(f, 99, "x", &e), ERR_NOTFOUND);
	/* empty clears */
	CHECK_OK(form_set(f, "code", "", &e), &e);
	CHECK_STR(form_get(f, "code"), "");
	form_free(f);
	screen_free(s);
}

TEST(form_validate_required_shows_when_and_date_order)
{
	struct screen *s = test_screen();
	struct form *f;
	struct err e;
	int bad;

	REQUIRE(s != NULL);
	f = form_new(s);
	REQUIRE(f != NULL);
	CHECK_INT(form_validate(f, &bad, &e), ERR_INVAL);
	CHECK_INT(bad, 0);
	CHECK(strstr(err_ja(&e), "「氏名」: 入力が必要です") != NULL);
	CHECK_OK(form_set(f, "name", "山田", &e), &e);
	CHECK_OK(form_validate(f, &bad, &e), &e);
	CHECK_INT(bad, -1);
	/* why is required only while shown */
	CHECK_INT(form_field_shown(f, screen_field(s, "why")), 0);
	CHECK_OK(form_set(f, "kind", "変更", &e), &e);
	CHECK_INT(form_field_shown(f, screen_field(s, "why")), 1);
	CHECK_INT(form_validate(f, &bad, &e), ERR_INVAL);
	CHECK_INT(bad, screen_field(s, "why"));
	CHECK_OK(form_set(f, "why", "住所変更", &e), &e);
	CHECK_OK(form_validate(f, &bad, &e), &e);
	/* checkbox condition */
	CHECK_INT(form_field_shown(f, screen_field(s, "doc")), 0);
	CHECK_OK(form_set(f, "ok", "1", &e), &e);
	CHECK_INT(form_field_shown(f, screen_field(s, "doc")), 1);
	/* dates in order */
	CHECK_OK(form_set(f, "from", "2025-04-01", &e), &e);
	CHECK_OK(form_set(f, "to", "R7.3.31", &e), &e);
	CHECK_INT(form_validate(f, &bad, &e), ERR_RANGE);
	CHECK_INT(bad, screen_field(s, "to"));
	CHECK(strstr(err_ja(&e), "「開始日」より前") != NULL);
	CHECK_OK(form_set(f, "to", "R7.4.1", &e), &e);
	CHECK_OK(form_validate(f, &bad, &e), &e);
	form_free(f);
	screen_free(s);
}

TEST(form_json_round_trip_and_only_declared_fields)
{
	struct screen *s = test_screen();
	struct form *f, *g;
	struct wbuf w;
	struct err e;

	REQUIRE(s != NULL);
	f = form_new(s);
	g = form_new(s);
	REQUIRE(f != NULL && g != NULL);
	f->today = g->today = (struct date){ 2025, 6, 1 };
	CHECK_OK(form_set(f, "name", "山田 \"太郎\"", &e), &e);
	CHECK_OK(form_set(f, "kind", "新規", &e), &e);
	CHECK_OK(form_set(f, "why", "hidden", &e), &e);	/* not shown: not written */
	CHECK_OK(form_set(f, "ok", "1", &e), &e);
	CHECK_OK(form_set(f, "yen", "1200", &e), &e);
	CHECK_INT(form_set(f, "birth", "R2.1.1", &e), ERR_RANGE);
	wbuf_init(&w, 0);
	CHECK_OK(form_to_json(f, &w, &e), &e);
	CHECK_STR(wbuf_str(&w), "{\"name\":\"山田 \\\"太郎\\\"\",\"kind\":\"新規\",\"ok\":true,"
	    "\"yen\":1200}");
	/* birth failed the age check and was not set */
	CHECK_OK(form_from_json(g, (const char *)w.p, w.len, &e), &e);
	CHECK_STR(form_get(g, "name"), "山田 \"太郎\"");
	CHECK_STR(form_get(g, "ok"), "1");
	CHECK_STR(form_get(g, "yen"), "1200");
	CHECK_STR(form_get(g, "why"), "");
	wbuf_free(&w);

	/* INT-6: an undeclared member is refused and the form stays empty */
	const char *extra = "{\"name\":\"x\",\"salary\":\"1\"}";
	CHECK_INT(form_from_json(g, extra, strlen(extra), &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "no field \"salary\"") != NULL);
	CHECK_STR(form_get(g, "name"), "");
	/* wrong JSON types, invalid values, hidden fields, duplicates */
	const char *cases[] = {
		"[1]", "{\"ok\":\"1\"}", "{\"name\":1}", "{\"yen\":1.5}", "{\"num\":\"123456789012\"}",
		"{\"why\":\"x\"}", "{\"name\":\"a\",\"name\":\"b\"}", "{\"kind\":\"廃止\"}", "{",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (form_from_json(g, cases[i], strlen(cases[i]), &e) == 0)
			t_fail_at(__FILE__, __LINE__, "accepted %s", cases[i]);
	}
	/* money as a string is accepted too */
	const char *ms = "{\"yen\":\"3,000\"}";
	CHECK_OK(form_from_json(g, ms, strlen(ms), &e), &e);
	CHECK_STR(form_get(g, "yen"), "3000");
	form_free(f);
	form_free(g);
	screen_free(s);
}

TEST(form_display_masks_and_formats)
{
	struct screen *s = test_screen();
	struct form *f;
	struct err e;
	char out[128];

	REQUIRE(s != NULL);
	f = form_new(s);
	REQUIRE(f != NULL);
	CHECK_OK(form_set(f, "num", "123456789018", &e), &e);
	form_display(f, screen_field(s, "num"), 0, out, sizeof(out));
	CHECK_STR(out, "**** **** 9018");	/* SC-1: masked by default */
	form_display(f, screen_field(s, "num"), 1, out, sizeof(out));
	CHECK_STR(out, "1234 5678 9018");
	CHECK_OK(form_set(f, "from", "2019-05-01", &e), &e);
	form_display(f, screen_field(s, "from"), 0, out, sizeof(out));
	CHECK_STR(out, "令和元年5月1日 (2019-05-01)");
	CHECK_INT(form_set(f, "yen", "1234567", &e), ERR_RANGE);
	CHECK_OK(form_set(f, "yen", "123456", &e), &e);
	form_display(f, screen_field(s, "yen"), 0, out, sizeof(out));
	CHECK_STR(out, "123,456円");
	form_free(f);
	screen_free(s);
}

TEST(screen_set_loads_directory_and_refuses_duplicates)
{
	struct screen_set *set;
	struct err e;
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s/sc", t_tmpdir());
	REQUIRE(mkdir(dir, 0700) == 0);
	REQUIRE(t_write_file(t_path("sc/a.screen"), HDR F1, strlen(HDR F1)) == 0);
	REQUIRE(t_write_file(t_path("sc/ignored.txt"), "junk", 4) == 0);
	CHECK_OK(screen_set_load(dir, &set, &e), &e);
	REQUIRE(set != NULL);
	CHECK_INT(set->n, 1);
	CHECK(screen_set_find(set, "s1") != NULL);
	CHECK(screen_set_find(set, "zz") == NULL);
	screen_set_free(set);
	REQUIRE(t_write_file(t_path("sc/b.screen"), HDR F1, strlen(HDR F1)) == 0);
	CHECK_INT(screen_set_load(dir, &set, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "b.screen:0: screen id \"s1\" already used by a.screen");
	REQUIRE(t_write_file(t_path("sc/b.screen"), HDR "oops\n", strlen(HDR "oops\n")) == 0);
	CHECK_INT(screen_set_load(dir, &set, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "b.screen:4: unknown keyword \"oops\"");
}

TEST(screen_files_in_the_tree_all_load)
{
	/* Every committed screen (screens/ and the test forms) is valid. */
	const char *dirs[] = { "screens", "tests/tui/screens" };
	for (size_t i = 0; i < 2; i++) {
		struct screen_set *set;
		struct err e;
		char d[1024];
		snprintf(d, sizeof(d), "%s/%s", t_srcdir(), dirs[i]);
		CHECK_OK(screen_set_load(d, &set, &e), &e);
		if (set != NULL) {
			CHECK(set->n > 0);
			screen_set_free(set);
		}
	}
}

TEST(man_page_complete_example_parses_and_its_json_loads)
{
	/* madoguchi-screen(5) shows a complete example and the JSON of a
	 * filled form: both must be what the engine accepts. */
	char path[1024], *man, *a, *b, *j, *je, json[2048];
	struct screen *s;
	struct form *f;
	struct err e;
	size_t n, o = 0;

	snprintf(path, sizeof(path), "%s/man/madoguchi-screen.5", t_srcdir());
	man = t_read_file(path, &n);
	REQUIRE(man != NULL);
	a = strstr(man, "# 医療費助成 申請（例）");
	REQUIRE(a != NULL);
	b = strstr(a, "\n.Ed");
	REQUIRE(b != NULL);
	REQUIRE_OK(screen_parse("example.screen", a, (size_t)(b - a + 1), &s, &e), &e);
	CHECK(s->nfields >= 15);
	j = strstr(b, "{\"name\"");
	REQUIRE(j != NULL);
	je = strstr(j, "\n.Ed");
	REQUIRE(je != NULL);
	for (char *p = j; p < je && o + 1 < sizeof(json); p++)
		if (*p != '\n')
			json[o++] = *p;
	json[o] = '\0';
	f = form_new(s);
	REQUIRE(f != NULL);
	f->today = (struct date){ 2026, 4, 1 };
	CHECK_OK(form_from_json(f, json, o, &e), &e);
	CHECK_OK(form_validate(f, NULL, &e), &e);
	form_free(f);
	screen_free(s);
	free(man);
}

TEST(screen_parser_length_limits_and_files)
{
	/* The remaining messages: values over their limits, and files that
	 * cannot be read (file:0). */
	struct screen *s;
	struct err e;
	char buf[4096], big[400];
	int n;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = snprintf(buf, sizeof(buf), HDR "field a\nlabel l\ntype select\noptions a | %.100s\n", big);
	CHECK_INT(screen_parse("t.screen", buf, (size_t)n, &s, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "t.screen:7: options: option too long (max 95 bytes)");
	n = snprintf(buf, sizeof(buf), HDR "field c\nlabel c\ntype text\n" F1 "shows-when c = %.100s\n", big);
	CHECK_INT(screen_parse("t.screen", buf, (size_t)n, &s, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "t.screen:10: shows-when: value too long (max 95 bytes)");
	n = snprintf(buf, sizeof(buf), HDR F1 "check regex %.300s\n", big);
	CHECK_INT(screen_parse("t.screen", buf, (size_t)n, &s, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "t.screen:7: check regex: pattern too long (max 255 bytes)");
	n = snprintf(buf, sizeof(buf), HDR);
	for (int i = 0; i < 5; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "purpose %.250s\n", big);
	CHECK_INT(screen_parse("t.screen", buf, (size_t)n, &s, &e), ERR_FORMAT);
	CHECK_STR(e.msg, "t.screen:8: purpose too long (max 1023 bytes in all)");
	/* files */
	CHECK_INT(screen_load(t_path("missing.screen"), &s, &e), ERR_IO);
	CHECK(strncmp(e.msg, "missing.screen:0: cannot open:", 30) == 0);
	REQUIRE(mkdir(t_path("dir.screen"), 0700) == 0);
	CHECK_INT(screen_load(t_path("dir.screen"), &s, &e), ERR_IO);
	CHECK_STR(e.msg, "dir.screen:0: not a regular file");
	CHECK_INT(screen_set_load(t_path("nodir"), (struct screen_set **)&s, &e), ERR_IO);
}
