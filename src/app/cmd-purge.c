/*
 * cmd-purge.c — `madoguchi purge [--dry-run] --user NAME [--password-stdin]`
 * (issue 13; RET-1, RET-2, DATA-1).  An administrator runs by hand what the
 * screens run at start-up and daily as the actor "system": applications
 * that left the terminal's hands get their 個人番号 masked, and every
 * category past its [retention] period is deleted.  One line per category
 * on standard output: what, how, how many, the oldest and newest dates and
 * the record IDs (never content).  --dry-run counts without changing
 * anything and writes no audit row.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "store.h"

static void
print_result(const struct purge_result *res, int dry)
{
	long total = 0;

	for (size_t i = 0; i < res->n; i++) {
		const struct purge_count *c = &res->c[i];

		if (c->count == 0)
			continue;
		total += c->count;
		printf("%s: %s%s %ld (%s .. %s) ids %s\n", c->category,
		    dry ? "would be " : "", c->how, c->count,
		    c->oldest[0] ? c->oldest : "-", c->newest[0] ? c->newest : "-",
		    c->ids);
	}
	if (total == 0)
		printf("nothing to purge\n");
}

int
app_purge_scheduled(struct store *st, const struct conf *c, struct err *e)
{
	struct purge_policy p;
	struct purge_result res;
	int r;

	app_purge_policy(c, &p);
	if ((r = store_purge(st, &p, 0, "system", &res, e)) != 0) {
		log_error("purge: %s", e != NULL ? e->msg : err_name(r));
		return r;
	}
	for (size_t i = 0; i < res.n; i++)
		if (res.c[i].count > 0)
			log_info("purge: %s %s %ld", res.c[i].category, res.c[i].how,
			    res.c[i].count);
	return 0;
}

int
cmd_purge(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	struct purge_policy p;
	struct purge_result res;
	struct store *st;
	struct err e;
	int dry = 0, r;

	for (int i = 1; i < argc; i++) {
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--dry-run") == 0) {
			dry = 1;
			continue;
		}
		fprintf(stderr, "madoguchi purge: unknown option %s\n"
		    "usage: madoguchi purge [--dry-run] --user NAME [--password-stdin]"
		    " [--store DIR]\n", argv[i]);
		return 2;
	}
	if ((r = app_store_login(o, &a, "purge", &st)) != 0)
		return r;
	if (store_user(st)->role != ROLE_ADMIN) {
		fprintf(stderr, "madoguchi purge: 管理者の権限が必要です"
		    " (an administrator account is needed)\n");
		store_close(st);
		return 1;
	}
	err_clear(&e);
	app_purge_policy(o->conf, &p);
	if (store_purge(st, &p, dry, NULL, &res, &e) != 0) {
		app_store_error("purge", &e);
		store_close(st);
		return 1;
	}
	print_result(&res, dry);
	store_close(st);
	return 0;
}

void
app_offline_notice(struct store *st, FILE *out)
{
	char at[32];

	if (store_setting_get(st, "purge.offline", at, sizeof(at), NULL) != 0 ||
	    at[0] == '\0')
		return;
	fprintf(out, "madoguchi: 長期間同期できなかったため、%.10s に取り込み済みの個人情報を"
	    "消去しました。次の同期で再取得します (the terminal had not synchronised for"
	    " [retention] offline_max days: the personal data it pulled was purged on %s;"
	    " the next sync pulls it again)\n", at, at);
	store_setting_set(st, "purge.offline", "", NULL);
}

/*
 * `madoguchi clock confirm --user ADMIN`: the terminal's clock went back
 * before the latest time it had seen (a sync, login or purge), so every
 * command and login is refused (issue 13: no retention period or account
 * expiry can be dodged by setting the clock back).  An administrator who
 * has checked the time accepts it; audited ("clock.confirm").
 */
int
cmd_clock(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	struct store *st;
	struct err e;
	int64_t hw = 0;
	int r, confirm = 0;

	for (int i = 1; i < argc; i++) {
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "confirm") == 0 && !confirm) {
			confirm = 1;
			continue;
		}
		confirm = -1;
	}
	if (confirm != 1) {
		fprintf(stderr, "usage: madoguchi clock confirm --user ADMIN"
		    " [--password-stdin] [--store DIR]\n");
		return 2;
	}
	if ((r = app_store_login(o, &a, "clock", &st)) != 0)
		return r;
	err_clear(&e);
	if (store_user(st)->role != ROLE_ADMIN) {
		fprintf(stderr, "madoguchi clock: 管理者の権限が必要です"
		    " (an administrator account is needed)\n");
		store_close(st);
		return 1;
	}
	if (store_clock_check(st, &hw, NULL) == 0) {
		printf("the clock is not behind (latest time seen %lld)\n", (long long)hw);
		store_close(st);
		return 0;
	}
	if (store_clock_confirm(st, &e) != 0) {
		app_store_error("clock", &e);
		store_close(st);
		return 1;
	}
	printf("time confirmed: %lld (was behind %lld)\n", (long long)mdg_now(),
	    (long long)hw);
	store_close(st);
	return 0;
}
