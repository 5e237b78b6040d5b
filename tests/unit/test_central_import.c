/*
 * test_central_import.c — the central's CSV reader and imports (SPEC 8,
 * NET-3, NET-6, ID-4, DATA-1): quoting rules, malformed CSV, per-row
 * validation with reasons, one transaction, change records, re-import is a
 * no-op, deletions become tombstones, scope filtering of the pull feed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "central.h"
#include "../../src/central/central-int.h"

static int
rows(const char *text, char out[][8][64], int max, struct err *e)
{
	struct csv *c = csv_new(text, strlen(text));
	char **f;
	size_t nf, i;
	int line, n = 0, r;

	REQUIRE(c != NULL);
	while ((r = csv_next(c, &f, &nf, &line, e)) == 1 && n < max) {
		for (i = 0; i < nf && i < 8; i++)
			snprintf(out[n][i], 64, "%s", f[i]);
		for (; i < 8; i++)
			snprintf(out[n][i], 64, "<none>");
		n++;
	}
	csv_free(c);
	return r < 0 ? r : n;
}

TEST(csv_quoting_and_line_ends)
{
	char out[8][8][64];
	struct err e;

	CHECK_INT(rows("a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\n\n2,,\"multi\nline\"", out, 8, &e), 3);
	CHECK_STR(out[0][2], "c");
	CHECK_STR(out[1][1], "x,y");
	CHECK_STR(out[1][2], "he said \"hi\"");
	CHECK_STR(out[2][1], "");
	CHECK_STR(out[2][2], "multi\nline");
	/* BOM skipped; a trailing comma is an empty last field. */
	CHECK_INT(rows("\xef\xbb\xbf" "a,b,\n", out, 8, &e), 1);
	CHECK_STR(out[0][0], "a");
	CHECK_STR(out[0][2], "");
	CHECK_STR(out[0][3], "<none>");
	CHECK_INT(rows("", out, 8, &e), 0);
}

TEST(csv_malformed_is_an_error_with_line)
{
	char out[8][8][64];
	struct err e;
	char *big;

	CHECK_INT(rows("a\n\"open", out, 8, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "line 2") != NULL);
	CHECK_INT(rows("a\nx\"y\n", out, 8, &e), ERR_FORMAT);
	CHECK_INT(rows("a\n\"x\"y\n", out, 8, &e), ERR_FORMAT);
	CHECK_INT(rows("a\n\xff\xfe\n", out, 8, &e), ERR_FORMAT);
	CHECK_INT(rows("a\nx\0y\n", out, 8, &e), 2);	/* strlen stops at NUL */
	big = malloc(CSV_FIELD_MAX + 10);
	memset(big, 'x', CSV_FIELD_MAX + 5);
	big[CSV_FIELD_MAX + 5] = '\0';
	CHECK_INT(rows(big, out, 8, &e), ERR_FORMAT);
	free(big);
	{
		struct wbuf w;

		wbuf_init(&w, 0);
		for (int i = 0; i < CSV_MAX_FIELDS + 1; i++)
			wbuf_put(&w, "a,", 2);
		wbuf_str(&w);
		CHECK_INT(rows((char *)w.p, out, 8, &e), ERR_FORMAT);
		wbuf_free(&w);
	}
}

static struct central *
fresh(void)
{
	struct central *c;
	struct err e;

	REQUIRE_OK(central_init(t_path("c"), &e), &e);
	REQUIRE_OK(central_open(t_path("c"), &c, &e), &e);
	return c;
}

static int
count(struct central *c, const char *sql)
{
	sqlite3_stmt *q;
	int n = -1;

	REQUIRE(sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return n;
}

static const char *GOOD =
	"atena,name,kana,birth,sex,address,ward,mynumber,postal\n"
	"000000001,山田 太郎,ヤマダ タロウ,1980-04-01,1,北区1-1,01,123456789018,123-4567\n"
	"000000002,山田 花子,ヤマダ ハナコ,H2.2.2,2,北区1-1,01,,\n"
	"000000003,鈴木 一郎,スズキ イチロウ,1990-01-01,1,南区2-2,02,,\n";

TEST(import_persons_rejects_rows_with_reasons)
{
	struct central *c = fresh();
	struct import_report r;
	struct err e;
	char *rep = NULL;
	size_t replen = 0;
	FILE *f = open_memstream(&rep, &replen);
	const char *bad =
		"atena,name,kana,birth,sex,address,ward,mynumber,postal\n"
		"00000000X,a,ア,1980-01-01,1,x,01,,\n"	/* atena not digits */
		"000000011,,ア,1980-01-01,1,x,01,,\n"	/* name missing */
		"000000012,a,ア,1980-02-30,1,x,01,,\n"	/* no such date */
		"000000013,a,ア,1980-01-01,5,x,01,,\n"	/* sex not ISO 5218 */
		"000000014,a,ア,1980-01-01,1,x,01,123456789012,\n"	/* check digit (ID-4) */
		"000000015,a,ア,1980-01-01,1,x,0 1,,\n"	/* ward code */
		"000000016,a,ア,1980-01-01,1,x,01,,1234567\n"	/* postal */
		"000000017,a,ア,1980-01-01,1,x,01\n"	/* field count */
		"000000018,a,ア,1980-01-01,1,x,01,,\n"	/* good */
		"000000018,a,ア,1980-01-01,1,x,01,,\n";	/* twice */

	REQUIRE_OK(central_import_text(c, IMPORT_PERSONS, "p.csv", bad, strlen(bad), f, &r, &e), &e);
	fclose(f);
	CHECK_INT(r.rows, 10);
	CHECK_INT(r.accepted, 1);
	CHECK_INT(r.rejected, 9);
	CHECK(strstr(rep, "p.csv:2: rejected: atena") != NULL);
	CHECK(strstr(rep, "p.csv:3: rejected: name is required") != NULL);
	CHECK(strstr(rep, "p.csv:4: rejected: birth") != NULL);
	CHECK(strstr(rep, "p.csv:6: rejected: mynumber") != NULL);
	CHECK(strstr(rep, "p.csv:11: rejected: atena appears twice") != NULL);
	/* LOG-5: the rejected number is never in the report. */
	CHECK(strstr(rep, "123456789012") == NULL);
	free(rep);
	CHECK_INT(count(c, "SELECT count(*) FROM persons"), 1);
	central_close(c);
}

TEST(import_file_level_errors_apply_nothing)
{
	struct central *c = fresh();
	struct import_report r;
	struct err e;
	const char *unknown = "atena,name,kana,birth,sex,address,ward,colour\n";
	const char *missing = "atena,name\n1,a\n";
	char *broken = malloc(strlen(GOOD) + 20);

	CHECK_INT(central_import_text(c, IMPORT_PERSONS, "u", unknown, strlen(unknown), NULL, &r, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "unknown column") != NULL);
	CHECK_INT(central_import_text(c, IMPORT_PERSONS, "m", missing, strlen(missing), NULL, &r, &e), ERR_FORMAT);
	/* Good rows, then a broken quote: nothing of the file is applied. */
	sprintf(broken, "%s\"000000009", GOOD);
	CHECK_INT(central_import_text(c, IMPORT_PERSONS, "b", broken, strlen(broken), NULL, &r, &e), ERR_FORMAT);
	CHECK_INT(count(c, "SELECT count(*) FROM persons"), 0);
	CHECK_INT(count(c, "SELECT count(*) FROM changes"), 0);
	free(broken);
	central_close(c);
}

TEST(import_reimport_is_noop_and_delete_is_tombstone)
{
	struct central *c = fresh();
	struct import_report r;
	struct msg page;
	struct err e;
	const char *del = "atena,op\n000000002,delete\n000000099,delete\n";

	REQUIRE_OK(central_import_text(c, IMPORT_PERSONS, "g", GOOD, strlen(GOOD), NULL, &r, &e), &e);
	CHECK_INT(r.changed, 3);
	/* persons + one 個人番号 */
	CHECK_INT(count(c, "SELECT count(*) FROM changes"), 4);
	CHECK_INT(count(c, "SELECT max(seq) FROM changes"), 4);
	REQUIRE_OK(central_import_text(c, IMPORT_PERSONS, "g", GOOD, strlen(GOOD), NULL, &r, &e), &e);
	CHECK_INT(r.changed, 0);
	CHECK_INT(r.unchanged, 3);
	CHECK_INT(count(c, "SELECT max(seq) FROM changes"), 4);
	/* Delete: the person, the 個人番号 and its change record go; a
	 * tombstone is in the feed. Unknown atena: nothing to do. */
	REQUIRE_OK(central_import_text(c, IMPORT_PERSONS, "d", del, strlen(del), NULL, &r, &e), &e);
	CHECK_INT(r.changed, 1);
	CHECK_INT(count(c, "SELECT count(*) FROM persons"), 2);
	CHECK_INT(count(c, "SELECT count(*) FROM changes WHERE key = '000000002' AND op = 2"), 1);
	/* Ward 01 sees persons 1 and 2 (tombstone) and the number; not 3. */
	msg_init(&page, MSG_CHANGES, 1);
	REQUIRE_OK(central_changes_page(c->db, "T1", "01", "", 0, 100, &page, &e), &e);
	CHECK_INT(page.nchanges, 3);
	CHECK_INT(page.more, 0);
	CHECK(page.cursor == 5);
	msg_clear(&page);
	/* Pages: a limit of 1 gives one change and more. */
	msg_init(&page, MSG_CHANGES, 1);
	REQUIRE_OK(central_changes_page(c->db, "T1", "01", "", 0, 1, &page, &e), &e);
	CHECK_INT(page.nchanges, 1);
	CHECK_INT(page.more, 1);
	msg_clear(&page);
	central_close(c);
}

TEST(import_eligibility_needs_known_person_and_sane_dates)
{
	struct central *c = fresh();
	struct import_report r;
	struct err e;
	const char *el =
		"atena,procedure,recipient_no,valid_from,valid_to,burden_rate\n"
		"000000001,maru-fuku,R1,2025-04-01,2026-03-31,10\n"
		"000000077,maru-fuku,R2,2025-04-01,2026-03-31,10\n"	/* unknown person */
		"000000001,maru fuku,R3,2025-04-01,2026-03-31,10\n"	/* bad code */
		"000000001,maru-fuku,R4,2025-04-01,2024-03-31,10\n"	/* to < from */
		"000000001,maru-fuku,R5,2025-04-01,,101\n";		/* rate */

	REQUIRE_OK(central_import_text(c, IMPORT_PERSONS, "g", GOOD, strlen(GOOD), NULL, &r, &e), &e);
	REQUIRE_OK(central_import_text(c, IMPORT_ELIGIBILITY, "e", el, strlen(el), NULL, &r, &e), &e);
	CHECK_INT(r.accepted, 1);
	CHECK_INT(r.rejected, 4);
	CHECK_INT(count(c, "SELECT count(*) FROM changes WHERE kind = 3 AND procedure = 'maru-fuku'"
	    " AND ward = '01'"), 1);
	central_close(c);
}

TEST(import_decisions_need_a_received_application)
{
	struct central *c = fresh();
	struct import_report r;
	struct err e;
	const char *d = "receipt_no,status,decided_at\nT1-20250401-00001,決定,2025-05-01\n"
	    "T1-20250401-00002,maybe,2025-05-01\n";

	REQUIRE_OK(central_import_text(c, IMPORT_DECISIONS, "d", d, strlen(d), NULL, &r, &e), &e);
	CHECK_INT(r.rejected, 2);
	/* Issue 15 B: a number received from a terminal whose ID it does not
	 * carry routes nothing there (a store from before the check). */
	REQUIRE(sqlite3_exec(c->db, "INSERT INTO received (uuid, terminal, kind, receipt_no,"
	    " body, received_at) VALUES ('u', 'T2', 1, 'T1-20250401-00001', '{}', 'now')",
	    NULL, NULL, NULL) == SQLITE_OK);
	REQUIRE_OK(central_import_text(c, IMPORT_DECISIONS, "d", d, strlen(d), NULL, &r, &e), &e);
	CHECK_INT(r.accepted, 0);
	REQUIRE(sqlite3_exec(c->db, "INSERT INTO received (uuid, terminal, kind, receipt_no,"
	    " body, received_at) VALUES ('u', 'T1', 1, 'T1-20250401-00001', '{}', 'now')",
	    NULL, NULL, NULL) == SQLITE_OK);
	REQUIRE_OK(central_import_text(c, IMPORT_DECISIONS, "d", d, strlen(d), NULL, &r, &e), &e);
	CHECK_INT(r.accepted, 1);
	CHECK_INT(count(c, "SELECT count(*) FROM changes WHERE kind = 5 AND terminal = 'T1'"), 1);
	CHECK_INT(count(c, "SELECT count(*) FROM changes WHERE kind = 5 AND terminal = 'T2'"), 0);
	CHECK_INT(count(c, "SELECT count(*) FROM decisions WHERE terminal = 'T1'"), 1);
	central_close(c);
}

TEST(central_key_files_must_be_private)
{
	struct central *c;
	struct err e;
	char p[600];

	c = fresh();
	central_close(c);
	snprintf(p, sizeof(p), "%s/central.key", t_path("c"));
	REQUIRE(chmod(p, 0644) == 0);
	CHECK_INT(central_open(t_path("c"), &c, &e), ERR_PERM);
	REQUIRE(chmod(p, 0600) == 0);
	CHECK_OK(central_open(t_path("c"), &c, &e), &e);
	central_close(c);
	/* init refuses to overwrite an existing store */
	CHECK_INT(central_init(t_path("c"), &e), ERR_EXISTS);
}

TEST(central_store_is_encrypted_on_disk)
{
	struct central *c = fresh();
	struct import_report r;
	struct err e;

	REQUIRE_OK(central_import_text(c, IMPORT_PERSONS, "g", GOOD, strlen(GOOD), NULL, &r, &e), &e);
	central_close(c);
	/* Nothing of a resident or a 個人番号 in any file of the store. */
	CHECK(t_dir_contains(t_path("c"), "ヤマダ", strlen("ヤマダ")) == NULL);
	CHECK(t_dir_contains(t_path("c"), "123456789018", 12) == NULL);
	CHECK(t_dir_contains(t_path("c"), "000000001", 9) == NULL);
}

TEST(central_demo_data_passes_validation)
{
	struct central *c = fresh();
	struct import_report p, el;
	struct err e;

	REQUIRE_OK(central_demo_data(c, 1, 300, stderr, &p, &el, &e), &e);
	CHECK_INT(p.accepted, 300);
	CHECK_INT(p.rejected, 0);
	CHECK_INT(el.rejected, 0);
	CHECK(el.accepted > 0);
	CHECK_INT(count(c, "SELECT count(*) FROM persons"), 300);
	/* Same seed again: nothing changes. */
	REQUIRE_OK(central_demo_data(c, 1, 300, stderr, &p, &el, &e), &e);
	CHECK_INT(p.changed, 0);
	CHECK_INT(el.changed, 0);
	central_close(c);
}

TEST(changes_page_stays_within_message_limit)
{
	struct central *c = fresh();
	struct msg page;
	struct wbuf w;
	struct err e;
	sqlite3_stmt *q;
	char *body = malloc(200001);
	int i;

	memset(body, 'x', 200000);
	body[0] = '"';
	body[199999] = '"';
	body[200000] = '\0';
	REQUIRE(sqlite3_prepare_v2(c->db, "INSERT INTO changes (kind, op, key, body, at)"
	    " VALUES (1, 1, ?, ?, 'now')", -1, &q, NULL) == SQLITE_OK);
	for (i = 0; i < 60; i++) {
		char key[16];

		snprintf(key, sizeof(key), "%09d", i);
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, body, -1, SQLITE_STATIC);
		REQUIRE(sqlite3_step(q) == SQLITE_DONE);
	}
	sqlite3_finalize(q);
	/* 60 x 200 kB would not fit one message: the page stops early. */
	msg_init(&page, MSG_CHANGES, 1);
	REQUIRE_OK(central_changes_page(c->db, "T", "", "", 0, 1000, &page, &e), &e);
	CHECK(page.nchanges < 60 && page.nchanges > 0);
	CHECK_INT(page.more, 1);
	CHECK(page.cursor == page.changes[page.nchanges - 1].seq);
	wbuf_init(&w, SYNC_MSG_MAX);
	CHECK_OK(msg_encode(&page, &w, &e), &e);
	wbuf_free(&w);
	msg_clear(&page);
	free(body);
	central_close(c);
}

/* Issue 15 B, output: a row holding a control character (a right-to-left
 * override, a C1 control, an escape) is refused with the row's reason and
 * never reaches the terminals; 外字 (private use) are kept.  A name that
 * is a formula leaves `user review --format csv` as text. */
TEST(import_refuses_control_characters_keeps_gaiji_and_csv_is_guarded)
{
	struct central *c = fresh();
	struct import_report r;
	struct err e;
	char *buf = NULL;
	size_t len = 0;
	FILE *rep = open_memstream(&buf, &len);
	const char *p = "atena,name,kana,birth,sex,address,ward\n"
	    "000000001,山田\xe2\x80\xae" "郎太,ヤマダ タロウ,1980-04-01,1,北区,01\n"
	    "000000002,山田 花子,ヤマダ ハナコ,1982-05-01,2,北区\xc2\x85" "1-1,01\n"
	    "000000003,鈴木\x1b[2J,スズキ,1990-01-01,1,南区,02\n"
	    "000000004,髙\xee\x80\x80 一郎,タカ イチロウ,1990-01-01,1,南区,02\n";
	const char *a = "name,display,role,perms,request\n"
	    "kato-h,\"=HYPERLINK(\"\"http://evil/\"\",\"\"加藤\"\")\",clerk,maru-fuku:write,REQ-1\n";
	char *argv[] = { "review", "--format", "csv", NULL };

	REQUIRE(rep != NULL);
	REQUIRE_OK(central_import_text(c, IMPORT_PERSONS, "p.csv", p, strlen(p), rep, &r, &e), &e);
	fclose(rep);
	CHECK_INT(r.accepted, 1);
	CHECK_INT(r.rejected, 3);
	CHECK(strstr(buf, "p.csv:2: rejected: name holds the control character U+202E") != NULL);
	CHECK(strstr(buf, "p.csv:3: rejected: address holds the control character U+0085") != NULL);
	CHECK(strstr(buf, "p.csv:4: rejected: name holds the control character U+001B") != NULL);
	free(buf);
	CHECK_INT(count(c, "SELECT count(*) FROM persons"), 1);
	CHECK_INT(count(c, "SELECT count(*) FROM persons WHERE body LIKE '%髙\xee\x80\x80 一郎%'"), 1);
	CHECK_INT(count(c, "SELECT count(*) FROM changes WHERE body LIKE '%\xe2\x80\xae%'"), 0);
	/* the formula: stored as given, shown as text */
	REQUIRE_OK(central_import_text(c, IMPORT_ACCOUNTS, "a.csv", a, strlen(a), NULL, &r, &e), &e);
	CHECK_INT(r.accepted, 1);
	rep = open_memstream(&buf, &len);
	REQUIRE(rep != NULL);
	CHECK_OK(central_user_cmd(c, 3, argv, rep, &e), &e);
	fclose(rep);
	CHECK(strstr(buf, "\"'=HYPERLINK(\"\"http://evil/\"\",\"\"加藤\"\")\"") != NULL);
	CHECK(strstr(buf, ",\"=HYPERLINK") == NULL);
	free(buf);
	central_close(c);
}
