/*
 * bench_sync.c — synchronisation throughput, measured in one process with
 * the central's server running in a thread on 127.0.0.1 (issue 8):
 *
 *   bench_sync WORKDIR
 *
 *   central import of N residents (records/s)
 *   initial pull of N residents by a terminal (records/s, CPU per record)
 *   push of A applications (applications/s)
 *   empty round trip (full round with nothing to move; PING over a channel)
 *   the same while 600 idle sockets are held (issue 15: denial of service)
 *   T terminals syncing at once (rounds/s, slowest round)
 *
 * N = $BENCH_N (default 100000), A = $BENCH_APPS (10000), T =
 * $BENCH_TERMS (100).  Not a test: nothing passes or fails on a number.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "central.h"
#include "store.h"
#include "sync.h"

#define PW "Kx9#mPq2vL"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long
env_long(const char *name, long def)
{
	const char *s = getenv(name);

	return s != NULL && atol(s) > 0 ? atol(s) : def;
}

static void
die(const char *what, const struct err *e)
{
	fprintf(stderr, "bench_sync: %s: %s\n", what, e != NULL ? e->msg : "");
	exit(1);
}

static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &al);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

struct server {
	struct central *c;
	char addr[64];
	volatile int stop;
	pthread_t th;
};

static void *
server_main(void *arg)
{
	struct server *s = arg;
	struct err e;

	if (central_serve(s->c, s->addr, 2000, &s->stop, &e) != 0)
		die("serve", &e);
	return NULL;
}

static void
csv_field(struct wbuf *w, const char *s, int last)
{
	wbuf_put_u8(w, '"');
	for (; *s; s++) {
		if (*s == '"')
			wbuf_put_u8(w, '"');
		wbuf_put_u8(w, (uint8_t)*s);
	}
	wbuf_put_u8(w, '"');
	wbuf_put_u8(w, last ? '\n' : ',');
}

/* N synthetic residents as the central's persons CSV, all in ward 01 so
 * that one terminal's scope holds them all. */
static void
make_csv(const char *path, long n)
{
	struct synth *sy = synth_new(20250401);
	struct synth_resident r;
	struct wbuf w;
	FILE *f = fopen(path, "w");
	char num[32];
	long i;

	wbuf_init(&w, (size_t)1 << 30);
	fprintf(f, "atena,name,kana,alias,alias_kana,alpha,birth,sex,postal,address,"
	    "household,relation,head,ward,dv,nondisclose,mynumber\n");
	for (i = 0; i < n; i++) {
		synth_next(sy, &r);
		w.len = 0;
		snprintf(num, sizeof(num), "%09ld", i + 1);
		csv_field(&w, num, 0);
		csv_field(&w, r.p.name, 0);
		csv_field(&w, r.p.kana, 0);
		csv_field(&w, r.p.alias, 0);
		csv_field(&w, r.p.alias_kana, 0);
		csv_field(&w, r.p.alpha, 0);
		snprintf(num, sizeof(num), "%d", r.p.birth);
		csv_field(&w, num, 0);
		snprintf(num, sizeof(num), "%d", r.p.sex);
		csv_field(&w, num, 0);
		csv_field(&w, r.p.postal, 0);
		csv_field(&w, r.p.address, 0);
		csv_field(&w, r.p.household, 0);
		csv_field(&w, r.p.relation, 0);
		csv_field(&w, r.p.head, 0);
		csv_field(&w, "01", 0);
		csv_field(&w, r.p.dv ? "1" : "0", 0);
		csv_field(&w, r.p.nondisclose ? "1" : "0", 0);
		csv_field(&w, r.mynumber, 1);
		fwrite(w.p, 1, w.len, f);
	}
	fclose(f);
	wbuf_free(&w);
	synth_free(sy);
}

struct fill {
	long n;
	const char *tid;
};

static int
fill_outbox(struct store *st, void *arg)
{
	struct fill *f = arg;
	char uuid[37], body[768];
	struct err e;
	long i;

	for (i = 0; i < f->n; i++) {
		uuid_v4(uuid);
		snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"receipt_no\":\"%s-20250401-%05ld\","
		    "\"procedure\":\"maru-fuku\",\"type\":\"new\",\"atena\":\"%09ld\","
		    "\"form\":{\"reason\":\"転入\",\"income\":1200000,\"household\":3},"
		    "\"entered_by\":\"sato-ichiro\",\"status\":\"received\","
		    "\"received_at\":\"2025-04-01T09:00:00+0900\"}", uuid, f->tid, i, i + 1);
		if (store_outbox_add(st, uuid, "application", body, strlen(body), NULL, &e) != 0)
			return -1;
	}
	return 0;
}

struct term {
	struct server *s;
	const uint8_t *ckey;
	char token[40];
	char id[17];
	double secs;
	int ok;
};

/* One concurrent terminal: enrol, then one round: push 10, pull (empty). */
static void *
term_main(void *arg)
{
	struct term *t = arg;
	uint8_t priv[32], pub[32];
	struct sync_chan *ch;
	struct msg m, rep;
	struct wbuf b;
	struct err e;
	char uuid[37], body[512];
	double t0;
	int i;

	noise_keypair(priv, pub);
	wbuf_init(&b, 0);
	t0 = now_s();
	msg_init(&m, MSG_HELLO, msg_new_id());
	msg_set_text(&m.client, "bench");
	msg_set_text(&m.token, t->token);
	msg_encode(&m, &b, &e);
	msg_clear(&m);
	if (sync_chan_connect(t->s->addr, priv, t->ckey, b.p, b.len, NULL, 60000, &ch, &e) != 0) {
		wbuf_free(&b);
		return NULL;
	}
	msg_init(&m, MSG_PUSH, msg_new_id());
	for (i = 0; i < 10; i++) {
		uuid_v4(uuid);
		/* an item the central accepts from this terminal (issue 15 B) */
		snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"receipt_no\":\"%s-20250401-%05d\","
		    "\"procedure\":\"maru-fuku\",\"atena\":\"000000001\",\"entered_by\":\"sato-ichiro\","
		    "\"status\":\"received\",\"received_at\":\"2025-04-01T09:00:00+0900\"}",
		    uuid, t->id, i + 1);
		msg_add_item(&m, uuid, ITEM_APPLICATION, body, strlen(body));
	}
	b.len = 0;
	if (msg_encode(&m, &b, &e) == 0 && sync_chan_send(ch, b.p, b.len, &e) == 0 &&
	    sync_chan_recv(ch, &b, &e) == 0 && msg_decode(b.p, b.len, &rep, &e) == 0) {
		msg_clear(&rep);
		msg_clear(&m);
		msg_init(&m, MSG_PULL, msg_new_id());
		m.cursor = UINT64_MAX / 2;
		m.limit = 1000;
		b.len = 0;
		if (msg_encode(&m, &b, &e) == 0 && sync_chan_send(ch, b.p, b.len, &e) == 0 &&
		    sync_chan_recv(ch, &b, &e) == 0 && msg_decode(b.p, b.len, &rep, &e) == 0) {
			t->ok = rep.type == MSG_CHANGES;
			msg_clear(&rep);
		}
	}
	msg_clear(&m);
	sync_chan_free(ch);
	t->secs = now_s() - t0;
	wbuf_free(&b);
	return NULL;
}

int
main(int argc, char **argv)
{
	long n = env_long("BENCH_N", 100000), apps = env_long("BENCH_APPS", 10000);
	long nterms = env_long("BENCH_TERMS", 100), i;
	char cdir[1024], tdir[1024], csv[1024], token[33], tid[17];
	struct import_report ir;
	struct server srv;
	struct store *st;
	struct sync_config cfg;
	struct sync_report rep;
	struct fill fill;
	struct term *terms;
	pthread_t *th;
	struct err e;
	double t0, c0, dt, dc, slow = 0;
	int ok = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_sync WORKDIR\n");
		return 2;
	}
	{
		struct rlimit rl;	/* both ends of every connection live here */

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	log_open("bench_sync", "/dev/null", LOG_ERR);
	snprintf(cdir, sizeof(cdir), "%s/central", argv[1]);
	snprintf(tdir, sizeof(tdir), "%s/terminal", argv[1]);
	snprintf(csv, sizeof(csv), "%s/persons.csv", argv[1]);
	printf("residents %ld, applications %ld, concurrent terminals %ld\n", n, apps, nterms);
	make_csv(csv, n);
	if (central_init(cdir, &e) != 0 || central_open(cdir, &srv.c, &e) != 0)
		die("central", &e);
	t0 = now_s();
	c0 = cpu_s();
	if (central_import_persons(srv.c, csv, NULL, &ir, &e) != 0)
		die("import", &e);
	dt = now_s() - t0;
	dc = cpu_s() - c0;
	printf("%-44s %10.0f records/s  (%.1f s, %.1f us CPU/record, %ld rejected)\n",
	    "central import of residents (CSV)", n / dt, dt, dc * 1e6 / n, ir.rejected);
	printf("RESULT sync import_records_s %.1f\nRESULT sync import_cpu_us %.2f\n",
	    n / dt, dc * 1e6 / n);
	unlink(csv);
	{
		/* entered_by of the pushed applications: an account of the
		 * central with the right (issue 15 B) */
		static const char acc[] = "name,display,role,perms,request\n"
		    "sato-ichiro,窓口 一郎,clerk,maru-fuku:write,REQ-1\n";
		struct import_report ar;

		if (central_import_text(srv.c, IMPORT_ACCOUNTS, "accounts", acc,
		    sizeof(acc) - 1, NULL, &ar, &e) != 0 || ar.accepted != 1)
			die("accounts", &e);
	}
	if (central_terminal_enrol(srv.c, "B001", "01", "", token, &e) != 0)
		die("enrol", &e);
	terms = calloc((size_t)nterms, sizeof(*terms));
	th = calloc((size_t)nterms, sizeof(*th));
	for (i = 0; i < nterms; i++) {
		char id[17];

		snprintf(id, sizeof(id), "C%04ld", i);
		snprintf(terms[i].id, sizeof(terms[i].id), "%s", id);
		terms[i].s = &srv;
		terms[i].ckey = srv.c->noise_pub;
		if (central_terminal_enrol(srv.c, id, "01", "", terms[i].token, &e) != 0)
			die("enrol", &e);
	}
	snprintf(srv.addr, sizeof(srv.addr), "127.0.0.1:%d", free_port());
	srv.stop = 0;
	pthread_create(&srv.th, NULL, server_main, &srv);
	usleep(300000);

	if (store_create(tdir, "kanri-taro", PW, &e) != 0 || store_open(tdir, "kanri-taro", PW, &st, &e) != 0)
		die("terminal store", &e);
	if (sync_enroll(st, srv.addr, srv.c->noise_pub, token, tid, &e) != 0)
		die("enroll", &e);
	if (sync_config_load(st, NULL, &cfg, &e) != 0)
		die("config", &e);
	cfg.page = 2000;
	cfg.timeout_ms = 600000;

	/* Initial pull: every resident and 個人番号 of the ward. */
	t0 = now_s();
	c0 = cpu_s();
	if (sync_round(st, &cfg, &rep, &e) != 0)
		die("initial pull", &e);
	dt = now_s() - t0;
	dc = cpu_s() - c0;
	printf("%-44s %10.0f residents/s (%ld changes = person + 個人番号 in %.1f s,"
	    " %.0f changes/s, %.1f us CPU/change, both sides)\n",
	    "initial pull by one terminal", n / dt, rep.pulled, dt, rep.pulled / dt,
	    dc * 1e6 / rep.pulled);
	printf("RESULT sync pull_residents_s %.1f\nRESULT sync pull_cpu_us_change %.2f\n",
	    n / dt, dc * 1e6 / rep.pulled);

	/* Push. */
	fill.n = apps;
	fill.tid = tid;
	if (store_tx(st, fill_outbox, &fill, &e) != 0)
		die("outbox", &e);
	t0 = now_s();
	c0 = cpu_s();
	if (sync_round(st, &cfg, &rep, &e) != 0)
		die("push", &e);
	dt = now_s() - t0;
	dc = cpu_s() - c0;
	printf("%-44s %10.0f apps/s     (%ld in %.1f s, %.1f us CPU/app, batches of %zu)\n",
	    "push of applications", rep.pushed / dt, rep.pushed, dt, dc * 1e6 / rep.pushed, cfg.batch);
	printf("RESULT sync push_apps_s %.1f\n", rep.pushed / dt);

	/* Empty rounds. */
	t0 = now_s();
	for (i = 0; i < 50; i++)
		if (sync_round(st, &cfg, &rep, &e) != 0)
			die("empty round", &e);
	dt = now_s() - t0;
	printf("%-44s %10.2f ms/round (connect, handshake, push check, pull, log)\n",
	    "empty sync round", dt * 1000 / 50);
	printf("RESULT sync empty_round_ms %.3f\n", dt * 1000 / 50);
	{
		/* Issue 15 B: the same rounds while an attacker holds 600 idle
		 * sockets that never start the handshake (over the default
		 * limits of 256 in all and 64 per address, from the terminal's
		 * own address); the oldest make room, the rest are dropped at
		 * the 5 s deadline. */
		struct rlimit rl;
		int idle[600], k, okr = 0, port = atoi(strrchr(srv.addr, ':') + 1);
		double base = dt / 50;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		for (k = 0; k < 600; k++) {
			struct sockaddr_in sa;

			idle[k] = socket(AF_INET, SOCK_STREAM, 0);
			memset(&sa, 0, sizeof(sa));
			sa.sin_family = AF_INET;
			sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			sa.sin_port = htons((uint16_t)port);
			if (idle[k] >= 0 && connect(idle[k], (struct sockaddr *)&sa,
			    sizeof(sa)) != 0) {
				close(idle[k]);
				idle[k] = -1;
			}
		}
		t0 = now_s();
		for (i = 0; i < 50; i++)
			okr += sync_round(st, &cfg, &rep, &e) == 0;
		dt = now_s() - t0;
		printf("%-44s %10.2f ms/round (%d/50 ok; %.1fx the round without them)\n",
		    "empty sync round, 600 idle sockets held", dt * 1000 / 50, okr,
		    dt / 50 / base);
		printf("RESULT sync held_round_ms %.3f\nRESULT sync held_round_ok %d\n",
		    dt * 1000 / 50, okr);
		for (k = 0; k < 600; k++)
			if (idle[k] >= 0)
				close(idle[k]);
	}
	store_close(st);

	/* Concurrent terminals. */
	t0 = now_s();
	for (i = 0; i < nterms; i++)
		pthread_create(&th[i], NULL, term_main, &terms[i]);
	for (i = 0; i < nterms; i++) {
		pthread_join(th[i], NULL);
		ok += terms[i].ok;
		if (terms[i].secs > slow)
			slow = terms[i].secs;
	}
	dt = now_s() - t0;
	printf("%-44s %10.1f rounds/s  (%d/%ld ok in %.2f s, slowest %.0f ms; 10 apps + pull each)\n",
	    "terminals syncing at once", ok / dt, ok, nterms, dt, slow * 1000);
	printf("RESULT sync terminals_rounds_s %.2f\nRESULT sync terminals_slowest_ms %.1f\n",
	    ok / dt, slow * 1000);
	srv.stop = 1;
	pthread_join(srv.th, NULL);
	central_close(srv.c);
	free(terms);
	free(th);
	log_close();
	return 0;
}
