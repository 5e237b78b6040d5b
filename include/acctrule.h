/*
 * acctrule.h — the account rules every account-creating or -changing path
 * applies (issue 14, AC-1, AC-2, AC-3): `madoguchi init`, `madoguchi user
 * add|mod`, `madoguchi-central user add|mod|revoke` and `madoguchi-central
 * import accounts` call account_rules_check() and refuse with its message,
 * so that one rule gives the same refusal on every path.  The central's
 * operators (issue 16) use it too.
 */
#ifndef MDG_ACCTRULE_H
#define MDG_ACCTRULE_H

#include "core.h"

/* AC-1: a name that names a person, not a post, desk or group.  A name
 * whose letters (ASCII lowered; digits, blanks, '-', '_', '.', '・' left
 * out) are nothing but generic words ("admin", "kyoyu", "clerk", "test",
 * "窓口", "共用", "管理者", ...), alone or combined, is refused: "admin01",
 * "kyoyu01", "窓口1", "共用 ２".  what names the field in the message
 * ("login name", "display name").  ERR_INVAL. */
int account_rule_name(const char *name, const char *what, struct err *e);

/* AC-2: a request reference (1..128 bytes, no control character, not a
 * placeholder such as "-", "none", "なし").  ERR_INVAL. */
int account_rule_request(const char *ref, struct err *e);

/* AC-3: the end date.  *until (yyyymmdd, 0 = not given) becomes the end of
 * the fiscal year of today when 0; a date later than the end of the next
 * fiscal year is refused (ERR_INVAL), and so is a date in the past unless
 * past_ok (an import may record an account that has already ended). */
int account_rule_until(int *until, const struct date *today, int past_ok,
    struct err *e);

/* The last day (31 March, yyyymmdd) of the fiscal year d falls in. */
int account_fiscal_end(const struct date *d);

struct account_rule_args {
	const char *name;	/* login name; NULL = not checked (a change) */
	const char *display;	/* 氏名; NULL = unchanged */
	const char *request;	/* request reference (always required) */
	int *until;		/* in/out as account_rule_until; NULL = unchanged */
	const struct date *today;	/* NULL = date_today() */
	int past_ok;		/* an end date in the past is recorded */
};

/* The one check: name, display, request and end date, in this order, each
 * as above.  0 or ERR_INVAL with the reason. */
int account_rules_check(const struct account_rule_args *a, struct err *e);

#endif
