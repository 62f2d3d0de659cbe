"""Experiments: one replication or many (:mod:`.runner`), scenarios compared on
common random numbers and sweeps (:mod:`.comparison`), sensitivity analysis, and
how many replications are enough."""

from workforce_sim.experiment.backtesting import Backtest, backtest
from workforce_sim.experiment.comparison import (
    Comparison,
    Sweep,
    at_month,
    compare,
    horizon_mean,
    horizon_total,
    sweep,
)
from workforce_sim.experiment.replications import replications_needed
from workforce_sim.experiment.runner import (
    MAX_POINTS,
    MAX_REPLICATIONS,
    ArgumentError,
    run,
    simulate,
)
from workforce_sim.experiment.sensitivity import global_sensitivity, one_at_a_time

__all__ = [
    "MAX_POINTS", "MAX_REPLICATIONS", "ArgumentError", "Backtest", "Comparison", "Sweep", "at_month",
    "backtest", "compare", "global_sensitivity", "horizon_mean", "horizon_total", "one_at_a_time",
    "replications_needed", "run", "simulate", "sweep",
]
