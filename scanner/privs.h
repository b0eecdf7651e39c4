/*
 * privs.h — gives up privileges once the raw sockets are open: as root, the
 * process becomes the invoking sudo user (SUDO_UID/SUDO_GID) or "nobody";
 * with file capabilities, it clears every capability. Empties the capability
 * bounding set (when it holds CAP_SETPCAP, i.e. as root) and sets
 * no_new_privs.
 */
#ifndef ECHOSCAN_PRIVS_H
#define ECHOSCAN_PRIVS_H

#include <stddef.h>

/* Returns 0, or -1 with err set (the caller must not go on). */
int privs_drop(char *err, size_t errlen);

#endif
