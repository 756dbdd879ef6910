"""``mesoscape validate``: the report is produced, complete, consistent and written atomically.

The reduced validation here may show FAIL (the model is not calibrated yet): it checks the
instrument, not the model.
"""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path

import numpy as np
import pytest

from experiments import validation_report
from experiments.cli import main
from experiments.policy_story import (
    EXPLANATIONS,
    GENERIC,
    STORIES,
    PolicyCheck,
    _judge,
    policy_story_checks,
)
from experiments.validate import (
    FACT_ORDER,
    REGIONS,
    ValidationInputError,
    shock_of,
    validate,
)
from scenarios import load_scenario


@pytest.fixture(scope="module")
def reduced(tmp_path_factory):
    """A reduced heartland validation: 2 replications x 48 quarters, two workers."""
    out = tmp_path_factory.mktemp("validate") / "heartland"
    report = validate("heartland", 2, 48, out=out, workers=2, policy_story=False)
    return report, out


@pytest.mark.slow
def test_reduced_validation_writes_a_complete_report(reduced):
    report, out = reduced
    assert report.out == out
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["report.md", "report.html", "report.json"] + [f"fig_{k}.png" for k in FACT_ORDER]
    )
    assert [f.key for f in report.facts] == list(FACT_ORDER)
    assert report.required == FACT_ORDER and report.seeds == (1, 2) and report.steps == 48
    assert not list(out.parent.glob(".heartland.*"))  # no temporary folder left
    md = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    for fact in report.facts:
        assert f"{fact.title}: {fact.verdict}" in md and fact.source in md
        assert f"![{fact.title}](fig_{fact.key}.png)" in md
        for m in fact.measures:
            assert m.name in md and m.reference in md
    assert "## Policy-story checks" in md and "<h2>Policy-story checks</h2>" in page
    # self-contained: every figure embedded, nothing fetched from elsewhere
    assert page.count('src="data:image/png;base64,') == len(FACT_ORDER)
    assert "http://" not in page and "https://" not in page and 'src="fig_' not in page
    assert (out / "fig_growth.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_reduced_validation_is_consistent(reduced):
    report, out = reduced
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved == json.loads(json.dumps(report.to_dict(), default=float))
    assert saved["passed"] == all(f["verdict"] == "PASS" for f in saved["facts"] if f["required"])
    for fact in report.facts:
        judged = [m for m in fact.measures if m.band is not None]
        assert judged and fact.passed == all(m.band.contains(m.value) for m in judged)
        for m in fact.measures:
            if m.value is not None and m.interval is not None and m.band is not None:
                assert m.interval[0] - 1e-9 <= m.value <= m.interval[1] + 1e-9
    by_key = {f.key: f for f in report.facts}
    # the measured values are the model's, not placeholders: heavy tail, survival in (0, 1)
    assert 0.3 < by_key["firm_size"].measures[0].value < 3.0
    for m in by_key["survival"].measures:
        assert 0.0 < m.value < 1.0
    assert by_key["regional_shock"].measures[1].value > 0  # the decline costs direct jobs
    assert report.policy_checks == ()  # run separately below (policy_story=False)


@pytest.mark.slow
def test_reduced_policy_story_checks_are_judged_from_paired_runs():
    """Two seeds x 24 quarters: every check is judged with its measured interval, and a
    failure carries an explanation (the instrument, not the calibrated model's verdicts)."""
    checks = policy_story_checks(replications=2, steps=24, workers=2)
    assert [c.name for c in checks[:-1]] == [s.name for s in STORIES]
    for c in checks[:-1]:
        assert c.status in ("PASS", "FAIL") and "95% CI" in c.detail and "of 2 seeds" in c.detail
        if c.status == "FAIL":
            assert EXPLANATIONS.get(c.name, GENERIC) in c.detail
    assert "path dependence" in checks[-1].name and "over 2 seeds" in checks[-1].detail


@pytest.mark.parametrize("sign", [+1, -1])
def test_a_check_passes_only_when_the_paired_interval_is_on_the_expected_side(sign):
    story = dataclasses.replace(STORIES[0], sign=sign)
    base = np.arange(10.0)
    up = base + 5.0 + np.linspace(-1.0, 1.0, 10)  # clearly higher in every seed
    noise = base + np.array([1.0, -1.0] * 5)  # no difference on average
    assert _judge(story, up - base, base, up).status == ("PASS" if sign > 0 else "FAIL")
    assert _judge(story, base - up, up, base).status == ("FAIL" if sign > 0 else "PASS")
    unclear = _judge(story, noise - base, base, noise)
    assert unclear.status == "FAIL" and EXPLANATIONS.get(story.name, GENERIC) in unclear.detail


@pytest.mark.slow
def test_the_report_shows_every_policy_check_with_its_verdict(reduced):
    report, _ = reduced
    checks = (
        PolicyCheck("a check that holds", "PASS", "x: 2 vs 1; paired difference +1"),
        PolicyCheck("a check that fails <here>", "FAIL", "model wrong: because"),
    )
    shown = dataclasses.replace(report, policy_checks=checks)
    md = validation_report.markdown(shown, {f.key: f"fig_{f.key}.png" for f in report.facts})
    page = validation_report.html_page(shown, {f.key: b"" for f in report.facts})
    for c in checks:
        assert f"| {c.name} | **{c.status}** | {c.detail} |" in md
        assert html.escape(c.name) in page and html.escape(c.detail) in page
    assert '<td class="fail"><b>FAIL</b></td>' in page
    assert vars(checks[1]) in dataclasses.replace(shown).to_dict()["policy_checks"]


def test_policy_story_checks_are_defined_for_the_heartland_only():
    from experiments.validate import policy_story_checks as for_region

    assert for_region("agrifood", 2, 4, 1) == () and for_region("mining", 2, 4, 1) == ()


@pytest.mark.slow
def test_same_report_on_any_worker_count(tmp_path):
    one = validate("mining", replications=2, steps=6, out=tmp_path / "one", workers=1)
    two = validate("mining", replications=2, steps=6, out=tmp_path / "two", workers=2)
    assert one.to_dict() == two.to_dict()
    for name in ("report.md", "report.json", "report.html", "fig_firm_size.png"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_regions_plan_the_scenarios_the_brief_names():
    assert set(REGIONS) == {"heartland", "agrifood", "mining"}
    for plan in REGIONS.values():
        load_scenario(plan.scenario)
    onset, direct = shock_of(load_scenario("decline_no_policy"))
    assert onset == 20 and direct == ("automotive_ice_components",)
    onset, direct = shock_of(load_scenario("mining_phaseout"))
    assert onset == 8 and direct == ("coal_mining", "fossil_power")
    assert shock_of(load_scenario("baseline")) is None


@pytest.mark.parametrize(
    "kwargs, option",
    [
        ({"region": "atlantis"}, "--region"),
        ({"replications": 0}, "--replications"),
        ({"steps": 0}, "--steps"),
        ({"workers": 0}, "--workers"),
    ],
)
def test_bad_arguments_are_refused_before_running(kwargs, option):
    with pytest.raises(ValidationInputError, match=option):
        validate(**{"region": "heartland", **kwargs})


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--region", "atlantis"], "allowed: agrifood, heartland, mining"),
        (["--replications", "0"], "--replications"),
        (["--steps", "-3"], "negative"),
    ],
)
def test_cli_bad_input_exits_2_with_one_message(argv, fragment, capsys):
    assert main(["validate", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_cli_out_that_is_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "report"
    target.write_text("not a folder")
    argv = ["validate", "--region", "agrifood", "--replications", "1", "--steps", "2"]
    assert main([*argv, "--workers", "1", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert str(target) in err and "--out" in err
    assert target.read_text() == "not a folder"


def test_cli_writes_the_report_and_exits_1_on_a_failing_fact(tmp_path, capsys):
    out = tmp_path / "agrifood"
    argv = ["validate", "--region", "agrifood", "--replications", "1", "--steps", "2"]
    code = main([*argv, "--workers", "1", "--out", str(out)])
    printed = capsys.readouterr().out
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert code == (0 if saved["passed"] else 1) == 1  # two quarters: survival is unmeasurable
    assert "FAIL" in printed and str(out) in printed
    assert saved["required"] == list(FACT_ORDER[:4])


def test_a_failed_write_keeps_the_previous_report(tmp_path, monkeypatch):
    out = tmp_path / "agrifood"
    report = validate("agrifood", replications=1, steps=2, out=out, workers=1)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(fact):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(validation_report, "plot_png", broken)
    with pytest.raises(OSError):
        validation_report.write_report(report, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agrifood"]
    monkeypatch.undo()
    assert validation_report.write_report(report, out) == out  # replaces an existing report
    assert {p.name for p in out.iterdir()} == set(before)
    assert isinstance(out, Path)
