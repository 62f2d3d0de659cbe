"""Results stay the same to the bit: every shipped scenario's monthly table (and
one replication's case and staff logs) hash as recorded in monthly_hashes.json."""

from __future__ import annotations

import json
from pathlib import Path

from .monthly_hashes import hashes


def test_monthly_tables_are_unchanged_to_the_bit():
    recorded = json.loads((Path(__file__).parent / "monthly_hashes.json").read_text())
    assert hashes() == recorded
