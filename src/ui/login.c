/*
 * login.c — the login screen, the lock screen (SC-3) and the password
 * change (AC-4).  The password checks themselves (key slots, failure
 * counter, lock after the third failure, disabled/expired accounts) are the
 * store's, reached through the session in the app module; here they are
 * asked for, shown and wiped.
 *
 * Opening the store runs Argon2id, which takes a noticeable moment, so it
 * runs through ui_busy: the screen shows that something is happening and
 * background events keep arriving.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "ui-internal.h"

#define PW_BUF (256 + 1)

struct login_view {
	const char *title;
	const char *lead;		/* line above the fields */
	struct ui_input acct, pw;
	int focus;			/* 0 account, 1 password */
	int lock;			/* lock screen */
};

static void
login_draw(struct ui *u, void *arg)
{
	struct login_view *v = arg;
	int w = 60, h = 11, y, x;

	y = ui_body_top() + (ui_body_rows() - h) / 2 - 1;
	if (y < ui_body_top())
		y = ui_body_top();
	x = (COLS - w) / 2;
	ui_box(y, x, h, w);
	attrset(ui_attr(u, C_TITLE));
	ui_put(y, x + 2, v->title, w - 4, 0);
	attrset(A_NORMAL);
	ui_put(y + 2, x + 3, v->lead, w - 6, 0);
	ui_put(y + 4, x + 3, "アカウント", 12, 1);
	ui_put(y + 6, x + 3, "パスワード", 12, 1);
	ui_input_draw(u, &v->acct, y + 4, x + 16, v->focus == 0);
	ui_input_draw(u, &v->pw, y + 6, x + 16, v->focus == 1);
	attrset(ui_attr(u, C_DIM));
	ui_put(y + 8, x + 3, v->lock ? "Enter 解除／別の職員はアカウントを変えてログイン" :
	    "Enter ログイン  F10 終了", w - 6, 0);
	attrset(A_NORMAL);
	if (!v->lock && u->login_note != NULL && u->login_note[0] != '\0') {
		/* the note (e.g. the demo accounts) wraps by width under the box,
		 * in at most 3 lines */
		const char *p = u->login_note;
		int nw = COLS - 4;
		attrset(ui_attr(u, C_DIM));
		for (int i = 0; i < 3 && *p != '\0' && y + h + 1 + i < LINES - 2; i++) {
			size_t n;
			while (*p == ' ')
				p++;
			n = utf8_cut(p, strlen(p), nw, NULL);
			if (n == 0)
				break;
			{
				char line[512];
				snprintf(line, sizeof(line), "%.*s", (int)n, p);
				ui_put(y + h + 1 + i, 2, line, nw, 0);
			}
			p += n;
		}
		attrset(A_NORMAL);
	}
	/* the focused input sets the cursor; draw it last */
	if (v->focus == 0)
		ui_input_draw(u, &v->acct, y + 4, x + 16, 1);
	else
		ui_input_draw(u, &v->pw, y + 6, x + 16, 1);
}

struct login_job {
	struct session *ses;
	const char *user;
	const char *pw;
	int ended;
	struct err e;
};

static int
login_job(void *arg)
{
	struct login_job *j = arg;

	return session_login(j->ses, j->user, j->pw, &j->ended, &j->e);
}

/* One attempt with what is in the boxes; the password box is wiped.
 * Returns session_login's result. */
static int
attempt(struct ui *u, struct login_view *v, int *ended)
{
	char user[64], pw[PW_BUF];
	struct login_job j;
	int r;

	lineedit_get(&v->acct.le, user, sizeof(user));
	if (v->pw.le.n == 0) {
		/* an empty password is a slip of the Enter key, not an attempt:
		 * it must not count towards the lock (AC-4) */
		ui_message(u, 1, "%s", user[0] ? "パスワードを入力してください" :
		    "アカウント名を入力してください");
		return ERR_INVAL;
	}
	lineedit_get(&v->pw.le, pw, sizeof(pw));
	lineedit_wipe(&v->pw.le);
	memset(&j, 0, sizeof(j));
	j.ses = &u->ses;
	j.user = user;
	j.pw = pw;
	r = ui_busy(u, v->lock ? "確認中" : "ログイン中", login_job, &j);
	mem_wipe(pw, sizeof(pw));
	if (ended != NULL)
		*ended = j.ended;
	if (r != 0)
		ui_message(u, 1, "%s", err_ja(&j.e));
	return r;
}

/* Issue 14 (AC-5): when the last code was accepted (mdg_now), for
 * [terminal] second_factor_relock at the unlock. */
static int64_t sf_last_at;

/* The second factor after the password: 1 passed (or none needed), 0
 * refused (the caller logs out).  Three codes at most. */
static int
second_factor(struct ui *u)
{
	int mode = sf_mode(u->conf), r;
	char code[32];
	struct err e;

	if (mode == SF_OFF || u->ses.st == NULL)
		return 1;
	if (!sf_enrolled(u->ses.st)) {
		if (mode != SF_REQUIRED)
			return 1;
		ui_message(u, 1, "二要素認証の登録が必要です（madoguchi user totp で登録して"
		    "ください）");
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		code[0] = '\0';
		r = ui_prompt(u, "二要素認証", "確認コード（6桁）", code, sizeof(code), 6);
		if (r <= 0)
			break;
		err_clear(&e);
		r = sf_verify(u->ses.st, code, &e);
		mem_wipe(code, sizeof(code));
		if (r == 0) {
			sf_last_at = mdg_now();
			return 1;
		}
		ui_message(u, 1, "%s", err_ja(&e));
	}
	mem_wipe(code, sizeof(code));
	return 0;
}

static void
view_init(struct login_view *v, const char *title, const char *lead, int lock)
{
	memset(v, 0, sizeof(*v));
	v->title = title;
	v->lead = lead;
	v->lock = lock;
	ui_input_init(&v->acct, 30, 60, LE_ANY, 0);
	ui_input_init(&v->pw, 30, 256, LE_ANY, 1);
}

int
ui_login(struct ui *u)
{
	struct login_view v;
	struct ui_key k;
	int r = 0;

	view_init(&v, "madoguchi 窓口端末 — ログイン",
	    "アカウントとパスワードを入力してください。", 0);
	ui_push(u, login_draw, &v, 1, "ログイン", 0);
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT)
			break;
		if (UI_ACT_IS(&k, ACT_MENU)) {
			if (ui_confirm(u, "終了", "madoguchi を終了しますか。") == 1)
				break;
			continue;
		}
		if (k.type == UI_K_ACTION)
			continue;	/* nothing else before a login */
		if (UI_KEY_IS(&k, KEY_UP)) {
			v.focus = 0;
		} else if (UI_KEY_IS(&k, KEY_DOWN)) {
			v.focus = 1;
		} else if (UI_CHAR_IS(&k, '\t') || UI_KEY_IS(&k, KEY_BTAB) ||
		    (UI_CHAR_IS(&k, '\n') && v.focus == 0)) {
			v.focus = !v.focus;
		} else if (UI_CHAR_IS(&k, '\n')) {
			int rr = attempt(u, &v, NULL);
			if (rr == 0) {
				if (!second_factor(u)) {
					char keep[sizeof(u->msg)];

					snprintf(keep, sizeof(keep), "%s", u->msg);
					session_logout(&u->ses, "second-factor-refused");
					snprintf(u->msg, sizeof(u->msg), "%s", keep);
					ui_redraw(u);
					continue;
				}
				if (session_must_change_password(&u->ses) && !ui_password_change(u, 1)) {
					session_logout(&u->ses, "password-change-refused");
					ui_message(u, 1, "パスワードを変更しないと利用できません");
					continue;
				}
				u->msg[0] = '\0';
				/* Issue 13: an offline_max purge is said once, at
				 * the next login. */
				{
					char at[32];

					if (store_setting_get(u->ses.st, "purge.offline", at,
					    sizeof(at), NULL) == 0 && at[0] != '\0') {
						ui_message(u, 1, "長期間同期できなかったため、取り込み済みの"
						    "個人情報を消去しました（%.10s）。次の同期で再取得します", at);
						store_setting_set(u->ses.st, "purge.offline", "", NULL);
					}
				}
				r = 1;
				break;
			}
			if (rr == ERR_NOTFOUND || rr == ERR_INVAL)
				v.focus = 0;
		} else if (!ui_input_key(v.focus == 0 ? &v.acct : &v.pw, &k))
			continue;
		ui_redraw(u);
	}
	lineedit_wipe(&v.pw.le);
	ui_pop(u);
	return r;
}

void
ui_lock(struct ui *u, const char *why)
{
	struct login_view v;
	struct ui_key k;
	struct err e;
	int ended;

	if (session_lock(&u->ses, why, &e) != 0)
		return;
	/* SC-3: from here nothing personal is drawn: the message line goes,
	 * and ui_redraw draws only the top layer (this one) */
	u->msg[0] = '\0';
	u->locked = 1;
	view_init(&v, "画面ロック中", strcmp(why, "timeout") == 0 ?
	    "一定時間操作がなかったためロックしました。" : "画面をロックしました。", 1);
	lineedit_set(&v.acct.le, u->ses.user);
	v.focus = 1;
	clearok(curscr, TRUE);
	ui_push(u, login_draw, &v, 1, "画面ロック", 0);
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT)
			break;
		if (k.type == UI_K_ACTION)
			continue;
		if (UI_KEY_IS(&k, KEY_UP)) {
			v.focus = 0;
		} else if (UI_KEY_IS(&k, KEY_DOWN)) {
			v.focus = 1;
		} else if (UI_CHAR_IS(&k, '\t') || UI_KEY_IS(&k, KEY_BTAB) ||
		    (UI_CHAR_IS(&k, '\n') && v.focus == 0)) {
			v.focus = !v.focus;
		} else if (UI_CHAR_IS(&k, '\n')) {
			if (attempt(u, &v, &ended) == 0) {
				/* issue 14: another clerk gives the code; the same one
				 * after [terminal] second_factor_relock minutes */
				long relock = conf_int(u->conf, "terminal",
				    "second_factor_relock") * 60;
				if ((ended || mdg_now() - sf_last_at >= relock) &&
				    !second_factor(u)) {
					session_logout(&u->ses, "second-factor-refused");
					u->abort = ABORT_LOGOUT;
					break;
				}
				if (ended)
					u->abort = ABORT_TAKEOVER;	/* unwind the old clerk's screens */
				u->msg[0] = '\0';
				break;
			}
			if (u->ses.state == SES_LOGGED_OUT)
				break;
		} else if (!ui_input_key(v.focus == 0 ? &v.acct : &v.pw, &k))
			continue;
		ui_redraw(u);
	}
	lineedit_wipe(&v.pw.le);
	u->locked = 0;
	u->depth--;		/* pop without drawing: the caller's screen redraws next */
	if (u->abort == ABORT_NONE)
		ui_redraw(u);
}

/* ------------------------------------------------------ password change */

struct pwchange_view {
	struct ui_input in[3];
	int focus;
	int forced;
};

static void
pwchange_draw(struct ui *u, void *arg)
{
	static const char *const labels[] = { "現在のパスワード", "新しいパスワード", "もう一度（確認）" };
	struct pwchange_view *v = arg;
	int w = 66, h = 13, y = ui_body_top() + 2, x = (COLS - w) / 2;

	ui_box(y, x, h, w);
	attrset(ui_attr(u, C_TITLE));
	ui_put(y, x + 2, v->forced ? "パスワードの変更が必要です" : "パスワード変更", w - 4, 0);
	attrset(A_NORMAL);
	ui_put(y + 2, x + 3, "10文字以上、英大文字・英小文字・数字・記号のうち3種類以上。", w - 6, 0);
	for (int i = 0; i < 3; i++) {
		ui_put(y + 4 + 2 * i, x + 3, labels[i], 18, 1);
		ui_input_draw(u, &v->in[i], y + 4 + 2 * i, x + 22, 0);
	}
	attrset(ui_attr(u, C_DIM));
	ui_put(y + 10, x + 3, "Enter 次へ・変更  Esc 取りやめ", w - 6, 0);
	attrset(A_NORMAL);
	ui_input_draw(u, &v->in[v->focus], y + 4 + 2 * v->focus, x + 22, 1);
}

struct pw_job {
	struct session *ses;
	char old[PW_BUF], nw[PW_BUF];
	struct err e;
};

static int
pw_job(void *arg)
{
	struct pw_job *j = arg;

	return session_change_password(j->ses, j->old, j->nw, &j->e);
}

int
ui_password_change(struct ui *u, int forced)
{
	struct pwchange_view v;
	struct pw_job *j;
	struct ui_key k;
	char confirm[PW_BUF];
	int r = 0;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return 0;
	memset(&v, 0, sizeof(v));
	v.forced = forced;
	for (int i = 0; i < 3; i++)
		ui_input_init(&v.in[i], 34, 256, LE_ANY, 1);
	ui_push(u, pwchange_draw, &v, 1, "パスワード変更", ACTBIT(ACT_BACK));
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT)
			break;
		if (UI_ACT_IS(&k, ACT_BACK))
			break;
		if (k.type == UI_K_ACTION)
			continue;
		if (UI_CHAR_IS(&k, '\t') || UI_KEY_IS(&k, KEY_DOWN) || (UI_CHAR_IS(&k, '\n') && v.focus < 2))
			v.focus = (v.focus + 1) % 3;
		else if (UI_KEY_IS(&k, KEY_BTAB) || UI_KEY_IS(&k, KEY_UP))
			v.focus = (v.focus + 2) % 3;
		else if (UI_CHAR_IS(&k, '\n')) {
			lineedit_get(&v.in[0].le, j->old, sizeof(j->old));
			lineedit_get(&v.in[1].le, j->nw, sizeof(j->nw));
			lineedit_get(&v.in[2].le, confirm, sizeof(confirm));
			if (strcmp(j->nw, confirm) != 0) {
				ui_message(u, 1, "新しいパスワードが一致しません");
				lineedit_wipe(&v.in[1].le);
				lineedit_wipe(&v.in[2].le);
				v.focus = 1;
			} else {
				j->ses = &u->ses;
				err_clear(&j->e);
				if (ui_busy(u, "変更中", pw_job, j) == 0) {
					ui_message(u, 2, "パスワードを変更しました");
					r = 1;
					break;
				}
				ui_message(u, 1, "%s", err_ja(&j->e));
				for (int i = 0; i < 3; i++)
					lineedit_wipe(&v.in[i].le);
				v.focus = 0;
			}
			mem_wipe(j->old, sizeof(j->old));
			mem_wipe(j->nw, sizeof(j->nw));
			mem_wipe(confirm, sizeof(confirm));
		} else if (!ui_input_key(&v.in[v.focus], &k))
			continue;
		ui_redraw(u);
	}
	for (int i = 0; i < 3; i++)
		lineedit_wipe(&v.in[i].le);
	/* the success path leaves the loop before the wipes inside it */
	mem_wipe(confirm, sizeof(confirm));
	mem_wipe(j, sizeof(*j));
	free(j);
	ui_pop(u);
	return r;
}
