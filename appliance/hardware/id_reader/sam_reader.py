"""The SAM module's commands over a :class:`~.serial_link.SamLink` (the ``IdReader`` port).

Choices where the protocol documents and the readers on sale disagree, or the documents
leave room (each is what the modules on sale answer, as vendors' sample code and captured
exchanges show):

- Find card (20 01) answers ``00 00 9F`` with four data bytes, documented as the card's
  IIN; readers send ``00 00 00 00``. Any data is accepted and ignored.
- Select card (20 02) answers ``00 00 90`` with eight bytes (the card's serial number in
  some documents, zeros from the modules); ignored likewise.
- Statuses are decided by SW3 alone. Some documents list failures as ``XX XX 41``: SW1
  SW2 relay the card's own status there; they are kept for the error's detail.
- Read base information (30 01) answers two big-endian lengths, text then photo (``01 00
  04 00``: 256 and 1024), then the text and the photo. Lengths that do not add up to the
  data received are a damaged answer, not a guess at the layout.
- The SAM id (12 FF, 16 data bytes) is shown as readers' utilities print it: byte 0 and
  byte 2 as two-digit numbers, then three little-endian 32-bit numbers from byte 4, 8 and
  12, the last two zero-padded to ten digits: ``05.01-20200101-0000000001-0123456789``.
- A module answering ``00 00 10``/``00 00 11`` (it received our frame damaged) is sent
  the command once more.

The photo (1024 bytes, wlt-compressed and encrypted) can only be decoded with the
reader vendor's licensed library (WltRS/libwlt); the appliance keeps no photo: it is
dropped as soon as the answer is checked.
"""

from __future__ import annotations

from appliance.hardware.id_reader.discovery import PortLister, find_reader_port, serial_ports
from appliance.hardware.id_reader.frames import Answer, Command
from appliance.hardware.id_reader.port import DamagedAnswer, SamError
from appliance.hardware.id_reader.serial_link import SamLink, SerialLink
from appliance.hardware.id_reader.status import RESEND, SamStatus

SAM_STATUS = Command(0x11, 0xFF)
SAM_ID = Command(0x12, 0xFF)
FIND_CARD = Command(0x20, 0x01)
SELECT_CARD = Command(0x20, 0x02)
READ_BASE_INFO = Command(0x30, 0x01)

TEXT_LENGTH = 256


class SamReader:
    def __init__(self, link: SamLink, timeout_s: float = 1.0, read_timeout_s: float = 3.0) -> None:
        self.link = link
        self.device = link.device
        self.timeout_s = timeout_s
        self.read_timeout_s = read_timeout_s

    def sam_status(self) -> None:
        self._expect(SAM_STATUS, SamStatus.SUCCESS)

    def sam_id(self) -> str:
        return format_sam_id(self._expect(SAM_ID, SamStatus.SUCCESS).data)

    def find_card(self) -> bool:
        answer = self._send(FIND_CARD)
        if answer.sw3 == SamStatus.CARD_FOUND:
            return True
        if answer.sw3 == SamStatus.NO_CARD:
            return False
        raise SamError(str(FIND_CARD), answer.sw1, answer.sw2, answer.sw3)

    def select_card(self) -> None:
        self._expect(SELECT_CARD, SamStatus.SUCCESS)

    def read_base_info(self) -> bytes:
        answer = self._expect(READ_BASE_INFO, SamStatus.SUCCESS, self.read_timeout_s)
        return base_info_text(answer.data)

    def close(self) -> None:
        self.link.close()

    def _expect(
        self, command: Command, status: SamStatus, timeout_s: float | None = None
    ) -> Answer:
        answer = self._send(command, timeout_s)
        if answer.sw3 != status:
            raise SamError(str(command), answer.sw1, answer.sw2, answer.sw3)
        return answer

    def _send(self, command: Command, timeout_s: float | None = None) -> Answer:
        timeout = self.timeout_s if timeout_s is None else timeout_s
        answer = self.link.exchange(command, timeout)
        if answer.sw3 in RESEND:
            answer = self.link.exchange(command, timeout)
        return answer


def base_info_text(data: bytes) -> bytes:
    """The text of a 30 01 answer's data; the photo after it is not kept."""
    if len(data) < 4:
        raise DamagedAnswer(f"read base information: {len(data)} data bytes, no lengths")
    text_length = int.from_bytes(data[0:2], "big")
    photo_length = int.from_bytes(data[2:4], "big")
    if text_length < TEXT_LENGTH or 4 + text_length + photo_length != len(data):
        raise DamagedAnswer(
            f"read base information: lengths {text_length}+{photo_length} "
            f"do not fit {len(data) - 4} data bytes"
        )
    return bytes(data[4 : 4 + text_length])


def format_sam_id(data: bytes) -> str:
    if len(data) < 16:
        return data.hex().upper() or "unknown"
    first, second = data[0], data[2]
    numbers = [int.from_bytes(data[at : at + 4], "little") for at in (4, 8, 12)]
    return f"{first:02d}.{second:02d}-{numbers[0]}-{numbers[1]:010d}-{numbers[2]:010d}"


def sam_id_bytes(sam_id: str) -> bytes:
    """The 16 data bytes of a 12 FF answer that :func:`format_sam_id` shows as ``sam_id``
    (the simulated module answers with them)."""
    head, date, second, third = sam_id.split("-")
    major, minor = head.split(".")
    return bytes([int(major), 0, int(minor), 0]) + b"".join(
        int(n).to_bytes(4, "little") for n in (date, second, third)
    )


def open_sam_reader(
    device: str | None,
    baudrate: int,
    timeout_s: float,
    read_timeout_s: float,
    exclude: tuple[str, ...] = (),
    ports: PortLister = serial_ports,
) -> SamReader:
    """The reader at ``device``, or on the one known USB-serial adapter when None."""
    path = device if device is not None else find_reader_port(ports(), exclude)
    return SamReader(SerialLink.open(path, baudrate), timeout_s, read_timeout_s)
