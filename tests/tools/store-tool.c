/*
 * store-tool.c — what the cross-version test (tests/integration/
 * test_cross_version.sh) needs from a terminal store that the command line
 * of the first release cannot do: take in an application without the
 * screens, and show a pulled resident.
 *
 *   store-tool STORE USER intake ATENA PROCEDURE   (prints the uuid)
 *   store-tool STORE USER person ATENA             (prints the name)
 *   store-tool STORE USER mynumber ATENA           (prints the 個人番号)
 *   store-tool STORE USER address ATENA            (prints the address)
 *
 * The password is one line of standard input.  This file is compiled both
 * against the current tree and against the first release's (v0.1.0, commit
 * 02f4559), so it uses only interfaces that release already had.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "store.h"
#include "sync.h"

int
main(int argc, char **argv)
{
	char pw[256];
	struct store *st;
	struct err e;
	size_t n;
	int r;

	if (argc < 5) {
		fprintf(stderr, "usage: store-tool STORE USER intake ATENA PROCEDURE"
		    " | person ATENA\n");
		return 2;
	}
	if (fgets(pw, sizeof(pw), stdin) == NULL)
		return 2;
	n = strcspn(pw, "\n");
	pw[n] = '\0';
	r = store_open(argv[1], argv[2], pw, &st, &e);
	memset(pw, 0, sizeof(pw));
	if (r != 0) {
		fprintf(stderr, "store-tool: %s\n", e.msg);
		return 1;
	}
	if (strcmp(argv[3], "intake") == 0 && argc == 6) {
		struct application a;

		memset(&a, 0, sizeof(a));
		snprintf(a.procedure, sizeof(a.procedure), "%s", argv[5]);
		snprintf(a.type, sizeof(a.type), "new");
		snprintf(a.atena, sizeof(a.atena), "%s", argv[4]);
		snprintf(a.entered_by, sizeof(a.entered_by), "%s", argv[2]);
		snprintf(a.status, sizeof(a.status), "received");
		a.form_json = strdup("{\"reason\":\"転入\"}");
		if ((r = store_application_save(st, &a, &e)) == 0 &&
		    (r = sync_outbox_application(st, a.uuid, &e)) == 0)
			printf("%s\n", a.uuid);
		application_clear(&a);
	} else if (strcmp(argv[3], "person") == 0) {
		struct person p;

		if ((r = store_person_get(st, argv[4], &p, &e)) == 0)
			printf("%s\n", p.name);
	} else if (strcmp(argv[3], "mynumber") == 0) {
		char num[13];

		/* test data only (fictional residents) */
		if ((r = store_mynumber_get(st, argv[4], num, &e)) == 0)
			printf("%s\n", num);
		memset(num, 0, sizeof(num));
	} else if (strcmp(argv[3], "address") == 0) {
		struct person p;

		if ((r = store_person_get(st, argv[4], &p, &e)) == 0)
			printf("%s\n", p.address);
	} else {
		store_close(st);
		fprintf(stderr, "store-tool: unknown command %s\n", argv[3]);
		return 2;
	}
	store_close(st);
	if (r != 0) {
		fprintf(stderr, "store-tool: %s\n", e.msg);
		return 1;
	}
	return 0;
}
