/*
 * fuzz_lookup.c — what the clerk types into the search form
 * (lookup_criteria_set, SC-6, ID-4) and the identity-document list of the
 * configuration (iddoc_parse, ID-1).  The first byte picks the field (or
 * the document list); the rest is the text.
 *
 * Properties: no crash or sanitizer report; a field either takes a value
 * or refuses with a Japanese reason and leaves the criteria as they were;
 * a kana criterion holds only katakana; a 個人番号 is accepted only with
 * the search permission and a valid check digit, and never appears in an
 * error message; a parsed document list has unique, well-formed codes and
 * parsing it is deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "visit.h"

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
	char s[1100];
	struct lookup_criteria c, before;
	struct account a;
	struct err e;
	int f, r;

	if (size < 1 || size >= sizeof(s))
		return 0;
	f = data[0] % (LF_COUNT + 2);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	err_clear(&e);
	if (f >= LF_COUNT) {
		struct iddoc_list l, l2;
		r = iddoc_parse(s, &l, &e);
		if (r == 0) {
			check(l.n >= 0 && l.n <= IDDOC_MAX);
			for (int i = 0; i < l.n; i++) {
				check(l.v[i].code[0] != '\0' && l.v[i].label[0] != '\0');
				for (int j = 0; j < i; j++)
					check(strcmp(l.v[i].code, l.v[j].code) != 0);
				check(iddoc_find(&l, l.v[i].code) == &l.v[i]);
			}
			check(iddoc_parse(s, &l2, NULL) == 0 && l2.n == l.n);
		} else
			check(r == ERR_FORMAT && e.msg[0] != '\0');
		return 0;
	}
	memset(&a, 0, sizeof(a));
	a.search_mynumber = f == LF_MYNUMBER && (data[0] & 0x80);
	memset(&c, 0, sizeof(c));
	before = c;
	r = lookup_criteria_set(&c, (enum lookup_field)f, s, &a, &e);
	if (r != 0) {
		check(err_ja(&e)[0] != '\0');
		check(memcmp(&c, &before, sizeof(c)) == 0 || f == LF_MYNUMBER);
		check(f != LF_MYNUMBER || c.mynumber[0] == '\0');
		return 0;
	}
	switch (f) {
	case LF_KANA:
		for (const char *p = c.kana; *p;) {
			uint32_t cp;
			int n = utf8_decode(p, strlen(p), &cp);
			check(n > 0);
			check((cp >= 0x30A1 && cp <= 0x30FC) || cp == ' ');
			p += n;
		}
		break;
	case LF_BIRTH:
		if (c.birth != 0) {
			struct date d;
			check(date_from_ymd(c.birth, &d) == 0);
		}
		break;
	case LF_MYNUMBER:
		if (c.mynumber[0] != '\0') {
			check(a.search_mynumber);
			check(mynumber_validate(c.mynumber, strlen(c.mynumber), NULL) == 0);
		}
		break;
	default:
		break;
	}
	lookup_criteria_clear(&c);
	return 0;
}
