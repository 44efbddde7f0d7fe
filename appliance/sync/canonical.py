"""The bytes an operator signs: RFC 8785 (JSON Canonicalization Scheme) of the submission.

Both ends compute the same bytes from the parsed JSON, so key order, spacing and number
formatting on the wire do not matter. The server also hashes these bytes to tell "the
same submission again" (harmless) from "the same key, a different body" (409).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(value)


def body_digest(item: dict[str, Any]) -> str:
    """SHA-256 of one wire item without its key: what "the same body" means."""
    return hashlib.sha256(
        canonical({k: v for k, v in item.items() if k != "idempotency_key"})
    ).hexdigest()


def verify_signature(submission: dict[str, Any], certificate_pem: str, signature_b64: str) -> str:
    """Check the operator's signature over the canonical submission; return the signer's
    certificate serial (hex) or raise ValueError saying what is wrong."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError(f"unreadable certificate or signature: {exc}") from None
    key = certificate.public_key()
    data = canonical(submission)
    try:
        if isinstance(key, rsa.RSAPublicKey):
            _verify_rsa(key, signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise ValueError("unsupported operator key type")
    except InvalidSignature:
        raise ValueError("signature does not match the submission") from None
    return format(certificate.serial_number, "X")


def _verify_rsa(key: rsa.RSAPublicKey, signature: bytes, data: bytes) -> None:
    """PKCS#1 v1.5, or PSS for the keys whose vendor signs with PSS (any salt length)."""
    try:
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        key.verify(
            signature,
            data,
            padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO),
            hashes.SHA256(),
        )
