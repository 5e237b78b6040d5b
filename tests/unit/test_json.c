/*
 * test_json.c — the strict JSON reader and string writer used for form
 * values, export files and sync messages (bytes from outside: RFC 8259
 * only, bounded, no crash on anything).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "harness.h"

static struct json *
parse_ok(const char *s)
{
	struct json *j = NULL;
	struct err e;

	err_clear(&e);
	if (json_parse(s, strlen(s), &j, &e) != 0) {
		t_fail_at(__FILE__, __LINE__, "parse(%s): %s", s, e.msg);
		t_stop();
	}
	return j;
}

TEST(json_parse_a_document)
{
	struct json *j = parse_ok(
	    " {\"name\": \"山田 太郎\", \"kana\":\"ヤマダ タロウ\", \"age\": 42,\n"
	    "  \"ok\": true, \"no\": false, \"nil\": null, \"list\": [1, -2.5, 3e2, \"x\", [], {}],\n"
	    "  \"nested\": {\"a\": {\"b\": [ {\"c\": \"d\"} ]}}} \r\n");
	const struct json *m, *list;

	CHECK_INT(j->type, JSON_OBJ);
	CHECK_STR(json_get_str(j, "name"), "山田 太郎");
	CHECK_STR(json_get_str(j, "kana"), "ヤマダ タロウ");
	CHECK(json_get_str(j, "age") == NULL);		/* not a string */
	CHECK(json_get_str(j, "missing") == NULL);
	REQUIRE((m = json_get(j, "age")) != NULL);
	CHECK_INT(m->type, JSON_NUM);
	CHECK(m->num == 42);
	REQUIRE((m = json_get(j, "ok")) != NULL);
	CHECK(m->type == JSON_BOOL && m->b == 1);
	REQUIRE((m = json_get(j, "no")) != NULL);
	CHECK(m->type == JSON_BOOL && m->b == 0);
	REQUIRE((m = json_get(j, "nil")) != NULL);
	CHECK_INT(m->type, JSON_NULL);
	REQUIRE((list = json_get(j, "list")) != NULL);
	CHECK_INT(list->type, JSON_ARR);
	m = list->child;
	REQUIRE(m != NULL);
	CHECK(m->num == 1 && m->key == NULL);
	m = m->next;
	CHECK(m->num == -2.5);
	m = m->next;
	CHECK(m->num == 300);
	m = m->next;
	CHECK(m->type == JSON_STR && m->slen == 1);
	m = m->next;
	CHECK(m->type == JSON_ARR && m->child == NULL);
	m = m->next;
	CHECK(m->type == JSON_OBJ && m->child == NULL && m->next == NULL);
	m = json_get(json_get(json_get(j, "nested"), "a"), "b");
	REQUIRE(m != NULL && m->type == JSON_ARR);
	CHECK_STR(json_get_str(m->child, "c"), "d");
	CHECK(json_get(m, "c") == NULL);		/* not an object */
	CHECK(json_get(NULL, "c") == NULL);
	json_free(j);
	json_free(NULL);
}

TEST(json_scalars_at_top_level)
{
	struct json *j;

	j = parse_ok("\"x\"");
	CHECK_STR(j->str, "x");
	json_free(j);
	j = parse_ok(" 0 ");
	CHECK(j->type == JSON_NUM && j->num == 0);
	json_free(j);
	j = parse_ok("null");
	CHECK_INT(j->type, JSON_NULL);
	json_free(j);
}

static const struct {
	const char *in;
	const char *out;
	size_t outlen;
} strings[] = {
	{ "\"\"", "", 0 },
	{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8 },
	{ "\"\\u0041\\u00e9\\u3042\"", "Aéあ", 6 },
	{ "\"\\u30AB\\u30ab\"", "カカ", 6 },
	{ "\"\\ud83d\\ude00\"", "😀", 4 },		/* surrogate pair */
	{ "\"\\uD842\\uDFB7野家\"", "𠮷野家", 10 },
	{ "\"a\\u0000b\"", "a\0b", 3 },		/* NUL in a value: slen keeps it */
	{ "\"ｶﾞ 𠮷\"", "ｶﾞ 𠮷", 11 },
	{ "\"\x7f\"", "\x7f", 1 },
};

TEST(json_string_escapes_and_surrogates)
{
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		struct json *j = parse_ok(strings[i].in);
		CHECK_INT(j->type, JSON_STR);
		CHECK_INT(j->slen, strings[i].outlen);
		if (j->slen == strings[i].outlen)
			CHECK_MEM(j->str, strings[i].out, j->slen + 1);
		json_free(j);
	}
}

static const struct {
	const char *in;
	double v;
} numbers[] = {
	{ "0", 0 }, { "-0", -0.0 }, { "1", 1 }, { "-1", -1 }, { "123456789012345", 123456789012345.0 },
	{ "9007199254740993", 9007199254740992.0 },	/* rounds like strtod */
	{ "1.5", 1.5 }, { "-0.25", -0.25 }, { "1e3", 1000 }, { "1E+3", 1000 }, { "25e-2", 0.25 },
	{ "0.1", 0.1 }, { "1e-400", 0 }, { "12345678901234567890", 12345678901234567890.0 },
};

TEST(json_numbers)
{
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		struct json *j = parse_ok(numbers[i].in);
		if (j->type != JSON_NUM || j->num != numbers[i].v ||
		    signbit(j->num) != signbit(numbers[i].v))
			t_fail_at(__FILE__, __LINE__, "%s -> %.17g", numbers[i].in, j->num);
		json_free(j);
	}
}

static const struct {
	const char *in;
	size_t n;		/* 0: strlen */
	int code;
	const char *why;
} malformed[] = {
	{ "", 0, ERR_SHORT, "unexpected end" },
	{ "   ", 0, ERR_SHORT, "unexpected end" },
	{ "{", 0, ERR_SHORT, "member name" },
	{ "[", 0, ERR_SHORT, "end of input" },
	{ "[1", 0, ERR_SHORT, "expected ','" },
	{ "[1,", 0, ERR_SHORT, "end of input" },
	{ "{\"a\"", 0, ERR_SHORT, "expected ':'" },
	{ "{\"a\":", 0, ERR_SHORT, "end of input" },
	{ "{\"a\":1", 0, ERR_SHORT, "expected ','" },
	{ "\"abc", 0, ERR_SHORT, "unterminated string" },
	{ "\"abc\\", 0, ERR_SHORT, "unterminated string" },
	{ "\"\\u12", 0, ERR_SHORT, "truncated" },
	{ "tru", 0, ERR_SHORT, "unexpected character" },
	{ "[1,]", 0, ERR_FORMAT, "unexpected character" },		/* trailing comma */
	{ "{\"a\":1,}", 0, ERR_FORMAT, "member name" },
	{ "[1 2]", 0, ERR_FORMAT, "expected ','" },
	{ "{\"a\" 1}", 0, ERR_FORMAT, "expected ':'" },
	{ "{a:1}", 0, ERR_FORMAT, "member name" },
	{ "{'a':1}", 0, ERR_FORMAT, "member name" },
	{ "['a']", 0, ERR_FORMAT, "unexpected character" },
	{ "// c\n1", 0, ERR_FORMAT, "unexpected character" },
	{ "1 2", 0, ERR_FORMAT, "text after the value" },
	{ "{} {}", 0, ERR_FORMAT, "text after the value" },
	{ "nul", 0, ERR_SHORT, "unexpected character" },
	{ "nulL", 0, ERR_FORMAT, "unexpected character" },
	{ "True", 0, ERR_FORMAT, "unexpected character" },
	{ "NaN", 0, ERR_FORMAT, "unexpected character" },
	{ "Infinity", 0, ERR_FORMAT, "unexpected character" },
	{ "-Infinity", 0, ERR_FORMAT, "bad number" },
	{ "01", 0, ERR_FORMAT, "leading zero" },
	{ "-01", 0, ERR_FORMAT, "leading zero" },
	{ "+1", 0, ERR_FORMAT, "unexpected character" },
	{ ".5", 0, ERR_FORMAT, "unexpected character" },
	{ "1.", 0, ERR_FORMAT, "no digits after decimal point" },
	{ "1.e3", 0, ERR_FORMAT, "no digits after decimal point" },
	{ "1e", 0, ERR_FORMAT, "no digits in exponent" },
	{ "1e+", 0, ERR_FORMAT, "no digits in exponent" },
	{ "-", 0, ERR_FORMAT, "bad number" },
	{ "0x10", 0, ERR_FORMAT, "text after the value" },
	{ "1e400", 0, ERR_RANGE, "out of range" },
	{ "-1e400", 0, ERR_RANGE, "out of range" },
	{ "\"a\nb\"", 0, ERR_FORMAT, "control character" },
	{ "\"a\tb\"", 0, ERR_FORMAT, "control character" },
	{ "\"\\x41\"", 0, ERR_FORMAT, "unknown escape" },
	{ "\"\\'\"", 0, ERR_FORMAT, "unknown escape" },
	{ "\"\\u12G4\"", 0, ERR_FORMAT, "bad hex digit" },
	{ "\"\\ud83d\"", 0, ERR_FORMAT, "high surrogate" },
	{ "\"\\ud83dx\"", 0, ERR_FORMAT, "high surrogate" },
	{ "\"\\ud83d\\u0041\"", 0, ERR_FORMAT, "high surrogate" },
	{ "\"\\ud83d\\ud83d\"", 0, ERR_FORMAT, "high surrogate" },
	{ "\"\\ude00\"", 0, ERR_FORMAT, "lone low surrogate" },
	{ "\"\xff\"", 0, ERR_FORMAT, "invalid UTF-8" },
	{ "\"\xc0\xaf\"", 0, ERR_FORMAT, "invalid UTF-8" },		/* overlong */
	{ "\"\xed\xa0\x80\"", 0, ERR_FORMAT, "invalid UTF-8" },	/* surrogate */
	{ "\"\xe3\x81\"", 0, ERR_FORMAT, "invalid UTF-8" },		/* truncated */
	{ "\"\xe3\x81", 0, ERR_FORMAT, "invalid UTF-8" },
	{ "\xef\xbb\xbf{}", 0, ERR_FORMAT, "unexpected character" },	/* BOM */
	{ "{\"a\":1,\"b\":2,\"a\":3}", 0, ERR_FORMAT, "duplicate member name \"a\"" },
	{ "{\"x\":{\"k\":1,\"k\":1}}", 0, ERR_FORMAT, "duplicate member name \"k\"" },
	{ "{\"\\u0061\":1,\"a\":2}", 0, ERR_FORMAT, "duplicate member name" },
	{ "{\"a\\u0000b\":1}", 0, ERR_FORMAT, "U+0000 in a member name" },
	{ "[1]\0", 4, ERR_FORMAT, "text after the value" },
	{ "\0", 1, ERR_FORMAT, "unexpected character" },
};

TEST(json_malformed_inputs_refused)
{
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		struct json *j = (struct json *)1;
		struct err e;
		size_t n = malformed[i].n ? malformed[i].n : strlen(malformed[i].in);
		err_clear(&e);
		int r = json_parse(malformed[i].in, n, &j, &e);
		if (r != malformed[i].code || strstr(e.msg, malformed[i].why) == NULL ||
		    strstr(e.msg, "JSON: ") != e.msg)
			t_fail_at(__FILE__, __LINE__, "case %zu (%s): %d \"%s\", expected %d \"%s\"",
			    i, malformed[i].in, r, e.msg, malformed[i].code, malformed[i].why);
		CHECK(j == NULL);
	}
}

/* The error says where: the byte offset of the problem. */
TEST(json_error_offsets)
{
	struct json *j;
	struct err e;

	CHECK_INT(json_parse("[1, 2, x]", 9, &j, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "offset 7") != NULL);
	CHECK_INT(json_parse("\"ab\xff\"", 5, &j, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "offset 3") != NULL);
	/* no struct err: still refused, nothing leaked */
	CHECK_INT(json_parse("[1,", 3, &j, NULL), ERR_SHORT);
}

static char *
nest(int depth, const char *open, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close);
	char *s = malloc((size_t)depth * (lo + lc) + 2);
	size_t o = 0;

	for (int i = 0; i < depth; i++, o += lo)
		memcpy(s + o, open, lo);
	if (open[lo - 1] == ':')
		s[o++] = '0';		/* the innermost member's value */
	for (int i = 0; i < depth; i++, o += lc)
		memcpy(s + o, close, lc);
	s[o] = '\0';
	return s;
}

TEST(json_depth_limit)
{
	struct json *j;
	struct err e;
	char *s;

	s = nest(64, "[", "]");
	CHECK_OK(json_parse(s, strlen(s), &j, &e), &e);
	json_free(j);
	free(s);
	s = nest(65, "[", "]");
	CHECK_INT(json_parse(s, strlen(s), &j, &e), ERR_RANGE);
	CHECK(strstr(e.msg, "nesting too deep") != NULL);
	free(s);
	s = nest(64, "{\"a\":", "}");
	CHECK_OK(json_parse(s, strlen(s), &j, &e), &e);
	json_free(j);
	free(s);
	s = nest(100000, "{\"a\":[", "]}");
	CHECK_INT(json_parse(s, strlen(s), &j, &e), ERR_RANGE);
	free(s);
	/* an unclosed deep nest fails on depth, not on the stack */
	s = nest(1000000, "[", "");
	CHECK_INT(json_parse(s, strlen(s), &j, &e), ERR_RANGE);
	free(s);
}

TEST(json_size_and_count_limits)
{
	struct json *j;
	struct err e;
	size_t n = (16u << 20) + 1;
	char *s = malloc(n);

	REQUIRE(s != NULL);
	memset(s, ' ', n);
	s[0] = '1';
	CHECK_INT(json_parse(s, n, &j, &e), ERR_RANGE);
	CHECK(strstr(e.msg, "larger than") != NULL);
	/* 1,048,577 values in 2 MiB: refused on the value count */
	size_t count = (1u << 20) + 1, o = 0;
	s[o++] = '[';
	for (size_t i = 0; i + 1 < count; i++) {
		s[o++] = '0';
		s[o++] = i + 2 < count ? ',' : ']';
	}
	CHECK_INT(json_parse(s, o, &j, &e), ERR_RANGE);
	CHECK(strstr(e.msg, "too many values") != NULL);
	free(s);
}

/* Many strings in one big document: buffers are sized by each string, so
 * this stays linear (a regression here would take minutes, not ms). */
TEST(json_many_strings_linear)
{
	size_t count = 200000, o = 0;
	char *s = malloc(count * 6 + 2);
	struct json *j;
	struct err e;

	REQUIRE(s != NULL);
	s[o++] = '[';
	for (size_t i = 0; i < count; i++) {
		memcpy(s + o, "\"ab\",", 5);
		o += 5;
	}
	s[o - 1] = ']';
	int64_t t0 = t_now_ms();
	CHECK_OK(json_parse(s, o, &j, &e), &e);
	CHECK(t_now_ms() - t0 < 20000);
	size_t k = 0;
	for (const struct json *m = j->child; m != NULL; m = m->next)
		k++;
	CHECK_INT(k, count);
	json_free(j);
	free(s);
}

/* Large objects: duplicate detection is n log n and still exact. */
TEST(json_large_object_duplicates)
{
	size_t count = 50000, o = 0;
	char *s = malloc(count * 24 + 64);
	struct json *j;
	struct err e;

	REQUIRE(s != NULL);
	s[o++] = '{';
	for (size_t i = 0; i < count; i++)
		o += (size_t)sprintf(s + o, "\"k%zu\":%zu,", i, i);
	s[o - 1] = '}';
	CHECK_OK(json_parse(s, o, &j, &e), &e);
	CHECK(json_get(j, "k49999") != NULL && json_get(j, "k49999")->num == 49999);
	json_free(j);
	o--;
	o += (size_t)sprintf(s + o, ",\"k777\":0}");
	CHECK_INT(json_parse(s, o, &j, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "duplicate member name \"k777\"") != NULL);
	free(s);
}

static const struct {
	const char *in;
	size_t n;
	const char *out;
} put[] = {
	{ "", 0, "\"\"" },
	{ "abc", 3, "\"abc\"" },
	{ "a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"" },
	{ "\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"" },
	{ "\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"" },
	{ "a\0b", 3, "\"a\\u0000b\"" },
	{ "山田 ｶﾞ 𠮷", 18, "\"山田 ｶﾞ 𠮷\"" },
	{ "x\xe2\x80\xa8y\xe2\x80\xa9", 8, "\"x\\u2028y\\u2029\"" },
};

TEST(json_put_str_escapes)
{
	for (size_t i = 0; i < sizeof(put) / sizeof(put[0]); i++) {
		struct wbuf w;
		wbuf_init(&w, 0);
		CHECK_INT(json_put_str(&w, put[i].in, put[i].n), 0);
		CHECK_STR(wbuf_str(&w), put[i].out);
		/* and it reads back to the same bytes */
		struct json *j = NULL;
		struct err e;
		CHECK_OK(json_parse((const char *)w.p, w.len, &j, &e), &e);
		if (j != NULL) {
			CHECK_INT(j->slen, put[i].n);
			CHECK_MEM(j->str, put[i].in, put[i].n);
		}
		json_free(j);
		wbuf_free(&w);
	}
}

TEST(json_put_str_refuses_invalid_utf8)
{
	struct wbuf w;

	wbuf_init(&w, 0);
	CHECK_INT(json_put_str(&w, "ok", 2), 0);
	CHECK_INT(json_put_str(&w, "a\xff", 2), ERR_FORMAT);
	/* nothing half-written, and the error sticks */
	CHECK_STR(wbuf_str(&w), "\"ok\"");
	CHECK_INT(json_put_str(&w, "b", 1), ERR_FORMAT);
	CHECK_INT(w.err, ERR_FORMAT);
	wbuf_free(&w);

	char mem[4];
	wbuf_init_fixed(&w, mem, sizeof(mem));
	CHECK_INT(json_put_str(&w, "abcdef", 6), ERR_RANGE);
}

/* Every single-byte string: written, read back, identical. */
TEST(json_put_str_round_trip_every_byte)
{
	for (int c = 0; c < 0x80; c++) {
		char in[3] = { 'a', (char)c, 'z' };
		struct wbuf w;
		struct json *j = NULL;
		struct err e;
		wbuf_init(&w, 0);
		REQUIRE(json_put_str(&w, in, 3) == 0);
		CHECK_OK(json_parse((const char *)w.p, w.len, &j, &e), &e);
		CHECK(j != NULL && j->slen == 3 && memcmp(j->str, in, 3) == 0);
		json_free(j);
		wbuf_free(&w);
	}
}
