/*
 * cmd-enroll.c — `madoguchi enroll --central HOST:PORT --central-key KEY
 * --user ADMIN [--password-stdin] [--token-stdin]`: register this terminal
 * with madoguchi-central using the one-time token issued there
 * (`madoguchi-central terminal enrol`).  A new static key is made and kept
 * only inside the encrypted store; the central learns its public half.
 *
 * The token is a credential (whoever presents it first becomes the
 * terminal and receives its wards' residents), so it is read like the
 * password — a line of standard input after the password with
 * --token-stdin, else from the terminal without echo — and never taken
 * from the command line, which every local user can read in /proc.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "store.h"
#include "sync.h"

#define ENROL_TOKEN_MAX 80	/* tokens are 32 hex digits */

int
cmd_enroll(struct app_opts *o, int argc, char **argv)
{
	const char *user = NULL, *central = NULL, *key = NULL;
	char *token = NULL;
	struct store *st = NULL;
	uint8_t ck[32];
	char tid[17];
	struct err e;
	int pw_stdin = 0, tok_stdin = 0, i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--central") == 0 && i + 1 < argc)
			central = argv[++i];
		else if (strcmp(argv[i], "--central-key") == 0 && i + 1 < argc)
			key = argv[++i];
		else if (strcmp(argv[i], "--token-stdin") == 0)
			tok_stdin = 1;
		else if (strcmp(argv[i], "--password-stdin") == 0)
			pw_stdin = 1;
		else
			central = NULL, i = argc;
	}
	if (central == NULL || key == NULL) {
		fprintf(stderr, "usage: madoguchi enroll --central HOST:PORT --central-key KEY"
		    " --user ADMIN [--password-stdin] [--token-stdin]\n");
		return 2;
	}
	if (strlen(key) != 64 || hex_decode(key, 64, ck, 32) != 32) {
		fprintf(stderr, "madoguchi: --central-key must be 64 hex digits"
		    " (madoguchi-central key)\n");
		return 2;
	}
	err_clear(&e);
	if (app_open_store_cli(o, user, pw_stdin, &st, &e) != 0) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		return 1;
	}
	if (store_user(st)->role != ROLE_ADMIN) {
		store_close(st);
		fprintf(stderr, "madoguchi: enrolment needs an administrator account\n");
		return 1;
	}
	if ((token = sodium_malloc(ENROL_TOKEN_MAX)) == NULL) {
		store_close(st);
		fprintf(stderr, "madoguchi: out of locked memory\n");
		return 1;
	}
	if (app_read_password("登録トークン: ", tok_stdin, token, ENROL_TOKEN_MAX, &e) != 0 ||
	    token[0] == '\0')
		r = err_set_ja(&e, ERR_INVAL, "登録トークンが入力されていません",
		    "no enrolment token given (with --token-stdin: the line after the password)");
	else
		r = 0;
	if (r == 0)
		r = sync_enroll(st, central, ck, token, tid, &e);
	sodium_free(token);	/* wipes */
	if (r == 0)
		store_audit_append(st, NULL, NULL, "sync.enroll", NULL, "enroll", central, NULL);
	store_close(st);
	if (r != 0) {
		fprintf(stderr, "madoguchi: enrolment failed: %s\n  %s\n", err_ja(&e), e.msg);
		return 1;
	}
	printf("enrolled as terminal %s with %s\n"
	    "the central address and key are kept in the store; [sync] central and\n"
	    "central_key in madoguchi.conf override them when set.\n", tid, central);
	return 0;
}
