"""The documentation site builds with no warning: ``mkdocs build --strict`` on mkdocs.yml,
the pages in docs/ and the API reference rendered from the docstrings (mkdocstrings)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_site_builds_strict(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    import workforce_sim as ws

    for name in ws.__all__:
        if name != "__version__":
            assert f'id="workforce_sim.{name}"' in api, f"{name} missing from the API reference"
    assert "Parameters" in api and "Returns" in api
    for page in ("architecture", "benchmarks", "scenario-reference", "model", "tutorial"):
        assert (site / page / "index.html").is_file()
