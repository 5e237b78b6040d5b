/*
 * test_refdata.c — issue 19's reference data, below the network: the
 * KEN_ALL reader (Shift_JIS, split records joined as Japan Post documents,
 * 以下に掲載がない場合 / 一円 / building floors), the zengin-code reader,
 * the central's import (changes, re-import unchanged, tombstones), the
 * protocol version 3 gate of the new change kinds (NET-3: never sent to or
 * accepted from a version 2 peer), the terminal's tables and the forms'
 * "lookup" fields (a bank and branch named, an unknown code refused, an
 * address filled).  The samples are data/refdata, as committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "app.h"
#include "central.h"
#include "screen.h"
#include "store.h"
#include "sync.h"
#include "../../src/central/central-int.h"
#include "../../src/sync/sync-int.h"

static char *
sample(const char *name, size_t *n)
{
	char p[1024];
	char *t;

	snprintf(p, sizeof(p), "%s/data/refdata/%s", t_srcdir(), name);
	t = t_read_file(p, n);
	REQUIRE(t != NULL);
	return t;
}

#define MAXE 256
struct entries {
	int n;
	struct kenall_entry k[MAXE];
};

static int
collect(void *ctx, const struct kenall_entry *k, struct err *e)
{
	struct entries *es = ctx;

	(void)e;
	if (es->n < MAXE)
		es->k[es->n] = *k;
	es->n++;
	return 0;
}

static const struct kenall_entry *
find(const struct entries *es, const char *code, int nth)
{
	for (int i = 0; i < es->n && i < MAXE; i++)
		if (strcmp(es->k[i].postal, code) == 0 && nth-- == 0)
			return &es->k[i];
	return NULL;
}

static struct entries *
parse_sample(void)
{
	struct entries *es = calloc(1, sizeof(*es));
	char *raw, *u;
	size_t n, un;
	struct err e;

	REQUIRE(es != NULL);
	raw = sample("KEN_ALL.CSV", &n);
	REQUIRE_OK(kenall_to_utf8(raw, n, &u, &un, &e), &e);
	REQUIRE_OK(kenall_parse(u, un, collect, es, &e), &e);
	free(raw);
	free(u);
	return es;
}

/* Japan Post splits a 町域名 of more than 38 characters over records of
 * the same code; they are one address. */
TEST(kenall_joins_split_records)
{
	struct entries *es = parse_sample();
	const struct kenall_entry *k;

	/* 169 records, of which 1 + 2 + 1 continuations */
	CHECK_INT(es->n, 165);
	REQUIRE((k = find(es, "0285102", 0)) != NULL);
	CHECK(find(es, "0285102", 1) == NULL);
	CHECK_STR(k->pref, "岩手県");
	CHECK_STR(k->city, "岩手郡葛巻町");
	CHECK_STR(k->town_full, "葛巻（第４０地割「５７番地１２５、１７６を除く」～第４５地割）");
	CHECK_STR(k->town, "葛巻");
	CHECK_STR(k->kana, "イワテケンイワテグンクズマキマチクズマキ");
	REQUIRE((k = find(es, "0660005", 0)) != NULL);
	CHECK(find(es, "0660005", 1) == NULL);
	CHECK_STR(k->town_full, "協和（８８－２、２７１－１０、３４３－２、４０４－１、４２７－"
	    "３、４３１－１２、４４３－６、６０８－２、６４１－８、８１４、８４２－"
	    "５、１１３７－３、１３９２、１６５７、１７５２番地）");
	CHECK_STR(k->town, "協和");
	CHECK_INT(k->line, 3);
	/* the record after a joined one stands alone */
	REQUIRE((k = find(es, "0691182", 0)) != NULL);
	CHECK_STR(k->town_full, "協和（その他）");
	/* the demo city's own split record */
	REQUIRE((k = find(es, "9900599", 0)) != NULL);
	CHECK(strstr(k->town_full, "窓口駅西口ビルを除く）") != NULL);
	CHECK_STR(k->town, "駅前");
	free(es);
}

TEST(kenall_town_as_written_in_an_address)
{
	struct entries *es = parse_sample();
	const struct kenall_entry *k;

	REQUIRE((k = find(es, "0600000", 0)) != NULL);
	CHECK_STR(k->town_full, "以下に掲載がない場合");
	CHECK_STR(k->town, "");
	CHECK_STR(k->kana, "ホッカイドウサッポロシチュウオウク");
	REQUIRE((k = find(es, "1000301", 0)) != NULL);
	CHECK_STR(k->town, "");			/* 利島村一円 */
	REQUIRE((k = find(es, "5220317", 0)) != NULL);
	CHECK_STR(k->town, "一円");		/* a place called 一円 */
	REQUIRE((k = find(es, "1057301", 0)) != NULL);
	CHECK_STR(k->town, "東新橋東京汐留ビルディング１階");
	REQUIRE((k = find(es, "1057390", 0)) != NULL);
	CHECK_STR(k->town, "東新橋東京汐留ビルディング");
	REQUIRE((k = find(es, "9900101", 0)) != NULL);
	CHECK_STR(k->city, "窓口市北区");
	CHECK_STR(k->town, "青葉町１丁目");
	CHECK_INT(k->flags[2], 1);		/* 丁目を有する町域 */
	/* one code, two 町域 (column 13) */
	REQUIRE((k = find(es, "9900191", 1)) != NULL);
	CHECK_STR(k->town, "青葉町東");
	CHECK_INT(k->flags[3], 1);
	free(es);
}

static int
kenall_text(const char *sjis_or_utf8, int utf8_in, struct err *e)
{
	struct entries *es = calloc(1, sizeof(*es));
	char *u = NULL;
	size_t un = 0;
	int r;

	REQUIRE(es != NULL);
	if (utf8_in)
		r = kenall_parse(sjis_or_utf8, strlen(sjis_or_utf8), collect, es, e);
	else if ((r = kenall_to_utf8(sjis_or_utf8, strlen(sjis_or_utf8), &u, &un, e)) == 0)
		r = kenall_parse(u, un, collect, es, e);
	free(u);
	free(es);
	return r;
}

TEST(kenall_refuses_what_is_not_kenall)
{
	struct err e;

	/* an invalid Shift_JIS sequence (0x81 then a control byte), line 2 */
	CHECK_INT(kenall_text("01101,\"060  \",\"0600000\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",0,0,0,0,0,0\r\n"
	    "\x81\x01\r\n", 0, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "KEN_ALL:2") != NULL);
	CHECK_INT(kenall_text("a,b,c\r\n", 1, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "columns") != NULL);
	CHECK_INT(kenall_text("01101,\"060  \",\"060000\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",0,0,0,0,0,0\r\n",
	    1, &e), ERR_FORMAT);
	CHECK_INT(kenall_text("01101,\"060  \",\"0600000\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",0,0,0,0,0,x\r\n",
	    1, &e), ERR_FORMAT);
	CHECK_INT(kenall_text("", 1, &e), ERR_FORMAT);
}

struct zg {
	int banks, branches;
	char b0001[64], br0001_001[64], kana0005[64];
};

static int
zg_collect(void *ctx, const char *bank, const char *branch, const char *name,
    const char *kana, struct err *e)
{
	struct zg *z = ctx;

	(void)e;
	if (branch == NULL) {
		z->banks++;
		if (strcmp(bank, "0001") == 0)
			snprintf(z->b0001, sizeof(z->b0001), "%s", name);
		if (strcmp(bank, "0005") == 0)
			snprintf(z->kana0005, sizeof(z->kana0005), "%s", kana);
	} else {
		z->branches++;
		if (strcmp(bank, "0001") == 0 && strcmp(branch, "001") == 0)
			snprintf(z->br0001_001, sizeof(z->br0001_001), "%s", name);
	}
	return 0;
}

static int
zp(const char *text, struct zg *z, struct err *e)
{
	return zengin_parse(text, strlen(text), zg_collect, z, e);
}

TEST(zengin_reads_the_npm_package_form)
{
	struct zg z;
	struct err e;
	size_t n;
	char *t = sample("zengin-data.js", &n);

	memset(&z, 0, sizeof(z));
	REQUIRE_OK(zengin_parse(t, n, zg_collect, &z, &e), &e);
	CHECK_INT(z.banks, 6);
	CHECK_INT(z.branches, 30);
	CHECK_STR(z.b0001, "みずほ");
	CHECK_STR(z.br0001_001, "東京営業部");
	CHECK_STR(z.kana0005, "ミツビシユ－エフジエイ");
	free(t);
	/* the bare object (a .json file) */
	memset(&z, 0, sizeof(z));
	CHECK_OK(zp("{\"0001\":{\"code\":\"0001\",\"name\":\"みずほ\"}}", &z, &e), &e);
	CHECK_INT(z.banks, 1);
	/* refused: a code of the wrong shape, a code that disagrees, no name,
	 * branches of the wrong type, nothing at all */
	CHECK_INT(zp("{\"001\":{\"name\":\"x\"}}", &z, &e), ERR_FORMAT);
	CHECK_INT(zp("{\"0001\":{\"code\":\"0002\",\"name\":\"x\"}}", &z, &e), ERR_FORMAT);
	CHECK_INT(zp("{\"0001\":{\"code\":\"0001\"}}", &z, &e),
	    ERR_FORMAT);
	CHECK_INT(zp("{\"0001\":{\"name\":\"x\",\"branches\":[]}}", &z, &e), ERR_FORMAT);
	CHECK_INT(zp("{\"0001\":{\"name\":\"x\",\"branches\":{\"01\":{\"name\":\"y\"}}}}", &z, &e), ERR_FORMAT);
	CHECK_INT(zp("module.exports = {};", &z, &e), ERR_FORMAT);
	CHECK_INT(zp("module.exports {}", &z, &e), ERR_FORMAT);
}

static struct central *
central_new(void)
{
	struct central *c;
	struct err e;

	REQUIRE_OK(central_init(t_path("c"), &e), &e);
	REQUIRE_OK(central_open(t_path("c"), &c, &e), &e);
	return c;
}

static int
kind_count(struct msg *page, int kind, int op)
{
	int n = 0;

	for (size_t i = 0; i < page->nchanges; i++)
		if (page->changes[i].kind == kind && page->changes[i].op == op)
			n++;
	return n;
}

static const struct msg_change *
change_of(struct msg *page, int kind, const char *key)
{
	for (size_t i = 0; i < page->nchanges; i++)
		if (page->changes[i].kind == kind && strcmp(page->changes[i].key, key) == 0)
			return &page->changes[i];
	return NULL;
}

TEST(central_import_writes_changes_and_tombstones)
{
	struct central *c = central_new();
	struct import_report r;
	struct msg page;
	struct err e;
	long removed;
	size_t n;
	char *zg = sample("zengin-data.js", &n), *p, *ka;
	size_t kn;
	const struct msg_change *ch;

	REQUIRE_OK(central_import_refdata(c, REFDATA_BANKS, "zengin", zg, n, &r,
	    &removed, NULL, &e), &e);
	CHECK_INT(r.rows, 36);
	CHECK_INT(r.changed, 36);
	CHECK_INT(removed, 0);
	ka = sample("KEN_ALL.CSV", &kn);
	REQUIRE_OK(central_import_refdata(c, REFDATA_POSTAL, "KEN_ALL", ka, kn, &r,
	    &removed, NULL, &e), &e);
	CHECK_INT(r.rows, 165);
	CHECK_INT(r.accepted, 160);	/* codes: 9900191 x2, and 5 codes never */
	msg_init(&page, MSG_CHANGES, 1);
	REQUIRE_OK(central_changes_page(c->db, "T1", "01", "", 0, 1000, &page, &e), &e);
	CHECK_INT(kind_count(&page, CHG_BANK, CHG_UPSERT), 6);
	CHECK_INT(kind_count(&page, CHG_BRANCH, CHG_UPSERT), 30);
	REQUIRE((ch = change_of(&page, CHG_BRANCH, "0001-001")) != NULL);
	CHECK_STR(ch->body, "{\"name\":\"東京営業部\",\"kana\":\"トウキヨウ\"}");
	REQUIRE((ch = change_of(&page, CHG_POSTAL, "9900191")) != NULL);
	CHECK(strstr(ch->body, "\"town\":\"青葉町西\"") != NULL);
	CHECK(strstr(ch->body, "\"town\":\"青葉町東\"") != NULL);
	msg_clear(&page);
	/* a version 2 terminal is sent none of them; its cursor still moves */
	msg_init(&page, MSG_CHANGES, 1);
	REQUIRE_OK(central_changes_page_v(c->db, "T1", "01", "", 2, 0, 1000, &page, &e), &e);
	CHECK_INT((int)page.nchanges, 0);
	CHECK(page.cursor > 0 && !page.more);
	msg_clear(&page);
	/* the same file again changes nothing */
	{
		uint64_t before, after;

		msg_init(&page, MSG_CHANGES, 1);
		central_changes_page(c->db, "T1", "01", "", 0, 5000, &page, &e);
		before = page.cursor;
		msg_clear(&page);
		REQUIRE_OK(central_import_refdata(c, REFDATA_BANKS, "zengin", zg, n, &r,
		    &removed, NULL, &e), &e);
		CHECK_INT(r.changed, 0);
		CHECK_INT(r.unchanged, 36);
		msg_init(&page, MSG_CHANGES, 1);
		central_changes_page(c->db, "T1", "01", "", 0, 5000, &page, &e);
		after = page.cursor;
		msg_clear(&page);
		CHECK(before == after);
	}
	/* a bank (with its branches) left out of the next file: tombstones;
	 * a renamed branch: one upsert */
	p = strstr(zg, "\"9900\": {");
	REQUIRE(p != NULL);
	{
		char *cut = malloc(n + 8);
		size_t m;
		char *ren;

		/* keep everything before the last bank, close the object */
		m = (size_t)(p - zg);
		memcpy(cut, zg, m);
		while (m > 0 && cut[m - 1] != ',')
			m--;
		m--;
		memcpy(cut + m, "\n};\n", 5);
		ren = strstr(cut, "東京営業部");
		REQUIRE(ren != NULL);
		memcpy(ren, "東京本部部", strlen("東京営業部"));
		REQUIRE_OK(central_import_refdata(c, REFDATA_BANKS, "zengin", cut,
		    strlen(cut), &r, &removed, NULL, &e), &e);
		CHECK_INT(removed, 5);	/* 9900 and its 4 branches */
		CHECK_INT(r.changed, 1);
		free(cut);
	}
	msg_init(&page, MSG_CHANGES, 1);
	REQUIRE_OK(central_changes_page(c->db, "T1", "01", "", 0, 1000, &page, &e), &e);
	REQUIRE((ch = change_of(&page, CHG_BANK, "9900")) != NULL);
	CHECK_INT(ch->op, CHG_DELETE);
	REQUIRE((ch = change_of(&page, CHG_BRANCH, "9900-008")) != NULL);
	CHECK_INT(ch->op, CHG_DELETE);
	REQUIRE((ch = change_of(&page, CHG_BRANCH, "0001-001")) != NULL);
	CHECK(strstr(ch->body, "東京本部部") != NULL);
	msg_clear(&page);
	/* a bad file changes nothing */
	CHECK_INT(central_import_refdata(c, REFDATA_POSTAL, "bad", "x,y\r\n", 5, &r,
	    &removed, NULL, &e), ERR_FORMAT);
	free(zg);
	free(ka);
	central_close(c);
}

/* NET-3: a change kind of version 3 is neither written nor read in an
 * older version. */
TEST(refdata_change_kinds_only_in_protocol_3)
{
	struct msg m, d;
	struct wbuf w;
	struct err e;

	msg_init(&m, MSG_CHANGES, 7);
	m.cursor = 9;
	REQUIRE(msg_add_change(&m, 9, CHG_BANK, CHG_UPSERT, "0001",
	    "{\"name\":\"みずほ\"}", strlen("{\"name\":\"みずほ\"}")) == 0);
	m.proto = 2;
	wbuf_init(&w, 0);
	CHECK_INT(msg_encode(&m, &w, &e), ERR_INVAL);
	wbuf_free(&w);
	m.proto = 3;
	wbuf_init(&w, 0);
	REQUIRE_OK(msg_encode(&m, &w, &e), &e);
	CHECK_OK(msg_decode(w.p, w.len, &d, &e), &e);
	CHECK_INT(d.nchanges, 1);
	CHECK_INT(d.changes[0].kind, CHG_BANK);
	msg_clear(&d);
	/* the same bytes claiming version 2 are refused */
	w.p[0] = 2;
	CHECK_INT(msg_decode(w.p, w.len, &d, &e), ERR_FORMAT);
	msg_clear(&d);
	wbuf_free(&w);
	msg_clear(&m);
}

static struct store *
store_new(void)
{
	struct store *st;
	struct err e;

	REQUIRE_OK(store_create(t_path("s"), "admin", "Kanri#Mado-7351", &e), &e);
	REQUIRE_OK(store_open(t_path("s"), "admin", "Kanri#Mado-7351", &st, &e), &e);
	return st;
}

static int
apply(struct store *st, int kind, int op, const char *key, const char *body,
    struct err *e)
{
	struct msg_change c;
	struct sync_report rep;

	memset(&c, 0, sizeof(c));
	memset(&rep, 0, sizeof(rep));
	c.seq = 1;
	c.kind = (uint8_t)kind;
	c.op = (uint8_t)op;
	c.key = (char *)key;
	c.body = (char *)body;
	c.bodylen = body != NULL ? strlen(body) : 0;
	return sync_change_apply(st, &c, &rep, e);
}

static const char koza[] =
	"screen t\ntitle 口座\nprocedure kokuho\n"
	"field postal\n  label 郵便番号\n  type postal\n  lookup postal address\n"
	"field address\n  label 住所\n  type text\n  length 1 120\n"
	"field bank_code\n  label 金融機関コード\n  type digits\n  length 4 4\n  lookup bank\n"
	"field branch_code\n  label 支店コード\n  type digits\n  length 3 3\n"
	"  lookup branch bank_code\n";

TEST(terminal_tables_and_form_lookups)
{
	struct store *st = store_new();
	struct screen *s;
	struct form *f;
	struct err e;
	char buf[512];
	struct ref_addr a[4];
	int n;

	REQUIRE_OK(screen_parse("t.screen", koza, strlen(koza), &s, &e), &e);
	REQUIRE((f = form_new(s)) != NULL);
	app_refdata_attach(st);
	/* nothing pulled yet: nothing can be refused */
	CHECK_INT(store_ref_bank_get(st, "0001", buf, sizeof(buf), &e), ERR_STATE);
	CHECK_OK(form_set(f, "bank_code", "9999", &e), &e);
	CHECK_OK(form_set(f, "bank_code", "", &e), &e);
	/* what a sync brings */
	REQUIRE_OK(apply(st, CHG_BANK, CHG_UPSERT, "0001",
	    "{\"name\":\"みずほ\",\"kana\":\"ミズホ\"}", &e), &e);
	REQUIRE_OK(apply(st, CHG_BRANCH, CHG_UPSERT, "0001-001",
	    "{\"name\":\"東京営業部\",\"kana\":\"トウキヨウ\"}", &e), &e);
	REQUIRE_OK(apply(st, CHG_POSTAL, CHG_UPSERT, "9900101",
	    "{\"addresses\":[{\"pref\":\"山形県\",\"city\":\"窓口市北区\",\"town\":"
	    "\"青葉町１丁目\",\"town_full\":\"青葉町１丁目\",\"kana\":\"\"}]}", &e), &e);
	REQUIRE_OK(apply(st, CHG_POSTAL, CHG_UPSERT, "9900191",
	    "{\"addresses\":[{\"pref\":\"山形県\",\"city\":\"窓口市北区\",\"town\":\"青葉町西\"},"
	    "{\"pref\":\"山形県\",\"city\":\"窓口市北区\",\"town\":\"青葉町東\"}]}", &e), &e);
	/* NET-3: bodies that are not the kind's are refused */
	CHECK_INT(apply(st, CHG_BANK, CHG_UPSERT, "001", "{\"name\":\"x\"}", &e), ERR_FORMAT);
	CHECK_INT(apply(st, CHG_BANK, CHG_UPSERT, "0002", "{\"name\":\"x\",\"evil\":1}", &e),
	    ERR_FORMAT);
	CHECK_INT(apply(st, CHG_BRANCH, CHG_UPSERT, "0001001", "{\"name\":\"x\"}", &e),
	    ERR_FORMAT);
	CHECK_INT(apply(st, CHG_POSTAL, CHG_UPSERT, "9900102", "{\"addresses\":[]}", &e),
	    ERR_FORMAT);
	CHECK_INT(apply(st, CHG_POSTAL, CHG_UPSERT, "9900102",
	    "{\"addresses\":[{\"city\":\"x\",\"town\":\"\"}]}", &e), ERR_FORMAT);
	CHECK_OK(store_ref_bank_get(st, "0001", buf, sizeof(buf), &e), &e);
	CHECK_STR(buf, "みずほ");
	CHECK_INT(store_ref_bank_get(st, "0002", buf, sizeof(buf), &e), ERR_NOTFOUND);
	CHECK_OK(store_ref_postal_get(st, "990-0191", a, 4, &n, &e), &e);
	CHECK_INT(n, 2);
	CHECK_STR(a[1].town, "青葉町東");
	/* the form: names, refusals, the address filled */
	CHECK_INT(form_set(f, "bank_code", "0002", &e), ERR_INVAL);
	CHECK(strstr(err_ja(&e), "登録されていない金融機関コード") != NULL);
	CHECK_STR(form_get(f, "bank_code"), "");
	CHECK_INT(form_set(f, "branch_code", "001", &e), ERR_INVAL);	/* bank first */
	CHECK_OK(form_set(f, "bank_code", "０００１", &e), &e);
	CHECK(form_lookup_note(f, screen_field(s, "bank_code"), buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "みずほ");
	CHECK_INT(form_set(f, "branch_code", "002", &e), ERR_INVAL);
	CHECK(strstr(err_ja(&e), "支店コード") != NULL);
	CHECK_OK(form_set(f, "branch_code", "001", &e), &e);
	form_lookup_note(f, screen_field(s, "branch_code"), buf, sizeof(buf));
	CHECK_STR(buf, "東京営業部");
	CHECK_OK(form_set(f, "postal", "9900101", &e), &e);
	CHECK_STR(form_get(f, "postal"), "990-0101");
	CHECK_STR(form_get(f, "address"), "山形県窓口市北区青葉町１丁目");
	/* a typed address is never overwritten */
	CHECK_OK(form_set(f, "address", "窓口市北区青葉町1丁目3番8号", &e), &e);
	CHECK_OK(form_set(f, "postal", "990-0191", &e), &e);
	CHECK_STR(form_get(f, "address"), "窓口市北区青葉町1丁目3番8号");
	/* two 町域 under one code: what they share */
	CHECK_OK(form_set(f, "address", "", &e), &e);
	CHECK_OK(form_set(f, "postal", "", &e), &e);
	CHECK_OK(form_set(f, "postal", "990-0191", &e), &e);
	CHECK_STR(form_get(f, "address"), "山形県窓口市北区");
	/* an unknown 郵便番号 fills nothing and is not refused */
	CHECK_OK(form_set(f, "address", "", &e), &e);
	CHECK_OK(form_set(f, "postal", "100-0001", &e), &e);
	CHECK_STR(form_get(f, "address"), "");
	CHECK_OK(form_validate(f, NULL, &e), &e);
	static const char stored[] = "{\"bank_code\":\"0001\",\"postal\":\"990-0101\"}";
	/* a stored application is read back as it was, even when its bank
	 * has gone since; saving it again would be refused */
	REQUIRE_OK(apply(st, CHG_BANK, CHG_DELETE, "0001", NULL, &e), &e);
	REQUIRE_OK(apply(st, CHG_BRANCH, CHG_DELETE, "0001-001", NULL, &e), &e);
	REQUIRE_OK(apply(st, CHG_BANK, CHG_UPSERT, "0005", "{\"name\":\"三菱ＵＦＪ\"}", &e), &e);
	CHECK_OK(form_from_json(f, stored, strlen(stored), &e), &e);
	CHECK_STR(form_get(f, "address"), "");
	CHECK_INT(form_validate(f, NULL, &e), ERR_INVAL);
	app_refdata_attach(NULL);
	form_free(f);
	screen_free(s);
	store_close(st);
}

TEST(screen_lookup_declarations)
{
	static const char *const bad[] = {
		"field a\n  label A\n  type text\n  lookup bank\n",
		"field a\n  label A\n  type digits\n  lookup bank x\n",
		"field a\n  label A\n  type digits\n  lookup branch nobank\n",
		"field b\n  label B\n  type digits\nfield a\n  label A\n  type digits\n"
		    "  lookup branch b\n",
		"field a\n  label A\n  type postal\n  lookup postal nowhere\n",
		"field a\n  label A\n  type postal\n  lookup postal b\nfield b\n  label B\n"
		    "  type digits\n",
		"field a\n  label A\n  type digits\n  lookup bank\n  lookup bank\n",
		"field a\n  label A\n  lookup bank\n  type digits\n",
		"field a\n  label A\n  type digits\n  lookup city\n",
		NULL
	};
	struct screen *s;
	struct err e;
	char buf[1024];

	for (int i = 0; bad[i] != NULL; i++) {
		snprintf(buf, sizeof(buf), "screen t\ntitle T\nprocedure p\n%s", bad[i]);
		CHECK_INT(screen_parse("t.screen", buf, strlen(buf), &s, &e), ERR_FORMAT);
		CHECK(strstr(e.msg, "t.screen:") != NULL);
	}
	REQUIRE_OK(screen_parse("t.screen", koza, strlen(koza), &s, &e), &e);
	CHECK_INT(s->fields[0].lookup, FL_POSTAL);
	CHECK_INT(s->fields[0].lookup_ref, 1);
	CHECK_INT(s->fields[2].lookup, FL_BANK);
	CHECK_INT(s->fields[3].lookup, FL_BRANCH);
	CHECK_INT(s->fields[3].lookup_ref, 2);
	screen_free(s);
}

