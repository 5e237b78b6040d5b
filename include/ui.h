/*
 * ui.h — the ncurses shell of the counter workstation.
 */
#ifndef MDG_UI_H
#define MDG_UI_H

#include "app.h"

/* Run the TUI until the clerk quits.  Returns the exit status. */
int ui_run(struct app_opts *o);

#endif
