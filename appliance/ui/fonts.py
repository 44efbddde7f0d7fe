"""The CJK font: Kivy renders every label with it, so it must exist before any widget.

Debian ships Noto CJK as a collection whose first face is Japanese; Kivy's SDL2 text
provider always opens the first face, so the Simplified Chinese face is extracted once
into the data directory.
"""

from __future__ import annotations

from pathlib import Path

from appliance.errors import StartupError


def prepare_cjk_font(font_path: Path, face_index: int, cache_dir: Path) -> Path:
    """Return a single-face font file Kivy can use; raise StartupError naming what is missing."""
    if not font_path.is_file():
        raise StartupError(
            f"CJK font {font_path} is missing: install it (apt-get install fonts-noto-cjk) "
            "or set ui.font_path"
        )
    if font_path.suffix.lower() not in {".ttc", ".otc"}:
        return font_path
    target = cache_dir / f"{font_path.stem}-{face_index}.otf"
    if target.is_file() and target.stat().st_mtime >= font_path.stat().st_mtime:
        return target
    from fontTools.ttLib import TTFont

    try:
        face = TTFont(font_path, fontNumber=face_index, lazy=True)
    except Exception as exc:
        raise StartupError(
            f"CJK font {font_path} has no face {face_index} ({exc}): check ui.font_index"
        ) from None
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    face.save(partial)
    partial.replace(target)
    return target
