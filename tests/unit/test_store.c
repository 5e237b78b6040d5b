/*
 * test_store.c — the store API over the encrypted database: key slots and
 * logins (AC-4, RET-4), persons and search (SC-6, DATA-1..4), applications
 * (INT-8, AC-7), outbox, settings, audit chain (LOG-2, LOG-5), the synthetic
 * generator and the password policy.  Argon2id runs at the INTERACTIVE
 * limits, so each test opens the store only a few times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core.h"
#include "harness.h"
#include "store.h"

#define ADMIN_PW "Kx9#vTq2mWzr"
#define CLERK_PW "Hb7$pLe4nQvs"

static struct store *
make_store(const char *dir)
{
	struct err e;
	struct store *st = NULL;

	REQUIRE_OK(store_create(dir, "admin01", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(dir, "admin01", ADMIN_PW, &st, &e), &e);
	return st;
}

static struct person
sample_person(const char *atena, const char *name, const char *kana, int birth)
{
	struct person p;

	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "%s", atena);
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.kana, sizeof(p.kana), "%s", kana);
	p.birth = birth;
	p.sex = 1;
	snprintf(p.address, sizeof(p.address), "窓口市北区青葉町1丁目2番3号");
	snprintf(p.household, sizeof(p.household), "H%s", atena);
	snprintf(p.relation, sizeof(p.relation), "世帯主");
	snprintf(p.ward, sizeof(p.ward), "01");
	return p;
}

static void
add_clerk(struct store *st, const char *name)
{
	struct err e;
	struct account a;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.display, sizeof(a.display), "窓口 太郎");
	a.role = ROLE_CLERK;
	snprintf(a.perms[0].procedure, sizeof(a.perms[0].procedure), "kodomo-iryo");
	a.perms[0].level = PERM_WRITE;
	snprintf(a.perms[1].procedure, sizeof(a.perms[1].procedure), "kokuho");
	a.perms[1].level = PERM_READ;
	a.nperms = 2;
	a.must_change_password = 1;
	REQUIRE_OK(store_account_add(st, &a, CLERK_PW, &e), &e);
}

/* Round trip, every account's password opens the same data, wrong password
 * and unknown user are distinct, removing a slot locks that account out. */
TEST(store_round_trip_accounts_and_slots)
{
	struct err e;
	struct store *st, *st2;
	struct person p = sample_person("0000000001", "山田 太郎", "ヤマダ タロウ",
	    19800102), got;
	struct account a;

	st = make_store(t_path("s"));
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	REQUIRE_OK(store_mynumber_set(st, "0000000001", "123456789018", &e), &e);
	add_clerk(st, "clerk01");
	store_close(st);

	/* The clerk's password opens the same data. */
	REQUIRE_OK(store_open(t_path("s"), "clerk01", CLERK_PW, &st, &e), &e);
	CHECK(store_user(st)->must_change_password);
	CHECK_INT(account_perm(store_user(st), "kodomo-iryo"), PERM_WRITE);
	CHECK_INT(account_perm(store_user(st), "kokuho"), PERM_READ);
	CHECK_INT(account_perm(store_user(st), "other"), PERM_NONE);
	REQUIRE_OK(store_person_get(st, "0000000001", &got, &e), &e);
	CHECK_STR(got.name, "山田 太郎");
	CHECK_STR(got.updated_by, "admin01");
	REQUIRE_OK(store_person_find_by_mynumber(st, "123456789018", &got, &e), &e);
	CHECK_STR(got.atena, "0000000001");
	/* A clerk cannot add accounts. */
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "x");
	CHECK_INT(store_account_add(st, &a, CLERK_PW, &e), ERR_PERM);
	/* Own password change needs the old one; clears must_change. */
	CHECK_INT(store_account_set_password(st, "clerk01", "Wr0ng#Passw", "Nm3%tYu8kBzq",
	    &e), ERR_AUTH);
	REQUIRE_OK(store_account_set_password(st, "clerk01", CLERK_PW, "Nm3%tYu8kBzq",
	    &e), &e);
	CHECK(!store_user(st)->must_change_password);
	/* store_dup: a second connection without a password. */
	REQUIRE_OK(store_dup(st, &st2, &e), &e);
	REQUIRE_OK(store_person_get(st2, "0000000001", &got, &e), &e);
	store_close(st2);
	store_close(st);

	CHECK_INT(store_open(t_path("s"), "clerk01", CLERK_PW, &st, &e), ERR_AUTH);
	CHECK(st == NULL);
	CHECK_INT(store_open(t_path("s"), "nobody", CLERK_PW, &st, &e), ERR_NOTFOUND);
	CHECK_INT(store_open(t_path("elsewhere"), "admin01", ADMIN_PW, &st, &e),
	    ERR_STATE);

	/* Removing the slot (revoke) locks the clerk out for good. */
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_account_revoke(st, "clerk01", &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk01", &a, &e), &e);
	CHECK(a.disabled);
	CHECK(!a.has_slot);
	store_close(st);
	/* The slot is a tombstone without keys: the login says "disabled". */
	CHECK_INT(store_open(t_path("s"), "clerk01", "Nm3%tYu8kBzq", &st, &e),
	    ERR_PERM);
}

/* AC-4: three wrong passwords lock the account until an admin unlocks it;
 * even the right password is refused meanwhile. */
TEST(store_lockout_after_three_failures)
{
	struct err e;
	struct store *st;
	struct account a;

	st = make_store(t_path("s"));
	add_clerk(st, "clerk02");
	store_close(st);
	CHECK_INT(store_open(t_path("s"), "clerk02", "Bad1#guessAA", &st, &e), ERR_AUTH);
	CHECK_INT(store_open(t_path("s"), "clerk02", "Bad2#guessAA", &st, &e), ERR_AUTH);
	CHECK_INT(store_open(t_path("s"), "clerk02", "Bad3#guessAA", &st, &e), ERR_LOCKED);
	CHECK_INT(store_open(t_path("s"), "clerk02", CLERK_PW, &st, &e), ERR_LOCKED);
	CHECK(st == NULL);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk02", &a, &e), &e);
	CHECK(a.locked);
	CHECK_INT(a.failures, 3);
	REQUIRE_OK(store_account_unlock(st, "clerk02", &e), &e);
	/* Disable / expire are distinct errors. */
	a.valid_until = 20200331;
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	store_close(st);
	CHECK_INT(store_open(t_path("s"), "clerk02", CLERK_PW, &st, &e), ERR_STATE);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	a.valid_until = 0;
	a.disabled = 1;
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	store_close(st);
	CHECK_INT(store_open(t_path("s"), "clerk02", CLERK_PW, &st, &e), ERR_PERM);
}

/* A good password resets the counter: two failures, a success, two more
 * failures do not lock. */
TEST(store_failure_counter_resets)
{
	struct err e;
	struct store *st;

	st = make_store(t_path("s"));
	store_close(st);
	CHECK_INT(store_open(t_path("s"), "admin01", "Bad1#guessAA", &st, &e), ERR_AUTH);
	CHECK_INT(store_open(t_path("s"), "admin01", "Bad1#guessAA", &st, &e), ERR_AUTH);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	store_close(st);
	CHECK_INT(store_open(t_path("s"), "admin01", "Bad1#guessAA", &st, &e), ERR_AUTH);
	CHECK_INT(store_open(t_path("s"), "admin01", "Bad1#guessAA", &st, &e), ERR_AUTH);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	/* The failures reach the audit log with the next good login (LOG-1). */
	{
		struct audit_row *v;
		size_t n;
		int found = 0;
		REQUIRE_OK(store_audit_list(st, 0, 100, &v, &n, &e), &e);
		for (size_t i = 0; i < n; i++)
			found += strcmp(v[i].action, "login.failures") == 0 &&
			    strstr(v[i].detail, "2 wrong") != NULL;
		CHECK_INT(found, 2);
		free(v);
	}
	store_close(st);
}

/* RET-4: after wipe nothing is decryptable: no key slots, and even a copy
 * of the database taken before the wipe cannot be opened with the
 * password. */
TEST(store_wipe_crypto_erase)
{
	struct err e;
	struct store *st;
	struct store_keyslots *ks;
	char db[512], copy[512];
	size_t n;
	char *p;

	st = make_store(t_path("s"));
	store_close(st);
	snprintf(db, sizeof(db), "%s/store.db", t_path("s"));
	snprintf(copy, sizeof(copy), "%s", t_path("copy.db"));
	p = t_read_file(db, &n);
	REQUIRE(p != NULL);
	REQUIRE(t_write_file(copy, p, n) == 0);
	free(p);
	REQUIRE_OK(store_wipe(t_path("s"), &e), &e);
	CHECK(access(db, F_OK) != 0);
	{
		char k[512];
		snprintf(k, sizeof(k), "%s/store.keys", t_path("s"));
		CHECK(access(k, F_OK) != 0);
		CHECK_INT(store_keyslots_load(k, &ks, &e), ERR_NOTFOUND);
	}
	CHECK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e) != 0);
	CHECK(st == NULL);
	/* The surviving copy: its key existed only in the destroyed slots. */
	{
		uint8_t guess[32] = { 0 };
		sqlite3 *h;
		CHECK(store_db_open_key(copy, guess, &h, &e) != 0);
	}
	CHECK_INT(store_wipe(t_path("s"), &e), ERR_NOTFOUND);
}

/* Format 2 (issue 15): a key pair per slot, the slot keys sealed to its
 * public key; names not in the file; a reseal rewraps every slot without a
 * password and raises the generation. */
TEST(keyslots_format_and_limits)
{
	struct err e;
	struct store_keyslots *ks, *ks2;
	uint8_t key[STORE_SLOT_KEYS_LEN], key2[STORE_SLOT_KEYS_LEN];
	uint8_t out[STORE_SLOT_KEYS_LEN], sk[32], sk2[32], pk[32];
	struct store_kdf weak = { 1, 8192 };
	char path[512];
	size_t n;
	char *p;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(key2, sizeof(key2));
	REQUIRE_OK(store_keyslots_new(&ks, &e), &e);
	CHECK_INT(store_keyslots_set(ks, "a", "pw-one-Aa1!", key, NULL, &weak, &e), ERR_RANGE);
	REQUIRE_OK(store_keyslots_set(ks, "a", "pw-one-Aa1!", key, NULL, NULL, &e), &e);
	REQUIRE_OK(store_keyslots_set(ks, "tanaka.hanako", "pw-two-Bb2!", key, NULL, NULL, &e), &e);
	snprintf(path, sizeof(path), "%s", t_path("keys"));
	REQUIRE_OK(store_keyslots_save(ks, path, &e), &e);
	REQUIRE_OK(store_keyslots_load(path, &ks2, &e), &e);
	CHECK_INT(store_keyslots_count(ks2), 2);
	CHECK(store_keyslots_generation(ks2) == 1);
	REQUIRE_OK(store_keyslots_unlock(ks2, "tanaka.hanako", "pw-two-Bb2!", out, sk, &e), &e);
	CHECK_MEM(out, key, sizeof(key));
	REQUIRE_OK(store_keyslots_pk(ks2, "tanaka.hanako", pk), &e);
	{
		uint8_t pk2[32];
		crypto_scalarmult_base(pk2, sk);
		CHECK_MEM(pk2, pk, 32);
	}
	CHECK_INT(store_keyslots_unlock(ks2, "a", "pw-two-Bb2!", out, NULL, &e), ERR_AUTH);
	CHECK_INT(store_keyslots_unlock(ks2, "c", "pw-two-Bb2!", out, NULL, &e), ERR_NOTFOUND);
	/* Reseal: new keys for every slot, no password; the key pair stays. */
	REQUIRE_OK(store_keyslots_reseal(ks2, key2, &e), &e);
	CHECK(store_keyslots_generation(ks2) == 2);
	REQUIRE_OK(store_keyslots_unlock(ks2, "a", "pw-one-Aa1!", out, NULL, &e), &e);
	CHECK_MEM(out, key2, sizeof(key2));
	REQUIRE_OK(store_keyslots_unlock(ks2, "tanaka.hanako", "pw-two-Bb2!", out, sk2, &e), &e);
	CHECK_MEM(sk2, sk, 32);
	/* A password change keeping the key pair. */
	REQUIRE_OK(store_keyslots_set(ks2, "tanaka.hanako", "pw-three-Cc3!", key2, sk, NULL, &e), &e);
	REQUIRE_OK(store_keyslots_unlock(ks2, "tanaka.hanako", "pw-three-Cc3!", out, sk2, &e), &e);
	CHECK_MEM(sk2, sk, 32);
	store_keyslots_free(ks2);
	/* Neither key nor account name appears in the file. */
	p = t_read_file(path, &n);
	REQUIRE(p != NULL);
	CHECK(memmem(p, n, key, 32) == NULL);
	CHECK(memmem(p, n, key + 32, 32) == NULL);
	CHECK(memmem(p, n, "tanaka", 6) == NULL);
	/* Truncations are refused. */
	for (size_t cut = 0; cut < n; cut += 7) {
		REQUIRE(t_write_file(path, p, cut) == 0);
		CHECK(store_keyslots_load(path, &ks2, &e) == ERR_FORMAT);
	}
	free(p);
	store_keyslots_free(ks);
}

TEST(store_person_search_and_mynumber)
{
	struct err e;
	struct store *st = make_store(t_path("s"));
	struct person_list l;
	struct person_query q;
	struct person p;
	struct certificate c;
	struct cert_list cl;
	char mn[13];
	int64_t id;

	p = sample_person("0000000001", "山田 太郎", "ヤマダ タロウ", 19800102);
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	p = sample_person("0000000002", "山田 花子", "ﾔﾏﾀﾞ ﾊﾅｺ", 19820304);
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	p = sample_person("0000000003", "山本 一郎", "やまもと いちろう", 19800102);
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	p = sample_person("0000000004", "金 民俊", "キム ミンジュン", 19900505);
	snprintf(p.alias, sizeof(p.alias), "金山 民俊");
	snprintf(p.alias_kana, sizeof(p.alias_kana), "カナヤマ タミトシ");
	snprintf(p.alpha, sizeof(p.alpha), "KIM MINJUN");
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);

	memset(&q, 0, sizeof(q));
	CHECK_INT(store_person_search(st, &q, &l, &e), ERR_INVAL);
	/* Kana prefix: half-width, hiragana and spacing normalise alike. */
	q.kana_prefix = "やまだ";
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	CHECK_INT(l.n, 2);
	person_list_free(&l);
	q.kana_prefix = "ﾔﾏ";
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	CHECK_INT(l.n, 3);
	person_list_free(&l);
	/* Combination narrows: ヤマ + birth date. */
	q.birth = 19800102;
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	CHECK_INT(l.n, 2);
	person_list_free(&l);
	q.name = "本";
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	REQUIRE(l.n == 1);
	CHECK_STR(l.v[0].atena, "0000000003");
	person_list_free(&l);
	/* 通称名 kana and alphabet name. */
	memset(&q, 0, sizeof(q));
	q.kana_prefix = "かなやま";
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	CHECK_INT(l.n, 1);
	person_list_free(&l);
	memset(&q, 0, sizeof(q));
	q.name = "minjun";
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	CHECK_INT(l.n, 1);
	person_list_free(&l);
	/* Paging. */
	memset(&q, 0, sizeof(q));
	q.kana_prefix = "ヤ";
	q.limit = 2;
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	CHECK_INT(l.n, 2);
	CHECK(l.more);
	person_list_free(&l);
	q.offset = 2;
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	CHECK_INT(l.n, 1);
	CHECK(!l.more);
	person_list_free(&l);

	/* 個人番号: check digit, uniqueness, lookup (DATA-1, ID-4). */
	CHECK_INT(store_mynumber_set(st, "0000000001", "123456789012", &e), ERR_FORMAT);
	REQUIRE_OK(store_mynumber_set(st, "0000000001", "123456789018", &e), &e);
	CHECK_INT(store_mynumber_set(st, "0000000002", "123456789018", &e), ERR_EXISTS);
	REQUIRE_OK(store_mynumber_get(st, "0000000001", mn, &e), &e);
	CHECK_STR(mn, "123456789018");
	CHECK_INT(store_mynumber_get(st, "0000000002", mn, &e), ERR_NOTFOUND);

	/* 受給者番号 search and certificate history (DATA-4). */
	memset(&c, 0, sizeof(c));
	snprintf(c.atena, sizeof(c.atena), "0000000002");
	snprintf(c.procedure, sizeof(c.procedure), "kodomo-iryo");
	snprintf(c.recipient_no, sizeof(c.recipient_no), "K12345678");
	c.valid_from = 20250801;
	c.valid_to = 20260731;
	c.issued = 20250725;
	c.burden_rate = 20;
	REQUIRE_OK(store_cert_save(st, &c, &id, &e), &e);
	CHECK(id > 0);
	memset(&q, 0, sizeof(q));
	q.recipient_no = "K12345678";
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	REQUIRE(l.n == 1);
	CHECK_STR(l.v[0].atena, "0000000002");
	person_list_free(&l);
	c.id = id;
	c.returned = 20251001;
	REQUIRE_OK(store_cert_save(st, &c, NULL, &e), &e);
	REQUIRE_OK(store_cert_list(st, "0000000002", NULL, &cl, &e), &e);
	REQUIRE(cl.n == 1);
	CHECK_INT(cl.v[0].returned, 20251001);
	cert_list_free(&cl);

	/* Update keeps history (DATA-3); delete cascades (NET-6). */
	p = sample_person("0000000001", "山田 太郎", "ヤマダ タロウ", 19800102);
	snprintf(p.address, sizeof(p.address), "窓口市南区港町3丁目1番1号");
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	{
		sqlite3_stmt *s;
		REQUIRE(sqlite3_prepare_v2(store_db(st), "SELECT address FROM "
		    "person_history WHERE atena='0000000001'", -1, &s, NULL) == SQLITE_OK);
		REQUIRE(sqlite3_step(s) == SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(s, 0),
		    "窓口市北区青葉町1丁目2番3号");
		sqlite3_finalize(s);
	}
	REQUIRE_OK(store_person_delete(st, "0000000001", &e), &e);
	CHECK_INT(store_mynumber_get(st, "0000000001", mn, &e), ERR_NOTFOUND);
	CHECK_INT(store_person_find_by_mynumber(st, "123456789018", &p, &e), ERR_NOTFOUND);
	store_close(st);
}

TEST(store_applications_outbox_settings)
{
	struct err e;
	struct store *st = make_store(t_path("s"));
	struct application a, b;
	struct application_query aq;
	struct application_list al;
	struct idcheck ic;
	struct status_row *hist;
	struct outbox_item *ob;
	size_t n;
	char buf[64], u[37];
	int64_t cnt;

	REQUIRE_OK(store_setting_set(st, "terminal.id", "T042", &e), &e);
	memset(&ic, 0, sizeof(ic));
	snprintf(ic.method, sizeof(ic.method), "ic-card");
	snprintf(ic.atena, sizeof(ic.atena), "0000000001");
	ic.digest_result = 1;
	REQUIRE_OK(store_idcheck_save(st, &ic, &e), &e);
	CHECK_INT(strlen(ic.uuid), 36);

	memset(&a, 0, sizeof(a));
	snprintf(a.procedure, sizeof(a.procedure), "kodomo-iryo");
	snprintf(a.type, sizeof(a.type), "shinki");
	snprintf(a.atena, sizeof(a.atena), "0000000001");
	snprintf(a.idcheck, sizeof(a.idcheck), "%s", ic.uuid);
	a.form_json = strdup("{\"hoken\":\"kokuho\",\"biko\":\"\"}");
	REQUIRE_OK(store_application_save(st, &a, &e), &e);
	CHECK(strncmp(a.receipt_no, "T042-", 5) == 0);
	CHECK_STR(a.status, "received");
	CHECK_STR(a.entered_by, "admin01");
	/* AC-7: self-confirmation refused. */
	snprintf(a.confirmed_by, sizeof(a.confirmed_by), "admin01");
	CHECK_INT(store_application_save(st, &a, &e), ERR_PERM);
	a.confirmed_by[0] = '\0';
	/* Bad JSON refused. */
	free(a.form_json);
	a.form_json = strdup("{bad");
	CHECK(store_application_save(st, &a, &e) != 0);
	application_clear(&a);

	CHECK_INT(store_application_set_status(st, "no-such-uuid", "review", "",
	    &e), ERR_NOTFOUND);
	memset(&aq, 0, sizeof(aq));
	aq.status = "received";
	REQUIRE_OK(store_application_list(st, &aq, &al, &e), &e);
	REQUIRE(al.n == 1);
	snprintf(u, sizeof(u), "%s", al.v[0].uuid);
	application_list_free(&al);
	REQUIRE_OK(store_application_set_status(st, u, "review", "確認待ち", &e), &e);
	REQUIRE_OK(store_application_set_status(st, u, "forwarded", "", &e), &e);
	CHECK_INT(store_application_set_status(st, u, "bogus", "", &e), ERR_INVAL);
	REQUIRE_OK(store_application_history(st, u, &hist, &n, &e), &e);
	REQUIRE(n == 3);
	CHECK_STR(hist[0].status, "received");
	CHECK_STR(hist[1].note, "確認待ち");
	CHECK_STR(hist[2].status, "forwarded");
	free(hist);
	REQUIRE_OK(store_application_get(st, u, &b, &e), &e);
	CHECK_STR(b.status, "forwarded");
	CHECK_STR(b.form_json, "{\"hoken\":\"kokuho\",\"biko\":\"\"}");
	CHECK(b.agent_json == NULL);
	application_clear(&b);

	/* Outbox: add, list in order, ack removes exactly one. */
	REQUIRE_OK(store_outbox_add(st, NULL, "application", "{\"a\":1}", 7, u, &e), &e);
	REQUIRE_OK(store_outbox_add(st, NULL, "audit", "{\"b\":2}", 7, NULL, &e), &e);
	REQUIRE_OK(store_outbox_list(st, 10, &ob, &n, &e), &e);
	REQUIRE(n == 2);
	CHECK_STR(ob[0].uuid, u);
	CHECK_STR(ob[0].payload, "{\"a\":1}");
	CHECK_STR(ob[1].kind, "audit");
	outbox_free(ob, n);
	/* The same UUID again replaces the waiting item, in its place. */
	REQUIRE_OK(store_outbox_add(st, u, "application", "{\"a\":2}", 7, NULL, &e), &e);
	REQUIRE_OK(store_outbox_list(st, 10, &ob, &n, &e), &e);
	REQUIRE(n == 2);
	CHECK_STR(ob[0].uuid, u);
	CHECK_STR(ob[0].payload, "{\"a\":2}");
	outbox_free(ob, n);
	REQUIRE_OK(store_outbox_ack(st, u, &e), &e);
	CHECK_INT(store_outbox_ack(st, u, &e), ERR_NOTFOUND);
	REQUIRE_OK(store_outbox_count(st, &cnt, &e), &e);
	CHECK_INT(cnt, 1);

	CHECK_INT(store_sync_cursor_get(st, buf, sizeof(buf), NULL, &e), ERR_NOTFOUND);
	REQUIRE_OK(store_sync_cursor_set(st, "c-100", &e), &e);
	REQUIRE_OK(store_sync_cursor_get(st, buf, sizeof(buf), NULL, &e), &e);
	CHECK_STR(buf, "c-100");
	REQUIRE_OK(store_setting_get(st, "terminal.id", buf, sizeof(buf), &e), &e);
	CHECK_STR(buf, "T042");
	store_close(st);
}

struct txarg { int fail; };

static int
tx_body(struct store *st, void *arg)
{
	struct txarg *t = arg;
	struct person p = sample_person("0000000009", "取消 確認", "トリケシ カクニン",
	    20000101);

	if (store_person_upsert(st, &p, NULL) != 0)
		return ERR_IO;
	if (store_sync_cursor_set(st, "c-9", NULL) != 0)
		return ERR_IO;
	return t->fail ? ERR_PROTO : 0;
}

/* store_tx: all or nothing (the sync helper's pulled batches). */
TEST(store_tx_atomic)
{
	struct err e;
	struct store *st = make_store(t_path("s"));
	struct person p;
	struct txarg t = { 1 };
	char buf[32];

	CHECK_INT(store_tx(st, tx_body, &t, &e), ERR_PROTO);
	CHECK_INT(store_person_get(st, "0000000009", &p, &e), ERR_NOTFOUND);
	CHECK_INT(store_sync_cursor_get(st, buf, sizeof(buf), NULL, &e), ERR_NOTFOUND);
	t.fail = 0;
	REQUIRE_OK(store_tx(st, tx_body, &t, &e), &e);
	REQUIRE_OK(store_person_get(st, "0000000009", &p, &e), &e);
	store_close(st);
}

static void
exec_raw(struct store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK) {
		t_fail_at(__FILE__, __LINE__, "%s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
	}
}

/* LOG-2: edit, delete, reorder and truncation are each found, with the
 * row where the chain breaks.  The triggers block casual edits; the test
 * drops them as an attacker with the key would. */
TEST(store_audit_chain_tamper)
{
	struct err e;
	struct store *st = make_store(t_path("s"));
	int64_t bad, rows;
	char det[32];

	for (int i = 0; i < 9; i++) {
		snprintf(det, sizeof(det), "view %d", i);
		REQUIRE_OK(store_audit_append(st, NULL, NULL, "person.view",
		    "0000000001", "lookup", det, &e), &e);
	}
	REQUIRE_OK(store_audit_verify(st, &bad, &rows, &e), &e);
	CHECK_INT(rows, 10);	/* store.create + 9 */
	/* LOG-5: a full 個人番号 in a detail is refused. */
	CHECK_INT(store_audit_append(st, NULL, NULL, "x", NULL, NULL,
	    "number 123456789018 read", &e), ERR_INVAL);
	CHECK_INT(store_audit_append(st, NULL, NULL, "x", NULL, NULL,
	    "番号１２３４５６７８９０１８", &e), ERR_INVAL);
	REQUIRE_OK(store_audit_append(st, NULL, NULL, "x", NULL, NULL,
	    "masked **** **** 9018", &e), &e);
	/* The triggers refuse edits through SQL. */
	CHECK(sqlite3_exec(store_db(st), "UPDATE audit SET detail='x' WHERE id=3",
	    NULL, NULL, NULL) != SQLITE_OK);
	exec_raw(st, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete");
	exec_raw(st, "SAVEPOINT t; UPDATE audit SET detail='view 99' WHERE id=5");
	CHECK_INT(store_audit_verify(st, &bad, &rows, &e), ERR_CORRUPT);
	CHECK_INT(bad, 5);
	exec_raw(st, "ROLLBACK TO t; RELEASE t");
	REQUIRE_OK(store_audit_verify(st, &bad, &rows, &e), &e);
	exec_raw(st, "SAVEPOINT t; DELETE FROM audit WHERE id=7");
	CHECK_INT(store_audit_verify(st, &bad, &rows, &e), ERR_CORRUPT);
	CHECK_INT(bad, 7);
	exec_raw(st, "ROLLBACK TO t; RELEASE t");
	/* Reorder: swap the contents of rows 3 and 4. */
	exec_raw(st, "SAVEPOINT t; UPDATE audit SET id=-3 WHERE id=3;"
	    "UPDATE audit SET id=3 WHERE id=4; UPDATE audit SET id=4 WHERE id=-3");
	CHECK_INT(store_audit_verify(st, &bad, &rows, &e), ERR_CORRUPT);
	CHECK_INT(bad, 3);
	exec_raw(st, "ROLLBACK TO t; RELEASE t");
	/* Cut off the last row. */
	exec_raw(st, "SAVEPOINT t; DELETE FROM audit WHERE id=(SELECT max(id) FROM audit)");
	CHECK_INT(store_audit_verify(st, &bad, &rows, &e), ERR_CORRUPT);
	CHECK_INT(bad, 11);
	exec_raw(st, "ROLLBACK TO t; RELEASE t");
	REQUIRE_OK(store_audit_verify(st, &bad, &rows, &e), &e);
	CHECK_INT(rows, 11);
	store_close(st);
}

TEST(store_password_policy)
{
	struct err e;
	const char *bad[] = { "short1A!", "alllowercaseletters", "Password123!x",
		"P@ssw0rd-Xy9", "Abcd#98765zz", "Zq1!aaaa-Mnb", "Qwer#7781Zmx",
		"Tokyo#2025xy", "Kx9#admin01Q", NULL };
	const char *good[] = { ADMIN_PW, CLERK_PW, "Lp8&gR2vNc5w", "青空と海#Qz71k", NULL };

	for (int i = 0; bad[i]; i++) {
		CHECK(store_password_check(bad[i], "admin01", &e) == ERR_INVAL);
		CHECK(strstr(e.msg, bad[i]) == NULL);
	}
	for (int i = 0; good[i]; i++)
		CHECK_OK(store_password_check(good[i], "admin01", &e), &e);
}

/* The generator: deterministic, valid check digits, households, flags. */
TEST(synth_deterministic_and_valid)
{
	struct synth *a = synth_new(42), *b = synth_new(42), *c = synth_new(43);
	struct synth_resident ra, rb, rc;
	int differ = 0, dv = 0, certs = 0, heads = 0, alias = 0;

	REQUIRE(a && b && c);
	for (int i = 0; i < 20000; i++) {
		synth_next(a, &ra);
		synth_next(b, &rb);
		synth_next(c, &rc);
		CHECK_MEM(&ra, &rb, sizeof(ra));
		differ |= strcmp(ra.p.name, rc.p.name) != 0;
		if (mynumber_validate(ra.mynumber, 12, NULL) != 0) {
			CHECK(!"invalid mynumber");
			break;
		}
		CHECK(date_from_ymd(ra.p.birth, &(struct date){ 0, 0, 0 }) == 0);
		CHECK(strncmp(ra.p.address, "窓口市", strlen("窓口市")) == 0);
		dv += ra.p.dv;
		certs += ra.ncerts;
		heads += strcmp(ra.p.relation, "世帯主") == 0;
		alias += ra.p.alias[0] != '\0';
	}
	CHECK(differ);
	CHECK(dv > 0 && dv < 400);
	CHECK(certs > 1000);
	CHECK(heads > 5000 && heads < 15000);
	CHECK(alias > 0);
	synth_free(a);
	synth_free(b);
	synth_free(c);
}

TEST(synth_load_into_store)
{
	struct err e;
	struct store *st = make_store(t_path("s"));
	struct person_query q;
	struct person_list l;
	struct synth *g = synth_new(7);
	struct synth_resident r;
	struct person p;

	REQUIRE_OK(store_synth_load(st, 7, 3000, &e), &e);
	for (int i = 0; i < 1234; i++)
		synth_next(g, &r);
	REQUIRE_OK(store_person_find_by_mynumber(st, r.mynumber, &p, &e), &e);
	CHECK_STR(p.atena, r.p.atena);
	memset(&q, 0, sizeof(q));
	q.household = r.p.household;
	REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
	CHECK(l.n >= 1);
	person_list_free(&l);
	/* Paged kana search equals the brute-force answer, page by page
	 * (the two index branches and their limits, SC-6). */
	{
		const char *prefixes[] = { "サ", "カナヤマ", "ヤマ", "キム" };
		for (size_t pi = 0; pi < 4; pi++) {
			sqlite3_stmt *bq;
			char want[400][16];
			size_t nw = 0;

			REQUIRE(sqlite3_prepare_v2(store_db(st), "SELECT atena FROM persons "
			    "WHERE (kana_key >= ?1 AND kana_key < ?1 || char(1114111)) OR "
			    "(alias_key >= ?1 AND alias_key < ?1 || char(1114111)) "
			    "ORDER BY kana_key, atena", -1, &bq, NULL) == SQLITE_OK);
			sqlite3_bind_text(bq, 1, prefixes[pi], -1, SQLITE_STATIC);
			while (sqlite3_step(bq) == SQLITE_ROW && nw < 400)
				snprintf(want[nw++], 16, "%s", sqlite3_column_text(bq, 0));
			sqlite3_finalize(bq);
			CHECK(nw > 0);
			for (size_t off = 0; off < nw + 7; off += 7) {
				memset(&q, 0, sizeof(q));
				q.kana_prefix = prefixes[pi];
				q.limit = 7;
				q.offset = off;
				REQUIRE_OK(store_person_search(st, &q, &l, &e), &e);
				CHECK_INT(l.n, off >= nw ? 0 : nw - off < 7 ? nw - off : 7);
				CHECK_INT(l.more, off + 7 < nw);
				for (size_t i = 0; i < l.n && off + i < nw; i++)
					CHECK_STR(l.v[i].atena, want[off + i]);
				person_list_free(&l);
				if (t_failed())
					break;
			}
		}
	}
	REQUIRE_OK(store_person_household(st, r.p.household, &l, &e), &e);
	REQUIRE(l.n >= 1);
	CHECK_STR(l.v[0].relation, "世帯主");
	person_list_free(&l);
	synth_free(g);
	store_close(st);
}
