/*
 * sched.c — background synchronisation for the TUI.
 *
 * One thread with its own store connection (store_dup: a struct store is
 * not thread-safe).  It runs a round every interval seconds, at once when
 * triggered (F5, after an intake), and, while the central cannot be
 * reached, retries after 5 s, 10 s, 20 s ... up to the interval.  The UI
 * thread only ever takes a mutex for a few microseconds to copy the status
 * or set the trigger flag: it never waits for the network.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "sync.h"

#define BACKOFF_MIN 5

struct sync_sched {
	struct store *st;		/* the thread's own connection */
	const struct conf *cf;
	int interval;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, trigger;
	struct sync_status status;
	sync_notify_fn notify;
	void *notify_arg;
	int purged;			/* this session's start-up purge ran */
};

/* Tell the caller's callback, with a copy taken under the lock. */
static void
notify(struct sync_sched *s)
{
	struct sync_status copy;

	if (s->notify == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	copy = s->status;
	pthread_mutex_unlock(&s->mu);
	s->notify(s->notify_arg, &copy);
}

static void
deadline_in(struct timespec *ts, long secs)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += secs;
}

/*
 * Issue 13: the screens' scheduled purge, as the actor "system", after the
 * first round of the session (start-up) and after the first round of each
 * new day; [retention] of madoguchi.conf(5) gives the periods.
 */
static void
purge_daily(struct sync_sched *s)
{
	struct purge_policy p;
	struct purge_result res;
	struct date d;
	struct err e;
	char today[16], last[16] = "";

	if (s->cf == NULL)
		return;
	date_today(&d);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", d.y % 10000, d.m % 100,
	    d.d % 100);
	if (s->purged && store_setting_get(s->st, "purge.last_day", last,
	    sizeof(last), NULL) == 0 && strcmp(last, today) == 0)
		return;
	p.applications = (int)conf_int(s->cf, "retention", "applications");
	p.idchecks = (int)conf_int(s->cf, "retention", "idchecks");
	p.audit = (int)conf_int(s->cf, "retention", "audit");
	p.sync_log = (int)conf_int(s->cf, "retention", "sync_log");
	p.inquiries = (int)conf_int(s->cf, "retention", "inquiries");
	p.offline_max = (int)conf_int(s->cf, "retention", "offline_max");
	err_clear(&e);
	if (store_purge(s->st, &p, 0, "system", &res, &e) != 0) {
		log_error("scheduled purge: %s", e.msg);
		return;
	}
	s->purged = 1;
	store_setting_set(s->st, "purge.last_day", today, NULL);
	for (size_t i = 0; i < res.n; i++)
		if (res.c[i].count > 0)
			log_info("scheduled purge: %s %s %ld", res.c[i].category,
			    res.c[i].how, res.c[i].count);
}

static void *
sched_main(void *arg)
{
	struct sync_sched *s = arg;
	struct sync_config cfg;
	struct sync_report rep;
	struct timespec ts;
	struct err e;
	char cur[64], at[32];
	long delay = 0;
	int r;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		s->status.next_at = (long long)time(NULL) + delay;
		s->status.retry_in = delay;
		deadline_in(&ts, delay);
		while (!s->stop && !s->trigger && delay > 0 &&
		    pthread_cond_timedwait(&s->cv, &s->mu, &ts) == 0)
			;
		if (s->stop) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		s->trigger = 0;
		s->status.running = 1;
		s->status.retry_in = 0;
		s->status.last_try = (long long)mdg_now();
		pthread_mutex_unlock(&s->mu);
		notify(s);

		err_clear(&e);
		memset(&rep, 0, sizeof(rep));
		r = sync_config_load(s->st, s->cf, &cfg, &e);
		if (r == 0)
			r = sync_round(s->st, &cfg, &rep, &e);
		purge_daily(s);
		at[0] = '\0';
		store_sync_cursor_get(s->st, cur, sizeof(cur), at, NULL);

		pthread_mutex_lock(&s->mu);
		s->status.running = 0;
		s->status.enrolled = r != ERR_STATE;
		if (r == 0) {
			s->status.online = 1;
			s->status.failures = 0;
			s->status.last_ok = (long long)mdg_now();
			s->status.error[0] = '\0';
			delay = s->interval;
		} else {
			s->status.online = 0;
			s->status.failures++;
			snprintf(s->status.error, sizeof(s->status.error), "%s", e.msg);
			delay = BACKOFF_MIN;
			for (int i = 1; i < s->status.failures && delay < s->interval; i++)
				delay *= 2;
			if (delay > s->interval)
				delay = s->interval;
		}
		if (r == 0 || r != ERR_STATE)
			s->status.outbox_left = rep.outbox_left;
		/* Published with the result, so a reader never pairs this
		 * round's failure count with the previous wait. */
		s->status.retry_in = delay;
		s->status.next_at = (long long)time(NULL) + delay;
		snprintf(s->status.synced_at, sizeof(s->status.synced_at), "%s", at);
		pthread_mutex_unlock(&s->mu);
		notify(s);
	}
	return NULL;
}

int
sync_sched_new(struct store *st, const struct conf *cf, int interval_s,
    sync_notify_fn fn, void *arg, struct sync_sched **out, struct err *e)
{
	struct sync_sched *s;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = store_dup(st, &s->st, e)) != 0) {
		free(s);
		return r;
	}
	s->cf = cf;
	s->notify = fn;
	s->notify_arg = arg;
	s->interval = interval_s > 0 ? interval_s : 180;
	s->status.enrolled = 1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->th, NULL, sched_main, s) != 0) {
		store_close(s->st);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		free(s);
		return err_set(e, ERR_IO, "cannot start the sync thread");
	}
	*out = s;
	return 0;
}

void
sync_sched_trigger(struct sync_sched *s)
{
	pthread_mutex_lock(&s->mu);
	s->trigger = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void
sync_sched_status(struct sync_sched *s, struct sync_status *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->status;
	pthread_mutex_unlock(&s->mu);
}

void
sync_sched_free(struct sync_sched *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	store_close(s->st);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
