"""The context's scheduling idiom, tickets and hooks (engine/context.py)."""

from __future__ import annotations

from tests.conftest import small_dict
from workforce_sim import Scenario
from workforce_sim.engine import Model
from workforce_sim.engine.context import Context, Ticket
from workforce_sim.engine.kernel import Kernel
from workforce_sim.engine.state.cases import Case
from workforce_sim.engine.streams import RandomStreams


def context(months: int = 2) -> Context:
    s = Scenario.from_dict(small_dict(horizon_months=months))
    return Context(s, Kernel(Case), RandomStreams(0, 0))


def test_after_and_at_drop_what_falls_at_or_after_the_horizon():
    ctx = context()
    seen = []
    h = ctx.horizon_days
    ctx.after(h - 1, seen.append, "before")
    ctx.after(h, seen.append, "at")
    ctx.at(h + 5, seen.append, "after")
    assert len(ctx.env._queue) == 1               # nothing at or after the horizon is scheduled
    ctx.env.run(until=h)
    assert seen == ["before"]


def test_a_void_ticket_drops_the_call_and_urgent_goes_first():
    ctx = context()
    seen = []
    kept, voided = Ticket(), Ticket()
    ctx.after(3.0, seen.append, "ordinary")
    ctx.after(3.0, seen.append, "kept", ticket=kept)
    ctx.after(3.0, seen.append, "voided", ticket=voided)
    ctx.at(3.0, seen.append, "urgent", urgent=True)
    voided.void()
    ctx.env.run(until=4.0)
    assert seen == ["urgent", "ordinary", "kept"]


def test_hooks_run_in_registration_order_once_ready():
    ctx = context(months=3)
    seen = []
    ctx.on_staffing_changed(lambda t: seen.append(("first", t)))
    ctx.on_staffing_changed(lambda t: seen.append(("second", t)))
    ctx.staffing_changed("team")
    assert seen == []                             # not ready: the opening workforce
    ctx.ready = True
    ctx.staffing_changed("team")
    assert seen == [("first", "team"), ("second", "team")]
    months = []
    ctx.on_month_end(lambda m: months.append(("a", m, ctx.now)))
    ctx.on_month_end(lambda m: months.append(("b", m, ctx.now)))
    ctx.start_months()
    ctx.env.run(until=ctx.horizon_days)
    ends = ctx.month_ends
    assert months == [("a", 0, ends[0]), ("b", 0, ends[0]), ("a", 1, ends[1]), ("b", 1, ends[1])]


def test_the_model_registers_the_documented_hook_order():
    m = Model(Scenario.from_dict(small_dict()))
    assert m.ctx._staffing_hooks == [m.academy.review, m.recruitment.review, m.agency.review]
    assert m.ctx._month_end_hooks == [m.recorder.close_month, m.attrition.month_end,
                                      m.agency.month_end]
