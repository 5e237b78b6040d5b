/*
 * fuzz_conf.c — the madoguchi.conf(5) parser.
 *
 * Properties: errors always name the file (and a line when one is at
 * fault); after a successful parse every value set satisfies its key's
 * type, and writing the values out quoted and parsing them again gives the
 * same configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const struct conf_key schema[] = {
	{ "store", "dir", CONF_STR, 0, 0, "/var/lib/madoguchi", "directory" },
	{ "store", "name", CONF_STR, 0, 16, NULL, "short" },
	{ "card", "reader", CONF_STR, 0, 256, "", "reader" },
	{ "sync", "interval", CONF_INT, 10, 86400, "180", "seconds" },
	{ "sync", "offset", CONF_INT, -100, 100, NULL, "signed" },
	{ "ui", "beep", CONF_BOOL, 0, 0, "no", "flag" },
	{ "ui", "lock_after", CONF_INT, 5, 86400, "300", "seconds" },
	{ NULL, NULL, CONF_STR, 0, 0, NULL, NULL },
};

static void
check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c = conf_new(schema), *again;
	struct err e;
	struct wbuf w;
	int r;

	check(c != NULL);
	err_clear(&e);
	r = conf_parse(c, "fuzz.conf", (const char *)data, size, &e);
	if (r != 0) {
		check(e.code == r);
		check(strncmp(e.msg, "fuzz.conf:", 10) == 0 || strcmp(e.msg, "out of memory") == 0);
		conf_free(c);
		return 0;
	}
	/* Write out what was set, quoted, and read it back. */
	wbuf_init(&w, 0);
	for (const struct conf_key *k = schema; k->key != NULL; k++) {
		if (!conf_is_set(c, k->section, k->key))
			continue;
		const char *v = conf_str(c, k->section, k->key);
		struct err e2;
		check(v != NULL);
		check(conf_set(c, k->section, k->key, v, &e2) == 0);	/* still valid */
		v = conf_str(c, k->section, k->key);	/* conf_set replaced it */
		wbuf_printf(&w, "[%s]\n%s = \"%s\"\n", k->section, k->key, v);
	}
	check(w.err == 0);
	again = conf_new(schema);
	check(again != NULL);
	r = conf_parse(again, "again.conf", (const char *)w.p, w.len, &e);
	check(r == 0);
	for (const struct conf_key *k = schema; k->key != NULL; k++) {
		check(conf_is_set(c, k->section, k->key) == conf_is_set(again, k->section, k->key));
		const char *a = conf_str(c, k->section, k->key);
		const char *b = conf_str(again, k->section, k->key);
		check((a == NULL) == (b == NULL));
		check(a == NULL || strcmp(a, b) == 0);
		if (k->type == CONF_INT) {
			long x = conf_int(c, k->section, k->key);
			check(!conf_is_set(c, k->section, k->key) || (x >= k->min && x <= k->max));
		}
	}
	wbuf_free(&w);
	conf_free(again);
	conf_free(c);
	return 0;
}
