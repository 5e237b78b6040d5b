/*
 * input.c — one-line input boxes (text, kana, digits, password, ...) over
 * the width-aware line editor.  Input arrives through get_wch, so whatever
 * the terminal's input method commits (漢字 from the IME) is inserted as
 * characters; the cursor is placed by display column and never inside a
 * full-width character.
 */
#include <string.h>

#include "ui-internal.h"

void
ui_input_init(struct ui_input *in, int width, int max_chars, enum lineedit_filter f,
    int masked)
{
	memset(in, 0, sizeof(*in));
	lineedit_init(&in->le, max_chars, 0, f);
	in->width = width < 4 ? 4 : width;
	in->masked = masked;
}

void
ui_input_draw(struct ui *u, struct ui_input *in, int y, int x, int focused)
{
	char view[LINEEDIT_MAX * 4 + 1];
	int col = 0, w = in->width;

	if (x + w + 2 > COLS)
		w = COLS - x - 2;
	if (w < 2)
		return;
	attrset(focused ? ui_attr(u, C_FOCUS) : (int)A_UNDERLINE);
	if (in->masked) {
		/* one '*' per character: the length is not secret enough to
		 * hide, the characters are; no scrolling needed past w */
		int n = in->le.n < w - 1 ? in->le.n : w - 1;
		memset(view, '*', (size_t)n);
		view[n] = '\0';
		col = n;
	} else
		lineedit_view(&in->le, w, view, sizeof(view), &col);
	ui_put(y, x, view, w, 1);
	attrset(A_NORMAL);
	if (focused)
		ui_set_cursor(u, y, x + col);
	mem_wipe(view, sizeof(view));
}

int
ui_input_key(struct ui_input *in, const struct ui_key *k)
{
	if (k->type == UI_K_CHAR) {
		if (k->ch == 0x7f || k->ch == 0x08) {
			lineedit_backspace(&in->le);
			return 1;
		}
		if (k->ch == 0x15) {	/* ^U: clear */
			lineedit_clear(&in->le);
			return 1;
		}
		if (k->ch < 0x20)
			return 0;
		switch (lineedit_insert(&in->le, (uint32_t)k->ch)) {
		case 0:
			return 1;
		case ERR_INVAL:
			beep();
			return UI_INPUT_REFUSED;
		default:
			beep();
			return UI_INPUT_FULL;
		}
	}
	if (k->type != UI_K_KEY)
		return 0;
	switch (k->ch) {
	case KEY_LEFT: lineedit_left(&in->le); return 1;
	case KEY_RIGHT: lineedit_right(&in->le); return 1;
	case KEY_HOME: lineedit_home(&in->le); return 1;
	case KEY_END: lineedit_end(&in->le); return 1;
	case KEY_BACKSPACE: lineedit_backspace(&in->le); return 1;
	case KEY_DC: lineedit_delete(&in->le); return 1;
	default: return 0;
	}
}
