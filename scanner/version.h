/*
 * version.h — echoscan's version, printed by --version and recorded in the
 * run's metadata (-m).
 */
#ifndef ECHOSCAN_VERSION_H
#define ECHOSCAN_VERSION_H

#include "echoscan.h"

/* The library's header holds the one version number. */
#define ECHOSCAN_VERSION ES_VERSION_STRING

#endif
