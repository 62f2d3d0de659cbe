"""The scenario reference (docs/scenario-reference.md), generated from the schema itself
so that the documentation of every field, unit, default and source cannot drift."""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from workforce_sim.scenario import schema as sc
from workforce_sim.scenario.distributions import Empirical, Exponential, Fixed, Gamma, Lognormal, Triangular
from workforce_sim.scenario.values import bound_of, thousands

SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("(top level)", sc.Scenario),
    ("teams.NAME", sc.Team),
    ("teams.NAME.staff", sc.Staff),
    ("teams.NAME.staff.permanent[]", sc.PermanentGroup),
    ("teams.NAME.staff.nqsw[]", sc.NqswGroup),
    ("teams.NAME.staff.agency[]", sc.AgencyGroup),
    ("case_types.NAME", sc.CaseType),
    ("case_types.NAME.demand_changes[]", sc.DemandChange),
    ("workforce.permanent", sc.PermanentPolicy),
    ("workforce.nqsw", sc.NqswPolicy),
    ("workforce.agency", sc.AgencyPolicy),
    ("recruitment", sc.Recruitment),
    ("recruitment.campaigns[]", sc.Campaign),
    ("academy.intakes[]", sc.Intake),
    ("academy.pathways.NAME", sc.Pathway),
    ("absence", sc.Absence),
]
DISTRIBUTIONS: list[type[BaseModel]] = [Fixed, Exponential, Lognormal, Gamma, Triangular, Empirical]


def _type_name(annotation) -> str:
    text = str(annotation).replace("typing.", "").replace("workforce_sim.scenario.schema.", "")
    # Validated lists are tuples and tables frozen dicts; the file writes lists and tables.
    text = text.replace("workforce_sim.scenario.values.FrozenDict", "dict")
    text = re.sub(r"tuple\[(.+), \.\.\.\]", r"list[\1]", text)
    text = re.sub(r"^Optional\[(.+)\]$", r"\1 | None", text)
    text = text.replace("datetime.date", "date").replace("<class '", "").replace("'>", "")
    if "Fixed" in text and "Lognormal" in text:
        return "distribution"
    return text


def _default(field) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return f"`{value.model_dump(by_alias=True)}`" if "dist" in type(value).model_fields \
                else "(section defaults)"
        return f"`{value!r}`"
    if field.default is PydanticUndefined:
        return ""
    default = list(field.default) if isinstance(field.default, tuple) else field.default
    return f"`{default!r}`"


def _bounds(annotation: Any) -> list[tuple[float, str]]:
    """The ``at_most`` bounds in a field's type, outermost first."""
    found = []
    for meta in getattr(annotation, "__metadata__", ()):
        bound = bound_of(meta)
        if bound is not None:
            found.append(bound)
    for arg in typing.get_args(annotation):
        found += _bounds(arg)
    return found


def _description(field, annotation: Any) -> str:
    text = field.description or ""
    for limit, why in _bounds(annotation)[:1]:
        text += f" (at most {thousands(limit)}: {why})"
    return text.replace("|", "/")


def _table(model: type[BaseModel]) -> list[str]:
    hints = typing.get_type_hints(model)
    extras = typing.get_type_hints(model, include_extras=True)
    rows = ["| field | type | default | meaning, unit and source |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        key = field.alias or name
        desc = _description(field, extras.get(name))
        rows.append(f"| `{key}` | {_type_name(hints.get(name, field.annotation))} "
                    f"| {_default(field)} | {desc} |")
    return rows


def scenario_reference_markdown() -> str:
    out = [
        "# Scenario file reference",
        "",
        "Generated from the schema by `workforce_sim.scenario.reference.scenario_reference_markdown()`;",
        "a test keeps this page identical to it. Units are in the field names (`_days`, `_fte`,",
        "`_per_year`) or the description. Sources: [S] sourced, [D] derived, [E] estimate, with",
        "the keys of the calibration notes in `docs/model.md`.",
        "",
    ]
    for path, model in SECTIONS:
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        out += [f"## `{path}`", "", doc, "", *_table(model), ""]
    out += ["## Distributions", "",
            "Written inline, for example `{ dist = \"lognormal\", median = 180, p90 = 540 }`.",
            "Each knows its mean, variance and equilibrium residual life.", ""]
    for model in DISTRIBUTIONS:
        doc = " ".join((model.__doc__ or "").split())
        tag = typing.get_args(model.model_fields["dist"].annotation)[0]
        out += [f"### `{tag}`", "", doc, "",
                *[r for r in _table(model) if "`dist`" not in r], ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":      # python -m workforce_sim.scenario.reference > docs/scenario-reference.md
    print(scenario_reference_markdown(), end="")
