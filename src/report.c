// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Both reports print in a fixed order and hold nothing from the wall clock, so two replays
 * of the same input print the same bytes.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "reasons.h"
#include "geo.h"
#include "report.h"

void rp_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void human_bytes(char *buf, size_t len, uint64_t b)
{
	if (b >= 10000000)
		snprintf(buf, len, "%.1f MB", b / 1e6);
	else if (b >= 10000)
		snprintf(buf, len, "%.1f kB", b / 1e3);
	else
		snprintf(buf, len, "%" PRIu64 " B", b);
}

static void text_row(FILE *f, const char *name, const struct rp_tally *t, uint64_t total)
{
	char b[32];

	human_bytes(b, sizeof(b), t->bytes);
	fprintf(f, "    %-18s %10" PRIu64 " frames %6.2f %%  %12s\n", name, t->frames,
		pct(t->frames, total), b);
}

/* The fence's countries: per service, the 10 that most frames came from (JSON has all). */
static void text_geo(FILE *f, const struct rp_replay_result *r)
{
	for (size_t i = 0; i < r->n_geo;) {
		size_t end = i, shown = 0;
		bool done[RP_GEO_NCODES] = { false };

		while (end < r->n_geo && r->geo[end].svc == r->geo[i].svc)
			end++;
		fprintf(f, "    %s:\n", r->service_name[r->geo[i].svc]);
		for (; shown < 10 && shown < end - i; shown++) {
			size_t best = end;

			for (size_t k = i; k < end; k++)
				if (!done[r->geo[k].cc] &&
				    (best == end || r->geo[k].pass + r->geo[k].drop >
							    r->geo[best].pass + r->geo[best].drop))
					best = k;
			done[r->geo[best].cc] = true;
			fprintf(f, "      %-2s  passed %8" PRIu64 "  dropped %8" PRIu64 "\n",
				rp_geo_cc_name(r->geo[best].cc), r->geo[best].pass, r->geo[best].drop);
		}
		if (end - i > shown)
			fprintf(f, "      and %zu more countries (--json lists every one)\n",
				end - i - shown);
		i = end;
	}
}

void rp_report_text(FILE *f, const char *path, const struct rp_replay_result *r)
{
	double secs = (double)(r->last_ns - r->first_ns) / 1e9;
	char b[32];

	human_bytes(b, sizeof(b), r->bytes);
	fprintf(f, "replay of %s (%s, %s)\n", path, r->format, r->link);
	fprintf(f, "  %" PRIu64 " frames, %s on the wire, over %.3f s\n", r->frames, b, secs);
	if (r->damaged)
		fprintf(f, "  DAMAGED: %s; the %" PRIu64 " frames before it were replayed\n",
			r->damage, r->frames);
	fprintf(f, "  verdicts:\n");
	for (int v = 0; v < RP_V_MAX; v++)
		if (r->verdict[v].frames)
			text_row(f, rp_verdict_name(v), &r->verdict[v], r->frames);
	fprintf(f, "  reasons:\n");
	for (int i = 0; i < RP_REASON_MAX; i++)
		if (r->reason[i].frames)
			text_row(f, rp_reason_name(i), &r->reason[i], r->frames);
	fprintf(f, "  direction:\n");
	for (int d = 0; d < RP_DIR_MAX; d++)
		if (r->dir[d].frames)
			text_row(f, rp_dir_name(d), &r->dir[d], r->frames);
	fprintf(f, "  direction from:\n");
	for (int d = 0; d < 4; d++)
		if (r->dir_src[d].frames)
			text_row(f, rp_dir_src_name(d), &r->dir_src[d], r->frames);
	fprintf(f, "  protocols:\n");
	for (int p = 0; p < RP_PB_MAX; p++)
		if (r->proto[p].frames)
			text_row(f, rp_proto_bucket_name(p), &r->proto[p], r->frames);
	fprintf(f, "  services:\n");
	for (int s = 0; s < RP_MAX_SERVICES; s++)
		if (r->service[s].frames) {
			text_row(f, s ? r->service_name[s] : "unprotected", &r->service[s], r->frames);
		}
	human_bytes(b, sizeof(b), r->tick.peak_bps / 8);
	fprintf(f, "  ticks: %" PRIu64 " of 100 ms; peak %" PRIu64 " pps, %s/s, %" PRIu64
		   " dropped pps\n",
		r->tick.ticks, r->tick.peak_pps, b, r->tick.peak_drop_pps);
	fprintf(f, "  state: %" PRIu64 " known clients, %" PRIu64 " pending proofs, %" PRIu64
		   " fragment entries, %" PRIu64 " deny entries\n",
		r->state.known, r->state.pending, r->state.frags, r->state.deny);
	if (r->state.hh_lost)
		fprintf(f, "  %" PRIu64 " heavy-hitter reports lost (ring buffer full)\n",
			r->state.hh_lost);
	if (r->geo_dataset[0]) {
		fprintf(f, "  geo fence (dataset %s), frames judged by country:\n", r->geo_dataset);
		if (!r->n_geo)
			fprintf(f, "    none (no fence was armed)\n");
		text_geo(f, r);
	}
	if (r->clock_backwards)
		fprintf(f, "  %" PRIu64 " frames had timestamps earlier than a previous frame (clamped)\n",
			r->clock_backwards);
	if (r->padded)
		fprintf(f, "  %" PRIu64 " frames shorter than 14 bytes (judged by their true length)\n",
			r->padded);
}

static void json_tally(FILE *f, const char *name, const struct rp_tally *t, int *first)
{
	fprintf(f, "%s\n    ", *first ? "" : ",");
	rp_json_string(f, name);
	fprintf(f, ": {\"frames\": %" PRIu64 ", \"bytes\": %" PRIu64 "}", t->frames, t->bytes);
	*first = 0;
}

void rp_report_json(FILE *f, const char *path, const struct rp_replay_result *r)
{
	int first;

	fprintf(f, "{\n  \"capture\": ");
	rp_json_string(f, path);
	fprintf(f, ",\n  \"format\": \"%s\",\n  \"link\": ", r->format);
	rp_json_string(f, r->link);
	fprintf(f, ",\n  \"frames\": %" PRIu64 ",\n  \"bytes\": %" PRIu64
		   ",\n  \"first_ns\": %" PRIu64 ",\n  \"duration_ns\": %" PRIu64 ",\n",
		r->frames, r->bytes, r->first_ns, r->last_ns - r->first_ns);
	fprintf(f, "  \"damaged\": %s", r->damaged ? "true" : "false");
	if (r->damaged) {
		fprintf(f, ",\n  \"damage\": ");
		rp_json_string(f, r->damage);
	}
	fprintf(f, ",\n  \"clock_backwards\": %" PRIu64 ",\n  \"padded\": %" PRIu64
		   ",\n  \"cut\": %" PRIu64 ",\n",
		r->clock_backwards, r->padded, r->cut);
	fprintf(f, "  \"state\": {\"known\": %" PRIu64 ", \"pending\": %" PRIu64 ", \"frags\": %" PRIu64
		   ", \"deny\": %" PRIu64 ", \"hh_lost\": %" PRIu64 "},\n",
		r->state.known, r->state.pending, r->state.frags, r->state.deny, r->state.hh_lost);

	if (r->geo_dataset[0]) {
		fprintf(f, "  \"geo\": {\"dataset\": ");
		rp_json_string(f, r->geo_dataset);
		fprintf(f, ", \"countries\": [");
		for (size_t i = 0; i < r->n_geo; i++)
			fprintf(f, "%s\n    {\"service\": \"%s\", \"country\": \"%s\", \"passed\": %" PRIu64
				   ", \"passed_bytes\": %" PRIu64 ", \"dropped\": %" PRIu64
				   ", \"dropped_bytes\": %" PRIu64 "}",
				i ? "," : "", r->service_name[r->geo[i].svc],
				rp_geo_cc_name(r->geo[i].cc), r->geo[i].pass, r->geo[i].pass_bytes,
				r->geo[i].drop, r->geo[i].drop_bytes);
		fprintf(f, "]},\n");
	}
	fprintf(f, "  \"verdicts\": {");
	first = 1;
	for (int v = 0; v < RP_V_MAX; v++)
		if (r->verdict[v].frames)
			json_tally(f, rp_verdict_name(v), &r->verdict[v], &first);
	fprintf(f, "\n  },\n  \"reasons\": {");
	first = 1;
	for (int i = 0; i < RP_REASON_MAX; i++)
		if (r->reason[i].frames)
			json_tally(f, rp_reason_name(i), &r->reason[i], &first);
	fprintf(f, "\n  },\n  \"directions\": {");
	first = 1;
	for (int d = 0; d < RP_DIR_MAX; d++)
		if (r->dir[d].frames)
			json_tally(f, rp_dir_name(d), &r->dir[d], &first);
	fprintf(f, "\n  },\n  \"direction_sources\": {");
	first = 1;
	for (int d = 0; d < 4; d++)
		if (r->dir_src[d].frames)
			json_tally(f, rp_dir_src_name(d), &r->dir_src[d], &first);
	fprintf(f, "\n  },\n  \"protocols\": {");
	first = 1;
	for (int p = 0; p < RP_PB_MAX; p++)
		if (r->proto[p].frames)
			json_tally(f, rp_proto_bucket_name(p), &r->proto[p], &first);
	fprintf(f, "\n  },\n  \"services\": {");
	first = 1;
	for (int s = 0; s < RP_MAX_SERVICES; s++)
		if (r->service[s].frames) {
			json_tally(f, s ? r->service_name[s] : "unprotected", &r->service[s], &first);
		}
	fprintf(f, "\n  },\n  \"tick_ns\": %llu,\n  \"ticks\": %" PRIu64
		   ",\n  \"peak_pps\": %" PRIu64 ",\n  \"peak_bps\": %" PRIu64
		   ",\n  \"peak_drop_pps\": %" PRIu64 ",\n  \"baseline_pkts_per_tick_fp8\": %" PRIu64
		   ",\n",
		RP_TICK_NS, r->tick.ticks, r->tick.peak_pps, r->tick.peak_bps, r->tick.peak_drop_pps,
		r->tick.ewma_pkts_fp);
	/* Per-tick rates, only the ticks that carried traffic; t is the tick's end in s. */
	fprintf(f, "  \"tick_rates\": [");
	for (size_t i = 0; i < r->tick.n_series; i++) {
		const struct rp_tick_rates *t = &r->tick.series[i];

		fprintf(f, "%s\n    {\"tick\": %" PRIu64 ", \"pps\": %" PRIu64 ", \"bps\": %" PRIu64
			   ", \"drop_pps\": %" PRIu64 ", \"syn_pps\": %" PRIu64
			   ", \"in_pps\": %" PRIu64 ", \"out_pps\": %" PRIu64 "}",
			i ? "," : "", t->index, t->packets * 10, t->bytes * 80, t->dropped * 10,
			t->syn * 10, t->inbound * 10, t->outbound * 10);
	}
	fprintf(f, "\n  ]\n}\n");
}
