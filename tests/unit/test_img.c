/*
 * test_img.c — the card's face images decoded in memory (issue 11, "The
 * face on the screen"; LAYOUT.md EF 0002 DF25/DF26/DF27; ID-5: the device
 * keeps no copy).  The JP2 photos and PNG name/address images are the
 * committed demo files (scripts/gen-faces.py); the odd PNGs and the bombs
 * are in the fuzz corpora.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "img.h"

static uint8_t *
load(const char *rel, size_t *n)
{
	char path[4096];
	uint8_t *p;

	snprintf(path, sizeof(path), "%s/%s", t_srcdir(), rel);
	p = (uint8_t *)t_read_file(path, n);
	if (p == NULL) {
		t_fail_at(__FILE__, __LINE__, "cannot read %s", path);
		t_stop();
	}
	return p;
}

static const uint8_t *
px(const struct img *im, uint32_t x, uint32_t y)
{
	return im->rgb + 3 * ((size_t)y * im->w + x);
}

/* The demo photo: 96×120 greyscale, the drawing where it was drawn. */
TEST(img_jp2_demo_photo_decodes_grey)
{
	size_t n;
	uint8_t *p = load("data/cards/faces/demo-1.jp2", &n);
	struct img *im = NULL;
	struct err e;

	err_clear(&e);
	REQUIRE_OK(img_decode_jp2(p, n, &im, &e), &e);
	CHECK_INT(im->w, 96);
	CHECK_INT(im->h, 120);
	for (uint32_t y = 0; y < im->h; y += 7)
		for (uint32_t x = 0; x < im->w; x += 5) {
			const uint8_t *q = px(im, x, y);
			if (q[0] != q[1] || q[1] != q[2]) {
				t_fail_at(__FILE__, __LINE__, "pixel %u,%u not grey", x, y);
				goto done;
			}
		}
	/* background top-left is mid grey (150), the irises are dark and the
	 * eye whites light: a decoder that returned noise or a flat plane
	 * would not have both */
	CHECK(px(im, 1, 1)[0] > 120 && px(im, 1, 1)[0] < 175);
	{
		int dark = 0, light = 0;
		for (uint32_t y = 40; y < 55; y++)
			for (uint32_t x = 20; x < 76; x++) {
				dark += px(im, x, y)[0] < 60;
				light += px(im, x, y)[0] > 200;
			}
		CHECK(dark > 4);
		CHECK(light > 4);
	}
done:
	img_free(im);
	free(p);
}

/* The 1-bit name image: black text on white, nothing in between. */
TEST(img_png_one_bit_name)
{
	size_t n;
	uint8_t *p = load("data/cards/faces/demo-1-name.png", &n);
	struct img *im = NULL;
	struct err e;
	size_t black = 0, other = 0;

	err_clear(&e);
	REQUIRE_OK(img_decode_png(p, n, &im, &e), &e);
	CHECK(im->w > im->h && im->h >= 16);
	for (size_t i = 0; i < (size_t)im->w * im->h * 3; i++) {
		black += im->rgb[i] == 0;
		other += im->rgb[i] != 0 && im->rgb[i] != 255;
	}
	CHECK(black > 100);
	CHECK_INT(other, 0);
	/* the margin is white */
	CHECK_INT(px(im, 0, 0)[0], 255);
	img_free(im);
	free(p);
}

/* Palette with a transparent entry, 16-bit grey, RGBA, interlaced: the
 * other PNG forms come out as RGB on white. */
TEST(img_png_other_forms)
{
	size_t n;
	uint8_t *p;
	struct img *im = NULL;
	struct err e;

	err_clear(&e);
	p = load("tests/fuzz/corpus/png/palette-trns.png", &n);
	REQUIRE_OK(img_decode_png(p, n, &im, &e), &e);
	CHECK_INT(im->w, 4);
	CHECK_MEM(px(im, 0, 0), "\xff\x00\x00", 3);
	CHECK_MEM(px(im, 1, 1), "\x00\xff\x00", 3);
	CHECK_MEM(px(im, 2, 0), "\x00\x00\xff", 3);
	CHECK_MEM(px(im, 3, 1), "\xff\xff\xff", 3);	/* transparent → white */
	img_free(im);
	free(p);

	p = load("tests/fuzz/corpus/png/grey16.png", &n);
	REQUIRE_OK(img_decode_png(p, n, &im, &e), &e);
	CHECK_INT(px(im, 0, 0)[0], 0);
	CHECK_INT(px(im, 1, 0)[1], 128);
	CHECK_INT(px(im, 2, 0)[2], 255);
	img_free(im);
	free(p);

	p = load("tests/fuzz/corpus/png/rgba-half.png", &n);
	REQUIRE_OK(img_decode_png(p, n, &im, &e), &e);
	CHECK_INT(px(im, 0, 0)[0], 0);
	CHECK(px(im, 1, 0)[0] >= 126 && px(im, 1, 0)[0] <= 128);	/* half black on white */
	img_free(im);
	free(p);

	p = load("tests/fuzz/corpus/png/interlaced-1x1.png", &n);
	REQUIRE_OK(img_decode_png(p, n, &im, &e), &e);
	CHECK_INT(px(im, 0, 0)[0], 77);
	img_free(im);
	free(p);
}

/* Bombs: a header that declares more than the limits is refused with
 * ERR_RANGE before any pixel memory exists (a 65535² 1-bit PNG would be
 * 12 GiB as RGB; the 4000² JP2 is 226 bytes and 16 M samples). */
TEST(img_bombs_refused)
{
	static const char *const files[] = {
		"tests/fuzz/corpus/png/bomb-65535.png",
		"tests/fuzz/corpus/png/bomb-2048.png",
		"tests/fuzz/corpus/jp2/bomb-4000.jp2",
	};
	struct err e;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t n;
		uint8_t *p = load(files[i], &n);
		struct img *im = (struct img *)1;
		err_clear(&e);
		int r = img_decode(p, n, &im, &e);
		if (r != ERR_RANGE)
			t_fail_at(__FILE__, __LINE__, "%s: %d (%s), expected ERR_RANGE", files[i], r, e.msg);
		CHECK(im == NULL);
		free(p);
	}
}

/* A zTXt chunk that inflates to 10 MB is not inflated: the image beside
 * it decodes, and the text is dropped (or, if libpng reads it, refused by
 * the chunk cap); either way no 10 MB allocation. */
TEST(img_png_ztxt_bomb_not_inflated)
{
	size_t n;
	uint8_t *p = load("tests/fuzz/corpus/png/ztxt-bomb.png", &n);
	struct img *im = NULL;
	struct err e;

	err_clear(&e);
	REQUIRE_OK(img_decode_png(p, n, &im, &e), &e);
	CHECK_INT(im->w, 1);
	CHECK_INT(px(im, 0, 0)[0], 255);
	img_free(im);
	free(p);
}

/* Every prefix of a good file is refused or decodes — never a crash or
 * a read past the end (ASan), and never a success on the bare header. */
TEST(img_truncated_inputs)
{
	static const char *const files[] = {
		"data/cards/faces/demo-3.jp2", "data/cards/faces/demo-3-name.png",
	};
	struct err e;

	for (size_t f = 0; f < 2; f++) {
		size_t n;
		uint8_t *p = load(files[f], &n);
		for (size_t k = 0; k < n; k += (k < 200 ? 1 : 13)) {
			uint8_t *q = malloc(k ? k : 1);
			struct img *im = NULL;
			REQUIRE(q != NULL);
			memcpy(q, p, k);
			err_clear(&e);
			int r = img_decode(q, k, &im, &e);
			if (k < 100)
				CHECK(r < 0);
			CHECK(r < 0 ? im == NULL : im != NULL);
			img_free(im);
			free(q);
		}
		free(p);
	}
}

/* By signature; anything else is ERR_FORMAT. */
TEST(img_decode_by_signature)
{
	size_t n;
	uint8_t *p = load("data/cards/faces/demo-2-addr.png", &n);
	struct img *im = NULL;
	struct err e;

	err_clear(&e);
	REQUIRE_OK(img_decode(p, n, &im, &e), &e);
	img_free(im);
	free(p);
	p = load("data/cards/faces/demo-2.jp2", &n);
	REQUIRE_OK(img_decode(p, n, &im, &e), &e);
	img_free(im);
	CHECK_INT(img_decode_png(p, n, &im, &e), ERR_FORMAT);	/* a JP2 is not a PNG */
	CHECK_INT(img_decode(p + 1, n - 1, &im, &e), ERR_FORMAT);
	CHECK_INT(img_decode((const uint8_t *)"GIF89a", 6, &im, &e), ERR_FORMAT);
	free(p);
}

/* The limits themselves: img_new refuses beyond them. */
TEST(img_new_limits)
{
	struct img *im;

	CHECK(img_new(0, 1) == NULL);
	CHECK(img_new(IMG_MAX_SIDE + 1, 1) == NULL);
	CHECK(img_new(1024, 1025) == NULL);
	REQUIRE((im = img_new(1024, 1024)) != NULL);
	CHECK_INT(im->rgb[3 * 1024 * 1024 - 1], 0);
	img_free(im);
}
