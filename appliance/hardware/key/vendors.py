"""The key vendors the box knows: which USB ids are their keys and where their drivers live.

Two CAs issue keys at the same time (the blue JIT key and the white GDCA key), each with
its own PKCS#11 module. A vendor with USB ids vouches for its tokens only while one of
its devices is on the bus; a vendor without ids (the generic entry) is trusted by its
module alone. Adding a vendor is a ``[[key.vendors]]`` entry in the configuration.

The JIT and GDCA ids and module paths below are assumptions, not yet checked against
real keys: confirm them on site with ``appliance key status`` and correct them in the
configuration (an entry with the same name replaces the default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from appliance.hardware.usb.port import UsbDevice
from appliance.wording import text


@dataclass(frozen=True)
class KeyVendor:
    """One vendor's key: ``usb_ids`` as ``(vendor_id, product_id)``, modules in preference order."""

    name: str
    label: str
    usb_ids: tuple[tuple[int, int], ...]
    modules: tuple[Path, ...]
    token_label: str | None = None
    rsa_scheme: str = "pkcs1v15"

    def matches(self, device: UsbDevice) -> bool:
        return (device.vendor_id, device.product_id) in self.usb_ids

    def module(self) -> Path | None:
        """The first of the vendor's module paths that exists on this box."""
        return next((path for path in self.modules if path.is_file()), None)

    @property
    def expected_module(self) -> Path:
        """The path to name when the driver is missing: the vendor's preferred one."""
        return self.modules[0]


def parse_usb_id(text: str) -> tuple[int, int]:
    """``"096e:0703"`` → ``(0x096E, 0x0703)``; raises ValueError on anything else."""
    vendor, sep, product = text.partition(":")
    if not sep or len(vendor) != 4 or len(product) != 4:
        raise ValueError(f"USB id {text!r} is not vvvv:pppp in hexadecimal")
    return int(vendor, 16), int(product, 16)


JIT = KeyVendor(
    name="jit",
    label=text("key.vendor_jit"),
    usb_ids=(parse_usb_id("096e:0703"), parse_usb_id("096e:0603")),
    modules=(Path("/opt/jit/lib/libjitpkcs11.so"), Path("/usr/lib/libjitpkcs11.so")),
)
GDCA = KeyVendor(
    name="gdca",
    label="GDCA",
    usb_ids=(parse_usb_id("055c:e605"), parse_usb_id("055c:f603")),
    modules=(Path("/opt/gdca/lib/libgdcapkcs11.so"), Path("/usr/lib/libgdca_pkcs11.so")),
)
GENERIC = KeyVendor(
    name="generic",
    label=text("key.vendor_generic"),
    usb_ids=(),
    modules=(
        Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"),
        Path("/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so"),
    ),
)
SOFTHSM = KeyVendor(
    name="softhsm",
    label=text("key.vendor_demo"),
    usb_ids=(parse_usb_id("1d99:0001"),),
    modules=(Path("/usr/lib/softhsm/libsofthsm2.so"),),
)
DEFAULT_VENDORS: tuple[KeyVendor, ...] = (JIT, GDCA, GENERIC, SOFTHSM)


def merge_vendors(
    defaults: Iterable[KeyVendor], configured: Iterable[KeyVendor]
) -> tuple[KeyVendor, ...]:
    """The defaults with configured entries added; a configured name replaces its default."""
    merged = {vendor.name: vendor for vendor in defaults}
    for vendor in configured:
        merged[vendor.name] = vendor
    return tuple(merged.values())


def vendor_for(vendors: Iterable[KeyVendor], device: UsbDevice) -> KeyVendor | None:
    """The vendor whose key ``device`` is; None for anything else on the bus (ignored)."""
    return next((vendor for vendor in vendors if vendor.matches(device)), None)
