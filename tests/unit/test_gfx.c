/*
 * test_gfx.c — the graphics mode's inputs (issue 11, "The face on the
 * screen"): the [ui] graphics key and the terminal's answers that `auto`
 * reads (DA1 listing 4 = sixel; CSI 16 t = cell size).  The drawing itself
 * is tested on a terminal: tests/tui/test_face.c.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "app.h"
#include "../../src/ui/ui-internal.h"

static int
load_with(const char *text, struct err *e)
{
	struct app_opts o;
	const char *path = t_path("madoguchi.conf");
	int r;

	memset(&o, 0, sizeof(o));
	REQUIRE(t_write_file(path, text, strlen(text)) == 0);
	o.config_path = path;
	err_clear(e);
	r = app_conf_load(&o, e);
	conf_free(o.conf);
	return r;
}

TEST(gfx_conf_graphics_values)
{
	static const char *const good[] = { "auto", "symbols", "sixel", "none" };
	struct err e;
	char text[128];

	for (size_t i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "[ui]\ngraphics = %s\n", good[i]);
		CHECK_OK(load_with(text, &e), &e);
	}
	/* the default is auto */
	CHECK_OK(load_with("[ui]\nlock_after = 60\n", &e), &e);
	/* anything else stops the start with file:line */
	CHECK_INT(load_with("[ui]\n# images\ngraphics = kitty\n", &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "madoguchi.conf:3:") != NULL);
	CHECK(strstr(e.msg, "graphics") != NULL);
	CHECK_INT(load_with("[ui]\ngraphics = Sixel\n", &e), ERR_FORMAT);
}

TEST(gfx_da1_reply)
{
	int sixel = 0, cw = 0, ch = 0;

	/* xterm -ti vt340: class 63, 4 = sixel */
	static const char a[] = "\033[?63;1;2;4;6;9;15;22c";
	CHECK_INT(ui_gfx_parse_reply(a, strlen(a), &sixel, &cw, &ch), 1);
	CHECK_INT(sixel, 1);
	/* tmux 3.3: no 4 */
	sixel = 0;
	static const char b[] = "\033[?1;2c";
	CHECK_INT(ui_gfx_parse_reply(b, strlen(b), &sixel, &cw, &ch), 1);
	CHECK_INT(sixel, 0);
	/* the class itself is not a feature: "?4;..." is a VT132, not sixel */
	static const char c[] = "\033[?4;6c";
	CHECK_INT(ui_gfx_parse_reply(c, strlen(c), &sixel, &cw, &ch), 1);
	CHECK_INT(sixel, 0);
	/* incomplete: not done yet, nothing set */
	static const char d[] = "\033[?62;4";
	CHECK_INT(ui_gfx_parse_reply(d, strlen(d), &sixel, &cw, &ch), 0);
	CHECK_INT(sixel, 0);
}

TEST(gfx_cell_size_reply)
{
	int sixel = 0, cw = 0, ch = 0;
	/* the cell size comes before DA1 (asked in that order) */
	static const char a[] = "\033[6;20;10t\033[?62;4;22c";
	CHECK_INT(ui_gfx_parse_reply(a, strlen(a), &sixel, &cw, &ch), 1);
	CHECK_INT(cw, 10);
	CHECK_INT(ch, 20);
	CHECK_INT(sixel, 1);
	/* nonsense sizes are ignored */
	cw = ch = 0;
	static const char b[] = "\033[6;0;99999t\033[?1;2c";
	CHECK_INT(ui_gfx_parse_reply(b, strlen(b), &sixel, &cw, &ch), 1);
	CHECK_INT(cw, 0);
	CHECK_INT(ch, 0);
	/* garbage around it */
	sixel = 0;
	static const char c[] = "xx\033[1;2R\033[?65;4c";
	CHECK_INT(ui_gfx_parse_reply(c, strlen(c), &sixel, &cw, &ch), 1);
	CHECK_INT(sixel, 1);
}
