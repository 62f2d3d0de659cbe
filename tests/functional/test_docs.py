"""The README's Python snippets run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("doc", ["README.md", "docs/tutorial.md", "docs/howto-own-council.md",
                                 pytest.param("docs/experiments.md", marks=pytest.mark.slow)])
def test_snippets_run(doc):
    blocks = python_blocks(ROOT / doc)
    assert blocks, f"{doc} has no python snippets"
    namespace: dict = {}
    for block in blocks:       # blocks build on each other, as in a notebook
        exec(compile(block, doc, "exec"), namespace)


def test_scenario_reference_is_current():
    """docs/scenario-reference.md is generated from the schema; regenerate it with
    python -c "from workforce_sim.scenario.reference import *; print(scenario_reference_markdown(), end='')"
    > docs/scenario-reference.md"""
    from workforce_sim.scenario.reference import scenario_reference_markdown

    assert (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8") == \
        scenario_reference_markdown()


NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_run_top_to_bottom(path):
    """Each example notebook's code cells, executed in order in one namespace."""
    import json

    import matplotlib

    matplotlib.use("Agg")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {}
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code
    for i, cell in enumerate(code):
        exec(compile("".join(cell["source"]), f"{path.name}[{i}]", "exec"), namespace)
