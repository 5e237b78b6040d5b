/*
 * test_conf_doc.c — madoguchi.conf(5) documents every key of
 * app_conf_schema (src/app/config.c) in its [section], with the right type,
 * range or length, and default; the issue asks for keys to be documented
 * as they are added, and this keeps the page true.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "harness.h"

static char *page;

static void
load_page(void)
{
	char path[4096];
	size_t n;

	snprintf(path, sizeof(path), "%s/man/madoguchi.conf.5", t_srcdir());
	page = t_read_file(path, &n);
	if (page == NULL) {
		t_fail_at(__FILE__, __LINE__, "cannot read %s", path);
		t_stop();
	}
}

/* The text of a key's entry: from its .It line to the next .It/.Ss/.Sh/.El
 * inside the subsection of its section, or NULL. */
static char *
key_entry(const char *section, const char *key)
{
	char ss[128], it[128];
	const char *s, *end, *k, *stop;

	snprintf(ss, sizeof(ss), "\n.Ss [%s]\n", section);
	if ((s = strstr(page, ss)) == NULL)
		return NULL;
	s += strlen(ss);
	end = s + strlen(s);
	const char *next_ss = strstr(s, "\n.Ss "), *next_sh = strstr(s, "\n.Sh ");
	if (next_ss != NULL && next_ss < end)
		end = next_ss;
	if (next_sh != NULL && next_sh < end)
		end = next_sh;
	snprintf(it, sizeof(it), "\n.It Cm %s Ns = Ns Ar ", key);
	if ((k = strstr(s, it)) == NULL || k >= end)
		return NULL;
	stop = k + strlen(it);
	while (stop < end && strncmp(stop, "\n.It ", 5) != 0 && strncmp(stop, "\n.El", 4) != 0)
		stop++;
	return strndup(k + 1, (size_t)(stop - k - 1));
}

TEST(conf_man_page_lists_every_key)
{
	load_page();
	for (const struct conf_key *k = app_conf_schema; k->key != NULL; k++) {
		char *e = key_entry(k->section, k->key);
		char want[128];
		if (e == NULL) {
			t_fail_at(__FILE__, __LINE__,
			    "man/madoguchi.conf.5: no \".It Cm %s Ns = Ns Ar ...\" under \".Ss [%s]\"",
			    k->key, k->section);
			continue;
		}
		const char *type = k->type == CONF_INT ? "integer" :
		    k->type == CONF_BOOL ? "boolean" : "string";
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
		/* A long default (a list) is described, not quoted. */
		if (k->def != NULL && k->def[0] == '\0' ? strstr(e, "default empty") == NULL :
		    k->def != NULL && strlen(k->def) <= 80 ? strstr(e, k->def) == NULL :
		    k->def != NULL && strstr(e, "default") == NULL)
			t_fail_at(__FILE__, __LINE__, "[%s] %s: default \"%s\" not shown", k->section,
			    k->key, k->def);
		free(e);
	}
	free(page);
}

/* And nothing is documented that does not exist (a removed key). */
TEST(conf_man_page_lists_no_unknown_key)
{
	char section[64] = "";
	const char *p;

	load_page();
	for (p = page; (p = strchr(p, '\n')) != NULL; p++) {
		char key[64];
		if (sscanf(p + 1, ".Ss [%63[^]]]", section) == 1)
			continue;
		if (strncmp(p + 1, ".Sh ", 4) == 0)
			section[0] = '\0';
		/* a key entry, not an item of a nested list */
		size_t len = strcspn(p + 1, "\n");
		char *line = strndup(p + 1, len);
		int is_key = line != NULL && strstr(line, " Ns = Ns Ar ") != NULL &&
		    sscanf(line, ".It Cm %63s Ns = Ns", key) == 1;
		free(line);
		if (section[0] == '\0' || !is_key)
			continue;
		int found = 0;
		for (const struct conf_key *k = app_conf_schema; k->key != NULL; k++)
			found |= strcmp(k->section, section) == 0 && strcmp(k->key, key) == 0;
		if (!found)
			t_fail_at(__FILE__, __LINE__, "man page documents [%s] %s, not in app_conf_schema",
			    section, key);
	}
	free(page);
}
