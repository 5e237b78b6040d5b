/*
 * test_central_serve.c — madoguchi-central serve with many terminals at
 * once, request IDs echoed (NET-2), unexpected messages closing the
 * connection, graceful SIGTERM with idle connections open; and the
 * terminal's background scheduler (status, backoff, trigger).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <sodium.h>

#include "harness.h"
#include "central.h"
#include "store.h"
#include "sync.h"

#define NTERM 40
#define NPERSONS 50

struct env {
	char cdir[512], addr[64], bin[512];
	uint8_t key[32];
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

static void
ccmd(struct env *v, char *a1, char *a2, char *a3, char *a4, char *a5,
    struct t_proc *p)
{
	char *a[] = { v->bin, "--store", v->cdir, a1, a2, a3, a4, a5, NULL };

	REQUIRE(t_run(a, NULL, NULL, 0, 30000, p) == 0);
}

static void
setup(struct env *v)
{
	struct t_proc p;
	struct wbuf csv;
	const char *k;
	int i;

	memset(v, 0, sizeof(*v));
	snprintf(v->bin, sizeof(v->bin), "%s", t_bin("madoguchi-central"));
	snprintf(v->cdir, sizeof(v->cdir), "%s", t_path("central"));
	v->port = t_free_port();
	snprintf(v->addr, sizeof(v->addr), "127.0.0.1:%d", v->port);
	ccmd(v, "init", NULL, NULL, NULL, NULL, &p);
	REQUIRE(p.status == 0 && (k = strstr(p.out, "central public key: ")) != NULL);
	REQUIRE(hex_decode(k + 20, 64, v->key, 32) == 32);
	t_proc_free(&p);
	wbuf_init(&csv, 0);
	wbuf_printf(&csv, "atena,name,kana,birth,sex,address,ward\n");
	for (i = 1; i <= NPERSONS; i++)
		wbuf_printf(&csv, "%09d,試験 %d,シケン,1970-01-01,1,北区,01\n", i, i);
	REQUIRE(t_write_file(t_path("p.csv"), csv.p, csv.len) == 0);
	wbuf_free(&csv);
	ccmd(v, "import", "persons", (char *)t_path("p.csv"), NULL, NULL, &p);
	REQUIRE(p.status == 0);
	t_proc_free(&p);
}

static void
start(struct env *v)
{
	char *a[] = { v->bin, "--store", v->cdir, "serve", "--listen", v->addr, NULL };

	v->pid = t_start(a, NULL, t_path("central.log"));
	REQUIRE(v->pid > 0);
	REQUIRE(t_wait_for(port_up, &v->port, 20000));
}

struct term {
	struct env *v;
	char token[40];
	int ok;
	long changes;
	char why[256];
};

/* One terminal: enrol with its token, pull everything page by page. */
static void *
term_main(void *arg)
{
	struct term *t = arg;
	uint8_t priv[32], pub[32];
	struct sync_chan *ch;
	struct msg h, req, rep;
	struct wbuf b;
	struct err e;
	uint64_t cursor = 0;

	noise_keypair(priv, pub);
	wbuf_init(&b, 0);
	msg_init(&h, MSG_HELLO, msg_new_id());
	msg_set_text(&h.client, "test");
	msg_set_text(&h.token, t->token);
	msg_encode(&h, &b, &e);
	msg_clear(&h);
	if (sync_chan_connect(t->v->addr, priv, t->v->key, b.p, b.len, NULL, 20000, &ch, &e) != 0) {
		snprintf(t->why, sizeof(t->why), "connect: %s", e.msg);
		wbuf_free(&b);
		return NULL;
	}
	for (;;) {
		msg_init(&req, MSG_PULL, msg_new_id());
		req.cursor = cursor;
		req.limit = 7;
		b.len = 0;
		if (msg_encode(&req, &b, &e) != 0 || sync_chan_send(ch, b.p, b.len, &e) != 0 ||
		    sync_chan_recv(ch, &b, &e) != 0 || msg_decode(b.p, b.len, &rep, &e) != 0) {
			snprintf(t->why, sizeof(t->why), "pull: %s", e.msg);
			break;
		}
		/* NET-2: the answer echoes our request ID. */
		if (rep.id != req.id || rep.type != MSG_CHANGES) {
			snprintf(t->why, sizeof(t->why), "unmatched answer");
			msg_clear(&rep);
			break;
		}
		t->changes += (long)rep.nchanges;
		cursor = rep.cursor;
		if (!rep.more) {
			t->ok = 1;
			msg_clear(&rep);
			break;
		}
		msg_clear(&rep);
	}
	sync_chan_free(ch);
	wbuf_free(&b);
	return NULL;
}

TEST(serve_many_terminals_at_once)
{
	struct env v;
	struct term t[NTERM];
	pthread_t th[NTERM];
	struct t_proc p;
	char id[16];
	int i, ok = 0;

	setup(&v);
	for (i = 0; i < NTERM; i++) {
		snprintf(id, sizeof(id), "T%03d", i);
		ccmd(&v, "terminal", "enrol", id, "--wards", "01", &p);
		REQUIRE(p.status == 0);
		memset(&t[i], 0, sizeof(t[i]));
		t[i].v = &v;
		REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", t[i].token) == 1);
		t_proc_free(&p);
	}
	start(&v);
	for (i = 0; i < NTERM; i++)
		REQUIRE(pthread_create(&th[i], NULL, term_main, &t[i]) == 0);
	for (i = 0; i < NTERM; i++) {
		pthread_join(th[i], NULL);
		if (t[i].ok && t[i].changes == NPERSONS)
			ok++;
		else
			t_fail_at(__FILE__, __LINE__, "terminal %d: %s (%ld changes)", i,
			    t[i].why, t[i].changes);
	}
	CHECK_INT(ok, NTERM);
	ccmd(&v, "terminal", "list", NULL, NULL, NULL, &p);
	CHECK(strstr(p.out, "T039") != NULL && strstr(p.out, "pending") == NULL);
	t_proc_free(&p);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
}

TEST(serve_unexpected_message_closes_and_sigterm_is_graceful)
{
	struct env v;
	struct t_proc p;
	struct sync_chan *ch, *idle;
	struct msg h, m;
	struct wbuf b;
	struct err e;
	uint8_t priv[32], pub[32], priv2[32], pub2[32];
	char token[40], token2[40];

	setup(&v);
	ccmd(&v, "terminal", "enrol", "T1", NULL, NULL, &p);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
	t_proc_free(&p);
	ccmd(&v, "terminal", "enrol", "T2", NULL, NULL, &p);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token2) == 1);
	t_proc_free(&p);
	start(&v);
	noise_keypair(priv, pub);
	noise_keypair(priv2, pub2);
	wbuf_init(&b, 0);
	msg_init(&h, MSG_HELLO, 5);
	msg_set_text(&h.client, "test");
	msg_set_text(&h.token, token);
	msg_encode(&h, &b, &e);
	msg_clear(&h);
	REQUIRE_OK(sync_chan_connect(v.addr, priv, v.key, b.p, b.len, NULL, 10000, &ch, &e), &e);
	/* A WELCOME is not something a terminal may send: ERROR, then closed. */
	msg_init(&m, MSG_WELCOME, 77);
	msg_set_text(&m.terminal_id, "X");
	msg_set_text(&m.wards, "");
	msg_set_text(&m.procedures, "");
	b.len = 0;
	msg_encode(&m, &b, &e);
	msg_clear(&m);
	CHECK_OK(sync_chan_send(ch, b.p, b.len, &e), &e);
	REQUIRE_OK(sync_chan_recv(ch, &b, &e), &e);
	REQUIRE_OK(msg_decode(b.p, b.len, &m, &e), &e);
	CHECK_INT(m.type, MSG_ERROR);
	CHECK(m.id == 77);
	msg_clear(&m);
	CHECK(sync_chan_recv(ch, &b, &e) != 0);
	sync_chan_free(ch);
	/* An idle terminal stays connected; SIGTERM still stops the central
	 * promptly and cleanly, closing it. */
	b.len = 0;
	msg_init(&h, MSG_HELLO, 6);
	msg_set_text(&h.client, "test");
	msg_set_text(&h.token, token2);
	msg_encode(&h, &b, &e);
	msg_clear(&h);
	REQUIRE_OK(sync_chan_connect(v.addr, priv2, v.key, b.p, b.len, NULL, 10000, &idle, &e), &e);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
	CHECK(sync_chan_recv(idle, &b, &e) != 0);
	sync_chan_free(idle);
	wbuf_free(&b);
}

static int
sched_settled(void *arg)
{
	struct sync_sched *s = arg;
	struct sync_status st;

	sync_sched_status(s, &st);
	return !st.running && st.last_try != 0 && (st.online || st.failures > 0);
}

struct want {
	struct sync_sched *s;
	int failures;
};

static int
sched_failed(void *arg)
{
	struct want *w = arg;
	struct sync_status st;

	sync_sched_status(w->s, &st);
	return !st.running && st.failures >= w->failures && st.retry_in > 0;
}

struct notes {
	pthread_mutex_t mu;
	int calls, last_online;
	char last_synced[32];
};

static void
on_notify(void *arg, const struct sync_status *st)
{
	struct notes *n = arg;

	pthread_mutex_lock(&n->mu);
	n->calls++;
	n->last_online = st->online;
	snprintf(n->last_synced, sizeof(n->last_synced), "%s", st->synced_at);
	pthread_mutex_unlock(&n->mu);
}

TEST(scheduler_backoff_and_trigger)
{
	struct notes nc = { PTHREAD_MUTEX_INITIALIZER, 0, 0, "" };
	struct env v;
	struct t_proc p;
	struct store *st;
	struct sync_sched *s;
	struct sync_status ss;
	struct err e;
	char token[40], tid[17];
	int i;

	setup(&v);
	ccmd(&v, "terminal", "enrol", "T1", "--wards", "01", &p);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
	t_proc_free(&p);
	REQUIRE_OK(store_create(t_path("t"), "admin", "Kx9#mPq2vL", &e), &e);
	REQUIRE_OK(store_open(t_path("t"), "admin", "Kx9#mPq2vL", &st, &e), &e);
	/* Not enrolled: the scheduler says so and does not hammer anything. */
	REQUIRE_OK(sync_sched_new(st, NULL, 600, NULL, NULL, &s, &e), &e);
	REQUIRE(t_wait_for(sched_settled, s, 20000));
	sync_sched_status(s, &ss);
	CHECK_INT(ss.enrolled, 0);
	CHECK_INT(ss.online, 0);
	sync_sched_free(s);
	start(&v);
	REQUIRE_OK(sync_enroll(st, v.addr, v.key, token, tid, &e), &e);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
	/* Central down: failures grow, the next try backs off 5 s, 10 s ... */
	REQUIRE_OK(sync_sched_new(st, NULL, 600, on_notify, &nc, &s, &e), &e);
	for (i = 1; i <= 3; i++) {
		struct want w = { s, i };

		REQUIRE(t_wait_for(sched_failed, &w, 20000));
		sync_sched_status(s, &ss);
		CHECK_INT(ss.failures, i);
		CHECK_INT(ss.online, 0);
		CHECK(ss.error[0] != '\0');
		CHECK_INT(ss.retry_in, 5 << (i - 1));
		sync_sched_trigger(s);	/* F5: try now rather than wait */
	}
	/* Central back: a trigger brings it online. */
	start(&v);
	for (i = 0; i < 100; i++) {
		sync_sched_trigger(s);
		usleep(200000);
		sync_sched_status(s, &ss);
		if (ss.online)
			break;
	}
	CHECK_INT(ss.online, 1);
	CHECK(ss.last_ok != 0);
	CHECK_INT(ss.failures, 0);
	CHECK(ss.synced_at[0] != '\0');
	sync_sched_free(s);
	/* The callback saw rounds start and end, and the last one online. */
	pthread_mutex_lock(&nc.mu);
	if (nc.calls < 8)
		t_fail_at(__FILE__, __LINE__, "only %d notifications", nc.calls);
	CHECK_INT(nc.last_online, 1);
	CHECK(nc.last_synced[0] != '\0');
	pthread_mutex_unlock(&nc.mu);
	store_close(st);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
}

/* The store's row hash (src/store/audit.c), to build rows by hand. */
static void
row_hash(int64_t id, const uint8_t prev[32], const char *action, uint8_t out[32])
{
	const char *f[7] = { "2025-04-01T09:00:00+0900", "clerk", "T1", action, "", "", "" };
	crypto_generichash_state h;
	uint8_t idb[8], len[4];
	int i;

	for (i = 0; i < 8; i++)
		idb[i] = (uint8_t)((uint64_t)id >> (56 - 8 * i));
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, prev, 32);
	crypto_generichash_update(&h, idb, 8);
	for (i = 0; i < 7; i++) {
		size_t n = strlen(f[i]);

		len[0] = (uint8_t)(n >> 24);
		len[1] = (uint8_t)(n >> 16);
		len[2] = (uint8_t)(n >> 8);
		len[3] = (uint8_t)n;
		crypto_generichash_update(&h, len, 4);
		crypto_generichash_update(&h, (const uint8_t *)f[i], n);
	}
	crypto_generichash_final(&h, out, 32);
}

static void
audit_item(struct msg *m, int64_t id, const uint8_t prev[32], const uint8_t hash[32],
    const char *action)
{
	char body[512], ph[65], hh[65], uuid[37];

	hex_encode(prev, 32, ph);
	hex_encode(hash, 32, hh);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"at\":\"2025-04-01T09:00:00+0900\","
	    "\"who\":\"clerk\",\"terminal\":\"T1\",\"action\":\"%s\",\"person\":\"\","
	    "\"screen\":\"\",\"detail\":\"\",\"prev\":\"%s\",\"hash\":\"%s\"}",
	    (long long)id, action, ph, hh);
	uuid_v4(uuid);
	REQUIRE(msg_add_item(m, uuid, ITEM_AUDIT, body, strlen(body)) == 0);
}

TEST(serve_audit_chain_checked_on_receipt)
{
	struct env v;
	struct t_proc p;
	struct sync_chan *ch;
	struct msg h, m, rep;
	struct wbuf b;
	struct err e;
	struct central *c;
	sqlite3_stmt *q;
	uint8_t priv[32], pub[32], zero[32] = { 0 }, h1[32], h2[32], h3[32], h4[32];
	char token[40];
	int oks[5] = { -1, -1, -1, -1, -1 };

	setup(&v);
	ccmd(&v, "terminal", "enrol", "T1", NULL, NULL, &p);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
	t_proc_free(&p);
	start(&v);
	noise_keypair(priv, pub);
	wbuf_init(&b, 0);
	msg_init(&h, MSG_HELLO, 1);
	msg_set_text(&h.client, "test");
	msg_set_text(&h.token, token);
	msg_encode(&h, &b, &e);
	msg_clear(&h);
	REQUIRE_OK(sync_chan_connect(v.addr, priv, v.key, b.p, b.len, NULL, 10000, &ch, &e), &e);
	/* Row 1 and 2 good; row 3 claims a hash its content does not give
	 * (an edited row); row 4 links to a prev that is not row 3's hash. */
	row_hash(1, zero, "login", h1);
	row_hash(2, h1, "view", h2);
	row_hash(3, h2, "view", h3);
	row_hash(4, zero, "logout", h4);
	msg_init(&m, MSG_PUSH, 9);
	audit_item(&m, 1, zero, h1, "login");
	audit_item(&m, 2, h1, h2, "view");
	audit_item(&m, 3, h2, h3, "export");	/* content edited after hashing */
	audit_item(&m, 4, zero, h4, "logout");
	b.len = 0;
	REQUIRE_OK(msg_encode(&m, &b, &e), &e);
	msg_clear(&m);
	REQUIRE_OK(sync_chan_send(ch, b.p, b.len, &e), &e);
	REQUIRE_OK(sync_chan_recv(ch, &b, &e), &e);
	REQUIRE_OK(msg_decode(b.p, b.len, &rep, &e), &e);
	CHECK_INT(rep.nacks, 4);	/* kept, and acknowledged: nothing is lost */
	msg_clear(&rep);
	sync_chan_free(ch);
	wbuf_free(&b);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
	REQUIRE_OK(central_open(v.cdir, &c, &e), &e);
	REQUIRE(sqlite3_prepare_v2(c->db, "SELECT id, chain_ok FROM audit WHERE terminal = 'T1'",
	    -1, &q, NULL) == SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		int id = sqlite3_column_int(q, 0);

		if (id >= 1 && id <= 4)
			oks[id] = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
	central_close(c);
	CHECK_INT(oks[1], 1);
	CHECK_INT(oks[2], 1);
	CHECK_INT(oks[3], 0);
	CHECK_INT(oks[4], 0);
	CHECK(t_dir_contains(t_tmpdir(), "broken at row 4", 15) != NULL);
	CHECK(t_dir_contains(t_tmpdir(), "row 3 of terminal T1 does not match", 35) != NULL);
}

/* Connect with a HELLO whose client text is client (and a token); the
 * WELCOME goes to w.  Returns the channel or NULL. */
static struct sync_chan *
hello_as(struct env *v, const char *client, const char *token, struct msg *w)
{
	uint8_t priv[32], pub[32];
	struct sync_chan *ch = NULL;
	struct wbuf b, reply;
	struct msg h;
	struct err e;

	noise_keypair(priv, pub);
	wbuf_init(&b, 0);
	wbuf_init(&reply, 0);
	msg_init(&h, MSG_HELLO, 11);
	msg_set_text(&h.client, client);
	msg_set_text(&h.token, token);
	REQUIRE_OK(msg_encode(&h, &b, &e), &e);
	msg_clear(&h);
	if (sync_chan_connect(v->addr, priv, v->key, b.p, b.len, &reply, 10000,
	    &ch, &e) == 0 && msg_decode(reply.p, reply.len, w, &e) != 0) {
		t_fail_at(__FILE__, __LINE__, "WELCOME: %s", e.msg);
		sync_chan_free(ch);
		ch = NULL;
	}
	wbuf_free(&b);
	wbuf_free(&reply);
	return ch;
}

/* A PING written in version ver; 1 when a PONG of that version came back. */
static int
ping_in(struct sync_chan *ch, int ver)
{
	struct msg m;
	struct wbuf b;
	struct err e;
	int ok;

	wbuf_init(&b, 0);
	msg_init(&m, MSG_PING, 99);
	m.proto = (uint8_t)ver;
	ok = msg_encode(&m, &b, &e) == 0 && sync_chan_send(ch, b.p, b.len, &e) == 0 &&
	    sync_chan_recv(ch, &b, &e) == 0 && msg_decode(b.p, b.len, &m, &e) == 0;
	ok = ok && m.type == MSG_PONG && m.proto == ver && m.id == 99;
	msg_clear(&m);
	wbuf_free(&b);
	return ok;
}

/* SPEC 7 rolling upgrades, NET-3: the central answers a terminal that
 * offers nothing (the first release) in version 1 without the fields of
 * version 2, a terminal that offers 1-2 in 2 with them; every later
 * message must be in the agreed version (another closes the connection);
 * an offer with nothing in common, or malformed, is refused. */
#define STR_(x) #x
#define STR1(x) STR_(x)
#define STR_MAX STR1(SYNC_PROTO_MAX)

TEST(serve_negotiates_protocol_version)
{
	struct env v;
	struct t_proc p;
	struct sync_chan *ch;
	struct msg w;
	char tok[4][40];
	int i;

	setup(&v);
	for (i = 0; i < 4; i++) {
		char id[8];

		snprintf(id, sizeof(id), "V%d", i);
		ccmd(&v, "terminal", "enrol", id, NULL, NULL, &p);
		REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", tok[i]) == 1);
		t_proc_free(&p);
	}
	start(&v);
	/* first release: no offer */
	REQUIRE((ch = hello_as(&v, "madoguchi 0.1.0", tok[0], &w)) != NULL);
	CHECK_INT(w.proto, 1);
	CHECK(w.server == NULL);
	CHECK_STR(w.terminal_id, "V0");
	msg_clear(&w);
	CHECK(ping_in(ch, 1));
	CHECK(!ping_in(ch, 2));		/* not the agreed version: closed */
	sync_chan_free(ch);
	/* this release: 1-SYNC_PROTO_MAX offered (1-3 since issue 13's purge
	 * records), the highest agreed */
	REQUIRE((ch = hello_as(&v, "madoguchi 0.2.0 proto=1-" STR_MAX, tok[1], &w)) != NULL);
	CHECK_INT(w.proto, SYNC_PROTO_MAX);
	REQUIRE(w.server != NULL);
	CHECK(strncmp(w.server, "madoguchi-central ", 18) == 0);
	msg_clear(&w);
	CHECK(ping_in(ch, SYNC_PROTO_MAX));
	CHECK(ping_in(ch, SYNC_PROTO_MAX));
	CHECK(!ping_in(ch, 1));
	sync_chan_free(ch);
	/* a later release offering more than this central speaks gets ours */
	REQUIRE((ch = hello_as(&v, "madoguchi 9.0 proto=1-200", tok[2], &w)) != NULL);
	CHECK_INT(w.proto, SYNC_PROTO_MAX);
	msg_clear(&w);
	sync_chan_free(ch);
	/* nothing in common, or a malformed offer: no WELCOME at all */
	CHECK((ch = hello_as(&v, "madoguchi 9.0 proto=200", tok[3], &w)) == NULL);
	sync_chan_free(ch);
	CHECK((ch = hello_as(&v, "madoguchi proto=1-x", tok[3], &w)) == NULL);
	sync_chan_free(ch);
	/* the token was not spent by the refused handshakes */
	REQUIRE((ch = hello_as(&v, "madoguchi 0.2.0 proto=2", tok[3], &w)) != NULL);
	CHECK_INT(w.proto, 2);
	msg_clear(&w);
	sync_chan_free(ch);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
	{
		char *log = t_read_file(t_path("central.log"), NULL);

		REQUIRE(log != NULL);
		CHECK(strstr(log, "terminal V0 connected: madoguchi 0.1.0, protocol version 1") != NULL);
		CHECK(strstr(log, "terminal V1 connected: madoguchi 0.2.0 proto=1-" STR_MAX ","
		    " protocol version " STR_MAX) != NULL);
		free(log);
	}
}
