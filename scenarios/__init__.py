"""Scenarios as data: the typed schema, the loader and the built-in library.

>>> from scenarios import load_scenario, with_params
>>> s = load_scenario("decline_bottom_up")
>>> s2 = with_params(s, {"policy.budget": 40.0})
"""

import model  # noqa: F401 - first: pins the BLAS kernels before numpy loads (model.blas)
from scenarios.check import check_files
from scenarios.errors import Problem, ScenarioError
from scenarios.loader import (
    list_builtins,
    load_catalogue,
    load_region,
    load_scenario,
    parse_scenario,
)
from scenarios.params import describe_field, scenario_to_toml, with_params
from scenarios.region_csv import region_from_csv
from scenarios.schema import Catalogue, Region, Scenario

__all__ = [
    "Catalogue",
    "Problem",
    "Region",
    "Scenario",
    "ScenarioError",
    "check_files",
    "describe_field",
    "list_builtins",
    "load_catalogue",
    "load_region",
    "load_scenario",
    "parse_scenario",
    "region_from_csv",
    "scenario_to_toml",
    "with_params",
]
