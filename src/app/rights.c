/*
 * rights.c — what each command-line report and list may show to whom, in
 * one table (issue 15 B, AC-6): a command asks cli_right() for its entry
 * once and filters every row through cli_row_ok(), so that no command
 * forgets a check.  The screens use the same row rules.
 *
 *   report overdue     rows of procedures the account may read (or write)
 *   report inquiries   a supervisor (reviewer, admin) sees every entry; a
 *                      clerk only those they received: the summaries can
 *                      hold a DV address
 *   batch list         batches all of whose applications are of procedures
 *                      the account may read
 *   batch show         refused (ERR_PERM) for any other batch
 *   ledger             rows of procedures the account may read; a status
 *                      change needs write (ledger_set_status)
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"

static const struct cli_right rights[] = {
	{ "report", "overdue", CLI_ROWS_PROCEDURE },
	{ "report", "inquiries", CLI_ROWS_OWN_OR_SUPERVISOR },
	{ "batch", "list", CLI_ROWS_BATCH },
	{ "batch", "show", CLI_ROWS_BATCH },
	{ "ledger", NULL, CLI_ROWS_PROCEDURE },
};

const struct cli_right *
cli_right(const char *cmd, const char *sub)
{
	size_t i;

	for (i = 0; i < sizeof(rights) / sizeof(rights[0]); i++)
		if (strcmp(rights[i].cmd, cmd) == 0 && (rights[i].sub == NULL ||
		    (sub != NULL && strcmp(rights[i].sub, sub) == 0)))
			return &rights[i];
	return NULL;
}

int
cli_may_read(const struct account *a, const char *procedure)
{
	return a != NULL && procedure != NULL &&
	    account_perm(a, procedure) != PERM_NONE;
}

int
cli_may_see_sensitive(const struct store *st, const char *procedure)
{
	const struct account *a = store_user(st);
	char right[STORE_RIGHT_MAX];

	if (a == NULL || procedure == NULL)
		return 0;
	if (a->role == ROLE_ADMIN)
		return 1;
	for (size_t i = 0; i < a->nperms; i++)
		if (strcmp(a->perms[i].procedure, procedure) == 0 &&
		    a->perms[i].level != PERM_NONE && a->perms[i].sensitive)
			return 1;
	return store_right_sensitive(procedure, right) == 0 &&
	    store_right_held(st, right);
}

static int
supervisor(const struct account *a)
{
	return a->role == ROLE_REVIEWER || a->role == ROLE_ADMIN;
}

int
cli_batch_visible(struct store *st, const char *id, struct err *e)
{
	struct application_list l;
	size_t i;
	int ok = 1, r;

	if ((r = store_batch_items(st, id, &l, e)) != 0)
		return r;
	for (i = 0; i < l.n; i++)
		if (!cli_may_read(store_user(st), l.v[i].procedure))
			ok = 0;
	application_list_free(&l);
	return ok;
}

int
cli_row_ok(struct store *st, const struct cli_right *r, const char *procedure,
    const char *received_by, const char *batch)
{
	const struct account *a = store_user(st);

	if (r == NULL || a == NULL)
		return 0;	/* a command missing from the table shows nothing */
	switch (r->rows) {
	case CLI_ROWS_PROCEDURE:
		return cli_may_read(a, procedure);
	case CLI_ROWS_OWN_OR_SUPERVISOR:
		return supervisor(a) || (received_by != NULL &&
		    strcmp(received_by, a->name) == 0);
	case CLI_ROWS_BATCH:
		return batch != NULL && cli_batch_visible(st, batch, NULL) == 1;
	}
	return 0;
}
