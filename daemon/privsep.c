/*
 * privsep.c - the two accounts of a ledgerd started as root.
 *
 * "user" parses HTTP and owns the data dir; "signer-user" alone can read
 * the ledger key.  ledgerd forks the signer first, which becomes
 * signer-user before it opens the key; the main process then becomes user
 * before it locks the data dir, opens LMDB or reads a request.  Neither
 * keeps a way back to root, so a bug in the HTTP code runs as an account
 * that the kernel does not let open the key file.
 *
 * Started as any other user with neither setting, ledgerd stays that user
 * and the signer shares its uid (development and tests).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ledgerd.h"

/* A name from the password database, or a bare number. */
static int
account_lookup(const char *setting, const char *value, struct account *a)
{
	struct passwd *pw;
	unsigned long v;
	char *end;

	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", value);
	if (value[0] >= '0' && value[0] <= '9') {
		errno = 0;
		v = strtoul(value, &end, 10);
		if (errno != 0 || *end != '\0' || v >= (uid_t)-1 ||
		    (value[0] == '0' && value[1] != '\0')) {
			fprintf(stderr, "ledgerd: %s: \"%s\" is not a user "
			    "name or a uid\n", setting, value);
			return -1;
		}
		a->uid = (uid_t)v;
		/* A uid with no account runs with the group of its number. */
		pw = getpwuid(a->uid);
		a->gid = pw != NULL ? pw->pw_gid : (gid_t)v;
	} else {
		if ((pw = getpwnam(value)) == NULL) {
			fprintf(stderr, "ledgerd: %s: no such user \"%s\"; "
			    "create it (systemd-sysusers ledgerd.conf) or give "
			    "a uid\n", setting, value);
			return -1;
		}
		a->uid = pw->pw_uid;
		a->gid = pw->pw_gid;
	}
	if (a->uid == 0 || a->gid == 0) {
		fprintf(stderr, "ledgerd: %s: \"%s\" is root (uid or gid 0); "
		    "give an unprivileged account\n", setting, value);
		return -1;
	}
	return 0;
}

int
privsep_plan(const struct config *c, struct privsep *p)
{
	memset(p, 0, sizeof(*p));
	if (c->user[0] == '\0' && c->signer_user[0] == '\0') {
		if (geteuid() == 0)
			log_warnx("running as root, and the signer with "
			    "it: set \"user\" and \"signer-user\" so that "
			    "the HTTP process cannot read the ledger key "
			    "(ledgerd(8))");
		return 0;
	}
	if (c->user[0] == '\0' || c->signer_user[0] == '\0') {
		fprintf(stderr, "ledgerd: set both \"user\" (serves HTTP) and "
		    "\"signer-user\" (holds the ledger key), or neither\n");
		return -1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ledgerd: \"user\" and \"signer-user\" need "
		    "ledgerd started as root, which switches to them at once; "
		    "unset them to run as this user (uid %u)\n",
		    (unsigned)geteuid());
		return -1;
	}
	if (account_lookup("user", c->user, &p->http) != 0 ||
	    account_lookup("signer-user", c->signer_user, &p->signer) != 0)
		return -1;
	if (p->http.uid == p->signer.uid) {
		fprintf(stderr, "ledgerd: \"user\" and \"signer-user\" are "
		    "both uid %u: the HTTP process could read the ledger key; "
		    "give two accounts\n", (unsigned)p->http.uid);
		return -1;
	}
	p->on = 1;
	return 0;
}

int
privsep_drop(const struct account *a)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (setgroups(1, &a->gid) == -1 ||
	    setresgid(a->gid, a->gid, a->gid) == -1 ||
	    setresuid(a->uid, a->uid, a->uid) == -1)
		return -1;
	/* Trust, but verify: no id left at 0, and no way back. */
	if (getresuid(&r, &e, &s) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    r != a->uid || e != a->uid || s != a->uid || rg != a->gid ||
	    eg != a->gid || sg != a->gid || setresuid(0, 0, 0) != -1 ||
	    setresgid(0, 0, 0) != -1) {
		errno = EPERM;
		return -1;
	}
	/* Nor gain any by exec: no setuid program runs as its owner. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return 0;
}
