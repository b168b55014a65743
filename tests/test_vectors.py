"""The shared verifier vectors (tests/vectors/vectors.json) against the Python token core.

The JavaScript twin runs the same file in Node and in Chromium. Here: every vector gives exactly
its expected result, every trust list is accepted or rejected as stated, the file covers every
status and every warning, holds no private key, and is what the generator now produces.
Regenerate it with ``.venv/bin/python tests/vectors/make_vectors.py``.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache
from pathlib import Path

import pytest

from server.token_core.errors import TrustListError
from server.token_core.trust_list import TrustList, verify_signed_json
from server.token_core.verify import DEFAULT_SKEW, Status, VerifyWarning, verify

HERE = Path(__file__).with_name("vectors")
DOC = json.loads((HERE / "vectors.json").read_text(encoding="utf-8"))
VECTORS = {vector["name"]: vector for vector in DOC["vectors"]}
LIST_VECTORS = {vector["name"]: vector for vector in DOC["trust_list_vectors"]}
ACCEPTED = {v["trust_list"] for v in LIST_VECTORS.values() if v["expected"] == "accepted"}


@cache
def trust_list(name: str) -> TrustList:
    return TrustList.from_signed(DOC["trust_lists"][name], DOC["anchor"])


@pytest.mark.parametrize("name", VECTORS)
def test_vector(name):
    vector = VECTORS[name]
    expected = vector["expected"]
    skew = {"skew": vector["skew"]} if "skew" in vector else {}
    result = verify(vector["token"], trust_list(vector["trust_list"]), now=vector["now"], **skew)
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
