"""The SimPy model, one module per process family:

* :mod:`.demand`: referrals (non-homogeneous Poisson, exact thinning);
* :mod:`.allocation`: cases, team queues and the allocation rule;
* :mod:`.staff`: workers, capacity and the ASYE ramp;
* :mod:`.recorder`: month-end stocks and flows;
* :mod:`.caselog`: the optional per-case log;
* :mod:`.core`: the :class:`Model` that ties them together.
"""

from .core import Model

__all__ = ["Model"]
