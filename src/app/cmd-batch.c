/*
 * cmd-batch.c — 進達 batches from the command line (INT-9):
 *
 *   madoguchi batch list [--from DATE] [--to DATE] --user NAME [--password-stdin]
 *   madoguchi batch show ID --user NAME [--password-stdin]
 *
 * show prints the transmittal list (送付書) exactly as the screen prints it,
 * with the count checked against the batch; pipe it to a printer if needed
 * (printing from here is the operator's, and is not logged as a print).
 * Batches are made on the screens (F10 → 進達), where a reviewer picks
 * the confirmed applications.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "intake.h"
#include "screen.h"
#include "store.h"

int
cmd_batch(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	struct screen_set *set = NULL;
	struct store *st;
	struct err e;
	const char *pos[2] = { NULL, NULL }, *dir, *output = NULL;
	int npos = 0, from = 0, to = 0, r = 0;

	for (int i = 1; i < argc; i++) {
		struct date d;
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if ((strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) &&
		    i + 1 < argc) {
			int is_from = argv[i][2] == 'f';
			if (date_parse(argv[++i], &d, &e) != 0) {
				fprintf(stderr, "madoguchi batch: %s\n", err_ja(&e));
				return 2;
			}
			*(is_from ? &from : &to) = date_to_ymd(&d);
		} else if (strcmp(argv[i], "--output") == 0 && i + 1 < argc)
			output = argv[++i];
		else if (argv[i][0] != '-' && npos < 2)
			pos[npos++] = argv[i];
		else
			npos = 3;
	}
	if (npos == 0 || npos > 2 || (strcmp(pos[0], "list") == 0 && npos != 1) ||
	    (strcmp(pos[0], "show") == 0 && npos != 2) ||
	    (strcmp(pos[0], "list") != 0 && strcmp(pos[0], "show") != 0)) {
		fprintf(stderr, "usage: madoguchi batch list [--from DATE] [--to DATE] | "
		    "batch show ID  [--output NAME] --user NAME [--password-stdin]\n");
		return 2;
	}
	if ((r = app_store_login(o, &a, "batch", &st)) != 0)
		return r;
	if ((r = app_output_to(o, st, "batch", output)) != 0) {
		store_close(st);
		return r;
	}
	err_clear(&e);
	if (strcmp(pos[0], "list") == 0) {
		struct batch *v = NULL;
		size_t n = 0;
		if (store_batch_list(st, from, to, &v, &n, &e) != 0) {
			app_store_error("batch", &e);
			r = 1;
		} else {
			printf("id\tdate\tmethod\tbag\tcount\tclerk\tdestination\n");
			for (size_t i = 0; i < n; i++) {
				/* issue 15 B: per-procedure rights (rights.c) */
				if (!cli_row_ok(st, cli_right("batch", "list"), NULL, NULL,
				    v[i].id))
					continue;
				printf("%s\t%d\t%s\t%s\t%d\t%s\t%s\n", v[i].id, v[i].date,
				    batch_method_ja(v[i].method), v[i].bag, v[i].count,
				    v[i].clerk, v[i].destination);
			}
		}
		free(v);
	} else {
		struct wbuf w;
		/* screen titles for the list when the screens are there */
		dir = conf_str(o->conf, "ui", "screens");
		if (access(dir, F_OK) == 0 && screen_set_load(dir, &set, NULL) != 0)
			set = NULL;
		wbuf_init(&w, 0);
		if (!cli_row_ok(st, cli_right("batch", "show"), NULL, NULL, pos[1])) {
			/* unknown, or holding a procedure this account may not
			 * read: the same answer, so as not to tell which */
			err_set_ja(&e, ERR_PERM, "この進達を表示する権限がありません",
			    "batch %s: not found, or holds applications of a procedure"
			    " this account may not read", pos[1]);
			app_store_error("batch", &e);
			store_audit_append(st, NULL, NULL, "batch.show.denied", NULL, "cli",
			    pos[1], NULL);
			r = 1;
		} else if (batch_transmittal(st, set, pos[1], &w, &e) != 0) {
			app_store_error("batch", &e);
			r = 1;
		} else {
			fputs(wbuf_str(&w), stdout);
			store_audit_append(st, NULL, NULL, "batch.show", NULL, "cli", pos[1], NULL);
		}
		wbuf_free(&w);
		screen_set_free(set);
	}
	store_close(st);
	return r;
}
