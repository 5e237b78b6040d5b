/*
 * when.c — the one date-time style a clerk reads (issue 19): 和暦 date and
 * 24-hour time in the zone of [ui] timezone (Asia/Tokyo by default).  The
 * store and the logs keep their ISO times; only the screens and the
 * printed slips turn them into this.  No raw ISO string and no `20261203`
 * reaches a clerk.
 *
 * The zone's offset is taken once, when the screens start (before any
 * thread): TZ is switched for one localtime_r and put back, so the logs
 * keep the process's own zone.  Japan has no daylight saving time; for a
 * zone that has, the offset of the start time is used all day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "visit.h"

static long zone_off = 9 * 3600L;	/* JST until when_zone_set */

int
when_zone_set(const char *tz)
{
	char *old = getenv("TZ"), saved[256];
	int had = old != NULL;
	time_t now = time(NULL);
	struct tm tm;

	if (tz == NULL || tz[0] == '\0')
		tz = "Asia/Tokyo";
	if (had)
		snprintf(saved, sizeof(saved), "%s", old);
	if (setenv("TZ", tz, 1) != 0)
		return -1;
	tzset();
	if (localtime_r(&now, &tm) != NULL)
		zone_off = tm.tm_gmtoff;
	if (had)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	return 0;
}

long
when_zone_offset(void)
{
	return zone_off;
}

/* Seconds since the epoch t in the zone: the date and the minutes. */
static void
split(long t, struct date *d, int *h, int *mi)
{
	long l = t + zone_off, days = l / 86400, rem = l % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	date_from_days(days, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem % 3600 / 60);
}

void
when_epoch_text(long t, enum when_style style, char *out, size_t cap)
{
	struct date d;
	char day[48];
	int h, mi, n;

	if (cap == 0)
		return;
	split(t, &d, &h, &mi);
	n = style == WHEN_SHORT || style == WHEN_SHORT_DATE ?
	    date_format_wareki_short(&d, day, sizeof(day)) :
	    date_format_wareki(&d, day, sizeof(day));
	if (n < 0)
		snprintf(day, sizeof(day), "%d年%d月%d日", d.y, d.m, d.d);
	if (style == WHEN_DATE || style == WHEN_SHORT_DATE)
		snprintf(out, cap, "%s", day);
	else
		snprintf(out, cap, "%s %02d:%02d", day, h, mi);
}

void
when_text(const char *iso, enum when_style style, char *out, size_t cap)
{
	long t = lookup_parse_time(iso);

	if (cap == 0)
		return;
	if (t < 0) {
		snprintf(out, cap, "%s", iso != NULL && iso[0] != '\0' ? "日時不明" : "");
		return;
	}
	when_epoch_text(t, style, out, cap);
}

void
when_ymd_text(int ymd, enum when_style style, char *out, size_t cap)
{
	struct date d;

	if (cap == 0)
		return;
	if (date_from_ymd(ymd, &d) != 0) {
		snprintf(out, cap, "不明");
		return;
	}
	if ((style == WHEN_SHORT || style == WHEN_SHORT_DATE ?
	    date_format_wareki_short(&d, out, cap) :
	    date_format_wareki(&d, out, cap)) < 0)
		snprintf(out, cap, "%d年%d月%d日", d.y, d.m, d.d);
}

void
when_now_hhmm(char out[8])
{
	struct date d;
	int h, mi;

	split((long)mdg_now(), &d, &h, &mi);
	snprintf(out, 8, "%02d:%02d", h, mi);
}
