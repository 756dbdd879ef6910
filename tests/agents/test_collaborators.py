"""Components holding the Mesa model read nothing of it (issue 5, acceptance 3).

Mesa agents and the components that create them are constructed with the Mesa model, which
they may hold to register agents; nothing may read attributes of it. ``RegionModel`` itself
is the one place that wires the model's parts together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p
    for folder in ("model", "agents")
    for p in (ROOT / folder).glob("*.py")
    if p.name != "region_model.py"
)


def is_self_model(node: ast.AST) -> bool:
    """``self.model``."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "model"
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def model_reads(path: Path) -> list[str]:
    """Uses of the Mesa model in one source file other than passing it on, as ``line: use``.

    Allowed: storing it (``self.model = model``) and passing ``self.model`` as an argument
    (to a Mesa agent's constructor). Flagged: every other ``self.model`` (reading an
    attribute of it, aliasing it) and ``getattr(x, "model")``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    passed = {
        id(arg)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for arg in node.args
        if is_self_model(arg)
    }
    found = []
    for node in ast.walk(tree):
        if is_self_model(node) and isinstance(node.ctx, ast.Load) and id(node) not in passed:
            found.append(f"{node.lineno}: self.model")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "model"
        ):
            found.append(f"{node.lineno}: getattr(..., 'model')")
    return found


def test_the_sources_are_found():
    names = {p.name for p in SOURCES}
    assert {"events.py", "entrepreneurship.py", "entrepreneur.py", "firm.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_component_reads_the_model(path):
    assert model_reads(path) == [], f"{path.relative_to(ROOT)} reads the model"
