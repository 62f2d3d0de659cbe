"""The engine: one replication of a scenario as a discrete-event simulation.

* :mod:`.kernel`: the event loop (SimPy's, with a lean path for referrals and closures);
* :mod:`.model`: the :class:`Model`, the one place that knows every process;
* :mod:`.processes`: one module per process (demand, allocation, staffing,
  attrition, recruitment, agency, academy, costs);
* :mod:`.recording`: month-end stocks and flows, the optional case and staff logs;
* :mod:`.streams` and :mod:`.exact`: named random streams and exact FTE sums.

The engine reads a validated :class:`~workforce_sim.scenario.Scenario` and
imports nothing above it.
"""

from workforce_sim.engine.model import Model

__all__ = ["Model"]
