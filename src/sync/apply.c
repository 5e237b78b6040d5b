/*
 * apply.c — applying one change pulled from the central to the local store.
 *
 * Each body is checked against the definition of its kind (NET-3): only
 * the defined members, each of its type and length; anything else makes
 * the page fail (and with it its transaction, so nothing of the page is
 * applied).  A change to the 個人番号 link of a person who already has a
 * different one, or that would clear it, is not applied but queued for a
 * person to confirm (NET-4, ID-6).  Tombstones delete (NET-6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "sync.h"
#include "sync-int.h"

/* Copy a string member (required or not) into a fixed buffer. */
static int
get_str(const struct json *j, const char *k, char *out, size_t cap, int req,
    struct err *e)
{
	const struct json *m = json_get(j, k);

	out[0] = '\0';
	if (m == NULL)
		return req ? err_set(e, ERR_FORMAT, "change body: \"%s\" missing", k) : 0;
	if (m->type != JSON_STR || m->slen >= cap || memchr(m->str, '\0', m->slen))
		return err_set(e, ERR_FORMAT, "change body: \"%s\" invalid", k);
	memcpy(out, m->str, m->slen + 1);
	return 0;
}

static int
get_int(const struct json *j, const char *k, long min, long max, int *out,
    struct err *e)
{
	const struct json *m = json_get(j, k);

	if (m == NULL || m->type != JSON_NUM || m->num < min || m->num > max ||
	    m->num != (double)(long)m->num)
		return err_set(e, ERR_FORMAT, "change body: \"%s\" invalid", k);
	*out = (int)m->num;
	return 0;
}

/* A member name from outside, safe to put in a log line. */
static const char *
printable(const char *s, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

/* Only these members may appear. */
static int
only(const struct json *j, const char *const *names, struct err *e)
{
	const struct json *m;
	size_t i;

	for (m = j->child; m != NULL; m = m->next) {
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], m->key) == 0)
				break;
		if (names[i] == NULL) {
			char pb[41];

			return err_set(e, ERR_FORMAT, "change body: undefined member \"%s\"",
			    printable(m->key, pb, sizeof(pb)));
		}
	}
	return 0;
}

static const char *const person_names[] = {
	"atena", "name", "kana", "alias", "alias_kana", "alpha", "birth", "sex",
	"postal", "address", "household", "relation", "head", "ward", "dv",
	"nondisclose", NULL
};
static const char *const cert_names[] = {
	"atena", "procedure", "recipient_no", "category", "valid_from", "valid_to",
	"issued", "returned", "burden_rate", "burden_limit", "burden_note",
	"reason", NULL
};
static const char *const mn_names[] = { "mynumber", NULL };
static const char *const account_names[] = {
	"name", "display", "role", "perms", "view_mynumber", "search_mynumber",
	"export", "valid_until", "disabled", NULL
};
static const char *const decision_names[] = {
	"receipt_no", "status", "decided_at", "note", NULL
};

static int
apply_person(struct store *st, const struct msg_change *c, const struct json *j,
    struct err *e)
{
	struct person p;
	int r;

	memset(&p, 0, sizeof(p));
	if ((r = only(j, person_names, e)) != 0 ||
	    (r = get_str(j, "atena", p.atena, sizeof(p.atena), 1, e)) != 0 ||
	    (r = get_str(j, "name", p.name, sizeof(p.name), 1, e)) != 0 ||
	    (r = get_str(j, "kana", p.kana, sizeof(p.kana), 1, e)) != 0 ||
	    (r = get_str(j, "alias", p.alias, sizeof(p.alias), 0, e)) != 0 ||
	    (r = get_str(j, "alias_kana", p.alias_kana, sizeof(p.alias_kana), 0, e)) != 0 ||
	    (r = get_str(j, "alpha", p.alpha, sizeof(p.alpha), 0, e)) != 0 ||
	    (r = get_int(j, "birth", 18000101, 29991231, &p.birth, e)) != 0 ||
	    (r = get_int(j, "sex", 0, 9, &p.sex, e)) != 0 ||
	    (r = get_str(j, "postal", p.postal, sizeof(p.postal), 0, e)) != 0 ||
	    (r = get_str(j, "address", p.address, sizeof(p.address), 1, e)) != 0 ||
	    (r = get_str(j, "household", p.household, sizeof(p.household), 0, e)) != 0 ||
	    (r = get_str(j, "relation", p.relation, sizeof(p.relation), 0, e)) != 0 ||
	    (r = get_str(j, "head", p.head, sizeof(p.head), 0, e)) != 0 ||
	    (r = get_str(j, "ward", p.ward, sizeof(p.ward), 1, e)) != 0 ||
	    (r = get_int(j, "dv", 0, 1, &p.dv, e)) != 0 ||
	    (r = get_int(j, "nondisclose", 0, 1, &p.nondisclose, e)) != 0)
		return r;
	/* NET-4: the body must be about the record the change names. */
	if (strcmp(p.atena, c->key) != 0)
		return err_set(e, ERR_FORMAT, "change key and body disagree");
	snprintf(p.updated_by, sizeof(p.updated_by), "central");
	return store_person_upsert(st, &p, e);
}

static int
apply_mynumber(struct store *st, const struct msg_change *c, const struct json *j,
    struct sync_report *rep, struct err *e)
{
	char num[16] = "", cur[MYNUMBER_MASKED_LEN];
	struct person p;
	int r, same = 0;

	if (c->op == CHG_UPSERT) {
		if ((r = only(j, mn_names, e)) != 0 ||
		    (r = get_str(j, "mynumber", num, sizeof(num), 1, e)) != 0)
			return r;
		if (mynumber_validate(num, strlen(num), e) != 0)
			return err_set(e, ERR_FORMAT, "change body: invalid 個人番号");
	}
	if (store_person_get(st, c->key, &p, NULL) != 0) {
		/* Not (or no longer) in this terminal's scope. */
		mem_wipe(num, sizeof(num));
		return 0;
	}
	/* issue 15: whether one is held, and whether it is this one, through
	 * the masked form and the blind index (the sync runs in any account's
	 * session and opens no number). */
	r = store_mynumber_masked(st, c->key, cur, NULL);
	if (r == 0 && c->op == CHG_UPSERT)
		same = store_mynumber_matches(st, c->key, num, NULL) == 1;
	if (r == 0 && same) {
		r = 0;
	} else if (r == 0) {
		/* ID-6: a different number, or none, for a person who has one. */
		r = sync_confirm_add(st, c->key, c->op == CHG_UPSERT ? num : "",
		    c->op == CHG_UPSERT ? "central links a different 個人番号" :
		    "central clears the 個人番号", e);
		if (r == 0)
			rep->queued++;
	} else if (c->op == CHG_UPSERT) {
		r = store_mynumber_set(st, c->key, num, e);
		if (r == ERR_EXISTS) {
			/* The number is held by another local person: hold it. */
			r = sync_confirm_add(st, c->key, num,
			    "個人番号 already linked to another person", e);
			if (r == 0)
				rep->queued++;
		}
	} else
		r = 0;	/* deleting a link we do not have */
	mem_wipe(num, sizeof(num));
	mem_wipe(cur, sizeof(cur));
	return r;
}

/* key = atena/procedure/recipient_no */
static int
find_cert(struct store *st, const char *atena, const char *proc,
    const char *rno, int64_t *id, struct err *e)
{
	struct cert_list l;
	size_t i;
	int r;

	*id = 0;
	if ((r = store_cert_list(st, atena, proc, &l, e)) != 0)
		return r;
	for (i = 0; i < l.n; i++)
		if (strcmp(l.v[i].recipient_no, rno) == 0) {
			*id = l.v[i].id;
			break;
		}
	cert_list_free(&l);
	return 0;
}

static int
apply_cert(struct store *st, const struct msg_change *c, const struct json *j,
    struct err *e)
{
	char atena[16], proc[STORE_NAME_MAX], rno[32];
	struct certificate ct;
	struct person p;
	int64_t id;
	int r;

	if (sscanf(c->key, "%15[0-9]/%63[^/]/%31s", atena, proc, rno) != 3)
		return err_set(e, ERR_FORMAT, "eligibility change key is malformed");
	if (store_person_get(st, atena, &p, NULL) != 0)
		return 0;	/* the person is not here (scope or deleted) */
	if ((r = find_cert(st, atena, proc, rno, &id, e)) != 0)
		return r;
	if (c->op == CHG_DELETE)
		return id != 0 ? store_cert_delete(st, id, e) : 0;
	memset(&ct, 0, sizeof(ct));
	if ((r = only(j, cert_names, e)) != 0 ||
	    (r = get_str(j, "atena", ct.atena, sizeof(ct.atena), 1, e)) != 0 ||
	    (r = get_str(j, "procedure", ct.procedure, sizeof(ct.procedure), 1, e)) != 0 ||
	    (r = get_str(j, "recipient_no", ct.recipient_no, sizeof(ct.recipient_no), 1, e)) != 0 ||
	    (r = get_str(j, "category", ct.category, sizeof(ct.category), 0, e)) != 0 ||
	    (r = get_int(j, "valid_from", 0, 29991231, &ct.valid_from, e)) != 0 ||
	    (r = get_int(j, "valid_to", 0, 29991231, &ct.valid_to, e)) != 0 ||
	    (r = get_int(j, "issued", 0, 29991231, &ct.issued, e)) != 0 ||
	    (r = get_int(j, "returned", 0, 29991231, &ct.returned, e)) != 0 ||
	    (r = get_int(j, "burden_rate", -1, 100, &ct.burden_rate, e)) != 0 ||
	    (r = get_int(j, "burden_limit", -1, 10000000, &ct.burden_limit, e)) != 0 ||
	    (r = get_str(j, "burden_note", ct.burden_note, sizeof(ct.burden_note), 0, e)) != 0 ||
	    (r = get_str(j, "reason", ct.reason, sizeof(ct.reason), 0, e)) != 0)
		return r;
	if (strcmp(ct.atena, atena) != 0 || strcmp(ct.procedure, proc) != 0 ||
	    strcmp(ct.recipient_no, rno) != 0)
		return err_set(e, ERR_FORMAT, "change key and body disagree");
	ct.id = id;
	snprintf(ct.updated_by, sizeof(ct.updated_by), "central");
	return store_cert_save(st, &ct, NULL, e);
}

/* Accounts are master data of the central (AC-2, AC-3, AC-6): role,
 * permissions, flags and end date; disabling one here also disables its
 * key slot, so a revocation at the centre stops logins at the next sync.
 * Passwords stay local. */
static int
apply_account(struct store *st, const struct msg_change *c, const struct json *j,
    struct err *e)
{
	struct account a;
	char role[16], perms[1100], *save = NULL, *tok;
	int r;

	memset(&a, 0, sizeof(a));
	if ((r = only(j, account_names, e)) != 0 ||
	    (r = get_str(j, "name", a.name, sizeof(a.name), 1, e)) != 0 ||
	    (r = get_str(j, "display", a.display, sizeof(a.display), 1, e)) != 0 ||
	    (r = get_str(j, "role", role, sizeof(role), 1, e)) != 0 ||
	    (r = get_str(j, "perms", perms, sizeof(perms), 0, e)) != 0 ||
	    (r = get_int(j, "view_mynumber", 0, 1, &a.view_mynumber, e)) != 0 ||
	    (r = get_int(j, "search_mynumber", 0, 1, &a.search_mynumber, e)) != 0 ||
	    (r = get_int(j, "export", 0, 1, &a.export_ok, e)) != 0 ||
	    (r = get_int(j, "valid_until", 0, 29991231, &a.valid_until, e)) != 0 ||
	    (r = get_int(j, "disabled", 0, 1, &a.disabled, e)) != 0)
		return r;
	if (strcmp(a.name, c->key) != 0)
		return err_set(e, ERR_FORMAT, "change key and body disagree");
	if (store_role_parse(role, &a.role) != 0)
		return err_set(e, ERR_FORMAT, "account role \"%.16s\" is not defined", role);
	for (tok = strtok_r(perms, ";", &save); tok != NULL;
	    tok = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(tok, ':');
		struct store_perm_entry *pe;

		if (colon == NULL || a.nperms == STORE_MAX_PERMS)
			return err_set(e, ERR_FORMAT, "account permissions are malformed");
		*colon = '\0';
		pe = &a.perms[a.nperms++];
		snprintf(pe->procedure, sizeof(pe->procedure), "%s", tok);
		if (store_perm_parse(colon + 1, &pe->level) != 0)
			return err_set(e, ERR_FORMAT, "account permission level is not defined");
	}
	snprintf(a.updated_by, sizeof(a.updated_by), "central");
	return store_account_upsert(st, &a, e);
}

static int
apply_decision(struct store *st, const struct msg_change *c, const struct json *j,
    struct err *e)
{
	char rno[32], status[16], at[32], note[256], uuid[40] = "";
	sqlite3_stmt *q;
	int r;

	if ((r = only(j, decision_names, e)) != 0 ||
	    (r = get_str(j, "receipt_no", rno, sizeof(rno), 1, e)) != 0 ||
	    (r = get_str(j, "status", status, sizeof(status), 1, e)) != 0 ||
	    (r = get_str(j, "decided_at", at, sizeof(at), 1, e)) != 0 ||
	    (r = get_str(j, "note", note, sizeof(note), 0, e)) != 0)
		return r;
	if (strcmp(status, "decided") != 0 && strcmp(status, "rejected") != 0 &&
	    strcmp(status, "issued") != 0)
		return err_set(e, ERR_FORMAT, "decision status \"%.16s\" is not defined", status);
	if (strcmp(rno, c->key) != 0)
		return err_set(e, ERR_FORMAT, "change key and body disagree");
	if (sqlite3_prepare_v2(store_db(st), "SELECT uuid FROM applications"
	    " WHERE receipt_no = ?", -1, &q, NULL) != SQLITE_OK)
		return err_set(e, ERR_IO, "store: %s", sqlite3_errmsg(store_db(st)));
	sqlite3_bind_text(q, 1, rno, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(uuid, sizeof(uuid), "%s", sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (uuid[0] == '\0')
		return 0;	/* taken in at another terminal or purged here */
	return store_application_set_status(st, uuid, status,
	    note[0] ? note : "decided at the centre", e);
}

int
sync_change_apply(struct store *st, const struct msg_change *c,
    struct sync_report *rep, struct err *e)
{
	struct json *j = NULL;
	int r;

	if (c->op == CHG_UPSERT) {
		if (json_parse(c->body, c->bodylen, &j, e) != 0 || j->type != JSON_OBJ) {
			json_free(j);
			return err_set(e, ERR_FORMAT, "change %llu: body is not a JSON object",
			    (unsigned long long)c->seq);
		}
	}
	switch (c->kind) {
	case CHG_PERSON:
		if (c->op == CHG_DELETE) {
			r = store_person_delete(st, c->key, e);
			if (r == 0)
				rep->deleted++;
			else if (r == ERR_NOTFOUND)
				r = 0;
		} else
			r = apply_person(st, c, j, e);
		break;
	case CHG_MYNUMBER:
		r = apply_mynumber(st, c, j, rep, e);
		break;
	case CHG_ELIGIBILITY:
		r = apply_cert(st, c, j, e);
		if (r == 0 && c->op == CHG_DELETE)
			rep->deleted++;
		break;
	case CHG_DECISION:
		r = c->op == CHG_UPSERT ? apply_decision(st, c, j, e) : 0;
		break;
	case CHG_ACCOUNT:
		r = c->op == CHG_UPSERT ? apply_account(st, c, j, e) : 0;
		break;
	case CHG_BANK:
	case CHG_BRANCH:
	case CHG_POSTAL:
		r = sync_apply_ref(st, c, j, e);
		break;
	default:
		r = err_set(e, ERR_FORMAT, "undefined change kind");
		break;
	}
	json_free(j);
	if (r == 0)
		rep->applied++;
	else
		err_prefix(e, "change %llu (kind %u, key %.20s): ",
		    (unsigned long long)c->seq, c->kind, c->kind == CHG_MYNUMBER ? "" : c->key);
	return r;
}
