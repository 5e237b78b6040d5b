/*
 * clock.c — the one wall clock every module reads (issue 13).
 *
 * clock_now() is time(NULL) unless the environment variable MDG_NOW is set,
 * which the tests use to move time to the edge of a retention period:
 *
 *   MDG_NOW=1767225600            seconds since the epoch
 *   MDG_NOW=2027-01-01            that day, 12:00 local time
 *   MDG_NOW=2027-01-01T09:30:00   that local time
 *   MDG_NOW=@/path/file           any of the above read from the file at
 *                                 each call (a running server's clock)
 *
 * A value that does not parse is ignored (the real clock).  Setting the
 * clock this way is no more than setting the system clock, which the
 * clock-backwards check (store/purge.c) is there to catch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

static int
parse_time(const char *s, time_t *out)
{
	struct tm tm;
	char *end;
	long long v;
	int y, mo, d, h = 12, mi = 0, sec = 0, n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return -1;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3) {
		if (s[n] == 'T' && sscanf(s + n, "T%2d:%2d:%2d", &h, &mi, &sec) != 3)
			return -1;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		tm.tm_isdst = -1;
		*out = mktime(&tm);
		return *out == (time_t)-1 ? -1 : 0;
	}
	v = strtoll(s, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
		end++;
	if (end == s || *end != '\0' || v < 0)
		return -1;
	*out = (time_t)v;
	return 0;
}

time_t
clock_now(void)
{
	const char *s = getenv("MDG_NOW");
	time_t t;

	if (s == NULL || *s == '\0')
		return time(NULL);
	if (*s == '@') {
		char buf[64];
		FILE *f = fopen(s + 1, "re");
		size_t n;

		if (f == NULL)
			return time(NULL);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		return parse_time(buf, &t) == 0 ? t : time(NULL);
	}
	return parse_time(s, &t) == 0 ? t : time(NULL);
}
