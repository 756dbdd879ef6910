"""Property: whatever a region TOML or region CSV holds, the outcome is a region or a clean error.

Random documents and random CSVs (cells drawn from numbers in every spelling, hostile text,
separators, control characters, line ends) go through ``load_region``, ``region_from_csv``
and ``check_files``; accepted regions are audited against every bound and limit.
``HYPOTHESIS_PROFILE=fuzz`` draws 20 times as many.
"""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import Region, ScenarioError, check_files, load_region, region_from_csv
from scenarios.errors import MAX_LINE, MAX_PROBLEMS
from scenarios.loader import REGIONS_DIR
from tests.scenarios.fuzz_corpus import HOSTILE_TEXT, SCALE
from tests.scenarios.fuzz_oracle import audit
from tests.scenarios.test_fuzz_loader import values

SETTINGS = settings(
    max_examples=150 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEARTLAND = tomllib.loads((REGIONS_DIR / "heartland.toml").read_text("utf-8"))
FIELDS = sorted({*Region.model_fields, "x", "y", "labour_force", "key", "employment", "firms"})


def assert_clean_outcome(load, path: Path) -> None:
    try:
        result = load(path)
    except ScenarioError as exc:
        lines = str(exc).splitlines()
        assert 1 <= len(lines) <= MAX_PROBLEMS + 1
        for line in lines:
            assert line.startswith(f"{path}: ") and len(line) <= MAX_LINE and line.isprintable()
    else:
        assert isinstance(result, Region)
        assert audit(result) == []
    for problem in check_files([path]):
        assert str(problem).startswith(f"{path}: ")


@st.composite
def region_documents(draw) -> bytes:
    """Heartland with some values replaced, at any depth."""
    doc = tomllib.loads(tomli_w.dumps(HEARTLAND))
    for _ in range(draw(st.integers(1, 4))):
        node = doc
        while True:
            if isinstance(node, dict):
                children = [(k, v) for k, v in node.items() if isinstance(v, (dict, list)) and v]
            else:
                children = [(i, v) for i, v in enumerate(node) if isinstance(v, (dict, list)) and v]
            if not children or draw(st.booleans()):
                break
            _, node = draw(st.sampled_from(children))
        if isinstance(node, dict):
            key = draw(st.one_of(st.sampled_from(sorted(node) or FIELDS), st.sampled_from(FIELDS)))
            node[key] = draw(values)
        elif node:
            node[draw(st.integers(0, len(node) - 1))] = draw(values)
    return tomli_w.dumps(doc).encode("utf-8")


@SETTINGS
@given(content=region_documents())
def test_any_region_file_gives_a_region_or_a_clean_error(content):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "region.toml"
        path.write_bytes(content)
        assert_clean_outcome(load_region, path)


NUMBERS = st.one_of(
    st.integers(-10, 10**9).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1 200", "1_200", "1.2E+03", "\u0661\u0662", "\uff11", "0x10", "+5", "-0"]),
)
CELLS = st.one_of(
    NUMBERS,
    st.sampled_from(["machinery", "local_services", "chemicals", "warp", "Town A", ""]),
    st.sampled_from(HOSTILE_TEXT).map(lambda t: t[:100]),
    st.text(max_size=8),
)
COLUMNS = st.lists(
    st.sampled_from(["industry", "employment", "firms", "district", "Employment", "jobs", ""]),
    min_size=1,
    max_size=5,
)


@st.composite
def csv_files(draw) -> bytes:
    header = draw(st.one_of(st.just(["industry", "employment", "firms", "district"]), COLUMNS))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    rows = draw(st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=6))
    text = end.join(sep.join(r) for r in [header, *rows]) + draw(st.sampled_from(["", end]))
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


@SETTINGS
@given(content=csv_files())
def test_any_region_csv_gives_a_region_or_a_clean_error(content):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "region.csv"
        path.write_bytes(content)
        assert_clean_outcome(region_from_csv, path)
