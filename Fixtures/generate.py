#!/usr/bin/env python3
"""Independent fixture generator for SimbeeJWT.

Run from the repository root:

    python3 Fixtures/generate.py

Everything under Fixtures/ (except this script and the READMEs' prose) is
regenerated. Private keys in Fixtures/keys/ are created only when missing, so
reruns keep the same keys and the JWK Sets stay byte-identical.

This generator deliberately shares no code with the Swift package: all JOSE
encoding (base64url, JSON, signing inputs, raw ECDSA signatures) is written
here by hand, and the cryptography comes from pyca/cryptography (OpenSSL).
Only the `cryptography` package is used.
"""

import base64
import hashlib
import json
import os
import sys
from collections import Counter

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, x25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS_DIR = os.path.join(HERE, "keys")
JWKS_DIR = os.path.join(HERE, "jwks")
TOKENS_DIR = os.path.join(HERE, "tokens")

NOW = 1796000000
ISSUER = "https://api.simbee.io"
AUDIENCE = "cl_fixture"
LEEWAY = 60
MAIN_JWKS_REL = "jwks/simbee.jwks.json"

# P-256 domain parameters (SEC 2 / FIPS 186-4).
P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
# Order of the Ed25519 prime-order subgroup.
ED25519_L = 2**252 + 27742317777372353535851937790883648493

UTF8_BOM = b"\xef\xbb\xbf"


# ---------------------------------------------------------------------------
# Encoding helpers
# ---------------------------------------------------------------------------

def b64u(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode_lenient(text: str) -> bytes:
    """Lenient decoder used only by the self-check (accepts +/ and padding)."""
    text = text.replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact_json(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def int_be(value: int, length: int) -> bytes:
    return value.to_bytes(length, "big")


def as_bytes(part) -> bytes:
    """Header/payload given as dict/list/scalar -> compact JSON; bytes -> raw."""
    if isinstance(part, (bytes, bytearray)):
        return bytes(part)
    return compact_json(part)


def write_text(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_json_pretty(path: str, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------------
# Keys (persisted as unencrypted PKCS#8 PEM, created only when missing)
# ---------------------------------------------------------------------------

def load_or_create(name: str, factory):
    path = os.path.join(KEYS_DIR, name + ".pem")
    if os.path.exists(path):
        with open(path, "rb") as fh:
            return serialization.load_pem_private_key(fh.read(), password=None), False
    key = factory()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    os.makedirs(KEYS_DIR, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(pem)
    return key, True


KEY_SPECS = [
    ("es256-a", lambda: ec.generate_private_key(ec.SECP256R1())),
    ("es256-b", lambda: ec.generate_private_key(ec.SECP256R1())),
    ("ed25519-a", ed25519.Ed25519PrivateKey.generate),
    ("attacker-es256", lambda: ec.generate_private_key(ec.SECP256R1())),
    ("attacker-ed25519", ed25519.Ed25519PrivateKey.generate),
    # Extra keys so that the "unusable" JWKs are real and stable across runs,
    # and so that alg-rs256 can be signed with rsa-1's private key.
    ("rsa-1", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    ("p384-1", lambda: ec.generate_private_key(ec.SECP384R1())),
    ("x25519-1", x25519.X25519PrivateKey.generate),
]

KEYS_README = """# Test-only keys

**These private keys are test fixtures. They are published in this repository
and MUST NOT be used for anything other than SimbeeJWT's tests.**

They are created by `python3 Fixtures/generate.py` only when a file is missing
and are reused otherwise, so the JWK Sets and the Ed25519 / deterministic
ES256 tokens stay stable across regenerations.

| File | Type | Used for |
| --- | --- | --- |
| `es256-a.pem` | P-256 | kid `es256-a` (and derived unusable entries) |
| `es256-b.pem` | P-256 | kid `es256-b` (key_ops ["verify"]), `es256-private` |
| `ed25519-a.pem` | Ed25519 | kids `ed25519-a`, `ed25519-noalg`, `ed25519-enc` |
| `attacker-es256.pem` | P-256 | not in any JWK Set: forged ES256 tokens |
| `attacker-ed25519.pem` | Ed25519 | not in any JWK Set: forged EdDSA tokens |
| `rsa-1.pem` | RSA-2048 | kid `rsa-1` (a key the verifier must skip), `alg-rs256` |
| `p384-1.pem` | P-384 | kid `p384-1` (a key the verifier must skip) |
| `x25519-1.pem` | X25519 | kid `x25519-1` (a key the verifier must skip) |

Delete a file to rotate that key; every token using it changes on the next run.
"""


# ---------------------------------------------------------------------------
# JWK construction
# ---------------------------------------------------------------------------

def ec_xy(key):
    nums = key.public_key().public_numbers() if hasattr(key, "private_numbers") else key.public_numbers()
    size = (nums.curve.key_size + 7) // 8
    return int_be(nums.x, size), int_be(nums.y, size)


def okp_x(key) -> bytes:
    pub = key.public_key() if hasattr(key, "public_key") else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def ec_jwk(kid, key, crv="P-256", extra=None):
    x, y = ec_xy(key)
    jwk = {"kty": "EC", "crv": crv, "kid": kid, "x": b64u(x), "y": b64u(y)}
    jwk.update(extra or {})
    return jwk


def okp_jwk(kid, key, crv="Ed25519", extra=None):
    jwk = {"kty": "OKP", "crv": crv, "kid": kid, "x": b64u(okp_x(key))}
    jwk.update(extra or {})
    return jwk


def build_jwks(K):
    es_a_x, es_a_y = ec_xy(K["es256-a"])
    y_int = int.from_bytes(es_a_y, "big")
    off_curve_y = (y_int + 1) % P256_P
    rsa_pub = K["rsa-1"].public_key().public_numbers()
    rsa_n = int_be(rsa_pub.n, (rsa_pub.n.bit_length() + 7) // 8)
    rsa_e = int_be(rsa_pub.e, (rsa_pub.e.bit_length() + 7) // 8)
    es_b_d = int_be(K["es256-b"].private_numbers().private_value, 32)

    jwk = {}
    jwk["es256-a"] = ec_jwk("es256-a", K["es256-a"], extra={"use": "sig", "alg": "ES256"})
    jwk["es256-b"] = ec_jwk("es256-b", K["es256-b"], extra={"key_ops": ["verify"]})
    jwk["ed25519-a"] = okp_jwk("ed25519-a", K["ed25519-a"], extra={"use": "sig", "alg": "EdDSA"})
    jwk["ed25519-noalg"] = okp_jwk("ed25519-noalg", K["ed25519-a"])
    jwk["rsa-1"] = {"kty": "RSA", "kid": "rsa-1", "n": b64u(rsa_n), "e": b64u(rsa_e)}
    jwk["p384-1"] = ec_jwk("p384-1", K["p384-1"], crv="P-384")
    jwk["x25519-1"] = okp_jwk("x25519-1", K["x25519-1"], crv="X25519")
    jwk["oct-1"] = {"kty": "oct", "kid": "oct-1",
                    "k": b64u(b"simbee-fixture-symmetric-key-not-usable")}
    jwk["es256-short-x"] = {"kty": "EC", "crv": "P-256", "kid": "es256-short-x",
                            "x": b64u(es_a_x[1:]), "y": b64u(es_a_y)}
    jwk["es256-off-curve"] = {"kty": "EC", "crv": "P-256", "kid": "es256-off-curve",
                              "x": b64u(es_a_x), "y": b64u(int_be(off_curve_y, 32))}
    jwk["es256-private"] = ec_jwk("es256-private", K["es256-b"], extra={"d": b64u(es_b_d)})
    jwk["ed25519-identity"] = {"kty": "OKP", "crv": "Ed25519", "kid": "ed25519-identity",
                               "x": b64u(b"\x01" + b"\x00" * 31)}
    jwk["ed25519-enc"] = okp_jwk("ed25519-enc", K["ed25519-a"], extra={"use": "enc"})
    jwk["es256-keyops-sign"] = ec_jwk("es256-keyops-sign", K["es256-a"],
                                      extra={"key_ops": ["sign"]})
    jwk["missing-kty"] = {"kid": "missing-kty", "x": b64u(es_a_x)}

    main_order = [
        "es256-a", "es256-b", "ed25519-a", "ed25519-noalg",
        "rsa-1", "p384-1", "x25519-1", "oct-1", "es256-short-x", "es256-off-curve",
        "es256-private", "ed25519-identity", "ed25519-enc", "es256-keyops-sign",
        "missing-kty",
    ]
    sets = {
        "simbee.jwks.json": {"keys": [jwk[k] for k in main_order]},
        "unusable.jwks.json": {"keys": [jwk["rsa-1"], jwk["oct-1"], jwk["ed25519-identity"]]},
        "duplicate-kid.jwks.json": {"keys": [
            dict(jwk["es256-a"], kid="dup"),
            dict(jwk["es256-a"], kid="dup"),
            jwk["ed25519-a"],
        ]},
    }
    return jwk, sets


# ---------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------

def _ecdsa(hash_alg):
    try:
        # RFC 6979 deterministic nonces (cryptography >= 44 with OpenSSL >= 3.2)
        # make the ES256 tokens reproducible too.
        return ec.ECDSA(hash_alg, deterministic_signing=True)
    except TypeError:
        return ec.ECDSA(hash_alg)


def _deterministic_ecdsa_supported() -> bool:
    try:
        ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
        return True
    except Exception:
        return False


def ecdsa_raw(key, data: bytes, hash_alg=None) -> bytes:
    der = key.sign(data, _ecdsa(hash_alg or hashes.SHA256()))
    r, s = decode_dss_signature(der)
    size = (key.curve.key_size + 7) // 8
    return int_be(r, size) + int_be(s, size)


def ecdsa_der(key, data: bytes) -> bytes:
    return key.sign(data, _ecdsa(hashes.SHA256()))


def hs256(secret: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(secret, hashes.SHA256())
    mac.update(data)
    return mac.finalize()


def rs256(key, data: bytes) -> bytes:
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def signing_input(header, payload) -> str:
    return b64u(as_bytes(header)) + "." + b64u(as_bytes(payload))


def sign_token(header, payload, signer) -> str:
    """signer: callable(bytes signing_input) -> bytes signature."""
    si = signing_input(header, payload)
    return si + "." + b64u(signer(si.encode("ascii")))


# ---------------------------------------------------------------------------
# Self-check helpers (public keys are re-imported from the written JWKS)
# ---------------------------------------------------------------------------

def jwk_public_key(jwk):
    kty = jwk.get("kty")
    if kty == "EC":
        curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}[jwk["crv"]]
        x = int.from_bytes(b64u_decode_lenient(jwk["x"]), "big")
        y = int.from_bytes(b64u_decode_lenient(jwk["y"]), "big")
        return ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
    if kty == "OKP" and jwk["crv"] == "Ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(b64u_decode_lenient(jwk["x"]))
    if kty == "RSA":
        n = int.from_bytes(b64u_decode_lenient(jwk["n"]), "big")
        e = int.from_bytes(b64u_decode_lenient(jwk["e"]), "big")
        return rsa.RSAPublicNumbers(e, n).public_key()
    raise ValueError("unsupported JWK for self-check: %r" % (jwk.get("kid"),))


def verify_with(scheme: str, pub, data: bytes, sig: bytes) -> bool:
    try:
        if scheme == "ES256":
            if len(sig) != 64:  # RFC 7518 3.4: exactly 64 bytes, raw r||s
                return False
            r = int.from_bytes(sig[:32], "big")
            s = int.from_bytes(sig[32:], "big")
            pub.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
        elif scheme == "ES256-SHA384":
            r = int.from_bytes(sig[:32], "big")
            s = int.from_bytes(sig[32:], "big")
            pub.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA384()))
        elif scheme == "ES256-DER":
            pub.verify(sig, data, ec.ECDSA(hashes.SHA256()))
        elif scheme == "EdDSA":
            pub.verify(sig, data)
        elif scheme == "RS256":
            pub.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise ValueError(scheme)
        return True
    except (InvalidSignature, ValueError):
        return False


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

DROP = object()  # sentinel: remove this claim / header member


def claims(jti, **overrides):
    c = {
        "iss": ISSUER,
        "sub": "cu_fixture1",
        "aud": AUDIENCE,
        "iat": NOW - 60,
        "exp": NOW - 60 + 900,
        "jti": jti,
        "scopes": ["admin", "read", "write"],
    }
    for k, v in overrides.items():
        if v is DROP:
            c.pop(k, None)
        else:
            c[k] = v
    return c


def claims_raw(jti, raw_members, **overrides):
    """Compact JSON of claims with some members written as literal text.

    raw_members: dict claim -> literal JSON text (e.g. '1.7960009E9').
    Placeholders keep the member order of the default claims.
    """
    c = claims(jti, **overrides)
    for k in raw_members:
        c[k] = "__RAW_%s__" % k
    text = compact_json(c).decode("utf-8")
    for k, literal in raw_members.items():
        text = text.replace('"__RAW_%s__"' % k, literal)
    return text.encode("utf-8")


def header(alg="ES256", kid="es256-a", typ="JWT", **extra):
    h = {"alg": alg}
    if kid is not DROP:
        h["kid"] = kid
    if typ is not DROP:
        h["typ"] = typ
    for k, v in extra.items():
        if v is not DROP:
            h[k] = v
    return h


def generate_cases(K, jwk):
    es_a, es_b, ed_a = K["es256-a"], K["es256-b"], K["ed25519-a"]
    att_es, att_ed = K["attacker-es256"], K["attacker-ed25519"]

    sign_es_a = lambda d: ecdsa_raw(es_a, d)
    sign_es_b = lambda d: ecdsa_raw(es_b, d)
    sign_ed_a = lambda d: ed_a.sign(d)
    sign_att_es = lambda d: ecdsa_raw(att_es, d)
    sign_att_ed = lambda d: att_ed.sign(d)

    cases = []

    def add(name, token, expect, description, check=None, options=None):
        case = {"name": name, "token": token, "expect": expect, "description": description}
        if options is not None:
            case["options"] = options
        # check: list of (scheme, kid-or-key, should_verify, token_to_check or None)
        case["_check"] = check or []
        cases.append(case)

    def es_tok(name, h=None, p=None, **claim_overrides):
        return sign_token(h or header(), p if p is not None else claims(name, **claim_overrides), sign_es_a)

    def ok_es(kid="es256-a", tok=None):
        return [("ES256", kid, True, tok)]

    def ok_ed(kid="ed25519-a", tok=None):
        return [("EdDSA", kid, True, tok)]

    # ---------------- valid ----------------
    add("es256-valid", es_tok("es256-valid"), "valid",
        "Baseline ES256 token signed by es256-a with default claims.", ok_es())
    add("es256-valid-keyops",
        sign_token(header(kid="es256-b"), claims("es256-valid-keyops"), sign_es_b), "valid",
        "ES256 token verified with es256-b, a JWK with key_ops [\"verify\"] and no use/alg.",
        ok_es("es256-b"))
    add("eddsa-valid",
        sign_token(header("EdDSA", "ed25519-a"), claims("eddsa-valid"), sign_ed_a), "valid",
        "Baseline EdDSA token signed by ed25519-a.", ok_ed())
    add("ed25519-alg-valid",
        sign_token(header("Ed25519", "ed25519-noalg"), claims("ed25519-alg-valid"), sign_ed_a),
        "valid",
        "Fully-specified alg \"Ed25519\" (RFC 9864) against ed25519-noalg, a JWK without alg/use.",
        ok_ed("ed25519-noalg"))

    # High-s: find a deterministic signature whose s is low, then publish n - s.
    i = 0
    while True:
        jti = "es256-high-s" if i == 0 else "es256-high-s-%d" % i
        si = signing_input(header(), claims(jti))
        raw = ecdsa_raw(es_a, si.encode("ascii"))
        s = int.from_bytes(raw[32:], "big")
        if s <= P256_N // 2:
            break
        i += 1
    high_s_tok = si + "." + b64u(raw[:32] + int_be(P256_N - s, 32))
    add("es256-high-s", high_s_tok, "valid",
        "ES256 signature with s replaced by n - s (a high-s value), which ECDSA still accepts.",
        ok_es())

    add("es256-aud-array", es_tok("es256-aud-array", aud=["cl_other", AUDIENCE]), "valid",
        "Audience given as an array whose second element is the expected audience.", ok_es())
    add("es256-scope-string",
        es_tok("es256-scope-string", scopes=DROP, scope="read write"), "valid",
        "Space-separated \"scope\" string claim instead of the \"scopes\" array.", ok_es())
    add("es256-fractional-exp", es_tok("es256-fractional-exp", exp=NOW + 300.5), "valid",
        "Non-integer NumericDate exp (now + 300.5).", ok_es())
    add("es256-exp-exponent",
        es_tok("es256-exp-exponent", p=claims_raw("es256-exp-exponent", {"exp": "1.7960009E9"})),
        "valid",
        "exp written in exponent notation as 1.7960009E9 (= now + 900).", ok_es())
    add("es256-unknown-header-member",
        es_tok("es256-unknown-header-member", h=header(**{"x-simbee": "1"})), "valid",
        "Unknown, non-critical header member \"x-simbee\" that must be ignored.", ok_es())
    add("es256-exp-in-leeway",
        es_tok("es256-exp-in-leeway", iat=NOW - 900, exp=NOW - 30), "valid",
        "Expired 30 s ago, which is inside the 60 s leeway.", ok_es())
    add("es256-nbf-in-leeway", es_tok("es256-nbf-in-leeway", nbf=NOW + 30), "valid",
        "nbf 30 s in the future, which is inside the 60 s leeway.", ok_es())

    # ---------------- expired / not yet valid ----------------
    add("es256-expired", es_tok("es256-expired", iat=NOW - 961, exp=NOW - 61), "expired",
        "exp is 61 s in the past, one second beyond the 60 s leeway.", ok_es())
    add("eddsa-expired",
        sign_token(header("EdDSA", "ed25519-a"),
                   claims("eddsa-expired", iat=NOW - 961, exp=NOW - 61), sign_ed_a),
        "expired", "EdDSA token whose exp is 61 s in the past.", ok_ed())
    add("es256-nbf-future", es_tok("es256-nbf-future", nbf=NOW + 61), "not_yet_valid",
        "nbf is 61 s in the future, one second beyond the 60 s leeway.", ok_es())

    # ---------------- issuer / audience ----------------
    add("es256-wrong-iss", es_tok("es256-wrong-iss", iss="https://evil.example"),
        "issuer_mismatch", "iss is https://evil.example instead of the expected issuer.", ok_es())
    add("es256-wrong-aud", es_tok("es256-wrong-aud", aud="cl_other"), "audience_mismatch",
        "aud is a different client id.", ok_es())
    add("es256-aud-prefix", es_tok("es256-aud-prefix", aud="cl_fixture2"), "audience_mismatch",
        "aud merely starts with the expected audience (cl_fixture2), which must not match.",
        ok_es())

    # ---------------- missing claims ----------------
    add("es256-no-exp", es_tok("es256-no-exp", exp=DROP), "missing_claim",
        "Token without an exp claim.", ok_es())
    add("es256-no-aud", es_tok("es256-no-aud", aud=DROP), "missing_claim",
        "Token without an aud claim.", ok_es())
    add("es256-no-iss", es_tok("es256-no-iss", iss=DROP), "missing_claim",
        "Token without an iss claim.", ok_es())

    # ---------------- invalid claims ----------------
    add("es256-exp-string", es_tok("es256-exp-string", exp=str(NOW + 840)), "invalid_claim",
        "exp is the JSON string \"1796000840\" instead of a number.", ok_es())
    add("es256-exp-huge",
        es_tok("es256-exp-huge", p=claims_raw("es256-exp-huge", {"exp": "1e400"})),
        "invalid_claim", "exp written literally as 1e400, which overflows a double.", ok_es())
    add("es256-exp-negative", es_tok("es256-exp-negative", exp=-1), "invalid_claim",
        "exp is -1, a negative NumericDate.", ok_es())
    add("es256-exp-too-large", es_tok("es256-exp-too-large", exp=253402300800), "invalid_claim",
        "exp is 253402300800 (year 10000), beyond the accepted NumericDate range.", ok_es())
    add("es256-nbf-bool", es_tok("es256-nbf-bool", nbf=True), "invalid_claim",
        "nbf is the boolean true.", ok_es())
    add("es256-aud-number", es_tok("es256-aud-number", aud=42), "invalid_claim",
        "aud is the number 42.", ok_es())
    add("es256-aud-empty-array", es_tok("es256-aud-empty-array", aud=[]), "invalid_claim",
        "aud is an empty array.", ok_es())
    add("es256-aud-mixed", es_tok("es256-aud-mixed", aud=[AUDIENCE, 7]), "invalid_claim",
        "aud array mixes the expected audience with the number 7.", ok_es())
    add("es256-iat-null", es_tok("es256-iat-null", iat=None), "invalid_claim",
        "iat is null.", ok_es())
    add("es256-sub-number", es_tok("es256-sub-number", sub=7), "invalid_claim",
        "sub is the number 7 instead of a string.", ok_es())

    # ---------------- malformed payload, signature valid ----------------
    add("es256-payload-not-json", es_tok("x", p=b"hello"), "malformed",
        "Validly signed token whose payload bytes are the non-JSON text \"hello\".", ok_es())
    add("es256-payload-array", es_tok("x", p=[1, 2]), "malformed",
        "Validly signed token whose payload is the JSON array [1,2].", ok_es())
    dup_exp = compact_json(claims("es256-payload-duplicate-exp"))
    dup_exp = dup_exp[:-1] + (',"exp":%d}' % (NOW - 1000)).encode("ascii")
    add("es256-payload-duplicate-exp", es_tok("x", p=dup_exp), "malformed",
        "Payload text contains \"exp\" twice, first valid (now + 840) then expired (now - 1000).",
        ok_es())
    add("es256-payload-bom",
        es_tok("x", p=UTF8_BOM + compact_json(claims("es256-payload-bom"))), "malformed",
        "Payload JSON is preceded by a UTF-8 byte order mark.", ok_es())
    add("es256-payload-trailing",
        es_tok("x", p=compact_json(claims("es256-payload-trailing")) + b" x"), "malformed",
        "Payload is a valid JSON object followed by the trailing text \" x\".", ok_es())

    # ---------------- malformed structure / header ----------------
    t = es_tok("two-segments")
    add("two-segments", t.rsplit(".", 1)[0], "malformed",
        "Only header.payload, with the signature segment missing.", ok_es(tok=t))
    t = es_tok("four-segments")
    add("four-segments", t + ".AAAA", "malformed",
        "A valid token with a fourth segment \".AAAA\" appended.", ok_es(tok=t))
    t = es_tok("empty-signature")
    add("empty-signature", t.rsplit(".", 1)[0] + ".", "malformed",
        "header.payload. with an empty signature segment.", ok_es(tok=t))
    t = es_tok("padded-signature")
    assert len(t.rsplit(".", 1)[1]) == 86
    add("padded-signature", t + "==", "malformed",
        "A valid token whose 86-character signature segment carries \"==\" base64 padding.",
        ok_es(tok=t))
    i = 0
    while True:
        t = es_tok("plus-slash" if i == 0 else "plus-slash-%d" % i,
                   p=claims("plus-slash" if i == 0 else "plus-slash-%d" % i))
        sig_seg = t.rsplit(".", 1)[1]
        if "-" in sig_seg or "_" in sig_seg:
            break
        i += 1
    hp = t.rsplit(".", 1)[0]
    add("plus-slash", hp + "." + sig_seg.replace("-", "+").replace("_", "/"), "malformed",
        "A valid token whose signature uses the standard base64 characters '+' and '/' "
        "instead of '-' and '_'.", ok_es(tok=t))
    t = es_tok("trailing-newline")
    add("trailing-newline", t + "\n", "malformed",
        "A valid token followed by a newline character.", ok_es(tok=t))
    t = es_tok("leading-space")
    add("leading-space", " " + t, "malformed",
        "A valid token preceded by a space.", ok_es(tok=t))
    t = es_tok("bearer-prefix")
    add("bearer-prefix", "Bearer " + t, "malformed",
        "A valid token still carrying the \"Bearer \" HTTP authorization prefix.", ok_es(tok=t))
    add("header-duplicate-alg",
        es_tok("x", h=b'{"alg":"ES256","alg":"ES256","kid":"es256-a"}',
               p=claims("header-duplicate-alg")), "malformed",
        "Validly signed token whose header text contains the \"alg\" member twice.", ok_es())
    add("header-bom",
        es_tok("x", h=UTF8_BOM + compact_json(header()), p=claims("header-bom")), "malformed",
        "Validly signed token whose header JSON is preceded by a UTF-8 byte order mark.",
        ok_es())
    add("header-not-object", es_tok("x", h=["ES256"], p=claims("header-not-object")),
        "malformed", "Validly signed token whose header is the JSON array [\"ES256\"].", ok_es())
    add("header-alg-number",
        es_tok("x", h={"alg": 256, "kid": "es256-a", "typ": "JWT"}, p=claims("header-alg-number")),
        "malformed", "Header alg is the number 256 instead of a string.", ok_es())
    add("header-kid-number",
        es_tok("x", h={"alg": "ES256", "kid": 5, "typ": "JWT"}, p=claims("header-kid-number")),
        "malformed", "Header kid is the number 5 instead of a string.", ok_es())

    # Non-canonical base64url: pick a header whose length is not a multiple of 3,
    # so the last character has unused low bits; set one of them.
    nc_header = header()
    pad_i = 0
    while len(compact_json(nc_header)) % 3 == 0:
        pad_i += 1
        nc_header = header(**{"x-pad": "p" * pad_i})
    nc_bytes = compact_json(nc_header)
    canon = b64u(nc_bytes)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(canon[-1])
    assert last & 0x01 == 0
    noncanon = canon[:-1] + alphabet[last | 0x01]
    assert b64u_decode_lenient(noncanon) == nc_bytes and noncanon != canon
    nc_si = noncanon + "." + b64u(compact_json(claims("non-canonical-b64")))
    nc_tok = nc_si + "." + b64u(ecdsa_raw(es_a, nc_si.encode("ascii")))
    add("non-canonical-b64", nc_tok, "malformed",
        "Header segment's last base64url character has non-zero unused bits (decodes to the "
        "same bytes); the signature is valid over the literal segment text.", ok_es())

    t = es_tok("jws-json-serialization")
    parts = t.split(".")
    add("jws-json-serialization",
        compact_json({"protected": parts[0], "payload": parts[1], "signature": parts[2]}).decode(),
        "malformed",
        "The JWS JSON serialization of an otherwise valid token instead of the compact form.",
        ok_es(tok=t))

    # ---------------- unsupported algorithms ----------------
    zero_sig64 = b"\x00" * 64
    add("alg-none",
        sign_token({"alg": "none", "kid": "es256-a"}, claims("alg-none"), lambda d: zero_sig64),
        "unsupported_algorithm",
        "alg \"none\" with a 64-zero-byte signature segment.")
    add("alg-None-case",
        sign_token({"alg": "None", "kid": "es256-a"}, claims("alg-None-case"), lambda d: zero_sig64),
        "unsupported_algorithm",
        "alg \"None\" (capitalised) with a 64-zero-byte signature segment.")
    jwk_text = compact_json(jwk["es256-a"])
    add("alg-hs256-confusion",
        sign_token(header("HS256"), claims("alg-hs256-confusion"), lambda d: hs256(jwk_text, d)),
        "unsupported_algorithm",
        "HS256 keyed with the compact JSON text of es256-a's public JWK as published in the "
        "JWK Set (algorithm confusion).",
        [("HS256", jwk_text, True, None)])
    x_a, y_a = ec_xy(es_a)
    point = b"\x04" + x_a + y_a
    add("alg-hs256-point",
        sign_token(header("HS256"), claims("alg-hs256-point"), lambda d: hs256(point, d)),
        "unsupported_algorithm",
        "HS256 keyed with es256-a's 65-byte uncompressed public point (algorithm confusion).",
        [("HS256", point, True, None)])
    add("alg-rs256",
        sign_token(header("RS256", "rsa-1"), claims("alg-rs256"), lambda d: rs256(K["rsa-1"], d)),
        "unsupported_algorithm", "Genuine RS256 token signed by the rsa-1 private key.",
        [("RS256", "rsa-1", True, None)])
    add("alg-es384",
        sign_token(header("ES384"), claims("alg-es384"),
                   lambda d: ecdsa_raw(es_a, d, hashes.SHA384())),
        "unsupported_algorithm",
        "alg ES384 with kid es256-a, signed by the P-256 key over SHA-384 (raw r||s).",
        [("ES256-SHA384", "es256-a", True, None)])
    add("alg-es256-lowercase", es_tok("x", h=header("es256"), p=claims("alg-es256-lowercase")),
        "unsupported_algorithm", "alg \"es256\" in lower case, otherwise a valid ES256 token.",
        ok_es())

    # ---------------- unknown key ----------------
    add("kid-unknown", es_tok("x", h=header(kid="nope"), p=claims("kid-unknown")),
        "unknown_key", "kid \"nope\" is not in the JWK Set (signature by es256-a is valid).",
        ok_es())
    add("kid-missing", es_tok("x", h=header(kid=DROP), p=claims("kid-missing")),
        "unknown_key", "Header has no kid while kid is required.", ok_es())
    add("kid-skipped-rsa", es_tok("x", h=header(kid="rsa-1"), p=claims("kid-skipped-rsa")),
        "unknown_key", "ES256 token naming rsa-1, a key skipped at import.", ok_es())
    identity_sig = b"\x01" + b"\x00" * 31 + b"\x00" * 32
    add("kid-identity-key",
        sign_token(header("EdDSA", "ed25519-identity"), claims("kid-identity-key"),
                   lambda d: identity_sig),
        "unknown_key",
        "Universal forgery (R = identity, S = 0) against the small-order identity key, which "
        "must have been skipped at import.",
        [("EdDSA", "ed25519-identity", None, None)])  # informational only
    add("kid-path-traversal",
        es_tok("x", h=header(kid="../../dev/null"), p=claims("kid-path-traversal")),
        "unknown_key", "kid \"../../dev/null\" must be treated as an opaque unknown key id.",
        ok_es())
    add("kid-enc-key",
        sign_token(header("EdDSA", "ed25519-enc"), claims("kid-enc-key"), sign_ed_a),
        "unknown_key", "kid names ed25519-enc, a JWK with use \"enc\" that must be skipped.",
        ok_ed("ed25519-enc"))
    add("kid-keyops-sign",
        es_tok("x", h=header(kid="es256-keyops-sign"), p=claims("kid-keyops-sign")),
        "unknown_key", "kid names es256-keyops-sign, a JWK with key_ops [\"sign\"] only.",
        ok_es("es256-keyops-sign"))
    add("kid-private-key",
        sign_token(header(kid="es256-private"), claims("kid-private-key"), sign_es_b),
        "unknown_key", "kid names es256-private, a JWK carrying private member d.",
        ok_es("es256-private"))

    # ---------------- key mismatch ----------------
    add("alg-eddsa-with-ec-kid",
        sign_token(header("EdDSA", "es256-a"), claims("alg-eddsa-with-ec-kid"), sign_ed_a),
        "key_mismatch", "alg EdDSA naming the EC key es256-a (signed by ed25519-a).",
        ok_ed("ed25519-a"))
    add("alg-es256-with-okp-kid",
        es_tok("x", h=header("ES256", "ed25519-noalg"), p=claims("alg-es256-with-okp-kid")),
        "key_mismatch", "alg ES256 naming the OKP key ed25519-noalg (signed by es256-a).",
        ok_es("es256-a"))
    add("alg-ed25519-with-jwk-alg-eddsa",
        sign_token(header("Ed25519", "ed25519-a"), claims("alg-ed25519-with-jwk-alg-eddsa"),
                   sign_ed_a),
        "key_mismatch",
        "Header alg \"Ed25519\" naming ed25519-a, whose JWK alg is \"EdDSA\".", ok_ed("ed25519-a"))

    # ---------------- invalid signatures ----------------
    si = signing_input(header(), claims("es256-bad-sig"))
    raw = bytearray(ecdsa_raw(es_a, si.encode("ascii")))
    raw[63] ^= 0x01
    add("es256-bad-sig", si + "." + b64u(bytes(raw)), "invalid_signature",
        "ES256 signature with the lowest bit of s flipped.", [("ES256", "es256-a", False, None)])
    add("es256-wrong-key",
        sign_token(header(), claims("es256-wrong-key"), sign_att_es), "invalid_signature",
        "Signed by the attacker P-256 key but naming es256-a.",
        [("ES256", "es256-a", False, None)])
    add("eddsa-wrong-key",
        sign_token(header("EdDSA", "ed25519-a"), claims("eddsa-wrong-key"), sign_att_ed),
        "invalid_signature", "Signed by the attacker Ed25519 key but naming ed25519-a.",
        [("EdDSA", "ed25519-a", False, None)])
    add("es256-r-zero-s-zero",
        sign_token(header(), claims("es256-r-zero-s-zero"), lambda d: b"\x00" * 64),
        "invalid_signature", "ES256 signature of 64 zero bytes (r = 0, s = 0).",
        [("ES256", "es256-a", False, None)])
    add("es256-r-n",
        sign_token(header(), claims("es256-r-n"), lambda d: int_be(P256_N, 32) + int_be(1, 32)),
        "invalid_signature", "ES256 signature with r = n (out of range) and s = 1.",
        [("ES256", "es256-a", False, None)])
    add("es256-s-n-plus-0",
        sign_token(header(), claims("es256-s-n-plus-0"), lambda d: int_be(1, 32) + int_be(P256_N, 32)),
        "invalid_signature", "ES256 signature with r = 1 and s = n (out of range).",
        [("ES256", "es256-a", False, None)])
    si = signing_input(header(), claims("es256-der-sig"))
    der = ecdsa_der(es_a, si.encode("ascii"))
    add("es256-der-sig", si + "." + b64u(der), "invalid_signature",
        "Genuine ES256 signature in ASN.1 DER form instead of raw 64-byte r||s.",
        [("ES256", "es256-a", False, None), ("ES256-DER", "es256-a", True, None)])
    si = signing_input(header(), claims("es256-65-bytes"))
    raw = ecdsa_raw(es_a, si.encode("ascii"))
    add("es256-65-bytes", si + "." + b64u(raw + b"\x00"), "invalid_signature",
        "Genuine raw ES256 signature with one extra zero byte appended (65 bytes).",
        [("ES256", "es256-a", False, None)])
    si = signing_input(header(), claims("es256-63-bytes"))
    raw = ecdsa_raw(es_a, si.encode("ascii"))
    add("es256-63-bytes", si + "." + b64u(raw[:63]), "invalid_signature",
        "Genuine raw ES256 signature with its last byte removed (63 bytes).",
        [("ES256", "es256-a", False, None)])
    si = signing_input(header("EdDSA", "ed25519-a"), claims("eddsa-s-not-reduced"))
    sig = ed_a.sign(si.encode("ascii"))
    s_int = int.from_bytes(sig[32:], "little") + ED25519_L
    assert s_int < 2**256
    add("eddsa-s-not-reduced", si + "." + b64u(sig[:32] + s_int.to_bytes(32, "little")),
        "invalid_signature",
        "Genuine EdDSA signature with S replaced by S + L (non-canonical, malleated).",
        [("EdDSA", "ed25519-a", False, None)])
    si = signing_input(header("EdDSA", "ed25519-a"), claims("eddsa-63-bytes"))
    sig = ed_a.sign(si.encode("ascii"))
    add("eddsa-63-bytes", si + "." + b64u(sig[:63]), "invalid_signature",
        "Genuine EdDSA signature with its last byte removed (63 bytes).",
        [("EdDSA", "ed25519-a", False, None)])
    att_jwk = ec_jwk("es256-a", att_es)
    att_jwk.pop("kid")
    add("embedded-jwk-attacker",
        sign_token(header(jwk=att_jwk), claims("embedded-jwk-attacker"), sign_att_es),
        "invalid_signature",
        "Header embeds the attacker's public JWK and is signed by the attacker key; the "
        "verifier must use only the JWK Set.",
        [("ES256", "es256-a", False, None), ("ES256", att_es.public_key(), True, None)])
    add("jku-attacker",
        sign_token(header(jku="https://evil.example/jwks.json"), claims("jku-attacker"),
                   sign_att_es),
        "invalid_signature",
        "Header jku points to an attacker JWK Set and the token is signed by the attacker key.",
        [("ES256", "es256-a", False, None), ("ES256", att_es.public_key(), True, None)])
    ta = es_tok("payload-swapped-a")
    tb = es_tok("payload-swapped-b")
    ha, _, sa = ta.split(".")
    _, pb, _ = tb.split(".")
    add("payload-swapped", ha + "." + pb + "." + sa, "invalid_signature",
        "Header and signature of one valid token combined with the payload of another.",
        [("ES256", "es256-a", False, None), ("ES256", "es256-a", True, ta),
         ("ES256", "es256-a", True, tb)])

    # ---------------- critical / unsupported header parameters ----------------
    add("crit-exp",
        es_tok("x", h=header(crit=["exp"], exp=NOW + 840), p=claims("crit-exp")),
        "unsupported_critical_header",
        "crit [\"exp\"] with exp also present in the header.", ok_es())
    add("crit-empty", es_tok("x", h=header(crit=[]), p=claims("crit-empty")),
        "unsupported_critical_header", "crit is an empty array, which RFC 7515 forbids.", ok_es())
    add("crit-string", es_tok("x", h=header(crit="b64"), p=claims("crit-string")),
        "unsupported_critical_header", "crit is the string \"b64\" instead of an array.", ok_es())
    add("b64-false", es_tok("x", h=header(b64=False, crit=["b64"]), p=claims("b64-false")),
        "unsupported_critical_header",
        "RFC 7797 b64 false with crit [\"b64\"]; payload and signature are in ordinary "
        "base64url form, so only the header makes it unacceptable.", ok_es())
    add("b64-false-no-crit", es_tok("x", h=header(b64=False), p=claims("b64-false-no-crit")),
        "unsupported_critical_header", "b64 false without crit.", ok_es())
    add("enc-header", es_tok("x", h=header(enc="A128GCM"), p=claims("enc-header")),
        "unsupported_critical_header", "Header carries the JWE parameter enc \"A128GCM\".",
        ok_es())
    add("cty-jwt", es_tok("x", h=header(cty="JWT"), p=claims("cty-jwt")),
        "unsupported_critical_header", "cty \"JWT\" announces a nested JWT.", ok_es())
    add("cty-jwt-lower", es_tok("x", h=header(cty="application/jwt"), p=claims("cty-jwt-lower")),
        "unsupported_critical_header", "cty \"application/jwt\" announces a nested JWT.", ok_es())

    # ---------------- size ----------------
    add("too-large", es_tok("x", p=claims("too-large", pad="a" * 20000)), "token_too_large",
        "Validly signed token whose payload has a 20000-character \"pad\" claim.", ok_es())

    # ---------------- typ (verifier configured with types ["at+jwt"]) ----------------
    typ_opt = {"types": ["at+jwt"]}
    add("typ-at-jwt-valid", es_tok("x", h=header(typ="at+jwt"), p=claims("typ-at-jwt-valid")),
        "valid", "typ \"at+jwt\" exactly matches the accepted type.", ok_es(), typ_opt)
    add("typ-application-prefix",
        es_tok("x", h=header(typ="application/AT+JWT"), p=claims("typ-application-prefix")),
        "valid", "typ \"application/AT+JWT\" matches after dropping the prefix and ignoring case.",
        ok_es(), typ_opt)
    add("typ-mismatch", es_tok("x", h=header(typ="JWT"), p=claims("typ-mismatch")),
        "invalid_claim", "typ \"JWT\" is not an accepted type.", ok_es(), typ_opt)
    add("typ-missing", es_tok("x", h=header(typ=DROP), p=claims("typ-missing")),
        "missing_claim", "No typ header while accepted types are configured.", ok_es(), typ_opt)

    # ---------------- required claims ----------------
    req_opt = {"require": ["sub"]}
    add("require-sub-missing", es_tok("x", p=claims("require-sub-missing", sub=DROP)),
        "missing_claim", "sub is required by configuration but absent.", ok_es(), req_opt)
    add("require-sub-empty", es_tok("x", p=claims("require-sub-empty", sub="")),
        "invalid_claim", "sub is required by configuration but is the empty string.",
        ok_es(), req_opt)

    return cases


# ---------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------

ALLOWED_CODES = {
    "valid", "malformed", "token_too_large", "unsupported_algorithm", "algorithm_not_allowed",
    "unknown_key", "key_mismatch", "invalid_signature", "unsupported_critical_header",
    "expired", "not_yet_valid", "issuer_mismatch", "audience_mismatch", "missing_claim",
    "invalid_claim",
}


def self_check(cases, main_jwks):
    by_kid = {}
    for k in main_jwks["keys"]:
        by_kid.setdefault(k.get("kid"), k)

    failures = []
    notes = []
    sig_checks = 0
    sig_failed = 0

    names = [c["name"] for c in cases]
    dupes = [n for n, cnt in Counter(names).items() if cnt > 1]
    if dupes:
        failures.append("duplicate case names: %s" % dupes)
    for c in cases:
        if c["expect"] not in ALLOWED_CODES:
            failures.append("%s: unknown expect %r" % (c["name"], c["expect"]))

    # Every parseable payload carries a jti unique across cases.
    jtis = {}
    for c in cases:
        segs = c["token"].strip().split(".")
        if len(segs) < 2:
            continue
        try:
            p = json.loads(b64u_decode_lenient(segs[1]).decode("utf-8"))
        except Exception:
            continue
        if isinstance(p, dict) and "jti" in p:
            jtis.setdefault(p["jti"], []).append(c["name"])
    for j, ns in jtis.items():
        if len(ns) > 1:
            failures.append("jti %r shared by %s" % (j, ns))

    for c in cases:
        for scheme, key_ref, should, tok in c["_check"]:
            token = tok or c["token"]
            segs = token.split(".")
            if len(segs) != 3:
                failures.append("%s: check token does not have 3 segments" % c["name"])
                continue
            data = (segs[0] + "." + segs[1]).encode("ascii")
            sig = b64u_decode_lenient(segs[2])
            if scheme == "HS256":
                ok = hs256(key_ref, data) == sig
            else:
                pub = by_kid[key_ref] if isinstance(key_ref, str) else None
                pub = jwk_public_key(pub) if pub is not None else key_ref
                ok = verify_with(scheme, pub, data, sig)
            if should is None:
                notes.append("%s: OpenSSL %s the signature against %s" % (
                    c["name"], "ACCEPTS" if ok else "rejects", key_ref))
                continue
            sig_checks += 1
            if ok != should:
                sig_failed += 1
                failures.append("%s: %s verify against %s gave %s, expected %s" % (
                    c["name"], scheme, key_ref if isinstance(key_ref, str) else "<key>", ok, should))

    # Claim sanity for "valid" cases (a deliberately tiny re-implementation).
    for c in cases:
        if c["expect"] != "valid":
            continue
        h_seg, p_seg, _ = c["token"].split(".")
        h = json.loads(b64u_decode_lenient(h_seg))
        p = json.loads(b64u_decode_lenient(p_seg))
        aud = p["aud"] if isinstance(p["aud"], list) else [p["aud"]]
        problems = []
        if p.get("iss") != ISSUER:
            problems.append("iss")
        if AUDIENCE not in aud:
            problems.append("aud")
        if not (isinstance(p.get("exp"), (int, float)) and NOW <= p["exp"] + LEEWAY):
            problems.append("exp")
        if "nbf" in p and not NOW >= p["nbf"] - LEEWAY:
            problems.append("nbf")
        if "types" in c.get("options", {}):
            typ = h.get("typ", "").lower()
            if typ.startswith("application/"):
                typ = typ[len("application/"):]
            if typ not in c["options"]["types"]:
                problems.append("typ")
        if problems:
            failures.append("%s: valid case fails claim sanity on %s" % (c["name"], problems))

    # Unusable JWKs really are what they claim to be.
    def jwk_bytes(kid, member):
        return b64u_decode_lenient(by_kid[kid][member])

    if len(jwk_bytes("es256-short-x", "x")) != 31:
        failures.append("es256-short-x: x is not 31 bytes")
    try:
        jwk_public_key(by_kid["es256-off-curve"])
        failures.append("es256-off-curve: cryptography accepted the point")
    except ValueError:
        pass
    x = int.from_bytes(jwk_bytes("es256-off-curve", "x"), "big")
    y = int.from_bytes(jwk_bytes("es256-off-curve", "y"), "big")
    if (y * y - (x ** 3 - 3 * x + P256_B)) % P256_P == 0:
        failures.append("es256-off-curve: point is on the curve")
    if jwk_bytes("ed25519-identity", "x") != b"\x01" + b"\x00" * 31:
        failures.append("ed25519-identity: wrong x")
    if jwk_bytes("ed25519-enc", "x") != jwk_bytes("ed25519-a", "x"):
        failures.append("ed25519-enc: x differs from ed25519-a")
    if jwk_bytes("ed25519-noalg", "x") != jwk_bytes("ed25519-a", "x"):
        failures.append("ed25519-noalg: x differs from ed25519-a")
    if len(jwk_bytes("rsa-1", "n")) != 256:
        failures.append("rsa-1: modulus is not 2048 bits")
    if len(jwk_bytes("x25519-1", "x")) != 32:
        failures.append("x25519-1: x is not 32 bytes")

    # ES256 high-s really is high.
    hs = [c for c in cases if c["name"] == "es256-high-s"][0]
    s = int.from_bytes(b64u_decode_lenient(hs["token"].split(".")[2])[32:], "big")
    if not s > P256_N // 2:
        failures.append("es256-high-s: s is not high")

    return failures, notes, (sig_checks, sig_failed)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

FIXTURES_README = """# SimbeeJWT fixtures

Test vectors for SimbeeJWT, produced by an **independent implementation**:
`generate.py` uses only Python 3 and pyca/cryptography (OpenSSL underneath).
All JOSE encoding (base64url without padding, compact JSON, signing inputs,
raw `r||s` ECDSA signatures) is written by hand in that script and shares no
code with the Swift sources.

## Layout

| Path | Contents |
| --- | --- |
| `generate.py` | The generator. Also runs a self-check at the end. |
| `keys/` | Test-only private keys (PKCS#8 PEM), reused on every run; see `keys/README.md`. |
| `jwks/simbee.jwks.json` | Main JWK Set: 4 usable keys (`es256-a`, `es256-b`, `ed25519-a`, `ed25519-noalg`) followed by unusable entries a verifier must skip (`rsa-1`, `p384-1`, `x25519-1`, `oct-1`, `es256-short-x`, `es256-off-curve`, `es256-private`, `ed25519-identity`, `ed25519-enc`, `es256-keyops-sign`, `missing-kty`). |
| `jwks/unusable.jwks.json` | Only unusable keys (`rsa-1`, `oct-1`, `ed25519-identity`). |
| `jwks/empty.jwks.json` | `{"keys":[]}`. |
| `jwks/not-json.jwks.json` | The text `this is not json`. |
| `jwks/duplicate-kid.jwks.json` | `es256-a` twice under kid `dup`, plus `ed25519-a`. |
| `tokens/manifest.json` | All token cases with their expected outcome. |
| `tokens/valid.txt` | Tokens of every `valid` case without `options`, one per line, in manifest order. |
| `tokens/mixed.txt` | Six tokens: valid, invalid, valid, invalid, valid, invalid (see below). |

## Regenerating

    python3 Fixtures/generate.py

Run it from the repository root (it resolves paths relative to itself, so any
working directory works). Keys are created only when missing. With the same
keys, the JWK Sets and all Ed25519 tokens are byte-identical across runs; ES256
tokens are too when cryptography supports RFC 6979 deterministic ECDSA
(cryptography >= 44 on OpenSSL >= 3.2), otherwise their signatures change on
every run (still valid). The script exits non-zero if its self-check fails.

## Manifest and verifier configuration

`tokens/manifest.json` has the shape

    {"now": 1796000000, "issuer": "https://api.simbee.io", "audience": "cl_fixture",
     "jwks": "jwks/simbee.jwks.json",
     "cases": [{"name": ..., "token": ..., "expect": ..., "description": ..., "options"?: ...}]}

Every case is verified with the same configuration:

* JWK Set: `jwks/simbee.jwks.json` (path relative to `Fixtures/`)
* issuer `https://api.simbee.io`, audience `cl_fixture`
* clock pinned at `now` = 1796000000, leeway 60 s
* algorithms `ES256`, `EdDSA` and `Ed25519` allowed
* `kid` required

Some cases add an `options` object on top of that configuration:

* `{"types": ["at+jwt"]}`: the verifier accepts only these `typ` values
  (compared case-insensitively, an `application/` prefix ignored).
* `{"require": ["sub"]}`: the listed claims are required.

`expect` is `valid` or one of the error codes `malformed`, `token_too_large`,
`unsupported_algorithm`, `algorithm_not_allowed`, `unknown_key`,
`key_mismatch`, `invalid_signature`, `unsupported_critical_header`, `expired`,
`not_yet_valid`, `issuer_mismatch`, `audience_mismatch`, `missing_claim`,
`invalid_claim`.

Default valid claims are
`{"iss":"https://api.simbee.io","sub":"cu_fixture1","aud":"cl_fixture","iat":now-60,"exp":now+840,"jti":<unique>,"scopes":["admin","read","write"]}`
with header `{"alg":...,"kid":...,"typ":"JWT"}`. Each token has its own `jti`
(normally the case name). Cases in the claim, payload, header and critical
header categories carry a signature that is valid over their signing input,
so only the named defect can make them fail. Note that OpenSSL itself accepts
the universal forgery in `kid-identity-key`; the verifier has to reject that
key when importing the JWK Set.

Case-specific details:

* `es256-expired`, `eddsa-expired` and `es256-exp-in-leeway` use `iat` = exp - 900
  (not now - 60) so that `iat` never lies after `exp`.
* `es256-high-s` is its own token (own `jti`): a signature with low `s` was
  chosen and `s` replaced by `n - s`.
* `alg-hs256-confusion` is keyed with the compact JSON text of the `es256-a`
  entry exactly as it appears in the JWK Set (member order kty, crv, kid, x, y,
  use, alg); `alg-hs256-point` with `04 || x || y`.
* `non-canonical-b64` is signed over the literal (non-canonical) header segment.
* `b64-false` keeps the payload base64url-encoded and is signed over the usual
  compact signing input, so it only fails because of its header.

## Demo

    simbee-jwt verify --jwks Fixtures/jwks/simbee.jwks.json \\
      --issuer https://api.simbee.io --audience cl_fixture --now 1796000000 \\
      < Fixtures/tokens/valid.txt

`tokens/mixed.txt` lines: {mixed_lines}.
"""


def main():
    os.makedirs(KEYS_DIR, exist_ok=True)
    K = {}
    created = []
    for name, factory in KEY_SPECS:
        K[name], new = load_or_create(name, factory)
        if new:
            created.append(name)
    write_text(os.path.join(KEYS_DIR, "README.md"), KEYS_README)

    jwk, sets = build_jwks(K)
    for fname, obj in sets.items():
        write_json_pretty(os.path.join(JWKS_DIR, fname), obj)
    sets["empty.jwks.json"] = {"keys": []}
    write_text(os.path.join(JWKS_DIR, "empty.jwks.json"), '{"keys":[]}\n')
    write_text(os.path.join(JWKS_DIR, "not-json.jwks.json"), "this is not json")

    cases = generate_cases(K, jwk)

    manifest = {
        "now": NOW,
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "jwks": MAIN_JWKS_REL,
        "cases": [{k: v for k, v in c.items() if not k.startswith("_")} for c in cases],
    }
    write_json_pretty(os.path.join(TOKENS_DIR, "manifest.json"), manifest)

    valid_plain = [c for c in cases if c["expect"] == "valid" and "options" not in c]
    write_text(os.path.join(TOKENS_DIR, "valid.txt"),
               "".join(c["token"] + "\n" for c in valid_plain))

    by_name = {c["name"]: c for c in cases}
    mixed_names = ["es256-valid", "es256-expired", "eddsa-valid", "es256-wrong-key",
                   "es256-aud-array", "es256-wrong-aud"]
    write_text(os.path.join(TOKENS_DIR, "mixed.txt"),
               "".join(by_name[n]["token"] + "\n" for n in mixed_names))
    mixed_lines = ", ".join("%d `%s` (%s)" % (i + 1, n, by_name[n]["expect"])
                            for i, n in enumerate(mixed_names))
    write_text(os.path.join(HERE, "README.md"),
               FIXTURES_README.replace("{mixed_lines}", mixed_lines))

    # ---- self-check ----
    with open(os.path.join(JWKS_DIR, "simbee.jwks.json"), encoding="utf-8") as fh:
        main_jwks = json.load(fh)
    failures, notes, sig_checks = self_check(cases, main_jwks)

    counts = Counter(c["expect"] for c in cases)
    print("SimbeeJWT fixtures written to %s" % HERE)
    print("keys: %s" % ("created " + ", ".join(created) if created else "all reused"))
    print("deterministic ECDSA: %s" % ("yes" if _deterministic_ecdsa_supported() else "no"))
    print("cases: %d" % len(cases))
    for code in sorted(counts, key=lambda k: (k != "valid", k)):
        print("  %-28s %d" % (code, counts[code]))
    print("valid.txt: %d tokens; mixed.txt: %d tokens" % (len(valid_plain), len(mixed_names)))
    print("signature checks: %d run, %d as expected" % (sig_checks[0], sig_checks[0] - sig_checks[1]))
    for n in notes:
        print("note: " + n)
    digest = hashlib.sha256(json.dumps(sets, sort_keys=True).encode()).hexdigest()[:16]
    print("jwks digest: %s" % digest)
    if failures:
        print("SELF-CHECK FAILED:")
        for f in failures:
            print("  - " + f)
        sys.exit(1)
    print("self-check OK")


if __name__ == "__main__":
    main()
