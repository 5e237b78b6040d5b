/*
 * cmd-user.c — `madoguchi user add|mod|passwd|disable|enable|unlock|revoke|list`
 * (AC-1..AC-6).  Every change is made by an administrator logged in with
 * --user NAME and is an audit row (the store writes it).
 *
 * With --password-stdin the passwords are lines of standard input: first
 * the logged-in user's, then (add, passwd) the new one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "acctrule.h"
#include "app.h"
#include "store.h"

static const char usage_text[] =
    "usage: madoguchi user SUBCOMMAND --user NAME [--password-stdin] [--store DIR]\n"
    "  add NAME --request REF [--role clerk|reviewer|admin] [--display 氏名]\n"
    "      [--perm PROCEDURE=write|read|none]... [--view-mynumber]\n"
    "      [--search-mynumber] [--export] [--valid-until DATE]\n"
    "      [--sensitive PROCEDURE]...  (after its --perm)\n"
    "  mod NAME --request REF [the options of add] [--no-view-mynumber]\n"
    "      [--no-search-mynumber] [--no-export] [--no-sensitive PROCEDURE]\n"
    "      [--must-change|--no-must-change]\n"
    "  passwd NAME      (own password, or an administrator's reset)\n"
    "  disable NAME --request REF | enable NAME --request REF\n"
    "  revoke NAME --request REF | unlock NAME\n"
    "  list | log [NAME]\n"
    "  totp             (enrol the logged-in account's second factor: prints\n"
    "                   the otpauth URI and its QR code once)\n"
    "  totp-reset NAME  (administrator: the account enrols again)\n";

/* Apply the account options in argv to a; 0, or 2 on a usage error. */
static int
account_opt(struct account *a, int argc, char **argv, int *i, int *known)
{
	const char *s = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	struct err e;

	*known = 1;
	if (strcmp(s, "--role") == 0 && v != NULL) {
		++*i;
		if (store_role_parse(v, &a->role) != 0) {
			fprintf(stderr, "madoguchi user: unknown role \"%s\"\n", v);
			return 2;
		}
	} else if (strcmp(s, "--display") == 0 && v != NULL) {
		++*i;
		snprintf(a->display, sizeof(a->display), "%s", v);
	} else if (strcmp(s, "--perm") == 0 && v != NULL) {
		const char *eq = strchr(v, '=');
		enum store_perm lv;
		size_t k;

		++*i;
		if (eq == NULL || eq == v || (size_t)(eq - v) >= STORE_NAME_MAX ||
		    store_perm_parse(eq + 1, &lv) != 0) {
			fprintf(stderr, "madoguchi user: --perm PROCEDURE=review|write|read|none\n");
			return 2;
		}
		for (k = 0; k < a->nperms; k++)
			if (strncmp(a->perms[k].procedure, v, (size_t)(eq - v)) == 0 &&
			    a->perms[k].procedure[eq - v] == '\0')
				break;
		if (k == a->nperms) {
			if (a->nperms == STORE_MAX_PERMS) {
				fprintf(stderr, "madoguchi user: too many permissions\n");
				return 2;
			}
			a->nperms++;
		}
		snprintf(a->perms[k].procedure, sizeof(a->perms[k].procedure), "%.*s",
		    (int)(eq - v), v);
		a->perms[k].level = lv;
	} else if ((strcmp(s, "--sensitive") == 0 || strcmp(s, "--no-sensitive") == 0) &&
	    v != NULL) {
		/* DATA-5, issue 14: the procedure's sensitive items (the right
		 * sensitive:PROC); the procedure needs a permission first */
		size_t k;

		++*i;
		for (k = 0; k < a->nperms; k++)
			if (strcmp(a->perms[k].procedure, v) == 0)
				break;
		if (k == a->nperms || a->perms[k].level == PERM_NONE) {
			fprintf(stderr, "madoguchi user: %s %s: give the procedure a"
			    " permission first (--perm %s=read|write)\n", s, v, v);
			return 2;
		}
		a->perms[k].sensitive = s[2] != 'n';
	} else if (strcmp(s, "--view-mynumber") == 0) {
		a->view_mynumber = 1;
	} else if (strcmp(s, "--no-view-mynumber") == 0) {
		a->view_mynumber = 0;
	} else if (strcmp(s, "--search-mynumber") == 0) {
		a->search_mynumber = 1;
	} else if (strcmp(s, "--no-search-mynumber") == 0) {
		a->search_mynumber = 0;
	} else if (strcmp(s, "--export") == 0) {
		a->export_ok = 1;
	} else if (strcmp(s, "--no-export") == 0) {
		a->export_ok = 0;
	} else if (strcmp(s, "--must-change") == 0) {
		a->must_change_password = 1;
	} else if (strcmp(s, "--no-must-change") == 0) {
		a->must_change_password = 0;
	} else if (strcmp(s, "--valid-until") == 0 && v != NULL) {
		struct date d;

		++*i;
		if (strcmp(v, "none") == 0) {
			/* issue 14, AC-3: every account has an end date */
			fprintf(stderr, "madoguchi user: --valid-until none: every account"
			    " has an end date (AC-3): at most the end of the next fiscal"
			    " year\n");
			return 2;
		} else if (date_parse(v, &d, &e) != 0) {
			fprintf(stderr, "madoguchi user: --valid-until: %s\n", e.msg);
			return 2;
		} else {
			a->valid_until = date_to_ymd(&d);
		}
	} else {
		*known = 0;
	}
	return 0;
}

static void
print_account(const struct account *a)
{
	char until[16] = "-";

	if (a->valid_until)
		snprintf(until, sizeof(until), "%d", a->valid_until);
	printf("%-16s %-8s %-9s %s%s%s %-9s %s", a->name, store_role_name(a->role),
	    a->disabled ? "disabled" : a->locked ? "locked" :
	    !a->has_slot ? "no-slot" : "active",
	    a->view_mynumber ? "V" : "-", a->search_mynumber ? "S" : "-",
	    a->export_ok ? "E" : "-", until, a->display);
	for (size_t i = 0; i < a->nperms; i++)
		printf("%s%s=%s%s", i ? "," : "  ", a->perms[i].procedure,
		    store_perm_name(a->perms[i].level), a->perms[i].sensitive ?
		    "+sensitive" : "");
	printf("%s\n", a->must_change_password ? "  (must change password)" : "");
}

static int
user_list(struct store *st)
{
	struct account *v;
	size_t n;
	struct err e;

	if (store_user(st)->role != ROLE_ADMIN) {
		fprintf(stderr, "madoguchi user: 管理者の権限が必要です\n");
		return 1;
	}
	if (store_account_list(st, &v, &n, &e) != 0) {
		app_store_error("user", &e);
		return 1;
	}
	printf("%-16s %-8s %-9s %s %-9s %s\n", "NAME", "ROLE", "STATE", "VSE",
	    "VALID", "DISPLAY / PERMISSIONS");
	for (size_t i = 0; i < n; i++)
		print_account(&v[i]);
	free(v);
	store_audit_append(st, NULL, NULL, "account.list", NULL, "cli", NULL, NULL);
	return 0;
}

/* Ask for a new password (twice on a terminal). */
static char *
new_password(const struct app_store_args *a, struct err *e)
{
	char *pw = app_password_new("新しいパスワード: ", a->pw_stdin, e), *pw2;

	if (pw == NULL || a->pw_stdin)
		return pw;
	if ((pw2 = app_password_new("もう一度入力してください: ", 0, e)) == NULL) {
		app_password_free(pw);
		return NULL;
	}
	if (strcmp(pw, pw2) != 0) {
		err_set_ja(e, ERR_INVAL, "パスワードが一致しません",
		    "the passwords do not match");
		app_password_free(pw);
		pw = NULL;
	}
	app_password_free(pw2);
	return pw;
}

/* After a disabling: whether the store was re-keyed (issue 15). */
static void
say_rekey(struct store *st)
{
	char v[8];

	if (store_setting_get(st, "rekey.pending", v, sizeof(v), NULL) == 0 &&
	    strcmp(v, "1") == 0)
		printf("re-key pending: the store is open elsewhere; it runs at the "
		    "next login or sync\n");
	else
		printf("store re-keyed: the removed slot opens nothing written from "
		    "now on\n");
}

static void
log_row(const char *at, const char *name, const char *action,
    const char *request, const char *operator, const char *detail, void *arg)
{
	(void)arg;
	printf("%s\t%s\t%s\trequest=%s\tby=%s\t%s\n", at, name, action, request,
	    operator, detail);
}

/* `user log [NAME]`: the account_log, oldest first (administrators). */
static int
user_log(struct app_opts *o, struct app_store_args *a, const char *name)
{
	struct store *st;
	struct err e;
	int r;

	err_clear(&e);
	if ((r = app_store_login(o, a, "user", &st)) != 0)
		return r;
	if (store_user(st)->role != ROLE_ADMIN) {
		store_close(st);
		fprintf(stderr, "madoguchi user: 管理者の権限が必要です\n");
		return 1;
	}
	r = store_account_log_list(st, name, log_row, NULL, &e);
	if (r == 0)
		store_audit_append(st, NULL, NULL, "account.log", NULL, "cli", name,
		    NULL);
	store_close(st);
	if (r != 0) {
		app_store_error("user", &e);
		return 1;
	}
	return 0;
}

/* `user totp`: a new TOTP secret for the logged-in account, shown once as
 * the otpauth URI and its QR code (issue 14, AC-5). */
static int
user_totp(struct app_opts *o, struct app_store_args *a)
{
	struct store *st;
	struct err e;
	char *uri = NULL, *qr = NULL;
	const char *issuer = conf_str(o->conf, "terminal", "municipality");
	int r;

	err_clear(&e);
	if ((r = app_store_login(o, a, "user totp", &st)) != 0)
		return r;
	r = sf_enrol(st, issuer != NULL && issuer[0] ? issuer : "madoguchi", &uri,
	    &qr, &e);
	store_close(st);
	if (r != 0) {
		app_store_error("user", &e);
		return 1;
	}
	printf("二要素認証（TOTP）を登録しました。認証アプリで読み取ってください"
	    "（この表示は一度だけです）:\n%s\n%s", uri, qr);
	fflush(stdout);
	sodium_memzero(uri, strlen(uri));
	sodium_memzero(qr, strlen(qr));
	free(uri);
	free(qr);
	return 0;
}

int
cmd_user(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	struct account acc, opts;
	const char *sub = NULL, *name = NULL, *dir, *request = NULL;
	struct account_rule_args ra;
	char detail[160];
	int until = 0, logged;
	char *pw = NULL, *npw = NULL;
	struct store *st = NULL;
	struct err e;
	int r = 0, known, nopts = 0;
	char *optv[128];

	err_clear(&e);
	memset(&acc, 0, sizeof(acc));
	for (int i = 1; i < argc; i++) {
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--request") == 0 && i + 1 < argc) {
			request = argv[++i];
			continue;
		}
		if (argv[i][0] == '-') {
			/* Account options are applied after the account is known. */
			if (nopts + 2 >= (int)(sizeof(optv) / sizeof(optv[0]))) {
				fputs(usage_text, stderr);
				return 2;
			}
			optv[nopts++] = argv[i];
			if (i + 1 < argc && argv[i + 1][0] != '-' &&
			    (strcmp(argv[i], "--role") == 0 ||
			    strcmp(argv[i], "--display") == 0 ||
			    strcmp(argv[i], "--perm") == 0 ||
			    strcmp(argv[i], "--sensitive") == 0 ||
			    strcmp(argv[i], "--no-sensitive") == 0 ||
			    strcmp(argv[i], "--valid-until") == 0))
				optv[nopts++] = argv[++i];
		} else if (sub == NULL) {
			sub = argv[i];
		} else if (name == NULL) {
			name = argv[i];
		} else {
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (sub == NULL || (strcmp(sub, "list") != 0 && strcmp(sub, "log") != 0 &&
	    strcmp(sub, "totp") != 0 && name == NULL) ||
	    (strcmp(sub, "totp") == 0 && name != NULL)) {
		fputs(usage_text, stderr);
		return 2;
	}
	/* Check the option syntax before asking for any password. */
	memset(&opts, 0, sizeof(opts));
	for (int i = 0; i < nopts; i++) {
		if ((r = account_opt(&opts, nopts, optv, &i, &known)) != 0)
			return r;
		if (!known) {
			fprintf(stderr, "madoguchi user: unknown option %s\n", optv[i]);
			return 2;
		}
	}
	/* Issue 14: the rules of every account path (AC-1 name, AC-2 request,
	 * AC-3 end date), checked before any password is asked. */
	logged = strcmp(sub, "add") == 0 || strcmp(sub, "mod") == 0 ||
	    strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0 ||
	    strcmp(sub, "revoke") == 0;
	if (logged) {
		memset(&ra, 0, sizeof(ra));
		ra.request = request;
		if (strcmp(sub, "add") == 0) {
			ra.name = name;
			ra.display = opts.display;
			until = opts.valid_until;
			ra.until = &until;
		} else if (strcmp(sub, "mod") == 0) {
			ra.display = opts.display[0] ? opts.display : NULL;
			if (opts.valid_until != 0) {
				until = opts.valid_until;
				ra.until = &until;
			}
		}
		if (account_rules_check(&ra, &e) != 0) {
			fprintf(stderr, "madoguchi user: %s\n", e.msg);
			return 2;
		}
	}
	if (strcmp(sub, "log") == 0)
		return user_log(o, &a, name);
	if (strcmp(sub, "totp") == 0)
		return user_totp(o, &a);
	if (strcmp(sub, "list") == 0) {
		if ((r = app_store_login(o, &a, "user", &st)) != 0)
			return r;
		r = user_list(st);
		store_close(st);
		return r;
	}
	if (strcmp(sub, "passwd") == 0) {
		/* Own change: the login password is the old one. */
		dir = a.store ? a.store : o->store_dir;
		if (a.user == NULL) {
			fputs(usage_text, stderr);
			return 2;
		}
		if ((pw = app_password_new("現在のパスワード: ", a.pw_stdin, &e)) == NULL)
			goto fail;
		if (store_open(dir, a.user, pw, &st, &e) != 0)
			goto fail;
		if ((npw = new_password(&a, &e)) == NULL)
			goto fail;
		if (store_account_set_password(st, name,
		    strcmp(name, a.user) == 0 ? pw : NULL, npw, &e) != 0)
			goto fail;
		printf("password of %s changed%s\n", name, strcmp(name, a.user) == 0 ?
		    "" : " (must be changed at next login)");
		goto done;
	}
	if ((r = app_store_login(o, &a, "user", &st)) != 0)
		return r;
	if (strcmp(sub, "add") == 0) {
		snprintf(acc.name, sizeof(acc.name), "%s", name);
		acc.must_change_password = 1;
		for (int i = 0; i < nopts; i++)
			account_opt(&acc, nopts, optv, &i, &known);
		acc.valid_until = until;	/* AC-3: checked above */
		if ((npw = new_password(&a, &e)) == NULL ||
		    store_account_add(st, &acc, npw, &e) != 0)
			goto fail;
		printf("account %s added (%s)\n", name, store_role_name(acc.role));
	} else if (strcmp(sub, "mod") == 0 || strcmp(sub, "disable") == 0 ||
	    strcmp(sub, "enable") == 0) {
		if (store_account_get(st, name, &acc, &e) != 0)
			goto fail;
		for (int i = 0; i < nopts; i++)
			account_opt(&acc, nopts, optv, &i, &known);
		if (ra.until != NULL)
			acc.valid_until = until;
		if (strcmp(sub, "disable") == 0)
			acc.disabled = 1;
		else if (strcmp(sub, "enable") == 0)
			acc.disabled = 0;
		if (store_account_update(st, &acc, &e) != 0)
			goto fail;
		printf("account %s %s\n", name, strcmp(sub, "mod") == 0 ? "updated" :
		    acc.disabled ? "disabled: key slot removed" : "enabled");
		if (strcmp(sub, "disable") == 0)
			say_rekey(st);
		/* issue 15: disabling removed the slot; it comes back only with
		 * a new password */
		if (!acc.disabled && store_account_get(st, name, &acc, NULL) == 0 &&
		    !acc.has_slot)
			printf("account %s has no key slot: set a password with "
			    "`madoguchi user passwd %s` before it can log in\n", name, name);
	} else if (strcmp(sub, "totp-reset") == 0) {
		if (store_user(st)->role != ROLE_ADMIN) {
			err_set_ja(&e, ERR_PERM, "管理者の権限が必要です", "admin only");
			goto fail;
		}
		if (store_account_secret_delete(st, name, &e) != 0)
			goto fail;
		store_audit_append(st, NULL, NULL, "account.second_factor.reset", NULL,
		    "cli", name, NULL);
		printf("account %s: second factor removed; it enrols again\n", name);
	} else if (strcmp(sub, "unlock") == 0) {
		if (store_account_unlock(st, name, &e) != 0)
			goto fail;
		printf("account %s unlocked\n", name);
	} else if (strcmp(sub, "revoke") == 0) {
		if (store_account_revoke(st, name, &e) != 0)
			goto fail;
		printf("account %s revoked: key slot removed\n", name);
		say_rekey(st);
	} else {
		store_close(st);
		fputs(usage_text, stderr);
		return 2;
	}
	if (logged) {
		/* AC-2: the change kept with its request (the store's audit row
		 * is written by the change itself) */
		snprintf(detail, sizeof(detail), "role %s, valid until %d",
		    store_role_name(acc.role), acc.valid_until);
		if (store_account_log(st, name, sub, request, detail, &e) != 0)
			goto fail;
	}
done:
	store_close(st);
	app_password_free(pw);
	app_password_free(npw);
	return 0;
fail:
	store_close(st);
	app_password_free(pw);
	app_password_free(npw);
	app_store_error("user", &e);
	return 1;
}
