"""The run's state: cases and case types, teams (with their queues), workers, accruals.

Processes import state, never each other (the independence contract in
``pyproject.toml``). State imports nothing from the processes.

* :mod:`.cases`: :class:`~.cases.Child`, :class:`~.cases.Case`, :class:`~.cases.CaseKind`;
* :mod:`.teams`: :class:`~.teams.TeamState`, its queue and the allocation rule;
* :mod:`.workers`: :class:`~.workers.Worker` and the kinds of worker;
* :mod:`.accrual`: :class:`~.accrual.Accrual`, what a team accrues by the day.
"""
