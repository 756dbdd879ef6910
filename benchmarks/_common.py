"""What the benchmarks share: writing their figures as JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json(report: dict[str, Any], path: str | Path) -> Path:
    """Write ``report`` as indented JSON to ``path`` atomically (a crash leaves the old file).

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    print(f"\nwritten {path}")
    return path
