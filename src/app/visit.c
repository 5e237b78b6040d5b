/*
 * visit.c — the current visit: who is at the window, which identity check
 * confirmed them, which person the applications are for, and the agent
 * (ID-1, ID-2).  The intake workflow asks visit_ready() before it saves.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "visit.h"

/* Local time in the store's format (the store sets its own timestamps;
 * this one only says when the visit began). */
static void
now_iso(char out[32])
{
	time_t t = (time_t)mdg_now();
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

void
visit_begin(struct visit *v, const char *clerk)
{
	visit_end(v);
	v->active = 1;
	snprintf(v->clerk, sizeof(v->clerk), "%s", clerk ? clerk : "");
	now_iso(v->started_at);
	v->idcheck.digest_result = -1;
	v->agent.in_household = -1;
}

void
visit_end(struct visit *v)
{
	mem_wipe(v, sizeof(*v));
	v->match = IDC_NOT_CHECKED;
}

int
visit_is_for(const struct visit *v, const char *clerk)
{
	return v->active && clerk != NULL && strcmp(v->clerk, clerk) == 0;
}

void
visit_set_person(struct visit *v, const struct person *p)
{
	/* Another person than before: neither the identity check (ID-1) nor
	 * the agent (ID-2) carries over. */
	if (v->have_person && strcmp(v->person.atena, p->atena) != 0) {
		v->linked = 0;
		memset(&v->idcheck, 0, sizeof(v->idcheck));
		v->idcheck.digest_result = -1;
		v->match = IDC_NOT_CHECKED;
		memset(&v->cmp, 0, sizeof(v->cmp));
		v->masked_number[0] = '\0';
		mem_wipe(v->card_number, sizeof(v->card_number));
		/* an agent came for the other person, not for this one */
		mem_wipe(&v->agent, sizeof(v->agent));
		v->agent.in_household = -1;
	}
	v->person = *p;
	v->have_person = 1;
}

int
visit_ready(const struct visit *v, struct err *e)
{
	if (!v->active || !v->have_person)
		return err_set_ja(e, ERR_STATE, "来庁者の本人確認と住民の特定が済んでいません",
		    "no person for this visit");
	if (v->idcheck.uuid[0] == '\0' || !v->linked)
		return err_set_ja(e, ERR_STATE,
		    "本人確認（番号確認・身元確認）の記録がありません。F2 で本人確認をしてください",
		    "no identity check recorded for this visit (ID-1)");
	if (strcmp(v->idcheck.atena, v->person.atena) != 0)
		return err_set_ja(e, ERR_STATE, "本人確認の記録が別の住民のものです",
		    "identity check is for another person");
	if (v->agent.present) {
		if (v->agent.idcheck[0] == '\0')
			return err_set_ja(e, ERR_STATE, "代理人の本人確認が記録されていません",
			    "agent's identity check missing (ID-2)");
		if (!v->agent.proxy_letter && v->agent.in_household != 1)
			return err_set_ja(e, ERR_STATE, "委任状が確認されていません",
			    "no proxy letter (ID-2)");
	}
	return 0;
}

int
visit_agent_json(const struct visit *v, struct wbuf *w)
{
	const struct visit_agent *a = &v->agent;

	if (!a->present)
		return 0;
	wbuf_printf(w, "{\"name\":");
	json_put_str(w, a->name, strlen(a->name));
	wbuf_printf(w, ",\"kana\":");
	json_put_str(w, a->kana, strlen(a->kana));
	wbuf_printf(w, ",\"birth\":%d,\"address\":", a->birth);
	json_put_str(w, a->address, strlen(a->address));
	wbuf_printf(w, ",\"relation\":");
	json_put_str(w, a->relation, strlen(a->relation));
	wbuf_printf(w, ",\"proxy_letter\":%s,\"in_household\":%d,\"idcheck\":",
	    a->proxy_letter ? "true" : "false", a->in_household);
	json_put_str(w, a->idcheck, strlen(a->idcheck));
	wbuf_printf(w, ",\"documents\":");
	json_put_str(w, a->documents, strlen(a->documents));
	wbuf_printf(w, "}");
	return w->err ? ERR_RANGE : 0;
}
