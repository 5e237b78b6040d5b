/*
 * test_date.c — 西暦 and 和暦 dates (REQUIREMENTS SC-6: search by 生年月日 in
 * 西暦 or 和暦), day arithmetic, age and fiscal year.
 */
#include <string.h>
#include <time.h>

#include "core.h"
#include "harness.h"

static const struct {
	const char *in;
	int y, m, d;
} good[] = {
	/* every form the issue lists */
	{ "R7.4.1", 2025, 4, 1 },
	{ "R07.04.01", 2025, 4, 1 },
	{ "令和7年4月1日", 2025, 4, 1 },
	{ "令和元年5月1日", 2019, 5, 1 },
	{ "H31.4.30", 2019, 4, 30 },
	{ "S64.1.7", 1989, 1, 7 },
	{ "2025-04-01", 2025, 4, 1 },
	{ "2025/4/1", 2025, 4, 1 },
	{ "20250401", 2025, 4, 1 },
	{ "2025年4月1日", 2025, 4, 1 },
	/* era boundaries, both sides */
	{ "S64.1.7", 1989, 1, 7 }, { "H1.1.8", 1989, 1, 8 }, { "平成元年1月8日", 1989, 1, 8 },
	{ "H31.4.30", 2019, 4, 30 }, { "R1.5.1", 2019, 5, 1 },
	{ "M45.7.29", 1912, 7, 29 }, { "T1.7.30", 1912, 7, 30 }, { "大正元年7月30日", 1912, 7, 30 },
	{ "T15.12.24", 1926, 12, 24 }, { "S1.12.25", 1926, 12, 25 }, { "昭和元年12月25日", 1926, 12, 25 },
	{ "M6.1.1", 1873, 1, 1 }, { "明治6年1月1日", 1873, 1, 1 },
	/* leap days */
	{ "2000-02-29", 2000, 2, 29 }, { "H12.2.29", 2000, 2, 29 }, { "R6.2.29", 2024, 2, 29 },
	{ "S63.2.29", 1988, 2, 29 }, { "1600-02-29", 1600, 2, 29 },
	/* variants: lower case, spaces, full-width, squared era signs */
	{ "r7.4.1", 2025, 4, 1 }, { "h31/4/30", 2019, 4, 30 }, { "R7-4-1", 2025, 4, 1 },
	{ "  R7.4.1  ", 2025, 4, 1 }, { "令和 7年 4月 1日", 2025, 4, 1 },
	{ "Ｒ７．４．１", 2025, 4, 1 }, { "２０２５年４月１日", 2025, 4, 1 },
	{ "令和７年４月１日", 2025, 4, 1 }, { "　2025-04-01　", 2025, 4, 1 },
	{ "㍻31.4.30", 2019, 4, 30 }, { "㋿元年5月1日", 2019, 5, 1 }, { "㍼64.1.7", 1989, 1, 7 },
	{ "R元.5.1", 2019, 5, 1 }, { "令和7.4.1", 2025, 4, 1 }, { "R7年4月1日", 2025, 4, 1 },
	{ "9999-12-31", 9999, 12, 31 }, { "0001-01-01", 1, 1, 1 },
};

TEST(date_parse_accepts_every_form)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct date d = { 0, 0, 0 };
		struct err e;
		err_clear(&e);
		int r = date_parse(good[i].in, &d, &e);
		if (r != 0 || d.y != good[i].y || d.m != good[i].m || d.d != good[i].d)
			t_fail_at(__FILE__, __LINE__, "\"%s\": %d %04d-%02d-%02d (%s)",
			    good[i].in, r, d.y, d.m, d.d, e.msg);
	}
}

static const struct {
	const char *in;
	int code;
	const char *why;	/* must appear in the English message */
	const char *ja;		/* must appear in the Japanese one */
} refused[] = {
	/* dates that do not exist in their era, and why */
	{ "H31.5.1", ERR_RANGE, "平成 ended on 2019-04-30", "令和元年5月1日" },
	{ "平成31年5月1日", ERR_RANGE, "平成 ended on 2019-04-30", "令和元年5月1日" },
	{ "S64.1.8", ERR_RANGE, "昭和 ended on 1989-01-07", "平成元年1月8日" },
	{ "H1.1.7", ERR_RANGE, "平成 began on 1989-01-08", "昭和64年1月7日" },
	{ "R1.4.30", ERR_RANGE, "令和 began on 2019-05-01", "平成31年4月30日" },
	{ "令和元年4月30日", ERR_RANGE, "令和 began on 2019-05-01", "令和元年4月30日は存在しません" },
	{ "M45.7.30", ERR_RANGE, "明治 ended on 1912-07-29", "大正元年7月30日" },
	{ "T1.7.29", ERR_RANGE, "大正 began on 1912-07-30", "明治45年7月29日" },
	{ "T15.12.25", ERR_RANGE, "大正 ended on 1926-12-24", "昭和元年12月25日" },
	{ "S1.12.24", ERR_RANGE, "昭和 began on 1926-12-25", "大正15年12月24日" },
	{ "H99.1.1", ERR_RANGE, "平成 ended", "" },
	{ "M5.12.31", ERR_RANGE, "lunisolar", "太陰暦" },
	{ "M1.1.1", ERR_RANGE, "lunisolar", "明治元年" },
	{ "R0.5.1", ERR_RANGE, "year 0", "元年" },
	/* days that do not exist */
	{ "R7.2.29", ERR_RANGE, "not a leap year", "うるう年ではない" },
	{ "2025-02-29", ERR_RANGE, "2025 is not a leap year", "うるう年ではない" },
	{ "1900-02-29", ERR_RANGE, "1900 is not a leap year", "" },
	{ "M33.2.29", ERR_RANGE, "1900 is not a leap year", "明治33年" },
	{ "2100-02-29", ERR_RANGE, "not a leap year", "" },
	{ "2025-04-31", ERR_RANGE, "April 2025 has 30 days", "30日まで" },
	{ "2025-02-30", ERR_RANGE, "February 2025 has 28 days", "" },
	{ "2024-02-30", ERR_RANGE, "February 2024 has 29 days", "29日まで" },
	{ "2025-13-01", ERR_RANGE, "month 13", "13月" },
	{ "2025-00-10", ERR_RANGE, "month 0", "" },
	{ "2025-01-00", ERR_RANGE, "January 2025 has 31 days", "" },
	{ "R7.4.0", ERR_RANGE, "April 2025", "令和7年4月" },
	{ "0000-01-01", ERR_RANGE, "year 0", "" },
	/* malformed */
	{ "", ERR_FORMAT, "not a date", "形式" },
	{ "   ", ERR_FORMAT, "not a date", "" },
	{ "R", ERR_FORMAT, "not a date", "" },
	{ "R7", ERR_FORMAT, "not a date", "" },
	{ "R7.4", ERR_FORMAT, "not a date", "" },
	{ "R7.4.", ERR_FORMAT, "not a date", "" },
	{ "R7.4/1", ERR_FORMAT, "not a date", "" },
	{ "R7..4.1", ERR_FORMAT, "not a date", "" },
	{ "R123.4.1", ERR_FORMAT, "not a date", "" },
	{ "R7.4.123", ERR_FORMAT, "not a date", "" },
	{ "R7.4.1x", ERR_FORMAT, "not a date", "" },
	{ "X7.4.1", ERR_FORMAT, "not a date", "" },
	{ "令和7年4月1", ERR_FORMAT, "not a date", "" },
	{ "令和7年4月", ERR_FORMAT, "not a date", "" },
	{ "令和年4月1日", ERR_FORMAT, "not a date", "" },
	{ "25-04-01", ERR_FORMAT, "not a date", "" },
	{ "2025-4", ERR_FORMAT, "not a date", "" },
	{ "2025041", ERR_FORMAT, "not a date", "" },
	{ "202504011", ERR_FORMAT, "not a date", "" },
	{ "12025-04-01", ERR_FORMAT, "not a date", "" },
	{ "2025 04 01", ERR_FORMAT, "not a date", "" },
	{ "-2025-04-01", ERR_FORMAT, "not a date", "" },
	{ "2025-04-01 2025-04-01", ERR_FORMAT, "not a date", "" },
	{ "\xff\xfe", ERR_FORMAT, "not a date", "" },
	{ "R7.4.1\xe3\x81", ERR_FORMAT, "not a date", "" },
	{ "2025-04-01aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  ERR_FORMAT, "not a date", "" },
};

TEST(date_parse_refuses_with_the_reason)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct date d = { 1, 2, 3 };
		struct err e;
		err_clear(&e);
		int r = date_parse(refused[i].in, &d, &e);
		if (r != refused[i].code || strstr(e.msg, refused[i].why) == NULL ||
		    strstr(e.ja, refused[i].ja) == NULL || e.ja[0] == '\0')
			t_fail_at(__FILE__, __LINE__, "\"%s\": %d \"%s\" / \"%s\"", refused[i].in,
			    r, e.msg, e.ja);
		/* the output is untouched on failure */
		CHECK(d.y == 1 && d.m == 2 && d.d == 3);
	}
}

/* The English message goes to the operator log: it must not carry the
 * full date (a birth date is personal data). */
TEST(date_parse_log_message_omits_the_date)
{
	static const char *in[] = { "H31.5.1", "S64.1.8", "R7.2.29", "2025-04-31", "R1.4.30" };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct date d;
		struct err e;
		err_clear(&e);
		REQUIRE(date_parse(in[i], &d, &e) < 0);
		CHECK(strstr(e.msg, in[i]) == NULL);
	}
}

static const struct {
	int y, m, d;
	const char *iso, *wareki, *shortf;
} fmt[] = {
	{ 2025, 4, 1, "2025-04-01", "令和7年4月1日", "R7.4.1" },
	{ 2019, 5, 1, "2019-05-01", "令和元年5月1日", "R1.5.1" },
	{ 2019, 4, 30, "2019-04-30", "平成31年4月30日", "H31.4.30" },
	{ 1989, 1, 8, "1989-01-08", "平成元年1月8日", "H1.1.8" },
	{ 1989, 1, 7, "1989-01-07", "昭和64年1月7日", "S64.1.7" },
	{ 1926, 12, 25, "1926-12-25", "昭和元年12月25日", "S1.12.25" },
	{ 1926, 12, 24, "1926-12-24", "大正15年12月24日", "T15.12.24" },
	{ 1912, 7, 30, "1912-07-30", "大正元年7月30日", "T1.7.30" },
	{ 1912, 7, 29, "1912-07-29", "明治45年7月29日", "M45.7.29" },
	{ 1873, 1, 1, "1873-01-01", "明治6年1月1日", "M6.1.1" },
	{ 2000, 2, 29, "2000-02-29", "平成12年2月29日", "H12.2.29" },
};

TEST(date_format_table_and_round_trip)
{
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		struct date d = { fmt[i].y, fmt[i].m, fmt[i].d }, back;
		char a[64], b[64], c[64];
		struct err e;

		CHECK_INT(date_format_iso(&d, a, sizeof(a)), strlen(fmt[i].iso));
		CHECK_STR(a, fmt[i].iso);
		CHECK_INT(date_format_wareki(&d, b, sizeof(b)), strlen(fmt[i].wareki));
		CHECK_STR(b, fmt[i].wareki);
		CHECK_INT(date_format_wareki_short(&d, c, sizeof(c)), strlen(fmt[i].shortf));
		CHECK_STR(c, fmt[i].shortf);
		const char *forms[] = { a, b, c };
		for (int k = 0; k < 3; k++) {
			CHECK_OK(date_parse(forms[k], &back, &e), &e);
			CHECK_INT(date_cmp(&back, &d), 0);
		}
	}
}

TEST(date_format_refuses_what_it_cannot_write)
{
	struct date before = { 1872, 12, 31 }, invalid = { 2025, 2, 29 }, ok = { 2025, 4, 1 };
	char out[64];

	CHECK_INT(date_format_wareki(&before, out, sizeof(out)), ERR_RANGE);
	CHECK_INT(date_format_wareki_short(&before, out, sizeof(out)), ERR_RANGE);
	CHECK_INT(date_format_iso(&before, out, sizeof(out)), 10);
	CHECK_INT(date_format_iso(&invalid, out, sizeof(out)), ERR_INVAL);
	CHECK_INT(date_format_wareki(&invalid, out, sizeof(out)), ERR_INVAL);
	CHECK_INT(date_format_wareki_short(&invalid, out, sizeof(out)), ERR_INVAL);
	/* too small a buffer: refused, and left an empty string */
	CHECK_INT(date_format_iso(&ok, out, 10), ERR_RANGE);
	CHECK_STR(out, "");
	CHECK_INT(date_format_iso(&ok, out, 11), 10);
	CHECK_INT(date_format_wareki(&ok, out, 5), ERR_RANGE);
	CHECK_STR(out, "");
	CHECK_INT(date_format_wareki_short(&ok, out, 6), ERR_RANGE);
	CHECK_INT(date_format_wareki_short(&ok, out, 7), 6);
}

TEST(date_valid_leap_years)
{
	CHECK(date_valid(2000, 2, 29));		/* divisible by 400 */
	CHECK(!date_valid(1900, 2, 29));	/* by 100, not 400 */
	CHECK(date_valid(2024, 2, 29));
	CHECK(!date_valid(2023, 2, 29));
	CHECK(!date_valid(2100, 2, 29));
	CHECK(date_valid(2400, 2, 29));
	CHECK(date_valid(2025, 12, 31));
	CHECK(!date_valid(2025, 11, 31));
	CHECK(!date_valid(2025, 0, 1));
	CHECK(!date_valid(2025, 1, 0));
	CHECK(!date_valid(0, 1, 1));
	CHECK(!date_valid(10000, 1, 1));
	CHECK(!date_valid(2025, 13, 1));
}

TEST(date_days_known_values)
{
	struct date d;
	static const struct { int y, m, d; long days; } k[] = {
		{ 1970, 1, 1, 0 }, { 1970, 1, 2, 1 }, { 1969, 12, 31, -1 },
		{ 2000, 3, 1, 11017 }, { 2025, 4, 1, 20179 }, { 1873, 1, 1, -35428 },
		{ 1, 1, 1, -719162 }, { 9999, 12, 31, 2932896 },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct date x = { k[i].y, k[i].m, k[i].d };
		CHECK_INT(date_to_days(&x), k[i].days);
		date_from_days(k[i].days, &d);
		CHECK_INT(date_cmp(&d, &x), 0);
	}
}

/* Every day from year 1 to 9999: consecutive day numbers, valid dates,
 * and the right number of days in every year. */
TEST(date_days_round_trip_every_day)
{
	struct date first = { 1, 1, 1 }, last = { 9999, 12, 31 }, d, prev = { 0, 12, 31 };
	long a = date_to_days(&first), b = date_to_days(&last);
	int bad = 0;

	for (long x = a; x <= b; x++) {
		date_from_days(x, &d);
		if (!date_valid(d.y, d.m, d.d) || date_to_days(&d) != x || date_cmp(&prev, &d) >= 0)
			bad++;
		/* the next day after prev */
		if (!((d.y == prev.y && d.m == prev.m && d.d == prev.d + 1) ||
		    (d.y == prev.y && d.m == prev.m + 1 && d.d == 1) ||
		    (d.y == prev.y + 1 && d.m == 1 && d.d == 1 && prev.m == 12)))
			bad++;
		prev = d;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(b - a + 1, 3652059);	/* 9999 Gregorian years */
}

/* date_days agrees with the C library's calendar (timegm). */
TEST(date_days_agree_with_timegm)
{
	for (int y = 1902; y <= 2100; y++)
		for (int m = 1; m <= 12; m++) {
			struct tm tm = { 0 };
			struct date d = { y, m, 15 };
			tm.tm_year = y - 1900;
			tm.tm_mon = m - 1;
			tm.tm_mday = 15;
			CHECK_INT(date_to_days(&d), (long)(timegm(&tm) / 86400));
		}
}

TEST(date_ymd)
{
	struct date d = { 2025, 4, 1 }, bad = { 2025, 2, 29 }, out = { 0, 0, 0 };

	CHECK_INT(date_to_ymd(&d), 20250401);
	CHECK_INT(date_to_ymd(&bad), 0);
	CHECK_INT(date_from_ymd(20250401, &out), 0);
	CHECK_INT(date_cmp(&out, &d), 0);
	CHECK_INT(date_from_ymd(20250229, &out), ERR_INVAL);
	CHECK_INT(date_from_ymd(0, &out), ERR_INVAL);
	CHECK_INT(date_from_ymd(-20250401, &out), ERR_INVAL);
	CHECK_INT(date_from_ymd(20251301, &out), ERR_INVAL);
	CHECK_INT(date_from_ymd(100000101, &out), ERR_INVAL);
	CHECK_INT(date_cmp(&out, &d), 0);	/* untouched on error */
}

TEST(date_today_is_now)
{
	struct date d;
	time_t now = time(NULL);
	struct tm tm;

	date_today(&d);
	localtime_r(&now, &tm);
	CHECK(date_valid(d.y, d.m, d.d));
	CHECK(d.y >= 2025);
	/* the same day, unless midnight passed between the two calls */
	CHECK(d.d == tm.tm_mday || d.d % 31 + 1 == tm.tm_mday || tm.tm_mday == 1);
}

static const struct {
	struct date birth, on;
	int age;
} ages[] = {
	{ { 2000, 4, 2 }, { 2025, 4, 1 }, 24 },
	{ { 2000, 4, 2 }, { 2025, 4, 2 }, 25 },		/* on the birthday */
	{ { 2000, 4, 1 }, { 2025, 3, 31 }, 24 },
	{ { 2000, 4, 1 }, { 2025, 4, 1 }, 25 },
	{ { 2000, 1, 1 }, { 2000, 1, 1 }, 0 },
	{ { 2000, 1, 2 }, { 2000, 1, 1 }, -1 },		/* not yet born */
	{ { 2000, 12, 31 }, { 2001, 12, 30 }, 0 },
	{ { 2000, 12, 31 }, { 2001, 12, 31 }, 1 },
	/* 年齢計算ニ関スル法律: born 29 Feb, the age counts from 1 March in
	 * common years */
	{ { 2000, 2, 29 }, { 2001, 2, 28 }, 0 },
	{ { 2000, 2, 29 }, { 2001, 3, 1 }, 1 },
	{ { 2000, 2, 29 }, { 2004, 2, 28 }, 3 },
	{ { 2000, 2, 29 }, { 2004, 2, 29 }, 4 },
	{ { 2004, 2, 29 }, { 2100, 3, 1 }, 96 },	/* 2100 is not leap */
	{ { 2004, 2, 29 }, { 2100, 2, 28 }, 95 },
	{ { 1960, 3, 1 }, { 2025, 3, 1 }, 65 },
	{ { 1960, 3, 1 }, { 2025, 2, 28 }, 64 },
};

TEST(date_age_table)
{
	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		int a = date_age(&ages[i].birth, &ages[i].on);
		if (a != ages[i].age)
			t_fail_at(__FILE__, __LINE__, "age(%d-%d-%d on %d-%d-%d) = %d, expected %d",
			    ages[i].birth.y, ages[i].birth.m, ages[i].birth.d, ages[i].on.y,
			    ages[i].on.m, ages[i].on.d, a, ages[i].age);
	}
}

TEST(date_fiscal_year_table)
{
	static const struct { struct date d; int fy; } k[] = {
		{ { 2025, 4, 1 }, 2025 }, { { 2026, 3, 31 }, 2025 }, { { 2025, 3, 31 }, 2024 },
		{ { 2025, 12, 31 }, 2025 }, { { 2026, 1, 1 }, 2025 }, { { 2026, 4, 1 }, 2026 },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		CHECK_INT(date_fiscal_year(&k[i].d), k[i].fy);
}

TEST(date_cmp_orders)
{
	struct date a = { 2025, 4, 1 }, b = { 2025, 4, 2 }, c = { 2025, 5, 1 }, d = { 2026, 1, 1 };

	CHECK(date_cmp(&a, &b) < 0);
	CHECK(date_cmp(&b, &a) > 0);
	CHECK(date_cmp(&b, &c) < 0);
	CHECK(date_cmp(&c, &d) < 0);
	CHECK(date_cmp(&a, &a) == 0);
}

/* The formatter writes only what the parser reads back: era years have at
 * most two digits. */
TEST(date_format_wareki_era_year_limit)
{
	struct date last = { 2117, 12, 31 }, beyond = { 2118, 1, 1 }, back;
	char out[64];
	struct err e;

	CHECK_INT(date_format_wareki_short(&last, out, sizeof(out)), 9);
	CHECK_STR(out, "R99.12.31");
	CHECK_OK(date_parse(out, &back, &e), &e);
	CHECK_INT(date_cmp(&back, &last), 0);
	CHECK_INT(date_format_wareki(&beyond, out, sizeof(out)), ERR_RANGE);
	CHECK_INT(date_format_wareki_short(&beyond, out, sizeof(out)), ERR_RANGE);
	CHECK_INT(date_format_iso(&beyond, out, sizeof(out)), 10);
}
