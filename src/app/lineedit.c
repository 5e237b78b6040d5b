/*
 * lineedit.c — one-line text editing by character, measured in columns.
 *
 * The contents are code points, so cursor moves and deletions never split
 * a UTF-8 sequence, and widths come from cp_width, so a full-width
 * character takes two columns and the cursor is always at a character
 * boundary.  Zero-width characters (combining marks) are refused: they
 * would make the cursor column ambiguous and have no use in the forms.
 */
#include <string.h>

#include "screen.h"

void
lineedit_init(struct lineedit *le, int max_chars, int max_width,
    enum lineedit_filter filter)
{
	memset(le, 0, sizeof(*le));
	le->max_chars = (max_chars <= 0 || max_chars > LINEEDIT_MAX) ? LINEEDIT_MAX : max_chars;
	le->max_width = max_width > 0 ? max_width : 0;
	le->filter = filter;
}

static int
width_of(const struct lineedit *le, int from, int to)
{
	int w = 0;

	for (int i = from; i < to; i++)
		w += cp_width(le->cp[i]);
	return w;
}

int
lineedit_width(const struct lineedit *le)
{
	return width_of(le, 0, le->n);
}

int
lineedit_cursor_col(const struct lineedit *le)
{
	return width_of(le, 0, le->cur);
}

/* The character as the filter wants it, or 0 when refused. */
static uint32_t
filtered(const struct lineedit *le, uint32_t cp)
{
	if (cp >= 0xff10 && cp <= 0xff19 && le->filter != LE_ANY)
		cp = '0' + (cp - 0xff10);	/* full-width digits from the IME */
	if (cp_width(cp) <= 0)
		return 0;
	switch (le->filter) {
	case LE_ANY:
		return cp;
	case LE_DIGITS:
		return (cp >= '0' && cp <= '9') ? cp : 0;
	case LE_NUMERIC:
		if (cp == 0xff0d)
			cp = '-';
		return ((cp >= '0' && cp <= '9') || cp == '-') ? cp : 0;
	case LE_MONEY:
		if (cp == 0xff0c)
			cp = ',';
		return ((cp >= '0' && cp <= '9') || cp == ',') ? cp : 0;
	}
	return 0;
}

int
lineedit_insert(struct lineedit *le, uint32_t cp)
{
	uint32_t c = filtered(le, cp);

	if (c == 0)
		return ERR_INVAL;
	if (le->n >= le->max_chars)
		return ERR_RANGE;
	if (le->max_width > 0 && lineedit_width(le) + cp_width(c) > le->max_width)
		return ERR_RANGE;
	memmove(&le->cp[le->cur + 1], &le->cp[le->cur], (size_t)(le->n - le->cur) * sizeof(uint32_t));
	le->cp[le->cur++] = c;
	le->n++;
	return 0;
}

int
lineedit_backspace(struct lineedit *le)
{
	if (le->cur == 0)
		return ERR_RANGE;
	le->cur--;
	return lineedit_delete(le);
}

int
lineedit_delete(struct lineedit *le)
{
	if (le->cur >= le->n)
		return ERR_RANGE;
	memmove(&le->cp[le->cur], &le->cp[le->cur + 1], (size_t)(le->n - le->cur - 1) * sizeof(uint32_t));
	le->n--;
	le->cp[le->n] = 0;
	return 0;
}

void lineedit_left(struct lineedit *le) { if (le->cur > 0) le->cur--; }
void lineedit_right(struct lineedit *le) { if (le->cur < le->n) le->cur++; }
void lineedit_home(struct lineedit *le) { le->cur = 0; }
void lineedit_end(struct lineedit *le) { le->cur = le->n; }

void
lineedit_clear(struct lineedit *le)
{
	lineedit_wipe(le);
}

void
lineedit_wipe(struct lineedit *le)
{
	mem_wipe(le->cp, sizeof(le->cp));
	le->n = le->cur = le->scroll = 0;
}

int
lineedit_set(struct lineedit *le, const char *s)
{
	size_t n = strlen(s);

	lineedit_wipe(le);
	if (!utf8_valid(s, n))
		return ERR_FORMAT;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int l = utf8_decode(s + i, n - i, &cp);
		if (l < 0)
			return ERR_FORMAT;
		(void)lineedit_insert(le, cp);	/* refused characters are dropped */
		i += (size_t)l;
	}
	return 0;
}

static size_t
encode_range(const struct lineedit *le, int from, int to, char *out, size_t cap)
{
	size_t o = 0;
	char b[4];

	if (cap == 0)
		return 0;
	for (int i = from; i < to; i++) {
		int l = utf8_encode(le->cp[i], b);
		if (l < 0 || o + (size_t)l + 1 > cap)
			break;
		memcpy(out + o, b, (size_t)l);
		o += (size_t)l;
	}
	out[o] = '\0';
	mem_wipe(b, sizeof(b));
	return o;
}

size_t
lineedit_get(const struct lineedit *le, char *out, size_t cap)
{
	return encode_range(le, 0, le->n, out, cap);
}

void
lineedit_view(struct lineedit *le, int cols, char *out, size_t cap, int *cursor_col)
{
	int end, w;

	if (cols < 2)
		cols = 2;
	if (le->scroll > le->cur)
		le->scroll = le->cur;
	if (le->scroll > le->n)
		le->scroll = le->n;
	/* the cursor needs one free column after the text before it (it sits
	 * on the next character or past the end): scroll right until the
	 * characters before it plus that column fit */
	while (le->scroll < le->cur && width_of(le, le->scroll, le->cur) + 1 > cols)
		le->scroll++;
	/* take whole characters from scroll while they fit */
	w = 0;
	for (end = le->scroll; end < le->n; end++) {
		int cw = cp_width(le->cp[end]);
		if (w + cw > cols)
			break;
		w += cw;
	}
	encode_range(le, le->scroll, end, out, cap);
	if (cursor_col != NULL)
		*cursor_col = width_of(le, le->scroll, le->cur);
}
