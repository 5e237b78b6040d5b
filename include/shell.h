/*
 * shell.h — the logic of the counter shell that is not drawing (part of the
 * app module; no ncurses): the one keymap of the program, the clerk's
 * session with its lock state machine and audit rows, the background event
 * queue through which the card watcher and the sync reach the UI loop, and
 * the state the status line shows.
 *
 * src/ui draws and reads keys; everything it decides with is here, so that
 * it can be tested without a terminal and reused by the later screens.
 */
#ifndef MDG_SHELL_H
#define MDG_SHELL_H

#include <stdint.h>

#include "core.h"

struct store;

/* ---------------------------------------------------------------- keymap */

/* What a key means, everywhere (SPEC 6: the same key means the same thing
 * on every screen).  Screens that do not offer an action leave it out of
 * their function-key bar; pressing it there says so. */
enum shell_action {
	ACT_NONE = 0,
	ACT_HELP,		/* F1  キー一覧 */
	ACT_CARD,		/* F2  カード読取（本人確認） */
	ACT_SEARCH,		/* F3  検索 */
	ACT_NEW,		/* F4  新規申請 */
	ACT_SYNC,		/* F5  同期 */
	ACT_NEXT,		/* F8  次の方（来庁終了） */
	ACT_SAVE,		/* F9  確定（保存） */
	ACT_MENU,		/* F10 メニュー */
	ACT_LOCK,		/* F12 画面ロック */
	ACT_BACK,		/* Esc 戻る */
	/* an application's actions (review, ledger; issue 19: on F-keys like
	 * the rest, the letters c r e s kept as shortcuts) */
	ACT_RETURN,		/* F6  返戻 */
	ACT_CORRECT,		/* F7  訂正 */
	ACT_STATUS,		/* F11 状態変更 */
	ACT_COUNT
};

struct keymap_entry {
	int fkey;		/* 1-12; 0 = Esc */
	enum shell_action act;
	const char *label;	/* short, for the function-key bar */
	const char *help;	/* one line, for the F1 list */
};

/* The table, in key order, ended by act == ACT_NONE. */
extern const struct keymap_entry shell_keymap[];
/* The action of function key n (1-12) or Esc (0); ACT_NONE if unbound. */
enum shell_action keymap_action(int fkey);
/* The entry of an action, or NULL. */
const struct keymap_entry *keymap_entry(enum shell_action a);
/* "F4" / "Esc" for an entry. */
const char *keymap_key_name(const struct keymap_entry *k, char buf[8]);

/* ---------------------------------------------------------- the session */

enum session_state { SES_LOGGED_OUT, SES_ACTIVE, SES_LOCKED };

/* Audit actions written by the session (LOG-1). */
#define AUDIT_LOGIN		"login"
#define AUDIT_LOGIN_FAIL	"login.failure"
#define AUDIT_LOGOUT		"logout"
#define AUDIT_LOCK		"lock"
#define AUDIT_UNLOCK		"unlock"
#define AUDIT_UNLOCK_FAIL	"unlock.failure"

#define SESSION_PENDING_MAX 32
/* How a login attempt with a name that is no account is recorded: the name
 * itself never is (it may be a password typed in the wrong field, LOG-5). */
#define SESSION_UNKNOWN_ACCOUNT "(unknown)"

struct session {
	enum session_state state;
	struct store *st;		/* open while ACTIVE or LOCKED */
	char store_dir[1024];
	char user[64];			/* the clerk */
	char display[128];		/* the clerk's name */
	int lock_after_s;		/* inactivity limit ([ui] lock_after) */
	int cache_mb;			/* [store] cache_mb (0: the store's default) */
	int64_t last_activity_ms;	/* monotonic */
	/* Failed logins at the login screen cannot be written to the audit
	 * chain (the store is still locked); they are kept here and written
	 * at the next successful login, with their time (and logged now). */
	int npending;
	struct {
		char user[64];
		char at[32];
		char reason[32];
	} pending[SESSION_PENDING_MAX];
};

/* Monotonic milliseconds (CLOCK_MONOTONIC). */
int64_t session_now_ms(void);
void session_init(struct session *s, const char *store_dir, int lock_after_s);

/*
 * Log in, or unlock.  From SES_LOGGED_OUT: open the store as user.  From
 * SES_LOCKED: the same user unlocks (the password is checked by opening
 * the store again, so wrong passwords count towards the lock, AC-4); a
 * different user ends the previous session (its logout row says so) and
 * starts a new one.  Results are store_open's: ERR_NOTFOUND, ERR_AUTH,
 * ERR_LOCKED, ERR_PERM (disabled), ERR_STATE (expired), each with a
 * Japanese message for the clerk (err_ja).  Every attempt is an audit row.
 * *ended (may be NULL) is set to 1 when a previous clerk's session ended.
 */
int session_login(struct session *s, const char *user, const char *password,
    int *ended, struct err *e);
/* Lock (why: "timeout" or "key"); audit row.  Only from SES_ACTIVE. */
int session_lock(struct session *s, const char *why, struct err *e);
/* Log out: audit row, close the store, SES_LOGGED_OUT.  No-op when out. */
void session_logout(struct session *s, const char *why);
/* A key was pressed. */
void session_touch(struct session *s);
/* Milliseconds until the inactivity lock is due (0: due now), or -1 when
 * not ACTIVE. */
int64_t session_lock_due_ms(const struct session *s);
/* Must change the password now (AC-4)? */
int session_must_change_password(const struct session *s);
/* Change the clerk's own password (policy applies); audited by the store. */
int session_change_password(struct session *s, const char *old,
    const char *password, struct err *e);
/* Append an audit row as the clerk (screen may be NULL). */
int session_audit(struct session *s, const char *action, const char *person,
    const char *screen, const char *detail, struct err *e);

/* ----------------------------------------------------- background events */

/* Background threads (card watcher, sync) never touch the screen: they post
 * events here and the UI loop, which polls evq_fd(), takes them off. */
enum shell_ev_type {
	EV_CARD = 1,		/* code: enum card_state; text: reader name */
	EV_SYNC,		/* code: 1 online, 0 offline; text: synced-at time */
	EV_MESSAGE,		/* text: a message for the message line */
	EV_WAKE			/* nothing; wakes the loop (busy work finished) */
};

struct shell_ev {
	enum shell_ev_type type;
	int code;
	char text[160];
};

struct evq;
int evq_new(struct evq **out, struct err *e);
void evq_free(struct evq *q);
/* Readable while events are queued. */
int evq_fd(const struct evq *q);
/* Thread-safe, never blocks: ERR_BUSY when the queue is full (the event is
 * dropped; state events are idempotent, the next one carries it). */
int evq_post(struct evq *q, const struct shell_ev *ev);
/* Take the oldest event: 0, or ERR_NOTFOUND when empty. */
int evq_get(struct evq *q, struct shell_ev *ev);

/* ---------------------------------------------------- status line state */

struct shell_status {
	int card_state;		/* enum card_state; 0 unknown */
	char reader[160];
	int online;		/* -1 never synced, 0 offline, 1 online */
	char synced_at[160];	/* local ISO time of the last sync, or "" */
};

/* Apply an event to the status; returns 1 when it changed. */
int shell_status_apply(struct shell_status *st, const struct shell_ev *ev);
/* "データ 12分前" / "データ 3日前" / "未同期" for the data age at `now`
 * (seconds since the epoch). */
void shell_status_age(const struct shell_status *st, long now, char *out,
    size_t cap);

#endif
