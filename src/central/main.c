/*
 * main.c — entry point of `madoguchi-central` (issue: synchronisation).
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("madoguchi-central 0.1.0\n");
		return 0;
	}
	fprintf(stderr, "usage: madoguchi-central serve|import|export|terminal|user ...\n"
	    "madoguchi-central: no commands are built yet\n");
	return 2;
}
