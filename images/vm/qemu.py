"""One appliance box in QEMU: power, serial console, screen and USB ports.

amd64: q35, OVMF, TCG, the disk's own ESP and systemd-boot. arm64: ``virt`` with a
Cortex-A72 (the Pi 4's core) under TCG and a virtio GPU; QEMU cannot run the Pi's boot
firmware, so the slot's kernel, initrd and command line, read from the image's boot
partition (what the Pi firmware would load), are booted directly.

Everything is driven from the outside: the serial console is a file, the screen comes
from the monitor's ``screendump``, and USB sticks are plugged in and pulled through QMP
like a person would at the counter.

A guest reboot ends QEMU (``-action reboot=shutdown``) and the host starts it again, cold,
on the same disk and firmware variables: one run in three hung in OVMF after a warm reset
under TCG, while cold starts (every power cut) never did.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
SCREEN = (1280, 800)


class VmError(RuntimeError):
    """The box did not do what the test waited for; the message says what and where."""


@dataclass
class VmSpec:
    disk: Path
    workdir: Path
    memory_mib: int = 2048
    cpus: int = 2
    serial_printer_socket: Path | None = None  # host end of the box's USB-serial printer
    extra_args: list[str] = field(default_factory=list)
    arch: str = "amd64"
    # arm64 only: booted directly, as the Pi firmware would from the slot's boot partition.
    kernel: Path | None = None
    initrd: Path | None = None
    append: str = ""


def kvm_works() -> bool:
    """KVM only where asked for: nested KVM opens here but hangs OVMF before the display."""
    return os.environ.get("APPLIANCE_VM_KVM") == "1" and os.access("/dev/kvm", os.W_OK)


class Vm:
    def __init__(self, spec: VmSpec, name: str = "box") -> None:
        self.spec = spec
        self.name = name
        self.serial_log = spec.workdir / f"{name}-serial.log"
        self.qmp_path = spec.workdir / f"{name}-qmp.sock"
        self.vars = spec.workdir / f"{name}-OVMF_VARS.fd"
        self.process: subprocess.Popen[bytes] | None = None
        self.powered_on_at = 0.0
        self._qmp: socket.socket | None = None
        self._qmp_buffer = b""
        self._serial_offset = 0
        self._launch_offset = 0  # serial log size when QEMU last started
        self.cold_restarts = 0

    def command(self) -> list[str]:
        args = self._arm64_machine() if self.spec.arch == "arm64" else self._amd64_machine()
        return args + self._ports()

    def _arm64_machine(self) -> list[str]:
        spec = self.spec
        if spec.kernel is None or spec.initrd is None:
            raise VmError("an arm64 box needs the slot's kernel and initrd")
        return [
            "qemu-system-aarch64",
            "-machine",
            "virt,accel=tcg",
            "-cpu",
            "cortex-a72",
            "-smp",
            str(spec.cpus),
            "-m",
            str(spec.memory_mib),
            "-kernel",
            str(spec.kernel),
            "-initrd",
            str(spec.initrd),
            "-append",
            spec.append,
            "-drive",
            f"file={spec.disk},format=raw,if=none,id=disk,cache=unsafe",
            "-device",
            "virtio-blk-pci,drive=disk",
            "-device",
            f"virtio-gpu-pci,edid=on,xres={SCREEN[0]},yres={SCREEN[1]}",
            "-display",
            "none",
        ]

    def _amd64_machine(self) -> list[str]:
        spec = self.spec
        accel = "kvm" if kvm_works() else "tcg"
        return [
            "qemu-system-x86_64",
            "-machine",
            f"q35,accel={accel}",
            "-cpu",
            "host" if accel == "kvm" else "max",
            "-smp",
            str(spec.cpus),
            "-m",
            str(spec.memory_mib),
            "-drive",
            f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
            "-drive",
            f"if=pflash,format=raw,unit=1,file={self.vars}",
            "-drive",
            f"file={spec.disk},format=raw,if=none,id=disk,cache=unsafe",
            "-device",
            "virtio-blk-pci,drive=disk",
            "-vga",
            "none",
            "-device",
            f"VGA,edid=on,xres={SCREEN[0]},yres={SCREEN[1]}",
            "-display",
            "none",
        ]

    def _ports(self) -> list[str]:
        spec = self.spec
        args = [
            "-device",
            "qemu-xhci,id=xhci",
            # A network that leaves nothing: DHCP for the box, no route out of the VM.
            "-nic",
            "user,model=virtio-net-pci,restrict=on",
            "-chardev",
            f"file,id=console,path={self.serial_log},append=on",
            "-serial",
            "chardev:console",
            "-qmp",
            f"unix:{self.qmp_path},server=on,wait=off",
            "-action",
            "reboot=shutdown",
        ]
        if spec.serial_printer_socket is not None:
            args += [
                "-chardev",
                f"socket,id=printer,path={spec.serial_printer_socket},reconnect=2",
                "-device",
                "usb-serial,bus=xhci.0,chardev=printer",
            ]
        return args + spec.extra_args

    def power_on(self) -> None:
        if self.spec.arch == "amd64" and not self.vars.exists():
            shutil.copyfile(OVMF_VARS, self.vars)
        self.serial_log.touch()
        self._serial_offset = self.serial_log.stat().st_size
        self.powered_on_at = time.monotonic()
        self._launch()

    def _launch(self) -> None:
        self.qmp_path.unlink(missing_ok=True)
        self._launch_offset = self.serial_log.stat().st_size
        log = (self.spec.workdir / f"{self.name}-qemu.log").open("ab")
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=log, stdin=subprocess.DEVNULL
        )
        self._connect_qmp()

    def _connect_qmp(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.connect(str(self.qmp_path))
                break
            except OSError:
                sock.close()
                self.supervise()
                if time.monotonic() > deadline:
                    raise VmError("QEMU's monitor socket never appeared") from None
                time.sleep(0.2)
        self._qmp, self._qmp_buffer = sock, b""
        self._read_qmp()  # greeting
        self.qmp("qmp_capabilities")

    def _read_qmp(self) -> dict:
        assert self._qmp is not None
        while b"\n" not in self._qmp_buffer:
            chunk = self._qmp.recv(65536)
            if not chunk:
                raise VmError("QEMU closed its monitor")
            self._qmp_buffer += chunk
        line, self._qmp_buffer = self._qmp_buffer.split(b"\n", 1)
        return json.loads(line)

    def qmp(self, execute: str, **arguments: object) -> object:
        """One monitor command; if the guest rebooted meanwhile, sent again after the
        cold restart."""
        try:
            return self._qmp_once(execute, arguments)
        except (OSError, VmError):
            if self.process is None or self._exit_code(timeout_s=30) != 0:
                raise
        self.supervise()
        return self._qmp_once(execute, arguments)

    def _exit_code(self, timeout_s: float) -> int | None:
        assert self.process is not None
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def _qmp_once(self, execute: str, arguments: dict[str, object]) -> object:
        assert self._qmp is not None
        self._qmp.sendall(json.dumps({"execute": execute, "arguments": arguments}).encode())
        while True:
            reply = self._read_qmp()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise VmError(f"QMP {execute}: {reply['error'].get('desc')}")

    def supervise(self) -> None:
        """Call while waiting: starts QEMU again after a guest reboot, raises if it
        stopped any other way."""
        if self.process is None or self.process.poll() is None:
            return
        since_launch = self._serial_tail(self._launch_offset)
        if self.process.returncode == 0 and "reboot: Power down" not in since_launch:
            if self._qmp is not None:
                self._qmp.close()
            self.cold_restarts += 1
            self._launch()
            return
        raise VmError(
            f"QEMU exited with {self.process.returncode}; "
            f"see {self.spec.workdir / (self.name + '-qemu.log')}"
        )

    def seconds_since_power_on(self) -> float:
        return time.monotonic() - self.powered_on_at

    def serial_text(self) -> str:
        """The console output since the last power-on (or :meth:`mark_boot`)."""
        return self._serial_tail(self._serial_offset)

    def _serial_tail(self, offset: int) -> str:
        with self.serial_log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    def mark_boot(self) -> None:
        """The box reboots by itself from here: what follows is the next boot's."""
        self._serial_offset = self.serial_log.stat().st_size

    def boots(self, text: str) -> int:
        """Boots in ``text``: OVMF announces each one on the console; an arm64 box's
        kernel, booted directly, its first line."""
        if self.spec.arch == "arm64":
            return text.count("Booting Linux on physical CPU")
        return text.count("BdsDxe: starting Boot")

    def wait_serial(self, pattern: str, timeout_s: float, since: int = 0) -> re.Match[str]:
        """The first match of ``pattern`` after character ``since`` of :meth:`serial_text`."""
        deadline = time.monotonic() + timeout_s
        regex = re.compile(pattern, re.MULTILINE)
        while True:
            if match := regex.search(self.serial_text(), since):
                return match
            self.supervise()
            if time.monotonic() > deadline:
                raise VmError(
                    f"no {pattern!r} on the serial console after {timeout_s:.0f} s; "
                    f"see {self.serial_log}"
                )
            time.sleep(1)

    def screendump(self, png: Path) -> Path:
        """The box's screen as a PNG (QEMU writes PPM; converted for people to look at)."""
        ppm = png.with_suffix(".ppm")
        self.qmp("screendump", filename=str(ppm))
        Image.open(ppm).save(png)
        ppm.unlink()
        return png

    def plug_usb_stick(self, image: Path, stick_id: str = "stick") -> None:
        self.qmp(
            "blockdev-add",
            **{
                "node-name": stick_id,
                "driver": "raw",
                "read-only": True,
                "file": {"driver": "file", "filename": str(image), "read-only": True},
            },
        )
        self.qmp(
            "device_add",
            driver="usb-storage",
            id=f"{stick_id}-dev",
            drive=stick_id,
            bus="xhci.0",
            removable=True,
        )

    def pull_usb_stick(self, stick_id: str = "stick") -> None:
        self.qmp("device_del", id=f"{stick_id}-dev")
        time.sleep(2)
        self.qmp("blockdev-del", **{"node-name": stick_id})

    def cut_power(self) -> None:
        """Pull the plug: no shutdown, nothing flushed by the guest."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        if self._qmp is not None:
            self._qmp.close()
            self._qmp = None

    def __enter__(self) -> Vm:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.cut_power()
