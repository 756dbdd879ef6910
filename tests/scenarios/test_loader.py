"""Loading scenarios and regions: good files, and one clear line for each kind of bad file."""

import os
from pathlib import Path

import numpy as np
import pytest

import scenarios.files as files
import scenarios.loader as loader
from scenarios import (
    ScenarioError,
    check_files,
    describe_field,
    load_catalogue,
    load_region,
    load_scenario,
    parse_scenario,
    scenario_to_toml,
    with_params,
)
from scenarios.schema import Scenario

GOOD = """
name = "mine"
description = "A test scenario"
region = "heartland"
steps = 40

[policy]
targeting = "bottom_up"
budget = 30
[policy.allocation]
experimentation = 0.5

[[events]]
type = "industry_decline"
step = 10
industry = "automotive_ice_components"
"""

REGION = """
name = "tiny"
description = "A tiny region"
[[districts]]
name = "A"
x = 10
y = 10
labour_force = 1000
[[industries]]
key = "machinery"
employment = 500
[[industries]]
key = "local_services"
employment = 400
[[institutions]]
type = "university"
district = "A"
focus = ["electronics", "machinery"]
"""


def one_problem(path_or_text, loader_fn=load_scenario):
    with pytest.raises(ScenarioError) as info:
        loader_fn(path_or_text)
    lines = str(info.value).splitlines()
    assert len(lines) == 1, lines
    assert len(info.value.problems) == 1
    return lines[0]


def test_good_file_loads(write):
    scenario = load_scenario(write("mine.toml", GOOD))
    assert isinstance(scenario, Scenario)
    assert scenario.steps == 40
    assert scenario.policy.budget == 30.0  # an integer is accepted for a number
    assert scenario.region == load_region("heartland")
    assert scenario.catalogue == load_catalogue()


def test_name_defaults_to_file_name(write):
    text = GOOD.replace('name = "mine"\n', "")
    assert load_scenario(write("unnamed.toml", text)).name == "unnamed"


def test_str_and_pathlike_accepted(write):
    path = write("mine.toml", GOOD)
    assert load_scenario(str(path)) == load_scenario(path)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("[policy]\n", "[policy]\nfoo = 1\n"),
            "bad.toml: policy.foo: unknown key; allowed keys: targeting, variant, "
            "priority_industries, budget, allocation,",
        ),
        (
            ("steps = 40\n", "steps = 40\nwhatever = 2\n"),
            "bad.toml: whatever: unknown key; allowed keys: name, description, region, "
            "catalogue, steps, market,",
        ),
        (
            ("[policy]\n", "[market]\nselection = 'fast'\n[policy]\n"),
            "bad.toml: market.selection: 'fast' has the wrong type; allowed: a number",
        ),
        (
            ("steps = 40", "steps = 40.5"),
            "bad.toml: steps: 40.5 has the wrong type; allowed: a whole number from 1 to 2000",
        ),
        (
            ("experimentation = 0.5", "experimentation = 1.7"),
            "bad.toml: policy.allocation.experimentation: 1.7 is out of range; allowed: 0 to 1",
        ),
        (
            ("budget = 30", "budget = -5"),
            "bad.toml: policy.budget: -5 is out of range; allowed: 0 to 1000000",
        ),
        (
            ('targeting = "bottom_up"', 'targeting = "sideways"'),
            "bad.toml: policy.targeting: 'sideways' is not allowed; allowed: 'none', "
            "'top_down', 'bottom_up' or 'adaptive'",
        ),
        (
            ('industry = "automotive_ice_components"', 'industry = "warp_drives"'),
            "bad.toml: events[0].industry: unknown industry 'warp_drives'; allowed: agriculture,",
        ),
        (
            ('industry = "automotive_ice_components"', 'industry = "batteris"'),
            "bad.toml: events[0].industry: unknown industry 'batteris' (did you mean "
            "'batteries'?); allowed:",
        ),
        (
            ("budget = 30", 'budget = 30\npriority_industries = ["batteries", "warp_drives"]'),
            "bad.toml: policy.priority_industries[1]: unknown industry 'warp_drives'; allowed:",
        ),
        (
            ('type = "industry_decline"', 'type = "meteor"'),
            "bad.toml: events[0]: unknown type 'meteor'; allowed: 'industry_decline',",
        ),
        (
            ("step = 10", "step = 41"),
            "bad.toml: events[0].step: step 41 is after the last step of the run; "
            "allowed: 1 to steps (40)",
        ),
        (
            ("step = 10\n", "step = 10\nfraction = 2.0\n"),
            "bad.toml: events[0].fraction: 2.0 is out of range; allowed: 0 to 1",
        ),
        (
            ('region = "heartland"', 'region = "atlantis"'),
            "bad.toml: region: unknown region 'atlantis' (no such file); allowed: a built-in "
            "region name (agrifood, heartland, mining),",
        ),
        (
            ('region = "heartland"\n', ""),
            "bad.toml: region: required key is missing; allowed: a built-in region name",
        ),
        (
            ('region = "heartland"', "region = 3"),
            "bad.toml: region: 3 has the wrong type; allowed: a built-in region name",
        ),
        (
            ("[policy]\n", "[policy\n"),
            "bad.toml: (file): not valid TOML: Expected ']' at the end of a table declaration "
            "(line 7, column 8)",
        ),
        (
            ("steps = 40", "steps 40"),
            "bad.toml: (file): not valid TOML: Expected '=' after a key in a key/value pair "
            "(line 5, column 7)",
        ),
        (
            ("experimentation = 0.5", "experimentation = 0.5\nforesight = 0.6"),
            "bad.toml: policy.allocation: allocation shares sum to 1.100; allowed: at most 1",
        ),
        (
            ("[policy]\n", "[region_overrides.culture]\ntrust = 1.5\n[policy]\n"),
            "bad.toml: region_overrides.culture.trust: 1.5 is out of range; allowed: 0 to 1",
        ),
        (
            ("[policy]\n", "[region_overrides]\nwidth = 50\n[policy]\n"),
            "bad.toml: region_overrides.width: unknown key; allowed keys: unemployment_rate, "
            "local_sourcing, culture",
        ),
        (
            ("[policy]\n", "[region_overrides.culture]\ntrst = 0.5\n[policy]\n"),
            "bad.toml: region_overrides.culture.trst: unknown key; allowed keys: "
            "entrepreneurial_culture, trust, coordination",
        ),
    ],
)
def test_each_kind_of_bad_file_gives_one_clear_line(write, edit, expected):
    old, new = edit
    assert old in GOOD
    line = one_problem(write("bad.toml", GOOD.replace(old, new, 1)))
    assert line.startswith(expected), line


def test_unknown_industry_in_inline_region(write):
    text = (
        GOOD.replace('region = "heartland"\n', "")
        + "\n[region]\n"
        + REGION.replace('key = "machinery"', 'key = "warp_drives"').replace("[[", "[[region.")
    )
    line = one_problem(write("bad.toml", text))
    assert line.startswith(
        "bad.toml: region.industries[0].key: unknown industry 'warp_drives'; allowed: agriculture,"
    )


def test_unknown_industry_in_region_file(write):
    path = write("regions/tiny.toml", REGION.replace('key = "machinery"', 'key = "warp_drives"'))
    line = one_problem(path, load_region)
    assert line.startswith(
        f"{path}: industries[0].key: unknown industry 'warp_drives'; allowed: agriculture,"
    )
    assert check_files([path])[0].field == "industries[0].key"


def test_unknown_focus_in_region_file(write):
    path = write("tiny.toml", REGION.replace('"electronics", "machinery"', '"magic"'))
    line = one_problem(path, load_region)
    assert "institutions[0].focus[0]: 'magic' is neither a capability nor an industry" in line


def test_region_consistency_errors_name_the_field(write):
    path = write("tiny.toml", REGION.replace("x = 10", "x = 45"))
    assert one_problem(path, load_region).endswith(
        "districts[0].x: 45 lies outside the 40x40 grid; allowed: 0 to 39"
    )
    path = write("tiny2.toml", REGION.replace("employment = 500", "employment = 5000"))
    assert "industries: initial employment 5400 exceeds the labour force 1000" in one_problem(
        path, load_region
    )
    path = write("tiny3.toml", REGION + '[[industries]]\nkey = "machinery"\nemployment = 1\n')
    assert "industries[2].key: industry 'machinery' is listed twice" in one_problem(
        path, load_region
    )


def test_region_referenced_relative_to_scenario(write):
    region = write("sub/regions/tiny.toml", REGION)
    scenario = write("sub/scen.toml", GOOD.replace('"heartland"', '"regions/tiny.toml"'))
    loaded = load_scenario(scenario)
    assert loaded.region == load_region(region)
    assert loaded.region.name == "tiny"


def test_problem_inside_referenced_region_names_that_file(write):
    write("tiny.toml", REGION.replace("x = 10", "x = -1"))
    scenario = write("scen.toml", GOOD.replace('"heartland"', '"tiny.toml"'))
    line = one_problem(scenario)
    region_file = Path(scenario).parent / "tiny.toml"
    assert line == f"{region_file}: districts[0].x: -1 is out of range; allowed: 0 to 199"


def test_problems_everywhere_are_all_reported(write):
    text = GOOD.replace('"heartland"', '"atlantis"').replace("budget = 30", "budget = -1")
    with pytest.raises(ScenarioError) as info:
        load_scenario(write("two.toml", text))
    fields = [p.field for p in info.value.problems]
    assert fields == ["region", "policy.budget"]


def test_scenario_with_catalogue_path(write, tmp_path):
    cat = (loader.CATALOGUE_FILE).read_text(encoding="utf-8")
    write("cat/my_catalogue.toml", cat)
    s = load_scenario(write("s.toml", 'catalogue = "cat/my_catalogue.toml"\n' + GOOD))
    assert s.catalogue == load_catalogue()
    assert load_catalogue(tmp_path / "cat/my_catalogue.toml") == load_catalogue()


def test_bad_catalogue_reference(write):
    line = one_problem(write("s.toml", 'catalogue = "nope.toml"\n' + GOOD))
    assert line.startswith("s.toml: catalogue: unknown catalogue 'nope.toml' (no such file)")
    line = one_problem(write("s2.toml", "catalogue = 5\n" + GOOD))
    assert line.startswith("s2.toml: catalogue: 5 has the wrong type; allowed: the path")


def test_catalogue_errors_name_fields(write):
    text = loader.CATALOGUE_FILE.read_text(encoding="utf-8").replace(
        'supplier = "plastics_components"', 'supplier = "plastic"', 1
    )
    path = write("cat.toml", text)
    line = one_problem(path, load_catalogue)
    assert line.startswith(f"{path}: inputs[1].supplier: unknown industry 'plastic'")
    text = loader.CATALOGUE_FILE.read_text(encoding="utf-8").replace(
        '"metalworking", "materials", "automation", "design"]',
        '"metalworking", "materials", "automaton", "design"]',
        1,
    )
    line = one_problem(write("cat2.toml", text), load_catalogue)
    assert (
        "industries[0].requires[3]: unknown capability 'automaton' (did you mean 'automation'?)"
        in line
    )


def test_missing_file_lists_builtins(tmp_path):
    line = one_problem(str(tmp_path / "nothing.toml"))
    assert line.startswith(f"{tmp_path / 'nothing.toml'}: (file): no such file")
    assert "baseline, bottom_up_with_national_support" in line
    line = one_problem("basline")
    assert line.startswith("basline: (file): no such file and no built-in scenario")
    line = one_problem("nowhere", load_region)
    assert "allowed: a built-in region (agrifood, heartland, mining)" in line


def test_directory_binary_and_huge_files(write, tmp_path, monkeypatch):
    assert one_problem(tmp_path).endswith("(file): is a directory; allowed: a .toml file")
    binary = write("bin.toml", b"\xff\xfe\x00\x01garbage")
    assert one_problem(binary).endswith(
        "(file): not valid TOML: the file is not UTF-8 text (bad byte at position 0)"
    )
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 10)
    assert "the file is too large" in one_problem(write("big.toml", GOOD))


def test_region_file_given_as_scenario(write):
    line = one_problem(write("tiny.toml", REGION))
    assert (
        line.startswith("tiny.toml: (file): this is a region profile") or "region profile" in line
    )


def test_bom_is_accepted(write):
    path = write("bom.toml", b"\xef\xbb\xbf" + GOOD.encode())
    assert load_scenario(path).name == "mine"


def test_check_files(write, tmp_path):
    good = write("good.toml", GOOD)
    region = write("tiny.toml", REGION)
    bad = write("bad.toml", GOOD.replace("budget = 30", "budget = 'lots'"))
    missing = tmp_path / "missing.toml"
    problems = check_files([good, region, bad, missing])
    assert [(p.file, p.field) for p in problems] == [
        (str(bad), "policy.budget"),
        (str(missing), "(file)"),
    ]
    assert check_files([good, region, loader.CATALOGUE_FILE]) == []
    csv_ok = write("team.csv", "industry,employment\nmachinery,10\n")
    csv_bad = write("team2.csv", "industry,employment\nmachinery,-1\n")
    assert check_files([csv_ok]) == []
    assert [p.field for p in check_files([csv_bad])] == ["row 2, column employment"]


# --------------------------------------------------------------------------- with_params


def test_with_params_updates_and_validates():
    base = load_scenario("decline_bottom_up")
    new = with_params(
        base,
        {
            "policy.budget": 40.0,
            "policy.allocation.experimentation": 0.2,
            "region.culture.trust": 0.7,
            "region.industries[0].employment": 11_000,
            "events[1].step": 30,
            "steps": 80,
        },
    )
    assert new.policy.budget == 40.0
    assert new.policy.allocation.experimentation == 0.2
    assert new.policy.allocation.targeted_support == base.policy.allocation.targeted_support
    assert new.region.culture.trust == 0.7
    assert new.region.industries[0].employment == 11_000
    assert new.events[1].step == 30 and new.steps == 80
    # the original is unchanged
    assert base.policy.budget == 150.0 and base.region.culture.trust == 0.6
    assert base.events[1].step == 28
    # untouched parts are shared, not copied
    assert new.catalogue is base.catalogue
    assert with_params(base, {}) is base


def test_with_params_accepts_numpy_and_whole_floats_for_ints():
    base = load_scenario("baseline")
    new = with_params(
        base,
        {
            "policy.review_interval": np.float64(8.0),
            "policy.targets": 4.0,
            "market.selection": np.float32(0.5),
            "policy.budget": np.int64(12),
        },
    )
    assert new.policy.review_interval == 8 and type(new.policy.review_interval) is int
    assert new.policy.targets == 4
    assert new.market.selection == 0.5 and new.policy.budget == 12.0


def test_with_params_replaces_whole_tables():
    base = load_scenario("baseline")
    new = with_params(base, {"policy.allocation": {"experimentation": 1.0}})
    assert new.policy.allocation.experimentation == 1.0
    new = with_params(base, {"events": [{"type": "budget_cut", "step": 5}]})
    assert new.events[0].type == "budget_cut"


@pytest.mark.parametrize(
    ("updates", "expected"),
    [
        (
            {"policy.budgt": 1.0},
            "<parameters>: policy.budgt: unknown key; allowed keys: targeting, variant,",
        ),
        ({"polcy.budget": 1.0}, "<parameters>: polcy: unknown key; allowed keys: name,"),
        (
            {"policy.allocation.experimentation": 1.7},
            "<parameters>: policy.allocation.experimentation: 1.7 is out of range; allowed: 0 to 1",
        ),
        (
            {"policy.budget": "lots"},
            "<parameters>: policy.budget: 'lots' has the wrong type; allowed: a number",
        ),
        (
            {"policy.review_interval": 2.5},
            "<parameters>: policy.review_interval: 2.5 has the wrong type",
        ),
        (
            {"region.industries[99].employment": 1},
            "<parameters>: region.industries[99]: index out of range; allowed: 0 to",
        ),
        ({"policy..budget": 1}, "<parameters>: policy..budget: not a parameter path"),
        ({"policy.budget.x": 1}, "<parameters>: policy.budget.x: policy.budget is a single value"),
        (
            {"policy.priority_industries": ["warp_drives"]},
            "<parameters>: policy.priority_industries[0]: unknown industry 'warp_drives'",
        ),
        (
            {"steps": 10},
            "<parameters>: events[0].step: step 20 is after the last step of the run",
        ),
    ],
)
def test_with_params_rejects_bad_paths_and_values(updates, expected):
    with pytest.raises(ScenarioError) as info:
        with_params(load_scenario("decline_no_policy"), updates)
    assert str(info.value).splitlines()[0].startswith(expected), str(info.value)


def test_describe_field():
    assert describe_field("policy.budget") == "a number from 0 to 1000000"
    assert describe_field("region.culture.trust") == "a number from 0 to 1"
    assert describe_field("steps") == "a whole number from 1 to 2000"


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("name", [n for n, _ in loader.list_builtins()["scenarios"]])
def test_toml_round_trip_of_builtins(name, tmp_path):
    scenario = load_scenario(name)
    text = scenario_to_toml(scenario)
    path = tmp_path / "download.toml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path) == scenario
    assert parse_scenario(text) == scenario


def test_toml_round_trip_of_modified_scenario(tmp_path):
    scenario = with_params(
        load_scenario("decline_top_down"),
        {"region.industries[1].firms": 7, "region.culture.trust": 0.123456789, "steps": 77},
    )
    text = scenario_to_toml(scenario, inline_catalogue=False)
    assert "[catalogue]" not in text and "[region]" in text
    assert parse_scenario(text) == scenario


def test_toml_keeps_custom_catalogue():
    scenario = load_scenario("baseline")
    scenario = with_params(scenario, {"catalogue.industries[0].productivity": 1.9})
    text = scenario_to_toml(scenario, inline_catalogue=False)
    assert "[catalogue]" in text
    assert parse_scenario(text) == scenario


def test_parse_scenario_refuses_file_references(write):
    write("tiny.toml", REGION)
    text = GOOD.replace('"heartland"', '"tiny.toml"')
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "upload.toml")
    assert str(info.value).startswith(
        "upload.toml: region: 'tiny.toml': file references are not allowed here"
    )
    assert parse_scenario(text, base_dir=os.path.dirname(write("x", ""))).region.name == "tiny"
