/*
 * test_lineedit.c — width-aware editing (SPEC 6): edits by character,
 * measures in columns, never puts the cursor inside a full-width character,
 * truncates at the width limit without splitting one.
 */
#include <string.h>

#include "core.h"
#include "harness.h"
#include "screen.h"

static void
type_str(struct lineedit *le, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int l = utf8_decode(s + i, n - i, &cp);
		REQUIRE(l > 0);
		lineedit_insert(le, cp);
		i += (size_t)l;
	}
}

static const char *
text(const struct lineedit *le)
{
	static char buf[LINEEDIT_MAX * 4 + 1];

	lineedit_get(le, buf, sizeof(buf));
	return buf;
}

TEST(lineedit_insert_mixed_width)
{
	struct lineedit le;

	lineedit_init(&le, 0, 0, LE_ANY);
	type_str(&le, "山田ab太郎");
	CHECK_STR(text(&le), "山田ab太郎");
	CHECK_INT(le.n, 6);
	CHECK_INT(lineedit_width(&le), 10);
	CHECK_INT(lineedit_cursor_col(&le), 10);
	/* cursor moves are by character: two columns over a full-width one */
	lineedit_left(&le);
	CHECK_INT(lineedit_cursor_col(&le), 8);
	lineedit_left(&le);
	CHECK_INT(lineedit_cursor_col(&le), 6);
	lineedit_left(&le);
	CHECK_INT(lineedit_cursor_col(&le), 5);
	/* insert in the middle */
	lineedit_insert(&le, 0x30fb);	/* ・ */
	CHECK_STR(text(&le), "山田a・b太郎");
	CHECK_INT(lineedit_cursor_col(&le), 7);
	lineedit_home(&le);
	CHECK_INT(lineedit_cursor_col(&le), 0);
	lineedit_left(&le);
	CHECK_INT(le.cur, 0);
	lineedit_end(&le);
	lineedit_right(&le);
	CHECK_INT(le.cur, le.n);
}

TEST(lineedit_delete_and_backspace_whole_characters)
{
	struct lineedit le;

	lineedit_init(&le, 0, 0, LE_ANY);
	type_str(&le, "あいうx");
	CHECK_INT(lineedit_backspace(&le), 0);
	CHECK_STR(text(&le), "あいう");
	CHECK_INT(lineedit_backspace(&le), 0);
	CHECK_STR(text(&le), "あい");	/* a whole 3-byte character went */
	lineedit_home(&le);
	CHECK_INT(lineedit_backspace(&le), ERR_RANGE);
	CHECK_INT(lineedit_delete(&le), 0);
	CHECK_STR(text(&le), "い");
	CHECK_INT(lineedit_delete(&le), 0);
	CHECK_INT(lineedit_delete(&le), ERR_RANGE);
	CHECK_STR(text(&le), "");
	CHECK_INT(lineedit_width(&le), 0);
}

TEST(lineedit_limits_by_characters_and_width)
{
	struct lineedit le;

	lineedit_init(&le, 3, 0, LE_ANY);
	type_str(&le, "abcd");
	CHECK_STR(text(&le), "abc");
	CHECK_INT(lineedit_insert(&le, 'z'), ERR_RANGE);
	/* width limit: a full-width character that would cross it is refused
	 * whole, a half-width one still fits */
	lineedit_init(&le, 0, 5, LE_ANY);
	type_str(&le, "山田");
	CHECK_INT(lineedit_insert(&le, 0x592a), ERR_RANGE);	/* 太 needs 2, 1 left */
	CHECK_INT(lineedit_insert(&le, 'x'), 0);
	CHECK_STR(text(&le), "山田x");
	CHECK_INT(lineedit_width(&le), 5);
	/* lineedit_set truncates at the limit without splitting */
	CHECK_INT(lineedit_set(&le, "ab山田太郎"), 0);
	CHECK_STR(text(&le), "ab山");
	CHECK_INT(lineedit_set(&le, "\xe5\xb1"), ERR_FORMAT);
	/* controls and zero-width characters are refused */
	lineedit_init(&le, 0, 0, LE_ANY);
	CHECK_INT(lineedit_insert(&le, '\n'), ERR_INVAL);
	CHECK_INT(lineedit_insert(&le, 0x0301), ERR_INVAL);
	CHECK_INT(le.n, 0);
}

TEST(lineedit_filters)
{
	struct lineedit le;

	lineedit_init(&le, 0, 0, LE_DIGITS);
	type_str(&le, "1a２-3");
	CHECK_STR(text(&le), "123");	/* full-width digit folded, others refused */
	lineedit_init(&le, 0, 0, LE_NUMERIC);
	type_str(&le, "03－12x34");
	CHECK_STR(text(&le), "03-1234");
	lineedit_init(&le, 0, 0, LE_MONEY);
	type_str(&le, "1,000円");
	CHECK_STR(text(&le), "1,000");
}

TEST(lineedit_view_scrolls_and_never_splits)
{
	struct lineedit le;
	char out[256];
	int col;

	lineedit_init(&le, 0, 0, LE_ANY);
	type_str(&le, "あいうえおかきくけこ");	/* 20 columns */
	/* a box of 9 columns: the cursor at the end needs a free column, so 4
	 * full-width characters (8 columns) are shown */
	lineedit_view(&le, 9, out, sizeof(out), &col);
	CHECK_STR(out, "きくけこ");
	CHECK_INT(col, 8);
	CHECK_INT(utf8_width(out, strlen(out)) <= 9, 1);
	/* home: from the start, only whole characters that fit in 9 */
	lineedit_home(&le);
	lineedit_view(&le, 9, out, sizeof(out), &col);
	CHECK_STR(out, "あいうえ");
	CHECK_INT(col, 0);
	/* cursor in the middle, between full-width characters */
	for (int i = 0; i < 6; i++)
		lineedit_right(&le);
	lineedit_view(&le, 9, out, sizeof(out), &col);
	CHECK_INT(col % 2, 0);
	CHECK(col < 9);
	/* a half-width start that makes the wide ones odd-aligned */
	lineedit_init(&le, 0, 0, LE_ANY);
	type_str(&le, "aあいうえ");	/* 9 columns */
	lineedit_home(&le);
	lineedit_view(&le, 6, out, sizeof(out), &col);
	CHECK_STR(out, "aあい");	/* 5 columns: う would need 7 */
	CHECK_INT(utf8_width(out, strlen(out)), 5);
}

TEST(lineedit_wipe_clears_memory)
{
	struct lineedit le;
	static const uint32_t zero[LINEEDIT_MAX];

	lineedit_init(&le, 0, 0, LE_ANY);
	type_str(&le, "secret-pass");
	lineedit_wipe(&le);
	CHECK_INT(le.n, 0);
	CHECK_MEM(le.cp, zero, sizeof(zero));
}
