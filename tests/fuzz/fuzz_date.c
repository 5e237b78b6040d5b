/*
 * fuzz_date.c — the 和暦/西暦 date parser (REQUIREMENTS SC-6), whose input
 * a clerk types or an import file carries.
 *
 * Properties: a parse either fills a valid date or refuses with both an
 * English and a Japanese reason; a parsed date formats as ISO (and, from
 * 1873 on, as 和暦 long and short) and each of those parses back to the same
 * date; day numbers round-trip; ages are consistent.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
reparse(const struct date *d, int (*fmt)(const struct date *, char *, size_t))
{
	char s[64];
	struct date back;
	struct err e;
	int r = fmt(d, s, sizeof(s));

	if (r == ERR_RANGE && d->y > 2019 + 98)
		return;			/* 令和100年 and later: no 和暦 form */
	check(r > 0);
	check(date_parse(s, &back, &e) == 0);
	check(date_cmp(&back, d) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256];
	struct date d = { -1, -1, -1 };
	struct err e;
	int r;

	if (size >= sizeof(s))
		return 0;
	if (size > 0)
		memcpy(s, data, size);	/* data is NULL when size is 0 */
	s[size] = '\0';
	err_clear(&e);
	r = date_parse(s, &d, &e);
	if (r == 0) {
		check(date_valid(d.y, d.m, d.d));
		reparse(&d, date_format_iso);
		if (d.y >= 1873) {
			reparse(&d, date_format_wareki);
			reparse(&d, date_format_wareki_short);
		}
		struct date x;
		date_from_days(date_to_days(&d), &x);
		check(date_cmp(&x, &d) == 0);
		check(date_from_ymd(date_to_ymd(&d), &x) == 0 && date_cmp(&x, &d) == 0);
		/* one year later the age is one more */
		struct date later = { d.y + 1, d.m, d.d };
		if (later.y <= 9999 && date_valid(later.y, later.m, later.d))
			check(date_age(&d, &later) == 1);
		check(date_age(&d, &d) == 0);
	} else {
		check(r == ERR_FORMAT || r == ERR_RANGE);
		check(e.code == r && e.msg[0] != '\0' && e.ja[0] != '\0');
		check(utf8_valid(e.ja, strlen(e.ja)) && utf8_valid(e.msg, strlen(e.msg)));
		check(d.y == -1);		/* untouched */
	}
	/* the raw bytes as a day number: round-trips within the 4-digit years */
	if (size >= 4) {
		long days = (long)((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
		    (uint32_t)data[2] << 8 | data[3]) % 3652059L - 719162L;
		struct date x;
		date_from_days(days, &x);
		check(date_valid(x.y, x.m, x.d) && date_to_days(&x) == days);
	}
	return 0;
}
