/*
 * synth.c — synthetic residents of 窓口市, a city that does not exist, for
 * the demo, the tests and the benchmarks.  Deterministic from a seed: the
 * same seed gives the same people in the same order on every machine (an
 * explicit xoshiro256** generator, no libc rand).  Nobody here is real:
 * names are common ones combined at random, addresses are in wards and
 * towns invented for this city, 個人番号 are made unique by a permutation of
 * the index and carry a valid check digit (ID-4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

struct name { const char *kanji, *kana; };

static const struct name surnames[] = {
	{ "佐藤", "サトウ" }, { "鈴木", "スズキ" }, { "高橋", "タカハシ" },
	{ "田中", "タナカ" }, { "伊藤", "イトウ" }, { "渡辺", "ワタナベ" },
	{ "山本", "ヤマモト" }, { "中村", "ナカムラ" }, { "小林", "コバヤシ" },
	{ "加藤", "カトウ" }, { "吉田", "ヨシダ" }, { "山田", "ヤマダ" },
	{ "佐々木", "ササキ" }, { "山口", "ヤマグチ" }, { "松本", "マツモト" },
	{ "井上", "イノウエ" }, { "木村", "キムラ" }, { "林", "ハヤシ" },
	{ "斎藤", "サイトウ" }, { "清水", "シミズ" }, { "山崎", "ヤマザキ" },
	{ "森", "モリ" }, { "池田", "イケダ" }, { "橋本", "ハシモト" },
	{ "阿部", "アベ" }, { "石川", "イシカワ" }, { "山下", "ヤマシタ" },
	{ "中島", "ナカジマ" }, { "石井", "イシイ" }, { "小川", "オガワ" },
	{ "前田", "マエダ" }, { "岡田", "オカダ" }, { "長谷川", "ハセガワ" },
	{ "藤田", "フジタ" }, { "後藤", "ゴトウ" }, { "近藤", "コンドウ" },
	{ "村上", "ムラカミ" }, { "遠藤", "エンドウ" }, { "青木", "アオキ" },
	{ "坂本", "サカモト" }, { "斉藤", "サイトウ" }, { "福田", "フクダ" },
	{ "太田", "オオタ" }, { "西村", "ニシムラ" }, { "藤井", "フジイ" },
	{ "金子", "カネコ" }, { "岡本", "オカモト" }, { "藤原", "フジワラ" },
	{ "中野", "ナカノ" }, { "三浦", "ミウラ" }, { "原田", "ハラダ" },
	{ "松田", "マツダ" }, { "竹内", "タケウチ" }, { "中川", "ナカガワ" },
	{ "小野", "オノ" }, { "田村", "タムラ" }, { "和田", "ワダ" },
	{ "森田", "モリタ" }, { "上田", "ウエダ" }, { "原", "ハラ" },
	{ "工藤", "クドウ" }, { "酒井", "サカイ" }, { "横山", "ヨコヤマ" },
	{ "宮崎", "ミヤザキ" }, { "宮本", "ミヤモト" }, { "内田", "ウチダ" },
	{ "高木", "タカギ" }, { "安藤", "アンドウ" }, { "島田", "シマダ" },
	{ "谷口", "タニグチ" }, { "大野", "オオノ" }, { "丸山", "マルヤマ" },
};
static const struct name male[] = {
	{ "翔", "ショウ" }, { "大輔", "ダイスケ" }, { "健太", "ケンタ" },
	{ "拓也", "タクヤ" }, { "直樹", "ナオキ" }, { "浩", "ヒロシ" },
	{ "誠", "マコト" }, { "隆", "タカシ" }, { "博之", "ヒロユキ" },
	{ "和也", "カズヤ" }, { "蓮", "レン" }, { "湊", "ミナト" },
	{ "悠真", "ユウマ" }, { "陽翔", "ハルト" }, { "大翔", "ヒロト" },
	{ "一郎", "イチロウ" }, { "健一", "ケンイチ" }, { "正雄", "マサオ" },
	{ "茂", "シゲル" }, { "清", "キヨシ" }, { "勇気", "ユウキ" },
	{ "亮", "リョウ" }, { "修", "オサム" }, { "明", "アキラ" },
	{ "進", "ススム" }, { "達也", "タツヤ" }, { "剛", "ツヨシ" },
	{ "樹", "イツキ" }, { "颯太", "ソウタ" }, { "蒼", "アオイ" },
};
static const struct name female[] = {
	{ "陽菜", "ヒナ" }, { "結衣", "ユイ" }, { "美咲", "ミサキ" },
	{ "さくら", "サクラ" }, { "葵", "アオイ" }, { "花子", "ハナコ" },
	{ "恵子", "ケイコ" }, { "洋子", "ヨウコ" }, { "幸子", "サチコ" },
	{ "裕子", "ユウコ" }, { "直美", "ナオミ" }, { "真由美", "マユミ" },
	{ "由美子", "ユミコ" }, { "愛", "アイ" }, { "彩", "アヤ" },
	{ "芽依", "メイ" }, { "凛", "リン" }, { "結菜", "ユイナ" },
	{ "美穂", "ミホ" }, { "久美子", "クミコ" }, { "和子", "カズコ" },
	{ "節子", "セツコ" }, { "明美", "アケミ" }, { "舞", "マイ" },
	{ "千尋", "チヒロ" }, { "紬", "ツムギ" }, { "澪", "ミオ" },
	{ "智子", "トモコ" }, { "典子", "ノリコ" }, { "友美", "トモミ" },
};

/* Foreign residents (DATA-2): registered name, its kana, the alphabet
 * name, and sometimes a 通称名 with kana. */
struct foreign { const char *name, *kana, *alpha, *alias, *alias_kana; int sex; };
static const struct foreign foreigners[] = {
	{ "金 民俊", "キム ミンジュン", "KIM MINJUN", "金山 民俊", "カナヤマ タミトシ", 1 },
	{ "朴 智恩", "パク ジウン", "PARK JIEUN", "新井 智恵", "アライ チエ", 2 },
	{ "李 偉", "リ ウェイ", "LI WEI", "", "", 1 },
	{ "王 芳", "ワン ファン", "WANG FANG", "王 芳子", "オウ ヨシコ", 2 },
	{ "グエン ヴァン アン", "グエン ヴァン アン", "NGUYEN VAN AN", "", "", 1 },
	{ "チャン ティ ホア", "チャン ティ ホア", "TRAN THI HOA", "", "", 2 },
	{ "シルバ マリア", "シルバ マリア", "SILVA MARIA", "", "", 2 },
	{ "サントス ジョアン", "サントス ジョアン", "SANTOS JOAO", "", "", 1 },
	{ "スミス ジョン", "スミス ジョン", "SMITH JOHN", "", "", 1 },
	{ "レイエス アナ", "レイエス アナ", "REYES ANA", "", "", 2 },
};

struct ward { const char *code, *name, *postal; const char *towns[4]; };
static const struct ward wards[] = {
	{ "01", "北区", "990-01", { "青葉町", "桜台", "緑ヶ丘", "北山" } },
	{ "02", "南区", "990-02", { "港町", "浜田", "汐見", "南浦" } },
	{ "03", "東区", "990-03", { "朝日町", "日の出", "東山", "若葉" } },
	{ "04", "西区", "990-04", { "夕陽ヶ丘", "西原", "松風町", "柳川" } },
	{ "05", "中央区", "990-05", { "本町", "駅前", "城内", "錦町" } },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXHH 6
#define REF_YEAR 2025

struct synth {
	uint64_t s[4];
	uint64_t seed;
	uint64_t next_person;		/* 宛名番号 sequence */
	uint64_t next_household;
	uint64_t mn_offset;
	struct synth_resident hh[MAXHH];
	int hh_n, hh_i;
};

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
next64(struct synth *g)
{
	uint64_t *s = g->s, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* Uniform in [0, n). */
static uint32_t
pick(struct synth *g, uint32_t n)
{
	return (uint32_t)((next64(g) >> 32) * (uint64_t)n >> 32);
}

static int
chance(struct synth *g, uint32_t per_mille)
{
	return pick(g, 1000) < per_mille;
}

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

struct synth *
synth_new(uint64_t seed)
{
	struct synth *g = calloc(1, sizeof(*g));
	uint64_t x = seed;

	if (g == NULL)
		return NULL;
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix(&x);
	g->seed = seed;
	g->mn_offset = splitmix(&x) % 100000000000ULL;
	return g;
}

void
synth_free(struct synth *g)
{
	free(g);
}

static int
birth_for_age(struct synth *g, int age)
{
	int y = REF_YEAR - age, m = 1 + (int)pick(g, 12), d = 1 + (int)pick(g, 31);

	while (!date_valid(y, m, d))
		d--;
	return y * 10000 + m * 100 + d;
}

/* A unique 個人番号 for person number k: an affine permutation of
 * [0, 10^11) (the multiplier is coprime to 10) plus the check digit. */
static void
make_mynumber(struct synth *g, uint64_t k, char out[13])
{
	uint64_t v = (k * 3041234567ULL + g->mn_offset) % 100000000000ULL;
	int cd;

	snprintf(out, 12, "%011llu", (unsigned long long)v);
	cd = mynumber_check_digit(out);
	out[11] = (char)('0' + (cd < 0 ? 0 : cd));
	out[12] = '\0';
}

static void
add_certs(struct synth *g, struct synth_resident *r, int age)
{
	struct certificate *c;
	int y = REF_YEAR;

	r->ncerts = 0;
	if (age <= 18 || (age >= 65 && age <= 69) || chance(g, 40)) {
		c = &r->certs[r->ncerts++];
		memset(c, 0, sizeof(*c));
		snprintf(c->atena, sizeof(c->atena), "%s", r->p.atena);
		if (age <= 18) {
			snprintf(c->procedure, sizeof(c->procedure), "kodomo-iryo");
			snprintf(c->category, sizeof(c->category), "%s",
			    age < 6 ? "未就学児" : "就学児");
			c->burden_rate = age < 6 ? 0 : 20;
		} else if (age >= 65 && age <= 69) {
			snprintf(c->procedure, sizeof(c->procedure), "koreiki-iko");
			snprintf(c->category, sizeof(c->category), "%s",
			    chance(g, 300) ? "低所得" : "一般");
			c->burden_rate = 20;
		} else {
			snprintf(c->procedure, sizeof(c->procedure), "judo-shogai");
			snprintf(c->category, sizeof(c->category), "%s級",
			    chance(g, 500) ? "1" : "2");
			c->burden_rate = 0;
		}
		snprintf(c->recipient_no, sizeof(c->recipient_no), "%c%08llu",
		    c->procedure[0] == 'k' && c->procedure[1] == 'o' &&
		    c->procedure[2] == 'd' ? 'K' : c->procedure[0] == 'k' ? 'R' : 'J',
		    (unsigned long long)(g->next_person % 100000000ULL));
		c->valid_from = (y - (int)pick(g, 2)) * 10000 + 801;
		c->valid_to = (c->valid_from / 10000 + 1) * 10000 + 731;
		c->issued = c->valid_from - 100 + 25;	/* 7/26 */
		c->burden_limit = c->burden_rate == 0 ? 0 : 18000;
		snprintf(c->reason, sizeof(c->reason), "%s",
		    chance(g, 800) ? "更新" : "新規");
		snprintf(c->updated_by, sizeof(c->updated_by), "synth");
		snprintf(c->updated_at, sizeof(c->updated_at), "2025-04-01T09:00:00+0900");
	}
	if (age >= 20 && age < 75 && chance(g, 200) && r->ncerts < 2) {
		c = &r->certs[r->ncerts++];
		memset(c, 0, sizeof(*c));
		snprintf(c->atena, sizeof(c->atena), "%s", r->p.atena);
		snprintf(c->procedure, sizeof(c->procedure), "kokuho");
		snprintf(c->category, sizeof(c->category), "一般");
		snprintf(c->recipient_no, sizeof(c->recipient_no), "N%08llu",
		    (unsigned long long)(g->next_person % 100000000ULL));
		c->valid_from = y * 10000 + 401;
		c->valid_to = (y + 1) * 10000 + 331;
		c->issued = y * 10000 + 325;
		c->burden_rate = 30;
		c->burden_limit = -1;
		snprintf(c->reason, sizeof(c->reason), "資格取得");
		snprintf(c->updated_by, sizeof(c->updated_by), "synth");
		snprintf(c->updated_at, sizeof(c->updated_at), "2025-04-01T09:00:00+0900");
	}
}

static void
make_household(struct synth *g)
{
	static const int sizes[] = { 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3,
		3, 3, 3, 4, 4, 4, 5, 6 };
	int n = sizes[pick(g, NELEM(sizes))];
	const struct name *sur = &surnames[pick(g, NELEM(surnames))];
	const struct ward *w = &wards[pick(g, NELEM(wards))];
	const struct foreign *fo = chance(g, 25) ?
	    &foreigners[pick(g, NELEM(foreigners))] : NULL;
	int town = (int)pick(g, 4), chome = 1 + (int)pick(g, 5);
	int ban = 1 + (int)pick(g, 30), go = 1 + (int)pick(g, 20);
	int head_age = 22 + (int)pick(g, 68), head_sex = 1 + (int)pick(g, 2);
	char household[16], address[256], postal[16], head_name[128];
	int dv = chance(g, 3), nondisclose = dv || chance(g, 5);

	if (fo != NULL) {
		n = 1;
		head_sex = fo->sex;
	}
	snprintf(household, sizeof(household), "%010llu",
	    (unsigned long long)(2000000000ULL + ++g->next_household));
	snprintf(address, sizeof(address), "窓口市%s%s%d丁目%d番%d号", w->name,
	    w->towns[town], chome, ban, go);
	if (chance(g, 300))
		snprintf(address + strlen(address), sizeof(address) - strlen(address),
		    " 窓口ハイツ%d%02d", 1 + (int)pick(g, 5), 1 + (int)pick(g, 12));
	snprintf(postal, sizeof(postal), "%s%02d", w->postal, town * 10 + chome);
	head_name[0] = '\0';
	g->hh_n = n;
	g->hh_i = 0;
	for (int i = 0; i < n; i++) {
		struct synth_resident *r = &g->hh[i];
		struct person *p = &r->p;
		int sex, age;
		const struct name *given;

		memset(r, 0, sizeof(*r));
		if (i == 0) {
			sex = head_sex;
			age = head_age;
			snprintf(p->relation, sizeof(p->relation), "世帯主");
		} else if (i == 1 && head_age >= 25 && chance(g, 800)) {
			sex = 3 - head_sex;
			age = head_age - 5 + (int)pick(g, 11);
			if (age < 20)
				age = 20;
			snprintf(p->relation, sizeof(p->relation), "%s",
			    sex == 2 ? "妻" : "夫");
		} else if (head_age >= 40 && i == n - 1 && n >= 4 && chance(g, 300)) {
			sex = 1 + (int)pick(g, 2);
			age = head_age + 22 + (int)pick(g, 10);
			if (age > 105)
				age = 105;
			snprintf(p->relation, sizeof(p->relation), "%s",
			    sex == 2 ? "母" : "父");
		} else {
			int maxc = head_age - 18;
			sex = 1 + (int)pick(g, 2);
			age = maxc > 0 ? (int)pick(g, (uint32_t)(maxc < 30 ? maxc : 30)) : 0;
			snprintf(p->relation, sizeof(p->relation), "子");
		}
		given = sex == 1 ? &male[pick(g, NELEM(male))] :
		    &female[pick(g, NELEM(female))];
		snprintf(p->atena, sizeof(p->atena), "%010llu",
		    (unsigned long long)(1000000000ULL + ++g->next_person));
		if (fo != NULL) {
			snprintf(p->name, sizeof(p->name), "%s", fo->name);
			snprintf(p->kana, sizeof(p->kana), "%s", fo->kana);
			snprintf(p->alpha, sizeof(p->alpha), "%s", fo->alpha);
			snprintf(p->alias, sizeof(p->alias), "%s", fo->alias);
			snprintf(p->alias_kana, sizeof(p->alias_kana), "%s", fo->alias_kana);
		} else {
			snprintf(p->name, sizeof(p->name), "%s %s", sur->kanji, given->kanji);
			snprintf(p->kana, sizeof(p->kana), "%s %s", sur->kana, given->kana);
		}
		if (i == 0)
			snprintf(head_name, sizeof(head_name), "%s", p->name);
		snprintf(p->head, sizeof(p->head), "%s", head_name);
		p->birth = birth_for_age(g, age);
		p->sex = sex;
		snprintf(p->postal, sizeof(p->postal), "%s", postal);
		snprintf(p->address, sizeof(p->address), "%s", address);
		snprintf(p->household, sizeof(p->household), "%s", household);
		snprintf(p->ward, sizeof(p->ward), "%s", w->code);
		p->dv = dv;
		p->nondisclose = nondisclose;
		snprintf(p->updated_at, sizeof(p->updated_at), "2025-04-01T09:00:00+0900");
		snprintf(p->updated_by, sizeof(p->updated_by), "synth");
		make_mynumber(g, g->next_person, r->mynumber);
		add_certs(g, r, age);
	}
}

void
synth_next(struct synth *g, struct synth_resident *r)
{
	if (g->hh_i >= g->hh_n)
		make_household(g);
	*r = g->hh[g->hh_i++];
}

/* Bulk insert of the next n residents of g with prepared statements reused
 * across rows, in transactions of 5000; the same code runs for the
 * encrypted store, plain SQLite and SQLCipher in the bench. */
int
synth_load_more(sqlite3 *db, struct synth *g, size_t n, struct err *e)
{
	/* A bare connection (the bench): throw-away right keys. */
	return synth_load_keys(db, g, n, fieldkeys_ephemeral(), e);
}

void
synth_mynumber_index(const char *mynumber, uint8_t out[16])
{
	mynumber_index(fieldkeys_ephemeral(), mynumber, out);
}

int
synth_load_keys(sqlite3 *db, struct synth *g, size_t n,
    const struct field_keys *fk, struct err *e)
{
	struct synth_resident r;
	sqlite3_stmt *qp = NULL, *qm = NULL, *qc = NULL;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	if ((rc = person_stmt_prepare(db, 1, &qp, e)) != 0 ||
	    (rc = mynumber_stmt_prepare(db, 1, &qm, e)) != 0 ||
	    (rc = cert_stmt_prepare(db, &qc, e)) != 0)
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (i % 5000 == 0 && (rc = sql_exec(db, "BEGIN IMMEDIATE", e)) != 0)
			break;
		synth_next(g, &r);
		rc = person_stmt_run(db, qp, &r.p, "synth", fk, e);
		if (rc == 0)
			rc = mynumber_stmt_run(db, qm, r.p.atena, r.mynumber, "synth", fk, e);
		for (int k = 0; rc == 0 && k < r.ncerts; k++)
			rc = cert_stmt_run(db, qc, &r.certs[k], "synth", NULL, e);
		if (rc == 0 && (i % 5000 == 4999 || i == n - 1))
			rc = sql_exec(db, "COMMIT", e);
	}
out:
	sqlite3_finalize(qp);
	sqlite3_finalize(qm);
	sqlite3_finalize(qc);
	if (rc != 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	mem_wipe(&r, sizeof(r));
	return rc;
}

int
synth_load_db(sqlite3 *db, uint64_t seed, size_t n, struct err *e)
{
	struct synth *g = synth_new(seed);
	int rc;

	if (g == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = synth_load_more(db, g, n, e);
	synth_free(g);
	return rc;
}

int
store_synth_load(struct store *st, uint64_t seed, size_t n, struct err *e)
{
	struct synth *g = synth_new(seed);
	int rc;

	if (g == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = synth_load_keys(st->db, g, n, &st->fk, e);
	synth_free(g);
	return rc;
}
