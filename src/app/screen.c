/*
 * screen.c — the screen-file parser (madoguchi-screen(5)).
 *
 * A screen file is outside input (an administrator edits it), so it is read
 * line by line through struct rbuf and every problem becomes an error
 * "file:line: reason" at start-up; nothing half-parsed is ever used.  All
 * structural rules (references to earlier fields, options of a select,
 * checks that fit the field type) are enforced here so that the form code
 * can rely on them.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "screen.h"

#define LINE_MAX_BYTES 1024

static const char *const type_names[] = {
	"text", "kana", "digits", "date", "select", "checkbox",
	"mynumber", "postal", "phone", "money", "year", "year-month"
};

const char *const screen_prefill_sources[] = {
	"card.name", "card.address", "card.birth", "card.sex", "card.mynumber",
	"person.name", "person.kana", "person.alias", "person.alias_kana",
	"person.birth", "person.sex", "person.postal", "person.address",
	"person.phone", "person.atena", "person.household", "person.head",
	"person.ward", "person.mynumber",
	"clerk.name", "today",
	NULL
};

const char *const screen_flag_names[] = {
	"review-board",
	NULL
};

int
screen_has_flag(const struct screen *s, const char *flag)
{
	for (int i = 0; i < s->nflags; i++)
		if (strcmp(s->flags[i], flag) == 0)
			return 1;
	return 0;
}

const char *
field_type_name(enum field_type t)
{
	if ((unsigned)t < sizeof(type_names) / sizeof(type_names[0]))
		return type_names[t];
	return "?";
}

int
field_type_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(type_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Default and largest length per type; 0 max = `length` not allowed. */
static void
type_lengths(enum field_type t, int *def, int *max)
{
	switch (t) {
	case FT_TEXT: *def = 40; *max = 256; break;
	case FT_KANA: *def = 40; *max = 256; break;
	case FT_DIGITS: *def = 20; *max = 64; break;
	case FT_MONEY: *def = 12; *max = 15; break;
	case FT_MYNUMBER: *def = 12; *max = 0; break;
	case FT_POSTAL: *def = 8; *max = 0; break;
	case FT_PHONE: *def = 13; *max = 0; break;
	default: *def = 0; *max = 0; break;
	}
}

struct parser {
	const char *name;
	int line;
	struct screen *s;
	struct field *cur;	/* field being declared, or NULL in the header */
	int cap;
	/* what the current field has been given, for "given twice" */
	int seen_label, seen_type, seen_required, seen_length, seen_options,
	    seen_when, seen_prefill, seen_attachment, seen_help, seen_lookup,
	    seen_sensitive;
	int seen_screen, seen_title, seen_procedure, seen_kana;
	struct err *e;
};

static int
perr(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
perr(struct parser *p, const char *fmt, ...)
{
	char buf[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return err_set(p->e, ERR_FORMAT, "%s:%d: %s", p->name, p->line, buf);
}

static int
valid_ident(const char *s, int dash)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SCREEN_ID_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		    (dash && c == '-')))
			return 0;
	}
	return 1;
}

static int
copy_text(struct parser *p, char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap)
		return perr(p, "text too long (max %zu bytes)", cap - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* Split "a b c" on blanks into at most max words (modifies s). */
static int
split_words(char *s, char **w, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(s, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	long v = 0;

	if (*s == '\0' || strlen(s) > 9)
		return -1;
	for (const char *q = s; *q; q++) {
		if (*q < '0' || *q > '9')
			return -1;
		v = v * 10 + (*q - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int
field_before(struct parser *p, const char *name)
{
	/* Only fields declared before the current one may be referred to, so
	 * that conditions and orders follow the order of entry and cannot loop. */
	for (int i = 0; i < p->s->nfields - 1; i++)
		if (strcmp(p->s->fields[i].name, name) == 0)
			return i;
	return -1;
}

static int
option_index(const struct field *f, const char *v)
{
	for (int i = 0; i < f->noptions; i++)
		if (strcmp(f->options[i], v) == 0)
			return i;
	return -1;
}

static int
end_field(struct parser *p)
{
	struct field *f = p->cur;
	int saved = p->line;

	if (f == NULL)
		return 0;
	p->line = f->line;
	if (!p->seen_label)
		return perr(p, "field \"%s\" has no label", f->name);
	if (!p->seen_type)
		return perr(p, "field \"%s\" has no type", f->name);
	if (f->type == FT_SELECT && f->noptions == 0)
		return perr(p, "field \"%s\": type select needs options", f->name);
	if (f->when.ref >= 0 && p->s->fields[f->when.ref].type == FT_SELECT &&
	    option_index(&p->s->fields[f->when.ref], f->when.value) < 0)
		return perr(p, "shows-when: \"%s\" is not an option of \"%s\"",
		    f->when.value, p->s->fields[f->when.ref].name);
	p->line = saved;
	p->cur = NULL;
	return 0;
}

static int
new_field(struct parser *p, const char *name)
{
	struct field *f;
	int r;

	if ((r = end_field(p)) != 0)
		return r;
	if (!valid_ident(name, 0))
		return perr(p, "bad field name \"%.60s\" (a-z, 0-9 and _, starting with a letter, "
		    "at most %d)", name, SCREEN_ID_MAX - 1);
	for (int i = 0; i < p->s->nfields; i++)
		if (strcmp(p->s->fields[i].name, name) == 0)
			return perr(p, "field \"%s\" declared twice (first on line %d)",
			    name, p->s->fields[i].line);
	if (p->s->nfields == SCREEN_FIELDS_MAX)
		return perr(p, "too many fields (max %d)", SCREEN_FIELDS_MAX);
	if (p->s->nfields == p->cap) {
		int ncap = p->cap ? p->cap * 2 : 8;
		struct field *nf = realloc(p->s->fields, (size_t)ncap * sizeof(*nf));
		if (nf == NULL)
			return err_set(p->e, ERR_NOMEM, "out of memory");
		p->s->fields = nf;
		p->cap = ncap;
	}
	f = &p->s->fields[p->s->nfields++];
	memset(f, 0, sizeof(*f));
	memcpy(f->name, name, strlen(name) + 1);
	f->when.ref = -1;
	f->line = p->line;
	p->cur = f;
	p->seen_label = p->seen_type = p->seen_required = p->seen_length = 0;
	p->seen_options = p->seen_when = p->seen_prefill = p->seen_attachment = 0;
	p->seen_lookup = 0;
	p->seen_sensitive = 0;
	p->seen_help = 0;
	return 0;
}

static int
once(struct parser *p, int *seen, const char *kw)
{
	if (*seen)
		return perr(p, "\"%s\" given twice for field \"%s\"", kw, p->cur->name);
	*seen = 1;
	return 0;
}

static int
need_type(struct parser *p, const char *kw)
{
	if (!p->seen_type)
		return perr(p, "\"%s\" must follow \"type\"", kw);
	return 0;
}

static int
kw_type(struct parser *p, char *v)
{
	struct field *f = p->cur;
	int t, def, max;

	if (once(p, &p->seen_type, "type") != 0)
		return ERR_FORMAT;
	if ((t = field_type_parse(v)) < 0)
		return perr(p, "unknown type \"%.40s\" (text, kana, digits, date, select, checkbox, "
		    "mynumber, postal, phone, money, year, year-month)", v);
	f->type = (enum field_type)t;
	type_lengths(f->type, &def, &max);
	f->max_len = def;
	return 0;
}

static int
kw_length(struct parser *p, char *v)
{
	struct field *f = p->cur;
	char *w[3];
	int n, def, max, lo = 0, hi;

	if (once(p, &p->seen_length, "length") != 0 || need_type(p, "length") != 0)
		return ERR_FORMAT;
	type_lengths(f->type, &def, &max);
	if (max == 0)
		return perr(p, "length does not apply to type %s", field_type_name(f->type));
	n = split_words(v, w, 2);
	if (n == 1 && parse_int(w[0], 1, max, &hi) == 0)
		;
	else if (n == 2 && parse_int(w[0], 0, max, &lo) == 0 &&
	    parse_int(w[1], 1, max, &hi) == 0) {
		if (lo > hi)
			return perr(p, "length: minimum %d is greater than maximum %d", lo, hi);
	} else
		return perr(p, "length: expected MAX or MIN MAX, numbers up to %d", max);
	f->min_len = lo;
	f->max_len = hi;
	return 0;
}

static int
kw_options(struct parser *p, char *v)
{
	struct field *f = p->cur;
	char *save = NULL;

	if (once(p, &p->seen_options, "options") != 0 || need_type(p, "options") != 0)
		return ERR_FORMAT;
	if (f->type != FT_SELECT)
		return perr(p, "options apply only to type select");
	/* a leading, trailing or doubled '|' is an empty option, which
	 * strtok would silently skip */
	if (v[0] == '|' || v[strlen(v) - 1] == '|' || strstr(v, "||") != NULL)
		return perr(p, "options: empty option");
	for (char *t = strtok_r(v, "|", &save); t != NULL; t = strtok_r(NULL, "|", &save)) {
		char *o = trim(t);
		if (*o == '\0')
			return perr(p, "options: empty option");
		if (f->noptions == SCREEN_OPTIONS_MAX)
			return perr(p, "options: too many (max %d)", SCREEN_OPTIONS_MAX);
		if (strlen(o) >= SCREEN_OPTION_MAX)
			return perr(p, "options: option too long (max %d bytes)", SCREEN_OPTION_MAX - 1);
		if (option_index(f, o) >= 0)
			return perr(p, "options: \"%s\" given twice", o);
		memcpy(f->options[f->noptions++], o, strlen(o) + 1);
	}
	return 0;
}

/* One condition "FIELD = VALUE" or "FIELD != VALUE" (modifies v). */
static int
parse_cond(struct parser *p, char *v, struct field_cond *c)
{
	const struct field *ref;
	char *op, *name, *val;
	int i;

	if ((op = strstr(v, "!=")) != NULL) {
		c->op = '!';
		*op = '\0';
		val = op + 2;
	} else if ((op = strchr(v, '=')) != NULL) {
		c->op = '=';
		*op = '\0';
		val = op + 1;
	} else
		return perr(p, "shows-when: expected FIELD = VALUE or FIELD != VALUE");
	name = trim(v);
	val = trim(val);
	if (*name == '\0' || *val == '\0')
		return perr(p, "shows-when: expected FIELD = VALUE or FIELD != VALUE");
	if ((i = field_before(p, name)) < 0)
		return perr(p, "shows-when: no field \"%.60s\" declared before this one", name);
	ref = &p->s->fields[i];
	if (strlen(val) >= SCREEN_OPTION_MAX)
		return perr(p, "shows-when: value too long (max %d bytes)", SCREEN_OPTION_MAX - 1);
	if (ref->type == FT_CHECKBOX && strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
		return perr(p, "shows-when: checkbox \"%s\" is compared with on or off", ref->name);
	if (ref->type == FT_SELECT && option_index(ref, val) < 0)
		return perr(p, "shows-when: \"%s\" is not an option of \"%s\"", val, ref->name);
	c->ref = i;
	memcpy(c->value, val, strlen(val) + 1);
	return 0;
}

static int
kw_when(struct parser *p, char *v)
{
	struct field *f = p->cur;
	char *part = v, *sep;
	int n = 0;

	if (once(p, &p->seen_when, "shows-when") != 0)
		return ERR_FORMAT;
	if (strncmp(v, "or ", 3) == 0 ||
	    (strlen(v) >= 3 && strcmp(v + strlen(v) - 3, " or") == 0))
		return perr(p, "shows-when: expected FIELD = VALUE or FIELD != VALUE");
	/* "A = x or B = y": alternatives, split on the word "or" between
	 * blanks (an option text containing " or " cannot be named here) */
	for (;;) {
		struct field_cond *c;
		sep = strstr(part, " or ");
		if (sep != NULL)
			*sep = '\0';
		if (n == SCREEN_WHEN_MAX)
			return perr(p, "shows-when: too many alternatives (max %d)", SCREEN_WHEN_MAX);
		c = n == 0 ? &f->when : &f->when_or[n - 1];
		if (parse_cond(p, part, c) != 0)
			return ERR_FORMAT;
		n++;
		if (sep == NULL)
			break;
		part = sep + 4;
	}
	f->nwhen_or = n - 1;
	return 0;
}

static int
kw_prefill(struct parser *p, char *v)
{
	if (once(p, &p->seen_prefill, "prefill") != 0)
		return ERR_FORMAT;
	for (int i = 0; screen_prefill_sources[i] != NULL; i++) {
		if (strcmp(screen_prefill_sources[i], v) == 0) {
			memcpy(p->cur->prefill, v, strlen(v) + 1);
			return 0;
		}
	}
	return perr(p, "unknown prefill source \"%.60s\" (see madoguchi-screen(5))", v);
}

/* "lookup bank", "lookup branch BANK_FIELD", "lookup postal ADDRESS_FIELD"
 * (issue 19); the field named is resolved when the file has been read. */
static int
kw_lookup(struct parser *p, char *v)
{
	struct field *f = p->cur;
	char *arg;

	if (once(p, &p->seen_lookup, "lookup") != 0 || need_type(p, "lookup") != 0)
		return ERR_FORMAT;
	arg = v + strcspn(v, " \t");
	if (*arg != '\0')
		*arg++ = '\0';
	arg = trim(arg);
	if (strcmp(v, "bank") == 0) {
		if (*arg != '\0')
			return perr(p, "lookup bank takes no field");
		if (f->type != FT_DIGITS)
			return perr(p, "lookup bank applies only to type digits");
		f->lookup = FL_BANK;
		return 0;
	}
	if (strcmp(v, "branch") == 0 || strcmp(v, "postal") == 0) {
		int branch = v[0] == 'b';

		if (branch ? f->type != FT_DIGITS : f->type != FT_POSTAL)
			return perr(p, "lookup %s applies only to type %s", v,
			    branch ? "digits" : "postal");
		if (!valid_ident(arg, 0))
			return perr(p, "lookup %s: expected the name of the %s field", v,
			    branch ? "bank code" : "address");
		f->lookup = branch ? FL_BRANCH : FL_POSTAL;
		memcpy(f->lookup_name, arg, strlen(arg) + 1);
		return 0;
	}
	return perr(p, "lookup: expected bank, branch FIELD or postal FIELD");
}

/* After the last field: the fields that lookups name. */
static int
lookup_resolve(struct parser *p)
{
	for (int i = 0; i < p->s->nfields; i++) {
		struct field *f = &p->s->fields[i];
		int j;

		if (f->lookup != FL_BRANCH && f->lookup != FL_POSTAL)
			continue;
		p->line = f->line;
		if ((j = screen_field(p->s, f->lookup_name)) < 0 || j == i)
			return perr(p, "lookup: no field \"%s\"", f->lookup_name);
		if (f->lookup == FL_BRANCH && p->s->fields[j].lookup != FL_BANK)
			return perr(p, "lookup branch: field \"%s\" is not a lookup bank field",
			    f->lookup_name);
		if (f->lookup == FL_POSTAL && p->s->fields[j].type != FT_TEXT)
			return perr(p, "lookup postal: field \"%s\" is not of type text",
			    f->lookup_name);
		f->lookup_ref = j;
	}
	return 0;
}

static int
kw_check(struct parser *p, char *v)
{
	struct field *f = p->cur;
	struct field_check *c;
	char *w[4], *rest;
	int n, rc;

	if (need_type(p, "check") != 0)
		return ERR_FORMAT;
	if (f->nchecks == SCREEN_CHECKS_MAX)
		return perr(p, "too many checks for field \"%s\" (max %d)", f->name, SCREEN_CHECKS_MAX);
	c = &f->checks[f->nchecks];
	memset(c, 0, sizeof(*c));
	c->ref = -1;
	/* the regex keeps its blanks: split off only the first word */
	rest = v + strcspn(v, " \t");
	if (*rest != '\0')
		*rest++ = '\0';
	rest = trim(rest);
	if (strcmp(v, "regex") == 0) {
		if (f->type == FT_DATE || f->type == FT_SELECT || f->type == FT_CHECKBOX ||
		    f->type == FT_YEAR || f->type == FT_YEARMONTH)
			return perr(p, "check regex does not apply to type %s", field_type_name(f->type));
		if (*rest == '\0')
			return perr(p, "check regex: expected a pattern");
		if (strlen(rest) >= sizeof(c->src))
			return perr(p, "check regex: pattern too long (max %zu bytes)", sizeof(c->src) - 1);
		if ((rc = regcomp(&c->re, rest, REG_EXTENDED | REG_NOSUB)) != 0) {
			char msg[128];
			regerror(rc, &c->re, msg, sizeof(msg));
			return perr(p, "check regex: %s", msg);
		}
		c->kind = CK_REGEX;
		memcpy(c->src, rest, strlen(rest) + 1);
		f->nchecks++;
		return 0;
	}
	if (strcmp(v, "age") == 0 || strcmp(v, "age-fiscal") == 0) {
		c->kind = v[3] == '\0' ? CK_AGE : CK_AGE_FISCAL;
		if (f->type != FT_DATE)
			return perr(p, "check %s applies only to type date", v);
		n = split_words(rest, w, 2);
		if (n != 2 || parse_int(w[0], 0, 150, &c->a) != 0 ||
		    parse_int(w[1], 0, 150, &c->b) != 0)
			return perr(p, "check %s: expected MIN MAX, years 0-150", v);
		if (c->a > c->b)
			return perr(p, "check %s: minimum %d is greater than maximum %d", v, c->a, c->b);
		f->nchecks++;
		return 0;
	}
	if (strcmp(v, "not-before") == 0 || strcmp(v, "not-after") == 0) {
		c->kind = v[4] == 'b' ? CK_NOT_BEFORE : CK_NOT_AFTER;
		if (f->type != FT_DATE && f->type != FT_YEAR && f->type != FT_YEARMONTH)
			return perr(p, "check %s applies only to types date, year and year-month", v);
		n = split_words(rest, w, 1);
		if (n != 1)
			return perr(p, "check %s: expected a date field or today", v);
		if (strcmp(w[0], "today") == 0)
			c->ref = -1;
		else if (f->type != FT_DATE)
			return perr(p, "check %s: a year or year-month field is compared with today only", v);
		else if ((c->ref = field_before(p, w[0])) < 0 ||
		    p->s->fields[c->ref].type != FT_DATE)
			return perr(p, "check %s: \"%.60s\" is not a date field declared before this one",
			    v, w[0]);
		f->nchecks++;
		return 0;
	}
	if (strcmp(v, "insurer-number") == 0) {
		/* 保険者番号: the 検証番号 rule of 厚生労働省「保険者番号等の設定
		 * について」(保険者番号設定要領), checked in form.c */
		if (f->type != FT_DIGITS)
			return perr(p, "check insurer-number applies only to type digits");
		if (*rest != '\0')
			return perr(p, "check insurer-number takes no value");
		c->kind = CK_INSURER;
		f->nchecks++;
		return 0;
	}
	if (strcmp(v, "option-needs") == 0) {
		/* "check option-needs OPTION : FIELD = VALUE": this select's
		 * OPTION is refused unless the condition holds (身体障害者手帳
		 * with 療育手帳Ⓐ is impossible) */
		char *colon = strstr(rest, " : "), *opt;
		if (f->type != FT_SELECT)
			return perr(p, "check option-needs applies only to type select");
		if (colon == NULL)
			return perr(p, "check option-needs: expected OPTION : FIELD = VALUE");
		*colon = '\0';
		opt = trim(rest);
		if (option_index(f, opt) < 0)
			return perr(p, "check option-needs: \"%.60s\" is not an option of \"%s\" "
			    "(give the options first)", opt, f->name);
		memcpy(c->src, opt, strlen(opt) + 1);
		if (parse_cond(p, colon + 3, &c->cond) != 0)
			return ERR_FORMAT;
		c->kind = CK_OPTION_NEEDS;
		f->nchecks++;
		return 0;
	}
	return perr(p, "unknown check \"%.40s\" (age, age-fiscal, regex, not-before, not-after, "
	    "insurer-number, option-needs)", v);
}

/* "suggest ID [age MIN-MAX] [sex 1|2]" (issue 19).  The ID need not be
 * loaded: a suggestion of a screen the set lacks is never shown. */
static int
kw_suggest(struct parser *p, char *v)
{
	struct screen *s = p->s;
	struct screen_suggest *g;
	char *save = NULL, *w;

	if (s->nsuggest == SCREEN_SUGGEST_MAX)
		return perr(p, "too many suggest lines (max %d)", SCREEN_SUGGEST_MAX);
	g = &s->suggest[s->nsuggest];
	memset(g, 0, sizeof(*g));
	g->age_min = g->age_max = -1;
	w = strtok_r(v, " \t", &save);
	if (w == NULL || !valid_ident(w, 1))
		return perr(p, "bad screen id in suggest \"%.60s\"", w != NULL ? w : "");
	memcpy(g->id, w, strlen(w) + 1);
	while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
		char *a = strtok_r(NULL, " \t", &save);
		int lo, hi, n = 0;
		if (a == NULL)
			return perr(p, "suggest: \"%.20s\" needs a value", w);
		if (strcmp(w, "age") == 0) {
			if (sscanf(a, "%d-%d%n", &lo, &hi, &n) != 2 || a[n] != '\0' || lo < 0 ||
			    hi < lo || hi > 150)
				return perr(p, "suggest: age wants MIN-MAX (0-150), not \"%.20s\"", a);
			g->age_min = lo;
			g->age_max = hi;
		} else if (strcmp(w, "sex") == 0) {
			if (strcmp(a, "1") != 0 && strcmp(a, "2") != 0)
				return perr(p, "suggest: sex wants 1 or 2, not \"%.20s\"", a);
			g->sex = a[0] - '0';
		} else
			return perr(p, "suggest: unknown condition \"%.20s\" (age, sex)", w);
	}
	s->nsuggest++;
	return 0;
}

static int
kw_header(struct parser *p, const char *kw, char *v)
{
	struct screen *s = p->s;

	if (p->cur != NULL || s->nfields > 0)
		return perr(p, "\"%s\" belongs before the first field", kw);
	if (strcmp(kw, "screen") == 0) {
		if (p->seen_screen)
			return perr(p, "\"screen\" given twice");
		if (!valid_ident(v, 1))
			return perr(p, "bad screen id \"%.60s\" (a-z, 0-9, _ and -, starting with a "
			    "letter, at most %d)", v, SCREEN_ID_MAX - 1);
		p->seen_screen = 1;
		memcpy(s->id, v, strlen(v) + 1);
		return 0;
	}
	if (!p->seen_screen)
		return perr(p, "the file must start with \"screen ID\"");
	if (strcmp(kw, "title") == 0) {
		if (p->seen_title)
			return perr(p, "\"title\" given twice");
		p->seen_title = 1;
		return copy_text(p, s->title, sizeof(s->title), v);
	}
	if (strcmp(kw, "procedure") == 0) {
		if (p->seen_procedure)
			return perr(p, "\"procedure\" given twice");
		if (!valid_ident(v, 1))
			return perr(p, "bad procedure \"%.60s\" (a-z, 0-9, _ and -, starting with a "
			    "letter, at most %d)", v, SCREEN_ID_MAX - 1);
		p->seen_procedure = 1;
		memcpy(s->procedure, v, strlen(v) + 1);
		return 0;
	}
	if (strcmp(kw, "kana") == 0) {
		if (p->seen_kana)
			return perr(p, "\"kana\" given twice");
		p->seen_kana = 1;
		return copy_text(p, s->kana, sizeof(s->kana), v);
	}
	if (strcmp(kw, "suggest") == 0)
		return kw_suggest(p, v);
	if (strcmp(kw, "flag") == 0) {
		int known = 0;
		for (int i = 0; screen_flag_names[i] != NULL; i++)
			if (strcmp(screen_flag_names[i], v) == 0)
				known = 1;
		if (!known)
			return perr(p, "unknown flag \"%.60s\" (see madoguchi-screen(5))", v);
		if (screen_has_flag(s, v))
			return perr(p, "flag \"%s\" given twice", v);
		if (s->nflags == SCREEN_FLAGS_MAX)
			return perr(p, "too many flags (max %d)", SCREEN_FLAGS_MAX);
		memcpy(s->flags[s->nflags++], v, strlen(v) + 1);
		return 0;
	}
	/* purpose: each line adds one line of the notice */
	if (strlen(s->purpose) + strlen(v) + 2 > sizeof(s->purpose))
		return perr(p, "purpose too long (max %zu bytes in all)", sizeof(s->purpose) - 1);
	{
		size_t at = strlen(s->purpose);
		snprintf(s->purpose + at, sizeof(s->purpose) - at, "%s%s",
		    at > 0 ? "\n" : "", v);
	}
	return 0;
}

static int
parse_line(struct parser *p, const char *line, size_t n)
{
	char buf[LINE_MAX_BYTES + 1], *kw, *v;
	size_t i;

	if (n > LINE_MAX_BYTES)
		return perr(p, "line too long (max %d bytes)", LINE_MAX_BYTES);
	if (!utf8_valid(line, n))
		return perr(p, "invalid UTF-8");
	for (i = 0; i < n; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
			return perr(p, "control character in line");
	memcpy(buf, line, n);
	buf[n] = '\0';
	kw = trim(buf);
	if (*kw == '\0' || *kw == '#')
		return 0;
	v = kw + strcspn(kw, " \t");
	if (*v != '\0')
		*v++ = '\0';
	v = trim(v);

	if (strcmp(kw, "required") == 0) {
		if (p->cur == NULL)
			return perr(p, "\"required\" outside a field");
		if (*v != '\0')
			return perr(p, "\"required\" takes no value");
		return once(p, &p->seen_required, "required") != 0 ? ERR_FORMAT :
		    (p->cur->required = 1, 0);
	}
	if (strcmp(kw, "sensitive") == 0) {
		/* 要配慮個人情報 (DATA-5, issue 14): masked without the right */
		if (p->cur == NULL)
			return perr(p, "\"sensitive\" outside a field");
		if (*v != '\0')
			return perr(p, "\"sensitive\" takes no value");
		return once(p, &p->seen_sensitive, "sensitive") != 0 ? ERR_FORMAT :
		    (p->cur->sensitive = 1, 0);
	}
	if (strcmp(kw, "attachment") == 0) {
		/* a checkbox of the 添付書類 checklist: "required" makes the
		 * document mandatory, shows-when makes it conditional */
		if (p->cur == NULL)
			return perr(p, "\"attachment\" outside a field");
		if (*v != '\0')
			return perr(p, "\"attachment\" takes no value");
		if (once(p, &p->seen_attachment, "attachment") != 0 ||
		    need_type(p, "attachment") != 0)
			return ERR_FORMAT;
		if (p->cur->type != FT_CHECKBOX)
			return perr(p, "attachment applies only to type checkbox");
		p->cur->attachment = 1;
		return 0;
	}
	if (strcmp(kw, "screen") != 0 && strcmp(kw, "title") != 0 &&
	    strcmp(kw, "procedure") != 0 && strcmp(kw, "purpose") != 0 &&
	    strcmp(kw, "kana") != 0 && strcmp(kw, "suggest") != 0 &&
	    strcmp(kw, "flag") != 0 && strcmp(kw, "field") != 0 &&
	    strcmp(kw, "label") != 0 && strcmp(kw, "help") != 0 &&
	    strcmp(kw, "type") != 0 && strcmp(kw, "length") != 0 &&
	    strcmp(kw, "options") != 0 && strcmp(kw, "shows-when") != 0 &&
	    strcmp(kw, "prefill") != 0 && strcmp(kw, "check") != 0 &&
	    strcmp(kw, "lookup") != 0)
		return perr(p, "unknown keyword \"%.40s\"", kw);
	if (*v == '\0')
		return perr(p, "\"%s\" needs a value", kw);
	if (strcmp(kw, "screen") == 0 || strcmp(kw, "title") == 0 ||
	    strcmp(kw, "procedure") == 0 || strcmp(kw, "purpose") == 0 ||
	    strcmp(kw, "flag") == 0 || strcmp(kw, "kana") == 0 ||
	    strcmp(kw, "suggest") == 0)
		return kw_header(p, kw, v);
	if (!p->seen_screen)
		return perr(p, "the file must start with \"screen ID\"");
	if (strcmp(kw, "field") == 0)
		return new_field(p, v);
	if (p->cur == NULL)
		return perr(p, "\"%s\" outside a field", kw);
	if (strcmp(kw, "label") == 0)
		return once(p, &p->seen_label, "label") != 0 ? ERR_FORMAT :
		    copy_text(p, p->cur->label, sizeof(p->cur->label), v);
	if (strcmp(kw, "help") == 0)
		return once(p, &p->seen_help, "help") != 0 ? ERR_FORMAT :
		    copy_text(p, p->cur->help, sizeof(p->cur->help), v);
	if (strcmp(kw, "type") == 0)
		return kw_type(p, v);
	if (strcmp(kw, "length") == 0)
		return kw_length(p, v);
	if (strcmp(kw, "options") == 0)
		return kw_options(p, v);
	if (strcmp(kw, "shows-when") == 0)
		return kw_when(p, v);
	if (strcmp(kw, "prefill") == 0)
		return kw_prefill(p, v);
	if (strcmp(kw, "lookup") == 0)
		return kw_lookup(p, v);
	return kw_check(p, v);
}

int
screen_parse(const char *name, const void *text, size_t n, struct screen **out,
    struct err *e)
{
	struct parser p;
	struct rbuf b;
	const char *line;
	size_t len;
	int r = 0;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.e = e;
	if (n > SCREEN_FILE_MAX)
		return perr(&p, "file larger than %d bytes", SCREEN_FILE_MAX);
	if ((p.s = calloc(1, sizeof(*p.s))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	snprintf(p.s->file, sizeof(p.s->file), "%s", name);
	rbuf_init(&b, text, n);
	while (rbuf_get_line(&b, &line, &len) == 0) {
		p.line++;
		if (memchr(line, '\0', len) != NULL) {
			r = perr(&p, "NUL byte in line");
			break;
		}
		if ((r = parse_line(&p, line, len)) != 0)
			break;
	}
	if (r == 0)
		r = end_field(&p);
	if (r == 0)
		r = lookup_resolve(&p);
	if (r == 0) {
		p.line = 0;
		if (!p.seen_screen)
			r = perr(&p, "missing \"screen\"");
		else if (!p.seen_title)
			r = perr(&p, "missing \"title\"");
		else if (!p.seen_procedure)
			r = perr(&p, "missing \"procedure\"");
		else if (p.s->nfields == 0)
			r = perr(&p, "no fields");
	}
	if (r != 0) {
		/* a check being declared may hold a compiled regex already
		 * counted; screen_free releases exactly nchecks of them */
		screen_free(p.s);
		return r;
	}
	*out = p.s;
	return 0;
}

void
screen_free(struct screen *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nfields; i++)
		for (int j = 0; j < s->fields[i].nchecks; j++)
			if (s->fields[i].checks[j].kind == CK_REGEX)
				regfree(&s->fields[i].checks[j].re);
	free(s->fields);
	free(s);
}

int
screen_field(const struct screen *s, const char *name)
{
	for (int i = 0; i < s->nfields; i++)
		if (strcmp(s->fields[i].name, name) == 0)
			return i;
	return -1;
}

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

int
screen_load(const char *path, struct screen **out, struct err *e)
{
	struct stat st;
	char *buf;
	ssize_t got;
	size_t off = 0;
	int fd, r;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, ERR_IO, "%s:0: cannot open: %s", base_name(path), strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_IO, "%s:0: not a regular file", base_name(path));
	}
	if (st.st_size > SCREEN_FILE_MAX) {
		close(fd);
		return err_set(e, ERR_FORMAT, "%s:0: file larger than %d bytes",
		    base_name(path), SCREEN_FILE_MAX);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	while (off < (size_t)st.st_size) {
		got = read(fd, buf + off, (size_t)st.st_size - off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		off += (size_t)got;
	}
	close(fd);
	r = screen_parse(base_name(path), buf, off, out, e);
	free(buf);
	return r;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
screen_set_load(const char *dir, struct screen_set **out, struct err *e)
{
	struct screen_set *set;
	DIR *d;
	struct dirent *de;
	char **names = NULL, path[4096];
	int nn = 0, cap = 0, r = 0;

	*out = NULL;
	if ((d = opendir(dir)) == NULL)
		return err_set(e, ERR_IO, "%s: cannot open screen directory: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 8 || strcmp(de->d_name + l - 7, ".screen") != 0)
			continue;
		if (nn == cap) {
			char **nw = realloc(names, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*nw));
			if (nw == NULL) {
				r = err_set(e, ERR_NOMEM, "out of memory");
				break;
			}
			names = nw;
		}
		if ((names[nn] = strdup(de->d_name)) == NULL) {
			r = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		nn++;
	}
	closedir(d);
	if (r == 0 && (set = calloc(1, sizeof(*set))) == NULL)
		r = err_set(e, ERR_NOMEM, "out of memory");
	if (r == 0 && nn > 0 && (set->s = calloc((size_t)nn, sizeof(*set->s))) == NULL) {
		free(set);
		r = err_set(e, ERR_NOMEM, "out of memory");
	}
	if (r == 0) {
		if (nn > 1)
			qsort(names, (size_t)nn, sizeof(*names), by_name);
		for (int i = 0; i < nn && r == 0; i++) {
			struct screen *s;
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if ((r = screen_load(path, &s, e)) != 0)
				break;
			if (screen_set_find(set, s->id) != NULL) {
				r = err_set(e, ERR_FORMAT, "%s:0: screen id \"%s\" already used by %s",
				    names[i], s->id, screen_set_find(set, s->id)->file);
				screen_free(s);
				break;
			}
			set->s[set->n++] = s;
		}
		if (r != 0)
			screen_set_free(set);
		else
			*out = set;
	}
	for (int i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	return r;
}

void
screen_set_free(struct screen_set *set)
{
	if (set == NULL)
		return;
	for (int i = 0; i < set->n; i++)
		screen_free(set->s[i]);
	free(set->s);
	free(set);
}

const struct screen *
screen_set_find(const struct screen_set *set, const char *id)
{
	for (int i = 0; i < set->n; i++)
		if (strcmp(set->s[i]->id, id) == 0)
			return set->s[i];
	return NULL;
}
