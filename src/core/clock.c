/*
 * clock.c — the one wall clock every module reads (mdg_now).
 *
 * Retention limits, account expiry, TOTP steps and stale-sync rules all
 * turn on the date, so tests must be able to stand at either edge of each
 * limit.  Builds for tests (MODE=san and MODE=fuzz define MDG_TEST_CLOCK)
 * take the time from the environment variable MDG_TEST_NOW when it is set:
 *
 *   MDG_TEST_NOW=1796256000              seconds since the epoch (UTC)
 *   MDG_TEST_NOW=2026-12-03T10:00:00Z    the same as an ISO 8601 UTC time
 *   MDG_TEST_NOW=@/path/to/file          either form, read from the file at
 *                                        every call (a running program's
 *                                        clock moved by a test)
 *
 * Release builds (the installed programs) never read the variable: the
 * real clock is the only one a clerk or an operator can reach there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

#ifdef MDG_TEST_CLOCK
static int
clock_parse(const char *s, int64_t *out)
{
	char *end;
	long long v;
	struct tm tm;

	while (*s == ' ' || *s == '\t')
		s++;
	if (strlen(s) >= 20 && s[4] == '-' && s[10] == 'T') {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (end == NULL)
			return ERR_FORMAT;
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	v = strtoll(s, &end, 10);
	if (end == s)
		return ERR_FORMAT;
	*out = (int64_t)v;
	return 0;
}

static int
clock_test(int64_t *out)
{
	const char *v = getenv("MDG_TEST_NOW");
	char buf[64];
	FILE *f;
	size_t n;

	if (v == NULL || *v == '\0')
		return ERR_NOTFOUND;
	if (*v != '@')
		return clock_parse(v, out);
	if ((f = fopen(v + 1, "r")) == NULL)
		return ERR_IO;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return clock_parse(buf, out);
}
#endif

int64_t
mdg_now(void)
{
#ifdef MDG_TEST_CLOCK
	int64_t t;

	if (clock_test(&t) == 0)
		return t;
#endif
	return (int64_t)time(NULL);
}

int
mdg_clock_is_test(void)
{
#ifdef MDG_TEST_CLOCK
	const char *v = getenv("MDG_TEST_NOW");

	return v != NULL && *v != '\0';
#else
	return 0;
#endif
}
