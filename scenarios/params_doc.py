"""The parameter tables of ``docs/ODD.md``, generated from the schema (the one home of defaults).

Run ``python -m scenarios.params_doc`` to print them; a test checks that ODD.md holds
exactly this text between its ``<!-- parameters -->`` markers.
"""

from __future__ import annotations

from pydantic import BaseModel

from scenarios import schema

SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("market", schema.MarketParams),
    ("firms", schema.FirmParams),
    ("labour", schema.LabourParams),
    ("entrepreneurs", schema.EntrepreneurParams),
    ("institutions", schema.InstitutionParams),
    ("policy", schema.PolicyParams),
    ("policy.allocation", schema.Allocation),
    ("national", schema.NationalParams),
    ("region (profile)", schema.Region),
    ("region.culture", schema.Culture),
    ("region.institutions[]", schema.InstitutionSpec),
)

UNIT_WORDS = {
    "quarter": "quarters",
    "cells": "grid cells",
    "workers": "workers",
}


def _bounds(info) -> str:
    parts = []
    for meta in info.metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(meta, attr, None)
            if value is not None:
                parts.append(f"{sym} {value}")
    return ", ".join(parts)


def _default(info) -> str:
    if info.is_required():
        return "required"
    value = info.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "(table)"
    return f"`{value!r}`" if not isinstance(value, str) else f'`"{value}"`'


def parameter_table() -> str:
    """Markdown tables: every parameter, its default, its allowed range and its meaning."""
    out: list[str] = []
    for section, cls in SECTIONS:
        out.append(f"#### `[{section}]`\n")
        out.append("| parameter | default | allowed | meaning (unit) |")
        out.append("| --- | --- | --- | --- |")
        for name, info in cls.model_fields.items():
            default = _default(info)
            if default == "(table)":
                continue
            meaning = (info.description or "").replace("|", "/")
            allowed = _bounds(info)
            annotation = getattr(info.annotation, "__args__", None)
            if annotation and all(isinstance(a, str) for a in annotation):
                allowed = " / ".join(annotation)
            out.append(f"| `{name}` | {default} | {allowed} | {meaning} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(parameter_table(), end="")
