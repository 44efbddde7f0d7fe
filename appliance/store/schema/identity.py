"""Schema for how an applicant's identity was established (issue 14): where the document
number came from, the card's validity on the day it was read, and the clerk's explicit
choice to accept a card that was not valid (仍然受理).

Rows stored before this migration keep NULL: the box did not record it then.
"""

from __future__ import annotations

import sqlite_utils

IDENTITY_SCHEMA = """
ALTER TABLE submissions ADD COLUMN id_source TEXT
    CHECK (id_source IS NULL OR id_source IN ('typed', 'card', 'appointment'));
ALTER TABLE submissions ADD COLUMN card_validity TEXT
    CHECK (card_validity IS NULL OR card_validity IN ('valid', 'expired', 'not_yet_valid'));
ALTER TABLE submissions ADD COLUMN validity_override INTEGER NOT NULL DEFAULT 0
    CHECK (validity_override IN (0, 1))
"""


def identity_columns(db: sqlite_utils.Database) -> None:
    """Migration: id_source, card_validity and validity_override on submissions."""
    for statement in IDENTITY_SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
