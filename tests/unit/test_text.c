/*
 * test_text.c — text on its way to a terminal or a file (issue 15 B,
 * output; core text.c): controls made visible, private-use characters
 * kept, CSV cells a spreadsheet shows as text.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "core.h"

TEST(text_visible_escapes_every_kind_of_control)
{
	char out[256];
	uint32_t cp;

	/* C0 and an OSC title sequence, DEL, C1 (CSI U+009B, NEL U+0085),
	 * the bidi overrides and isolates, LRM, the line separator. */
	text_visible("a\x1b]0;x\x07" "b\x7f" "c\xc2\x9b" "d\xc2\x85", out, sizeof(out));
	CHECK_STR(out, "a\\x1b]0;x\\x07b\\x7fc\\u009bd\\u0085");
	text_visible("\xe2\x80\xaa\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\xa8",
	    out, sizeof(out));
	CHECK_STR(out, "\\u202a\\u202e\\u2066\\u2069\\u200e\\u2028");
	text_visible("1\t2\n3\r", out, sizeof(out));
	CHECK_STR(out, "1\\t2\\n3\\r");
	/* invalid UTF-8 shown byte by byte */
	text_visible("x\xff\xc3", out, sizeof(out));
	CHECK_STR(out, "x\\xff\\xc3");
	CHECK(strstr(out, "\\xff") != NULL && strstr(out, "\\xc3") != NULL);
	/* 外字 (private use, BMP and plane 15) and ordinary text are kept */
	text_visible("髙\xee\x80\x80\xef\xa3\xbf\xf3\xb0\x80\x80 山田", out, sizeof(out));
	CHECK_STR(out, "髙\xee\x80\x80\xef\xa3\xbf\xf3\xb0\x80\x80 山田");
	CHECK_INT(text_find_control("髙\xee\x80\x80", 6, NULL), -1);
	CHECK_INT(text_find_control("山\xe2\x80\xae", 6, &cp), 3);
	CHECK_INT(cp, 0x202e);
	/* cut to whole pieces: never half an escape or a character */
	CHECK_INT(text_visible("ab\x1b", out, 5), 2);
	CHECK_STR(out, "ab");
	CHECK_INT(text_visible("山田", out, 5), 3);
	CHECK_STR(out, "山");
}

TEST(csv_cell_guards_formulas_and_controls)
{
	static const char *const in[] = { "=HYPERLINK(\"http://x\",\"y\")", "+1", "-2",
		"@SUM(A1)", "\tx", "\rx", "ok", "a\"b", "-", NULL };
	static const char *const want[] = { "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
		"\"'+1\"", "\"'-2\"", "\"'@SUM(A1)\"", "\"'\\tx\"", "\"'\\rx\"", "\"ok\"",
		"\"a\"\"b\"", "\"'-\"" };
	struct wbuf w;
	size_t i;

	for (i = 0; in[i] != NULL; i++) {
		wbuf_init(&w, 0);
		CHECK_INT(csv_put_cell(&w, in[i]), 0);
		CHECK_STR(wbuf_str(&w), want[i]);
		wbuf_free(&w);
	}
	wbuf_init(&w, 0);
	csv_put_cell(&w, "x\xe2\x80\xae" "y\n");
	CHECK_STR(wbuf_str(&w), "\"x\\u202ey\\n\"");
	wbuf_free(&w);
}
