"""The Raspberry Pi's A/B switch in the terms of :mod:`appliance.updates.boot_slots`.

No I/O here. On the Pi image (images/build-image --arch arm64) partition 1 (``bootsel``)
holds only ``autoboot.txt``; slot a boots from partition 2 (``boot-a``), slot b from 3
(``boot-b``), each with its own ``cmdline.txt`` naming its root. The EEPROM bootloader
boots ``[all]``'s ``boot_partition``; after ``reboot "0 tryboot"`` it boots ``[tryboot]``'s
once (``tryboot_a_b=1``), and clears the flag as it does, so any later reset is back on
``[all]``'s. systemd-boot's counted entries map onto that::

    install into b      autoboot_text(default="a", trial="b"); reboot "0 tryboot"
    the trial boot      /proc/device-tree/chosen/bootloader/tryboot = 1, partition = 3
    bless (boot good)   autoboot_text(default="b", trial="a")
    rollback            nothing to do: the next reset boots [all], slot a

One try instead of systemd-boot's three. Not wired to ``appliance-update`` yet: Debian's
kernel cannot set the tryboot flag (images/README.md, "A/B updates on the Pi").
"""

from __future__ import annotations

from dataclasses import dataclass

BOOT_PARTITION = {"a": 2, "b": 3}
SLOT_OF_PARTITION = {number: slot for slot, number in BOOT_PARTITION.items()}


def autoboot_text(default: str, trial: str) -> str:
    """autoboot.txt booting ``default`` normally and ``trial`` once after a tryboot reboot."""
    return (
        "[all]\n"
        "tryboot_a_b=1\n"
        f"boot_partition={BOOT_PARTITION[default]}\n"
        "[tryboot]\n"
        f"boot_partition={BOOT_PARTITION[trial]}\n"
    )


def parse_autoboot(text: str) -> tuple[str | None, str | None]:
    """(default slot, trial slot) of an autoboot.txt; None where a section names none of
    the boot partitions (a trial slot equal to the default means no trial is set up)."""
    section = ""
    found: dict[str, str | None] = {"all": None, "tryboot": None}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif line.startswith("boot_partition=") and section in found:
            number = line.split("=", 1)[1].strip()
            found[section] = SLOT_OF_PARTITION.get(int(number)) if number.isdigit() else None
    return found["all"], found["tryboot"]


@dataclass(frozen=True)
class PiSlots:
    booted: str | None
    default: str | None
    on_trial: bool  # this boot is the firmware's one try of a new slot

    @property
    def blessed(self) -> bool:
        """The running slot is the one the firmware boots after any reset."""
        return self.booted is not None and self.booted == self.default


def pi_slots(autoboot: str, booted_partition: int | None, tryboot: bool) -> PiSlots:
    """What the box runs, from autoboot.txt and the firmware's device-tree notes
    (``chosen/bootloader/partition`` and ``chosen/bootloader/tryboot``)."""
    default, _trial = parse_autoboot(autoboot)
    booted = SLOT_OF_PARTITION.get(booted_partition) if booted_partition is not None else None
    return PiSlots(booted, default, tryboot and booted is not None and booted != default)
