"""Scenarios: the schema, its checks, loading from TOML files and dicts, the
duration distributions, the shipped scenarios (``shipped/``), and a scenario
for any English council built from the DfE's published data (``council``).

This layer imports only the data layer below it.
"""

from workforce_sim.scenario.council import council_scenario, council_toml
from workforce_sim.scenario.errors import Problem, ScenarioError
from workforce_sim.scenario.loading import load_scenario, shipped_scenarios
from workforce_sim.scenario.schema import Scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "council_scenario", "council_toml", "load_scenario",
           "shipped_scenarios"]
