"""The README's Python example runs as written, and its tour commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from experiments.cli import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_the_python_example_runs(tmp_path, monkeypatch):
    (code,) = blocks("python")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "results" / "bigger_budget" / "series.csv").exists()


def test_every_mesoscape_command_in_the_readme_parses():
    parser = build_parser()
    commands = [
        line.split("#")[0].split()[3:]
        for block in blocks("bash")
        for line in block.splitlines()
        if line.startswith("uv run mesoscape")
    ]
    assert len(commands) >= 5
    for argv in commands:
        args = parser.parse_args(argv)
        assert callable(args.func)
