"""The shared verifier vectors (tests/vectors/vectors.json) against the Python token core.

The JavaScript twin runs the same file in Node and in Chromium. Here: every vector gives exactly
its expected result, every trust list is accepted or rejected as stated, the file covers every
status and every warning, holds no private key, and is what the generator now produces.
Regenerate it with ``.venv/bin/python tests/vectors/make_vectors.py``.
"""
from __future__ import annotations

import base64
import importlib.util
import json
import sys
from functools import cache
from pathlib import Path

import pytest

from server.token_core import status_lists as sl
from server.token_core.errors import StatusListError, TrustListError
from server.token_core.status_lists import ListKey
from server.token_core.trust_list import TrustList, verify_signed_json
from server.token_core.verify import DEFAULT_SKEW, Status, VerifyWarning, verify

HERE = Path(__file__).with_name("vectors")
DOC = json.loads((HERE / "vectors.json").read_text(encoding="utf-8"))
VECTORS = {vector["name"]: vector for vector in DOC["vectors"]}
LIST_VECTORS = {vector["name"]: vector for vector in DOC["trust_list_vectors"]}
ACCEPTED = {v["trust_list"] for v in LIST_VECTORS.values() if v["expected"] == "accepted"}
STATUS = DOC["status_vectors"]
SNAPSHOTS = STATUS["snapshots"]
DELTAS = {vector["name"]: vector for vector in STATUS["deltas"]}


@cache
def trust_list(name: str) -> TrustList:
    return TrustList.from_signed(DOC["trust_lists"][name], DOC["anchor"])


@cache
def status_state(name: str) -> sl.StatusState:
    """An accepted snapshot, read against its own root (a vector may pair it with a trust list
    whose root differs: that is what status_unavailable is for)."""
    vector = SNAPSHOTS[name]
    return sl.parse_snapshot(base64.b64decode(vector["data"]),
                             expected_root=bytes.fromhex(vector["root"]))


@pytest.mark.parametrize("name", VECTORS)
def test_vector(name):
    vector = VECTORS[name]
    expected = vector["expected"]
    skew = {"skew": vector["skew"]} if "skew" in vector else {}
    state = status_state(vector["status"]) if "status" in vector else None
    result = verify(vector["token"], trust_list(vector["trust_list"]), now=vector["now"],
                    status=state, **skew)
    assert result.status.value == expected["status"], result.detail
    assert sorted(w.value for w in result.warnings) == sorted(expected["warnings"])
    assert (result.claims.to_json() if result.claims else None) == expected["claims"]
    assert result.kid == expected["kid"]
    assert result.insurer_name == expected["insurer_name"]


@pytest.mark.parametrize("name", LIST_VECTORS)
def test_trust_list_vector(name):
    vector = LIST_VECTORS[name]
    text = DOC["trust_lists"][vector["trust_list"]]
    if vector["expected"] == "accepted":
        assert isinstance(TrustList.from_signed(text, DOC["anchor"]), TrustList)
    else:
        with pytest.raises(TrustListError):
            TrustList.from_signed(text, DOC["anchor"])


def _lookups(state: sl.StatusState, probes) -> list:
    return [[*probe[:4], state.is_revoked(ListKey(*probe[:3]), probe[3])] for probe in probes]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_snapshot_vector(name):
    vector = SNAPSHOTS[name]
    data, root = base64.b64decode(vector["data"]), bytes.fromhex(vector["root"])
    if vector["expected"] == "rejected":
        with pytest.raises(StatusListError):
            sl.parse_snapshot(data, expected_root=root)
        return
    state = sl.parse_snapshot(data, expected_root=root)
    assert state.directory().hex() == vector["directory"]
    assert state.root == root
    assert _lookups(state, vector["lookups"]) == vector["lookups"]
    assert any(lookup[4] for lookup in vector["lookups"]) or not state.lists
    if vector.get("canonical", True):
        assert sl.build_snapshot(state) == data, "build_snapshot is deterministic"


@pytest.mark.parametrize("name", DELTAS)
def test_delta_vector(name):
    vector = DELTAS[name]
    data, root = base64.b64decode(vector["data"]), bytes.fromhex(vector["root"])
    base = status_state(vector["base"])
    if vector["expected"] == "rejected":
        with pytest.raises(StatusListError):
            sl.apply_delta(base, data, expected_root=root)
        return
    state = sl.apply_delta(base, data, expected_root=root)
    assert state.root == root == status_state(vector["result"]).root
    assert _lookups(state, vector["lookups"]) == vector["lookups"]
    assert sl.build_delta(base, status_state(vector["result"])) == data


def test_status_limits_and_empty_root_are_the_core_s():
    assert STATUS["empty_root"] == sl.EMPTY_ROOT.hex()
    assert STATUS["limits"] == {
        "max_list_bits": sl.MAX_LIST_BITS, "max_lists": sl.MAX_LISTS,
        "max_state_bytes": sl.MAX_STATE_BYTES, "max_snapshot_bytes": sl.MAX_SNAPSHOT_BYTES,
        "max_delta_bytes": sl.MAX_DELTA_BYTES, "card_block_seconds": sl.CARD_BLOCK_SECONDS}


def test_the_forbidden_text_table_is_the_core_s():
    from server.token_core.claims import FORBIDDEN_TEXT_RANGES
    assert [tuple(r) for r in DOC["forbidden_text_ranges"]] == list(FORBIDDEN_TEXT_RANGES)


def test_every_status_and_every_warning_is_covered():
    assert {v["expected"]["status"] for v in VECTORS.values()} == {s.value for s in Status}
    warnings = {w for v in VECTORS.values() for w in v["expected"]["warnings"]}
    assert warnings == {w.value for w in VerifyWarning}


def test_the_file_is_well_formed():
    assert (DOC["format"], DOC["version"]) == ("shikaku-pass-vectors", 1)
    assert DOC["default_skew"] == DEFAULT_SKEW
    assert len(VECTORS) == len(DOC["vectors"]), "vector names must be unique"
    assert len(LIST_VECTORS) == len(DOC["trust_list_vectors"])
    assert {v["trust_list"] for v in LIST_VECTORS.values()} == set(DOC["trust_lists"])
    assert LIST_VECTORS["other_anchor"]["expected"] == "rejected"
    for vector in VECTORS.values():
        assert vector["trust_list"] in ACCEPTED, vector["name"]
        assert vector["name"].startswith(vector["expected"]["status"]), vector["name"]
        assert vector["token"] is None or isinstance(vector["token"], str)
        assert type(vector["now"]) is int and type(vector.get("skew", 0)) is int


def test_no_private_key_material():
    documents = [DOC] + [verify_signed_json(DOC["trust_lists"][name], DOC["anchor"])
                         for name in ACCEPTED]
    def walk(node):
        if isinstance(node, dict):
            assert "d" not in node, "a JWK with a private part"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    for document in documents:
        walk(document)


def _shape(doc: dict) -> dict:
    """Everything but what fresh keys change (texts, signatures, kid values)."""
    vectors = [{**{k: v for k, v in vector.items() if k != "token"},
                "token": vector["token"] is None,
                "expected": {**vector["expected"], "kid": vector["expected"]["kid"] is None}}
               for vector in doc["vectors"]]
    return {**{k: v for k, v in doc.items() if k not in ("anchor", "trust_lists", "vectors")},
            "trust_lists": sorted(doc["trust_lists"]), "vectors": vectors}


def test_the_committed_file_is_what_the_generator_makes():
    spec = importlib.util.spec_from_file_location("make_vectors", HERE / "make_vectors.py")
    generator = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generator      # dataclasses look their module up there
    try:
        spec.loader.exec_module(generator)
    finally:
        del sys.modules[spec.name]
    fresh = generator.build()      # raises if the core disagrees with any fresh vector
    assert _shape(fresh) == _shape(DOC), "run tests/vectors/make_vectors.py"
