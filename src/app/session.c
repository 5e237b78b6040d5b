/*
 * session.c — the clerk's session: login, lock, unlock, logout, and the
 * audit row of each (LOG-1, AC-4, SC-3).
 *
 * States: LOGGED_OUT → (login) → ACTIVE ⇄ (lock / unlock) LOCKED; a
 * different clerk logging in at the lock screen ends the previous session
 * (its logout row names who took over) and starts a new one; logout returns
 * to LOGGED_OUT.  The store connection stays open while locked, so that
 * unlock attempts can be audited at once; what is on the screen is the
 * UI's business (it draws nothing personal while locked).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "shell.h"
#include "store.h"

int64_t
session_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
session_init(struct session *s, const char *store_dir, int lock_after_s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->store_dir, sizeof(s->store_dir), "%s", store_dir != NULL ? store_dir : "");
	s->lock_after_s = lock_after_s > 0 ? lock_after_s : 300;
	s->state = SES_LOGGED_OUT;
}

static void
now_iso(char out[32])
{
	time_t t = (time_t)mdg_now();
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

/* Consecutive failures left before the lock, from the key-slot file; -1
 * when unknown. */
static int
tries_left(const struct session *s, const char *user)
{
	struct store_keyslots *ks;
	struct store_slot_state st;
	char path[1100];
	int left = -1;

	snprintf(path, sizeof(path), "%s/%s", s->store_dir, STORE_KEYS_FILE);
	if (store_keyslots_load(path, &ks, NULL) != 0)
		return -1;
	if (store_keyslots_state(ks, user, &st) == 0 && !st.locked)
		left = STORE_LOGIN_ATTEMPTS - st.failures;
	store_keyslots_free(ks);
	return left;
}

/* The clerk-facing message for a failed store_open. */
static int
login_error(const struct session *s, const char *user, int r, struct err *e)
{
	char ja[ERR_MSG_MAX], en[ERR_MSG_MAX];
	int left;

	snprintf(en, sizeof(en), "%s", e != NULL ? e->msg : "");
	switch (r) {
	case ERR_NOTFOUND:
		return err_set_ja(e, r, "アカウント名またはパスワードが違います",
		    "login: no account \"%.60s\"", user);
	case ERR_AUTH:
		left = tries_left(s, user);
		if (left > 0)
			snprintf(ja, sizeof(ja), "アカウント名またはパスワードが違います"
			    "（あと%d回間違えるとロックされます）", left);
		else
			snprintf(ja, sizeof(ja), "アカウント名またはパスワードが違います");
		return err_set_ja(e, r, ja, "login: wrong password for \"%.60s\"", user);
	case ERR_LOCKED:
		return err_set_ja(e, r, "このアカウントはロックされています。"
		    "管理者に解除を依頼してください", "login: account \"%.60s\" is locked", user);
	case ERR_PERM:
		return err_set_ja(e, r, "このアカウントは無効にされています。管理者に確認してください",
		    "login: account \"%.60s\" is disabled", user);
	case ERR_STATE:
		return err_set_ja(e, r, "このアカウントは有効期限が切れています。"
		    "管理者に更新を依頼してください", "login: account \"%.60s\" has expired", user);
	case ERR_CORRUPT:
		return err_set_ja(e, r, "ストアが破損しているか改ざんされています。管理者に連絡してください",
		    "login: %s", en);
	default:
		return err_set_ja(e, r, "ログインできませんでした（ストアを開けません）",
		    "login: %s", en);
	}
}

static const char *
reason_word(int r)
{
	switch (r) {
	case ERR_NOTFOUND: return "no-account";
	case ERR_AUTH: return "wrong-password";
	case ERR_LOCKED: return "locked";
	case ERR_PERM: return "disabled";
	case ERR_STATE: return "expired";
	default: return "error";
	}
}

static void
audit(struct session *s, const char *who, const char *action, const char *detail)
{
	struct err e;

	if (s->st == NULL)
		return;
	if (store_audit_append(s->st, who, NULL, action, NULL, "login", detail, &e) != 0)
		log_error("audit %s for %s: %s", action, who != NULL ? who : s->user, e.msg);
}

static void
flush_pending(struct session *s)
{
	char detail[128];

	for (int i = 0; i < s->npending; i++) {
		snprintf(detail, sizeof(detail), "at=%s reason=%s", s->pending[i].at,
		    s->pending[i].reason);
		audit(s, s->pending[i].user, AUDIT_LOGIN_FAIL, detail);
	}
	s->npending = 0;
}

static void
remember_failure(struct session *s, const char *user, int r)
{
	int i;

	if (s->npending == SESSION_PENDING_MAX) {
		/* keep the newest: drop the oldest */
		memmove(&s->pending[0], &s->pending[1], sizeof(s->pending[0]) * (SESSION_PENDING_MAX - 1));
		s->npending--;
	}
	i = s->npending++;
	snprintf(s->pending[i].user, sizeof(s->pending[i].user), "%s", user);
	now_iso(s->pending[i].at);
	snprintf(s->pending[i].reason, sizeof(s->pending[i].reason), "%s", reason_word(r));
}

static void
take_account(struct session *s, struct store *st)
{
	const struct account *a = store_user(st);

	s->st = st;
	app_refdata_attach(st);		/* the forms' reference data (issue 19) */
	snprintf(s->user, sizeof(s->user), "%s", a->name);
	snprintf(s->display, sizeof(s->display), "%s", a->display[0] ? a->display : a->name);
	s->state = SES_ACTIVE;
	s->last_activity_ms = session_now_ms();
}

int
session_login(struct session *s, const char *user, const char *password, int *ended,
    struct err *e)
{
	struct store *st = NULL;
	char detail[160];
	int r;

	if (ended != NULL)
		*ended = 0;
	if (user == NULL || user[0] == '\0')
		return err_set_ja(e, ERR_INVAL, "アカウント名を入力してください", "login: no account name");
	if (s->state == SES_ACTIVE)
		return err_set(e, ERR_STATE, "login: a session is active");
	r = store_open(s->store_dir, user, password, &st, e);
	if (r != 0) {
		/* A name that is no account is not written anywhere: clerks
		 * type passwords into the account field by mistake, and the
		 * log and audit trail must never hold one (LOG-5).  Its length
		 * is enough to see probing. */
		char who[64];
		if (r == ERR_NOTFOUND)
			snprintf(who, sizeof(who), "%s", SESSION_UNKNOWN_ACCOUNT);
		else
			snprintf(who, sizeof(who), "%.60s", user);
		login_error(s, who, r, e);
		log_warn("login failed for account \"%s\": %s%s", who, reason_word(r),
		    r == ERR_NOTFOUND ? " (name not recorded)" : "");
		if (s->state == SES_LOCKED) {
			snprintf(detail, sizeof(detail), "account=%s reason=%s", who, reason_word(r));
			audit(s, r == ERR_NOTFOUND ? NULL : user,
			    strcmp(user, s->user) == 0 ? AUDIT_UNLOCK_FAIL : AUDIT_LOGIN_FAIL, detail);
		} else
			remember_failure(s, who, r);
		mem_wipe(who, sizeof(who));
		return r;
	}
	/* Issue 13: a clock set back before the latest time this terminal
	 * has seen refuses every login until an administrator confirms the
	 * time (madoguchi clock confirm). */
	if ((r = store_clock_check(st, NULL, e)) != 0 ||
	    (r = store_clock_mark(st, e)) != 0) {
		log_warn("login of \"%.60s\" refused: %s", user, e != NULL ? e->msg : "");
		store_close(st);
		return r;
	}
	if (s->state == SES_LOCKED && strcmp(user, s->user) == 0) {
		/* the same clerk: keep the connection the session already has */
		store_close(st);
		s->state = SES_ACTIVE;
		s->last_activity_ms = session_now_ms();
		audit(s, NULL, AUDIT_UNLOCK, NULL);
		log_info("session of \"%s\" unlocked", s->user);
		return 0;
	}
	if (s->state == SES_LOCKED) {
		snprintf(detail, sizeof(detail), "ended by login of %s", user);
		audit(s, NULL, AUDIT_LOGOUT, detail);
		log_info("session of \"%s\" ended by login of \"%s\"", s->user, user);
		app_refdata_attach(NULL);
		store_close(s->st);
		s->st = NULL;
		if (ended != NULL)
			*ended = 1;
	}
	if (s->cache_mb > 0) {
		struct err ce;

		if (store_cache_set(st, s->cache_mb, &ce) != 0)
			log_warn("page cache: %s", ce.msg);
	}
	take_account(s, st);
	audit(s, NULL, AUDIT_LOGIN, NULL);
	flush_pending(s);
	log_info("\"%s\" logged in", s->user);
	return 0;
}

int
session_lock(struct session *s, const char *why, struct err *e)
{
	char detail[64];

	if (s->state != SES_ACTIVE)
		return err_set(e, ERR_STATE, "lock: no active session");
	s->state = SES_LOCKED;
	snprintf(detail, sizeof(detail), "reason=%s", why != NULL ? why : "key");
	audit(s, NULL, AUDIT_LOCK, detail);
	log_info("session of \"%s\" locked (%s)", s->user, why != NULL ? why : "key");
	return 0;
}

void
session_logout(struct session *s, const char *why)
{
	char detail[64];

	if (s->state == SES_LOGGED_OUT)
		return;
	snprintf(detail, sizeof(detail), "reason=%s", why != NULL ? why : "clerk");
	audit(s, NULL, AUDIT_LOGOUT, detail);
	log_info("\"%s\" logged out (%s)", s->user, why != NULL ? why : "clerk");
	app_refdata_attach(NULL);
	store_close(s->st);
	s->st = NULL;
	s->user[0] = s->display[0] = '\0';
	s->state = SES_LOGGED_OUT;
}

void
session_touch(struct session *s)
{
	s->last_activity_ms = session_now_ms();
}

int64_t
session_lock_due_ms(const struct session *s)
{
	int64_t due;

	if (s->state != SES_ACTIVE)
		return -1;
	due = s->last_activity_ms + (int64_t)s->lock_after_s * 1000 - session_now_ms();
	return due > 0 ? due : 0;
}

int
session_must_change_password(const struct session *s)
{
	/* AC-4: an administrator's reset, or a password older than [store]
	 * password_max_age (issue 14) */
	return s->st != NULL && (store_user(s->st)->must_change_password ||
	    store_password_expired(s->st));
}

int
session_change_password(struct session *s, const char *old, const char *password,
    struct err *e)
{
	int r;

	if (s->st == NULL)
		return err_set(e, ERR_STATE, "no session");
	if ((r = store_password_check(password, s->user, e)) != 0) {
		char ja[ERR_MSG_MAX], en[ERR_MSG_MAX];
		/* copies: err_set_ja writes the buffers it would read from */
		snprintf(en, sizeof(en), "%s", e != NULL ? e->msg : "");
		if (e != NULL && e->ja[0] != '\0')
			snprintf(ja, sizeof(ja), "%s", e->ja);
		else
			snprintf(ja, sizeof(ja), "新しいパスワードが規則に合いません"
			    "（10文字以上、英大文字・英小文字・数字・記号のうち3種類以上）");
		return err_set_ja(e, r, ja, "password policy: %.180s", en);
	}
	if ((r = store_account_set_password(s->st, s->user, old, password, e)) != 0)
		return r;
	return 0;
}

int
session_audit(struct session *s, const char *action, const char *person,
    const char *screen, const char *detail, struct err *e)
{
	if (s->st == NULL)
		return err_set(e, ERR_STATE, "no session");
	return store_audit_append(s->st, NULL, NULL, action, person, screen, detail, e);
}
