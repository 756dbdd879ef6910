"""docs/ODD.md lists every parameter with its current default (generated from the schema)."""

from __future__ import annotations

from pathlib import Path

from scenarios import schema
from scenarios.params_doc import SECTIONS, parameter_table

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


def test_odd_holds_the_current_parameter_table():
    text = ODD.read_text(encoding="utf-8")
    start = text.index("<!-- parameters:start -->\n") + len("<!-- parameters:start -->\n")
    end = text.index("<!-- parameters:end -->")
    assert text[start:end] == parameter_table(), (
        "docs/ODD.md is out of date: paste the output of `python -m scenarios.params_doc` "
        "between the parameters markers"
    )


def test_every_parameter_section_of_a_scenario_is_documented():
    documented = {cls for _, cls in SECTIONS}
    for name, info in schema.Scenario.model_fields.items():
        cls = info.annotation
        if (
            isinstance(cls, type)
            and issubclass(cls, schema.Strict)
            and name
            not in {
                "region",
                "catalogue",
            }
        ):
            assert cls in documented, name
    table = parameter_table()
    for _, cls in SECTIONS:
        for field in cls.model_fields:
            if not isinstance(cls.model_fields[field].get_default(), schema.Strict):
                assert f"`{field}`" in table
