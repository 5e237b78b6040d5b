/*
 * test_when.c — the one date-time style a clerk reads (issue 19): 和暦
 * date and 24-hour time in [ui] timezone (when.c); ISO times from the
 * store in any offset come out in the zone; nothing raw comes through.
 */
#include <string.h>

#include "core.h"
#include "harness.h"
#include "visit.h"

TEST(iso_times_show_as_wareki_and_24_hour_time_in_the_zone)
{
	char out[96];

	REQUIRE(when_zone_set("Asia/Tokyo") == 0);
	CHECK_INT(when_zone_offset(), 9 * 3600);
	/* UTC 14:05 is 23:05 in Tokyo, the same day */
	when_text("2026-12-03T14:05:00Z", WHEN_LONG, out, sizeof(out));
	CHECK_STR(out, "令和8年12月3日 23:05");
	/* UTC 15:30 is the next day in Tokyo */
	when_text("2026-12-03T15:30:00+0000", WHEN_LONG, out, sizeof(out));
	CHECK_STR(out, "令和8年12月4日 00:30");
	/* a local time with its offset, as the store writes it */
	when_text("2026-12-03T09:07:59+0900", WHEN_SHORT, out, sizeof(out));
	CHECK_STR(out, "R8.12.3 09:07");
	when_text("2026-12-03T09:07:59+09:00", WHEN_DATE, out, sizeof(out));
	CHECK_STR(out, "令和8年12月3日");
	when_text("2026-12-03T09:07:59+0900", WHEN_SHORT_DATE, out, sizeof(out));
	CHECK_STR(out, "R8.12.3");
	/* 元年 */
	when_text("2019-05-01T00:00:00+0900", WHEN_LONG, out, sizeof(out));
	CHECK_STR(out, "令和元年5月1日 00:00");
}

TEST(another_zone_and_unreadable_times)
{
	char out[96];

	REQUIRE(when_zone_set("UTC") == 0);
	CHECK_INT(when_zone_offset(), 0);
	when_text("2026-12-03T09:07:59+0900", WHEN_LONG, out, sizeof(out));
	CHECK_STR(out, "令和8年12月3日 00:07");
	/* never the raw string */
	when_text("20261203", WHEN_LONG, out, sizeof(out));
	CHECK_STR(out, "日時不明");
	when_text("", WHEN_LONG, out, sizeof(out));
	CHECK_STR(out, "");
	REQUIRE(when_zone_set(NULL) == 0);	/* the default: Asia/Tokyo */
	CHECK_INT(when_zone_offset(), 9 * 3600);
}

TEST(yyyymmdd_dates_in_wareki)
{
	char out[64];

	when_ymd_text(20261203, WHEN_SHORT, out, sizeof(out));
	CHECK_STR(out, "R8.12.3");
	when_ymd_text(20261203, WHEN_DATE, out, sizeof(out));
	CHECK_STR(out, "令和8年12月3日");
	when_ymd_text(20261301, WHEN_DATE, out, sizeof(out));
	CHECK_STR(out, "不明");
}

TEST(birth_dates_have_the_seireki_year_not_an_iso_string)
{
	char out[64];

	person_birth_text(19450828, out, sizeof(out));
	CHECK_STR(out, "S20.8.28（1945年）");
	person_birth_text(0, out, sizeof(out));
	CHECK_STR(out, "不明");
}
