"""The operator's signature on each submission, made at submit time with the logged-in key.

The outbox row then carries an envelope, the wire item without its idempotency key:
``{"submission": row, "operator_certificate": PEM, "signature": base64}``, the signature
being over RFC 8785 of ``row`` (:mod:`appliance.sync.canonical`). It is made inside the
submission's write transaction, so a submission is stored signed or not at all.
"""

from __future__ import annotations

import base64
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from appliance.sync.canonical import canonical


class OperatorSigner(Protocol):
    def operator_signature(self, data: bytes) -> tuple[bytes, x509.Certificate]:
        """Sign ``data`` with the logged-in key; also the certificate it signed with.

        Raises KeyAbsent when no session is open (key pulled, session locked).
        """


class OtherOperatorKey(Exception):
    """The key that signed is not the one the logged-in operator showed at login."""


def signed_envelope(
    row: dict[str, Any], signer: OperatorSigner, operator_serial: str
) -> dict[str, Any]:
    """The outbox payload for ``row``: the row, the operator's certificate and signature."""
    signature, certificate = signer.operator_signature(canonical(row))
    if format(certificate.serial_number, "X") != operator_serial:
        raise OtherOperatorKey(operator_serial)
    return {
        "submission": row,
        "operator_certificate": certificate.public_bytes(serialization.Encoding.PEM).decode(
            "ascii"
        ),
        "signature": base64.b64encode(signature).decode("ascii"),
    }
