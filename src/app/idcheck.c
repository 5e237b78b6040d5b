/*
 * idcheck.c — the identity check at the window (F2): the card's 基本4情報
 * against the resident record (ID-3, SC-4), finding the person by the
 * card's 個人番号 with the no-match and number-mismatch outcomes that link
 * nothing (ID-3, ID-6), and the identity-check record with its audit row and
 * outbox entry (ID-1, ID-2, LOG-1).
 *
 * The full 個人番号 is only ever passed from the card result (sodium memory)
 * to the store lookup; what is kept, logged or written is the masked form.
 */
#include <stdio.h>
#include <string.h>

#include "visit.h"

/* ------------------------------------------------------------ compare */

/* Normalised for comparison: width-folded (kana_normalize), no spaces. */
static void
fold(const char *in, char *out, size_t cap)
{
	char tmp[600];
	int n;
	size_t o = 0;

	if ((n = kana_normalize(in, strlen(in), tmp, sizeof(tmp))) < 0) {
		snprintf(out, cap, "%s", in);
		return;
	}
	for (int i = 0; i < n && o + 1 < cap; i++)
		if (tmp[i] != ' ')
			out[o++] = tmp[i];
	out[o] = '\0';
}

void
idc_compare(const struct card_result *card, const struct person *p,
    struct idc_compare *out)
{
	char a[600], b[600];

	memset(out, 0, sizeof(*out));
	fold(card->name ? card->name : "", a, sizeof(a));
	fold(p->name, b, sizeof(b));
	out->differs[IDC_NAME] = strcmp(a, b) != 0;
	fold(card->address ? card->address : "", a, sizeof(a));
	fold(p->address, b, sizeof(b));
	/* １２－７ is 12-7, 1丁目3番8号 is 1-3-8 (addr_same, issue 11). */
	out->differs[IDC_ADDRESS] = strcmp(a, b) != 0 &&
	    !addr_same(card->address ? card->address : "", p->address);
	out->differs[IDC_BIRTH] = date_to_ymd(&card->birth) != p->birth;
	out->differs[IDC_SEX] = card->sex != p->sex;
	for (int i = 0; i < IDC_NITEMS; i++)
		out->ndiff += out->differs[i];
}

const char *
idc_item_name(enum idc_item i)
{
	static const char *const n[IDC_NITEMS] = { "氏名", "住所", "生年月日", "性別" };

	return i < IDC_NITEMS ? n[i] : "";
}

const char *
sex_name_ja(int sex)
{
	switch (sex) {
	case 1: return "男";
	case 2: return "女";
	case 9: return "適用不能";
	default: return "不明";
	}
}

static void
diff_text(const struct idc_compare *c, char *out, size_t cap)
{
	static const char *const en[IDC_NITEMS] = { "name", "address", "birth", "sex" };
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < IDC_NITEMS; i++)
		if (c->differs[i])
			o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%s",
			    o ? "+" : "", en[i]);
	if (o == 0)
		snprintf(out, cap, "none");
}

static const char *
digest_word(enum card_digest d)
{
	switch (d) {
	case CARD_DIGEST_OK: return "ok";
	case CARD_DIGEST_MISMATCH: return "MISMATCH";
	case CARD_DIGEST_MISSING: return "missing";
	default: return "unchecked";
	}
}

static int
digest_result(const struct card_result *c)
{
	if (c->digest_mynumber == CARD_DIGEST_UNCHECKED &&
	    c->digest_basic4 == CARD_DIGEST_UNCHECKED)
		return -1;
	return c->digest_mynumber == CARD_DIGEST_OK && c->digest_basic4 == CARD_DIGEST_OK;
}

/* ---------------------------------------------------- find the person */

/* A person with the card's 氏名 and 生年月日 (the same person under another
 * number, ID-6), or none. */
static int
find_by_basic(struct store *st, const struct card_result *card,
    struct person *out, struct err *e)
{
	struct person_query q;
	struct person_list l;
	char cn[600], pn[600];
	int r, found = 0;

	memset(&q, 0, sizeof(q));
	if ((q.birth = date_to_ymd(&card->birth)) <= 0 || card->name == NULL)
		return 0;
	q.limit = 500;
	if ((r = store_person_search(st, &q, &l, e)) != 0)
		return r;
	fold(card->name, cn, sizeof(cn));
	for (size_t i = 0; i < l.n && !found; i++) {
		fold(l.v[i].name, pn, sizeof(pn));
		if (strcmp(cn, pn) == 0) {
			*out = l.v[i];
			found = 1;
		}
	}
	person_list_free(&l);
	return found;
}

/* A 照合番号B read has no 個人番号 (B opens EF 0002, not EF 0001): the
 * person is the one picked in the lookup, or the one with the card's 氏名
 * and 生年月日, and the 番号確認 comes from the card face or a document
 * when the record is saved (ID-1). */
static int
b_read_check(struct visit *v, struct store *st, const struct card_result *card,
    struct err *e)
{
	struct person p;
	char detail[256], diff[64];
	int r;

	v->masked_number[0] = '\0';
	if (v->have_person) {
		idc_compare(card, &v->person, &v->cmp);
		if (v->cmp.differs[IDC_NAME] || v->cmp.differs[IDC_BIRTH]) {
			/* Not the person picked: link nothing (ID-3). */
			v->match = IDC_NUMBER_MISMATCH;
			snprintf(detail, sizeof(detail), "unlock=B: the card's 氏名/生年月日 "
			    "differ from %s; nothing linked (ID-3)", v->person.atena);
			return store_audit_append(st, NULL, NULL, "idcheck.mismatch",
			    v->person.atena, "idcheck", detail, e);
		}
	} else {
		if ((r = find_by_basic(st, card, &p, e)) < 0)
			return r;
		if (r == 0) {
			v->match = IDC_NO_PERSON;
			return store_audit_append(st, NULL, NULL, "idcheck.nomatch", NULL,
			    "idcheck", "unlock=B: the card's 氏名/生年月日 match no resident; "
			    "nothing linked (ID-3)", e);
		}
		v->person = p;
		v->have_person = 1;
		idc_compare(card, &p, &v->cmp);
	}
	v->match = IDC_MATCHED;
	diff_text(&v->cmp, diff, sizeof(diff));
	snprintf(detail, sizeof(detail), "unlock=B basic4=%s auth=%s%s%s chip=%s "
	    "tries_left=%d diff=%s (no 個人番号 on a B read)",
	    digest_word(card->digest_basic4), card_auth_name(card->auth),
	    card->auth_fail ? "/" : "", card_auth_fail_name(card->auth_fail),
	    card_chip_name(card->chip), card->tries_left, diff);
	return store_audit_append(st, NULL, NULL, "idcheck.read", v->person.atena,
	    "idcheck", detail, e);
}

int
visit_card_check(struct visit *v, struct store *st,
    const struct card_result *card, struct err *e)
{
	struct person p;
	char detail[256], diff[64];
	struct err e2;
	int r;

	v->match = IDC_NOT_CHECKED;
	memset(&v->cmp, 0, sizeof(v->cmp));
	v->linked = 0;
	memset(&v->idcheck, 0, sizeof(v->idcheck));
	v->idcheck.digest_result = -1;
	if (card->mynumber == NULL && card->unlock == CARD_UNLOCK_B)
		return b_read_check(v, st, card, e);
	if (card->mynumber == NULL || !card->mynumber_check_ok ||
	    mynumber_validate(card->mynumber, strlen(card->mynumber), NULL) != 0) {
		v->match = IDC_NO_NUMBER;
		v->masked_number[0] = '\0';
		mem_wipe(v->card_number, sizeof(v->card_number));
		snprintf(detail, sizeof(detail), "unlock=%s: no valid 個人番号 on the card",
		    card->unlock == CARD_UNLOCK_B ? "B" : "PIN");
		return store_audit_append(st, NULL, NULL, "idcheck.nonumber", NULL,
		    "idcheck", detail, e);
	}
	mynumber_mask(card->mynumber, strlen(card->mynumber), v->masked_number);
	err_clear(&e2);
	r = store_person_find_by_mynumber(st, card->mynumber, &p, &e2);
	if (r == 0) {
		if (v->have_person && strcmp(v->person.atena, p.atena) != 0) {
			/* The clerk picked someone else in the lookup: the card
			 * is not theirs.  Link nothing (ID-3). */
			v->match = IDC_NUMBER_MISMATCH;
			snprintf(detail, sizeof(detail), "card %s belongs to %s, not to the person picked",
			    v->masked_number, p.atena);
			return store_audit_append(st, NULL, NULL, "idcheck.mismatch",
			    v->person.atena, "idcheck", detail, e);
		}
		v->person = p;
		v->have_person = 1;
		v->match = IDC_MATCHED;
		snprintf(v->card_number, sizeof(v->card_number), "%s", card->mynumber);
		idc_compare(card, &p, &v->cmp);
		diff_text(&v->cmp, diff, sizeof(diff));
		snprintf(detail, sizeof(detail),
		    "unlock=%s digest number=%s basic4=%s tries_left=%d diff=%s",
		    card->unlock == CARD_UNLOCK_B ? "B" : "PIN",
		    digest_word(card->digest_mynumber), digest_word(card->digest_basic4),
		    card->tries_left, diff);
		return store_audit_append(st, NULL, NULL, "idcheck.read", p.atena,
		    "idcheck", detail, e);
	}
	if (r != ERR_NOTFOUND) {
		if (e != NULL)
			*e = e2;
		return r;
	}
	/* No one holds the card's number.  The same person under another (or
	 * no) stored number must not be linked silently (ID-3, ID-6). */
	if (!v->have_person) {
		if ((r = find_by_basic(st, card, &p, e)) < 0)
			return r;
		if (r == 1) {
			v->person = p;
			v->have_person = 1;
		}
	}
	if (v->have_person) {
		char stored[MYNUMBER_MASKED_LEN];
		/* whether one is held, not which (no right needed; issue 15) */
		int has = store_mynumber_masked(st, v->person.atena, stored, NULL) == 0;

		v->match = IDC_NUMBER_MISMATCH;
		idc_compare(card, &v->person, &v->cmp);
		snprintf(detail, sizeof(detail), "card %s: %s; nothing linked (ID-3, ID-6)",
		    v->masked_number, has ? "the stored 個人番号 differs" :
		    "no 個人番号 stored for the person");
		return store_audit_append(st, NULL, NULL, "idcheck.mismatch",
		    v->person.atena, "idcheck", detail, e);
	}
	v->match = IDC_NO_PERSON;
	snprintf(detail, sizeof(detail), "card %s matches no resident; nothing linked (ID-3)",
	    v->masked_number);
	return store_audit_append(st, NULL, NULL, "idcheck.nomatch", NULL,
	    "idcheck", detail, e);
}

/* --------------------------------------------------------- the record */

/* A run of 12 or more digits (ASCII or full-width) anywhere in s: the
 * clerk's note must not carry a 個人番号 (LOG-5, DATA-1). */
static int
has_long_number(const char *s)
{
	int run = 0;

	while (s != NULL && *s != '\0') {
		uint32_t cp;
		int n = utf8_decode(s, strlen(s), &cp);
		if (n <= 0)
			return 0;
		if ((cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19)) {
			if (++run >= MYNUMBER_LEN)
				return 1;
		} else if (cp != ' ' && cp != '-')
			run = 0;
		s += n;
	}
	return 0;
}

static void
append_code(char *buf, size_t cap, const char *code)
{
	size_t o = strlen(buf);

	snprintf(buf + o, cap > o ? cap - o : 0, "%s%s", o ? "," : "", code);
}

static const char *
method_ja(const char *m)
{
	static const struct { const char *code, *ja; } t[] = {
		{ "ic-card", "カード読取" },
		{ "card-presented", "マイナンバーカード提示" },
		{ "number-doc+photo-id", "番号確認書類と本人確認書類" },
		{ "agent-number-doc", "代理人の来庁（本人の番号確認書類）" },
		{ "documents", "書類" },
		{ "agent", "代理人の来庁（委任状・代理人の本人確認）" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(m, t[i].code) == 0)
			return t[i].ja;
	return "その他の方法";	/* never a code on the screen (issue 19) */
}

void
idcheck_text_ja(const struct idcheck *ic, const struct iddoc_list *docs, char *out,
    size_t cap)
{
	struct iddoc_list def;
	char codes[sizeof(ic->documents)], *save = NULL;
	size_t o;
	int n = 0;

	if (cap == 0)
		return;
	if (docs == NULL) {
		if (iddoc_parse(iddoc_default, &def, NULL) != 0)
			def.n = 0;
		docs = &def;
	}
	snprintf(out, cap, "%s", method_ja(ic->method));
	snprintf(codes, sizeof(codes), "%s", ic->documents);
	for (char *c = strtok_r(codes, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save)) {
		const struct iddoc *d = iddoc_find(docs, c);
		const char *ja = strcmp(c, "ic-pin") == 0 ? "暗証番号" :
		    strcmp(c, "ic-b") == 0 ? "照合番号B" :
		    strcmp(c, "jpki") == 0 ? "電子証明書で真正性を確認" :
		    strcmp(c, "number-card-face") == 0 ? "番号確認はカード券面" :
		    strcmp(c, "proxy-letter") == 0 ? "委任状" : d != NULL ? d->label :
		    "その他の書類";
		o = strlen(out);
		snprintf(out + o, cap - o, "%s%s", n++ ? "、" : "（", ja);
	}
	if (n > 0) {
		o = strlen(out);
		snprintf(out + o, cap - o, "）");
	}
}

struct save_job {
	struct idcheck *ic;
	const char *person;
	const char *action;
	struct err *e;			/* the caller's */
};

static int
save_tx(struct store *st, void *arg)
{
	struct save_job *j = arg;
	struct err *e = j->e;
	struct wbuf w;
	char ad[400];
	int r;

	if ((r = store_idcheck_save(st, j->ic, e)) != 0)
		return r;
	/* The central gets the record too (SPEC 7: push of identity checks). */
	wbuf_init(&w, 4096);
	wbuf_printf(&w, "{\"uuid\":\"%s\",\"atena\":", j->ic->uuid);
	json_put_str(&w, j->ic->atena, strlen(j->ic->atena));
	wbuf_printf(&w, ",\"method\":");
	json_put_str(&w, j->ic->method, strlen(j->ic->method));
	wbuf_printf(&w, ",\"documents\":");
	json_put_str(&w, j->ic->documents, strlen(j->ic->documents));
	wbuf_printf(&w, ",\"clerk\":");
	json_put_str(&w, j->ic->clerk, strlen(j->ic->clerk));
	wbuf_printf(&w, ",\"at\":\"%s\",\"digest_result\":%d,\"detail\":",
	    j->ic->at, j->ic->digest_result);
	json_put_str(&w, j->ic->detail, strlen(j->ic->detail));
	wbuf_printf(&w, "}");
	if (w.err)
		r = ERR_RANGE;
	else
		r = store_outbox_add(st, NULL, "idcheck", w.p, w.len, NULL, e);
	wbuf_free(&w);
	if (r != 0)
		return r;
	snprintf(ad, sizeof(ad), "idcheck %s method=%s documents=%s",
	    j->ic->uuid, j->ic->method, j->ic->documents);
	return store_audit_append(st, NULL, NULL, j->action, j->person,
	    "idcheck", ad, e);
}

int
visit_idcheck_save(struct visit *v, struct store *st,
    const struct idcheck_input *in, struct err *e)
{
	struct idcheck ic;
	struct save_job j;
	int r, photo_doc = 0, number_doc = 0, both_doc = 0;

	if (in->note != NULL && has_long_number(in->note))
		return err_set_ja(e, ERR_INVAL, "備考に個人番号などの番号を書かないでください",
		    "the note contains a long number");
	memset(&ic, 0, sizeof(ic));
	ic.digest_result = -1;
	if (in->card != NULL) {
		if (v->match != IDC_MATCHED || !v->have_person)
			return err_set_ja(e, ERR_STATE,
			    "カードの個人番号と住民記録が一致しないため、紐付けできません",
			    "card not matched to a person: nothing linked (ID-3)");
		if (in->card->auth == CARD_AUTH_FAILED || in->card->chip == CARD_CHIP_FAILED) {
			/* A card whose data or chip failed cannot complete the
			 * check: the clerk falls back to documents (audited). */
			char ad[200];
			snprintf(ad, sizeof(ad), "card refused: authenticity %s%s%s, chip %s; "
			    "documents needed", card_auth_name(in->card->auth),
			    in->card->auth_fail ? " " : "", card_auth_fail_name(in->card->auth_fail),
			    card_chip_name(in->card->chip));
			store_audit_append(st, NULL, NULL, "idcheck.refused", v->person.atena,
			    "idcheck", ad, NULL);
			return err_set_ja(e, ERR_STATE, in->card->chip == CARD_CHIP_FAILED ?
			    "ICチップの確認に失敗したカードでは本人確認を完了できません。"
			    "書類で確認してください" :
			    "カードの真正性の検証に失敗したため、カードでは本人確認を完了できません。"
			    "書類で確認してください",
			    "card authenticity failed: identity check needs documents");
		}
		snprintf(ic.method, sizeof(ic.method), "ic-card");
		append_code(ic.documents, sizeof(ic.documents),
		    in->card->unlock == CARD_UNLOCK_B ? "ic-b" : "ic-pin");
		/* issue 11: the 電子証明書 route was taken after the read */
		if (in->card->jpki)
			append_code(ic.documents, sizeof(ic.documents), "jpki");
		ic.digest_result = digest_result(in->card);
	} else {
		if (!v->have_person)
			return err_set_ja(e, ERR_STATE,
			    "先に F3 で住民を検索して選んでください", "no person picked");
		/* an agent recorded with the 委任状 and the agent's own check:
		 * the principal's 番号確認 is what is left (ID-2, 番号法) */
		if (v->agent.present && v->agent.idcheck[0] != '\0')
			r = iddoc_number_only(in->docs, in->checked, e);
		else
			r = iddoc_sufficient(in->docs, in->checked, 0, e);
		if (r != 0)
			return r;
	}
	for (int i = 0; in->docs != NULL && in->checked != NULL && i < in->docs->n; i++) {
		if (!in->checked[i])
			continue;
		append_code(ic.documents, sizeof(ic.documents), in->docs->v[i].code);
		both_doc |= in->docs->v[i].kind == IDDOC_BOTH;
		number_doc |= in->docs->v[i].kind == IDDOC_NUMBER;
		photo_doc |= in->docs->v[i].kind == IDDOC_PHOTO;
	}
	if (in->card == NULL)
		snprintf(ic.method, sizeof(ic.method), "%s", both_doc ? "card-presented" :
		    number_doc && photo_doc ? "number-doc+photo-id" :
		    number_doc && v->agent.present ? "agent-number-doc" : "documents");
	else {
		/* A B read gives no 個人番号: 番号確認 is from a number document
		 * if one was checked, else from the card face (ID-1). */
		if (in->card->mynumber == NULL && !number_doc && !both_doc)
			append_code(ic.documents, sizeof(ic.documents), "number-card-face");
		snprintf(ic.authenticity, sizeof(ic.authenticity), "%s",
		    card_auth_name(in->card->auth));
		snprintf(ic.authenticity_detail, sizeof(ic.authenticity_detail), "%s",
		    card_auth_fail_name(in->card->auth_fail));
		snprintf(ic.issuer_key_id, sizeof(ic.issuer_key_id), "%s",
		    in->card->issuer_key_id);
		snprintf(ic.chip, sizeof(ic.chip), "%s", card_chip_name(in->card->chip));
	}
	snprintf(ic.atena, sizeof(ic.atena), "%s", v->person.atena);
	if (in->card != NULL) {
		char diff[64];
		diff_text(&v->cmp, diff, sizeof(diff));
		snprintf(ic.detail, sizeof(ic.detail),
		    "unlock=%s digest number=%s basic4=%s auth=%s%s%s chip=%s diff=%s%s%s%s",
		    in->card->unlock == CARD_UNLOCK_B ? "B" : "PIN",
		    digest_word(in->card->digest_mynumber),
		    digest_word(in->card->digest_basic4), card_auth_name(in->card->auth),
		    in->card->auth_fail ? "/" : "", card_auth_fail_name(in->card->auth_fail),
		    card_chip_name(in->card->chip), diff,
		    in->card->auth == CARD_AUTH_UNVERIFIABLE ?
		    " (issuer key not installed: authenticity unverifiable)" : "",
		    in->note && *in->note ? " note=" : "", in->note ? in->note : "");
		if (in->card->jpki) {
			size_t o = strlen(ic.detail);
			snprintf(ic.detail + o, sizeof(ic.detail) - o, " %s", in->card->jpki_summary);
		}
	} else if (in->note != NULL)
		snprintf(ic.detail, sizeof(ic.detail), "%s%s", *in->note ? "note=" : "", in->note);
	memset(&j, 0, sizeof(j));
	j.ic = &ic;
	j.e = e;
	j.person = ic.atena;
	j.action = "idcheck.save";
	if ((r = store_tx(st, save_tx, &j, e)) != 0)
		return r;
	v->idcheck = ic;
	v->linked = 1;
	return 0;
}

int
visit_agent_save(struct visit *v, struct store *st,
    const struct iddoc_list *docs, const int *checked, struct err *e)
{
	struct visit_agent *a = &v->agent;
	struct idcheck ic;
	struct save_job j;
	int r;

	if (!v->have_person)
		return err_set_ja(e, ERR_STATE, "先に本人（委任者）を特定してください",
		    "no person for the agent");
	if (a->name[0] == '\0')
		return err_set_ja(e, ERR_INVAL, "代理人の氏名を入力してください", "agent name missing");
	if (has_long_number(a->name) || has_long_number(a->relation) ||
	    has_long_number(a->address))
		return err_set_ja(e, ERR_INVAL, "代理人欄に個人番号などの番号を書かないでください",
		    "long number in the agent fields");
	/* The agent proves who they are (身元確認); the number confirmed is
	 * the person's, with the person's own check (ID-2). */
	{
		int photo = 0, other = 0;
		for (int i = 0; i < docs->n; i++) {
			if (!checked[i])
				continue;
			photo |= docs->v[i].kind == IDDOC_PHOTO || docs->v[i].kind == IDDOC_BOTH;
			other += docs->v[i].kind == IDDOC_OTHER;
		}
		if (!photo && other < 2)
			return err_set_ja(e, ERR_INVAL, other == 1 ?
			    "代理人の写真のない書類は2点必要です" :
			    "代理人の本人確認書類（運転免許証等）を選んでください",
			    "agent: no identity document");
	}
	/* Relation against the household data where there is any (ID-2). */
	a->in_household = -1;
	if (v->person.household[0] != '\0') {
		struct person_list hh;
		char an[600], pn[600];

		if (store_person_household(st, v->person.household, &hh, NULL) == 0) {
			fold(a->name, an, sizeof(an));
			a->in_household = 0;
			for (size_t i = 0; i < hh.n; i++) {
				fold(hh.v[i].name, pn, sizeof(pn));
				if (strcmp(hh.v[i].atena, v->person.atena) != 0 &&
				    strcmp(an, pn) == 0)
					a->in_household = 1;
			}
			person_list_free(&hh);
		}
	}
	if (!a->proxy_letter && a->in_household != 1)
		return err_set_ja(e, ERR_STATE,
		    "委任状を確認してください（同一世帯の代理人と確認できません）",
		    "agent without proxy letter (ID-2)");
	memset(&ic, 0, sizeof(ic));
	ic.digest_result = -1;
	snprintf(ic.method, sizeof(ic.method), "agent");
	for (int i = 0; i < docs->n; i++)
		if (checked[i])
			append_code(ic.documents, sizeof(ic.documents), docs->v[i].code);
	if (a->proxy_letter)
		append_code(ic.documents, sizeof(ic.documents), "proxy-letter");
	snprintf(a->documents, sizeof(a->documents), "%s", ic.documents);
	snprintf(ic.detail, sizeof(ic.detail), "agent for %s: %s (%s)%s",
	    v->person.atena, a->name, a->relation,
	    a->in_household == 1 ? " in household" : "");
	/* The agent is not linked to a resident record: atena stays empty and
	 * the audit row names the person represented. */
	memset(&j, 0, sizeof(j));
	j.ic = &ic;
	j.e = e;
	j.person = v->person.atena;
	j.action = "idcheck.agent";
	if ((r = store_tx(st, save_tx, &j, e)) != 0)
		return r;
	snprintf(a->idcheck, sizeof(a->idcheck), "%s", ic.uuid);
	a->present = 1;
	return 0;
}
