#!/usr/bin/env python3
"""mkcorpus.py - write the seed corpora of the fuzz targets into corpus/.

Seeds come from tests/vectors/ledgerd-v1.json (a real signed statement,
leaf and checkpoint, so mutations start next to inputs that pass every
check, signatures included) plus hand-picked edge cases.  Run it again
after changing the vectors; file names are content hashes, so existing
seeds and ones libFuzzer added with -merge stay side by side.
"""
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
V = json.load(open(os.path.join(HERE, "..", "vectors", "ledgerd-v1.json")))


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def canon(o):
    return json.dumps(o, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


stmt = canon(V["statement"])
leaf = V["leaf_canonical"]

for s in [stmt, leaf, V["statement_signed_canonical"], "{}", "[]", "0",
          "-9007199254740991", "9007199254740991", '"\\u00e9\\ud83d\\ude00"',
          '{"a":[1,{"b":[true,false,null]}],"z":"\\t\\n\\r"}',
          '{"a_1":"x","B":"y"}', '[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]',
          ' { "b" : 1 , "a" : [ ] } ', '"\\"\\\\\\/\\b\\f"', '{"k":"中文"}']:
    put("fuzz_canon", s)

two = dict(V["statement"])
two["signatures"] = V["statement"]["signatures"] + [
    {"key": "other.key", "sig": V["statement_signature_b64"]}]
for s in [stmt, leaf, canon(two),
          canon({"id": "a", "kind": "key", "body": {"revokes": "x"}}),
          canon({"id": "a.b:c-d_1", "kind": "vote", "body": {},
                 "signatures": []}),
          "2026-08-15T19:30:00.000Z", "1970-01-01T00:00:00.000Z",
          "2000-02-29T23:59:59.999Z"]:
    put("fuzz_statement", s)

ck = V["checkpoint_size1_over_leaf"]
for s in [ck, ck[:ck.index("\n\n") + 1], ck + "\u2014 other.example AAAAAA==\n",
          ck.replace("\n\n", "\nextension line\n\n"),
          V["ledger"]["vkey"], V["ledger"]["skey"], V["author"]["vkey"],
          V["author"]["skey"], V["statement_signature_b64"],
          V["leaf_hash_hex"], "AA==", "AAA=", "AAAA", ""]:
    put("fuzz_note", s)

for s in ["000", "001", "x001/234", "x001/234.p/17", "255.p/1",
          "x999/x999/x999/x999/x999/999.p/255", "0", "63", "1234",
          "18446744073709551615", "000.p/256", "x000/001", "01"]:
    put("fuzz_tilepath", s)

# fuzz_http: requests in its framing (request line, headers, blank line,
# body) for every route, with the ids of the ledger it builds at start
# (tests/kinds/ examples, 300 entries) and the vectors' signed statement.
JSON = "Content-Type: application/json\n"
signed = V["statement_signed_canonical"]
verify_bad = canon({"seq": 6, "leaf": json.loads(leaf)})
for s in ["GET /v1/entries/0", "GET /v1/entries/6", "GET /v1/entries/299",
          "GET /v1/entries/300", "GET /v1/entries/%37", "GET /v1/entries/07",
          "GET /v1/entries?kind=vote", "GET /v1/entries?after=5&limit=2",
          "GET /v1/entries?ocid=ocds-ledgerd-yq-2026-001",
          "GET /v1/entries?contract=YQ-CD-2026-017&kind=disbursement",
          "GET /v1/entries?org=52330382MJ5678901M",
          "GET /v1/entries?since=2027-01-01T00:00:00%2B08:00"
          "&until=2028-01-01T00:00:00Z",
          "GET /v1/projects/ocds-ledgerd-yq-2026-001",
          "GET /v1/contracts/YQ-CD-2026-017",
          "GET /v1/orgs/52330382MJ5678901M", "GET /v1/orgs/11330382MB01234560",
          "GET /v1/proofs/inclusion?seq=6", "GET /v1/proofs/inclusion?seq=3"
          "&size=12", "GET /v1/proofs/consistency?from=1&to=12",
          "GET /v1/proofs/consistency?from=6", "GET /checkpoint",
          "HEAD /checkpoint", "GET /healthz", "GET /metrics",
          "GET /tile/0/000", "GET /tile/0/001.p/44", "GET /tile/1/000.p/1",
          "GET /tile/entries/000\nAccept-Encoding: gzip\n\n",
          "GET /tile/entries/001.p/44", "GET /tile/0/x001/000",
          "DELETE /v1/entries", "GET /nowhere", "GET /healthz%00",
          "POST /v1/entries\n" + JSON + "\n" + signed,
          "POST /v1/entries\n\n" + signed,
          "POST /v1/entries\n" + JSON + "Content-Length: 99999\n\n" + signed,
          "POST /v1/entries\n" + JSON + "\n" + canon(V["statement"]) + " " * 4096,
          "POST /v1/entries\n" + JSON + "\n" + stmt,
          "POST /v1/verify\n" + JSON + "\n" + verify_bad,
          "POST /v1/verify\n" + JSON + "\n" + canon(
              {"seq": 0, "leaf": json.loads(leaf),
               "checkpoint": V["checkpoint_size1_over_leaf"],
               "inclusion_proof": [], "tree_size": 1})]:
    put("fuzz_http", s)
