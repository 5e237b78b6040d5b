/*
 * apply-ref.c — the reference-data changes pulled from the central (issue
 * 19, protocol version 3): banks, branches and postal addresses.  Each body
 * is checked member by member like the other kinds (NET-3): only the
 * defined members, strings within their bounds, a key of the right shape.
 *
 *   CHG_BANK    key "0001"      {"name": "みずほ", "kana": "ミズホ"}
 *   CHG_BRANCH  key "0001-001"  {"name": "東京営業部", "kana": "トウキヨウ"}
 *   CHG_POSTAL  key "1000001"   {"addresses": [{"pref", "city", "town",
 *                                 "town_full", "kana"}, ...]}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "sync.h"
#include "sync-int.h"

static int
str_member(const struct json *j, const char *k, char *out, size_t cap, int req,
    struct err *e)
{
	const struct json *m = json_get(j, k);

	out[0] = '\0';
	if (m == NULL)
		return req ? err_set(e, ERR_FORMAT, "change body: \"%s\" missing", k) : 0;
	if (m->type != JSON_STR || m->slen >= cap || memchr(m->str, '\0', m->slen) != NULL)
		return err_set(e, ERR_FORMAT, "change body: \"%s\" invalid", k);
	memcpy(out, m->str, m->slen + 1);
	return 0;
}

static int
only_members(const struct json *j, const char *const *names, struct err *e)
{
	const struct json *m;
	size_t i;

	for (m = j->child; m != NULL; m = m->next) {
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], m->key) == 0)
				break;
		if (names[i] == NULL)
			return err_set(e, ERR_FORMAT, "change body: undefined member");
	}
	return 0;
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static const char *const name_members[] = { "name", "kana", NULL };
static const char *const postal_members[] = { "addresses", NULL };
static const char *const addr_members[] = {
	"pref", "city", "town", "town_full", "kana", NULL
};

static int
apply_bank(struct store *st, const struct msg_change *c, const struct json *j,
    struct err *e)
{
	char name[REF_NAME_MAX], kana[REF_NAME_MAX];
	int r;

	if (strlen(c->key) != 4 || !all_digits(c->key, 4))
		return err_set(e, ERR_FORMAT, "bank key must be 4 digits");
	if (c->op == CHG_DELETE)
		return store_ref_bank_delete(st, c->key, e);
	if ((r = only_members(j, name_members, e)) != 0 ||
	    (r = str_member(j, "name", name, sizeof(name), 1, e)) != 0 ||
	    (r = str_member(j, "kana", kana, sizeof(kana), 0, e)) != 0)
		return r;
	if (name[0] == '\0')
		return err_set(e, ERR_FORMAT, "change body: \"name\" empty");
	return store_ref_bank_put(st, c->key, name, kana, e);
}

static int
apply_branch(struct store *st, const struct msg_change *c, const struct json *j,
    struct err *e)
{
	char bank[5], code[4], name[REF_NAME_MAX], kana[REF_NAME_MAX];
	int r;

	if (strlen(c->key) != 8 || c->key[4] != '-' || !all_digits(c->key, 4) ||
	    !all_digits(c->key + 5, 3))
		return err_set(e, ERR_FORMAT, "branch key must be BANK-BRANCH (4 + 3 digits)");
	memcpy(bank, c->key, 4);
	bank[4] = '\0';
	memcpy(code, c->key + 5, 3);
	code[3] = '\0';
	if (c->op == CHG_DELETE)
		return store_ref_branch_delete(st, bank, code, e);
	if ((r = only_members(j, name_members, e)) != 0 ||
	    (r = str_member(j, "name", name, sizeof(name), 1, e)) != 0 ||
	    (r = str_member(j, "kana", kana, sizeof(kana), 0, e)) != 0)
		return r;
	if (name[0] == '\0')
		return err_set(e, ERR_FORMAT, "change body: \"name\" empty");
	return store_ref_branch_put(st, bank, code, name, kana, e);
}

static int
apply_postal(struct store *st, const struct msg_change *c, const struct json *j,
    struct err *e)
{
	struct ref_addr *a;
	const struct json *arr, *m;
	int r, n = 0;

	if (strlen(c->key) != 7 || !all_digits(c->key, 7))
		return err_set(e, ERR_FORMAT, "postal key must be 7 digits");
	if (c->op == CHG_DELETE)
		return store_ref_postal_delete(st, c->key, e);
	if ((r = only_members(j, postal_members, e)) != 0)
		return r;
	if ((arr = json_get(j, "addresses")) == NULL || arr->type != JSON_ARR ||
	    arr->child == NULL)
		return err_set(e, ERR_FORMAT, "change body: \"addresses\" invalid");
	if ((a = calloc(REF_POSTAL_MAX, sizeof(*a))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (m = arr->child; m != NULL; m = m->next) {
		r = ERR_FORMAT;
		if (n >= REF_POSTAL_MAX) {
			err_set(e, ERR_FORMAT, "change body: more than %d addresses",
			    REF_POSTAL_MAX);
			goto out;
		}
		if (m->type != JSON_OBJ) {
			err_set(e, ERR_FORMAT, "change body: an address is not an object");
			goto out;
		}
		if ((r = only_members(m, addr_members, e)) != 0 ||
		    (r = str_member(m, "pref", a[n].pref, sizeof(a[n].pref), 1, e)) != 0 ||
		    (r = str_member(m, "city", a[n].city, sizeof(a[n].city), 1, e)) != 0 ||
		    (r = str_member(m, "town", a[n].town, sizeof(a[n].town), 1, e)) != 0 ||
		    (r = str_member(m, "town_full", a[n].town_full,
		    sizeof(a[n].town_full), 0, e)) != 0 ||
		    (r = str_member(m, "kana", a[n].kana, sizeof(a[n].kana), 0, e)) != 0)
			goto out;
		if (a[n].pref[0] == '\0') {
			r = err_set(e, ERR_FORMAT, "change body: \"pref\" empty");
			goto out;
		}
		n++;
	}
	r = store_ref_postal_put(st, c->key, a, n, e);
out:
	free(a);
	return r;
}

int
sync_apply_ref(struct store *st, const struct msg_change *c,
    const struct json *j, struct err *e)
{
	switch (c->kind) {
	case CHG_BANK:
		return apply_bank(st, c, j, e);
	case CHG_BRANCH:
		return apply_branch(st, c, j, e);
	case CHG_POSTAL:
		return apply_postal(st, c, j, e);
	}
	return err_set(e, ERR_FORMAT, "undefined change kind");
}
