/*
 * privs.c — dropping privileges after the sockets are open (see privs.h).
 * The capability sets are cleared with the raw capset syscall so the program
 * needs no libcap; after setuid() from root they are already empty. The
 * bounding set is emptied first (it needs CAP_SETPCAP, gone afterwards).
 * Every step is checked: a failure stops the program before it sends.
 */
#include "scanner/privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int clear_caps(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A user or group id as sudo writes it: decimal digits only, below the
 * (uid_t)-1 that means "unchanged". */
static bool parse_id(const char *s, unsigned long *id)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*id = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *id < 0xffffffffUL;
}

static int target_ids(uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	unsigned long u, g;
	struct passwd *pw;

	if (su && sg) {
		if (!parse_id(su, &u) || !parse_id(sg, &g)) {
			snprintf(err, errlen, "cannot drop root: SUDO_UID \"%s\" or SUDO_GID \"%s\" "
				 "is not a numeric id (unset them, or run through sudo)", su, sg);
			return -1;
		}
		if (u > 0) {           /* sudo from root: fall back to nobody */
			*uid = (uid_t)u;
			*gid = (gid_t)g;
			return 0;
		}
	}
	pw = getpwnam("nobody");
	if (!pw) {
		snprintf(err, errlen, "cannot drop root: no user \"nobody\"");
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* Empties the capability bounding set, so nothing this process runs can
 * gain a capability again. Needs CAP_SETPCAP: root has it; a binary given
 * only cap_net_raw,cap_net_admin by setcap does not, and then relies on
 * no_new_privs (set below) and its empty capability sets. Returns 0 or -1. */
static int clear_bounding_set(char *err, size_t errlen)
{
	for (unsigned long cap = 0; cap <= 63; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break;                   /* EINVAL: past the kernel's last */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EPERM && geteuid() != 0)
			return 0;                /* no CAP_SETPCAP: see above */
		snprintf(err, errlen, "cannot clear the capability bounding set "
			 "(capability %lu): %s", cap, strerror(errno));
		return -1;
	}
	return 0;
}

int privs_drop(char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (clear_bounding_set(err, errlen) < 0)
		return -1;
	if (geteuid() == 0) {
		if (target_ids(&uid, &gid, err, errlen) < 0)
			return -1;
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0) {
			snprintf(err, errlen, "cannot drop root to uid %u: %s",
				 (unsigned)uid, strerror(errno));
			return -1;
		}
		if (setuid(0) == 0) {
			snprintf(err, errlen, "root privileges could be regained after dropping them");
			return -1;
		}
	} else if (clear_caps(err, errlen) < 0) {
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}
