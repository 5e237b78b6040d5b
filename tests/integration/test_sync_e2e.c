/*
 * test_sync_e2e.c — a real madoguchi-central on 127.0.0.1 and real terminal
 * stores (NET-1..7, AC-8, LOG-2, LOG-4, ID-6):
 *   import at the central -> `madoguchi sync` -> the resident is found;
 *   central down -> intake -> central up -> the application arrives once;
 *   a deletion at the central disappears from the terminal (NET-6);
 *   a different 個人番号 goes to the confirmation queue (ID-6);
 *   revoked, unknown and wrongly pinned keys are refused (AC-8).
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

#define PW "Kx9#mPq2vL"
#define PW_IN PW "\n"

static const char *PERSONS =
	"atena,name,kana,birth,sex,address,ward,mynumber\n"
	"000000001,山田 太郎,ヤマダ タロウ,1980-04-01,1,窓口市北区1-1,01,123456789018\n"
	"000000002,山田 花子,ヤマダ ハナコ,R1.5.1,2,窓口市北区1-1,01,\n"
	"000000003,鈴木 一郎,スズキ イチロウ,1990-01-01,1,窓口市南区2-2,02,\n";

struct env {
	char cdir[512], tdir[512], key[65], addr[64];
	int port;
	pid_t pid;
};

static int
run(char *const argv[], const char *input, struct t_proc *p)
{
	int r = t_run(argv, NULL, input, input ? strlen(input) : 0, 60000, p);

	REQUIRE(r == 0);
	return p->status;
}

static void
central_cmd(struct env *v, const char *a1, const char *a2, const char *a3,
    const char *a4, const char *a5, struct t_proc *p)
{
	char *argv[] = { (char *)t_bin("madoguchi-central"), "--store", v->cdir,
	    (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, NULL };

	run(argv, NULL, p);
}

/* export applications, in plaintext to standard output: what the central
 * holds (issue 16: only with [export] plaintext = yes and a purpose; a
 * store without operators exports as its Unix user). */
static void
central_export(struct env *v, int csv, struct t_proc *p)
{
	const char *conf = t_path("central-export.conf");
	static const char text[] = "[export]\nplaintext = yes\n";
	char *argv[] = { (char *)t_bin("madoguchi-central"), "--config", (char *)conf,
	    "--store", v->cdir, "export", "applications", "--purpose", "TEST-SYNC-E2E",
	    "--plaintext", "--output", "-", csv ? "--format" : NULL, "csv", NULL };

	REQUIRE(t_write_file(conf, text, strlen(text)) == 0);
	run(argv, NULL, p);
}

static void
import(struct env *v, const char *kind, const char *csv, int want_status)
{
	struct t_proc p;
	const char *path = t_path("import.csv");

	REQUIRE(t_write_file(path, csv, strlen(csv)) == 0);
	central_cmd(v, "import", kind, path, NULL, NULL, &p);
	if (p.status != want_status)
		t_fail_at(__FILE__, __LINE__, "import %s: %d: %s %s", kind, p.status, p.out, p.err);
	t_proc_free(&p);
}

static int
port_open(void *arg)
{
	struct env *v = arg;
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)v->port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static void
central_start(struct env *v)
{
	char *argv[] = { (char *)t_bin("madoguchi-central"), "--store", v->cdir,
	    "serve", "--listen", v->addr, NULL };

	v->pid = t_start(argv, NULL, t_path("central.log"));
	REQUIRE(v->pid > 0);
	REQUIRE(t_wait_for(port_open, v, 20000));
}

static void
central_stop(struct env *v)
{
	/* SIGTERM: a graceful stop, exit status 0. */
	CHECK_INT(t_stop_proc(v->pid, SIGTERM, 20000), 0);
	v->pid = 0;
}

/* A central with the persons imported and terminal T001 (ward 01) enrolled
 * from a fresh terminal store. */
static void
setup(struct env *v, int start)
{
	struct t_proc p;
	char token[64];
	const char *k;
	struct err e;

	memset(v, 0, sizeof(*v));
	snprintf(v->cdir, sizeof(v->cdir), "%s", t_path("central"));
	snprintf(v->tdir, sizeof(v->tdir), "%s", t_path("terminal"));
	v->port = t_free_port();
	snprintf(v->addr, sizeof(v->addr), "127.0.0.1:%d", v->port);
	central_cmd(v, "init", NULL, NULL, NULL, NULL, &p);
	REQUIRE(p.status == 0);
	k = strstr(p.out, "central public key: ");
	REQUIRE(k != NULL);
	snprintf(v->key, sizeof(v->key), "%.64s", k + 20);
	t_proc_free(&p);
	import(v, "persons", PERSONS, 0);
	import(v, "eligibility", "atena,procedure,recipient_no,valid_from,valid_to,burden_rate\n"
	    "000000001,maru-fuku,R0001,2025-04-01,2026-03-31,10\n", 0);
	/* The terminal's administrator is an account of the central too: it
	 * enters the applications below (issue 15 B: entered_by must be an
	 * active account with the right). */
	import(v, "accounts", "name,display,role,perms,view_mynumber,request\n"
	    "kanri-taro,管理 太郎,admin,maru-fuku:write,1,REQ-1\n", 0);
	central_cmd(v, "terminal", "enrol", "T001", "--wards", "01", &p);
	REQUIRE(p.status == 0);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
	t_proc_free(&p);
	REQUIRE_OK(store_create(v->tdir, "kanri-taro", PW, &e), &e);
	if (start) {
		char *argv[] = { (char *)t_bin("madoguchi"), "--store", v->tdir, "enroll",
		    "--central", v->addr, "--central-key", v->key, "--user", "kanri-taro",
		    "--password-stdin", "--token-stdin", NULL };
		char in[128];

		/* the token follows the password on standard input, never on
		 * the command line (LOG-5: /proc/PID/cmdline is public) */
		snprintf(in, sizeof(in), "%s%s\n", PW_IN, token);
		central_start(v);
		run(argv, in, &p);
		if (p.status != 0)
			t_fail_at(__FILE__, __LINE__, "enroll: %s %s", p.out, p.err);
		t_proc_free(&p);
	}
}

static int
term_sync(struct env *v, struct t_proc *p)
{
	char *argv[] = { (char *)t_bin("madoguchi"), "--store", v->tdir, "sync",
	    "--user", "kanri-taro", "--password-stdin", NULL };

	return run(argv, PW_IN, p);
}

static struct store *
term_open(struct env *v)
{
	struct store *st;
	struct err e;

	if (store_open(v->tdir, "kanri-taro", PW, &st, &e) != 0) {
		t_fail_at(__FILE__, __LINE__, "store_open: %s", e.msg);
		t_stop();
	}
	return st;
}

TEST(e2e_import_sync_resident_found)
{
	struct env v;
	struct t_proc p;
	struct store *st;
	struct person per;
	struct cert_list cl;
	struct sync_log_row *log;
	char mn[13];
	size_t n;
	struct err e;

	setup(&v, 1);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "sync done") != NULL);
	t_proc_free(&p);
	st = term_open(&v);
	CHECK_OK(store_person_get(st, "000000001", &per, &e), &e);
	CHECK_STR(per.name, "山田 太郎");
	CHECK_INT(per.birth, 19800401);
	CHECK_OK(store_person_get(st, "000000002", &per, &e), &e);
	CHECK_INT(per.birth, 20190501);	/* R1.5.1 */
	/* Ward 02 is outside T001's scope. */
	CHECK_INT(store_person_get(st, "000000003", &per, &e), ERR_NOTFOUND);
	CHECK_OK(store_mynumber_get(st, "000000001", mn, &e), &e);
	CHECK_STR(mn, "123456789018");
	REQUIRE_OK(store_cert_list(st, "000000001", "maru-fuku", &cl, &e), &e);
	CHECK_INT(cl.n, 1);
	if (cl.n == 1)
		CHECK_INT(cl.v[0].burden_rate, 10);
	cert_list_free(&cl);
	/* LOG-4: the round is in the sync log. */
	REQUIRE_OK(sync_log_list(st, 10, &log, &n, &e), &e);
	CHECK(n >= 1 && strcmp(log[0].result, "ok") == 0);
	CHECK(n >= 1 && strstr(log[0].destination, "127.0.0.1") != NULL);
	free(log);
	store_close(st);
	/* A second round moves nothing; a re-import changes nothing. */
	import(&v, "persons", PERSONS, 0);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "pulled 0 changes") != NULL);
	t_proc_free(&p);
	central_stop(&v);
}

static void
intake(struct store *st, const char *atena, char uuid[37])
{
	struct application a;
	struct err e;

	memset(&a, 0, sizeof(a));
	snprintf(a.procedure, sizeof(a.procedure), "maru-fuku");
	snprintf(a.type, sizeof(a.type), "new");
	snprintf(a.atena, sizeof(a.atena), "%s", atena);
	snprintf(a.entered_by, sizeof(a.entered_by), "kanri-taro");
	snprintf(a.status, sizeof(a.status), "received");
	a.form_json = strdup("{\"reason\":\"転入\"}");
	REQUIRE_OK(store_application_save(st, &a, &e), &e);
	REQUIRE_OK(sync_outbox_application(st, a.uuid, &e), &e);
	memcpy(uuid, a.uuid, 37);
	application_clear(&a);
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST(e2e_offline_intake_arrives_once_and_decision_returns)
{
	struct env v;
	struct t_proc p;
	struct store *st;
	struct application a;
	char uuid[37], csv[256];
	int64_t left;
	struct err e;

	setup(&v, 1);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	central_stop(&v);
	/* Offline: the intake works and waits in the outbox (NET-7). */
	st = term_open(&v);
	intake(st, "000000001", uuid);
	store_close(st);
	CHECK_INT(term_sync(&v, &p), 1);
	CHECK(strstr(p.out, "FAILED") != NULL);
	t_proc_free(&p);
	st = term_open(&v);
	CHECK_OK(store_outbox_count(st, &left, &e), &e);
	CHECK_INT(left, 1);
	CHECK_INT(sync_is_pending(st, uuid), 1);	/* provisional (NET-7) */
	store_close(st);
	/* Back online: it arrives, once. */
	central_start(&v);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "outbox left 0") != NULL);
	t_proc_free(&p);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	st = term_open(&v);
	CHECK_INT(sync_is_pending(st, uuid), 0);
	store_close(st);
	central_export(&v, 0, &p);
	CHECK_INT(p.status, 0);
	CHECK_INT(count_lines(p.out), 1);
	CHECK(strstr(p.out, uuid) != NULL);
	t_proc_free(&p);
	central_export(&v, 1, &p);
	CHECK_INT(count_lines(p.out), 2);	/* header + one */
	t_proc_free(&p);
	/* Queued again unchanged: one item, and the central answers
	 * "duplicate".  A corrected version (queued twice before it is sent)
	 * arrives once more, as a new version. */
	st = term_open(&v);
	REQUIRE_OK(sync_outbox_application(st, uuid, &e), &e);
	store_close(st);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "pushed 0 (duplicates 1") != NULL);
	t_proc_free(&p);
	st = term_open(&v);
	REQUIRE_OK(store_application_get(st, uuid, &a, &e), &e);
	free(a.form_json);
	a.form_json = strdup("{\"reason\":\"転居\"}");
	REQUIRE_OK(store_application_save(st, &a, &e), &e);
	application_clear(&a);
	REQUIRE_OK(sync_outbox_application(st, uuid, &e), &e);
	REQUIRE_OK(sync_outbox_application(st, uuid, &e), &e);
	CHECK_OK(store_outbox_count(st, &left, &e), &e);
	CHECK_INT(left, 1);
	store_close(st);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "pushed 1 (duplicates 0") != NULL);
	t_proc_free(&p);
	central_export(&v, 0, &p);
	CHECK_INT(count_lines(p.out), 2);
	/* the later line is the corrected version of the same application */
	CHECK(strstr(p.out, "転居") != NULL && strstr(p.out, "転居") > strstr(p.out, "転入"));
	CHECK(strstr(strchr(p.out, '\n'), uuid) != NULL);
	t_proc_free(&p);
	/* The decision made in the core system comes back (決定). */
	st = term_open(&v);
	REQUIRE_OK(store_application_get(st, uuid, &a, &e), &e);
	snprintf(csv, sizeof(csv), "receipt_no,status,decided_at\n%s,決定,2025-05-01\n",
	    a.receipt_no);
	application_clear(&a);
	store_close(st);
	import(&v, "decisions", csv, 0);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	st = term_open(&v);
	REQUIRE_OK(store_application_get(st, uuid, &a, &e), &e);
	CHECK_STR(a.status, "decided");
	application_clear(&a);
	store_close(st);
	central_stop(&v);
}

TEST(e2e_deletion_purges_and_mynumber_change_is_queued)
{
	struct env v;
	struct t_proc p;
	struct store *st;
	struct person per;
	struct sync_confirm_row *q;
	char mn[13];
	size_t n;
	struct err e;

	setup(&v, 1);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	/* 000000002 leaves (転出): a tombstone; 000000001 gets another number. */
	import(&v, "persons", "atena,name,kana,birth,sex,address,ward,mynumber,op\n"
	    "000000002,,,,,,,,delete\n"
	    "000000001,山田 太郎,ヤマダ タロウ,1980-04-01,1,窓口市北区1-1,01,000000000019,\n", 0);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "deleted 1") != NULL);
	CHECK(strstr(p.out, "held for confirmation 1") != NULL);
	t_proc_free(&p);
	st = term_open(&v);
	CHECK_INT(store_person_get(st, "000000002", &per, &e), ERR_NOTFOUND);
	/* ID-6: the number was not replaced silently. */
	CHECK_OK(store_mynumber_get(st, "000000001", mn, &e), &e);
	CHECK_STR(mn, "123456789018");
	REQUIRE_OK(sync_confirm_list(st, 10, &q, &n, &e), &e);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(q[0].atena, "000000001");
		CHECK_STR(q[0].proposed_masked, "**** **** 0019");
	}
	store_close(st);
	/* A person approves it: only now is the new number linked.  Not the
	 * one whose sync queued it (issue 14): another reviewer with the
	 * view flag. */
	if (n == 1) {
		char idbuf[24];
		char *argv[] = { (char *)t_bin("madoguchi"), "--store", v.tdir, "sync",
		    "approve", idbuf, "--user", "kanri-taro", "--password-stdin", NULL };
		struct account ra;

		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)q[0].id);
		CHECK_INT(run(argv, PW_IN, &p), 1);
		CHECK(strstr(p.err, "queued this change") != NULL);
		t_proc_free(&p);
		st = term_open(&v);
		memset(&ra, 0, sizeof(ra));
		snprintf(ra.name, sizeof(ra.name), "shinsa-jiro");
		ra.role = ROLE_REVIEWER;
		ra.view_mynumber = 1;
		CHECK_OK(store_account_add(st, &ra, PW, &e), &e);
		store_close(st);
		argv[7] = "shinsa-jiro";
		CHECK_INT(run(argv, PW_IN, &p), 0);
		t_proc_free(&p);
		CHECK_INT(run(argv, PW_IN, &p), 1);	/* decided already */
		t_proc_free(&p);
		/* read by the approver, who holds the view right */
		REQUIRE_OK(store_open(v.tdir, "shinsa-jiro", PW, &st, &e), &e);
		CHECK_OK(store_mynumber_get(st, "000000001", mn, &e), &e);
		CHECK_STR(mn, "000000000019");
		store_close(st);
	}
	free(q);
	central_stop(&v);
}

TEST(e2e_revoked_unknown_and_wrong_key_refused)
{
	struct env v, w;
	struct t_proc p;
	char token[64];

	setup(&v, 1);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	/* Revoked (AC-3, AC-8): refused at the handshake. */
	central_cmd(&v, "terminal", "revoke", "T001", NULL, NULL, &p);
	CHECK_INT(p.status, 0);
	t_proc_free(&p);
	CHECK_INT(term_sync(&v, &p), 1);
	CHECK(strstr(p.err, "refused") != NULL);
	t_proc_free(&p);
	/* A token is good once: a second terminal cannot reuse it. */
	central_cmd(&v, "terminal", "enrol", "T002", "--wards", "01", &p);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
	t_proc_free(&p);
	memset(&w, 0, sizeof(w));
	{
		struct err e;
		char bin[512], t2[512], t3[512], t4[512], badkey[65], in[128];
		char *a1[] = { bin, "--store", t2, "enroll", "--central", v.addr,
		    "--central-key", v.key, "--user", "kanri-taro",
		    "--password-stdin", "--token-stdin", NULL };
		char *a3[] = { bin, "--store", t3, "enroll", "--central", v.addr,
		    "--central-key", v.key, "--user", "kanri-taro",
		    "--password-stdin", "--token-stdin", NULL };
		char *a4[] = { bin, "--store", t4, "enroll", "--central", v.addr,
		    "--central-key", badkey, "--user", "kanri-taro",
		    "--password-stdin", "--token-stdin", NULL };
		/* LOG-5: the old form with the token on the command line is refused */
		char *aold[] = { bin, "--store", t2, "enroll", "--central", v.addr,
		    "--central-key", v.key, "--token", token, "--user", "kanri-taro",
		    "--password-stdin", NULL };

		snprintf(bin, sizeof(bin), "%s", t_bin("madoguchi"));
		snprintf(t2, sizeof(t2), "%s", t_path("t2"));
		snprintf(t3, sizeof(t3), "%s", t_path("t3"));
		snprintf(t4, sizeof(t4), "%s", t_path("t4"));
		REQUIRE_OK(store_create(t2, "kanri-taro", PW, &e), &e);
		REQUIRE_OK(store_create(t3, "kanri-taro", PW, &e), &e);
		REQUIRE_OK(store_create(t4, "kanri-taro", PW, &e), &e);
		/* A wrong pinned central key fails (NET-1) before the token is
		 * spent: the central cannot even read message 1. */
		memcpy(badkey, v.key, 65);
		badkey[0] = badkey[0] == '0' ? '1' : '0';
		snprintf(in, sizeof(in), "%s%s\n", PW_IN, token);
		CHECK_INT(run(aold, in, &p), 2);
		t_proc_free(&p);
		CHECK_INT(run(a1, PW_IN, &p), 1);	/* no token given */
		CHECK(strstr(p.err, "token") != NULL);
		t_proc_free(&p);
		CHECK_INT(run(a4, in, &p), 1);
		CHECK(strstr(p.err, "refused") != NULL);
		t_proc_free(&p);
		CHECK_INT(run(a1, in, &p), 0);
		CHECK(strstr(p.out, token) == NULL && strstr(p.err, token) == NULL);
		t_proc_free(&p);
		/* The same token again: refused. */
		CHECK_INT(run(a3, in, &p), 1);
		CHECK(strstr(p.err, "refused") != NULL);
		t_proc_free(&p);
	}
	central_stop(&v);
}

TEST(e2e_audit_rows_reach_the_central_with_chain_checked)
{
	struct env v;
	struct t_proc p;
	struct central *c;
	struct store *st;
	struct sync_config cfg;
	struct sync_report rep;
	struct err e;
	sqlite3_stmt *q;
	uint8_t pk[32], sk[64];
	char skx[129];
	int rows = -1, bad = -1, heads = -1, match = -1;

	setup(&v, 1);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "audit rows 0") == NULL);
	t_proc_free(&p);
	/* LOG-2 / SPEC 4: a head signed with a key that is not the enrolled
	 * one is refused (and not recorded as signed). */
	st = term_open(&v);
	crypto_sign_keypair(pk, sk);
	hex_encode(sk, 64, skx);
	REQUIRE_OK(store_secret_set(st, "sync.sign_key", skx, strlen(skx), &e), &e);
	REQUIRE_OK(store_audit_append(st, NULL, NULL, "test.row", NULL, NULL, NULL, &e), &e);
	REQUIRE_OK(sync_config_load(st, NULL, &cfg, &e), &e);
	CHECK_OK(sync_round(st, &cfg, &rep, &e), &e);
	CHECK_INT(rep.head_signed, 0);
	store_close(st);
	central_stop(&v);
	REQUIRE_OK(central_open(v.cdir, &c, &e), &e);
	REQUIRE(sqlite3_prepare_v2(c->db, "SELECT count(*), sum(chain_ok = 0) FROM audit"
	    " WHERE terminal = 'T001'", -1, &q, NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW) {
		rows = sqlite3_column_int(q, 0);
		bad = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
	REQUIRE(sqlite3_prepare_v2(c->db, "SELECT count(*), sum(matches) FROM audit_heads"
	    " WHERE terminal = 'T001'", -1, &q, NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW) {
		heads = sqlite3_column_int(q, 0);
		match = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
	central_close(c);
	CHECK(rows >= 2);
	CHECK_INT(bad, 0);
	/* the first round's head only: signed, verified, matching its rows */
	CHECK_INT(heads, 1);
	CHECK_INT(match, 1);
	CHECK(t_dir_contains(t_tmpdir(), "does not verify", 15) != NULL);
}

TEST(e2e_accounts_from_central_and_revocation_reaches_terminal)
{
	struct env v;
	struct t_proc p;
	struct store *st, *cs;
	struct account a;
	struct err e;

	setup(&v, 1);
	import(&v, "accounts", "name,display,role,perms,view_mynumber,request\n"
	    "sato-ichiro,窓口 一郎,clerk,maru-fuku:write;kokuho:read,0,REQ-1\n", 0);
	import(&v, "accounts", "name,display,role,request\nbad name,x,clerk,REQ-2\n"
	    "x2,x,boss,REQ-3\n", 1);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	st = term_open(&v);
	REQUIRE_OK(store_account_get(st, "sato-ichiro", &a, &e), &e);
	CHECK_STR(a.display, "窓口 一郎");
	CHECK_INT(a.role, ROLE_CLERK);
	/* AC-3: no end date given = the end of this fiscal year */
	{
		struct date today;

		date_today(&today);
		CHECK_INT(a.valid_until, (date_fiscal_year(&today) + 1) * 10000 + 331);
	}
	CHECK_INT(account_perm(&a, "maru-fuku"), PERM_WRITE);
	CHECK_INT(account_perm(&a, "kokuho"), PERM_READ);
	CHECK_INT(store_account_get(st, "x2", &a, &e), ERR_NOTFOUND);
	/* The local administrator gives the account its password. */
	CHECK_OK(store_account_set_password(st, "sato-ichiro", NULL, "Tq7!wZr4pM", &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(v.tdir, "sato-ichiro", "Tq7!wZr4pM", &cs, &e), &e);
	store_close(cs);
	/* AC-3: revoked at the centre, refused at the branch after one sync. */
	import(&v, "accounts", "name,display,role,perms,view_mynumber,disabled,request\n"
	    "sato-ichiro,窓口 一郎,clerk,maru-fuku:write;kokuho:read,0,1,REQ-4\n", 0);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	CHECK_INT(store_open(v.tdir, "sato-ichiro", "Tq7!wZr4pM", &cs, &e), ERR_PERM);
	central_stop(&v);
}

TEST(e2e_refused_item_stays_pending_with_reason)
{
	struct env v;
	struct t_proc p;
	struct store *st;
	struct err e;
	char bin[512];
	char *argv[] = { bin, "--store", NULL, "sync", "pending",
	    "--user", "kanri-taro", "--password-stdin", NULL };
	const char *bad = "{\"uuid\":\"x\",\"procedure\":\"maru-fuku\",\"colour\":\"red\"}";

	setup(&v, 1);
	snprintf(bin, sizeof(bin), "%s", t_bin("madoguchi"));	/* t_bin's buffers rotate */
	argv[2] = v.tdir;
	st = term_open(&v);
	/* NET-3 at the central: an undefined member; LOG-4 at the terminal. */
	REQUIRE_OK(store_outbox_add(st, NULL, "application", bad, strlen(bad), NULL, &e), &e);
	/* Too large to send at all: kept and listed, and it holds nothing up. */
	{
		char *big = malloc(SYNC_BODY_MAX + 10);
		char uuid[37];

		memset(big, 'x', SYNC_BODY_MAX + 10);
		REQUIRE_OK(store_outbox_add(st, NULL, "application", big, SYNC_BODY_MAX + 10,
		    NULL, &e), &e);
		free(big);
		intake(st, "000000001", uuid);
	}
	store_close(st);
	CHECK_INT(term_sync(&v, &p), 0);
	if (strstr(p.out, "pushed 1 ") == NULL || strstr(p.out, "rejected 1") == NULL)
		t_fail_at(__FILE__, __LINE__, "sync: %s", p.out);
	CHECK(strstr(p.out, "outbox left 2") != NULL);
	t_proc_free(&p);
	CHECK_INT(run(argv, PW_IN, &p), 0);
	if (strstr(p.out, "REFUSED: undefined member \"colour\"") == NULL)
		t_fail_at(__FILE__, __LINE__, "pending: %s / %s", p.out, p.err);
	CHECK(strstr(p.out, "REFUSED: too large") != NULL);
	CHECK(strstr(p.out, "2 waiting") != NULL);
	t_proc_free(&p);
	central_stop(&v);
}

/* Issue 15, rollback: a terminal store restored from an older copy signs
 * an audit head behind the one the central already has; the central
 * refuses the head, holds the terminal (refused at its next handshake,
 * HELD in `terminal list`) until an administrator releases it. */
TEST(e2e_rolled_back_terminal_is_held_until_released)
{
	struct env v;
	struct t_proc p;
	struct store *st;
	struct err e;
	char bak[600];
	int i;

	setup(&v, 1);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	snprintf(bak, sizeof(bak), "%s.bak", v.tdir);
	{
		char *cp[] = { "cp", "-a", v.tdir, bak, NULL };

		REQUIRE(run(cp, NULL, &p) == 0);
		t_proc_free(&p);
	}
	st = term_open(&v);
	for (i = 0; i < 10; i++)
		REQUIRE_OK(store_audit_append(st, NULL, NULL, "test.row", NULL, NULL, NULL,
		    &e), &e);
	store_close(st);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	/* the older copy comes back */
	{
		char *rm[] = { "rm", "-rf", v.tdir, NULL };
		char *cp[] = { "cp", "-a", bak, v.tdir, NULL };

		REQUIRE(run(rm, NULL, &p) == 0);
		t_proc_free(&p);
		REQUIRE(run(cp, NULL, &p) == 0);
		t_proc_free(&p);
	}
	term_sync(&v, &p);
	t_proc_free(&p);
	CHECK(t_dir_contains(t_tmpdir(), "HELD for an administrator", 25) != NULL);
	CHECK(t_dir_contains(t_tmpdir(), "store went back", 15) != NULL);
	/* refused from now on, and raised in the terminal list */
	CHECK_INT(term_sync(&v, &p), 1);
	t_proc_free(&p);
	central_cmd(&v, "terminal", "list", NULL, NULL, NULL, &p);
	CHECK(strstr(p.out, "HELD") != NULL && strstr(p.out, "terminal release T001") != NULL);
	t_proc_free(&p);
	/* the administrator looked at it: released, it syncs again */
	central_cmd(&v, "terminal", "release", "T001", NULL, NULL, &p);
	CHECK_INT(p.status, 0);
	t_proc_free(&p);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	central_cmd(&v, "terminal", "list", NULL, NULL, NULL, &p);
	CHECK(strstr(p.out, "HELD") == NULL);
	t_proc_free(&p);
	central_stop(&v);
}

/* Issue 15 A, rollback past the old head: the restored copy then writes
 * more rows than were lost, so its head's row number is beyond every head
 * the central has; only the store's generation counter inside the signed
 * head (protocol 3) shows that it went back.  Held, reported, released. */
TEST(e2e_restored_store_with_more_rows_is_caught_by_the_counter)
{
	struct env v;
	struct t_proc p;
	struct store *st;
	struct err e;
	char bak[600];
	int i;

	setup(&v, 1);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "protocol 3") != NULL || strstr(p.out, "protocol version 3") != NULL);
	t_proc_free(&p);
	snprintf(bak, sizeof(bak), "%s.bak", v.tdir);
	{
		char *cp[] = { "cp", "-a", v.tdir, bak, NULL };

		REQUIRE(run(cp, NULL, &p) == 0);
		t_proc_free(&p);
	}
	st = term_open(&v);
	for (i = 0; i < 2; i++)
		REQUIRE_OK(store_audit_append(st, NULL, NULL, "test.row", NULL, NULL, NULL,
		    &e), &e);
	store_close(st);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	{
		char *rm[] = { "rm", "-rf", v.tdir, NULL };
		char *cp[] = { "cp", "-a", bak, v.tdir, NULL };

		REQUIRE(run(rm, NULL, &p) == 0);
		t_proc_free(&p);
		REQUIRE(run(cp, NULL, &p) == 0);
		t_proc_free(&p);
	}
	/* more rows than were lost: the head's row number moves past */
	st = term_open(&v);
	for (i = 0; i < 30; i++)
		REQUIRE_OK(store_audit_append(st, NULL, NULL, "test.row", NULL, NULL, NULL,
		    &e), &e);
	store_close(st);
	term_sync(&v, &p);
	t_proc_free(&p);
	CHECK(t_dir_contains(t_tmpdir(), "HELD for an administrator", 25) != NULL);
	CHECK(t_dir_contains(t_tmpdir(), "carries store counter", 21) != NULL);
	CHECK_INT(term_sync(&v, &p), 1);
	t_proc_free(&p);
	central_cmd(&v, "terminal", "list", NULL, NULL, NULL, &p);
	CHECK(strstr(p.out, "HELD") != NULL);
	t_proc_free(&p);
	central_cmd(&v, "terminal", "release", "T001", NULL, NULL, &p);
	CHECK_INT(p.status, 0);
	t_proc_free(&p);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	central_stop(&v);
}

/* Issue 15 B at the real terminal: an application entered by an account
 * the central does not know, and one for another ward's resident, are
 * refused; the terminal keeps them with the central's reasons
 * (sync_rejects, `madoguchi sync pending`). */
TEST(e2e_central_refusal_reaches_the_terminal_with_its_reason)
{
	struct env v;
	struct t_proc p;
	struct store *st;
	struct application a;
	struct err e;
	char bin[512];
	char *argv[] = { bin, "--store", NULL, "sync", "pending",
	    "--user", "kanri-taro", "--password-stdin", NULL };
	int i;

	setup(&v, 1);
	snprintf(bin, sizeof(bin), "%s", t_bin("madoguchi"));
	argv[2] = v.tdir;
	st = term_open(&v);
	for (i = 0; i < 2; i++) {
		memset(&a, 0, sizeof(a));
		snprintf(a.procedure, sizeof(a.procedure), "maru-fuku");
		snprintf(a.type, sizeof(a.type), "new");
		snprintf(a.atena, sizeof(a.atena), i == 0 ? "000000001" : "000000003");
		snprintf(a.entered_by, sizeof(a.entered_by), i == 0 ? "ghost" : "kanri-taro");
		snprintf(a.status, sizeof(a.status), "received");
		a.form_json = strdup("{}");
		REQUIRE_OK(store_application_save(st, &a, &e), &e);
		REQUIRE_OK(sync_outbox_application(st, a.uuid, &e), &e);
		application_clear(&a);
	}
	store_close(st);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "rejected 2") != NULL);
	t_proc_free(&p);
	CHECK_INT(run(argv, PW_IN, &p), 0);
	if (strstr(p.out, "REFUSED: entered_by \"ghost\" is no account at the central") == NULL ||
	    strstr(p.out, "outside this terminal's wards") == NULL)
		t_fail_at(__FILE__, __LINE__, "pending: %s / %s", p.out, p.err);
	t_proc_free(&p);
	central_stop(&v);
}

struct leak_needles {
	const char *what[6];
	int found[6];
	int n;
};

static int
leak_page(const uint8_t *pt, size_t n, uint32_t pgno, int wal, void *arg)
{
	struct leak_needles *nd = arg;

	(void)pgno;
	(void)wal;
	for (int i = 0; i < nd->n; i++)
		if (memmem(pt, n, nd->what[i], strlen(nd->what[i])) != NULL)
			nd->found[i]++;
	return 0;
}

/* NET-6, issue 13: a resident deleted at the centre — after ONE sync the
 * terminal holds nothing that names them: their application (pushed and
 * acknowledged), its status history and identity check are gone, the audit
 * rows about them are redacted and the chain still verifies, and a scan of
 * every decrypted page of the database and its WAL finds no byte of their
 * name, kana, address or 宛名番号 (the same scan finds them before). */
TEST(e2e_deleted_person_leaves_nothing_after_one_sync)
{
	struct env v;
	struct t_proc p;
	struct store *st;
	struct idcheck ic;
	struct err e;
	char uuid[37];
	int64_t bad, rows;
	long badpages = 0;
	struct leak_needles nd = { { "山田 花子", "ハナコ", "000000002" }, { 0 }, 3 };

	setup(&v, 1);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	st = term_open(&v);
	memset(&ic, 0, sizeof(ic));
	snprintf(ic.method, sizeof(ic.method), "ic-card");
	snprintf(ic.atena, sizeof(ic.atena), "000000002");
	REQUIRE_OK(store_idcheck_save(st, &ic, &e), &e);
	intake(st, "000000002", uuid);
	REQUIRE_OK(store_audit_append(st, NULL, NULL, "person.view", "000000002",
	    "lookup", "opened", &e), &e);
	store_close(st);
	CHECK_INT(term_sync(&v, &p), 0);	/* pushed and acknowledged */
	t_proc_free(&p);
	st = term_open(&v);
	REQUIRE_OK(store_scan_pages(st, leak_page, &nd, &badpages, &e), &e);
	for (int i = 0; i < nd.n; i++) {
		if (nd.found[i] == 0)
			t_fail_at(__FILE__, __LINE__, "before: \"%s\" not seen", nd.what[i]);
		nd.found[i] = 0;
	}
	store_close(st);

	import(&v, "persons", "atena,name,kana,birth,sex,address,ward,mynumber,op\n"
	    "000000002,,,,,,,,delete\n", 0);
	CHECK_INT(term_sync(&v, &p), 0);
	CHECK(strstr(p.out, "deleted 1") != NULL);
	t_proc_free(&p);
	st = term_open(&v);
	{
		struct application a;

		CHECK_INT(store_application_get(st, uuid, &a, &e), ERR_NOTFOUND);
	}
	CHECK_OK(store_audit_verify(st, &bad, &rows, &e), &e);
	REQUIRE_OK(store_scan_pages(st, leak_page, &nd, &badpages, &e), &e);
	CHECK_INT(badpages, 0);
	for (int i = 0; i < nd.n; i++)
		if (nd.found[i] != 0)
			t_fail_at(__FILE__, __LINE__, "after one sync: \"%s\" in %d decrypted"
			    " page(s)", nd.what[i], nd.found[i]);
	store_close(st);
	/* RET-2: the purge records reach the central at the next sync (item
	 * kind "purge", protocol version 3) and are listed per terminal,
	 * with record IDs and never the person. */
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	central_cmd(&v, "report", "purges", "T001", NULL, NULL, &p);
	CHECK_INT(p.status, 0);
	if (strstr(p.out, "person-deleted") == NULL || strstr(p.out, "sync") == NULL ||
	    strstr(p.out, "# 2 purge record(s)") == NULL || strstr(p.out, "000000002") != NULL)
		t_fail_at(__FILE__, __LINE__, "report purges: %s", p.out);
	t_proc_free(&p);
	central_stop(&v);
}

/* Issue 13, RET-4: `madoguchi wipe` with an administrator's login writes a
 * signed erasure record (データ消去証明書) outside the store, sends it to the
 * central first, then erases; the central lists it with its signature
 * verified against the terminal's enrolled key.  No personal data in it. */
TEST(e2e_wipe_erasure_record_verifies_at_the_central)
{
	struct env v;
	struct t_proc p;
	char rec[600], in[128], bin[600], *txt;
	char *argv[] = { bin, "--store", v.tdir, "wipe",
	    "--user", "kanri-taro", "--password-stdin", "--confirm-stdin",
	    "--operator", "窓口 太郎", "--record", rec, NULL };

	setup(&v, 1);
	CHECK_INT(term_sync(&v, &p), 0);
	t_proc_free(&p);
	/* t_bin and t_path share rotating buffers: keep copies */
	snprintf(bin, sizeof(bin), "%s", t_bin("madoguchi"));
	snprintf(rec, sizeof(rec), "%s", t_path("erasure.txt"));
	snprintf(in, sizeof(in), "%sWIPE\n", PW_IN);
	CHECK_INT(run(argv, in, &p), 0);
	if (strstr(p.out, "erasure record sent to the central") == NULL ||
	    strstr(p.out, "wiped") == NULL)
		t_fail_at(__FILE__, __LINE__, "wipe: %s / %s", p.out, p.err);
	t_proc_free(&p);
	{
		char keys[600];

		snprintf(keys, sizeof(keys), "%s/store.keys", v.tdir);
		CHECK(access(keys, F_OK) != 0);	/* crypto-erased */
	}
	txt = t_read_file(rec, NULL);
	REQUIRE(txt != NULL);
	CHECK(strstr(txt, "madoguchi erasure record 1\nterminal T001\n") != NULL);
	CHECK(strstr(txt, "operator 窓口 太郎\n") != NULL);
	CHECK(strstr(txt, "method crypto-erase") != NULL);
	CHECK(strstr(txt, "signature ed25519 ") != NULL &&
	    strstr(txt, "signature ed25519 none") == NULL);
	CHECK(strstr(txt, "山田") == NULL && strstr(txt, "123456789018") == NULL);
	free(txt);
	central_cmd(&v, "terminal", "erasures", "T001", NULL, NULL, &p);
	CHECK_INT(p.status, 0);
	if (strstr(p.out, "signature verified") == NULL ||
	    strstr(p.out, "operator 窓口 太郎") == NULL ||
	    strstr(p.out, "# 1 erasure record(s)") == NULL)
		t_fail_at(__FILE__, __LINE__, "erasures: %s / %s", p.out, p.err);
	t_proc_free(&p);
	central_stop(&v);
}
