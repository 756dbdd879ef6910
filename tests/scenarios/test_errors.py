import pytest
from pydantic import ValidationError

from scenarios.errors import (
    Problem,
    ScenarioError,
    bounds_text,
    describe,
    format_path,
    problems_from_validation_error,
    show_value,
)
from scenarios.schema import Lifecycle, MarketParams, PolicyParams, Region


def test_problem_str_is_file_field_message():
    p = Problem("x.toml", "policy.budget", "-1 is out of range; allowed: 0 to 1000000")
    assert str(p) == "x.toml: policy.budget: -1 is out of range; allowed: 0 to 1000000"


def test_scenario_error_one_line_per_problem():
    err = ScenarioError([Problem("a.toml", "x", "bad"), Problem("a.toml", "y", "worse")])
    assert str(err).splitlines() == ["a.toml: x: bad", "a.toml: y: worse"]
    assert len(err.problems) == 2
    assert str(ScenarioError.single("f", "g", "h")) == "f: g: h"


def test_scenario_error_never_empty():
    assert str(ScenarioError([])).strip()


def test_problem_str_escapes_line_breaks():
    p = Problem("a\nb.toml", "key\u2028x", "bad\r\nvalue")
    assert len(str(p).splitlines()) == 1


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("region", "industries", 2, "key"), "region.industries[2].key"),
        (("events", 0), "events[0]"),
        ((), "(file)"),
        (("policy", "odd key"), 'policy."odd key"'),
        (("a\nb",), '"a\\nb"'),
    ],
)
def test_format_path(loc, expected):
    assert format_path(loc) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("fast", "'fast'"), (True, "true"), (1.7, "1.7"), ({"a": 1}, "a table"), ("x" * 100, None)],
)
def test_show_value(value, expected):
    shown = show_value(value)
    if expected is None:
        assert len(shown) <= 80 and shown.endswith("...")
    else:
        assert shown == expected


def test_bounds_text_variants():
    assert bounds_text(MarketParams.model_fields["selection"]) == "0 to 5"
    assert bounds_text(Lifecycle.model_fields["peak"]) == "more than 0, up to 50"
    assert bounds_text(PolicyParams.model_fields["targeting"]) == ""


def test_describe_types():
    assert describe(float, MarketParams.model_fields["selection"]) == "a number from 0 to 5"
    assert describe(int) == "a whole number"
    assert describe(bool) == "true or false"
    assert describe(PolicyParams.model_fields["targeting"].annotation).startswith("one of 'none'")
    assert describe(PolicyParams.model_fields["priority_industries"].annotation) == (
        "a list of texts in quotes"
    )


def test_conversion_names_paths_and_allowed():
    with pytest.raises(ValidationError) as info:
        PolicyParams.model_validate(
            {"targeting": "fast", "allocation": {"foresight": 1.7}, "foo": 1, "budget": "x"}
        )
    lines = [str(p) for p in problems_from_validation_error(info.value, "f.toml", PolicyParams)]
    assert "f.toml: targeting: 'fast' is not allowed; allowed: 'none'" in lines[0]
    assert "f.toml: budget: 'x' has the wrong type; allowed: a number from 0 to 1000000" in lines
    assert "f.toml: allocation.foresight: 1.7 is out of range; allowed: 0 to 1" in lines
    assert any(
        line.startswith("f.toml: foo: unknown key; allowed keys: targeting,") for line in lines
    )


def test_conversion_with_prefix_and_missing():
    with pytest.raises(ValidationError) as info:
        Region.model_validate({"name": "r", "districts": []})
    lines = [
        str(p) for p in problems_from_validation_error(info.value, "s.toml", Region, ("region",))
    ]
    assert "s.toml: region.districts: 0 items; allowed: a list of at least 1 items" in lines
    assert "s.toml: region.industries: required key is missing; allowed: a list of tables" in lines
