/*
 * scr-review.c — after the save: the review queue (four eyes, AC-7), the
 * receipt ledger by status (受付簿, INT-8), one application's details with
 * its status history and corrections (DATA-3), and what can be done to it
 * from there: confirm, return with a deadline (返戻, INT-10), correct a
 * field, change its status; and the queue of 個人番号 changes waiting for a
 * second person (ID-6).
 *
 * Viewing an application's details is an audit row with the person
 * concerned (LOG-1); the 個人番号 is masked unless the account may see it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"
#include "intake.h"
#include "store.h"
#include "visit.h"

/* --------------------------------------------------------- the text */

static void
masked_value(const struct screen *s, const char *field, const char *value,
    int show, char *out, size_t cap)
{
	int i = s != NULL ? screen_field(s, field) : -1;

	if (i >= 0 && s->fields[i].type == FT_MYNUMBER && !show) {
		char m[MYNUMBER_MASKED_LEN];
		mynumber_mask(value, strlen(value), m);
		snprintf(out, cap, "%s", value[0] ? m : "");
	} else
		snprintf(out, cap, "%s", value);
}

/* A field that holds where the person lives (SC-5). */
static int
address_like(const struct field *fd)
{
	return strstr(fd->prefill, "address") != NULL || strstr(fd->prefill, "postal") != NULL ||
	    strstr(fd->name, "address") != NULL || strstr(fd->name, "postal") != NULL ||
	    strstr(fd->label, "住所") != NULL || fd->type == FT_POSTAL || fd->type == FT_PHONE;
}

static void
app_text(struct ui *u, const struct application *a, struct wbuf *w)
{
	struct store *st = u->ses.st;
	const struct screen *s = ui_screen_of(u, a->type);
	int show = store_user(st)->view_mynumber;
	struct status_row *h = NULL;
	struct app_correction *c = NULL;
	struct app_confirm *q = NULL;
	struct app_return ret;
	struct person p;
	struct idcheck ic;
	char buf[FORM_VALUE_MAX + 64], batch[48];
	size_t nh = 0, nc = 0, nq = 0;
	int restricted = 0, sens_seen = 0;
	/* DATA-5, issue 14: sensitive items only for an entitled account */
	int sens_ok = cli_may_see_sensitive(st, a->procedure);

	wbuf_printf(w, "受付番号   %s\n", a->receipt_no);
	wbuf_printf(w, "申請書     %s\n", s != NULL ? s->title : a->type);
	wbuf_printf(w, "事務       %s\n", procedure_name_ja(a->procedure));
	if (store_person_get(st, a->atena, &p, NULL) == 0) {
		wbuf_printf(w, "申請者     %s（宛名番号 %s）\n", p.name, a->atena);
		/* SC-5: the address of a DV/不開示 person is not shown here either */
		if ((restricted = person_restricted(&p)) != 0)
			wbuf_printf(w, "           【閲覧制限】住所等は表示しません\n");
		mem_wipe(&p, sizeof(p));
	} else
		wbuf_printf(w, "申請者     宛名番号 %s\n", a->atena);
	wbuf_printf(w, "状態       %s\n", ledger_status_ja(a->status));
	{
		char when[64];
		when_text(a->received_at, WHEN_LONG, when, sizeof(when));
		wbuf_printf(w, "受付日時   %s\n", when);
	}
	wbuf_printf(w, "入力者     %s\n", a->entered_by);
	wbuf_printf(w, "確認者     %s\n", a->confirmed_by[0] ? a->confirmed_by : "（未確認）");
	if (store_idcheck_get(st, a->idcheck, &ic, NULL) == 0) {
		struct iddoc_list docs;
		char how[300];
		int ok = iddoc_parse(conf_str(u->conf, "card", "id_documents"), &docs, NULL) == 0;
		idcheck_text_ja(&ic, ok ? &docs : NULL, how, sizeof(how));
		wbuf_printf(w, "本人確認   %s  担当 %s\n", how, ic.clerk);
	}
	if (a->agent_json != NULL)
		wbuf_printf(w, "代理人     あり（委任状・代理人の本人確認を記録済み）\n");
	if (store_batch_of(st, a->uuid, batch, NULL) == 0 && batch[0] != '\0')
		wbuf_printf(w, "進達       %s\n", batch);
	if (strcmp(a->status, "returned") == 0 && store_return_get(st, a->uuid, &ret, NULL) == 0) {
		char dl[48];
		when_ymd_text(ret.deadline, WHEN_DATE, dl, sizeof(dl));
		wbuf_printf(w, "返戻       %s（再提出期限 %s）\n", ret.reason, dl);
	}
	if (s != NULL) {
		struct form *f = form_new(s);
		wbuf_printf(w, "\n申請内容\n");
		if (f != NULL && form_from_json(f, a->form_json, strlen(a->form_json), NULL) == 0) {
			for (int i = 0; i < s->nfields; i++) {
				if (!form_field_shown(f, i) || f->values[i][0] == '\0')
					continue;
				if (restricted && address_like(&s->fields[i]))
					snprintf(buf, sizeof(buf), "（DV等支援措置のため非表示）");
				else if (s->fields[i].sensitive && !sens_ok)
					snprintf(buf, sizeof(buf), "＊＊＊");
				else {
					form_display(f, i, show, buf, sizeof(buf));
					sens_seen |= s->fields[i].sensitive;
				}
				wbuf_printf(w, "  %s: %s\n", s->fields[i].label, buf);
			}
		}
		form_free(f);
	}
	wbuf_printf(w, "\n状態の履歴\n");
	if (store_application_history(st, a->uuid, &h, &nh, NULL) == 0)
		for (size_t i = 0; i < nh; i++) {
			char when[64];
			when_text(h[i].at, WHEN_SHORT, when, sizeof(when));
			wbuf_printf(w, "  %s  %-6s %s %s\n", when, ledger_status_ja(h[i].status),
			    h[i].by, h[i].note);
		}
	free(h);
	if (store_correction_list(st, a->uuid, &c, &nc, NULL) == 0 && nc > 0) {
		wbuf_printf(w, "\n訂正の履歴（訂正前 → 訂正後）\n");
		for (size_t i = 0; i < nc; i++) {
			char o[FORM_VALUE_MAX + 1], n[FORM_VALUE_MAX + 1];
			int fi = s != NULL ? screen_field(s, c[i].field) : -1;
			masked_value(s, c[i].field, c[i].old_value, show, o, sizeof(o));
			masked_value(s, c[i].field, c[i].new_value, show, n, sizeof(n));
			if (restricted && fi >= 0 && address_like(&s->fields[fi])) {
				snprintf(o, sizeof(o), "（非表示）");
				snprintf(n, sizeof(n), "（非表示）");
			} else if (fi >= 0 && s->fields[fi].sensitive) {
				if (!sens_ok) {
					snprintf(o, sizeof(o), "＊＊＊");
					snprintf(n, sizeof(n), "＊＊＊");
				} else
					sens_seen = 1;
			}
			char when[64];
			when_text(c[i].at, WHEN_SHORT, when, sizeof(when));
			wbuf_printf(w, "  %s %s %s: %s → %s%s%s\n", when, c[i].by,
			    fi >= 0 ? s->fields[fi].label : c[i].field, o, n,
			    c[i].confirmed_by[0] ? "  確認 " : "  未確認", c[i].confirmed_by);
		}
		mem_wipe(c, nc * sizeof(*c));
	}
	free(c);
	if (store_confirm_list(st, "pending", a->uuid, &q, &nq, NULL) == 0 && nq > 0)
		wbuf_printf(w, "\n個人番号の変更が %zu 件確認待ちです（メニュー「個人番号変更の確認」）\n", nq);
	if (q != NULL)
		mem_wipe(q, nq * sizeof(*q));
	free(q);
	/* DATA-5, issue 14: every view of sensitive items is audited */
	if (sens_seen)
		store_audit_append(st, NULL, NULL, "application.sensitive.view", a->atena,
		    "application", a->receipt_no, NULL);
}

/* ------------------------------------------------------ the actions */

static void
act_return(struct ui *u, const struct application *a)
{
	char reason[256] = "", dl[64] = "";
	struct date d;
	struct err e;
	long days = conf_int(u->conf, "intake", "resubmit_days");

	date_today(&d);
	date_from_days(date_to_days(&d) + days, &d);
	if (date_format_wareki(&d, dl, sizeof(dl)) < 0)
		date_format_iso(&d, dl, sizeof(dl));
	if (ui_prompt(u, "返戻", "返戻の理由（不足書類など）", reason, sizeof(reason), 100) != 1 ||
	    reason[0] == '\0')
		return;
	if (ui_prompt(u, "返戻", "再提出期限（和暦・西暦）", dl, sizeof(dl), 20) != 1)
		return;
	err_clear(&e);
	if (date_parse(dl, &d, &e) != 0) {
		ui_message(u, 1, "%s", err_ja(&e));
		return;
	}
	if (review_return(u->ses.st, a->uuid, reason, date_to_ymd(&d), &e) != 0)
		ui_message(u, 1, "%s", err_ja(&e));
	else {
		when_ymd_text(date_to_ymd(&d), WHEN_DATE, dl, sizeof(dl));
		ui_message(u, 2, "%s を返戻しました（再提出期限 %s）", a->receipt_no, dl);
	}
}

/* The reviewer's correction (issue 19): drawn over the application it
 * corrects; a choice field is corrected by picking one of its own options;
 * a typed value goes through the form's own normalisation (full-width
 * digits, 和暦 dates, check digits), so it is checked before the reason is
 * asked, and asked again when refused. */
static void
act_correct(struct ui *u, const struct application *a, const char *text)
{
	const struct screen *s = ui_screen_of(u, a->type);
	const char *labels[SCREEN_FIELDS_MAX];
	int map[SCREEN_FIELDS_MAX], n = 0, i, fi = -1, queued = 0, ok = 0;
	char value[FORM_VALUE_MAX + 1] = "", reason[256] = "", label[SCREEN_TEXT_MAX + 64];
	char title[128];
	struct form *f;
	struct err e;
	void *bd;

	if (s == NULL) {
		ui_message(u, 1, "この申請の画面（%s）が読み込まれていません", a->type);
		return;
	}
	if ((f = form_new(s)) == NULL)
		return;
	form_from_json(f, a->form_json, strlen(a->form_json), NULL);
	for (int j = 0; j < s->nfields; j++)
		if (form_field_shown(f, j) && s->fields[j].type != FT_CHECKBOX) {
			labels[n] = s->fields[j].label;
			map[n++] = j;
		}
	snprintf(title, sizeof(title), "申請の内容  %s  — 訂正", a->receipt_no);
	bd = ui_text_backdrop_push(u, title, text);
	i = ui_pick(u, "訂正する項目", labels, n, 0);
	if (i < 0)
		goto out;
	fi = map[i];
	if (s->fields[fi].type == FT_SELECT) {
		const char *items[SCREEN_OPTIONS_MAX];
		int cur = 0, p;
		for (int k = 0; k < s->fields[fi].noptions; k++) {
			items[k] = s->fields[fi].options[k];
			if (strcmp(items[k], f->values[fi]) == 0)
				cur = k;
		}
		snprintf(label, sizeof(label), "%s（訂正後の値を選んでください）", s->fields[fi].label);
		if ((p = ui_pick(u, label, items, s->fields[fi].noptions, cur)) < 0)
			goto out;
		snprintf(value, sizeof(value), "%s", items[p]);
	} else {
		if (s->fields[fi].type != FT_MYNUMBER)
			snprintf(value, sizeof(value), "%s", f->values[fi]);
		snprintf(label, sizeof(label), "%s（訂正後の値）", s->fields[fi].label);
		for (;;) {
			if (ui_prompt(u, "訂正", label, value, sizeof(value),
			    s->fields[fi].max_len > 0 ? s->fields[fi].max_len + 8 : 200) != 1)
				goto out;
			err_clear(&e);
			/* the form's own check and normalisation, before the reason */
			if (form_set_index(f, fi, value, &e) == 0) {
				snprintf(value, sizeof(value), "%s", f->values[fi]);
				break;
			}
			ui_message(u, 1, "%s", err_ja(&e));
		}
	}
	if (ui_prompt(u, "訂正", "訂正の理由", reason, sizeof(reason), 100) != 1)
		goto out;
	ok = 1;
out:
	form_free(f);
	ui_text_backdrop_pop(u, bd);
	if (ok) {
		err_clear(&e);
		if (intake_correct(u->ses.st, s, a->uuid, s->fields[fi].name, value, reason,
		    &queued, &e) != 0)
			ui_message(u, 1, "%s", err_ja(&e));
		else if (queued)
			ui_message(u, 2, "個人番号の変更は確認待ちに回しました（別の職員の確認が必要です）");
		else
			ui_message(u, 2, "訂正しました。訂正前の値は履歴に残ります（再確認が必要です）");
	}
	mem_wipe(value, sizeof(value));
}

static void
act_status(struct ui *u, const struct application *a)
{
	static const char *const all[] = { "received", "withdrawn", "decided", "rejected",
		"issued" };
	const char *items[8], *words[8];
	char note[256] = "";
	struct err e;
	int n = 0, i, r;

	for (size_t j = 0; j < sizeof(all) / sizeof(all[0]); j++)
		if (ledger_transition_ok(a->status, all[j])) {
			words[n] = all[j];
			items[n++] = ledger_status_ja(all[j]);
		}
	if (n == 0) {
		ui_message(u, 1, "「%s」の申請はここから状態を変更できません",
		    ledger_status_ja(a->status));
		return;
	}
	if ((i = ui_pick(u, "変更後の状態", items, n, 0)) < 0)
		return;
	if (ui_prompt(u, "状態の変更", "備考（任意）", note, sizeof(note), 100) < 0)
		return;
	err_clear(&e);
	r = ledger_set_status(u->ses.st, a->uuid, words[i], note, &e);
	if (r == LEDGER_WITHDRAW_ASKED)
		ui_message(u, 2, "%s の取下げの申出を記録しました。別の職員が確認すると"
		    "取下げになります", a->receipt_no);
	else if (r != 0)
		ui_message(u, 1, "%s", err_ja(&e));
	else
		ui_message(u, 2, "%s を「%s」にしました", a->receipt_no, items[i]);
}

/* One application: details, and the actions on it by letter. */
void
ui_app_detail(struct ui *u, const char *uuid)
{
	struct application a;
	struct err e;
	struct wbuf w;
	char title[128];
	int r;

	for (;;) {
		err_clear(&e);
		if (store_application_get(u->ses.st, uuid, &a, &e) != 0) {
			ui_message(u, 1, "%s", err_ja(&e));
			return;
		}
		if (account_perm(store_user(u->ses.st), a.procedure) == PERM_NONE) {
			ui_message(u, 1, "この事務を参照する権限がありません");
			application_clear(&a);
			return;
		}
		store_audit_append(u->ses.st, NULL, NULL, "application.view", a.atena,
		    "ledger", a.receipt_no, NULL);
		wbuf_init(&w, 0);
		app_text(u, &a, &w);
		snprintf(title, sizeof(title), "申請の内容  %s", a.receipt_no);
		/* issue 19: F-keys like every screen, the letters kept */
		r = ui_text_view_acts(u, title, wbuf_str(&w),
		    "F9 確認  F6 返戻  F7 訂正  F11 状態変更  Esc 戻る（c r e s でも可）",
		    ACTBIT(ACT_SAVE) | ACTBIT(ACT_RETURN) | ACTBIT(ACT_CORRECT) |
		    ACTBIT(ACT_STATUS));
		r = r == UI_TV_ACT(ACT_SAVE) ? 'c' : r == UI_TV_ACT(ACT_RETURN) ? 'r' :
		    r == UI_TV_ACT(ACT_CORRECT) ? 'e' : r == UI_TV_ACT(ACT_STATUS) ? 's' : r;
		if (r == 'c') {
			char q[160];
			int yes;
			/* issue 19: confirming is a decision; asked, いいえ first */
			snprintf(q, sizeof(q), "%s を確認済みにしますか。", a.receipt_no);
			yes = ui_confirm(u, "申請の確認", q);
			if (yes != 1) {
				application_clear(&a);
				wbuf_free(&w);
				if (yes < 0)
					return;
				continue;
			}
			if (review_confirm(u->ses.st, uuid, &e) != 0)
				ui_message(u, 1, "%s", err_ja(&e));
			else
				ui_message(u, 2, "%s を確認しました", a.receipt_no);
		} else if (r == 'r')
			act_return(u, &a);
		else if (r == 'e')
			act_correct(u, &a, wbuf_str(&w));
		else if (r == 's')
			act_status(u, &a);
		wbuf_free(&w);
		application_clear(&a);
		if (r <= 0)
			return;
	}
}

/* ---------------------------------------------------------- the lists */

struct app_table {
	struct ui *u;
	struct application_list l;
	char (*cells)[5][264];
	int rw;				/* receipt number column */
};

static const char *
app_cell(void *arg, int row, int col)
{
	struct app_table *t = arg;

	return t->cells[row][col];
}

static void
app_table_fill(struct app_table *t)
{
	free(t->cells);
	t->cells = calloc(t->l.n ? t->l.n : 1, sizeof(*t->cells));
	if (t->cells == NULL)
		return;
	t->rw = 20;
	for (size_t i = 0; i < t->l.n; i++) {
		const struct application *a = &t->l.v[i];
		const struct screen *s = ui_screen_of(t->u, a->type);
		snprintf(t->cells[i][0], 264, "%s", a->receipt_no);
		t->rw = ui_fit_width(t->rw, a->receipt_no);
		snprintf(t->cells[i][1], 264, "%s", ledger_status_ja(a->status));
		snprintf(t->cells[i][2], 264, "%s", s != NULL ? s->title : a->type);
		when_text(a->received_at, WHEN_SHORT, t->cells[i][3], 264);
		snprintf(t->cells[i][4], 264, "%s", a->entered_by);
	}
}

typedef int (*app_loader)(struct store *st, void *arg, struct application_list *out,
    struct err *e);

static void
app_list_run(struct ui *u, const char *title, app_loader load, void *arg)
{
	static const char *const heads[] = { "受付番号", "状態", "申請書", "受付日時", "入力者" };
	int widths[] = { 20, 6, 30, 16, 0 };
	struct app_table t;
	struct err e;
	int sel = 0;

	memset(&t, 0, sizeof(t));
	t.u = u;
	for (;;) {
		struct ui_table tab = { title, 5, heads, widths, 0, app_cell, &t, sel, 0 };
		char uuid[37];
		int i;
		err_clear(&e);
		if (load(u->ses.st, arg, &t.l, &e) != 0) {
			ui_message(u, 1, "%s", err_ja(&e));
			break;
		}
		app_table_fill(&t);
		if (t.cells == NULL) {
			application_list_free(&t.l);
			break;
		}
		tab.nrows = (int)t.l.n;
		widths[0] = t.rw;
		/* keep 入力者 on an 80-column screen (AC-7: the reviewer must
		 * see who entered it): the title gives way, down to 16 */
		widths[2] = COLS - (t.rw + 6 + 16 + 5 + 10);
		widths[2] = widths[2] > 30 ? 30 : widths[2] < 16 ? 16 : widths[2];
		if (tab.sel >= tab.nrows)
			tab.sel = tab.nrows > 0 ? tab.nrows - 1 : 0;
		i = ui_table_run(u, &tab, 1);
		if (i < 0) {
			application_list_free(&t.l);
			break;
		}
		sel = i;
		snprintf(uuid, sizeof(uuid), "%s", t.l.v[i].uuid);
		application_list_free(&t.l);
		ui_app_detail(u, uuid);
	}
	free(t.cells);
}

static int
load_queue(struct store *st, void *arg, struct application_list *out, struct err *e)
{
	(void)arg;
	return review_queue(st, out, e);
}

void
ui_review_run(struct ui *u)
{
	const struct account *me = store_user(u->ses.st);
	int review_level = 0;

	for (size_t i = 0; i < me->nperms; i++)
		review_level |= me->perms[i].level == PERM_REVIEW;	/* issue 14 */
	if (me->role != ROLE_REVIEWER && !review_level)
		ui_message(u, 0, "確認者の権限がないため、一覧の表示と訂正のみできます");
	app_list_run(u, "申請の確認（未確認の申請）  Enter 内容・確認", load_queue, NULL);
}

static int
load_ledger(struct store *st, void *arg, struct application_list *out, struct err *e)
{
	return ledger_list(st, arg, out, e);
}

/* A date typed in 和暦 or 西暦; "" is 0 (open).  -1 when refused. */
static int
ask_day(struct ui *u, const char *label, int *ymd)
{
	char buf[64] = "";
	struct date d;
	struct err e;

	*ymd = 0;
	if (ui_prompt(u, "受付簿 — 期間", label, buf, sizeof(buf), 20) != 1)
		return -1;
	if (buf[0] == '\0')
		return 0;
	err_clear(&e);
	if (date_parse(buf, &d, &e) != 0) {
		ui_message(u, 1, "%s", err_ja(&e));
		return -1;
	}
	*ymd = date_to_ymd(&d);
	return 0;
}

void
ui_ledger_run(struct ui *u)
{
	static const char *const items[] = { "すべて", "受付", "確認済", "進達", "決定", "交付",
		"却下", "返戻", "取下げ", "本日受付分", "受付日の期間を指定" };
	struct ledger_query q;
	char title[160];
	struct date d;
	int i;

	if ((i = ui_pick(u, "受付簿 — 表示する状態", items, 11, 0)) < 0)
		return;
	memset(&q, 0, sizeof(q));
	if (i >= 1 && i <= 8)
		q.status = ledger_status_parse(items[i]);
	if (i == 9) {
		date_today(&d);
		q.from = q.to = date_to_ymd(&d);
	}
	if (i == 10 && (ask_day(u, "開始日（和暦・西暦、空欄で指定なし）", &q.from) != 0 ||
	    ask_day(u, "終了日（和暦・西暦、空欄で指定なし）", &q.to) != 0))
		return;
	if (i == 10) {
		char f[16] = "", t[16] = "";
		if (q.from != 0)
			snprintf(f, sizeof(f), "%d", q.from);
		if (q.to != 0)
			snprintf(t, sizeof(t), "%d", q.to);
		snprintf(title, sizeof(title), "受付簿（受付日 %s〜%s）  Enter 内容・履歴", f, t);
	} else
		snprintf(title, sizeof(title), "受付簿（%s）  Enter 内容・履歴", items[i]);
	app_list_run(u, title, load_ledger, &q);
}

/* ------------------------------------------- 個人番号 changes (ID-6) */

struct confirm_table {
	struct app_confirm *v;
	size_t n;
	char (*cells)[4][96];
};

static const char *
confirm_cell(void *arg, int row, int col)
{
	return ((struct confirm_table *)arg)->cells[row][col];
}

void
ui_confirm_queue_run(struct ui *u)
{
	static const char *const heads[] = { "受付番号", "項目", "依頼者", "変更後" };
	int widths[] = { 20, 12, 12, 0 };
	static const char *const acts[] = { "承認する（申請に反映）", "却下する" };

	for (;;) {
		struct confirm_table t;
		struct ui_table tab = { "個人番号変更の確認  Enter 承認・却下", 4, heads,
			widths, 0, confirm_cell, &t, 0, 0 };
		struct err e;
		int i, a;
		int64_t id;

		memset(&t, 0, sizeof(t));
		err_clear(&e);
		if (store_confirm_list(u->ses.st, "pending", NULL, &t.v, &t.n, &e) != 0) {
			ui_message(u, 1, "%s", err_ja(&e));
			return;
		}
		if ((t.cells = calloc(t.n ? t.n : 1, sizeof(*t.cells))) == NULL) {
			free(t.v);
			return;
		}
		for (size_t j = 0; j < t.n; j++) {
			struct application ap;
			char m[MYNUMBER_MASKED_LEN];
			if (store_application_get(u->ses.st, t.v[j].uuid, &ap, NULL) == 0) {
				snprintf(t.cells[j][0], 96, "%s", ap.receipt_no);
				widths[0] = ui_fit_width(widths[0], ap.receipt_no);
				application_clear(&ap);
			}
			snprintf(t.cells[j][1], 96, "%s", t.v[j].field);
			snprintf(t.cells[j][2], 96, "%s", t.v[j].requested_by);
			mynumber_mask(t.v[j].value, strlen(t.v[j].value), m);
			snprintf(t.cells[j][3], 96, "%s", t.v[j].value[0] ? m : "（削除）");
		}
		tab.nrows = (int)t.n;
		i = ui_table_run(u, &tab, 1);
		id = i >= 0 ? t.v[i].id : 0;
		if (t.v != NULL)
			mem_wipe(t.v, t.n * sizeof(*t.v));
		free(t.v);
		free(t.cells);
		if (i < 0)
			return;
		if ((a = ui_pick(u, "個人番号の変更", acts, 2, 0)) < 0)
			continue;
		if (review_decide_change(u->ses.st, u->screens, id, a == 0, &e) != 0)
			ui_message(u, 1, "%s", err_ja(&e));
		else
			ui_message(u, 2, a == 0 ? "変更を承認し、申請に反映しました" : "変更を却下しました");
	}
}

void
ui_work_menu(struct ui *u, int which)
{
	static void (*const fn[])(struct ui *) = { ui_review_run, ui_ledger_run,
		ui_batch_run, ui_overdue_run, ui_confirm_queue_run, ui_inquiry_run };

	if (u->ses.state != SES_ACTIVE || u->ses.st == NULL)
		return;
	if (which >= 0 && which < (int)(sizeof(fn) / sizeof(fn[0])))
		fn[which](u);
}
