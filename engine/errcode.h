/*
 * errcode.h — engine-internal: the public error codes (enum es_error in
 * echoscan.h) chosen from what the kernel said, so every open and set-up
 * path returns a code the caller can branch on while the detail text goes
 * to the caller's err buffer. Pure; any thread.
 */
#ifndef ECHOSCAN_ERRCODE_H
#define ECHOSCAN_ERRCODE_H

#include "echoscan.h"

/* The es_error for a failed system call's errno: EPERM/EACCES ->
 * ES_EPERM; ENODEV/ENXIO/ENETDOWN -> ES_ENODEV; ENETUNREACH/EHOSTUNREACH
 * -> ES_ENOROUTE; ENOMEM/ENOBUFS -> ES_ENOMEM;
 * EAFNOSUPPORT/EPROTONOSUPPORT/EOPNOTSUPP/ENOPROTOOPT -> ES_EUNSUPPORTED;
 * ETIMEDOUT -> ES_ETIMEDOUT; EINVAL and EADDRNOTAVAIL (a source address
 * that is not ours) -> ES_EINVAL; anything else (and 0) ES_ESYS. */
int es_errno_code(int errnum);

#endif
