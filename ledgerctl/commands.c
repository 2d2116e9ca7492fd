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
	  "and\nDIR/ledger.key.pub), the LMDB environment, and the genesis entry "
	  "(seq 0) that\nregisters the admin key read from ADMIN.pub.  Prints "
	  "the ledger's verifier key\non a line of its own.\n" },
	{ "keygen", cmd_keygen,
	  "keygen -o FILE NAME",
	  "Make an Ed25519 key pair named NAME (an author key, an admin key, "
	  "or a\nledger key whose name is its origin).  FILE gets the private "
	  "signer key\n(PRIVATE+KEY+NAME+..., mode 0600) and FILE.pub the "
	  "verifier-key string,\nwhich is also printed.  Never overwrites an "
	  "existing file.\n\n"
	  "  -o, --output FILE   where to write the private key\n" },
	{ "sign", cmd_sign,
	  "sign -k KEY [-k KEY...] (--origin ORIGIN | --url URL) STATEMENT.json "
	  "[-o OUT]",
	  "Add author signatures to a statement ({id, kind, body, signatures}) "
	  "and\nwrite it in canonical form to standard output or OUT.  A "
	  "signature covers\n\"ledgerd/statement/v1\\n\" || ORIGIN || "
	  "\"\\n\" || canonical({body, id, kind}), so it\nis good only for "
	  "the ledger of ORIGIN (--url asks the server for it).\nSignatures "
	  "already present are kept; a key that has signed before is\n"
	  "replaced.  Each author may sign on their own machine, one after the "
	  "other.\nSTATEMENT.json may be \"-\" for standard input.\n\n"
	  "  -k, --key KEY       private key file (repeat for several authors)\n"
	  "  --origin ORIGIN     the ledger the statement is for\n"
	  "  --url URL           learn ORIGIN from the server instead\n"
	  "  -o, --output OUT    write here instead of standard output\n" },
	{ "submit", cmd_submit,
	  "submit --url URL [-k KEY...] [-o RECEIPT] STATEMENT.json",
	  "Sign the statement with every KEY given (for the server's origin, "
	  "read from\nURL/healthz unless --origin says it) and append it with "
	  "POST /v1/entries.\nThe receipt (seq, leaf, leaf_hash, signed "
	  "checkpoint, inclusion proof)\ngoes to standard output or RECEIPT; "
	  "\"appended seq N\" or \"already in the\nledger at seq N\" (the "
	  "same statement was appended before) to standard\nerror.  Check a "
	  "receipt with \"ledgerctl receipt check\".\n\n"
	  "  --url URL           the ledger server, e.g. http://127.0.0.1:8470\n"
	  "  -k, --key KEY       private key file to sign with (repeatable)\n"
	  "  --origin ORIGIN     sign for ORIGIN without asking the server\n"
	  "  -o, --output FILE   write the receipt here\n\n"
	  "Exit 1 when the ledger refuses the statement (HTTP 4xx: invalid, "
	  "id taken\nby other content (409), unknown or revoked key, rule "
	  "broken); the server's\nerror code, path and message are printed.  "
	  "Exit 3 when the server cannot be\nreached, fails (5xx) or asks to "
	  "slow down (429): nothing was appended, and\nsubmitting the same "
	  "statement again is safe.\n" },
	{ "keys", cmd_keys,
	  "keys add|revoke --url URL -k ADMINKEY ...",
	  "Register or revoke an author key with a \"key\" entry signed by an "
	  "admin key.\n\n"
	  "keys add --url URL -k ADMINKEY (--pub PUBFILE | --name NAME) --role "
	  "ROLE\n         [--org USCC [--org-name NAME]] [--valid-from TIME] "
	  "[--valid-until TIME]\n         [--id ID] [--origin ORIGIN] "
	  "[-o RECEIPT]\n"
	  "  Register the verifier key in PUBFILE (or a key string).  --name "
	  "alone reads\n  NAME.pub or NAME.key.pub; with --pub it must match "
	  "the key's name.  ROLE\n  is admin, convener, purchaser, contractor, "
	  "finance or evaluator; every role\n  but admin acts for an "
	  "organization, given by its Unified Social Credit\n  Code (--org) and "
	  "name (--org-name, default the code).  TIME is RFC 3339\n  with an "
	  "offset, e.g. 2026-01-01T00:00:00+08:00; --valid-from defaults to "
	  "now.\n\n"
	  "keys revoke --url URL -k ADMINKEY [--reason TEXT] [--id ID] "
	  "[--origin ORIGIN]\n         [-o RECEIPT] NAME\n"
	  "  Revoke the key NAME: entries signed with it are refused from now "
	  "on.\n\n"
	  "The statement id defaults to key-NAME-MS or revoke-NAME-MS (MS: Unix "
	  "time in\nms).  The receipt and exit codes are those of \"ledgerctl "
	  "submit\".\n" },
	{ "receipt", cmd_receipt,
	  "receipt check RECEIPT.json --vkey VKEY [--keys DIR|FILE...]",
	  "Check a receipt offline, in this order: the leaf's canonical form "
	  "hashes to\nleaf_hash; the leaf is a well-formed leaf at seq; the "
	  "checkpoint is signed\nby VKEY (the ledger's verifier key, as a "
	  "string or a file: DIR/ledger.key.pub\nor what \"ledgerctl init\" "
	  "printed); tree_size is the checkpoint's size; the\ninclusion proof "
	  "leads from the leaf to the checkpoint's root.  Prints \"ok: seq\n"
	  "N is in ORIGIN's tree of size M\" or the first check that "
	  "failed.\n\nA receipt does not carry the authors' public keys, so "
	  "author signatures are\nchecked only with --keys (verifier-key "
	  "files, key strings, or directories\nof *.pub files; repeatable); "
	  "the output says which were not checked.  The\nkeys' registration "
	  "and validity are not checked offline: use \"ledgerctl\nverify\" "
	  "for that.\n\nExit 0 when every check passed, 1 when one failed, "
	  "2 on bad arguments.\n" },
	{ "proof", cmd_proof,
	  "proof inclusion SEQ | consistency OLD [NEW] --url URL --vkey VKEY "
	  "[--size N]",
	  "Ask a server for a proof and verify it against checkpoints signed "
	  "by VKEY\n(a verifier-key string or file).\n\n"
	  "proof inclusion SEQ --url URL --vkey VKEY [--size N]\n"
	  "  Fetch the latest checkpoint, the leaf at SEQ and its inclusion "
	  "proof in the\n  tree of size N (default: the latest), recompute the "
	  "leaf hash and check the\n  proof against the signed root of that "
	  "size.\n\n"
	  "proof consistency OLD [NEW] --url URL --vkey VKEY\n"
	  "  Check that the signed tree of size OLD is a prefix of the signed "
	  "tree of\n  size NEW (default: the latest): nothing before OLD was "
	  "changed or removed.\n  Both sizes need a checkpoint the server "
	  "kept (OLD 0 needs none).\n\n"
	  "Exit 0 when the proof verifies, 1 when it does not, 3 when the "
	  "server cannot\nbe reached.\n" },
	{ "status", cmd_status,
	  "status (-d DIR | --url URL) [--vkey VKEY]",
	  "Show a ledger's origin, size, root (base64 and hex), verifier key, "
	  "latest\ncheckpoint and the time of the last entry.\n\n"
	  "  -d, --dir DIR   read the LMDB files in DIR (read-only, safe while "
	  "ledgerd\n                  runs; needs write access to "
	  "DIR/lock.mdb).  Also shows the\n                  disk use per "
	  "database.  The root is recomputed from the stored\n"
	  "                  nodes and compared with the latest checkpoint, "
	  "whose\n                  signature is checked with VKEY, or "
	  "DIR/ledger.key.pub.\n"
	  "  --url URL       ask a server (GET /checkpoint, /v1/entries, "
	  "/healthz)\n"
	  "  --vkey VKEY     the ledger's verifier key (string or file): check "
	  "the\n                  checkpoint's signature; online without it the "
	  "key is unknown\n\n"
	  "Exit 1 when the checkpoint does not verify or does not match the "
	  "stored\ntree.\n" },
	{ "verify", cmd_verify,
	  "verify (-d DIR | --url URL) [--vkey KEY|FILE] [--trusted FILE] "
	  "[--save FILE]\n         [-j N] [--all] [--no-signatures]",
	  "Replay the whole ledger from entry 0 and check everything: each "
	  "leaf's\ncanonical encoding, seq and chain link (prev), time order, "
	  "unique ids, the\nkind's schema, author signatures and key validity "
	  "(the registry as it stood\nat that seq), the procedure's rules "
	  "replayed from entry 0 (the daemon's\nown code), the Merkle tree, "
	  "every signed checkpoint against the\nrecomputed root, and every "
	  "stored tree node.\n\n"
	  "Offline (-d DIR) reads the LMDB files read-only; it is safe while "
	  "ledgerd\nruns (it needs write access to DIR/lock.mdb) and also "
	  "checks entries\ncommitted after the latest checkpoint (a note, not "
	  "an error).  Online\n(--url) uses only the public read API: "
	  "/checkpoint, the entry bundles and\nthe hash tiles, which are "
	  "compared with the recomputed tree.\n\n"
	  "Prints \"ok: ORIGIN size N root B64, ...\" and exits 0, or "
	  "\"FAIL seq N: CODE:\nMESSAGE\" for the first problem and exits 1.  "
	  "CODE is one of encoding, seq,\nprev, time, id, schema, key, "
	  "signature, rule, tree, checkpoint,\nconsistency, node; for checkpoint "
	  "problems N is the checkpoint's tree size.  A progress\nbar is drawn "
	  "on standard error when it is a terminal.\n\n"
	  "  -d, --dir DIR        the ledger's data directory\n"
	  "      --url URL        a ledgerd (or any C2SP tlog-tiles mirror of "
	  "it)\n"
	  "      --vkey KEY|FILE  the ledger's verifier key (default "
	  "DIR/ledger.key.pub;\n                       required with --url)\n"
	  "      --trusted FILE   a checkpoint verified earlier: the ledger "
	  "must extend\n                       it (same root at its size), "
	  "else \"consistency\" (fork,\n                       rewritten or "
	  "shrunk history)\n"
	  "      --save FILE      on success, write the latest verified "
	  "checkpoint to FILE\n                       (use it as --trusted "
	  "next time)\n"
	  "  -j, --jobs N         threads for parsing and Ed25519 (default: "
	  "every CPU)\n"
	  "      --all            do not stop at the first problem; report "
	  "and count all\n"
	  "      --no-signatures  skip the Ed25519 checks of author signatures "
	  "(key\n                       validity is still checked)\n" },
	{ "export", cmd_export,
	  "export (-d DIR | --url URL) --format jsonl|csv [--kind KIND] "
	  "[--since TIME]\n         [--until TIME] [-o FILE|DIR]",
	  "Write the ledger's entries (those covered by its latest signed "
	  "checkpoint),\nin seq order, to standard output or FILE; memory use "
	  "does not grow with\nthe ledger.\n\n"
	  "jsonl: one line per entry: the stored leaf ({v, seq, time, prev, "
	  "id, kind,\nbody, signatures}) with \"leaf_hash\" (hex SHA-256 of "
	  "0x00 || leaf) inserted\nfirst; deleting that member gives back the "
	  "leaf's exact bytes.\n\n"
	  "csv (RFC 4180: CRLF line ends, quoted where needed): one table per "
	  "kind,\nwith a header row: seq, leaf_hash, time, id, kind, then one "
	  "column per body\nfield as its dotted path (body.value.amount_minor; "
	  "arrays as JSON text).\nWith --kind, one table to standard output "
	  "or FILE; without it, -o names a\ndirectory that gets one file per "
	  "kind (DIR/vote.csv, ...).  The ledger is\nread twice (columns, then "
	  "rows).\n\n"
	  "  -d, --dir DIR      the ledger's data directory (read-only)\n"
	  "      --url URL      a ledgerd: uses /checkpoint and the entry "
	  "bundles\n"
	  "      --format F     jsonl or csv\n"
	  "      --kind KIND    only entries of this kind\n"
	  "      --since TIME   only entries with leaf time >= TIME (RFC 3339, "
	  "e.g.\n                     2026-01-01T00:00:00+08:00)\n"
	  "      --until TIME   only entries with leaf time < TIME\n"
	  "  -o, --output PATH  a file (written atomically) or, for csv "
	  "without --kind,\n                     a directory\n" },
	{ NULL, NULL, NULL, NULL }
};
