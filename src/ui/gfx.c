/*
 * gfx.c — images on the counter screen with libchafa (issue 11, "The face
 * on the screen"): the card's 顔写真 and its 氏名/住所 images beside the
 * record, so that the clerk compares the face with the person at the window.
 *
 * Modes ([ui] graphics, madoguchi.conf(5)):
 *   symbols  Unicode half blocks (▀▄▌▐ and full/empty cells) drawn into the
 *            ncurses screen like any text, in grey levels from the colours
 *            the terminal has (26 greys with 256 colours, 4 with 16, 2 with
 *            8, plain characters without colours).  Works on every UTF-8
 *            terminal, tmux included.
 *   sixel    the image as sixel graphics, written straight to the terminal
 *            after ncurses has drawn the text, at the image's cells (which
 *            ncurses leaves blank).  Only while the image's screen is the
 *            top layer: under a popup the same area is drawn as symbols.
 *   none     no image: the caller shows a line of text instead.
 *   auto     sixel when the terminal says it has sixel graphics (its
 *            primary device attributes, DA1, list 4), symbols otherwise;
 *            under tmux or screen (TERM tmux*, screen*) symbols without
 *            asking.
 *
 * A sixel image is not something ncurses knows about: ncurses rewrites
 * only the cells it thinks have changed, so text drawn over part of an
 * image would leave the rest of the face on the glass.  The rule here: a
 * sixel image on screen is erased (the whole screen cleared and repainted,
 * clearok) at the first redraw that does not draw the same image at the
 * same place — a popup, the lock screen (SC-3), leaving the screen.
 *
 * Nothing of an image goes to a file or a log.  chafa's working copy of
 * the pixels (scaled to the canvas) is overwritten with a blank image
 * before the canvas is freed, and the sixel bytes are wiped once written.
 */
#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <chafa.h>

#include "ui-internal.h"
#include "img.h"

#define GREYS_MAX 26
#define PAIR_BASE 32			/* below: the shell's own pairs */
#define SIXEL_MAX (4u << 20)		/* bytes of one sixel image */
#define SIXEL_IMAGES 4			/* on one screen */

struct ui_gfx {
	enum ui_gfx_mode mode;
	int cell_w, cell_h;		/* pixels of one cell (sixel sizing) */
	/* symbols: grey levels as terminal colours, and pairs made so far */
	int ngrey;
	short grey_colour[GREYS_MAX];
	uint8_t grey_value[GREYS_MAX];
	unsigned char pair_made[GREYS_MAX * GREYS_MAX];
	/* sixel: the images drawn in this redraw, and what is on the glass
	 * (a hash over the places and bytes of all of them) */
	struct sixel_out {
		uint8_t *p;		/* sodium_malloc */
		size_t n;
		int y, x;
	} pend[SIXEL_IMAGES];
	int npend;
	crypto_generichash_state pend_st;
	int shown;
	unsigned char shown_hash[16];
};

const char *
ui_gfx_mode_name(enum ui_gfx_mode m)
{
	switch (m) {
	case GFX_SYMBOLS: return "symbols";
	case GFX_SIXEL: return "sixel";
	default: return "none";
	}
}

/* --------------------------------------------------- asking the terminal */

/* Parse what came back for "CSI 16 t" and DA1: "ESC [ 6 ; H ; W t" and
 * "ESC [ ? a ; b ; ... c".  Returns 1 once the DA1 answer is complete. */
int
ui_gfx_parse_reply(const char *s, size_t n, int *sixel, int *cw, int *ch)
{
	const char *p = s, *end = s + n;
	int done = 0;

	while (p < end) {
		const char *esc = memchr(p, 0x1b, (size_t)(end - p));
		if (esc == NULL || end - esc < 3 || esc[1] != '[')
			break;
		const char *q = esc + 2;
		int dec = *q == '?';
		long v[16];
		int nv = 0;
		if (dec)
			q++;
		v[0] = 0;
		while (q < end && ((*q >= '0' && *q <= '9') || *q == ';')) {
			if (*q == ';') {
				if (nv < 15)
					v[++nv] = 0;
			} else if (v[nv] < 100000)
				v[nv] = v[nv] * 10 + (*q - '0');
			q++;
		}
		if (q >= end)
			break;			/* not complete yet */
		nv++;
		if (dec && *q == 'c') {
			for (int i = 1; i < nv; i++)	/* the first is the class */
				if (v[i] == 4)
					*sixel = 1;
			done = 1;
		} else if (!dec && *q == 't' && nv == 3 && v[0] == 6 &&
		    v[1] >= 4 && v[1] <= 200 && v[2] >= 2 && v[2] <= 100) {
			*ch = (int)v[1];
			*cw = (int)v[2];
		}
		p = q + 1;
	}
	return done;
}

/* Ask the terminal (questions on out, answers on fd) for its cell size
 * and its attributes.  A terminal that answers nothing costs the wait
 * once, at start (2 s at most). */
static void
term_query(int fd, int out, int *sixel, int *cw, int *ch)
{
	static const char q[] = "\033[16t\033[c";
	struct termios old, raw;
	char buf[256];
	size_t n = 0;

	if (!isatty(fd) || !isatty(out) || tcgetattr(fd, &old) != 0)
		return;
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) != 0)
		return;
	if (write(out, q, sizeof(q) - 1) == (ssize_t)(sizeof(q) - 1)) {
		for (int waits = 0; waits < 20 && n < sizeof(buf) - 1; ) {
			struct pollfd pf = { .fd = fd, .events = POLLIN };
			int r = poll(&pf, 1, 100);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				waits++;
				continue;
			}
			ssize_t got = read(fd, buf + n, sizeof(buf) - 1 - n);
			if (got <= 0)
				break;
			n += (size_t)got;
			if (ui_gfx_parse_reply(buf, n, sixel, cw, ch))
				break;
		}
	}
	tcsetattr(fd, TCSANOW, &old);
}

void
ui_gfx_start(struct ui *u)
{
	struct ui_gfx *g = calloc(1, sizeof(*g));
	const char *want = conf_str(u->conf, "ui", "graphics");
	const char *term = getenv("TERM");
	int sixel = 0, cw = 0, ch = 0;
	struct winsize ws;

	u->gfx = g;
	if (g == NULL)
		return;
	g->cell_w = 6;			/* small: an unknown cell never overflows the area */
	g->cell_h = 12;
	if (strcmp(want, "none") == 0) {
		g->mode = GFX_NONE;
		return;
	}
	g->mode = GFX_SYMBOLS;
	if (strcmp(want, "symbols") == 0)
		return;
	if (strcmp(want, "auto") == 0 && term != NULL &&
	    (strncmp(term, "tmux", 4) == 0 || strncmp(term, "screen", 6) == 0))
		return;			/* multiplexers: Debian 12's tmux has no sixel */
	term_query(STDIN_FILENO, STDOUT_FILENO, &sixel, &cw, &ch);
	if (cw == 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
	    ws.ws_row > 0 && ws.ws_xpixel >= ws.ws_col * 2 && ws.ws_ypixel >= ws.ws_row * 4) {
		cw = ws.ws_xpixel / ws.ws_col;
		ch = ws.ws_ypixel / ws.ws_row;
	}
	if (cw > 0 && ch > 0) {
		g->cell_w = cw;
		g->cell_h = ch;
	}
	if (strcmp(want, "sixel") == 0 || sixel)
		g->mode = GFX_SIXEL;
	log_info("graphics: %s (configured %s, cell %dx%d pixels)", ui_gfx_mode_name(g->mode),
	    want, g->cell_w, g->cell_h);
}

/* Grey levels for the symbols mode, once curses knows the colours. */
static void
greys_init(struct ui *u, struct ui_gfx *g)
{
	static const uint8_t g16v[] = { 0, 110, 190, 255 };
	static const short g16c[] = { COLOR_BLACK, 8, COLOR_WHITE, 15 };
	int pairs_left;

	if (g->ngrey != 0 || !u->colour)
		return;
	if (COLORS >= 256) {
		g->grey_colour[0] = 16;
		g->grey_value[0] = 0;
		for (int i = 0; i < 24; i++) {
			g->grey_colour[1 + i] = (short)(232 + i);
			g->grey_value[1 + i] = (uint8_t)(8 + 10 * i);
		}
		g->grey_colour[25] = 231;
		g->grey_value[25] = 255;
		g->ngrey = 26;
	} else if (COLORS >= 16) {
		memcpy(g->grey_value, g16v, sizeof(g16v));
		memcpy(g->grey_colour, g16c, sizeof(g16c));
		g->ngrey = 4;
	} else {
		g->grey_colour[0] = COLOR_BLACK;
		g->grey_value[0] = 0;
		g->grey_colour[1] = COLOR_WHITE;
		g->grey_value[1] = 220;
		g->ngrey = 2;
	}
	/* fewer greys when the terminal has few colour pairs */
	pairs_left = COLOR_PAIRS - PAIR_BASE;
	while (g->ngrey > 2 && g->ngrey * g->ngrey > pairs_left) {
		/* drop every other level of the ramp */
		int k = 0;
		for (int i = 0; i < g->ngrey; i += 2)
			g->grey_colour[k] = g->grey_colour[i], g->grey_value[k++] = g->grey_value[i];
		g->ngrey = k;
	}
	if (g->ngrey * g->ngrey > pairs_left)
		g->ngrey = -1;		/* no room: plain characters */
}

static int
grey_of(const struct ui_gfx *g, int rgb)
{
	int r = (rgb >> 16) & 0xff, gr = (rgb >> 8) & 0xff, b = rgb & 0xff;
	int y = (r * 299 + gr * 587 + b * 114) / 1000, best = 0, bd = 1 << 20;

	for (int i = 0; i < g->ngrey; i++) {
		int d = abs(y - g->grey_value[i]);
		if (d < bd)
			bd = d, best = i;
	}
	return best;
}

static int
pair_of(struct ui_gfx *g, int fg, int bg)
{
	int k = fg * g->ngrey + bg;

	if (!g->pair_made[k]) {
		init_pair((short)(PAIR_BASE + k), g->grey_colour[fg], g->grey_colour[bg]);
		g->pair_made[k] = 1;
	}
	return PAIR_BASE + k;
}

/* ------------------------------------------------------------- drawing */

/* The largest cells box of the image's shape inside h × w cells, for
 * cells of cw × ch pixels. */
static void
fit(const struct img *im, int h, int w, int cw, int ch, int *oh, int *ow)
{
	double sx = (double)w * cw / im->w, sy = (double)h * ch / im->h;
	double s = sx < sy ? sx : sy;

	*ow = (int)(im->w * s / cw + 0.5);
	*oh = (int)(im->h * s / ch + 0.5);
	if (*ow > w)
		*ow = w;
	if (*oh > h)
		*oh = h;
	if (*ow < 1)
		*ow = 1;
	if (*oh < 1)
		*oh = 1;
}

static ChafaCanvas *
canvas_new(const struct img *im, ChafaPixelMode pm, ChafaCanvasMode cm, int h, int w,
    int cw, int ch)
{
	ChafaCanvasConfig *cfg = chafa_canvas_config_new();
	ChafaSymbolMap *sym = NULL;
	ChafaCanvas *c;

	chafa_canvas_config_set_geometry(cfg, w, h);
	chafa_canvas_config_set_pixel_mode(cfg, pm);
	chafa_canvas_config_set_canvas_mode(cfg, cm);
	chafa_canvas_config_set_cell_geometry(cfg, cw, ch);
	if (pm == CHAFA_PIXEL_MODE_SYMBOLS) {
		sym = chafa_symbol_map_new();
		chafa_symbol_map_add_by_tags(sym, CHAFA_SYMBOL_TAG_HALF | CHAFA_SYMBOL_TAG_SPACE |
		    CHAFA_SYMBOL_TAG_SOLID);
		chafa_canvas_config_set_symbol_map(cfg, sym);
		if (cm == CHAFA_CANVAS_MODE_FGBG) {
			chafa_canvas_config_set_fg_color(cfg, 0xffffff);
			chafa_canvas_config_set_bg_color(cfg, 0x000000);
		}
	}
	c = chafa_canvas_new(cfg);
	chafa_canvas_config_unref(cfg);
	if (sym != NULL)
		chafa_symbol_map_unref(sym);
	if (c != NULL)
		chafa_canvas_draw_all_pixels(c, CHAFA_PIXEL_RGB8, im->rgb, (gint)im->w, (gint)im->h,
		    (gint)im->w * 3);
	return c;
}

/* Overwrite chafa's scaled copy of the pixels, then free the canvas. */
static void
canvas_free(ChafaCanvas *c)
{
	static const uint8_t blank[3] = { 0, 0, 0 };

	if (c == NULL)
		return;
	chafa_canvas_draw_all_pixels(c, CHAFA_PIXEL_RGB8, blank, 1, 1, 3);
	chafa_canvas_unref(c);
}

static void
draw_symbols(struct ui *u, struct ui_gfx *g, const struct img *im, int y, int x, int h, int w)
{
	ChafaCanvasMode cm;
	ChafaCanvas *c;

	greys_init(u, g);
	cm = g->ngrey <= 0 ? CHAFA_CANVAS_MODE_FGBG : COLORS >= 256 ? CHAFA_CANVAS_MODE_TRUECOLOR :
	    COLORS >= 16 ? CHAFA_CANVAS_MODE_INDEXED_16 : CHAFA_CANVAS_MODE_INDEXED_8;
	/* a half block cell is two square pixels: cells of 1 × 2 */
	if ((c = canvas_new(im, CHAFA_PIXEL_MODE_SYMBOLS, cm, h, w, 1, 2)) == NULL)
		return;
	for (int r = 0; r < h; r++)
		for (int col = 0; col < w; col++) {
			gunichar chr = chafa_canvas_get_char_at(c, col, r);
			wchar_t wc[2] = { (wchar_t)chr, L'\0' };
			cchar_t cc;
			int fg = 0, bg = 0, pair = 0;
			if (g->ngrey > 0) {
				chafa_canvas_get_colors_at(c, col, r, &fg, &bg);
				pair = pair_of(g, grey_of(g, fg < 0 ? 0 : fg), grey_of(g, bg < 0 ? 0 : bg));
			}
			if (chr == 0)
				wc[0] = L' ';
			setcchar(&cc, wc, A_NORMAL, 0, &pair);
			mvadd_wch(y + r, x + col, &cc);
		}
	canvas_free(c);
}

/* Render the sixel bytes now and keep them for after doupdate. */
static void
sixel_prepare(struct ui_gfx *g, const struct img *im, int y, int x, int h, int w)
{
	ChafaTermInfo *ti = chafa_term_info_new();
	ChafaCanvas *c;
	GString *s = NULL;

	chafa_term_info_set_seq(ti, CHAFA_TERM_SEQ_BEGIN_SIXELS, "\033P%1;%2;%3q", NULL);
	chafa_term_info_set_seq(ti, CHAFA_TERM_SEQ_END_SIXELS, "\033\\", NULL);
	c = canvas_new(im, CHAFA_PIXEL_MODE_SIXELS, CHAFA_CANVAS_MODE_TRUECOLOR, h, w,
	    g->cell_w, g->cell_h);
	if (c != NULL)
		s = chafa_canvas_print(c, ti);
	canvas_free(c);
	chafa_term_info_unref(ti);
	if (s == NULL)
		return;
	if (g->npend < SIXEL_IMAGES && s->len > 0 && s->len <= SIXEL_MAX) {
		struct sixel_out *o = &g->pend[g->npend];
		int at[2] = { y, x };
		if ((o->p = sodium_malloc(s->len)) != NULL) {
			memcpy(o->p, s->str, s->len);
			o->n = s->len;
			o->y = y;
			o->x = x;
			if (g->npend++ == 0)
				crypto_generichash_init(&g->pend_st, NULL, 0, sizeof(g->shown_hash));
			crypto_generichash_update(&g->pend_st, (const unsigned char *)at, sizeof(at));
			crypto_generichash_update(&g->pend_st, o->p, o->n);
		}
	}
	sodium_memzero(s->str, s->allocated_len);
	g_string_free(s, TRUE);
}

int
ui_image_draw(struct ui *u, const struct img *im, int y, int x, int h, int w, int *oh, int *ow)
{
	struct ui_gfx *g = u->gfx;
	int ih, iw;

	*oh = *ow = 0;
	if (g == NULL || g->mode == GFX_NONE || im == NULL || h < 1 || w < 1 || u->locked)
		return -1;
	if (y < 0 || x < 0 || y + h > LINES || x + w > COLS)
		return -1;
	if (g->mode == GFX_SIXEL && u->drawing_top) {
		fit(im, h, w, g->cell_w, g->cell_h, &ih, &iw);
		/* the cells stay blank for ncurses: the image goes there */
		for (int r = 0; r < ih; r++)
			mvhline(y + r, x, ' ', iw);
		sixel_prepare(g, im, y, x, ih, iw);
	} else {
		fit(im, h, w, 1, 2, &ih, &iw);
		draw_symbols(u, g, im, y, x, ih, iw);
	}
	*oh = ih;
	*ow = iw;
	return 0;
}

static void
pend_drop(struct ui_gfx *g)
{
	for (int i = 0; i < g->npend; i++)
		sodium_free(g->pend[i].p);	/* wipes */
	memset(g->pend, 0, sizeof(g->pend));
	g->npend = 0;
}

/* Before doupdate: sixel images on the glass that this redraw does not
 * draw again, all of them at the same places, are erased with the whole
 * screen. */
void
ui_gfx_before_update(struct ui *u)
{
	struct ui_gfx *g = u->gfx;
	unsigned char h[sizeof(g->shown_hash)];

	if (g == NULL)
		return;
	if (g->npend > 0)
		crypto_generichash_final(&g->pend_st, h, sizeof(h));
	if (!g->shown)
		goto keep;
	if (is_cleared(curscr)) {
		g->shown = 0;		/* the screen is cleared anyway (resize) */
		goto keep;
	}
	if (g->npend > 0 && sodium_memcmp(h, g->shown_hash, sizeof(h)) == 0) {
		/* the same pictures in the same places: leave them */
		pend_drop(g);
		return;
	}
	clearok(curscr, TRUE);
	g->shown = 0;
keep:
	if (g->npend > 0)
		memcpy(g->shown_hash, h, sizeof(h));
}

static int
write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* After doupdate: write the pending sixel image at its cells, the cursor
 * saved and restored around it so that ncurses's idea of it holds. */
void
ui_gfx_after_update(struct ui *u)
{
	struct ui_gfx *g = u->gfx;
	char pos[32];
	int ok = 1;

	if (g == NULL || g->npend == 0)
		return;
	for (int i = 0; i < g->npend; i++) {
		int n = snprintf(pos, sizeof(pos), "\0337\033[%d;%dH", g->pend[i].y + 1,
		    g->pend[i].x + 1);
		if (write_all(STDOUT_FILENO, pos, (size_t)n) != 0 ||
		    write_all(STDOUT_FILENO, g->pend[i].p, g->pend[i].n) != 0 ||
		    write_all(STDOUT_FILENO, "\0338", 2) != 0)
			ok = 0;
	}
	g->shown = 1;
	if (!ok)	/* maybe partly written: a hash nothing matches erases it next time */
		memset(g->shown_hash, 0xff, sizeof(g->shown_hash));
	pend_drop(g);
}

void
ui_gfx_end(struct ui *u)
{
	struct ui_gfx *g = u->gfx;

	if (g == NULL)
		return;
	if (g->shown)
		(void)write_all(STDOUT_FILENO, "\033[H\033[2J", 7);
	pend_drop(g);
	mem_wipe(g, sizeof(*g));
	free(g);
	u->gfx = NULL;
}

enum ui_gfx_mode
ui_gfx_mode(const struct ui *u)
{
	return u->gfx != NULL ? u->gfx->mode : GFX_NONE;
}
