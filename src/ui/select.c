/*
 * select.c — the scrolling result table and the popup pick list.  Columns
 * are laid out by display width, so rows of full-width and half-width text
 * stay aligned; the table scrolls to keep the selection visible.
 */
#include <string.h>

#include "ui-internal.h"

struct table_view {
	struct ui_table *t;
	int full;
};

static int
table_area(const struct table_view *v, int *y, int *x, int *h, int *w)
{
	if (v->full) {
		*y = ui_body_top();
		*x = 1;
		*h = ui_body_rows();
		*w = COLS - 2;
	} else {
		*w = COLS - 8 < 70 ? COLS - 8 : 70;
		*h = v->t->nrows + 4 < ui_body_rows() ? v->t->nrows + 4 : ui_body_rows();
		*y = ui_body_top() + (ui_body_rows() - *h) / 2;
		*x = (COLS - *w) / 2;
	}
	return 0;
}

static void
table_draw(struct ui *u, void *arg)
{
	struct table_view *v = arg;
	struct ui_table *t = v->t;
	int y, x, h, w, rows, cx;
	char pos[32];

	table_area(v, &y, &x, &h, &w);
	if (!v->full) {
		ui_box(y, x, h, w);
		attrset(ui_attr(u, C_TITLE));
		ui_put(y, x + 2, t->title, w - 4, 0);
		attrset(A_NORMAL);
		y++;
		x += 1;
		w -= 2;
		h -= 2;
	}
	/* heads */
	cx = x + 1;
	attrset(A_BOLD | A_UNDERLINE);
	for (int c = 0; c < t->ncols; c++) {
		int cw = t->widths[c] > 0 ? t->widths[c] : x + w - cx;
		if (cx + cw > x + w)
			cw = x + w - cx;
		ui_put(y, cx, t->heads[c], cw, 1);
		cx += cw + 1;
	}
	attrset(A_NORMAL);
	rows = h - 2;
	if (rows < 1)
		rows = 1;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + rows)
		t->top = t->sel - rows + 1;
	for (int r = 0; r < rows && t->top + r < t->nrows; r++) {
		int row = t->top + r;
		cx = x + 1;
		attrset(row == t->sel ? ui_attr(u, C_FOCUS) : (int)A_NORMAL);
		mvhline(y + 1 + r, x, ' ', w);
		for (int c = 0; c < t->ncols; c++) {
			int cw = t->widths[c] > 0 ? t->widths[c] : x + w - cx;
			if (cx + cw > x + w)
				cw = x + w - cx;
			ui_put(y + 1 + r, cx, t->cell(t->arg, row, c), cw, 1);
			cx += cw + 1;
		}
		attrset(A_NORMAL);
	}
	if (t->nrows == 0)
		ui_put(y + 1, x + 1, "（該当なし）", w - 2, 0);
	else {
		snprintf(pos, sizeof(pos), "%d / %d", t->sel + 1, t->nrows);
		attrset(ui_attr(u, C_DIM));
		ui_put(y + h - 1, x + w - ui_width(pos) - 1, pos, ui_width(pos), 0);
		attrset(A_NORMAL);
	}
}

int
ui_table_run(struct ui *u, struct ui_table *t, int full)
{
	struct table_view v = { t, full };
	struct ui_key k;
	int r = -1, y, x, h, w, page;

	ui_push(u, table_draw, &v, full, full ? t->title : NULL, ACTBIT(ACT_BACK));
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT) {
			r = -2;
			break;
		}
		if (UI_ACT_IS(&k, ACT_BACK)) {
			r = -1;
			break;
		}
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		table_area(&v, &y, &x, &h, &w);
		page = h - 4 > 1 ? h - 4 : 1;
		if (UI_CHAR_IS(&k, '\n') && t->nrows > 0) {
			r = t->sel;
			break;
		}
		if (UI_KEY_IS(&k, KEY_UP) && t->sel > 0)
			t->sel--;
		else if (UI_KEY_IS(&k, KEY_DOWN) && t->sel + 1 < t->nrows)
			t->sel++;
		else if (UI_KEY_IS(&k, KEY_PPAGE))
			t->sel = t->sel > page ? t->sel - page : 0;
		else if (UI_KEY_IS(&k, KEY_NPAGE))
			t->sel = t->sel + page < t->nrows ? t->sel + page : (t->nrows > 0 ? t->nrows - 1 : 0);
		else if (UI_KEY_IS(&k, KEY_HOME))
			t->sel = 0;
		else if (UI_KEY_IS(&k, KEY_END) && t->nrows > 0)
			t->sel = t->nrows - 1;
		else
			continue;
		ui_redraw(u);
	}
	ui_pop(u);
	return r;
}

static const char *
pick_cell(void *arg, int row, int col)
{
	(void)col;
	return ((const char *const *)arg)[row];
}

int
ui_fit_width(int w, const char *s)
{
	int sw = ui_width(s);

	return sw > w ? sw : w;
}

int
ui_pick(struct ui *u, const char *title, const char *const *items, int n, int sel)
{
	static const char *const heads[] = { "" };
	static const int widths[] = { 0 };
	struct ui_table t = { title, 1, heads, widths, n, pick_cell, (void *)items,
		sel >= 0 && sel < n ? sel : 0, 0 };

	return ui_table_run(u, &t, 0);
}
