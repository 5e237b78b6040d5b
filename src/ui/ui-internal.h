/*
 * ui-internal.h — what the files of src/ui share: the shell context, the
 * layer stack, key reading and the widgets.  Not a module interface (the
 * module's public interface is include/ui.h).
 *
 * Model: every screen and dialog is a loop that pushes a layer (a function
 * that draws it completely from its own state), reads keys with ui_getkey
 * and pops its layer when it returns.  ui_getkey does everything that must
 * happen whatever screen is up: background events, the clock, the
 * inactivity lock, F1 help, F12 lock and resizing, and it redraws the
 * whole stack from the layers when needed.  When another clerk takes over
 * at the lock screen, ui_getkey returns UI_K_ABORT to every loop, which
 * unwinds to the start screen discarding what was on the stack.
 */
#ifndef MDG_UI_INTERNAL_H
#define MDG_UI_INTERNAL_H

#define NCURSES_WIDECHAR 1
#include <ncurses.h>
#include <wchar.h>

#include "app.h"
#include "screen.h"
#include "shell.h"

#define UI_MIN_COLS 80
#define UI_MIN_LINES 24
#define UI_LAYERS_MAX 32
#define UI_BUSY_DELAY_MS 200

struct ui;
struct app_sync;

typedef void (*ui_draw_fn)(struct ui *u, void *arg);
/* An action handler for the keymap (F2 card, F3 search, ...). */
typedef void (*ui_action_fn)(struct ui *u);

struct ui_layer {
	ui_draw_fn draw;
	void *arg;
	int full;			/* full screen: clears the body first */
	const char *title;		/* shown on the title row (full layers) */
	unsigned keys;			/* bit per shell_action offered (bar) */
	const char *note;		/* this screen's other keys, for F1 (or NULL) */
};

enum ui_colour {
	C_NORMAL = 0, C_STATUS = 1, C_BAR = 2, C_BARKEY = 3, C_ERROR = 4,
	C_FOCUS = 5, C_TITLE = 6, C_DIM = 7, C_OK = 8
};

struct ui {
	struct app_opts *o;
	struct conf *conf;
	struct screen_set *screens;
	struct evq *evq;
	struct session ses;
	struct shell_status status;
	void *card_watch;		/* struct card_watch *, when started */
	int colour;
	int too_small;
	int locked;			/* the lock screen is up: draw nothing personal */
	int abort;			/* session ended under us: unwind */
	int help_open;
	char msg[256];
	int msg_kind;			/* 0 info, 1 error, 2 ok */
	int msg_depth;			/* the stack depth it was given at */
	int msg_seen;			/* a key was read while it was shown */
	char clock[8];
	struct ui_layer stack[UI_LAYERS_MAX];
	int depth;
	int overflow;			/* pushes refused for lack of room */
	int cur_y, cur_x, cur_on;	/* where the cursor goes after a redraw */
	ui_action_fn actions[ACT_COUNT];
	const char *login_note;
	/* The visitor at the window (include/visit.h): the identity check
	 * (F2) and the person found (F3), reused by intake (F4).  Allocated
	 * by ui_visit(); wiped on logout and when another clerk takes over. */
	struct visit *visit;
	struct app_sync *sync;		/* background sync while logged in */
	struct ui_gfx *gfx;		/* images: mode and sixel state (gfx.c) */
	int drawing_top;		/* ui_redraw is drawing the top layer */
};

/* Why the loops unwind (struct ui.abort). */
enum { ABORT_NONE = 0, ABORT_TAKEOVER = 1, ABORT_LOGOUT = 2, ABORT_QUIT = 3,
	ABORT_HOME = 4 };	/* the visit ended (F8 次の方): back to the start screen */

/* Keys as the loops see them. */
enum ui_key_type { UI_K_CHAR, UI_K_KEY, UI_K_ACTION, UI_K_ABORT };
struct ui_key {
	enum ui_key_type type;
	wint_t ch;			/* UI_K_CHAR: the character; UI_K_KEY: KEY_* */
	enum shell_action act;		/* UI_K_ACTION */
};
#define UI_KEY_IS(k, code) ((k)->type == UI_K_KEY && (k)->ch == (wint_t)(code))
#define UI_CHAR_IS(k, c) ((k)->type == UI_K_CHAR && (k)->ch == (wint_t)(c))
#define UI_ACT_IS(k, a) ((k)->type == UI_K_ACTION && (k)->act == (a))
#define ACTBIT(a) (1u << (a))

/* shell.c */
void ui_push(struct ui *u, ui_draw_fn draw, void *arg, int full, const char *title,
    unsigned keys);
void ui_pop(struct ui *u);
/* The top layer's other keys (letters, Space, typing), lines joined by
 * '\n', listed by F1 under the function keys (issue 19: F1 lists the keys
 * of the screen it is on).  note must outlive the layer. */
void ui_set_note(struct ui *u, const char *note);
void ui_redraw(struct ui *u);
void ui_getkey(struct ui *u, struct ui_key *k);
/* The same, giving up after ms milliseconds without a key: 0 then (for a
 * pause in typing: the search as the clerk types, issue 19), 1 with a key. */
int ui_getkey_wait(struct ui *u, struct ui_key *k, int ms);
void ui_message(struct ui *u, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_clear_message(struct ui *u);
/* Take queued background events (status line, messages). */
void ui_take_events(struct ui *u);
/* End the visit (F8 次の方, or after the last 受付票): wipe and free the
 * person, the agent, the identity check and the card's result, and go
 * back to the start screen.  ask: confirm first when there is anything to
 * end.  1 ended, 0 not. */
int ui_visit_close(struct ui *u, int ask);
/* Run an action through the keymap handlers (say so when not available). */
void ui_dispatch(struct ui *u, enum shell_action a);
/* Body rows: first and count (between the title row and the message line). */
int ui_body_top(void);
int ui_body_rows(void);
void ui_set_cursor(struct ui *u, int y, int x);
int ui_attr(struct ui *u, enum ui_colour c);

/* draw.c — text by display width */
/* Draw s at (y, x) in at most w columns (never half a wide character);
 * pad with spaces to w when pad.  Returns the columns drawn. */
int ui_put(int y, int x, const char *s, int w, int pad);
int ui_width(const char *s);
void ui_box(int y, int x, int h, int w);

/* gfx.c — images (the card's face) with libchafa: [ui] graphics */
struct img;
enum ui_gfx_mode { GFX_NONE, GFX_SYMBOLS, GFX_SIXEL };
/* Before initscr: the mode from the configuration and the terminal
 * (auto asks the terminal for DA1 and its cell size). */
void ui_gfx_start(struct ui *u);
/* After endwin: erase a sixel image still shown, free the state. */
void ui_gfx_end(struct ui *u);
enum ui_gfx_mode ui_gfx_mode(const struct ui *u);
const char *ui_gfx_mode_name(enum ui_gfx_mode m);
/* Draw im inside the h × w cells at (y, x), its shape kept, from the top
 * left; *oh × *ow get the cells used.  0 drawn, -1 not (mode none, locked,
 * no room): the caller shows text instead.  Called from a layer's draw
 * function; a sixel image goes to the terminal after the redraw. */
int ui_image_draw(struct ui *u, const struct img *im, int y, int x, int h, int w,
    int *oh, int *ow);
/* ui_redraw calls these around doupdate. */
void ui_gfx_before_update(struct ui *u);
void ui_gfx_after_update(struct ui *u);
/* The terminal's answers to "CSI 16 t" and DA1 (exposed for the tests):
 * 1 when the DA1 answer is complete; *sixel set when it lists 4. */
int ui_gfx_parse_reply(const char *s, size_t n, int *sixel, int *cw, int *ch);

/* face.c — the card's face images on the identity screen */
#define UI_FACE_MIN_COLS 100		/* the photo beside the record from here */
#define UI_FACE_MIN_LINES 34
#define UI_FACE_PHOTO_COLS 24		/* 24 × 16 cells: 24 × 32 half-block pixels */
#define UI_FACE_PHOTO_ROWS 16
#define UI_FACE_TEXT_ROWS 6		/* at most, for each of 氏名 and 住所 */
struct ui_face {
	struct img *photo, *name, *addr;	/* decoded (sodium memory), or NULL */
	int present;			/* the card gave any image at all */
	char why[160];			/* Japanese: why the photo did not decode */
};
/* Decode what is there (a length of 0: absent); a bad image is logged by
 * its reason only and shown as a line of text.  ui_face_free wipes. */
void ui_face_load(struct ui_face *f, const uint8_t *photo, size_t photo_len,
    const uint8_t *name, size_t name_len, const uint8_t *addr, size_t addr_len);
void ui_face_free(struct ui_face *f);
/* Columns the photo panel takes at the right (0: no panel at this size). */
int ui_face_panel_cols(const struct ui_face *f);
/* What the identity screen calls: the photo beside the record rows (from
 * rec_top, at the right), and from row below the 氏名/住所 images or the
 * line saying why the photo is not shown.  Nothing when no image came. */
void ui_face_draw(struct ui *u, const struct ui_face *f, int rec_top, int below);
/* The photo panel at the right from row y, or the fallback line at row fy. */
void ui_face_draw_photo(struct ui *u, const struct ui_face *f, int y, int fy);
/* The 氏名/住所 images in rows y .. y + h - 1; the rows used. */
int ui_face_draw_texts(struct ui *u, const struct ui_face *f, int y, int h);

/* dialog.c */
/* Yes/no question; 1 yes, 0 no or Esc, -1 aborted. */
int ui_confirm(struct ui *u, const char *title, const char *text);
/* A message to acknowledge. */
void ui_alert(struct ui *u, const char *title, const char *text);
/* Run fn(arg) on a worker thread; after UI_BUSY_DELAY_MS show a busy
 * indicator with label.  Returns fn's result.  fn must not touch curses. */
int ui_busy(struct ui *u, const char *label, int (*fn)(void *), void *arg);
/* The F1 key list. */
void ui_help(struct ui *u);

/* select.c — a scrolling list / table: rows of cells, columns by width.
 * Returns the chosen row, -1 on Esc, -2 aborted. */
struct ui_table {
	const char *title;
	int ncols;
	const char *const *heads;	/* ncols */
	const int *widths;		/* ncols, columns; the last may be 0 = rest */
	int nrows;
	const char *(*cell)(void *arg, int row, int col);
	void *arg;
	int sel, top;
};
int ui_table_run(struct ui *u, struct ui_table *t, int full);
/* max(w, display width of s): a column that must show s whole.  Receipt
 * numbers are TERMINAL-YYYYMMDD-NNNNN with a terminal ID of up to 16
 * characters, so their columns are sized from the rows (LK-1). */
int ui_fit_width(int w, const char *s);
/* Pick one of n strings in a popup; returns the index, -1 Esc, -2 aborted. */
int ui_pick(struct ui *u, const char *title, const char *const *items, int n, int sel);

/* input.c — one-line input widgets over struct lineedit */
struct ui_input {
	struct lineedit le;
	int masked;			/* password: draw '*' */
	int width;			/* box columns */
};
void ui_input_init(struct ui_input *in, int width, int max_chars,
    enum lineedit_filter f, int masked);
/* Draw the box at (y, x); set the cursor there when focused. */
void ui_input_draw(struct ui *u, struct ui_input *in, int y, int x, int focused);
/* Apply an editing key; 0 when it was none, 1 when applied, and for a
 * typed character that was not taken UI_INPUT_REFUSED (the field does not
 * accept it) or UI_INPUT_FULL (no room): the caller says so (issue 19: no
 * character is dropped silently). */
#define UI_INPUT_REFUSED 2
#define UI_INPUT_FULL 3
int ui_input_key(struct ui_input *in, const struct ui_key *k);

/* form_view.c */
/* Fill in a form; returns 1 when confirmed with F9 (and valid), 0 when
 * left with Esc, -1 aborted. */
int ui_form_run(struct ui *u, struct form *f);

/* scr-identity.c, scr-lookup.c, scr-person.c (F2, F3; include/visit.h) */
struct person;
/* The current visit of the logged-in clerk (created on first use; a visit
 * left by another clerk is ended first).  NULL only when out of memory. */
struct visit *ui_visit(struct ui *u);
/* Wipe and free the visit (logout, quit). */
void ui_visit_free(struct ui *u);
/* F2: the identity check; F3: the lookup; install both in u->actions. */
void ui_identity_run(struct ui *u);
void ui_lookup_run(struct ui *u);
void ui_idlookup_install(struct ui *u);
/* NET-5: "（古い）" / "（照会停止）" for the status line after the data age,
 * or "" (scr-lookup.c). */
const char *ui_fresh_mark(struct ui *u);
/* At exit: stop the card watcher started by F2 and free the visit. */
void ui_idlookup_end(struct ui *u);
/* The person record (detail view) for atena; ack_restricted: the clerk
 * confirmed the DV/不開示 warning (SC-5).  0 when shown. */
int ui_person_open(struct ui *u, const char *atena, int ack_restricted);
/* F2 for a person already found (from the record): the card or the
 * documents must be this person's. */
void ui_identity_for(struct ui *u, const struct person *p);
/* Administrators: who viewed this person (LOG-3). */
void ui_person_viewers(struct ui *u, const char *atena);

/* scr-intake.c, scr-review.c, scr-batch.c, scr-prompt.c (F4 intake, and
 * review, ledger, 進達, reports from the F10 menu; include/intake.h) */
/* F4: applications for the visit, then the receipt slip. */
void ui_intake_run(struct ui *u);
/* Install F4 in u->actions. */
void ui_intake_install(struct ui *u);
/* Print through [ui] print_command with an audit row (LK-3); without a
 * printer, or when printing fails, show the text on screen.  0 printed. */
int ui_print_or_show(struct ui *u, const char *title, const char *text,
    const char *person, const char *what);
/* F10 menu entries. */
void ui_review_run(struct ui *u);		/* review queue (AC-7) */
void ui_ledger_run(struct ui *u);		/* 受付簿 by status */
void ui_confirm_queue_run(struct ui *u);	/* 個人番号 changes (ID-6) */
void ui_batch_run(struct ui *u);		/* 進達 (INT-9) */
void ui_overdue_run(struct ui *u);		/* overdue report (INT-10) */
void ui_inquiry_run(struct ui *u);		/* inquiry log (INT-11) */
/* The F10 menu's work entries in order: 0 review, 1 ledger, 2 進達,
 * 3 overdue, 4 個人番号 changes, 5 inquiries. */
void ui_work_menu(struct ui *u, int which);
/* One application: details, history, and actions by letter. */
void ui_app_detail(struct ui *u, const char *uuid);
/* The loaded screen of that id (an application's type), or NULL. */
const struct screen *ui_screen_of(struct ui *u, const char *id);
/* The DV/不開示 warning (SC-5, scr-lookup.c): 1 when acknowledged or the
 * person is not protected (issue 14: F2 and F3 alike). */
int ui_restricted_ack(struct ui *u, const struct person *p);
/* A one-line question in a box; buf holds the initial text and receives
 * the answer.  1 answered, 0 Esc, -1 aborted. */
int ui_prompt(struct ui *u, const char *title, const char *label, char *buf,
    size_t cap, int max_chars);
/* A scrolling read-only text.  With keys_hint (shown under the text)
 * a printable ASCII key returns that character; Esc/Enter return 0, -1
 * aborted. */
int ui_text_view(struct ui *u, const char *title, const char *text,
    const char *keys_hint);
/* The same with F-key actions (ACTBIT set) on the key bar and in F1: one
 * of them returns UI_TV_ACT(action). */
#define UI_TV_ACT(a) (0x100 + (int)(a))
int ui_text_view_acts(struct ui *u, const char *title, const char *text,
    const char *keys_hint, unsigned acts);
/* The same text as a layer only (no keys read), for popups that act on it
 * (the reviewer's correction is drawn over the application).  Pop with
 * ui_text_backdrop_pop; NULL when out of memory (then nothing is pushed). */
void *ui_text_backdrop_push(struct ui *u, const char *title, const char *text);
void ui_text_backdrop_pop(struct ui *u, void *backdrop);

/* bgsync.c: background sync from login to logout; F5 runs a round now. */
void ui_bgsync_start(struct ui *u);
void ui_bgsync_stop(struct ui *u);

/* login.c */
/* The login screen until someone logs in (1) or quits (0). */
int ui_login(struct ui *u);
/* Change the clerk's password (forced: cannot be skipped); 1 changed. */
int ui_password_change(struct ui *u, int forced);
/* The lock screen (SC-3): returns when unlocked or taken over. */
void ui_lock(struct ui *u, const char *why);

#endif
