/*
 * cmd-report.c — reports for the counter's supervisor:
 *
 *   madoguchi report overdue [--days N] [--decide-days N]
 *       [--handover-days N] [--today DATE] --user NAME [--password-stdin]
 *   madoguchi report inquiries [--open] --user NAME [--password-stdin]
 *
 * overdue (INT-10): applications received but not forwarded, forwarded but
 * not decided, decided but not handed over after the configured days
 * ([intake] overdue_days, decide_days, handover_days), and 返戻 past their
 * resubmission deadline.  inquiries (INT-11): the inquiry and
 * disclosure-request log with responses.  Tab-separated text; the exit
 * status of overdue is 0 whether or not rows were found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "intake.h"
#include "store.h"

static int
report_usage(void)
{
	fprintf(stderr, "usage: madoguchi report overdue [--days N] [--decide-days N] "
	    "[--handover-days N] [--today DATE] --user NAME [--password-stdin]\n"
	    "       madoguchi report inquiries [--open] --user NAME [--password-stdin]\n");
	return 2;
}

static int
print_overdue(struct store *st, int today, const struct overdue_limits *lim)
{
	struct overdue_row *v = NULL;
	size_t n = 0;
	struct err e;

	err_clear(&e);
	if (report_overdue(st, today, lim, &v, &n, &e) != 0) {
		app_store_error("report", &e);
		return 1;
	}
	printf("kind\treceipt_no\tstatus\tsince\tdays\tdeadline\tprocedure\ttype\tatena\n");
	for (size_t i = 0; i < n; i++)
		if (cli_row_ok(st, cli_right("report", "overdue"), v[i].procedure, NULL, NULL))
				printf("%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n",
			    overdue_kind_ja(v[i].kind), v[i].receipt_no,
			    ledger_status_ja(v[i].status), v[i].since, v[i].days,
			    v[i].deadline, v[i].procedure, v[i].type, v[i].atena);
	free(v);
	return 0;
}

static int
print_inquiries(struct store *st, int open_only)
{
	struct inquiry *v = NULL;
	size_t n = 0;
	struct err e;

	err_clear(&e);
	if (store_inquiry_list(st, open_only, &v, &n, &e) != 0) {
		app_store_error("report", &e);
		return 1;
	}
	printf("no\tkind\tatena\treceived_at\treceived_by\trequester\tsummary\tresponded_at\t"
	    "responded_by\tresponse\n");
	for (size_t i = 0; i < n; i++) {
		char req[384], sum[1536], res[1536];

		/* issue 15 B: the summaries can hold a DV address (rights.c) */
		if (!cli_row_ok(st, cli_right("report", "inquiries"), NULL,
		    v[i].received_by, NULL))
			continue;
		/* typed text: never raw controls to the terminal */
		text_visible(v[i].requester, req, sizeof(req));
		text_visible(v[i].summary, sum, sizeof(sum));
		text_visible(v[i].response, res, sizeof(res));
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v[i].no,
		    inquiry_kind_ja(v[i].kind), v[i].atena, v[i].received_at, v[i].received_by,
		    req, sum, v[i].responded_at, v[i].responded_by, res);
	}
	free(v);
	store_audit_append(st, NULL, NULL, "report.inquiries", NULL, "cli", NULL, NULL);
	return 0;
}

int
cmd_report(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	struct overdue_limits lim;
	struct store *st;
	struct date d;
	const char *what = NULL;
	int open_only = 0, today, r;

	lim.forward_days = (int)conf_int(o->conf, "intake", "overdue_days");
	lim.decide_days = (int)conf_int(o->conf, "intake", "decide_days");
	lim.handover_days = (int)conf_int(o->conf, "intake", "handover_days");
	date_today(&d);
	today = date_to_ymd(&d);
	for (int i = 1; i < argc; i++) {
		int *lp = NULL;
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--days") == 0)
			lp = &lim.forward_days;
		else if (strcmp(argv[i], "--decide-days") == 0)
			lp = &lim.decide_days;
		else if (strcmp(argv[i], "--handover-days") == 0)
			lp = &lim.handover_days;
		if (lp != NULL) {
			char *end;
			long v;
			if (i + 1 >= argc)
				return report_usage();
			v = strtol(argv[++i], &end, 10);
			if (*end != '\0' || v < 0 || v > 3650)
				return report_usage();
			*lp = (int)v;
		} else if (strcmp(argv[i], "--today") == 0 && i + 1 < argc) {
			struct err e;
			if (date_parse(argv[++i], &d, &e) != 0) {
				fprintf(stderr, "madoguchi report: %s\n", err_ja(&e));
				return 2;
			}
			today = date_to_ymd(&d);
		} else if (strcmp(argv[i], "--open") == 0)
			open_only = 1;
		else if (argv[i][0] != '-' && what == NULL)
			what = argv[i];
		else
			return report_usage();
	}
	if (what == NULL || (strcmp(what, "overdue") != 0 && strcmp(what, "inquiries") != 0))
		return report_usage();
	if ((r = app_store_login(o, &a, "report", &st)) != 0)
		return r;
	r = strcmp(what, "overdue") == 0 ? print_overdue(st, today, &lim) :
	    print_inquiries(st, open_only);
	store_close(st);
	return r;
}
