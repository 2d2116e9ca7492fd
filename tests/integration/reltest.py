"""reltest - helpers shared by the reliability tests (test_crash,
test_hostile, test_storage), on top of ledgertest.

Statements are signed here, in Python, with libsodium through ctypes: a few
thousand signatures cost milliseconds instead of a ledgerctl process each.
The signing message is built from FORMAT.md (domain || origin || "\\n" ||
canonical {"body","id","kind"}), independently of lib/statement.c, and
self_check() proves the two agree by comparing with "ledgerctl sign"
(Ed25519 is deterministic, so the bytes must be equal).

The ledger is audited over HTTP only (entry bundles, /checkpoint), so a test
sees what any outside verifier sees.
"""
import base64
import ctypes
import ctypes.util
import gzip
import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ledgertest import (LEDGERCTL, LEDGERD, canonical, check, http,  # noqa
                        leaf_hash, node_hash, parse_checkpoint, run,
                        tile_path)

USCC = "91350100M000100Y43"
DOMAIN = b"ledgerd/statement/v1\n"

# --- Ed25519 through libsodium -------------------------------------------

_na = None


def sodium():
    global _na
    if _na is None:
        path = ctypes.util.find_library("sodium") or "libsodium.so.23"
        _na = ctypes.CDLL(path)
        if _na.sodium_init() < 0:
            raise RuntimeError("sodium_init failed")
    return _na


def keypair_from_seed(seed):
    pk = ctypes.create_string_buffer(32)
    sk = ctypes.create_string_buffer(64)
    if sodium().crypto_sign_seed_keypair(pk, sk, seed) != 0:
        raise RuntimeError("crypto_sign_seed_keypair")
    return pk.raw, sk.raw


def ed_sign(sk, msg):
    sig = ctypes.create_string_buffer(64)
    sodium().crypto_sign_detached(sig, None, msg, ctypes.c_ulonglong(len(msg)),
                                  sk)
    return sig.raw


def ed_verify(pk, msg, sig):
    return sodium().crypto_sign_verify_detached(
        sig, msg, ctypes.c_ulonglong(len(msg)), pk) == 0


def key_id(name, pk):
    return hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4]


def vkey_string(name, pk):
    return "%s+%s+%s" % (name, key_id(name, pk).hex(),
                         base64.b64encode(b"\x01" + pk).decode())


class Key:
    """An Ed25519 key pair with a note-style name."""

    def __init__(self, name, seed):
        self.name = name
        self.pk, self.sk = keypair_from_seed(seed)
        self.vkey = vkey_string(name, self.pk)

    @classmethod
    def load(cls, path):
        """A ledgerctl key file: PRIVATE+KEY+name+id+base64(0x01||seed)."""
        with open(path) as f:
            parts = f.read().strip().split("+", 4)
        raw = base64.b64decode(parts[4])
        if parts[:2] != ["PRIVATE", "KEY"] or raw[0] != 1 or len(raw) != 33:
            raise ValueError("not a ledgerctl key file: " + path)
        return cls(parts[2], raw[1:])

    @classmethod
    def derive(cls, name, tag):
        return cls(name, hashlib.sha256(tag.encode()).digest())


def sign_statement(origin, stmt, *keys):
    """stmt with "signatures" by keys over its {body, id, kind}."""
    part = {k: stmt[k] for k in ("body", "id", "kind")}
    msg = DOMAIN + origin.encode() + b"\n" + canonical(part)
    out = dict(part)
    out["signatures"] = [{"key": k.name, "sig": base64.b64encode(
        ed_sign(k.sk, msg)).decode()} for k in keys]
    return out


def keyreg(origin, admin, name, role="convener", tag=None, sid=None):
    """A key entry registering a fresh key (derived from tag), signed by
    admin.  Key entries are checked by the registry alone, so these stay
    valid whatever the kind schemas become."""
    k = Key.derive(name, tag or name)
    body = {"name": name, "public_key": k.vkey, "role": role,
            "valid_from": "2020-01-01T00:00:00+08:00"}
    if role != "admin":
        body["org"] = {"scheme": "CN-USCI", "id": USCC, "name": name}
    return k, sign_statement(origin, {"id": sid or "key-" + name,
                                      "kind": "key", "body": body}, admin)


def self_check(L, admin):
    """Our signer equals ledgerctl's, byte for byte."""
    st = {"id": "selfcheck-1", "kind": "key",
          "body": {"revokes": "nobody", "reason": "x"}}
    ours = sign_statement(L.origin, st, admin)
    theirs = L.sign(st, L.admin)
    return check(ours["signatures"] == theirs["signatures"],
                 "python signer agrees with ledgerctl sign (%s vs %s)" %
                 (ours["signatures"], theirs["signatures"]))


def verify_note(note, name, pk):
    """Does the signed note carry a valid signature by (name, pk)?"""
    i = note.rfind("\n\n")
    if i < 0:
        return False
    text = note[:i + 1].encode()
    kid = key_id(name, pk)
    for line in note[i + 2:].split("\n"):
        if not line.startswith("\u2014 %s " % name):
            continue
        raw = base64.b64decode(line.split(" ")[2])
        if raw[:4] == kid and ed_verify(pk, text, raw[4:]):
            return True
    return False


def ledger_pubkey(L):
    with open(os.path.join(L.data, "ledger.key.pub")) as f:
        v = f.read().strip()
    name, _, b64 = v.split("+", 2)
    return name, base64.b64decode(b64)[1:]


# --- HTTP without urllib's politeness -------------------------------------

def post(url, stmt, timeout=30):
    """(status, json or None); status 0 when the connection failed."""
    data = stmt if isinstance(stmt, bytes) else json.dumps(stmt).encode()
    try:
        st, _, b = http("POST", url + "/v1/entries", data,
                        {"Content-Type": "application/json"}, timeout)
    except (OSError, ValueError, http_exc()) as e:
        return 0, {"exception": repr(e)}
    try:
        return st, json.loads(b) if b else None
    except ValueError:
        return st, {"raw": b[:200].decode("latin-1")}


def http_exc():
    import http.client
    return http.client.HTTPException


def get(url, path, timeout=30, headers=None):
    try:
        return http("GET", url + path, None, headers, timeout)
    except (OSError, http_exc()) as e:
        return 0, {}, repr(e).encode()


def get_json(url, path, timeout=30):
    st, _, b = get(url, path, timeout)
    try:
        return st, json.loads(b) if b else None
    except ValueError:
        return st, None


def raw_request(port, data, timeout=5, read=True, src=None):
    """Send raw bytes; return what came back before close or timeout."""
    s = socket.socket()
    if src:
        s.bind((src, 0))
    s.settimeout(timeout)
    out = b""
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(data)
        while read:
            b = s.recv(65536)
            if not b:
                break
            out += b
            if b"\r\n\r\n" in out and response_complete(out):
                break
    except OSError:
        pass
    finally:
        s.close()
    return out


def response_complete(buf):
    head, _, body = buf.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_of(resp):
    """HTTP status of a raw response, 0 if none."""
    try:
        return int(resp.split(b" ", 2)[1]) if resp.startswith(b"HTTP/") else 0
    except (IndexError, ValueError):
        return 0


# --- auditing the served ledger ------------------------------------------

def prefix_roots(hashes, sizes):
    """{size: MTH(hashes[:size])} for each wanted size, in one pass."""
    want = set(sizes)
    out = {}
    stack = []      # (height, hash) of perfect subtrees, left to right
    if 0 in want:
        out[0] = hashlib.sha256(b"").digest()
    for i, h in enumerate(hashes):
        node, height = h, 0
        while stack and stack[-1][0] == height:
            node = node_hash(stack.pop()[1], node)
            height += 1
        stack.append((height, node))
        if i + 1 in want:
            r = stack[-1][1]
            for _, left in reversed(stack[:-1]):
                r = node_hash(left, r)
            out[i + 1] = r
    return out


class Audit:
    """Everything the server serves, re-derived and cross-checked."""

    def __init__(self, url, vname, vpk, retries=3, prev=None):
        """prev: an earlier Audit of the same ledger; leaves byte-equal to
        the ones it checked are not parsed again (a soak audits hundreds of
        thousands of leaves after every kill)."""
        self.ok = False
        self.leaves, self.hashes, self.by_id = [], [], {}
        self.why = ""
        self.prev = prev if prev is not None and prev.ok else None
        for _ in range(retries):
            if self._load(url, vname, vpk):
                self.ok = True
                return
            time.sleep(0.2)

    def _load(self, url, vname, vpk):
        st, _, note = get(url, "/checkpoint")
        if st != 200:
            self.why = "GET /checkpoint: %s" % st
            return False
        self.note = note.decode()
        if not verify_note(self.note, vname, vpk):
            self.why = "checkpoint signature does not verify"
            return False
        _, self.size, self.root = parse_checkpoint(self.note)
        leaves = []
        for n in range((self.size + 255) // 256):
            w = min(256, self.size - n * 256)
            p = "/tile/entries/" + tile_path(n) + ("" if w == 256 else
                                                    ".p/%d" % w)
            st, h, body = get(url, p, headers={"Accept-Encoding": "gzip"})
            if st != 200:
                self.why = "GET %s: %s" % (p, st)
                return False
            if h.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            i = 0
            while i + 2 <= len(body):
                ln = body[i] << 8 | body[i + 1]
                leaves.append(body[i + 2:i + 2 + ln])
                i += 2 + ln
            if i != len(body):
                self.why = "bundle %s framing" % p
                return False
        if len(leaves) != self.size:
            self.why = "bundles hold %d leaves for size %d" % (len(leaves),
                                                               self.size)
            return False
        self.leaves = leaves
        old = self.prev.leaves if self.prev else []
        self.hashes = [self.prev.hashes[i] if i < len(old) and old[i] == x
                       else leaf_hash(x) for i, x in enumerate(leaves)]
        self.parsed = []
        self.by_id = {}
        for i, x in enumerate(leaves):
            if i < len(old) and old[i] == x:
                lf = self.prev.parsed[i]
            else:
                lf = json.loads(x)
            prev = self.hashes[i - 1].hex() if i else "0" * 64
            if (lf is not self.prev_parsed(i) and canonical(lf) != x) or \
                    lf.get("seq") != i or lf.get("prev") != prev:
                self.why = "leaf %d not canonical or not chained" % i
                return False
            if lf["id"] in self.by_id:
                self.why = "id %s twice (seq %d and %d)" % (
                    lf["id"], self.by_id[lf["id"]], i)
                return False
            self.by_id[lf["id"]] = i
            self.parsed.append(lf)
        if prefix_roots(self.hashes, [self.size])[self.size] != self.root:
            self.why = "root from bundles differs from the checkpoint's"
            return False
        return True

    def prev_parsed(self, i):
        if self.prev and i < len(self.prev.parsed):
            return self.prev.parsed[i]
        return None

    def receipt_ok(self, r, roots):
        """A receipt matches what the ledger serves now."""
        seq = r["seq"]
        if seq >= self.size or self.hashes[seq].hex() != r["leaf_hash"]:
            return False
        _, s, root = parse_checkpoint(r["checkpoint"])
        return s <= self.size and roots.get(s) == root

    def holds_whole(self, stmt):
        """None if absent; True if present exactly as sent; else False."""
        seq = self.by_id.get(stmt["id"])
        if seq is None:
            return None
        lf = self.parsed[seq]
        return all(lf.get(k) == stmt[k] for k in
                   ("id", "kind", "body", "signatures"))


def ctl_has(cmd):
    p = run(LEDGERCTL, "help")
    return any(line.split()[:1] == [cmd] for line in
               (p.stdout + p.stderr).splitlines())


_has = {}


def ctl_verify(datadir, trusted=None):
    """(ran, ok, output) of "ledgerctl verify -d datadir" if that command
    exists.  With trusted (a file), the ledger must extend the checkpoint
    saved there by the previous call, which is then replaced."""
    if "verify" not in _has:
        _has["verify"] = ctl_has("verify")
    if not _has["verify"]:
        return False, True, ""
    args = [LEDGERCTL, "verify", "-d", datadir]
    if trusted:
        if os.path.exists(trusted):
            args += ["--trusted", trusted]
        args += ["--save", trusted + ".new"]
    # Generous: a soak's ledger grows to ~100k entries on a loaded machine
    # (the 1000-kill soak lost its run to a 300 s limit at 85k entries).
    limit = int(os.environ.get("VERIFY_TIMEOUT", "1800"))
    try:
        p = subprocess.run(args, capture_output=True, text=True,
                           timeout=limit)
    except subprocess.TimeoutExpired:
        return True, False, "ledgerctl verify took over %d s" % limit
    if trusted and p.returncode == 0 and os.path.exists(trusted + ".new"):
        os.replace(trusted + ".new", trusted)
    return True, p.returncode == 0, (p.stdout + p.stderr)[-2000:]


def wait_gone(proc, timeout=10):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


lock_waits = [0]


def start_retrying(L, *extra, tries=50):
    """L.start(), retrying while a dead daemon's lock is still held (each
    retry is counted in lock_waits: the lock should die with the daemon)."""
    last = None
    for _ in range(tries):
        try:
            return L.start(*extra)
        except RuntimeError as e:
            last = e
            if "locked" not in str(e):
                raise
            lock_waits[0] += 1
            time.sleep(0.1)
    raise last


def rng():
    seed = int(os.environ.get("SEED", str(int(time.time() * 1000) % 10**9)))
    print("   random seed %d (SEED=%d to repeat)" % (seed, seed))
    return random.Random(seed)


__all__ = [n for n in dir() if not n.startswith("__")]
