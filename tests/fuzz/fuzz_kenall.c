/*
 * fuzz_kenall.c — libFuzzer target for the KEN_ALL reader (issue 19):
 * Japan Post's file is outside input to the central.  Any bytes are
 * decoded from Shift_JIS and read as records, split records joined, or
 * refused with a message; never a crash, a hang or a read out of bounds.
 * Every record has a 7-digit code, a prefecture and a city, valid UTF-8 in
 * each name, a town to fill that is a prefix of the published one (or a
 * building's floor, or nothing), and its line inside the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	long n;
	int lines;
};

static void
check(int c)
{
	if (!c)
		abort();
}

static int
valid(const char *s)
{
	return utf8_valid(s, strlen(s));
}

static int
record(void *ctx, const struct kenall_entry *k, struct err *e)
{
	struct seen *s = ctx;

	(void)e;
	check(strlen(k->postal) == 7 && strspn(k->postal, "0123456789") == 7);
	check(k->pref[0] != '\0' && k->city[0] != '\0');
	check(valid(k->pref) && valid(k->city) && valid(k->town) &&
	    valid(k->town_full) && valid(k->kana));
	check(k->line >= 1 && k->line <= s->lines);
	s->n++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { 0, 1 };
	struct err e;
	char *u = NULL;
	size_t un = 0, i;
	int r;

	err_clear(&e);
	if (kenall_to_utf8(data, size, &u, &un, &e) != 0) {
		check(u == NULL && e.msg[0] != '\0');
		return 0;
	}
	check(valid(u) || memchr(u, '\0', un) != NULL);
	for (i = 0; i < un; i++)
		if (u[i] == '\n' || u[i] == '\r')
			s.lines++;
	r = kenall_parse(u, un, record, &s, &e);
	check(r == 0 || e.msg[0] != '\0');
	check(r != 0 || s.n >= 1);
	free(u);
	return 0;
}
