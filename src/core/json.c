/*
 * json.c — a small strict JSON (RFC 8259) reader and a string writer.
 *
 * Used for form values, export files and sync messages, i.e. bytes that
 * come from outside, so the reader is strict and bounded:
 *   - only the RFC grammar: no comments, no trailing commas, no NaN, no
 *     leading zeros or '+', no single quotes, no bare control characters;
 *   - input at most JSON_MAX_SIZE bytes, nesting at most JSON_MAX_DEPTH,
 *     at most JSON_MAX_NODES values (a bound on memory per input byte);
 *   - strings must be valid UTF-8; \u escapes are decoded to UTF-8, a
 *     surrogate pair to one code point, a lone surrogate is an error;
 *   - duplicate member names in one object are an error (RFC 8259 leaves
 *     them undefined; two different readers could disagree on the value);
 *   - member names may not contain U+0000 (they are C strings); string
 *     values may, and str/slen carry it.
 * Everything goes through struct rbuf; a failed parse frees what it built.
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define JSON_MAX_SIZE	(16u << 20)
#define JSON_MAX_DEPTH	64
#define JSON_MAX_NODES	(1u << 20)
#define JSON_MAX_NUMBER	512	/* characters in one number literal */

struct parser {
	struct rbuf b;
	int depth;
	size_t nodes;
	struct err *e;
};

static int
fail(struct parser *p, int code, const char *what)
{
	return err_set(p->e, code, "JSON: %s at offset %zu", what, p->b.off);
}

static int
peek(const struct parser *p)
{
	return rbuf_left(&p->b) > 0 ? *rbuf_cur(&p->b) : -1;
}

static void
skip_ws(struct parser *p)
{
	int c;

	while ((c = peek(p)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		rbuf_skip(&p->b, 1);
}

static struct json *
node_new(struct parser *p, enum json_type t)
{
	struct json *j;

	if (p->nodes >= JSON_MAX_NODES) {
		fail(p, ERR_RANGE, "too many values");
		return NULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		fail(p, ERR_NOMEM, "out of memory");
		return NULL;
	}
	p->nodes++;
	j->type = t;
	return j;
}

void
json_free(struct json *j)
{
	while (j != NULL) {
		struct json *next = j->next;
		json_free(j->child);	/* depth is bounded by the parser */
		/* form values and change bodies carry personal data, the
		 * 個人番号 included (STYLE: wipe on every path out) */
		if (j->str != NULL)
			mem_wipe(j->str, j->slen);
		free(j->str);
		free(j->key);
		free(j);
		j = next;
	}
}

static int
hex4(struct parser *p, uint32_t *v)
{
	uint8_t c;

	*v = 0;
	for (int i = 0; i < 4; i++) {
		if (rbuf_get_u8(&p->b, &c) != 0)
			return fail(p, ERR_SHORT, "truncated \\u escape");
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return fail(p, ERR_FORMAT, "bad hex digit in \\u escape");
	}
	return 0;
}

/* A string after its opening quote, decoded into a malloc'd NUL-terminated
 * buffer.  The decoded form is never longer than the source. */
static int
parse_string(struct parser *p, char **out, size_t *outlen)
{
	const uint8_t *q = rbuf_cur(&p->b);
	size_t left = rbuf_left(&p->b), cap = 0, o = 0;
	char *s;
	uint8_t c;
	int r;

	/* Size the buffer by the source bytes up to the closing quote (the
	 * decoded form is never longer): sizing by what is left of the input
	 * would make a document of many strings quadratic. */
	while (cap < left && q[cap] != '"')
		cap += q[cap] == '\\' ? 2 : 1;
	if (cap > left)
		cap = left;
	/* +4: room for one more code point and the NUL, so that the guard in
	 * the loop below holds even if the scan and the decoder disagreed. */
	if ((s = malloc(cap + 5)) == NULL)
		return fail(p, ERR_NOMEM, "out of memory");
	for (;;) {
		if (rbuf_get_u8(&p->b, &c) != 0) {
			r = fail(p, ERR_SHORT, "unterminated string");
			goto bad;
		}
		if (c == '"')
			break;
		if (o > cap) {
			/* Cannot happen (see above); refuse rather than overrun. */
			r = fail(p, ERR_FORMAT, "string longer than scanned");
			goto bad;
		}
		if (c < 0x20) {
			r = fail(p, ERR_FORMAT, "control character in string");
			goto bad;
		}
		if (c == '\\') {
			uint32_t cp, lo;
			char enc[4];
			int l;

			if (rbuf_get_u8(&p->b, &c) != 0) {
				r = fail(p, ERR_SHORT, "unterminated string");
				goto bad;
			}
			switch (c) {
			case '"': case '\\': case '/':
				s[o++] = (char)c;
				continue;
			case 'b': s[o++] = '\b'; continue;
			case 'f': s[o++] = '\f'; continue;
			case 'n': s[o++] = '\n'; continue;
			case 'r': s[o++] = '\r'; continue;
			case 't': s[o++] = '\t'; continue;
			case 'u':
				break;
			default:
				r = fail(p, ERR_FORMAT, "unknown escape in string");
				goto bad;
			}
			if ((r = hex4(p, &cp)) != 0)
				goto bad;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				r = fail(p, ERR_FORMAT, "lone low surrogate escape");
				goto bad;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* 12 source bytes (\uD83D\uDE00) become 4. */
				if (!(rbuf_left(&p->b) >= 2 && rbuf_cur(&p->b)[0] == '\\' &&
				    rbuf_cur(&p->b)[1] == 'u')) {
					r = fail(p, ERR_FORMAT, "high surrogate escape without a low one");
					goto bad;
				}
				rbuf_skip(&p->b, 2);
				if ((r = hex4(p, &lo)) != 0)
					goto bad;
				if (lo < 0xdc00 || lo > 0xdfff) {
					r = fail(p, ERR_FORMAT, "high surrogate escape without a low one");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			/* \uXXXX is 6 bytes and encodes to at most 3. */
			l = utf8_encode(cp, enc);
			memcpy(s + o, enc, (size_t)l);
			o += (size_t)l;
			continue;
		}
		if (c < 0x80) {
			s[o++] = (char)c;
			continue;
		}
		/* Raw multi-byte UTF-8: validate and copy. */
		{
			uint32_t cp;
			const uint8_t *u = rbuf_cur(&p->b) - 1;
			int l = utf8_decode((const char *)u, rbuf_left(&p->b) + 1, &cp);
			if (l < 0) {
				p->b.off--;	/* point the message at the bad byte */
				r = fail(p, ERR_FORMAT, "invalid UTF-8 in string");
				goto bad;
			}
			memcpy(s + o, u, (size_t)l);
			o += (size_t)l;
			rbuf_skip(&p->b, (size_t)l - 1);
		}
	}
	s[o] = '\0';
	*out = s;
	*outlen = o;
	return 0;
bad:
	mem_wipe(s, cap + 5);	/* string values may be personal data */
	free(s);
	return r;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
parse_number(struct parser *p, double *v)
{
	const uint8_t *start = rbuf_cur(&p->b);
	char buf[JSON_MAX_NUMBER + 1];
	size_t n;
	int simple = 1, c;
	locale_t cloc;
	char *end;

#define DIGIT(x) ((x) >= '0' && (x) <= '9')
	if (peek(p) == '-')
		rbuf_skip(&p->b, 1);
	if (peek(p) == '0') {
		rbuf_skip(&p->b, 1);
		if (DIGIT(peek(p)))
			return fail(p, ERR_FORMAT, "leading zero in number");
	} else if (DIGIT(peek(p))) {
		while (DIGIT(peek(p)))
			rbuf_skip(&p->b, 1);
	} else
		return fail(p, ERR_FORMAT, "bad number");
	if (peek(p) == '.') {
		simple = 0;
		rbuf_skip(&p->b, 1);
		if (!DIGIT(peek(p)))
			return fail(p, ERR_FORMAT, "no digits after decimal point");
		while (DIGIT(peek(p)))
			rbuf_skip(&p->b, 1);
	}
	if ((c = peek(p)) == 'e' || c == 'E') {
		simple = 0;
		rbuf_skip(&p->b, 1);
		if ((c = peek(p)) == '+' || c == '-')
			rbuf_skip(&p->b, 1);
		if (!DIGIT(peek(p)))
			return fail(p, ERR_FORMAT, "no digits in exponent");
		while (DIGIT(peek(p)))
			rbuf_skip(&p->b, 1);
	}
#undef DIGIT
	n = (size_t)(rbuf_cur(&p->b) - start);
	if (n > JSON_MAX_NUMBER)
		return fail(p, ERR_RANGE, "number too long");
	memcpy(buf, start, n);
	buf[n] = '\0';
	if (simple && n <= 16) {
		/* Integers of up to 15 digits are exact in a double. */
		long long x = strtoll(buf, NULL, 10);
		*v = x == 0 && buf[0] == '-' ? -0.0 : (double)x;
		return 0;
	}
	/* strtod follows LC_NUMERIC, which a program may have set to a locale
	 * with a decimal comma; JSON always uses '.'. */
	if ((cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)) == (locale_t)0)
		return fail(p, ERR_NOMEM, "out of memory");
	*v = strtod_l(buf, &end, cloc);
	freelocale(cloc);
	if (isinf(*v))
		return fail(p, ERR_RANGE, "number out of range");
	return 0;
}

static int parse_value(struct parser *p, struct json **out);

static int
key_cmp(const void *a, const void *b)
{
	const struct json *x = *(struct json *const *)a, *y = *(struct json *const *)b;

	return strcmp(x->key, y->key);
}

/* Sort the member names (a copy of the pointers) and compare neighbours:
 * O(n log n) however large the object. */
static int
check_duplicates(struct parser *p, struct json *obj, size_t count)
{
	struct json **v, *m;
	size_t i = 0;
	int r = 0;

	if (count < 2)
		return 0;
	if ((v = malloc(count * sizeof(*v))) == NULL)
		return fail(p, ERR_NOMEM, "out of memory");
	for (m = obj->child; m != NULL; m = m->next)
		v[i++] = m;
	qsort(v, count, sizeof(*v), key_cmp);
	for (i = 1; i < count; i++)
		if (strcmp(v[i - 1]->key, v[i]->key) == 0) {
			r = err_set(p->e, ERR_FORMAT,
			    "JSON: duplicate member name \"%.64s\" in the object ending at offset %zu",
			    v[i]->key, p->b.off);
			break;
		}
	free(v);
	return r;
}

static int
parse_container(struct parser *p, struct json *j, int is_obj)
{
	struct json **tail = &j->child;
	size_t count = 0;
	int r, close = is_obj ? '}' : ']';

	if (++p->depth > JSON_MAX_DEPTH)
		return fail(p, ERR_RANGE, "nesting too deep");
	skip_ws(p);
	if (peek(p) == close) {
		rbuf_skip(&p->b, 1);
		p->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		size_t klen = 0;
		struct json *v;

		skip_ws(p);
		if (is_obj) {
			if (peek(p) != '"')
				return fail(p, peek(p) < 0 ? ERR_SHORT : ERR_FORMAT,
				    "expected a member name");
			rbuf_skip(&p->b, 1);
			if ((r = parse_string(p, &key, &klen)) != 0)
				return r;
			if (strlen(key) != klen) {
				free(key);
				return fail(p, ERR_FORMAT, "U+0000 in a member name");
			}
			skip_ws(p);
			if (peek(p) != ':') {
				free(key);
				return fail(p, peek(p) < 0 ? ERR_SHORT : ERR_FORMAT,
				    "expected ':'");
			}
			rbuf_skip(&p->b, 1);
		}
		if ((r = parse_value(p, &v)) != 0) {
			free(key);
			return r;
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		count++;
		skip_ws(p);
		if (peek(p) == ',') {
			rbuf_skip(&p->b, 1);
			continue;
		}
		if (peek(p) == close) {
			rbuf_skip(&p->b, 1);
			break;
		}
		return fail(p, peek(p) < 0 ? ERR_SHORT : ERR_FORMAT,
		    is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
	p->depth--;
	return is_obj ? check_duplicates(p, j, count) : 0;
}

static int
take_literal(struct parser *p, const char *lit)
{
	size_t n = strlen(lit);

	if (rbuf_left(&p->b) < n || memcmp(rbuf_cur(&p->b), lit, n) != 0)
		return fail(p, rbuf_left(&p->b) < n ? ERR_SHORT : ERR_FORMAT,
		    "unexpected character");
	rbuf_skip(&p->b, n);
	return 0;
}

/* One value with the white space before it.  On error *out is NULL and
 * nothing is leaked. */
static int
parse_value(struct parser *p, struct json **out)
{
	struct json *j = NULL;
	int c, r;

	*out = NULL;
	skip_ws(p);
	c = peek(p);
	if (c < 0)
		return fail(p, ERR_SHORT, "unexpected end of input");
	switch (c) {
	case '{':
	case '[':
		if ((j = node_new(p, c == '{' ? JSON_OBJ : JSON_ARR)) == NULL)
			return p->e->code;
		rbuf_skip(&p->b, 1);
		r = parse_container(p, j, c == '{');
		break;
	case '"':
		if ((j = node_new(p, JSON_STR)) == NULL)
			return p->e->code;
		rbuf_skip(&p->b, 1);
		r = parse_string(p, &j->str, &j->slen);
		break;
	case 't':
	case 'f':
		if ((j = node_new(p, JSON_BOOL)) == NULL)
			return p->e->code;
		j->b = c == 't';
		r = take_literal(p, c == 't' ? "true" : "false");
		break;
	case 'n':
		if ((j = node_new(p, JSON_NULL)) == NULL)
			return p->e->code;
		r = take_literal(p, "null");
		break;
	default:
		if (c != '-' && (c < '0' || c > '9'))
			return fail(p, ERR_FORMAT, "unexpected character");
		if ((j = node_new(p, JSON_NUM)) == NULL)
			return p->e->code;
		r = parse_number(p, &j->num);
		break;
	}
	if (r != 0) {
		json_free(j);
		return r;
	}
	*out = j;
	return 0;
}

int
json_parse(const char *s, size_t n, struct json **out, struct err *e)
{
	struct parser p;
	struct err local;
	int r;

	*out = NULL;
	if (n > JSON_MAX_SIZE)
		return err_set(e, ERR_RANGE, "JSON: input larger than %u bytes", JSON_MAX_SIZE);
	memset(&p, 0, sizeof(p));
	rbuf_init(&p.b, s, n);
	p.e = e != NULL ? e : &local;
	if ((r = parse_value(&p, out)) != 0)
		return r;
	skip_ws(&p);
	if (rbuf_left(&p.b) != 0) {
		json_free(*out);
		*out = NULL;
		return fail(&p, ERR_FORMAT, "text after the value");
	}
	return 0;
}

const struct json *
json_get(const struct json *obj, const char *key)
{
	if (obj == NULL || obj->type != JSON_OBJ)
		return NULL;
	for (const struct json *m = obj->child; m != NULL; m = m->next)
		if (m->key != NULL && strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

const char *
json_get_str(const struct json *obj, const char *key)
{
	const struct json *m = json_get(obj, key);

	return m != NULL && m->type == JSON_STR ? m->str : NULL;
}

int
json_put_str(struct wbuf *w, const char *s, size_t n)
{
	size_t i = 0, run = 0;
	char esc[8];

	if (w->err)
		return w->err;
	/* Refuse before writing anything: half a string is worse than none,
	 * and the sticky error keeps the caller from emitting broken JSON. */
	if (!utf8_valid(s, n))
		return (w->err = ERR_FORMAT);
	wbuf_put_u8(w, '"');
	while (i < n) {
		uint8_t c = (uint8_t)s[i];
		const char *rep = NULL;
		size_t skip = 1;

		switch (c) {
		case '"': rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '\b': rep = "\\b"; break;
		case '\f': rep = "\\f"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				rep = esc;
			} else if (c == 0xe2 && i + 2 < n && (uint8_t)s[i + 1] == 0x80 &&
			    ((uint8_t)s[i + 2] == 0xa8 || (uint8_t)s[i + 2] == 0xa9)) {
				/* U+2028/2029 are valid JSON but end lines in
				 * JavaScript and some log viewers. */
				rep = (uint8_t)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
				skip = 3;
			}
		}
		if (rep == NULL) {
			i++;
			run++;
			continue;
		}
		wbuf_put(w, s + i - run, run);
		run = 0;
		wbuf_put(w, rep, strlen(rep));
		i += skip;
	}
	wbuf_put(w, s + i - run, run);
	return wbuf_put_u8(w, '"');
}
