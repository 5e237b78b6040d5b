/*
 * test_shell.c — the logic of the counter shell without a terminal: the
 * session state machine against a real store (login, failures kept until
 * the next login, lock, unlock, takeover, logout, each an audit row: AC-4,
 * SC-3, LOG-1), the background event queue (posted from another thread,
 * never blocking), the status line's data age (NET-5) and the keymap.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "harness.h"
#include "shell.h"
#include "store.h"

#define ADMIN_PW "Zq#4817Lmtv"
#define CLERK1_PW "Hana#7391kx"
#define CLERK2_PW "Jiro#5274qz"

static void
mkstore(void)
{
	struct store *st;
	struct account a;
	struct err e;

	REQUIRE_OK(store_create(t_path("s"), "admin", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("s"), "admin", ADMIN_PW, &st, &e), &e);
	memset(&a, 0, sizeof(a));
	a.role = ROLE_CLERK;
	snprintf(a.name, sizeof(a.name), "clerk1");
	snprintf(a.display, sizeof(a.display), "窓口 花子");
	REQUIRE_OK(store_account_add(st, &a, CLERK1_PW, &e), &e);
	snprintf(a.name, sizeof(a.name), "clerk2");
	snprintf(a.display, sizeof(a.display), "窓口 次郎");
	REQUIRE_OK(store_account_add(st, &a, CLERK2_PW, &e), &e);
	store_close(st);
}

/* The audit rows as "action who detail" lines, one string. */
static char *
audit_text(void)
{
	struct store *st;
	struct audit_row *v = NULL;
	struct err e;
	struct wbuf w;
	size_t n = 0;

	if (store_open(t_path("s"), "admin", ADMIN_PW, &st, &e) != 0)
		return NULL;
	wbuf_init(&w, 0);
	if (store_audit_list(st, 0, 0, &v, &n, &e) == 0)
		for (size_t i = 0; i < n; i++)
			wbuf_printf(&w, "%s %s %s\n", v[i].action, v[i].who, v[i].detail);
	free(v);
	store_close(st);
	wbuf_str(&w);
	return (char *)w.p;
}

TEST(session_login_failures_lock_unlock_takeover_logout)
{
	struct session s;
	struct err e;
	int ended = -1;
	char *a;

	mkstore();
	session_init(&s, t_path("s"), 300);
	CHECK_INT(s.state, SES_LOGGED_OUT);
	CHECK_INT(session_lock_due_ms(&s), -1);
	/* failures before any login: counted by the store, kept for the audit */
	CHECK_INT(session_login(&s, "clerk1", "Wrong#Pw-123", &ended, &e), ERR_AUTH);
	CHECK(strstr(err_ja(&e), "あと2回") != NULL);
	CHECK(strstr(e.msg, "Wrong") == NULL);	/* never the password */
	CHECK_INT(session_login(&s, "ghost", "Wrong#Pw-123", NULL, &e), ERR_NOTFOUND);
	CHECK_INT(session_login(&s, "", "x", NULL, &e), ERR_INVAL);
	CHECK_INT(s.npending, 2);
	CHECK_INT(s.state, SES_LOGGED_OUT);
	REQUIRE_OK(session_login(&s, "clerk1", CLERK1_PW, &ended, &e), &e);
	CHECK_INT(ended, 0);
	CHECK_INT(s.state, SES_ACTIVE);
	CHECK_STR(s.display, "窓口 花子");
	CHECK_INT(s.npending, 0);
	CHECK(session_lock_due_ms(&s) > 290000);
	CHECK_INT(session_login(&s, "clerk1", CLERK1_PW, NULL, &e), ERR_STATE);
	/* lock, a wrong password at the lock screen, the same clerk unlocks */
	REQUIRE_OK(session_lock(&s, "key", &e), &e);
	CHECK_INT(s.state, SES_LOCKED);
	CHECK_INT(session_lock(&s, "key", &e), ERR_STATE);
	CHECK_INT(session_lock_due_ms(&s), -1);
	CHECK_INT(session_login(&s, "clerk1", "Wrong#Pw-456", &ended, &e), ERR_AUTH);
	CHECK_INT(s.state, SES_LOCKED);
	REQUIRE_OK(session_login(&s, "clerk1", CLERK1_PW, &ended, &e), &e);
	CHECK_INT(ended, 0);
	CHECK_INT(s.state, SES_ACTIVE);
	/* lock again; another clerk takes over and ends the session */
	REQUIRE_OK(session_lock(&s, "timeout", &e), &e);
	CHECK_INT(session_login(&s, "clerk2", "Wrong#Pw-789", &ended, &e), ERR_AUTH);
	CHECK_STR(s.user, "clerk1");	/* a failed takeover changes nothing */
	REQUIRE_OK(session_login(&s, "clerk2", CLERK2_PW, &ended, &e), &e);
	CHECK_INT(ended, 1);
	CHECK_STR(s.user, "clerk2");
	REQUIRE_OK(session_audit(&s, "test.action", NULL, "test", "detail", &e), &e);
	session_logout(&s, "clerk");
	CHECK_INT(s.state, SES_LOGGED_OUT);
	CHECK(s.st == NULL);
	session_logout(&s, "clerk");	/* harmless twice */

	a = audit_text();
	REQUIRE(a != NULL);
	/* LOG-1: every step is a row */
	CHECK(strstr(a, "login.failure clerk1 at=") != NULL);
	/* LOG-5: a name that is no account (perhaps a password typed in the
	 * wrong field) is recorded as unknown, never as typed */
	CHECK(strstr(a, "login.failure (unknown) at=") != NULL);
	CHECK(strstr(a, "ghost") == NULL);
	CHECK(strstr(a, "reason=no-account") != NULL);
	CHECK(strstr(a, "login clerk1") != NULL);
	CHECK(strstr(a, "lock clerk1 reason=key") != NULL);
	CHECK(strstr(a, "unlock.failure clerk1 account=clerk1 reason=wrong-password") != NULL);
	CHECK(strstr(a, "unlock clerk1") != NULL);
	CHECK(strstr(a, "lock clerk1 reason=timeout") != NULL);
	CHECK(strstr(a, "login.failure clerk2 account=clerk2 reason=wrong-password") != NULL);
	CHECK(strstr(a, "logout clerk1 ended by login of clerk2") != NULL);
	CHECK(strstr(a, "login clerk2") != NULL);
	CHECK(strstr(a, "test.action clerk2 detail") != NULL);
	CHECK(strstr(a, "logout clerk2 reason=clerk") != NULL);
	CHECK(strstr(a, "Wrong#") == NULL);	/* no password anywhere */
	free(a);
}

TEST(session_inactivity_due_and_touch)
{
	struct session s;
	struct err e;

	mkstore();
	session_init(&s, t_path("s"), 5);
	REQUIRE_OK(session_login(&s, "clerk1", CLERK1_PW, NULL, &e), &e);
	s.last_activity_ms -= 6000;	/* six seconds without a key */
	CHECK_INT(session_lock_due_ms(&s), 0);
	session_touch(&s);
	CHECK(session_lock_due_ms(&s) > 4000);
	session_logout(&s, "test");
}

TEST(session_third_failure_locks_with_reason)
{
	struct session s;
	struct err e;

	mkstore();
	session_init(&s, t_path("s"), 300);
	CHECK_INT(session_login(&s, "clerk1", "Wrong#Pw-1", NULL, &e), ERR_AUTH);
	CHECK_INT(session_login(&s, "clerk1", "Wrong#Pw-2", NULL, &e), ERR_AUTH);
	CHECK(strstr(err_ja(&e), "あと1回") != NULL);
	CHECK_INT(session_login(&s, "clerk1", "Wrong#Pw-3", NULL, &e), ERR_LOCKED);
	CHECK(strstr(err_ja(&e), "ロックされています") != NULL);
	CHECK_INT(session_login(&s, "clerk1", CLERK1_PW, NULL, &e), ERR_LOCKED);
	CHECK_INT(s.state, SES_LOGGED_OUT);
}

struct poster {
	struct evq *q;
	int n;
};

static void *
post_many(void *arg)
{
	struct poster *p = arg;

	for (int i = 0; i < p->n; i++) {
		struct shell_ev ev = { EV_CARD, i % 6, "" };
		snprintf(ev.text, sizeof(ev.text), "reader %d", i);
		while (evq_post(p->q, &ev) == ERR_BUSY) {
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

TEST(evq_events_from_a_thread_in_order)
{
	struct evq *q;
	struct err e;
	struct poster p;
	pthread_t th;
	struct shell_ev ev;
	int got = 0, last = -1;

	REQUIRE_OK(evq_new(&q, &e), &e);
	CHECK_INT(evq_get(q, &ev), ERR_NOTFOUND);
	p.q = q;
	p.n = 500;
	REQUIRE(pthread_create(&th, NULL, post_many, &p) == 0);
	while (got < p.n) {
		struct pollfd pf = { .fd = evq_fd(q), .events = POLLIN };
		REQUIRE(poll(&pf, 1, 10000) == 1);	/* the fd wakes the loop */
		while (evq_get(q, &ev) == 0) {
			int idx;
			REQUIRE(sscanf(ev.text, "reader %d", &idx) == 1);
			CHECK(idx == last + 1);
			last = idx;
			got++;
		}
	}
	pthread_join(th, NULL);
	/* drained: the fd is not readable any more */
	{
		struct pollfd pf = { .fd = evq_fd(q), .events = POLLIN };
		CHECK_INT(poll(&pf, 1, 0), 0);
	}
	evq_free(q);
}

TEST(evq_full_queue_refuses_without_blocking)
{
	struct evq *q;
	struct err e;
	struct shell_ev ev = { EV_MESSAGE, 0, "x" };
	int ok = 0, busy = 0;

	REQUIRE_OK(evq_new(&q, &e), &e);
	for (int i = 0; i < 200; i++) {
		int r = evq_post(q, &ev);
		ok += r == 0;
		busy += r == ERR_BUSY;
	}
	CHECK(ok > 0 && ok < 200);
	CHECK_INT(ok + busy, 200);
	evq_free(q);
}

TEST(status_apply_and_data_age)
{
	struct shell_status st;
	struct shell_ev card = { EV_CARD, 4, "vpcd 0" };
	struct shell_ev sync = { EV_SYNC, 1, "2025-04-01T09:30:00+0900" };
	struct shell_ev msg = { EV_MESSAGE, 0, "hello" };
	char out[64];
	long t0 = 1743467400;	/* 2025-04-01T00:30:00Z = 09:30 JST */

	memset(&st, 0, sizeof(st));
	shell_status_age(&st, t0, out, sizeof(out));
	CHECK_STR(out, "未同期");
	CHECK_INT(shell_status_apply(&st, &card), 1);
	CHECK_INT(shell_status_apply(&st, &card), 0);	/* no change */
	CHECK_INT(st.card_state, 4);
	CHECK_STR(st.reader, "vpcd 0");
	CHECK_INT(shell_status_apply(&st, &msg), 0);
	CHECK_INT(shell_status_apply(&st, &sync), 1);
	CHECK_INT(st.online, 1);
	shell_status_age(&st, t0 + 30, out, sizeof(out));
	CHECK_STR(out, "データ 1分以内");
	shell_status_age(&st, t0 + 12 * 60, out, sizeof(out));
	CHECK_STR(out, "データ 12分前");
	shell_status_age(&st, t0 + 5 * 3600, out, sizeof(out));
	CHECK_STR(out, "データ 5時間前");
	shell_status_age(&st, t0 + 3 * 86400, out, sizeof(out));
	CHECK_STR(out, "データ 3日前");
}

TEST(keymap_one_meaning_per_key)
{
	char kn[8];

	CHECK_INT(keymap_action(1), ACT_HELP);
	CHECK_INT(keymap_action(2), ACT_CARD);
	CHECK_INT(keymap_action(3), ACT_SEARCH);
	CHECK_INT(keymap_action(4), ACT_NEW);
	CHECK_INT(keymap_action(5), ACT_SYNC);
	CHECK_INT(keymap_action(10), ACT_MENU);
	CHECK_INT(keymap_action(12), ACT_LOCK);
	CHECK_INT(keymap_action(0), ACT_BACK);
	CHECK_INT(keymap_action(6), ACT_RETURN);	/* issue 19: review on F-keys */
	CHECK_INT(keymap_action(7), ACT_CORRECT);
	CHECK_INT(keymap_action(11), ACT_STATUS);
	CHECK_INT(keymap_action(13), ACT_NONE);
	/* every key and every action appears once */
	for (const struct keymap_entry *a = shell_keymap; a->act != ACT_NONE; a++) {
		for (const struct keymap_entry *b = a + 1; b->act != ACT_NONE; b++) {
			CHECK(a->fkey != b->fkey);
			CHECK(a->act != b->act);
		}
		CHECK(keymap_entry(a->act) == a);
		CHECK(a->label != NULL && a->help != NULL);
	}
	CHECK_STR(keymap_key_name(keymap_entry(ACT_LOCK), kn), "F12");
	CHECK_STR(keymap_key_name(keymap_entry(ACT_BACK), kn), "Esc");
}
