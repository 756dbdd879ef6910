"""The ``mesoscape`` command line: a thin layer over public functions tests can call too."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scenarios import (
    ScenarioError,
    check_files,
    describe_field,
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
    """Run one scenario, print a summary, save the series."""
    from experiments.run import run, save_result, summary_table

    scenario = load_scenario(args.scenario)
    try:
        result = run(scenario, seed=args.seed, steps=args.steps, progress=sys.stderr.isatty())
    except ScenarioError:  # the only parameter set here is the number of steps
        allowed = describe_field("steps")
        print(f"--steps: {args.steps} is out of range; allowed: {allowed}", file=sys.stderr)
        return EXIT_INPUT
    steps = result.scenario.steps
    out = Path(args.out) if args.out else Path("results") / f"{scenario.name}-seed{args.seed}"
    try:
        save_result(result, out)  # first: the results are kept even if nobody reads stdout
    except OSError as exc:
        print(f"{out}: --out: cannot write the results there ({exc.strerror})", file=sys.stderr)
        return EXIT_INPUT
    print(summary_table(result))
    print(f"\nSeries saved to {out}/ (series.parquet, series.csv, tables, provenance.json)")
    print(f"Wall time: {result.wall_time:.2f} s for {steps} quarters")
    return EXIT_OK


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
    p.set_defaults(func=cmd_run)
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
