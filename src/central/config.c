/*
 * config.c — the keys of madoguchi-central.conf(5): the central's own
 * configuration file, read with the same parser as madoguchi.conf
 * (src/core/conf.c).  Every key is declared here with its type, range and
 * default; the man page lists them (tests/unit/test_central_conf_doc.c).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "central.h"

const struct conf_key central_conf_schema[] = {
	{ "store", "dir", CONF_STR, 0, 1024, "/var/lib/madoguchi-central", "directory of the central store and its key files" },
	{ "export", "dir", CONF_STR, 0, 1024, "", "directory export files are written to, owner-only (empty: export refused)" },
	{ "export", "recipient", CONF_STR, 0, 1024, "", "PEM file of the receiving core system's X.509 certificate exports are encrypted to" },
	{ "export", "cms", CONF_STR, 0, 16, "auth-enveloped", "CMS type of export files: auth-enveloped (AES-256-GCM) or enveloped (AES-256-CBC)" },
	{ "export", "plaintext", CONF_BOOL, 0, 0, "no", "allow unencrypted export (--plaintext), still audited" },
	{ "report", "office_hours", CONF_STR, 0, 11, "08:30-17:15", "office hours HH:MM-HH:MM on working days; access outside is flagged" },
	{ "report", "timezone", CONF_STR, 0, 64, "Asia/Tokyo", "time zone of office hours and dates (a name under /usr/share/zoneinfo)" },
	{ "report", "lookup_rate", CONF_INT, 1, 100000, "60", "lookups by one clerk in one hour above which the hour is flagged" },
	{ "report", "visit_minutes", CONF_INT, 1, 1440, "30", "minutes around a record view searched for an identity check or application of the same visit" },
	/* Issue 13 (RET-3): backups rotate oldest first. */
	{ "retention", "backups", CONF_INT, 1, 1000, "14", "backups kept by `backup --to DIR` without --keep; older ones are removed oldest first (RET-3)" },
	{ NULL, NULL, CONF_STR, 0, 0, NULL, NULL }
};

/* "HH:MM-HH:MM" into minutes of the day, begin < end. */
int
central_office_hours(const char *v, int *from, int *to)
{
	int h1, m1, h2, m2, n = 0;

	if (sscanf(v, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 ||
	    n != (int)strlen(v) || strlen(v) != 11 || h1 > 23 || h2 > 24 ||
	    m1 > 59 || m2 > 59 || h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0 ||
	    h1 * 60 + m1 >= h2 * 60 + m2 || h2 * 60 + m2 > 1440)
		return -1;
	*from = h1 * 60 + m1;
	*to = h2 * 60 + m2;
	return 0;
}

/* What the types cannot check: "file:line: [section] key: reason". */
static int
bad(const struct conf *c, const char *path, const char *section,
    const char *key, const char *why, struct err *e)
{
	return err_set(e, ERR_FORMAT, "%s:%d: [%s] %s: %s", path, conf_line(c, section, key),
	    section, key, why);
}

static int
check_values(const struct conf *c, const char *path, struct err *e)
{
	const char *cms = conf_str(c, "export", "cms");
	const char *tz = conf_str(c, "report", "timezone");
	char p[1200];
	struct stat st;
	int a, b;

	if (strcmp(cms, "auth-enveloped") != 0 && strcmp(cms, "enveloped") != 0)
		return bad(c, path, "export", "cms", "must be auth-enveloped or enveloped", e);
	if (central_office_hours(conf_str(c, "report", "office_hours"), &a, &b) != 0)
		return bad(c, path, "report", "office_hours",
		    "must be HH:MM-HH:MM, the end after the beginning", e);
	if (tz[0] == '\0' || tz[0] == '/' || strstr(tz, "..") != NULL)
		return bad(c, path, "report", "timezone", "not a time zone name", e);
	snprintf(p, sizeof(p), "/usr/share/zoneinfo/%s", tz);
	if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
		return bad(c, path, "report", "timezone",
		    "no such time zone under /usr/share/zoneinfo", e);
	if (conf_str(c, "export", "dir")[0] != '\0' && conf_str(c, "export", "dir")[0] != '/')
		return bad(c, path, "export", "dir", "must be an absolute path", e);
	return 0;
}

int
central_conf_load(const char *path, struct conf **out, struct err *e)
{
	struct conf *c;
	const char *name = path;
	int r;

	*out = NULL;
	if ((c = conf_new(central_conf_schema)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	/* The default file is optional; a named one must exist. */
	if (path == NULL && access(CENTRAL_DEFAULT_CONFIG, F_OK) == 0)
		name = CENTRAL_DEFAULT_CONFIG;
	if (name != NULL && (r = conf_load(c, name, e)) != 0) {
		conf_free(c);
		return r;
	}
	if ((r = check_values(c, name != NULL ? name : "(defaults)", e)) != 0) {
		conf_free(c);
		return r;
	}
	*out = c;
	return 0;
}
