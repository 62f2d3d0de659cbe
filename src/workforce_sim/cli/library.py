"""What the commands call in the layers below, imported when first used.

``workforce-sim --help`` and ``validate`` import no simulation or chart code
(matplotlib alone takes a second), and a test gives the commands its own
functions (``main(argv, library=Library(run=fake))``) instead of patching
module globals.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

#: Each function a command may call, and the module it lives in.
WHERE = {
    "run": "workforce_sim.experiment.runner",
    "compare": "workforce_sim.experiment.comparison",
    "sweep": "workforce_sim.experiment.comparison",
    "backtest": "workforce_sim.experiment.backtesting",
    "write_report": "workforce_sim.outputs.report",
    "build_comparison_report": "workforce_sim.outputs.report",
    "write_workbook": "workforce_sim.outputs.workbook",
    "write_backtest_report": "workforce_sim.outputs.backtest_report",
}


class Library:
    """The package's functions by name, with any of them replaced.

    Parameters
    ----------
    **given : callable
        Replacements, by the names in :data:`WHERE`.
    """

    def __init__(self, **given: Callable[..., Any]):
        unknown = set(given) - set(WHERE)
        if unknown:
            raise TypeError(f"Library: unknown functions {sorted(unknown)}; known: {sorted(WHERE)}")
        self._given = given

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in WHERE:
            raise AttributeError(name)
        if name in self._given:
            return self._given[name]
        return getattr(importlib.import_module(WHERE[name]), name)
