"""The engine: one replication of a scenario as a discrete-event simulation.

* :mod:`.kernel`: the event loop (SimPy's, with a lean path for referrals and closures);
* :mod:`.context`: what every process shares (clock, scheduling, tickets,
  streams, teams, hooks) and what a process may touch;
* :mod:`.model`: the :class:`Model`, the one place that knows every process,
  builds them and wires them;
* :mod:`.processes`: one module per process (demand, allocation, staffing,
  attrition, recruitment, agency, academy, costs), independent of each other;
* :mod:`.state`: cases, teams (queues and the allocation rule), workers, accruals;
* :mod:`.recording`: month-end stocks and flows, the optional case and staff logs;
* :mod:`.streams` and :mod:`.exact`: named random streams and exact FTE sums.

The engine reads a validated :class:`~workforce_sim.scenario.Scenario` and
imports nothing above it.
"""

from workforce_sim.engine.model import Model

__all__ = ["Model"]
