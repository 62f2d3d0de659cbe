"""Results: the tables a run produces, their summaries (intervals, fan bands,
financial years, red/amber/green KPIs), and saving and loading them."""

from workforce_sim.results.analysis import Target
from workforce_sim.results.published import actuals
from workforce_sim.results.tables import Results, RunResult

__all__ = ["Results", "RunResult", "Target", "actuals"]
