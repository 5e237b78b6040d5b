/*
 * img.h — the card's face images decoded in memory (issue 11, "The face on
 * the screen"; LAYOUT.md EF 0002: DF27 顔写真 JPEG 2000 in a JP2 container,
 * DF25/DF26 氏名/住所 as PNG).
 *
 * The bytes come from the card, so they are outside bytes: they are read
 * through the bounded reader, never written to a file (no temp file, no
 * cache), and an image whose header declares more than IMG_MAX_SIDE pixels
 * a side or IMG_MAX_PIXELS in all is refused before anything is allocated
 * for its pixels (a decompression bomb costs a header read, not memory).
 *
 * Decoded pixels are a face and a name: they live in sodium_malloc memory
 * (guard pages, not swapped) and img_free wipes them.  The libraries' own
 * working buffers are wiped where the library lets us (libpng: through our
 * allocator; libopenjp2: its component planes) — see the .c files.
 *
 * This module depends on core and libsodium only (no ncurses): the card
 * layer hands over bytes, the ui draws the result.
 */
#ifndef MDG_IMG_H
#define MDG_IMG_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#define IMG_MAX_SIDE 2048		/* pixels, either side */
#define IMG_MAX_PIXELS (1024u * 1024u)	/* width × height */
#define IMG_MAX_INPUT (512u * 1024u)	/* encoded bytes accepted */

/* An image as 8-bit RGB, rows top to bottom, no padding (w * 3 bytes a
 * row).  A greyscale source has r == g == b. */
struct img {
	uint32_t w, h;
	uint8_t *rgb;			/* w * h * 3 bytes, sodium_malloc */
};

/* A w × h image of zeroes, or NULL (too large, or out of memory). */
struct img *img_new(uint32_t w, uint32_t h);
/* Wipe the pixels and free; NULL is fine. */
void img_free(struct img *im);

/* JPEG 2000 in a JP2 container (the card's 顔写真), 1 to 4 components
 * (grey, grey+alpha, RGB, RGBA; alpha is dropped), 1 to 16 bits, no
 * subsampling.  ERR_FORMAT for anything else or a damaged stream,
 * ERR_RANGE beyond the limits.  *out is the caller's (img_free). */
int img_decode_jp2(const uint8_t *p, size_t n, struct img **out, struct err *e);

/* PNG of any colour type and depth (the card's 1-bit 氏名/住所 images);
 * transparency is put on white.  Errors as img_decode_jp2. */
int img_decode_png(const uint8_t *p, size_t n, struct img **out, struct err *e);

/* By the signature: JP2 or PNG, else ERR_FORMAT. */
int img_decode(const uint8_t *p, size_t n, struct img **out, struct err *e);

#endif
