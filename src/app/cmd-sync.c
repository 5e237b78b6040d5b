/*
 * cmd-sync.c — `madoguchi sync`: one sync round from the command line
 * (what moved is printed), and the sync log and confirmation queue
 * (NET-2..7, LOG-4, ID-6).
 *
 *   sync --user NAME [--password-stdin]           one round
 *   sync log --user NAME [--password-stdin]       the last rounds
 *   sync queue --user NAME [--password-stdin]     個人番号 changes held for confirmation
 *   sync approve|reject ID --user NAME            decide one of them (ID-6)
 *   sync pending --user NAME                      what waits in the outbox, and
 *                                                 why the central refused any (LOG-4)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "store.h"
#include "sync.h"

/* Open the store as --user with the password from stdin or the terminal. */
int
app_open_store_cli(struct app_opts *o, const char *user, int pw_stdin,
    struct store **st, struct err *e)
{
	char *pw;
	int r;

	if (user == NULL)
		return err_set(e, ERR_INVAL, "--user NAME is required");
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium failed to initialise");
	if ((pw = sodium_malloc(STORE_PASSWORD_MAX + 2)) == NULL)
		return err_set(e, ERR_NOMEM, "out of locked memory");
	r = app_read_password("パスワード: ", pw_stdin, pw, STORE_PASSWORD_MAX + 2, e);
	if (r == 0)
		r = store_open(o->store_dir, user, pw, st, e);
	sodium_free(pw);
	/* AC-4, issue 14: a password past [store] password_max_age */
	if (r == 0 && store_password_expired(*st)) {
		store_close(*st);
		*st = NULL;
		r = err_set_ja(e, ERR_STATE, "パスワードの有効期限が切れています。"
		    "madoguchi user passwd で変更してください",
		    "the password is older than [store] password_max_age: change it"
		    " with madoguchi user passwd");
	}
	/* AC-5, issue 14: the second factor, the line after the password */
	if (r == 0 && (r = sf_cli_check(o, *st, pw_stdin, 0, e)) != 0) {
		store_close(*st);
		*st = NULL;
	}
	return r;
}

static int
print_log(struct store *st)
{
	struct sync_log_row *v;
	size_t n, i;
	struct err e;

	if (sync_log_list(st, 20, &v, &n, &e) != 0) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%s  %-5s %s -> %s  %s%s%s  [%s]\n", v[i].started_at, v[i].result,
		    v[i].source, v[i].destination, v[i].content,
		    v[i].error[0] ? "  " : "", v[i].error, v[i].round_id);
	free(v);
	return 0;
}

static int
print_queue(struct store *st)
{
	struct sync_confirm_row *v;
	size_t n, i;
	struct err e;

	if (sync_confirm_list(st, 100, &v, &n, &e) != 0) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("#%lld  %s  宛名番号 %s  %s  %s\n", (long long)v[i].id,
		    v[i].received_at, v[i].atena,
		    v[i].proposed_masked[0] ? v[i].proposed_masked : "(clear)",
		    v[i].reason);
	printf("%zu held for confirmation\n", n);
	free(v);
	return 0;
}

static int
print_pending(struct store *st)
{
	struct outbox_item *v;
	size_t n, i;
	char why[400];
	struct err e;

	if (store_outbox_list(st, 1000, &v, &n, &e) != 0) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		return 1;
	}
	for (i = 0; i < n; i++) {
		int rej = sync_reject_reason(st, v[i].uuid, why, sizeof(why));

		printf("%s  %-12s %s  %zu bytes%s%s\n", v[i].created_at, v[i].kind,
		    v[i].uuid, v[i].len, rej ? "  REFUSED: " : "", rej ? why : "");
	}
	printf("%zu waiting for the central\n", n);
	outbox_free(v, n);
	return 0;
}

struct decide {
	int64_t id;
	int approve;
	struct err *e;
};

static int
decide_tx(struct store *st, void *arg)
{
	struct decide *d = arg;

	return sync_confirm_decide(st, d->id, d->approve, d->e);
}

int
cmd_sync(struct app_opts *o, int argc, char **argv)
{
	const char *user = NULL, *what = NULL, *idarg = NULL;
	struct sync_config cfg;
	struct sync_report rep;
	long ref[3] = { -1, 0, 0 };
	struct store *st = NULL;
	struct err e;
	int pw_stdin = 0, i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--password-stdin") == 0)
			pw_stdin = 1;
		else if (what == NULL && (strcmp(argv[i], "log") == 0 ||
		    strcmp(argv[i], "queue") == 0 || strcmp(argv[i], "pending") == 0))
			what = argv[i];
		else if (what == NULL && (strcmp(argv[i], "approve") == 0 ||
		    strcmp(argv[i], "reject") == 0) && i + 1 < argc &&
		    argv[i + 1][0] != '-') {
			what = argv[i];
			idarg = argv[++i];
		} else {
			fprintf(stderr, "usage: madoguchi sync [log|queue|pending|approve ID|reject ID]"
			    " --user NAME [--password-stdin]\n");
			return 2;
		}
	}
	err_clear(&e);
	if (app_open_store_cli(o, user, pw_stdin, &st, &e) != 0) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		return 1;
	}
	if (idarg != NULL) {
		struct decide d = { atoll(idarg), strcmp(what, "approve") == 0, &e };

		r = store_tx(st, decide_tx, &d, &e);
		store_close(st);
		if (r != 0) {
			app_store_error("sync", &e);
			return 1;
		}
		printf("confirmation #%s %s\n", idarg, d.approve ? "approved" : "rejected");
		return 0;
	}
	if (what != NULL) {
		r = strcmp(what, "log") == 0 ? print_log(st) :
		    strcmp(what, "pending") == 0 ? print_pending(st) : print_queue(st);
		store_close(st);
		return r;
	}
	if ((r = sync_config_load(st, o->conf, &cfg, &e)) == 0)
		r = sync_round(st, &cfg, &rep, &e);
	/* what the forms can check offline (issue 19) */
	if (store_ref_counts(st, &ref[0], &ref[1], &ref[2], NULL) != 0)
		ref[0] = -1;
	store_close(st);
	if (r != 0 && e.code == ERR_STATE) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		return 1;
	}
	printf("sync %s with %s (terminal %s", r == 0 ? "done" : "FAILED",
	    cfg.central, rep.terminal_id[0] ? rep.terminal_id : "?");
	if (rep.proto > 0)
		printf(", protocol %d", rep.proto);
	printf(")\n");
	printf("  pushed %ld (duplicates %ld, rejected %ld, audit rows %ld), outbox left %ld\n",
	    rep.pushed, rep.duplicates, rep.rejected, rep.audit_rows, rep.outbox_left);
	printf("  pulled %ld changes (applied %ld, deleted %ld, held for confirmation %ld),"
	    " cursor %llu\n", rep.pulled, rep.applied, rep.deleted, rep.queued,
	    (unsigned long long)rep.cursor);
	if (ref[0] >= 0)
		printf("  reference data: %ld banks, %ld branches, %ld postal codes\n",
		    ref[0], ref[1], ref[2]);
	if (r != 0) {
		fprintf(stderr, "madoguchi: %s\n  %s\n", err_ja(&e), e.msg);
		return 1;
	}
	return 0;
}
