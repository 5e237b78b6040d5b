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

static const char *
menu_cell(void *arg, int row, int col)
{
	const struct intake_menu *m = arg;
	const struct screen *s = m->set->s[m->idx[row]];

	switch (col) {
	case 0: return s->title;
	case 1: return procedure_name_ja(s->procedure);
	default: return s->id;
	}
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
	char what[96], hhmm[8];

	memset(&info, 0, sizeof(info));
	info.municipality = conf_str(u->conf, "terminal", "municipality");
	info.branch = conf_str(u->conf, "terminal", "branch");
	info.terminal = conf_str(u->conf, "terminal", "id");
	info.contact = conf_str(u->conf, "terminal", "contact");
	info.applicant = applicant;
	{
		time_t t = (time_t)mdg_now();
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
		info.time = hhmm;
	}
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
	static const char *const heads[] = { "申請書", "事務", "画面ID" };
	int widths[] = { 44, 12, 0 };
	struct receipt_item items[INTAKE_MAX];
	struct intake_menu m;
	struct visit *v;
	struct err e;
	char title[256], atena[16], msg[400];
	int nsaved = 0, sel = 0;
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
	/* 事務 fits the longest name (自立支援医療（精神通院） is 24 columns,
	 * which ran into the 画面ID column at 22) */
	for (int k = 0; k < m.n; k++)
		widths[1] = ui_fit_width(widths[1],
		    procedure_name_ja(m.set->s[m.idx[k]]->procedure));
	terminal_id_sync(u);
	snprintf(atena, sizeof(atena), "%s", v->person.atena);
	ui_clear_message(u);	/* the identity step's message had its moment */
	while (nsaved < INTAKE_MAX) {
		/* back from a form (Esc or saved), the list is where it was:
		 * the clerk who opened the wrong form moves one row, not 30 */
		struct ui_table t = { title, 3, heads, widths, m.n, menu_cell, &m, sel, 0 };
		int i, r;
		snprintf(title, sizeof(title), "新規申請 — %s さん（この来庁で受付 %d 件）  Esc 終了",
		    v->person.name, nsaved);
		if ((i = ui_table_run(u, &t, 1)) < 0) {
			if (i == -2) {
				form_free(prev);
				return;
			}
			break;
		}
		sel = i;
		r = one_application(u, v, u->screens->s[m.idx[i]], &items[nsaved], &prev);
		if (r < 0) {
			form_free(prev);
			return;
		}
		if (r == 1) {
			nsaved++;
			r = ui_confirm(u, "続けて入力", "保存しました。同じ方の別の申請を続けて入力しますか。");
			if (r < 0) {
				form_free(prev);
				return;
			}
			if (r == 0)
				break;
		}
	}
	form_free(prev);	/* wipes its values */
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
}

void
ui_intake_install(struct ui *u)
{
	u->actions[ACT_NEW] = ui_intake_run;
}
