/*
 * cmd-ledger.c — the receipt ledger from the command line (INT-8):
 *
 *   madoguchi ledger [list] [--status S] [--procedure P] [--from DATE]
 *       [--to DATE] --user NAME [--password-stdin]
 *   madoguchi ledger show RECEIPT ...        status history and corrections
 *   madoguchi ledger status RECEIPT STATUS [--note TEXT] ...
 *
 * Output is tab-separated text, one application per line; no form values
 * and no 個人番号 (the screens show those to accounts that may see them).
 * Every run is an audit row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "intake.h"
#include "store.h"

static int
parse_day(const char *s, int *ymd)
{
	struct date d;
	struct err e;

	if (date_parse(s, &d, &e) != 0) {
		fprintf(stderr, "madoguchi ledger: %s: %s\n", s, err_ja(&e));
		return -1;
	}
	*ymd = date_to_ymd(&d);
	return 0;
}

static int
ledger_print(struct store *st, const struct ledger_query *q)
{
	struct application_list l;
	struct err e;
	char detail[96];

	err_clear(&e);
	if (ledger_list(st, q, &l, &e) != 0) {
		app_store_error("ledger", &e);
		return 1;
	}
	printf("receipt_no\tstatus\tprocedure\ttype\treceived_at\tentered_by\tconfirmed_by\tatena\n");
	for (size_t i = 0; i < l.n; i++) {
		const struct application *a = &l.v[i];
		/* Only the procedures the account may see (issue 16). */
		if (account_perm(store_user(st), a->procedure) == PERM_NONE)
			continue;
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a->receipt_no,
		    ledger_status_ja(a->status), a->procedure, a->type, a->received_at,
		    a->entered_by, a->confirmed_by, a->atena);
	}
	snprintf(detail, sizeof(detail), "ledger list: %zu applications", l.n);
	application_list_free(&l);
	store_audit_append(st, NULL, NULL, "ledger.list", NULL, "cli", detail, NULL);
	return 0;
}

static int
ledger_show(struct store *st, const char *receipt)
{
	struct application a;
	struct status_row *h = NULL;
	struct app_correction *c = NULL;
	struct app_return ret;
	struct err e;
	char batch[48];
	size_t nh = 0, nc = 0;

	err_clear(&e);
	if (store_application_by_receipt(st, receipt, &a, &e) != 0) {
		app_store_error("ledger", &e);
		return 1;
	}
	if (account_perm(store_user(st), a.procedure) == PERM_NONE) {
		fprintf(stderr, "madoguchi ledger: この事務を参照する権限がありません\n");
		application_clear(&a);
		return 1;
	}
	printf("receipt_no\t%s\nstatus\t%s\nprocedure\t%s\ntype\t%s\natena\t%s\n"
	    "received_at\t%s\nentered_by\t%s\nconfirmed_by\t%s\nagent\t%s\n",
	    a.receipt_no, ledger_status_ja(a.status), a.procedure, a.type, a.atena,
	    a.received_at, a.entered_by, a.confirmed_by, a.agent_json ? "yes" : "no");
	if (store_batch_of(st, a.uuid, batch, NULL) == 0 && batch[0] != '\0')
		printf("batch\t%s\n", batch);
	if (store_return_get(st, a.uuid, &ret, NULL) == 0)
		printf("returned\t%s\tdeadline %d\tresubmitted %s\n", ret.reason, ret.deadline,
		    ret.resubmitted_at[0] ? ret.resubmitted_at : "-");
	if (store_application_history(st, a.uuid, &h, &nh, &e) == 0)
		for (size_t i = 0; i < nh; i++)
			printf("history\t%s\t%s\t%s\t%s\n", h[i].at, ledger_status_ja(h[i].status),
			    h[i].by, h[i].note);
	free(h);
	/* which fields changed, by whom; the values stay on the screens */
	if (store_correction_list(st, a.uuid, &c, &nc, &e) == 0)
		for (size_t i = 0; i < nc; i++)
			printf("correction\t%s\t%s\t%s\tconfirmed by %s\n", c[i].at, c[i].by,
			    c[i].field, c[i].confirmed_by[0] ? c[i].confirmed_by : "-");
	if (c != NULL)
		mem_wipe(c, nc * sizeof(*c));
	free(c);
	store_audit_append(st, NULL, NULL, "application.view", a.atena, "cli",
	    a.receipt_no, NULL);
	application_clear(&a);
	return 0;
}

static int
ledger_status(struct store *st, const char *receipt, const char *status,
    const char *note)
{
	struct application a;
	const char *to = ledger_status_parse(status);
	struct err e;
	int r;

	if (to == NULL) {
		fprintf(stderr, "madoguchi ledger: unknown status \"%s\"\n", status);
		return 2;
	}
	err_clear(&e);
	if (store_application_by_receipt(st, receipt, &a, &e) != 0) {
		app_store_error("ledger", &e);
		return 1;
	}
	r = ledger_set_status(st, a.uuid, to, note, &e);
	application_clear(&a);
	if (r == LEDGER_WITHDRAW_ASKED) {
		printf("%s: 取下げの申出を記録しました。別の職員が確認すると取下げになります\n",
		    receipt);
		return 0;
	}
	if (r != 0) {
		app_store_error("ledger", &e);
		return 1;
	}
	printf("%s: %s\n", receipt, ledger_status_ja(to));
	return 0;
}

int
cmd_ledger(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	struct ledger_query q;
	struct store *st;
	const char *pos[3] = { NULL, NULL, NULL }, *note = "", *output = NULL;
	int npos = 0, r;

	memset(&q, 0, sizeof(q));
	for (int i = 1; i < argc; i++) {
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--status") == 0 && i + 1 < argc) {
			if ((q.status = ledger_status_parse(argv[++i])) == NULL) {
				fprintf(stderr, "madoguchi ledger: unknown status \"%s\"\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--procedure") == 0 && i + 1 < argc)
			q.procedure = argv[++i];
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
			if (parse_day(argv[++i], &q.from) != 0)
				return 2;
		} else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
			if (parse_day(argv[++i], &q.to) != 0)
				return 2;
		} else if (strcmp(argv[i], "--note") == 0 && i + 1 < argc)
			note = argv[++i];
		else if (strcmp(argv[i], "--output") == 0 && i + 1 < argc)
			output = argv[++i];
		else if (argv[i][0] != '-' && npos < 3)
			pos[npos++] = argv[i];
		else {
			fprintf(stderr, "usage: madoguchi ledger [list|show RECEIPT|status RECEIPT "
			    "STATUS] [--status S] [--procedure P] [--from DATE] [--to DATE] "
			    "[--note TEXT] [--output NAME] --user NAME [--password-stdin]\n");
			return 2;
		}
	}
	if (npos > 0 && strcmp(pos[0], "list") != 0 && strcmp(pos[0], "show") != 0 &&
	    strcmp(pos[0], "status") != 0) {
		fprintf(stderr, "madoguchi ledger: unknown subcommand \"%s\"\n", pos[0]);
		return 2;
	}
	if ((npos > 0 && strcmp(pos[0], "show") == 0 && npos != 2) ||
	    (npos > 0 && strcmp(pos[0], "status") == 0 && npos != 3)) {
		fprintf(stderr, "madoguchi ledger: show RECEIPT | status RECEIPT STATUS\n");
		return 2;
	}
	if ((r = app_store_login(o, &a, "ledger", &st)) != 0)
		return r;
	if ((npos == 0 || strcmp(pos[0], "status") != 0) &&
	    (r = app_output_to(o, st, "ledger", output)) != 0) {
		store_close(st);
		return r;
	}
	if (npos > 0 && strcmp(pos[0], "show") == 0)
		r = ledger_show(st, pos[1]);
	else if (npos > 0 && strcmp(pos[0], "status") == 0)
		r = ledger_status(st, pos[1], pos[2], note);
	else
		r = ledger_print(st, &q);
	store_close(st);
	return r;
}
