"""Pinyin search keys of a Chinese name: full toneless pinyin and the initials.

pypinyin is imported on first use only: the sync process and the generators need it,
the kiosk reads keys already stored with each catalogue item.
"""

from __future__ import annotations


def pinyin_keys(text: str) -> tuple[str, str]:
    """``("zhufanggongjijintiqu", "zfgjjtq")`` for 住房公积金提取; other characters kept
    lower-case as they are (digits, Latin letters)."""
    from pypinyin import Style, lazy_pinyin

    syllables = [
        s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default") if s.strip()
    ]
    full = "".join(c for c in "".join(syllables) if c.isalnum()).replace("ü", "v")
    initials = "".join(s[0] for s in syllables if s[0].isalnum())
    return full, initials
