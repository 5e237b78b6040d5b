/*
 * scr-batch.c — 進達 (INT-9): pick confirmed applications, record method,
 * bag and date, and print the transmittal list whose count equals the
 * batch; the overdue report (INT-10); the inquiry / disclosure-request log
 * (INT-11).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"
#include "intake.h"
#include "store.h"

/* ------------------------------------------------------------ 進達 */

struct pick_view {
	struct ui *u;
	struct application_list l;
	char *mark;
	int sel, top, nmarked;
};

static void
pick_draw(struct ui *u, void *arg)
{
	struct pick_view *v = arg;
	int y = ui_body_top(), rows = ui_body_rows() - 2;
	char line[400];
	int rw = 20, xt, xd;

	/* columns by display width: receipt numbers vary with the terminal
	 * ID, and printf's %-30s would pad a Japanese title by bytes */
	for (size_t i = 0; i < v->l.n; i++)
		rw = ui_fit_width(rw, v->l.v[i].receipt_no);
	xt = 6 + rw + 1;
	xd = xt + 30 + 1;
	attrset(A_BOLD | A_UNDERLINE);
	mvhline(y, 1, ' ', COLS - 2);
	ui_put(y, 6, "受付番号", rw, 1);
	if (xt < COLS - 1)
		ui_put(y, xt, "申請書", 30 < COLS - 1 - xt ? 30 : COLS - 1 - xt, 1);
	if (xd < COLS - 1)
		ui_put(y, xd, "受付日時", COLS - 1 - xd, 0);
	attrset(A_NORMAL);
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + rows)
		v->top = v->sel - rows + 1;
	for (int r = 0; r < rows && v->top + r < (int)v->l.n; r++) {
		int i = v->top + r;
		const struct application *a = &v->l.v[i];
		const struct screen *s = ui_screen_of(u, a->type);
		attrset(i == v->sel ? ui_attr(u, C_FOCUS) : (int)A_NORMAL);
		mvhline(y + 1 + r, 1, ' ', COLS - 2);
		ui_put(y + 1 + r, 2, v->mark[i] ? "[x]" : "[ ]", 3, 0);
		ui_put(y + 1 + r, 6, a->receipt_no, rw, 0);
		if (xt < COLS - 1)
			ui_put(y + 1 + r, xt, s != NULL ? s->title : a->type,
			    30 < COLS - 1 - xt ? 30 : COLS - 1 - xt, 0);
		if (xd < COLS - 1) {
			when_text(a->received_at, WHEN_SHORT, line, sizeof(line));
			ui_put(y + 1 + r, xd, line, COLS - 1 - xd, 0);
		}
		attrset(A_NORMAL);
	}
	if (v->l.n == 0)
		ui_put(y + 1, 2, "（確認済みで未進達の申請はありません）", COLS - 4, 0);
	snprintf(line, sizeof(line), "選択 %d 件 / %zu 件   Space 選択  a 全選択  F9 進達を作成  Esc 戻る",
	    v->nmarked, v->l.n);
	attrset(ui_attr(u, C_DIM));
	ui_put(y + rows + 1, 2, line, COLS - 4, 0);
	attrset(A_NORMAL);
}

/* Create the batch of the marked applications and print its list. */
static int
make_batch(struct ui *u, struct pick_view *v)
{
	static const char *const methods[] = { "搬送", "郵送" };
	const char **uuids;
	char bag[64] = "", buf[256];
	struct batch b;
	struct wbuf w;
	struct err e;
	size_t n = 0;
	int m;

	if (v->nmarked == 0) {
		ui_message(u, 1, "進達する申請を Space で選んでください");
		return 0;
	}
	if ((m = ui_pick(u, "送付方法", methods, 2, 0)) < 0)
		return 0;
	if (ui_prompt(u, "進達", "袋番号（封筒・搬送袋の番号）", bag, sizeof(bag), 30) != 1 ||
	    bag[0] == '\0')
		return 0;
	if ((uuids = calloc((size_t)v->nmarked, sizeof(*uuids))) == NULL)
		return 0;
	for (size_t i = 0; i < v->l.n; i++)
		if (v->mark[i])
			uuids[n++] = v->l.v[i].uuid;
	memset(&b, 0, sizeof(b));
	snprintf(b.method, sizeof(b.method), "%s", batch_method_parse(methods[m]));
	snprintf(b.bag, sizeof(b.bag), "%s", bag);
	snprintf(b.destination, sizeof(b.destination), "%s",
	    conf_str(u->conf, "intake", "forward_to"));
	err_clear(&e);
	snprintf(buf, sizeof(buf), "%zu 件を%sで進達します（袋番号 %s）。よろしいですか。", n,
	    methods[m], bag);
	if (ui_confirm(u, "進達", buf) != 1) {
		free(uuids);
		return 0;
	}
	if (batch_make(u->ses.st, &b, uuids, n, &e) != 0) {
		free(uuids);
		ui_alert(u, "進達できません", err_ja(&e));
		return 0;
	}
	free(uuids);
	ui_message(u, 2, "進達 %s を作成しました（%d 件）", b.id, b.count);
	wbuf_init(&w, 0);
	if (batch_transmittal(u->ses.st, u->screens, b.id, &w, &e) == 0) {
		snprintf(buf, sizeof(buf), "transmittal list %s: %d documents", b.id, b.count);
		ui_print_or_show(u, "進達書", wbuf_str(&w), NULL, buf);
	} else
		ui_alert(u, "進達書", err_ja(&e));
	wbuf_free(&w);
	return 1;
}

static void
batch_new(struct ui *u)
{
	struct pick_view v;
	struct ledger_query q = { "review", NULL, 0, 0, NULL };
	struct ui_key k;
	struct err e;

	memset(&v, 0, sizeof(v));
	v.u = u;
	err_clear(&e);
	if (ledger_list(u->ses.st, &q, &v.l, &e) != 0) {
		ui_message(u, 1, "%s", err_ja(&e));
		return;
	}
	if ((v.mark = calloc(v.l.n + 1, 1)) == NULL) {
		application_list_free(&v.l);
		return;
	}
	ui_push(u, pick_draw, &v, 1, "進達 — 確認済みの申請を選ぶ",
	    ACTBIT(ACT_SAVE) | ACTBIT(ACT_BACK));
	ui_set_note(u, "↑↓ 移動  Space 選択・解除  a すべて選択\nF9 選んだ申請で進達を作成");
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT || UI_ACT_IS(&k, ACT_BACK))
			break;
		if (UI_ACT_IS(&k, ACT_SAVE)) {
			if (make_batch(u, &v))
				break;
			continue;
		}
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		if (UI_KEY_IS(&k, KEY_DOWN) && v.sel + 1 < (int)v.l.n)
			v.sel++;
		else if (UI_KEY_IS(&k, KEY_UP) && v.sel > 0)
			v.sel--;
		else if (UI_CHAR_IS(&k, ' ') && v.l.n > 0) {
			v.mark[v.sel] = !v.mark[v.sel];
			v.nmarked += v.mark[v.sel] ? 1 : -1;
		} else if (UI_CHAR_IS(&k, 'a')) {
			v.nmarked = (int)v.l.n;
			memset(v.mark, 1, v.l.n);
		} else
			continue;
		ui_redraw(u);
	}
	ui_pop(u);
	free(v.mark);
	application_list_free(&v.l);
}

struct batch_table {
	struct batch *v;
	size_t n;
	char (*cells)[5][64];
};

static const char *
batch_cell(void *arg, int row, int col)
{
	return ((struct batch_table *)arg)->cells[row][col];
}

static void
batch_past(struct ui *u)
{
	static const char *const heads[] = { "進達番号", "進達日", "方法", "袋番号", "件数" };
	int widths[] = { 22, 10, 6, 14, 0 };
	struct batch_table t;
	struct ui_table tab = { "進達の記録  Enter 進達書を再印刷", 5, heads, widths, 0,
		batch_cell, &t, 0, 0 };
	struct wbuf w;
	struct err e;
	char what[128];
	int i;

	memset(&t, 0, sizeof(t));
	err_clear(&e);
	if (store_batch_list(u->ses.st, 0, 0, &t.v, &t.n, &e) != 0) {
		ui_message(u, 1, "%s", err_ja(&e));
		return;
	}
	if ((t.cells = calloc(t.n ? t.n : 1, sizeof(*t.cells))) == NULL) {
		free(t.v);
		return;
	}
	for (size_t j = 0; j < t.n; j++) {
		snprintf(t.cells[j][0], 64, "%s", t.v[j].id);
		widths[0] = ui_fit_width(widths[0], t.v[j].id);
		when_ymd_text(t.v[j].date, WHEN_SHORT, t.cells[j][1], 64);
		snprintf(t.cells[j][2], 64, "%s", batch_method_ja(t.v[j].method));
		snprintf(t.cells[j][3], 64, "%s", t.v[j].bag);
		snprintf(t.cells[j][4], 64, "%d", t.v[j].count);
	}
	tab.nrows = (int)t.n;
	if ((i = ui_table_run(u, &tab, 1)) >= 0) {
		wbuf_init(&w, 0);
		if (batch_transmittal(u->ses.st, u->screens, t.v[i].id, &w, &e) == 0) {
			snprintf(what, sizeof(what), "transmittal list %s (reprint)", t.v[i].id);
			ui_print_or_show(u, "進達書", wbuf_str(&w), NULL, what);
		} else
			ui_alert(u, "進達書", err_ja(&e));
		wbuf_free(&w);
	}
	free(t.cells);
	free(t.v);
}

void
ui_batch_run(struct ui *u)
{
	static const char *const items[] = { "進達を作成する", "進達の記録・進達書の再印刷" };
	int i = ui_pick(u, "進達", items, 2, 0);

	if (i == 0)
		batch_new(u);
	else if (i == 1)
		batch_past(u);
}

/* ----------------------------------------------------------- overdue */

struct od_table {
	struct overdue_row *v;
	size_t n;
	char (*cells)[5][264];
};

static const char *
od_cell(void *arg, int row, int col)
{
	return ((struct od_table *)arg)->cells[row][col];
}

void
ui_overdue_run(struct ui *u)
{
	static const char *const heads[] = { "区分", "受付番号", "状態", "日数", "申請書" };
	int widths[] = { 14, 20, 6, 8, 0 };
	struct overdue_limits lim;
	struct od_table t;
	struct ui_table tab = { "未処理の申請（受付後の停滞・未交付・再提出期限切れ）", 5, heads,
		widths, 0, od_cell, &t, 0, 0 };
	struct date d;
	struct err e;
	int i;

	lim.forward_days = (int)conf_int(u->conf, "intake", "overdue_days");
	lim.decide_days = (int)conf_int(u->conf, "intake", "decide_days");
	lim.handover_days = (int)conf_int(u->conf, "intake", "handover_days");
	date_today(&d);
	memset(&t, 0, sizeof(t));
	err_clear(&e);
	if (report_overdue(u->ses.st, date_to_ymd(&d), &lim, &t.v, &t.n, &e) != 0) {
		ui_message(u, 1, "%s", err_ja(&e));
		return;
	}
	if ((t.cells = calloc(t.n ? t.n : 1, sizeof(*t.cells))) == NULL) {
		free(t.v);
		return;
	}
	for (size_t j = 0; j < t.n; j++) {
		const struct screen *s = ui_screen_of(u, t.v[j].type);
		snprintf(t.cells[j][0], 264, "%s", overdue_kind_ja(t.v[j].kind));
		snprintf(t.cells[j][1], 264, "%s", t.v[j].receipt_no);
		widths[1] = ui_fit_width(widths[1], t.v[j].receipt_no);
		snprintf(t.cells[j][2], 264, "%s", ledger_status_ja(t.v[j].status));
		snprintf(t.cells[j][3], 264, "%d日", t.v[j].days);
		snprintf(t.cells[j][4], 264, "%s", s != NULL ? s->title : t.v[j].type);
	}
	tab.nrows = (int)t.n;
	for (;;) {
		if ((i = ui_table_run(u, &tab, 1)) < 0)
			break;
		ui_app_detail(u, t.v[i].uuid);
	}
	free(t.cells);
	free(t.v);
}

/* -------------------------------------------------------- inquiries */

struct inq_table {
	struct inquiry *v;
	size_t n;
	char (*cells)[5][520];
};

static const char *
inq_cell(void *arg, int row, int col)
{
	return ((struct inq_table *)arg)->cells[row][col];
}

static void
inquiry_new(struct ui *u)
{
	static const char *const kinds[] = { "問合せ", "開示請求", "訂正請求", "利用停止請求" };
	struct inquiry q;
	struct visit *v = ui_visit(u);
	struct err e;
	int k;

	if ((k = ui_pick(u, "受付の種別", kinds, 4, 0)) < 0)
		return;
	memset(&q, 0, sizeof(q));
	snprintf(q.kind, sizeof(q.kind), "%s", inquiry_kind_parse(kinds[k]));
	if (v != NULL && v->have_person)
		snprintf(q.atena, sizeof(q.atena), "%s", v->person.atena);
	if (ui_prompt(u, kinds[k], "請求者・問合せ者（本人・代理人など）", q.requester,
	    sizeof(q.requester), 40) != 1)
		return;
	if (ui_prompt(u, kinds[k], "内容（個人番号は書かないでください）", q.summary,
	    sizeof(q.summary), 160) != 1 || q.summary[0] == '\0')
		return;
	err_clear(&e);
	if (inquiry_receive(u->ses.st, &q, &e) != 0)
		ui_message(u, 1, "%s", err_ja(&e));
	else
		ui_message(u, 2, "受付番号 %s で記録しました", q.no);
}

void
ui_inquiry_run(struct ui *u)
{
	static const char *const heads[] = { "受付番号", "種別", "受付日", "内容", "回答" };
	int widths[] = { 20, 10, 10, 24, 0 };
	static const char *const items[] = { "新しい受付を記録する", "受付簿（回答の記録）" };
	int m = ui_pick(u, "問合せ・開示請求の受付簿", items, 2, 0);

	if (m == 0) {
		inquiry_new(u);
		return;
	}
	while (m == 1) {
		struct inq_table t;
		struct ui_table tab = { "問合せ・開示請求の受付簿  Enter 回答を記録", 5, heads,
			widths, 0, inq_cell, &t, 0, 0 };
		char resp[512] = "";
		struct err e;
		int i;

		memset(&t, 0, sizeof(t));
		err_clear(&e);
		if (store_inquiry_list(u->ses.st, 0, &t.v, &t.n, &e) != 0) {
			ui_message(u, 1, "%s", err_ja(&e));
			return;
		}
		if ((t.cells = calloc(t.n ? t.n : 1, sizeof(*t.cells))) == NULL) {
			free(t.v);
			return;
		}
		for (size_t j = 0; j < t.n; j++) {
			snprintf(t.cells[j][0], 520, "%s", t.v[j].no);
			widths[0] = ui_fit_width(widths[0], t.v[j].no);
			snprintf(t.cells[j][1], 520, "%s", inquiry_kind_ja(t.v[j].kind));
			when_text(t.v[j].received_at, WHEN_SHORT, t.cells[j][2], 520);
			snprintf(t.cells[j][3], 520, "%s", t.v[j].summary);
			snprintf(t.cells[j][4], 520, "%s", t.v[j].response[0] ? t.v[j].response : "（未回答）");
		}
		tab.nrows = (int)t.n;
		i = ui_table_run(u, &tab, 1);
		if (i >= 0) {
			char no[40];
			snprintf(no, sizeof(no), "%s", t.v[i].no);
			snprintf(resp, sizeof(resp), "%s", t.v[i].response);
			if (ui_prompt(u, "回答の記録", "回答内容", resp, sizeof(resp), 160) == 1) {
				if (inquiry_answer(u->ses.st, no, resp, &e) != 0)
					ui_message(u, 1, "%s", err_ja(&e));
				else
					ui_message(u, 2, "%s の回答を記録しました", no);
			}
		}
		free(t.cells);
		free(t.v);
		if (i < 0)
			break;
	}
}
