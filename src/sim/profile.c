/*
 * profile.c — the simulator's card profile, data/cards/NAME.card:
 *
 *   # comment
 *   name = 山田 太郎
 *   birth = 19850412
 *   photo = faces/yamada.jp2     (relative to this file; or file:PATH,
 *                                 hex:0000000C6A50...)
 *   bad_digest = 1
 *
 * One `key = value` per line; unknown keys, repeated keys, bad values and
 * missing required keys are errors "NAME:LINE: reason".  Read through the
 * bounded reader; fuzzed by tests/fuzz/fuzz_sim_profile.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define BLOB_MAX 30000		/* leaves room in a 32767-byte EF */

enum kind { K_STR, K_INT, K_YMD, K_DIGITS, K_BLOB };

struct key {
	const char *name;
	enum kind kind;
	size_t off;		/* into struct sim_profile */
	size_t size;		/* K_STR/K_DIGITS: buffer; K_DIGITS: exact digit count = size-1 */
	long min, max;		/* K_INT */
	int required;
};

#define F(m) offsetof(struct sim_profile, m)
static const struct key keys[] = {
	{ "synth", K_STR, F(synth), sizeof(((struct sim_profile *)0)->synth), 0, 0, 0 },
	{ "name", K_STR, F(name), sizeof(((struct sim_profile *)0)->name), 0, 0, 1 },
	{ "address", K_STR, F(address), sizeof(((struct sim_profile *)0)->address), 0, 0, 1 },
	{ "birth", K_YMD, F(birth), 0, 0, 0, 1 },
	{ "sex", K_INT, F(sex), 0, 1, 9, 1 },
	{ "mynumber", K_DIGITS, F(mynumber), 13, 0, 0, 1 },
	{ "pin", K_DIGITS, F(pin), 5, 0, 0, 1 },
	{ "pin_tries", K_INT, F(pin_tries), 0, 0, 3, 0 },
	{ "expiry", K_YMD, F(expiry), 0, 0, 0, 1 },
	{ "security_code", K_DIGITS, F(code), 5, 0, 0, 1 },
	{ "b_tries", K_INT, F(b_tries), 0, 0, 10, 0 },
	{ "jpki_auth_tries", K_INT, F(jpki_auth_tries), 0, 0, 3, 0 },
	{ "jpki_sign_tries", K_INT, F(jpki_sign_tries), 0, 0, 5, 0 },
	{ "photo", K_BLOB, F(photo), F(photo_len), 0, 0, 0 },
	{ "name_image", K_BLOB, F(name_image), F(name_image_len), 0, 0, 0 },
	{ "address_image", K_BLOB, F(address_image), F(address_image_len), 0, 0, 0 },
	{ "cert", K_BLOB, F(cert), F(cert_len), 0, 0, 0 },
	{ "jpki", K_BLOB, F(jpki), F(jpki_len), 0, 0, 0 },
	{ "jpki_pin", K_DIGITS, F(jpki_pin), 5, 0, 0, 0 },
	{ "jpki_password", K_STR, F(jpki_password), sizeof(((struct sim_profile *)0)->jpki_password), 0, 0, 0 },
	{ "birth_seireki", K_INT, F(birth_seireki), 0, 0, 1, 0 },
	{ "chip_key", K_INT, F(chip_key), 0, 1, 4, 0 },
	{ "forged", K_INT, F(forged), 0, 0, 1, 0 },
	{ "clone", K_INT, F(clone), 0, 0, 1, 0 },
	{ "unknown_issuer", K_INT, F(unknown_issuer), 0, 0, 1, 0 },
	{ "bad_digest", K_INT, F(bad_digest), 0, 0, 1, 0 },
	{ "truncate", K_INT, F(truncate), 0, 0, 1, 0 },
	{ "garble", K_INT, F(garble), 0, 0, 1, 0 },
	{ "malformed", K_INT, F(malformed), 0, 0, 1, 0 },
	{ "slow_ms", K_INT, F(slow_ms), 0, 0, 10000, 0 },
	{ "remove_after", K_INT, F(remove_after), 0, 0, 100000, 0 },
	{ "extended", K_INT, F(extended), 0, 0, 1, 0 },
	{ "max_response", K_INT, F(max_response), 0, 64, 65536, 0 },
	{ "t0", K_INT, F(t0), 0, 0, 1, 0 },
	{ "ext_refused", K_INT, F(ext_refused), 0, 0, 1, 0 },
	{ NULL, 0, 0, 0, 0, 0, 0 }
};
#undef F

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

static int
parse_long(const char *s, size_t n, long *v)
{
	long x = 0;

	if (n == 0 || n > 9)
		return ERR_FORMAT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_FORMAT;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

static int
read_file_blob(const char *dir, const char *name, size_t n, uint8_t **out,
    size_t *outn, struct err *e)
{
	char path[4096];
	FILE *f;
	uint8_t *buf;
	size_t got;

	if (dir == NULL)
		return err_set(e, ERR_INVAL, "file: values are not allowed here");
	if (n == 0 || memchr(name, '\0', n) != NULL)
		return err_set(e, ERR_FORMAT, "empty file name");
	if (snprintf(path, sizeof(path), "%s/%.*s", dir, (int)n, name) >= (int)sizeof(path))
		return err_set(e, ERR_RANGE, "file name too long");
	if ((f = fopen(path, "rb")) == NULL)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	if ((buf = malloc(BLOB_MAX + 1)) == NULL) {
		fclose(f);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	got = fread(buf, 1, BLOB_MAX + 1, f);
	fclose(f);
	if (got == 0 || got > BLOB_MAX) {
		free(buf);
		return err_set(e, ERR_RANGE, "%s: empty or larger than %d bytes", path, BLOB_MAX);
	}
	*out = buf;
	*outn = got;
	return 0;
}

static int
set_value(struct sim_profile *p, const struct key *k, const char *v, size_t n,
    const char *dir, struct err *e)
{
	char *base = (char *)p;
	long x;
	struct date d;

	switch (k->kind) {
	case K_STR:
		if (n == 0 || n >= k->size || !utf8_valid(v, n) || memchr(v, '\0', n))
			return err_set(e, ERR_FORMAT, "%s: empty, too long or not UTF-8", k->name);
		memcpy(base + k->off, v, n);
		(base + k->off)[n] = '\0';
		return 0;
	case K_INT:
		if (parse_long(v, n, &x) != 0 || x < k->min || x > k->max)
			return err_set(e, ERR_RANGE, "%s: must be a number %ld..%ld",
			    k->name, k->min, k->max);
		if (strcmp(k->name, "sex") == 0 && x != 1 && x != 2 && x != 9)
			return err_set(e, ERR_RANGE, "sex: must be 1, 2 or 9 (ISO 5218)");
		*(int *)(void *)(base + k->off) = (int)x;
		return 0;
	case K_YMD:
		if (n != 8 || parse_long(v, n, &x) != 0 || date_from_ymd((int)x, &d) != 0)
			return err_set(e, ERR_FORMAT, "%s: must be a date YYYYMMDD", k->name);
		*(int *)(void *)(base + k->off) = (int)x;
		return 0;
	case K_DIGITS:
		if (n != k->size - 1 || parse_long(v, n > 9 ? 9 : n, &x) != 0 ||
		    (n > 9 && parse_long(v + 9, n - 9, &x) != 0))
			return err_set(e, ERR_FORMAT, "%s: must be %zu digits", k->name, k->size - 1);
		memcpy(base + k->off, v, n);
		(base + k->off)[n] = '\0';
		return 0;
	case K_BLOB: {
		uint8_t **blob = (uint8_t **)(void *)(base + k->off);
		size_t *blen = (size_t *)(void *)(base + k->size);
		int r;

		if (n > 5 && memcmp(v, "file:", 5) == 0)
			return read_file_blob(dir, v + 5, n - 5, blob, blen, e);
		if (n > 4 && memcmp(v, "hex:", 4) == 0) {
			if ((n - 4) / 2 > BLOB_MAX)
				return err_set(e, ERR_RANGE, "%s: too long", k->name);
			if ((*blob = malloc((n - 4) / 2 + 1)) == NULL)
				return err_set(e, ERR_NOMEM, "out of memory");
			if ((r = hex_decode(v + 4, n - 4, *blob, (n - 4) / 2 + 1)) <= 0) {
				free(*blob);
				*blob = NULL;
				return err_set(e, ERR_FORMAT, "%s: bad hex", k->name);
			}
			*blen = (size_t)r;
			return 0;
		}
		/* A bare value is a path relative to the profile file. */
		return read_file_blob(dir, v, n, blob, blen, e);
	}
	}
	return ERR_INVAL;
}

int
sim_profile_parse(const char *text, size_t n, const char *dir,
    struct sim_profile **out, struct err *e)
{
	struct sim_profile *p;
	struct rbuf b;
	const char *line, *eq;
	size_t len, lineno = 0;
	unsigned char seen[sizeof(keys) / sizeof(keys[0])];
	int r = 0;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	p->pin_tries = 3;
	p->b_tries = 10;
	p->jpki_auth_tries = 3;
	p->jpki_sign_tries = 5;
	p->extended = 1;
	p->max_response = 1024;
	memset(seen, 0, sizeof(seen));
	rbuf_init(&b, text, n);
	while (rbuf_get_line(&b, &line, &len) == 0) {
		const char *k, *v;
		size_t kn, vn;
		const struct key *key = NULL;

		lineno++;
		trim(&line, &len);
		if (len == 0 || line[0] == '#')
			continue;
		if ((eq = memchr(line, '=', len)) == NULL) {
			r = err_set(e, ERR_FORMAT, "line %zu: expected key = value", lineno);
			goto fail;
		}
		k = line;
		kn = (size_t)(eq - line);
		v = eq + 1;
		vn = len - kn - 1;
		trim(&k, &kn);
		trim(&v, &vn);
		for (size_t i = 0; keys[i].name != NULL; i++)
			if (strlen(keys[i].name) == kn && memcmp(keys[i].name, k, kn) == 0) {
				key = &keys[i];
				if (seen[i]++) {
					r = err_set(e, ERR_EXISTS, "line %zu: %s given twice",
					    lineno, key->name);
					goto fail;
				}
			}
		if (key == NULL) {
			r = err_set(e, ERR_FORMAT, "line %zu: unknown key \"%.*s\"", lineno,
			    (int)(kn > 40 ? 40 : kn), k);
			goto fail;
		}
		if ((r = set_value(p, key, v, vn, dir, e)) != 0) {
			err_prefix(e, "line %zu: ", lineno);
			goto fail;
		}
	}
	for (size_t i = 0; keys[i].name != NULL; i++)
		if (keys[i].required && !seen[i]) {
			r = err_set(e, ERR_FORMAT, "missing key \"%s\"", keys[i].name);
			goto fail;
		}
	*out = p;
	return 0;
fail:
	sim_profile_free(p);
	return r;
}

int
sim_profile_load(const char *path, struct sim_profile **out, struct err *e)
{
	char dir[4096], *slash;
	FILE *f;
	char *text;
	size_t n;
	int r;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	if ((text = malloc(65536)) == NULL) {
		fclose(f);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	n = fread(text, 1, 65536, f);
	fclose(f);
	if (n == 65536) {
		free(text);
		return err_set(e, ERR_RANGE, "%s: profile too large", path);
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	r = sim_profile_parse(text, n, dir, out, e);
	free(text);
	if (r == 0 && strlen(dir) + 6 <= sizeof((*out)->keydir)) {
		memcpy((*out)->keydir, dir, strlen(dir));
		memcpy((*out)->keydir + strlen(dir), "/keys", 6);
	}
	if (r != 0)
		err_prefix(e, "%s: ", path);
	return r;
}

void
sim_profile_free(struct sim_profile *p)
{
	if (p == NULL)
		return;
	free(p->photo);
	free(p->name_image);
	free(p->address_image);
	free(p->cert);
	if (p->jpki != NULL)
		mem_wipe(p->jpki, p->jpki_len);	/* test keys, but keys */
	free(p->jpki);
	mem_wipe(p, sizeof(*p));
	free(p);
}
