/*
 * commands.c - the table of commands: names, synopses and help texts.
 * docs/ledgerctl.1 says the same; keep them in step.
 */
#include <stddef.h>

#include "ledgerctl.h"

const struct command commands[] = {
	{ "init", cmd_init,
	  "init -d DIR --origin ORIGIN --admin ADMIN.pub [--admin-org USCC "
	  "--admin-org-name NAME]",
	  "Create a ledger in DIR: the ledger key (DIR/ledger.key, mode 0600, "
	  "and\nDIR/ledger.pub), the LMDB environment, and the genesis entry "
	  "(seq 0) that\nregisters the admin key read from ADMIN.pub.  Prints "
	  "the ledger's verifier key\non a line of its own.\n" },
	{ NULL, NULL, NULL, NULL }
};
