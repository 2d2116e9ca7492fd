#!/usr/bin/env python3
"""selftest.py - prove tests/interop/tlogclient catches what it must.

Builds small tlog-tiles logs from the specs alone (RFC 6962 hashing, C2SP
tile and bundle layout, written here without x/mod's tile code), serves them
from a stdlib HTTP server on 127.0.0.1, and runs tlogclient against honest
logs (must print "ok ...") and tampered ones (must print "FAIL: ..." and
exit 1). Only checkpoint signing goes through Go (mkfixture), because Python's
standard library has no Ed25519.

usage: selftest.py [--bin-dir DIR] [-v]
  --bin-dir DIR   use DIR/tlogclient and DIR/mkfixture instead of building
                  them (building also runs the Go unit tests)
"""

import argparse
import base64
import gzip
import hashlib
import http.server
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

ORIGIN = "example.com/testlog"
# TLOG-SPECS.md §6.3: the test log key (seed 00..1f).
LOG_SKEY = ("PRIVATE+KEY+example.com/testlog+aa158d86+"
            "AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f")
LOG_VKEY = "example.com/testlog+aa158d86+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
# An impostor with the same name and a different key (seed 40..5f).
OTHER_SEED = bytes(range(0x40, 0x60)).hex()

TILE_CC = "public, max-age=31536000, immutable"
CKPT_CC = "public, max-age=5"
OCTET = "application/octet-stream"
TEXT = "text/plain; charset=utf-8"


# --- RFC 6962 / 9162 hashing -------------------------------------------------

def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def mth(leaves, lo=0, hi=None):
    """MTH(D[lo:hi]) by the RFC's recursive definition (k < n <= 2k)."""
    if hi is None:
        hi = len(leaves)
    n = hi - lo
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[lo]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi))


def perfect_root(hashes):
    """Root of a perfect subtree given its 2^k bottom hashes, pairwise."""
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


# --- C2SP tlog-tiles layout ---------------------------------------------------

def index_path(n):
    """Tile index as 3-digit groups, all but the last prefixed with x."""
    groups = []
    while True:
        groups.append(n % 1000)
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    last = len(groups) - 1
    return "/".join(("%03d" if i == last else "x%03d") % g for i, g in enumerate(groups))


def encode_bundle(entries):
    out = bytearray()
    for e in entries:
        assert len(e) <= 0xFFFF
        out += len(e).to_bytes(2, "big") + e
    return bytes(out)


class Log:
    """A tree of entries and every resource tlog-tiles serves for its size."""

    def __init__(self, entries):
        self.entries = entries
        self.size = len(entries)
        leaves = [leaf_hash(e) for e in entries]
        self.root = mth(leaves)
        self.files = {}
        # Level L holds size >> 8L hashes; each level-(L+1) hash is the root
        # of one full level-L tile. Partial tiles never feed the level above.
        level, L = leaves, 0
        while level:
            full, w = divmod(len(level), 256)
            for n in range(full):
                self.tile("tile/%d/%s" % (L, index_path(n)), b"".join(level[256 * n:256 * n + 256]))
            if w:
                self.tile("tile/%d/%s.p/%d" % (L, index_path(full), w), b"".join(level[256 * full:]))
            level = [perfect_root(level[256 * j:256 * j + 256]) for j in range(full)]
            L += 1
        full, w = divmod(self.size, 256)
        for n in range(full):
            self.tile("tile/entries/%s" % index_path(n), encode_bundle(entries[256 * n:256 * n + 256]))
        if w:
            self.tile("tile/entries/%s.p/%d" % (index_path(full), w), encode_bundle(entries[256 * full:]))
        self.leaves = leaves

    def tile(self, path, body):
        self.files[path] = [body, OCTET, TILE_CC]

    def text(self, origin=ORIGIN, size=None, root=None):
        size = self.size if size is None else size
        root = self.root if root is None else root
        return "%s\n%d\n%s\n" % (origin, size, base64.b64encode(root).decode())

    def bundle_paths(self):
        return sorted(p for p in self.files if p.startswith("tile/entries/"))


def make_entry(i):
    # A mix of lengths, including empty, binary and the 65535-byte maximum.
    if i == 3:
        return b""
    if i == 5:
        return bytes((i * 7 + j) & 0xFF for j in range(0xFFFF))
    if i == 6:
        return bytes(range(256)) + b"\n\n\x00"
    return ("entry %d\n" % i).encode() * (1 + i % 3)


# --- HTTP server ---------------------------------------------------------------

class State:
    def __init__(self):
        self.scenarios = {}     # name -> {path: [body, ctype, cache-control]}
        self.gzip_all = set()   # scenarios whose every resource is gzipped
        self.requests = {}      # name -> [(path, status)]
        self.lock = threading.Lock()


STATE = State()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body in one segment: otherwise Nagle plus delayed ACKs
    # stall every keep-alive request by ~40 ms.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.split("/", 3)
        if len(parts) != 4 or parts[1] != "s" or parts[2] not in STATE.scenarios:
            self.send_error(404)
            return
        name, rest = parts[2], parts[3]
        res = STATE.scenarios[name].get(rest)
        with STATE.lock:
            STATE.requests.setdefault(name, []).append((rest, 200 if res else 404))
        if res is None:
            body = b"not found\n"
            self.send_response(404)
            self.send_header("Content-Type", TEXT)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        body, ctype, cc = res
        self.send_response(200)
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if accepts and (rest.startswith("tile/entries/") or name in STATE.gzip_all):
            body = gzip.compress(body, mtime=0)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        if ctype is not None:
            self.send_header("Content-Type", ctype)
        if cc is not None:
            self.send_header("Cache-Control", cc)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


# --- the run ---------------------------------------------------------------------

class Runner:
    def __init__(self, bindir, port, workdir, verbose):
        self.client = os.path.join(bindir, "tlogclient")
        self.mkfixture = os.path.join(bindir, "mkfixture")
        self.port = port
        self.workdir = workdir
        self.verbose = verbose
        self.passed = 0
        self.failed = []

    def sign(self, text, skey=LOG_SKEY):
        return subprocess.run([self.mkfixture, "sign", skey], input=text.encode(),
                              stdout=subprocess.PIPE, check=True).stdout

    def genkey(self, name, seedhex):
        out = subprocess.run([self.mkfixture, "genkey", name, seedhex],
                             stdout=subprocess.PIPE, check=True).stdout.decode()
        skey, vkey = out.split("\n")[:2]
        return skey, vkey

    def serve(self, name, log, checkpoint, mutate=None, gzip_all=False):
        files = {p: list(v) for p, v in log.files.items()}
        files["checkpoint"] = [checkpoint, TEXT, CKPT_CC]
        if mutate:
            mutate(files)
        STATE.scenarios[name] = files
        if gzip_all:
            STATE.gzip_all.add(name)
        return "http://127.0.0.1:%d/s/%s" % (self.port, name)

    def write(self, fname, data):
        path = os.path.join(self.workdir, fname)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            if self.verbose:
                print("  pass %s" % name)
        else:
            self.failed.append(name)
            print("  FAILED %s %s" % (name, detail))

    def run_client(self, args):
        p = subprocess.run([self.client] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        return p.returncode, p.stdout.decode(errors="replace").strip(), p.stderr.decode(errors="replace")

    def expect_ok(self, name, url, log, args=(), checked=None, vkey=LOG_VKEY):
        rc, out, err = self.run_client(["-url", url, "-vkey", vkey] + list(args))
        want = "ok origin=%s size=%d root=%s entries_checked=" % (
            ORIGIN, log.size, base64.b64encode(log.root).decode())
        good = rc == 0 and out.startswith(want) and "\n" not in out
        if good and checked is not None:
            good = out == want + str(checked)
        self.check(name, good, "rc=%d out=%r err=%r" % (rc, out, err[-500:]))
        return out

    def expect_fail(self, name, url, args=(), reason=None, vkey=LOG_VKEY):
        rc, out, err = self.run_client(["-url", url, "-vkey", vkey] + list(args))
        good = rc == 1 and out.startswith("FAIL: ") and "\n" not in out
        if good and reason is not None:
            reasons = (reason,) if isinstance(reason, str) else reason
            good = any(x in out for x in reasons)
        self.check(name, good, "rc=%d out=%r want reason %r" % (rc, out, reason))
        if self.verbose:
            print("       %s" % out)

    def requests(self, scen):
        return STATE.requests.get(scen, [])


def spec_self_checks(r):
    """The Python side against TLOG-SPECS.md §6 and §4 before it judges Go."""
    d = [bytes.fromhex(x) for x in ("", "00", "10", "2021", "3031", "40414243",
                                    "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
    roots = ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
             "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
             "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
             "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
             "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
             "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
    for n, want in enumerate(roots):
        r.check("vector root size %d" % n, Log(d[:n]).root.hex() == want)
    paths = {0: "000", 5: "005", 999: "999", 1000: "x001/000",
             1234067: "x001/x234/067", 123456789: "x123/x456/789"}
    r.check("vector tile paths", all(index_path(k) == v for k, v in paths.items()))
    r.check("vector bundle", encode_bundle([b"a", b"bc"]).hex() == "00016100026263")
    r.check("vector record hash", base64.b64encode(leaf_hash(b"hello world")).decode()
            == "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=")
    r.check("vector tile sets",
            sorted(p for p in Log([b"x"] * 256).files if not p.startswith("tile/entries"))
            == ["tile/0/000", "tile/1/000.p/1"])
    skey, vkey = r.genkey(ORIGIN, bytes(range(32)).hex())
    r.check("vector log key", (skey, vkey) == (LOG_SKEY, LOG_VKEY))
    log8 = Log(d)
    r.check("vector size-8 tile", log8.files["tile/0/000.p/8"][0] == b"".join(log8.leaves))
    # Level-1 hashes must equal MTH of their 256-leaf ranges (two derivations).
    big = Log([make_entry(i) for i in range(700)])
    t1 = big.files["tile/1/000.p/2"][0]
    r.check("level-1 tile vs MTH",
            t1 == mth(big.leaves, 0, 256) + mth(big.leaves, 256, 512))
    return d


def scenarios(r):
    d = spec_self_checks(r)
    entries = [make_entry(i) for i in range(256 * 1000 + 5)]
    logs = {n: Log(entries[:n]) for n in (0, 1, 255, 256, 257, 700)}
    cps = {n: r.sign(l.text()) for n, l in logs.items()}

    # §6.3's literal checkpoint, witness cosignature included: the unknown
    # signature must be ignored.
    spec_cp = ("example.com/testlog\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
               "\u2014 example.com/testlog qhWNhvCPcEDTEvXxY7lhiq7K4GEb28fMRrjPbGRC3bD8QeWka94OGS/"
               "ossMwNorrKdZ3/s5Vn/tmFIUj4pxxLCnNCwQ=\n"
               "\u2014 witness.example/w1 IDJKvgAAAABkGFDLHbhezWmz80gVfVGUxTmIjuKa1NnwxKFW0n/K0wa2nHoW"
               "fsJZIAmvh5pP/G3LIXHTNUYgqYNkXFsFWjVJXAv+AA==\n").encode()
    log8 = Log(d)
    r.check("spec checkpoint re-signs identically",
            r.sign(log8.text()) == spec_cp[:spec_cp.index("\u2014 witness".encode())])
    r.expect_ok("honest spec-8 (with cosignature)", r.serve("spec8", log8, spec_cp),
                log8, ["-check-all"], checked=8)

    print("honest logs")
    for n, log in logs.items():
        scen = "honest%d" % n
        url = r.serve(scen, log, cps[n], gzip_all=(n == 257))
        r.expect_ok("honest size %d -check-all" % n, url, log, ["-check-all"], checked=n)
        reqs = r.requests(scen)
        fetched = [p for p, _ in reqs if p.startswith("tile/entries/")]
        r.check("size %d: every bundle fetched exactly once" % n,
                sorted(fetched) == log.bundle_paths(), repr(fetched))
        r.check("size %d: no 404s, no x/mod-style paths" % n,
                all(s == 200 and not p.startswith(("tile/8/", "tile/data")) for p, s in reqs),
                repr([x for x in reqs if x[1] != 200]))
    r.expect_ok("honest size 700 -sample 3", r.serve("sample700", logs[700], cps[700]),
                logs[700], ["-sample", "3"])
    fetched = [p for p, _ in r.requests("sample700") if p.startswith("tile/entries/")]
    r.check("sample 3 of 700 fetches first and last bundles",
            sorted(fetched) == ["tile/entries/000", "tile/entries/001", "tile/entries/002.p/188"],
            repr(fetched))
    r.expect_ok("honest size 700 -sample 0", r.serve("sample0", logs[700], cps[700]),
                logs[700], ["-sample", "0"], checked=0)

    big = Log(entries)
    url = r.serve("big", big, r.sign(big.text()))
    r.expect_ok("honest size 256005 -sample 4 (x001/ paths)", url, big, ["-sample", "4"])
    got = {p for p, _ in r.requests("big")}
    r.check("size 256005 used x-prefixed tiles",
            {"tile/0/x001/000.p/5", "tile/entries/x001/000.p/5", "tile/1/003.p/232"} <= got,
            repr(sorted(got)[:20]))

    print("trusted checkpoints")
    saved = os.path.join(r.workdir, "saved257")
    r.expect_ok("save size 257", r.serve("save257", logs[257], cps[257]), logs[257],
                ["-sample", "1", "-save", saved])
    with open(saved, "rb") as f:
        r.check("saved checkpoint is the served one", f.read() == cps[257])
    url700 = r.serve("t700", logs[700], cps[700])
    r.expect_ok("700 extends saved 257", url700, logs[700], ["-sample", "0", "-trusted", saved])
    for n in (0, 1, 255, 256, 700):
        r.expect_ok("700 extends trusted %d" % n, url700, logs[700],
                    ["-sample", "0", "-trusted", r.write("cp%d" % n, cps[n])])
    r.expect_ok("256 extends trusted 1", r.serve("t256", logs[256], cps[256]), logs[256],
                ["-sample", "0", "-trusted", r.write("cp1", cps[1])])
    r.expect_ok("empty log, trusted 0", r.serve("t0", logs[0], cps[0]), logs[0],
                ["-trusted", r.write("cp0", cps[0])], checked=0)

    forked = list(entries[:700])
    forked[100] = b"rewritten history"
    fork700, fork300 = Log(forked), Log(forked[:300])
    r.expect_fail("trusted fork, same size", url700,
                  ["-sample", "0", "-trusted", r.write("fork700", r.sign(fork700.text()))], "FORK")
    r.expect_fail("trusted fork, smaller size", url700,
                  ["-sample", "0", "-trusted", r.write("fork300", r.sign(fork300.text()))], "FORK")
    # x/mod's TileHashReader (v0.7.0 and still at HEAD) skips the parent
    # check for some full tiles: its loop starts at len(stx), the number of
    # subtree *indexes*, not of distinct tiles. A server can then forge
    # tile/0/001 so TreeHash(300) equals a forked root. The client must
    # catch that with a real consistency proof.
    forked2 = list(entries[:300])
    forked2[280] = b"rewritten later history"
    fork300b = Log(forked2)
    cp_fork300b = r.write("fork300b", r.sign(fork300b.text()))
    r.expect_fail("trusted fork at 280, honest tiles", url700,
                  ["-sample", "0", "-trusted", cp_fork300b], "FORK")

    def forge(files):
        b = bytearray(files["tile/0/001"][0])
        b[24 * 32:25 * 32] = fork300b.leaves[280]
        files["tile/0/001"][0] = bytes(b)
    r.expect_fail("trusted fork at 280, forged unauthenticated tile",
                  r.serve("forge", logs[700], cps[700], forge),
                  ["-sample", "0", "-trusted", cp_fork300b], ("FORK", "inconsistent tile"))
    grown = Log(entries[:701])
    r.expect_fail("trusted larger tree (log shrank)", url700,
                  ["-sample", "0", "-trusted", r.write("cp701", r.sign(grown.text()))], "shrank")
    r.expect_fail("trusted non-empty vs empty log", r.serve("t0b", logs[0], cps[0]),
                  ["-trusted", r.write("cp1", cps[1])], "shrank")
    other_skey, other_vkey = r.genkey(ORIGIN, OTHER_SEED)
    r.expect_fail("trusted signed by another key", url700,
                  ["-sample", "0", "-trusted", r.write("other700", r.sign(logs[700].text(), other_skey))],
                  "trusted checkpoint: signature")
    r.expect_fail("trusted file missing", url700,
                  ["-trusted", os.path.join(r.workdir, "nonexistent")], "trusted")

    print("tampered logs")
    log = logs[700]

    def flip(path, at):
        def m(files):
            b = bytearray(files[path][0])
            b[at] ^= 0x01
            files[path][0] = bytes(b)
        return m

    def bundle_offset(n, i):
        # Byte offset of entry i's first data byte in bundle n of log 700.
        return sum(2 + len(e) for e in entries[256 * n:256 * n + i]) + 2

    def serve(name, mutate=None, cp=None, **kw):
        return r.serve(name, log, cps[700] if cp is None else cp, mutate, **kw)

    r.expect_fail("flipped byte in entry 300", serve("e300", flip("tile/entries/001", bundle_offset(1, 44))),
                  ["-check-all"], "entry 300")
    r.expect_fail("flipped byte in last entry, sampled",
                  serve("e699", flip("tile/entries/002.p/188", bundle_offset(2, 187))),
                  ["-sample", "2"], "entry 699")
    r.expect_fail("flipped length prefix", serve("elen", flip("tile/entries/000", 0)),
                  ["-check-all"], "tile/entries/000")
    for path in ("tile/0/000", "tile/0/001", "tile/0/002.p/188", "tile/1/000.p/2"):
        r.expect_fail("flipped byte in %s" % path, serve("t-" + path.replace("/", "-"), flip(path, 40)),
                      ["-check-all"], "inconsistent")

    def edit(path, fn, idx=0):
        def m(files):
            files[path][idx] = fn(files[path][idx])
        return m

    def drop(path):
        return lambda files: files.pop(path)

    r.expect_fail("bundle with trailing byte", serve("btrail", edit("tile/entries/001", lambda b: b + b"\0")),
                  ["-check-all"], "tile/entries/001")
    r.expect_fail("bundle missing an entry",
                  serve("bshort", edit("tile/entries/002.p/188", lambda b: encode_bundle(entries[512:699]))),
                  ["-check-all"], "187 entries, want 188")
    r.expect_fail("bundle with an extra entry",
                  serve("bextra", edit("tile/entries/002.p/188", lambda b: b + b"\0\0")),
                  ["-check-all"], "tile/entries/002.p/188")
    r.expect_fail("truncated hash tile", serve("ttrunc", edit("tile/0/001", lambda b: b[:-32])),
                  ["-check-all"], "tile/0/001")
    r.expect_fail("oversized partial tile", serve("tlong", edit("tile/0/002.p/188", lambda b: b + b"\0" * 32)),
                  ["-sample", "0"], "tile/0/002.p/188")
    r.expect_fail("missing hash tile", serve("tmiss", drop("tile/0/001")), ["-check-all"], "404")
    r.expect_fail("missing bundle", serve("bmiss", drop("tile/entries/001")), ["-check-all"], "404")
    r.expect_fail("tile Content-Type", serve("tct", edit("tile/1/000.p/2", lambda _: "text/plain", 1)),
                  ["-sample", "0"], "Content-Type")
    r.expect_fail("bundle Content-Type", serve("bct", edit("tile/entries/000", lambda _: None, 1)),
                  ["-check-all"], "Content-Type")
    r.expect_fail("tile without immutable", serve("tcc", edit("tile/0/001", lambda _: "public, max-age=60", 2)),
                  ["-check-all"], "immutable")
    r.expect_fail("bundle without Cache-Control", serve("bcc", edit("tile/entries/001", lambda _: None, 2)),
                  ["-check-all"], "immutable")
    r.expect_fail("checkpoint Content-Type", serve("cct", edit("checkpoint", lambda _: OCTET, 1)),
                  [], "Content-Type")
    r.expect_fail("checkpoint marked immutable", serve("ccc", edit("checkpoint", lambda _: TILE_CC, 2)),
                  [], "immutable")

    print("bad checkpoints")
    r.expect_fail("checkpoint signed by another key", serve("ckey", cp=r.sign(log.text(), other_skey)),
                  [], "signature")
    r.expect_fail("checkpoint with flipped signature", serve("csig", flip("checkpoint", len(cps[700]) - 10)),
                  [], "signature")
    r.expect_fail("checkpoint origin != key name",
                  serve("corig", cp=r.sign(log.text(origin="example.com/other"))), [], "origin")
    wrong_skey, wrong_vkey = r.genkey("example.com/other", OTHER_SEED)
    r.expect_fail("origin differs from key name (validly signed)",
                  serve("corig2", cp=r.sign(log.text(), wrong_skey)), [], "origin", vkey=wrong_vkey)
    r.expect_fail("checkpoint root of a forked tree", serve("croot", cp=r.sign(log.text(root=fork700.root))),
                  ["-sample", "0"], "inconsistent")
    r.expect_fail("checkpoint size larger than tiles", serve("csize", cp=r.sign(log.text(size=701))),
                  ["-sample", "0"], "404")
    r.expect_fail("size 0 with zero root (x/mod 0.7.0 bug)",
                  r.serve("c0zero", logs[0], r.sign(logs[0].text(root=bytes(32)))), [], "SHA-256")
    r.expect_fail("size with leading zero", serve("clead", cp=r.sign(log.text().replace("\n700\n", "\n0700\n"))),
                  [], "canonical")
    r.expect_fail("root without padding",
                  serve("cpad", cp=r.sign(log.text().rstrip("\n").rstrip("=") + "\n")), [], "canonical")
    r.expect_fail("checkpoint with two lines", serve("c2", cp=r.sign("%s\n700\n" % ORIGIN)), [], "body lines")
    r.expect_fail("checkpoint 404", "http://127.0.0.1:%d/s/nonexistent" % r.port, [], "404")

    print("usage")
    for name, args in (("no arguments", []), ("no vkey", ["-url", url700]),
                       ("bad vkey", ["-url", url700, "-vkey", "junk"]),
                       ("extra argument", ["-url", url700, "-vkey", LOG_VKEY, "x"])):
        rc, out, _ = r.run_client(args)
        r.check("usage: " + name, rc == 2, "rc=%d out=%r" % (rc, out))


def build(workdir):
    for prog in ("tlogclient", "mkfixture"):
        subprocess.run([os.path.join(HERE, "build.sh"), os.path.join(workdir, prog), prog], check=True)
    return workdir


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The client exiting with a keep-alive connection open is normal.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-dir", help="directory holding tlogclient and mkfixture")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="tlog-selftest-") as workdir:
        if opts.bin_dir:
            bindir = opts.bin_dir
            unit = None
        else:
            bindir = build(os.path.join(workdir, "bin"))
            env = dict(os.environ, GOCACHE=os.environ.get("GOCACHE", os.path.join(bindir, ".gocache")))
            unit = subprocess.run([os.path.join(HERE, "build.sh"), "--test"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        server = Server(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        r = Runner(bindir, server.server_address[1], workdir, opts.verbose)
        if unit is not None:
            r.check("go unit tests (build.sh --test)", unit.returncode == 0,
                    unit.stdout.decode(errors="replace")[-2000:])
        try:
            scenarios(r)
        except Exception as e:  # a crash in the harness is a failure too
            r.failed.append("harness error: %r" % e)
            print("  FAILED harness error: %r" % e)
        finally:
            server.shutdown()
            server.server_close()
    total = r.passed + len(r.failed)
    print("selftest: %d/%d checks passed in %.1fs" % (r.passed, total, time.time() - start))
    if r.failed:
        print("selftest: FAILED: %s" % "; ".join(r.failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
