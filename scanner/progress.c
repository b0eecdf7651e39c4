/*
 * progress.c — percent, time left or pass number for the status line (see
 * progress.h). Time left while sending is the remaining share of the probes
 * at the speed so far, plus the cooldown; a resumed scan counts the probes
 * done before it as done.
 */
#include "scanner/progress.h"

#include <stdio.h>

void progress_clock(char *buf, size_t len, uint64_t s)
{
	if (s >= 3600)
		snprintf(buf, len, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%llu:%02llu", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
}

static uint64_t seconds_left(const struct progress_in *p)
{
	if (p->cooling)
		return p->cooldown_left_s;
	if (p->loop || p->sent == 0 || p->send_secs <= 0)
		return 0;
	if (p->sent >= p->total || p->done_before >= p->total - p->sent)
		return p->cooldown_s;
	return (uint64_t)((double)(p->total - p->done_before - p->sent) * p->send_secs /
			  (double)p->sent) + p->cooldown_s;
}

void progress_fmt(char *buf, size_t len, const struct progress_in *p)
{
	char eta[32];
	double pct;

	progress_clock(eta, sizeof(eta), seconds_left(p));
	if (p->loop) {
		if (p->cooling)
			snprintf(buf, len, "pass %llu (%s left, cooling down)",
				 (unsigned long long)p->passes, eta);
		else
			snprintf(buf, len, "pass %llu", (unsigned long long)p->passes);
		return;
	}
	pct = p->total && p->sent < p->total && p->done_before < p->total - p->sent
	    ? 100.0 * (double)(p->done_before + p->sent) / (double)p->total : 100.0;
	snprintf(buf, len, "%3.0f%% (%s left%s)", pct, eta, p->cooling ? ", cooling down" : "");
}
