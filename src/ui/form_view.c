/*
 * form_view.c — a screen definition on the screen: one row per shown field,
 * labels padded by display width so that every input box starts in the same
 * column whatever mix of full- and half-width text the labels hold.
 *
 * Values go into the form only through form_set_index (normalised and
 * checked by the app module), so the view cannot put anything into a form
 * that the screen does not declare (INT-6).
 */
#include <stdio.h>
#include <string.h>

#include "ui-internal.h"
#include "store.h"

#define LABEL_MAX_W 28

struct form_view {
	struct form *f;
	int focus;		/* field index */
	int top;		/* first shown row */
	struct ui_input in;	/* the edit buffer of the focused field */
	int editing;		/* in holds the focused field's text */
	int label_w;
	int show_number;	/* the account has the view flag (SC-1) */
	int refused;		/* the message line says why a key was refused */
};

static int
is_textlike(enum field_type t)
{
	return t != FT_SELECT && t != FT_CHECKBOX;
}

static int
box_width(const struct field *fd)
{
	switch (fd->type) {
	case FT_TEXT: case FT_KANA:
		return fd->max_len * 2 + 1 < 50 ? fd->max_len * 2 + 1 : 50;
	case FT_DIGITS: return fd->max_len + 2;
	case FT_MONEY: return fd->max_len + 5;
	case FT_DATE: return 14;
	case FT_YEAR: return 12;
	case FT_YEARMONTH: return 14;
	case FT_MYNUMBER: return 16;
	case FT_POSTAL: return 10;
	case FT_PHONE: return 15;
	default: return 20;
	}
}

static enum lineedit_filter
filter_of(enum field_type t)
{
	switch (t) {
	case FT_DIGITS: return LE_DIGITS;
	case FT_MYNUMBER: return LE_DIGITS;
	case FT_POSTAL: case FT_PHONE: return LE_NUMERIC;
	case FT_MONEY: return LE_MONEY;
	default: return LE_ANY;
	}
}

static const char *
hint_of(const struct field *fd)
{
	/* the screen's own explanation (madoguchi-screen(5) "help") first */
	if (fd->help[0] != '\0')
		return fd->help;
	switch (fd->type) {
	case FT_KANA: return "カタカナで入力（ひらがな・半角カナは自動で変換）";
	case FT_DIGITS: return "数字のみ";
	case FT_DATE: return "和暦（R7.4.1・令和7年4月1日）または西暦（2025-04-01）";
	case FT_YEARMONTH: return "西暦6桁 202610 または 令和8年10月・R8.10";
	case FT_YEAR: return "西暦4桁 2026 または 令和8年・R8";
	case FT_SELECT: return "←→ で切替、Enter で一覧から選択";
	case FT_CHECKBOX: return "Space で切替";
	case FT_MYNUMBER: return "12桁の数字（チェックデジットを確認します）";
	case FT_POSTAL: return "7桁（123-4567）";
	case FT_PHONE: return "0から始まる10桁か11桁（ハイフン可）";
	case FT_MONEY: return "円単位の数字（カンマ可）";
	default: return "";
	}
}

static void
load_focus(struct form_view *v)
{
	const struct field *fd = &v->f->s->fields[v->focus];

	v->editing = 0;
	if (!is_textlike(fd->type))
		return;
	ui_input_init(&v->in, box_width(fd), fd->type == FT_MYNUMBER ? 14 :
	    fd->type == FT_POSTAL ? 8 : fd->type == FT_PHONE ? 13 :
	    fd->type == FT_DATE || fd->type == FT_YEARMONTH || fd->type == FT_YEAR ? 20 :
	    fd->type == FT_MONEY ? fd->max_len + fd->max_len / 3 + 2 :
	    fd->max_len, filter_of(fd->type),
	    /* SC-1: a prefilled 個人番号 stays masked while edited, unless the
	     * account may view it (the check digit still catches typing slips) */
	    fd->type == FT_MYNUMBER && !v->show_number);
	lineedit_set(&v->in.le, v->f->values[v->focus]);
	v->editing = 1;
}

/* Put the edit buffer into the form; 0, or an error shown to the clerk. */
static int
commit(struct ui *u, struct form_view *v)
{
	char buf[FORM_VALUE_MAX + 1];
	struct err e;
	int r;

	if (!v->editing)
		return 0;
	lineedit_get(&v->in.le, buf, sizeof(buf));
	if (strcmp(buf, v->f->values[v->focus]) == 0) {
		mem_wipe(buf, sizeof(buf));
		return 0;
	}
	err_clear(&e);
	r = form_set_index(v->f, v->focus, buf, &e);
	mem_wipe(buf, sizeof(buf));
	if (r != 0) {
		ui_message(u, 1, "%s", err_ja(&e));
		return r;
	}
	ui_clear_message(u);
	/* show the normalised value (カナ, ISO date, 123-4567, ...) */
	lineedit_set(&v->in.le, v->f->values[v->focus]);
	return 0;
}

static int
next_shown(const struct form_view *v, int from, int dir)
{
	for (int i = from + dir; i >= 0 && i < v->f->s->nfields; i += dir)
		if (form_field_shown(v->f, i))
			return i;
	return from;
}

static void
form_draw(struct ui *u, void *arg)
{
	struct form_view *v = arg;
	const struct screen *s = v->f->s;
	int y0 = ui_body_top(), rows = ui_body_rows() - 3, x_in = 2 + v->label_w + 2;
	int vis[SCREEN_FIELDS_MAX], nvis = 0, fpos = 0;
	char buf[FORM_VALUE_MAX + 64], label[SCREEN_TEXT_MAX + 8];

	/* purpose of use (INT-7): first line, always on top */
	if (s->purpose[0] != '\0') {
		size_t l = strcspn(s->purpose, "\n");
		snprintf(buf, sizeof(buf), "利用目的: %.*s%s", (int)l, s->purpose,
		    s->purpose[l] != '\0' ? " …" : "");
		attrset(ui_attr(u, C_DIM));
		ui_put(y0, 2, buf, COLS - 4, 0);
		attrset(A_NORMAL);
	}
	for (int i = 0; i < s->nfields; i++) {
		if (!form_field_shown(v->f, i))
			continue;
		if (i == v->focus)
			fpos = nvis;
		vis[nvis++] = i;
	}
	if (rows < 1)
		rows = 1;
	if (fpos < v->top)
		v->top = fpos;
	if (fpos >= v->top + rows)
		v->top = fpos - rows + 1;
	for (int r = 0; r < rows && v->top + r < nvis; r++) {
		int i = vis[v->top + r], y = y0 + 2 + r, focused = i == v->focus;
		const struct field *fd = &s->fields[i];
		snprintf(label, sizeof(label), "%s%s", fd->label, fd->required ? "*" : "");
		attrset(focused ? A_BOLD : (int)A_NORMAL);
		ui_put(y, 2, label, v->label_w, 1);
		attrset(A_NORMAL);
		if (focused && v->editing) {
			ui_input_draw(u, &v->in, y, x_in, 1);
		} else if (fd->type == FT_SELECT) {
			snprintf(buf, sizeof(buf), "< %s >", v->f->values[i][0] ? v->f->values[i] : "（選択）");
			attrset(focused ? ui_attr(u, C_FOCUS) : (int)A_UNDERLINE);
			ui_put(y, x_in, buf, COLS - x_in - 2, 0);
			attrset(A_NORMAL);
			if (focused)
				ui_set_cursor(u, y, x_in);
		} else if (fd->type == FT_CHECKBOX) {
			attrset(focused ? ui_attr(u, C_FOCUS) : (int)A_NORMAL);
			ui_put(y, x_in, v->f->values[i][0] ? "[x]" : "[ ]", 3, 0);
			attrset(A_NORMAL);
			if (focused)
				ui_set_cursor(u, y, x_in + 1);
		} else {
			/* not focused: masked 個人番号 (SC-1), the value otherwise */
			if (fd->type == FT_MYNUMBER)
				form_display(v->f, i, 0, buf, sizeof(buf));
			else
				snprintf(buf, sizeof(buf), "%s", v->f->values[i]);
			attrset(A_UNDERLINE);
			ui_put(y, x_in, buf, box_width(fd) < COLS - x_in - 2 ? box_width(fd) : COLS - x_in - 2, 1);
			attrset(A_NORMAL);
		}
		if (fd->lookup != FL_NONE && !(focused && v->editing) &&
		    form_lookup_note(v->f, i, buf, sizeof(buf)) > 0) {
			/* the bank's or branch's name, the 郵便番号's address
			 * (reference data, issue 19) */
			attrset(ui_attr(u, C_DIM));
			ui_put(y, x_in + box_width(fd) + 2, buf, COLS - (x_in + box_width(fd) + 3), 0);
			attrset(A_NORMAL);
		}
		if ((fd->type == FT_DATE || fd->type == FT_YEAR || fd->type == FT_YEARMONTH) &&
		    v->f->values[i][0] != '\0') {
			/* both calendars, always (SPEC 6) */
			form_display(v->f, i, 0, buf, sizeof(buf));
			attrset(ui_attr(u, C_DIM));
			ui_put(y, x_in + box_width(fd) + 2, buf, COLS - (x_in + box_width(fd) + 3), 0);
			attrset(A_NORMAL);
		}
	}
	if (nvis > rows) {
		snprintf(buf, sizeof(buf), "（%d/%d 項目）", fpos + 1, nvis);
		attrset(ui_attr(u, C_DIM));
		ui_put(y0 + 2 + rows, COLS - ui_width(buf) - 2, buf, ui_width(buf), 0);
		attrset(A_NORMAL);
	}
	attrset(ui_attr(u, C_DIM));
	ui_put(y0 + 2 + rows, 2, hint_of(&s->fields[v->focus]), COLS - 24, 0);
	attrset(A_NORMAL);
}

static void
move_focus(struct form_view *v, int to)
{
	if (to == v->focus)
		return;
	if (v->editing)
		lineedit_wipe(&v->in.le);
	v->focus = to;
	load_focus(v);
}

static void
cycle_select(struct form_view *v, int dir)
{
	const struct field *fd = &v->f->s->fields[v->focus];
	int cur = -1;

	for (int i = 0; i < fd->noptions; i++)
		if (strcmp(fd->options[i], v->f->values[v->focus]) == 0)
			cur = i;
	cur = cur < 0 ? (dir > 0 ? 0 : fd->noptions - 1) : (cur + dir + fd->noptions) % fd->noptions;
	form_set_index(v->f, v->focus, fd->options[cur], NULL);
}

/* Say why a typed character was not taken and what the field takes
 * (issue 19: a field never drops a character silently). */
static void
refused_message(struct ui *u, const struct field *fd, wint_t ch, int full)
{
	char c[8] = "";
	const char *what;

	if (full) {
		ui_message(u, 1, "これ以上入力できません（「%s」は%d文字まで）", fd->label,
		    fd->max_len);
		return;
	}
	if (ch >= 0x20 && ch < 0x110000) {
		int n = utf8_encode((uint32_t)ch, c);
		c[n > 0 ? n : 0] = '\0';
	}
	switch (fd->type) {
	case FT_DIGITS: case FT_MYNUMBER: what = "数字だけです"; break;
	case FT_POSTAL: what = "数字と「-」だけです（123-4567）"; break;
	case FT_PHONE: what = "数字と「-」だけです"; break;
	case FT_MONEY: what = "数字と「,」だけです（円単位）"; break;
	default:
		ui_message(u, 1, "「%s」は入力できない文字です", c);
		return;
	}
	ui_message(u, 1, "「%s」は入力できません。「%s」に入力できるのは%s", c, fd->label, what);
}

int
ui_form_run(struct ui *u, struct form *f)
{
	struct form_view v;
	struct ui_key k;
	struct err e;
	int r = 0, bad;

	memset(&v, 0, sizeof(v));
	v.f = f;
	v.label_w = 8;
	v.show_number = u->ses.st != NULL && store_user(u->ses.st)->view_mynumber;
	for (int i = 0; i < f->s->nfields; i++) {
		int w = ui_width(f->s->fields[i].label) + (f->s->fields[i].required ? 1 : 0);
		if (w > v.label_w)
			v.label_w = w;
	}
	if (v.label_w > LABEL_MAX_W)
		v.label_w = LABEL_MAX_W;
	v.focus = form_field_shown(f, 0) ? 0 : next_shown(&v, 0, 1);
	load_focus(&v);
	ui_push(u, form_draw, &v, 1, f->s->title, ACTBIT(ACT_SAVE) | ACTBIT(ACT_BACK));
	for (;;) {
		const struct field *fd = &f->s->fields[v.focus];
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT) {
			r = -1;
			break;
		}
		if (UI_ACT_IS(&k, ACT_SAVE)) {
			if (commit(u, &v) != 0)
				continue;
			err_clear(&e);
			if (form_validate(f, &bad, &e) != 0) {
				if (bad >= 0)
					move_focus(&v, bad);
				ui_message(u, 1, "%s", err_ja(&e));
				continue;
			}
			r = ui_confirm(u, "確定", "この内容で確定しますか。");
			if (r == 1)
				break;
			if (r < 0)
				break;
			r = 0;
			continue;
		}
		if (UI_ACT_IS(&k, ACT_BACK)) {
			char buf[FORM_VALUE_MAX + 1];
			int changed = f->dirty;
			if (v.editing) {
				lineedit_get(&v.in.le, buf, sizeof(buf));
				changed |= strcmp(buf, f->values[v.focus]) != 0;
				mem_wipe(buf, sizeof(buf));
			}
			if (changed) {
				int c = ui_confirm(u, "入力の破棄", "入力した内容を破棄して戻りますか。");
				if (c < 0) {
					r = -1;
					break;
				}
				if (c == 0)
					continue;
			}
			r = 0;
			break;
		}
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		if (UI_CHAR_IS(&k, '\t') || UI_KEY_IS(&k, KEY_DOWN) ||
		    (UI_CHAR_IS(&k, '\n') && fd->type != FT_SELECT)) {
			if (commit(u, &v) == 0)
				move_focus(&v, next_shown(&v, v.focus, 1));
		} else if (UI_KEY_IS(&k, KEY_BTAB) || UI_KEY_IS(&k, KEY_UP)) {
			if (commit(u, &v) == 0)
				move_focus(&v, next_shown(&v, v.focus, -1));
		} else if (fd->type == FT_SELECT) {
			if (UI_KEY_IS(&k, KEY_LEFT))
				cycle_select(&v, -1);
			else if (UI_KEY_IS(&k, KEY_RIGHT) || UI_CHAR_IS(&k, ' '))
				cycle_select(&v, 1);
			else if (UI_CHAR_IS(&k, '\n')) {
				const char *items[SCREEN_OPTIONS_MAX];
				int cur = 0, p;
				for (int i = 0; i < fd->noptions; i++) {
					items[i] = fd->options[i];
					if (strcmp(items[i], f->values[v.focus]) == 0)
						cur = i;
				}
				p = ui_pick(u, fd->label, items, fd->noptions, cur);
				if (p == -2) {
					r = -1;
					break;
				}
				if (p >= 0)
					form_set_index(f, v.focus, items[p], NULL);
			} else
				continue;
		} else if (fd->type == FT_CHECKBOX) {
			if (UI_CHAR_IS(&k, ' ') || UI_CHAR_IS(&k, 'x'))
				form_set_index(f, v.focus, f->values[v.focus][0] ? "" : "1", NULL);
			else
				continue;
		} else {
			int ir = ui_input_key(&v.in, &k);
			if (ir == 0)
				continue;
			if (ir == UI_INPUT_REFUSED || ir == UI_INPUT_FULL) {
				refused_message(u, fd, k.ch, ir == UI_INPUT_FULL);
				v.refused = 1;
				continue;
			}
			/* a message about the last refused key has had its moment */
			if (v.refused) {
				v.refused = 0;
				ui_clear_message(u);
			}
		}
		ui_redraw(u);
	}
	if (v.editing)
		lineedit_wipe(&v.in.le);
	ui_pop(u);
	return r;
}
