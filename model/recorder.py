"""The model's data collector: indicators per quarter and tidy tables, kept as arrays.

It offers the reading interface of Mesa's ``DataCollector``
(``get_model_vars_dataframe()``, ``get_table_dataframe(name)``, ``tables``), but is fed
whole arrays once per quarter instead of calling a reporter per indicator and adding table
rows one at a time, so collecting costs almost nothing per step. The frames are built when
asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


class Recorder:
    """Collects one row of indicators and some table rows per quarter.

    Args:
        indicators: the indicator names, in column order.
        tables: table name -> column names, in column order.
    """

    def __init__(self, indicators: Sequence[str], tables: Mapping[str, Sequence[str]]) -> None:
        self.indicators = tuple(indicators)
        self.tables: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in tables.items()}
        self._rows: list[tuple[float, ...]] = []
        self._table_parts: dict[str, list[dict[str, np.ndarray]]] = {k: [] for k in tables}

    def collect(self, values: Mapping[str, float]) -> None:
        """Add this quarter's indicators (every name of ``indicators``)."""
        self._rows.append(tuple(values[name] for name in self.indicators))

    def add_rows(self, table: str, **columns: object) -> None:
        """Add this quarter's rows to ``table``: arrays of one length, scalars repeated."""
        n = max(len(v) for v in columns.values() if isinstance(v, (list, tuple, np.ndarray)))
        part = {}
        for name in self.tables[table]:
            value = columns[name]
            part[name] = (
                np.asarray(value) if isinstance(value, (list, tuple, np.ndarray)) else [value] * n
            )
        self._table_parts[table].append(part)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per collected quarter, one column per indicator."""
        rows = np.array(self._rows, dtype=float).reshape(len(self._rows), len(self.indicators))
        return pd.DataFrame(rows, columns=list(self.indicators))

    def get_table_dataframe(self, name: str) -> pd.DataFrame:
        """The tidy table ``name``, all quarters collected so far."""
        cols = self.tables[name]
        parts = self._table_parts[name]
        if not parts:
            return pd.DataFrame(columns=list(cols))
        return pd.DataFrame({c: np.concatenate([np.asarray(p[c]) for p in parts]) for c in cols})

    def by_quarter(self, name: str, column: str) -> np.ndarray:
        """``column`` of table ``name`` as a (quarters, rows) array, without building a frame.

        For tables with the same rows every quarter (e.g. one per industry); much cheaper
        than pivoting the tidy table when a chart is redrawn every quarter.

        Raises:
            ValueError: if the quarters have different numbers of rows.
        """
        parts = self._table_parts[name]
        if not parts:
            return np.zeros((0, 0))
        try:
            return np.stack([np.asarray(p[column], dtype=float) for p in parts])
        except ValueError as err:
            raise ValueError(f"table {name!r} has a different number of rows per quarter") from err
