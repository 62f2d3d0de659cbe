"""The base of every scenario model: frozen, and no unknown keys."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from .errors import did_you_mean


class Strict(BaseModel):
    """Frozen, no unknown keys; an unknown key gets a "did you mean"."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        allowed = set(cls.model_fields)
        allowed |= {f.alias for f in cls.model_fields.values() if f.alias}
        for key in data:
            if key not in allowed:
                public = sorted(a for a in allowed if not a.endswith("_"))
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown key {key!r}",
                    {
                        "key": key,
                        "value": data[key],
                        "hint": did_you_mean(key, public),
                        "allowed": ", ".join(public),
                    },
                )
        return data
