"""The wording catalogue (appliance/wording.py) holds every Chinese sentence of the runtime
package: its placeholders are named, the ids the code asks for exist and are all used,
and no Chinese literal is left anywhere else."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

from appliance.wording import ZH

PACKAGE = Path(__file__).resolve().parents[1] / "appliance"
CATALOGUE = PACKAGE / "wording.py"
# Folders whose Chinese is not in the catalogue yet: the kiosk's screens (a later pass)
# and the development-only packages (their Chinese is sample data; they are moving out).
NOT_YET_CATALOGUED: tuple[str, ...] = ("appliance/ui/",)
ID = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
# CJK Unified Ideographs (with extension A and the compatibility block), CJK Symbols and
# Punctuation (、。「」　), and the full-width forms (，：（）).
CHINESE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def _modules() -> Iterator[tuple[str, ast.Module]]:
    """Every module of the package but the catalogue, named by its path in the repository."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path != CATALOGUE:
            name = path.relative_to(PACKAGE.parent).as_posix()
            yield name, ast.parse(path.read_text(), name)


def _lookups(tree: ast.Module) -> Iterator[ast.expr]:
    """The id argument of every ``text(id, ...)`` and ``ZH[id]`` of the catalogue's."""
    text_names, zh_names, module_names = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "appliance.wording":
            for alias in node.names:
                {"text": text_names, "ZH": zh_names}.get(alias.name, set()).add(
                    alias.asname or alias.name
                )
        elif isinstance(node, ast.ImportFrom) and node.module == "appliance":
            module_names |= {a.asname or a.name for a in node.names if a.name == "wording"}
        elif isinstance(node, ast.Import):
            module_names |= {
                a.asname for a in node.names if a.name == "appliance.wording" and a.asname
            }

    def refers(expr: ast.expr, names: set[str], attribute: str) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in names
        return (
            isinstance(expr, ast.Attribute)
            and expr.attr == attribute
            and isinstance(expr.value, ast.Name)
            and expr.value.id in module_names
        )

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and refers(node.func, text_names, "text") and node.args:
            yield node.args[0]
        elif isinstance(node, ast.Subscript) and refers(node.value, zh_names, "ZH"):
            yield node.slice


def _documentation(tree: ast.Module) -> set[int]:
    """The string statements (docstrings and the like): read by developers, not users."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }


def test_ids_are_area_dot_what_and_placeholders_are_named() -> None:
    bad_ids = [key for key in ZH if not ID.fullmatch(key)]
    unnamed = [
        (key, field)
        for key, sentence in ZH.items()
        for _, field, _, _ in string.Formatter().parse(sentence)
        if field is not None and not field.isidentifier()
    ]
    assert not bad_ids, f"ids not of the form area.what: {bad_ids}"
    assert not unnamed, f"placeholders without a name: {unnamed}"


def test_every_id_used_exists_and_every_entry_is_used() -> None:
    used: set[str] = set()
    problems = []
    for name, tree in _modules():
        for key in _lookups(tree):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                problems.append(f"{name}:{key.lineno}: the id is not a literal")
            elif key.value not in ZH:
                problems.append(f"{name}:{key.lineno}: no entry {key.value!r}")
            else:
                used.add(key.value)
    assert not problems, "\n".join(problems)
    assert not set(ZH) - used, f"entries no code uses: {sorted(set(ZH) - used)}"


def test_no_chinese_literal_outside_the_catalogue() -> None:
    found = []
    for name, tree in _modules():
        if name.startswith(NOT_YET_CATALOGUED):
            continue
        documentation = _documentation(tree)
        found += [
            f"{name}:{node.lineno}: {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in documentation
            and CHINESE.search(node.value)
        ]
    assert not found, "Chinese outside appliance/wording.py:\n" + "\n".join(found)
