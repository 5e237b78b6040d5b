/*
 * form.c — one filling of a screen: values per declared field, their
 * normalisation and checks, and the JSON the store keeps (INT-6: only
 * declared fields exist, in both directions).
 *
 * Error texts for the clerk name the field by its label and never contain
 * the value (it may be a 個人番号 or other personal data); the English text
 * names the field by its id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen.h"

struct form *
form_new(const struct screen *s)
{
	struct form *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->s = s;
	if ((f->values = calloc((size_t)s->nfields, sizeof(char *))) == NULL) {
		free(f);
		return NULL;
	}
	for (int i = 0; i < s->nfields; i++) {
		if ((f->values[i] = calloc(1, 1)) == NULL) {
			form_free(f);
			return NULL;
		}
	}
	date_today(&f->today);
	return f;
}

void
form_free(struct form *f)
{
	if (f == NULL)
		return;
	for (int i = 0; i < f->s->nfields; i++) {
		if (f->values[i] != NULL) {
			mem_wipe(f->values[i], strlen(f->values[i]));
			free(f->values[i]);
		}
	}
	free(f->values);
	free(f);
}

/* The first bytes of s, at most max, never ending inside a character
 * (Japanese messages are cut to fit struct err). */
static const char *
text_cut(const char *s, size_t max, char *buf, size_t cap)
{
	size_t n = strlen(s), o = 0;

	if (max >= cap)
		max = cap - 1;
	while (o < n) {
		uint32_t cp;
		int l = utf8_decode(s + o, n - o, &cp);
		if (l < 0 || o + (size_t)l > max)
			break;
		o += (size_t)l;
	}
	memcpy(buf, s, o);
	buf[o] = '\0';
	return buf;
}

static int
ferr(const struct field *fd, struct err *e, int code, const char *ja_reason,
    const char *en_reason)
{
	char ja[ERR_MSG_MAX * 2], l[100], r[140];

	snprintf(ja, sizeof(ja), "「%s」: %s", text_cut(fd->label, 90, l, sizeof(l)),
	    text_cut(ja_reason, 140, r, sizeof(r)));
	return err_set_ja(e, code, ja, "field %s: %s", fd->name, en_reason);
}

/* Full-width digits and the ideographic space to ASCII; other characters
 * are kept.  out has room for n+1 bytes (never grows). */
static void
fold_ascii(const char *in, char *out, size_t cap)
{
	size_t o = 0, n = strlen(in);

	for (size_t i = 0; i < n && o + 1 < cap;) {
		uint32_t cp;
		int l = utf8_decode(in + i, n - i, &cp);
		if (l < 0) {
			out[o++] = in[i++];
			continue;
		}
		if (cp >= 0xff10 && cp <= 0xff19)
			out[o++] = (char)('0' + (cp - 0xff10));
		else if (cp == 0xff0d || cp == 0x2212 || cp == 0x30fc || cp == 0x2010 || cp == 0x2015)
			out[o++] = '-';	/* full-width hyphen-likes in numbers */
		else if (cp == 0x3000)
			out[o++] = ' ';
		else if (cp == 0xff0c)
			out[o++] = ',';
		else {
			if (o + (size_t)l >= cap)
				break;
			memcpy(out + o, in + i, (size_t)l);
			o += (size_t)l;
		}
		i += (size_t)l;
	}
	out[o] = '\0';
}

/* Keep only the characters of keep; return 0, or -1 when something else
 * (not in drop either) is present. */
static int
only(const char *in, const char *keep, const char *drop, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *p = in; *p; p++) {
		if (strchr(keep, *p) != NULL) {
			if (o + 1 >= cap)
				return -1;
			out[o++] = *p;
		} else if (strchr(drop, *p) == NULL)
			return -1;
	}
	out[o] = '\0';
	return 0;
}

static int
all_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
is_katakana_text(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int l = utf8_decode(s + i, n - i, &cp);
		if (l < 0)
			return 0;
		if (!((cp >= 0x30a1 && cp <= 0x30fa) || cp == 0x30fb || cp == 0x30fc ||
		    cp == 0x30fd || cp == 0x30fe || cp == ' '))
			return 0;
		i += (size_t)l;
	}
	return 1;
}

/* What a length check allows, said as the clerk needs it: "8桁",
 * "6〜8桁", "1〜40文字", "40文字以内". */
static void
length_text(const struct field *fd, char *out, size_t cap)
{
	const char *unit = fd->type == FT_DIGITS ? "桁" : "文字";

	if (fd->min_len > 0 && fd->min_len == fd->max_len)
		snprintf(out, cap, "%d%s", fd->max_len, unit);
	else if (fd->min_len > 0 && fd->max_len > 0)
		snprintf(out, cap, "%d〜%d%s", fd->min_len, fd->max_len, unit);
	else if (fd->max_len > 0)
		snprintf(out, cap, "%d%s以内", fd->max_len, unit);
	else
		snprintf(out, cap, "%d%s以上", fd->min_len, unit);
}

static int
length_ok(const struct field *fd, int len, struct err *e)
{
	char ja[128], en[96], allowed[48];

	if ((fd->max_len > 0 && len > fd->max_len) || len < fd->min_len) {
		length_text(fd, allowed, sizeof(allowed));
		snprintf(ja, sizeof(ja), "%sで入力してください（いま%d%s）", allowed, len,
		    fd->type == FT_DIGITS ? "桁" : "文字");
		snprintf(en, sizeof(en), "length %d outside %d-%d", len, fd->min_len, fd->max_len);
		return ferr(fd, e, ERR_RANGE, ja, en);
	}
	return 0;
}

/* 保険者番号の検証番号 (厚生労働省「保険者番号等の設定について」, the
 * 保険者番号設定要領): multiply the digits before the check digit by 2 and
 * 1 alternately starting from the last of them, add the products (a
 * two-digit product as the sum of its digits), and the check digit is 10
 * minus the last digit of the sum (0 when that digit is 0).  Example:
 * 3312001 → 6+3+2+2+0+0+2 = 15 → 5: 33120015.  8 digits (法別番号 2,
 * 都道府県 2, 保険者別 3, 検証 1) or 6 for 国民健康保険 (no 法別番号). */
static int
insurer_number_valid(const char *d)
{
	size_t n = strlen(d);
	int sum = 0, w = 2;

	if (n != 6 && n != 8)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (d[i] < '0' || d[i] > '9')
			return 0;
	for (size_t i = n - 1; i-- > 0; ) {
		int v = (d[i] - '0') * w;
		sum += v / 10 + v % 10;
		w = w == 2 ? 1 : 2;
	}
	return (10 - sum % 10) % 10 == d[n - 1] - '0';
}

/* A year ("2026", "R8", "令和8年", "令和8年度", "平成31年") or a year and
 * month ("202610", "2026-10", "2026/10", "2026年10月", "R8.10",
 * "令和8年10月") in the same 和暦/西暦 forms as dates (date_parse does the
 * era arithmetic: the text is completed to a date and parsed).  s is
 * ASCII-folded.  0 with *y (and *m), or -1. */
static int
parse_year_month(const char *s, int want_month, int *y, int *m)
{
	static const char *const ym_tail[] = { ".1", "1日", "-01", "/1", "01", ".28", "28日" };
	static const char *const y_tail[] = { ".1.1", "1月1日", "-01-01", "0101", ".12.31",
		"12月31日" };
	const char *const *tails = want_month ? ym_tail : y_tail;
	int ntails = want_month ? 7 : 6;
	char buf[96], base[64];
	size_t l = strlen(s);
	struct date d;

	if (l == 0 || l >= sizeof(base))
		return -1;
	memcpy(base, s, l + 1);
	/* 年度: the fiscal year is named by the year it starts in */
	if (!want_month && l > 3 && strcmp(base + l - 3, "度") == 0)
		base[l -= 3] = '\0';
	/* "2026" alone is a year; "202610" a year-month (not 2026-10-?? as
	 * an 8-digit date would be) */
	for (int i = 0; i < ntails; i++) {
		/* digits-only input: only the digits-only completion */
		int digits = strspn(base, "0123456789") == l;
		if (digits != (strspn(tails[i], "0123456789") == strlen(tails[i])))
			continue;
		if (digits && l != (want_month ? 6u : 4u))
			continue;
		snprintf(buf, sizeof(buf), "%s%s", base, tails[i]);
		if (date_parse(buf, &d, NULL) == 0) {
			*y = d.y;
			if (m != NULL)
				*m = d.m;
			return 0;
		}
	}
	return -1;
}

/* The age check of one date value against today. */
static int
check_age(const struct form *f, const struct field *fd, const struct field_check *c,
    const struct date *d, struct err *e)
{
	struct date on = f->today;
	char ja[128], en[96];
	int age;

	if (c->kind == CK_AGE_FISCAL) {
		on.y = date_fiscal_year(&f->today);
		on.m = 4;
		on.d = 1;
	}
	age = date_age(d, &on);
	/* a child born during this fiscal year (after 1 April, not after
	 * today) is 0 for age-fiscal, not "not yet born" */
	if (age < 0 && c->kind == CK_AGE_FISCAL && date_cmp(d, &f->today) <= 0)
		age = 0;
	if (age >= c->a && age <= c->b)
		return 0;
	snprintf(ja, sizeof(ja), "年齢が%d歳から%d歳の範囲にありません%s", c->a, c->b,
	    c->kind == CK_AGE_FISCAL ? "（年度初日時点）" : "");
	snprintf(en, sizeof(en), "age %d outside %d-%d", age, c->a, c->b);
	return ferr(fd, e, ERR_RANGE, ja, en);
}

/* Normalise v for the type of fd into out and check it on its own. */
static int
normalise(const struct form *f, const struct field *fd, const char *v, char *out,
    size_t cap, struct err *e)
{
	char tmp[FORM_VALUE_MAX + 1], raw[FORM_VALUE_MAX + 1];
	struct date d;
	struct err de;
	int n;

	out[0] = '\0';
	if (strlen(v) > FORM_VALUE_MAX)
		return ferr(fd, e, ERR_RANGE, "長すぎます", "value too long");
	if (!utf8_valid(v, strlen(v)))
		return ferr(fd, e, ERR_FORMAT, "文字コードが正しくありません", "invalid UTF-8");
	if (fd->type == FT_CHECKBOX) {
		if (strcmp(v, "1") == 0 || strcmp(v, "on") == 0 || strcmp(v, "true") == 0)
			snprintf(out, cap, "1");
		else if (!(v[0] == '\0' || strcmp(v, "0") == 0 || strcmp(v, "off") == 0 ||
		    strcmp(v, "false") == 0))
			return ferr(fd, e, ERR_FORMAT, "チェックの値が正しくありません", "not a checkbox value");
		return 0;
	}
	{
		/* surrounding blanks (also the ideographic space) are never
		 * meaningful; raw keeps the clerk's characters for text fields,
		 * tmp has full-width digits folded to ASCII for the others */
		const char *s = v;
		size_t l;
		while (*s == ' ' || *s == '\t')
			s++;
		while (strncmp(s, "\xe3\x80\x80", 3) == 0)
			s += 3;
		l = strlen(s);
		for (;;) {
			if (l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\t'))
				l--;
			else if (l >= 3 && memcmp(s + l - 3, "\xe3\x80\x80", 3) == 0)
				l -= 3;
			else
				break;
		}
		memcpy(raw, s, l);
		raw[l] = '\0';
	}
	fold_ascii(raw, tmp, sizeof(tmp));
	if (tmp[0] == '\0')
		return 0;
	for (const char *p = tmp; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return ferr(fd, e, ERR_FORMAT, "制御文字は入力できません", "control character");

	switch (fd->type) {
	case FT_TEXT:
		/* the original text, not the ASCII-folded one: 全角 digits in an
		 * address are the clerk's choice */
		n = utf8_count(raw, strlen(raw));
		if (length_ok(fd, n, e) != 0)
			return ERR_RANGE;
		snprintf(out, cap, "%s", raw);
		break;
	case FT_KANA:
		if ((n = kana_normalize(tmp, strlen(tmp), out, cap)) < 0)
			return ferr(fd, e, ERR_FORMAT, "カナが正しくありません", "bad kana");
		if (!is_katakana_text(out)) {
			out[0] = '\0';
			return ferr(fd, e, ERR_FORMAT, "カタカナで入力してください", "not katakana");
		}
		if (length_ok(fd, utf8_count(out, strlen(out)), e) != 0) {
			out[0] = '\0';
			return ERR_RANGE;
		}
		break;
	case FT_DIGITS:
		if (!all_digits(tmp))
			return ferr(fd, e, ERR_FORMAT, "数字で入力してください", "not digits");
		if (length_ok(fd, (int)strlen(tmp), e) != 0)
			return ERR_RANGE;
		snprintf(out, cap, "%s", tmp);
		break;
	case FT_MONEY: {
		char *s;
		size_t l = strlen(tmp);
		if (l >= 3 && strcmp(tmp + l - 3, "円") == 0)
			tmp[l - 3] = '\0';
		if (only(tmp, "0123456789", ",", out, cap) != 0 || out[0] == '\0') {
			out[0] = '\0';
			return ferr(fd, e, ERR_FORMAT, "金額は数字で入力してください", "not an amount");
		}
		for (s = out; s[0] == '0' && s[1] != '\0'; s++)
			;
		memmove(out, s, strlen(s) + 1);
		if ((int)strlen(out) > fd->max_len) {
			out[0] = '\0';
			return ferr(fd, e, ERR_RANGE, "金額が大きすぎます", "amount too large");
		}
		break;
	}
	case FT_MYNUMBER:
		/* The masked form of a stored number ("**** **** 9018"): an
		 * account without the right "mynumber" reads the application
		 * that way, and saving it keeps the sealed number (issue 15,
		 * src/store/mnseal.c). */
		if (strlen(tmp) + 1 == MYNUMBER_MASKED_LEN &&
		    strncmp(tmp, "**** **** ", 10) == 0 &&
		    strspn(tmp + 10, "0123456789") == 4 && cap >= MYNUMBER_MASKED_LEN) {
			memcpy(out, tmp, MYNUMBER_MASKED_LEN);
			break;
		}
		if (only(tmp, "0123456789", " -", out, cap) != 0 || strlen(out) != MYNUMBER_LEN) {
			out[0] = '\0';
			return ferr(fd, e, ERR_FORMAT, "個人番号は12桁の数字です", "not 12 digits");
		}
		err_clear(&de);
		if (mynumber_validate(out, strlen(out), &de) != 0) {
			mem_wipe(out, strlen(out));
			out[0] = '\0';
			return ferr(fd, e, ERR_FORMAT, "チェックデジットが一致しません（番号を確認してください）",
			    "check digit mismatch");
		}
		break;
	case FT_POSTAL:
		if (only(tmp, "0123456789", "-", out, cap) != 0 || strlen(out) != 7 ||
		    (strchr(tmp, '-') != NULL && (strlen(tmp) != 8 || tmp[3] != '-'))) {
			out[0] = '\0';
			return ferr(fd, e, ERR_FORMAT, "郵便番号は「123-4567」の形で入力してください",
			    "not a postal code");
		}
		memmove(out + 4, out + 3, 5);
		out[3] = '-';
		break;
	case FT_PHONE: {
		char dg[32];
		if (strlen(tmp) > 16 || only(tmp, "0123456789", "-", dg, sizeof(dg)) != 0 ||
		    strlen(dg) < 10 || strlen(dg) > 11 || dg[0] != '0' || strstr(tmp, "--") != NULL ||
		    tmp[0] == '-' || tmp[strlen(tmp) - 1] == '-')
			return ferr(fd, e, ERR_FORMAT, "電話番号は0から始まる10桁か11桁です",
			    "not a phone number");
		snprintf(out, cap, "%s", tmp);
		break;
	}
	case FT_DATE:
		err_clear(&de);
		if (date_parse(tmp, &d, &de) != 0) {
			char ja[ERR_MSG_MAX * 2], r[140];
			snprintf(ja, sizeof(ja), "%s", de.ja[0] != '\0' ? text_cut(de.ja, 130, r, sizeof(r)) :
			    "日付として読めません（例: R7.4.1, 2025-04-01）");
			return ferr(fd, e, ERR_FORMAT, ja, "not a date");
		}
		date_format_iso(&d, out, cap);
		break;
	case FT_YEAR:
	case FT_YEARMONTH: {
		int y, m = 0;
		if (parse_year_month(tmp, fd->type == FT_YEARMONTH, &y, &m) != 0)
			return ferr(fd, e, ERR_FORMAT, fd->type == FT_YEARMONTH ?
			    "年月として読めません。西暦6桁 202610 または 令和8年10月・R8.10 の形で入力してください" :
			    "年として読めません。西暦4桁 2026 または 令和8年・R8 の形で入力してください",
			    "not a year/month");
		if (fd->type == FT_YEARMONTH)
			snprintf(out, cap, "%04d%02d", y, m);
		else
			snprintf(out, cap, "%04d", y);
		break;
	}
	case FT_SELECT:
		for (int i = 0; i < fd->noptions; i++)
			if (strcmp(fd->options[i], v) == 0) {
				snprintf(out, cap, "%s", v);
				return 0;
			}
		return ferr(fd, e, ERR_FORMAT, "選択肢にない値です", "not one of the options");
	case FT_CHECKBOX:
		break;
	}

	for (int i = 0; i < fd->nchecks; i++) {
		const struct field_check *c = &fd->checks[i];
		if (c->kind == CK_REGEX && regexec(&c->re, out, 0, NULL, 0) != 0) {
			char ja[ERR_MSG_MAX], h[140];
			mem_wipe(out, strlen(out));
			out[0] = '\0';
			/* say what is allowed: the screen's help when it has one */
			if (fd->help[0] != '\0')
				snprintf(ja, sizeof(ja), "入力できる形ではありません（%s）",
				    text_cut(fd->help, 130, h, sizeof(h)));
			else
				snprintf(ja, sizeof(ja), "入力の形式が正しくありません");
			return ferr(fd, e, ERR_FORMAT, ja, "does not match the pattern");
		}
		if (c->kind == CK_INSURER && !insurer_number_valid(out)) {
			out[0] = '\0';
			return ferr(fd, e, ERR_FORMAT, "保険者番号の検証番号（最後の1桁）が合いません。"
			    "6桁（国保）か8桁の番号を確かめてください", "insurer number check digit");
		}
		if (c->kind == CK_AGE || c->kind == CK_AGE_FISCAL) {
			struct date bd;
			date_parse(out, &bd, NULL);
			if (check_age(f, fd, c, &bd, e) != 0) {
				out[0] = '\0';
				return ERR_RANGE;
			}
		}
	}
	return 0;
}

int
form_set_index(struct form *f, int i, const char *value, struct err *e)
{
	char out[FORM_VALUE_MAX + 1];
	char *nv;
	int r;

	if (i < 0 || i >= f->s->nfields)
		return err_set_ja(e, ERR_NOTFOUND, "この画面にない項目です", "no field %d", i);
	if ((r = normalise(f, &f->s->fields[i], value, out, sizeof(out), e)) != 0) {
		mem_wipe(out, sizeof(out));
		return r;
	}
	if (strcmp(out, f->values[i]) != 0) {
		if ((nv = strdup(out)) == NULL) {
			mem_wipe(out, sizeof(out));
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		mem_wipe(f->values[i], strlen(f->values[i]));
		free(f->values[i]);
		f->values[i] = nv;
		f->dirty = 1;
	}
	mem_wipe(out, sizeof(out));
	return 0;
}

int
form_set(struct form *f, const char *name, const char *value, struct err *e)
{
	int i = screen_field(f->s, name);

	if (i < 0)
		return err_set_ja(e, ERR_NOTFOUND, "この画面にない項目です",
		    "screen %s has no field \"%.60s\"", f->s->id, name);
	return form_set_index(f, i, value, e);
}

const char *
form_get(const struct form *f, const char *name)
{
	int i = screen_field(f->s, name);

	return i < 0 ? NULL : f->values[i];
}

/* Does one shows-when condition hold?  Never on a hidden field. */
static int
cond_holds(const struct form *f, const struct field_cond *c)
{
	const char *v;
	int eq;

	/* a field whose controlling field is hidden is hidden too */
	if (!form_field_shown(f, c->ref))
		return 0;
	v = f->values[c->ref];
	if (f->s->fields[c->ref].type == FT_CHECKBOX)
		eq = strcmp(c->value, v[0] != '\0' ? "on" : "off") == 0;
	else
		eq = strcmp(c->value, v) == 0;
	return c->op == '=' ? eq : !eq;
}

int
form_field_shown(const struct form *f, int i)
{
	const struct field *fd = &f->s->fields[i];

	if (fd->when.ref < 0)
		return 1;
	if (cond_holds(f, &fd->when))
		return 1;
	/* "or" alternatives (e.g. TOKYO III.2-R2: 診断書 items show when the
	 * applicant is not a 他県転入 or the 同意書 is recorded) */
	for (int k = 0; k < fd->nwhen_or; k++)
		if (cond_holds(f, &fd->when_or[k]))
			return 1;
	return 0;
}

int
form_validate(const struct form *f, int *bad, struct err *e)
{
	struct err ce;

	if (bad != NULL)
		*bad = -1;
	for (int i = 0; i < f->s->nfields; i++) {
		const struct field *fd = &f->s->fields[i];
		const char *v = f->values[i];
		if (!form_field_shown(f, i))
			continue;
		if (bad != NULL)
			*bad = i;
		if (fd->required && v[0] == '\0')
			return ferr(fd, e, ERR_INVAL,
			    fd->type == FT_CHECKBOX ? "チェックが必要です" : "入力が必要です",
			    "required");
		if (v[0] == '\0')
			continue;
		/* values were checked when set, but "today" moves and a form
		 * refilled from JSON goes through here too */
		{
			char out[FORM_VALUE_MAX + 1];
			err_clear(&ce);
			if (normalise(f, fd, v, out, sizeof(out), e) != 0) {
				mem_wipe(out, sizeof(out));
				return e != NULL ? e->code : ERR_INVAL;
			}
			mem_wipe(out, sizeof(out));
		}
		for (int j = 0; j < fd->nchecks; j++) {
			const struct field_check *c = &fd->checks[j];
			struct date a, b;
			int cmp;
			if (c->kind == CK_OPTION_NEEDS && strcmp(v, c->src) == 0 &&
			    !cond_holds(f, &c->cond)) {
				char ja[ERR_MSG_MAX], l[100], o[100], w[100];
				const struct field *rf = &f->s->fields[c->cond.ref];
				snprintf(ja, sizeof(ja), "「%s」は「%s」が「%s」%sのときだけ選べます",
				    text_cut(c->src, 60, o, sizeof(o)), text_cut(rf->label, 60, l, sizeof(l)),
				    text_cut(c->cond.value, 60, w, sizeof(w)),
				    c->cond.op == '=' ? "" : "以外");
				return ferr(fd, e, ERR_INVAL, ja, "option not allowed with another field's value");
			}
			if (c->kind != CK_NOT_BEFORE && c->kind != CK_NOT_AFTER)
				continue;
			if (fd->type == FT_YEAR || fd->type == FT_YEARMONTH) {
				/* against today only: a year-month after this month, a
				 * year after this year */
				long ym = atol(v), now = fd->type == FT_YEAR ? f->today.y :
				    f->today.y * 100L + f->today.m;
				if (c->ref < 0 && c->kind == CK_NOT_AFTER && ym > now) {
					char ja[ERR_MSG_MAX], t[64];
					date_format_wareki(&f->today, t, sizeof(t));
					snprintf(ja, sizeof(ja), "未来の%sは入力できません（本日 %s）",
					    fd->type == FT_YEAR ? "年" : "年月", t);
					return ferr(fd, e, ERR_RANGE, ja, "in the future");
				}
				if (c->ref < 0 && c->kind == CK_NOT_BEFORE && ym < now) {
					char ja[ERR_MSG_MAX], t[64];
					date_format_wareki(&f->today, t, sizeof(t));
					snprintf(ja, sizeof(ja), "過去の%sは入力できません（本日 %s）",
					    fd->type == FT_YEAR ? "年" : "年月", t);
					return ferr(fd, e, ERR_RANGE, ja, "in the past");
				}
				continue;
			}
			if (date_parse(v, &a, NULL) != 0)
				continue;
			if (c->ref < 0)
				b = f->today;
			else if (!form_field_shown(f, c->ref) || f->values[c->ref][0] == '\0' ||
			    date_parse(f->values[c->ref], &b, NULL) != 0)
				continue;
			cmp = date_cmp(&a, &b);
			if (c->ref < 0 && cmp != 0 && (c->kind == CK_NOT_AFTER) == (cmp > 0)) {
				char ja[ERR_MSG_MAX], t[64];
				date_format_wareki(&f->today, t, sizeof(t));
				snprintf(ja, sizeof(ja), "%sの日付は入力できません（本日 %s）",
				    cmp > 0 ? "未来" : "過去", t);
				return ferr(fd, e, ERR_RANGE, ja, cmp > 0 ? "date in the future" :
				    "date in the past");
			}
			if (c->kind == CK_NOT_BEFORE && cmp < 0) {
				char ja[ERR_MSG_MAX], l[100];
				snprintf(ja, sizeof(ja), "「%s」より前の日付です",
				    c->ref < 0 ? "今日" : text_cut(f->s->fields[c->ref].label, 90, l, sizeof(l)));
				return ferr(fd, e, ERR_RANGE, ja, "date before the one it must follow");
			}
			if (c->kind == CK_NOT_AFTER && cmp > 0) {
				char ja[ERR_MSG_MAX], l[100];
				snprintf(ja, sizeof(ja), "「%s」より後の日付です",
				    c->ref < 0 ? "今日" : text_cut(f->s->fields[c->ref].label, 90, l, sizeof(l)));
				return ferr(fd, e, ERR_RANGE, ja, "date after the one it must precede");
			}
		}
	}
	if (bad != NULL)
		*bad = -1;
	return 0;
}

int
form_to_json(const struct form *f, struct wbuf *w, struct err *e)
{
	int first = 1;

	wbuf_put(w, "{", 1);
	for (int i = 0; i < f->s->nfields; i++) {
		const struct field *fd = &f->s->fields[i];
		const char *v = f->values[i];
		if (v[0] == '\0' || !form_field_shown(f, i))
			continue;
		if (!first)
			wbuf_put(w, ",", 1);
		first = 0;
		json_put_str(w, fd->name, strlen(fd->name));
		wbuf_put(w, ":", 1);
		if (fd->type == FT_CHECKBOX)
			wbuf_put(w, "true", 4);
		else if (fd->type == FT_MONEY)
			wbuf_put(w, v, strlen(v));
		else
			json_put_str(w, v, strlen(v));
	}
	wbuf_put(w, "}", 1);
	if (w->err != 0)
		return err_set(e, w->err, "form JSON does not fit");
	return 0;
}

static void
form_clear(struct form *f)
{
	for (int i = 0; i < f->s->nfields; i++) {
		mem_wipe(f->values[i], strlen(f->values[i]));
		f->values[i][0] = '\0';
	}
}

int
form_from_json(struct form *f, const char *json, size_t n, struct err *e)
{
	struct json *root = NULL;
	char num[32];
	int r;

	form_clear(f);
	if ((r = json_parse(json, n, &root, e)) != 0)
		return r;
	if (root->type != JSON_OBJ) {
		json_free(root);
		return err_set(e, ERR_FORMAT, "form values: not a JSON object");
	}
	for (const struct json *m = root->child; m != NULL; m = m->next) {
		int i = screen_field(f->s, m->key != NULL ? m->key : "");
		const struct field *fd;
		const char *v;

		if (i < 0) {
			/* INT-6: anything the screen does not declare is refused */
			r = err_set_ja(e, ERR_FORMAT, "この画面にない項目が含まれています",
			    "form values: screen %s has no field \"%.60s\"", f->s->id,
			    m->key != NULL ? m->key : "");
			goto fail;
		}
		fd = &f->s->fields[i];
		for (const struct json *o = root->child; o != m; o = o->next) {
			if (strcmp(o->key, m->key) == 0) {
				r = err_set(e, ERR_FORMAT, "form values: field \"%s\" twice", fd->name);
				goto fail;
			}
		}
		if (fd->type == FT_CHECKBOX) {
			if (m->type != JSON_BOOL) {
				r = err_set(e, ERR_FORMAT, "form values: field %s: not true/false", fd->name);
				goto fail;
			}
			v = m->b ? "1" : "";
		} else if (fd->type == FT_MONEY && m->type == JSON_NUM) {
			if (m->num < 0 || m->num > 999999999999999.0 || m->num != (double)(long long)m->num) {
				r = err_set(e, ERR_FORMAT, "form values: field %s: not an amount", fd->name);
				goto fail;
			}
			snprintf(num, sizeof(num), "%lld", (long long)m->num);
			v = num;
		} else if (m->type == JSON_STR && m->str != NULL && strlen(m->str) == m->slen) {
			v = m->str;
		} else {
			r = err_set(e, ERR_FORMAT, "form values: field %s: not a string", fd->name);
			goto fail;
		}
		if ((r = form_set_index(f, i, v, e)) != 0) {
			err_prefix(e, "form values: ");
			goto fail;
		}
	}
	for (int i = 0; i < f->s->nfields; i++) {
		if (f->values[i][0] != '\0' && !form_field_shown(f, i)) {
			r = err_set(e, ERR_FORMAT, "form values: field %s is not shown for these values",
			    f->s->fields[i].name);
			goto fail;
		}
	}
	json_free(root);
	f->dirty = 0;
	return 0;
fail:
	json_free(root);
	form_clear(f);
	return r;
}

void
form_display(const struct form *f, int i, int show_mynumber, char *out, size_t cap)
{
	const struct field *fd = &f->s->fields[i];
	const char *v = f->values[i];
	struct date d;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (v[0] == '\0')
		return;
	switch (fd->type) {
	case FT_MYNUMBER:
		if (show_mynumber)
			snprintf(out, cap, "%.4s %.4s %.4s", v, v + 4, v + 8);
		else {
			char m[MYNUMBER_MASKED_LEN];
			mynumber_mask(v, strlen(v), m);
			snprintf(out, cap, "%s", m);
		}
		break;
	case FT_DATE:
		if (date_parse(v, &d, NULL) == 0) {
			char w[64];
			date_format_wareki(&d, w, sizeof(w));
			snprintf(out, cap, "%s (%s)", w, v);
		} else
			snprintf(out, cap, "%s", v);
		break;
	case FT_CHECKBOX:
		snprintf(out, cap, "✓");
		break;
	case FT_YEAR:
	case FT_YEARMONTH: {
		/* 和暦 beside the stored 西暦: "令和8年10月 (202610)" */
		struct date dd = { atoi(v) / (fd->type == FT_YEAR ? 1 : 100),
			fd->type == FT_YEAR ? 12 : atoi(v) % 100, fd->type == FT_YEAR ? 31 : 1 };
		char w[64], *cut;
		if (date_valid(dd.y, dd.m, dd.d) && date_format_wareki(&dd, w, sizeof(w)) > 0 &&
		    (cut = strstr(w, fd->type == FT_YEAR ? "年" : "月")) != NULL) {
			cut[3] = '\0';
			snprintf(out, cap, "%s (%s)", w, v);
		} else
			snprintf(out, cap, "%s", v);
		break;
	}
	case FT_MONEY: {
		size_t n = strlen(v), o = 0;
		for (size_t k = 0; k < n && o + 2 < cap; k++) {
			out[o++] = v[k];
			if ((n - k - 1) % 3 == 0 && k + 1 < n)
				out[o++] = ',';
		}
		out[o] = '\0';
		if (o + 4 < cap)
			snprintf(out + o, cap - o, "円");
		break;
	}
	default:
		snprintf(out, cap, "%s", v);
		break;
	}
}
