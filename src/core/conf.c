/*
 * conf.c — madoguchi.conf(5) and friends: `key = value` lines in
 * `[section]`s, `#` comments, validated against a schema.  Errors name the
 * file and line.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CONF_MAX_FILE (1 << 20)

struct conf {
	const struct conf_key *schema;
	size_t n;
	char **val;		/* per schema entry: malloc'd value or NULL */
	int *line;		/* where it was set (0 = not from a file) */
};

struct conf *
conf_new(const struct conf_key *schema)
{
	struct conf *c;
	size_t n = 0;

	while (schema[n].key != NULL)
		n++;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->schema = schema;
	c->n = n;
	c->val = calloc(n + 1, sizeof(*c->val));
	c->line = calloc(n + 1, sizeof(*c->line));
	if (c->val == NULL || c->line == NULL) {
		conf_free(c);
		return NULL;
	}
	return c;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	if (c->val != NULL)
		for (size_t i = 0; i < c->n; i++)
			free(c->val[i]);
	free(c->val);
	free(c->line);
	free(c);
}

static long
find_key(const struct conf *c, const char *section, size_t slen,
    const char *key, size_t klen)
{
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->schema[i].section) == slen &&
		    memcmp(c->schema[i].section, section, slen) == 0 &&
		    strlen(c->schema[i].key) == klen &&
		    memcmp(c->schema[i].key, key, klen) == 0)
			return (long)i;
	return -1;
}

static int
section_known(const struct conf *c, const char *s, size_t n)
{
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->schema[i].section) == n &&
		    memcmp(c->schema[i].section, s, n) == 0)
			return 1;
	return 0;
}

/* Check a value against its key's type; *why gets the reason. */
static int
check_value(const struct conf_key *k, const char *v, const char **why)
{
	char *end;
	long x;
	size_t max;

	switch (k->type) {
	case CONF_INT:
		errno = 0;
		x = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0) {
			*why = "not a whole number";
			return ERR_FORMAT;
		}
		if (x < k->min || x > k->max) {
			*why = "out of range";
			return ERR_RANGE;
		}
		return 0;
	case CONF_BOOL:
		if (strcmp(v, "yes") && strcmp(v, "no") && strcmp(v, "true") &&
		    strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0")) {
			*why = "not yes or no";
			return ERR_FORMAT;
		}
		return 0;
	case CONF_STR:
		max = k->max > 0 ? (size_t)k->max : 1024;
		if (strlen(v) > max) {
			*why = "too long";
			return ERR_RANGE;
		}
		if (!utf8_valid(v, strlen(v))) {
			*why = "not valid UTF-8";
			return ERR_FORMAT;
		}
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p < 0x20) {
				*why = "contains a control character";
				return ERR_FORMAT;
			}
		return 0;
	}
	*why = "bad type";
	return ERR_INVAL;
}

static int
store_value(struct conf *c, long i, const char *v, int line)
{
	char *d = strdup(v);

	if (d == NULL)
		return ERR_NOMEM;
	free(c->val[i]);
	c->val[i] = d;
	c->line[i] = line;
	return 0;
}

static int
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
	return 0;
}

int
conf_parse(struct conf *c, const char *name, const char *text, size_t n,
    struct err *e)
{
	struct rbuf b;
	const char *line, *sect = NULL, *why;
	size_t len, slen = 0;
	int lineno = 0, r;
	char val[4096];

	if (n > CONF_MAX_FILE)
		return err_set(e, ERR_RANGE, "%s: file too large", name);
	if (!utf8_valid(text, n))
		return err_set(e, ERR_FORMAT, "%s: not valid UTF-8", name);
	rbuf_init(&b, text, n);
	while (rbuf_get_line(&b, &line, &len) == 0) {
		const char *eq, *k, *v;
		size_t kl, vl;
		long i;

		lineno++;
		/* A NUL would silently cut the value short when it is stored
		 * as a C string; refuse it like any other bad byte. */
		if (memchr(line, '\0', len) != NULL)
			return err_set(e, ERR_FORMAT, "%s:%d: NUL byte in line", name, lineno);
		trim(&line, &len);
		if (len == 0 || line[0] == '#')
			continue;
		if (line[0] == '[') {
			if (line[len - 1] != ']')
				return err_set(e, ERR_FORMAT, "%s:%d: section header without ']'", name, lineno);
			sect = line + 1;
			slen = len - 2;
			trim(&sect, &slen);
			if (!section_known(c, sect, slen))
				return err_set(e, ERR_NOTFOUND, "%s:%d: unknown section [%.*s]",
				    name, lineno, (int)(slen > 64 ? 64 : slen), sect);
			continue;
		}
		if ((eq = memchr(line, '=', len)) == NULL)
			return err_set(e, ERR_FORMAT, "%s:%d: expected key = value", name, lineno);
		if (sect == NULL)
			return err_set(e, ERR_FORMAT, "%s:%d: key outside any [section]", name, lineno);
		k = line;
		kl = (size_t)(eq - line);
		v = eq + 1;
		vl = len - kl - 1;
		trim(&k, &kl);
		trim(&v, &vl);
		if (kl == 0)
			return err_set(e, ERR_FORMAT, "%s:%d: empty key", name, lineno);
		/* Optional double quotes keep leading or trailing spaces. */
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v++;
			vl -= 2;
		} else if (vl >= 1 && v[0] == '"')
			return err_set(e, ERR_FORMAT, "%s:%d: unbalanced double quote", name, lineno);
		if ((i = find_key(c, sect, slen, k, kl)) < 0)
			return err_set(e, ERR_NOTFOUND, "%s:%d: unknown key \"%.*s\" in [%.*s]",
			    name, lineno, (int)(kl > 64 ? 64 : kl), k, (int)slen, sect);
		if (c->line[i] != 0)
			return err_set(e, ERR_EXISTS, "%s:%d: %s.%s already set on line %d",
			    name, lineno, c->schema[i].section, c->schema[i].key, c->line[i]);
		if (vl >= sizeof(val))
			return err_set(e, ERR_RANGE, "%s:%d: value too long", name, lineno);
		memcpy(val, v, vl);
		val[vl] = '\0';
		if ((r = check_value(&c->schema[i], val, &why)) != 0) {
			if (c->schema[i].type == CONF_INT)
				return err_set(e, r, "%s:%d: %s.%s: %s (%ld to %ld)", name, lineno,
				    c->schema[i].section, c->schema[i].key, why,
				    c->schema[i].min, c->schema[i].max);
			return err_set(e, r, "%s:%d: %s.%s: %s", name, lineno,
			    c->schema[i].section, c->schema[i].key, why);
		}
		if ((r = store_value(c, i, val, lineno)) != 0)
			return err_set(e, r, "out of memory");
	}
	return 0;
}

int
conf_load(struct conf *c, const char *path, struct err *e)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int r;

	if (f == NULL)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	if ((buf = malloc(CONF_MAX_FILE + 1)) == NULL) {
		fclose(f);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	n = fread(buf, 1, CONF_MAX_FILE + 1, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return err_set(e, ERR_IO, "%s: read error", path);
	}
	fclose(f);
	r = conf_parse(c, path, buf, n, e);
	free(buf);
	return r;
}

int
conf_set(struct conf *c, const char *section, const char *key,
    const char *value, struct err *e)
{
	long i = find_key(c, section, strlen(section), key, strlen(key));
	const char *why;
	int r;

	if (i < 0)
		return err_set(e, ERR_NOTFOUND, "unknown key %s.%s", section, key);
	if ((r = check_value(&c->schema[i], value, &why)) != 0)
		return err_set(e, r, "%s.%s: %s", section, key, why);
	return store_value(c, i, value, c->line[i]);
}

static long
must_find(const struct conf *c, const char *section, const char *key)
{
	long i = find_key(c, section, strlen(section), key, strlen(key));

	if (i < 0) {
		fprintf(stderr, "BUG: config key %s.%s is not in the schema\n", section, key);
		abort();
	}
	return i;
}

const char *
conf_str(const struct conf *c, const char *section, const char *key)
{
	long i = must_find(c, section, key);

	if (c->val[i] != NULL)
		return c->val[i];
	return c->schema[i].def;
}

long
conf_int(const struct conf *c, const char *section, const char *key)
{
	const char *v = conf_str(c, section, key);

	return v != NULL ? strtol(v, NULL, 10) : 0;
}

int
conf_bool(const struct conf *c, const char *section, const char *key)
{
	const char *v = conf_str(c, section, key);

	return v != NULL && (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0);
}

int
conf_is_set(const struct conf *c, const char *section, const char *key)
{
	return c->val[must_find(c, section, key)] != NULL;
}

int
conf_line(const struct conf *c, const char *section, const char *key)
{
	return c->line[must_find(c, section, key)];
}
