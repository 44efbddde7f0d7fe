"""A SoftHSM2 token that stands in for the clerk's USB key in the demo and the tests.

The token holds a demo clerk's RSA key and certificate, issued by a demo CA whose
certificate is written beside it for the trusted-CA list. Everything lives under
``<data_dir>/softhsm``; the CA's private key is thrown away once the certificate is
issued, so the demo CA can never sign anything else.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pkcs11 import Attribute, MechanismFlag
from pkcs11.util.rsa import decode_rsa_private_key, decode_rsa_public_key
from pkcs11.util.x509 import decode_x509_certificate

from appliance.errors import StartupError
from appliance.hardware.key.pkcs11_key import (
    Pkcs11Key,
    load_module,
    module_in_use,
    reload_module,
)
from appliance.hardware.key.port import KeyProblem
from appliance.log import event

DEMO_LABEL = "ZS-DEMO-KEY"
DEMO_PIN = "123456"
DEMO_OPERATOR = "陈晓明"
DEMO_CA_NAME = "中山分厅演示CA"
DEMO_ORGANIZATION = "广东省网上办事大厅中山分厅"
INSTALL_HINT = "SoftHSM2 is not installed: run `apt-get install softhsm2`"


@dataclass(frozen=True)
class DemoToken:
    label: str
    pin: str
    ca_cert_path: Path
    conf_path: Path


@dataclass(frozen=True)
class _Issued:
    ca: x509.Certificate
    operator: x509.Certificate
    operator_key: rsa.RSAPrivateKey


def ensure_demo_token(data_dir: Path, module: Path) -> DemoToken:
    """Make the demo token under ``data_dir`` unless a complete one is already there.

    Points SOFTHSM2_CONF at it and (re)initialises ``module`` so this process sees it,
    which also closes any session open on the module. Call it once at start-up.
    """
    tool = _require_softhsm(module)
    home = data_dir.resolve() / "softhsm"
    demo = DemoToken(DEMO_LABEL, DEMO_PIN, home / "demo-ca.pem", home / "softhsm2.conf")
    _write_config(demo.conf_path, home / "tokens")
    os.environ["SOFTHSM2_CONF"] = str(demo.conf_path)
    with module_in_use():
        reload_module(module)
        if not _is_complete(module, demo):
            _provision(tool, module, demo)
    return demo


def _require_softhsm(module: Path) -> str:
    tool = shutil.which("softhsm2-util")
    if tool is None or not module.is_file():
        raise StartupError(f"{INSTALL_HINT} (need softhsm2-util and {module})")
    return tool


def _write_config(conf: Path, tokens: Path) -> None:
    """Write the config only when it changed, so a restart leaves the directory alone."""
    conf.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tokens.mkdir(mode=0o700, exist_ok=True)
    text = (
        "# Written by the appliance for its demo key; edits are overwritten.\n"
        f"directories.tokendir = {tokens}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n"
    )
    if not conf.is_file() or conf.read_text(encoding="utf-8") != text:
        conf.write_text(text, encoding="utf-8")


def _is_complete(module: Path, demo: DemoToken) -> bool:
    """The CA file is written last, so with it and a readable certificate nothing is missing."""
    if not demo.ca_cert_path.is_file():
        return False
    try:
        Pkcs11Key(module, demo.label).certificate()
    except KeyProblem:
        return False
    return True


def _provision(tool: str, module: Path, demo: DemoToken) -> None:
    home = demo.conf_path.parent
    event("token.provision.init", label=demo.label, directory=home)
    try:
        issued = _issue_certificates()
        _init_token(tool, module, demo)
        _store_operator(module, demo, issued)
        _write_public(demo.ca_cert_path, issued.ca.public_bytes(serialization.Encoding.PEM))
    except Exception as error:
        event(
            "token.provision.complete",
            logging.ERROR,
            outcome="failure",
            reason=type(error).__name__,
        )
        if isinstance(error, StartupError):
            raise
        raise StartupError(f"cannot create the demo key token in {home}: {error}") from error
    event(
        "token.provision.complete",
        outcome="success",
        label=demo.label,
        serial=format(issued.operator.serial_number, "X"),
    )


def _init_token(tool: str, module: Path, demo: DemoToken) -> None:
    """Start from an empty token directory: a half-made token from a crash is discarded."""
    home = demo.conf_path.parent
    tokens = home / "tokens"
    shutil.rmtree(tokens, ignore_errors=True)
    tokens.mkdir(mode=0o700)
    so_pin = secrets.token_hex(8)
    _write_secret(home / "so-pin", so_pin)
    _run(
        tool, "--init-token", "--free", "--label", demo.label, "--so-pin", so_pin, "--pin", demo.pin
    )
    reload_module(module)


def _run(tool: str, *args: str) -> None:
    """Run softhsm2-util; the error names the action only, as the arguments hold PINs."""
    result = subprocess.run([tool, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().replace("\n", " ")
        raise StartupError(f"softhsm2-util {args[0]} failed: {detail}")


def _store_operator(module: Path, demo: DemoToken, issued: _Issued) -> None:
    """Put the clerk's key and certificate on the token under one CKA_ID.

    The key is made unextractable and sign-only, as on a real USB key; the certificate
    and the public key are public so they can be read (and compared) before the PIN.
    """
    key_id = x509.SubjectKeyIdentifier.from_public_key(issued.operator_key.public_key()).digest
    labels = {Attribute.ID: key_id, Attribute.LABEL: DEMO_OPERATOR, Attribute.TOKEN: True}
    key_der = issued.operator_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    key = decode_rsa_private_key(key_der, capabilities=MechanismFlag.SIGN)
    key |= labels | {
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
    }
    public = decode_rsa_public_key(
        issued.operator_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        ),
        capabilities=MechanismFlag.VERIFY,
    )
    public |= labels | {Attribute.PRIVATE: False}
    certificate = decode_x509_certificate(issued.operator.public_bytes(serialization.Encoding.DER))
    certificate |= labels | {Attribute.PRIVATE: False}
    with module_in_use():
        token = load_module(module).get_token(token_label=demo.label)
        with token.open(rw=True, user_pin=demo.pin) as session:
            session.create_object(key)
            session.create_object(public)
            session.create_object(certificate)


def _issue_certificates() -> _Issued:
    """A self-signed demo CA and the clerk's certificate, valid from yesterday for 2 years.

    Starting yesterday keeps the certificate valid on a box whose clock lags a little.
    """
    start = datetime.now(UTC) - timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(DEMO_CA_NAME)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    operator_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    operator = (
        x509.CertificateBuilder()
        .subject_name(_name(DEMO_OPERATOR))
        .issuer_name(ca_name)
        .public_key(operator_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(operator_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return _Issued(ca=ca, operator=operator, operator_key=operator_key)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    """A CA signs certificates and CRLs; the clerk's key only signs (login challenges)."""
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write_secret(path: Path, text: str) -> None:
    """Owner-only from creation, so the SO PIN is never readable by anyone else."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(text + "\n")


def _write_public(path: Path, data: bytes) -> None:
    """Write via a temporary file so a crash never leaves half a CA certificate."""
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
