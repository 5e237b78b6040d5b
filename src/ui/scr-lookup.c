/*
 * scr-lookup.c — the lookup screen (F3): the search form, the result list
 * and the way into the person record.  The rules (criteria parsing, the
 * 個人番号 search permission and check digit, DV/不開示, freshness, audit
 * rows) are lookup.c's; this file asks, draws and moves.
 *
 * SC-1: the result list has no 個人番号 column and the 個人番号 box is not
 * offered to an account without the search permission.  SC-5: a restricted
 * person's address is blank in the list and the record opens only after a
 * warning the clerk confirms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui-internal.h"
#include "store.h"
#include "visit.h"

/* Search as the clerk types (issue 19): after a pause of this long in
 * typing, the first rows and the total are shown under the boxes. */
#define LOOKUP_DEBOUNCE_MS 300
#define LOOKUP_PREVIEW_MAX 10

struct lookup_view {
	struct ui_input in[LF_COUNT];
	int focus;
	int may_number;			/* account may search by 個人番号 */
	char birth_shown[64];		/* the parsed birth date, both calendars */
	char fresh_text[160];
	struct lookup_freshness fresh;
	int dirty;			/* typed since the last preview */
	int have_prev;			/* prev holds the preview's rows */
	struct lookup_result prev;
};

/* One preview row at (y, x): 氏名, カナ, 宛名番号, 和暦 birth, age (no
 * 個人番号, no address: SC-1, SC-5). */
static void
preview_row(const struct person *p, int y, int x, int w)
{
	struct date bd, today;
	char b[32] = "不明", rest[96], age[16] = "";

	date_today(&today);
	if (p->birth != 0 && date_from_ymd(p->birth, &bd) == 0 &&
	    date_format_wareki_short(&bd, b, sizeof(b)) > 0)
		snprintf(age, sizeof(age), "%d歳", date_age(&bd, &today));
	snprintf(rest, sizeof(rest), "%-10s %-9s %s", p->atena, b, age);
	if (w < 70)
		return;
	ui_put(y, x, p->name, 16, 1);
	ui_put(y, x + 17, p->kana, 20, 1);
	ui_put(y, x + 38, rest, w - 38, 0);
}

static const int field_width[LF_COUNT] = { 30, 30, 22, 16, 16, 16 };

static void
lookup_draw(struct ui *u, void *arg)
{
	struct lookup_view *v = arg;
	int y = ui_body_top() + 1, x = 4, fx = 18;

	ui_put(y, x, "条件を入れて Enter で検索します。複数の条件は組み合わせて絞り込みます。",
	    COLS - 2 * x, 0);
	y += 2;
	for (int f = 0; f < LF_COUNT; f++) {
		ui_put(y + f, x, lookup_field_label((enum lookup_field)f), fx - x - 1, 1);
		if (f == LF_MYNUMBER && !v->may_number) {
			attrset(ui_attr(u, C_DIM));
			ui_put(y + f, fx, "（このアカウントは個人番号で検索できません）", COLS - fx - 2, 0);
			attrset(A_NORMAL);
			continue;
		}
		ui_input_draw(u, &v->in[f], y + f, fx, 0);
		attrset(ui_attr(u, C_DIM));
		switch (f) {
		case LF_KANA:
			ui_put(y + f, fx + field_width[f] + 2, "前方一致・ひらがな可", COLS - fx - field_width[f] - 4, 0);
			break;
		case LF_BIRTH:
			ui_put(y + f, fx + field_width[f] + 2, v->birth_shown[0] ? v->birth_shown :
			    "例 S60.4.12 / 1985年4月12日", COLS - fx - field_width[f] - 4, 0);
			break;
		default:
			break;
		}
		attrset(A_NORMAL);
	}
	attrset(ui_attr(u, v->fresh.state == FRESH_OK ? C_DIM : C_ERROR));
	ui_put(y + LF_COUNT + 1, x, v->fresh_text, COLS - 2 * x, 0);
	attrset(A_NORMAL);
	attrset(ui_attr(u, C_DIM));
	ui_put(y + LF_COUNT + 3, x, "Tab/↓ 次の項目  Shift+Tab/↑ 前の項目  Enter 一覧  Esc 戻る",
	    COLS - 2 * x, 0);
	attrset(A_NORMAL);
	/* the preview: total, then the first rows that fit */
	if (v->have_prev) {
		int py = y + LF_COUNT + 5, bottom = ui_body_top() + ui_body_rows();
		char line[600];
		if (v->prev.list.n == 0)
			snprintf(line, sizeof(line), "該当する住民はいません");
		else
			snprintf(line, sizeof(line), "該当 %zu 人（Enter で一覧を開きます）",
			    v->prev.total);
		attrset(A_BOLD);
		ui_put(py, x, line, COLS - 2 * x, 0);
		attrset(A_NORMAL);
		for (size_t i = 0; i < v->prev.list.n && py + 1 + (int)i < bottom; i++)
			preview_row(&v->prev.list.v[i], py + 1 + (int)i, x + 2, COLS - 2 * x - 2);
	}
	/* the focused box last: it owns the cursor */
	ui_input_draw(u, &v->in[v->focus], y + v->focus, fx, 1);
}

/* ------------------------------------------------------ result list */

struct result_view {
	struct lookup_result res;
	int prev_row, next_row;		/* pseudo rows for paging, -1 = none */
	int nrows;
	char cells[LOOKUP_PAGE + 2][7][160];
};

static const char *
result_cell(void *arg, int row, int col)
{
	struct result_view *rv = arg;

	return rv->cells[row][col];
}

/* Build the rows of one page.  No cell holds a 個人番号 (SC-1). */
static void
result_fill(struct result_view *rv)
{
	int r = 0;

	rv->prev_row = rv->next_row = -1;
	memset(rv->cells, 0, sizeof(rv->cells));
	if (rv->res.offset > 0) {
		rv->prev_row = r;
		snprintf(rv->cells[r++][0], 160, "← 前の%d件", LOOKUP_PAGE);
	}
	for (size_t i = 0; i < rv->res.list.n; i++, r++) {
		const struct person *p = &rv->res.list.v[i];
		struct date bd, today;
		snprintf(rv->cells[r][0], 160, "%s", p->name);
		snprintf(rv->cells[r][1], 160, "%s", p->kana);
		snprintf(rv->cells[r][2], 160, "%s", p->atena);	/* issue 19 */
		/* 和暦 and the age: two people of one name are told apart */
		date_today(&today);
		if (p->birth != 0 && date_from_ymd(p->birth, &bd) == 0 &&
		    date_format_wareki_short(&bd, rv->cells[r][3], 160) > 0)
			snprintf(rv->cells[r][4], 160, "%d歳", date_age(&bd, &today));
		else
			snprintf(rv->cells[r][3], 160, "不明");
		snprintf(rv->cells[r][5], 160, "%s", sex_name_ja(p->sex));
		snprintf(rv->cells[r][6], 160, "%s", person_address_shown(p));
	}
	if (rv->res.more) {
		rv->next_row = r;
		snprintf(rv->cells[r++][0], 160, "次の%d件 →", LOOKUP_PAGE);
	}
	rv->nrows = r;
}

struct search_job {
	struct store *st;
	const struct lookup_criteria *c;
	size_t offset;
	const struct lookup_freshness *fresh;
	struct lookup_result *out;
	struct err e;
};

static int
search_job(void *arg)
{
	struct search_job *j = arg;

	return lookup_search(j->st, j->c, j->offset, j->fresh, j->out, &j->e);
}

/* The DV/不開示 warning (SC-5), on every path that opens a protected
 * person (F3, F2's card match, ...): 1 acknowledged or not protected. */
int
ui_restricted_ack(struct ui *u, const struct person *p)
{
	char text[512];

	if (!person_restricted(p))
		return 1;
	snprintf(text, sizeof(text),
	    "%s さんは%sの対象者です。\n住所等は表示されません。閲覧したことは記録されます。"
	    "\n本人または正当な代理人の来庁であることを確認してから開いてください。\n\n開きますか。",
	    p->name, p->dv ? "DV等支援措置" : "住民票の写し等の不開示（閲覧制限）");
	return ui_confirm(u, "閲覧制限の警告", text) == 1;
}

/* Open a row: DV/不開示 persons only after the warning (SC-5). */
static void
open_row(struct ui *u, const struct person *p)
{
	if (!ui_restricted_ack(u, p))
		return;
	ui_person_open(u, p->atena, person_restricted(p));
}

/* Show results page by page until the clerk goes back.  Returns -1 when
 * the screen must unwind. */
static int
results_run(struct ui *u, struct lookup_view *v, const struct lookup_criteria *c)
{
	static const char *const heads[] = { "氏名", "氏名カナ", "宛名番号", "生年月日", "年齢",
		"性別", "住所" };
	static const int widths[] = { 14, 16, 10, 10, 5, 4, 0 };
	struct result_view *rv = calloc(1, sizeof(*rv));
	struct search_job j;
	size_t offset = 0;
	char title[160];
	int sel = 0, r = 0, need = 1;

	if (rv == NULL) {
		ui_message(u, 1, "メモリが足りません");
		return 0;
	}
	for (;;) {
		struct ui_table t;
		int row;

		/* a page is searched (and audited) once: coming back from a
		 * record shows the same page again */
		if (need) {
			memset(&j, 0, sizeof(j));
			j.st = u->ses.st;
			j.c = c;
			j.offset = offset;
			j.fresh = &v->fresh;
			j.out = &rv->res;
			if (ui_busy(u, "検索中", search_job, &j) != 0) {
				ui_message(u, 1, "%s", err_ja(&j.e));
				break;
			}
			need = 0;
			result_fill(rv);
			if (rv->res.list.n == 0 && offset == 0) {
				lookup_result_free(&rv->res);
				ui_message(u, 1, "該当する住民はいません");
				break;
			}
		}
		snprintf(title, sizeof(title), "検索結果 %zu〜%zu件目／全%zu件%s（Enter 開く  Esc 条件へ）",
		    offset + 1, offset + rv->res.list.n, rv->res.total,
		    rv->res.more ? "（続きあり）" : "");
		memset(&t, 0, sizeof(t));
		t.title = title;
		t.ncols = 7;
		t.heads = heads;
		t.widths = widths;
		t.nrows = rv->nrows;
		t.cell = result_cell;
		t.arg = rv;
		t.sel = sel < rv->nrows ? sel : 0;
		ui_clear_message(u);
		row = ui_table_run(u, &t, 1);
		if (row == -2) {
			r = -1;
			lookup_result_free(&rv->res);
			break;
		}
		if (row == -1) {
			lookup_result_free(&rv->res);
			break;
		}
		if (row == rv->next_row) {
			offset += LOOKUP_PAGE;
			sel = 1;
			need = 1;
		} else if (row == rv->prev_row) {
			offset = offset > LOOKUP_PAGE ? offset - LOOKUP_PAGE : 0;
			sel = 0;
			need = 1;
		} else {
			struct person p = rv->res.list.v[row - (rv->prev_row == 0)];
			open_row(u, &p);
			mem_wipe(&p, sizeof(p));
			sel = row;
			if (u->abort != ABORT_NONE) {
				lookup_result_free(&rv->res);
				r = -1;
				break;
			}
			continue;	/* the same page again */
		}
		lookup_result_free(&rv->res);
	}
	mem_wipe(rv, sizeof(*rv));
	free(rv);
	return r;
}

/* Read the boxes into criteria; on a bad field focus it and say why
 * (quiet: say nothing, move nothing — a box still being typed). */
static int
criteria_read_q(struct ui *u, struct lookup_view *v, struct lookup_criteria *c, int quiet)
{
	char text[LINEEDIT_MAX * 4 + 1];
	struct err e;

	memset(c, 0, sizeof(*c));
	v->birth_shown[0] = '\0';
	for (int f = 0; f < LF_COUNT; f++) {
		if (f == LF_MYNUMBER && !v->may_number)
			continue;
		lineedit_get(&v->in[f].le, text, sizeof(text));
		err_clear(&e);
		if (lookup_criteria_set(c, (enum lookup_field)f, text,
		    store_user(u->ses.st), &e) != 0) {
			mem_wipe(text, sizeof(text));
			if (quiet)
				return -1;
			v->focus = f;
			ui_message(u, 1, "%s: %s", lookup_field_label((enum lookup_field)f), err_ja(&e));
			return -1;
		}
		if (f == LF_BIRTH && c->birth)
			person_birth_text(c->birth, v->birth_shown, sizeof(v->birth_shown));
	}
	mem_wipe(text, sizeof(text));
	return 0;
}

static int
criteria_read(struct ui *u, struct lookup_view *v, struct lookup_criteria *c)
{
	return criteria_read_q(u, v, c, 0);
}

static void
preview_drop(struct lookup_view *v)
{
	if (v->have_prev)
		lookup_result_free(&v->prev);
	memset(&v->prev, 0, sizeof(v->prev));
	v->have_prev = 0;
}

/* The pause after typing: search with what the boxes hold (audited like
 * any search, LOG-1), first rows and total.  Nothing while a box cannot
 * be read yet, for a 個人番号 (searched only on Enter) or without a
 * criterion. */
static void
preview_run(struct ui *u, struct lookup_view *v)
{
	struct lookup_criteria c;
	struct search_job j;

	v->dirty = 0;
	preview_drop(v);
	if (criteria_read_q(u, v, &c, 1) != 0 || lookup_criteria_empty(&c) ||
	    c.mynumber[0] != '\0' || v->fresh.state == FRESH_BLOCK) {
		lookup_criteria_clear(&c);
		return;
	}
	memset(&j, 0, sizeof(j));
	j.st = u->ses.st;
	j.c = &c;
	j.fresh = &v->fresh;
	j.out = &v->prev;
	if (ui_busy(u, "検索中", search_job, &j) == 0) {
		v->have_prev = 1;
		if (v->prev.list.n > LOOKUP_PREVIEW_MAX) {
			mem_wipe(v->prev.list.v + LOOKUP_PREVIEW_MAX,
			    (v->prev.list.n - LOOKUP_PREVIEW_MAX) * sizeof(v->prev.list.v[0]));
			v->prev.list.n = LOOKUP_PREVIEW_MAX;
		}
	}
	lookup_criteria_clear(&c);
}

static void
freshness_load(struct ui *u, struct lookup_view *v)
{
	struct err e;

	err_clear(&e);
	lookup_freshness(u->ses.st, (long)mdg_now(), conf_int(u->conf, "sync", "stale_warn"),
	    conf_int(u->conf, "sync", "stale_block"), &v->fresh, &e);
	lookup_freshness_text(&v->fresh, v->fresh_text, sizeof(v->fresh_text));
}

void
ui_lookup_run(struct ui *u)
{
	struct lookup_view *v;
	struct lookup_criteria c;
	struct ui_key k;

	if (u->ses.state != SES_ACTIVE || u->ses.st == NULL)
		return;
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		ui_message(u, 1, "メモリが足りません");
		return;
	}
	v->may_number = store_user(u->ses.st)->search_mynumber;
	ui_input_init(&v->in[LF_KANA], field_width[LF_KANA], 40, LE_ANY, 0);
	ui_input_init(&v->in[LF_NAME], field_width[LF_NAME], 40, LE_ANY, 0);
	ui_input_init(&v->in[LF_BIRTH], field_width[LF_BIRTH], 20, LE_ANY, 0);
	ui_input_init(&v->in[LF_ATENA], field_width[LF_ATENA], 15, LE_DIGITS, 0);
	ui_input_init(&v->in[LF_RECIPIENT], field_width[LF_RECIPIENT], 20, LE_ANY, 0);
	ui_input_init(&v->in[LF_MYNUMBER], field_width[LF_MYNUMBER], 12, LE_DIGITS, 0);
	freshness_load(u, v);
	ui_push(u, lookup_draw, v, 1, "住民の検索（F3）", ACTBIT(ACT_BACK) | ACTBIT(ACT_CARD));
	ui_set_note(u, "入力を止めると候補（先頭の行）と件数を表示します\n"
	    "Tab/↓ 次の項目  Shift+Tab/↑ 前の項目  ^U 入力の消去\n"
	    "Enter 検索結果の一覧を開く（個人番号は Enter で検索）");
	if (v->fresh.state == FRESH_BLOCK)
		ui_message(u, 1, "%s", v->fresh_text);
	else if (v->fresh.state != FRESH_OK)
		ui_message(u, 0, "%s", v->fresh_text);
	for (;;) {
		int nf = v->may_number ? LF_COUNT : LF_COUNT - 1;

		if (v->dirty) {
			if (!ui_getkey_wait(u, &k, LOOKUP_DEBOUNCE_MS)) {
				preview_run(u, v);	/* a pause in typing */
				ui_redraw(u);
				continue;
			}
		} else
			ui_getkey(u, &k);
		if (k.type == UI_K_ABORT || UI_ACT_IS(&k, ACT_BACK))
			break;
		if (UI_ACT_IS(&k, ACT_SEARCH))
			continue;	/* already here */
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		if (UI_CHAR_IS(&k, '\t') || UI_KEY_IS(&k, KEY_DOWN))
			v->focus = (v->focus + 1) % nf;
		else if (UI_KEY_IS(&k, KEY_BTAB) || UI_KEY_IS(&k, KEY_UP))
			v->focus = (v->focus + nf - 1) % nf;
		else if (UI_CHAR_IS(&k, '\n')) {
			freshness_load(u, v);
			if (criteria_read(u, v, &c) == 0) {
				int r;
				if (lookup_criteria_empty(&c)) {
					ui_message(u, 1, "検索条件を入力してください");
					continue;
				}
				r = results_run(u, v, &c);
				lookup_criteria_clear(&c);
				if (r < 0)
					break;
			}
			lookup_criteria_clear(&c);
		} else if (!ui_input_key(&v->in[v->focus], &k))
			continue;
		else
			v->dirty = 1;	/* the preview follows after a pause */
		ui_redraw(u);
	}
	for (int f = 0; f < LF_COUNT; f++)
		lineedit_wipe(&v->in[f].le);
	preview_drop(v);
	ui_pop(u);
	mem_wipe(v, sizeof(*v));
	free(v);
}

/* NET-5 on the status line: a mark after the data's age when the last
 * synchronisation is older than [sync] stale_warn / stale_block.  Uses only
 * what the status line already knows (no store access while drawing). */
const char *
ui_fresh_mark(struct ui *u)
{
	long t = u->status.synced_at[0] ? lookup_parse_time(u->status.synced_at) : -1;

	switch (lookup_fresh_rule((long)mdg_now(), t, conf_int(u->conf, "sync", "stale_warn"),
	    conf_int(u->conf, "sync", "stale_block"))) {
	case FRESH_WARN: return "（古い）";
	case FRESH_BLOCK: return "（照会停止）";
	default: return "";
	}
}
