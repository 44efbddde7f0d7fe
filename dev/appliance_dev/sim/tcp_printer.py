"""A network receipt printer on 127.0.0.1: raw TCP like port 9100, one client at a time.

Backed by :class:`EscposDevice`, so it answers DLE EOT and collects job bytes; it can
also drop the connection after a number of job bytes, like a printer switched off
mid-slip.
"""

from __future__ import annotations

import socket
import struct
import threading

from appliance_dev.sim.escpos_device import EscposDevice

RECV_BYTES = 65536


class TcpPrinter:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.device = EscposDevice()
        self.drop_after: int | None = None  # job bytes received before hanging up
        self.connections = 0
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.1)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tcp-printer", daemon=True)
        self._thread.start()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.getsockname()[:2]
        return host, port

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=2)
        self._server.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self.device.new_connection()
            with client:
                self._talk(client)

    def _talk(self, client: socket.socket) -> None:
        client.settimeout(0.1)
        while not self._stopping.is_set():
            try:
                data = client.recv(RECV_BYTES)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            replies = self.device.feed(data)
            if self.drop_after is not None and len(self.device.job) >= self.drop_after:
                self.drop_after = None
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return  # closed with a reset: the host's next send or recv fails
            if replies:
                client.sendall(replies)
