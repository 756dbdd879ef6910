"""The ``mesoscape`` command line (DESIGN §4.2): list, check, run; exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.cli import main
from scenarios import list_builtins

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "scenarios" / "data"

BAD_FILES = {
    # file name: (content, the field its one message must name)
    "unknown_key.toml": ('name = "x"\nregion = "heartland"\ncolour = "red"\n', "colour"),
    "wrong_type.toml": (
        'name = "x"\nregion = "heartland"\n[market]\nselection = "fast"\n',
        "market.selection",
    ),
    "out_of_range.toml": ('name = "x"\nregion = "heartland"\nsteps = 5000\n', "steps"),
    "unknown_industry.toml": (
        'name = "x"\nregion = "heartland"\n[[events]]\ntype = "industry_decline"\n'
        'step = 10\nindustry = "batteris"\n',
        "events[0].industry",
    ),
    "broken.toml": ('name = "x"\nregion = [heartland\n', "(file)"),
}


# --------------------------------------------------------------------------- list


def test_list_prints_every_builtin_region_and_scenario(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "regions:" in lines and "scenarios:" in lines
    found = list_builtins()
    assert {"heartland", "agrifood", "mining"} <= {name for name, _ in found["regions"]}
    assert "baseline" in {name for name, _ in found["scenarios"]}
    for kind in ("regions", "scenarios"):
        for name, description in found[kind]:
            line = next(x for x in lines if x.split()[:1] == [name])
            assert description in line  # one line each, with its description
    assert lines.index("regions:") < lines.index("scenarios:")


# --------------------------------------------------------------------------- check


def test_check_accepts_every_builtin_data_file(capsys):
    files = sorted(str(p) for p in DATA.rglob("*.toml"))
    assert len(files) >= 15  # catalogue, 3 regions, the scenarios
    assert main(["check", *files]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.splitlines() == [f"{f}: ok" for f in files]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_check_rejects_a_bad_file_with_one_line_naming_file_and_field(name, tmp_path, capsys):
    content, field = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"{path}: {field}: ")
    assert "Traceback" not in captured.err


def test_check_reports_every_bad_file_and_passes_none(tmp_path, capsys):
    paths = []
    for name, (content, _) in sorted(BAD_FILES.items()):
        (tmp_path / name).write_text(content, encoding="utf-8")
        paths.append(str(tmp_path / name))
    good = str(DATA / "scenarios" / "baseline.toml")
    assert main(["check", good, *paths]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line.split(": ")[0] for line in err] == paths


def test_check_of_a_missing_file_is_an_input_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nothing.toml")]) == 2
    assert "nothing.toml" in capsys.readouterr().err


# --------------------------------------------------------------------------- run


def run_cli(out: Path, seed: int = 1, steps: int = 6) -> int:
    return main(["run", "baseline", "--seed", str(seed), "--steps", str(steps), "--out", str(out)])


def test_run_prints_the_summary_and_saves_the_series(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_cli(out) == 0
    text = capsys.readouterr().out
    assert "baseline · seed 1 · 6 quarters" in text
    for label in ("Employment (workers)", "Unemployment rate", "Firms", "Firm births"):
        assert label in text
    assert "start" in text and "end" in text
    assert "Wall time:" in text and "for 6 quarters" in text
    for name in ("series.parquet", "series.csv", "provenance.json", "scenario.toml"):
        assert (out / name).is_file()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, capsys):
    for folder, seed in (("a", 1), ("b", 1), ("c", 2)):
        assert run_cli(tmp_path / folder, seed=seed) == 0
    capsys.readouterr()
    for name in ("series.parquet", "series.csv"):
        a, b, c = ((tmp_path / f / name).read_bytes() for f in "abc")
        assert a == b, f"{name} differs between two runs with the same seed"
        assert a != c, f"{name} is the same for seeds 1 and 2"


def test_provenance_records_seed_scenario_and_versions(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_cli(out, seed=3, steps=2) == 0
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["seed"] == 3
    assert prov["scenario"] == "baseline"
    assert prov["steps"] == 2
    versions = prov["versions"]
    for package in ("python", "mesa", "numpy", "pandas", "pyarrow", "pydantic"):
        assert versions.get(package) not in (None, "", "not installed"), package
    assert versions["python"] == ".".join(map(str, sys.version_info[:3]))


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["run", "baseline", "--steps", "-1", "--out", "{out}"], "-1 is negative"),
        (["run", "baseline", "--steps", "many", "--out", "{out}"], "'many' is not a whole number"),
        (["run", "baseline", "--seed", "-4", "--out", "{out}"], "-4 is negative"),
        (["run", "no_such_scenario", "--out", "{out}"], "no such file and no built-in scenario"),
        (["run"], "SCENARIO"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_run_arguments_are_input_errors_with_a_clear_message(argv, says, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([a.replace("{out}", str(out)) for a in argv]) == 2
    captured = capsys.readouterr()
    assert says in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()  # nothing was run or saved


def test_unknown_scenario_lists_the_builtins(capsys):
    assert main(["run", "basline"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line
    assert "basline" in err and "baseline" in err


def test_console_entry_point_exits_with_2_on_bad_input(tmp_path):
    """The real command, end to end: bad input is exit code 2 and a message, no traceback."""
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_FILES["out_of_range.toml"][0], encoding="utf-8")
    for args, says in (
        (["check", str(bad)], f"{bad}: steps: 5000 is out of range"),
        (["run", "no_such_scenario"], "no_such_scenario"),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "experiments.cli", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        assert says in proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stdout == ""


def test_run_into_an_unwritable_place_is_an_input_error(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["run", "baseline", "--steps", "1", "--out", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert str(blocker) in err and "--out" in err and "Traceback" not in err


def test_a_closed_pipe_stops_quietly_after_saving(tmp_path):
    out = tmp_path / "r"
    cmd = [sys.executable, "-m", "experiments.cli", "run", "baseline", "--steps", "2"]
    proc = subprocess.Popen(
        [*cmd, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # the reader goes away before the summary is printed
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err
    assert (out / "series.csv").exists()


# ------------------------------------------------------------ run --force, compare, replay


def test_run_refuses_an_occupied_folder_before_running_unless_forced(tmp_path, capsys):
    out = tmp_path / "r"
    assert run_cli(out, seed=1, steps=2) == 0
    capsys.readouterr()
    assert run_cli(out, seed=2, steps=2) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"{out}: already holds a run of baseline, seed 1; use --force to replace it, "
        "or choose another --out"
    )
    assert run_cli(out, seed=1, steps=2) == 0  # the same run again: fine
    argv = ["run", "baseline", "--seed", "2", "--steps", "2", "--out", str(out), "--force"]
    assert main(argv) == 0
    assert json.loads((out / "provenance.json").read_text())["seed"] == 2


def test_run_steps_out_of_range_says_what_is_allowed(tmp_path, capsys):
    assert main(["run", "baseline", "--steps", "0", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "--steps: 0 is not allowed; allowed: a whole number from 1 to 2000"


def test_compare_prints_the_table_and_saves_the_report(tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", "decline_no_policy", "decline_bottom_up", "--replications", "2",
            "--steps", "6", "--workers", "1", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert text.startswith("decline_bottom_up vs decline_no_policy (baseline): 2 futures")
    assert "Jobs at the end" in text and "of 2 futures" in text and "[" in text
    assert f"Saved to {out}/" in text
    for name in ("report.html", "figures/difference_employment.png", "manifest.json"):
        assert (out / name).is_file()
    # occupied by another comparison: refused before any run, with a clear line
    assert main([*argv[:4], "3", *argv[5:]]) == 2
    err = capsys.readouterr().err
    assert "already holds a comparison of decline_no_policy, decline_bottom_up" in err
    assert main(["replay", str(out)]) == 0
    assert "identical" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["compare", "baseline", "foresight", "--replications", "0"],
         "--replications: 0 is not allowed; allowed: a whole number from 1 to 1000"),
        (["compare", "baseline"], "scenarios: 1 given; allowed: 2 to 12"),
        (["compare", "baseline", "basline"], "basline"),
        (["compare", "baseline", "foresight", "--steps", "0"], "--steps: 0 is not allowed"),
        (["replay"], "DIR"),
    ],
)  # fmt: skip
def test_bad_compare_arguments_are_input_errors(argv, says, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path / "o")] if argv[0] == "compare" else argv) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
