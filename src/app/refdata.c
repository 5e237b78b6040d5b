/*
 * refdata.c — the forms' look-ups in the reference data the terminal pulled
 * from the central (issue 19): a 金融機関コード or 支店コード gives the name
 * or is refused, a 郵便番号 gives the address to fill.  Offline: only the
 * local store is read.  The session attaches its store (one per process,
 * used from the thread that runs the forms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen.h"
#include "store.h"

static int
bank_name(void *ctx, const char *code, char *name, size_t cap)
{
	return store_ref_bank_get(ctx, code, name, cap, NULL);
}

static int
branch_name(void *ctx, const char *bank, const char *code, char *name,
    size_t cap)
{
	return store_ref_branch_get(ctx, bank, code, name, cap, NULL);
}

int
app_postal_address(struct store *st, const char *code, char *addr, size_t cap)
{
	struct ref_addr *a;
	int n = 0, r, i, same_town = 1, same_city = 1;

	if (cap == 0)
		return ERR_RANGE;
	addr[0] = '\0';
	if ((a = calloc(REF_POSTAL_MAX, sizeof(*a))) == NULL)
		return ERR_NOMEM;
	if ((r = store_ref_postal_get(st, code, a, REF_POSTAL_MAX, &n, NULL)) != 0) {
		free(a);
		return r;
	}
	for (i = 1; i < n; i++) {
		if (strcmp(a[i].pref, a[0].pref) != 0 || strcmp(a[i].city, a[0].city) != 0)
			same_city = 0;
		if (strcmp(a[i].town, a[0].town) != 0)
			same_town = 0;
	}
	/* Several 町域 under one code: what they have in common. */
	if (same_city)
		snprintf(addr, cap, "%s%s%s", a[0].pref, a[0].city,
		    same_town ? a[0].town : "");
	free(a);
	return 0;
}

static int
postal_addr(void *ctx, const char *code, char *addr, size_t cap)
{
	return app_postal_address(ctx, code, addr, cap);
}

void
app_refdata_attach(struct store *st)
{
	struct form_lookup l;

	if (st == NULL) {
		form_lookup_set(NULL);
		return;
	}
	l.bank = bank_name;
	l.branch = branch_name;
	l.postal = postal_addr;
	l.ctx = st;
	form_lookup_set(&l);
}
