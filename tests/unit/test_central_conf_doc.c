/*
 * test_central_conf_doc.c — madoguchi-central.conf(5) (issue 16): the man
 * page documents every key of central_conf_schema (src/central/config.c)
 * with its type, range or length and default, and nothing else; the
 * program reads --config FILE (a named file must exist, the default one
 * need not) and stops at any mistake with file:line: reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "central.h"
#include "harness.h"

static char *
load_page(void)
{
	char path[4096];
	size_t n;
	char *page;

	snprintf(path, sizeof(path), "%s/man/madoguchi-central.conf.5", t_srcdir());
	page = t_read_file(path, &n);
	if (page == NULL) {
		t_fail_at(__FILE__, __LINE__, "cannot read %s", path);
		t_stop();
	}
	return page;
}

/* A key's entry: from its .It line to the next .It/.El inside the
 * subsection of its section, or NULL. */
static char *
key_entry(const char *page, const char *section, const char *key)
{
	char ss[128], it[128];
	const char *s, *end, *k, *stop, *nss, *nsh;

	snprintf(ss, sizeof(ss), "\n.Ss [%s]\n", section);
	if ((s = strstr(page, ss)) == NULL)
		return NULL;
	s += strlen(ss);
	end = s + strlen(s);
	nss = strstr(s, "\n.Ss ");
	nsh = strstr(s, "\n.Sh ");
	if (nss != NULL && nss < end)
		end = nss;
	if (nsh != NULL && nsh < end)
		end = nsh;
	snprintf(it, sizeof(it), "\n.It Cm %s Ns = Ns Ar ", key);
	if ((k = strstr(s, it)) == NULL || k >= end)
		return NULL;
	stop = k + strlen(it);
	while (stop < end && strncmp(stop, "\n.It ", 5) != 0 && strncmp(stop, "\n.El", 4) != 0)
		stop++;
	return strndup(k + 1, (size_t)(stop - k - 1));
}

TEST(central_conf_man_page_lists_every_key)
{
	char *page = load_page();

	for (const struct conf_key *k = central_conf_schema; k->key != NULL; k++) {
		char *e = key_entry(page, k->section, k->key);
		char want[128];
		const char *type = k->type == CONF_INT ? "integer" :
		    k->type == CONF_BOOL ? "boolean" : "string";

		if (e == NULL) {
			t_fail_at(__FILE__, __LINE__, "no entry for [%s] %s", k->section, k->key);
			continue;
		}
		snprintf(want, sizeof(want), "Ar %s\n", type);
		if (strstr(e, want) == NULL)
			t_fail_at(__FILE__, __LINE__, "[%s] %s: type should be %s", k->section, k->key, type);
		if (k->type == CONF_INT)
			snprintf(want, sizeof(want), "%ld to %ld", k->min, k->max);
		else if (k->type == CONF_STR)
			snprintf(want, sizeof(want), "Up to %ld bytes", k->max > 0 ? k->max : 1024);
		else
			want[0] = '\0';
		if (strstr(e, want) == NULL)
			t_fail_at(__FILE__, __LINE__, "[%s] %s: should say \"%s\"", k->section, k->key, want);
		if (k->def != NULL && (k->def[0] == '\0' ? strstr(e, "default empty") == NULL :
		    strstr(e, k->def) == NULL))
			t_fail_at(__FILE__, __LINE__, "[%s] %s: default \"%s\" not shown", k->section,
			    k->key, k->def);
		free(e);
	}
	free(page);
}

TEST(central_conf_man_page_lists_no_unknown_key)
{
	char section[64] = "", key[64];
	char *page = load_page();

	for (const char *p = page; (p = strchr(p, '\n')) != NULL; p++) {
		if (sscanf(p + 1, ".Ss [%63[^]]]", section) == 1)
			continue;
		if (strncmp(p + 1, ".Sh ", 4) == 0)
			section[0] = '\0';
		if (section[0] == '\0' || sscanf(p + 1, ".It Cm %63s Ns = Ns", key) != 1)
			continue;
		int found = 0;
		for (const struct conf_key *k = central_conf_schema; k->key != NULL; k++)
			found |= strcmp(k->section, section) == 0 && strcmp(k->key, key) == 0;
		if (!found)
			t_fail_at(__FILE__, __LINE__, "man page documents [%s] %s, not in the schema",
			    section, key);
	}
	free(page);
}

/* Every default passes the checks of meaning, and each check fires with
 * the file and line of the value. */
TEST(central_conf_checks_values_with_file_and_line)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "[export]\ncms = gcm\n", ":2: [export] cms:" },
		{ "# c\n\n[report]\noffice_hours = 17:00-08:30\n", ":4: [report] office_hours:" },
		{ "[report]\noffice_hours = 8:30-17:15\n", ":2: [report] office_hours:" },
		{ "[report]\ntimezone = Mars/Olympus\n", ":2: [report] timezone:" },
		{ "[report]\ntimezone = ../../etc/passwd\n", ":2: [report] timezone:" },
		{ "[export]\ndir = relative/dir\n", ":2: [export] dir:" },
		{ "[report]\nlookup_rate = 0\n", ":2:" },
		{ "[nope]\n", ":1:" },
		{ "[export]\nplaintext = maybe\n", ":2:" },
	};
	struct conf *c;
	struct err e;

	err_clear(&e);
	REQUIRE_OK(central_conf_load(NULL, &c, &e), &e);
	CHECK_STR(conf_str(c, "export", "cms"), "auth-enveloped");
	CHECK(!conf_bool(c, "export", "plaintext"));
	conf_free(c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *path = t_path("c.conf");
		REQUIRE(t_write_file(path, bad[i].text, strlen(bad[i].text)) == 0);
		err_clear(&e);
		c = NULL;
		CHECK(central_conf_load(path, &c, &e) != 0);
		CHECK(c == NULL);
		if (strstr(e.msg, bad[i].want) == NULL || strncmp(e.msg, path, strlen(path)) != 0)
			t_fail_at(__FILE__, __LINE__, "case %zu: \"%s\", expected %s%s", i, e.msg,
			    path, bad[i].want);
	}
}

/* The program: --config FILE must exist; a mistake stops it before the
 * store is touched; [store] dir names the store. */
TEST(central_conf_option_of_the_program)
{
	const char *conf = t_path("central.conf"), *store = t_path("cstore");
	char text[1200];
	struct t_proc p;
	char *argv[8];

	argv[0] = (char *)t_bin("madoguchi-central");
	argv[1] = "--config";
	argv[2] = (char *)t_path("missing.conf");
	argv[3] = "key";
	argv[4] = NULL;
	REQUIRE(t_run(argv, NULL, NULL, 0, 30000, &p) == 0);
	CHECK_INT(p.status, 1);
	CHECK(strstr(p.err, "missing.conf") != NULL);
	t_proc_free(&p);

	REQUIRE(t_write_file(conf, "[report]\nlookup_rate = many\n", 28) == 0);
	argv[2] = (char *)conf;
	argv[3] = "--store";
	argv[4] = (char *)store;
	argv[5] = "init";
	argv[6] = NULL;
	REQUIRE(t_run(argv, NULL, NULL, 0, 30000, &p) == 0);
	CHECK_INT(p.status, 1);
	CHECK(strstr(p.err, "central.conf:2:") != NULL);
	CHECK(access(store, F_OK) != 0);
	t_proc_free(&p);

	snprintf(text, sizeof(text), "[store]\ndir = %s\n", store);
	REQUIRE(t_write_file(conf, text, strlen(text)) == 0);
	argv[3] = "init";
	argv[4] = NULL;
	REQUIRE(t_run(argv, NULL, NULL, 0, 60000, &p) == 0);
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, store) != NULL);
	t_proc_free(&p);
}
