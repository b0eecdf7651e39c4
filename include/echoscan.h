/*
 * echoscan.h — the public interface of libechoscan, the engine of the
 * echoscan ICMP echo scanner as a C library. This is the only header a
 * program needs; every name in it starts with es_ (ES_ for macros).
 *
 * Conventions used throughout (libuv's uv.h is the model):
 * - Functions that can fail return an int: ES_OK (0) on success or a
 *   negative enum es_error. Callers branch on the code, never on text;
 *   es_strerror() names a code, and functions that take an (err, errlen)
 *   buffer also write a detail message there that names the bad input and
 *   the fix (err may be NULL when the caller does not want it).
 * - The enum es_error only grows: a value, once given a meaning, keeps it.
 * - Every function says who owns what it returns and which thread may call
 *   it. Unless a function says otherwise, strings and buffers passed in
 *   are only read during the call, and the caller keeps them.
 */
#ifndef ECHOSCAN_H
#define ECHOSCAN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define ES_EXTERN __attribute__((visibility("default")))
#else
#define ES_EXTERN
#endif

/* The version of this header. es_version() gives the library's, which can
 * differ when a program runs against a newer shared library. */
#define ES_VERSION_MAJOR 0
#define ES_VERSION_MINOR 1
#define ES_VERSION_PATCH 0
#define ES_VERSION_STRINGIFY_(x) #x
#define ES_VERSION_STRINGIFY(x) ES_VERSION_STRINGIFY_(x)
#define ES_VERSION_STRING \
	ES_VERSION_STRINGIFY(ES_VERSION_MAJOR) "." \
	ES_VERSION_STRINGIFY(ES_VERSION_MINOR) "." \
	ES_VERSION_STRINGIFY(ES_VERSION_PATCH)
/* (major << 16) | (minor << 8) | patch, comparable with <. */
#define ES_VERSION_HEX \
	((ES_VERSION_MAJOR << 16) | (ES_VERSION_MINOR << 8) | ES_VERSION_PATCH)

/* The library's version as ES_VERSION_HEX encodes it. Any thread. */
ES_EXTERN unsigned int es_version(void);
/* The library's version as "major.minor.patch"; a static string, never
 * freed. Any thread. */
ES_EXTERN const char *es_version_string(void);

/* Error codes. Every function documents which of these it returns; a
 * function may also return ES_ENOMEM or ES_ESYS where it allocates or
 * calls the kernel. */
enum es_error {
	ES_OK = 0,
	ES_EINVAL = -1,         /* bad argument or configuration */
	ES_EPERM = -2,          /* needs a privilege (CAP_NET_RAW ...) or
	                         * ping_group_range */
	ES_ENODEV = -3,         /* no such interface, or unusable */
	ES_ENOROUTE = -4,       /* no route / next hop unresolved */
	ES_ENOMEM = -5,         /* out of memory */
	ES_ESYS = -6,           /* other system call failure */
	ES_EUNSUPPORTED = -7,   /* not available on this kernel/device */
	ES_ESTATE = -8,         /* call not valid in the handle's current state */
	ES_ENOTFOUND = -9,      /* name did not resolve */
	ES_ETIMEDOUT = -10      /* no answer (or no progress) in the time given */
};

/* A short description of code ("operation needs a privilege ..."); a
 * static string, never freed. Unknown codes (including positive ones) give
 * "unknown error", never NULL. Any thread. */
ES_EXTERN const char *es_strerror(int code);
/* The enum constant's name ("ES_EPERM"), or "ES_UNKNOWN". Any thread. */
ES_EXTERN const char *es_err_name(int code);

#ifdef __cplusplus
}
#endif

#endif
