/*
 * test_approvals.c — issue 14, approvals (ID-6, AC-7): linking a changed
 * 個人番号 that a sync queued (`madoguchi sync approve`) needs a reviewer
 * who holds view-mynumber and did not queue it; rejecting needs a reviewer
 * who did not queue it; the audit row names both.  The TUI's 個人番号変更の
 * 確認 goes through the same rule (test_intake_tui.c, test_intake.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core.h"
#include "harness.h"
#include "store.h"
#include "sync.h"

/* src/sync/sync-int.h: how a pull queues a changed number (ID-6). */
int sync_confirm_add(struct store *st, const char *atena, const char *proposed,
    const char *reason, struct err *e);

#define PW "Kx9#vTq2mWzr"

static void
account(struct store *st, const char *name, enum store_role role, int view)
{
	struct account a;
	struct err e;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.role = role;
	a.view_mynumber = view;
	a.valid_until = 0;
	REQUIRE_OK(store_account_add(st, &a, PW, &e), &e);
}

static void
number(const char *first11, char out[13])
{
	int cd = mynumber_check_digit(first11);

	REQUIRE(cd >= 0);
	snprintf(out, 13, "%s%d", first11, cd);
}

static char num_old[13], num_new[13], num_new2[13];

/* A store with the accounts and two changes queued by shinsa-saburo's
 * sync; returns the two queue ids. */
static void
setup(const char *dir, int64_t id[2])
{
	struct store *st;
	struct person p;
	struct sync_confirm_row *v = NULL;
	size_t n = 0;
	struct err e;

	number("12345678901", num_old);
	number("98765432101", num_new);
	number("98765432102", num_new2);
	REQUIRE_OK(store_create(dir, "kanri-taro", PW, &e), &e);
	REQUIRE_OK(store_open(dir, "kanri-taro", PW, &st, &e), &e);
	account(st, "mado-hanako", ROLE_CLERK, 1);
	account(st, "shinsa-ichiro", ROLE_REVIEWER, 0);
	account(st, "shinsa-jiro", ROLE_REVIEWER, 1);
	account(st, "shinsa-saburo", ROLE_REVIEWER, 1);
	for (int i = 0; i < 2; i++) {
		memset(&p, 0, sizeof(p));
		snprintf(p.atena, sizeof(p.atena), "000000000%d", i + 1);
		snprintf(p.name, sizeof(p.name), "山田 太郎");
		snprintf(p.kana, sizeof(p.kana), "ヤマダ タロウ");
		p.birth = 19800401;
		p.sex = 1;
		snprintf(p.address, sizeof(p.address), "窓口市北区1-1");
		REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	}
	REQUIRE_OK(store_mynumber_set(st, "0000000001", num_old, &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(dir, "shinsa-saburo", PW, &st, &e), &e);
	REQUIRE_OK(sync_confirm_add(st, "0000000001", num_new, "central change", &e), &e);
	REQUIRE_OK(sync_confirm_add(st, "0000000002", num_new2, "central change", &e), &e);
	REQUIRE_OK(sync_confirm_list(st, 10, &v, &n, &e), &e);
	REQUIRE(n == 2);
	id[0] = v[0].id;
	id[1] = v[1].id;
	free(v);
	store_close(st);
}

static int
decide(const char *dir, const char *verb, int64_t id, const char *user,
    struct t_proc *p)
{
	char idbuf[24];
	char *argv[] = { (char *)t_bin("madoguchi"), "--store", (char *)dir, "sync",
		(char *)verb, idbuf, "--user", (char *)user, "--password-stdin", NULL };

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	memset(p, 0, sizeof(*p));
	REQUIRE(t_run(argv, NULL, PW "\n", strlen(PW) + 1, 60000, p) == 0);
	return p->status;
}

static int
audit_count(const char *dir, const char *like)
{
	struct store *st;
	struct err e;
	sqlite3_stmt *q;
	int n = -1;

	REQUIRE_OK(store_open(dir, "kanri-taro", PW, &st, &e), &e);
	REQUIRE(sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM audit WHERE"
	    " detail LIKE ?", -1, &q, NULL) == SQLITE_OK);
	sqlite3_bind_text(q, 1, like, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	store_close(st);
	return n;
}

TEST(sync_approve_needs_another_reviewer_with_the_view_flag)
{
	const char *dir = t_path("s");
	int64_t id[2];
	struct t_proc p;
	struct store *st;
	struct err e;
	char mn[13];

	setup(dir, id);
	/* a counter clerk, even one with the view flag */
	CHECK_INT(decide(dir, "approve", id[0], "mado-hanako", &p), 1);
	CHECK(strstr(p.err, "reviewer") != NULL);
	t_proc_free(&p);
	/* a reviewer without the view flag */
	CHECK_INT(decide(dir, "approve", id[0], "shinsa-ichiro", &p), 1);
	CHECK(strstr(p.err, "view-mynumber") != NULL);
	t_proc_free(&p);
	/* the reviewer whose sync queued it */
	CHECK_INT(decide(dir, "approve", id[0], "shinsa-saburo", &p), 1);
	CHECK(strstr(p.err, "queued this change") != NULL);
	t_proc_free(&p);
	/* nothing changed */
	REQUIRE_OK(store_open(dir, "kanri-taro", PW, &st, &e), &e);
	CHECK_OK(store_mynumber_get(st, "0000000001", mn, &e), &e);
	CHECK_STR(mn, num_old);
	store_close(st);
	/* another reviewer with the flag */
	CHECK_INT(decide(dir, "approve", id[0], "shinsa-jiro", &p), 0);
	t_proc_free(&p);
	REQUIRE_OK(store_open(dir, "kanri-taro", PW, &st, &e), &e);
	CHECK_OK(store_mynumber_get(st, "0000000001", mn, &e), &e);
	CHECK_STR(mn, num_new);
	store_close(st);
	CHECK_INT(audit_count(dir, "queued_by=shinsa-saburo decided_by=shinsa-jiro"), 1);
}

TEST(sync_reject_needs_another_reviewer)
{
	const char *dir = t_path("s");
	int64_t id[2];
	struct t_proc p;
	struct store *st;
	struct err e;
	char mn[13];

	setup(dir, id);
	CHECK_INT(decide(dir, "reject", id[1], "mado-hanako", &p), 1);
	t_proc_free(&p);
	CHECK_INT(decide(dir, "reject", id[1], "shinsa-saburo", &p), 1);
	CHECK(strstr(p.err, "queued this change") != NULL);
	t_proc_free(&p);
	/* rejecting opens nothing: the view flag is not needed */
	CHECK_INT(decide(dir, "reject", id[1], "shinsa-ichiro", &p), 0);
	t_proc_free(&p);
	REQUIRE_OK(store_open(dir, "kanri-taro", PW, &st, &e), &e);
	CHECK_INT(store_mynumber_get(st, "0000000002", mn, &e), ERR_NOTFOUND);
	store_close(st);
	CHECK_INT(audit_count(dir, "queued_by=shinsa-saburo decided_by=shinsa-ichiro"), 1);
}
