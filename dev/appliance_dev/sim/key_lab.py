"""A drawer of test keys: SoftHSM2 tokens with good and broken certificates, each its own vendor.

SoftHSM2 reads SOFTHSM2_CONF only in C_Initialize, and a process may load a module path
once. So every key gets its own copy of ``libsofthsm2.so`` (a separate library instance
with its own token directory), loaded once with its own configuration by :func:`activate`.
Each key then looks like a separate vendor's USB key with its own module, and a test
plugs it by putting its USB id on a fake bus. Certificates come from a test CA made with
``cryptography``; a second, untrusted CA signs the "wrong CA" key. SM2 (国密) certificates
come from ``appliance_dev.sim.sm2_cert`` (SoftHSM2 cannot hold SM2 keys, so an SM2 key
holds the certificate alone, first on the token, beside an RSA key pair or not at all).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, KeyType, Mechanism
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
from pkcs11.util.rsa import encode_rsa_public_key
from pkcs11.util.x509 import decode_x509_certificate

from appliance.hardware.key.pkcs11_key import load_module, module_in_use
from appliance.hardware.key.vendors import KeyVendor
from appliance_dev.sim.sm2_cert import make_sm2_certificate

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
LAB_PIN = "246810"
TRUSTED_CA = "中山分厅测试CA"
UNTRUSTED_CA = "未知签发机构"
LAB_VENDOR_ID = 0x1D99


@dataclass(frozen=True)
class KeySpec:
    """One test key: algorithm, validity in days from now, issuer, and whether it lies.

    ``sm2``: ``only`` holds an SM2 certificate and nothing else; ``beside`` holds one
    before the key's own certificate.
    """

    name: str
    operator: str = "测试员"
    algorithm: str = "ec"  # "rsa" or "ec"
    valid_from_days: int = -1
    valid_until_days: int = 365
    trusted: bool = True
    mismatched: bool = False
    rsa_scheme: str = "pkcs1v15"
    sm2: str = ""


STANDARD_KEYS = (
    KeySpec("valid-rsa", "陈晓明", algorithm="rsa"),
    KeySpec("valid-pss", "李华", algorithm="rsa", rsa_scheme="pss"),
    KeySpec("valid-ec", "王芳"),
    KeySpec("expiring", "赵敏", valid_until_days=12),
    KeySpec("expired", "周杰", valid_from_days=-800, valid_until_days=-5),
    KeySpec("not-yet-valid", "吴磊", valid_from_days=20, valid_until_days=400),
    KeySpec("untrusted", "郑强", trusted=False),
    KeySpec("mismatched", "孙丽", algorithm="rsa", mismatched=True),
    KeySpec("sm2-only", "黄敏", sm2="only"),
    KeySpec("sm2-beside-rsa", "林峰", algorithm="rsa", sm2="beside"),
)


@dataclass(frozen=True)
class LabKey:
    name: str
    operator: str
    module: str
    conf: str
    product_id: int
    rsa_scheme: str

    @property
    def usb_id(self) -> tuple[int, int]:
        return LAB_VENDOR_ID, self.product_id

    def vendor(self) -> KeyVendor:
        return KeyVendor(
            name=f"lab-{self.name}",
            label=f"测试{self.product_id}",
            usb_ids=(self.usb_id,),
            modules=(Path(self.module),),
            rsa_scheme=self.rsa_scheme,
        )


@dataclass(frozen=True)
class Lab:
    root: Path
    ca_path: Path
    keys: dict[str, LabKey]

    def vendors(self) -> tuple[KeyVendor, ...]:
        return tuple(key.vendor() for key in self.keys.values())


def make_lab(root: Path, specs: tuple[KeySpec, ...] = STANDARD_KEYS) -> Lab:
    """Create every key under ``root`` and load their modules in this process."""
    root.mkdir(parents=True, exist_ok=True)
    trusted_key = ec.generate_private_key(ec.SECP256R1())
    untrusted_key = ec.generate_private_key(ec.SECP256R1())
    trusted = _ca(TRUSTED_CA, trusted_key)
    ca_path = root / "trusted-ca.pem"
    ca_path.write_bytes(trusted.public_bytes(serialization.Encoding.PEM))
    keys = {}
    for number, spec in enumerate(specs, start=0x100):
        issuer = (
            (trusted, trusted_key)
            if spec.trusted
            else (_ca(UNTRUSTED_CA, untrusted_key), untrusted_key)
        )
        keys[spec.name] = _make_key(root / spec.name, spec, number, issuer)
    (root / "lab.json").write_text(
        json.dumps(
            {"ca": str(ca_path), "keys": [asdict(k) for k in keys.values()]}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    return Lab(root, ca_path, keys)


def activate(root: Path) -> Lab:
    """Load a lab made by another process: each module copy initialised with its own config."""
    raw = json.loads((root / "lab.json").read_text(encoding="utf-8"))
    keys = {k["name"]: LabKey(**k) for k in raw["keys"]}
    for key in keys.values():
        _load_with(Path(key.module), Path(key.conf))
    return Lab(root, Path(raw["ca"]), keys)


def _load_with(module: Path, conf: Path) -> None:
    saved = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    try:
        load_module(module)
    finally:
        if saved is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = saved


def _make_key(
    home: Path,
    spec: KeySpec,
    product_id: int,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
) -> LabKey:
    tokens = home / "tokens"
    shutil.rmtree(home, ignore_errors=True)
    tokens.mkdir(parents=True)
    conf = home / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
        "log.level = ERROR\nslots.removable = false\n",
        encoding="utf-8",
    )
    module = home / f"libkey-{spec.name}.so"
    shutil.copyfile(SOFTHSM_MODULE, module)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            spec.name.upper(),
            "--so-pin",
            "13579246",
            "--pin",
            LAB_PIN,
        ],
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
        check=True,
        capture_output=True,
    )
    _load_with(module, conf)
    key_id = spec.name.encode()
    with (
        module_in_use(),
        load_module(module)
        .get_token(token_label=spec.name.upper())
        .open(rw=True, user_pin=LAB_PIN) as session,
    ):
        if spec.sm2:
            sm2_der = make_sm2_certificate(home / "sm2", spec.operator, spec.valid_until_days)
            session.create_object(
                decode_x509_certificate(sm2_der)
                | {
                    Attribute.ID: b"sm2-" + key_id,
                    Attribute.TOKEN: True,
                    Attribute.PRIVATE: False,
                    Attribute.LABEL: spec.operator,
                }
            )
            if spec.sm2 == "only":
                return LabKey(
                    spec.name, spec.operator, str(module), str(conf), product_id, spec.rsa_scheme
                )
        public_der = _generate_on_token(session, spec.algorithm, key_id)
        subject_key = serialization.load_der_public_key(public_der)
        if spec.mismatched:
            subject_key = rsa.generate_private_key(65537, 2048).public_key()
        certificate = _issue(spec, subject_key, issuer)
        stored = decode_x509_certificate(certificate.public_bytes(serialization.Encoding.DER))
        session.create_object(
            stored
            | {
                Attribute.ID: key_id,
                Attribute.TOKEN: True,
                Attribute.PRIVATE: False,
                Attribute.LABEL: spec.operator,
            }
        )
    return LabKey(spec.name, spec.operator, str(module), str(conf), product_id, spec.rsa_scheme)


def _generate_on_token(session, algorithm: str, key_id: bytes) -> bytes:
    """Make the key pair on the token (private key never leaves it); returns the public DER."""
    template = {Attribute.TOKEN: True, Attribute.ID: key_id}
    if algorithm == "rsa":
        public, _private = session.generate_keypair(
            KeyType.RSA,
            2048,
            store=True,
            public_template=template,
            private_template=template | {Attribute.SENSITIVE: True},
        )
        return encode_rsa_public_key(public)  # PKCS#1, which cryptography also loads
    parameters = session.create_domain_parameters(
        KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
    )
    public, _private = parameters.generate_keypair(
        store=True,
        public_template=template,
        private_template=template | {Attribute.SENSITIVE: True},
        mechanism=Mechanism.EC_KEY_PAIR_GEN,
    )
    return encode_ec_public_key(public)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca(name: str, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    start = datetime.now(UTC) - timedelta(days=30)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )


def _issue(
    spec: KeySpec, subject_key, issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey]
) -> x509.Certificate:
    ca, ca_key = issuer
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(spec.operator))
        .issuer_name(ca.subject)
        .public_key(subject_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=spec.valid_from_days))
        .not_valid_after(now + timedelta(days=spec.valid_until_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
