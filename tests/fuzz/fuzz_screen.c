/*
 * fuzz_screen.c — the screen-file parser (madoguchi-screen(5)) on arbitrary
 * bytes.  A file that parses is then exercised through the form model: each
 * field gets a few typical values, the form is validated, written as JSON
 * and read back, which must reproduce the same values (INT-6).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const samples[] = {
	"", "山田 太郎", "ﾔﾏﾀﾞ", "123", "R7.4.1", "2025-04-01", "on", "100-0001",
	"03-1234-5678", "12,000", "123456789018", "その他",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct screen *s = NULL;
	struct form *f, *g;
	struct err e;
	struct wbuf w;

	if (screen_parse("fuzz.screen", data, size, &s, &e) != 0) {
		if (s != NULL || e.msg[0] == '\0')
			abort();	/* an error must leave nothing and say why */
		return 0;
	}
	if ((f = form_new(s)) == NULL || (g = form_new(s)) == NULL) {
		form_free(f);
		screen_free(s);
		return 0;
	}
	f->today = g->today = (struct date){ 2025, 6, 1 };
	for (int i = 0; i < s->nfields; i++) {
		const char *v = samples[(size + (size_t)i) % (sizeof(samples) / sizeof(samples[0]))];
		if (s->fields[i].type == FT_SELECT)
			v = s->fields[i].options[(size_t)i % (size_t)s->fields[i].noptions];
		(void)form_set_index(f, i, v, &e);
	}
	(void)form_validate(f, NULL, &e);
	wbuf_init(&w, 0);
	if (form_to_json(f, &w, &e) == 0 && form_from_json(g, (const char *)w.p, w.len, &e) == 0) {
		for (int i = 0; i < s->nfields; i++)
			if (form_field_shown(f, i) && strcmp(f->values[i], g->values[i]) != 0)
				abort();	/* the round trip lost or changed a value */
	}
	wbuf_free(&w);
	form_free(f);
	form_free(g);
	screen_free(s);
	return 0;
}
