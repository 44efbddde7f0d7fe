"""SM2 (国密) test certificates, made with the openssl command (OpenSSL 3 has SM2 and SM3).

``cryptography`` cannot load SM2 keys, so it cannot make these: the certificate's
SubjectPublicKeyInfo is id-ecPublicKey on the SM2 curve (1.2.156.10197.1.301) and it is
signed SM2-with-SM3 (1.2.156.10197.1.501) by an SM2 test CA, as GDCA and JIT issue them.
Only the certificate goes on a SoftHSM2 token: SoftHSM2 cannot hold an SM2 private key.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SM2_CA = "国密测试CA"
# GB/T 35276's default SM2 signer id, which OpenSSL 3 wants spelled out.
_DISTID = "distid:1234567812345678"


def make_sm2_certificate(work: Path, operator: str, days: int = 365) -> bytes:
    """An operator certificate with an SM2 key, issued by a fresh SM2 CA; DER bytes."""
    tool = shutil.which("openssl")
    if tool is None:
        raise RuntimeError("the openssl command is needed for SM2 test certificates")
    work.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([tool, *args], cwd=work, check=True, capture_output=True)

    for key in ("sm2-ca.key", "sm2-operator.key"):
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", key)
    run(
        "req", "-x509", "-new", "-key", "sm2-ca.key", "-sm3", "-sigopt", _DISTID,
        "-subj", f"/C=CN/CN={SM2_CA}", "-utf8", "-days", "3650", "-out", "sm2-ca.pem",
    )  # fmt: skip
    run(
        "req", "-new", "-key", "sm2-operator.key", "-sm3", "-sigopt", _DISTID,
        "-subj", f"/C=CN/CN={operator}", "-utf8", "-out", "sm2-operator.csr",
    )  # fmt: skip
    (work / "sm2-operator.ext").write_text(
        "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n",
        encoding="utf-8",
    )
    run(
        "x509", "-req", "-in", "sm2-operator.csr", "-CA", "sm2-ca.pem", "-CAkey", "sm2-ca.key",
        "-sm3", "-sigopt", _DISTID, "-vfyopt", _DISTID, "-days", str(days),
        "-set_serial", "0x5A5A01", "-extfile", "sm2-operator.ext", "-outform", "DER",
        "-out", "sm2-operator.der",
    )  # fmt: skip
    (work / "sm2-ca.key").unlink()  # the test CA never signs anything else
    return (work / "sm2-operator.der").read_bytes()
