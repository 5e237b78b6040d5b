/*
 * csv.c — RFC 4180 CSV reader over struct rbuf, for the imports from the
 * core business systems.  Bounded: at most CSV_MAX_FIELDS fields of at most
 * CSV_FIELD_MAX bytes each; invalid UTF-8, a NUL byte, a stray quote or an
 * unterminated quoted field is ERR_FORMAT with the line number.
 */
#include <stdlib.h>
#include <string.h>

#include "central.h"

struct csv {
	struct rbuf b;
	int line;		/* line number of the next byte */
	int failed;
	char *buf;		/* the fields of the current row, NUL-separated */
	size_t cap;
	size_t offs[CSV_MAX_FIELDS];
	char *ptrs[CSV_MAX_FIELDS];
};

struct csv *
csv_new(const void *p, size_t n)
{
	struct csv *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	rbuf_init(&c->b, p, n);
	/* A UTF-8 byte order mark, as spreadsheet programs write. */
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		rbuf_skip(&c->b, 3);
	c->line = 1;
	c->cap = CSV_MAX_FIELDS * (CSV_FIELD_MAX + 1);
	if ((c->buf = malloc(c->cap)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
csv_free(struct csv *c)
{
	if (c == NULL)
		return;
	/* Rows are personal data. */
	mem_wipe(c->buf, c->cap);
	free(c->buf);
	free(c);
}

static int
peek(struct csv *c)
{
	return rbuf_left(&c->b) > 0 ? *rbuf_cur(&c->b) : -1;
}

static int
fail(struct csv *c, struct err *e, int line, const char *why)
{
	c->failed = 1;
	return err_set(e, ERR_FORMAT, "line %d: %s", line, why);
}

int
csv_next(struct csv *c, char ***fields, size_t *nf, int *line, struct err *e)
{
	size_t len = 0, start = 0, n = 0, i;
	int ch, quoted, start_line;
	uint8_t u;

	if (c->failed)
		return err_set(e, ERR_STATE, "CSV reader stopped after an error");
	/* Skip empty lines between rows. */
	while ((ch = peek(c)) == '\n' || ch == '\r') {
		rbuf_get_u8(&c->b, &u);
		if (ch == '\n')
			c->line++;
	}
	if (ch < 0)
		return 0;
	start_line = *line = c->line;
	for (;;) {
		/* One field. */
		if (n == CSV_MAX_FIELDS)
			return fail(c, e, start_line, "too many fields");
		c->offs[n] = start = len;
		quoted = peek(c) == '"';
		if (quoted)
			rbuf_get_u8(&c->b, &u);
		for (;;) {
			if ((ch = peek(c)) < 0) {
				if (quoted)
					return fail(c, e, start_line, "unterminated quoted field");
				break;
			}
			if (quoted && ch == '"') {
				rbuf_get_u8(&c->b, &u);
				if (peek(c) == '"') {
					rbuf_get_u8(&c->b, &u);
				} else {
					quoted = 0;
					ch = peek(c);
					if (ch >= 0 && ch != ',' && ch != '\n' && ch != '\r')
						return fail(c, e, c->line, "text after a closing quote");
					continue;
				}
			} else if (!quoted && (ch == ',' || ch == '\n' || ch == '\r')) {
				break;
			} else if (!quoted && ch == '"') {
				return fail(c, e, c->line, "quote inside an unquoted field");
			} else {
				rbuf_get_u8(&c->b, &u);
				if (ch == '\n')
					c->line++;
				if (ch == 0)
					return fail(c, e, c->line, "NUL byte");
			}
			if (len - start >= CSV_FIELD_MAX)
				return fail(c, e, start_line, "field too long");
			c->buf[len++] = (char)ch;
		}
		if (!utf8_valid(c->buf + start, len - start))
			return fail(c, e, start_line, "invalid UTF-8");
		c->buf[len++] = '\0';
		n++;
		ch = peek(c);
		if (ch == ',') {
			rbuf_get_u8(&c->b, &u);
			continue;
		}
		/* End of row: CRLF, LF, lone CR or end of input. */
		if (ch == '\r') {
			rbuf_get_u8(&c->b, &u);
			if (peek(c) == '\n')
				rbuf_get_u8(&c->b, &u);
			c->line++;
		} else if (ch == '\n') {
			rbuf_get_u8(&c->b, &u);
			c->line++;
		}
		break;
	}
	for (i = 0; i < n; i++)
		c->ptrs[i] = c->buf + c->offs[i];
	*fields = c->ptrs;
	*nf = n;
	return 1;
}
