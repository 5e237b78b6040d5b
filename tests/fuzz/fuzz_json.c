/*
 * fuzz_json.c — the strict JSON reader (form values, export files, sync
 * messages).
 *
 * Properties: whatever parses is written back out (strings through
 * json_put_str, numbers with 17 significant digits) and parses again to the
 * same tree; strings are valid UTF-8 with slen bytes; whatever is refused
 * leaves no tree and a message.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
write_json(struct wbuf *w, const struct json *j, int in_obj)
{
	for (; j != NULL; j = j->next) {
		if (in_obj) {
			check(j->key != NULL);
			json_put_str(w, j->key, strlen(j->key));
			wbuf_put_u8(w, ':');
		} else
			check(j->key == NULL);
		switch (j->type) {
		case JSON_NULL: wbuf_printf(w, "null"); break;
		case JSON_BOOL: wbuf_printf(w, j->b ? "true" : "false"); break;
		case JSON_NUM:
			check(isfinite(j->num));
			wbuf_printf(w, "%.17g", j->num);
			break;
		case JSON_STR:
			check(j->str != NULL && j->str[j->slen] == '\0');
			check(utf8_valid(j->str, j->slen));
			json_put_str(w, j->str, j->slen);
			break;
		case JSON_ARR:
		case JSON_OBJ:
			wbuf_put_u8(w, j->type == JSON_ARR ? '[' : '{');
			write_json(w, j->child, j->type == JSON_OBJ);
			wbuf_put_u8(w, j->type == JSON_ARR ? ']' : '}');
			break;
		}
		if (j->next != NULL)
			wbuf_put_u8(w, ',');
	}
}

static void
same(const struct json *a, const struct json *b)
{
	for (; a != NULL || b != NULL; a = a->next, b = b->next) {
		check(a != NULL && b != NULL);
		check(a->type == b->type);
		check((a->key == NULL) == (b->key == NULL));
		check(a->key == NULL || strcmp(a->key, b->key) == 0);
		switch (a->type) {
		case JSON_BOOL: check(a->b == b->b); break;
		case JSON_NUM: check(a->num == b->num); break;
		case JSON_STR:
			check(a->slen == b->slen && memcmp(a->str, b->str, a->slen) == 0);
			break;
		default: break;
		}
		same(a->child, b->child);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *j = (struct json *)1, *k = NULL;
	struct err e;
	struct wbuf w;
	int r;

	err_clear(&e);
	r = json_parse((const char *)data, size, &j, &e);
	if (r != 0) {
		check(j == NULL && e.code == r && strncmp(e.msg, "JSON: ", 6) == 0);
		return 0;
	}
	check(j != NULL && j->key == NULL && j->next == NULL);
	wbuf_init(&w, 0);
	write_json(&w, j, 0);
	check(w.err == 0);
	r = json_parse((const char *)w.p, w.len, &k, &e);
	check(r == 0);
	same(j, k);
	/* json_get finds every member of a top-level object */
	if (j->type == JSON_OBJ)
		for (const struct json *m = j->child; m != NULL; m = m->next)
			check(json_get(j, m->key) == m);
	json_free(k);
	json_free(j);
	wbuf_free(&w);
	return 0;
}
