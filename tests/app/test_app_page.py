"""The app's pieces without a browser: adapter, charts, levers, links, uploads, pages, CLI."""

from __future__ import annotations

import importlib.util

import pytest

from app_pages import levers, sharing, view
from app_pages.session import Session
from app_pages.svg import Series, line_chart, nice_ticks
from experiments.cli import APP_FILE
from scenarios import describe_field, load_scenario


def test_app_module_defines_the_four_pages():
    spec = importlib.util.spec_from_file_location("mesoscape_app_under_test", APP_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert [r.path for r in module.routes] == ["/", "compare", "region", "workshop"]


def test_time_in_years_and_quarters_and_the_run_stops_at_the_horizon():
    assert [view.when(q) for q in (0, 1, 4, 5, 15)] == [
        "Start", "Year 1, Q1", "Year 1, Q4", "Year 2, Q1", "Year 4, Q3"
    ]  # fmt: skip
    model = view.build(load_scenario("baseline").model_copy(update={"steps": 3}), seed=0)
    assert view.step(model, 10) == 3 and view.quarter(model) == 3
    assert view.step(model, 1) == 0


def test_ticks_cover_the_data():
    for lo, hi in ((-2.28, 0.7), (0, 57.9), (0.1, 0.38)):
        ticks = nice_ticks(lo, hi)
        assert ticks[0] <= lo and ticks[-1] >= hi


def test_chart_text_is_escaped():
    svg = line_chart(
        [0, 1], [Series("<script>x</script>", [1, 2], "#000")], title="a&b", ylabel="y"
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg


def test_levers_take_bounds_from_the_schema_and_refuse_bad_values():
    for path, lever in levers.LEVERS.items():
        assert lever.allowed == describe_field(path)
    budget = levers.LEVERS["policy.budget"]
    assert (budget.lo, budget.hi) == (0.0, 1e6)
    base = load_scenario("decline_bottom_up")
    assert levers.apply(base, {"policy.budget": -3})[1] == [
        "Regional budget: -3 is out of range; allowed: a number from 0 to 1000000"
    ]
    assert "at most 1" in levers.apply(base, {"policy.allocation.foresight": 0.5})[1][0]
    assert levers.apply(base, {"policy.targets": 2.5})[1][0].endswith(
        "is not a whole number; allowed: a whole number from 1 to 30"
    )
    changed, problems = levers.apply(base, {"policy.budget": 55.0})
    assert problems == [] and changed.policy.budget == 55.0


def test_links_round_trip_and_tampering_is_a_clear_message():
    shared = sharing.View("decline_bottom_up", {"policy.budget": 20.0}, seed=3, quarter=4)
    token = sharing.encode(shared)
    assert sharing.decode(token) == shared
    assert sharing.resolve(shared).policy.budget == 20.0
    with pytest.raises(sharing.LinkError, match="damaged or was edited"):
        sharing.decode(token[:-1] + ("0" if token[-1] != "0" else "1"))
    for bad in ("", "abc", "x" * 70_000):
        with pytest.raises(sharing.LinkError):
            sharing.decode(bad)
    with pytest.raises(sharing.LinkError, match="not a built-in scenario"):
        sharing.resolve(sharing.View("/etc/passwd"))
    with pytest.raises(sharing.LinkError, match="negative"):
        sharing.check_seed(-1)


def test_uploads_are_toml_only_size_limited_and_never_read_server_files():
    assert "only scenario files ending in .toml" in sharing.parse_upload("x.py", b"")[1][0]
    big = sharing.parse_upload("big.toml", b"#" * (sharing.MAX_UPLOAD_BYTES + 1))[1]
    assert "too large" in big[0]
    _, problems = sharing.parse_upload("evil.toml", b'name = "x"\nregion = "/etc/passwd"\n')
    assert problems and all(p.startswith("evil.toml: ") for p in problems)
    assert not any("root:" in p for p in problems)
    _, problems = sharing.parse_upload("bad.toml", b'steps = "many"\n')
    assert any(p.startswith("bad.toml: steps:") for p in problems)


def test_a_link_reproduces_the_senders_view_in_another_session():
    sender = Session()
    sender.set_seed(5)
    sender.set_lever("policy.budget", 90.0)
    assert sender.reset() == []
    sender.step(3)
    token = sharing.encode(sender.link_view())
    receiver = Session()
    assert receiver.open_view(token) is None
    assert view.quarter(receiver.model) == 3 and receiver.model.seed == 5
    assert receiver.applied.policy.budget == 90.0
    assert view.indicators(receiver.model) == view.indicators(sender.model)
    assert receiver.model is not sender.model


def test_story_tells_discoveries_in_plain_language():
    s = Session()
    s.step(20)
    lines = view.story_lines(s.model)
    firsts = [line for line in lines if "The first " in line and "firm opened" in line]
    assert firsts
    # the page's status counts every discovery so far (the indicator counts this quarter's)
    assert view.discovery_count(s.model) == len(firsts)
    assert all(line.startswith("Year ") for line in lines)
    # each says where: the district the founder opened in, from the discovery ledger
    ledger = s.model.ledger.to_frame()
    named = {s.model.district_names[d] for d in ledger["district"]}
    assert len(firsts) == len(ledger) and all(d >= 0 for d in ledger["district"])
    assert all(
        any(
            f"opened in {name}," in line
            or f"opened in {name};" in line
            or line.endswith(f"opened in {name}")
            for name in named
        )
        for line in firsts
    )


def test_cmd_app_binds_localhost_and_warns_otherwise(monkeypatch, capsys):
    from app_pages import server
    from experiments import cli

    calls = []
    monkeypatch.setattr(server, "serve", lambda *a, **k: calls.append((a, k)) or 0)
    assert cli.main(["app"]) == 0
    assert calls[-1][0] == ("127.0.0.1", 8765) and calls[-1][1]["cull"] == "2m"
    assert "warning" not in capsys.readouterr().err
    assert cli.main(["app", "--host", "0.0.0.0", "--cull", "30s"]) == 0
    assert "warning: serving on 0.0.0.0" in capsys.readouterr().err
    env = server.app_environment("30s")
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == "30s"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_compare_table_shows_shares_in_per_cent_and_their_differences_in_points():
    from types import SimpleNamespace

    import pandas as pd

    from app_pages.compare import outcome_table

    rows = pd.DataFrame(
        [
            ("alt", "unemployment_end", "Unemployment rate at the end", "share of labour force",
             0.06, 0.0598, -0.000262, -0.000644, 0.00012, "better in 3 of 3 futures"),
            ("alt", "jobs_end", "Jobs at the end", "workers",
             55524.0, 55544.0, 19.6, -6.45, 45.7, "better in 3 of 3 futures"),
        ],
        columns=["alternative", "outcome", "label", "unit", "baseline_mean", "alternative_mean",
                 "mean_difference", "ci_low", "ci_high", "statement"],
    )  # fmt: skip
    table = outcome_table(SimpleNamespace(differences=rows))
    assert "<td>6.00%</td><td>5.98%</td><td>-0.03 pp (-0.06 pp to +0.01 pp)</td>" in table
    assert "<td>55,524</td><td>55,544</td><td>19.6 (-6.45 to 45.7)</td>" in table
