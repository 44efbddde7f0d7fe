"""Every sentence a clerk, an applicant (on the receipt) or branch IT reads, in one place.

Simplified Chinese, keyed by a stable id (``area.what``); placeholders are named
(``{version}``), never positional, so a reviewer sees what goes where. Code refers to
ids through :func:`text`; English for logs and the command line stays beside the code
that writes it. A test fails on a Chinese literal anywhere else in the runtime package.

Why a module and not a gettext ``zh_CN`` catalogue: the box speaks one language, the
reviewers (branch IT, the hall's managers) read one file, and a missing id fails in the
tests instead of silently falling back to the id.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # --- shared -----------------------------------------------------------------------
    "common.call_it": "请联系网建办",

    # --- devices, diagnostics, updates, provisioning, receipts (outside ui/) ------------

    # --- end of the outside-ui section ----------------------------------------------------

    # --- the kiosk's screens (ui/) ------------------------------------------------------

    # --- end of the ui section ------------------------------------------------------------
}


def text(key: str, **fields: object) -> str:
    """The sentence ``key`` with its named placeholders filled in."""
    return ZH[key].format(**fields)
