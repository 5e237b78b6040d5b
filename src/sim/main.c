/*
 * main.c — entry point of `mynacard-sim` (issue: My Number card).
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("mynacard-sim 0.1.0\n");
		return 0;
	}
	fprintf(stderr, "usage: mynacard-sim [--port PORT] PROFILE.card\n"
	    "mynacard-sim: not built yet\n");
	return 2;
}
