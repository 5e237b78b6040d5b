/*
 * status.c — what the status line knows: reader and card state from the
 * card watcher, online/offline and the time of the last sync (NET-5).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "shell.h"

int
shell_status_apply(struct shell_status *st, const struct shell_ev *ev)
{
	struct shell_status old = *st;

	switch (ev->type) {
	case EV_CARD:
		st->card_state = ev->code;
		snprintf(st->reader, sizeof(st->reader), "%s", ev->text);
		break;
	case EV_SYNC:
		st->online = ev->code ? 1 : 0;
		if (ev->text[0] != '\0')
			snprintf(st->synced_at, sizeof(st->synced_at), "%s", ev->text);
		break;
	default:
		return 0;
	}
	return memcmp(&old, st, sizeof(old)) != 0;
}

/* Seconds since the epoch of "2025-04-01T09:30:00+0900" (or without the
 * offset, as local time); -1 when unreadable. */
static long
parse_time(const char *s)
{
	struct tm tm;
	int off = 0, sign = 1;
	const char *z;
	long t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	z = s + 19;
	if ((*z == '+' || *z == '-') && strlen(z) >= 5) {
		int hh, mm;
		sign = *z == '-' ? -1 : 1;
		if (sscanf(z + 1, "%2d%2d", &hh, &mm) != 2 &&
		    sscanf(z + 1, "%2d:%2d", &hh, &mm) != 2)
			return -1;
		off = sign * (hh * 3600 + mm * 60);
		t = (long)timegm(&tm) - off;
	} else {
		tm.tm_isdst = -1;
		t = (long)mktime(&tm);
	}
	return t;
}

void
shell_status_age(const struct shell_status *st, long now, char *out, size_t cap)
{
	long t, d;

	if (st->synced_at[0] == '\0' || (t = parse_time(st->synced_at)) < 0) {
		snprintf(out, cap, "未同期");
		return;
	}
	d = now - t;
	if (d < 0)
		d = 0;
	if (d < 60)
		snprintf(out, cap, "データ 1分以内");
	else if (d < 3600)
		snprintf(out, cap, "データ %ld分前", d / 60);
	else if (d < 86400)
		snprintf(out, cap, "データ %ld時間前", d / 3600);
	else
		snprintf(out, cap, "データ %ld日前", d / 86400);
}
