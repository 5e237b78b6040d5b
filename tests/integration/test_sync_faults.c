/*
 * test_sync_faults.c — exactly-once delivery through a hostile network
 * (NET-2, NET-7, LOG-2): a proxy between the terminal and a real
 * madoguchi-central cuts every connection at a random byte offset and
 * delays packets.  After at least 200 cut rounds carrying 1,000
 * applications, the central holds each exactly once, the terminal's outbox
 * is empty and every pulled resident arrived (no half-applied page).
 * Also: garbage, bad frames and oversized lengths sent to the central never
 * stop it from serving.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "harness.h"
#include "central.h"
#include "store.h"
#include "sync.h"

#define PW "Kx9#mPq2vL"
#define NAPPS 1000
#define NPERSONS 300

struct env {
	char cdir[512], tdir[512], key[65], addr[64], token[40];
	int port;
	pid_t pid;
};

static int
port_up(void *arg)
{
	int port = *(int *)arg;
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static int
raw_connect(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Central with NPERSONS residents in ward 01, terminal T001 enrolled. */
static void
setup(struct env *v, struct store **st)
{
	char *bin = strdup(t_bin("madoguchi-central"));
	struct t_proc p;
	struct wbuf csv;
	struct err e;
	uint8_t key[32];
	char tid[17];
	const char *k;
	int i;

	memset(v, 0, sizeof(*v));
	snprintf(v->cdir, sizeof(v->cdir), "%s", t_path("central"));
	snprintf(v->tdir, sizeof(v->tdir), "%s", t_path("terminal"));
	v->port = t_free_port();
	snprintf(v->addr, sizeof(v->addr), "127.0.0.1:%d", v->port);
	{
		char *a[] = { bin, "--store", v->cdir, "init", NULL };

		REQUIRE(t_run(a, NULL, NULL, 0, 30000, &p) == 0 && p.status == 0);
		k = strstr(p.out, "central public key: ");
		REQUIRE(k != NULL);
		snprintf(v->key, sizeof(v->key), "%.64s", k + 20);
		t_proc_free(&p);
	}
	wbuf_init(&csv, 0);
	wbuf_printf(&csv, "atena,name,kana,birth,sex,address,ward\n");
	for (i = 1; i <= NPERSONS; i++)
		wbuf_printf(&csv, "%09d,試験 %d,シケン,1970-01-01,1,窓口市北区%d-1,01\n", i, i, i);
	REQUIRE(t_write_file(t_path("p.csv"), csv.p, csv.len) == 0);
	wbuf_free(&csv);
	{
		char *a[] = { bin, "--store", v->cdir, "import", "persons",
		    (char *)t_path("p.csv"), NULL };

		REQUIRE(t_run(a, NULL, NULL, 0, 60000, &p) == 0 && p.status == 0);
		t_proc_free(&p);
	}
	{
		/* entered_by of the pushed applications (issue 15 B) */
		static const char acc[] = "name,display,role,perms,request\n"
		    "kanri-taro,管理 太郎,admin,maru-fuku:write,REQ-1\n";
		char *a[] = { bin, "--store", v->cdir, "import", "accounts",
		    (char *)t_path("a.csv"), NULL };

		REQUIRE(t_write_file(t_path("a.csv"), acc, strlen(acc)) == 0);
		REQUIRE(t_run(a, NULL, NULL, 0, 60000, &p) == 0 && p.status == 0);
		t_proc_free(&p);
	}
	{
		char *a[] = { bin, "--store", v->cdir, "terminal", "enrol", "T001",
		    "--wards", "01", NULL };

		REQUIRE(t_run(a, NULL, NULL, 0, 30000, &p) == 0 && p.status == 0);
		REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", v->token) == 1);
		t_proc_free(&p);
	}
	{
		char *a[] = { bin, "--store", v->cdir, "serve", "--listen", v->addr, NULL };

		v->pid = t_start(a, NULL, t_path("central.log"));
		REQUIRE(v->pid > 0);
		REQUIRE(t_wait_for(port_up, &v->port, 20000));
	}
	free(bin);
	REQUIRE_OK(store_create(v->tdir, "kanri-taro", PW, &e), &e);
	REQUIRE_OK(store_open(v->tdir, "kanri-taro", PW, st, &e), &e);
	REQUIRE(hex_decode(v->key, 64, key, 32) == 32);
	REQUIRE_OK(sync_enroll(*st, v->addr, key, v->token, tid, &e), &e);
}

struct fill {
	int n;
};

static int
fill_outbox(struct store *st, void *arg)
{
	struct fill *f = arg;
	char uuid[37], body[512];
	struct err e;
	int i, r;

	for (i = 0; i < f->n; i++) {
		uuid_v4(uuid);
		snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"receipt_no\":\"T001-20250401-%05d\","
		    "\"procedure\":\"maru-fuku\",\"atena\":\"%09d\",\"form\":{\"n\":%d},"
		    "\"entered_by\":\"kanri-taro\",\"status\":\"received\","
		    "\"received_at\":\"2025-04-01T09:00:00+0900\"}", uuid, i, i % NPERSONS + 1, i);
		if ((r = store_outbox_add(st, uuid, "application", body, strlen(body), NULL, &e)) != 0)
			return r;
	}
	return 0;
}

TEST(faults_cut_connections_exactly_once)
{
	struct env v;
	struct store *st;
	struct sync_config cfg;
	struct sync_report rep;
	struct fill f = { NAPPS };
	struct central *c;
	sqlite3_stmt *q;
	struct err e;
	char proxy[64], pport[16], cport[16];
	int64_t left = -1;
	int ppt, rounds = 0, cuts = 0, stored = 0, distinct = 0, persons = 0;
	long dups = 0;
	pid_t ppid;

	setup(&v, &st);
	REQUIRE_OK(store_tx(st, fill_outbox, &f, &e), &e);
	ppt = t_free_port();
	snprintf(pport, sizeof(pport), "%d", ppt);
	snprintf(cport, sizeof(cport), "%d", v.port);
	snprintf(proxy, sizeof(proxy), "127.0.0.1:%d", ppt);
	{
		char bin[512];
		char *a[] = { bin, pport, cport, "7", "4000", "3", NULL };

		snprintf(bin, sizeof(bin), "%s/tests/tools/cutproxy", t_builddir());
		ppid = t_start(a, NULL, t_path("proxy.log"));
		REQUIRE(ppid > 0);
		REQUIRE(t_wait_for(port_up, &ppt, 10000));
	}
	REQUIRE_OK(sync_config_load(st, NULL, &cfg, &e), &e);
	snprintf(cfg.central, sizeof(cfg.central), "%s", proxy);
	cfg.batch = 5;
	cfg.page = 10;
	cfg.timeout_ms = 5000;
	/* Until everything is through and at least 200 rounds were cut. */
	while (rounds < 3000) {
		int r = sync_round(st, &cfg, &rep, &e);

		rounds++;
		dups += rep.duplicates;
		if (r != 0)
			cuts++;
		REQUIRE_OK(store_outbox_count(st, &left, &e), &e);
		if (left == 0 && cuts >= 200 && r == 0)
			break;
	}
	t_stop_proc(ppid, SIGTERM, 5000);
	/* One clean round straight to the central. */
	REQUIRE_OK(sync_config_load(st, NULL, &cfg, &e), &e);
	CHECK_OK(sync_round(st, &cfg, &rep, &e), &e);
	CHECK_INT(rep.pushed, 0);
	REQUIRE_OK(store_outbox_count(st, &left, &e), &e);
	CHECK_INT(left, 0);
	REQUIRE(sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM persons", -1, &q,
	    NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		persons = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	CHECK_INT(persons, NPERSONS);
	store_close(st);
	CHECK(cuts >= 200);
	printf("    %d rounds, %d cut, %ld duplicates acknowledged\n", rounds, cuts, dups);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
	REQUIRE_OK(central_open(v.cdir, &c, &e), &e);
	REQUIRE(sqlite3_prepare_v2(c->db, "SELECT count(*), count(DISTINCT uuid) FROM received"
	    " WHERE kind = 1", -1, &q, NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW) {
		stored = sqlite3_column_int(q, 0);
		distinct = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
	central_close(c);
	CHECK_INT(stored, NAPPS);
	CHECK_INT(distinct, NAPPS);
}

/*
 * Issue 18: the pull applies each page and its cursor in one transaction,
 * so a connection cut at any page boundary loses nothing and applies
 * nothing twice.  After a first clean round, 300 more residents are
 * imported; a proxy (tests/tools/framecut) then cuts every round right
 * after the K-th Noise frame from the central, K being one frame more than
 * a round needs before its first page, so each round applies exactly one
 * page of 10 and is cut: the pull is cut at every page boundary but (at
 * most) one crossed while K settles.  Exactly once: the changes applied over all rounds add up
 * to what a second terminal applies in one clean round.
 */
TEST(faults_pull_cut_at_every_page_boundary)
{
	struct env v;
	struct store *st, *st2;
	struct sync_config cfg;
	struct sync_report rep;
	struct t_proc p;
	struct wbuf csv;
	struct err e;
	sqlite3_stmt *q;
	char pport[16], cport[16], kbuf[32], token[40], tid[17];
	char *bin = strdup(t_bin("madoguchi-central"));
	uint8_t key[32];
	long k = 1, applied = 0, first = 0, clean = 0;
	int ppt, rounds = 0, boundary = 0, over = 0, persons = 0, done = 0, i;
	pid_t ppid;

	setup(&v, &st);
	REQUIRE_OK(sync_config_load(st, NULL, &cfg, &e), &e);
	cfg.page = 10;
	REQUIRE_OK(sync_round(st, &cfg, &rep, &e), &e);
	first = rep.applied;
	wbuf_init(&csv, 0);
	wbuf_printf(&csv, "atena,name,kana,birth,sex,address,ward\n");
	for (i = NPERSONS + 1; i <= 2 * NPERSONS; i++)
		wbuf_printf(&csv, "%09d,試験 %d,シケン,1970-01-01,1,窓口市北区%d-1,01\n", i, i, i);
	REQUIRE(t_write_file(t_path("p2.csv"), csv.p, csv.len) == 0);
	wbuf_free(&csv);
	{
		char *a[] = { bin, "--store", v.cdir, "import", "persons",
		    (char *)t_path("p2.csv"), NULL };

		REQUIRE(t_run(a, NULL, NULL, 0, 60000, &p) == 0 && p.status == 0);
		t_proc_free(&p);
	}
	ppt = t_free_port();
	snprintf(pport, sizeof(pport), "%d", ppt);
	snprintf(cport, sizeof(cport), "%d", v.port);
	{
		char tool[512];
		char *a[] = { tool, pport, cport, (char *)t_path("k"), NULL };

		snprintf(tool, sizeof(tool), "%s/tests/tools/framecut", t_builddir());
		ppid = t_start(a, NULL, t_path("framecut.log"));
		REQUIRE(ppid > 0);
		REQUIRE(t_wait_for(port_up, &ppt, 10000));
	}
	snprintf(cfg.central, sizeof(cfg.central), "127.0.0.1:%d", ppt);
	cfg.timeout_ms = 5000;
	while (rounds < 200 && !done) {
		int r;

		snprintf(kbuf, sizeof(kbuf), "%ld\n", k);
		REQUIRE(t_write_file(t_path("k"), kbuf, strlen(kbuf)) == 0);
		r = sync_round(st, &cfg, &rep, &e);
		rounds++;
		applied += rep.applied;
		if (r == 0)
			done = 1;
		else if (rep.applied == 0)
			k++;		/* cut before the first page: a frame later */
		else if (rep.applied == (long)cfg.page)
			boundary++;	/* one page applied, then the cut */
		else {
			over++;		/* more than one page: a frame earlier */
			k--;
		}
	}
	t_stop_proc(ppid, SIGTERM, 5000);
	REQUIRE(done);
	REQUIRE(sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM persons", -1,
	    &q, NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		persons = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	CHECK_INT(persons, 2 * NPERSONS);
	/* 30 pages.  The frames a round needs before its pull shrink once the
	 * first round gets its audit rows through, so K settles after one
	 * round that moves two pages; from then on every round moves exactly
	 * one page and is cut after it.  So every boundary but that one is a
	 * cut (the last page may come in the round that completes). */
	CHECK(over <= 1);
	CHECK(boundary >= NPERSONS / 10 - 2);
	store_close(st);

	/* The same feed in one clean round by a second terminal. */
	{
		char *a[] = { bin, "--store", v.cdir, "terminal", "enrol", "T002",
		    "--wards", "01", NULL };

		REQUIRE(t_run(a, NULL, NULL, 0, 30000, &p) == 0 && p.status == 0);
		REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
		t_proc_free(&p);
	}
	REQUIRE_OK(store_create(t_path("terminal2"), "admin", PW, &e), &e);
	REQUIRE_OK(store_open(t_path("terminal2"), "admin", PW, &st2, &e), &e);
	REQUIRE(hex_decode(v.key, 64, key, 32) == 32);
	REQUIRE_OK(sync_enroll(st2, v.addr, key, token, tid, &e), &e);
	REQUIRE_OK(sync_config_load(st2, NULL, &cfg, &e), &e);
	cfg.page = 10;
	CHECK_OK(sync_round(st2, &cfg, &rep, &e), &e);
	clean = rep.applied;
	store_close(st2);
	printf("    %d rounds, %d cut right after a page, %ld + %ld changes "
	    "applied (a clean pull: %ld)\n", rounds, boundary, first, applied, clean);
	CHECK(clean > 2 * NPERSONS);
	CHECK_INT(first + applied, clean);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
	free(bin);
}

TEST(faults_garbage_never_stops_the_central)
{
	struct env v;
	struct store *st;
	struct sync_config cfg;
	struct sync_report rep;
	struct err e;
	uint8_t junk[70000];
	int i, fd;

	setup(&v, &st);
	rand_bytes(junk, sizeof(junk));
	for (i = 0; i < 20; i++) {
		if ((fd = raw_connect(v.port)) < 0)
			continue;
		switch (i % 4) {
		case 0:		/* random bytes of random length */
			CHECK(send(fd, junk, 1 + (size_t)junk[i] * 256, MSG_NOSIGNAL) > 0);
			break;
		case 1:		/* the largest length prefix, then nothing */
			CHECK(send(fd, "\xff\xff", 2, MSG_NOSIGNAL) == 2);
			break;
		case 2:		/* a zero length */
			CHECK(send(fd, "\x00\x00\x00\x00", 4, MSG_NOSIGNAL) == 4);
			break;
		case 3:		/* a message-1-sized blob of noise */
			junk[0] = 0;
			junk[1] = 96;
			CHECK(send(fd, junk, 98, MSG_NOSIGNAL) == 98);
			break;
		}
		close(fd);
	}
	/* Still serving, and the central is still alive. */
	REQUIRE_OK(sync_config_load(st, NULL, &cfg, &e), &e);
	CHECK_OK(sync_round(st, &cfg, &rep, &e), &e);
	CHECK_INT(rep.pulled, NPERSONS + 1);	/* and the admin account */
	CHECK(kill(v.pid, 0) == 0);
	store_close(st);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
}
