/*
 * scr-prompt.c — small helpers the intake, review and ledger screens
 * share: a one-line question in a box (reason, bag number, date, ...) and
 * a scrolling read-only text view (the receipt slip when there is no
 * printer, a transmittal list, an application's details), and the screen
 * of an application.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"

struct prompt {
	const char *title;
	const char *label;
	struct ui_input in;
};

static void
prompt_draw(struct ui *u, void *arg)
{
	struct prompt *p = arg;
	int w = COLS - 10 < 70 ? COLS - 10 : 70, h = 6;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;

	ui_box(y, x, h, w);
	attrset(ui_attr(u, C_TITLE));
	ui_put(y, x + 2, p->title, w - 4, 0);
	attrset(A_NORMAL);
	ui_put(y + 2, x + 2, p->label, w - 4, 0);
	p->in.width = w - 6;
	ui_input_draw(u, &p->in, y + 3, x + 2, 1);
	attrset(ui_attr(u, C_DIM));
	ui_put(y + h - 1, x + 2, " Enter 決定  Esc 取消 ", w - 4, 0);
	attrset(A_NORMAL);
}

int
ui_prompt(struct ui *u, const char *title, const char *label, char *buf,
    size_t cap, int max_chars)
{
	struct prompt p;
	struct ui_key k;
	int r;

	memset(&p, 0, sizeof(p));
	p.title = title;
	p.label = label;
	ui_input_init(&p.in, 60, max_chars, LE_ANY, 0);
	lineedit_set(&p.in.le, buf);
	ui_push(u, prompt_draw, &p, 0, NULL, ACTBIT(ACT_BACK));
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT) {
			r = -1;
			break;
		}
		if (UI_ACT_IS(&k, ACT_BACK)) {
			r = 0;
			break;
		}
		if (UI_CHAR_IS(&k, '\n')) {
			lineedit_get(&p.in.le, buf, cap);
			r = 1;
			break;
		}
		if (ui_input_key(&p.in, &k))
			ui_redraw(u);
	}
	lineedit_wipe(&p.in.le);
	ui_pop(u);
	return r;
}

/* ------------------------------------------------------- text view */

struct textview {
	const char *text;
	const char *hint;	/* drawn on the last body row, or NULL */
	int top;
	int nlines;
};

static void
text_draw(struct ui *u, void *arg)
{
	struct textview *t = arg;
	const char *p = t->text;
	int y = ui_body_top(), rows = ui_body_rows() - 1 - (t->hint != NULL), line = 0;
	char buf[1024];

	while (*p != '\0' && line < t->top + rows) {
		size_t l = strcspn(p, "\n");
		if (line >= t->top) {
			size_t c = l < sizeof(buf) - 1 ? l : sizeof(buf) - 1;
			memcpy(buf, p, c);
			buf[c] = '\0';
			ui_put(y + line - t->top, 2, buf, COLS - 4, 0);
		}
		line++;
		p += l;
		if (*p == '\n')
			p++;
	}
	if (t->nlines > rows) {
		snprintf(buf, sizeof(buf), "（%d-%d / %d 行  ↑↓ PgUp PgDn）", t->top + 1,
		    t->top + rows < t->nlines ? t->top + rows : t->nlines, t->nlines);
		attrset(ui_attr(u, C_DIM));
		ui_put(y + rows, 2, buf, COLS - 4, 0);
		attrset(A_NORMAL);
	}
	if (t->hint != NULL) {
		attrset(A_BOLD);
		ui_put(y + rows + 1, 2, t->hint, COLS - 4, 0);
		attrset(A_NORMAL);
	}
}

void *
ui_text_backdrop_push(struct ui *u, const char *title, const char *text)
{
	struct textview *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->text = text;
	for (const char *p = text; *p; p++)
		t->nlines += *p == '\n';
	ui_push(u, text_draw, t, 1, title, ACTBIT(ACT_BACK));
	return t;
}

void
ui_text_backdrop_pop(struct ui *u, void *backdrop)
{
	if (backdrop == NULL)
		return;
	ui_pop(u);
	free(backdrop);
}

int
ui_text_view(struct ui *u, const char *title, const char *text, const char *keys_hint)
{
	return ui_text_view_acts(u, title, text, keys_hint, 0);
}

int
ui_text_view_acts(struct ui *u, const char *title, const char *text, const char *keys_hint,
    unsigned acts)
{
	struct textview t = { text, keys_hint, 0, 0 };
	struct ui_key k;
	int r = 0;

	for (const char *p = text; *p; p++)
		t.nlines += *p == '\n';
	if (text[0] != '\0' && text[strlen(text) - 1] != '\n')
		t.nlines++;
	ui_push(u, text_draw, &t, 1, title, ACTBIT(ACT_BACK) | acts);
	ui_set_note(u, keys_hint != NULL ? keys_hint : "↑↓ PgUp/PgDn スクロール  Enter/Esc 閉じる");
	for (;;) {
		int rows = ui_body_rows() - 1 - (keys_hint != NULL);
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT) {
			r = -1;
			break;
		}
		if (UI_ACT_IS(&k, ACT_BACK) || UI_CHAR_IS(&k, '\n')) {
			r = 0;
			break;
		}
		if (k.type == UI_K_ACTION && k.act < 32 && (acts & ACTBIT(k.act))) {
			r = UI_TV_ACT(k.act);	/* an F-key the caller offered */
			break;
		}
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		if (k.type == UI_K_CHAR && keys_hint != NULL && k.ch < 0x80 && k.ch > ' ') {
			r = (int)k.ch;	/* a letter the caller offered */
			break;
		}
		if (UI_KEY_IS(&k, KEY_DOWN) && t.top + rows < t.nlines)
			t.top++;
		else if (UI_KEY_IS(&k, KEY_UP) && t.top > 0)
			t.top--;
		else if (UI_KEY_IS(&k, KEY_NPAGE))
			t.top = t.top + rows < t.nlines - rows ? t.top + rows :
			    (t.nlines > rows ? t.nlines - rows : 0);
		else if (UI_KEY_IS(&k, KEY_PPAGE))
			t.top = t.top > rows ? t.top - rows : 0;
		else
			continue;
		ui_redraw(u);
	}
	ui_pop(u);
	return r;
}

const struct screen *
ui_screen_of(struct ui *u, const char *id)
{
	return u->screens != NULL ? screen_set_find(u->screens, id) : NULL;
}
