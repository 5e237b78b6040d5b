/*
 * lookup.c — finding a resident's record at the window (F3): what the
 * clerk typed turned into search criteria (SC-6, ID-4), the per-account
 * rules (AC-6: procedures, 個人番号 search and view flags; SC-1), DV/不開示
 * persons (SC-5), and an audit row for every search and every record opened
 * (LOG-1).  The screens in src/ui only draw what these functions return;
 * the benchmark measures lookup_search itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visit.h"

/* ----------------------------------------------------------- criteria */

const char *
lookup_field_label(enum lookup_field f)
{
	static const char *const l[LF_COUNT] = {
		"氏名カナ", "氏名", "生年月日", "宛名番号", "受給者番号", "個人番号"
	};

	return f < LF_COUNT ? l[f] : "";
}

/* Trim ASCII and ideographic spaces at both ends into out. */
static int
trim(const char *in, char *out, size_t cap)
{
	const char *b = in, *end = in + strlen(in);

	for (;;) {
		if (*b == ' ' || *b == '\t')
			b++;
		else if (strncmp(b, "\xE3\x80\x80", 3) == 0)
			b += 3;
		else
			break;
	}
	for (;;) {
		if (end > b && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		else if (end - b >= 3 && strncmp(end - 3, "\xE3\x80\x80", 3) == 0)
			end -= 3;
		else
			break;
	}
	if ((size_t)(end - b) >= cap)
		return ERR_RANGE;
	memcpy(out, b, (size_t)(end - b));
	out[end - b] = '\0';
	return (int)(end - b);
}

/* Keep ASCII letters and digits of s (full-width folded), dropping the
 * separators clerks type ("-", " "); anything else is refused. */
static int
alnum_only(const char *s, char *out, size_t cap, int digits_only)
{
	char tmp[256];
	int n = kana_normalize(s, strlen(s), tmp, sizeof(tmp));
	size_t o = 0;

	if (n < 0)
		return ERR_FORMAT;
	for (int i = 0; i < n; i++) {
		char c = tmp[i];
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (!digits_only && c >= 'A' && c <= 'Z')))
			return ERR_FORMAT;
		if (o + 1 >= cap)
			return ERR_RANGE;
		out[o++] = c;
	}
	out[o] = '\0';
	return (int)o;
}

int
lookup_criteria_set(struct lookup_criteria *c, enum lookup_field f,
    const char *typed, const struct account *a, struct err *e)
{
	char t[256], norm[600];
	int n;

	if ((n = trim(typed != NULL ? typed : "", t, sizeof(t))) < 0)
		return err_set_ja(e, ERR_RANGE, "入力が長すぎます", "search text too long");
	if (!utf8_valid(t, (size_t)n))
		return err_set_ja(e, ERR_FORMAT, "文字が正しくありません", "invalid UTF-8");
	switch (f) {
	case LF_KANA: {
		char kana[sizeof(c->kana)];
		size_t o = 0;
		if (n == 0) {
			c->kana[0] = '\0';
			return 0;
		}
		if ((n = kana_normalize(t, (size_t)n, norm, sizeof(norm))) < 0)
			return err_set_ja(e, ERR_FORMAT, "文字が正しくありません", "invalid UTF-8");
		/* Katakana (after folding hiragana and half-width), the long
		 * vowel mark and spaces only: kanji belong in 氏名. */
		for (int i = 0; i < n;) {
			uint32_t cp;
			int k = utf8_decode(norm + i, (size_t)(n - i), &cp);
			if (k <= 0)
				return err_set_ja(e, ERR_FORMAT, "文字が正しくありません", "bad UTF-8");
			if (cp == ' ') {
				i += k;
				continue;
			}
			if (!((cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC || cp == 0x30FB))
				return err_set_ja(e, ERR_FORMAT,
				    "氏名カナはカナで入力してください（漢字は「氏名」欄へ）",
				    "kana field: not kana");
			if (o + (size_t)k >= sizeof(kana))
				return err_set_ja(e, ERR_RANGE, "入力が長すぎます", "kana too long");
			memcpy(kana + o, norm + i, (size_t)k);
			o += (size_t)k;
			i += k;
		}
		/* only a complete value replaces the old one */
		memcpy(c->kana, kana, o);
		c->kana[o] = '\0';
		return 0;
	}
	case LF_NAME:
		if ((size_t)n >= sizeof(c->name))
			return err_set_ja(e, ERR_RANGE, "入力が長すぎます", "name too long");
		/* An ideographic space between surname and given name is the
		 * same as the ASCII one the records use. */
		{
			size_t o = 0;
			for (int i = 0; i < n;) {
				if (strncmp(t + i, "\xE3\x80\x80", 3) == 0) {
					c->name[o++] = ' ';
					i += 3;
				} else
					c->name[o++] = t[i++];
			}
			c->name[o] = '\0';
		}
		return 0;
	case LF_BIRTH: {
		struct date d;
		struct err de;
		if (n == 0) {
			c->birth = 0;
			return 0;
		}
		err_clear(&de);
		if (date_parse(t, &d, &de) != 0)
			return err_set_ja(e, ERR_FORMAT,
			    "生年月日が正しくありません（例: S60.4.12、昭和60年4月12日、1985-04-12）",
			    "birth date: %s", de.msg);
		c->birth = date_to_ymd(&d);
		return 0;
	}
	case LF_ATENA:
		if (n == 0) {
			c->atena[0] = '\0';
			return 0;
		}
		if (alnum_only(t, norm, sizeof(c->atena), 1) <= 0)
			return err_set_ja(e, ERR_FORMAT, "宛名番号は数字で入力してください",
			    "atena: digits only");
		memcpy(c->atena, norm, strlen(norm) + 1);	/* fits: alnum_only got the cap */
		return 0;
	case LF_RECIPIENT:
		if (n == 0) {
			c->recipient[0] = '\0';
			return 0;
		}
		if (alnum_only(t, norm, sizeof(c->recipient), 0) <= 0)
			return err_set_ja(e, ERR_FORMAT, "受給者番号は英数字で入力してください",
			    "recipient number: letters and digits only");
		memcpy(c->recipient, norm, strlen(norm) + 1);
		return 0;
	case LF_MYNUMBER: {
		int r;
		mem_wipe(c->mynumber, sizeof(c->mynumber));
		if (n == 0) {
			mem_wipe(t, sizeof(t));
			return 0;
		}
		/* The permission comes first: an account without it learns
		 * nothing, not even whether the number is well-formed (AC-6). */
		if (a == NULL || !a->search_mynumber) {
			mem_wipe(t, sizeof(t));
			return err_set_ja(e, ERR_PERM, "個人番号で検索する権限がありません",
			    "account may not search by 個人番号");
		}
		r = alnum_only(t, norm, sizeof(norm), 1);
		mem_wipe(t, sizeof(t));
		if (r != MYNUMBER_LEN || mynumber_validate(norm, (size_t)r, NULL) != 0) {
			mem_wipe(norm, sizeof(norm));
			return err_set_ja(e, ERR_FORMAT, r == MYNUMBER_LEN ?
			    "個人番号のチェックデジットが正しくありません" :
			    "個人番号は12桁の数字で入力してください",
			    "not a valid 個人番号 (ID-4)");
		}
		memcpy(c->mynumber, norm, MYNUMBER_LEN + 1);
		mem_wipe(norm, sizeof(norm));
		return 0;
	}
	default:
		return err_set(e, ERR_INVAL, "unknown search field");
	}
}

int
lookup_criteria_empty(const struct lookup_criteria *c)
{
	return c->kana[0] == '\0' && c->name[0] == '\0' && c->birth == 0 &&
	    c->atena[0] == '\0' && c->recipient[0] == '\0' && c->mynumber[0] == '\0';
}

void
lookup_criteria_kinds(const struct lookup_criteria *c, char *out, size_t cap)
{
	const char *k[LF_COUNT];
	size_t n = 0, o = 0;

	if (c->kana[0]) k[n++] = "kana";
	if (c->name[0]) k[n++] = "name";
	if (c->birth) k[n++] = "birth";
	if (c->atena[0]) k[n++] = "atena";
	if (c->recipient[0]) k[n++] = "recipient";
	if (c->mynumber[0]) k[n++] = "mynumber";
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%s", i ? "+" : "", k[i]);
	if (n == 0)
		snprintf(out, cap, "none");
}

void
lookup_criteria_clear(struct lookup_criteria *c)
{
	mem_wipe(c, sizeof(*c));
}

/* -------------------------------------------------------- permissions */

int
lookup_proc_visible(const struct account *a, const char *procedure)
{
	return account_perm(a, procedure) >= PERM_READ;
}

int
lookup_proc_writable(const struct account *a, const char *procedure)
{
	return account_perm(a, procedure) >= PERM_WRITE;
}

const char *
procedure_name_ja(const char *code)
{
	static const struct { const char *code, *ja; } t[] = {
		{ "kokuho", "国民健康保険" }, { "nhi", "国民健康保険" },
		{ "maru-fuku", "医療福祉費（マル福）" },
		{ "kodomo-iryo", "こども医療費助成" },
		{ "koreiki-iko", "高齢期移行医療費助成" },
		{ "judo-shogai", "重度障害者医療費助成" },
		{ "hitori-oya", "ひとり親家庭等医療費助成" },
		{ "iryohi-josei", "医療費助成" },
		{ "jiritsu", "自立支援医療（精神通院）" },
		{ "jiritsu-seishin", "自立支援医療（精神通院）" },
		{ "yobo", "予防接種" }, { "vaccination", "予防接種" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].code, code) == 0)
			return t[i].ja;
	return code;
}

/* ------------------------------------------------ DV / 不開示 (SC-5) */

int
person_restricted(const struct person *p)
{
	return p->dv || p->nondisclose;
}

const char *
person_address_shown(const struct person *p)
{
	if (person_restricted(p))
		return p->dv ? "（DV等支援措置のため非表示）" : "（不開示のため非表示）";
	return p->address;
}

/* Blank what a restricted person's record must not show. */
static void
person_blank(struct person *p)
{
	mem_wipe(p->address, sizeof(p->address));
	mem_wipe(p->postal, sizeof(p->postal));
}

void
person_birth_text(int ymd, char *out, size_t cap)
{
	struct date d;
	char wa[32], iso[16];

	if (ymd == 0 || date_from_ymd(ymd, &d) != 0) {
		snprintf(out, cap, "不明");
		return;
	}
	if (date_format_wareki_short(&d, wa, sizeof(wa)) < 0)
		wa[0] = '\0';
	date_format_iso(&d, iso, sizeof(iso));
	/* 和暦 with the 西暦 year (issue 19: no ISO strings on screen) */
	if (wa[0])
		snprintf(out, cap, "%s（%d年）", wa, d.y);
	else
		snprintf(out, cap, "%d年%d月%d日", d.y, d.m, d.d);
	(void)iso;
}

/* ------------------------------------------------------------- search */

/* The narrowing a 個人番号 hit still has to pass (combinations narrow). */
static int
matches(const struct person *p, const struct lookup_criteria *c)
{
	if (c->birth && p->birth != c->birth)
		return 0;
	if (c->atena[0] && strcmp(p->atena, c->atena) != 0)
		return 0;
	if (c->name[0]) {
		/* as the store's search: blanks and 異体字 folded (name_fold) */
		char want[512], n1[600], n2[600];
		if (name_fold(c->name, want, sizeof(want)) < 0 ||
		    name_fold(p->name, n1, sizeof(n1)) < 0 || name_fold(p->alias, n2, sizeof(n2)) < 0)
			return 0;
		if (strstr(n1, want) == NULL && strstr(n2, want) == NULL)
			return 0;
	}
	if (c->kana[0]) {
		char k[600], ak[600], t[600];
		int n1 = kana_normalize(p->kana, strlen(p->kana), t, sizeof(t));
		size_t o = 0;
		for (int i = 0; i < n1; i++)
			if (t[i] != ' ')
				k[o++] = t[i];
		k[o] = '\0';
		n1 = kana_normalize(p->alias_kana, strlen(p->alias_kana), t, sizeof(t));
		o = 0;
		for (int i = 0; i < n1; i++)
			if (t[i] != ' ')
				ak[o++] = t[i];
		ak[o] = '\0';
		{
			char ck[130];
			size_t q = 0;
			for (const char *s = c->kana; *s; s++)
				if (*s != ' ')
					ck[q++] = *s;
			ck[q] = '\0';
			if (strncmp(k, ck, q) != 0 && (ak[0] == '\0' || strncmp(ak, ck, q) != 0))
				return 0;
		}
	}
	return 1;
}

int
lookup_search(struct store *st, const struct lookup_criteria *c, size_t offset,
    const struct lookup_freshness *fresh, struct lookup_result *out,
    struct err *e)
{
	const struct account *a = store_user(st);
	char kinds[96], detail[500];
	int r;

	memset(out, 0, sizeof(*out));
	out->offset = offset;
	if (fresh != NULL && fresh->state == FRESH_BLOCK)
		return err_set_ja(e, ERR_STATE,
		    "データが古すぎるため検索できません。同期（F5）してください",
		    "lookup refused: data older than stale_block (NET-5)");
	if (lookup_criteria_empty(c))
		return err_set_ja(e, ERR_INVAL, "検索条件を入力してください", "no criterion");
	if (c->mynumber[0] != '\0') {
		struct person p;
		struct err e2;

		if (!a->search_mynumber)
			return err_set_ja(e, ERR_PERM, "個人番号で検索する権限がありません",
			    "account may not search by 個人番号 (AC-6)");
		err_clear(&e2);
		r = store_person_find_by_mynumber(st, c->mynumber, &p, &e2);
		if (r != 0 && r != ERR_NOTFOUND) {
			if (e)
				*e = e2;
			return r;
		}
		if (r == 0 && offset == 0 && matches(&p, c)) {
			if ((out->list.v = malloc(sizeof(p))) == NULL)
				return err_set(e, ERR_NOMEM, "out of memory");
			out->list.v[0] = p;
			out->list.n = 1;
		}
		mem_wipe(&p, sizeof(p));
	} else {
		struct person_query q;

		memset(&q, 0, sizeof(q));
		q.kana_prefix = c->kana[0] ? c->kana : NULL;
		q.name = c->name[0] ? c->name : NULL;
		q.birth = c->birth;
		q.atena = c->atena[0] ? c->atena : NULL;
		q.recipient_no = c->recipient[0] ? c->recipient : NULL;
		q.limit = LOOKUP_PAGE;
		q.offset = offset;
		if ((r = store_person_search(st, &q, &out->list, e)) != 0)
			return r;
		/* the total beside the page (issue 19); one page needs none */
		out->total = offset + out->list.n;
		if ((out->list.more || offset > 0) &&
		    (r = store_person_count(st, &q, &out->total, e)) != 0) {
			lookup_result_free(out);
			return r;
		}
	}
	if (c->mynumber[0] != '\0')
		out->total = out->list.n;
	out->more = out->list.more;
	for (size_t i = 0; i < out->list.n; i++)
		if (person_restricted(&out->list.v[i]))
			person_blank(&out->list.v[i]);
	/* LOG-1: one row per search: what kind of criteria, how many rows,
	 * and whom the page showed (宛名番号 as ",a,b," so that "who viewed
	 * this person" finds listings too, LOG-3); the person concerned when
	 * the search pinned down one person.  Never a criterion's value. */
	lookup_criteria_kinds(c, kinds, sizeof(kinds));
	{
		size_t o = (size_t)snprintf(detail, sizeof(detail),
		    "criteria=%s results=%zu%s offset=%zu shown=,", kinds,
		    out->list.n, out->more ? "+" : "", offset);
		for (size_t i = 0; i < out->list.n && o + 18 < sizeof(detail); i++)
			o += (size_t)snprintf(detail + o, sizeof(detail) - o, "%s,",
			    out->list.v[i].atena);
	}
	if ((r = store_audit_append(st, NULL, NULL, "lookup.search",
	    out->list.n == 1 && offset == 0 ? out->list.v[0].atena : NULL,
	    "lookup", detail, e)) != 0) {
		lookup_result_free(out);
		return r;
	}
	return 0;
}

void
lookup_result_free(struct lookup_result *r)
{
	if (r->list.v != NULL)
		mem_wipe(r->list.v, r->list.n * sizeof(r->list.v[0]));
	person_list_free(&r->list);
	r->more = 0;
}

/* ------------------------------------------------------------- detail */

static int
any_writable(const struct account *a)
{
	for (size_t i = 0; i < a->nperms; i++)
		if (a->perms[i].level >= PERM_WRITE)
			return 1;
	return 0;
}

/* The applications of atena in procedures the account may see (AC-6). */
static int
apps_load(struct store *st, const char *atena, struct application_list *out,
    struct err *e)
{
	const struct account *a = store_user(st);
	struct application_query aq;
	size_t k;
	int r;

	memset(&aq, 0, sizeof(aq));
	aq.atena = atena;
	aq.limit = 200;
	if ((r = store_application_list(st, &aq, out, e)) != 0)
		return r;
	for (size_t i = k = 0; i < out->n; i++) {
		if (lookup_proc_visible(a, out->v[i].procedure))
			out->v[k++] = out->v[i];
		else
			application_clear(&out->v[i]);
	}
	out->n = k;
	return 0;
}

int
lookup_reload_apps(struct store *st, struct person_detail *d, struct err *e)
{
	struct application_list l;
	int r;

	memset(&l, 0, sizeof(l));
	if ((r = apps_load(st, d->p.atena, &l, e)) != 0)
		return r;
	application_list_free(&d->apps);
	d->apps = l;
	return 0;
}

int
lookup_open(struct store *st, const char *atena, int ack_restricted,
    const struct lookup_freshness *fresh, struct person_detail *out,
    struct err *e)
{
	const struct account *a = store_user(st);
	struct cert_list cl;
	char num[MYNUMBER_MASKED_LEN];
	size_t k;
	int r;

	memset(out, 0, sizeof(*out));
	if (fresh != NULL) {
		out->fresh = *fresh;
		if (fresh->state == FRESH_BLOCK)
			return err_set_ja(e, ERR_STATE,
			    "データが古すぎるため照会できません。同期（F5）してください",
			    "lookup refused: data older than stale_block (NET-5)");
	}
	if ((r = store_person_get(st, atena, &out->p, e)) != 0)
		return r;
	out->restricted = person_restricted(&out->p);
	if (out->restricted && !ack_restricted) {
		person_detail_free(out);
		return err_set_ja(e, ERR_STATE, "DV等支援措置・不開示の対象者です。確認してから開いてください",
		    "restricted person: warning not acknowledged (SC-5)");
	}
	if (out->restricted)
		person_blank(&out->p);
	else
		snprintf(out->address_real, sizeof(out->address_real), "%s", out->p.address);
	/* LOG-1 / SC-5: the opening, marked when the person is restricted. */
	if ((r = store_audit_append(st, NULL, NULL,
	    out->restricted ? "lookup.view.restricted" : "lookup.view", atena, "person",
	    out->restricted ? "DV/不開示 warning shown and acknowledged; address withheld" :
	    NULL, e)) != 0)
		goto fail;
	/* The number opens only with the right's key (issue 15); everyone
	 * else sees the masked form kept beside it. */
	if (a->view_mynumber && store_mynumber_get(st, atena, num, NULL) == 0) {
		snprintf(out->number_shown, sizeof(out->number_shown), "%s", num);
		mem_wipe(num, sizeof(num));
		if ((r = store_audit_append(st, NULL, NULL, "mynumber.view", atena,
		    "person", NULL, e)) != 0)
			goto fail;
	} else if (store_mynumber_masked(st, atena, num, NULL) == 0)
		snprintf(out->number_shown, sizeof(out->number_shown), "%s", num);
	if (out->p.household[0] != '\0') {
		if ((r = store_person_household(st, out->p.household, &out->household, e)) != 0)
			goto fail;
		for (size_t i = 0; i < out->household.n; i++)
			if (out->restricted || person_restricted(&out->household.v[i]))
				person_blank(&out->household.v[i]);
	}
	/* AC-6: only procedures the account may see. */
	if ((r = store_cert_list(st, atena, NULL, &cl, e)) != 0)
		goto fail;
	out->certs = cl;
	for (size_t i = k = 0; i < cl.n; i++)
		if (lookup_proc_visible(a, cl.v[i].procedure))
			out->certs.v[k++] = cl.v[i];
	out->certs.n = k;
	if ((r = apps_load(st, atena, &out->apps, e)) != 0)
		goto fail;
	out->can_change = any_writable(a);
	return 0;
fail:
	person_detail_free(out);
	return r;
}

void
person_detail_free(struct person_detail *d)
{
	person_list_free(&d->household);
	cert_list_free(&d->certs);
	application_list_free(&d->apps);
	mem_wipe(d, sizeof(*d));
}

/* --------------------------------------------------- who viewed whom */

int
lookup_audit_person(struct store *st, const char *atena, size_t limit,
    struct audit_row **v, size_t *n, struct err *e)
{
	int r;

	*v = NULL;
	*n = 0;
	if (store_user(st)->role != ROLE_ADMIN)
		return err_set_ja(e, ERR_PERM, "この照会は管理者だけが行えます",
		    "who-viewed report: administrators only (LOG-3)");
	if ((r = store_audit_person(st, atena, limit, v, n, e)) != 0)
		return r;
	/* Asking is itself an access to the person's trail. */
	if ((r = store_audit_append(st, NULL, NULL, "audit.person", atena, "audit",
	    NULL, e)) != 0) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	return r;
}

const char *
audit_action_ja(const char *action)
{
	static const struct { const char *a, *ja; } t[] = {
		{ "lookup.search", "検索" },
		{ "lookup.view", "記録照会" },
		{ "lookup.view.restricted", "記録照会（DV等・不開示）" },
		{ "mynumber.view", "個人番号表示" },
		{ "idcheck.read", "カード読取" },
		{ "idcheck.nomatch", "カード読取（該当者なし）" },
		{ "idcheck.mismatch", "カード読取（番号不一致）" },
		{ "idcheck.nonumber", "カード読取（番号なし）" },
		{ "idcheck.failed", "カード読取（暗証番号等の誤り）" },
		{ "idcheck.save", "本人確認記録" },
		{ "idcheck.agent", "代理人確認記録" },
		{ "audit.person", "閲覧者照会" },
		{ "login", "ログイン" }, { "logout", "ログアウト" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].a, action) == 0)
			return t[i].ja;
	return action;
}

const char *
ward_name_ja(const char *code)
{
	/* The wards of the fictional 窓口市 (store/synth.c); a real
	 * municipality's codes come with its master data. */
	static const struct { const char *code, *ja; } t[] = {
		{ "01", "北区" }, { "02", "南区" }, { "03", "東区" },
		{ "04", "西区" }, { "05", "中央区" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].code, code) == 0)
			return t[i].ja;
	return code;
}
