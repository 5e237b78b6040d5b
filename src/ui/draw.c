/*
 * draw.c — putting UTF-8 text on the screen by display width.  Widths come
 * from core (utf8_cut/utf8_width), so a full-width character is never split
 * at a column limit and padding lines columns up.
 */
#include <string.h>

#include "ui-internal.h"

int
ui_width(const char *s)
{
	return utf8_width(s, strlen(s));
}

int
ui_put(int y, int x, const char *s, int w, int pad)
{
	size_t n;
	int used = 0;

	if (w <= 0 || y < 0 || x < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	n = utf8_cut(s, strlen(s), w, &used);
	mvaddnstr(y, x, s, (int)n);
	if (pad)
		for (int i = used; i < w; i++)
			mvaddch(y, x + i, ' ');
	return pad ? w : used;
}

void
ui_box(int y, int x, int h, int w)
{
	/* Only whline/wvline here, never waddch: drawn over the screen below,
	 * an edge may cross a double-width character, and the line functions
	 * blank the half of it left outside the box, so that ncurses' idea of
	 * the screen stays what the terminal shows.  waddch leaves that half
	 * in place: the terminal then drops the whole character while ncurses
	 * thinks it is still there, and the character stays erased after the
	 * popup is gone (issue 19: `宮崎 清（ミ ザキ キヨシ）`, `異 の種類`). */
	if (h < 2 || w < 2)
		return;
	mvhline(y, x, ACS_ULCORNER, 1);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvhline(y, x + w - 1, ACS_URCORNER, 1);
	for (int r = y + 1; r < y + h - 1; r++) {
		mvhline(r, x, ACS_VLINE, 1);
		mvhline(r, x + 1, ' ', w - 2);
		mvhline(r, x + w - 1, ACS_VLINE, 1);
	}
	mvhline(y + h - 1, x, ACS_LLCORNER, 1);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvhline(y + h - 1, x + w - 1, ACS_LRCORNER, 1);
}
