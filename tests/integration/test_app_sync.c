/*
 * test_app_sync.c — the workstation's background sync posts its results to
 * the UI event queue (NET-5): an unenrolled terminal reports offline; a
 * trigger runs a round at once; stopping joins the thread.
 */
#include <poll.h>
#include <string.h>

#include "harness.h"
#include "app.h"
#include "shell.h"
#include "store.h"
#include "sync.h"

static int
next_sync_event(struct evq *q, struct shell_ev *ev, int timeout_ms)
{
	int64_t end = t_now_ms() + timeout_ms;

	while (t_now_ms() < end) {
		struct pollfd p = { evq_fd(q), POLLIN, 0 };

		poll(&p, 1, 100);
		while (evq_get(q, ev) == 0)
			if (ev->type == EV_SYNC)
				return 1;
	}
	return 0;
}

TEST(app_sync_posts_offline_and_runs_on_trigger)
{
	struct store *st;
	struct evq *q;
	struct app_sync *a;
	struct shell_ev ev;
	struct sync_status ss;
	struct err e;

	REQUIRE_OK(store_create(t_path("t"), "admin", "Kx9#mPq2vL", &e), &e);
	REQUIRE_OK(store_open(t_path("t"), "admin", "Kx9#mPq2vL", &st, &e), &e);
	REQUIRE_OK(evq_new(&q, &e), &e);
	REQUIRE_OK(app_sync_start(st, NULL, q, &a, &e), &e);
	/* The first round runs at once: not enrolled, so offline. */
	REQUIRE(next_sync_event(q, &ev, 20000));
	CHECK_INT(ev.code, 0);
	app_sync_status(a, &ss);
	CHECK_INT(ss.enrolled, 0);
	CHECK_INT(ss.failures, 1);
	/* F5: another round now, not after the back-off. */
	app_sync_now(a);
	REQUIRE(next_sync_event(q, &ev, 20000));
	app_sync_status(a, &ss);
	CHECK_INT(ss.failures, 2);
	app_sync_stop(a);
	app_sync_stop(NULL);
	evq_free(q);
	store_close(st);
}
