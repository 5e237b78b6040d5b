/*
 * main.c — entry point of `madoguchi`.
 */
#include "app.h"
#include "ui.h"

int
main(int argc, char **argv)
{
	return app_main(argc, argv, ui_run);
}
