/*
 * trace_host.c — `echoscan trace HOST`: Linux `traceroute -I`'s lines for
 * one host, printed from es_traceroute's hops (the public header only).
 *
 * es_traceroute opens the sockets, then calls our poll callback before the
 * first probe leaves: there we drop privileges and print traceroute's
 * header line, so an open that fails prints only the error, as before.
 * Each hop comes back in TTL order on this thread, once complete; names are
 * looked up here (not in the engine), unless -n.
 */
#include "scanner/trace_host.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <echoscan.h>
#include "scanner/privs.h"
#include "scanner/targets.h"

#define LINE_MAX_LEN 4096

struct host_run {
	const struct trace_opts *o;
	const volatile sig_atomic_t *interrupted;
	char host[NI_MAXHOST], addr[INET_ADDRSTRLEN];
	bool started;
	char err[512];          /* privs_drop's error, if it failed */
};

/* The address of the host: numeric, or the first IPv4 address of a name. */
static int resolve(struct host_run *r, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;
	const char *h = r->o->targets[0];
	struct in_addr in;
	uint32_t lo, hi;
	bool is_name;
	int rc;

	snprintf(r->host, sizeof(r->host), "%s", h);
	if (targets_parse_spec(h, &lo, &hi, &is_name, err, errlen) < 0)
		return -1;
	if (!is_name) {
		in.s_addr = htonl(lo);
	} else {
		rc = getaddrinfo(h, NULL, &hints, &res);
		if (rc != 0) {
			snprintf(err, errlen, "%s: %s", h, gai_strerror(rc));
			return -1;
		}
		in = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
		freeaddrinfo(res);
	}
	inet_ntop(AF_INET, &in, r->addr, sizeof(r->addr));
	return 0;
}

static void who(const struct host_run *r, const struct es_addr *a, char *buf, size_t len)
{
	char ip[ES_ADDRSTRLEN], name[NI_MAXHOST];
	struct sockaddr_in sa = { .sin_family = AF_INET };

	es_addr_format(a, ip, sizeof(ip));
	if (r->o->numeric) {
		snprintf(buf, len, "%s", ip);
		return;
	}
	memcpy(&sa.sin_addr, a->bytes, 4);
	if (getnameinfo((struct sockaddr *)&sa, sizeof(sa), name, sizeof(name), NULL, 0, 0) != 0)
		snprintf(name, sizeof(name), "%s", ip);
	snprintf(buf, len, "%s (%s)", name, ip);
}

/* traceroute's hop line: " 3  name (addr)  0.123 ms !H  *  ..." */
static void print_hop(const struct es_hop *hop, void *user)
{
	const struct host_run *r = user;
	char line[LINE_MAX_LEN], name[NI_MAXHOST + ES_ADDRSTRLEN + 4];
	struct es_addr prev = { 0 };
	size_t n = 0;

	n += (size_t)snprintf(line + n, sizeof(line) - n, "%2u ", hop->ttl);
	for (unsigned i = 0; i < hop->probes && n < sizeof(line); i++) {
		const struct es_hop_probe *p = &hop->probe[i];

		if (i >= hop->answered) {
			n += (size_t)snprintf(line + n, sizeof(line) - n, " *");
			continue;
		}
		if (memcmp(&p->responder, &prev, sizeof(prev)) != 0) {
			who(r, &p->responder, name, sizeof(name));
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", name);
			prev = p->responder;
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, "  %.3f ms",
				      (double)(p->rtt_ns < 0 ? 0 : p->rtt_ns) / 1e6);
		if (p->mark == ES_TRACE_MARK_OTHER)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " !<%u>", p->code);
		else if (p->mark != ES_TRACE_MARK_NONE)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s",
					      es_trace_mark_name(p->mark));
	}
	printf("%s\n", line);
	fflush(stdout);
}

/* First call: the sockets are open; drop privileges, print the header. */
static int poll_cb(void *user)
{
	struct host_run *r = user;

	if (!r->started) {
		r->started = true;
		if (privs_drop(r->err, sizeof(r->err)) < 0)
			return 1;
		printf("traceroute to %s (%s), %u hops max, %u byte packets\n",
		       r->host, r->addr, r->o->max_ttl, r->o->packetlen);
		fflush(stdout);
	}
	return *r->interrupted != 0;
}

int trace_host_run(const struct trace_opts *o, const volatile sig_atomic_t *interrupted)
{
	struct host_run r = { .o = o, .interrupted = interrupted };
	struct es_trace_options to;
	char err[512];
	int rc;

	if (resolve(&r, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan trace: %s\n", err);
		return 2;
	}
	es_trace_options_init(&to);
	to.first_ttl = o->first_ttl;
	to.max_ttl = o->max_ttl;
	to.probes = o->nqueries ? o->nqueries : TRACE_DEFAULT_QUERIES;
	to.wait_ns = o->wait_ns;
	to.wait_here = o->wait_here;
	to.wait_near = o->wait_near;
	to.sendwait_ns = o->sendwait_ns;
	to.size = o->packetlen - 28;          /* IP and ICMP headers */
	to.tos = (int)o->tos;
	to.dont_fragment = o->dont_fragment;
	to.source = o->source;
	to.interface = o->ifname;
	rc = es_traceroute(r.addr, &to, print_hop, poll_cb, &r, NULL, 0, 0, NULL,
			   err, sizeof(err));
	if (r.err[0]) {
		fprintf(stderr, "echoscan trace: %s\n", r.err);
		return 2;
	}
	if (rc != ES_OK) {
		fprintf(stderr, "echoscan trace: %s\n", err);
		return 2;
	}
	return *interrupted ? 1 : 0;
}
