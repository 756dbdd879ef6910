"""Property: whatever the file holds, loading gives a Scenario or a clean ScenarioError."""

import tempfile
import tomllib
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from scenarios import Scenario, ScenarioError, check_files, load_scenario, schema, with_params

NAME = "fuzz_scenario.toml"
#: HYPOTHESIS_PROFILE=fuzz (max_examples 2,000) draws 20 times as many examples
SCALE = max(1, (settings.default.max_examples or 100) // 100)


def _field_names() -> list[str]:
    names = {"region_overrides", "culture", "type"}
    for obj in vars(schema).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names |= set(obj.model_fields)
    return sorted(names)


FIELD_NAMES = _field_names()
REAL_VALUES = [
    "heartland",
    "agrifood",
    "mining",
    "automotive_ice_components",
    "batteries",
    "electronics",
    "industry_decline",
    "plant_closure",
    "technology_shift",
    "budget_cut",
    "national_support",
    "bottom_up",
    "top_down",
    "adaptive",
    "university",
    "Millbrook",
]

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
keys = st.one_of(st.sampled_from(FIELD_NAMES), text)
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-3, max_value=150),
    st.floats(),
    st.floats(min_value=0.0, max_value=1.0),
    text,
    st.sampled_from(REAL_VALUES),
    st.dates(),
    st.times(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=16,
)
documents = st.dictionaries(keys, values, max_size=8)

BASE = tomllib.loads(
    """
name = "base"
region = "heartland"
steps = 40
[region_overrides.culture]
trust = 0.4
[policy]
targeting = "bottom_up"
budget = 30.0
priority_industries = ["batteries"]
[policy.allocation]
experimentation = 0.5
[[events]]
type = "industry_decline"
step = 10
industry = "automotive_ice_components"
[[events]]
type = "technology_shift"
step = 12
capabilities = ["electronics"]
"""
)


@st.composite
def mutated_documents(draw):
    """A valid document with a few values replaced, added or removed at random depths."""
    doc = tomllib.loads(tomli_w.dumps(BASE))  # deep copy
    for _ in range(draw(st.integers(1, 3))):
        node = doc
        while True:
            children = (
                list(node.items())
                if isinstance(node, dict)
                else list(enumerate(node))
                if isinstance(node, list)
                else []
            )
            containers = [(k, v) for k, v in children if isinstance(v, (dict, list)) and v]
            if not containers or draw(st.booleans()):
                break
            _, node = draw(st.sampled_from(containers))
        action = draw(st.sampled_from(["set", "add", "delete"]))
        if isinstance(node, dict):
            if action == "delete" and node:
                del node[draw(st.sampled_from(sorted(node)))]
            elif action == "set" and node:
                node[draw(st.sampled_from(sorted(node)))] = draw(values)
            else:
                node[draw(keys)] = draw(values)
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(values)
    return doc


def file_contents():
    return st.one_of(
        documents.map(lambda d: tomli_w.dumps(d).encode()),
        mutated_documents().map(lambda d: tomli_w.dumps(d).encode()),
        text.map(str.encode),
        st.binary(max_size=200),
        st.sampled_from(FIELD_NAMES).map(lambda k: f"{k} = \n[{k}]\n".encode()),
    )


def assert_clean(exc: ScenarioError, file: str) -> None:
    message = str(exc)
    assert message.strip()
    for line in message.splitlines():
        assert line.startswith(f"{file}: "), line


@settings(
    max_examples=200 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(content=file_contents())
def test_loading_any_file_gives_scenario_or_clean_error(content):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / NAME
        path.write_bytes(content)
        try:
            result = load_scenario(path)
        except ScenarioError as exc:
            assert_clean(exc, str(path))
        else:
            assert isinstance(result, Scenario)
        for problem in check_files([path]):
            assert str(problem).startswith(f"{path}: ")


paths = st.lists(
    st.one_of(st.sampled_from(FIELD_NAMES), st.integers(0, 3).map(lambda i: f"[{i}]"), text),
    min_size=1,
    max_size=4,
).map(lambda parts: ".".join(parts).replace(".[", "["))


@settings(max_examples=100 * SCALE, deadline=None)
@given(updates=st.dictionaries(paths, values, max_size=3))
def test_with_params_gives_scenario_or_clean_error(updates):
    base = load_scenario("decline_bottom_up")
    try:
        result = with_params(base, updates)
    except ScenarioError as exc:
        assert_clean(exc, "<parameters>")
    else:
        assert isinstance(result, Scenario)


def test_mutated_documents_are_mostly_near_valid():
    # guard that the base document itself is valid, so mutations probe deep paths
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / NAME
        path.write_text(tomli_w.dumps(BASE))
        assert load_scenario(path).region.culture.trust == 0.4
