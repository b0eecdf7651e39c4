/*
 * errcode.c — errno to enum es_error (see errcode.h).
 */
#include "engine/errcode.h"

#include <errno.h>

int es_errno_code(int errnum)
{
	switch (errnum) {
	case 0:
		return ES_ESYS;   /* a failure without errno is still a failure */
	case EPERM:
	case EACCES:
		return ES_EPERM;
	case ENODEV:
	case ENXIO:
	case ENETDOWN:
		return ES_ENODEV;
	case ENETUNREACH:
	case EHOSTUNREACH:
		return ES_ENOROUTE;
	case ENOMEM:
	case ENOBUFS:
		return ES_ENOMEM;
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case EOPNOTSUPP:
	case ENOPROTOOPT:
		return ES_EUNSUPPORTED;
	case ETIMEDOUT:
		return ES_ETIMEDOUT;
	case EINVAL:
	case EADDRNOTAVAIL:   /* bind to an address that is not ours */
		return ES_EINVAL;
	default:
		return ES_ESYS;
	}
}
