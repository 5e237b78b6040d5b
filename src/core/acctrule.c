/*
 * acctrule.c — the account rules of every path (issue 14; AC-1 individual
 * accounts, AC-2 a recorded request, AC-3 an end date).  The word list and
 * the request check were the central's `user add` checks (issue 15);
 * they live here so that the terminal's init and user commands, the
 * central's user commands and its account import refuse alike.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "acctrule.h"

static const char *const generic_words[] = {
	"admin", "administrator", "root", "user", "users", "guest", "shared",
	"share", "common", "kyoyu", "kyouyu", "kyoyou", "kyouyou", "test",
	"tester", "testing", "demo", "sample", "temp", "tmp", "staff",
	"operator", "clerk", "reviewer", "madoguchi", "window", "counter",
	"desk", "default", "anonymous", "public", "system", "sysadmin",
	"support", "kanri", "kanrisha", "tanto", "tantou", "shokuin",
	"uketsuke", "account", "login", "terminal", "branch", "office", "team",
	"group", "all", "everyone", "nobody", "master", "dummy", "trial",
	"training",
	"窓口", "共用", "共有", "管理者", "管理", "ゲスト", "テスト", "担当",
	"担当者", "職員", "利用者", "ユーザー", "ユーザ", "受付", "試験", "研修",
	"係", "課", "全員", "代表", "臨時", "仮", "まどぐち", "マドグチ",
	"きょうよう", "キョウヨウ", NULL
};

/* s (n bytes) is a concatenation of generic words (n == 0 counts). */
static int
all_generic(const char *s, size_t n)
{
	size_t k, l;

	if (n == 0)
		return 1;
	for (k = 0; generic_words[k] != NULL; k++) {
		l = strlen(generic_words[k]);
		if (l <= n && memcmp(s, generic_words[k], l) == 0 &&
		    all_generic(s + l, n - l))
			return 1;
	}
	return 0;
}

/* The letters of s: ASCII lowered, full-width Latin letters folded to
 * ASCII, without ASCII and full-width digits, blanks (also U+3000), '-',
 * '_', '.' and '・'. */
static size_t
letters_of(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != '\0') {
		if ((*p >= '0' && *p <= '9') || *p == ' ' || *p == '-' ||
		    *p == '_' || *p == '.' || *p == '\t') {
			p++;
			continue;
		}
		if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) {
			p += 3;		/* ０..９ */
			continue;
		}
		if ((p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) ||	/* U+3000 */
		    (p[0] == 0xe3 && p[1] == 0x83 && p[2] == 0xbb) ||	/* ・ */
		    (p[0] == 0xef && p[1] == 0xbc && p[2] == 0x8d) ||	/* － */
		    (p[0] == 0xef && p[1] == 0xbc && p[2] == 0x8e) ||	/* ． */
		    (p[0] == 0xef && p[1] == 0xbc && p[2] == 0xbf)) {	/* ＿ */
			p += 3;
			continue;
		}
		if (n + 1 >= cap)
			break;
		/* Ａ..Ｚ (EF BC A1..BA), ａ..ｚ (EF BD 81..9A) */
		if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0xa1 && p[2] <= 0xba) {
			out[n++] = (char)('a' + (p[2] - 0xa1));
			p += 3;
			continue;
		}
		if (p[0] == 0xef && p[1] == 0xbd && p[2] >= 0x81 && p[2] <= 0x9a) {
			out[n++] = (char)('a' + (p[2] - 0x81));
			p += 3;
			continue;
		}
		out[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		p++;
	}
	out[n] = '\0';
	return n;
}

int
account_rule_name(const char *name, const char *what, struct err *e)
{
	char l[600];
	size_t n;

	if (name == NULL)
		name = "";
	n = letters_of(name, l, sizeof(l));
	if (all_generic(l, n))
		return err_set_ja(e, ERR_INVAL, "共用・汎用の名前は使えません。"
		    "本人の氏名にしてください（AC-1）",
		    "%s \"%.64s\" is generic or shared; accounts are individual"
		    " (AC-1): use the person's own name", what, name);
	return 0;
}

int
account_rule_request(const char *r, struct err *e)
{
	static const char *const placeholder[] = { "-", "--", "none", "n/a",
		"na", "tbd", "todo", "x", "?", "0", "なし", "不明", "未定", "－",
		NULL };
	const unsigned char *p;
	size_t k;

	if (r == NULL || r[0] == '\0')
		return err_set_ja(e, ERR_INVAL, "申請（依頼）の番号が必要です（AC-2）",
		    "a request reference is required (--request REF; the"
		    " request column of an import): every issuance, change and"
		    " revocation is made against a recorded request (AC-2)");
	if (strlen(r) > 128)
		return err_set(e, ERR_INVAL, "request reference: at most 128 bytes");
	for (p = (const unsigned char *)r; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return err_set(e, ERR_INVAL, "request reference: no control"
			    " characters");
	for (k = 0; placeholder[k] != NULL; k++)
		if (strcasecmp(r, placeholder[k]) == 0)
			return err_set_ja(e, ERR_INVAL, "申請（依頼）の番号が必要です（AC-2）",
			    "--request \"%s\" is not a request reference (AC-2)", r);
	return 0;
}

int
account_fiscal_end(const struct date *d)
{
	return (date_fiscal_year(d) + 1) * 10000 + 331;
}

int
account_rule_until(int *until, const struct date *today, int past_ok,
    struct err *e)
{
	struct date t, d, next;
	int limit;

	if (today == NULL) {
		date_today(&t);
		today = &t;
	}
	if (*until == 0) {
		*until = account_fiscal_end(today);
		return 0;
	}
	if (date_from_ymd(*until, &d) != 0)
		return err_set(e, ERR_INVAL, "valid until %d is not a date", *until);
	if (!past_ok && date_cmp(&d, today) < 0)
		return err_set_ja(e, ERR_INVAL, "有効期限が過去の日付です（AC-3）",
		    "--valid-until %04d-%02d-%02d is in the past (AC-3)", d.y, d.m, d.d);
	next.y = date_fiscal_year(today) + 1;
	next.m = 4;
	next.d = 1;
	limit = account_fiscal_end(&next);
	if (*until > limit)
		return err_set_ja(e, ERR_INVAL, "有効期限は翌年度末までです（AC-3）",
		    "--valid-until %04d-%02d-%02d is later than the end of the next"
		    " fiscal year (%04d-03-31): accounts end with the fiscal year and"
		    " are renewed (AC-3)", d.y, d.m, d.d, limit / 10000);
	return 0;
}

int
account_rules_check(const struct account_rule_args *a, struct err *e)
{
	int r;

	if (a->name != NULL && (r = account_rule_name(a->name, "login name", e)) != 0)
		return r;
	if (a->display != NULL && a->display[0] != '\0' &&
	    (r = account_rule_name(a->display, "display name", e)) != 0)
		return r;
	if ((r = account_rule_request(a->request, e)) != 0)
		return r;
	if (a->until != NULL && (r = account_rule_until(a->until, a->today, a->past_ok, e)) != 0)
		return r;
	return 0;
}
