/*
 * dialog.c — the confirm dialog, the alert, the busy indicator and the F1
 * key list.  Each is a layer over the current screen, so a resize or an
 * unlock redraws it in place.
 */
#include <pthread.h>
#include <poll.h>
#include <string.h>

#include "ui-internal.h"

struct dialog {
	const char *title;
	const char *text;
	int buttons;		/* 1: OK, 2: はい/いいえ */
	int sel;		/* 0 はい, 1 いいえ */
};

/* Split text into lines of at most w columns (on '\n' and by width). */
static int
wrap(const char *text, int w, const char **starts, size_t *lens, int max)
{
	int n = 0;
	const char *p = text;

	while (*p != '\0' && n < max) {
		size_t l = strcspn(p, "\n");
		size_t cut = utf8_cut(p, l, w, NULL);
		if (cut == 0 && l > 0)
			cut = l;	/* cannot happen with w >= 2 */
		starts[n] = p;
		lens[n++] = cut;
		p += cut;
		if (*p == '\n')
			p++;
	}
	return n;
}

static void
dialog_draw(struct ui *u, void *arg)
{
	struct dialog *d = arg;
	const char *st[16];
	size_t ln[16];
	char line[1024];
	int w = COLS - 10 < 64 ? COLS - 10 : 64, n, h, y, x;

	n = wrap(d->text, w - 4, st, ln, 16);
	h = n + 5;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	attrset(A_NORMAL);
	ui_box(y, x, h, w);
	attrset(ui_attr(u, C_TITLE));
	ui_put(y, x + 2, d->title, w - 4, 0);
	attrset(A_NORMAL);
	for (int i = 0; i < n; i++) {
		size_t l = ln[i] < sizeof(line) - 1 ? ln[i] : sizeof(line) - 1;
		memcpy(line, st[i], l);
		line[l] = '\0';
		ui_put(y + 2 + i, x + 2, line, w - 4, 0);
	}
	if (d->buttons == 1) {
		attrset(ui_attr(u, C_FOCUS));
		ui_put(y + h - 2, x + w / 2 - 3, "[ OK ]", 6, 0);
	} else {
		attrset(d->sel == 0 ? ui_attr(u, C_FOCUS) : (int)A_NORMAL);
		ui_put(y + h - 2, x + w / 2 - 12, "[ はい(Y) ]", 11, 0);
		attrset(d->sel == 1 ? ui_attr(u, C_FOCUS) : (int)A_NORMAL);
		ui_put(y + h - 2, x + w / 2 + 2, "[ いいえ(N) ]", 13, 0);
	}
	attrset(A_NORMAL);
}

static int
dialog_run(struct ui *u, struct dialog *d)
{
	struct ui_key k;
	int r;

	ui_push(u, dialog_draw, d, 0, NULL, ACTBIT(ACT_BACK));
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT) {
			r = -1;
			break;
		}
		if (UI_ACT_IS(&k, ACT_BACK) || UI_CHAR_IS(&k, 'n') || UI_CHAR_IS(&k, 'N')) {
			r = 0;
			break;
		}
		if (UI_CHAR_IS(&k, 'y') || UI_CHAR_IS(&k, 'Y')) {
			r = 1;
			break;
		}
		if (UI_CHAR_IS(&k, '\n')) {
			r = d->buttons == 1 || d->sel == 0;
			break;
		}
		if (UI_KEY_IS(&k, KEY_LEFT) || UI_KEY_IS(&k, KEY_RIGHT) || UI_CHAR_IS(&k, '\t')) {
			d->sel = !d->sel;
			ui_redraw(u);
		}
	}
	ui_pop(u);
	return r;
}

int
ui_confirm(struct ui *u, const char *title, const char *text)
{
	struct dialog d = { title, text, 2, 1 };	/* いいえ by default: safe */

	return dialog_run(u, &d);
}

void
ui_alert(struct ui *u, const char *title, const char *text)
{
	struct dialog d = { title, text, 1, 0 };

	dialog_run(u, &d);
}

/* -------------------------------------------------------------- busy */

struct busy {
	int (*fn)(void *);
	void *arg;
	int result;
	int done;		/* atomic */
	struct evq *q;
};

static void *
busy_thread(void *p)
{
	struct busy *b = p;
	struct shell_ev ev = { EV_WAKE, 0, "" };

	b->result = b->fn(b->arg);
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	evq_post(b->q, &ev);
	return NULL;
}

int
ui_busy(struct ui *u, const char *label, int (*fn)(void *), void *arg)
{
	static const char *const spin[] = { "|", "/", "-", "\\" };
	struct busy b = { fn, arg, 0, 0, u->evq };
	pthread_t th;
	int64_t start = session_now_ms();
	char line[256];
	int frame = 0, shown = 0;

	if (pthread_create(&th, NULL, busy_thread, &b) != 0)
		return fn(arg);		/* no thread: do it here */
	while (!__atomic_load_n(&b.done, __ATOMIC_ACQUIRE)) {
		struct pollfd pf = { .fd = evq_fd(u->evq), .events = POLLIN };
		poll(&pf, 1, 100);
		if (__atomic_load_n(&b.done, __ATOMIC_ACQUIRE))
			break;
		if (session_now_ms() - start >= UI_BUSY_DELAY_MS && !u->too_small) {
			/* only after the delay: quick work does not flicker */
			snprintf(line, sizeof(line), "%s %s 処理中…", spin[frame++ % 4], label);
			move(LINES - 2, 0);
			clrtoeol();
			attrset(ui_attr(u, C_OK));
			ui_put(LINES - 2, 1, line, COLS - 2, 0);
			attrset(A_NORMAL);
			curs_set(0);
			wnoutrefresh(stdscr);
			doupdate();
			shown = 1;
		}
	}
	pthread_join(th, NULL);
	ui_take_events(u);
	if (shown)
		ui_redraw(u);
	return b.result;
}

/* -------------------------------------------------------------- help */

/* The keys of the screen F1 was pressed on: the bar's keys of the top
 * layer, and F8/F10/F12 while logged in (issue 19: help for this screen,
 * not the whole keymap). */
struct help_view {
	unsigned keys;
	const char *note;		/* the screen's other keys, or NULL */
};

static unsigned
help_keys(struct ui *u)
{
	unsigned keys = ACTBIT(ACT_HELP);

	if (u->depth > 0)
		keys |= u->stack[u->depth - 1].keys;
	if (u->ses.state == SES_ACTIVE)
		keys |= ACTBIT(ACT_LOCK) | ACTBIT(ACT_MENU) | ACTBIT(ACT_NEXT);
	return keys;
}

static void
help_draw(struct ui *u, void *arg)
{
	const struct help_view *hv = arg;
	const unsigned *keys = &hv->keys;
	static const char generic[] = "Tab/↓ 次の項目  Shift+Tab/↑ 前の項目  Enter 決定\n"
	    "←→ 文字の移動・選択肢の切替  Space チェック  ^U 入力の消去";
	const char *note = hv->note != NULL ? hv->note : generic;
	char kn[8], line[256];
	int n = 0, w = 72, h, y, x, nl = 1;

	for (const char *p = note; *p; p++)
		nl += *p == '\n';
	for (const struct keymap_entry *k = shell_keymap; k->act != ACT_NONE; k++)
		n += (*keys & ACTBIT(k->act)) != 0;
	h = n + 7 + nl;
	if (h > LINES - 2)
		h = LINES - 2;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	ui_box(y, x, h, w);
	attrset(ui_attr(u, C_TITLE));
	ui_put(y, x + 2, "キー一覧（この画面で使えるキー）", w - 4, 0);
	attrset(A_NORMAL);
	n = 0;
	for (const struct keymap_entry *k = shell_keymap; k->act != ACT_NONE; k++) {
		if (!(*keys & ACTBIT(k->act)))
			continue;
		attrset(A_BOLD);
		ui_put(y + 2 + n, x + 2, keymap_key_name(k, kn), 4, 1);
		ui_put(y + 2 + n, x + 7, k->label, 10, 1);
		attrset(A_NORMAL);
		ui_put(y + 2 + n, x + 18, k->help, w - 20, 0);
		n++;
	}
	/* the screen's own keys (letters, Space, typing), else the usual ones */
	for (const char *p = note; *p && y + 3 + n < y + h - 3; n++) {
		size_t l = strcspn(p, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)l, p);
		ui_put(y + 3 + n, x + 2, line, w - 4, 0);
		p += l;
		if (*p == '\n')
			p++;
	}
	attrset(ui_attr(u, C_DIM));
	ui_put(y + h - 2, x + 2, "何かキーを押すと閉じます", w - 4, 0);
	attrset(A_NORMAL);
}

void
ui_help(struct ui *u)
{
	struct ui_key k;
	struct help_view hv = { help_keys(u), u->depth > 0 ? u->stack[u->depth - 1].note : NULL };

	u->help_open = 1;
	ui_push(u, help_draw, &hv, 0, NULL, ACTBIT(ACT_BACK));
	ui_getkey(u, &k);
	ui_pop(u);
	u->help_open = 0;
}
