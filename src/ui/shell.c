/*
 * shell.c — the ncurses shell (issue: the ncurses shell).  Until it lands,
 * starting the TUI says so plainly instead of pretending.
 */
#include <stdio.h>

#include "ui.h"

int
ui_run(struct app_opts *o)
{
	(void)o;
	fprintf(stderr, "madoguchi: the counter screens are not built yet; "
	    "see `madoguchi help` for the commands that are.\n");
	return 1;
}
