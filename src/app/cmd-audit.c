/*
 * cmd-audit.c — `madoguchi audit verify|list --user NAME [--password-stdin]`
 * (LOG-2, LOG-3).  verify walks the hash chain and names the first row
 * where it breaks (exit 1); list prints rows as tab-separated text.
 * Both are audited themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "store.h"

static int
audit_verify(struct store *st)
{
	struct err e;
	int64_t bad = 0, rows = 0;

	err_clear(&e);
	if (store_audit_verify(st, &bad, &rows, &e) != 0) {
		if (e.code == ERR_CORRUPT && bad > 0) {
			printf("audit chain BROKEN at row %lld\n", (long long)bad);
			fprintf(stderr, "madoguchi audit: 監査ログの改ざんを検出しました"
			    "（%lld 行目） (%s)\n", (long long)bad, e.msg);
			log_error("audit chain broken at row %lld", (long long)bad);
		} else {
			app_store_error("audit", &e);
		}
		return 1;
	}
	printf("audit chain intact: %lld rows\n", (long long)rows);
	/* Issue 13: rows a purge redacted (body replaced by the marker, hash
	 * kept) verify by their links; say which, when and why. */
	{
		struct audit_row *v;
		size_t n;
		int64_t after = 0;

		while (store_audit_list(st, after, 1000, &v, &n, NULL) == 0) {
			if (n == 0) {
				free(v);
				break;
			}
			for (size_t i = 0; i < n; i++)
				if (v[i].redacted_at[0] != '\0')
					printf("row %lld redacted at %s (%s)\n",
					    (long long)v[i].id, v[i].redacted_at,
					    v[i].redacted_why);
			after = v[n - 1].id;
			free(v);
		}
	}
	/* Recording the check extends the chain; that is intended. */
	store_audit_append(st, NULL, NULL, "audit.verify", NULL, "cli", "ok", NULL);
	return 0;
}

static int
audit_list(struct store *st, long long after, long long limit, const char *person)
{
	struct err e;
	struct audit_row *v;
	size_t n;

	err_clear(&e);
	if (store_user(st)->role != ROLE_ADMIN && store_user(st)->role != ROLE_REVIEWER) {
		fprintf(stderr, "madoguchi audit: 管理者または確認者の権限が必要です\n");
		return 1;
	}
	if (store_audit_list(st, after, (size_t)limit, &v, &n, &e) != 0) {
		app_store_error("audit", &e);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (person != NULL && strcmp(v[i].person, person) != 0)
			continue;
		printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)v[i].id,
		    v[i].at, v[i].who, v[i].terminal, v[i].action, v[i].person,
		    v[i].screen, v[i].detail);
	}
	free(v);
	store_audit_append(st, NULL, NULL, "audit.list", person, "cli", NULL, NULL);
	return 0;
}

int
cmd_audit(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	struct store *st;
	const char *sub = NULL, *person = NULL, *output = NULL;
	long long after = 0, limit = 1000;
	int r;

	if (argc > 1 && strcmp(argv[1], "person") == 0)
		return cmd_audit_person(o, argc - 1, argv + 1);
	for (int i = 1; i < argc; i++) {
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--after") == 0 && i + 1 < argc)
			after = atoll(argv[++i]);
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
			limit = atoll(argv[++i]);
		else if (strcmp(argv[i], "--person") == 0 && i + 1 < argc)
			person = argv[++i];
		else if (strcmp(argv[i], "--output") == 0 && i + 1 < argc)
			output = argv[++i];
		else if (sub == NULL && argv[i][0] != '-')
			sub = argv[i];
		else
			sub = "?";
	}
	if (sub == NULL || (strcmp(sub, "verify") != 0 && strcmp(sub, "list") != 0) ||
	    limit <= 0 || after < 0) {
		fprintf(stderr, "usage: madoguchi audit verify|list|person --user NAME "
		    "[--password-stdin] [--store DIR] [--after ID] [--limit N] "
		    "[--person 宛名番号] [--output NAME]\n");
		return 2;
	}
	if ((r = app_store_login(o, &a, "audit", &st)) != 0)
		return r;
	if (strcmp(sub, "list") == 0 && (r = app_output_to(o, st, "audit list", output)) != 0) {
		store_close(st);
		return r;
	}
	r = strcmp(sub, "verify") == 0 ? audit_verify(st) :
	    audit_list(st, after, limit, person);
	store_close(st);
	return r;
}
