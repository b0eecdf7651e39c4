/*
 * es_error.c — es_strerror, es_err_name and the version calls of the public
 * header: tables of static strings, so any thread may call them.
 */
#include "echoscan.h"

struct err_text {
	const char *name;
	const char *text;
};

/* Indexed by -code. */
static const struct err_text err_texts[] = {
	{ "ES_OK", "success" },
	{ "ES_EINVAL", "invalid argument or configuration" },
	{ "ES_EPERM", "operation needs a privilege (CAP_NET_RAW, or a group in "
		      "net.ipv4.ping_group_range for unprivileged ICMP sockets)" },
	{ "ES_ENODEV", "no such network interface, or it cannot be used" },
	{ "ES_ENOROUTE", "no route to the target, or its next hop did not resolve" },
	{ "ES_ENOMEM", "out of memory" },
	{ "ES_ESYS", "system call failed" },
	{ "ES_EUNSUPPORTED", "not supported on this kernel or device" },
	{ "ES_ESTATE", "call not valid in the handle's current state" },
	{ "ES_ENOTFOUND", "host name did not resolve" },
	{ "ES_ETIMEDOUT", "timed out" },
};

static const struct err_text *err_lookup(int code)
{
	if (code > 0 || -(long)code >= (long)(sizeof(err_texts) / sizeof(err_texts[0])))
		return NULL;
	return &err_texts[-code];
}

const char *es_strerror(int code)
{
	const struct err_text *e = err_lookup(code);
	return e ? e->text : "unknown error";
}

const char *es_err_name(int code)
{
	const struct err_text *e = err_lookup(code);
	return e ? e->name : "ES_UNKNOWN";
}

unsigned int es_version(void)
{
	return ES_VERSION_HEX;
}

const char *es_version_string(void)
{
	return ES_VERSION_STRING;
}
