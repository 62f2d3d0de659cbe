"""The kernel's lean paths process events exactly where plain SimPy would.

Closures are bare entries in SimPy's heap and referrals sit in a list beside
it (``model/kernel.py``). The claim is that this changes nothing about the
order of events: a closure is processed exactly where a SimPy ``Timeout`` made
at the same moment would be, a referral comes after anything scheduled for the
same instant, and a closure made stale (the case was handed over) does nothing.
Hypothesis draws schedules full of ties (delays from a handful of whole days,
events that schedule more events, ``Urgent`` timeouts, stale closures) and the
order is compared with a plain ``simpy.Environment`` in which every closure is
an ordinary ``Timeout``. The same holds event by event (``step``), run to
exhaustion (``run()``) and run until an event (``run(until=event)``): the
kernel keeps SimPy's contract.
"""

from __future__ import annotations

import math

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from workforce_sim.engine.kernel import Kernel, Urgent

DELAYS = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])
# An item: what it is, its delay, whether its closure is made stale, and the items
# it schedules when it is processed (one level deep).
LEAF = st.tuples(st.sampled_from(["timeout", "urgent", "closure"]), DELAYS, st.booleans())
ITEM = st.tuples(st.sampled_from(["timeout", "urgent", "closure"]), DELAYS, st.booleans(),
                 st.lists(LEAF, max_size=3))


class FakeCase:
    __slots__ = ("label", "closes")

    def __init__(self, label):
        self.label = label
        self.closes = None


def simulate(items, referral_days, lean: bool, mode: str = "until", stop_day: float = 1.0) -> list:
    """Process ``items`` (scheduled at time 0) and the referrals; the order of labels.

    ``mode``: "until" runs to day 10, "step" steps while the next event is before
    day 10, "exhaust" runs until no event is left, "event" runs until a timeout
    at ``stop_day`` (scheduled first) has been processed."""
    order = []
    cases = {}

    def on_close(case):
        order.append((env.now, case.label))
        follow(case.label)

    def on_referral(label):
        order.append((env.now, label))

    env = Kernel(FakeCase, on_close, on_referral) if lean else simpy.Environment()
    stop = env.timeout(stop_day, "stopped") if mode == "event" else None

    def schedule(label, what, delay, stale):
        if what == "closure":
            case = cases[label] = FakeCase(label)
            if lean:
                case.closes = env.schedule_closure(case, delay)
            else:
                ev = env.timeout(delay)
                case.closes = ev
                ev.callbacks.append(lambda e, c=case: c.closes is e and on_close(c))
            if stale:
                case.closes = -1 if lean else None     # handed over: this closure is void
            return
        ev = Urgent(env, delay) if what == "urgent" else env.timeout(delay)
        ev.callbacks.append(lambda e: (order.append((env.now, label)), follow(label)))

    children = {}

    def follow(label):
        for j, (what, delay, stale) in enumerate(children.get(label, [])):
            schedule(f"{label}.{j}", what, delay, stale)

    for i, (what, delay, stale, kids) in enumerate(items):
        children[str(i)] = kids
        schedule(str(i), what, delay, stale)

    if lean:
        env.set_arrivals(referral_days, [f"r{k}" for k in range(len(referral_days))])
    else:
        env.process(_referrals(env, referral_days, on_referral))
    if mode == "until":
        env.run(until=10.0)
    elif mode == "step":
        while env.peek() < 10.0:
            env.step()
    elif mode == "exhaust":
        assert env.run() is None
        with pytest.raises(simpy.core.EmptySchedule):
            env.step()
    else:
        assert env.run(until=stop) == "stopped"
    order.append(("end", env.now))
    return order


def _referrals(env, days, on_referral):
    """Each referral after everything else due at its instant, in the order drawn."""
    for k, day in enumerate(days):
        yield env.timeout(day - env.now)
        while env.peek() == env.now:        # others are still due now: let them go first
            yield env.timeout(0)
        on_referral(f"r{k}")


@settings(max_examples=300, deadline=None)
@given(st.lists(ITEM, max_size=12),
       st.lists(st.sampled_from([0.5, 1.0, 2.0, 2.5, 4.0]), max_size=4).map(sorted))
def test_closures_and_referrals_keep_simpy_order(items, referral_days):
    assert simulate(items, referral_days, lean=True) == simulate(items, referral_days, lean=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(ITEM, max_size=12),
       st.lists(st.sampled_from([0.5, 1.0, 2.0, 2.5, 4.0]), max_size=4).map(sorted),
       st.sampled_from(["step", "exhaust", "event"]), DELAYS)
def test_step_and_run_keep_simpy_contract(items, referral_days, mode, stop_day):
    """``step()`` processes exactly the next event (referrals and closures
    included), ``run()`` runs to exhaustion and ``run(until=event)`` stops once the
    event is processed, in the order and at the times plain SimPy would."""
    assert simulate(items, referral_days, True, mode, stop_day) == \
        simulate(items, referral_days, False, mode, stop_day)


def test_step_peek_and_run_until_event_edges():
    closed, referred = [], []
    env = Kernel(FakeCase, closed.append, referred.append)
    assert env.peek() == math.inf
    with pytest.raises(simpy.core.EmptySchedule):
        env.step()
    case = FakeCase("a")
    case.closes = env.schedule_closure(case, 2.0)
    stale = FakeCase("b")
    env.schedule_closure(stale, 1.0)                  # stale: its closes is None
    env.set_arrivals([1.0, 3.0], ["r", "s"])
    assert env.peek() == 1.0
    env.step()                                        # the stale closure, due first (a tie)
    assert env.now == 1.0 and closed == [] and referred == []
    env.step()                                        # then the referral at the same time
    assert referred == ["r"]
    env.step()
    assert env.now == 2.0 and closed == [case]
    done = env.timeout(0.5, "x")
    assert env.run(until=done) == "x" and env.now == 2.5
    assert env.run(until=done) == "x"                 # already processed: its value at once
    never = env.event()
    with pytest.raises(RuntimeError):
        env.run(until=never)                          # the referral at 3 is the last event
    assert referred == ["r", "s"]


def test_run_stops_before_until_and_sets_the_clock():
    seen = []
    env = Kernel(FakeCase, lambda c: seen.append(("close", env.now)),
                 lambda k: seen.append((k, env.now)))
    case = FakeCase("a")
    case.closes = env.schedule_closure(case, 5.0)
    env.set_arrivals([1.0, 5.0], ["r", "s"])
    env.run(until=5.0)
    assert seen == [("r", 1.0)] and env.now == 5.0
    env.run(until=6.0)
    assert seen == [("r", 1.0), ("close", 5.0), ("s", 5.0)]
