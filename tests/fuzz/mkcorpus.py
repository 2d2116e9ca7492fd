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
