"""workforce_sim: simulate the social work workforce of an English council's
children's services: caseloads, unallocated cases, changes of social worker,
recruitment, agency cover and costs, under scenarios planners write themselves.

>>> import workforce_sim as ws
>>> scenario = ws.load_scenario()                  # the Herefordshire 2025 baseline
>>> one = ws.simulate(scenario, seed=1)            # one replication
>>> sorted(set(one.monthly["team"]))[:2]
['all', 'assessment']
"""

from ._version import __version__
from .errors import ScenarioError
from .experiment import run, simulate
from .results import Results, RunResult
from .scenario import Scenario, load_scenario, shipped_scenarios

__all__ = [
    "Results",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "run",
    "shipped_scenarios",
    "simulate",
]
