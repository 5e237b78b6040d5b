/*
 * test_store_keys.c — rights backed by keys (issue 15 part A, with issue
 * 14's rights): the security review's attacks rerun against the store
 * files, the re-key on revocation and its crash safety, grants that follow
 * the account flags, the blind index, the terminal's sealed secrets and
 * the wipe leftovers (RET-4, SC-1, SC-5, ID-3, AC-3, AC-4, LOG-2).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core.h"
#include "harness.h"
#include "store.h"
#include "sync.h"

/* src/sync/sync-int.h: how a pull queues a changed number (ID-6). */
int sync_confirm_add(struct store *st, const char *atena, const char *proposed,
    const char *reason, struct err *e);

#define ADMIN_PW "Kx9#vTq2mWzr"
#define CLERK_PW "Hb7$pLe4nQvs"
#define CLERK2_PW "Gz4&mKd8vLxe"

#define NUM_PLAIN "123456789018"	/* an ordinary resident */
#define NUM_DV "876543210989"		/* a DV-protected resident */
#define NUM_QUEUED "222222222225"	/* proposed by the central, queued */
#define NUM_APP "314159265352"		/* typed into an application form */
#define NUM_AGENT "271828182840"	/* an agent's, in the agent part */
#define DV_ADDR "窓口市南区秘密町9丁目8番7号"
#define DV_POSTAL "987-6543"

static void
add_account(struct store *st, const char *name, const char *pw, int view)
{
	struct err e;
	struct account a;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.display, sizeof(a.display), "窓口 太郎");
	a.role = ROLE_CLERK;
	snprintf(a.perms[0].procedure, sizeof(a.perms[0].procedure), "kokuho");
	a.perms[0].level = PERM_READ;
	a.nperms = 1;
	a.view_mynumber = view;
	REQUIRE_OK(store_account_add(st, &a, pw, &e), &e);
}

static void
add_person(struct store *st, const char *atena, const char *num, int dv)
{
	struct err e;
	struct person p;

	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "%s", atena);
	snprintf(p.name, sizeof(p.name), "鍵 花子%s", atena);
	snprintf(p.kana, sizeof(p.kana), "カギ ハナコ");
	p.birth = 19800102;
	p.sex = 2;
	snprintf(p.postal, sizeof(p.postal), "%s", dv ? DV_POSTAL : "123-4567");
	snprintf(p.address, sizeof(p.address), "%s",
	    dv ? DV_ADDR : "窓口市北区青葉町1丁目2番3号");
	snprintf(p.ward, sizeof(p.ward), "02");
	p.dv = dv;
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	REQUIRE_OK(store_mynumber_set(st, atena, num, &e), &e);
}

/* A store with an administrator, clerk1 (no view-mynumber), an ordinary
 * and a DV-protected resident, and the terminal's sync keys. */
static void
make_store(const char *dir)
{
	struct err e;
	struct store *st;

	REQUIRE_OK(store_create(dir, "admin01", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(dir, "admin01", ADMIN_PW, &st, &e), &e);
	add_account(st, "clerk1", CLERK_PW, 0);
	add_person(st, "0000000001", NUM_PLAIN, 0);
	add_person(st, "0000000002", NUM_DV, 1);
	REQUIRE_OK(store_secret_set(st, "sync.private_key",
	    "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed", 64,
	    &e), &e);
	/* an application whose form and agent hold numbers, queued for the
	 * central */
	{
		struct application a;

		memset(&a, 0, sizeof(a));
		snprintf(a.procedure, sizeof(a.procedure), "kokuho");
		snprintf(a.type, sizeof(a.type), "new");
		snprintf(a.atena, sizeof(a.atena), "0000000001");
		a.form_json = strdup("{\"mynumber\":\"" NUM_APP "\",\"reason\":\"転入\"}");
		a.agent_json = strdup("{\"name\":\"代理 一郎\",\"mynumber\":\"" NUM_AGENT "\"}");
		REQUIRE_OK(store_application_save(st, &a, &e), &e);
		REQUIRE_OK(sync_outbox_application(st, a.uuid, &e), &e);
		/* a corrected number in the history (DATA-3) */
		REQUIRE_OK(store_correction_add(st, a.uuid, "mynumber", NUM_AGENT,
		    NUM_APP, "番号誤り", NULL, NULL, &e), &e);
		application_clear(&a);
	}
	store_close(st);
	/* a change of number from the central waiting for a second person,
	 * queued by a sync in clerk1's session (the one who queued it cannot
	 * decide it: issue 14) */
	REQUIRE_OK(store_open(dir, "clerk1", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(sync_confirm_add(st, "0000000001", NUM_QUEUED, "test", &e), &e);
	store_close(st);
}

/* ---------------------------------------------------- the review's attack */

struct dump {
	struct wbuf w;
};

/* Everything an SQL program reads from every table of a database. */
static int
dump_db(sqlite3 *db, struct wbuf *w)
{
	sqlite3_stmt *t, *q;
	int tables = 0;

	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = "
	    "'table'", -1, &t, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(t) == SQLITE_ROW) {
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"",
		    (const char *)sqlite3_column_text(t, 0));
		if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
			continue;
		tables++;
		while (sqlite3_step(q) == SQLITE_ROW)
			for (int c = 0; c < sqlite3_column_count(q); c++) {
				const void *v = sqlite3_column_blob(q, c);
				wbuf_put(w, v ? v : "", (size_t)sqlite3_column_bytes(q, c));
				wbuf_put(w, "|", 1);
			}
		sqlite3_finalize(q);
	}
	sqlite3_finalize(t);
	return tables;
}

/*
 * The review's attack, as a small program: read store.keys, unwrap one's
 * own slot with one's own password, open store.db through the VFS with the
 * key, and read every value of every table.  Returns the bytes read (the
 * caller frees) or NULL when the files do not open.
 */
static char *
attack_read(const char *dir, const char *keysfile, const char *user,
    const char *pw, size_t *len)
{
	struct store_keyslots *ks;
	uint8_t keys[STORE_SLOT_KEYS_LEN];
	char db[512];
	sqlite3 *h = NULL;
	struct wbuf w;
	struct err e;

	*len = 0;
	if (store_keyslots_load(keysfile, &ks, &e) != 0)
		return NULL;
	if (store_keyslots_unlock(ks, user, pw, keys, NULL, &e) != 0) {
		store_keyslots_free(ks);
		return NULL;
	}
	store_keyslots_free(ks);
	snprintf(db, sizeof(db), "%s/store.db", dir);
	if (store_db_open_key(db, keys, &h, &e) != 0) {
		sodium_memzero(keys, sizeof(keys));
		return NULL;
	}
	sodium_memzero(keys, sizeof(keys));
	wbuf_init(&w, 64 << 20);
	if (dump_db(h, &w) <= 0) {
		sqlite3_close(h);
		wbuf_free(&w);
		return NULL;
	}
	sqlite3_close(h);
	wbuf_put(&w, "", 1);
	*len = w.len;
	return (char *)w.p;
}

static int
has(const char *p, size_t n, const char *s)
{
	return memmem(p, n, s, strlen(s)) != NULL;
}

/* The review: "a clerk with read rights on one procedure and no view flag
 * dumped every 個人番号, every DV address and the terminal's Noise and
 * Ed25519 private keys with their own password and a small SQLite
 * program."  Rerun: the same program finds none of them. */
TEST(attack_clerk_reads_files_with_own_password)
{
	char keys[512], *p;
	size_t n;

	make_store(t_path("s"));
	snprintf(keys, sizeof(keys), "%s/store.keys", t_path("s"));
	p = attack_read(t_path("s"), keys, "clerk1", CLERK_PW, &n);
	REQUIRE(p != NULL);
	/* The program did read the store: names and ordinary data are there. */
	CHECK(has(p, n, "鍵 花子0000000001"));
	CHECK(has(p, n, "窓口市北区青葉町"));
	/* ... but no 個人番号, no protected address, no sync key. */
	CHECK(!has(p, n, NUM_PLAIN));
	CHECK(!has(p, n, NUM_DV));
	CHECK(!has(p, n, NUM_QUEUED));
	CHECK(!has(p, n, NUM_APP));	/* application body and outbox */
	CHECK(!has(p, n, NUM_AGENT));
	CHECK(has(p, n, "代理 一郎"));
	CHECK(!has(p, n, "秘密町"));
	CHECK(!has(p, n, DV_POSTAL));
	CHECK(!has(p, n, "5eed5eed"));
	/* The masked form SC-1 shows everyone is there. */
	CHECK(has(p, n, "**** **** 9018"));
	CHECK(has(p, n, "**** **** 2225"));
	free(p);
	/* The administrator's own dump finds no plain number either: the
	 * number exists only sealed, whoever reads the file. */
	p = attack_read(t_path("s"), keys, "admin01", ADMIN_PW, &n);
	REQUIRE(p != NULL);
	CHECK(!has(p, n, NUM_PLAIN));
	CHECK(!has(p, n, "秘密町"));
	free(p);
}

/* Through the API: the right's key decides, not a flag check. */
TEST(rights_open_only_with_the_grant)
{
	struct err e;
	struct store *st;
	struct person got;
	char num[13], masked[MYNUMBER_MASKED_LEN];

	make_store(t_path("s"));
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	CHECK(!store_right_held(st, "mynumber"));
	CHECK(!store_right_held(st, "address"));
	CHECK_INT(store_mynumber_get(st, "0000000001", num, &e), ERR_PERM);
	CHECK_STR(num, "");
	REQUIRE_OK(store_mynumber_masked(st, "0000000001", masked, &e), &e);
	CHECK_STR(masked, "**** **** 9018");
	/* ID-3 through the blind index: the card's number matches or not. */
	CHECK_INT(store_mynumber_matches(st, "0000000001", NUM_PLAIN, &e), 1);
	CHECK_INT(store_mynumber_matches(st, "0000000001", NUM_DV, &e), 0);
	CHECK_INT(store_mynumber_matches(st, "0000000003", NUM_DV, &e), ERR_NOTFOUND);
	REQUIRE_OK(store_person_find_by_mynumber(st, NUM_DV, &got, &e), &e);
	CHECK_STR(got.atena, "0000000002");
	/* The protected address does not come out for the clerk. */
	CHECK_STR(got.address, "");
	CHECK_STR(got.postal, "");
	/* A clerk still writes a number (a sync pull in a clerk's session):
	 * sealed to the right's public key, without holding it. */
	REQUIRE_OK(store_mynumber_set(st, "0000000001", "111111111118", &e), &e);
	CHECK_INT(store_mynumber_matches(st, "0000000001", "111111111118", &e), 1);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	CHECK(store_right_held(st, "mynumber"));
	REQUIRE_OK(store_mynumber_get(st, "0000000001", num, &e), &e);
	CHECK_STR(num, "111111111118");
	REQUIRE_OK(store_person_get(st, "0000000002", &got, &e), &e);
	CHECK_STR(got.address, DV_ADDR);
	CHECK_STR(got.postal, DV_POSTAL);
	store_close(st);
}

/* A grant follows the flag: given by an administrator at once; given by a
 * sync in a clerk's session (no holder present) it waits for the next
 * holder's login, without the grantee's password; withdrawn, it goes. */
TEST(grants_follow_the_view_flag)
{
	struct err e;
	struct store *st;
	struct account a;
	char num[13];
	int pending = -1;

	make_store(t_path("s"));
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	add_account(st, "clerk2", CLERK2_PW, 0);
	REQUIRE_OK(store_account_get(st, "clerk1", &a, &e), &e);
	a.view_mynumber = 1;
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(store_mynumber_get(st, "0000000001", num, &e), &e);
	CHECK_STR(num, NUM_PLAIN);
	store_close(st);

	/* The central grants clerk2 the flag; the pull runs in clerk2's own
	 * session, which holds no key of the right. */
	REQUIRE_OK(store_open(t_path("s"), "clerk2", CLERK2_PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk2", &a, &e), &e);
	a.view_mynumber = 1;
	snprintf(a.updated_by, sizeof(a.updated_by), "central");
	REQUIRE_OK(store_account_upsert(st, &a, &e), &e);
	REQUIRE_OK(store_rights_sync(st, &pending, &e), &e);
	CHECK_INT(pending, 1);
	store_close(st);
	/* clerk1 (a holder) logs in: the grant is sealed to clerk2's key. */
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(store_rights_sync(st, &pending, &e), &e);
	CHECK_INT(pending, 0);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "clerk2", CLERK2_PW, &st, &e), &e);
	REQUIRE_OK(store_mynumber_get(st, "0000000002", num, &e), &e);
	CHECK_STR(num, NUM_DV);
	store_close(st);

	/* Withdrawn: the grant row goes, the number no longer opens. */
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk1", &a, &e), &e);
	a.view_mynumber = 0;
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	CHECK_INT(store_mynumber_get(st, "0000000001", num, &e), ERR_PERM);
	store_close(st);
}

/* Administrators are the custodians of every right key (SC-1): a pulled
 * account row that withdraws the view flag from the only holder (the
 * first sync of a store whose administrator the central lists without
 * view-mynumber: test_sync_e2e) must not lose the key, or no number could
 * ever be opened again and no later grant written. */
TEST(admin_keeps_right_keys_without_the_view_flag)
{
	struct err e;
	struct store *st;
	struct account a;
	char num[13];
	int pending = -1;

	make_store(t_path("s"));
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "admin01", &a, &e), &e);
	a.view_mynumber = 0;
	snprintf(a.updated_by, sizeof(a.updated_by), "central");
	REQUIRE_OK(store_account_upsert(st, &a, &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	CHECK(store_right_held(st, "mynumber"));
	REQUIRE_OK(store_mynumber_get(st, "0000000001", num, &e), &e);
	CHECK_STR(num, NUM_PLAIN);
	CHECK_INT(store_user(st)->view_mynumber, 0);	/* screens still mask */
	store_close(st);
	/* A sync in clerk1's session makes clerk1 entitled: pending until the
	 * custodian's next login, which completes it. */
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk1", &a, &e), &e);
	a.view_mynumber = 1;
	snprintf(a.updated_by, sizeof(a.updated_by), "central");
	REQUIRE_OK(store_account_upsert(st, &a, &e), &e);
	REQUIRE_OK(store_rights_sync(st, &pending, &e), &e);
	CHECK_INT(pending, 1);
	CHECK_INT(store_mynumber_get(st, "0000000001", num, &e), ERR_PERM);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(store_mynumber_get(st, "0000000002", num, &e), &e);
	CHECK_STR(num, NUM_DV);
	store_close(st);
}

/* Issue 14 on issue 15's keys: sensitive items of a procedure sealed to
 * the right sensitive:PROC (created on first use, by any session) open only
 * for accounts with the procedure's sensitive flag (and the custodians);
 * a TOTP secret sealed to its own account opens only in that account's
 * session and goes with a new key pair (DATA-5, AC-5). */
TEST(sensitive_right_and_account_secret)
{
	struct err e;
	struct store *st;
	struct account a;
	char right[STORE_RIGHT_MAX], buf[64];
	uint8_t *c = NULL;
	size_t cn = 0, n = 0;
	static const char diag[] = "F32.1 うつ病エピソード";

	CHECK_INT(store_right_sensitive("", right), ERR_INVAL);
	REQUIRE(store_right_sensitive("jiritsu-seishin", right) == 0);
	CHECK_STR(right, "sensitive:jiritsu-seishin");
	make_store(t_path("s"));
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	add_account(st, "clerk2", CLERK2_PW, 0);
	REQUIRE_OK(store_account_get(st, "clerk2", &a, &e), &e);
	snprintf(a.perms[0].procedure, sizeof(a.perms[0].procedure), "jiritsu-seishin");
	a.perms[0].level = PERM_READ;
	a.perms[0].sensitive = 1;
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk2", &a, &e), &e);
	CHECK_INT(a.perms[0].sensitive, 1);
	store_close(st);
	/* clerk1 (no flag) seals: the right is created; clerk1 cannot open */
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(store_seal_right(st, right, diag, sizeof(diag), &c, &cn, &e), &e);
	CHECK_INT(cn, sizeof(diag) + STORE_SEAL_OVERHEAD);
	CHECK(memmem(c, cn, "F32.1", 5) == NULL);
	CHECK(!store_right_held(st, right));
	CHECK_INT(store_open_right(st, right, c, cn, buf, sizeof(buf), &n, &e), ERR_PERM);
	CHECK_INT(store_account_secret_set(st, "clerk1", "JBSWY3DPEHPK3PXP", 16, &e), 0);
	CHECK_INT(store_account_secret_get(st, "admin01", buf, sizeof(buf), &n, &e), ERR_PERM);
	REQUIRE_OK(store_account_secret_get(st, "clerk1", buf, sizeof(buf), &n, &e), &e);
	CHECK(n == 16 && memcmp(buf, "JBSWY3DPEHPK3PXP", 16) == 0);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "clerk2", CLERK2_PW, &st, &e), &e);
	CHECK(store_right_held(st, right));
	REQUIRE_OK(store_open_right(st, right, c, cn, buf, sizeof(buf), &n, &e), &e);
	CHECK(n == sizeof(diag) && memcmp(buf, diag, n) == 0);
	CHECK_INT(store_open_right(st, right, c, cn, buf, 8, &n, &e), ERR_RANGE);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_open_right(st, right, c, cn, buf, sizeof(buf), &n, &e), &e);
	/* an administrator's reset gives clerk1 a new key pair: the secret goes */
	REQUIRE_OK(store_account_set_password(st, "clerk1", NULL, "Wq5%nRt8bZyk", &e), &e);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "clerk1", "Wq5%nRt8bZyk", &st, &e), &e);
	CHECK_INT(store_account_secret_get(st, "clerk1", buf, sizeof(buf), &n, &e),
	    ERR_NOTFOUND);
	store_close(st);
	free(c);
}

/* 個人番号 inside application bodies (SC-1, DATA-1): the API gives the
 * number to a session with the right and the masked form to others; a
 * clerk's correction of another field keeps the number; the push gives the
 * central the plain number from a clerk's session (no right needed). */
TEST(numbers_in_bodies_sealed_and_pushed_plain)
{
	struct err e;
	struct store *st;
	struct application a;
	struct outbox_item *v = NULL;
	size_t n = 0;
	char uuid[37], *plain = NULL;

	make_store(t_path("s"));
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	{
		struct application_list l;
		struct application_query q;

		memset(&q, 0, sizeof(q));
		REQUIRE_OK(store_application_list(st, &q, &l, &e), &e);
		REQUIRE(l.n == 1);
		snprintf(uuid, sizeof(uuid), "%s", l.v[0].uuid);
		CHECK(strstr(l.v[0].form_json, NUM_APP) == NULL);
		CHECK(strstr(l.v[0].form_json, "\"**** **** 5352\"") != NULL);
		application_list_free(&l);
	}
	REQUIRE_OK(store_application_get(st, uuid, &a, &e), &e);
	CHECK(strstr(a.form_json, "\"**** **** 5352\"") != NULL);
	CHECK(strstr(a.agent_json, "\"**** **** 2840\"") != NULL);
	{
		struct app_correction *c = NULL;
		size_t nc = 0;

		REQUIRE_OK(store_correction_list(st, uuid, &c, &nc, &e), &e);
		REQUIRE(nc == 1);
		CHECK_STR(c[0].old_value, "**** **** 2840");
		CHECK_STR(c[0].new_value, "**** **** 5352");
		free(c);
	}
	/* the clerk corrects the reason: the number stays */
	free(a.form_json);
	a.form_json = strdup("{\"mynumber\":\"**** **** 5352\",\"reason\":\"転居\"}");
	REQUIRE_OK(store_application_save(st, &a, &e), &e);
	application_clear(&a);
	REQUIRE_OK(sync_outbox_application(st, uuid, &e), &e);
	/* the push, from this clerk's session: the plain number */
	REQUIRE_OK(store_outbox_list(st, 10, &v, &n, &e), &e);
	REQUIRE(n >= 1);
	CHECK(memmem(v[n - 1].payload, v[n - 1].len, NUM_APP, 12) == NULL);
	{
		char *z = strndup(v[n - 1].payload, v[n - 1].len);

		REQUIRE_OK(store_body_for_push(st, z, &plain, &e), &e);
		free(z);
	}
	CHECK(strstr(plain, "\"mynumber\":\"" NUM_APP "\"") != NULL);
	CHECK(strstr(plain, "\"mynumber\":\"" NUM_AGENT "\"") != NULL);
	CHECK(strstr(plain, "転居") != NULL);
	CHECK(strstr(plain, "mdg-sealed") == NULL);
	free(plain);
	outbox_free(v, n);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_application_get(st, uuid, &a, &e), &e);
	CHECK(strstr(a.form_json, "\"" NUM_APP "\"") != NULL);
	CHECK(strstr(a.form_json, "転居") != NULL);
	CHECK(strstr(a.agent_json, "\"" NUM_AGENT "\"") != NULL);
	{
		struct app_correction *c = NULL;
		size_t nc = 0;

		REQUIRE_OK(store_correction_list(st, uuid, &c, &nc, &e), &e);
		REQUIRE(nc == 1);
		CHECK_STR(c[0].old_value, NUM_AGENT);
		CHECK_STR(c[0].new_value, NUM_APP);
		free(c);
	}
	/* saved again unchanged by a holder: byte for byte the same body */
	REQUIRE_OK(store_application_save(st, &a, &e), &e);
	application_clear(&a);
	{
		struct application raw1, raw2;

		REQUIRE_OK(store_application_get_sealed(st, uuid, &raw1, &e), &e);
		REQUIRE_OK(store_application_get(st, uuid, &a, &e), &e);
		REQUIRE_OK(store_application_save(st, &a, &e), &e);
		REQUIRE_OK(store_application_get_sealed(st, uuid, &raw2, &e), &e);
		CHECK_STR(raw1.form_json, raw2.form_json);
		application_clear(&raw1);
		application_clear(&raw2);
		application_clear(&a);
	}
	store_close(st);
}

/* --------------------------------------------------------- revocation */

static void
copy_file(const char *from, const char *to)
{
	size_t n;
	char *p = t_read_file(from, &n);

	REQUIRE(p != NULL);
	REQUIRE(t_write_file(to, p, n) == 0);
	free(p);
}

/* "A revoked or disabled account keeps its key slot ... so an old password
 * plus an old store.keys (a backup) still opens current data."  Rerun:
 * after the revocation the old slot and the old store.keys open nothing
 * written after it, not even with the current store.db. */
TEST(revoked_old_slot_opens_nothing_new)
{
	struct err e;
	struct store *st;
	struct person got;
	char keys[512], old[512], *p;
	size_t n;
	uint64_t g0, g1;

	make_store(t_path("s"));
	snprintf(keys, sizeof(keys), "%s/store.keys", t_path("s"));
	snprintf(old, sizeof(old), "%s", t_path("store.keys.backup"));
	copy_file(keys, old);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_generation(st, &g0, &e), &e);
	REQUIRE_OK(store_account_revoke(st, "clerk1", &e), &e);
	REQUIRE_OK(store_generation(st, &g1, &e), &e);
	CHECK(g1 > g0);
	/* written after the revocation */
	add_person(st, "0000000009", "222222222225", 0);
	store_close(st);
	/* The old backup of store.keys still unwraps clerk1's old slot ... */
	p = attack_read(t_path("s"), old, "clerk1", CLERK_PW, &n);
	/* ... but that key opens no page of the current database. */
	CHECK(p == NULL);
	free(p);
	/* The current store.keys has no slot for clerk1 at all. */
	CHECK(attack_read(t_path("s"), keys, "clerk1", CLERK_PW, &n) == NULL);
	CHECK_INT(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), ERR_PERM);
	/* The remaining accounts open the re-keyed store with the data. */
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_person_get(st, "0000000009", &got, &e), &e);
	REQUIRE_OK(store_person_get(st, "0000000001", &got, &e), &e);
	{
		int64_t bad = 0, rows = 0;
		REQUIRE_OK(store_audit_verify(st, &bad, &rows, &e), &e);
	}
	store_close(st);
}

/* "Replacing one page of store.db with an older sealed copy plus the old
 * store.keys re-enabled a disabled account."  Rerun with every page of the
 * old database in turn. */
TEST(older_page_and_old_keys_do_not_reenable)
{
	struct err e;
	struct store *st;
	struct account a;
	char db[512], keys[512], olddb[512], oldkeys[512];
	char *cur, *prev, *keysnow;
	size_t ncur, nprev, nkeys;

	make_store(t_path("s"));
	snprintf(db, sizeof(db), "%s/store.db", t_path("s"));
	snprintf(keys, sizeof(keys), "%s/store.keys", t_path("s"));
	snprintf(olddb, sizeof(olddb), "%s", t_path("old.db"));
	snprintf(oldkeys, sizeof(oldkeys), "%s", t_path("old.keys"));
	copy_file(db, olddb);
	copy_file(keys, oldkeys);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk1", &a, &e), &e);
	a.disabled = 1;
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	store_close(st);
	CHECK_INT(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), ERR_PERM);
	cur = t_read_file(db, &ncur);
	prev = t_read_file(olddb, &nprev);
	keysnow = t_read_file(keys, &nkeys);
	REQUIRE(cur != NULL && prev != NULL && keysnow != NULL);
	for (size_t off = 0; off + STORE_PAGE_SIZE <= nprev &&
	    off + STORE_PAGE_SIZE <= ncur; off += STORE_PAGE_SIZE) {
		char *mix = malloc(ncur);

		REQUIRE(mix != NULL);
		memcpy(mix, cur, ncur);
		memcpy(mix + off, prev + off, STORE_PAGE_SIZE);
		REQUIRE(t_write_file(db, mix, ncur) == 0);
		free(mix);
		/* with the old store.keys */
		copy_file(oldkeys, keys);
		st = NULL;
		CHECK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e) != 0);
		CHECK(st == NULL);
		store_close(st);
		/* and with the current one */
		REQUIRE(t_write_file(keys, keysnow, nkeys) == 0);
		st = NULL;
		CHECK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e) != 0);
		store_close(st);
	}
	REQUIRE(t_write_file(db, cur, ncur) == 0);
	REQUIRE(t_write_file(keys, keysnow, nkeys) == 0);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	store_close(st);
	free(cur);
	free(prev);
	free(keysnow);
}

/* The re-key needs the store to itself: with a second connection open it is
 * left pending (the slot is gone at once) and runs at the next open. */
TEST(rekey_pending_while_open_elsewhere)
{
	struct err e;
	struct store *st, *other;
	struct account a;
	char buf[8], keys[512], old[512], *p;
	size_t n;

	make_store(t_path("s"));
	snprintf(keys, sizeof(keys), "%s/store.keys", t_path("s"));
	snprintf(old, sizeof(old), "%s", t_path("keys.before"));
	copy_file(keys, old);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_dup(st, &other, &e), &e);
	REQUIRE_OK(store_account_get(st, "clerk1", &a, &e), &e);
	a.disabled = 1;
	REQUIRE_OK(store_account_update(st, &a, &e), &e);
	REQUIRE_OK(store_setting_get(st, "rekey.pending", buf, sizeof(buf), &e), &e);
	CHECK_STR(buf, "1");
	CHECK_INT(store_rekey(st, &e), ERR_BUSY);
	/* still the old database key: the old slot reads current data */
	p = attack_read(t_path("s"), old, "clerk1", CLERK_PW, &n);
	CHECK(p != NULL);
	free(p);
	store_close(other);
	store_close(st);
	CHECK_INT(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), ERR_PERM);
	/* the next open runs it */
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_setting_get(st, "rekey.pending", buf, sizeof(buf), &e), &e);
	CHECK_STR(buf, "0");
	store_close(st);
	CHECK(attack_read(t_path("s"), old, "clerk1", CLERK_PW, &n) == NULL);
}

/* Crash safety: SIGKILL a re-key at random points; the store always opens
 * with either the old key set or the new one, with its data.  The child
 * re-keys with pauses between the steps (MDG_REKEY_PAUSE) so the kills
 * land inside every step, not only before or after. */
TEST(rekey_sigkill_leaves_old_or_new)
{
	struct err e;
	struct store *st;
	int olds = 0, news = 0;

	make_store(t_path("s"));
	setenv("MDG_REKEY_PAUSE", "15", 1);
	for (int round = 0; round < 12; round++) {
		struct person got;
		uint64_t gen_before = 0, gen_after = 0;
		pid_t pid;
		int status;

		REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
		REQUIRE_OK(store_generation(st, &gen_before, &e), &e);
		store_close(st);
		pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0) {
			struct store *cst;
			if (store_open(t_path("s"), "admin01", ADMIN_PW, &cst, NULL) != 0)
				_exit(3);
			for (;;)
				store_rekey(cst, NULL);
		}
		/* Argon2id takes a while; kill somewhere in the re-key loop. */
		usleep((useconds_t)(300000 + randombytes_uniform(600000)));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		REQUIRE(WIFSIGNALED(status));
		/* both accounts open, the data is there */
		REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
		store_close(st);
		REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
		REQUIRE_OK(store_person_get(st, "0000000002", &got, &e), &e);
		CHECK_STR(got.address, DV_ADDR);
		REQUIRE_OK(store_generation(st, &gen_after, &e), &e);
		if (gen_after == gen_before)
			olds++;
		else
			news++;
		{
			int64_t bad = 0, rows = 0;
			CHECK_OK(store_audit_verify(st, &bad, &rows, &e), &e);
		}
		store_close(st);
		{
			char p[512];
			snprintf(p, sizeof(p), "%s/store.db.rekey", t_path("s"));
			CHECK(access(p, F_OK) != 0);
			snprintf(p, sizeof(p), "%s/store.keys.rekey", t_path("s"));
			CHECK(access(p, F_OK) != 0);
		}
	}
	unsetenv("MDG_REKEY_PAUSE");
	/* Not a timing assertion: just that the test exercised something. */
	CHECK(olds + news == 12);
}

/* ------------------------------------------------------------ leftovers */

/* Account names are not readable in store.keys; wipe removes the temp
 * files of an interrupted key-slot save and re-key, and says so. */
static void
said(const char *path, void *arg)
{
	struct wbuf *w = arg;

	wbuf_printf(w, "%s\n", path);
}

TEST(keys_file_has_no_names_and_wipe_takes_everything)
{
	struct err e;
	char keys[512], tmp[512], *p;
	size_t n;
	struct wbuf w;

	make_store(t_path("s"));
	snprintf(keys, sizeof(keys), "%s/store.keys", t_path("s"));
	p = t_read_file(keys, &n);
	REQUIRE(p != NULL);
	CHECK(!has(p, n, "admin01"));
	CHECK(!has(p, n, "clerk1"));
	free(p);
	snprintf(tmp, sizeof(tmp), "%s/store.keys.tmpAbC123", t_path("s"));
	REQUIRE(t_write_file(tmp, "left over", 9) == 0);
	snprintf(tmp, sizeof(tmp), "%s/store.keys.rekey.tmpXyZ789", t_path("s"));
	REQUIRE(t_write_file(tmp, "left over", 9) == 0);
	wbuf_init(&w, 1 << 16);
	REQUIRE_OK(store_wipe_report(t_path("s"), said, &w, &e), &e);
	wbuf_put(&w, "", 1);
	CHECK(strstr((char *)w.p, "store.keys\n") != NULL);
	CHECK(strstr((char *)w.p, "store.keys.tmpAbC123") != NULL);
	CHECK(strstr((char *)w.p, "store.keys.rekey.tmpXyZ789") != NULL);
	CHECK(strstr((char *)w.p, "store.db\n") != NULL);
	wbuf_free(&w);
	CHECK(t_dir_contains(t_path("s"), "store", 5) == NULL);
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", t_path("s"));
		CHECK(system(cmd) == 0);
	}
}

/* The first audit row names the terminal given at init, not T000. */
TEST(first_audit_row_names_the_terminal)
{
	struct err e;
	struct store *st;
	struct audit_row *v = NULL;
	size_t n = 0;

	REQUIRE_OK(store_create_terminal(t_path("s"), "admin01", ADMIN_PW, "T01", &e), &e);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_audit_list(st, 0, 10, &v, &n, &e), &e);
	REQUIRE(n >= 1);
	CHECK_STR(v[0].action, "store.create");
	CHECK_STR(v[0].terminal, "T01");
	free(v);
	store_close(st);
}

/* The terminal's secrets are sealed: the plain settings do not hold them,
 * and they come back through the API. */
TEST(sync_secrets_sealed)
{
	struct err e;
	struct store *st;
	char buf[128], hex[70];
	size_t n;

	make_store(t_path("s"));
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	CHECK_INT(store_setting_get(st, "sync.private_key", buf, sizeof(buf), &e),
	    ERR_NOTFOUND);
	REQUIRE_OK(store_secret_get(st, "sync.private_key", hex, sizeof(hex) - 1, &n,
	    &e), &e);
	hex[n] = '\0';
	CHECK_INT(n, 64);
	CHECK(strncmp(hex, "5eed5eed", 8) == 0);
	CHECK_INT(store_secret_get(st, "sync.sign_key", hex, sizeof(hex), &n, &e),
	    ERR_NOTFOUND);
	store_close(st);
}

/* The sync's confirmation queue holds the proposed number sealed: the list
 * shows it masked to anyone; approving opens it, which needs the right. */
TEST(confirmation_queue_sealed)
{
	struct err e;
	struct store *st;
	struct sync_confirm_row *v = NULL;
	size_t n = 0;
	char num[13];

	make_store(t_path("s"));
	REQUIRE_OK(store_open(t_path("s"), "clerk1", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(sync_confirm_list(st, 10, &v, &n, &e), &e);
	REQUIRE(n == 1);
	CHECK_STR(v[0].proposed_masked, "**** **** 2225");
	CHECK_INT(sync_confirm_decide(st, v[0].id, 1, &e), ERR_PERM);
	store_close(st);
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(sync_confirm_decide(st, v[0].id, 1, &e), &e);
	REQUIRE_OK(store_mynumber_get(st, "0000000001", num, &e), &e);
	CHECK_STR(num, NUM_QUEUED);
	store_close(st);
	free(v);
}
