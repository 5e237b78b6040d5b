/*
 * face-screen — the identity screen's face images drawn on their own, for
 * tests/tui/test_face.c (issue 11, "The face on the screen").  It links the
 * ui library and draws committed image files through the very calls the
 * identity screen makes (ui_face_load, ui_face_draw: src/ui/face.c and
 * gfx.c), with the record rows of the result screen around them, so the
 * layout and both graphics paths can be tested without a card that
 * carries images.  Not installed; not a madoguchi subcommand.
 *
 *   face-screen CONFIG PHOTO.jp2 NAME.png ADDR.png
 *
 * Keys: p  a confirmation popup over the images (ui_confirm)
 *       q  quit (Esc too)
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ui/ui-internal.h"

static uint8_t *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long len;

	*n = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)len)) != NULL && fread(p, 1, (size_t)len, f) == (size_t)len)
		*n = (size_t)len;
	fclose(f);
	return p;
}

/* The rows of the result screen (scr-identity.c result_draw), then the
 * face where that screen puts it. */
static void
draw(struct ui *u, void *arg)
{
	static const char *const rows[] = { "氏名", "住所", "生年月日", "性別", "個人番号" };
	static const char *const vals[] = { "遠藤　和子", "窓口市東区東山１丁目３番８号",
		"昭和20年8月28日", "女", "**** **** 3287" };
	int y = ui_body_top();

	ui_put(y, 2, "読取 券面事項確認AP（照合番号B）  残り回数 10回", COLS - 4, 0);
	ui_put(y + 2, 2, "照合結果: 住民記録と一致しました（宛名番号 1000000001）", COLS - 4, 0);
	y += 4;
	for (int i = 0; i < 5; i++) {
		ui_put(y + 2 * i, 2, rows[i], 10, 1);
		ui_put(y + 2 * i, 14, "カード", 7, 1);
		ui_put(y + 2 * i, 21, vals[i], COLS - 23, 0);
	}
	ui_put(y + 11, 2, "F9 本人確認を記録  Esc 記録せずに戻る  (p 確認の窓 / q 終了)", COLS - 4, 0);
	ui_put(y + 12, 2, "発行者の鍵が未登録のため真正性は検証できません", COLS - 4, 0);
	ui_face_draw(u, arg, y, y + 13);
}

int
main(int argc, char **argv)
{
	struct app_opts o;
	struct ui u;
	struct ui_face face;
	struct ui_key k;
	struct err e;
	uint8_t *b[3];
	size_t n[3];

	if (argc != 5) {
		fprintf(stderr, "usage: face-screen CONFIG PHOTO NAME ADDR\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	memset(&o, 0, sizeof(o));
	memset(&u, 0, sizeof(u));
	err_clear(&e);
	o.config_path = argv[1];
	if (app_conf_load(&o, &e) != 0) {
		fprintf(stderr, "face-screen: %s\n", e.msg);
		return 1;
	}
	u.o = &o;
	u.conf = o.conf;
	if (log_open("face-screen", conf_str(u.conf, "ui", "log")[0] ?
	    conf_str(u.conf, "ui", "log") : "/dev/null", LOG_INFO) != 0 ||
	    evq_new(&u.evq, &e) != 0) {
		fprintf(stderr, "face-screen: cannot start\n");
		return 1;
	}
	session_init(&u.ses, "", 300);
	for (int i = 0; i < 3; i++)
		b[i] = slurp(argv[2 + i], &n[i]);
	ui_face_load(&face, b[0], n[0], b[1], n[1], b[2], n[2]);
	for (int i = 0; i < 3; i++) {
		mem_wipe(b[i], n[i]);
		free(b[i]);
	}

	ui_gfx_start(&u);
	initscr();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(C_STATUS, COLOR_WHITE, COLOR_BLUE);
		init_pair(C_BAR, COLOR_BLACK, COLOR_CYAN);
		init_pair(C_FOCUS, COLOR_BLACK, COLOR_YELLOW);
		init_pair(C_DIM, COLOR_CYAN, -1);
		u.colour = 1;
	}
	ui_push(&u, draw, &face, 1, "本人確認 — カードと住民記録の照合", ACTBIT(ACT_BACK));
	for (;;) {
		ui_getkey(&u, &k);
		if (k.type == UI_K_ABORT || UI_ACT_IS(&k, ACT_BACK) || UI_CHAR_IS(&k, 'q'))
			break;
		if (UI_CHAR_IS(&k, 'p'))
			ui_confirm(&u, "確認", "この窓は画像の上に重なります。\n閉じると画像が戻ります。");
	}
	ui_pop(&u);
	ui_face_free(&face);
	erase();
	refresh();
	endwin();
	ui_gfx_end(&u);
	evq_free(u.evq);
	conf_free(o.conf);
	return 0;
}
