"""ledgertest - shared helpers for the integration tests (python3 stdlib).

Everything here is written from the specs (RFC 6962/9162, C2SP tlog-tiles,
RFC 8785 for the canonical form), independently of the C code, so the tests
cross-check the daemon rather than repeat it.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BUILD = os.environ.get("BUILD", "build")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LEDGERD = os.path.join(ROOT, BUILD, "ledgerd")
LEDGERCTL = os.path.join(ROOT, BUILD, "ledgerctl")

failures = 0
checks = 0


def check(cond, what):
    """Record one assertion; keep going so one run shows every failure."""
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr, flush=True)
    return cond


def finish(name, t0):
    print("%s: %d passed, %d failed (%.1fs)" %
          (name, checks - failures, failures, time.time() - t0))
    sys.exit(1 if failures else 0)


# --- hashing, canonical form, proofs (RFC 6962 / 9162) -------------------

def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def mth(hashes):
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_hash, second_hash, proof):
    if first > second:
        return False
    if first == second:
        return not proof and first_hash == second_hash
    if first == 0:
        return not proof
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_hash] + list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


MEETING_ORG = "91350100M000100Y43"     # the example vote's meeting body


def example(kind):
    """The worked example of kind from tests/kinds (docs/KINDS.md)."""
    with open(os.path.join(ROOT, "tests", "kinds", kind + ".json")) as f:
        return json.load(f)


def vote_statement(sid, ocid, n=0):
    """A valid vote (the docs' example) with its own id, ocid and text."""
    st = example("vote")
    st.pop("signatures", None)
    st["id"] = sid
    st["body"]["ocid"] = ocid
    st["body"]["vote_id"] = "vote-%s" % sid
    st["body"]["motion_text"] = "社区增能项目 第%d号" % n
    return st


def parse_checkpoint(note):
    """(origin, size, root) of a signed checkpoint note (text part only)."""
    text = note[:note.rindex("\n\n") + 1]
    lines = text.split("\n")
    return lines[0], int(lines[1]), base64.b64decode(lines[2])


def tile_path(n):
    s = "%03d" % (n % 1000)
    n //= 1000
    while n > 0:
        s = "x%03d/" % (n % 1000) + s
        n //= 1000
    return s


# --- processes and HTTP --------------------------------------------------

def run(*args, check_rc=None, input=None):
    p = subprocess.run(list(args), capture_output=True, text=True,
                       input=input)
    check(not sanitizer_report(p.stderr),
          "sanitizer report from %s:\n%s" % (args, p.stderr))
    if check_rc is not None and p.returncode != check_rc:
        print("command %s exited %d, want %d\nstdout: %s\nstderr: %s" %
              (args, p.returncode, check_rc, p.stdout, p.stderr),
              file=sys.stderr)
    return p


def sanitizer_report(text):
    """True if ASan, LSan or UBSan wrote a report (the SAN=1 build)."""
    return ("Sanitizer" in text or "runtime error:" in text)


def http(method, url, body=None, headers=None, timeout=30):
    """(status, headers, body bytes); never raises on HTTP errors."""
    req = urllib.request.Request(url, data=body, method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def get_json(url):
    st, _, b = http("GET", url)
    return st, (json.loads(b) if b else None)


def post_json(url, data):
    if isinstance(data, (dict, list)):
        data = json.dumps(data).encode()
    st, _, b = http("POST", url, data, {"Content-Type": "application/json"})
    return st, (json.loads(b) if b else None)


class Ledger:
    """A temp dir with keys and a ledger made by ledgerctl init."""

    def __init__(self, origin="test.example.gov.cn/it"):
        self.dir = tempfile.mkdtemp(prefix="ledger-it.")
        self.origin = origin
        self.data = os.path.join(self.dir, "ledger")
        self.admin = self.keygen("admin")
        p = run(LEDGERCTL, "init", "-d", self.data, "--origin", origin,
                "--admin", self.admin + ".pub", check_rc=0)
        self.vkey = p.stdout.strip().splitlines()[-1]
        self.proc = None
        self.url = None

    def keygen(self, name):
        path = os.path.join(self.dir, name + ".key")
        run(LEDGERCTL, "keygen", "-o", path, name, check_rc=0)
        return path

    def start(self, *extra):
        self.log = open(os.path.join(self.dir, "ledgerd.log"), "a+")
        self.log.seek(0, os.SEEK_END)
        start = self.log.tell()     # only this run's lines count
        self.proc = subprocess.Popen(
            [LEDGERD, "-d", self.data, "-l", "127.0.0.1:0"] + list(extra),
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            self.log.seek(start)
            m = re.findall(r"on (https?)://127\.0\.0\.1:(\d+)/",
                           self.log.read())
            if m:
                self.url = "%s://127.0.0.1:%s" % m[-1]
                return self.url
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.log.seek(0)
        raise RuntimeError("ledgerd did not start: " + self.log.read())

    def stop(self, sig=signal.SIGTERM):
        """Stop ledgerd; a SIGTERM must end it cleanly: exit 0, and in the
        SAN=1 build LeakSanitizer runs at exit, so no leak either."""
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            check(False, "ledgerd did not stop within 30 s of signal %d" %
                  sig)
        self.proc = None
        if sig == signal.SIGTERM:
            check(rc == 0, "ledgerd exited %d on SIGTERM (see %s)" %
                  (rc, os.path.join(self.dir, "ledgerd.log")))
        return rc

    def sanitizer_check(self):
        """Every run of ledgerd in this dir, killed or not, left no
        sanitizer report in its log."""
        try:
            with open(os.path.join(self.dir, "ledgerd.log")) as f:
                text = f.read()
        except OSError:
            return
        check(not sanitizer_report(text),
              "sanitizer report in ledgerd.log:\n" + text[-4000:])

    def sign(self, statement, *keys):
        path = os.path.join(self.dir, "stmt.json")
        with open(path, "w") as f:
            json.dump(statement, f, ensure_ascii=False)
        args = [LEDGERCTL, "sign", "--origin", self.origin]
        for k in keys:
            args += ["-k", k]
        p = run(*(args + [path]), check_rc=0)
        return json.loads(p.stdout)

    def register(self, name, role, org=MEETING_ORG):
        """Register an author key through the admin; returns its key path."""
        key = self.keygen(name)
        with open(key + ".pub") as f:
            vkey = f.read().strip()
        body = {"name": name, "public_key": vkey, "role": role,
                "valid_from": "2020-01-01T00:00:00+08:00"}
        if role != "admin":
            body["org"] = {"scheme": "CN-USCI", "id": org, "name": name}
        st = self.sign({"id": "key-" + name, "kind": "key", "body": body},
                       self.admin)
        code, r = post_json(self.url + "/v1/entries", st)
        check(code == 201, "register %s: %s %s" % (name, code, r))
        return key

    def close(self):
        self.stop()
        self.sanitizer_check()
        if os.environ.get("KEEP_TMP") is None:
            shutil.rmtree(self.dir, ignore_errors=True)


def build_plant():
    """Compile tests/tools/plant.c against this build's libledger.a (with
    the sanitizers in the SAN=1 build); returns the binary's path."""
    out = os.path.join(tempfile.mkdtemp(prefix="plant."), "plant")
    pkgs = subprocess.run(["pkg-config", "--cflags", "--libs", "libsodium",
                           "jansson", "libmicrohttpd", "zlib", "libcurl"],
                          capture_output=True, text=True).stdout.split()
    san = ["-fsanitize=address,undefined"] if BUILD.rstrip("/").endswith(
        "-san") else []
    p = subprocess.run([os.environ.get("CC") or "cc", "-std=c11",
                        "-D_GNU_SOURCE", "-g", "-I",
                        os.path.join(ROOT, "include")] + san +
                       [os.path.join(ROOT, "tests", "tools", "plant.c"),
                        os.path.join(ROOT, BUILD, "libledger.a")] + pkgs +
                       ["-llmdb", "-lpthread", "-o", out],
                       capture_output=True, text=True)
    check(p.returncode == 0, "plant.c compiles: " + p.stderr)
    return out
