/*
 * jp2.c — the card's 顔写真 (LAYOUT.md DF27: JPEG 2000 in a JP2 container,
 * greyscale) decoded with libopenjp2 from memory.
 *
 * libopenjp2 reads through a stream object; ours is a struct rbuf over the
 * card's bytes with read/skip/seek callbacks, so nothing goes through a
 * file.  The header is read first and its size checked against the limits
 * (img.h) before opj_decode allocates the component planes; the tile grid
 * is bounded too, since every tile has its own allocations.  The library's
 * messages go nowhere (its default would be stderr, which is the clerk's
 * terminal): the first error is kept for the err message, which never
 * holds pixel data.
 *
 * The planes libopenjp2 decodes into (int32 per sample) hold the face:
 * they are wiped before opj_image_destroy.  Its code-block buffers inside
 * the codec are freed by the library without wiping; they hold wavelet
 * coefficients of parts of the image, and we cannot reach them.
 */
#include <openjpeg.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "img.h"

#define JP2_MAX_TILES 1024

struct jp2_src {
	struct rbuf b;
	char why[160];			/* the library's first error */
};

static OPJ_SIZE_T
src_read(void *buf, OPJ_SIZE_T n, void *user)
{
	struct jp2_src *s = user;
	size_t left = rbuf_left(&s->b);

	if (left == 0)
		return (OPJ_SIZE_T)-1;	/* end of stream, as the library wants it */
	if (n > left)
		n = left;
	if (rbuf_get(&s->b, buf, n) != 0)
		return (OPJ_SIZE_T)-1;
	return n;
}

static OPJ_OFF_T
src_skip(OPJ_OFF_T n, void *user)
{
	struct jp2_src *s = user;

	if (n < 0 || (uint64_t)n > rbuf_left(&s->b)) {
		/* past the end: say so, and stay at the end */
		rbuf_skip(&s->b, rbuf_left(&s->b));
		return (OPJ_OFF_T)-1;
	}
	rbuf_skip(&s->b, (size_t)n);
	return n;
}

static OPJ_BOOL
src_seek(OPJ_OFF_T pos, void *user)
{
	struct jp2_src *s = user;

	if (pos < 0 || (uint64_t)pos > s->b.len)
		return OPJ_FALSE;
	rbuf_init(&s->b, s->b.p, s->b.len);
	rbuf_skip(&s->b, (size_t)pos);
	return OPJ_TRUE;
}

static void
msg_error(const char *msg, void *user)
{
	struct jp2_src *s = user;
	size_t n;

	if (s->why[0] != '\0' || msg == NULL)
		return;
	snprintf(s->why, sizeof(s->why), "%s", msg);
	n = strlen(s->why);
	while (n > 0 && (s->why[n - 1] == '\n' || s->why[n - 1] == '\r'))
		s->why[--n] = '\0';
}

static void
msg_quiet(const char *msg, void *user)
{
	(void)msg;
	(void)user;
}

/* Check what the header declares, before any plane is allocated. */
static int
header_check(opj_codec_t *codec, const opj_image_t *im, struct err *e)
{
	opj_codestream_info_v2_t *cs;
	uint32_t w, h;
	int r = 0;

	if (im->x1 <= im->x0 || im->y1 <= im->y0)
		return err_set(e, ERR_FORMAT, "jp2: empty image");
	w = im->x1 - im->x0;
	h = im->y1 - im->y0;
	if (w > IMG_MAX_SIDE || h > IMG_MAX_SIDE || (uint64_t)w * h > IMG_MAX_PIXELS)
		return err_set_ja(e, ERR_RANGE, "顔写真が大きすぎます",
		    "jp2: %ux%u pixels is beyond the limit", w, h);
	if (im->numcomps < 1 || im->numcomps > 4)
		return err_set(e, ERR_FORMAT, "jp2: %u components", im->numcomps);
	for (OPJ_UINT32 i = 0; i < im->numcomps; i++) {
		const opj_image_comp_t *c = &im->comps[i];
		if (c->dx != 1 || c->dy != 1)
			return err_set(e, ERR_FORMAT, "jp2: subsampled component");
		if (c->prec < 1 || c->prec > 16)
			return err_set(e, ERR_FORMAT, "jp2: %u-bit samples", c->prec);
	}
	if ((cs = opj_get_cstr_info(codec)) == NULL)
		return err_set(e, ERR_FORMAT, "jp2: no codestream information");
	if (cs->tw == 0 || cs->th == 0 || (uint64_t)cs->tw * cs->th > JP2_MAX_TILES)
		r = err_set(e, ERR_RANGE, "jp2: %ux%u tiles is beyond the limit", cs->tw, cs->th);
	opj_destroy_cstr_info(&cs);
	return r;
}

/* A sample as 8 bits. */
static uint8_t
sample8(const opj_image_comp_t *c, size_t i)
{
	int64_t v = c->data[i], max = ((int64_t)1 << c->prec) - 1;

	if (c->sgnd)
		v += (int64_t)1 << (c->prec - 1);
	if (v < 0)
		v = 0;
	if (v > max)
		v = max;
	return (uint8_t)((v * 255 + max / 2) / max);
}

static int
planes_to_rgb(const opj_image_t *im, struct img **out, struct err *e)
{
	uint32_t w = im->x1 - im->x0, h = im->y1 - im->y0;
	size_t n = (size_t)w * h;
	int grey = im->numcomps < 3;
	struct img *o;

	for (OPJ_UINT32 i = 0; i < im->numcomps; i++)
		if (im->comps[i].data == NULL || im->comps[i].w != w || im->comps[i].h != h)
			return err_set(e, ERR_FORMAT, "jp2: component %u not decoded whole", i);
	if ((o = img_new(w, h)) == NULL)
		return err_set(e, ERR_NOMEM, "jp2: out of memory");
	for (size_t i = 0; i < n; i++) {
		uint8_t *d = o->rgb + 3 * i;
		d[0] = sample8(&im->comps[0], i);
		d[1] = grey ? d[0] : sample8(&im->comps[1], i);
		d[2] = grey ? d[0] : sample8(&im->comps[2], i);
	}
	*out = o;
	return 0;
}

static void
image_wipe_destroy(opj_image_t *im)
{
	if (im == NULL)
		return;
	for (OPJ_UINT32 i = 0; i < im->numcomps; i++)
		if (im->comps[i].data != NULL)
			sodium_memzero(im->comps[i].data,
			    (size_t)im->comps[i].w * im->comps[i].h * sizeof(OPJ_INT32));
	opj_image_destroy(im);
}

int
img_decode_jp2(const uint8_t *p, size_t n, struct img **out, struct err *e)
{
	opj_dparameters_t par;
	opj_stream_t *st = NULL;
	opj_codec_t *codec = NULL;
	opj_image_t *im = NULL;
	struct jp2_src src;
	int r;

	*out = NULL;
	if (n > IMG_MAX_INPUT)
		return err_set_ja(e, ERR_RANGE, "顔写真のデータが大きすぎます",
		    "jp2: %zu bytes is beyond the limit", n);
	memset(&src, 0, sizeof(src));
	rbuf_init(&src.b, p, n);
	if ((st = opj_stream_create(4096, OPJ_TRUE)) == NULL ||
	    (codec = opj_create_decompress(OPJ_CODEC_JP2)) == NULL) {
		r = err_set(e, ERR_NOMEM, "jp2: out of memory");
		goto out;
	}
	opj_stream_set_user_data(st, &src, NULL);
	opj_stream_set_user_data_length(st, n);
	opj_stream_set_read_function(st, src_read);
	opj_stream_set_skip_function(st, src_skip);
	opj_stream_set_seek_function(st, src_seek);
	opj_set_error_handler(codec, msg_error, &src);
	opj_set_warning_handler(codec, msg_quiet, NULL);
	opj_set_info_handler(codec, msg_quiet, NULL);
	opj_set_default_decoder_parameters(&par);
	if (!opj_setup_decoder(codec, &par) || !opj_read_header(st, codec, &im) || im == NULL) {
		r = err_set_ja(e, ERR_FORMAT, "顔写真を読めません（JPEG 2000 の形式が正しくありません）",
		    "jp2: bad header%s%s", src.why[0] ? ": " : "", src.why);
		goto out;
	}
	if ((r = header_check(codec, im, e)) != 0)
		goto out;
	if (!opj_decode(codec, st, im) || !opj_end_decompress(codec, st)) {
		r = err_set_ja(e, ERR_FORMAT, "顔写真を読めません（JPEG 2000 のデータが壊れています）",
		    "jp2: cannot decode%s%s", src.why[0] ? ": " : "", src.why);
		goto out;
	}
	r = planes_to_rgb(im, out, e);
out:
	image_wipe_destroy(im);
	if (codec != NULL)
		opj_destroy_codec(codec);
	if (st != NULL)
		opj_stream_destroy(st);
	mem_wipe(&src, sizeof(src));
	return r;
}
