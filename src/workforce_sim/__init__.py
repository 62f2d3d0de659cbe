"""workforce_sim: simulate the social work workforce of an English council's
children's services: caseloads, unallocated cases, changes of social worker,
recruitment, agency cover and costs, under scenarios planners write themselves.

>>> import workforce_sim as ws
>>> scenario = ws.load_scenario()                  # the Herefordshire 2025 baseline
>>> one = ws.simulate(scenario, seed=1)            # one replication
>>> sorted(set(one.monthly["team"]))[:2]
['all', 'assessment']
"""

from workforce_sim._version import __version__
from workforce_sim.data import DataError, census, neighbours
from workforce_sim.experiment import (
    Backtest,
    Comparison,
    Sweep,
    at_month,
    backtest,
    compare,
    global_sensitivity,
    horizon_mean,
    horizon_total,
    one_at_a_time,
    replications_needed,
    run,
    simulate,
    sweep,
)
from workforce_sim.results import Results, RunResult, Target, actuals
from workforce_sim.scenario import (
    Scenario,
    ScenarioError,
    council_scenario,
    council_toml,
    load_scenario,
    shipped_scenarios,
)

__all__ = [
    "Backtest",
    "Comparison",
    "DataError",
    "Results",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Sweep",
    "Target",
    "__version__",
    "actuals",
    "at_month",
    "backtest",
    "census",
    "compare",
    "council_scenario",
    "council_toml",
    "global_sensitivity",
    "horizon_mean",
    "horizon_total",
    "load_scenario",
    "neighbours",
    "one_at_a_time",
    "replications_needed",
    "run",
    "shipped_scenarios",
    "simulate",
    "sweep",
]
