/*
 * test_screens_all.c — every shipped screen (every file in screens/, INT-1..INT-5)
 * loads, can be filled with valid values, validates, goes to JSON and back
 * unchanged, and is saved to and read back from an encrypted store; plus
 * the rules the screens carry, one negative test per family: age rules
 * (KOBE 高齢期移行 65-69, こども and MITO 子ども to the end of the fiscal year
 * of 18, KOBE ひとり親 with the 在学証明 exception), the TOKYO 他県転入 同意書
 * gate (III.2-R2), 個人番号 mandatory on every TOKYO type (III.7-R2) with its
 * check digit (ID-4), bank code formats, dates in order, 審査会 routing, the
 * purpose-of-use notice (INT-7) and "only declared items" (INT-6).  The
 * engine additions these screens use are tested in test_screen_additions.c.
 *
 * "Today" is pinned to 2025-10-01 (fiscal year 2025) in every form so that
 * age boundaries are exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "harness.h"
#include "screen.h"
#include "store.h"

#define TODAY_Y 2025
#define TODAY_M 10
#define TODAY_D 1
#define ADMIN_PW "Kx9#vTq2mWzr"

/* The screens that must ship, with their procedure (one per seed family).
 * A missing, renamed or broken file fails the suite. */
static const struct {
	const char *id, *procedure;
} expected[] = {
	/* MITO マル福 (INT-1) */
	{ "marufuku-ninsanpu", "maru-fuku" }, { "marufuku-kodomo", "maru-fuku" },
	{ "marufuku-hitorioya", "maru-fuku" }, { "marufuku-jushin", "maru-fuku" },
	{ "marufuku-soshitsu", "maru-fuku" }, { "marufuku-henko", "maru-fuku" },
	{ "marufuku-saikofu", "maru-fuku" }, { "marufuku-shikyu", "maru-fuku" },
	/* HIROSHIMA 国民健康保険 (INT-2) */
	{ "kokuho-shikaku-shutoku", "kokuho" }, { "kokuho-shikaku-soshitsu", "kokuho" },
	{ "kokuho-ido", "kokuho" }, { "kokuho-kofu", "kokuho" },
	{ "kokuho-saikofu", "kokuho" }, { "kokuho-kogaku-gassan", "kokuho" },
	{ "kokuho-mushotoku", "kokuho" }, { "kokuho-genmen", "kokuho" },
	{ "kokuho-kogaku", "kokuho" }, { "kokuho-ryoyohi", "kokuho" },
	{ "kokuho-shussan", "kokuho" }, { "kokuho-sosai", "kokuho" },
	{ "kokuho-gendogaku", "kokuho" }, { "kokuho-tokutei-shippei", "kokuho" },
	{ "kokuho-koza-furikae", "kokuho" },
	/* KAWASAKI 予防接種 (INT-3) */
	{ "yobo-jippi-menjo", "yobo" }, { "yobo-iraisho", "yobo" },
	{ "yobo-shomeisho", "yobo" }, { "yobo-tennyu-rireki", "yobo" },
	/* TOKYO 自立支援医療（精神通院） (INT-4) */
	{ "jiritsu-shinki", "jiritsu-seishin" }, { "jiritsu-saikai", "jiritsu-seishin" },
	{ "jiritsu-koshin", "jiritsu-seishin" }, { "jiritsu-henko", "jiritsu-seishin" },
	{ "jiritsu-saikofu", "jiritsu-seishin" },
	/* KOBE 医療費助成 (INT-5) */
	{ "josei-koreiki-iko", "iryohi-josei" }, { "josei-kodomo", "iryohi-josei" },
	{ "josei-judo-shogai", "iryohi-josei" }, { "josei-koreiki-judo", "iryohi-josei" },
	{ "josei-hitorioya", "iryohi-josei" }, { "josei-henko", "iryohi-josei" },
	{ "josei-saikofu", "iryohi-josei" }, { "josei-shokan", "iryohi-josei" },
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

/* Values the generator cannot derive from the definition (patterns, dates
 * that must precede an earlier field).  "*" applies to every screen. */
static const struct {
	const char *screen, *field, *value;
} samples[] = {
	{ "*", "treatment_month", "202504" },
	{ "*", "tax_year", "2024" },
	{ "*", "fiscal_year", "2025" },
	{ "*", "period_year", "2024" },
	{ "*", "dose", "2" },
	{ "*", "children", "1" },
	{ "*", "copies", "1" },
	/* a 保険者番号 with its 検証番号 (check insurer-number) */
	{ "*", "insurer_no", "33120015" },
	{ "*", "start_period", "4" },
	{ "*", "diag_icd", "F32.1" },
	{ "*", "passport_no", "TK1234567" },
	{ "*", "lot", "AB12-34" },
	{ "*", "planned_on", "2025-12-01" },
	{ "kokuho-shikaku-shutoku", "left_on", "2024-12-01" },
};

static struct screen_set *
load_all(void)
{
	struct screen_set *set = NULL;
	struct err e;
	char d[1024];

	snprintf(d, sizeof(d), "%s/screens", t_srcdir());
	err_clear(&e);
	if (screen_set_load(d, &set, &e) != 0) {
		t_fail_at(__FILE__, __LINE__, "screens/ does not load: %s", e.msg);
		t_stop();
	}
	return set;
}

static struct form *
new_form(const struct screen *s)
{
	struct form *f = form_new(s);

	if (f == NULL) {
		t_fail_at(__FILE__, __LINE__, "form_new");
		t_stop();
	}
	f->today.y = TODAY_Y;
	f->today.m = TODAY_M;
	f->today.d = TODAY_D;
	return f;
}

static void
iso(const struct date *d, char *out, size_t cap)
{
	date_format_iso(d, out, cap);
}

/* A date n days from today (negative: before). */
static void
days_from_today(long n, char *out, size_t cap)
{
	struct date t = { TODAY_Y, TODAY_M, TODAY_D }, d;

	date_from_days(date_to_days(&t) + n, &d);
	iso(&d, out, cap);
}

/* Someone aged `age` completed years on `on`, born 100 days before that
 * birthday. */
static void
birth_for_age(const struct date *on, int age, char *out, size_t cap)
{
	struct date b = *on, d;

	b.y -= age;
	if (b.m == 2 && b.d == 29)
		b.d = 28;
	date_from_days(date_to_days(&b) - 100, &d);
	iso(&d, out, cap);
}

static void
valid_mynumber(const char *first11, char out[13])
{
	snprintf(out, 13, "%s%d", first11, mynumber_check_digit(first11));
}

/* How to fill: checkboxes on or off, first or last option of a select,
 * optional fields too or only the required ones; field k gets option j. */
struct variant {
	int cb_on, sel_last, optional;
	int k, j;
};

static const char *
sample_for(const struct screen *s, const char *field)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if ((strcmp(samples[i].screen, "*") == 0 || strcmp(samples[i].screen, s->id) == 0) &&
		    strcmp(samples[i].field, field) == 0)
			return samples[i].value;
	return NULL;
}

/* A date with age checks: try ages inside every bound, as of today and as
 * of 1 April of this fiscal year, until the form accepts one. */
static int
set_age_date(struct form *f, int i, struct err *e)
{
	const struct field *fd = &f->s->fields[i];
	struct date refs[2] = { f->today, { date_fiscal_year(&f->today), 4, 1 } };
	char v[16];
	int lo = 0, hi = 150;

	for (int c = 0; c < fd->nchecks; c++) {
		if (fd->checks[c].kind != CK_AGE && fd->checks[c].kind != CK_AGE_FISCAL)
			continue;
		if (fd->checks[c].a > lo)
			lo = fd->checks[c].a;
		if (fd->checks[c].b < hi)
			hi = fd->checks[c].b;
	}
	for (int age = lo; age <= hi; age++)
		for (int r = 0; r < 2; r++) {
			birth_for_age(&refs[r], age, v, sizeof(v));
			if (form_set_index(f, i, v, e) == 0)
				return 0;
		}
	return -1;
}

static int
has_age_check(const struct field *fd)
{
	for (int c = 0; c < fd->nchecks; c++)
		if (fd->checks[c].kind == CK_AGE || fd->checks[c].kind == CK_AGE_FISCAL)
			return 1;
	return 0;
}

/* Fill every shown field in declaration order (conditions refer to earlier
 * fields only, so each field's visibility is final when it is reached).
 * filled[i] is set for each field given a value.  0, or -1 with why. */
/* check option-needs: may option o of select fd be chosen with the values
 * filled so far? */
static int
option_allowed(const struct form *f, const struct field *fd, int o)
{
	for (int c = 0; c < fd->nchecks; c++) {
		const struct field_check *k = &fd->checks[c];
		if (k->kind != CK_OPTION_NEEDS || strcmp(k->src, fd->options[o]) != 0)
			continue;
		if ((strcmp(f->values[k->cond.ref], k->cond.value) == 0) != (k->cond.op == '='))
			return 0;
	}
	return 1;
}

/* The value field i must have for the variant's chosen option (another
 * select's option that needs it), or NULL. */
static const char *
needed_by_target(const struct screen *s, const struct variant *vr, int i)
{
	const struct field *t;

	if (vr->k < 0 || s->fields[vr->k].type != FT_SELECT)
		return NULL;
	t = &s->fields[vr->k];
	for (int c = 0; c < t->nchecks; c++) {
		const struct field_check *k = &t->checks[c];
		if (k->kind == CK_OPTION_NEEDS && k->cond.ref == i && k->cond.op == '=' &&
		    strcmp(k->src, t->options[vr->j]) == 0)
			return k->cond.value;
	}
	return NULL;
}

static int
fill(struct form *f, const struct variant *vr, int *filled, char *why, size_t cap)
{
	const struct screen *s = f->s;
	struct err e;

	for (int i = 0; i < s->nfields; i++) {
		const struct field *fd = &s->fields[i];
		const char *v = NULL;
		char buf[64];
		int r;

		if (!form_field_shown(f, i))
			continue;
		if (!fd->required && !vr->optional && !(vr->k == i))
			continue;
		err_clear(&e);
		if ((v = sample_for(s, fd->name)) != NULL) {
			r = form_set_index(f, i, v, &e);
		} else if (fd->type == FT_DATE && has_age_check(fd)) {
			r = set_age_date(f, i, &e);
		} else {
			switch (fd->type) {
			case FT_TEXT:
			case FT_KANA: {
				int n = fd->min_len > 3 ? fd->min_len : 3;
				buf[0] = '\0';
				for (int k = 0; k < n && k < 20; k++)
					strcat(buf, fd->type == FT_TEXT ? "記" : "テ");
				v = buf;
				break;
			}
			case FT_DIGITS: {
				int n = fd->min_len > 0 ? fd->min_len : (fd->max_len < 3 ? fd->max_len : 3);
				for (int k = 0; k < n; k++)
					buf[k] = (char)('1' + k % 9);
				buf[n] = '\0';
				v = buf;
				break;
			}
			case FT_YEAR:
				v = "2024";
				break;
			case FT_YEARMONTH:
				v = "202404";
				break;
			case FT_DATE:
				if (strcmp(fd->prefill, "person.birth") == 0)
					v = "1980-05-05";
				else if (strcmp(fd->prefill, "today") == 0)
					days_from_today(0, buf, sizeof(buf)), v = buf;
				else {
					/* later fields get later dates, all in the past */
					days_from_today(-300 + 7 * i, buf, sizeof(buf));
					v = buf;
				}
				break;
			case FT_SELECT: {
				int o = vr->sel_last ? fd->noptions - 1 : 0;
				if (vr->k == i)
					o = vr->j;
				else if (needed_by_target(s, vr, i) != NULL) {
					v = needed_by_target(s, vr, i);
					break;
				} else
					/* an option the form allows with what is filled
					 * so far (check option-needs) */
					for (int t = 0; t < fd->noptions && !option_allowed(f, fd, o); t++)
						o = (o + 1) % fd->noptions;
				v = fd->options[o];
				break;
			}
			case FT_CHECKBOX:
				v = vr->cb_on || fd->required || vr->k == i ? "on" : "off";
				break;
			case FT_MYNUMBER:
				valid_mynumber("12345678901", buf);
				v = buf;
				break;
			case FT_POSTAL: v = "100-0001"; break;
			case FT_PHONE: v = "03-1234-5678"; break;
			case FT_MONEY: v = "12000"; break;
			}
			r = form_set_index(f, i, v, &e);
		}
		if (r != 0) {
			snprintf(why, cap, "%s: set %s: %s", s->id, fd->name, e.msg);
			return -1;
		}
		if (filled != NULL && f->values[i][0] != '\0')
			filled[i] = 1;
	}
	err_clear(&e);
	{
		int bad = -1;
		if (form_validate(f, &bad, &e) != 0) {
			snprintf(why, cap, "%s: validate (%s): %s", s->id,
			    bad >= 0 ? s->fields[bad].name : "?", e.msg);
			return -1;
		}
	}
	return 0;
}

static char *
to_json(const struct form *f)
{
	struct wbuf w;
	struct err e;
	char *out;

	wbuf_init(&w, 0);
	if (form_to_json(f, &w, &e) != 0) {
		wbuf_free(&w);
		return NULL;
	}
	out = strdup(wbuf_str(&w));
	wbuf_free(&w);
	return out;
}

/* A filled form goes to JSON, back into a new form with the same values,
 * and to the same JSON again.  Returns the JSON (caller frees). */
static char *
round_trip(const struct form *f)
{
	struct form *g = new_form(f->s);
	struct err e;
	char *j = to_json(f), *j2;

	REQUIRE(j != NULL);
	err_clear(&e);
	CHECK_OK(form_from_json(g, j, strlen(j), &e), &e);
	for (int i = 0; i < f->s->nfields; i++)
		if (strcmp(f->values[i], g->values[i]) != 0)
			t_fail_at(__FILE__, __LINE__, "%s: field %s differs after JSON",
			    f->s->id, f->s->fields[i].name);
	CHECK_OK(form_validate(g, NULL, &e), &e);
	j2 = to_json(g);
	REQUIRE(j2 != NULL);
	CHECK_STR(j2, j);
	free(j2);
	form_free(g);
	return j;
}

/* ---------------------------------------------------------------- tests */

TEST(screens_every_expected_screen_ships_and_loads)
{
	struct screen_set *set = load_all();

	for (size_t i = 0; i < NEXPECTED; i++) {
		const struct screen *s = screen_set_find(set, expected[i].id);
		if (s == NULL) {
			t_fail_at(__FILE__, __LINE__, "screen %s is missing", expected[i].id);
			continue;
		}
		CHECK_STR(s->procedure, expected[i].procedure);
		/* the file is named after its id */
		{
			char want[128];
			snprintf(want, sizeof(want), "%s.screen", s->id);
			CHECK_STR(s->file, want);
		}
		/* INT-7: a purpose-of-use notice to show before capture */
		CHECK(strlen(s->purpose) > 20);
		/* a required 個人番号 everywhere except where the 事務 does not
		 * use it (INT-6: only what the form needs) */
		{
			int mn = screen_field(s, "mynumber");
			int none = strcmp(s->id, "yobo-iraisho") == 0 ||
			    strcmp(s->id, "yobo-shomeisho") == 0 ||
			    strcmp(s->id, "kokuho-koza-furikae") == 0;
			if (none)
				CHECK(mn < 0);
			else if (mn < 0 || s->fields[mn].type != FT_MYNUMBER ||
			    !s->fields[mn].required)
				t_fail_at(__FILE__, __LINE__, "%s: no required 個人番号", s->id);
		}
	}
	/* nothing shipped that this list (and the man page table) lacks */
	CHECK_INT(set->n, NEXPECTED);
	screen_set_free(set);
}

/* The person's own items come from the record, not retyped (SC-4): on every
 * screen where the birth date is the visit's person's (prefill person.birth),
 * the name and the sex beside it are prefilled from the same record. */
TEST(screens_person_items_prefilled_together)
{
	struct screen_set *set = load_all();
	int checked = 0;

	for (int i = 0; i < set->n; i++) {
		const struct screen *s = set->s[i];
		int birth = screen_field(s, "birth"), sex = screen_field(s, "sex");
		if (birth < 0)
			birth = screen_field(s, "child_birth");
		if (birth < 0 || strcmp(s->fields[birth].prefill, "person.birth") != 0)
			continue;
		if (sex >= 0) {
			checked++;
			if (strcmp(s->fields[sex].prefill, "person.sex") != 0)
				t_fail_at(__FILE__, __LINE__, "%s: 性別 not prefilled from "
				    "person.sex", s->id);
		}
	}
	CHECK(checked >= 20);
	screen_set_free(set);
}

TEST(screens_every_screen_filled_validated_and_round_tripped)
{
	struct screen_set *set = load_all();
	const struct variant base[] = {
		{ 1, 0, 1, -1, -1 },	/* everything, checkboxes on, first options */
		{ 0, 1, 1, -1, -1 },	/* everything, checkboxes off, last options */
		{ 0, 0, 0, -1, -1 },	/* only what is required */
	};
	char why[512];
	long forms = 0;

	for (int n = 0; n < set->n; n++) {
		const struct screen *s = set->s[n];
		int *filled = calloc((size_t)s->nfields, sizeof(int));
		REQUIRE(filled != NULL);
		for (size_t b = 0; b < sizeof(base) / sizeof(base[0]); b++) {
			struct form *f = new_form(s);
			if (fill(f, &base[b], filled, why, sizeof(why)) != 0)
				t_fail_at(__FILE__, __LINE__, "variant %zu: %s", b, why);
			else
				free(round_trip(f));
			form_free(f);
			forms++;
		}
		/* every option of every select, with checkboxes on and off, so
		 * that each conditional branch is filled and validated */
		for (int k = 0; k < s->nfields; k++) {
			const struct field *fd = &s->fields[k];
			if (fd->type != FT_SELECT && fd->type != FT_CHECKBOX)
				continue;
			for (int j = 0; j < (fd->type == FT_SELECT ? fd->noptions : 1); j++)
				for (int cb = 0; cb < 2; cb++) {
					struct variant v = { cb, 0, 1, k, j };
					struct form *f = new_form(s);
					if (fill(f, &v, filled, why, sizeof(why)) != 0)
						t_fail_at(__FILE__, __LINE__, "%s=%s: %s", fd->name,
						    fd->type == FT_SELECT ? fd->options[j] : "on", why);
					else
						free(round_trip(f));
					form_free(f);
					forms++;
				}
		}
		/* no field is unreachable */
		for (int i = 0; i < s->nfields; i++)
			if (!filled[i])
				t_fail_at(__FILE__, __LINE__, "%s: field %s never filled", s->id,
				    s->fields[i].name);
		free(filled);
	}
	CHECK(forms > 3 * (long)NEXPECTED);
	screen_set_free(set);
}

/* Each screen, filled two ways, saved as an application in an encrypted
 * store; the store is closed, reopened with the password, and each
 * application's values come back identical and still valid. */
TEST(screens_every_screen_saved_to_the_store_and_loaded_back)
{
	struct screen_set *set = load_all();
	const struct variant vs[2] = { { 1, 0, 1, -1, -1 }, { 0, 1, 1, -1, -1 } };
	struct store *st = NULL;
	struct err e;
	char why[512];
	int total = set->n * 2;
	char (*uuids)[37] = calloc((size_t)total, sizeof(*uuids));
	char **jsons = calloc((size_t)total, sizeof(char *));

	REQUIRE(uuids != NULL && jsons != NULL);
	REQUIRE_OK(store_create(t_path("st"), "admin01", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("st"), "admin01", ADMIN_PW, &st, &e), &e);
	for (int n = 0; n < set->n; n++) {
		for (int v = 0; v < 2; v++) {
			const struct screen *s = set->s[n];
			struct form *f = new_form(s);
			struct application a;
			int slot = n * 2 + v;
			if (fill(f, &vs[v], NULL, why, sizeof(why)) != 0) {
				t_fail_at(__FILE__, __LINE__, "%s", why);
				form_free(f);
				continue;
			}
			memset(&a, 0, sizeof(a));
			snprintf(a.procedure, sizeof(a.procedure), "%s", s->procedure);
			snprintf(a.type, sizeof(a.type), "%s", s->id);
			snprintf(a.atena, sizeof(a.atena), "%010d", slot + 1);
			a.form_json = to_json(f);
			REQUIRE(a.form_json != NULL);
			jsons[slot] = strdup(a.form_json);
			CHECK_OK(store_application_save(st, &a, &e), &e);
			snprintf(uuids[slot], 37, "%s", a.uuid);
			application_clear(&a);
			form_free(f);
		}
	}
	store_close(st);
	st = NULL;
	/* the database is encrypted: no form value is readable in the files */
	CHECK(t_dir_contains(t_path("st"), "記記記", strlen("記記記")) == NULL);
	REQUIRE_OK(store_open(t_path("st"), "admin01", ADMIN_PW, &st, &e), &e);
	for (int slot = 0; slot < total; slot++) {
		const struct screen *s = set->s[slot / 2];
		struct application a;
		struct form *f;
		if (jsons[slot] == NULL)
			continue;
		memset(&a, 0, sizeof(a));
		CHECK_OK(store_application_get(st, uuids[slot], &a, &e), &e);
		CHECK_STR(a.type, s->id);
		CHECK_STR(a.procedure, s->procedure);
		CHECK_STR(a.status, "received");
		if (a.form_json != NULL) {
			CHECK_STR(a.form_json, jsons[slot]);
			f = new_form(s);
			CHECK_OK(form_from_json(f, a.form_json, strlen(a.form_json), &e), &e);
			CHECK_OK(form_validate(f, NULL, &e), &e);
			form_free(f);
		} else
			t_fail_at(__FILE__, __LINE__, "%s: no form_json back", s->id);
		application_clear(&a);
		free(jsons[slot]);
	}
	store_close(st);
	free(jsons);
	free(uuids);
	screen_set_free(set);
}

/* -------------------------------------------------------- rule families */

/* Fill a screen validly (everything, checkboxes on, first options). */
static struct form *
filled(const struct screen_set *set, const char *id)
{
	const struct screen *s = screen_set_find(set, id);
	const struct variant v = { 1, 0, 1, -1, -1 };
	struct form *f;
	char why[512];

	if (s == NULL) {
		t_fail_at(__FILE__, __LINE__, "screen %s missing", id);
		t_stop();
	}
	f = new_form(s);
	if (fill(f, &v, NULL, why, sizeof(why)) != 0) {
		t_fail_at(__FILE__, __LINE__, "%s", why);
		form_free(f);
		t_stop();
	}
	return f;
}

static int
field_of(const struct form *f, const char *name)
{
	int i = screen_field(f->s, name);

	if (i < 0) {
		t_fail_at(__FILE__, __LINE__, "%s has no field %s", f->s->id, name);
		t_stop();
	}
	return i;
}

/* KOBE 高齢期移行: 65 to 69 (INT-5).  A 70-year-old and a 64-year-old are
 * refused when typed and when arriving in stored JSON. */
TEST(screens_kobe_koreiki_iko_age_65_to_69)
{
	struct screen_set *set = load_all();
	struct form *f = filled(set, "josei-koreiki-iko");
	struct err e;
	char *j;
	int b = field_of(f, "birth");

	CHECK_OK(form_set(f, "birth", "1960-10-01", &e), &e);	/* 65 today */
	CHECK_OK(form_set(f, "birth", "1955-10-02", &e), &e);	/* 69, 70 tomorrow */
	CHECK_INT(form_set(f, "birth", "1955-10-01", &e), ERR_RANGE);	/* 70 today */
	CHECK(strstr(e.ja, "65歳から69歳") != NULL);
	CHECK_STR(f->values[b], "1955-10-02");	/* the old value stays */
	CHECK_INT(form_set(f, "birth", "1960-10-02", &e), ERR_RANGE);	/* 64 */
	CHECK_INT(form_set(f, "birth", "S30.4.1", &e), ERR_RANGE);	/* 70, 和暦 */
	/* stored JSON with a 70-year-old is refused too */
	j = to_json(f);
	REQUIRE(j != NULL);
	{
		char *p = strstr(j, "1955-10-02");
		REQUIRE(p != NULL);
		memcpy(p, "1955-10-01", 10);
	}
	CHECK_INT(form_from_json(f, j, strlen(j), &e), ERR_RANGE);
	free(j);
	/* a form kept open across the 70th birthday fails validation */
	form_free(f);
	f = filled(set, "josei-koreiki-iko");
	CHECK_OK(form_set(f, "birth", "1955-10-02", &e), &e);
	CHECK_OK(form_validate(f, NULL, &e), &e);
	f->today.d = 2;
	CHECK(form_validate(f, NULL, &e) != 0);
	form_free(f);
	screen_set_free(set);
}

/* こども (KOBE INT-5, MITO INT-1): from 0 to the end of the fiscal year in
 * which the child turns 18.  In FY2025 someone born 2007-04-02 is still
 * covered (legally 18 on 2025-04-01, inside the fiscal year), someone born
 * 2007-04-01 is not (18 on 2025-03-31, the last day of FY2024). */
TEST(screens_kodomo_to_the_end_of_the_fiscal_year_of_18)
{
	struct screen_set *set = load_all();
	const char *ids[] = { "josei-kodomo", "marufuku-kodomo" };
	struct err e;

	for (size_t k = 0; k < 2; k++) {
		struct form *f = filled(set, ids[k]);
		CHECK_OK(form_set(f, "child_birth", "2007-04-02", &e), &e);
		/* born during this fiscal year, after 1 April: age 0 */
		CHECK_OK(form_set(f, "child_birth", "2025-09-30", &e), &e);
		CHECK_OK(form_set(f, "child_birth", "2025-10-01", &e), &e);
		CHECK_OK(form_set(f, "child_birth", "2025-04-01", &e), &e);
		CHECK_INT(form_set(f, "child_birth", "2007-04-01", &e), ERR_RANGE);
		CHECK_INT(form_set(f, "child_birth", "2000-01-01", &e), ERR_RANGE);
		/* not born yet */
		CHECK(form_set(f, "child_birth", "2025-10-02", &e) != 0);
		CHECK_OK(form_validate(f, NULL, &e), &e);
		/* next fiscal year the 2007-04-02 child is out */
		CHECK_OK(form_set(f, "child_birth", "2007-04-02", &e), &e);
		f->today.y = 2026;
		f->today.m = 4;
		{
			int bad = -1;
			CHECK_INT(form_validate(f, &bad, &e), ERR_RANGE);
			CHECK_INT(bad, field_of(f, "child_birth"));
		}
		form_free(f);
	}
	screen_set_free(set);
}

/* KOBE ひとり親: the child up to the end of the fiscal year of 18, or under
 * 20 while in school with a 在学証明 (INT-5). */
TEST(screens_kobe_hitorioya_zaigaku_exception)
{
	struct screen_set *set = load_all();
	struct form *f = filled(set, "josei-hitorioya");
	const struct field *st = &f->s->fields[field_of(f, "child_status")];
	struct err e;
	int bad = -1;

	REQUIRE(st->noptions == 2);
	/* a 19-year-old is refused in the ordinary branch */
	CHECK_INT(form_set(f, "child_birth", "2006-06-01", &e), ERR_RANGE);
	/* ... and accepted as a student, but only with the 在学証明 */
	CHECK_OK(form_set(f, "child_status", st->options[1], &e), &e);
	CHECK_OK(form_set(f, "child_birth_student", "2006-06-01", &e), &e);
	CHECK_OK(form_set(f, "school", "神戸市立高等学校", &e), &e);
	CHECK_OK(form_set(f, "att_enrolment", "off", &e), &e);
	CHECK_INT(form_validate(f, &bad, &e), ERR_INVAL);
	CHECK_INT(bad, field_of(f, "att_enrolment"));
	CHECK_OK(form_set(f, "att_enrolment", "on", &e), &e);
	CHECK_OK(form_validate(f, NULL, &e), &e);
	/* 20 is too old even as a student; 17 is not a student case */
	CHECK_INT(form_set(f, "child_birth_student", "2005-09-30", &e), ERR_RANGE);
	CHECK_INT(form_set(f, "child_birth_student", "2008-06-01", &e), ERR_RANGE);
	form_free(f);
	screen_set_free(set);
}

/* TOKYO III.2-R2: for a 他県転入 the 診断書 items cannot be captured and the
 * form cannot be saved until the 同意書 is recorded. */
TEST(screens_tokyo_tanken_tennyu_needs_doui)
{
	struct screen_set *set = load_all();
	const char *ids[] = { "jiritsu-shinki", "jiritsu-saikai", "jiritsu-koshin" };
	struct err e;

	for (size_t k = 0; k < 3; k++) {
		struct form *f = filled(set, ids[k]);
		int consent = field_of(f, "consent"), diag = field_of(f, "diag_date");
		int bad = -1;
		char *j;

		REQUIRE(f->s->fields[consent].attachment);
		/* filled with 他県転入 and the 同意書: the 診断書 is there */
		CHECK_STR(form_get(f, "transfer"), "1");
		CHECK(form_field_shown(f, diag));
		j = to_json(f);
		REQUIRE(j != NULL);
		CHECK(strstr(j, "\"diag_date\"") != NULL);
		/* without the 同意書: refused, and the 診断書 items disappear */
		CHECK_OK(form_set(f, "consent", "off", &e), &e);
		CHECK(!form_field_shown(f, diag));
		CHECK(!form_field_shown(f, field_of(f, "diag_icd")));
		CHECK(!form_field_shown(f, field_of(f, "att_diagnosis")));
		CHECK_INT(form_validate(f, &bad, &e), ERR_INVAL);
		CHECK_INT(bad, consent);
		CHECK(strstr(e.ja, "同意書") != NULL);
		/* stored values with 診断書 data but no 同意書 are refused (INT-6) */
		{
			char *p = strstr(j, "\"consent\":true,");
			REQUIRE(p != NULL);
			memmove(p, p + strlen("\"consent\":true,"),
			    strlen(p + strlen("\"consent\":true,")) + 1);
			CHECK_INT(form_from_json(f, j, strlen(j), &e), ERR_FORMAT);
			CHECK(strstr(e.msg, "not shown") != NULL);
		}
		free(j);
		/* not a 他県転入: no 同意書 asked, 診断書 captured as usual */
		form_free(f);
		f = filled(set, ids[k]);
		CHECK_OK(form_set(f, "transfer", "off", &e), &e);
		CHECK(!form_field_shown(f, consent));
		CHECK(form_field_shown(f, strcmp(ids[k], "jiritsu-koshin") == 0 ?
		    field_of(f, "diag_submit") : diag));
		CHECK_OK(form_validate(f, NULL, &e), &e);
		form_free(f);
	}
	screen_set_free(set);
}

/* TOKYO III.7-R2: 個人番号 is mandatory on every 自立支援医療 type, 変更 and
 * 再交付 included; ID-4: a wrong check digit is refused. */
TEST(screens_tokyo_mynumber_mandatory_with_check_digit)
{
	struct screen_set *set = load_all();
	const char *ids[] = { "jiritsu-shinki", "jiritsu-saikai", "jiritsu-koshin",
	    "jiritsu-henko", "jiritsu-saikofu" };
	struct err e;
	char good[13], bad_cd[13];

	valid_mynumber("98765432101", good);
	snprintf(bad_cd, sizeof(bad_cd), "%.11s%d", good, (good[11] - '0' + 1) % 10);
	for (size_t k = 0; k < 5; k++) {
		struct form *f = filled(set, ids[k]);
		int mn = field_of(f, "mynumber"), bad = -1;
		REQUIRE(f->s->fields[mn].type == FT_MYNUMBER);
		CHECK(f->s->fields[mn].required);
		CHECK(f->s->fields[mn].when.ref < 0);	/* never hidden */
		CHECK_OK(form_set(f, "mynumber", good, &e), &e);
		CHECK_INT(form_set(f, "mynumber", bad_cd, &e), ERR_FORMAT);
		CHECK(strstr(e.ja, "チェックデジット") != NULL);
		CHECK(strstr(e.msg, bad_cd) == NULL && strstr(e.ja, bad_cd) == NULL);
		CHECK_STR(form_get(f, "mynumber"), good);
		CHECK_INT(form_set(f, "mynumber", "12345", &e), ERR_FORMAT);
		CHECK_OK(form_set(f, "mynumber", "", &e), &e);
		CHECK_INT(form_validate(f, &bad, &e), ERR_INVAL);
		CHECK_INT(bad, mn);
		form_free(f);
	}
	screen_set_free(set);
}

/* 審査会 routing (TOKYO 別添1 ⑥⑦): 新規・再開・更新 carry the flag the intake
 * flow reads; 変更・再交付 and every other screen do not. */
TEST(screens_tokyo_review_board_routing_flag)
{
	struct screen_set *set = load_all();

	for (int n = 0; n < set->n; n++) {
		const char *id = set->s[n]->id;
		int want = strcmp(id, "jiritsu-shinki") == 0 || strcmp(id, "jiritsu-saikai") == 0 ||
		    strcmp(id, "jiritsu-koshin") == 0;
		if (screen_has_flag(set->s[n], "review-board") != want)
			t_fail_at(__FILE__, __LINE__, "%s: review-board flag %d, want %d", id,
			    !want, want);
	}
	/* the 手帳 joint filing is a field the flow can read */
	{
		struct form *f = filled(set, "jiritsu-shinki");
		struct err e;
		CHECK_STR(form_get(f, "techo_joint"), "1");
		CHECK(!form_field_shown(f, field_of(f, "techo_no")));
		CHECK_OK(form_set(f, "techo_joint", "off", &e), &e);
		CHECK(form_field_shown(f, field_of(f, "techo_no")));
		form_free(f);
	}
	screen_set_free(set);
}

/* Bank accounts: 金融機関コード 4 digits, 支店コード 3, 口座番号 7, on every
 * screen that has them; wrong lengths and non-digits are refused. */
TEST(screens_bank_code_formats)
{
	struct screen_set *set = load_all();
	struct err e;
	int screens_with_bank = 0;

	for (int n = 0; n < set->n; n++) {
		const struct screen *s = set->s[n];
		int bc = screen_field(s, "bank_code"), br = screen_field(s, "branch_code"),
		    ac = screen_field(s, "account_no");
		struct form *f;
		if (bc < 0 && br < 0 && ac < 0)
			continue;
		screens_with_bank++;
		REQUIRE(bc >= 0 && br >= 0 && ac >= 0);
		CHECK(s->fields[bc].min_len == 4 && s->fields[bc].max_len == 4);
		CHECK(s->fields[br].min_len == 3 && s->fields[br].max_len == 3);
		CHECK(s->fields[ac].min_len == 7 && s->fields[ac].max_len == 7);
		f = filled(set, s->id);
		if (!form_field_shown(f, bc)) {
			form_free(f);
			continue;
		}
		CHECK_OK(form_set(f, "bank_code", "０１７９", &e), &e);	/* full-width */
		CHECK_STR(form_get(f, "bank_code"), "0179");
		CHECK_INT(form_set(f, "bank_code", "179", &e), ERR_RANGE);
		CHECK_INT(form_set(f, "bank_code", "01790", &e), ERR_RANGE);
		CHECK_INT(form_set(f, "bank_code", "01a9", &e), ERR_FORMAT);
		CHECK_INT(form_set(f, "branch_code", "12", &e), ERR_RANGE);
		CHECK_INT(form_set(f, "branch_code", "1234", &e), ERR_RANGE);
		CHECK_INT(form_set(f, "account_no", "123456", &e), ERR_RANGE);
		CHECK_INT(form_set(f, "account_no", "12345678", &e), ERR_RANGE);
		CHECK_STR(form_get(f, "bank_code"), "0179");
		CHECK_OK(form_validate(f, NULL, &e), &e);
		form_free(f);
	}
	CHECK(screens_with_bank >= 12);
	screen_set_free(set);
}

/* Dates in order: each pair refuses the later date before the earlier. */
TEST(screens_dates_in_order)
{
	struct screen_set *set = load_all();
	const struct {
		const char *screen, *first, *second;
	} pairs[] = {
		{ "kokuho-sosai", "died_on", "funeral_on" },
		{ "kokuho-ryoyohi", "start", "end" },
		{ "marufuku-ninsanpu", "pregnancy_notified", "due_date" },
		{ "kokuho-shikaku-shutoku", "birth", "acquired" },
		{ "yobo-tennyu-rireki", "birth", "vaccinated_on" },
		{ "josei-judo-shogai", "techo_issued", "seishin_until" },
	};
	struct err e;

	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		struct form *f = filled(set, pairs[k].screen);
		int bad = -1;
		if (strcmp(pairs[k].second, "seishin_until") == 0)
		{
			CHECK_OK(form_set(f, "doc", "精神障害者保健福祉手帳", &e), &e);
			/* the grade goes with the document (check option-needs) */
			CHECK_OK(form_set(f, "grade", "精神障害者保健福祉手帳1級", &e), &e);
		}
		/* before every generated date, after every birth */
		CHECK_OK(form_set(f, pairs[k].first, "2024-03-10", &e), &e);
		CHECK_OK(form_set(f, pairs[k].second, "2024-03-10", &e), &e);	/* same day */
		CHECK_OK(form_validate(f, NULL, &e), &e);
		CHECK_OK(form_set(f, pairs[k].second, "2024-03-09", &e), &e);
		CHECK_INT(form_validate(f, &bad, &e), ERR_RANGE);
		CHECK_INT(bad, field_of(f, pairs[k].second));
		CHECK(strstr(e.ja, "より前の日付") != NULL);
		form_free(f);
	}
	/* and "not after today" */
	{
		struct form *f = filled(set, "kokuho-sosai");
		CHECK_OK(form_set(f, "died_on", "2025-10-02", &e), &e);
		CHECK_INT(form_validate(f, NULL, &e), ERR_RANGE);
		form_free(f);
	}
	screen_set_free(set);
}

/* Attachments: every application screen's checklist entries are checkboxes
 * marked "attachment"; required ones block saving until ticked. */
TEST(screens_attachments_checklist)
{
	struct screen_set *set = load_all();
	struct err e;
	int total = 0;

	for (int n = 0; n < set->n; n++) {
		const struct screen *s = set->s[n];
		for (int i = 0; i < s->nfields; i++) {
			const struct field *fd = &s->fields[i];
			/* naming convention: att_* are exactly the attachments */
			if ((strncmp(fd->name, "att_", 4) == 0 || strcmp(fd->name, "consent") == 0) !=
			    fd->attachment)
				t_fail_at(__FILE__, __LINE__, "%s: %s attachment mark", s->id, fd->name);
			if (fd->attachment) {
				total++;
				CHECK(fd->type == FT_CHECKBOX);
				CHECK(strncmp(fd->label, "添付：", strlen("添付：")) == 0);
			}
		}
	}
	CHECK(total >= 50);
	{
		struct form *f = filled(set, "kokuho-shussan");
		int bad = -1;
		CHECK_OK(form_set(f, "att_statement", "off", &e), &e);
		CHECK_INT(form_validate(f, &bad, &e), ERR_INVAL);
		CHECK_INT(bad, field_of(f, "att_statement"));
		form_free(f);
	}
	screen_set_free(set);
}

/* INT-6: for every screen, a member it does not declare is refused. */
TEST(screens_refuse_undeclared_items)
{
	struct screen_set *set = load_all();

	for (int n = 0; n < set->n; n++) {
		struct form *f = filled(set, set->s[n]->id);
		struct err e;
		char *j = to_json(f), *k;
		size_t l;
		REQUIRE(j != NULL);
		l = strlen(j);
		k = malloc(l + 32);
		REQUIRE(k != NULL);
		memcpy(k, j, l - 1);
		snprintf(k + l - 1, 32, ",\"free_memo\":\"x\"}");
		CHECK_INT(form_from_json(f, k, strlen(k), &e), ERR_FORMAT);
		CHECK_OK(form_from_json(f, j, l, &e), &e);
		free(k);
		free(j);
		form_free(f);
	}
	screen_set_free(set);
}

/* The table of shipped screens in madoguchi-screen(5) lists every screen
 * (as ".It ID Ta ..."), and the engine keywords added for them are there. */
TEST(screens_man_page_lists_every_screen)
{
	char path[1024], needle[128];
	size_t n = 0;
	char *man;

	snprintf(path, sizeof(path), "%s/man/madoguchi-screen.5", t_srcdir());
	man = t_read_file(path, &n);
	REQUIRE(man != NULL);
	for (size_t i = 0; i < NEXPECTED; i++) {
		snprintf(needle, sizeof(needle), "\n.It %s Ta ", expected[i].id);
		if (strstr(man, needle) == NULL)
			t_fail_at(__FILE__, __LINE__, "madoguchi-screen.5 lacks %s", expected[i].id);
		snprintf(needle, sizeof(needle), "procedure %s ", expected[i].procedure);
		CHECK(strstr(man, needle) != NULL);
	}
	for (int i = 0; screen_flag_names[i] != NULL; i++) {
		snprintf(needle, sizeof(needle), ".It Cm %s\n", screen_flag_names[i]);
		CHECK(strstr(man, needle) != NULL);
	}
	for (int i = 0; screen_prefill_sources[i] != NULL; i++)
		CHECK(strstr(man, screen_prefill_sources[i]) != NULL);
	CHECK(strstr(man, ".It Cm attachment\n") != NULL);
	CHECK(strstr(man, "Op Cm or Ar field") != NULL);
	free(man);
}

/* Everything fits the 80-column form view (src/ui/form_view.c): a label
 * and its required mark in LABEL_MAX_W = 28 columns, the help on the hint
 * line (COLS - 24 = 56), a select option beside the label (40). */
TEST(screens_texts_fit_the_form_view)
{
	struct screen_set *set = load_all();

	for (int n = 0; n < set->n; n++) {
		const struct screen *s = set->s[n];
		CHECK(utf8_width(s->title, strlen(s->title)) <= 60);
		for (int i = 0; i < s->nfields; i++) {
			const struct field *fd = &s->fields[i];
			int w = utf8_width(fd->label, strlen(fd->label)) + (fd->required ? 1 : 0);
			if (w > 28)
				t_fail_at(__FILE__, __LINE__, "%s: label of %s is %d columns", s->id,
				    fd->name, w);
			if (utf8_width(fd->help, strlen(fd->help)) > 56)
				t_fail_at(__FILE__, __LINE__, "%s: help of %s too wide", s->id, fd->name);
			for (int o = 0; o < fd->noptions; o++)
				if (utf8_width(fd->options[o], strlen(fd->options[o])) > 40)
					t_fail_at(__FILE__, __LINE__, "%s: option %s of %s too wide",
					    s->id, fd->options[o], fd->name);
		}
	}
	screen_set_free(set);
}
