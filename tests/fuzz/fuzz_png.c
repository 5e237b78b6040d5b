/*
 * fuzz_png.c — the card's 氏名/住所 image decoder (PNG, libpng from memory).
 * The bytes are the card's, so outside bytes (issue 11): any input either
 * decodes within the limits of img.h or is refused with an error, and
 * never crashes, reads past the input or allocates beyond the limits
 * (libFuzzer's -rss_limit_mb catches a bomb that gets through).
 */
#include <stdlib.h>

#include "img.h"

static void
check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img *im = NULL;
	struct err e;
	int r;

	err_clear(&e);
	r = img_decode_png(data, size, &im, &e);
	if (r == 0) {
		check(im != NULL && im->w > 0 && im->h > 0);
		check(im->w <= IMG_MAX_SIDE && im->h <= IMG_MAX_SIDE);
		check((uint64_t)im->w * im->h <= IMG_MAX_PIXELS);
		/* every pixel readable (ASan checks the buffer's extent) */
		unsigned sum = 0;
		for (size_t i = 0; i < (size_t)im->w * im->h * 3; i++)
			sum += im->rgb[i];
		(void)sum;
	} else {
		check(im == NULL && r < 0 && e.msg[0] != '\0');
	}
	img_free(im);
	return 0;
}
