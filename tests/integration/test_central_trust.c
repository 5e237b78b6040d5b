/*
 * test_central_trust.c — a central that trusts no terminal (issue 15 B,
 * NET-3, AC-6, AC-7, AC-8, LOG-2): the security review's rogue pushes,
 * made with a real enrolled terminal key against a real madoguchi-central
 * on 127.0.0.1, are each refused with their reason, logged and listed by
 * `terminal rejects`; one terminal's UUIDs never make another's items
 * "duplicates" (the audit-squatting attack); decisions go to the terminal
 * whose receipt number it is.
 */
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
    char *a6, char *a7, struct t_proc *p)
{
	char *a[] = { v->bin, "--store", v->cdir, a1, a2, a3, a4, a5, a6, a7, NULL };

	REQUIRE(t_run(a, NULL, NULL, 0, 30000, p) == 0);
}

static void
import(struct env *v, char *kind, const char *csv)
{
	struct t_proc p;
	char path[600];

	snprintf(path, sizeof(path), "%s", t_path("import.csv"));
	REQUIRE(t_write_file(path, csv, strlen(csv)) == 0);
	ccmd(v, "import", kind, path, NULL, NULL, NULL, NULL, &p);
	if (p.status != 0)
		t_fail_at(__FILE__, __LINE__, "import %s: %s %s", kind, p.out, p.err);
	t_proc_free(&p);
}

static void
enrol(struct env *v, char *id, char *wards, char *procs, char token[40])
{
	struct t_proc p;

	ccmd(v, "terminal", "enrol", id, "--wards", wards, "--procedures", procs, &p);
	REQUIRE(p.status == 0);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
	t_proc_free(&p);
}

/* Central with persons in wards 01 and 02, the accounts of the review,
 * T1 (ward 01, maru-fuku) and T2 (ward 01, maru-fuku and kokuho). */
static void
setup(struct env *v, char t1[40], char t2[40])
{
	struct t_proc p;
	const char *k;

	memset(v, 0, sizeof(*v));
	snprintf(v->bin, sizeof(v->bin), "%s", t_bin("madoguchi-central"));
	snprintf(v->cdir, sizeof(v->cdir), "%s", t_path("central"));
	v->port = t_free_port();
	snprintf(v->addr, sizeof(v->addr), "127.0.0.1:%d", v->port);
	ccmd(v, "init", NULL, NULL, NULL, NULL, NULL, NULL, &p);
	REQUIRE(p.status == 0 && (k = strstr(p.out, "central public key: ")) != NULL);
	REQUIRE(hex_decode(k + 20, 64, v->key, 32) == 32);
	t_proc_free(&p);
	import(v, "persons", "atena,name,kana,birth,sex,address,ward\n"
	    "000000001,山田 太郎,ヤマダ タロウ,1980-04-01,1,北区1-1,01\n"
	    "000000002,山田 花子,ヤマダ ハナコ,1982-05-01,2,北区1-1,01\n"
	    "000000003,鈴木 一郎,スズキ イチロウ,1990-01-01,1,南区2-2,02\n");
	/* issue 14: individual names, a request reference each, end dates
	 * no later than the next fiscal year end (empty: this one's) */
	import(v, "accounts", "name,display,role,perms,valid_until,disabled,request\n"
	    "mado-hanako,窓口 花子,clerk,maru-fuku:write;kokuho:write,,0,REQ-1\n"
	    "mado-jiro,窓口 次郎,clerk,maru-fuku:read,,0,REQ-2\n"
	    "rev1,審査 一郎,reviewer,maru-fuku:write,,0,REQ-3\n"
	    "gone1,退職 三郎,clerk,maru-fuku:write,,1,REQ-4\n"
	    "old1,期限 四郎,clerk,maru-fuku:write,2025-03-31,0,REQ-5\n");
	enrol(v, "T1", "01", "maru-fuku", t1);
	enrol(v, "T2", "01", "maru-fuku,kokuho", t2);
	{
		char *a[] = { v->bin, "--store", v->cdir, "serve", "--listen", v->addr, NULL };

		v->pid = t_start(a, NULL, t_path("central.log"));
		REQUIRE(v->pid > 0);
		REQUIRE(t_wait_for(port_up, &v->port, 20000));
	}
}

static struct sync_chan *
term_connect(struct env *v, const char *token)
{
	uint8_t priv[32], pub[32];
	struct sync_chan *ch = NULL;
	struct msg h;
	struct wbuf b;
	struct err e;

	noise_keypair(priv, pub);
	wbuf_init(&b, 0);
	msg_init(&h, MSG_HELLO, msg_new_id());
	msg_set_text(&h.client, "test");
	msg_set_text(&h.token, token);
	msg_encode(&h, &b, &e);
	msg_clear(&h);
	if (sync_chan_connect(v->addr, priv, v->key, b.p, b.len, NULL, 10000, &ch, &e) != 0) {
		t_fail_at(__FILE__, __LINE__, "connect: %s", e.msg);
		t_stop();
	}
	wbuf_free(&b);
	return ch;
}

/* Push one item; its ack status, and the reason into why. */
static int
push1(struct sync_chan *ch, uint8_t kind, const char *uuid, const char *body,
    char *why, size_t cap)
{
	struct msg m, rep;
	struct wbuf b;
	struct err e;
	int st = -1;

	wbuf_init(&b, 0);
	msg_init(&m, MSG_PUSH, msg_new_id());
	REQUIRE(msg_add_item(&m, uuid, kind, body, strlen(body)) == 0);
	REQUIRE_OK(msg_encode(&m, &b, &e), &e);
	msg_clear(&m);
	REQUIRE_OK(sync_chan_send(ch, b.p, b.len, &e), &e);
	REQUIRE_OK(sync_chan_recv(ch, &b, &e), &e);
	REQUIRE_OK(msg_decode(b.p, b.len, &rep, &e), &e);
	if (why != NULL)
		why[0] = '\0';
	if (rep.type == MSG_PUSH_ACK && rep.nacks == 1 &&
	    strcmp(rep.acks[0].uuid, uuid) == 0) {
		st = rep.acks[0].status;
		if (why != NULL && rep.acks[0].reason != NULL)
			snprintf(why, cap, "%s", rep.acks[0].reason);
	}
	msg_clear(&rep);
	wbuf_free(&b);
	return st;
}

static void
app_body(char *out, size_t cap, const char *uuid, const char *rno,
    const char *proc, const char *atena, const char *by, const char *conf,
    const char *status)
{
	snprintf(out, cap, "{\"uuid\":\"%s\",\"receipt_no\":\"%s\",\"procedure\":\"%s\","
	    "\"type\":\"new\",\"atena\":\"%s\",\"form\":{},\"agent\":null,\"idcheck\":\"\","
	    "\"entered_by\":\"%s\",\"confirmed_by\":\"%s\",\"status\":\"%s\","
	    "\"received_at\":\"2026-12-03T09:00:00+0900\",\"updated_at\":"
	    "\"2026-12-03T09:05:00+0900\"}", uuid, rno, proc, atena, by, conf, status);
}

/* Push an application from ch; expect want, and (when refused) a reason
 * holding `reason`. */
static void
app_expect(int line, struct sync_chan *ch, const char *rno, const char *proc,
    const char *atena, const char *by, const char *conf, const char *status,
    int want, const char *reason)
{
	char uuid[37], body[1024], why[256];
	int st;

	uuid_v4(uuid);
	app_body(body, sizeof(body), uuid, rno, proc, atena, by, conf, status);
	st = push1(ch, ITEM_APPLICATION, uuid, body, why, sizeof(why));
	if (st != want || (reason != NULL && strstr(why, reason) == NULL))
		t_fail_at(__FILE__, line, "%s by %s: ack %d (want %d), \"%s\" (want \"%s\")",
		    rno, by, st, want, why, reason ? reason : "");
}

#define APP(ch, rno, proc, atena, by, conf, status, want, reason) \
	app_expect(__LINE__, ch, rno, proc, atena, by, conf, status, want, reason)

TEST(trust_rogue_application_pushes_refused_with_reasons)
{
	struct env v;
	struct t_proc p;
	struct sync_chan *t1, *t2;
	char k1[40], k2[40];

	setup(&v, k1, k2);
	t1 = term_connect(&v, k1);
	t2 = term_connect(&v, k2);
	/* The honest item is stored: the checks do not refuse everything. */
	APP(t2, "T2-20261203-00001", "maru-fuku", "000000001", "mado-hanako", "", "received",
	    ACK_STORED, NULL);
	APP(t2, "T2-20261203-00002", "kokuho", "000000002", "mado-hanako", "",
	    "received", ACK_STORED, NULL);
	/* Another ward's resident. */
	APP(t2, "T2-20261203-00003", "maru-fuku", "000000003", "mado-hanako", "", "received",
	    ACK_REJECTED, "outside this terminal's wards");
	/* A person the central does not know. */
	APP(t2, "T2-20261203-00004", "maru-fuku", "000000099", "mado-hanako", "", "received",
	    ACK_REJECTED, "not a person known");
	/* A procedure outside T1's scope. */
	APP(t1, "T1-20261203-00001", "kokuho", "000000001", "mado-hanako", "", "received",
	    ACK_REJECTED, "not one of this terminal's");
	/* Another terminal's receipt-number prefix. */
	APP(t2, "T1-20261203-00009", "maru-fuku", "000000001", "mado-hanako", "", "received",
	    ACK_REJECTED, "not under this terminal's ID");
	APP(t2, "T2-2026-1", "maru-fuku", "000000001", "mado-hanako", "", "received",
	    ACK_REJECTED, "not under this terminal's ID");
	/* A made-up confirmed_by; a confirmer who is not a reviewer. */
	APP(t2, "T2-20261203-00005", "maru-fuku", "000000001", "mado-hanako", "ghost", "review",
	    ACK_REJECTED, "\"ghost\" is no account at the central");
	APP(t2, "T2-20261203-00006", "maru-fuku", "000000001", "mado-hanako", "mado-jiro", "review",
	    ACK_REJECTED, "not a reviewer");
	/* entered_by without the right, revoked, expired, unknown. */
	APP(t2, "T2-20261203-00007", "maru-fuku", "000000001", "mado-jiro", "", "received",
	    ACK_REJECTED, "may not enter maru-fuku");
	APP(t2, "T2-20261203-00008", "maru-fuku", "000000001", "gone1", "", "received",
	    ACK_REJECTED, "revoked or disabled");
	APP(t2, "T2-20261203-00010", "maru-fuku", "000000001", "old1", "", "received",
	    ACK_REJECTED, "expired");
	APP(t2, "T2-20261203-00011", "maru-fuku", "000000001", "nobody", "", "received",
	    ACK_REJECTED, "is no account");
	/* Four eyes: entered and confirmed by one reviewer; 確認済 without a
	 * confirmer; a status no terminal sets on a new application. */
	APP(t2, "T2-20261203-00012", "maru-fuku", "000000001", "rev1", "rev1", "review",
	    ACK_REJECTED, "four eyes");
	APP(t2, "T2-20261203-00013", "maru-fuku", "000000001", "mado-hanako", "", "review",
	    ACK_REJECTED, "without confirmed_by");
	APP(t2, "T2-20261203-00014", "maru-fuku", "000000001", "mado-hanako", "rev1", "decided",
	    ACK_REJECTED, "cannot follow");
	APP(t2, "T2-20261203-00015", "maru-fuku", "000000001", "mado-hanako", "rev1", "review",
	    ACK_STORED, NULL);
	sync_chan_free(t1);
	sync_chan_free(t2);
	/* Reported: the central's log and the operator's list. */
	CHECK(t_dir_contains(t_tmpdir(), "terminal T2: item", 17) != NULL);
	CHECK(t_dir_contains(t_tmpdir(), "outside this terminal's wards", 29) != NULL);
	ccmd(&v, "terminal", "rejects", "T2", NULL, NULL, NULL, NULL, &p);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "# 13 rejected item(s)") != NULL);
	CHECK(strstr(p.out, "four eyes") != NULL && strstr(p.out, "T1 ") == NULL);
	if (strstr(p.out, "# 13") == NULL)
		t_fail_at(__FILE__, __LINE__, "rejects: %s", p.out);
	t_proc_free(&p);
	ccmd(&v, "terminal", "rejects", NULL, NULL, NULL, NULL, NULL, &p);
	CHECK(strstr(p.out, "# 14 rejected item(s)") != NULL);
	t_proc_free(&p);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
}

static void
status_body(char *out, size_t cap, const char *app, const char *rno,
    const char *status, const char *by)
{
	snprintf(out, cap, "{\"uuid\":\"%s\",\"receipt_no\":\"%s\",\"status\":\"%s\","
	    "\"at\":\"2026-12-03T10:00:00+0900\",\"by\":\"%s\",\"note\":\"\"}", app, rno,
	    status, by);
}

static int
status_push(struct sync_chan *ch, const char *app, const char *rno,
    const char *status, const char *by, char *why, size_t cap)
{
	char uuid[37], body[512];

	uuid_v4(uuid);
	status_body(body, sizeof(body), app, rno, status, by);
	return push1(ch, ITEM_STATUS, uuid, body, why, cap);
}

TEST(trust_status_changes_checked_against_the_application)
{
	struct env v;
	struct sync_chan *t1, *t2;
	char k1[40], k2[40], app[37], body[1024], why[256];

	setup(&v, k1, k2);
	t1 = term_connect(&v, k1);
	t2 = term_connect(&v, k2);
	uuid_v4(app);
	app_body(body, sizeof(body), app, "T1-20261203-00001", "maru-fuku", "000000001",
	    "mado-hanako", "", "received");
	CHECK_INT(push1(t1, ITEM_APPLICATION, app, body, NULL, 0), ACK_STORED);
	/* 受付 → 決定 is no change a terminal makes. */
	CHECK_INT(status_push(t1, app, "T1-20261203-00001", "decided", "mado-hanako", why,
	    sizeof(why)), ACK_REJECTED);
	CHECK(strstr(why, "decided cannot follow received") != NULL);
	/* 確認 by a clerk, and by the person who entered it (four eyes). */
	CHECK_INT(status_push(t1, app, "T1-20261203-00001", "review", "mado-hanako", why,
	    sizeof(why)), ACK_REJECTED);
	CHECK(strstr(why, "not a reviewer") != NULL);
	/* Another terminal cannot move T1's application, nor claim its UUID. */
	CHECK_INT(status_push(t2, app, "", "withdrawn", "mado-hanako", why, sizeof(why)),
	    ACK_REJECTED);
	CHECK(strstr(why, "another terminal") != NULL);
	app_body(body, sizeof(body), app, "T2-20261203-00001", "maru-fuku", "000000001",
	    "mado-hanako", "", "received");
	{
		char u2[37];

		uuid_v4(u2);
		CHECK_INT(push1(t2, ITEM_APPLICATION, u2, body, why, sizeof(why)), ACK_REJECTED);
		CHECK(strstr(why, "another terminal") != NULL);
	}
	/* A status for an application never received here. */
	{
		char ghost[37];

		uuid_v4(ghost);
		CHECK_INT(status_push(t1, ghost, "T1-20261203-00002", "withdrawn", "mado-hanako", why,
		    sizeof(why)), ACK_REJECTED);
		CHECK(strstr(why, "never received") != NULL);
	}
	/* The legal path: a reviewer confirms, and it is forwarded. */
	CHECK_INT(status_push(t1, app, "T1-20261203-00001", "review", "rev1", why,
	    sizeof(why)), ACK_STORED);
	CHECK_INT(status_push(t1, app, "T1-20261203-00001", "forwarded", "rev1", why,
	    sizeof(why)), ACK_STORED);
	CHECK_INT(status_push(t1, app, "T1-20261203-00001", "issued", "mado-hanako", why,
	    sizeof(why)), ACK_REJECTED);
	sync_chan_free(t1);
	sync_chan_free(t2);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
}

/* The store's row hash (src/store/audit.c), to build rows by hand. */
static void
row_hash(int64_t id, const uint8_t prev[32], const char *term, const char *action,
    uint8_t out[32])
{
	const char *f[7] = { "2026-12-03T09:00:00+0900", "mado-hanako", term, action, "", "", "" };
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
audit_body(char *out, size_t cap, int64_t id, const uint8_t prev[32],
    const uint8_t hash[32], const char *term, const char *action)
{
	char ph[65], hh[65];

	hex_encode(prev, 32, ph);
	hex_encode(hash, 32, hh);
	snprintf(out, cap, "{\"id\":%lld,\"at\":\"2026-12-03T09:00:00+0900\","
	    "\"who\":\"mado-hanako\",\"terminal\":\"%s\",\"action\":\"%s\",\"person\":\"\","
	    "\"screen\":\"\",\"detail\":\"\",\"prev\":\"%s\",\"hash\":\"%s\"}",
	    (long long)id, term, action, ph, hh);
}

/* The UUID the terminal's client gives its audit row id (sync/client.c). */
static void
audit_uuid(const char *terminal, int64_t id, char out[37])
{
	uint8_t h[16];
	char in[64], hex[33];

	snprintf(in, sizeof(in), "audit:%s:%lld", terminal, (long long)id);
	crypto_generichash(h, sizeof(h), (const uint8_t *)in, strlen(in), NULL, 0);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	hex_encode(h, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
}

static int
decision_changes(struct sync_chan *ch)
{
	struct msg m, rep;
	struct wbuf b;
	struct err e;
	uint64_t cursor = 0;
	int n = 0;
	size_t i;

	wbuf_init(&b, 0);
	for (;;) {
		msg_init(&m, MSG_PULL, msg_new_id());
		m.cursor = cursor;
		m.limit = 100;
		b.len = 0;
		REQUIRE_OK(msg_encode(&m, &b, &e), &e);
		msg_clear(&m);
		REQUIRE_OK(sync_chan_send(ch, b.p, b.len, &e), &e);
		REQUIRE_OK(sync_chan_recv(ch, &b, &e), &e);
		REQUIRE_OK(msg_decode(b.p, b.len, &rep, &e), &e);
		REQUIRE(rep.type == MSG_CHANGES);
		for (i = 0; i < rep.nchanges; i++)
			n += rep.changes[i].kind == CHG_DECISION;
		cursor = rep.cursor;
		if (!rep.more) {
			msg_clear(&rep);
			break;
		}
		msg_clear(&rep);
	}
	wbuf_free(&b);
	return n;
}

TEST(trust_audit_squatting_and_decision_routing)
{
	struct env v;
	struct central *c;
	struct sync_chan *t1, *t2;
	struct err e;
	sqlite3_stmt *q;
	char k1[40], k2[40], body[1024], uuid[37], why[256];
	uint8_t zero[32] = { 0 }, h1[32], h2[32], x[32];
	int rows = -1, ok = -1;

	setup(&v, k1, k2);
	t1 = term_connect(&v, k1);
	t2 = term_connect(&v, k2);
	/* T2 pushes, in advance, items under the UUIDs T1's next audit rows
	 * will have: its own rows, stored as T2's. */
	row_hash(1, zero, "T2", "login", x);
	audit_body(body, sizeof(body), 1, zero, x, "T2", "login");
	audit_uuid("T1", 1, uuid);
	CHECK_INT(push1(t2, ITEM_AUDIT, uuid, body, NULL, 0), ACK_STORED);
	audit_uuid("T1", 2, uuid);
	CHECK_INT(push1(t2, ITEM_AUDIT, uuid, body, NULL, 0), ACK_STORED);
	/* T1's real rows are stored, not answered "duplicate". */
	row_hash(1, zero, "T1", "login", h1);
	row_hash(2, h1, "T1", "person.view", h2);
	audit_body(body, sizeof(body), 1, zero, h1, "T1", "login");
	audit_uuid("T1", 1, uuid);
	CHECK_INT(push1(t1, ITEM_AUDIT, uuid, body, NULL, 0), ACK_STORED);
	audit_body(body, sizeof(body), 2, h1, h2, "T1", "person.view");
	audit_uuid("T1", 2, uuid);
	CHECK_INT(push1(t1, ITEM_AUDIT, uuid, body, NULL, 0), ACK_STORED);
	/* and a repeat by T1 itself is still a duplicate (exactly once) */
	CHECK_INT(push1(t1, ITEM_AUDIT, uuid, body, NULL, 0), ACK_DUPLICATE);
	/* Decisions: T2 tries T1's receipt number first (refused); T1 sends
	 * it; the decision for it reaches T1 and not T2. */
	uuid_v4(uuid);
	app_body(body, sizeof(body), uuid, "T1-20261203-00007", "maru-fuku", "000000001",
	    "mado-hanako", "", "received");
	CHECK_INT(push1(t2, ITEM_APPLICATION, uuid, body, why, sizeof(why)), ACK_REJECTED);
	uuid_v4(uuid);
	app_body(body, sizeof(body), uuid, "T1-20261203-00007", "maru-fuku", "000000001",
	    "mado-hanako", "", "received");
	CHECK_INT(push1(t1, ITEM_APPLICATION, uuid, body, NULL, 0), ACK_STORED);
	import(&v, "decisions", "receipt_no,status,decided_at\nT1-20261203-00007,決定,2026-12-10\n");
	CHECK_INT(decision_changes(t1), 1);
	CHECK_INT(decision_changes(t2), 0);
	sync_chan_free(t1);
	sync_chan_free(t2);
	CHECK_INT(t_stop_proc(v.pid, SIGTERM, 20000), 0);
	/* T1's chain is intact at the central. */
	REQUIRE_OK(central_open(v.cdir, &c, &e), &e);
	REQUIRE(sqlite3_prepare_v2(c->db, "SELECT count(*), sum(chain_ok) FROM audit"
	    " WHERE terminal = 'T1'", -1, &q, NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW) {
		rows = sqlite3_column_int(q, 0);
		ok = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
	central_close(c);
	CHECK_INT(rows, 2);
	CHECK_INT(ok, 2);
}
