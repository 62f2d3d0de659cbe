"""Hashes of the monthly tables of every shipped scenario, replications 0-2, seed 0,
and of replication 0's case and staff logs.

``python -m tests.regression.monthly_hashes`` prints them as JSON; the test
compares them with ``monthly_hashes.json``. A change meant to alter results
regenerates the file in the same commit and says why in its message.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

REPLICATIONS = (0, 1, 2)


def table_hash(frame) -> str:
    """Column names, dtypes and the bytes of every column, in order."""
    h = hashlib.sha256()
    for name in frame.columns:
        col = frame[name]
        h.update(f"{name}:{col.dtype}\n".encode())
        if col.dtype == object or str(col.dtype) in ("string", "str"):
            h.update("\x1f".join(map(str, col.tolist())).encode())
        else:
            h.update(np.ascontiguousarray(col.to_numpy()).tobytes())
    return h.hexdigest()


def hashes() -> dict[str, str]:
    import workforce_sim as ws

    out = {}
    for name in sorted(ws.shipped_scenarios()):
        scenario = ws.load_scenario(name)
        for rep in REPLICATIONS:
            out[f"{name}/{rep}"] = table_hash(ws.simulate(scenario, seed=0, replication=rep).monthly)
        logged = ws.simulate(scenario, seed=0, replication=0, case_log=True)
        out[f"{name}/0/cases"] = table_hash(logged.cases)
        out[f"{name}/0/staff"] = table_hash(logged.staff)
    return out


if __name__ == "__main__":
    print(json.dumps(hashes(), indent=1, sort_keys=True))
