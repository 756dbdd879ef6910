"""Sweep files: validation with one clear line per problem (issue 6, acceptance 6)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments.cli import main
from experiments.sweep_file import Sweep, load_sweep, parse_sweep
from scenarios import ScenarioError

GOOD = """\
    base = "baseline"
    design = "latin_hypercube"
    samples = 5
    replications = 2
    steps = 8
    outcomes = ["jobs_end"]
    [parameters]
    policy.budget = { range = [0, 50] }
    "region.industries[0].employment" = { range = [1000, 9000] }
    policy.targeting = { levels = ["none", "bottom_up"] }
"""


def write(tmp_path: Path, text: str, name: str = "sweep.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_good_file_gives_a_typed_sweep(tmp_path):
    sw = load_sweep(write(tmp_path, GOOD))
    assert isinstance(sw, Sweep) and sw.scenario is not None and sw.scenario.name == "baseline"
    spec = sw.spec
    assert spec.name == "sweep"  # from the file name
    # TOML gathers the dotted keys of one table (policy.*) together: file order otherwise
    assert list(spec.parameters) == [
        "policy.budget",
        "policy.targeting",
        "region.industries[0].employment",
    ]
    assert spec.parameters["policy.targeting"].levels == ["none", "bottom_up"]
    assert sw.int_params == {"region.industries[0].employment"}  # an int field: rounded
    assert spec.points() == 5 and spec.runs() == 10


def test_quoted_and_unquoted_dotted_keys_mean_the_same(tmp_path):
    quoted = GOOD.replace("policy.budget =", '"policy.budget" =')
    a = load_sweep(write(tmp_path, GOOD, "a.toml")).spec
    b = load_sweep(write(tmp_path, quoted, "a.toml")).spec
    assert a == b


@pytest.mark.parametrize(
    ("design", "extra", "points"),
    [
        ("grid", "levels = 4", 4 * 4 * 2),
        ("latin_hypercube", "samples = 7", 7),
        ("sobol", "samples = 8", 8 * (3 + 2)),
        ("sobol", "samples = 8\nsecond_order = true", 8 * (2 * 3 + 2)),
        ("morris", "trajectories = 3", 3 * (3 + 1)),
    ],
)
def test_points_per_design(tmp_path, design, extra, points):
    text = GOOD.replace('design = "latin_hypercube"\n    samples = 5', f"design = {design!r}")
    text = text.replace("replications = 2", "replications = 2\n" + extra)
    spec = load_sweep(write(tmp_path, text)).spec
    assert spec.points() == points and spec.runs() == 2 * points


BAD = [
    # (replace this, by this, field, words the message must hold)
    ("policy.budget =", "policy.budgt =", "parameters.policy.budgt", "unknown parameter"),
    ("range = [0, 50]", "range = [50, 0]", "parameters.policy.budget.range", "low < high"),
    ('"latin_hypercube"', '"fractional"', "design", "'sobol'"),
    ("replications = 2", "replications = 0", "replications", "1 to 10000"),
    ("range = [0, 50]", "range = [0, 2e6]", "parameters.policy.budget.range[1]", "0 to 1000000"),
    ('"bottom_up"', '"sideways"', "parameters.policy.targeting.levels[1]", "'bottom_up'"),
    ('"bottom_up"]', '"bottom_up"], range = [0, 1]', "parameters.policy.targeting", "exactly one"),
    ('["jobs_end"]', '["jobz"]', "outcomes[0]", "jobs_end"),
    ('"baseline"', '"nowhere"', "base", "built-in scenario"),
    ("samples = 5", "seed = 2", "samples", "needs samples"),
    ("steps = 8", "steps = 0", "steps", "1 to 2000"),
    ("samples = 5", "samples = 5\nlevels = 3", "levels", "not used by the latin_hypercube"),
    ("samples = 5", "samples = 999999\nreplications = 9", "design", "at most 1,000,000 runs"),
    ("steps = 8", "stepz = 8", "stepz", "unknown key"),
]


@pytest.mark.parametrize(("old", "new", "field", "words"), BAD, ids=[b[2] for b in BAD])
def test_bad_files_get_one_clear_line_and_exit_2(tmp_path, capsys, old, new, field, words):
    text = textwrap.dedent(GOOD)
    text = text.replace("replications = 2\n", "") if "replications = 9" in new else text
    assert old in text
    path = write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    problems = info.value.problems
    assert len(problems) == 1, str(info.value)
    assert problems[0].file == str(path) and problems[0].field == field
    assert words in problems[0].message and "allowed" in problems[0].message
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == str(problems[0])  # the line as the project prints it (capped)
    assert err.startswith(f"{path}: {field}: ")
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_a_relative_base_is_read_next_to_the_sweep_file(tmp_path):
    from scenarios import load_scenario, scenario_to_toml

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mine.toml").write_text(
        scenario_to_toml(load_scenario("baseline")).replace('name = "baseline"', 'name = "mine"')
    )
    sw = load_sweep(write(tmp_path / "sub", GOOD.replace('"baseline"', '"mine.toml"')))
    assert sw.scenario is not None and sw.scenario.name == "mine"


def test_a_plain_function_sweep_skips_the_model_checks():
    data = {"base": "-", "design": "grid", "parameters": {"x": {"range": [0, 1]}}}
    sw = parse_sweep(data, check_model=False)
    assert sw.scenario is None and sw.spec.points() == 3
    with pytest.raises(ScenarioError, match="unknown parameter"):
        parse_sweep({**data, "base": "baseline"})


# --------------------------------------------------------------------------- fuzz

KEYS = [
    "name", "description", "base", "parameters", "design", "samples", "levels",
    "trajectories", "second_order", "replications", "first_seed", "steps", "outcomes", "seed",
    "range", "policy", "budget", "region.culture.trust", "firms.exit_patience",
]  # fmt: skip
WORDS = ["baseline", "grid", "sobol", "morris", "latin_hypercube", "jobs_end", "none"]
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=10)
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-2, max_value=12),
    st.floats(allow_nan=False),
    st.floats(min_value=0.0, max_value=1.0),
    text,
    st.sampled_from(WORDS),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), text), inner, max_size=4),
    ),
    max_leaves=12,
)
base_doc = st.fixed_dictionaries(
    {
        "base": st.sampled_from(["baseline", "nowhere", ""]),
        "design": st.sampled_from([*WORDS[1:5], "x"]),
        "parameters": st.dictionaries(
            st.sampled_from(["policy.budget", "region.culture.trust", "x", "firms.exit_patience"]),
            st.one_of(
                st.fixed_dictionaries({"range": st.lists(scalars, max_size=3)}),
                st.fixed_dictionaries({"levels": st.lists(scalars, max_size=3)}),
                values,
            ),
            max_size=3,
        ),
    }
)
documents = st.tuples(base_doc, st.dictionaries(st.sampled_from(KEYS), values, max_size=5)).map(
    lambda t: {**t[0], **t[1]}
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_fuzz_any_document_gives_a_sweep_or_the_projects_error(doc):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.toml"
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
        try:
            sw = load_sweep(path)
        except ScenarioError as exc:
            assert exc.problems
            for p in exc.problems:
                assert p.file == str(path) and p.field and p.message
                assert "\n" not in str(p)
        else:
            assert isinstance(sw, Sweep) and 1 <= sw.spec.runs() <= 1_000_000


@settings(max_examples=60)
@given(st.binary(max_size=200))
def test_fuzz_any_bytes_give_a_sweep_or_the_projects_error(data):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.toml"
        path.write_bytes(data)
        with pytest.raises(ScenarioError) as info:
            load_sweep(path)
        assert all(p.file == str(path) for p in info.value.problems)
