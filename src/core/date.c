/*
 * date.c — 西暦 and 和暦 dates (REQUIREMENTS SC-6): parsing what a clerk
 * types or a form carries, formatting both ways, day arithmetic, age and
 * fiscal year.
 *
 * Dates are proleptic Gregorian, years 1 to 9999.  和暦 is supported from
 * 1873-01-01 (明治6年), the day Japan adopted the Gregorian calendar; earlier
 * 明治 dates were lunisolar and cannot be converted by arithmetic, so they are
 * refused rather than silently shifted.
 *
 * The parser reads the string through struct rbuf after folding full-width
 * digits and spaces with kana_normalize.  A date that does not exist is
 * refused with the reason, in English for the log (without the full date:
 * a birth date is personal data) and in Japanese for the clerk.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core.h"

#define DATE_INPUT_MAX 64
/* Era years have at most two digits when typed (R7, H31, S64); the
 * formatter refuses what the parser would not read back (令和100年 is 2118). */
#define ERA_YEAR_MAX 99

struct era {
	const char *name;	/* 明治 ... */
	const char *squared;	/* the one-character form (㍾ ...) */
	char letter;
	int base;		/* Gregorian year of the era's year 1 */
	struct date start;	/* first day supported in this era */
};

static const struct era eras[] = {
	{ "明治", "㍾", 'M', 1868, { 1873, 1, 1 } },
	{ "大正", "㍽", 'T', 1912, { 1912, 7, 30 } },
	{ "昭和", "㍼", 'S', 1926, { 1926, 12, 25 } },
	{ "平成", "㍻", 'H', 1989, { 1989, 1, 8 } },
	{ "令和", "㋿", 'R', 2019, { 2019, 5, 1 } },
};
#define NERAS ((int)(sizeof(eras) / sizeof(eras[0])))

static const char *const month_en[] = { "January", "February", "March",
	"April", "May", "June", "July", "August", "September", "October",
	"November", "December" };

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

int
date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= month_days(y, m);
}

int
date_cmp(const struct date *a, const struct date *b)
{
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	if (a->m != b->m)
		return a->m < b->m ? -1 : 1;
	if (a->d != b->d)
		return a->d < b->d ? -1 : 1;
	return 0;
}

/* The era a valid date falls in, or -1 before 1873-01-01. */
static int
era_of(const struct date *d)
{
	for (int i = NERAS - 1; i >= 0; i--)
		if (date_cmp(d, &eras[i].start) >= 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------ formatting */

/* "令和元年" / "令和7年" */
static void
era_year_name(int era, int ey, char *out, size_t cap)
{
	if (ey == 1)
		snprintf(out, cap, "%s元年", eras[era].name);
	else
		snprintf(out, cap, "%s%d年", eras[era].name, ey);
}

static int
put(char *out, size_t cap, int n)
{
	if (n < 0 || (size_t)n >= cap) {
		if (cap > 0)
			out[0] = '\0';
		return ERR_RANGE;
	}
	return n;
}

int
date_format_iso(const struct date *d, char *out, size_t cap)
{
	if (!date_valid(d->y, d->m, d->d)) {
		put(out, cap, -1);
		return ERR_INVAL;
	}
	return put(out, cap, snprintf(out, cap, "%04d-%02d-%02d", d->y, d->m, d->d));
}

int
date_format_wareki(const struct date *d, char *out, size_t cap)
{
	char yb[12];
	int e, ey;

	if (!date_valid(d->y, d->m, d->d)) {
		put(out, cap, -1);
		return ERR_INVAL;
	}
	if ((e = era_of(d)) < 0 || d->y - eras[e].base + 1 > ERA_YEAR_MAX)
		return put(out, cap, -1);
	ey = d->y - eras[e].base + 1;
	if (ey == 1)
		snprintf(yb, sizeof(yb), "元");
	else
		snprintf(yb, sizeof(yb), "%d", ey);
	return put(out, cap, snprintf(out, cap, "%s%s年%d月%d日", eras[e].name,
	    yb, d->m, d->d));
}

int
date_format_wareki_short(const struct date *d, char *out, size_t cap)
{
	int e;

	if (!date_valid(d->y, d->m, d->d)) {
		put(out, cap, -1);
		return ERR_INVAL;
	}
	if ((e = era_of(d)) < 0 || d->y - eras[e].base + 1 > ERA_YEAR_MAX)
		return put(out, cap, -1);
	return put(out, cap, snprintf(out, cap, "%c%d.%d.%d", eras[e].letter,
	    d->y - eras[e].base + 1, d->m, d->d));
}

/* ------------------------------------------------------------ arithmetic */

/* Days from civil and back: H. Hinnant's algorithms, exact over the whole
 * proleptic Gregorian calendar. */
long
date_to_days(const struct date *d)
{
	long y = d->y - (d->m <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (d->m + (d->m > 2 ? -3 : 9)) + 2) / 5 + d->d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
date_from_days(long days, struct date *out)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp < 10 ? mp + 3 : mp - 9;

	out->y = (int)(yoe + era * 400 + (m <= 2));
	out->m = (int)m;
	out->d = (int)d;
}

int
date_to_ymd(const struct date *d)
{
	if (!date_valid(d->y, d->m, d->d))
		return 0;
	return d->y * 10000 + d->m * 100 + d->d;
}

int
date_from_ymd(int ymd, struct date *out)
{
	int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;

	if (ymd <= 0 || !date_valid(y, m, d))
		return ERR_INVAL;
	out->y = y;
	out->m = m;
	out->d = d;
	return 0;
}

void
date_today(struct date *out)
{
	time_t now = (time_t)mdg_now();
	struct tm tm;

	localtime_r(&now, &tm);
	out->y = tm.tm_year + 1900;
	out->m = tm.tm_mon + 1;
	out->d = tm.tm_mday;
}

/*
 * 年齢計算ニ関スル法律 with 民法 143: a person reaches the next age at the end
 * of the day before the birthday, so on the birthday itself (at its start)
 * the age has been reached.  For a 29 February birthday in a common year
 * the period ends on 28 February, so the age counts from 1 March.  This is
 * the completed age at the start of `on`.
 */
int
date_age(const struct date *birth, const struct date *on)
{
	int age;

	if (date_cmp(on, birth) < 0)
		return -1;
	age = on->y - birth->y;
	if (on->m < birth->m || (on->m == birth->m && on->d < birth->d))
		age--;
	/* A 29 February birthday needs no special case: in a common year
	 * 28 February compares as before it and 1 March as after it. */
	return age;
}

int
date_fiscal_year(const struct date *d)
{
	return d->m >= 4 ? d->y : d->y - 1;
}

/* --------------------------------------------------------------- parsing */

static int
peek(const struct rbuf *b)
{
	return rbuf_left(b) > 0 ? *rbuf_cur(b) : -1;
}

static void
skip_spaces(struct rbuf *b)
{
	while (peek(b) == ' ')
		rbuf_skip(b, 1);
}

/* Consume lit when the input continues with it. */
static int
take(struct rbuf *b, const char *lit)
{
	size_t n = strlen(lit);

	if (rbuf_left(b) < n || memcmp(rbuf_cur(b), lit, n) != 0)
		return 0;
	rbuf_skip(b, n);
	return 1;
}

/* 1 to maxd ASCII digits; returns the number of digits (0 = none). */
static int
take_num(struct rbuf *b, int maxd, int *v)
{
	int n = 0, x = 0;

	while (n < maxd && peek(b) >= '0' && peek(b) <= '9') {
		x = x * 10 + (peek(b) - '0');
		rbuf_skip(b, 1);
		n++;
	}
	if (n > 0 && peek(b) >= '0' && peek(b) <= '9')
		return 0;		/* too many digits */
	*v = x;
	return n;
}

/* Month and day after the year: ".4.1" with one separator used twice, or
 * "年4月1日".  Spaces are allowed between the parts. */
static int
take_month_day(struct rbuf *b, int *m, int *d)
{
	int sep;

	skip_spaces(b);
	if (take(b, "年")) {
		skip_spaces(b);
		if (!take_num(b, 2, m))
			return 0;
		skip_spaces(b);
		if (!take(b, "月"))
			return 0;
		skip_spaces(b);
		if (!take_num(b, 2, d))
			return 0;
		skip_spaces(b);
		return take(b, "日");
	}
	sep = peek(b);
	if (sep != '.' && sep != '/' && sep != '-')
		return 0;
	rbuf_skip(b, 1);
	skip_spaces(b);
	if (!take_num(b, 2, m))
		return 0;
	skip_spaces(b);
	if (peek(b) != sep)
		return 0;
	rbuf_skip(b, 1);
	skip_spaces(b);
	return take_num(b, 2, d) > 0;
}

static int
take_era(struct rbuf *b)
{
	int c = peek(b);

	for (int i = 0; i < NERAS; i++) {
		if (c == eras[i].letter || c == eras[i].letter + ('a' - 'A')) {
			rbuf_skip(b, 1);
			return i;
		}
		if (take(b, eras[i].name) || take(b, eras[i].squared))
			return i;
	}
	return -1;
}

static int
bad_format(struct err *e)
{
	return err_set_ja(e, ERR_FORMAT,
	    "日付の形式が正しくありません（例: R7.4.1、令和7年4月1日、2025-04-01）。",
	    "not a date (expected forms such as R7.4.1, 令和7年4月1日, 2025-04-01)");
}

/* Month and day exist in year y (Gregorian); era/ey only for the wording. */
static int
check_month_day(int y, int m, int d, int era, int ey, struct err *e)
{
	char ja[ERR_MSG_MAX], yname[32];

	if (era >= 0)
		era_year_name(era, ey, yname, sizeof(yname));
	else
		snprintf(yname, sizeof(yname), "%d年", y);
	if (m < 1 || m > 12) {
		snprintf(ja, sizeof(ja), "%d月という月はありません。", m);
		return err_set_ja(e, ERR_RANGE, ja, "month %d does not exist", m);
	}
	if (d < 1 || d > month_days(y, m)) {
		if (m == 2 && d == 29) {
			snprintf(ja, sizeof(ja),
			    "%sはうるう年ではないため、2月29日はありません。", yname);
			return err_set_ja(e, ERR_RANGE, ja,
			    "February %d has 28 days: %d is not a leap year", y, y);
		}
		snprintf(ja, sizeof(ja), "%s%d月は%d日までです。", yname, m,
		    month_days(y, m));
		return err_set_ja(e, ERR_RANGE, ja, "%s %d has %d days, not %d",
		    month_en[m - 1], y, month_days(y, m), d);
	}
	return 0;
}

/* The date exists in the calendar; is it inside the era it was written in? */
static int
check_in_era(const struct date *dt, int era, int ey, struct err *e)
{
	char ja[ERR_MSG_MAX], real[48], yname[32];
	int actual = era_of(dt);

	if (actual == era)
		return 0;
	era_year_name(era, ey, yname, sizeof(yname));
	if (actual < 0) {
		snprintf(ja, sizeof(ja), "%s%d月%d日は太陰暦の時代の日付のため扱えません"
		    "（明治6年1月1日以降を入力してください）。", yname, dt->m, dt->d);
		return err_set_ja(e, ERR_RANGE, ja,
		    "dates before 1873-01-01 (明治6年) are in the lunisolar calendar "
		    "and not supported");
	}
	if (date_format_wareki(dt, real, sizeof(real)) < 0)
		snprintf(real, sizeof(real), "?");
	if (actual > era) {
		const struct date *end = &eras[era + 1].start;
		struct date last;
		date_from_days(date_to_days(end) - 1, &last);
		snprintf(ja, sizeof(ja), "%s%d月%d日は存在しません（%sは%d年%d月%d日まで。"
		    "この日は%sです）。", yname, dt->m, dt->d,
		    eras[era].name, last.y, last.m, last.d, real);
		return err_set_ja(e, ERR_RANGE, ja,
		    "%s ended on %04d-%02d-%02d; later dates are in %s",
		    eras[era].name, last.y, last.m, last.d, eras[era + 1].name);
	}
	snprintf(ja, sizeof(ja), "%s%d月%d日は存在しません（%sは%d年%d月%d日から。"
	    "この日は%sです）。", yname, dt->m, dt->d, eras[era].name,
	    eras[era].start.y, eras[era].start.m, eras[era].start.d, real);
	return err_set_ja(e, ERR_RANGE, ja,
	    "%s began on %04d-%02d-%02d; earlier dates are in %s", eras[era].name,
	    eras[era].start.y, eras[era].start.m, eras[era].start.d,
	    eras[era - 1].name);
}

int
date_parse(const char *s, struct date *out, struct err *e)
{
	char norm[DATE_INPUT_MAX + 1];
	struct rbuf b;
	struct date dt;
	size_t n = strlen(s);
	int era, ey = 0, y, m, d, r, nd;

	if (n > DATE_INPUT_MAX)
		return bad_format(e);
	if ((r = kana_normalize(s, n, norm, sizeof(norm))) < 0)
		return bad_format(e);
	rbuf_init(&b, norm, (size_t)r);
	if ((era = take_era(&b)) >= 0) {
		skip_spaces(&b);
		if (take(&b, "元"))
			ey = 1;
		else if (!take_num(&b, 2, &ey))
			return bad_format(e);
		if (!take_month_day(&b, &m, &d) || rbuf_left(&b) != 0)
			return bad_format(e);
		if (ey < 1) {
			return err_set_ja(e, ERR_RANGE, "0年という年はありません（1年は元年です）。",
			    "year 0 of an era does not exist");
		}
		y = eras[era].base + ey - 1;
	} else {
		nd = take_num(&b, 8, &y);
		if (nd == 8) {
			d = y % 100;
			m = y / 100 % 100;
			y /= 10000;
		} else if (nd != 4 || !take_month_day(&b, &m, &d))
			return bad_format(e);
		if (rbuf_left(&b) != 0)
			return bad_format(e);
		if (y < 1)
			return err_set_ja(e, ERR_RANGE, "0年という年はありません。",
			    "year 0 does not exist");
	}
	if ((r = check_month_day(y, m, d, era, ey, e)) != 0)
		return r;
	dt.y = y;
	dt.m = m;
	dt.d = d;
	if (era >= 0 && (r = check_in_era(&dt, era, ey, e)) != 0)
		return r;
	*out = dt;
	return 0;
}
