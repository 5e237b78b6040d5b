/*
 * freshness.c — how old the local copy of the resident data is, and what
 * that allows (NET-5): past [sync] stale_warn the status line and the
 * detail view say so, past [sync] stale_block lookups are refused with the
 * reason.  The as-of time is the time of the last successful pull (the
 * sync cursor), or, for a store that was loaded locally and never synced,
 * the setting "data.as_of".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "visit.h"

enum lookup_fresh
lookup_fresh_rule(long now, long as_of, long warn_s, long block_s)
{
	long age;

	if (as_of < 0)
		return FRESH_UNKNOWN;
	age = now - as_of;
	if (age < 0)
		age = 0;	/* a clock step back is not staleness */
	if (block_s > 0 && age > block_s)
		return FRESH_BLOCK;
	if (warn_s > 0 && age > warn_s)
		return FRESH_WARN;
	return FRESH_OK;
}

long
lookup_parse_time(const char *iso)
{
	int y, mo, d, h, mi, s, sign = 1, tzh = 0, tzm = 0;
	char tz[8] = "";
	struct date dt;
	long days, off = 0;

	if (iso == NULL || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%7s", &y, &mo, &d, &h,
	    &mi, &s, tz) < 6)
		return -1;
	if (!date_valid(y, mo, d) || h > 23 || mi > 59 || s > 60)
		return -1;
	if (tz[0] == '+' || tz[0] == '-') {
		if (sscanf(tz + 1, "%2d%2d", &tzh, &tzm) != 2 &&
		    sscanf(tz + 1, "%2d:%2d", &tzh, &tzm) != 2)
			return -1;
		sign = tz[0] == '-' ? -1 : 1;
		off = sign * (tzh * 3600L + tzm * 60L);
	} else if (tz[0] != '\0' && tz[0] != 'Z')
		return -1;
	dt.y = y;
	dt.m = mo;
	dt.d = d;
	days = date_to_days(&dt);
	return days * 86400L + h * 3600L + mi * 60L + s - off;
}

int
lookup_freshness(struct store *st, long now, long warn_s, long block_s,
    struct lookup_freshness *out, struct err *e)
{
	char cur[512], at[32];
	long t = -1;
	int r;

	memset(out, 0, sizeof(*out));
	r = store_sync_cursor_get(st, cur, sizeof(cur), at, NULL);
	if (r == 0 && at[0] != '\0')
		t = lookup_parse_time(at);
	if (t < 0 && store_setting_get(st, "data.as_of", at, sizeof(at), NULL) == 0)
		t = lookup_parse_time(at);
	mem_wipe(cur, sizeof(cur));
	(void)e;
	if (t >= 0)
		snprintf(out->as_of, sizeof(out->as_of), "%s", at);
	out->age_s = t >= 0 ? (now - t > 0 ? now - t : 0) : -1;
	out->state = lookup_fresh_rule(now, t, warn_s, block_s);
	return 0;
}

static void
age_text(long s, char *out, size_t cap)
{
	if (s < 3600)
		snprintf(out, cap, "%ld分前", s / 60);
	else if (s < 2 * 86400)
		snprintf(out, cap, "%ld時間前", s / 3600);
	else
		snprintf(out, cap, "%ld日前", s / 86400);
}

void
lookup_freshness_text(const struct lookup_freshness *f, char *out, size_t cap)
{
	char age[32], when[48];

	if (f->state == FRESH_UNKNOWN || f->age_s < 0) {
		snprintf(out, cap, "データ基準時刻不明（未同期）");
		return;
	}
	age_text(f->age_s, age, sizeof(age));
	/* "2025-04-01T09:30:00+0900" → "R7.4.1 09:30" (issue 19) */
	when_text(f->as_of, WHEN_SHORT, when, sizeof(when));
	snprintf(out, cap, "データ基準 %s（%s）%s", when, age,
	    f->state == FRESH_BLOCK ? " — 古すぎるため照会できません" :
	    f->state == FRESH_WARN ? " — 古いデータです。同期してください" : "");
}
