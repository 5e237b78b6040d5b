/*
 * test_idlookup.c — the app-level logic of the identity check and the
 * lookup (include/visit.h), without a terminal: search criteria parsing
 * (SC-6, ID-4), permission filtering (AC-6, SC-1), DV/不開示 (SC-5), the
 * freshness rule (NET-5), the document checklist (ID-1), card-vs-record
 * comparison and the no-match / mismatch outcomes (ID-3, ID-6), the
 * identity-check record and the agent (ID-1, ID-2), audit rows (LOG-1,
 * LOG-3).  The store is a real encrypted one in the test's directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card.h"
#include "harness.h"
#include "store.h"
#include "visit.h"

#define ADMIN_PW "Zq#4817Lmtv"
#define CLERK_PW "Hana#7391kx"

static struct account
account_of(const char *name, int view, int search)
{
	struct account a;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.display, sizeof(a.display), "%s", name);
	a.role = ROLE_CLERK;
	a.view_mynumber = view;
	a.search_mynumber = search;
	snprintf(a.perms[0].procedure, STORE_NAME_MAX, "kokuho");
	a.perms[0].level = PERM_READ;
	a.nperms = 1;
	return a;
}

/* A store with 300 demo residents (seed 1), an admin and two clerks:
 * "plain" (no number flags, 国保 read-only) and "number" (both flags). */
static struct store *
fixture(const char *as)
{
	struct store *st;
	struct account a;
	struct err e;

	REQUIRE_OK(store_create(t_path("s"), "admin", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("s"), "admin", ADMIN_PW, &st, &e), &e);
	a = account_of("plain", 0, 0);
	REQUIRE_OK(store_account_add(st, &a, CLERK_PW, &e), &e);
	a = account_of("number", 1, 1);
	REQUIRE_OK(store_account_add(st, &a, CLERK_PW, &e), &e);
	REQUIRE_OK(store_synth_load(st, 1, 300, &e), &e);
	if (strcmp(as, "admin") == 0)
		return st;
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), as, CLERK_PW, &st, &e), &e);
	return st;
}

static int
count_audit(struct store *st, const char *action, const char *person)
{
	struct audit_row *v;
	size_t n;
	int c = 0;

	if (store_audit_list(st, 0, 100000, &v, &n, NULL) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		c += strcmp(v[i].action, action) == 0 &&
		    (person == NULL || strcmp(v[i].person, person) == 0);
	free(v);
	return c;
}

/* A card result as the card module returns it (mynumber in sodium memory
 * there; plain malloc is fine for this test's own struct). */
static struct card_result *
card_of(const struct synth_resident *r, const char *number)
{
	struct card_result *c = calloc(1, sizeof(*c));

	REQUIRE(c != NULL);
	c->ap = CARD_AP_KENHOJO;
	c->unlock = CARD_UNLOCK_PIN;
	c->tries_left = 3;
	c->name = strdup(r->p.name);
	c->address = strdup(r->p.address);
	date_from_ymd(r->p.birth, &c->birth);
	c->sex = r->p.sex;
	c->mynumber = strdup(number);
	c->mynumber_check_ok = mynumber_validate(number, strlen(number), NULL) == 0;
	c->digest_mynumber = c->digest_basic4 = CARD_DIGEST_OK;
	return c;
}

static void
card_free(struct card_result *c)
{
	free(c->name);
	free(c->address);
	free(c->mynumber);
	free(c);
}

static void
resident(int k, struct synth_resident *out)
{
	struct synth *g = synth_new(1);

	REQUIRE(g != NULL);
	for (int i = 0; i < k; i++)
		synth_next(g, out);
	synth_free(g);
}

/* --------------------------------------------------------- criteria */

TEST(criteria_kana_is_normalised_and_refuses_kanji)	/* SC-6 */
{
	struct lookup_criteria c;
	struct err e;

	memset(&c, 0, sizeof(c));
	CHECK_OK(lookup_criteria_set(&c, LF_KANA, "やまだ", NULL, &e), &e);
	CHECK_STR(c.kana, "ヤマダ");
	CHECK_OK(lookup_criteria_set(&c, LF_KANA, "ﾔﾏﾀﾞ ﾀﾛｳ", NULL, &e), &e);
	CHECK_STR(c.kana, "ヤマダタロウ");
	CHECK_OK(lookup_criteria_set(&c, LF_KANA, "\xE3\x80\x80" "エンドウ　カズコ ", NULL, &e), &e);
	CHECK_STR(c.kana, "エンドウカズコ");
	CHECK_INT(lookup_criteria_set(&c, LF_KANA, "山田", NULL, &e), ERR_FORMAT);
	CHECK(strstr(err_ja(&e), "カナで入力") != NULL);
	CHECK_STR(c.kana, "エンドウカズコ");	/* unchanged on error */
	/* an invalid character after valid ones (found by fuzz_lookup: ﾳ is
	 * half-width hangul) must not leave a partial value behind */
	CHECK_INT(lookup_criteria_set(&c, LF_KANA, "ﾔﾏﾀﾞ ﾀﾳ", NULL, &e), ERR_FORMAT);
	CHECK_STR(c.kana, "エンドウカズコ");
	CHECK_OK(lookup_criteria_set(&c, LF_KANA, "", NULL, &e), &e);
	CHECK_STR(c.kana, "");
}

TEST(criteria_birth_accepts_wareki_and_seireki)		/* SC-6 */
{
	struct lookup_criteria c;
	struct err e;

	memset(&c, 0, sizeof(c));
	CHECK_OK(lookup_criteria_set(&c, LF_BIRTH, "S60.4.12", NULL, &e), &e);
	CHECK_INT(c.birth, 19850412);
	CHECK_OK(lookup_criteria_set(&c, LF_BIRTH, "昭和60年4月12日", NULL, &e), &e);
	CHECK_INT(c.birth, 19850412);
	CHECK_OK(lookup_criteria_set(&c, LF_BIRTH, "1985-04-12", NULL, &e), &e);
	CHECK_INT(c.birth, 19850412);
	CHECK_OK(lookup_criteria_set(&c, LF_BIRTH, "R1.5.1", NULL, &e), &e);
	CHECK_INT(c.birth, 20190501);
	CHECK_INT(lookup_criteria_set(&c, LF_BIRTH, "H31.5.1", NULL, &e), ERR_FORMAT);
	CHECK_INT(lookup_criteria_set(&c, LF_BIRTH, "1985-02-30", NULL, &e), ERR_FORMAT);
	CHECK(strstr(err_ja(&e), "生年月日") != NULL);
}

TEST(criteria_numbers_atena_and_recipient)
{
	struct lookup_criteria c;
	struct err e;

	memset(&c, 0, sizeof(c));
	CHECK_OK(lookup_criteria_set(&c, LF_ATENA, "１０００ ０００ ００１", NULL, &e), &e);
	CHECK_STR(c.atena, "1000000001");
	CHECK_INT(lookup_criteria_set(&c, LF_ATENA, "10a", NULL, &e), ERR_FORMAT);
	CHECK_OK(lookup_criteria_set(&c, LF_RECIPIENT, "k-0001 2345", NULL, &e), &e);
	CHECK_STR(c.recipient, "K00012345");
	CHECK_INT(lookup_criteria_set(&c, LF_RECIPIENT, "受給者", NULL, &e), ERR_FORMAT);
	CHECK_OK(lookup_criteria_set(&c, LF_NAME, "山田　太郎", NULL, &e), &e);
	CHECK_STR(c.name, "山田 太郎");
}

TEST(criteria_mynumber_permission_first_then_check_digit)	/* AC-6, ID-4 */
{
	struct lookup_criteria c;
	struct account yes = account_of("a", 0, 1), no = account_of("b", 1, 0);
	char kinds[64];
	struct err e;

	memset(&c, 0, sizeof(c));
	/* without the permission even a malformed number says "permission" */
	CHECK_INT(lookup_criteria_set(&c, LF_MYNUMBER, "123", &no, &e), ERR_PERM);
	CHECK(strstr(err_ja(&e), "権限") != NULL);
	CHECK_INT(lookup_criteria_set(&c, LF_MYNUMBER, "401682033287", &no, &e), ERR_PERM);
	CHECK_STR(c.mynumber, "");
	CHECK_INT(lookup_criteria_set(&c, LF_MYNUMBER, "401682033287", NULL, &e), ERR_PERM);
	/* with it: 12 digits and the check digit before any search */
	CHECK_INT(lookup_criteria_set(&c, LF_MYNUMBER, "401682033288", &yes, &e), ERR_FORMAT);
	CHECK(strstr(err_ja(&e), "チェックデジット") != NULL);
	CHECK(strstr(e.msg, "40168203328") == NULL);	/* never in a message */
	CHECK_INT(lookup_criteria_set(&c, LF_MYNUMBER, "40168203328", &yes, &e), ERR_FORMAT);
	CHECK(strstr(err_ja(&e), "12桁") != NULL);
	CHECK_OK(lookup_criteria_set(&c, LF_MYNUMBER, "4016 8203 3287", &yes, &e), &e);
	CHECK_STR(c.mynumber, "401682033287");
	CHECK_OK(lookup_criteria_set(&c, LF_KANA, "エ", NULL, &e), &e);
	lookup_criteria_kinds(&c, kinds, sizeof(kinds));
	CHECK_STR(kinds, "kana+mynumber");
	lookup_criteria_clear(&c);
	CHECK(lookup_criteria_empty(&c));
}

/* ---------------------------------------------------------- search */

TEST(search_combinations_narrow_and_blank_restricted_addresses)	/* SC-5, SC-6 */
{
	struct store *st = fixture("plain");
	struct lookup_criteria c;
	struct lookup_result r, r2;
	struct synth_resident one;
	struct err e;
	size_t n1;

	resident(1, &one);	/* 遠藤 和子 */
	memset(&c, 0, sizeof(c));
	REQUIRE_OK(lookup_criteria_set(&c, LF_KANA, "えんどう", NULL, &e), &e);
	REQUIRE_OK(lookup_search(st, &c, 0, NULL, &r, &e), &e);
	n1 = r.list.n;
	CHECK(n1 >= 2);
	lookup_result_free(&r);
	REQUIRE_OK(lookup_criteria_set(&c, LF_BIRTH, "S20.8.28", NULL, &e), &e);
	REQUIRE_OK(lookup_search(st, &c, 0, NULL, &r, &e), &e);
	CHECK(r.list.n >= 1 && r.list.n < n1);
	for (size_t i = 0; i < r.list.n; i++)
		CHECK_INT(r.list.v[i].birth, 19450828);
	lookup_result_free(&r);
	/* a restricted person's address never leaves lookup_search */
	memset(&c, 0, sizeof(c));
	REQUIRE_OK(lookup_criteria_set(&c, LF_KANA, "ア", NULL, &e), &e);
	REQUIRE_OK(lookup_search(st, &c, 0, NULL, &r, &e), &e);
	for (size_t i = 0; i < r.list.n; i++)
		if (person_restricted(&r.list.v[i]))
			CHECK_STR(r.list.v[i].address, "");
	lookup_result_free(&r);
	/* paging: the second page starts where the first ended */
	memset(&c, 0, sizeof(c));
	REQUIRE_OK(lookup_criteria_set(&c, LF_KANA, "", NULL, &e), &e);
	CHECK_INT(lookup_search(st, &c, 0, NULL, &r, &e), ERR_INVAL);	/* no criterion */
	REQUIRE_OK(lookup_criteria_set(&c, LF_NAME, " ", NULL, &e), &e);
	CHECK_INT(lookup_search(st, &c, 0, NULL, &r, &e), ERR_INVAL);
	memset(&c, 0, sizeof(c));
	REQUIRE_OK(lookup_criteria_set(&c, LF_KANA, "サ", NULL, &e), &e);
	REQUIRE_OK(lookup_search(st, &c, 0, NULL, &r, &e), &e);
	if (r.more) {
		REQUIRE_OK(lookup_search(st, &c, LOOKUP_PAGE, NULL, &r2, &e), &e);
		CHECK(r2.list.n > 0);
		CHECK(strcmp(r.list.v[r.list.n - 1].atena, r2.list.v[0].atena) != 0);
		lookup_result_free(&r2);
	}
	lookup_result_free(&r);
	/* LOG-1: one row per search, never a value */
	CHECK(count_audit(st, "lookup.search", NULL) >= 4);
	store_close(st);
}

TEST(search_by_mynumber_needs_the_permission_and_narrows)	/* AC-6, SC-1 */
{
	struct store *st = fixture("number");
	struct lookup_criteria c;
	struct lookup_result r;
	struct err e;
	struct audit_row *v;
	size_t n;

	memset(&c, 0, sizeof(c));
	REQUIRE_OK(lookup_criteria_set(&c, LF_MYNUMBER, "401682033287", store_user(st), &e), &e);
	REQUIRE_OK(lookup_search(st, &c, 0, NULL, &r, &e), &e);
	REQUIRE(r.list.n == 1);
	CHECK_STR(r.list.v[0].atena, "1000000001");
	lookup_result_free(&r);
	/* combined with a birth date that is not theirs: nothing */
	REQUIRE_OK(lookup_criteria_set(&c, LF_BIRTH, "1990-01-01", NULL, &e), &e);
	REQUIRE_OK(lookup_search(st, &c, 0, NULL, &r, &e), &e);
	CHECK_INT(r.list.n, 0);
	lookup_result_free(&r);
	/* the audit rows name the criteria, never the number (LOG-5) */
	REQUIRE_OK(store_audit_list(st, 0, 0, &v, &n, &e), &e);
	for (size_t i = 0; i < n; i++)
		CHECK(strstr(v[i].detail, "401682033287") == NULL);
	free(v);
	CHECK_INT(count_audit(st, "lookup.search", "1000000001"), 1);
	store_close(st);

	/* an account without the flag cannot run one even with criteria
	 * filled in by other means */
	REQUIRE_OK(store_open(t_path("s"), "plain", CLERK_PW, &st, &e), &e);
	CHECK_INT(lookup_search(st, &c, 0, NULL, &r, &e), ERR_PERM);
	store_close(st);
	lookup_criteria_clear(&c);
}

TEST(stale_block_refuses_lookups_with_the_reason)	/* NET-5 */
{
	struct store *st = fixture("plain");
	struct lookup_freshness f;
	struct lookup_criteria c;
	struct lookup_result r;
	struct person_detail d;
	struct err e;
	long now = (long)time(NULL);

	/* never synced, no load time: unknown, warned, never blocked */
	REQUIRE_OK(lookup_freshness(st, now, 900, 3600, &f, &e), &e);
	CHECK_INT(f.state, FRESH_UNKNOWN);
	CHECK_INT(f.age_s, -1);
	REQUIRE_OK(store_setting_set(st, "data.as_of", "2025-04-01T09:00:00+0900", &e), &e);
	REQUIRE_OK(lookup_freshness(st, lookup_parse_time("2025-04-01T09:10:00+0900"),
	    900, 3600, &f, &e), &e);
	CHECK_INT(f.state, FRESH_OK);
	CHECK_INT(f.age_s, 600);
	REQUIRE_OK(lookup_freshness(st, lookup_parse_time("2025-04-01T09:30:00+0900"),
	    900, 3600, &f, &e), &e);
	CHECK_INT(f.state, FRESH_WARN);
	REQUIRE_OK(lookup_freshness(st, lookup_parse_time("2025-04-01T11:00:00+0900"),
	    900, 3600, &f, &e), &e);
	CHECK_INT(f.state, FRESH_BLOCK);
	memset(&c, 0, sizeof(c));
	REQUIRE_OK(lookup_criteria_set(&c, LF_KANA, "エ", NULL, &e), &e);
	CHECK_INT(lookup_search(st, &c, 0, &f, &r, &e), ERR_STATE);
	CHECK(strstr(err_ja(&e), "古すぎる") != NULL);
	CHECK_INT(lookup_open(st, "1000000001", 0, &f, &d, &e), ERR_STATE);
	/* the sync cursor's time wins over the load time */
	REQUIRE_OK(store_sync_cursor_set(st, "c1", &e), &e);
	REQUIRE_OK(lookup_freshness(st, (long)time(NULL), 900, 3600, &f, &e), &e);
	CHECK_INT(f.state, FRESH_OK);
	store_close(st);
}

TEST(freshness_rule_and_time_parsing)			/* NET-5 */
{
	char t[160];
	struct lookup_freshness f;

	CHECK_INT(lookup_fresh_rule(1000, 1000, 10, 20), FRESH_OK);
	CHECK_INT(lookup_fresh_rule(1011, 1000, 10, 20), FRESH_WARN);
	CHECK_INT(lookup_fresh_rule(1021, 1000, 10, 20), FRESH_BLOCK);
	CHECK_INT(lookup_fresh_rule(1021, 1000, 10, 0), FRESH_WARN);	/* block off */
	CHECK_INT(lookup_fresh_rule(1021, 1000, 0, 0), FRESH_OK);
	CHECK_INT(lookup_fresh_rule(900, 1000, 10, 20), FRESH_OK);	/* clock back */
	CHECK_INT(lookup_fresh_rule(5000, -1, 10, 20), FRESH_UNKNOWN);
	CHECK_INT(lookup_parse_time("1970-01-01T09:00:00+0900"), 0);
	CHECK_INT(lookup_parse_time("1970-01-01T00:01:00Z"), 60);
	CHECK_INT(lookup_parse_time("2025-02-30T00:00:00+0900"), -1);
	CHECK_INT(lookup_parse_time("nonsense"), -1);
	memset(&f, 0, sizeof(f));
	f.state = FRESH_WARN;
	f.age_s = 3 * 3600;
	snprintf(f.as_of, sizeof(f.as_of), "2025-04-01T09:30:00+0900");
	lookup_freshness_text(&f, t, sizeof(t));
	/* 和暦 and 24-hour time in the zone (Asia/Tokyo by default; issue 19) */
	CHECK(strstr(t, "R7.4.1 09:30") != NULL);
	CHECK(strstr(t, "2025-04-01") == NULL);
	CHECK(strstr(t, "3時間前") != NULL);
	CHECK(strstr(t, "古いデータ") != NULL);
}

/* ---------------------------------------------------------- detail */

TEST(open_filters_procedures_masks_number_and_audits)	/* AC-6, SC-1, LOG-1 */
{
	struct store *st = fixture("admin");
	struct certificate c;
	struct person_detail d;
	struct err e;
	int64_t id;

	/* two certificates of resident 1: one the clerks may see */
	memset(&c, 0, sizeof(c));
	snprintf(c.atena, sizeof(c.atena), "1000000001");
	snprintf(c.procedure, sizeof(c.procedure), "kokuho");
	snprintf(c.recipient_no, sizeof(c.recipient_no), "N1");
	c.valid_from = 20250401;
	c.burden_rate = c.burden_limit = -1;
	REQUIRE_OK(store_cert_save(st, &c, &id, &e), &e);
	snprintf(c.procedure, sizeof(c.procedure), "jiritsu");
	snprintf(c.recipient_no, sizeof(c.recipient_no), "J1");
	REQUIRE_OK(store_cert_save(st, &c, &id, &e), &e);
	store_close(st);

	REQUIRE_OK(store_open(t_path("s"), "plain", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(lookup_open(st, "1000000001", 0, NULL, &d, &e), &e);
	CHECK_STR(d.number_shown, "**** **** 3287");
	for (size_t i = 0; i < d.certs.n; i++)
		CHECK(strcmp(d.certs.v[i].procedure, "jiritsu") != 0);
	CHECK(d.certs.n >= 1);
	CHECK(d.household.n >= 1);
	CHECK_INT(d.can_change, 0);		/* 参照のみ: cannot start changes */
	CHECK(!lookup_proc_writable(store_user(st), "kokuho"));
	CHECK(lookup_proc_visible(store_user(st), "kokuho"));
	CHECK(!lookup_proc_visible(store_user(st), "jiritsu"));
	person_detail_free(&d);
	CHECK_INT(count_audit(st, "lookup.view", "1000000001"), 1);
	CHECK_INT(count_audit(st, "mynumber.view", NULL), 0);
	store_close(st);

	REQUIRE_OK(store_open(t_path("s"), "number", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(lookup_open(st, "1000000001", 0, NULL, &d, &e), &e);
	CHECK_STR(d.number_shown, "401682033287");
	person_detail_free(&d);
	CHECK_INT(count_audit(st, "mynumber.view", "1000000001"), 1);
	store_close(st);
}

TEST(restricted_person_needs_the_warning_and_is_logged_as_such)	/* SC-5 */
{
	struct store *st = fixture("plain");
	struct synth *g = synth_new(1);
	struct synth_resident r;
	struct person_detail d;
	struct err e;
	int found = 0;

	for (int i = 0; i < 300 && !found; i++) {
		synth_next(g, &r);
		found = r.p.dv || r.p.nondisclose;
	}
	synth_free(g);
	if (!found)
		t_skip("no restricted resident in the first 300");
	CHECK_INT(lookup_open(st, r.p.atena, 0, NULL, &d, &e), ERR_STATE);
	CHECK_INT(count_audit(st, "lookup.view.restricted", r.p.atena), 0);
	REQUIRE_OK(lookup_open(st, r.p.atena, 1, NULL, &d, &e), &e);
	CHECK(d.restricted);
	CHECK_STR(d.p.address, "");
	CHECK_STR(d.address_real, "");
	for (size_t i = 0; i < d.household.n; i++)
		CHECK_STR(d.household.v[i].address, "");
	CHECK(strstr(person_address_shown(&r.p), "非表示") != NULL);
	person_detail_free(&d);
	CHECK_INT(count_audit(st, "lookup.view.restricted", r.p.atena), 1);
	CHECK_INT(count_audit(st, "lookup.view", r.p.atena), 0);
	store_close(st);
}

TEST(who_viewed_is_for_administrators)			/* LOG-3 */
{
	struct store *st = fixture("plain");
	struct person_detail d;
	struct audit_row *v;
	size_t n;
	struct err e;

	REQUIRE_OK(lookup_open(st, "1000000002", 0, NULL, &d, &e), &e);
	person_detail_free(&d);
	/* a list that showed them among others counts too */
	{
		struct lookup_criteria c;
		struct lookup_result r;
		int listed = 0;
		memset(&c, 0, sizeof(c));
		REQUIRE_OK(lookup_criteria_set(&c, LF_KANA, "えんどう", NULL, &e), &e);
		REQUIRE_OK(lookup_search(st, &c, 0, NULL, &r, &e), &e);
		REQUIRE(r.list.n >= 2);
		for (size_t i = 0; i < r.list.n; i++)
			listed |= strcmp(r.list.v[i].atena, "1000000002") == 0;
		CHECK(listed);
		lookup_result_free(&r);
	}
	CHECK_INT(lookup_audit_person(st, "1000000002", 0, &v, &n, &e), ERR_PERM);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(lookup_audit_person(st, "1000000002", 0, &v, &n, &e), &e);
	REQUIRE(n >= 2);
	CHECK_STR(v[0].who, "plain");			/* newest first */
	CHECK_STR(v[0].action, "lookup.search");
	CHECK(strstr(v[0].detail, ",1000000002,") != NULL);
	CHECK_STR(v[0].person, "");			/* several were listed */
	CHECK_STR(v[1].action, "lookup.view");
	CHECK_STR(audit_action_ja(v[1].action), "記録照会");
	/* a listing of other people only is not theirs */
	for (size_t i = 0; i < n; i++)
		CHECK(strcmp(v[i].person, "1000000002") == 0 ||
		    strstr(v[i].detail, ",1000000002,") != NULL);
	free(v);
	/* the question itself is on the person's trail */
	REQUIRE_OK(lookup_audit_person(st, "1000000002", 0, &v, &n, &e), &e);
	CHECK_STR(v[0].action, "audit.person");
	free(v);
	store_close(st);
}

/* ------------------------------------------------------ identity check */

TEST(documents_checklist_config_and_sufficiency)	/* ID-1 */
{
	struct iddoc_list l;
	struct err e;
	int ck[IDDOC_MAX];

	REQUIRE_OK(iddoc_parse(iddoc_default, &l, &e), &e);
	CHECK(l.n >= 6);
	CHECK(iddoc_find(&l, "tsuchi") != NULL);
	CHECK_INT(iddoc_find(&l, "license")->kind, IDDOC_PHOTO);
	/* KAWASAKI: no 通知カード path — the list is configuration */
	REQUIRE_OK(iddoc_parse("card-shown:マイナンバーカード:both, license:運転免許証 ,"
	    "hoken:保険証:other,nenkin:年金手帳:other", &l, &e), &e);
	CHECK_INT(l.n, 4);
	CHECK(iddoc_find(&l, "tsuchi") == NULL);
	CHECK_STR(l.v[1].label, "運転免許証");
	memset(ck, 0, sizeof(ck));
	CHECK_INT(iddoc_sufficient(&l, ck, 0, &e), ERR_INVAL);
	CHECK_OK(iddoc_sufficient(&l, ck, 1, &e), &e);		/* IC read alone */
	ck[1] = 1;						/* licence: no number */
	CHECK_INT(iddoc_sufficient(&l, ck, 0, &e), ERR_INVAL);
	CHECK(strstr(err_ja(&e), "番号確認") != NULL);
	ck[1] = 0;
	ck[0] = 1;						/* card shown: both */
	CHECK_OK(iddoc_sufficient(&l, ck, 0, &e), &e);
	REQUIRE_OK(iddoc_parse(iddoc_default, &l, &e), &e);
	memset(ck, 0, sizeof(ck));
	ck[1] = 1;						/* 通知カード */
	CHECK_INT(iddoc_sufficient(&l, ck, 0, &e), ERR_INVAL);	/* + photo ID */
	ck[(int)(iddoc_find(&l, "hokensho") - l.v)] = 1;
	CHECK_INT(iddoc_sufficient(&l, ck, 0, &e), ERR_INVAL);	/* one other: not enough */
	CHECK(strstr(err_ja(&e), "2点") != NULL);
	ck[(int)(iddoc_find(&l, "nenkin") - l.v)] = 1;
	CHECK_OK(iddoc_sufficient(&l, ck, 0, &e), &e);
	/* bad lists are refused with the reason */
	CHECK_INT(iddoc_parse("a:b,a:c", &l, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "twice") != NULL);
	CHECK_INT(iddoc_parse("A:b", &l, &e), ERR_FORMAT);
	CHECK_INT(iddoc_parse("a", &l, &e), ERR_FORMAT);
	CHECK_INT(iddoc_parse("a:b:weird", &l, &e), ERR_FORMAT);
	CHECK_INT(iddoc_parse("a::photo", &l, &e), ERR_FORMAT);
	REQUIRE_OK(iddoc_parse("", &l, &e), &e);
	CHECK_INT(l.n, 0);
}

TEST(compare_card_with_record)				/* ID-3, SC-4 */
{
	struct synth_resident r;
	struct card_result *c;
	struct idc_compare cmp;

	resident(4, &r);
	c = card_of(&r, "492919070293");
	idc_compare(c, &r.p, &cmp);
	CHECK_INT(cmp.ndiff, 0);
	free(c->name);
	c->name = strdup("宮崎　清");		/* ideographic space: the same */
	idc_compare(c, &r.p, &cmp);
	CHECK_INT(cmp.ndiff, 0);
	free(c->address);
	c->address = strdup("窓口市中央区駅前5丁目1番1号 駅前ハイツ201");
	c->sex = 2;
	idc_compare(c, &r.p, &cmp);
	CHECK_INT(cmp.ndiff, 2);
	CHECK(cmp.differs[IDC_ADDRESS]);
	CHECK(cmp.differs[IDC_SEX]);
	CHECK(!cmp.differs[IDC_NAME]);
	CHECK(!cmp.differs[IDC_BIRTH]);
	CHECK_STR(idc_item_name(IDC_ADDRESS), "住所");
	card_free(c);
}

TEST(card_check_match_nomatch_mismatch_and_the_record)	/* ID-1, ID-3, ID-6 */
{
	struct store *st = fixture("plain");
	struct synth_resident r1, r3;
	struct card_result *c;
	struct visit v;
	struct idcheck_input in;
	struct idcheck saved;
	struct outbox_item *ob;
	size_t nob;
	struct err e;

	resident(1, &r1);
	resident(3, &r3);
	memset(&v, 0, sizeof(v));
	visit_begin(&v, "plain");
	CHECK_INT(visit_ready(&v, &e), ERR_STATE);

	/* the right card */
	c = card_of(&r1, "401682033287");
	REQUIRE_OK(visit_card_check(&v, st, c, &e), &e);
	CHECK_INT(v.match, IDC_MATCHED);
	CHECK_STR(v.person.atena, "1000000001");
	CHECK_STR(v.masked_number, "**** **** 3287");
	CHECK_INT(v.linked, 0);			/* not until recorded */
	memset(&in, 0, sizeof(in));
	in.card = c;
	in.note = "4016 8203 3287";
	CHECK_INT(visit_idcheck_save(&v, st, &in, &e), ERR_INVAL);	/* no numbers in notes */
	in.note = "本人来庁";
	REQUIRE_OK(visit_idcheck_save(&v, st, &in, &e), &e);
	CHECK(v.linked);
	CHECK_OK(visit_ready(&v, &e), &e);
	REQUIRE_OK(store_idcheck_get(st, v.idcheck.uuid, &saved, &e), &e);
	CHECK_STR(saved.method, "ic-card");
	CHECK_STR(saved.documents, "ic-pin");
	CHECK_STR(saved.atena, "1000000001");
	CHECK_STR(saved.clerk, "plain");
	CHECK_INT(saved.digest_result, 1);
	CHECK(strstr(saved.detail, "401682033287") == NULL);
	CHECK(strstr(saved.detail, "3287") == NULL || strstr(saved.detail, "****") != NULL);
	REQUIRE_OK(store_outbox_list(st, 0, &ob, &nob, &e), &e);
	CHECK_INT(nob, 1);
	CHECK_STR(ob[0].kind, "idcheck");
	CHECK(strstr(ob[0].payload, v.idcheck.uuid) != NULL);
	CHECK(strstr(ob[0].payload, "401682033287") == NULL);
	outbox_free(ob, nob);
	CHECK_INT(count_audit(st, "idcheck.read", "1000000001"), 1);
	CHECK_INT(count_audit(st, "idcheck.save", "1000000001"), 1);
	card_free(c);

	/* a number nobody holds, from someone not in the registry */
	visit_begin(&v, "plain");
	c = card_of(&r1, "223606797744");
	free(c->name);
	c->name = strdup("佐藤 一郎");
	REQUIRE_OK(visit_card_check(&v, st, c, &e), &e);
	CHECK_INT(v.match, IDC_NO_PERSON);
	CHECK(!v.have_person);
	in.card = c;
	in.note = NULL;
	CHECK_INT(visit_idcheck_save(&v, st, &in, &e), ERR_STATE);
	CHECK_INT(count_audit(st, "idcheck.nomatch", NULL), 1);
	card_free(c);

	/* resident 3's card, but the record holds another number (ID-6) */
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_mynumber_set(st, "1000000003", "123456789018", &e), &e);
	visit_begin(&v, "admin");
	c = card_of(&r3, r3.mynumber);
	REQUIRE_OK(visit_card_check(&v, st, c, &e), &e);
	CHECK_INT(v.match, IDC_NUMBER_MISMATCH);
	CHECK_STR(v.person.atena, "1000000003");
	in.card = c;
	CHECK_INT(visit_idcheck_save(&v, st, &in, &e), ERR_STATE);
	CHECK_INT(v.linked, 0);
	CHECK_INT(count_audit(st, "idcheck.mismatch", "1000000003"), 1);
	card_free(c);

	/* a person picked in the lookup, and someone else's card */
	visit_begin(&v, "admin");
	visit_set_person(&v, &r3.p);
	c = card_of(&r1, "401682033287");
	REQUIRE_OK(visit_card_check(&v, st, c, &e), &e);
	CHECK_INT(v.match, IDC_NUMBER_MISMATCH);
	CHECK_STR(v.person.atena, "1000000003");
	card_free(c);
	visit_end(&v);
	CHECK_INT(v.active, 0);
	store_close(st);
}

/* Issue 11: the card's verdicts go into the record; a failed one cannot
 * complete a card identity check (audited); unverifiable may, noted; a
 * 照合番号B read has no 個人番号 and records 番号確認 from the card face. */
TEST(card_verdicts_and_b_read_in_the_record)		/* ID-1, ID-3, SC-4 */
{
	struct store *st = fixture("plain");
	struct synth_resident r1;
	struct card_result *c;
	struct visit v;
	struct idcheck_input in;
	struct idcheck saved;
	struct idc_compare cmp;
	char text[300];
	struct err e;

	resident(1, &r1);
	memset(&v, 0, sizeof(v));
	memset(&in, 0, sizeof(in));

	/* The card writes full-width block numbers: not a difference. */
	c = card_of(&r1, "401682033287");
	free(c->address);
	c->address = strdup("窓口市東区東山１丁目３－８");
	idc_compare(c, &r1.p, &cmp);
	CHECK(!cmp.differs[IDC_ADDRESS]);
	free(c->address);
	c->address = strdup("窓口市東区東山１丁目３－９");
	idc_compare(c, &r1.p, &cmp);
	CHECK(cmp.differs[IDC_ADDRESS]);
	free(c->address);
	c->address = strdup(r1.p.address);

	/* verified + genuine: stored with the record */
	c->auth = CARD_AUTH_VERIFIED;
	c->chip = CARD_CHIP_GENUINE;
	snprintf(c->issuer_key_id, sizeof(c->issuer_key_id), "36303030303333000130303100000001");
	visit_begin(&v, "plain");
	REQUIRE_OK(visit_card_check(&v, st, c, &e), &e);
	in.card = c;
	REQUIRE_OK(visit_idcheck_save(&v, st, &in, &e), &e);
	REQUIRE_OK(store_idcheck_get(st, v.idcheck.uuid, &saved, &e), &e);
	CHECK_STR(saved.authenticity, "verified");
	CHECK_STR(saved.authenticity_detail, "");
	CHECK_STR(saved.chip, "genuine");
	CHECK_STR(saved.issuer_key_id, "36303030303333000130303100000001");

	/* failed (signature): refused, the refusal audited */
	c->auth = CARD_AUTH_FAILED;
	c->auth_fail = CARD_FAIL_SIGNATURE;
	c->chip = CARD_CHIP_NOT_CHECKED;
	visit_begin(&v, "plain");
	REQUIRE_OK(visit_card_check(&v, st, c, &e), &e);
	CHECK_INT(v.match, IDC_MATCHED);
	CHECK_INT(visit_idcheck_save(&v, st, &in, &e), ERR_STATE);
	CHECK(strstr(err_ja(&e), "書類") != NULL);
	CHECK_INT(v.linked, 0);
	CHECK_INT(count_audit(st, "idcheck.refused", "1000000001"), 1);
	/* a cloned chip: refused too */
	c->auth = CARD_AUTH_VERIFIED;
	c->auth_fail = CARD_FAIL_NONE;
	c->chip = CARD_CHIP_FAILED;
	CHECK_INT(visit_idcheck_save(&v, st, &in, &e), ERR_STATE);
	CHECK(strstr(err_ja(&e), "ICチップ") != NULL);
	CHECK_INT(count_audit(st, "idcheck.refused", "1000000001"), 2);

	/* unverifiable (no issuer key installed): allowed, with the note */
	c->auth = CARD_AUTH_UNVERIFIABLE;
	c->chip = CARD_CHIP_NOT_CHECKED;
	visit_begin(&v, "plain");
	REQUIRE_OK(visit_card_check(&v, st, c, &e), &e);
	REQUIRE_OK(visit_idcheck_save(&v, st, &in, &e), &e);
	REQUIRE_OK(store_idcheck_get(st, v.idcheck.uuid, &saved, &e), &e);
	CHECK_STR(saved.authenticity, "unverifiable");
	CHECK_STR(saved.chip, "not-checked");
	CHECK(strstr(saved.detail, "unverifiable") != NULL);
	card_free(c);

	/* 照合番号B: no 個人番号; found by 氏名 and 生年月日; 番号確認 from the face */
	c = card_of(&r1, "401682033287");
	free(c->mynumber);
	c->mynumber = NULL;
	c->mynumber_check_ok = 0;
	c->unlock = CARD_UNLOCK_B;
	c->digest_mynumber = CARD_DIGEST_UNCHECKED;
	visit_begin(&v, "plain");
	REQUIRE_OK(visit_card_check(&v, st, c, &e), &e);
	CHECK_INT(v.match, IDC_MATCHED);
	CHECK_STR(v.person.atena, "1000000001");
	CHECK_STR(v.masked_number, "");
	in.card = c;
	REQUIRE_OK(visit_idcheck_save(&v, st, &in, &e), &e);
	REQUIRE_OK(store_idcheck_get(st, v.idcheck.uuid, &saved, &e), &e);
	CHECK(strstr(saved.documents, "ic-b") != NULL);
	CHECK(strstr(saved.documents, "number-card-face") != NULL);
	idcheck_text_ja(&saved, NULL, text, sizeof(text));
	CHECK(strstr(text, "番号確認はカード券面") != NULL);
	/* B for someone else than the person picked: nothing linked */
	visit_begin(&v, "plain");
	{
		struct synth_resident r3;
		resident(3, &r3);
		visit_set_person(&v, &r3.p);
	}
	REQUIRE_OK(visit_card_check(&v, st, c, &e), &e);
	CHECK_INT(v.match, IDC_NUMBER_MISMATCH);
	CHECK_INT(visit_idcheck_save(&v, st, &in, &e), ERR_STATE);
	card_free(c);
	visit_end(&v);
	store_close(st);
}

TEST(documents_only_and_agent_records)			/* ID-1, ID-2 */
{
	struct store *st = fixture("plain");
	struct synth_resident r1;
	struct iddoc_list docs;
	struct idcheck_input in;
	struct idcheck saved;
	struct visit v;
	struct wbuf w;
	struct err e;
	int ck[IDDOC_MAX];

	resident(1, &r1);
	REQUIRE_OK(iddoc_parse(iddoc_default, &docs, &e), &e);
	memset(&v, 0, sizeof(v));
	visit_begin(&v, "plain");
	memset(&in, 0, sizeof(in));
	memset(ck, 0, sizeof(ck));
	in.docs = &docs;
	in.checked = ck;
	CHECK_INT(visit_idcheck_save(&v, st, &in, &e), ERR_STATE);	/* no person */
	visit_set_person(&v, &r1.p);
	CHECK_INT(visit_idcheck_save(&v, st, &in, &e), ERR_INVAL);	/* no documents */
	ck[(int)(iddoc_find(&docs, "tsuchi") - docs.v)] = 1;
	ck[(int)(iddoc_find(&docs, "license") - docs.v)] = 1;
	REQUIRE_OK(visit_idcheck_save(&v, st, &in, &e), &e);
	REQUIRE_OK(store_idcheck_get(st, v.idcheck.uuid, &saved, &e), &e);
	CHECK_STR(saved.method, "number-doc+photo-id");
	CHECK_STR(saved.documents, "tsuchi,license");
	CHECK_OK(visit_ready(&v, &e), &e);

	/* an agent: not of the household, no 委任状 → refused */
	snprintf(v.agent.name, sizeof(v.agent.name), "代理 一郎");
	snprintf(v.agent.relation, sizeof(v.agent.relation), "知人");
	memset(ck, 0, sizeof(ck));
	ck[(int)(iddoc_find(&docs, "card-shown") - docs.v)] = 1;
	CHECK_INT(visit_agent_save(&v, st, &docs, ck, &e), ERR_STATE);
	CHECK(strstr(err_ja(&e), "委任状") != NULL);
	v.agent.proxy_letter = 1;
	REQUIRE_OK(visit_agent_save(&v, st, &docs, ck, &e), &e);
	CHECK(v.agent.present);
	CHECK_INT(v.agent.in_household, 0);
	REQUIRE_OK(store_idcheck_get(st, v.agent.idcheck, &saved, &e), &e);
	CHECK_STR(saved.method, "agent");
	CHECK_STR(saved.documents, "card-shown,proxy-letter");
	CHECK_OK(visit_ready(&v, &e), &e);
	wbuf_init(&w, 0);
	REQUIRE_OK(visit_agent_json(&v, &w), &e);
	CHECK(strstr(wbuf_str(&w), "\"name\":\"代理 一郎\"") != NULL);
	CHECK(strstr(wbuf_str(&w), "\"proxy_letter\":true") != NULL);
	wbuf_free(&w);
	CHECK_INT(count_audit(st, "idcheck.agent", "1000000001"), 1);
	/* looking at someone else: the agent and the check stay behind */
	{
		struct visit other = v;
		struct synth_resident r2;
		resident(2, &r2);
		visit_set_person(&other, &r2.p);
		CHECK_INT(other.agent.present, 0);
		CHECK_INT(other.linked, 0);
		CHECK_INT(visit_ready(&other, &e), ERR_STATE);
		visit_end(&other);
	}

	/* a household member needs no 委任状: the relation is checked */
	visit_begin(&v, "plain");
	visit_set_person(&v, &r1.p);
	snprintf(v.agent.name, sizeof(v.agent.name), "遠藤 大輔");	/* resident 2 */
	REQUIRE_OK(visit_agent_save(&v, st, &docs, ck, &e), &e);
	CHECK_INT(v.agent.in_household, 1);
	/* but the principal's own check is still missing (ID-1) */
	CHECK_INT(visit_ready(&v, &e), ERR_STATE);
	visit_end(&v);
	store_close(st);
}
