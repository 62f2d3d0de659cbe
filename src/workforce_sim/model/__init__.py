"""The SimPy model, one module per process family:

* :mod:`.kernel`: the event loop (SimPy's, with a lean path for referrals and closures);
* :mod:`.demand`: referrals (non-homogeneous Poisson, exact thinning);
* :mod:`.allocation`: cases, team queues and the allocation rule;
* :mod:`.staff`: workers, capacity, the ASYE ramp and the team's FTE tallies;
* :mod:`.attrition`: resignations (integrated hazard against an Exp(1) threshold);
* :mod:`.recruitment`: recruitment rounds, campaigns, cohorts, establishment changes;
* :mod:`.agency`: agency cover, placements, releases and conversions;
* :mod:`.academy`: grow-your-own intakes and pathways;
* :mod:`.costs`: pay, agency and academy costs accrued by the day;
* :mod:`.recorder`: month-end stocks and flows;
* :mod:`.logs`: the optional per-case and per-worker logs;
* :mod:`.core`: the :class:`Model` that ties them together.
"""

from .core import Model

__all__ = ["Model"]
