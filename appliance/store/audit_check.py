"""``appliance audit verify``: walks the hash chain and names the first entry that is wrong.

SQL triggers stop UPDATE and DELETE, but anyone with the file can drop them, so the
check trusts nothing but the hashes: an edited entry no longer hashes to its digest, a
removed one leaves a gap in ``seq`` and a dangling ``previous_hash``, swapped ones point
at the wrong neighbour. A cut tail is seen through SQLite's AUTOINCREMENT counter and the
mark of what the branch server already holds (which keeps its own copy of the chain).

The hashes alone are public: a forger who edits an entry and recomputes every later hash
passes them. With the box's verification key (``--verify-key``, held off the box) the
seals are checked too (:mod:`appliance.store.audit_seal`), and the first entry edited
before the box was taken is named: problem ``unsealed``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlite_utils

from appliance.store.audit import GENESIS, entry_hash
from appliance.store.audit_seal import check_seals


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: str  # hash of the last entry (GENESIS when empty)
    problem: str | None = None  # changed | removed | reordered | truncated | unsealed
    seq: int | None = None  # the first entry that does not verify
    detail: str = ""
    sealed: int = 0  # entries carrying a seal
    seals_checked: bool = False  # a verification key was given and every seal holds

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(db: sqlite_utils.Database, verify_key: bytes | None = None) -> ChainReport:
    """The chain's hashes, then (given the seed) its seals; the first problem found."""
    chain = _verify_hashes(db)
    sealed = db.execute("SELECT COUNT(*) FROM audit_log WHERE seal IS NOT NULL").fetchone()[0]
    chain = replace(chain, sealed=sealed)
    if not chain.intact or verify_key is None:
        return chain
    rows = db.execute("SELECT seq, hash, seal FROM audit_log ORDER BY seq").fetchall()
    problem = check_seals(rows, verify_key)
    if problem is None:
        return replace(chain, seals_checked=True)
    return replace(chain, problem="unsealed", seq=problem.seq, detail=problem.detail)


def _verify_hashes(db: sqlite_utils.Database) -> ChainReport:
    rows = db.execute(
        "SELECT seq, at, action, entry, previous_hash, hash FROM audit_log ORDER BY seq"
    ).fetchall()
    known = {row[5] for row in rows}
    previous, expected_seq, last_at = GENESIS, 1, ""
    for seq, at, action, entry, prev, digest in rows:
        if entry_hash(prev, at, action, entry) != digest:
            return ChainReport(
                len(rows),
                previous,
                "changed",
                seq,
                f"entry {seq} ({action}) does not hash to its digest",
            )
        if seq != expected_seq:
            return ChainReport(
                len(rows),
                previous,
                "removed",
                seq,
                f"entries {expected_seq} to {seq - 1} are missing",
            )
        if prev != previous:
            if prev in known or at < last_at:
                return ChainReport(
                    len(rows),
                    previous,
                    "reordered",
                    seq,
                    f"entry {seq} does not follow entry {seq - 1}",
                )
            return ChainReport(
                len(rows),
                previous,
                "changed",
                max(seq - 1, 1),
                f"entry {seq - 1} was rewritten (or one after it removed)",
            )
        previous, expected_seq, last_at = digest, seq + 1, at
    last_seq = expected_seq - 1
    issued = _highest_issued(db)
    if issued > last_seq:
        return ChainReport(
            len(rows),
            previous,
            "truncated",
            last_seq + 1,
            f"entries {last_seq + 1} to {issued} were removed from the end",
        )
    return ChainReport(len(rows), previous)


def _highest_issued(db: sqlite_utils.Database) -> int:
    """The highest ``seq`` ever handed out: AUTOINCREMENT's counter, or delivery's mark."""
    counter = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    delivered = db.execute("SELECT delivered_seq FROM audit_delivery WHERE id = 1").fetchone()
    return max(counter[0] if counter else 0, delivered[0] if delivered else 0)
