/*
 * screen.h — the screen-definition engine and the form model (part of the
 * app module; no ncurses).  A screen file (screens/NAME.screen, see
 * madoguchi-screen(5)) declares an application form: its id, title,
 * procedure, purpose-of-use notice and fields in order.  A form is one
 * filling of a screen: a value per declared field and nothing else (INT-6).
 *
 * Also here, because the form widgets need them and they are pure logic:
 * the width-aware line editor (struct lineedit) that every text input of
 * the TUI edits through.
 *
 * Ownership: screen_parse/screen_load return a screen the caller frees with
 * screen_free; a screen_set owns its screens; a form points at its screen,
 * which must outlive it, and owns its values (wiped on form_free because
 * they are personal data).
 */
#ifndef MDG_SCREEN_H
#define MDG_SCREEN_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

/* -------------------------------------------------------- definitions */

#define SCREEN_ID_MAX 48	/* screen, procedure and field names */
#define SCREEN_TEXT_MAX 256	/* title, label, one purpose line (bytes) */
#define SCREEN_OPTION_MAX 96	/* one select option (bytes) */
#define SCREEN_FIELDS_MAX 128
#define SCREEN_OPTIONS_MAX 32
#define SCREEN_CHECKS_MAX 8
#define SCREEN_WHEN_MAX 4	/* conditions joined by "or" in one shows-when */
#define SCREEN_FLAGS_MAX 8
#define SCREEN_SUGGEST_MAX 8	/* "suggest" lines of one screen */
#define SCREEN_FILE_MAX (256 * 1024)
#define FORM_VALUE_MAX 1024	/* bytes of one value, UTF-8 */

enum field_type {
	FT_TEXT, FT_KANA, FT_DIGITS, FT_DATE, FT_SELECT, FT_CHECKBOX,
	FT_MYNUMBER, FT_POSTAL, FT_PHONE, FT_MONEY,
	FT_YEAR,		/* stored "YYYY"; typed 2026, R8, 令和8年(度) */
	FT_YEARMONTH		/* stored "YYYYMM"; typed 202610, 2026-10, R8.10, 令和8年10月 */
};

enum check_kind {
	CK_AGE,			/* date: completed years in [a, b] */
	CK_AGE_FISCAL,		/* date: age on 1 April of this fiscal year in [a, b] */
	CK_REGEX,		/* text-like: POSIX extended regex must match */
	CK_NOT_BEFORE,		/* date: not before field `ref` (or today) */
	CK_NOT_AFTER,		/* date: not after field `ref` (or today) */
	CK_INSURER,		/* digits: 保険者番号 検証番号 (6 or 8 digits) */
	CK_OPTION_NEEDS		/* select: option `src` only while `cond` holds */
};

/* shows-when: the field exists only while field `ref` has (op '=') or has
 * not (op '!') the value `value`; a checkbox is compared as "on"/"off".
 * "shows-when A = x or B = y" adds the alternatives in `when_or`: the field
 * is shown when any condition holds (a condition on a hidden field never
 * holds). */
struct field_cond {
	int ref;			/* -1: always shown */
	char op;
	char value[SCREEN_OPTION_MAX];
};

struct field_check {
	enum check_kind kind;
	int a, b;			/* CK_AGE* bounds */
	int ref;			/* CK_NOT_*: field index, -1 = today */
	regex_t re;			/* CK_REGEX, compiled at load */
	char src[SCREEN_TEXT_MAX];	/* the pattern as written, for messages;
					 * CK_OPTION_NEEDS: the option */
	struct field_cond cond;		/* CK_OPTION_NEEDS */
};

/* "lookup": a field checked against the reference data pulled from the
 * central (issue 19; madoguchi-screen(5)). */
enum field_lookup {
	FL_NONE,
	FL_BANK,		/* 金融機関コード: named, an unknown code refused */
	FL_BRANCH,		/* 支店コード of the bank in field lookup_ref */
	FL_POSTAL		/* 郵便番号: fills the address field lookup_ref */
};

struct field {
	char name[SCREEN_ID_MAX];
	char label[SCREEN_TEXT_MAX];
	char help[SCREEN_TEXT_MAX];	/* longer explanation shown on focus, or "" */
	enum field_type type;
	int required;
	int min_len, max_len;		/* in characters (digits for numeric types) */
	int noptions;
	char options[SCREEN_OPTIONS_MAX][SCREEN_OPTION_MAX];
	struct field_cond when;
	int nwhen_or;			/* further alternatives of `when` */
	struct field_cond when_or[SCREEN_WHEN_MAX - 1];
	int attachment;			/* checkbox: an item of the 添付書類 checklist */
	int sensitive;			/* 要配慮個人情報 (DATA-5, issue 14): shown
					 * only with the right sensitive:PROC */
	char prefill[SCREEN_ID_MAX];	/* "card.name", "person.address", or "" */
	int nchecks;
	struct field_check checks[SCREEN_CHECKS_MAX];
	int line;			/* where it was declared, for messages */
	int lookup;			/* enum field_lookup */
	int lookup_ref;			/* FL_BRANCH, FL_POSTAL: field index */
	char lookup_name[SCREEN_ID_MAX];	/* that field's name until resolved */
};

struct screen {
	char file[256];			/* base name, for messages */
	char id[SCREEN_ID_MAX];
	char title[SCREEN_TEXT_MAX];
	char procedure[SCREEN_ID_MAX];
	char purpose[1024];		/* purpose-of-use notice (INT-7), may be "" */
	int nflags;			/* "flag" lines: what the intake flow must do */
	char flags[SCREEN_FLAGS_MAX][SCREEN_ID_MAX];
	char kana[SCREEN_TEXT_MAX];	/* the title's reading, for the F4 filter */
	/* "suggest ID [age MIN-MAX] [sex N]": a procedure this one's life
	 * event usually brings, offered in F4 once this one is saved when the
	 * person qualifies (issue 19, 書かない窓口) */
	int nsuggest;
	struct screen_suggest {
		char id[SCREEN_ID_MAX];
		int age_min, age_max;	/* -1: any */
		int sex;		/* 1 male, 2 female, 0 any */
	} suggest[SCREEN_SUGGEST_MAX];
	int nfields;
	struct field *fields;
};

/* Parse a screen file from memory.  name is used in messages, which all
 * have the form "name:LINE: reason" (LINE 0 for whole-file problems).
 * Returns 0 and a new screen, or a negative ERR_* (ERR_FORMAT for a bad
 * definition) with *out NULL. */
int screen_parse(const char *name, const void *text, size_t n,
    struct screen **out, struct err *e);
/* Read and parse one file (at most SCREEN_FILE_MAX bytes). */
int screen_load(const char *path, struct screen **out, struct err *e);
void screen_free(struct screen *s);
/* Field index by name, or -1. */
int screen_field(const struct screen *s, const char *name);
/* "text", "kana", ... and back (-1 when unknown). */
const char *field_type_name(enum field_type t);
int field_type_parse(const char *name);
/* The prefill sources a screen may name (NULL-terminated), for the man page
 * and for the code that fills them (card reading, the person record). */
extern const char *const screen_prefill_sources[];
/* The screen flags a file may give (NULL-terminated), see
 * madoguchi-screen(5): "review-board" = the application goes to the
 * 審査会 before a decision (TOKYO 新規/再開/更新, INT-4). */
extern const char *const screen_flag_names[];
/* 1 when the screen carries the flag. */
int screen_has_flag(const struct screen *s, const char *flag);

/* All screens of a directory (*.screen, sorted by file name).  Any bad file
 * or a duplicate screen id fails the whole load with "file:line: reason". */
struct screen_set {
	int n;
	struct screen **s;
};
int screen_set_load(const char *dir, struct screen_set **out, struct err *e);
void screen_set_free(struct screen_set *set);
const struct screen *screen_set_find(const struct screen_set *set, const char *id);

/* ------------------------------------------------------------- forms */

struct form {
	const struct screen *s;
	char **values;			/* one per field, normalised, "" = empty */
	int dirty;			/* changed since form_new / form_from_json */
	struct date today;		/* "today" for age checks (date_today at form_new) */
	int loading;			/* inside form_from_json: a stored value is
					 * taken as it was (no lookup, no fill) */
};

struct form *form_new(const struct screen *s);
void form_free(struct form *f);
/* Set a value typed by the clerk: normalised for the type (half-width kana
 * and hiragana to katakana, full-width digits to ASCII, 和暦 to ISO dates,
 * postal code with its hyphen, money without commas) and checked on its
 * own (type, length, options, check digit, regex, age).  On error the old
 * value stays and e says why in Japanese (err_ja) naming the field.
 * An unknown field name is ERR_NOTFOUND (INT-6). */
int form_set(struct form *f, const char *name, const char *value, struct err *e);
int form_set_index(struct form *f, int i, const char *value, struct err *e);
const char *form_get(const struct form *f, const char *name);
/* Is field i shown, given the current values (shows-when)? */
int form_field_shown(const struct form *f, int i);
/* Checks over the whole form: required fields that are shown, and the
 * checks between fields (dates in order).  Returns 0, or an error with
 * *bad (may be NULL) set to the first offending field. */
int form_validate(const struct form *f, int *bad, struct err *e);
/* The values as a JSON object in declaration order: shown, non-empty
 * fields only; checkbox as true, money as a number, the rest strings. */
int form_to_json(const struct form *f, struct wbuf *w, struct err *e);
/* Refill from such an object.  Every member must be a declared field with
 * a valid value (INT-6); on error the form is left empty. */
int form_from_json(struct form *f, const char *json, size_t n, struct err *e);
/* A value for display: a 個人番号 masked unless show_mynumber, a date as
 * "令和7年4月1日 (2025-04-01)", a checkbox as "✓"/"", money with commas. */
void form_display(const struct form *f, int i, int show_mynumber, char *out,
    size_t cap);

/* Reference data for "lookup" fields (issue 19): one process-wide set of
 * look-ups, set by whoever holds the store (NULL functions: none).  Each
 * returns 0 with the name or address, ERR_NOTFOUND for an unknown code,
 * ERR_STATE when the terminal holds no such data yet (then nothing is
 * refused: a code cannot be checked against nothing). */
struct form_lookup {
	int (*bank)(void *ctx, const char *code, char *name, size_t cap);
	int (*branch)(void *ctx, const char *bank, const char *code, char *name,
	    size_t cap);
	/* The address to fill (prefecture, city and 町域 written together,
	 * "" when the code covers several 町域 with nothing in common). */
	int (*postal)(void *ctx, const char *code, char *addr, size_t cap);
	void *ctx;
};
void form_lookup_set(const struct form_lookup *l);	/* NULL: none */
/* What the reference data says of field i's value (the bank's or branch's
 * name, the address of a 郵便番号), for display beside the value: the
 * length written, 0 when there is nothing to say. */
int form_lookup_note(const struct form *f, int i, char *out, size_t cap);

/* ------------------------------------------------------ line editor */

/* A one-line editor that edits by character (code point) and reports
 * widths in terminal columns, so that a full-width character takes two
 * cells and the cursor never lands inside one.  Pure logic: the TUI draws
 * what lineedit_view says. */
#define LINEEDIT_MAX 256	/* characters */

enum lineedit_filter {
	LE_ANY,			/* any printable character */
	LE_DIGITS,		/* 0-9 only (full-width digits become ASCII) */
	LE_NUMERIC,		/* digits and '-' (postal, phone) */
	LE_MONEY		/* digits and ',' */
};

struct lineedit {
	uint32_t cp[LINEEDIT_MAX];
	int n;			/* characters */
	int cur;		/* cursor: 0..n, in characters */
	int max_chars;		/* 0: LINEEDIT_MAX */
	int max_width;		/* total columns allowed, 0: no limit */
	enum lineedit_filter filter;
	int scroll;		/* first character shown (kept by lineedit_view) */
};

void lineedit_init(struct lineedit *le, int max_chars, int max_width,
    enum lineedit_filter filter);
/* Replace the contents with s (cursor at the end); characters the filter
 * or the limits refuse are dropped.  Returns ERR_FORMAT for invalid UTF-8. */
int lineedit_set(struct lineedit *le, const char *s);
/* Insert one character at the cursor: ERR_RANGE when full (by characters
 * or by width), ERR_INVAL when the filter refuses it or it is a control. */
int lineedit_insert(struct lineedit *le, uint32_t cp);
int lineedit_backspace(struct lineedit *le);	/* ERR_RANGE at the start */
int lineedit_delete(struct lineedit *le);	/* ERR_RANGE at the end */
void lineedit_left(struct lineedit *le);
void lineedit_right(struct lineedit *le);
void lineedit_home(struct lineedit *le);
void lineedit_end(struct lineedit *le);
void lineedit_clear(struct lineedit *le);
/* Total width in columns, and width of the characters before the cursor. */
int lineedit_width(const struct lineedit *le);
int lineedit_cursor_col(const struct lineedit *le);
/* UTF-8 of the contents (NUL-terminated; truncated to cap, never mid
 * character).  Returns the byte length. */
size_t lineedit_get(const struct lineedit *le, char *out, size_t cap);
/* What to draw in a box of `cols` columns: the visible characters as UTF-8
 * in out, *cursor_col the cursor's column within the box.  Scrolls so the
 * cursor is visible; never shows half of a wide character. */
void lineedit_view(struct lineedit *le, int cols, char *out, size_t cap,
    int *cursor_col);
/* Wipe (for passwords). */
void lineedit_wipe(struct lineedit *le);

#endif
