"""Shikaku Pass token benchmark: QR size and sign/verify speed, side by side with peers.

    cd /work/main && PYTHONPATH=. .venv/bin/python bench/token_bench.py [--members N] [--seed S] [--ops N]

Sizes: every member of a synthetic population (bench/population.py) is issued a token
(server.token_core.issue) and the same claims are encoded in the EU DCC idiom
(bench/dcc_idiom.py); the QR version is what segno chooses at error correction M.
Speed: single thread, time.perf_counter, median of --repeats runs, the cases interleaved.
Prints plain-text tables; asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import os
import platform
import random
import statistics
import sys
import time
import zlib
from importlib import metadata

import cbor2
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pycose.algorithms import Es256
from pycose.headers import KID, Algorithm
from pycose.messages import Sign1Message

from bench import dcc_idiom as dcc
from bench.population import longest, population
from server.token_core import Status, TrustedKey, TrustList, cose, digits, issue, verify
from server.token_core.keys import signing_key

ERROR = "m"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000, help="population size (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="population and key seed (default 1)")
    parser.add_argument("--ops", type=int, default=1000, help="operations per timing run (default 1000)")
    parser.add_argument("--repeats", type=int, default=5, help="timing runs per case (default 5)")
    parser.add_argument("--longest", type=int, default=50,
                        help="members in the longest-name table (default 50)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    print_machine()
    private_key = ec.derive_private_key(
        int.from_bytes(hashlib.sha256(f"bench-key:{args.seed}".encode()).digest(), "big")
        % (2**255), ec.SECP256R1())
    key = signing_key(private_key)
    dkey = dcc.DccKey.from_private_key(private_key)

    members = list(population(args.members, args.seed))
    longest_members = longest(args.longest, args.seed)
    print_population(members, args)

    ours, peer = measure(members, key, dkey)
    ours_l, peer_l = measure(longest_members, key, dkey)
    check_round_trips(members + longest_members, ours.texts + ours_l.texts,
                      peer.texts + peer_l.texts, key, dkey)
    spot_check_qr_cache(ours.texts + peer.texts, args.seed)

    print(f"\nA) QR size, population of {len(members)} (QR error correction M, versions chosen by segno)")
    print_size_table([ours, peer])
    print_layers([ours, peer])
    print_shares([ours, peer])
    names = sorted(len(m.name.encode()) for m in longest_members)
    print(f"\nA2) QR size, the {len(longest_members)} longest names (UTF-8 {names[0]}-{names[-1]} bytes)"
          " with every optional claim (記号, 枝番, 限度額区分)")
    print_size_table([ours_l, peer_l])
    print_shares([ours_l, peer_l])
    print_headroom(longest_members[0], key)

    print(f"\nB) Speed, single thread, {args.ops} ops per run, median of {args.repeats} runs")
    print_speed(members, key, private_key, args)
    print(f"\ntotal runtime {time.perf_counter() - started:.1f} s")
    return 0


# -- machine ---------------------------------------------------------------------------
def print_machine():
    from cryptography.hazmat.backends.openssl.backend import backend
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in
                         ("cryptography", "cbor2", "pycose", "segno", "Faker"))
    print(f"machine: Python {platform.python_version()} ({platform.python_implementation()}), "
          f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}")
    print(f"         {platform.processor() or _cpu_model()}")
    print(f"libs:    {versions}; {backend.openssl_version_text()}")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "cpu model unknown"


def print_population(members, args):
    n = len(members)
    share = lambda pred: f"{100 * sum(map(pred, members)) / n:.0f}%"
    print(f"population: {n} members, seed {args.seed}; 本人 {share(lambda m: m.relationship == 1)}, "
          f"限度額区分 {share(lambda m: m.limit_category is not None)}, "
          f"記号 empty {share(lambda m: not m.symbol)}, 枝番 empty {share(lambda m: not m.branch)}, "
          f"資格確認書 {share(lambda m: m.kind == 2)}, "
          f"name UTF-8 bytes median {statistics.median(len(m.name.encode()) for m in members):g} "
          f"max {max(len(m.name.encode()) for m in members)}")


# -- sizes -------------------------------------------------------------------------------
class Encoded:
    def __init__(self, label):
        self.label = label
        self.texts, self.versions, self.layers = [], [], {}

    def add_layer(self, name, size):
        self.layers.setdefault(name, []).append(size)


def measure(members, key, dkey):
    ours, peer = Encoded("Shikaku Pass digits"), Encoded("DCC idiom (CWT+zlib+Base45)")
    for m in members:
        claims_cbor = cose.dumps(m.to_map())
        signed = cose.sign(claims_cbor, key.kid, key.private_key)
        text = digits.encode(signed)
        ours.texts.append(text)
        ours.versions.append(qr_version(text))
        ours.add_layer("claims CBOR", len(claims_cbor))
        ours.add_layer("COSE_Sign1", len(signed))
        ours.add_layer("zlib", None)

        cwt = cbor2.dumps(dcc.cwt(m))
        dtext = dcc.encode(m, dkey)
        compressed = dcc.b45decode(dtext[len(dcc.PREFIX):])
        peer.texts.append(dtext)
        peer.versions.append(qr_version(dtext))
        peer.add_layer("claims CBOR", len(cwt))
        peer.add_layer("COSE_Sign1", len(zlib.decompress(compressed)))
        peer.add_layer("zlib", len(compressed))
    return ours, peer


_QR_CACHE: dict = {}


def qr_version(text: str) -> int:
    """segno's version at level M. For one single-mode segment the version depends only on
    the mode and the character count, so segno runs once per (mode, length);
    spot_check_qr_cache() re-checks a sample without the cache."""
    key = (_mode(text), len(text))
    if key not in _QR_CACHE:
        qr = segno.make_qr(text, error=ERROR)
        if qr.mode != key[0]:
            raise AssertionError(f"segno chose {qr.mode} for a {key[0]} text")
        _QR_CACHE[key] = qr.version
    return _QR_CACHE[key]


def _mode(text: str) -> str:
    if text.isascii() and text.isdigit():
        return "numeric"
    if all(c in dcc.B45 for c in text):
        return "alphanumeric"
    return "byte"


def spot_check_qr_cache(texts, seed, k=40):
    for text in random.Random(seed).sample(texts, min(k, len(texts))):
        if segno.make_qr(text, error=ERROR).version != qr_version(text):
            raise AssertionError("QR version cache disagrees with segno")


def check_round_trips(members, texts, dtexts, key, dkey):
    """Not timed: every token verifies and gives back its claims, in both encodings."""
    trust_list, now = trust_list_for(members, key)
    bad = [m for m, t in zip(members, texts)
           if (r := verify(t, trust_list, now=now)).status is not Status.VALID or r.claims != m]
    bad_dcc = [m for m, t in zip(members, dtexts) if dcc.decode(t, dkey) != m]
    print(f"round trips: Shikaku Pass verify() VALID with equal claims {len(members) - len(bad)}"
          f"/{len(members)}; DCC idiom decode+verify equal claims {len(members) - len(bad_dcc)}"
          f"/{len(members)}")
    for m in (bad + bad_dcc)[:3]:
        print("  mismatch:", m.to_json())


def percentile(values, p):
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def print_size_table(encodings):
    rows = []
    for e in encodings:
        chars = [len(t) for t in e.texts]
        rows.append([e.label,
                     *(f"{f(chars):g}" for f in (statistics.median, lambda v: percentile(v, 95), max)),
                     *(f"{f(e.versions):g}" for f in (statistics.median, lambda v: percentile(v, 95), max))])
    table(["encoding", "chars med", "p95", "max", "QR-M ver med", "p95", "max"], rows)


def print_layers(encodings):
    rows = []
    for e in encodings:
        med = lambda name: ("-" if e.layers[name][0] is None
                            else f"{statistics.median(e.layers[name]):g}")
        rows.append([e.label, med("claims CBOR"), med("COSE_Sign1"), med("zlib"),
                     f"{statistics.median(len(t) for t in e.texts):g}"])
    print("median size by layer")
    table(["encoding", "claims/CWT bytes", "COSE_Sign1 bytes", "zlib bytes", "QR text chars"], rows)


def print_shares(encodings):
    for e in encodings:
        n = len(e.versions)
        le = lambda v: f"{100 * sum(x <= v for x in e.versions) / n:.1f}%"
        hist = "  ".join(f"v{v}:{100 * c / n:.1f}%" for v, c in sorted(
            {v: e.versions.count(v) for v in set(e.versions)}.items()))
        print(f"  {e.label:<28} version <= 9: {le(9):>6}   <= 10: {le(10):>6}   ({hist})")


def print_headroom(member, key):
    """How long a name still fits, with this member's other claims (every optional one set)."""
    import dataclasses
    fits = {}
    for extra in range(0, 80):
        name = member.name + "漢" * extra
        if len(name) > 100:   # MAX_TEXT_CHARS in claims.py
            break
        version = qr_version(issue(dataclasses.replace(member, name=name), key))
        for limit in (9, 10):
            if version <= limit:
                fits[limit] = (len(name.encode()), len(name))
    parts = [f"version <= {v}: " + (f"names up to {fits[v][0]} UTF-8 bytes ({fits[v][1]} chars)"
                                    if v in fits else "no name fits") for v in (9, 10)]
    print(f"  name headroom (Shikaku Pass; the longest member above, name grown by kanji):\n    "
          + "; ".join(parts))


# -- speed -------------------------------------------------------------------------------
def trust_list_for(members, key, *, revocations=1000):
    now = max(m.issued_at for m in members) + 60
    rng = random.Random(0)
    insurers = sorted({m.insurer_number for m in members})
    trusted = TrustedKey(kid=key.kid, public_key=key.private_key.public_key(),
                         insurers=frozenset(insurers), signs_from=now - 90 * 86400, signs_until=None)
    return TrustList(issued_at=now - 3600, expires_at=now + 86400, grace=7 * 86400,
                     insurers={i: f"保険者 {i}" for i in insurers}, keys=(trusted,),
                     revocations={rng.randbytes(8): now for _ in range(revocations)}), now


def print_speed(members, key, private_key, args):
    sample = list(itertools.islice(itertools.cycle(members), args.ops))
    payloads = [cose.dumps(m.to_map()) for m in sample]
    tokens = [issue(m, key) for m in sample]
    signed = [digits.decode(t) for t in tokens]
    trust_list, now = trust_list_for(sample, key)
    public_key = private_key.public_key()
    dkey = dcc.DccKey.from_private_key(private_key)   # pycose keys for the same P-256 key
    phdr = {Algorithm: Es256, KID: key.kid}
    pycose_signed = [Sign1Message(phdr=phdr, payload=p, key=dkey.cose_key).encode() for p in payloads]

    def pycose_verify(data):
        message = dcc.sign1_decode(data)
        message.key = dkey.public_cose_key
        if not message.verify_signature():
            raise AssertionError("pycose: bad signature")

    def our_verify(text):
        if verify(text, trust_list, now=now).status is not Status.VALID:
            raise AssertionError("token_core: not valid")

    def our_cose_verify(data):
        cose.verify_signature(cose.parse(data), public_key)

    ecdsa = ec.ECDSA(hashes.SHA256())
    tbs_list = [cose.parse(b).to_be_signed() for b in signed]
    der_pairs = [(tbs, private_key.sign(tbs, ecdsa)) for tbs in tbs_list]

    # Interoperability, not timed: each side accepts the other's COSE_Sign1.
    pycose_verify(signed[0])
    our_cose_verify(pycose_signed[0])
    interop = verify(digits.encode(pycose_signed[0]), trust_list, now=now).status
    print(f"interop: pycose verifies token_core's COSE_Sign1: yes; token_core verify() on "
          f"pycose's COSE_Sign1 as digits: {interop.value}")

    cases = {
        ("token_core issue() / verify()", "sign"): (lambda m: issue(m, key), sample),
        ("token_core issue() / verify()", "verify"): (our_verify, tokens),
        ("token_core cose layer only", "sign"): (
            lambda p: cose.sign(p, key.kid, private_key), payloads),
        ("token_core cose layer only", "verify"): (our_cose_verify, signed),
        ("pycose Sign1Message", "sign"): (
            lambda p: Sign1Message(phdr=phdr, payload=p, key=dkey.cose_key).encode(), payloads),
        ("pycose Sign1Message", "verify"): (pycose_verify, pycose_signed),
        ("cryptography ECDSA only (floor)", "sign"): (
            lambda tbs: private_key.sign(tbs, ecdsa), tbs_list),
        ("cryptography ECDSA only (floor)", "verify"): (
            lambda pair: public_key.verify(pair[1], pair[0], ecdsa), der_pairs),
    }
    rates = {case: [] for case in cases}
    for fn, items in cases.values():      # warm-up
        for item in items[:50]:
            fn(item)
    for _ in range(args.repeats):
        for case, (fn, items) in cases.items():
            t0 = time.perf_counter()
            for item in items:
                fn(item)
            rates[case].append(len(items) / (time.perf_counter() - t0))
    rows = []
    for impl in dict.fromkeys(c[0] for c in cases):
        s, v = statistics.median(rates[(impl, "sign")]), statistics.median(rates[(impl, "verify")])
        rows.append([impl, f"{s:,.0f}", f"{1e6 / s:.1f}", f"{v:,.0f}", f"{1e6 / v:.1f}"])
    table(["implementation", "sign ops/s", "µs/op", "verify ops/s", "µs/op"], rows)
    print("  token_core issue(): claims -> CBOR -> COSE_Sign1 -> digits; verify(): digits -> strict\n"
          "  COSE parse -> signature -> claims -> trust checks (1000-entry revocation list).\n"
          "  cose layer / pycose: the same claims CBOR bytes, same key and {alg, kid} header;\n"
          "  pycose verify = cbor2 decode + Sign1Message.from_cose_obj + verify_signature.\n"
          "  pycose 1.1.0 does ES256 with the pure-Python `ecdsa` package (RFC 6979), not OpenSSL;\n"
          "  that, not the COSE framing, is most of its gap. Floor: OpenSSL ECDSA on the\n"
          "  Sig_structure bytes alone (DER signatures, no COSE).")


# -- output ------------------------------------------------------------------------------
def table(headers, rows):
    widths = [max(_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    fmt = lambda r: "  ".join(_pad(str(c), w, left=(i == 0)) for i, (c, w) in enumerate(zip(r, widths)))
    print(fmt(headers))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(fmt(r))


def _width(s):
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s, width, left):
    gap = " " * (width - _width(s))
    return s + gap if left else gap + s


if __name__ == "__main__":
    sys.exit(main())
