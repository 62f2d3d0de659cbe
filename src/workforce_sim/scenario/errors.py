"""Clear errors for bad scenarios: the field path, the value, and what was expected."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario."""

    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        where = printable(self.path or "(scenario)")
        if self.value is NO_VALUE:
            return f"{where}: {printable(self.message)}"
        return f"{where} = {_short(self.value)}: {printable(self.message)}"


NO_VALUE = object()


class ScenarioError(ValueError):
    """A scenario (file, dict or override) is not valid. Nothing has been run or written."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        super().__init__(self._text())

    def _text(self) -> str:
        what = f"scenario {self.source!r}" if self.source else "scenario"
        n = len(self.problems)
        head = f"{what} is not valid ({n} problem{'s' if n != 1 else ''}):"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


def did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on (escape sequences, bidi
    overrides, new lines, ...) written as its escape, as ``repr`` does, so that a
    message shows exactly what the file holds and cannot rewrite the screen."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _short(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except RecursionError:          # nested too deeply to show
        text = f"<{type(value).__name__} nested too deeply to show>"
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _path(loc: tuple) -> str:
    """Dotted path, without the tag pydantic inserts for a distribution's ``dist``."""
    from workforce_sim.scenario.distributions import DIST_NAMES

    parts: list[str] = []
    for i, item in enumerate(loc):
        prev = loc[i - 1] if i else None
        if item in DIST_NAMES and isinstance(prev, str) and prev.endswith("_days"):
            continue
        if item == "[key]":         # pydantic's marker for a dict key's own error
            continue
        parts.append(str(item))
    return ".".join(parts)


def problems_from_validation(err: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into our problems, with friendlier wording where it helps."""
    from workforce_sim.scenario.distributions import DIST_NAMES

    out: list[Problem] = []
    for e in err.errors(include_url=False):
        kind, loc, ctx = e["type"], tuple(e["loc"]), e.get("ctx") or {}
        if kind == "cross_field":
            out.extend(ctx["problems"])
            continue
        value = e.get("input", NO_VALUE)
        message = e["msg"]
        if kind == "unknown_key":
            loc = (*loc, ctx["key"])
            value = ctx["value"]
            message = f"unknown key{ctx['hint']} (allowed here: {ctx['allowed']})"
        elif kind == "union_tag_invalid":
            tag = ctx.get("tag")
            message = f"unknown distribution {tag!r}{did_you_mean(str(tag), DIST_NAMES)} " \
                f"(expected one of {', '.join(DIST_NAMES)})"
            loc = (*loc, "dist")
            value = tag
        elif kind == "union_tag_not_found":
            message = f"a distribution needs a 'dist' key, one of {', '.join(DIST_NAMES)}"
        elif kind == "missing":
            value = NO_VALUE
            message = "required field is missing"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if loc and loc[-1] == "[key]":
            value, message = loc[-2], f"this name is refused: {message}"
        out.append(Problem(_path(loc), value, message))
    return out
