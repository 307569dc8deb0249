#!/usr/bin/env python3
"""Writes seed inputs for every fuzz target, drawn from Fixtures/ (tokens, JWK Sets, test vectors).

Usage: Fuzz/seed_corpus.py OUTPUT_DIR    (creates OUTPUT_DIR/<target>/<sha1>)

Seeds are a starting point for the fuzzer and are not committed: `Scripts/fuzz.sh` writes them to
its scratch directory and merges only the inputs that add coverage into Fuzz/Corpus/.
"""
import base64
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Fixtures"
COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")
LIMIT = 16 * 1024  # larger seeds are left out: they only slow the fuzzer down


def b64decode(segment):
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except Exception:
        return None


def walk(value, found):
    """Collects compact tokens, JWKs and JWK Sets anywhere in a JSON document."""
    if isinstance(value, dict):
        if "kty" in value:
            found["jwk"].append(value)
        if isinstance(value.get("keys"), list):
            found["jwks"].append(value)
        for member in value.values():
            walk(member, found)
    elif isinstance(value, list):
        for element in value:
            walk(element, found)
    elif isinstance(value, str) and COMPACT.match(value) and len(value) <= LIMIT:
        found["tokens"].append(value)


def main():
    output = pathlib.Path(sys.argv[1])
    found = {"tokens": [], "jwk": [], "jwks": []}
    for path in sorted(FIXTURES.rglob("*.json")):
        if "schemas" in path.parts:
            continue
        try:
            document = json.loads(path.read_bytes())
        except ValueError:
            continue  # deliberately broken fixtures (not-json.jwks.json) are seeded below as bytes
        walk(document, found)
    for name in ("valid.txt", "mixed.txt"):
        found["tokens"] += [line for line in (FIXTURES / "tokens" / name).read_text().splitlines() if line]

    seeds = {target: set() for target in ("base64url", "json", "compact", "jwks", "verify")}
    compact_json = lambda value: json.dumps(value, separators=(",", ":")).encode()

    for token in found["tokens"]:
        seeds["compact"].add(token.encode())
        seeds["verify"].add(token.encode())
        for index, segment in enumerate(token.split(".")):
            seeds["base64url"].add(segment.encode())
            decoded = b64decode(segment)
            if decoded is not None and index < 2:
                seeds["json"].add(decoded)
                seeds["compact"].add(decoded)  # the compact target also reads its input as a header
                if index == 1:
                    seeds["verify"].add(decoded)  # and the verify target as a payload to sign
    for jwk in found["jwk"]:
        text = compact_json(jwk)
        seeds["json"].add(text)
        seeds["jwks"].add(compact_json({"keys": [jwk]}))
        for member in ("x", "y", "d", "k", "n", "e"):
            if isinstance(jwk.get(member), str):
                seeds["base64url"].add(jwk[member].encode())
    for jwks in found["jwks"]:
        seeds["jwks"].add(compact_json(jwks))
    for path in sorted((FIXTURES / "jwks").glob("*.json")):
        seeds["jwks"].add(path.read_bytes())
        seeds["json"].add(path.read_bytes())
    seeds["json"] |= {b"{}", b"[]", b'{"a":[1,-0.5e+3,true,false,null,"\\u00e9\\ud83d\\ude00"]}'}
    seeds["base64url"] |= {b"", b"A", b"AA", b"AAA", b"AAAA", b"_-"}

    for target, inputs in seeds.items():
        directory = output / target
        directory.mkdir(parents=True, exist_ok=True)
        for data in inputs:
            if len(data) <= LIMIT:
                (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)
        print(f"{target}: {len(list(directory.iterdir()))} seeds")


if __name__ == "__main__":
    main()
