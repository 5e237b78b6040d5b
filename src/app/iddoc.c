/*
 * iddoc.c — the configurable checklist of identity documents ([card]
 * id_documents, madoguchi.conf(5)) and the rule that decides whether the
 * ticked documents confirm both the number (番号確認) and the identity
 * (身元確認) when the card's chip was not read (ID-1).
 */
#include <stdio.h>
#include <string.h>

#include "visit.h"

const char iddoc_default[] =
    "card-shown:マイナンバーカード（読取なし・券面確認）:both,"
    "tsuchi:通知カード:number,"
    "juminhyo:住民票の写し（個人番号付き）:number,"
    "license:運転免許証:photo,"
    "passport:旅券（パスポート）:photo,"
    "zairyu:在留カード・特別永住者証明書:photo,"
    "shogai:身体障害者手帳等（写真付き）:photo,"
    "hokensho:健康保険の資格確認書・被保険者証:other,"
    "nenkin:年金手帳・基礎年金番号通知書:other";

static int
parse_kind(const char *s, size_t n, enum iddoc_kind *k)
{
	static const struct { const char *name; enum iddoc_kind k; } t[] = {
		{ "photo", IDDOC_PHOTO }, { "number", IDDOC_NUMBER },
		{ "both", IDDOC_BOTH }, { "other", IDDOC_OTHER },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == n && memcmp(t[i].name, s, n) == 0) {
			*k = t[i].k;
			return 0;
		}
	return -1;
}

static int
code_ok(const char *s, size_t n)
{
	if (n == 0 || n >= IDDOC_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int
iddoc_parse(const char *text, struct iddoc_list *out, struct err *e)
{
	const char *p = text, *end;
	int idx = 0;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return 0;
	while (*p != '\0') {
		const char *c1, *c2, *lab;
		size_t n, labn;
		struct iddoc *d;

		idx++;
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		n = (size_t)(end - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0) {
			if (*end == '\0')
				break;
			return err_set(e, ERR_FORMAT, "id_documents: entry %d is empty", idx);
		}
		if (out->n == IDDOC_MAX)
			return err_set(e, ERR_FORMAT, "id_documents: more than %d entries",
			    IDDOC_MAX);
		d = &out->v[out->n];
		c1 = memchr(p, ':', n);
		if (c1 == NULL)
			return err_set(e, ERR_FORMAT,
			    "id_documents: entry %d has no label (want code:label[:kind])", idx);
		if (!code_ok(p, (size_t)(c1 - p)))
			return err_set(e, ERR_FORMAT,
			    "id_documents: entry %d: the code must be 1-%d of a-z 0-9 - _",
			    idx, IDDOC_CODE_MAX - 1);
		memcpy(d->code, p, (size_t)(c1 - p));
		lab = c1 + 1;
		c2 = memchr(lab, ':', (size_t)(p + n - lab));
		labn = c2 ? (size_t)(c2 - lab) : (size_t)(p + n - lab);
		if (labn == 0 || labn >= IDDOC_LABEL_MAX || !utf8_valid(lab, labn))
			return err_set(e, ERR_FORMAT,
			    "id_documents: entry %d: the label is empty, too long or not UTF-8", idx);
		memcpy(d->label, lab, labn);
		d->kind = IDDOC_PHOTO;
		if (c2 != NULL && parse_kind(c2 + 1, (size_t)(p + n - c2 - 1), &d->kind) != 0)
			return err_set(e, ERR_FORMAT,
			    "id_documents: entry %d: kind must be photo, number, both or other", idx);
		for (int i = 0; i < out->n; i++)
			if (strcmp(out->v[i].code, d->code) == 0)
				return err_set(e, ERR_FORMAT,
				    "id_documents: code \"%s\" appears twice", d->code);
		out->n++;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return 0;
}

const struct iddoc *
iddoc_find(const struct iddoc_list *l, const char *code)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0)
			return &l->v[i];
	return NULL;
}

int
iddoc_sufficient(const struct iddoc_list *l, const int *checked, int ic_read,
    struct err *e)
{
	int number = ic_read, photo = ic_read, other = 0;

	for (int i = 0; checked != NULL && i < l->n; i++) {
		if (!checked[i])
			continue;
		switch (l->v[i].kind) {
		case IDDOC_BOTH: number = photo = 1; break;
		case IDDOC_NUMBER: number = 1; break;
		case IDDOC_PHOTO: photo = 1; break;
		case IDDOC_OTHER: other++; break;
		}
	}
	/* 身元確認 without a photo document needs two others (番号法施行規則). */
	if (!photo && other >= 2)
		photo = 1;
	if (!number && !photo)
		return err_set_ja(e, ERR_INVAL,
		    "番号確認と身元確認の書類を選んでください", "no identity documents");
	if (!number)
		return err_set_ja(e, ERR_INVAL,
		    "番号確認の書類が選ばれていません", "no number document");
	if (!photo)
		return err_set_ja(e, ERR_INVAL, other == 1 ?
		    "写真のない書類は2点必要です（身元確認）" :
		    "身元確認の書類（運転免許証等）が選ばれていません", "no identity document");
	return 0;
}

int
iddoc_number_only(const struct iddoc_list *l, const int *checked, struct err *e)
{
	for (int i = 0; checked != NULL && i < l->n; i++)
		if (checked[i] && (l->v[i].kind == IDDOC_NUMBER || l->v[i].kind == IDDOC_BOTH))
			return 0;
	return err_set_ja(e, ERR_INVAL,
	    "本人の番号確認の書類（通知カード・住民票の写し（番号付）・個人番号カード等、写しでも可）を選んでください",
	    "no number document for the principal (agent visit)");
}
