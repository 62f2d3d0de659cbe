"""The kinds of value a scenario holds, each validated in one place for every field
that uses it: plain finite numbers with bounds a planner never reaches, clean names
and keys, dates of this century, and containers that cannot change after validation.

A bound here is not a modelling judgement but a guard against typos and attacks
(``1e308`` referrals, a team of a billion): each says why it is where it is.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from typing import Annotated, Any, NoReturn, TypeVar

from pydantic import (
    AfterValidator,
    AllowInfNan,
    BeforeValidator,
    GetCoreSchemaHandler,
    StringConstraints,
    WrapSerializer,
)
from pydantic_core import PydanticCustomError, core_schema

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

# ------------------------------------------------------------------------ numbers


def _plain_number(value: Any) -> Any:
    """Refuse what Python would quietly take for a number: ``true`` and ``"20"``."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_type", "expected a number, not true/false")
    if isinstance(value, str | bytes):
        raise PydanticCustomError("number_type", "expected a number, not text (write 20, not \"20\")")
    return value


def thousands(x: float) -> str:
    """``1000000`` as ``1,000,000`` (not ``1e+06``), as a planner writes it."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,g}"


def at_most(limit: float, why: str) -> AfterValidator:
    """A validator refusing values above ``limit``, with the reason in the message.

    Parameters
    ----------
    limit : float
        The largest value accepted.
    why : str
        Why nothing larger makes sense, shown in the message.

    Returns
    -------
    AfterValidator
        For use in ``Annotated[Number, at_most(...)]``.
    """
    def check(value: float) -> float:
        if value > limit:
            raise PydanticCustomError("too_large", "expected at most {limit}: {why}",
                                      {"limit": thousands(limit), "why": why})
        return value
    check.bound = (limit, why)  # type: ignore[attr-defined]  # read by the reference page
    return AfterValidator(check)


def bound_of(validator: Any) -> tuple[float, str] | None:
    """``(limit, why)`` if ``validator`` was made by :func:`at_most`, else None."""
    return getattr(getattr(validator, "func", None), "bound", None)


Number = Annotated[float, BeforeValidator(_plain_number), AllowInfNan(False)]
"""A finite number: no ``inf``/``nan``, no booleans, no numbers written as text."""
Count = Annotated[int, BeforeValidator(_plain_number)]
"""A whole number, with the same refusals as :data:`Number`."""

YEARS_100_IN_DAYS = 36_525.0
Days = Annotated[Number, at_most(YEARS_100_IN_DAYS, "100 years, longer than any career or case")]
Months = Annotated[Number, at_most(1_200, "100 years")]
Years = Annotated[Number, at_most(100, "100 years, longer than any career")]
Money = Annotated[Number, at_most(1e9, "£1 billion, more than a council's whole budget")]
Rate = Annotated[Number, at_most(100, "100 a year, a worker lasting under 4 days")]
Factor = Annotated[Number, at_most(100, "a factor above 100 is a typo, not a plan")]
Fte = Annotated[Number, at_most(10_000, "10,000 FTE, more than any council's whole workforce")]
Headcount = Annotated[Count, at_most(10_000, "10,000 people, more than any council's whole workforce")]
Cases = Annotated[Count, at_most(1_000_000, "a million, more than England's open cases")]
Referrals = Annotated[Number, at_most(
    1_000_000, "a million a year, more than all of England's (about 620,000)")]
CaseloadCap = Annotated[Number, at_most(
    1_000_000, "a million points per FTE: far above any real cap (18-22), yet room for an "
    "uncapped team as the M/G/infinity checks model one")]
CaseWeight = Annotated[Number, at_most(100, "100 points for one case, five times a whole caseload cap")]


# ------------------------------------------------------------------------- dates

FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _this_century(value: dt.date) -> dt.date:
    if not (FIRST_DATE <= value <= LAST_DATE):
        raise PydanticCustomError("date_range", "expected a date from {first} to {last}",
                                  {"first": str(FIRST_DATE), "last": str(LAST_DATE)})
    return value


Date = Annotated[dt.date, AfterValidator(_this_century)]
"""A date from 2000 to 2100: the census starts in 2017, and the horizon is at most 50 years."""


# ----------------------------------------------------------------------- strings

# Control and format characters (terminal escapes, bidi overrides, ...) would
# garble or disguise what the terminal, the report and the workbook show.
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))


def _hidden_characters(text: str, allowed: str = "") -> list[str]:
    return [c for c in text if c not in allowed and unicodedata.category(c) in _HIDDEN]


def _refuse(kind: str, message: str) -> NoReturn:
    raise PydanticCustomError(kind, message)


def _check_text(text: str, allowed: str = "") -> None:
    hidden = _hidden_characters(text, allowed)
    if hidden:
        _refuse("hidden_character", f"expected printable text; found {ascii(hidden[0])}")


def _name(text: str) -> str:
    _check_text(text)
    if not text.strip():
        _refuse("blank", "expected a name, not blank text")
    return text


def _key(text: str) -> str:
    _name(text)
    if text != text.strip():
        _refuse("key_spaces", "expected a name without spaces at either end")
    if "." in text:
        _refuse("key_dot", "expected a name without '.' (dots separate the parts of a path)")
    return text


def _free_text(text: str) -> str:
    _check_text(text, allowed="\t\n\r")
    return text


NAME_LENGTH, KEY_LENGTH, TEXT_LENGTH = 200, 100, 10_000
Name = Annotated[str, StringConstraints(max_length=NAME_LENGTH), AfterValidator(_name)]
"""A label shown on outputs: not blank, no control characters, at most 200 characters."""
Key = Annotated[str, StringConstraints(max_length=KEY_LENGTH), AfterValidator(_key)]
"""A name used in paths (teams, case types, pathways): a :data:`Name`, no dots or edge spaces."""
Text = Annotated[str, StringConstraints(max_length=TEXT_LENGTH), AfterValidator(_free_text)]
"""Free text: printable, with tabs and new lines allowed, at most 10,000 characters."""


# ----------------------------------------------------------- frozen containers


class FrozenDict(dict[K, V]):
    """A ``dict`` that refuses changes, so a validated scenario stays valid.

    It is still a ``dict`` (``isinstance``, ``==``, JSON, ``.items()``), pickles,
    and validates from any mapping as ``dict[K, V]`` does.
    """

    def _frozen(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a validated scenario cannot be changed; use scenario.with_changes(...)")

    __setitem__ = __delitem__ = __ior__ = _frozen
    clear = pop = popitem = setdefault = update = _frozen

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[dict[K, V]]]:
        # The default pickling of a dict subclass fills it item by item: refused here.
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict[K, V]:
        return self

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        args = getattr(source, "__args__", (Any, Any))
        inner = handler.generate_schema(dict[args[0], args[1]])  # type: ignore[valid-type]
        return core_schema.no_info_after_validator_function(cls, inner)


def _as_list(value: Iterable[Any], serialize: Callable[[Any], Any]) -> list[Any]:
    return list(serialize(value))


Items = Annotated[tuple[T, ...], WrapSerializer(_as_list)]
"""A list in the file, a tuple once validated (it cannot change); dumped as a list again."""


# ------------------------------------------------------------------ plain data

MAX_NESTING = 32
"""Levels of tables and lists in scenario data; the deepest field is 6 levels down."""


def nesting_depth(data: Any, limit: int = MAX_NESTING) -> int:
    """How deeply ``data`` nests dicts and lists, counted without recursion.

    Parameters
    ----------
    data : Any
        Plain data, as read from TOML or given as a dict.
    limit : int
        Stop counting once deeper than this.

    Returns
    -------
    int
        The depth (0 for a scalar), or ``limit + 1`` if deeper than ``limit``.
    """
    deepest, stack = 0, [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list | tuple):
            if depth + 1 > limit:
                return limit + 1
            deepest = max(deepest, depth + 1)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest
