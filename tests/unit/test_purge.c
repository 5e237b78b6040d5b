/*
 * test_purge.c — the local copy's lifecycle (issue 13): the injectable
 * clock, minimisation of finished applications (DATA-1), retention per
 * category at each clock's edge (RET-1: one day before nothing goes, one
 * day after it is gone), the purge's audit and purge_log rows (RET-2), the
 * deletion cascade of a person deleted at the centre (NET-6) with a leak
 * scan of the DECRYPTED pages (database and WAL frames, free-list pages
 * included), and audit redaction that keeps the chain verifiable.
 *
 * Time is moved with MDG_TEST_NOW (main's test clock, src/core/clock.c),
 * which every timestamp the store writes and every purge cut-off reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core.h"
#include "harness.h"
#include "store.h"

#define ADMIN_PW "Kx9#vTq2mWzr"
#define NUMBER "123456789018"		/* a valid 個人番号 (check digit 8) */

static struct store *
make_store(const char *dir)
{
	struct err e;
	struct store *st = NULL;

	REQUIRE_OK(store_create(dir, "admin01", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(dir, "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_setting_set(st, "terminal.id", "T042", &e), &e);
	return st;
}

/* Stand at a UTC time "YYYY-MM-DDTHH:MM:SS" (main's test clock). */
static void
at(const char *when)
{
	char v[40];

	snprintf(v, sizeof(v), "%sZ", when);
	setenv("MDG_TEST_NOW", v, 1);
}

static const struct purge_policy policy = {
	.applications = 30, .idchecks = 30, .audit = 90, .sync_log = 400,
	.inquiries = 400,
};

static long
count_of(const struct purge_result *r, const char *category)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->c[i].category, category) == 0)
			return r->c[i].count;
	return 0;
}

static long long
sql_int(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	long long v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
		t_fail_at(__FILE__, __LINE__, "%s: %s", sql, sqlite3_errmsg(store_db(st)));
		return -1;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* The text of the first column of the first row, malloc'd ("" when none). */
static char *
sql_text(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	char *v = NULL;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
		t_fail_at(__FILE__, __LINE__, "%s: %s", sql, sqlite3_errmsg(store_db(st)));
		return strdup("");
	}
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		v = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v != NULL ? v : strdup("");
}

static struct person
person_of(const char *atena, const char *name, const char *kana,
    const char *address)
{
	struct person p;

	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "%s", atena);
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.kana, sizeof(p.kana), "%s", kana);
	p.birth = 19800401;
	p.sex = 2;
	snprintf(p.address, sizeof(p.address), "%s", address);
	snprintf(p.ward, sizeof(p.ward), "01");
	return p;
}

/* An application for atena with the 個人番号 and a name in its body, put in
 * status `status`; its uuid in uuid, receipt number in rno. */
static void
add_app(struct store *st, const char *atena, const char *idcheck,
    const char *status, char uuid[37], char rno[32])
{
	struct err e;
	struct application a;
	char form[256];

	memset(&a, 0, sizeof(a));
	snprintf(a.procedure, sizeof(a.procedure), "kokuho");
	snprintf(a.type, sizeof(a.type), "shinki");
	snprintf(a.atena, sizeof(a.atena), "%s", atena);
	snprintf(a.idcheck, sizeof(a.idcheck), "%s", idcheck != NULL ? idcheck : "");
	snprintf(form, sizeof(form), "{\"mynumber\":\"1234 5678 9018\",\"name\":"
	    "\"削除 花子\",\"note\":\"番号%s 受付\",\"other\":\"123456789012\"}", NUMBER);
	a.form_json = strdup(form);
	REQUIRE_OK(store_application_save(st, &a, &e), &e);
	memcpy(uuid, a.uuid, 37);
	snprintf(rno, 32, "%s", a.receipt_no);
	application_clear(&a);
	if (strcmp(status, "received") != 0) {
		REQUIRE_OK(store_application_set_status(st, uuid, "review", "", &e), &e);
		REQUIRE_OK(store_application_set_status(st, uuid, status, "", &e), &e);
	}
}

/* The test clock of main (MDG_TEST_NOW, src/core/clock.c) moves the dates
 * the store writes and the purge reads. */
TEST(test_clock_moves_store_dates)
{
	struct date d;
	char now[32];

	at("2027-01-02T10:00:00");
	date_today(&d);
	CHECK_INT(d.y * 10000 + d.m * 100 + d.d, 20270102);
	REQUIRE(t_write_file(t_path("now"), "2028-02-29T09:00:00Z\n", 21) == 0);
	{
		char v[300];

		snprintf(v, sizeof(v), "@%s", t_path("now"));
		setenv("MDG_TEST_NOW", v, 1);
		date_today(&d);
		CHECK_INT(d.y * 10000 + d.m * 100 + d.d, 20280229);
	}
	unsetenv("MDG_TEST_NOW");
	(void)now;
}

TEST(mask_numbers_in_text)
{
	char *out;
	int n;

	REQUIRE(store_mask_mynumbers("{\"n\":\"" NUMBER "\",\"g\":\"1234-5678-9018\","
	    "\"s\":\"1234 5678 9018\",\"x\":\"123456789012\",\"long\":\"1234567890180\"}",
	    &out, &n) == 0);
	CHECK_INT(n, 3);
	CHECK(strstr(out, "\"n\":\"**** **** 9018\"") != NULL);
	CHECK(strstr(out, "\"g\":\"**** **** 9018\"") != NULL);
	CHECK(strstr(out, "\"s\":\"**** **** 9018\"") != NULL);
	CHECK(strstr(out, "123456789012") != NULL);	/* invalid check digit: kept */
	CHECK(strstr(out, "1234567890180") != NULL);	/* 13 digits: not a number */
	free(out);
}

/* DATA-1: once acknowledged (nothing in the outbox) and forwarded, the body
 * keeps the number masked only; while it waits in the outbox, nothing
 * changes.  RET-1 at the edge: day D+30 kept, day D+31 gone. */
TEST(applications_minimised_then_purged_at_edge)
{
	struct err e;
	struct store *st;
	struct purge_result res;
	char u1[37], r1[32], u2[37], r2[32], u3[37], r3[32], *body, *det;

	at("2026-01-10T10:00:00");
	st = make_store(t_path("s"));
	add_app(st, "0000000001", NULL, "forwarded", u1, r1);
	add_app(st, "0000000002", NULL, "forwarded", u2, r2);
	add_app(st, "0000000003", NULL, "received", u3, r3);
	/* u2 still waits to be pushed. */
	{
		char p[128];

		snprintf(p, sizeof(p), "{\"uuid\":\"%s\",\"status\":\"forwarded\"}", u2);
		REQUIRE_OK(store_outbox_add(st, NULL, "status", p, strlen(p), NULL, &e), &e);
	}
	/* Dry run: counts, changes nothing, writes no audit row. */
	{
		long long rows = sql_int(st, "SELECT count(*) FROM audit");

		REQUIRE_OK(store_purge(st, &policy, 1, NULL, &res, &e), &e);
		CHECK_INT(count_of(&res, "minimise"), 1);
		CHECK_INT(sql_int(st, "SELECT count(*) FROM audit"), rows);
		body = sql_text(st, "SELECT form_json FROM applications WHERE minimised_at = ''"
		    " AND status = 'forwarded' AND receipt_no LIKE '%00001'");
		CHECK(strstr(body, NUMBER) != NULL);
		free(body);
	}
	REQUIRE_OK(store_purge(st, &policy, 0, NULL, &res, &e), &e);
	CHECK_INT(count_of(&res, "minimise"), 1);
	CHECK_INT(count_of(&res, "applications"), 0);
	{
		char sql[200];

		snprintf(sql, sizeof(sql), "SELECT form_json FROM applications WHERE uuid = '%s'", u1);
		body = sql_text(st, sql);
		CHECK(strstr(body, NUMBER) == NULL);
		CHECK(strstr(body, "1234 5678 9018") == NULL);
		CHECK(strstr(body, "**** **** 9018") != NULL);
		CHECK(strstr(body, "削除 花子") != NULL);	/* only the number goes */
		free(body);
		snprintf(sql, sizeof(sql), "SELECT form_json FROM applications WHERE uuid = '%s'", u2);
		body = sql_text(st, sql);
		CHECK(strstr(body, NUMBER) != NULL);	/* not acknowledged yet */
		free(body);
		snprintf(sql, sizeof(sql), "SELECT form_json FROM applications WHERE uuid = '%s'", u3);
		body = sql_text(st, sql);
		CHECK(strstr(body, NUMBER) != NULL);	/* still in the terminal's hands */
		free(body);
	}
	/* RET-2: the audit row names the category, count, dates and receipt. */
	det = sql_text(st, "SELECT detail FROM audit WHERE action = 'purge.minimise'");
	CHECK(strstr(det, "count=1") != NULL);
	CHECK(strstr(det, r1) != NULL);
	CHECK(strstr(det, "oldest=2026-01-10") != NULL);
	free(det);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM purge_log WHERE category = 'minimise'"), 1);

	/* Day D+30: kept. */
	at("2026-02-09T23:00:00");
	REQUIRE_OK(store_purge(st, &policy, 0, NULL, &res, &e), &e);
	CHECK_INT(count_of(&res, "applications"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM applications"), 3);
	/* Day D+31: gone, with its history; the one waiting and the one in
	 * hand stay. */
	at("2026-02-10T08:00:00");
	REQUIRE_OK(store_purge(st, &policy, 0, "system", &res, &e), &e);
	CHECK_INT(count_of(&res, "applications"), 1);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM applications"), 2);
	{
		char sql[200];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM application_status WHERE uuid = '%s'", u1);
		CHECK_INT(sql_int(st, sql), 0);
	}
	det = sql_text(st, "SELECT who || ' ' || detail FROM audit WHERE action = 'purge.applications'");
	CHECK(strncmp(det, "system ", 7) == 0);
	CHECK(strstr(det, r1) != NULL);
	CHECK(strstr(det, "how=deleted") != NULL);
	free(det);
	{
		int64_t bad, rows;

		CHECK_OK(store_audit_verify(st, &bad, &rows, &e), &e);
	}
	store_close(st);
	unsetenv("MDG_TEST_NOW");
}

/* RET-1 at each other clock's edge: identity checks (30 days after the
 * check), answered inquiries (400 after the response), sync log (400),
 * audit rows acknowledged by the central (90); the chain verifies from the
 * recorded base afterwards. */
TEST(other_categories_at_edge)
{
	struct err e;
	struct store *st;
	struct purge_result res;
	struct idcheck ic, kept;
	struct inquiry q;
	int64_t bad, rows, pushed;
	char v[32];

	at("2026-03-01T09:00:00");
	st = make_store(t_path("s"));
	memset(&ic, 0, sizeof(ic));
	snprintf(ic.method, sizeof(ic.method), "ic-card");
	snprintf(ic.atena, sizeof(ic.atena), "0000000005");
	REQUIRE_OK(store_idcheck_save(st, &ic, &e), &e);
	/* An identity check an application still uses is kept. */
	memset(&kept, 0, sizeof(kept));
	snprintf(kept.method, sizeof(kept.method), "ic-card");
	snprintf(kept.atena, sizeof(kept.atena), "0000000006");
	REQUIRE_OK(store_idcheck_save(st, &kept, &e), &e);
	{
		char u[37], r[32];

		add_app(st, "0000000006", kept.uuid, "received", u, r);
	}
	memset(&q, 0, sizeof(q));
	snprintf(q.kind, sizeof(q.kind), "inquiry");
	snprintf(q.atena, sizeof(q.atena), "0000000005");
	snprintf(q.summary, sizeof(q.summary), "保険証の再交付について");
	REQUIRE_OK(store_inquiry_add(st, &q, &e), &e);
	REQUIRE_OK(store_inquiry_respond(st, q.no, "回答済み", &e), &e);
	REQUIRE(sqlite3_exec(store_db(st), "INSERT INTO sync_log (round_id, started_at,"
	    " ended_at, source, destination, content, result) VALUES ('r1',"
	    " '2026-03-01T09:00:00+0900', '2026-03-01T09:00:01+0900', 'T042', 'c',"
	    " 'x', 'ok')", NULL, NULL, NULL) == SQLITE_OK);
	for (int i = 0; i < 5; i++)
		REQUIRE_OK(store_audit_append(st, NULL, NULL, "person.view", "0000000005",
		    "lookup", "x", &e), &e);
	/* The central acknowledged the rows so far. */
	REQUIRE_OK(store_audit_head(st, &pushed, (uint8_t[32]){ 0 }, &e), &e);
	snprintf(v, sizeof(v), "%lld", (long long)pushed);
	REQUIRE_OK(store_setting_set(st, "sync.audit_pushed", v, &e), &e);

	at("2026-03-31T09:00:00");	/* D+30 */
	REQUIRE_OK(store_purge(st, &policy, 0, NULL, &res, &e), &e);
	CHECK_INT(count_of(&res, "idchecks"), 0);
	at("2026-04-01T09:00:00");	/* D+31 */
	REQUIRE_OK(store_purge(st, &policy, 0, NULL, &res, &e), &e);
	CHECK_INT(count_of(&res, "idchecks"), 1);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM idchecks"), 1);	/* the kept one */

	at("2026-05-30T09:00:00");	/* D+90 */
	REQUIRE_OK(store_purge(st, &policy, 0, NULL, &res, &e), &e);
	CHECK_INT(count_of(&res, "audit"), 0);
	at("2026-05-31T09:00:00");	/* D+91 */
	REQUIRE_OK(store_purge(st, &policy, 0, NULL, &res, &e), &e);
	CHECK_INT(count_of(&res, "audit"), pushed);
	CHECK_INT(sql_int(st, "SELECT min(id) FROM audit"), pushed + 1);
	CHECK_OK(store_audit_verify(st, &bad, &rows, &e), &e);
	/* Rows the central has not acknowledged are never purged. */
	CHECK(sql_int(st, "SELECT count(*) FROM audit") > 0);
	/* The triggers still refuse a delete from outside the purge. */
	CHECK(sqlite3_exec(store_db(st), "DELETE FROM audit WHERE id = (SELECT max(id)"
	    " FROM audit)", NULL, NULL, NULL) != SQLITE_OK);

	at("2027-04-05T09:00:00");	/* D+400 */
	REQUIRE_OK(store_purge(st, &policy, 0, NULL, &res, &e), &e);
	CHECK_INT(count_of(&res, "inquiries"), 0);
	CHECK_INT(count_of(&res, "sync_log"), 0);
	at("2027-04-06T09:00:00");	/* D+401 */
	REQUIRE_OK(store_purge(st, &policy, 0, NULL, &res, &e), &e);
	CHECK_INT(count_of(&res, "inquiries"), 1);
	CHECK_INT(count_of(&res, "sync_log"), 1);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM inquiries"), 0);
	CHECK_OK(store_audit_verify(st, &bad, &rows, &e), &e);
	store_close(st);
	unsetenv("MDG_TEST_NOW");
}

struct needles {
	const char *what[8];
	int found[8];
	int n;
};

static int
scan_page(const uint8_t *pt, size_t n, uint32_t pgno, int wal, void *arg)
{
	struct needles *nd = arg;

	(void)pgno;
	(void)wal;
	for (int i = 0; i < nd->n; i++)
		if (memmem(pt, n, nd->what[i], strlen(nd->what[i])) != NULL)
			nd->found[i]++;
	return 0;
}

/* NET-6, issue 13: a person deleted at the centre takes everything naming
 * them: applications (with history), identity checks, outbox rows, the
 * confirmation queue, inquiries; audit rows naming them are redacted and
 * the chain still verifies.  A scan of every decrypted page (database and
 * WAL, free pages included) finds no byte of them; before the delete the
 * same scan finds them (so the scan sees plaintext). */
TEST(person_deleted_cascade_leaves_nothing)
{
	struct err e;
	struct store *st;
	struct person p = person_of("0000000077", "削除 花子", "サクジョ ハナコ",
	    "窓口市北区削除町9丁目8番7号");
	struct person other = person_of("0000000078", "残留 太郎", "ザンリュウ タロウ",
	    "窓口市南区残留町1丁目");
	struct idcheck ic;
	struct inquiry q;
	struct needles nd = { { "削除 花子", "サクジョ ハナコ", "窓口市北区削除町", NUMBER,
		"1234 5678 9018", "0000000077" }, { 0 }, 6 };
	struct needles kept = { { "残留 太郎" }, { 0 }, 1 };
	char u[37], r[32], u2[37], r2[32], v[32], payload[256];
	int64_t bad, rows, head;
	long badpages = 0;

	at("2026-06-01T10:00:00");
	st = make_store(t_path("s"));
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	REQUIRE_OK(store_mynumber_set(st, p.atena, NUMBER, &e), &e);
	REQUIRE_OK(store_person_upsert(st, &other, &e), &e);
	memset(&ic, 0, sizeof(ic));
	snprintf(ic.method, sizeof(ic.method), "ic-card");
	snprintf(ic.atena, sizeof(ic.atena), "%s", p.atena);
	snprintf(ic.detail, sizeof(ic.detail), "削除 花子 確認");
	REQUIRE_OK(store_idcheck_save(st, &ic, &e), &e);
	add_app(st, p.atena, ic.uuid, "forwarded", u, r);
	add_app(st, p.atena, ic.uuid, "received", u2, r2);
	snprintf(payload, sizeof(payload), "{\"uuid\":\"%s\",\"atena\":\"%s\",\"name\":"
	    "\"削除 花子\"}", u2, p.atena);
	REQUIRE_OK(store_outbox_add(st, NULL, "application", payload, strlen(payload),
	    NULL, &e), &e);
	memset(&q, 0, sizeof(q));
	snprintf(q.kind, sizeof(q.kind), "inquiry");
	snprintf(q.atena, sizeof(q.atena), "%s", p.atena);
	snprintf(q.summary, sizeof(q.summary), "削除 花子 からの問い合わせ");
	REQUIRE_OK(store_inquiry_add(st, &q, &e), &e);
	REQUIRE(sqlite3_exec(store_db(st), "INSERT INTO sync_confirm (atena, proposed,"
	    " reason, received_at) VALUES ('0000000077', '" NUMBER "', 'changed',"
	    " '2026-06-01')", NULL, NULL, NULL) == SQLITE_OK);
	REQUIRE_OK(store_audit_append(st, NULL, NULL, "person.view", p.atena, "lookup",
	    "opened", &e), &e);
	REQUIRE_OK(store_audit_append(st, NULL, NULL, "lookup.search", NULL, "lookup",
	    "criteria=kana results=2 offset=0 shown=,0000000077,0000000078,", &e), &e);
	REQUIRE_OK(store_audit_append(st, NULL, NULL, "person.view", other.atena,
	    "lookup", "opened", &e), &e);
	REQUIRE_OK(store_audit_head(st, &head, (uint8_t[32]){ 0 }, &e), &e);
	snprintf(v, sizeof(v), "%lld", (long long)head);
	REQUIRE_OK(store_setting_set(st, "sync.audit_pushed", v, &e), &e);
	store_wal_flush(st);

	/* The scan sees the plaintext: everything is there before. */
	REQUIRE_OK(store_scan_pages(st, scan_page, &nd, &badpages, &e), &e);
	CHECK_INT(badpages, 0);
	for (int i = 0; i < nd.n; i++) {
		if (nd.found[i] == 0)
			t_fail_at(__FILE__, __LINE__, "before: \"%s\" not seen", nd.what[i]);
		nd.found[i] = 0;
	}

	/* The tombstone, as sync applies it; then the WAL is flushed as the
	 * sync round does after pulling deletions. */
	REQUIRE_OK(store_person_delete(st, p.atena, &e), &e);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM applications"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM idchecks"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM outbox WHERE kind <> 'purge'"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM outbox WHERE kind = 'purge'"), 2);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM inquiries"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM sync_confirm"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM audit WHERE redacted_at <> ''"), 2);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM audit WHERE redacted_why ="
	    " 'deleted-at-centre' AND action = 'lookup.search'"), 1);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM persons"), 1);
	CHECK_OK(store_audit_verify(st, &bad, &rows, &e), &e);
	/* RET-2 without naming them: the purge row lists record IDs only. */
	{
		char *det = sql_text(st, "SELECT detail FROM audit WHERE action ="
		    " 'purge.person-deleted'");

		CHECK(strstr(det, r) != NULL);
		CHECK(strstr(det, r2) != NULL);
		CHECK(strstr(det, "0000000077") == NULL);
		free(det);
	}
	/* A redacted row can only be redacted once and not edited. */
	CHECK(sqlite3_exec(store_db(st), "UPDATE audit SET detail = 'x' WHERE"
	    " redacted_at <> ''", NULL, NULL, NULL) != SQLITE_OK);
	store_wal_flush(st);
	REQUIRE_OK(store_scan_pages(st, scan_page, &nd, &badpages, &e), &e);
	CHECK_INT(badpages, 0);
	for (int i = 0; i < nd.n; i++)
		if (nd.found[i] != 0)
			t_fail_at(__FILE__, __LINE__, "after: \"%s\" still in %d decrypted page(s)",
			    nd.what[i], nd.found[i]);
	REQUIRE_OK(store_scan_pages(st, scan_page, &kept, &badpages, &e), &e);
	CHECK(kept.found[0] > 0);	/* the other resident is still there */
	store_close(st);
	unsetenv("MDG_TEST_NOW");
}

/* `madoguchi purge --dry-run` counts and changes nothing; `madoguchi purge`
 * deletes at the edge of [retention] applications and prints the record
 * IDs; a period outside its range stops the program with file:line. */
TEST(cli_purge_dry_run_and_retention_config)
{
	struct err e;
	struct store *st;
	struct t_proc p;
	char u[37], r[32], conf[600], cfg[300];
	char *argv_dry[] = { (char *)t_bin("madoguchi"), "--config", cfg, "--store",
	    (char *)t_path("s"), "purge", "--dry-run", "--user", "admin01",
	    "--password-stdin", NULL };
	char *argv_run[] = { (char *)t_bin("madoguchi"), "--config", cfg, "--store",
	    (char *)t_path("s"), "purge", "--user", "admin01", "--password-stdin", NULL };
	char *env_before[] = { "MDG_TEST_NOW=2026-01-15T09:00:00Z", NULL };
	char *env_after[] = { "MDG_TEST_NOW=2026-01-16T09:00:00Z", NULL };

	snprintf(cfg, sizeof(cfg), "%s", t_path("madoguchi.conf"));
	at("2026-01-10T10:00:00");
	st = make_store(t_path("s"));
	add_app(st, "0000000001", NULL, "decided", u, r);
	store_close(st);
	unsetenv("MDG_TEST_NOW");
	snprintf(conf, sizeof(conf), "[retention]\napplications = 5\n");
	REQUIRE(t_write_file(cfg, conf, strlen(conf)) == 0);

	/* Day D+5: only the masking is due. */
	REQUIRE(t_run(argv_dry, env_before, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 60000, &p) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "minimise: would be masked 1") != NULL);
	CHECK(strstr(p.out, "applications:") == NULL);
	t_proc_free(&p);
	/* Day D+6, dry run: it would go; nothing changes. */
	REQUIRE(t_run(argv_dry, env_after, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 60000, &p) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "applications: would be deleted 1") != NULL);
	CHECK(strstr(p.out, r) != NULL);
	t_proc_free(&p);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM applications WHERE minimised_at = ''"), 1);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM audit WHERE action LIKE 'purge.%'"), 0);
	store_close(st);
	/* For real. */
	REQUIRE(t_run(argv_run, env_after, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 60000, &p) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "applications: deleted 1 (2026-01-10 .. 2026-01-10)") != NULL);
	t_proc_free(&p);
	REQUIRE(t_run(argv_run, env_after, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 60000, &p) == 0);
	CHECK(strstr(p.out, "nothing to purge") != NULL);
	t_proc_free(&p);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM applications"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM audit WHERE action = 'purge.applications'"
	    " AND who = 'admin01'"), 1);
	store_close(st);

	/* Out of range: refused at start-up, naming the line. */
	snprintf(conf, sizeof(conf), "[retention]\n\napplications = 0\n");
	REQUIRE(t_write_file(cfg, conf, strlen(conf)) == 0);
	REQUIRE(t_run(argv_dry, NULL, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 60000, &p) == 0);
	CHECK(p.status != 0);
	CHECK(strstr(p.err, ":3:") != NULL);
	t_proc_free(&p);
}

/* [retention] offline_max at its edge: day D+30 after the last pull
 * nothing goes; day D+31 the pulled residents, their numbers and what the
 * central already holds go, what was not pushed stays, the cursor goes,
 * and the next login is told (once). */
TEST(offline_max_purges_pulled_data_keeps_unpushed)
{
	struct err e;
	struct store *st;
	struct purge_result res;
	struct person p = person_of("0000000091", "遠隔 一郎", "エンカク イチロウ", "窓口市東区1");
	struct purge_policy pol = policy;
	char u1[37], r1[32], u2[37], r2[32], payload[128];

	pol.offline_max = 30;
	at("2026-07-01T09:00:00");
	st = make_store(t_path("s"));
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	REQUIRE_OK(store_mynumber_set(st, p.atena, NUMBER, &e), &e);
	REQUIRE_OK(store_sync_cursor_set(st, "c-1", &e), &e);
	add_app(st, p.atena, NULL, "received", u1, r1);	/* pushed */
	add_app(st, p.atena, NULL, "received", u2, r2);	/* not pushed */
	snprintf(payload, sizeof(payload), "{\"uuid\":\"%s\"}", u2);
	REQUIRE_OK(store_outbox_add(st, NULL, "application", payload, strlen(payload),
	    NULL, &e), &e);

	at("2026-07-31T09:00:00");	/* D+30 */
	REQUIRE_OK(store_purge(st, &pol, 0, "system", &res, &e), &e);
	CHECK_INT(count_of(&res, "offline"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM persons"), 1);
	at("2026-08-01T09:00:00");	/* D+31 */
	REQUIRE_OK(store_purge(st, &pol, 1, "system", &res, &e), &e);
	CHECK(count_of(&res, "offline") > 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM persons"), 1);	/* dry run */
	REQUIRE_OK(store_purge(st, &pol, 0, "system", &res, &e), &e);
	CHECK_INT(count_of(&res, "offline"), 2);	/* the person, the pushed one */
	CHECK_INT(sql_int(st, "SELECT count(*) FROM persons"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM mynumbers"), 0);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM sync_cursor"), 0);
	{
		char sql[160], *det;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM applications WHERE uuid = '%s'", u2);
		CHECK_INT(sql_int(st, sql), 1);		/* not pushed: kept */
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM applications WHERE uuid = '%s'", u1);
		CHECK_INT(sql_int(st, sql), 0);
		det = sql_text(st, "SELECT detail FROM audit WHERE action = 'purge.offline'");
		CHECK(strstr(det, "last-sync=2026-07-01") != NULL);
		CHECK(strstr(det, p.atena) == NULL);
		free(det);
	}
	store_close(st);
	unsetenv("MDG_TEST_NOW");
}

/* A clock set back before the latest time seen refuses the purge, every
 * command and login, until an administrator confirms the time. */
TEST(clock_set_back_refuses_until_confirmed)
{
	struct err e;
	struct store *st;
	struct purge_result res;
	struct t_proc p;
	char *argv_purge[] = { (char *)t_bin("madoguchi"), "--store", (char *)t_path("s"),
	    "purge", "--dry-run", "--user", "admin01", "--password-stdin", NULL };
	char *argv_clock[] = { (char *)t_bin("madoguchi"), "--store", (char *)t_path("s"),
	    "clock", "confirm", "--user", "admin01", "--password-stdin", NULL };
	char *env_back[] = { "MDG_TEST_NOW=2026-09-01T08:00:00Z", NULL };
	char *env_later[] = { "MDG_TEST_NOW=2026-09-10T08:00:00Z", NULL };

	at("2026-09-10T09:00:00");
	st = make_store(t_path("s"));
	REQUIRE_OK(store_purge(st, &policy, 0, NULL, &res, &e), &e);	/* marks */
	at("2026-09-10T09:04:00");	/* within the slack: fine */
	CHECK_OK(store_clock_check(st, NULL, &e), &e);
	at("2026-09-01T08:00:00");
	CHECK_INT(store_purge(st, &policy, 0, NULL, &res, &e), ERR_STATE);
	store_close(st);
	unsetenv("MDG_TEST_NOW");

	REQUIRE(t_run(argv_purge, env_back, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 60000, &p) == 0);
	CHECK_INT(p.status, 1);
	CHECK(strstr(p.err, "時計が戻っています") != NULL);
	t_proc_free(&p);
	/* An hour back is still back. */
	REQUIRE(t_run(argv_purge, env_later, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 60000, &p) == 0);
	CHECK_INT(p.status, 1);
	t_proc_free(&p);
	REQUIRE(t_run(argv_clock, env_back, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 60000, &p) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "time confirmed") != NULL);
	t_proc_free(&p);
	REQUIRE(t_run(argv_purge, env_back, ADMIN_PW "\n", strlen(ADMIN_PW) + 1, 60000, &p) == 0);
	CHECK_INT(p.status, 0);
	t_proc_free(&p);
	at("2026-09-01T08:00:00");
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	CHECK_INT(sql_int(st, "SELECT count(*) FROM audit WHERE action = 'clock.confirm'"), 1);
	store_close(st);
	unsetenv("MDG_TEST_NOW");
}
