"""The host end of the box's USB-serial receipt printer in the VM.

QEMU presents an FTDI USB-serial adapter to the box (``-device usb-serial``; ftdi_sio in
the guest kernel) and connects its other end to this UNIX socket, where the project's
simulated ESC/POS printer answers status queries and collects the job bytes.
"""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from appliance_dev.sim.escpos_device import EscposDevice  # noqa: E402


class SerialPrinter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.device = EscposDevice()
        self.received = 0
        path.unlink(missing_ok=True)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            self.device.new_connection()
            with connection:
                while chunk := connection.recv(4096):
                    self.received += len(chunk)
                    if reply := self.device.feed(chunk):
                        connection.sendall(reply)

    @property
    def status_queries(self) -> int:
        return len(self.device.queries)

    def close(self) -> None:
        self._server.close()
        self.path.unlink(missing_ok=True)
