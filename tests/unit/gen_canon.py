#!/usr/bin/env python3
"""gen_canon.py SEED COUNT - documents for test_canon.c.

Writes COUNT records to stdout, each "<inlen> <reflen>\\n" followed by
inlen bytes of a non-canonical rendering of a random document inside the
canonical subset (DESIGN 3.1) and reflen bytes of the reference canonical
form from Python's own serializer:
    json.dumps(doc, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
The rendering shuffles keys, sprinkles JSON whitespace, and escapes
characters in every legal way (\\uXXXX of either case, surrogate pairs for
astral code points, \\/ for '/', raw or escaped TAB/LF/CR, "-0" for 0), so
our parser and serializer are both exercised.  A fixed SEED makes the run
reproducible.
"""
import json
import random
import sys

MAX_INT = 2**53 - 1
MAX_BYTES = 256 * 1024
KEY_FIRST = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KEY_REST = KEY_FIRST + "0123456789_"

# Characters that matter to a serializer, and ranges to sample from.
SPECIAL = ['"', "\\", "/", "\t", "\n", "\r", "\x7f", "\u0080", "\u009f",
           "\u00a0", "\u00e9", "\u00f6", "\u20ac", "\u2028", "\u2029",
           "\ufeff", "\ufffd", "\uffff", "\U0001f600", "\U0010ffff", "'",
           "<", ">", "&", " "]
RANGES = [(0x20, 0x7e), (0x20, 0x7e), (0x80, 0x7ff), (0x4e00, 0x9fff),
          (0x3040, 0x30ff), (0xac00, 0xd7a3), (0xe000, 0xfffd),
          (0x1f300, 0x1faff), (0x10000, 0x10ffff)]


def rand_int(r):
    k = r.randrange(8)
    if k == 0:
        return r.choice([0, 1, -1, MAX_INT, -MAX_INT, MAX_INT - 1,
                         -(MAX_INT - 1), 2**31, -2**31, 2**32, 10**15])
    if k == 1:
        return r.choice([1, -1]) * 10 ** r.randrange(16)
    if k == 2:
        return r.randint(-MAX_INT, MAX_INT)
    return r.randint(-100000, 100000)


def rand_char(r):
    if r.random() < 0.3:
        return r.choice(SPECIAL)
    lo, hi = r.choice(RANGES)
    return chr(r.randint(lo, hi))


def rand_str(r):
    n = r.choice([0, 1, 2, 5, 10, 30, r.randrange(200)])
    return "".join(rand_char(r) for _ in range(n))


def rand_key(r):
    n = r.choice([1, 2, 4, 8, 16, 64, r.randrange(1, 65)])
    return r.choice(KEY_FIRST) + "".join(r.choice(KEY_REST)
                                         for _ in range(n - 1))


def rand_value(r, depth):
    k = r.randrange(10 if depth < 6 else 6)
    if k == 0:
        return rand_int(r)
    if k in (1, 2):
        return rand_str(r)
    if k == 3:
        return r.choice([True, False, None])
    if k in (4, 5):
        return rand_int(r) if r.random() < 0.5 else rand_str(r)
    n = r.choice([0, 1, 2, 3, 5, r.randrange(12)])
    if k in (6, 7):
        return {rand_key(r): rand_value(r, depth + 1) for _ in range(n)}
    return [rand_value(r, depth + 1) for _ in range(n)]


def ws(r):
    if r.random() < 0.6:
        return ""
    return "".join(r.choice(" \t\n\r") for _ in range(r.randrange(1, 4)))


def esc_u(r, c):
    cp = ord(c)
    fmt = "\\u%04x" if r.random() < 0.5 else "\\u%04X"
    if cp < 0x10000:
        return fmt % cp
    cp -= 0x10000
    return fmt % (0xd800 + (cp >> 10)) + fmt % (0xdc00 + (cp & 0x3ff))


SHORT = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\t": "\\t", "\n": "\\n",
         "\r": "\\r"}


def render_str(r, s, p_esc):
    out = []
    for c in s:
        x = r.random()
        if c in ('"', "\\"):
            out.append(SHORT[c] if x < 0.7 else esc_u(r, c))
        elif c in SHORT:
            out.append(c if x < 0.4 else SHORT[c] if x < 0.7 else esc_u(r, c))
        elif x < p_esc:
            out.append(esc_u(r, c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def render(r, v, p_esc):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return "-0" if v == 0 and r.random() < 0.3 else str(v)
    if isinstance(v, str):
        return render_str(r, v, p_esc)
    if isinstance(v, list):
        parts = [ws(r) + render(r, x, p_esc) + ws(r) for x in v]
        return "[" + (",".join(parts) if parts else ws(r)) + "]"
    keys = list(v)
    r.shuffle(keys)
    parts = [ws(r) + render_str(r, k, p_esc * 0.2) + ws(r) + ":" +
             ws(r) + render(r, v[k], p_esc) + ws(r) for k in keys]
    return "{" + (",".join(parts) if parts else ws(r)) + "}"


def fixed_docs():
    """Hand-picked documents that every run includes."""
    every = "".join(SPECIAL)
    return [
        {},
        [],
        0,
        MAX_INT,
        -MAX_INT,
        "",
        every,
        {"a": {}, "b": [], "c": [[]], "d": [{}]},
        {"z": 1, "a": 2, "A": 3, "Z": 4, "a_": 6, "a0": 7, "aa": 8, "b": 9},
        {"k" * 64: "v", "k": every, "n": [MAX_INT, -MAX_INT, 0, -1]},
        {"t": "\u8c61\u4e1c\u793e\u533a", "e": "\U0001f600\U0001f468",
         "d": "\x7f", "s": "/\\/"},
    ]


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    r = random.Random(seed)
    out = sys.stdout.buffer
    docs = fixed_docs()
    n = 0
    while n < count:
        if docs:
            doc = docs.pop(0)
        elif r.random() < 0.1:
            doc = rand_value(r, 1)
        else:
            doc = {rand_key(r): rand_value(r, 1) for _ in range(r.randrange(8))}
        p_esc = r.choice([0.0, 0.0, 0.1, 0.5, 1.0])
        inp = render(r, doc, p_esc).encode("utf-8")
        # Leading and trailing whitespace around the top value is legal.
        inp = ws(r).encode() + inp + ws(r).encode()
        ref = json.dumps(doc, sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False).encode("utf-8")
        if len(inp) > MAX_BYTES:
            continue
        out.write(b"%d %d\n" % (len(inp), len(ref)))
        out.write(inp)
        out.write(ref)
        n += 1


if __name__ == "__main__":
    main()
