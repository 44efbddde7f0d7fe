"""Sealed audit entries: forward-secure sealing of the hash chain (issue 18).

The hash chain alone is public: anyone with the database can edit an entry and recompute
every later hash. So each entry also carries a *seal*, an HMAC-SHA256 of its ``seq`` and
chain hash under a key that evolves one way after every entry, as systemd-journald's
Forward Secure Sealing does at its intervals::

    seed       = 20 random bytes, made when the box seals its first entry
    key_0      = SHA-256("appliance-audit-evolve" || seed)
    key_{i+1}  = SHA-256("appliance-audit-evolve" || key_i)
    seal(seq)  = HMAC-SHA256(key_{seq - first_seq}, "<seq>\\n<hash>")

The box keeps only the key of the next entry, in a small file beside the database
(``audit-seal.key``) overwritten in place and synced once the entry's transaction has
committed: not in SQLite, whose WAL and free pages would keep old keys for a while. The
database keeps where sealing began (table ``audit_seal``).

The seed is the *verification key*, held off the box: until the branch server has it
(the sync hands it over at the box's first registration, :mod:`appliance.sync.audit_delivery`)
it waits in ``audit-verify-key.txt``, which ``appliance audit verify-key`` prints for
网建办; once the server holds it the file is overwritten with zeros and removed. With the
seed anyone can derive every key and check every seal; with the box's current key an
attacker can seal only entries from now on.

The verification key is written in RFC 4648 base32 in groups of four (``ABCD-EFGH-…``),
32 characters for the seed and 4 of check (20 bits of SHA-256 over the seed), so a
mistyped character is caught before it is used; 0, 1 and 8 read as O, I and B.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import logging
import os
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlite_utils

from appliance import log
from appliance.store.db import AUDIT_KEY_FILES, SHARED_MODE, after_commit

SEED_BYTES = 20
EVOLVE = b"appliance-audit-evolve"
CHECK = b"appliance-audit-verify-key"
CHECK_CHARS = 4
GROUP = 4
CONFUSABLE = str.maketrans({"0": "O", "1": "I", "8": "B"})


class BadVerifyKey(ValueError):
    """The verification key as typed is not one: wrong length, letters or check."""


def evolve(key: bytes) -> bytes:
    """The next key; the previous one cannot be found from it."""
    return hashlib.sha256(EVOLVE + key).digest()


def seal(key: bytes, seq: int, digest: str) -> str:
    return hmac.new(key, f"{seq}\n{digest}".encode(), hashlib.sha256).hexdigest()


def encode_verify_key(seed: bytes) -> str:
    """The seed as a person types it: base32 in groups of four, with a check group."""
    body = base64.b32encode(seed).decode().rstrip("=")
    check = base64.b32encode(hashlib.sha256(CHECK + seed).digest()).decode()[:CHECK_CHARS]
    text = body + check
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def decode_verify_key(text: str) -> bytes:
    """The seed from its typed form (case, spaces and dashes do not matter)."""
    cleaned = "".join(c for c in text.upper() if c.isalnum()).translate(CONFUSABLE)
    length = -(-SEED_BYTES * 8 // 5)  # base32 characters of the seed
    if len(cleaned) != length + CHECK_CHARS:
        raise BadVerifyKey(
            f"a verification key has {length + CHECK_CHARS} letters and digits, "
            f"this one {len(cleaned)}"
        )
    body = cleaned[:length]
    try:
        seed = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        raise BadVerifyKey("a verification key holds only A-Z and 2-7") from None
    if encode_verify_key(seed).replace("-", "") != cleaned:
        raise BadVerifyKey("the check group does not match: a character is mistyped")
    return seed


KEY_FILE, HANDOVER_FILE = AUDIT_KEY_FILES  # beside the database; made 0660
_MAGIC = b"ASK1"
_KEY_RECORD = struct.Struct(">4sQ32s4s")  # magic, next seq, key, check
FILE_MODE = SHARED_MODE  # the kiosk and the sync both seal, through their shared group


def _record(next_seq: int, key: bytes) -> bytes:
    body = _MAGIC + next_seq.to_bytes(8, "big") + key
    return _KEY_RECORD.pack(_MAGIC, next_seq, key, hashlib.sha256(body).digest()[:4])


def _parse(raw: bytes) -> tuple[int, bytes] | None:
    if len(raw) != _KEY_RECORD.size:
        return None
    magic, next_seq, key, check = _KEY_RECORD.unpack(raw)
    if magic != _MAGIC or _record(next_seq, key)[-4:] != check:
        return None
    return next_seq, key


def _open_shared(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    if os.fstat(fd).st_uid == os.geteuid():
        os.fchmod(fd, FILE_MODE)  # os.open's mode was cut by the umask
    return fd


def read_key_state(folder: Path) -> tuple[int, bytes] | None:
    """(next seq, its key) from the key file; None when missing or torn. Read under a
    shared lock: the other service may be moving it on just then."""
    try:
        fd = os.open(folder / KEY_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        return _parse(os.pread(fd, _KEY_RECORD.size + 1, 0))
    finally:
        os.close(fd)


def write_key_state(folder: Path, next_seq: int, key: bytes, *, seeding: bool = False) -> None:
    """Overwrite the key file in place with a later key (never an earlier one, unless
    ``seeding`` a new chain of keys), synced."""
    try:
        fd = _open_shared(folder / KEY_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            held = _parse(os.pread(fd, _KEY_RECORD.size, 0))
            if held is not None and held[0] >= next_seq and not seeding:
                return  # another process already moved it on
            os.pwrite(fd, _record(next_seq, key), 0)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        log.event("audit.seal_key", logging.ERROR, outcome="failure", error=type(error).__name__)


def _folder(db: sqlite_utils.Database) -> Path | None:
    rows = db.execute("PRAGMA database_list").fetchall()
    name = next((row[2] for row in rows if row[1] == "main"), "")
    return Path(name).parent if name else None


def seal_entry(db: sqlite_utils.Database, seq: int, digest: str, at: datetime) -> str | None:
    """The seal of entry ``seq``, inside the append's transaction; once it commits, the
    key file moves on past it. None when the box cannot seal (its key file lost or torn:
    the entry goes unsealed, which the verification then names).

    The first entry ever sealed makes the seed and leaves it for the handover.
    """
    folder = _folder(db)
    if folder is None:
        return None  # an in-memory database: nothing to seal for
    begun = db.execute("SELECT first_seq FROM audit_seal WHERE id = 1").fetchone()
    if begun is None:
        seed = os.urandom(SEED_BYTES)
        db.execute(
            "INSERT INTO audit_seal (id, first_seq, created_at) VALUES (1, ?, ?)",
            [seq, at.isoformat()],
        )
        _write_handover(folder, encode_verify_key(seed), seq)
        key_seq, key = seq, evolve(seed)
        write_key_state(folder, seq, key, seeding=True)  # rolled back: a new seed next time
    else:
        state = read_key_state(folder)
        if state is None or state[0] > seq:
            log.event(
                "audit.seal_key",
                logging.ERROR,
                outcome="failure",
                reason="missing" if state is None else "ahead",
                seq=seq,
            )
            return None
        key_seq, key = state
    while key_seq < seq:  # entries committed by a process that died before moving it on
        key, key_seq = evolve(key), key_seq + 1
    sealed = seal(key, seq, digest)
    following = evolve(key)
    after_commit(db, lambda: write_key_state(folder, seq + 1, following))
    return sealed


def _write_handover(folder: Path, key: str, first_seq: int) -> None:
    fd = _open_shared(folder / HANDOVER_FILE)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{key}\n{first_seq}\n".encode(), 0)
        os.fsync(fd)
    finally:
        os.close(fd)


def handover_key(db: sqlite_utils.Database) -> tuple[str, int] | None:
    """The verification key and first sealed ``seq`` the branch server does not hold yet."""
    folder = _folder(db)
    if folder is None:
        return None
    try:
        key, first_seq = (folder / HANDOVER_FILE).read_text(encoding="ascii").split()
        return key, int(first_seq)
    except (FileNotFoundError, ValueError):
        return None


def forget_handover(db: sqlite_utils.Database) -> None:
    """The branch server holds the verification key: the box's copy is overwritten with
    zeros, synced and removed."""
    folder = _folder(db)
    if folder is None:
        return
    path = folder / HANDOVER_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        os.pwrite(fd, b"\0" * os.fstat(fd).st_size, 0)
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)


@dataclass(frozen=True)
class SealProblem:
    seq: int | None
    detail: str


def check_seals(rows: list[tuple[int, str, str | None]], seed: bytes) -> SealProblem | None:
    """``rows`` are (seq, hash, seal) in ``seq`` order; None when every seal holds.

    The first sealed entry must be sealed with the seed itself and every entry after it
    with the key of its place (``seq`` minus the first sealed ``seq`` steps on): an entry
    edited before the attack (its hash recomputed), a seal stripped, a seal made with a
    later key, all name the entry. Entries before the first seal predate sealing (an
    upgraded box); the first seal covers their hashes through its chain hash.
    """
    first = next((i for i, row in enumerate(rows) if row[2] is not None), None)
    if first is None:
        return SealProblem(rows[-1][0] if rows else None, "no entry is sealed")
    key_seq, key = rows[first][0], evolve(seed)
    for seq, digest, sealed in rows[first:]:
        if sealed is None:
            return SealProblem(seq, f"entry {seq} has lost its seal")
        while key_seq < seq:
            key, key_seq = evolve(key), key_seq + 1
        if not hmac.compare_digest(seal(key, seq, digest), sealed):
            return SealProblem(
                seq,
                f"entry {seq} is not sealed by the key of its time "
                "(written or rewritten without the box's key of that time)",
            )
    return None
