/*
 * demo.c — `madoguchi-central demo-data`: the fictional residents of 窓口市
 * from the store's deterministic generator, loaded through the same CSV
 * import as real data (so they are validated and produce change records
 * like any import).  With the same seed as the terminal's demo data and the
 * simulated cards, the three agree.
 */
#include <stdio.h>
#include <string.h>

#include "central-int.h"
#include "store.h"

static void
field(struct wbuf *w, const char *s, int last)
{
	wbuf_put_u8(w, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			wbuf_put_u8(w, '"');
		wbuf_put_u8(w, (uint8_t)*s);
	}
	wbuf_put_u8(w, '"');
	wbuf_put_u8(w, last ? '\n' : ',');
}

static void
num(struct wbuf *w, long v, int last)
{
	char b[24];

	if (v < 0)
		b[0] = '\0';
	else
		snprintf(b, sizeof(b), "%ld", v);
	field(w, b, last);
}

int
central_demo_data(struct central *c, uint64_t seed, size_t n, FILE *rep,
    struct import_report *pr, struct import_report *er, struct err *e)
{
	struct synth *sy;
	struct synth_resident r;
	struct wbuf p, el;
	size_t i;
	int k, rc;

	if ((sy = synth_new(seed)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	wbuf_init(&p, (size_t)1 << 31);
	wbuf_init(&el, (size_t)1 << 31);
	wbuf_printf(&p, "atena,name,kana,alias,alias_kana,alpha,birth,sex,postal,address,"
	    "household,relation,head,ward,dv,nondisclose,mynumber\n");
	wbuf_printf(&el, "atena,procedure,recipient_no,category,valid_from,valid_to,issued,"
	    "returned,burden_rate,burden_limit,burden_note,reason\n");
	for (i = 0; i < n; i++) {
		synth_next(sy, &r);
		field(&p, r.p.atena, 0);
		field(&p, r.p.name, 0);
		field(&p, r.p.kana, 0);
		field(&p, r.p.alias, 0);
		field(&p, r.p.alias_kana, 0);
		field(&p, r.p.alpha, 0);
		num(&p, r.p.birth, 0);
		num(&p, r.p.sex, 0);
		field(&p, r.p.postal, 0);
		field(&p, r.p.address, 0);
		field(&p, r.p.household, 0);
		field(&p, r.p.relation, 0);
		field(&p, r.p.head, 0);
		field(&p, r.p.ward, 0);
		num(&p, r.p.dv, 0);
		num(&p, r.p.nondisclose, 0);
		field(&p, r.mynumber, 1);
		for (k = 0; k < r.ncerts; k++) {
			const struct certificate *ct = &r.certs[k];

			field(&el, ct->atena, 0);
			field(&el, ct->procedure, 0);
			field(&el, ct->recipient_no, 0);
			field(&el, ct->category, 0);
			num(&el, ct->valid_from, 0);
			num(&el, ct->valid_to > 0 ? ct->valid_to : -1, 0);
			num(&el, ct->issued > 0 ? ct->issued : -1, 0);
			num(&el, ct->returned > 0 ? ct->returned : -1, 0);
			num(&el, ct->burden_rate, 0);
			num(&el, ct->burden_limit, 0);
			field(&el, ct->burden_note, 0);
			field(&el, ct->reason, 1);
		}
		mem_wipe(r.mynumber, sizeof(r.mynumber));
	}
	synth_free(sy);
	rc = p.err != 0 || el.err != 0 ? err_set(e, ERR_RANGE, "demo data too large") : 0;
	if (rc == 0)
		rc = central_import_text(c, IMPORT_PERSONS, "demo-persons", (char *)p.p,
		    p.len, rep, pr, e);
	if (rc == 0)
		rc = central_import_text(c, IMPORT_ELIGIBILITY, "demo-eligibility",
		    (char *)el.p, el.len, rep, er, e);
	wbuf_free(&p);
	wbuf_free(&el);
	return rc;
}
