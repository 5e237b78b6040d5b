/*
 * text.c — text from outside on its way to a terminal or a file (issue 15
 * B, output): control characters made visible, and CSV cells that a
 * spreadsheet would not evaluate.
 *
 * Controls are C0 (U+0000–001F), DEL, C1 (U+0080–009F), the bidirectional
 * embeddings, overrides and isolates (U+202A–202E, U+2066–2069), the marks
 * that steer them (U+200E, U+200F, U+061C) and the line and paragraph
 * separators U+2028/2029.  Private-use characters (外字, U+E000–F8FF and
 * the supplementary planes') are not controls: core systems send them and
 * they are kept.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

int
cp_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c || cp == 0x2028 ||
	    cp == 0x2029;
}

long
text_find_control(const char *s, size_t n, uint32_t *cp)
{
	size_t i = 0;
	uint32_t c;
	int k;

	while (i < n) {
		if ((k = utf8_decode(s + i, n - i, &c)) < 0) {
			if (cp != NULL)
				*cp = (uint8_t)s[i] | 0x80000000u;
			return (long)i;
		}
		if (cp_is_control(c)) {
			if (cp != NULL)
				*cp = c;
			return (long)i;
		}
		i += (size_t)k;
	}
	return -1;
}

size_t
text_visible(const char *s, char *out, size_t cap)
{
	size_t n, i = 0, o = 0;
	uint32_t c;
	char esc[12];
	int k;

	if (cap == 0)
		return 0;
	if (s == NULL)
		s = "";
	n = strlen(s);
	while (i < n) {
		const char *piece;
		size_t plen;

		if ((k = utf8_decode(s + i, n - i, &c)) < 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", (uint8_t)s[i]);
			piece = esc;
			plen = strlen(esc);
			k = 1;
		} else if (c == '\t') {
			piece = "\\t", plen = 2;
		} else if (c == '\n') {
			piece = "\\n", plen = 2;
		} else if (c == '\r') {
			piece = "\\r", plen = 2;
		} else if (c < 0x80 && cp_is_control(c)) {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)c);
			piece = esc;
			plen = strlen(esc);
		} else if (cp_is_control(c)) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)c);
			piece = esc;
			plen = strlen(esc);
		} else {
			piece = s + i;
			plen = (size_t)k;
		}
		if (o + plen >= cap)
			break;	/* whole characters or escapes only */
		memcpy(out + o, piece, plen);
		o += plen;
		i += (size_t)k;
	}
	out[o] = '\0';
	return o;
}

int
text_put_visible(struct wbuf *w, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0, i = 0;
	char buf[256];

	while (i < n) {
		/* pieces of up to 48 bytes, cut on a character boundary */
		size_t take = n - i < 48 ? n - i : 48, got;
		char in[52];

		while (take < n - i && take > 0 &&
		    ((uint8_t)s[i + take] & 0xc0) == 0x80)
			take--;
		if (take == 0)
			take = 1;
		memcpy(in, s + i, take);
		in[take] = '\0';
		got = text_visible(in, buf, sizeof(buf));
		if (wbuf_put(w, buf, got) != 0)
			return ERR_RANGE;
		i += take;
	}
	return 0;
}

int
csv_put_cell(struct wbuf *w, const char *s)
{
	if (s == NULL)
		s = "";
	wbuf_put_u8(w, '"');
	/* A spreadsheet evaluates a cell that begins with one of these
	 * (CSV injection): a leading ' makes it text. */
	if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r')
		wbuf_put_u8(w, '\'');
	{
		struct wbuf v;
		const char *p;

		wbuf_init(&v, 0);
		text_put_visible(&v, s);
		for (p = wbuf_str(&v); *p != '\0'; p++) {
			if (*p == '"')
				wbuf_put_u8(w, '"');
			wbuf_put_u8(w, (uint8_t)*p);
		}
		wbuf_free(&v);
	}
	return wbuf_put_u8(w, '"');
}
