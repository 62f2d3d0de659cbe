"""The ``workforce-sim`` command."""

from workforce_sim.cli.main import main

__all__ = ["main"]
