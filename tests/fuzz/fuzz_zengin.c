/*
 * fuzz_zengin.c — libFuzzer target for the zengin-code reader (issue 19):
 * the bank and branch file is outside input to the central.  Any bytes
 * give banks and branches or a refusal with a message, never a crash or a
 * hang; every code given has 4 (bank) or 3 (branch) digits, every name is
 * non-empty valid UTF-8 within ZENGIN_NAME_MAX, and a branch follows its
 * bank.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	char bank[5];
	long banks;
};

static void
check(int c)
{
	if (!c)
		abort();
}

static int
entry(void *ctx, const char *bank, const char *branch, const char *name,
    const char *kana, struct err *e)
{
	struct seen *s = ctx;

	(void)e;
	check(strlen(bank) == 4 && strspn(bank, "0123456789") == 4);
	check(name[0] != '\0' && strlen(name) <= ZENGIN_NAME_MAX &&
	    utf8_valid(name, strlen(name)));
	check(strlen(kana) <= ZENGIN_NAME_MAX && utf8_valid(kana, strlen(kana)));
	if (branch == NULL) {
		memcpy(s->bank, bank, 5);
		s->banks++;
	} else {
		check(strlen(branch) == 3 && strspn(branch, "0123456789") == 3);
		check(strcmp(s->bank, bank) == 0);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s;
	struct err e;
	int r;

	memset(&s, 0, sizeof(s));
	err_clear(&e);
	r = zengin_parse((const char *)data, size, entry, &s, &e);
	check(r == 0 || e.msg[0] != '\0');
	check(r != 0 || s.banks >= 1);
	return 0;
}
