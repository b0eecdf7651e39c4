/*
 * version.h — echoscan's version, printed by --version and recorded in the
 * run's metadata (-m).
 */
#ifndef ECHOSCAN_VERSION_H
#define ECHOSCAN_VERSION_H

#define ECHOSCAN_VERSION "0.1.0"

#endif
