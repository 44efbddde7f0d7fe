"""Retention: personal fields of delivered submissions are blanked after N days.

Only the applicant's name, document number and phone go; the rest of the row stays,
so the statistics (per item type, operator and day) survive the purge. Rows that were
never delivered keep everything: they are still owed to the branch server.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlite_utils

from appliance.store.db import write_transaction
from appliance.store.outbox import stamp

PERSONAL_FIELDS = ("applicant_name", "id_number", "phone")


def purge_personal_fields(db: sqlite_utils.Database, now: datetime, days: int) -> int:
    """Blank the personal fields of rows delivered more than ``days`` ago; return how many."""
    cutoff = stamp(now - timedelta(days=days))
    with write_transaction(db):
        rows = db.execute(
            "SELECT o.seq, o.payload, s.id FROM outbox o JOIN submissions s "
            "ON s.id = o.submission_id WHERE o.state = 'delivered' AND o.delivered_at < ? "
            "AND s.purged_at IS NULL",
            [cutoff],
        ).fetchall()
        for seq, payload, submission_id in rows:
            body = json.loads(payload)
            # a signed payload is an envelope; its signature no longer matters once delivered
            (body.get("submission") or body).update(dict.fromkeys(PERSONAL_FIELDS))
            db.execute(
                "UPDATE outbox SET payload = ? WHERE seq = ?",
                [json.dumps(body, ensure_ascii=False, sort_keys=True), seq],
            )
            db.execute(
                "UPDATE submissions SET applicant_name = '', id_number = '', phone = NULL, "
                "purged_at = ? WHERE id = ?",
                [stamp(now), submission_id],
            )
    return len(rows)
