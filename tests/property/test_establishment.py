"""Establishment control holds on every run of every valid scenario (Hypothesis).

With the default ``when_no_post`` ("wait", any ``wait_months``) or
"not_placed", no cohorts and no cut in an establishment, and an opening
workforce within each establishment, staff go above a team's establishment
only by the notice overlap recruitment allows (a hire into the post of a
leaver working their notice): at every change of staffing, FTE of employees
staying (not working their notice) is at most the establishment, and when an
academy graduate starts, FTE of employees in post is at most the
establishment. The scenarios are those of ``test_workforce_invariants``
(every process at once) with the graduates' option redrawn. With an establishment
review, which may cut posts, staying FTE may stand above a cut establishment, but no
change of staffing raises it while it does.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.property.test_workforce_invariants import COMMON, workforce_scenarios
from workforce_sim import Scenario
from workforce_sim.engine import Model, exact
from workforce_sim.engine.state.teams import EPS


@st.composite
def controlled(draw) -> dict:
    data = draw(workforce_scenarios())
    for p in data["academy"]["pathways"].values():
        del p["when_no_post"]                       # the default ...
        if draw(st.booleans()):                     # ... or stated
            p["when_no_post"] = draw(st.sampled_from(["wait", "not_placed"]))
        if draw(st.booleans()):
            p["wait_months"] = draw(st.sampled_from([0.0, 1.5, 6.0, 30.0]))
    data["recruitment"]["cohorts"] = []
    for team in data["teams"].values():
        team["establishment_changes"] = []
        st_ = team["staff"]
        opening = sum(g["count"] * g["fte"] for g in st_["permanent"]) + sum(
            g["count"] for g in st_["nqsw"])
        team["establishment_fte"] = max(team["establishment_fte"], opening)
    return data


@COMMON
@given(controlled(), st.integers(0, 2**32 - 1))
def test_graduates_never_take_a_team_over_its_establishment(data, seed):
    s = Scenario.from_dict(data)
    model = Model(s, seed)
    joins = []

    def staying_within(team):
        assert exact.to_float(team.committed_units) <= team.establishment_fte + EPS, team.name

    model.ctx.on_staffing_changed(staying_within)
    nqsw = model.academy._nqsw

    def graduate(pathway, team):
        w = nqsw(pathway, team)
        assert exact.to_float(team.employed_units) <= team.establishment_fte + EPS, team.name
        joins.append(team.name)
        return w

    model.academy._nqsw = graduate
    model.run()
    for t in model.team_list:
        if not t.holds_cases:
            assert all(j != t.name or any(i.teams.get(t.name) for i in s.academy.intakes)
                       for j in joins)


@COMMON
@given(controlled(), st.floats(1, 30), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_posts_following_the_caseload_never_hire_beyond_them(data, target, response, seed):
    """With an establishment review (any target, any response), which may cut posts as
    well as add them: a team's staying FTE goes above its establishment only by a cut,
    never by a hire; it never rises while above (at every change of staffing), and an
    academy graduate still starts only in a funded post."""
    data["establishment_review"] = {"target_caseload": target, "response": response}
    s = Scenario.from_dict(data)
    model = Model(s, seed)
    last: dict[str, float] = {}

    def within_or_falling(team):
        now = exact.to_float(team.committed_units)
        assert now <= team.establishment_fte + EPS or now <= last.get(team.name, 0.0) + EPS, \
            team.name
        last[team.name] = now

    for t in model.team_list:
        last[t.name] = exact.to_float(t.committed_units)
    model.ctx.on_staffing_changed(within_or_falling)
    nqsw = model.academy._nqsw

    def graduate(pathway, team):
        w = nqsw(pathway, team)
        assert exact.to_float(team.employed_units) <= team.establishment_fte + EPS, team.name
        return w

    model.academy._nqsw = graduate
    model.run()
