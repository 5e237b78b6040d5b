/*
 * fuzz_csv.c — libFuzzer target for the central's CSV reader (SPEC 8: CSV
 * from the core systems is outside input): any bytes give rows, the end or
 * an error, never a crash, a hang or a read out of bounds.  Every field
 * returned is valid UTF-8 and within the field limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv *c = csv_new(data, size);
	char **f;
	size_t nf, i;
	int line, r, rows = 0;

	if (c == NULL)
		return 0;
	while ((r = csv_next(c, &f, &nf, &line, NULL)) == 1) {
		if (nf == 0 || nf > CSV_MAX_FIELDS || line < 1)
			abort();
		for (i = 0; i < nf; i++)
			if (strlen(f[i]) > CSV_FIELD_MAX || !utf8_valid(f[i], strlen(f[i])))
				abort();
		if (++rows > (int)size + 1)
			abort();	/* more rows than bytes: a loop */
	}
	csv_free(c);
	return 0;
}
