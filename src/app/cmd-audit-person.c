/*
 * cmd-audit-person.c — `madoguchi audit person 宛名番号 --user ADMIN
 * [--password-stdin] [--store DIR] [--limit N]` (LOG-3): who viewed this
 * person — every audit row about them (searches that found only them,
 * records opened, card reads, identity checks, 個人番号 shown), newest
 * first, as tab-separated text: id, time, account, terminal, action, what
 * it means in Japanese, screen, detail.  Administrators only; asking is
 * itself an audit row.  Reached through `madoguchi audit` (cmd-audit.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "store.h"
#include "visit.h"

int
cmd_audit_person(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	struct audit_row *v = NULL;
	struct store *st;
	const char *atena = NULL;
	long long limit = 1000;
	struct err e;
	size_t n = 0;
	int r, bad = 0;

	err_clear(&e);
	for (int i = 1; i < argc; i++) {
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
			limit = atoll(argv[++i]);
		else if (atena == NULL && argv[i][0] != '-')
			atena = argv[i];
		else
			bad = 1;
	}
	if (bad || atena == NULL || limit <= 0 || limit > 100000) {
		fprintf(stderr, "usage: madoguchi audit person 宛名番号 --user ADMIN "
		    "[--password-stdin] [--store DIR] [--limit N]\n");
		return 2;
	}
	if ((r = app_store_login(o, &a, "audit", &st)) != 0)
		return r;
	if (lookup_audit_person(st, atena, (size_t)limit, &v, &n, &e) != 0) {
		app_store_error("audit person", &e);
		store_close(st);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)v[i].id, v[i].at,
		    v[i].who, v[i].terminal, v[i].action, audit_action_ja(v[i].action),
		    v[i].screen, v[i].detail);
	if (n == 0)
		fprintf(stderr, "madoguchi audit person: %s についての記録はありません\n", atena);
	free(v);
	store_close(st);
	return 0;
}
