/*
 * shell.c — the ncurses shell (SPEC 6): start-up checks, the layer stack,
 * the status line, the function-key bar and the message line, the one key
 * reader every screen uses (ui_getkey), the start screen and the menu.
 *
 * The UI loop never blocks on anything but poll() over the terminal and the
 * background event queue, with a timeout that wakes it for the clock and
 * the inactivity lock.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui-internal.h"
#include "store.h"
#include "ui.h"
#include "visit.h"

/* Set by SIGTERM/SIGHUP: leave cleanly (logout row) at the next wake-up.
 * A signal flag is the one piece of process state a handler may touch. */
static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}


/* ------------------------------------------------------------ layers */

/*
 * Messages have a moment (issue 19), one rule for every screen: a message
 * belongs to the screen that was on top when it was given (u->msg_depth).
 * Once the clerk has pressed a key with it shown (u->msg_seen), it goes
 * when that screen closes (a full-screen layer at or below its depth is
 * popped) and when a new full screen opens over it (a new task).  A
 * message given as a screen closes or just before one opens ("記録しまし
 * た", a warning for the next screen) has not been seen yet: it stays, as
 * the word of the screen below or above.  Popups (not full) take no
 * message away.
 */
static void
msg_on_push(struct ui *u, int full)
{
	if (full && u->msg[0] != '\0' && u->msg_seen)
		u->msg[0] = '\0';
}

static void
msg_on_pop(struct ui *u, const struct ui_layer *l)
{
	if (u->msg[0] == '\0')
		return;
	if (l->full && u->depth < u->msg_depth && u->msg_seen)
		u->msg[0] = '\0';
	else if (u->msg_depth > u->depth)
		u->msg_depth = u->depth;	/* its last word: now the screen's below */
}

void
ui_push(struct ui *u, ui_draw_fn draw, void *arg, int full, const char *title,
    unsigned keys)
{
	/* The last slot is kept for the lock screen, which must always be
	 * the top layer (SC-3).  A screen refused for lack of room is counted
	 * so that its ui_pop does not take someone else's layer. */
	if (u->depth >= UI_LAYERS_MAX - (u->locked ? 0 : 1)) {
		u->overflow++;
		log_error("screen stack full (%d layers)", u->depth);
		return;
	}
	msg_on_push(u, full);
	u->stack[u->depth++] = (struct ui_layer){ draw, arg, full, title, keys, NULL };
	ui_redraw(u);
}

void
ui_pop(struct ui *u)
{
	if (u->overflow > 0) {
		u->overflow--;
		return;
	}
	if (u->depth > 0) {
		u->depth--;
		msg_on_pop(u, &u->stack[u->depth]);
	}
	ui_redraw(u);
}

void
ui_set_note(struct ui *u, const char *note)
{
	if (u->depth > 0 && u->overflow == 0)
		u->stack[u->depth - 1].note = note;
}

int
ui_body_top(void)
{
	return 2;
}

int
ui_body_rows(void)
{
	return LINES - 4;
}

void
ui_set_cursor(struct ui *u, int y, int x)
{
	u->cur_y = y;
	u->cur_x = x;
	u->cur_on = 1;
}

int
ui_attr(struct ui *u, enum ui_colour c)
{
	if (u->colour) {
		switch (c) {
		case C_FOCUS: return COLOR_PAIR(C_FOCUS) | A_BOLD;
		case C_TITLE: return COLOR_PAIR(C_TITLE) | A_BOLD;
		case C_ERROR: return COLOR_PAIR(C_ERROR) | A_BOLD;
		case C_NORMAL: return A_NORMAL;
		default: return COLOR_PAIR(c);
		}
	}
	/* monochrome: still readable */
	switch (c) {
	case C_STATUS: case C_BAR: return A_REVERSE;
	case C_BARKEY: return A_BOLD;
	case C_ERROR: return A_BOLD;
	case C_FOCUS: return A_REVERSE;
	case C_TITLE: return A_BOLD | A_UNDERLINE;
	case C_DIM: return A_DIM;
	case C_OK: return A_BOLD;
	default: return A_NORMAL;
	}
}

void
ui_message(struct ui *u, int kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
	va_end(ap);
	u->msg_kind = kind;
	u->msg_depth = u->depth;
	u->msg_seen = 0;
	ui_redraw(u);
}

void
ui_clear_message(struct ui *u)
{
	if (u->msg[0] != '\0') {
		u->msg[0] = '\0';
		ui_redraw(u);
	}
}

/* ------------------------------------------------------- status line */

static const char *
card_state_text(int s)
{
	/* enum card_state of card.h */
	switch (s) {
	case 1: return "ﾘｰﾀﾞｰ:停止";
	case 2: return "ﾘｰﾀﾞｰ:なし";
	case 3: return "カード:なし";
	case 4: return "カード:あり";
	case 5: return "カード:応答なし";
	default: return "カード:未確認";
	}
}

static void
draw_status(struct ui *u)
{
	char left[512], right[256], age[64];
	const char *muni = conf_str(u->conf, "terminal", "municipality");
	const char *branch = conf_str(u->conf, "terminal", "branch");
	const char *tid = conf_str(u->conf, "terminal", "id");
	int rw;

	shell_status_age(&u->status, (long)mdg_now(), age, sizeof(age));
	strncat(age, ui_fresh_mark(u), sizeof(age) - strlen(age) - 1);	/* NET-5 */
	/* logged out, the store is locked and its sync state unknown: say
	 * nothing rather than "オフライン 未同期" for an enrolled terminal */
	if (u->ses.state == SES_LOGGED_OUT)
		snprintf(right, sizeof(right), "%s  %s ",
		    card_state_text(u->status.card_state), u->clock);
	else
		snprintf(right, sizeof(right), "%s %s  %s  %s ",
		    u->status.online == 1 ? "オンライン" : "オフライン", age,
		    card_state_text(u->status.card_state), u->clock);
	rw = ui_width(right);
	/* the clerk's name matters more than the place: on a narrow screen
	 * drop the municipality, then the branch, before cutting the name */
	for (int drop = 0; drop < 3; drop++) {
		snprintf(left, sizeof(left), " %s%s%s%s[%s] %s%s",
		    drop < 1 ? muni : "", drop < 1 && muni[0] ? " " : "",
		    drop < 2 ? branch : "", drop < 2 && branch[0] ? " " : "",
		    tid[0] ? tid : "-",
		    u->ses.state != SES_LOGGED_OUT ? u->ses.display : "",
		    u->ses.state == SES_LOCKED ? " ロック中" : "");
		if (ui_width(left) <= COLS - rw - 1)
			break;
	}
	attrset(ui_attr(u, C_STATUS));
	mvhline(0, 0, ' ', COLS);
	ui_put(0, 0, left, COLS - rw - 1 > 0 ? COLS - rw - 1 : 0, 0);
	ui_put(0, COLS - rw > 0 ? COLS - rw : 0, right, rw, 0);
	attrset(A_NORMAL);
}

static void
draw_bar(struct ui *u, unsigned keys)
{
	char kn[8];
	int x = 0;

	move(LINES - 1, 0);
	clrtoeol();
	for (const struct keymap_entry *k = shell_keymap; k->act != ACT_NONE; k++) {
		int w;
		if (!(keys & ACTBIT(k->act)))
			continue;
		keymap_key_name(k, kn);
		w = ui_width(kn) + ui_width(k->label);
		if (x + w > COLS)
			break;
		attrset(ui_attr(u, C_BARKEY));
		x += ui_put(LINES - 1, x, kn, COLS - x, 0);
		attrset(ui_attr(u, C_BAR));
		x += ui_put(LINES - 1, x, k->label, COLS - x, 0);
		attrset(A_NORMAL);
		if (x < COLS)
			mvaddch(LINES - 1, x++, ' ');
	}
}

static void
draw_message(struct ui *u)
{
	move(LINES - 2, 0);
	clrtoeol();
	if (u->msg[0] == '\0')
		return;
	attrset(ui_attr(u, u->msg_kind == 1 ? C_ERROR : u->msg_kind == 2 ? C_OK : C_NORMAL));
	ui_put(LINES - 2, 1, u->msg, COLS - 2, 0);
	attrset(A_NORMAL);
}

void
ui_redraw(struct ui *u)
{
	unsigned keys = ACTBIT(ACT_HELP);
	int first = 0;

	u->too_small = LINES < UI_MIN_LINES || COLS < UI_MIN_COLS;
	erase();
	if (u->too_small) {
		char m[160];
		snprintf(m, sizeof(m), "画面が小さすぎます。%d×%d 以上に広げてください（現在 %d×%d）",
		    UI_MIN_COLS, UI_MIN_LINES, COLS, LINES);
		ui_put(0, 0, m, COLS, 0);
		curs_set(0);
		ui_gfx_before_update(u);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	u->cur_on = 0;
	draw_status(u);
	/* while locked only the lock screen (the top layer) is drawn: nothing
	 * from the screens below it reaches the terminal (SC-3) */
	if (u->locked)
		first = u->depth - 1;
	else
		for (int i = 0; i < u->depth; i++)
			if (u->stack[i].full)
				first = i;
	if (u->depth > 0 && u->stack[first].title != NULL) {
		attrset(ui_attr(u, C_TITLE));
		ui_put(1, 1, u->stack[first].title, COLS - 2, 0);
		attrset(A_NORMAL);
	}
	for (int i = first; i < u->depth && i >= 0; i++) {
		u->cur_on = 0;
		u->drawing_top = i == u->depth - 1;
		u->stack[i].draw(u, u->stack[i].arg);
	}
	u->drawing_top = 0;
	if (u->depth > 0)
		keys |= u->stack[u->depth - 1].keys;
	if (u->ses.state == SES_ACTIVE)
		keys |= ACTBIT(ACT_LOCK) | ACTBIT(ACT_MENU);
	draw_message(u);
	draw_bar(u, keys);
	if (u->cur_on) {
		curs_set(1);
		move(u->cur_y, u->cur_x);
	} else {
		curs_set(0);
		move(LINES - 2, 0);
	}
	ui_gfx_before_update(u);	/* a sixel image not drawn again is erased */
	wnoutrefresh(stdscr);
	doupdate();
	ui_gfx_after_update(u);		/* and one drawn goes out after the text */
}

/* ------------------------------------------------------------- keys */

static void
tick_clock(struct ui *u)
{
	char now[8];

	when_now_hhmm(now);	/* [ui] timezone (issue 19) */
	if (strcmp(now, u->clock) != 0) {
		memcpy(u->clock, now, sizeof(now));
		if (!u->too_small) {
			draw_status(u);
			if (u->cur_on)
				move(u->cur_y, u->cur_x);
			wnoutrefresh(stdscr);
			doupdate();
		}
	}
}

void
ui_take_events(struct ui *u)
{
	struct shell_ev ev;
	int changed = 0;

	while (evq_get(u->evq, &ev) == 0) {
		if (ev.type == EV_MESSAGE) {
			/* background messages never carry personal data, but the
			 * lock screen shows nothing but itself anyway */
			if (!u->locked) {
				snprintf(u->msg, sizeof(u->msg), "%s", ev.text);
				u->msg_kind = ev.code;
				u->msg_depth = 1;	/* not a screen's: the start screen's */
				u->msg_seen = 0;
				changed = 1;
			}
		} else if (shell_status_apply(&u->status, &ev))
			changed = 1;
	}
	if (changed)
		ui_redraw(u);
}

/* The key reader; until >= 0: give up at that time (t_now style
 * milliseconds of CLOCK_MONOTONIC) and return 0.  1 with a key. */
static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
getkey(struct ui *u, struct ui_key *k, int64_t until)
{
	struct pollfd pf[2];
	wint_t wch;
	int r;

	for (;;) {
		if (u->abort != ABORT_NONE || got_signal) {
			if (got_signal && u->abort == ABORT_NONE)
				u->abort = ABORT_QUIT;
			k->type = UI_K_ABORT;
			return 1;
		}
		/* inactivity lock (SC-3) */
		if (!u->locked && u->ses.state == SES_ACTIVE && session_lock_due_ms(&u->ses) == 0) {
			ui_lock(u, "timeout");
			continue;
		}
		r = get_wch(&wch);
		if (r == ERR) {
			int64_t due = session_lock_due_ms(&u->ses);
			int timeout = 1000;
			if (!u->locked && due >= 0 && due < timeout)
				timeout = (int)due + 1;
			if (until >= 0) {
				int64_t left = until - mono_ms();
				if (left <= 0)
					return 0;
				if (left < timeout)
					timeout = (int)left;
			}
			if (u->cur_on && !u->too_small) {
				move(u->cur_y, u->cur_x);
				wnoutrefresh(stdscr);
				doupdate();
			}
			pf[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
			pf[1] = (struct pollfd){ .fd = evq_fd(u->evq), .events = POLLIN };
			if (poll(pf, 2, timeout) < 0 && errno != EINTR)
				usleep(10000);
			if (pf[1].revents & POLLIN)
				ui_take_events(u);
			tick_clock(u);
			continue;
		}
		session_touch(&u->ses);
		if (u->msg[0] != '\0' && !(r == KEY_CODE_YES && wch == KEY_RESIZE))
			u->msg_seen = 1;	/* the clerk has acted with it shown */
		if (r == KEY_CODE_YES && wch == KEY_RESIZE) {
			clearok(curscr, TRUE);
			ui_redraw(u);
			continue;
		}
		if (u->too_small)
			continue;	/* nothing to act on until it is big enough */
		if (r == KEY_CODE_YES && wch >= (wint_t)KEY_F(1) && wch <= (wint_t)KEY_F(12)) {
			enum shell_action a = keymap_action((int)(wch - KEY_F0));
			if (a == ACT_HELP) {
				if (!u->help_open)
					ui_help(u);
				continue;
			}
			if (a == ACT_LOCK) {
				if (u->ses.state == SES_ACTIVE && !u->locked)
					ui_lock(u, "key");
				continue;
			}
			if (a == ACT_NONE)
				continue;
			k->type = UI_K_ACTION;
			k->act = a;
			return 1;
		}
		if (r == KEY_CODE_YES && wch == KEY_ENTER) {
			k->type = UI_K_CHAR;
			k->ch = '\n';
			return 1;
		}
		if (r == KEY_CODE_YES) {
			k->type = UI_K_KEY;
			k->ch = wch;
			return 1;
		}
		if (wch == 27) {
			k->type = UI_K_ACTION;
			k->act = ACT_BACK;
			return 1;
		}
		k->type = UI_K_CHAR;
		k->ch = wch == '\r' ? '\n' : wch;
		return 1;
	}
}

void
ui_getkey(struct ui *u, struct ui_key *k)
{
	getkey(u, k, -1);
}

int
ui_getkey_wait(struct ui *u, struct ui_key *k, int ms)
{
	return getkey(u, k, mono_ms() + ms);
}

/* ------------------------------------------------------ applications */

static const char *
screen_cell(void *arg, int row, int col)
{
	const struct screen_set *set = arg;

	/* names, not codes (issue 19): the 事務 by its Japanese name */
	return col == 0 ? set->s[row]->title : procedure_name_ja(set->s[row]->procedure);
}

/* Try out a screen (F10 menu; F4 when no intake flow is installed): pick an
 * application screen, fill it in and have it checked.  Nothing is saved:
 * saving (receipt number, identity check, outbox) is the intake flow's.
 * For training and for whoever writes screen files. */
static void
new_application(struct ui *u)
{
	static const char *const heads[] = { "申請書", "事務" };
	static const int widths[] = { 50, 0 };
	struct ui_table t = { "申請画面の試用 — 申請書を選んでください（保存しません）", 2, heads, widths, 0,
		screen_cell, NULL, 0, 0 };
	struct form *f;
	int i, r;

	if (u->screens == NULL || u->screens->n == 0) {
		ui_message(u, 1, "申請画面が読み込まれていません（設定 [ui] screens を確認してください）");
		return;
	}
	t.nrows = u->screens->n;
	t.arg = u->screens;
	if ((i = ui_table_run(u, &t, 1)) < 0)
		return;
	if ((f = form_new(u->screens->s[i])) == NULL) {
		ui_message(u, 1, "メモリが足りません");
		return;
	}
	r = ui_form_run(u, f);
	if (r == 1) {
		int n = 0;
		for (int j = 0; j < f->s->nfields; j++)
			n += f->values[j][0] != '\0' && form_field_shown(f, j);
		ui_message(u, 2, "「%s」の入力内容を確認しました（%d項目）", f->s->title, n);
	}
	form_free(f);
}

/* ----------------------------------------------------- end of visit */

int
ui_visit_close(struct ui *u, int ask)
{
	struct visit *v = u->visit;
	char text[512];
	int r;

	if (u->ses.state != SES_ACTIVE)
		return 0;
	if (ask && v != NULL && v->active && (v->have_person || v->agent.present)) {
		char who[300];

		if (v->have_person && v->agent.present)
			snprintf(who, sizeof(who), "%s さん（代理人 %s さん）", v->person.name,
			    v->agent.name);
		else if (v->have_person)
			snprintf(who, sizeof(who), "%s さん", v->person.name);
		else
			snprintf(who, sizeof(who), "代理人 %s さん", v->agent.name);
		snprintf(text, sizeof(text), "%sの来庁を終了しますか。\n"
		    "本人確認・代理人・カードの結果を消去し、メインメニューに戻ります。", who);
		r = ui_confirm(u, "来庁終了", text);
		mem_wipe(who, sizeof(who));
		mem_wipe(text, sizeof(text));
		if (r != 1)
			return 0;
	}
	/* visit_end wipes everything personal the visit holds before the
	 * memory is freed; the next F2 or F3 starts a new visit */
	ui_visit_free(u);
	if (u->depth > 1)
		u->abort = ABORT_HOME;	/* unwind: no screen shows the last visitor */
	ui_message(u, 2, "来庁を終了しました。次の方をどうぞ");
	u->msg_depth = 1;	/* the start screen's: the unwinding keeps it */
	log_info("visit ended by the clerk");
	return 1;
}

static void
next_visitor(struct ui *u)
{
	ui_visit_close(u, 1);
}

/* ------------------------------------------------------------ menu */

void
ui_dispatch(struct ui *u, enum shell_action a)
{
	/* work first; the account's own entries last (issue 19) */
	static const char *const items[] = {
		/* 0-5, scr-review.c, scr-batch.c: ui_work_menu(u, i) */
		"申請の確認（審査）", "受付簿", "進達", "未処理の申請", "個人番号変更の確認",
		"問合せ・開示請求",
		/* 6: any screen, filled and checked, nothing saved */
		"申請画面の試用（保存しません）",
		"キー一覧", "パスワード変更", "ログアウト", "終了" };
	int i;

	switch (a) {
	case ACT_HELP:
		ui_help(u);
		return;
	case ACT_LOCK:
		if (u->ses.state == SES_ACTIVE && !u->locked)
			ui_lock(u, "key");
		return;
	case ACT_MENU:
		i = ui_pick(u, "メニュー", items, (int)(sizeof(items) / sizeof(items[0])), 0);
		if (i == 8) {
			ui_password_change(u, 0);
		} else if (i == 9) {
			if (ui_confirm(u, "ログアウト", "ログアウトしますか。入力中の内容は破棄されます。") == 1)
				u->abort = ABORT_LOGOUT;
		} else if (i == 10) {
			if (ui_confirm(u, "終了", "madoguchi を終了しますか。") == 1)
				u->abort = ABORT_QUIT;
		} else if (i == 7)
			ui_help(u);
		else if (i == 6)
			new_application(u);
		else if (i >= 0)
			ui_work_menu(u, i);
		return;
	case ACT_NEXT:
		next_visitor(u);
		return;
	case ACT_NEW:
		ui_clear_message(u);	/* a new task: the last one's message is done */
		if (u->actions[ACT_NEW] != NULL)
			u->actions[ACT_NEW](u);	/* the intake flow (scr-intake.c) */
		else
			new_application(u);
		return;
	case ACT_BACK:
	case ACT_SAVE:
	case ACT_RETURN:
	case ACT_CORRECT:
	case ACT_STATUS:
		ui_message(u, 0, "この画面では使えないキーです");
		return;
	default:
		if (u->actions[a] != NULL) {
			if (a == ACT_CARD || a == ACT_SEARCH)
				ui_clear_message(u);	/* a new task (issue 19) */
			u->actions[a](u);
			return;
		}
		ui_message(u, 1, "「%s」はこの版ではまだ使えません", keymap_entry(a)->label);
		return;
	}
}

/* ------------------------------------------------------- start screen */

struct home {
	int sel;
};

static const struct {
	enum shell_action act;
	const char *text;
} home_items[] = {
	{ ACT_CARD, "本人確認（マイナンバーカード読取）" },
	{ ACT_SEARCH, "住民の検索" },
	{ ACT_NEW, "新規申請の入力" },
	{ ACT_NEXT, "次の方（来庁終了：前の方の記録を画面から消去）" },
	{ ACT_SYNC, "中央システムと同期" },
	{ ACT_LOCK, "画面ロック" },
	{ ACT_MENU, "メニュー（審査・受付簿・進達・パスワード変更・ログアウト・終了）" },
};
#define HOME_N ((int)(sizeof(home_items) / sizeof(home_items[0])))

static void
home_draw(struct ui *u, void *arg)
{
	struct home *h = arg;
	char line[256], kn[8];
	int y = ui_body_top() + 1;

	snprintf(line, sizeof(line), "%s さん、操作を選んでください。", u->ses.display);
	ui_put(y, 2, line, COLS - 4, 0);
	y += 2;
	for (int i = 0; i < HOME_N; i++) {
		const struct keymap_entry *k = keymap_entry(home_items[i].act);
		snprintf(line, sizeof(line), " %-4s %s ", keymap_key_name(k, kn), home_items[i].text);
		attrset(i == h->sel ? ui_attr(u, C_FOCUS) : (int)A_NORMAL);
		ui_put(y + i, 4, line, 60, 1);
		attrset(A_NORMAL);
	}
	if (u->screens != NULL) {
		snprintf(line, sizeof(line), "申請画面 %d 種類を読み込み済み", u->screens->n);
		attrset(ui_attr(u, C_DIM));
		ui_put(y + HOME_N + 1, 4, line, COLS - 8, 0);
		attrset(A_NORMAL);
	}
}

static void
home_run(struct ui *u)
{
	struct home h = { 0 };
	struct ui_key k;

	ui_push(u, home_draw, &h, 1, "メインメニュー",
	    ACTBIT(ACT_CARD) | ACTBIT(ACT_SEARCH) | ACTBIT(ACT_NEW) | ACTBIT(ACT_NEXT) |
	    ACTBIT(ACT_SYNC));
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT) {
			if (u->abort == ABORT_HOME) {
				/* F8 次の方 on a screen above this one: all of
				 * them are gone; the message says why */
				u->abort = ABORT_NONE;
				u->depth = 1;
				u->overflow = 0;
				ui_redraw(u);
				continue;
			}
			if (u->abort == ABORT_TAKEOVER) {
				/* another clerk: everything above the start screen
				 * is gone; start over for them, with their own
				 * background sync connection */
				u->abort = ABORT_NONE;
				ui_bgsync_stop(u);
				ui_bgsync_start(u);
				u->depth = 1;
				u->overflow = 0;
				h.sel = 0;
				ui_message(u, 0, "%s さんのセッションを開始しました", u->ses.display);
				continue;
			}
			break;
		}
		if (k.type == UI_K_ACTION) {
			if (k.act != ACT_BACK)
				ui_dispatch(u, k.act);
			continue;
		}
		if (UI_KEY_IS(&k, KEY_UP) || UI_KEY_IS(&k, KEY_BTAB))
			h.sel = (h.sel + HOME_N - 1) % HOME_N;
		else if (UI_KEY_IS(&k, KEY_DOWN) || UI_CHAR_IS(&k, '\t'))
			h.sel = (h.sel + 1) % HOME_N;
		else if (UI_CHAR_IS(&k, '\n'))
			ui_dispatch(u, home_items[h.sel].act);
		else
			continue;
		ui_redraw(u);
	}
	u->depth = 0;
	u->overflow = 0;
}

/* ------------------------------------------------------------ start */

static int
check_terminal(void)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	if (cs == NULL || strcmp(cs, "UTF-8") != 0) {
		fprintf(stderr,
		    "madoguchi: the locale is not UTF-8 (character set %s), so Japanese text cannot be\n"
		    "shown or typed.  Start it under a UTF-8 locale, for example:\n"
		    "    LANG=ja_JP.UTF-8 madoguchi      (or LANG=C.UTF-8)\n"
		    "and make sure the terminal itself uses UTF-8.\n"
		    "madoguchi: ロケールが UTF-8 ではありません。LANG=ja_JP.UTF-8 などを設定して起動してください。\n",
		    cs != NULL ? cs : "unknown");
		return -1;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "madoguchi: the counter screens need a terminal; "
		    "see `madoguchi help` for the commands.\n");
		return -1;
	}
	return 0;
}

static void
colours(struct ui *u)
{
	if (!has_colors() || start_color() != OK)
		return;
	use_default_colors();
	init_pair(C_STATUS, COLOR_WHITE, COLOR_BLUE);
	init_pair(C_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_BARKEY, COLOR_WHITE, COLOR_BLACK);
	init_pair(C_ERROR, COLOR_RED, -1);
	init_pair(C_FOCUS, COLOR_BLACK, COLOR_YELLOW);
	init_pair(C_TITLE, COLOR_BLUE, -1);
	init_pair(C_DIM, COLOR_CYAN, -1);
	init_pair(C_OK, COLOR_GREEN, -1);
	u->colour = 1;
}

int
ui_run(struct app_opts *o)
{
	struct ui u;
	struct err e;
	struct sigaction sa;
	const char *dir, *logp;
	char path[2048];
	int rc = 0;

	memset(&u, 0, sizeof(u));
	err_clear(&e);
	u.o = o;
	u.conf = o->conf;
	if (check_terminal() != 0)
		return 1;
	/* a bad screen file stops the start, with file:line (madoguchi-screen(5)) */
	dir = conf_str(u.conf, "ui", "screens");
	if (access(dir, F_OK) == 0 || conf_is_set(u.conf, "ui", "screens")) {
		if (screen_set_load(dir, &u.screens, &e) != 0) {
			fprintf(stderr, "madoguchi: %s\n", e.msg);
			return 1;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", o->store_dir, STORE_KEYS_FILE);
	if (access(path, F_OK) != 0) {
		fprintf(stderr, "madoguchi: no store in %s (create one with `madoguchi init`, "
		    "see madoguchi(1)).\n", o->store_dir);
		screen_set_free(u.screens);
		return 1;
	}
	/* the operator log must not write over the screen */
	logp = conf_str(u.conf, "ui", "log");
	if (logp[0] == '\0') {
		snprintf(path, sizeof(path), "%s/madoguchi.log", o->store_dir);
		logp = path;
	}
	if (log_open("madoguchi", logp, LOG_INFO) != 0) {
		fprintf(stderr, "madoguchi: cannot open the log %s\n", logp);
		screen_set_free(u.screens);
		return 1;
	}
	if (evq_new(&u.evq, &e) != 0) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		screen_set_free(u.screens);
		return 1;
	}
	session_init(&u.ses, o->store_dir, (int)conf_int(u.conf, "ui", "lock_after"));
	u.ses.cache_mb = (int)conf_int(u.conf, "store", "cache_mb");
	ui_idlookup_install(&u);	/* F2 identity check, F3 lookup */
	ui_intake_install(&u);		/* F4 intake */
	u.login_note = conf_str(u.conf, "ui", "login_note");
	u.status.online = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	when_zone_set(conf_str(u.conf, "ui", "timezone"));	/* before any thread */
	ui_gfx_start(&u);		/* may ask the terminal: before curses reads it */
	set_escdelay(50);
	initscr();
	raw();			/* ^C and ^Z do not bypass logout and its audit row */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	colours(&u);
	log_info("counter screens started (%d screens)", u.screens != NULL ? u.screens->n : 0);

	while (u.abort != ABORT_QUIT && !got_signal) {
		if (!ui_login(&u))
			break;
		u.abort = ABORT_NONE;
		ui_bgsync_start(&u);
		home_run(&u);
		ui_bgsync_stop(&u);
		session_logout(&u.ses, u.abort == ABORT_QUIT ? (got_signal ? "signal" : "quit") : "clerk");
		ui_visit_free(&u);	/* nothing of the last visitor survives a logout */
		u.msg[0] = '\0';
		if (u.abort == ABORT_LOGOUT)
			u.abort = ABORT_NONE;
	}
	session_logout(&u.ses, got_signal ? "signal" : "quit");
	erase();
	refresh();
	endwin();
	ui_gfx_end(&u);
	log_info("counter screens stopped");
	ui_idlookup_end(&u);	/* the card watcher posts to the queue: stop it first */
	evq_free(u.evq);
	screen_set_free(u.screens);
	return rc;
}
