"""Documented size limits, safe names and capped messages (issue 9, acceptance 3, 6 and 7)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import annotated_types
import pytest
from pydantic import BaseModel

from scenarios import ScenarioError, check_files, load_region, load_scenario, schema, with_params
from scenarios.errors import MAX_LINE, MAX_PROBLEMS, Problem
from scenarios.errors import ScenarioError as Err
from scenarios.limits import (
    MAX_CSV_ROWS,
    MAX_DEMAND_MULTIPLIER,
    MAX_DISTRICTS,
    MAX_EVENTS,
    MAX_FILE_BYTES,
    MAX_FIRMS,
    MAX_INSTITUTIONS,
    MAX_LABOUR_FORCE,
    MAX_STEPS,
    limits_table,
    slugify,
)
from scenarios.loader import REGIONS_DIR, SCENARIOS_DIR

ROOT = Path(__file__).resolve().parents[2]
HEARTLAND = (REGIONS_DIR / "heartland.toml").read_text("utf-8")
BASELINE = (SCENARIOS_DIR / "baseline.toml").read_text("utf-8")
#: generous: the command only has to finish (start-up imports the model, ~3 s on a busy box)
CLI_TIMEOUT = 60


def cli_check(path: Path) -> tuple[int, list[str], float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "experiments.cli", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        cwd=ROOT,
    )
    return done.returncode, done.stderr.splitlines(), time.perf_counter() - start


def problems_of(path: Path) -> list[str]:
    return [str(p) for p in check_files([path])]


# --------------------------------------------------------------------------- acceptance 3


def test_absurd_sizes_get_one_line_and_exit_2(tmp_path):
    """2.8 million firms, a 1,000,000 x 1,000,000 grid, a 50 MB CSV: one line each, exit 2."""
    firms = tmp_path / "firms.csv"
    rows = [f"{k},100000,100000,D{d}" for k in ("machinery", "chemicals") for d in range(14)]
    firms.write_text("industry,employment,firms,district\n" + "\n".join(rows) + "\n")
    one_row = tmp_path / "one_row.csv"
    one_row.write_text("industry,employment,firms\nlocal_services,2800000,2800000\n")
    grid = tmp_path / "grid.toml"
    grid.write_text(re.sub(r"(?m)^(width|height) = .*$", r"\1 = 1_000_000", HEARTLAND))
    big = tmp_path / "big.csv"
    with big.open("w") as fh:
        fh.write("industry,employment\n")
        fh.write("machinery,100\n" * (50_000_000 // 14))
    expected = {
        firms: "column firms: the rows ask for 2,800,000 firms in all",
        one_row: "column firms: the rows ask for 2,800,000 firms in all",
        grid: "width, height: a grid of 1000000 x 1000000 cells is out of range",
        big: "(file): the file is too large (50,",
    }
    for path, start in expected.items():
        code, lines, seconds = cli_check(path)
        assert code == 2, lines
        assert len(lines) == 1 and lines[0].startswith(f"{path}: {start}"), lines
        assert seconds < CLI_TIMEOUT


def test_firms_and_labour_force_in_all_are_bounded():
    region = load_region("heartland")
    data = region.model_dump()
    data["industries"] = [
        {"key": "machinery", "employment": 60_000, "firms": 60_000, "district": d["name"]}
        for d in data["districts"][:2]
    ]
    for d in data["districts"]:
        d["labour_force"] = 5_000_000
    data["districts"][0]["labour_force"] = 9_000_000
    with pytest.raises(Exception) as info:
        schema.Region.model_validate(data)
    text = str(info.value)
    assert "120,000 firms in all (entries without firms count employment / 40)" in text
    assert f"allowed: at most {MAX_FIRMS:,}" in text
    assert f"allowed: at most {MAX_LABOUR_FORCE:,}" in text


@pytest.mark.parametrize(
    ("update", "field", "allowed"),
    [
        ({"steps": MAX_STEPS + 1}, "steps", "1 to 2000"),
        ({"region.width": 201}, "region.width", "10 to 200"),
        ({"region.districts": "many"}, "region.districts", "a list"),
    ],
)
def test_sizes_out_of_range_name_the_field(update, field, allowed):
    with pytest.raises(ScenarioError) as info:
        with_params(load_scenario("baseline"), update)
    line = str(info.value)
    assert line.startswith(f"<parameters>: {field}: ") and allowed in line, line


def test_list_limits(write):
    base = load_region("heartland").model_dump()
    district = base["districts"][0]
    cases = {
        "districts": [{**district, "name": f"D{i}"} for i in range(MAX_DISTRICTS + 1)],
        "institutions": [base["institutions"][0]] * (MAX_INSTITUTIONS + 1),
    }
    for key, items in cases.items():
        data = {**base, key: items}
        with pytest.raises(Exception) as info:
            schema.Region.model_validate(data)
        assert key in str(info.value)
    boom = {"type": "plant_closure", "step": 1, "industry": "machinery"}
    with pytest.raises(ScenarioError) as err:
        with_params(load_scenario("baseline"), {"events": [boom] * (MAX_EVENTS + 1)})
    assert f"events: {MAX_EVENTS + 1} items; allowed: a list of at most {MAX_EVENTS} items" in str(
        err.value
    )


def test_every_number_in_the_schema_has_an_upper_bound():
    """'Every size has a documented upper bound': no numeric field is open-ended."""
    open_ended = []
    for cls in vars(schema).values():
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            continue
        for name, info in cls.model_fields.items():
            tp = info.annotation
            if tp not in (int, float) and str(tp) not in ("int | None", "float | None"):
                continue
            if not any(
                isinstance(m, (annotated_types.Le, annotated_types.Lt)) for m in info.metadata
            ):
                open_ended.append(f"{cls.__name__}.{name}")
    assert not open_ended


def test_too_many_csv_rows_are_refused_before_parsing(write):
    path = write("rows.csv", "industry,employment\n" + "warp,1\n" * (MAX_CSV_ROWS + 1))
    assert problems_of(path) == [
        f"rows.csv: (file): {MAX_CSV_ROWS + 1:,} data rows; allowed: at most {MAX_CSV_ROWS:,} "
        "(one per industry and district)"
    ]


def test_large_files_are_refused_before_reading(write):
    path = write("huge.toml", b"#" * (MAX_FILE_BYTES + 1))
    assert problems_of(path) == [
        f"huge.toml: (file): the file is too large ({MAX_FILE_BYTES + 1:,} bytes); "
        f"allowed: at most {MAX_FILE_BYTES:,} bytes (1 MB)"
    ]


def test_stacked_booms_are_refused_naming_the_events(write):
    events = "".join(
        f'[[events]]\ntype = "demand_boom"\nstep = 5\nindustry = "machinery"\nfraction = {f}\n'
        for f in (10, 10, 0.5)
    )
    path = write("boom.toml", 'region = "heartland"\nsteps = 12\n' + events)
    [line] = problems_of(path)
    assert line.startswith(
        "boom.toml: events: the demand_boom events on 'machinery' (events[0], events[1], "
        "events[2]) multiply its demand by 181.5; allowed: at most 100 in all"
    )
    # booms on different industries do not add up
    other = events.replace('"machinery"', '"chemicals"', 1)
    assert problems_of(write("two.toml", 'region = "heartland"\nsteps = 12\n' + other)) == []
    assert MAX_DEMAND_MULTIPLIER == 100


def test_limits_table_lists_every_limit():
    table = limits_table()
    for text in ("1,000,000 bytes", "10 to 200 cells", "100,000 in all", "x100", "2,000"):
        assert text in table


# --------------------------------------------------------------------------- acceptance 6


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ('"../../x"', "holds U+002E '.'"),
        ('"/etc/passwd"', "holds U+002F '/'"),
        ('"a\\u0000b"', "holds the character U+0000"),
        ('"\\u001b[31mred"', "holds the character U+001B"),
    ],
)
def test_unsafe_names_are_refused_by_check_with_exit_2(tmp_path, name, why):
    path = tmp_path / "named.toml"
    path.write_text(re.sub(r"(?m)^name = .*$", lambda _: f"name = {name}", BASELINE))
    code, lines, _ = cli_check(path)
    assert code == 2
    assert lines == [
        f"{path}: name: not a valid name ({why}); allowed: 1 to 64 letters, digits, - and _"
    ]
    assert all(line.isprintable() for line in lines)


@pytest.mark.parametrize(
    ("name", "why"),
    [('"a b"', "holds U+0020 ' '"), ('""', "empty"), ('"' + "x" * 65 + '"', "65 characters")],
)
def test_names_are_short_slugs(write, name, why):
    path = write("named.toml", re.sub(r"(?m)^name = .*$", lambda _: f"name = {name}", BASELINE))
    assert problems_of(path) == [
        f"named.toml: name: not a valid name ({why}); allowed: 1 to 64 letters, digits, - and _"
    ]


def test_region_names_are_slugs_and_file_names_become_slugs(write):
    path = write("bad.toml", HEARTLAND.replace('name = "heartland"', 'name = "../up"'))
    [line] = problems_of(path)
    assert line.startswith("bad.toml: name: not a valid name")
    unnamed = write("my region (v2).toml", HEARTLAND.replace('name = "heartland"\n', ""))
    assert load_region(unnamed).name == "my_region_v2"
    assert slugify("../..", "region") == "region"


def test_text_from_files_is_never_printed_raw(write):
    hostile = HEARTLAND.replace('name = "Millbrook"', 'name = "Mill\\u001b[2Jbrook\\u202e"')
    [line] = problems_of(write("esc.toml", hostile))
    assert line.startswith("esc.toml: districts[0].name: holds the control or invisible character")
    assert "\x1b" not in line and line.isprintable()


# --------------------------------------------------------------------------- acceptance 7


def test_check_prints_at_most_21_lines_none_over_300_characters(tmp_path):
    rows = "".join(f"{'warp' * 60}{i},{'x' * 500}\n" for i in range(500))
    csv = tmp_path / ("long" * 40 + ".csv")
    csv.write_text("industry,employment\n" + rows)
    toml = tmp_path / "many.toml"
    toml.write_text(
        'region = "heartland"\n' + "".join(f"unknown_{i} = '{'v' * 3000}'\n" for i in range(300))
    )
    for path in (csv, toml):
        code, lines, _ = cli_check(path)
        assert code == 2
        assert len(lines) == MAX_PROBLEMS + 1, lines
        more = {csv: 980, toml: 280}[path]
        assert lines[-1].endswith(
            f"{path.suffix}: (file): ... and {more} more problems (fix these and check again)"
        )
        assert max(len(line) for line in lines) <= MAX_LINE


def test_error_text_is_capped_but_keeps_every_problem():
    problems = [Problem("f.toml", f"k{i}", "bad " + "v" * 1000) for i in range(50)]
    err = Err(problems)
    lines = str(err).splitlines()
    assert len(err.problems) == 50 and len(lines) == 21
    assert lines[-1] == "f.toml: (file): ... and 30 more problems (fix these and check again)"
    assert all(len(line) <= MAX_LINE for line in lines)
    long_file = Problem("/very" * 100 + "/file.toml", "x", "bad")
    assert str(long_file).startswith("...") and "/file.toml: x: bad" in str(long_file)
