/*
 * img.c — the decoded image: its sodium_malloc pixels, and choosing the
 * decoder by signature.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "img.h"

struct img *
img_new(uint32_t w, uint32_t h)
{
	struct img *im;
	size_t n;

	if (w == 0 || h == 0 || w > IMG_MAX_SIDE || h > IMG_MAX_SIDE ||
	    (uint64_t)w * h > IMG_MAX_PIXELS)
		return NULL;
	if (sodium_init() < 0 || (im = calloc(1, sizeof(*im))) == NULL)
		return NULL;
	n = (size_t)w * h * 3;
	if ((im->rgb = sodium_malloc(n)) == NULL) {
		free(im);
		return NULL;
	}
	memset(im->rgb, 0, n);
	im->w = w;
	im->h = h;
	return im;
}

void
img_free(struct img *im)
{
	if (im == NULL)
		return;
	sodium_free(im->rgb);		/* wipes before unmapping */
	mem_wipe(im, sizeof(*im));
	free(im);
}

int
img_decode(const uint8_t *p, size_t n, struct img **out, struct err *e)
{
	static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static const uint8_t jp2_sig[12] = { 0, 0, 0, 12, 'j', 'P', ' ', ' ', '\r', '\n', 0x87, '\n' };

	*out = NULL;
	if (n >= sizeof(png_sig) && memcmp(p, png_sig, sizeof(png_sig)) == 0)
		return img_decode_png(p, n, out, e);
	if (n >= sizeof(jp2_sig) && memcmp(p, jp2_sig, sizeof(jp2_sig)) == 0)
		return img_decode_jp2(p, n, out, e);
	return err_set_ja(e, ERR_FORMAT, "画像の形式が読めません", "image: neither PNG nor JP2");
}
