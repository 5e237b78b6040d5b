/*
 * face.c — the card's face on the identity screen (issue 11, "The face on
 * the screen"; ID-1 身元確認: the clerk compares the photo with the person
 * at the window).
 *
 * The card layer hands over the 券面事項確認AP images as bytes (struct
 * card_face: DF27 顔写真 JP2, DF25 氏名 and DF26 住所 PNG); here they are
 * decoded (src/img) into sodium memory for as long as the result screen
 * is up, and drawn with gfx.c: the photo in a panel at the right of the
 * record when the terminal is at least UI_FACE_MIN_COLS × UI_FACE_MIN_LINES,
 * the name/address images under the record when there are rows for them,
 * and otherwise one line saying why the photo is not shown.  ui_face_free
 * wipes everything (the result screen frees it when it closes, which is
 * before the visit ends).
 */
#include <stdio.h>
#include <string.h>

#include "ui-internal.h"
#include "img.h"

void
ui_face_load(struct ui_face *f, const uint8_t *photo, size_t photo_len,
    const uint8_t *name, size_t name_len, const uint8_t *addr, size_t addr_len)
{
	struct err e;

	memset(f, 0, sizeof(*f));
	f->present = photo_len > 0 || name_len > 0 || addr_len > 0;
	err_clear(&e);
	if (photo_len > 0 && img_decode_jp2(photo, photo_len, &f->photo, &e) != 0) {
		/* the reason, never the bytes */
		log_warn("face photo not shown: %s", e.msg);
		snprintf(f->why, sizeof(f->why), "%s", err_ja(&e));
	}
	if (name_len > 0 && img_decode_png(name, name_len, &f->name, &e) != 0)
		log_warn("name image not shown: %s", e.msg);
	if (addr_len > 0 && img_decode_png(addr, addr_len, &f->addr, &e) != 0)
		log_warn("address image not shown: %s", e.msg);
}

void
ui_face_free(struct ui_face *f)
{
	img_free(f->photo);
	img_free(f->name);
	img_free(f->addr);
	mem_wipe(f, sizeof(*f));
}

int
ui_face_panel_cols(const struct ui_face *f)
{
	if (!f->present || COLS < UI_FACE_MIN_COLS || LINES < UI_FACE_MIN_LINES)
		return 0;
	return UI_FACE_PHOTO_COLS + 2;
}

/* The photo: a framed panel of UI_FACE_PHOTO_COLS × UI_FACE_PHOTO_ROWS at
 * the right edge from row y, or one line of text at (fy, 2) when there is
 * no room, no image or no graphics. */
void
ui_face_draw_photo(struct ui *u, const struct ui_face *f, int y, int fy)
{
	int x = COLS - UI_FACE_PHOTO_COLS - 2, oh, ow;
	const char *why;

	if (!f->present)
		return;
	if (ui_face_panel_cols(f) > 0 && f->photo != NULL &&
	    ui_gfx_mode(u) != GFX_NONE) {
		attrset(ui_attr(u, C_DIM));
		ui_put(y, x, "顔写真（カード）", UI_FACE_PHOTO_COLS, 1);
		attrset(A_NORMAL);
		for (int r = 0; r < UI_FACE_PHOTO_ROWS; r++)
			mvhline(y + 1 + r, x - 1, ' ', UI_FACE_PHOTO_COLS + 2);
		if (ui_image_draw(u, f->photo, y + 1, x, UI_FACE_PHOTO_ROWS, UI_FACE_PHOTO_COLS,
		    &oh, &ow) == 0)
			return;
	}
	why = f->photo == NULL ? (f->why[0] ? f->why : "カードから顔写真を読み取れませんでした") :
	    ui_gfx_mode(u) == GFX_NONE ? "画像表示が無効です（[ui] graphics = none）" :
	    "画面が狭いため表示できません（120×40 以上で表示します）";
	{
		char line[256];
		snprintf(line, sizeof(line), "顔写真: %s。カード券面の写真とご本人を見比べてください。", why);
		attrset(ui_attr(u, C_DIM));
		ui_put(fy, 2, line, COLS - 4, 0);
		attrset(A_NORMAL);
	}
}

/* The 氏名 and 住所 images from row y down to row y + h - 1 (label at
 * x 2, image from x 14).  Returns the rows used. */
int
ui_face_draw_texts(struct ui *u, const struct ui_face *f, int y, int h)
{
	const struct img *ims[2] = { f->name, f->addr };
	static const char *const labels[2] = { "氏名（画像）", "住所（画像）" };
	int used = 0, each = h / 2 > UI_FACE_TEXT_ROWS ? UI_FACE_TEXT_ROWS : h / 2;

	if (!f->present || ui_face_panel_cols(f) == 0 || each < 2)
		return 0;
	for (int i = 0; i < 2; i++) {
		int oh, ow;
		if (ims[i] == NULL)
			continue;
		/* left of the photo panel, which may reach down here */
		if (ui_image_draw(u, ims[i], y + used, 14, each, COLS - 17 - ui_face_panel_cols(f),
		    &oh, &ow) != 0)
			continue;
		attrset(ui_attr(u, C_DIM));
		ui_put(y + used, 2, labels[i], 12, 0);
		attrset(A_NORMAL);
		used += oh + 1;
	}
	return used;
}

void
ui_face_draw(struct ui *u, const struct ui_face *f, int rec_top, int below)
{
	if (!f->present)
		return;
	ui_face_draw_photo(u, f, rec_top, below);
	ui_face_draw_texts(u, f, below, LINES - 3 - below);
}
