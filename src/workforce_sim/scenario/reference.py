"""The scenario reference (docs/scenario-reference.md), generated from the schema itself
so that the documentation of every field, unit, default and source cannot drift.

The schema is walked from :class:`~workforce_sim.scenario.schema.Scenario`: every model
reached through its fields (directly, in lists, in dicts and in unions) gets a section,
once, at the first path that reaches it; the duration distributions get theirs at the
end. A new model in the schema therefore appears on the page when it is regenerated::

    python -m workforce_sim.scenario.reference > docs/scenario-reference.md
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from workforce_sim.scenario import schema as sc
from workforce_sim.scenario.distributions import Fixed
from workforce_sim.scenario.values import bound_of, thousands


def _is_mapping(origin: Any) -> bool:
    """A dict type: ``dict`` itself, or the schema's frozen dicts."""
    return isinstance(origin, type) and issubclass(origin, dict)


def _models_in(annotation) -> list[tuple[str, type[BaseModel]]]:
    """The models an annotation reaches, each with the path suffix that leads to it:
    ``""`` for the model itself, ``".NAME"`` through a dict, ``"[]"`` through a list
    (Annotated, Optional and other unions are looked through)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [("", annotation)]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _models_in(args[0])
    if _is_mapping(origin):
        return [(".NAME" + suffix, m) for suffix, m in _models_in(args[1])]
    if origin in (list, tuple, set, frozenset):
        return [("[]" + suffix, m) for a in args if a is not Ellipsis for suffix, m in _models_in(a)]
    return [found for a in args for found in _models_in(a)]      # unions, Optional


def _is_distribution(model: type[BaseModel]) -> bool:
    return model.__module__ == Fixed.__module__


def _walk(root: type[BaseModel]) -> tuple[list[tuple[str, type[BaseModel]]], list[type[BaseModel]]]:
    """Every model reached from ``root`` through its fields, depth first in field order,
    each once at the first path that reaches it: (sections, distributions)."""
    sections: list[tuple[str, type[BaseModel]]] = []
    distributions: list[type[BaseModel]] = []
    seen: set[type[BaseModel]] = set()

    def visit(path: str, model: type[BaseModel]) -> None:
        seen.add(model)
        if _is_distribution(model):
            distributions.append(model)
            return
        sections.append((path, model))
        hints = typing.get_type_hints(model, include_extras=True)
        for name, field in model.model_fields.items():
            key = field.alias or name
            for suffix, sub in _models_in(hints.get(name, field.annotation)):
                if sub not in seen:
                    visit(f"{key}{suffix}" if path == "(top level)" else f"{path}.{key}{suffix}", sub)

    visit("(top level)", root)
    return sections, distributions


# Every model of the schema, with the path where a scenario file writes it, and the
# duration distributions, all found by walking the schema from Scenario.
SECTIONS, DISTRIBUTIONS = _walk(sc.Scenario)


def field_description(path: str) -> str:
    """The description of the field at a concrete dotted path of a scenario.

    Parameters
    ----------
    path : str
        A path as in :meth:`Scenario.with_changes`, such as
        ``"teams.assessment.caseload_cap"`` or ``"recruitment.campaigns.0.start"``.

    Returns
    -------
    str
        The field's description (meaning, unit and source); for a path inside a
        distribution or a plain table, that of the field holding it; ``""`` for a
        path the schema does not have.
    """
    annotation: typing.Any = sc.Scenario
    description = ""
    for part in path.split("."):
        while typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) not in (dict, list, tuple) and len(args) == 1:
            annotation = args[0]                              # Optional[X]
        origin = typing.get_origin(annotation)
        if _is_mapping(origin):
            annotation = typing.get_args(annotation)[1]       # part is a key
        elif origin in (list, tuple):
            annotation = typing.get_args(annotation)[0]       # part is an index
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {f.alias or n: (n, f) for n, f in annotation.model_fields.items()}
            if part not in fields:
                return ""
            name, field = fields[part]
            description = field.description or ""
            annotation = typing.get_type_hints(annotation, include_extras=True)[name]
        else:
            break                                             # inside a value
    return description


def _type_name(annotation) -> str:
    text = str(annotation).replace("typing.", "").replace("workforce_sim.scenario.schema.", "")
    # Validated lists are tuples and tables frozen dicts; the file writes lists and tables.
    text = text.replace("workforce_sim.scenario.values.FrozenDict", "dict")
    text = re.sub(r"tuple\[(.+), \.\.\.\]", r"list[\1]", text)
    text = re.sub(r"^Optional\[(.+)\]$", r"\1 | None", text)
    text = text.replace("datetime.date", "date").replace("<class '", "").replace("'>", "")
    if "Fixed" in text and "Lognormal" in text:
        return "distribution"
    return text.replace(" | ", " or ")        # a bare | would split the table's cell


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
    if isinstance(default, dt.date):
        return f"`{default.isoformat()}`"       # as a scenario file writes it
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
    where = {m: path for path, m in SECTIONS}
    rows = ["| field | type | default | meaning, unit and source |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        key = field.alias or name
        desc = _description(field, extras.get(name))
        if not desc:       # a sub-section: say where its fields are described
            subs = [where[m] for _, m in _models_in(hints.get(name, field.annotation)) if m in where]
            desc = "see " + ", ".join(f"[`{p}`](#{_anchor(p)})" for p in subs) if subs else ""
        rows.append(f"| `{key}` | {_type_name(hints.get(name, field.annotation))} "
                    f"| {_default(field)} | {desc} |")
    return rows


def _anchor(path: str) -> str:
    """The id mkdocs gives the heading ``## `path` ``."""
    return "".join(c for c in path.lower() if c.isalnum() or c in "_-")


def _summary(model: type[BaseModel]) -> str:
    """The first paragraph of a model's docstring, on one line."""
    return " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())


def scenario_reference_markdown() -> str:
    out = [
        "# Scenario file reference",
        "",
        "Generated from the schema by `workforce_sim.scenario.reference.scenario_reference_markdown()`;",
        "a test keeps this page identical to it. Units are in the field names (`_days`, `_fte`,",
        "`_per_year`) or the description. Sources: [S] sourced, [D] derived, [E] estimate, with",
        "the keys of the [calibration sources](model.md#calibration-sources) (S1, S5, ...).",
        "",
    ]
    for path, model in SECTIONS:
        out += [f"## `{path}`", "", _summary(model), "", *_table(model), ""]
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
