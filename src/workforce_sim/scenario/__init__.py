"""Scenarios: the schema, its checks, loading from TOML files and dicts, the
duration distributions, and the shipped scenarios (``shipped/``).

This layer is the bottom of the package: it imports nothing else of it.
"""

from workforce_sim.scenario.errors import Problem, ScenarioError
from workforce_sim.scenario.loading import load_scenario, shipped_scenarios
from workforce_sim.scenario.schema import Scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario", "shipped_scenarios"]
