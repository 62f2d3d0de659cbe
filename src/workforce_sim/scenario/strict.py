"""The base of every scenario model: frozen, and no unknown keys."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from workforce_sim.scenario.errors import did_you_mean


class Strict(BaseModel):
    """Frozen, no unknown keys; an unknown key gets a "did you mean"."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        # A field is written by its alias where it has one (``mean`` for ``mean_``).
        allowed = {f.alias or name for name, f in cls.model_fields.items()}
        for key in data:
            if key not in allowed:
                public = sorted(allowed)
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown key '{key}'{hint} (allowed here: {allowed})",
                    {
                        "key": key,
                        "value": data[key],
                        "hint": did_you_mean(key, public),
                        "allowed": ", ".join(public),
                    },
                )
        return data
