/*
 * fuzz_text.c — UTF-8 decoding, display width, cutting and the kana search
 * key (SC-6) on arbitrary bytes.
 *
 * Properties: utf8_valid agrees with a decode loop and with utf8_count;
 * every cut is a valid prefix within the width and as wide as possible;
 * kana_normalize refuses exactly the invalid inputs, never grows the text,
 * is idempotent and leaves no leading, trailing or double spaces.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

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
	const char *s = (const char *)data;
	size_t i = 0;
	int count = 0, valid = 1;
	uint32_t cp;

	while (i < size) {
		int l = utf8_decode(s + i, size - i, &cp);
		if (l < 0) {
			valid = 0;
			break;
		}
		check(l >= 1 && l <= 4 && (size_t)l <= size - i);
		char b[4];
		check(utf8_encode(cp, b) == l && memcmp(b, s + i, (size_t)l) == 0);
		i += (size_t)l;
		count++;
	}
	check(utf8_valid(s, size) == valid);
	check(utf8_count(s, size) == (valid ? count : ERR_FORMAT));

	int total = utf8_width(s, size);
	check(total >= 0 && (size_t)total <= size * 2);
	/* A few widths, not all of them: each cut is O(n). */
	const int widths[] = { 0, 1, 2, 3, total / 2, total - 1, total, total + 1 };
	for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
		int maxw = widths[wi], w;
		if (maxw < 0)
			continue;
		size_t b = utf8_cut(s, size, maxw, &w);
		check(b <= size && w <= maxw && utf8_width(s, b) == w);
		if (b < size) {		/* the widest prefix: the next one does not fit */
			int l = utf8_decode(s + b, size - b, &cp), cw = 1;
			if (l > 0 && (cw = cp_width(cp)) < 0)
				cw = 1;
			check(w + cw > maxw);
		}
		if (valid)
			check(utf8_valid(s, b));
	}

	char *a = malloc(size + 1), *k = malloc(size + 1);
	check(a != NULL && k != NULL);
	int ra = kana_normalize(s, size, a, size + 1);
	if (!valid) {
		check(ra == ERR_FORMAT);
	} else {
		check(ra >= 0 && (size_t)ra <= size && a[ra] == '\0');
		check(utf8_valid(a, (size_t)ra));
		check(ra == 0 || (a[0] != ' ' && a[ra - 1] != ' '));
		check(memmem(a, (size_t)ra, "  ", 2) == NULL);
		int rk = kana_normalize(a, (size_t)ra, k, size + 1);
		check(rk == ra && memcmp(a, k, (size_t)ra) == 0);
	}
	free(a);
	free(k);
	return 0;
}
