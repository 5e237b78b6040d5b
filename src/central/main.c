/*
 * main.c — `madoguchi-central`: the central sync server and its operator
 * commands (madoguchi-central(8)).
 *
 *   madoguchi-central [--store DIR] init
 *   madoguchi-central [--store DIR] key
 *   madoguchi-central [--store DIR] serve --listen ADDR:PORT [--max-conn N]
 *       [--max-handshakes N] [--max-handshakes-per-addr N]
 *       [--handshake-timeout SEC] [--max-message-mb N] [--memory-budget-mb N]
 *   madoguchi-central [--store DIR] import persons|eligibility|decisions|accounts FILE
 *   madoguchi-central [--store DIR] export applications [--since N] [--format jsonl|csv]
 *   madoguchi-central [--store DIR] terminal enrol ID [--wards L] [--procedures L]
 *   madoguchi-central [--store DIR] terminal revoke ID | terminal list
 *   madoguchi-central [--store DIR] terminal rejects [ID] | terminal release ID
 *   madoguchi-central [--store DIR] user add|mod|revoke|list|review|history ...
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "central.h"
#include "core.h"
#include "sync.h"

#define DEFAULT_STORE "/var/lib/madoguchi-central"

/* Set by SIGTERM/SIGINT: the one piece of state a signal handler can
 * reach.  central_serve polls it. */
static volatile int stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct opts {
	const char *store;
	const char *listen;
	const char *since;
	const char *format;
	const char *wards;
	const char *procedures;
	const char *log;
	const char *count;
	const char *seed;
	int max_conn;
	struct central_serve_opts serve;
	char *pos[8];
	int npos;
	int rest;	/* `user`: argv index of its subcommand (own options) */
};

/* The commands and their subcommands (`help --list`, dispatch). */
static const struct {
	const char *name;
	const char *subs;	/* space-separated, or NULL */
} commands[] = {
	{ "help", NULL }, { "init", NULL }, { "key", NULL }, { "serve", NULL },
	{ "import", "persons eligibility decisions accounts banks postal" },
	{ "export", "applications" },
	{ "terminal", "enrol revoke list" },
	{ "user", "add mod revoke list review history" },
	{ "demo-data", NULL },
	{ NULL, NULL }
};

static void
usage_to(FILE *f)
{
	fprintf(f,
	    "usage: madoguchi-central [--store DIR] COMMAND ...\n"
	    "  init                                  create the central store and keys\n"
	    "  key                                   print the central public key\n"
	    "  serve --listen ADDR:PORT [--max-conn N] [--log FILE]\n"
	    "        [--max-handshakes N] [--max-handshakes-per-addr N]\n"
	    "        [--handshake-timeout SEC] [--max-message-mb N] [--memory-budget-mb N]\n"
	    "  import persons|eligibility|decisions|accounts FILE.csv\n"
	    "  import banks zengin-data.js|FILE.json   全銀 bank and branch codes\n"
	    "  import postal KEN_ALL.CSV            Japan Post's 郵便番号 data\n"
	    "  export applications [--since CURSOR] [--format jsonl|csv]\n"
	    "  terminal enrol ID [--wards LIST] [--procedures LIST]\n"
	    "  terminal revoke ID\n"
	    "  terminal list\n"
	    "  terminal rejects [ID]                 items refused, with the reasons\n"
	    "  terminal release ID                   let a terminal held for a rollback in\n"
	    "  user add NAME --display D --role R [--perm PROC:LEVEL]... --request REF\n"
	    "  user mod NAME ... --request REF | user revoke NAME --request REF\n"
	    "  user list | user review [--format csv] | user history [NAME]\n"
	    "  demo-data [--count N] [--seed S]      load the fictional residents of 窓口市\n"
	    "  help [--list]                         this text; --list: every command\n"
	    "The store is --store DIR, else $MDG_CENTRAL_STORE, else %s.\n"
	    "See madoguchi-central(8).\n", DEFAULT_STORE);
}

/* A usage error: the reason and the usage on standard error, exit 2. */
static int
usage_error(const char *why, const char *arg)
{
	if (why != NULL)
		fprintf(stderr, "madoguchi-central: %s%s%s\n", why,
		    arg != NULL ? " " : "", arg != NULL ? arg : "");
	usage_to(stderr);
	return 2;
}

static int
usage(void)
{
	return usage_error(NULL, NULL);
}

static int
known_command(const char *name)
{
	int i;

	for (i = 0; commands[i].name != NULL; i++)
		if (strcmp(commands[i].name, name) == 0)
			return 1;
	return 0;
}

/* help --list: every command and subcommand, one a line. */
static void
list_commands(void)
{
	int i;

	for (i = 0; commands[i].name != NULL; i++) {
		const char *p = commands[i].subs;

		printf("%s\n", commands[i].name);
		while (p != NULL && *p != '\0') {
			size_t n = strcspn(p, " ");

			printf("%s %.*s\n", commands[i].name, (int)n, p);
			p += n + (p[n] == ' ');
		}
	}
}

static int
parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->max_conn = 1000;
	central_serve_defaults(&o->serve);
	o->store = getenv("MDG_CENTRAL_STORE");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (strcmp(a, "--store") == 0)
			dst = &o->store;
		else if (strcmp(a, "--listen") == 0)
			dst = &o->listen;
		else if (strcmp(a, "--since") == 0)
			dst = &o->since;
		else if (strcmp(a, "--format") == 0)
			dst = &o->format;
		else if (strcmp(a, "--wards") == 0)
			dst = &o->wards;
		else if (strcmp(a, "--procedures") == 0)
			dst = &o->procedures;
		else if (strcmp(a, "--log") == 0)
			dst = &o->log;
		else if (strcmp(a, "--count") == 0)
			dst = &o->count;
		else if (strcmp(a, "--seed") == 0)
			dst = &o->seed;
		else if (strcmp(a, "--max-conn") == 0) {
			if (i + 1 >= argc || (o->max_conn = atoi(argv[++i])) < 1)
				return -1;
			o->serve.max_conn = o->max_conn;
			continue;
		} else if (strcmp(a, "--max-handshakes") == 0 ||
		    strcmp(a, "--max-handshakes-per-addr") == 0 ||
		    strcmp(a, "--handshake-timeout") == 0 ||
		    strcmp(a, "--max-message-mb") == 0 ||
		    strcmp(a, "--memory-budget-mb") == 0) {
			/* issue 15 B: limits against denial of service */
			char *end;
			long v;

			if (i + 1 >= argc)
				return -1;
			v = strtol(argv[++i], &end, 10);
			if (*end != '\0' || v < 1 || v > 1000000)
				return -1;
			if (strcmp(a, "--max-handshakes") == 0)
				o->serve.max_preauth = (int)v;
			else if (strcmp(a, "--max-handshakes-per-addr") == 0)
				o->serve.max_preauth_addr = (int)v;
			else if (strcmp(a, "--handshake-timeout") == 0) {
				if (v > 600)
					return -1;
				o->serve.handshake_ms = (int)v * 1000;
			} else if (strcmp(a, "--max-message-mb") == 0)
				o->serve.max_message = (size_t)v << 20;
			else
				o->serve.mem_budget = (size_t)v << 20;
			continue;
		} else if (a[0] == '-') {
			fprintf(stderr, "madoguchi-central: unknown option %s\n", a);
			return -1;
		}
		else {
			if (o->npos == 8)
				return -1;
			o->pos[o->npos++] = argv[i];
			if (o->npos == 1 && strcmp(argv[i], "user") == 0) {
				o->rest = i + 1;
				break;
			}
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		*dst = argv[++i];
	}
	if (o->store == NULL || o->store[0] == '\0')
		o->store = DEFAULT_STORE;
	return o->npos == 0 ? -1 : 0;
}

static void
print_key(const struct central *c)
{
	char hex[65];

	hex_encode(c->noise_pub, 32, hex);
	printf("%s\n", hex);
}

static int
fail(const struct err *e)
{
	fprintf(stderr, "madoguchi-central: %s\n", e->msg);
	return 1;
}

static int
cmd_serve(struct central *c, const struct opts *o)
{
	struct sigaction sa;
	struct rlimit rl;
	struct err e;

	if (o->listen == NULL)
		return usage();
	/* One descriptor per terminal: allow as many as the hard limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	err_clear(&e);
	if (central_serve_with(c, o->listen, &o->serve, &stop_flag, &e) != 0)
		return fail(&e);
	return 0;
}

static int
cmd_import(struct central *c, const struct opts *o)
{
	struct import_report r;
	struct err e;
	int rc;

	if (o->npos != 3)
		return usage();
	err_clear(&e);
	if (strcmp(o->pos[1], "banks") == 0 || strcmp(o->pos[1], "postal") == 0) {
		long removed = 0;

		rc = central_import_refdata_file(c, strcmp(o->pos[1], "banks") == 0 ?
		    REFDATA_BANKS : REFDATA_POSTAL, o->pos[2], &r, &removed, stderr, &e);
		if (rc != 0)
			return fail(&e);
		printf("%s: %ld records, %ld codes (%ld changed, %ld unchanged),"
		    " %ld removed\n", o->pos[1], r.rows, r.accepted, r.changed,
		    r.unchanged, removed);
		log_info("import %s %s: %ld codes (%ld changed), %ld removed",
		    o->pos[1], o->pos[2], r.accepted, r.changed, removed);
		return 0;
	}
	if (strcmp(o->pos[1], "persons") == 0)
		rc = central_import_persons(c, o->pos[2], stderr, &r, &e);
	else if (strcmp(o->pos[1], "eligibility") == 0)
		rc = central_import_eligibility(c, o->pos[2], stderr, &r, &e);
	else if (strcmp(o->pos[1], "decisions") == 0)
		rc = central_import_decisions(c, o->pos[2], stderr, &r, &e);
	else if (strcmp(o->pos[1], "accounts") == 0)
		rc = central_import_accounts(c, o->pos[2], stderr, &r, &e);
	else
		return usage();
	if (rc != 0)
		return fail(&e);
	printf("%s: %ld rows, %ld accepted (%ld changed, %ld unchanged), %ld rejected\n",
	    o->pos[1], r.rows, r.accepted, r.changed, r.unchanged, r.rejected);
	log_info("import %s %s: %ld accepted (%ld changed), %ld rejected", o->pos[1],
	    o->pos[2], r.accepted, r.changed, r.rejected);
	return r.rejected > 0 ? 1 : 0;
}

static int
cmd_export(struct central *c, const struct opts *o)
{
	struct err e;
	int64_t since = 0, next;
	char *end;
	int csv = 0;

	if (o->npos != 2 || strcmp(o->pos[1], "applications") != 0)
		return usage();
	if (o->since != NULL) {
		since = strtoll(o->since, &end, 10);
		if (*end != '\0' || since < 0)
			return usage();
	}
	if (o->format != NULL) {
		if (strcmp(o->format, "csv") == 0)
			csv = 1;
		else if (strcmp(o->format, "jsonl") != 0)
			return usage();
	}
	err_clear(&e);
	if (central_export_applications(c, since, csv, stdout, &next, &e) != 0)
		return fail(&e);
	fprintf(stderr, "next cursor: %lld\n", (long long)next);
	return 0;
}

static int
cmd_demo(struct central *c, const struct opts *o)
{
	struct import_report p, el;
	struct err e;
	long n = o->count != NULL ? atol(o->count) : 1000;
	unsigned long long seed = o->seed != NULL ? strtoull(o->seed, NULL, 10) : 1;

	if (n < 1 || n > 10000000)
		return usage();
	err_clear(&e);
	if (central_demo_data(c, seed, (size_t)n, stderr, &p, &el, &e) != 0)
		return fail(&e);
	printf("demo data: %ld persons (%ld changed), %ld eligibility records (%ld changed),"
	    " %ld rejected\n", p.accepted, p.changed, el.accepted, el.changed,
	    p.rejected + el.rejected);
	return 0;
}

static int
cmd_terminal(struct central *c, const struct opts *o)
{
	struct err e;
	char token[33];
	char hex[65];

	err_clear(&e);
	if (o->npos == 2 && strcmp(o->pos[1], "list") == 0)
		return central_terminal_list(c, stdout, &e) != 0 ? fail(&e) : 0;
	if ((o->npos == 2 || o->npos == 3) && strcmp(o->pos[1], "rejects") == 0)
		return central_rejects_list(c, o->npos == 3 ? o->pos[2] : NULL, stdout,
		    &e) != 0 ? fail(&e) : 0;
	if (o->npos != 3)
		return usage();
	if (strcmp(o->pos[1], "enrol") == 0 || strcmp(o->pos[1], "enroll") == 0) {
		if (central_terminal_enrol(c, o->pos[2], o->wards ? o->wards : "",
		    o->procedures ? o->procedures : "", token, &e) != 0)
			return fail(&e);
		hex_encode(c->noise_pub, 32, hex);
		/* The token is never put on the terminal's command line (its
		 * argv is public): the terminal asks for it, or reads it after
		 * the password with --token-stdin. */
		printf("terminal %s: one-time enrolment token (valid 7 days):\n%s\n"
		    "on the terminal, as an administrator (it then asks for the token):\n"
		    "  madoguchi enroll --central HOST:PORT --central-key %s --user NAME\n",
		    o->pos[2], token, hex);
		fflush(stdout);
		mem_wipe(token, sizeof(token));
		return 0;
	}
	if (strcmp(o->pos[1], "revoke") == 0)
		return central_terminal_revoke(c, o->pos[2], &e) != 0 ? fail(&e) : 0;
	if (strcmp(o->pos[1], "release") == 0)
		return central_terminal_release(c, o->pos[2], &e) != 0 ? fail(&e) : 0;
	return usage();
}

int
main(int argc, char **argv)
{
	struct central *c = NULL;
	struct opts o;
	struct err e;
	int rc;

	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("madoguchi-central 0.1.0\n");
		return 0;
	}
	/* --help anywhere (GNU): the usage on standard output, exit 0. */
	for (rc = 1; rc < argc; rc++)
		if (strcmp(argv[rc], "--help") == 0 || strcmp(argv[rc], "-h") == 0) {
			usage_to(stdout);
			return 0;
		}
	if (argc >= 3 && strcmp(argv[argc - 2], "help") == 0 &&
	    strcmp(argv[argc - 1], "--list") == 0) {
		list_commands();
		return 0;
	}
	if (parse(argc, argv, &o) != 0)
		return usage();
	if (strcmp(o.pos[0], "help") == 0) {
		if (o.npos != 1)
			return usage();
		usage_to(stdout);
		return 0;
	}
	if (!known_command(o.pos[0]))
		return usage_error("unknown command", o.pos[0]);
	if (strcmp(o.pos[0], "user") == 0 &&
	    central_user_args(argc - o.rest, argv + o.rest, &e) != 0)
		return usage_error(e.msg, NULL);
	err_clear(&e);
	umask(077);	/* the database, its WAL and key files: owner only */
	if (proc_harden(&e) != 0)
		return fail(&e);
	log_open("madoguchi-central", o.log, LOG_INFO);
	if (strcmp(o.pos[0], "init") == 0) {
		if (central_init(o.store, &e) != 0 || central_open(o.store, &c, &e) != 0)
			return fail(&e);
		printf("central store created in %s\ncentral public key: ", o.store);
		print_key(c);
		central_close(c);
		log_close();
		return 0;
	}
	if (central_open(o.store, &c, &e) != 0) {
		log_close();
		return fail(&e);
	}
	if (strcmp(o.pos[0], "key") == 0) {
		print_key(c);
		rc = 0;
	} else if (strcmp(o.pos[0], "serve") == 0)
		rc = cmd_serve(c, &o);
	else if (strcmp(o.pos[0], "import") == 0)
		rc = cmd_import(c, &o);
	else if (strcmp(o.pos[0], "export") == 0)
		rc = cmd_export(c, &o);
	else if (strcmp(o.pos[0], "demo-data") == 0)
		rc = cmd_demo(c, &o);
	else if (strcmp(o.pos[0], "user") == 0)
		rc = central_user_cmd(c, argc - o.rest, argv + o.rest, stdout, &e) != 0 ?
		    fail(&e) : 0;
	else
		rc = cmd_terminal(c, &o);
	central_close(c);
	log_close();
	return rc;
}
