/*
 * png.c — the card's 氏名/住所 images (LAYOUT.md DF25/DF26: PNG, 1-bit)
 * decoded with libpng from memory.
 *
 * libpng reads through our read callback over a struct rbuf (a short read
 * is a png_error, never a read past the end), allocates through our
 * functions (each block is wiped when libpng frees it: its row buffers
 * hold the text), and stops on the dimensions in IHDR before any row is
 * allocated (png_set_user_limits, and our own check of width × height).
 * Ancillary chunks that can carry compressed text are not kept and a
 * chunk's memory is capped, so a zTXt/iCCP bomb is refused too.
 * libpng's messages go into the err message only (its default is stderr,
 * the clerk's terminal).
 */
#include <png.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img.h"

#define PNG_CHUNK_MAX (64u * 1024u)	/* bytes any one ancillary chunk may take */

struct png_src {
	struct rbuf b;
	char why[160];
};

/* Blocks carry their size in front, so the free function can wipe them. */
struct blk {
	size_t n;
	max_align_t align[];
};

static png_voidp
blk_alloc(png_structp png, png_alloc_size_t n)
{
	struct blk *b;

	(void)png;
	if (n > SIZE_MAX - sizeof(*b) || (b = malloc(sizeof(*b) + n)) == NULL)
		return NULL;
	b->n = n;
	return b->align;
}

static void
blk_free(png_structp png, png_voidp p)
{
	struct blk *b;

	(void)png;
	if (p == NULL)
		return;
	b = (struct blk *)((char *)p - offsetof(struct blk, align));
	sodium_memzero(p, b->n);
	free(b);
}

static void
on_error(png_structp png, png_const_charp msg)
{
	struct png_src *s = png_get_error_ptr(png);

	if (s->why[0] == '\0')
		snprintf(s->why, sizeof(s->why), "%s", msg != NULL ? msg : "error");
	png_longjmp(png, 1);
}

static void
on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void
on_read(png_structp png, png_bytep out, size_t n)
{
	struct png_src *s = png_get_io_ptr(png);

	if (rbuf_get(&s->b, out, n) != 0)
		png_error(png, "truncated");
}

/* RGBA rows to RGB on white. */
static void
rgba_to_rgb(const uint8_t *src, struct img *o)
{
	size_t n = (size_t)o->w * o->h;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *s = src + 4 * i;
		uint8_t *d = o->rgb + 3 * i;
		unsigned a = s[3];
		for (int c = 0; c < 3; c++)
			d[c] = (uint8_t)((s[c] * a + 255 * (255 - a) + 127) / 255);
	}
}

/* IHDR's size read by us before libpng sees anything: a header beyond the
 * limits is ERR_RANGE (libpng's own limit would only say "invalid"). */
static int
ihdr_check(const uint8_t *p, size_t n, struct err *e)
{
	struct rbuf b;
	uint32_t len, w, h;
	uint8_t type[4];

	rbuf_init(&b, p, n);
	if (rbuf_skip(&b, 8) != 0 || rbuf_get_u32(&b, &len) != 0 || rbuf_get(&b, type, 4) != 0 ||
	    memcmp(type, "IHDR", 4) != 0 || len != 13 ||
	    rbuf_get_u32(&b, &w) != 0 || rbuf_get_u32(&b, &h) != 0)
		return err_set_ja(e, ERR_FORMAT, "画像を読めません（PNG のデータが壊れています）",
		    "png: no IHDR first");
	if (w == 0 || h == 0 || w > IMG_MAX_SIDE || h > IMG_MAX_SIDE ||
	    (uint64_t)w * h > IMG_MAX_PIXELS)
		return err_set_ja(e, ERR_RANGE, "画像が大きすぎます",
		    "png: %ux%u pixels is beyond the limit", w, h);
	return 0;
}

int
img_decode_png(const uint8_t *p, size_t n, struct img **out, struct err *e)
{
	/* changed after setjmp and used after a longjmp: volatile */
	png_structp volatile png = NULL;
	png_infop volatile info = NULL;
	uint8_t *volatile rgba = NULL;
	png_bytep *volatile rows = NULL;
	struct img *volatile o = NULL;
	volatile size_t rgba_len = 0;
	volatile int r = 0;
	struct png_src src;
	png_uint_32 w, h;
	int depth, ctype, ilace;

	*out = NULL;
	if (n > IMG_MAX_INPUT)
		return err_set_ja(e, ERR_RANGE, "画像のデータが大きすぎます",
		    "png: %zu bytes is beyond the limit", n);
	if (n < 8 || png_sig_cmp(p, 0, 8) != 0)
		return err_set_ja(e, ERR_FORMAT, "画像を読めません（PNG ではありません）",
		    "png: no PNG signature");
	if ((r = ihdr_check(p, n, e)) != 0)
		return r;
	if (sodium_init() < 0)
		return err_set(e, ERR_NOMEM, "png: libsodium did not start");
	memset(&src, 0, sizeof(src));
	rbuf_init(&src.b, p, n);
	png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &src, on_error, on_warning,
	    NULL, blk_alloc, blk_free);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		r = err_set(e, ERR_NOMEM, "png: out of memory");
		goto out;
	}
	if (setjmp(png_jmpbuf(png))) {
		r = err_set_ja(e, ERR_FORMAT, "画像を読めません（PNG のデータが壊れています）",
		    "png: %s", src.why[0] ? src.why : "cannot decode");
		goto out;
	}
	png_set_read_fn(png, &src, on_read);
	png_set_user_limits(png, IMG_MAX_SIDE, IMG_MAX_SIDE);
	png_set_chunk_malloc_max(png, PNG_CHUNK_MAX);
	png_set_chunk_cache_max(png, 64);
	/* text, profiles and the like are not needed to draw: drop them */
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
	{
		static const png_byte skip[] = "iCCP\0iTXt\0tEXt\0zTXt\0sPLT\0eXIf\0";
		png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, skip, 6);
	}
	png_set_sig_bytes(png, 0);
	png_read_info(png, info);
	png_get_IHDR(png, info, &w, &h, &depth, &ctype, &ilace, NULL, NULL);
	if (w == 0 || h == 0 || w > IMG_MAX_SIDE || h > IMG_MAX_SIDE ||
	    (uint64_t)w * h > IMG_MAX_PIXELS) {
		r = err_set_ja(e, ERR_RANGE, "画像が大きすぎます",
		    "png: %ux%u pixels is beyond the limit", (unsigned)w, (unsigned)h);
		goto out;
	}
	/* everything to 8-bit RGBA */
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_gray_to_rgb(png);
	png_set_filler(png, 0xff, PNG_FILLER_AFTER);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	if (png_get_rowbytes(png, info) != (size_t)w * 4) {
		r = err_set(e, ERR_FORMAT, "png: unexpected row size");
		goto out;
	}
	rgba_len = (size_t)w * h * 4;
	if ((rgba = sodium_malloc(rgba_len)) == NULL ||
	    (rows = calloc(h, sizeof(*rows))) == NULL || (o = img_new(w, h)) == NULL) {
		r = err_set(e, ERR_NOMEM, "png: out of memory");
		goto out;
	}
	for (png_uint_32 y = 0; y < h; y++)
		rows[y] = rgba + (size_t)y * w * 4;
	/* the rows only: chunks after IDAT are not read at all */
	png_read_image(png, rows);
	rgba_to_rgb(rgba, o);
	*out = o;
	o = NULL;
out:
	if (png != NULL) {
		png_structp ps = png;
		png_infop pi = info;
		png_destroy_read_struct(&ps, pi != NULL ? &pi : NULL, NULL);
	}
	free(rows);
	sodium_free(rgba);		/* wipes */
	img_free(o);
	mem_wipe(&src, sizeof(src));
	(void)rgba_len;
	return r;
}
