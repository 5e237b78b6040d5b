/*
 * test_conf.c — madoguchi.conf(5): `key = value` in [sections], validated
 * against a schema; every error names file:line.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core.h"
#include "harness.h"

static const struct conf_key schema[] = {
	{ "store", "dir", CONF_STR, 0, 0, "/var/lib/madoguchi", "store directory" },
	{ "store", "name", CONF_STR, 0, 8, NULL, "short name" },
	{ "sync", "interval", CONF_INT, 10, 86400, "180", "seconds" },
	{ "sync", "offset", CONF_INT, -5, 5, NULL, "signed" },
	{ "ui", "beep", CONF_BOOL, 0, 0, "no", "beep on error" },
	{ "ui", "lock_after", CONF_INT, 5, 86400, "300", "seconds" },
	{ NULL, NULL, CONF_STR, 0, 0, NULL, NULL },
};

static int
parse(struct conf *c, const char *text, struct err *e)
{
	return conf_parse(c, "t.conf", text, strlen(text), e);
}

TEST(conf_defaults_when_unset)
{
	struct conf *c = conf_new(schema);

	REQUIRE(c != NULL);
	CHECK_STR(conf_str(c, "store", "dir"), "/var/lib/madoguchi");
	CHECK(conf_str(c, "store", "name") == NULL);
	CHECK_INT(conf_int(c, "sync", "interval"), 180);
	CHECK_INT(conf_int(c, "sync", "offset"), 0);
	CHECK_INT(conf_bool(c, "ui", "beep"), 0);
	CHECK_INT(conf_is_set(c, "sync", "interval"), 0);
	conf_free(c);
	conf_free(NULL);
}

TEST(conf_parse_values_comments_sections_quotes)
{
	const char *text =
	    "# madoguchi.conf\n"
	    "\n"
	    "[store]\n"
	    "   dir   =   /srv/mdg  \n"
	    "name = \"  ab  \"\n"
	    "  # indented comment\n"
	    "[ sync ]\r\n"
	    "interval=600\r\n"
	    "offset = -5\n"
	    "[ui]\n"
	    "beep = yes\n"
	    "lock_after = 86400";		/* no final newline */
	struct conf *c = conf_new(schema);
	struct err e;

	REQUIRE(c != NULL);
	err_clear(&e);
	CHECK_OK(parse(c, text, &e), &e);
	CHECK_STR(conf_str(c, "store", "dir"), "/srv/mdg");
	CHECK_STR(conf_str(c, "store", "name"), "  ab  ");
	CHECK_INT(conf_int(c, "sync", "interval"), 600);
	CHECK_INT(conf_int(c, "sync", "offset"), -5);
	CHECK_INT(conf_bool(c, "ui", "beep"), 1);
	CHECK_INT(conf_int(c, "ui", "lock_after"), 86400);
	CHECK_INT(conf_is_set(c, "sync", "interval"), 1);
	conf_free(c);
}

TEST(conf_bool_spellings)
{
	static const struct { const char *v; int b; } k[] = {
		{ "yes", 1 }, { "true", 1 }, { "1", 1 }, { "no", 0 }, { "false", 0 }, { "0", 0 },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct conf *c = conf_new(schema);
		struct err e;
		char text[64];
		snprintf(text, sizeof(text), "[ui]\nbeep = %s\n", k[i].v);
		CHECK_OK(parse(c, text, &e), &e);
		CHECK_INT(conf_bool(c, "ui", "beep"), k[i].b);
		conf_free(c);
	}
}

static const struct {
	const char *text;
	int code;
	const char *msg;	/* the whole message */
} errors[] = {
	{ "[nope]\n", ERR_NOTFOUND, "t.conf:1: unknown section [nope]" },
	{ "[store]\nsize = 1\n", ERR_NOTFOUND, "t.conf:2: unknown key \"size\" in [store]" },
	{ "[sync]\ndir = /x\n", ERR_NOTFOUND, "t.conf:2: unknown key \"dir\" in [sync]" },
	{ "[sync]\n\n# c\ninterval = ten\n", ERR_FORMAT,
	  "t.conf:4: sync.interval: not a whole number (10 to 86400)" },
	{ "[sync]\ninterval = 10s\n", ERR_FORMAT,
	  "t.conf:2: sync.interval: not a whole number (10 to 86400)" },
	{ "[sync]\ninterval =\n", ERR_FORMAT,
	  "t.conf:2: sync.interval: not a whole number (10 to 86400)" },
	{ "[sync]\ninterval = 99999999999999999999999\n", ERR_FORMAT,
	  "t.conf:2: sync.interval: not a whole number (10 to 86400)" },
	{ "[sync]\ninterval = 9\n", ERR_RANGE, "t.conf:2: sync.interval: out of range (10 to 86400)" },
	{ "[sync]\ninterval = 86401\n", ERR_RANGE,
	  "t.conf:2: sync.interval: out of range (10 to 86400)" },
	{ "[sync]\noffset = -6\n", ERR_RANGE, "t.conf:2: sync.offset: out of range (-5 to 5)" },
	{ "[sync]\ninterval = 60\ninterval = 70\n", ERR_EXISTS,
	  "t.conf:3: sync.interval already set on line 2" },
	{ "[sync]\ninterval = 60\n[ui]\n[sync]\ninterval = 60\n", ERR_EXISTS,
	  "t.conf:5: sync.interval already set on line 2" },
	{ "[store]\ndir /srv\n", ERR_FORMAT, "t.conf:2: expected key = value" },
	{ "dir = /srv\n", ERR_FORMAT, "t.conf:1: key outside any [section]" },
	{ "# only a comment\n\nname = x\n", ERR_FORMAT, "t.conf:3: key outside any [section]" },
	{ "[store\n", ERR_FORMAT, "t.conf:1: section header without ']'" },
	{ "[store]\n = x\n", ERR_FORMAT, "t.conf:2: empty key" },
	{ "[ui]\nbeep = maybe\n", ERR_FORMAT, "t.conf:2: ui.beep: not yes or no" },
	{ "[ui]\nbeep = YES\n", ERR_FORMAT, "t.conf:2: ui.beep: not yes or no" },
	{ "[store]\nname = 123456789\n", ERR_RANGE, "t.conf:2: store.name: too long" },
	{ "[store]\nname = a\tb\n", ERR_FORMAT, "t.conf:2: store.name: contains a control character" },
	{ "[store]\nname = \"ab\n", ERR_FORMAT, "t.conf:2: unbalanced double quote" },
	{ "[store]\nname = ab\0cd\n", ERR_FORMAT, "t.conf:2: NUL byte in line" },
	{ "[store]\nname = \xff\n", ERR_FORMAT, "t.conf: not valid UTF-8" },
	{ "[]\n", ERR_NOTFOUND, "t.conf:1: unknown section []" },
};

TEST(conf_errors_name_file_and_line)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct conf *c = conf_new(schema);
		struct err e;
		size_t n = strlen(errors[i].text);
		/* the NUL case: the text continues after the embedded NUL */
		if (strstr(errors[i].msg, "NUL") != NULL)
			n = sizeof("[store]\nname = ab\0cd\n") - 1;
		err_clear(&e);
		int r = conf_parse(c, "t.conf", errors[i].text, n, &e);
		if (r != errors[i].code || strcmp(e.msg, errors[i].msg) != 0)
			t_fail_at(__FILE__, __LINE__, "case %zu: %d \"%s\", expected %d \"%s\"",
			    i, r, e.msg, errors[i].code, errors[i].msg);
		conf_free(c);
	}
}

TEST(conf_load_reads_a_file_and_reports_its_path)
{
	struct conf *c = conf_new(schema);
	struct err e;
	const char *p = t_path("madoguchi.conf");
	const char *text = "[sync]\ninterval = 60\n[ui]\nlock_after = 3\n";

	REQUIRE(t_write_file(p, text, strlen(text)) == 0);
	err_clear(&e);
	CHECK_INT(conf_load(c, p, &e), ERR_RANGE);
	char want[512];
	snprintf(want, sizeof(want), "%s:4: ui.lock_after: out of range (5 to 86400)", p);
	CHECK_STR(e.msg, want);
	conf_free(c);

	c = conf_new(schema);
	text = "[sync]\ninterval = 60\n";
	REQUIRE(t_write_file(p, text, strlen(text)) == 0);
	CHECK_OK(conf_load(c, p, &e), &e);
	CHECK_INT(conf_int(c, "sync", "interval"), 60);
	CHECK_INT(conf_load(c, t_path("missing.conf"), &e), ERR_IO);
	CHECK(strstr(e.msg, "missing.conf") != NULL);
	conf_free(c);
}

TEST(conf_load_refuses_an_oversized_file)
{
	struct conf *c = conf_new(schema);
	struct err e;
	size_t n = (1 << 20) + 10;
	char *big = malloc(n);

	REQUIRE(big != NULL);
	memset(big, '#', n);
	big[0] = '#';
	REQUIRE(t_write_file(t_path("big.conf"), big, n) == 0);
	CHECK_INT(conf_load(c, t_path("big.conf"), &e), ERR_RANGE);
	CHECK(strstr(e.msg, "too large") != NULL);
	free(big);
	conf_free(c);
}

TEST(conf_set_validates_like_the_file)
{
	struct conf *c = conf_new(schema);
	struct err e;

	CHECK_OK(conf_set(c, "sync", "interval", "20", &e), &e);
	CHECK_INT(conf_int(c, "sync", "interval"), 20);
	CHECK_INT(conf_set(c, "sync", "interval", "5", &e), ERR_RANGE);
	CHECK_STR(e.msg, "sync.interval: out of range");
	CHECK_INT(conf_int(c, "sync", "interval"), 20);
	CHECK_INT(conf_set(c, "sync", "nope", "5", &e), ERR_NOTFOUND);
	CHECK_INT(conf_set(c, "ui", "beep", "perhaps", &e), ERR_FORMAT);
	/* set programmatically, then the file may still set it once */
	CHECK_OK(parse(c, "[sync]\ninterval = 30\n", &e), &e);
	CHECK_INT(conf_int(c, "sync", "interval"), 30);
	conf_free(c);
}

/* Asking for a key that is not in the schema is a programming error. */
TEST(conf_unknown_key_lookup_aborts)
{
	struct conf *c = conf_new(schema);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		fclose(stderr);
		conf_str(c, "sync", "nope");
		_exit(0);
	}
	int st;
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	conf_free(c);
}
