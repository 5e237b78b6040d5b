/*
 * scr-person.c — the person record (detail view, SC-4): 5情報, household,
 * eligibility and certificate history per procedure the account may see
 * (AC-6), the applications taken in, the data's as-of time (NET-5), and for
 * administrators who viewed this person (LOG-3).  What is shown and what is
 * audited is decided by lookup_open(); this file lays it out as lines that
 * scroll.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui-internal.h"
#include "store.h"
#include "intake.h"
#include "visit.h"

#define PV_LINES 400
#define PV_LINE 320

struct person_view {
	struct person_detail d;
	char lines[PV_LINES][PV_LINE];
	unsigned char kind[PV_LINES];	/* 0 text, 1 heading, 2 warning, 3 dim */
	int n, top;
};

static void
add(struct person_view *v, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
add(struct person_view *v, int kind, const char *fmt, ...)
{
	va_list ap;

	if (v->n == PV_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(v->lines[v->n], PV_LINE, fmt, ap);
	va_end(ap);
	v->kind[v->n++] = (unsigned char)kind;
}

/* s then spaces to w display columns: printf's %-8s pads by bytes, which
 * put 夫 and 世帯主 (3 and 9 bytes) a column apart. */
static void
pad_width(char *out, size_t cap, const char *s, int w)
{
	int sw = utf8_width(s, strlen(s));
	size_t o;

	snprintf(out, cap, "%s", s);
	for (o = strlen(out); sw < w && o + 1 < cap; sw++)
		out[o++] = ' ';
	out[o] = '\0';
}

static void
date_text(int ymd, char *out, size_t cap)
{
	struct date d;

	if (ymd == 0 || date_from_ymd(ymd, &d) != 0)
		snprintf(out, cap, "—");
	else
		when_ymd_text(ymd, WHEN_SHORT, out, cap);
}

/* Who changed the record, as a clerk reads it: the loads and the central
 * by what they are, not by their internal names (issue 19). */
static const char *
updated_by_ja(const char *by)
{
	if (strcmp(by, "synth") == 0)
		return "（初期データ）";
	if (strcmp(by, "central") == 0)
		return "（中央システム）";
	return by;
}

static void
build(struct ui *u, struct person_view *v)
{
	const struct person_detail *d = &v->d;
	const struct person *p = &d->p;
	const struct visit *vi = u->visit;
	char b[64], f[160], t1[16], t2[16], t3[16];

	v->n = 0;
	if (d->restricted)
		add(v, 2, "【閲覧制限】%s — 住所は表示しません。この閲覧は記録されています。",
		    p->dv ? "DV等支援措置の対象者" : "不開示（閲覧制限）の対象者");
	person_birth_text(p->birth, b, sizeof(b));
	add(v, 0, "氏名      %s（%s）", p->name, p->kana);
	if (p->alias[0] || p->alpha[0])
		add(v, 0, "通称名    %s%s%s%s%s", p->alias, p->alias_kana[0] ? "（" : "",
		    p->alias_kana, p->alias_kana[0] ? "）" : "", p->alpha[0] ? "" : "");
	if (p->alpha[0])
		add(v, 0, "英字氏名  %s", p->alpha);
	add(v, 0, "生年月日  %s    性別 %s", b, sex_name_ja(p->sex));
	if (d->restricted)
		add(v, 2, "住所      %s", person_address_shown(p));
	else
		add(v, 0, "住所      〒%s %s", p->postal, d->address_real);
	add(v, 0, "宛名番号  %s    世帯番号 %s    続柄 %s    区 %s", p->atena,
	    p->household[0] ? p->household : "—", p->relation[0] ? p->relation : "—",
	    ward_name_ja(p->ward));
	add(v, 0, "個人番号  %s", d->number_shown[0] ? d->number_shown : "（登録なし）");
	when_text(p->updated_at, WHEN_LONG, f, sizeof(f));
	add(v, 3, "更新      %s  %s", f, updated_by_ja(p->updated_by));
	lookup_freshness_text(&d->fresh, f, sizeof(f));
	add(v, d->fresh.state == FRESH_OK ? 3 : 2, "%s", f);
	if (vi != NULL && vi->active && vi->linked && strcmp(vi->person.atena, p->atena) == 0) {
		struct iddoc_list docs;
		char how[300];
		int ok = iddoc_parse(conf_str(u->conf, "card", "id_documents"), &docs, NULL) == 0;
		idcheck_text_ja(&vi->idcheck, ok ? &docs : NULL, how, sizeof(how));
		when_text(vi->idcheck.at, WHEN_LONG, f, sizeof(f));
		add(v, 0, "本人確認  済み  %s  %s", how, f);
	} else
		add(v, 2, "本人確認  この来庁ではまだです — F2 で本人確認");
	add(v, 0, "%s", "");
	add(v, 1, "■ 世帯（%zu人）", d->household.n);
	for (size_t i = 0; i < d->household.n; i++) {
		const struct person *m = &d->household.v[i];
		char rel[64], nk[400], who[420];
		person_birth_text(m->birth, b, sizeof(b));
		pad_width(rel, sizeof(rel), m->relation[0] ? m->relation : "—", 8);
		snprintf(nk, sizeof(nk), "%s（%s）", m->name, m->kana);
		pad_width(who, sizeof(who), nk, 34);
		add(v, 0, "  %s %s %s  %s", rel, who, b, sex_name_ja(m->sex));
	}
	add(v, 0, "%s", "");
	add(v, 1, "■ 資格・受給者証（参照できる事務のみ）");
	if (d->certs.n == 0)
		add(v, 3, "  （なし）");
	for (size_t i = 0; i < d->certs.n; i++) {
		const struct certificate *c = &d->certs.v[i];
		date_text(c->valid_from, t1, sizeof(t1));
		date_text(c->valid_to, t2, sizeof(t2));
		date_text(c->issued, t3, sizeof(t3));
		add(v, 0, "  %s  受給者番号 %s  %s", procedure_name_ja(c->procedure),
		    c->recipient_no, c->category);
		date_text(c->returned, b, sizeof(b));
		add(v, 3, "      有効期間 %s〜%s  交付日 %s  回収日 %s", t1, t2, t3, b);
	}
	add(v, 0, "%s", "");
	add(v, 1, "■ 申請（参照できる事務のみ）");
	if (d->apps.n == 0)
		add(v, 3, "  （なし）");
	for (size_t i = 0; i < d->apps.n; i++) {
		const struct application *a = &d->apps.v[i];
		when_text(a->received_at, WHEN_SHORT, f, sizeof(f));
		add(v, 0, "  %s  %s  %s  %s", a->receipt_no, procedure_name_ja(a->procedure),
		    ledger_status_ja(a->status), f);
	}
	add(v, 0, "%s", "");
	add(v, 3, "↑↓ PgUp/PgDn スクロール  F2 本人確認  %s%sEsc 戻る",
	    d->can_change ? "F4 新規申請  " : "（参照のみ：申請の入力はできません）  ",
	    store_user(u->ses.st)->role == ROLE_ADMIN ? "v 閲覧者の確認  " : "");
}

static void
person_draw(struct ui *u, void *arg)
{
	struct person_view *v = arg;
	int y0 = ui_body_top(), rows = ui_body_rows();

	if (v->top > v->n - rows)
		v->top = v->n - rows > 0 ? v->n - rows : 0;
	for (int i = 0; i < rows && v->top + i < v->n; i++) {
		int k = v->kind[v->top + i];
		attrset(k == 1 ? ui_attr(u, C_TITLE) : k == 2 ? ui_attr(u, C_ERROR) :
		    k == 3 ? ui_attr(u, C_DIM) : (int)A_NORMAL);
		ui_put(y0 + i, 2, v->lines[v->top + i], COLS - 4, 0);
		attrset(A_NORMAL);
	}
}

struct open_job {
	struct store *st;
	const char *atena;
	int ack;
	struct lookup_freshness fresh;
	struct person_detail *d;
	struct err e;
};

static int
open_job(void *arg)
{
	struct open_job *j = arg;

	return lookup_open(j->st, j->atena, j->ack, &j->fresh, j->d, &j->e);
}

int
ui_person_open(struct ui *u, const char *atena, int ack_restricted)
{
	struct person_view *v;
	struct open_job j;
	struct visit *vi;
	struct ui_key k;
	char title[200];
	unsigned keys;

	if ((v = calloc(1, sizeof(*v))) == NULL) {
		ui_message(u, 1, "メモリが足りません");
		return ERR_NOMEM;
	}
	memset(&j, 0, sizeof(j));
	j.st = u->ses.st;
	j.atena = atena;
	j.ack = ack_restricted;
	j.d = &v->d;
	lookup_freshness(u->ses.st, (long)mdg_now(), conf_int(u->conf, "sync", "stale_warn"),
	    conf_int(u->conf, "sync", "stale_block"), &j.fresh, NULL);
	if (ui_busy(u, "照会中", open_job, &j) != 0) {
		ui_message(u, 1, "%s", err_ja(&j.e));
		free(v);
		return j.e.code ? j.e.code : ERR_STATE;
	}
	/* The visit's person, unless the visit is already confirmed for
	 * someone else (looking at a household member must not move the
	 * identity check to them). */
	if ((vi = ui_visit(u)) != NULL && !(vi->linked && strcmp(vi->person.atena, atena) != 0)) {
		struct person full;
		if (store_person_get(u->ses.st, atena, &full, NULL) == 0) {
			visit_set_person(vi, &full);
			mem_wipe(&full, sizeof(full));
		}
	}
	build(u, v);
	snprintf(title, sizeof(title), "住民記録  %s（%s）", v->d.p.name, v->d.p.atena);
	keys = ACTBIT(ACT_BACK) | ACTBIT(ACT_CARD) | ACTBIT(ACT_SEARCH);
	if (v->d.can_change)
		keys |= ACTBIT(ACT_NEW);
	ui_push(u, person_draw, v, 1, title, keys);
	ui_set_note(u, store_user(u->ses.st)->role == ROLE_ADMIN ?
	    "↑↓ PgUp/PgDn スクロール  v 閲覧者の確認" : "↑↓ PgUp/PgDn スクロール");
	if (v->d.fresh.state == FRESH_WARN && u->msg[0] == '\0') {
		char f[160];
		lookup_freshness_text(&v->d.fresh, f, sizeof(f));
		ui_message(u, 0, "%s", f);
	}
	for (;;) {
		int page = ui_body_rows() - 1;

		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT || UI_ACT_IS(&k, ACT_BACK))
			break;
		if (UI_ACT_IS(&k, ACT_NEW) && !v->d.can_change) {
			ui_message(u, 1, "参照のみの権限のため、申請の入力はできません");
			continue;
		}
		if (UI_ACT_IS(&k, ACT_CARD)) {
			struct person p;
			if (store_person_get(u->ses.st, atena, &p, NULL) == 0) {
				ui_identity_for(u, &p);
				mem_wipe(&p, sizeof(p));
			}
			build(u, v);
			ui_redraw(u);
			continue;
		}
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			/* F4 or a review from the menu may have added or
			 * changed this person's applications */
			if (u->ses.st != NULL)
				(void)lookup_reload_apps(u->ses.st, &v->d, NULL);
			build(u, v);
			ui_redraw(u);
			continue;
		}
		if (UI_KEY_IS(&k, KEY_DOWN))
			v->top++;
		else if (UI_KEY_IS(&k, KEY_UP) && v->top > 0)
			v->top--;
		else if (UI_KEY_IS(&k, KEY_NPAGE))
			v->top += page;
		else if (UI_KEY_IS(&k, KEY_PPAGE))
			v->top = v->top > page ? v->top - page : 0;
		else if ((UI_CHAR_IS(&k, 'v') || UI_CHAR_IS(&k, 'V')) &&
		    store_user(u->ses.st)->role == ROLE_ADMIN)
			ui_person_viewers(u, atena);
		else
			continue;
		ui_redraw(u);
	}
	ui_pop(u);
	person_detail_free(&v->d);
	mem_wipe(v, sizeof(*v));
	free(v);
	return 0;
}

/* ------------------------------------------------ who viewed (LOG-3) */

struct viewers {
	struct audit_row *rows;
	size_t n;
	char cells[4][128];
};

static const char *
viewer_cell(void *arg, int row, int col)
{
	struct viewers *w = arg;
	const struct audit_row *r = &w->rows[row];
	char *c = w->cells[col];

	switch (col) {
	case 0: when_text(r->at, WHEN_SHORT, c, 128); break;
	case 1: snprintf(c, 128, "%s", r->who); break;
	case 2: snprintf(c, 128, "%s", r->terminal); break;
	default: snprintf(c, 128, "%s", audit_action_ja(r->action)); break;
	}
	return c;
}

void
ui_person_viewers(struct ui *u, const char *atena)
{
	static const char *const heads[] = { "日時", "職員", "端末", "操作" };
	static const int widths[] = { 20, 14, 8, 0 };
	struct viewers w;
	struct ui_table t;
	struct err e;
	char title[128];

	memset(&w, 0, sizeof(w));
	err_clear(&e);
	if (lookup_audit_person(u->ses.st, atena, 1000, &w.rows, &w.n, &e) != 0) {
		ui_message(u, 1, "%s", err_ja(&e));
		return;
	}
	snprintf(title, sizeof(title), "閲覧者の確認  宛名番号 %s（%zu件、新しい順）", atena, w.n);
	memset(&t, 0, sizeof(t));
	t.title = title;
	t.ncols = 4;
	t.heads = heads;
	t.widths = widths;
	t.nrows = (int)w.n;
	t.cell = viewer_cell;
	t.arg = &w;
	ui_table_run(u, &t, 1);
	free(w.rows);
}
