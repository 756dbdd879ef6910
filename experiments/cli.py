"""The ``mesoscape`` command line: a thin layer over public functions tests can call too."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scenarios import (
    ScenarioError,
    check_files,
    list_builtins,
    load_scenario,
)

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2
APP_FILE = Path(__file__).resolve().parent.parent / "app.py"
#: The app server must never reach the internet: no telemetry, and front-end assets only from
#: the installed ``solara-assets``; a cache miss of solara's CDN proxy goes to a dead loopback
#: port and fails instead of downloading.
APP_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/",
}


def cmd_list(args: argparse.Namespace) -> int:
    """Print the built-in regions and scenarios, one line each."""
    found = list_builtins()
    for kind in ("regions", "scenarios"):
        print(f"{kind}:")
        width = max((len(name) for name, _ in found[kind]), default=0)
        for name, description in found[kind]:
            print(f"  {name:<{width}}  {description}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Validate scenario or region files; print every problem on one line."""
    problems = check_files(args.files)
    for problem in problems:
        print(str(problem), file=sys.stderr)
    if problems:
        return EXIT_INPUT
    for path in args.files:
        print(f"{path}: ok")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario, print a summary, save the series (atomically; see experiments.store)."""
    from experiments.run import BadArgument, default_out, run, save_result, summary_table
    from experiments.store import StoreError, check_target

    scenario = load_scenario(args.scenario)
    try:
        out = Path(args.out) if args.out else default_out(scenario.name, args.seed)
        steps = scenario.steps if args.steps is None else args.steps
        identity = {"kind": "run", "scenarios": [scenario.name], "seeds": [args.seed]}
        check_target(out, {**identity, "steps": steps}, force=args.force)  # before the work
        result = run(scenario, seed=args.seed, steps=args.steps, progress=sys.stderr.isatty())
        save_result(result, out, force=args.force)  # first: kept even if nobody reads stdout
    except BadArgument as exc:
        print(f"--{exc}", file=sys.stderr)  # "--steps: 0 is not allowed; allowed: ..."
        return EXIT_INPUT
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"{out}: --out: cannot write the results there ({exc.strerror})", file=sys.stderr)
        return EXIT_INPUT
    print(summary_table(result))
    print(f"\nSeries saved to {out}/ (series.parquet, series.csv, tables, provenance.json)")
    print(f"Wall time: {result.wall_time:.2f} s for {result.scenario.steps} quarters")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Run a region's scenarios with replications and write the stylized-facts report.

    Exit code 0 if every required fact passes, 1 if one fails (the report is written
    either way), 2 for bad input.
    """
    from experiments.validate import DEFAULT_REPLICATIONS, ValidationInputError, validate

    out = Path(args.out) if args.out else Path("results") / f"validate-{args.region}"
    try:
        report = validate(
            region=args.region,
            replications=DEFAULT_REPLICATIONS if args.replications is None else args.replications,
            steps=args.steps,
            out=out,
            workers=args.workers,
            progress=sys.stderr.isatty(),
        )
    except ValidationInputError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"{out}: --out: cannot write the report there ({exc.strerror})", file=sys.stderr)
        return EXIT_INPUT
    for fact in report.facts:
        required = "" if fact.key in report.required else " (not required)"
        values = "; ".join(
            f"{m.name} = {'n/a' if m.value is None else f'{m.value:.3g}'}" for m in fact.measures
        )
        print(f"{fact.verdict}  {fact.title}{required}: {values}")
    verdict = "PASS" if report.passed else "FAIL"
    print(
        f"\n{verdict}: {report.region}, {len(report.seeds)} replications x {report.steps} quarters"
    )
    print(f"Report written to {out}/ (report.md, report.html, report.json)")
    return EXIT_OK if report.passed else EXIT_FAIL


def cmd_app(args: argparse.Namespace) -> int:
    """Serve the browser app (localhost by default, no telemetry, all assets local)."""
    from app_pages.server import serve

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: serving on {args.host}: other machines on the network can reach the app; "
            "it has no login",
            file=sys.stderr,
        )
    return serve(args.host, args.port, cull=args.cull, allow=args.allow_host)


def _duration(text: str) -> str:
    import re

    if not re.fullmatch(r"\d{1,6}(\.\d+)?(s|m|h)?", text.strip()):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a duration; allowed: a number with s, m or h, e.g. 90s or 2m"
        )
    return text.strip()


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a parameter sweep into a resumable result store; exit 1 if any run failed."""
    from experiments.sweep import sweep

    summary = sweep(
        args.file,
        out=args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=sys.stderr.isatty(),
    )
    print(summary)
    for path in summary.report[:2]:
        print(f"Report: {path}")
    return summary.exit_code


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare scenarios over replications; print the table; save plots, report, tables."""
    from experiments.compare import compare, default_out
    from experiments.run import BadArgument
    from experiments.store import StoreError, check_target

    try:
        scenarios = [load_scenario(name) for name in args.scenarios]
        names = [s.name for s in scenarios]
        out = Path(args.out) if args.out else default_out(names)
        if len(set(names)) == len(names):  # refuse an occupied --out before the work
            steps = args.steps or max(s.steps for s in scenarios)
            seeds = list(range(1, args.replications + 1))
            identity = {"kind": "comparison", "scenarios": names, "seeds": seeds, "steps": steps}
            check_target(out, identity, force=args.force)
        stage = f"--scheduler {args.scheduler}: cannot use it" if args.scheduler else "compare"
        with _progress_bar("runs") as tick:
            comparison = compare(
                scenarios,
                replications=args.replications,
                workers=args.workers,
                scheduler=args.scheduler,
                steps=args.steps,
                progress=tick,
            )
        stage = f"{out}: --out: cannot write the results there"
        comparison.save(out, force=args.force)  # first: kept even if nobody reads stdout
    except BadArgument as exc:
        flag = str(exc).split(":")[0] in ("steps", "replications")  # a command-line option
        print(f"--{exc}" if flag else str(exc), file=sys.stderr)
        return EXIT_INPUT
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:  # an unreachable scheduler, an unwritable folder
        print(f"{stage} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_INPUT
    except RuntimeError as exc:  # a run failed: a bug, reported in one line
        print(f"compare: {exc}", file=sys.stderr)
        return EXIT_FAIL
    print(comparison.table())
    print(f"\nSaved to {out}/ (report.html, figures/*.png, tables, provenance.json)")
    return EXIT_OK


def cmd_replay(args: argparse.Namespace) -> int:
    """Re-run a saved run or comparison; exit 0 if identical, 1 naming what differs."""
    from experiments.replay import replay
    from experiments.store import StoreError

    try:
        report = replay(args.folder, workers=args.workers)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    print(str(report), file=sys.stdout if report.ok else sys.stderr)
    return EXIT_OK if report.ok else EXIT_FAIL


@contextmanager
def _progress_bar(unit: str) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback: a tqdm bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from tqdm import tqdm

    bar = tqdm(total=0, unit=unit, file=sys.stderr, leave=False)

    def tick(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield tick
    finally:
        bar.close()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; allowed: 0 or more")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port; allowed: 1 to 65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="mesoscape",
        description="Agent-based simulation of regional industrial ecosystems.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="the built-in regions and scenarios")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("check", help="validate scenario or region files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("run", help="run one scenario and save its time series")
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in name or a path")
    p.add_argument("--seed", type=_positive_int, default=0)
    p.add_argument(
        "--steps", type=_positive_int, default=None, help="quarters (default: the scenario's)"
    )
    p.add_argument("--out", default=None, help="folder for the results")
    p.add_argument("--force", action="store_true", help="replace a different result in --out")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("validate", help="check the stylized facts; write a report")
    p.add_argument("--region", default="heartland", help="heartland, agrifood or mining")
    p.add_argument(
        "--replications", type=_positive_int, default=None, help="seeds 1..N (default 10)"
    )
    p.add_argument(
        "--steps", type=_positive_int, default=None, help="quarters (default: the scenarios')"
    )
    p.add_argument("--out", default=None, help="folder for the report")
    p.add_argument("--workers", type=_positive_int, default=None, help="worker processes")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("app", help="serve the browser app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8765)
    p.add_argument(
        "--cull",
        type=_duration,
        default="2m",
        help="how long a closed browser tab's model is kept (default 2m)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name the app answers to (with --host), repeatable",
    )
    p.set_defaults(func=cmd_app)
    p = sub.add_parser("sweep", help="run a parameter sweep (resumable) with sensitivity")
    p.add_argument("file", metavar="SWEEP_FILE", help="the sweep file (TOML)")
    p.add_argument(
        "--out", default=None, help="folder of the results (default: results/sweep-NAME)"
    )
    p.add_argument("--workers", type=_positive_int, default=None, help="worker processes")
    p.add_argument(
        "--scheduler", default=None, help="a Dask scheduler address, or 'local' for a local cluster"
    )
    p.set_defaults(func=cmd_sweep)
    p = sub.add_parser("compare", help="compare scenarios over replications (paired)")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="baseline first; names/paths")
    p.add_argument("--replications", type=_positive_int, default=10, help="seeds 1..N (10)")
    p.add_argument("--workers", type=_positive_int, default=None, help="worker processes")
    p.add_argument(
        "--scheduler", default=None, help="a Dask scheduler address, or 'local' for a local cluster"
    )
    p.add_argument("--steps", type=_positive_int, default=None, help="quarters per run")
    p.add_argument("--out", default=None, help="folder (default: results/compare-NAMES)")
    p.add_argument("--force", action="store_true", help="replace a different result in --out")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser("replay", help="re-run a saved run or comparison, check it is identical")
    p.add_argument("folder", metavar="DIR", help="a folder saved by run or compare")
    p.add_argument("--workers", type=_positive_int, default=1, help="worker processes (1)")
    p.set_defaults(func=cmd_replay)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mesoscape`` command.

    Returns:
        0 on success, 2 for bad input (with one clear message per problem).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        # the reader went away (e.g. `mesoscape run ... | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
