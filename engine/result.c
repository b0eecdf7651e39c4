/*
 * result.c — names of the result classifications. Kept apart from
 * classify.c so that output/ and its tests link without libnet or libpcap.
 */
#include "engine/result.h"

static const char *const class_names[ES_CLASS_COUNT] = {
	[ES_CLASS_ECHOREPLY] = "echoreply",
	[ES_CLASS_UNREACH] = "unreach",
	[ES_CLASS_TIMXCEED] = "timxceed",
	[ES_CLASS_OTHER] = "other",
	[ES_CLASS_ARP] = "arp",
};

const char *es_class_name(unsigned classification)
{
	return classification < ES_CLASS_COUNT ? class_names[classification] : "other";
}
