/*
 * intake.c — taking an application in (F4): which procedures the clerk may
 * take in (AC-6), prefilling a form from the visit, and saving it with its
 * receipt number, outbox entry and audit row in one transaction — refused
 * without the visit's identity check (ID-1) and, for an agent, the agent's
 * record (ID-2).
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "sync.h"

int
intake_may_enter(const struct account *a, const char *procedure)
{
	return a != NULL && procedure != NULL &&
	    account_perm(a, procedure) >= PERM_WRITE;
}

int
intake_menu(const struct screen_set *set, const struct account *a, int *idx,
    int max)
{
	int n = 0;

	if (set == NULL)
		return 0;
	for (int i = 0; i < set->n && n < max; i++)
		if (intake_may_enter(a, set->s[i]->procedure))
			idx[n++] = i;
	return n;
}

/* typed as a search key: kana_normalize (katakana, ASCII), no blanks */
static void
menu_key(const char *in, char *out, size_t cap)
{
	char t[SCREEN_TEXT_MAX * 2];
	int n = kana_normalize(in, strlen(in), t, sizeof(t));
	size_t o = 0;

	for (int i = 0; n > 0 && i < n && o + 1 < cap; i++)
		if (t[i] != ' ')
			out[o++] = t[i];
	out[o] = '\0';
}

int
intake_menu_match(const struct screen *s, const char *typed)
{
	char want[SCREEN_TEXT_MAX], k[SCREEN_TEXT_MAX * 2];
	const char *hay[3];

	menu_key(typed, want, sizeof(want));
	if (want[0] == '\0')
		return 1;
	hay[0] = s->title;
	hay[1] = procedure_name_ja(s->procedure);
	hay[2] = s->kana;
	for (int i = 0; i < 3; i++) {
		menu_key(hay[i], k, sizeof(k));
		if (strstr(k, want) != NULL)
			return 1;
	}
	return 0;
}

int
intake_suggest(const struct screen_set *set, const int *menu, int nmenu,
    const char *const *saved, int nsaved, const struct person *p,
    const struct date *today, int *out, int max)
{
	struct date bd;
	int n = 0, age = -1;

	if (set == NULL)
		return 0;
	if (p != NULL && p->birth != 0 && date_from_ymd(p->birth, &bd) == 0)
		age = date_age(&bd, today);
	for (int i = 0; i < nsaved; i++) {
		const struct screen *s = screen_set_find(set, saved[i]);
		if (s == NULL)
			continue;
		for (int g = 0; g < s->nsuggest; g++) {
			const struct screen_suggest *sg = &s->suggest[g];
			int idx = -1, dup = 0;
			if (sg->age_min >= 0 && (age < sg->age_min || age > sg->age_max))
				continue;
			if (sg->sex != 0 && (p == NULL || p->sex != sg->sex))
				continue;
			for (int j = 0; j < nsaved; j++)
				dup |= strcmp(saved[j], sg->id) == 0;
			for (int m = 0; m < nmenu && idx < 0; m++)
				if (strcmp(set->s[menu[m]]->id, sg->id) == 0)
					idx = menu[m];
			for (int j = 0; j < n; j++)
				dup |= out[j] == idx;
			if (idx >= 0 && !dup && n < max)
				out[n++] = idx;
		}
	}
	return n;
}

/* The value of a prefill source for the visit's person, or NULL. */
static const char *
prefill_value(const char *src, struct store *st, const struct visit *v,
    char *buf, size_t cap)
{
	const struct person *p = &v->person;
	const struct account *a = store_user(st);
	struct date d;

	if (strcmp(src, "today") == 0) {
		date_today(&d);
		date_format_iso(&d, buf, cap);
		return buf;
	}
	if (strcmp(src, "clerk.name") == 0)
		return a->display[0] ? a->display : a->name;
	if (!v->have_person)
		return NULL;
	/* card.* come from the same person: the identity check compared the
	 * card with the record and the clerk resolved any difference there */
	if (strncmp(src, "card.", 5) == 0)
		src += 5;
	else if (strncmp(src, "person.", 7) == 0)
		src += 7;
	if (strcmp(src, "name") == 0)
		return p->name;
	if (strcmp(src, "kana") == 0)
		return p->kana;
	if (strcmp(src, "alias") == 0)
		return p->alias;
	if (strcmp(src, "alias_kana") == 0)
		return p->alias_kana;
	/* SC-5, issue 14: a DV/不開示 person's address is never prefilled
	 * (nor printed on the slip from the form): the form shows （不開示）
	 * and the clerk asks the resident */
	if ((strcmp(src, "postal") == 0 || strcmp(src, "address") == 0) &&
	    person_restricted(p))
		return "（不開示）";
	if (strcmp(src, "postal") == 0)
		return p->postal;
	if (strcmp(src, "address") == 0)
		return p->address;
	if (strcmp(src, "atena") == 0)
		return p->atena;
	if (strcmp(src, "household") == 0)
		return p->household;
	if (strcmp(src, "head") == 0)
		return p->head;
	if (strcmp(src, "ward") == 0)
		return p->ward;
	if (strcmp(src, "sex") == 0)
		return sex_name_ja(p->sex);
	if (strcmp(src, "birth") == 0) {
		if (date_from_ymd(p->birth, &d) != 0)
			return NULL;
		date_format_iso(&d, buf, cap);
		return buf;
	}
	if (strcmp(src, "mynumber") == 0) {
		/* only a number the identity check confirmed (ID-3): the
		 * card's, matched with the record through the blind index, or
		 * the stored one for an account that may open it (issue 15) */
		if (!v->linked || cap < 13)
			return NULL;
		if (v->card_number[0] != '\0' &&
		    store_mynumber_matches(st, p->atena, v->card_number, NULL) == 1) {
			snprintf(buf, cap, "%s", v->card_number);
			return buf;
		}
		if (store_mynumber_get(st, p->atena, buf, NULL) != 0)
			return NULL;
		return buf;
	}
	return NULL;
}

int
intake_prefill(struct form *f, struct store *st, const struct visit *v,
    struct err *e)
{
	char buf[256];
	int refused = 0;

	for (int i = 0; i < f->s->nfields; i++) {
		const struct field *fd = &f->s->fields[i];
		const char *val;
		if (fd->prefill[0] == '\0' || f->values[i][0] != '\0')
			continue;
		val = prefill_value(fd->prefill, st, v, buf, sizeof(buf));
		/* a value the field refuses (an age out of range, too long, not
		 * an option) is left for the clerk, who is told why */
		if (val != NULL && val[0] != '\0' &&
		    form_set_index(f, i, val, refused == 0 ? e : NULL) != 0)
			refused++;
		mem_wipe(buf, sizeof(buf));
	}
	f->dirty = 0;
	return refused;
}

static const char *const carry_fields[] = {
	"phone", "bank_code", "branch_code", "account_type", "account_no", "account_kana",
	"insurance_kind", "insurer_no", "ins_symbol", "ins_number", "ins_relation",
	"guardian", "guardian_relation", NULL
};

int
intake_carry(struct form *to, const struct form *from)
{
	int n = 0, dirty = to->dirty;

	if (from == NULL)
		return 0;
	for (int k = 0; carry_fields[k] != NULL; k++) {
		int i = screen_field(to->s, carry_fields[k]);
		int j = screen_field(from->s, carry_fields[k]);
		if (i < 0 || j < 0 || to->values[i][0] != '\0' || from->values[j][0] == '\0' ||
		    to->s->fields[i].type != from->s->fields[j].type ||
		    !form_field_shown(from, j))
			continue;
		if (form_set_index(to, i, from->values[j], NULL) == 0)
			n++;
	}
	to->dirty = dirty;
	return n;
}

/* ID-1, ID-2: the visit's records really are in the store. */
static int
check_records(struct store *st, const struct visit *v, struct err *e)
{
	struct idcheck ic;

	if (store_idcheck_get(st, v->idcheck.uuid, &ic, NULL) != 0 ||
	    strcmp(ic.atena, v->person.atena) != 0)
		return err_set_ja(e, ERR_STATE,
		    "本人確認（番号確認・身元確認）の記録がありません。F2 で本人確認をしてください",
		    "no identity-check record for this person in the store (ID-1)");
	if (v->agent.present &&
	    store_idcheck_get(st, v->agent.idcheck, &ic, NULL) != 0)
		return err_set_ja(e, ERR_STATE, "代理人の本人確認が記録されていません",
		    "no identity-check record of the agent in the store (ID-2)");
	return 0;
}

/*
 * ID-3: a 個人番号 field that stands for the applicant (prefilled from
 * card.mynumber or person.mynumber) must hold the number the store has for
 * the person; a different one is not linked but refused, and the refusal
 * is an audit row (never with the number).  When the store holds no number
 * for the person (a newcomer not yet in the local copy) there is nothing
 * to compare; the application says so in its audit row.  Numbers of
 * others on the form (a child's, say) are not compared.
 */
static int
check_number(struct store *st, const struct visit *v, const struct form *f,
    struct err *e)
{
	char held[MYNUMBER_MASKED_LEN];
	int have, r = 0;

	/* Compared through the blind index: a clerk without view-mynumber
	 * cannot open the number, and need not (issue 15). */
	have = store_mynumber_masked(st, v->person.atena, held, NULL) == 0;
	for (int i = 0; i < f->s->nfields && r == 0; i++) {
		const struct field *fd = &f->s->fields[i];
		if (fd->type != FT_MYNUMBER || f->values[i][0] == '\0' ||
		    !form_field_shown(f, i) ||
		    (strcmp(fd->prefill, "card.mynumber") != 0 &&
		    strcmp(fd->prefill, "person.mynumber") != 0))
			continue;
		if (!have)
			continue;	/* nothing to compare: the identity check's
					 * 番号確認 stands (ID-1); save_tx notes it */
		if (store_mynumber_matches(st, v->person.atena, f->values[i], NULL) == 1)
			continue;
		store_audit_append(st, NULL, NULL, "application.mynumber.mismatch",
		    v->person.atena, f->s->id, "differs from the number held", NULL);
		r = err_set_ja(e, ERR_STATE,
		    "入力された個人番号が住民記録の番号と一致しません（番号の確認が必要です）",
		    "the applicant's 個人番号 does not match the one held (ID-3)");
	}
	mem_wipe(held, sizeof(held));
	return r;
}

/* The form has the applicant's number but the store holds none to
 * compare it with. */
static int
number_unverified(struct store *st, const struct visit *v, const struct form *f)
{
	char held[MYNUMBER_MASKED_LEN];
	int have = store_mynumber_masked(st, v->person.atena, held, NULL) == 0;

	if (have)
		return 0;
	for (int i = 0; i < f->s->nfields; i++)
		if (f->s->fields[i].type == FT_MYNUMBER && f->values[i][0] != '\0' &&
		    form_field_shown(f, i) &&
		    (strcmp(f->s->fields[i].prefill, "card.mynumber") == 0 ||
		    strcmp(f->s->fields[i].prefill, "person.mynumber") == 0))
			return 1;
	return 0;
}

struct save_tx {
	struct application *a;
	const char *screen;
	int purpose;
	int unverified;		/* an applicant's number with none held */
	int review_board;	/* the screen routes it to the 審査会 (INT-4) */
	struct err *e;
};

static int
save_tx(struct store *st, void *arg)
{
	struct save_tx *t = arg;
	char detail[256];
	struct err *e = t->e;
	int r;

	if ((r = store_application_save(st, t->a, e)) != 0 ||
	    (r = sync_outbox_application(st, t->a->uuid, e)) != 0)
		return r;
	snprintf(detail, sizeof(detail), "receipt %s procedure %s%s%s%s",
	    t->a->receipt_no, t->a->procedure,
	    t->review_board ? " routed to review board (審査会)" : "",
	    t->purpose ? " purpose-of-use acknowledged" : "",
	    t->unverified ? " 個人番号 not held locally, not compared" : "");
	return store_audit_append(st, NULL, NULL, "application.save",
	    t->a->atena, t->screen, detail, e);
}

int
intake_save(struct store *st, const struct visit *v, const struct form *f,
    int purpose_ack, struct intake_result *out, struct err *e)
{
	const struct screen *s = f->s;
	struct application a;
	struct save_tx t;
	struct wbuf w, ag;
	int r, bad;

	memset(out, 0, sizeof(*out));
	if (!intake_may_enter(store_user(st), s->procedure))
		return err_set_ja(e, ERR_PERM, "この事務の申請を受け付ける権限がありません",
		    "account may not take in procedure %s (AC-6)", s->procedure);
	if ((r = visit_ready(v, e)) != 0)
		return r;
	if ((r = check_records(st, v, e)) != 0)
		return r;
	if (s->purpose[0] != '\0' && !purpose_ack)
		return err_set_ja(e, ERR_STATE, "利用目的の説明が確認されていません",
		    "purpose of use not acknowledged (INT-7)");
	if ((r = form_validate(f, &bad, e)) != 0)
		return r;
	if ((r = check_number(st, v, f, e)) != 0)
		return r;
	memset(&a, 0, sizeof(a));
	wbuf_init(&w, 0);
	wbuf_init(&ag, 0);
	if ((r = form_to_json(f, &w, e)) != 0)
		goto out;
	if ((r = visit_agent_json(v, &ag)) != 0) {
		err_set(e, r, "agent record too large");
		goto out;
	}
	snprintf(a.procedure, sizeof(a.procedure), "%s", s->procedure);
	snprintf(a.type, sizeof(a.type), "%s", s->id);
	snprintf(a.atena, sizeof(a.atena), "%s", v->person.atena);
	snprintf(a.idcheck, sizeof(a.idcheck), "%s", v->idcheck.uuid);
	snprintf(a.status, sizeof(a.status), "received");
	/* borrowed for the save; not freed through a */
	a.form_json = (char *)wbuf_str(&w);
	a.agent_json = ag.len > 0 ? (char *)wbuf_str(&ag) : NULL;
	t.a = &a;
	t.screen = s->id;
	t.purpose = purpose_ack && s->purpose[0] != '\0';
	t.unverified = number_unverified(st, v, f);
	t.review_board = screen_has_flag(s, "review-board");
	t.e = e;
	if ((r = store_tx(st, save_tx, &t, e)) != 0)
		goto out;
	snprintf(out->uuid, sizeof(out->uuid), "%s", a.uuid);
	snprintf(out->receipt_no, sizeof(out->receipt_no), "%s", a.receipt_no);
	log_info("application %s saved (%s/%s)", a.receipt_no, a.procedure, a.type);
out:
	wbuf_free(&w);
	wbuf_free(&ag);
	return r;
}
