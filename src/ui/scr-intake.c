/*
 * scr-intake.c — F4, taking applications in for the visitor at the window:
 * the procedures the clerk may take in (AC-6), the purpose-of-use notice
 * before the form (INT-7), the form prefilled from the visit, the save with
 * its receipt number (refused without the identity check, ID-1, ID-2), more
 * applications for the same visit, and at the end the receipt slip, printed
 * (LK-3) or, without a printer, shown on the screen.
 *
 * A saved application is committed before the clerk sees its receipt
 * number; a form not yet saved asks before it is abandoned (form_view.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui-internal.h"
#include "intake.h"
#include "store.h"
#include "sync.h"
#include "visit.h"

#define INTAKE_MAX 32		/* applications in one visit */

struct intake_menu {
	const struct screen_set *set;
	int idx[SCREEN_FIELDS_MAX];
	int n;
};

/*
 * The F4 list (issue 19): the screens grouped by 事務 under a heading each,
 * narrowed as the clerk types (kana or kanji of the form's name; the box
 * takes every printable key), and first, once something is saved, the
 * related procedures its life event brings (関連する手続).  No screen id
 * is shown: a clerk reads names.  Up/Down, PgUp/PgDn, Home/End move over
 * the forms only; Enter opens; Esc clears the filter, then leaves.
 */
#define PICK_ROWS_MAX (2 * SCREEN_FIELDS_MAX + 8)

struct pick_row {
	int screen;			/* index into the set; -1: a heading */
	char text[SCREEN_TEXT_MAX + 64];
};

struct intake_pick {
	const struct intake_menu *m;
	const int *sug;			/* suggested screens (set indexes) */
	int nsug;
	struct ui_input filter;
	struct pick_row rows[PICK_ROWS_MAX];
	int nrows, nforms;
	int sel, top;			/* rows index (a form row) */
};

static void
pick_build(struct intake_pick *p)
{
	const struct screen_set *set = p->m->set;
	char typed[LINEEDIT_MAX * 4 + 1];
	int keep = p->sel >= 0 && p->sel < p->nrows ? p->rows[p->sel].screen : -1;

	lineedit_get(&p->filter.le, typed, sizeof(typed));
	p->nrows = p->nforms = 0;
	if (p->nsug > 0) {
		int any = 0;
		for (int i = 0; i < p->nsug; i++)
			any |= intake_menu_match(set->s[p->sug[i]], typed);
		if (any && p->nrows < PICK_ROWS_MAX) {
			p->rows[p->nrows].screen = -1;
			snprintf(p->rows[p->nrows++].text, sizeof(p->rows[0].text),
			    "★ 関連する手続（この来庁の申請から）");
		}
		for (int i = 0; i < p->nsug && p->nrows < PICK_ROWS_MAX; i++)
			if (intake_menu_match(set->s[p->sug[i]], typed)) {
				p->rows[p->nrows].screen = p->sug[i];
				snprintf(p->rows[p->nrows++].text, sizeof(p->rows[0].text),
				    "%s", set->s[p->sug[i]]->title);
				p->nforms++;
			}
	}
	/* 事務 in the order they first appear; their screens in set order */
	for (int i = 0; i < p->m->n; i++) {
		const char *proc = set->s[p->m->idx[i]]->procedure;
		int seen = 0, count = 0, head;
		for (int j = 0; j < i; j++)
			seen |= strcmp(set->s[p->m->idx[j]]->procedure, proc) == 0;
		if (seen || p->nrows >= PICK_ROWS_MAX)
			continue;
		head = p->nrows++;
		p->rows[head].screen = -1;
		for (int j = i; j < p->m->n && p->nrows < PICK_ROWS_MAX; j++) {
			const struct screen *s = set->s[p->m->idx[j]];
			if (strcmp(s->procedure, proc) != 0 || !intake_menu_match(s, typed))
				continue;
			p->rows[p->nrows].screen = p->m->idx[j];
			snprintf(p->rows[p->nrows++].text, sizeof(p->rows[0].text), "%s",
			    s->title);
			count++;
		}
		if (count == 0)
			p->nrows = head;	/* nothing of this 事務 left */
		else
			snprintf(p->rows[head].text, sizeof(p->rows[0].text), "■ %s（%d）",
			    procedure_name_ja(proc), count);
		p->nforms += count;
	}
	mem_wipe(typed, sizeof(typed));
	/* the selection stays on its form when it is still there */
	p->sel = -1;
	for (int r = 0; r < p->nrows && keep >= 0; r++)
		if (p->rows[r].screen == keep) {
			p->sel = r;
			break;
		}
	for (int r = 0; r < p->nrows && p->sel < 0; r++)
		if (p->rows[r].screen >= 0)
			p->sel = r;
}

/* Move the selection by d form rows (headings skipped), within the list. */
static void
pick_move(struct intake_pick *p, int d)
{
	int step = d > 0 ? 1 : -1, r = p->sel;

	for (int n = d > 0 ? d : -d; n > 0; n--) {
		int q = r + step;
		while (q >= 0 && q < p->nrows && p->rows[q].screen < 0)
			q += step;
		if (q < 0 || q >= p->nrows)
			break;
		r = q;
	}
	p->sel = r;
}

static void
pick_draw(struct ui *u, void *arg)
{
	struct intake_pick *p = arg;
	int y = ui_body_top(), rows = ui_body_rows() - 3, pos = 0;
	char line[64];

	ui_put(y, 2, "絞り込み", 9, 0);
	attrset(ui_attr(u, C_DIM));
	ui_put(y, 12 + p->filter.width + 2, "カナ・漢字で申請書名を入力",
	    COLS - 16 - p->filter.width, 0);
	attrset(A_NORMAL);
	if (p->sel >= 0 && p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + rows)
		p->top = p->sel - rows + 1;
	if (p->top > 0 && p->rows[p->top - 1].screen < 0 && p->sel - p->top + 1 < rows)
		p->top--;	/* the heading of the first group shown */
	for (int i = 0; i < rows && p->top + i < p->nrows; i++) {
		const struct pick_row *r = &p->rows[p->top + i];
		if (r->screen < 0) {
			attrset(ui_attr(u, C_TITLE));
			ui_put(y + 2 + i, 2, r->text, COLS - 4, 0);
		} else {
			attrset(p->top + i == p->sel ? ui_attr(u, C_FOCUS) : (int)A_NORMAL);
			mvhline(y + 2 + i, 4, ' ', COLS - 6);
			ui_put(y + 2 + i, 5, r->text, COLS - 8, 0);
		}
		attrset(A_NORMAL);
	}
	if (p->nforms == 0)
		ui_put(y + 2, 5, "（該当する申請書はありません — Esc で絞り込みを消します）",
		    COLS - 8, 0);
	for (int r = 0; r <= p->sel && r < p->nrows; r++)
		pos += p->rows[r].screen >= 0;
	snprintf(line, sizeof(line), "%d / %d", pos, p->nforms);
	attrset(ui_attr(u, C_DIM));
	ui_put(y + rows + 2, COLS - 2 - ui_width(line), line, ui_width(line), 0);
	attrset(A_NORMAL);
	ui_input_draw(u, &p->filter, y, 12, 1);
}

/* The list until a form is chosen: its set index, -1 Esc, -2 aborted. */
static int
intake_pick_run(struct ui *u, struct intake_pick *p, const char *title)
{
	struct ui_key k;
	int r = -1;

	pick_build(p);
	ui_push(u, pick_draw, p, 1, title, ACTBIT(ACT_BACK));
	ui_set_note(u, "申請書名をカナ・漢字で入力すると絞り込みます（Esc で消去）\n"
	    "↑↓ PgUp/PgDn Home/End 申請書の移動  Enter 入力を始める");
	for (;;) {
		int page = ui_body_rows() - 4 > 1 ? ui_body_rows() - 4 : 1;

		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT) {
			r = -2;
			break;
		}
		if (UI_ACT_IS(&k, ACT_BACK)) {
			if (p->filter.le.n > 0) {
				lineedit_clear(&p->filter.le);
				pick_build(p);
				ui_redraw(u);
				continue;
			}
			break;
		}
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		if (UI_CHAR_IS(&k, '\n')) {
			if (p->sel >= 0 && p->rows[p->sel].screen >= 0) {
				r = p->rows[p->sel].screen;
				break;
			}
			continue;
		}
		if (UI_KEY_IS(&k, KEY_UP) || UI_KEY_IS(&k, KEY_BTAB))
			pick_move(p, -1);
		else if (UI_KEY_IS(&k, KEY_DOWN) || UI_CHAR_IS(&k, '\t'))
			pick_move(p, 1);
		else if (UI_KEY_IS(&k, KEY_PPAGE))
			pick_move(p, -page);
		else if (UI_KEY_IS(&k, KEY_NPAGE))
			pick_move(p, page);
		else if (UI_KEY_IS(&k, KEY_HOME))
			pick_move(p, -p->nrows);
		else if (UI_KEY_IS(&k, KEY_END))
			pick_move(p, p->nrows);
		else {
			int t = ui_input_key(&p->filter, &k);
			if (t == 0)
				continue;
			if (t == UI_INPUT_FULL)
				ui_message(u, 1, "絞り込みはこれ以上入力できません");
			pick_build(p);
		}
		ui_redraw(u);
	}
	ui_pop(u);
	return r;
}

/* The receipt numbers of this terminal carry its ID (INT-8): take it from
 * the configuration when the store has none yet. */
static void
terminal_id_sync(struct ui *u)
{
	const char *tid = conf_str(u->conf, "terminal", "id");
	char cur[64];

	if (tid[0] == '\0')
		return;
	if (store_setting_get(u->ses.st, "terminal.id", cur, sizeof(cur), NULL) == 0 &&
	    cur[0] != '\0')
		return;
	store_setting_set(u->ses.st, "terminal.id", tid, NULL);
}

struct print_job {
	const char *cmd;
	const char *text;
	struct err e;
};

static int
print_job(void *arg)
{
	struct print_job *j = arg;

	return receipt_print_run(j->cmd, j->text, &j->e);
}

/* Print text through [ui] print_command (LK-3, audited); 0 when printed.
 * Shows the text on screen when there is no printer or printing failed. */
int
ui_print_or_show(struct ui *u, const char *title, const char *text,
    const char *person, const char *what)
{
	struct print_job j;
	char msg[300];
	int r;

	memset(&j, 0, sizeof(j));
	j.cmd = conf_str(u->conf, "ui", "print_command");
	j.text = text;
	r = ui_busy(u, "印刷", print_job, &j);
	receipt_print_audit(u->ses.st, person, what, r == 0, NULL);
	if (r == 0) {
		ui_message(u, 2, "%sを印刷しました", title);
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s — 画面に表示します（Esc で閉じる）", err_ja(&j.e));
	ui_message(u, 1, "%s", msg);
	ui_text_view(u, title, text, NULL);
	return r;
}

static void
slip_run(struct ui *u, const struct receipt_item *items, int n, const char *atena,
    const char *applicant)
{
	struct receipt_info info;
	struct wbuf w;
	struct err e;
	char what[96], hhmm[8], day[48];

	memset(&info, 0, sizeof(info));
	info.municipality = conf_str(u->conf, "terminal", "municipality");
	info.branch = conf_str(u->conf, "terminal", "branch");
	info.terminal = conf_str(u->conf, "terminal", "id");
	info.contact = conf_str(u->conf, "terminal", "contact");
	info.applicant = applicant;
	/* the date and time in [ui] timezone (issue 19) */
	when_epoch_text((long)mdg_now(), WHEN_DATE, day, sizeof(day));
	when_now_hhmm(hhmm);
	info.date = day;
	info.time = hhmm;
	wbuf_init(&w, 0);
	err_clear(&e);
	if (receipt_slip(items, n, &info, &w, &e) != 0) {
		ui_alert(u, "受付票", err_ja(&e));
		wbuf_free(&w);
		return;
	}
	snprintf(what, sizeof(what), "receipt slip: %d applications", n);
	/* printed: ask whether to print again; shown on the screen (no
	 * printer, or it failed): there is nothing to print again */
	while (ui_print_or_show(u, "受付票", wbuf_str(&w), atena, what) == 0 &&
	    ui_confirm(u, "受付票", "受付票をもう一度印刷しますか。") == 1)
		;
	wbuf_free(&w);
}

/* A screen's purpose text with the place names from the configuration:
 * {municipality} ([terminal] municipality, else 本市) and {forward_to}
 * ([intake] forward_to, else 進達先の機関) — the shipped screens name no
 * real city or facility (issue 19). */
static void
purpose_text(struct ui *u, const char *in, char *out, size_t cap)
{
	const char *muni = conf_str(u->conf, "terminal", "municipality");
	const char *fwd = conf_str(u->conf, "intake", "forward_to");
	size_t o = 0;

	if (cap == 0)
		return;
	while (*in != '\0' && o + 1 < cap) {
		const char *rep = NULL;
		size_t skip = 0;
		if (strncmp(in, "{municipality}", 14) == 0) {
			rep = muni[0] != '\0' ? muni : "本市";
			skip = 14;
		} else if (strncmp(in, "{forward_to}", 12) == 0) {
			rep = fwd[0] != '\0' ? fwd : "進達先の機関";
			skip = 12;
		}
		if (rep != NULL) {
			size_t l = strlen(rep);
			if (o + l >= cap)
				break;
			memcpy(out + o, rep, l);
			o += l;
			in += skip;
		} else
			out[o++] = *in++;
	}
	out[o] = '\0';
}

/* Fill in and save one application; 1 saved, 0 not, -1 aborted. */
static int
one_application(struct ui *u, struct visit *v, const struct screen *s,
    struct receipt_item *item, struct form **prev)
{
	struct intake_result res;
	struct form *f;
	struct err e;
	int ack = 0, r;
	char text[1400];

	if (s->purpose[0] != '\0') {
		/* INT-7: the purpose of use is told before anything is taken */
		char purpose[1200];
		purpose_text(u, s->purpose, purpose, sizeof(purpose));
		snprintf(text, sizeof(text), "%s\n\n申請者に利用目的を説明しましたか。", purpose);
		r = ui_confirm(u, "利用目的の説明", text);
		if (r < 0)
			return -1;
		if (r == 0) {
			ui_message(u, 1, "利用目的の説明が済むまで入力できません");
			return 0;
		}
		ack = 1;
	}
	if ((f = form_new(s)) == NULL) {
		ui_message(u, 1, "メモリが足りません");
		return 0;
	}
	err_clear(&e);
	if (intake_prefill(f, u->ses.st, v, &e) > 0)
		ui_message(u, 1, "住民記録の値を入力できない項目があります: %s", err_ja(&e));
	else if ((r = intake_carry(f, *prev)) > 0)
		/* issue 19: what this visit's last application took */
		ui_message(u, 0, "前の申請から%d項目を入れました（電話・口座など）。確かめてください", r);
	for (;;) {
		r = ui_form_run(u, f);
		/* the note about values taken from the last form belongs to
		 * that form: gone with it */
		if (strncmp(u->msg, "前の申請から", strlen("前の申請から")) == 0)
			ui_clear_message(u);
		if (r != 1)
			break;
		err_clear(&e);
		if (intake_save(u->ses.st, v, f, ack, &res, &e) == 0) {
			snprintf(item->receipt_no, sizeof(item->receipt_no), "%s", res.receipt_no);
			snprintf(item->title, sizeof(item->title), "%s", s->title);
			snprintf(item->procedure, sizeof(item->procedure), "%s", s->procedure);
			ui_message(u, 2, "受付番号 %s で保存しました（%s）", res.receipt_no, s->title);
			/* SPEC 7: a sync round after every intake, in the
			 * background (bgsync.c); the outbox keeps it until then */
			app_sync_now(u->sync);
			break;
		}
		/* the values stay in the form: fix and save again, or leave */
		ui_alert(u, "保存できません", err_ja(&e));
		if (e.code == ERR_STATE || e.code == ERR_PERM) {
			r = 0;
			break;
		}
	}
	if (r == 1) {
		/* kept for the next form of this visit (intake_carry) */
		form_free(*prev);
		*prev = f;
	} else
		form_free(f);
	return r < 0 ? -1 : r == 1;
}

void
ui_intake_run(struct ui *u)
{
	struct receipt_item items[INTAKE_MAX];
	const char *saved[INTAKE_MAX];
	int sug[SCREEN_SUGGEST_MAX * INTAKE_MAX];
	struct intake_pick *pick;
	struct intake_menu m;
	struct visit *v;
	struct err e;
	char title[256], atena[16], msg[400];
	int nsaved = 0;
	struct form *prev = NULL;	/* the last form saved in this visit */

	if (u->ses.state != SES_ACTIVE || u->ses.st == NULL || (v = ui_visit(u)) == NULL)
		return;
	if (u->screens == NULL || u->screens->n == 0) {
		ui_message(u, 1, "申請画面が読み込まれていません（設定 [ui] screens を確認してください）");
		return;
	}
	err_clear(&e);
	if (visit_ready(v, &e) != 0) {
		/* ID-1, ID-2: nothing can be saved; say what is missing */
		snprintf(msg, sizeof(msg), "%s\n\nF2 で本人確認をしてから、もう一度 F4 を押してください。",
		    err_ja(&e));
		ui_alert(u, "申請の入力", msg);
		return;
	}
	m.set = u->screens;
	m.n = intake_menu(u->screens, store_user(u->ses.st), m.idx, SCREEN_FIELDS_MAX);
	if (m.n == 0) {
		ui_message(u, 1, "受け付けられる申請書がありません（事務の権限を確認してください）");
		return;
	}
	if ((pick = calloc(1, sizeof(*pick))) == NULL) {
		ui_message(u, 1, "メモリが足りません");
		return;
	}
	pick->m = &m;
	pick->sug = sug;
	ui_input_init(&pick->filter, 24, 20, LE_ANY, 0);
	terminal_id_sync(u);
	snprintf(atena, sizeof(atena), "%s", v->person.atena);
	ui_clear_message(u);	/* the identity step's message had its moment */
	while (nsaved < INTAKE_MAX) {
		/* back from a form (Esc or saved), the list is where it was:
		 * the clerk who opened the wrong form moves one row, not 30 */
		int i, r;
		snprintf(title, sizeof(title), "新規申請 — %s さん（この来庁で受付 %d 件）  Esc 終了",
		    v->person.name, nsaved);
		if ((i = intake_pick_run(u, pick, title)) < 0) {
			if (i == -2)
				goto out;
			break;
		}
		r = one_application(u, v, u->screens->s[i], &items[nsaved], &prev);
		if (r < 0)
			goto out;
		if (r == 1) {
			struct date today;
			saved[nsaved++] = u->screens->s[i]->id;
			/* what this life event usually brings, first in the list */
			date_today(&today);
			pick->nsug = intake_suggest(u->screens, m.idx, m.n, saved, nsaved,
			    &v->person, &today, sug, (int)(sizeof(sug) / sizeof(sug[0])));
			lineedit_clear(&pick->filter.le);
			if (pick->nsug > 0)
				pick->sel = -1;	/* on the first suggestion */
			r = ui_confirm(u, "続けて入力", pick->nsug > 0 ?
			    "保存しました。同じ方の別の申請を続けて入力しますか。\n"
			    "関連する手続があります（一覧の先頭に表示します）。" :
			    "保存しました。同じ方の別の申請を続けて入力しますか。");
			if (r < 0)
				goto out;
			if (r == 0)
				break;
		}
	}
	form_free(prev);	/* wipes its values */
	prev = NULL;
	if (nsaved > 0) {
		int r;

		/* the applicant: the agent when one came, else the person */
		slip_run(u, items, nsaved, atena, v->agent.present ? v->agent.name : v->person.name);
		/* the last 受付票 is the natural end of the visit: offer it, so
		 * that the next visitor's F2 does not meet this one's record */
		snprintf(msg, sizeof(msg), "%s さんの受付は以上ですか。\n"
		    "「はい」で来庁を終了し、本人確認・代理人・カードの結果を消去します（次の方）。",
		    v->person.name);
		r = ui_confirm(u, "来庁終了", msg);
		mem_wipe(msg, sizeof(msg));
		if (r == 1)
			ui_visit_close(u, 0);
	}
out:
	form_free(prev);
	lineedit_wipe(&pick->filter.le);
	free(pick);
}

void
ui_intake_install(struct ui *u)
{
	u->actions[ACT_NEW] = ui_intake_run;
}
