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
    python -m workforce_sim.scenario.reference > docs/scenario-reference.md"""
    from workforce_sim.scenario.reference import scenario_reference_markdown

    assert (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8") == \
        scenario_reference_markdown()


def test_scenario_reference_has_every_model_of_the_schema():
    """Every pydantic model reachable from Scenario (through fields, lists, dicts and
    unions) has its section, once: found here by a walk of pydantic's own JSON schema,
    independent of the generator's."""
    from workforce_sim.scenario.reference import DISTRIBUTIONS, SECTIONS, scenario_reference_markdown
    from workforce_sim.scenario.schema import Scenario

    defs = Scenario.model_json_schema()["$defs"]
    expected = set(defs) | {"Scenario"}
    listed = [m.__name__ for _, m in SECTIONS] + [m.__name__ for m in DISTRIBUTIONS]
    assert sorted(listed) == sorted(set(listed)), "a model has two sections"
    assert set(listed) == expected
    page = scenario_reference_markdown()
    for path, _ in SECTIONS:
        assert f"## `{path}`" in page
    for path in ("teams.NAME.establishment_changes[]", "workforce.permanent.retention[]",
                 "recruitment.cohorts[]"):
        assert f"## `{path}`" in page



def test_field_description_follows_the_path():
    """A concrete dotted path finds its own field's description, through dicts and lists,
    so that two fields of one name in different sections are told apart."""
    from workforce_sim.scenario import schema as sc
    from workforce_sim.scenario.reference import field_description

    assert field_description("recruitment.campaigns.0.start") == \
        sc.Campaign.model_fields["start"].description
    assert field_description("workforce.permanent.retention.0.start") == \
        sc.RetentionLever.model_fields["start"].description
    assert field_description("teams.assessment.caseload_cap") == \
        sc.Team.model_fields["caseload_cap"].description
    assert field_description("teams.assessment.no_such_field") == ""


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


# -- docstrings of the public API ----------------------------------------------------------

def _public_callables():
    """(name, object) for every callable in ``ws.__all__`` and every public method or
    property defined on the public classes."""
    import inspect

    import workforce_sim as ws

    for name in ws.__all__:
        obj = getattr(ws, name)
        if inspect.isclass(obj):
            if issubclass(obj, Exception):
                continue                      # an exception class: its docstring says what it carries
            yield name, obj
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(value, (classmethod, staticmethod)):
                    value = value.__func__
                if isinstance(value, property) or inspect.isfunction(value):
                    yield f"{name}.{attr}", value
        elif callable(obj):
            yield name, obj


def _missing_sections(obj) -> list[str]:
    """The numpydoc sections a docstring lacks: Parameters when the callable takes any
    (other than self/cls; for a class, its own ``__init__``'s), Returns when a function
    returns something. A property is documented like an attribute: a docstring."""
    import inspect
    import typing

    func = obj.fget if isinstance(obj, property) else obj
    doc = inspect.getdoc(func) or ""
    if not doc.strip():
        return ["docstring"]
    if isinstance(obj, property):
        return []
    missing = []
    if inspect.isclass(obj):
        if "__init__" not in vars(obj):
            return []              # fields documented as attributes (pydantic models)
        func = obj.__init__
    params = [p for p in inspect.signature(func).parameters if p not in ("self", "cls")]
    if params and not re.search(r"^Parameters\n-+$", doc, flags=re.M):
        missing.append("Parameters")
    if inspect.isclass(obj):
        return missing
    try:
        returns = typing.get_type_hints(func).get("return", inspect.Signature.empty)
    except Exception:
        returns = inspect.signature(func).return_annotation
    if returns is not type(None) and not re.search(r"^(Returns|Yields)\n-+$", doc, flags=re.M):
        missing.append("Returns")
    return missing


def test_public_api_has_numpydoc_sections():
    """Every public function and method says what it takes (Parameters) and what it
    gives back (Returns), in numpydoc form; the API reference page is built from them."""
    missing = {name: m for name, obj in _public_callables() if (m := _missing_sections(obj))}
    assert not missing, "numpydoc sections missing:\n" + "\n".join(
        f"  {name}: {', '.join(m)}" for name, m in sorted(missing.items()))


# -- links and paths in the documentation ------------------------------------------------

DOC_PAGES = sorted((ROOT / "docs").glob("*.md"))
# a backticked path into the repository: `docs/x.md`, `src/...`, `tests/...`, `benchmarks/...`,
# `scenarios/...`, `examples/...`, or a path inside the package such as `engine/model.py`
_PATH = re.compile(r"`((?:docs|src|tests|benchmarks|scenarios|examples)/[^`\s*:]+"
                   r"|(?:[A-Za-z_]+/)+[A-Za-z_]+\.(?:py|md|toml))(?:::[^`]*)?`")
_PACKAGE = ROOT / "src" / "workforce_sim"


def _repo_path_exists(text: str) -> bool:
    text = text.rstrip("/").split("#")[0]
    if (ROOT / text).exists():
        return True
    return (_PACKAGE / text).exists() or (_PACKAGE.parent / text).exists()


@pytest.mark.parametrize("page", DOC_PAGES + [ROOT / "README.md"], ids=lambda p: p.name)
def test_relative_links_and_repo_paths_exist(page):
    """Every relative link of a page leads to a file (and every ``#anchor`` to a heading
    of a docs page), and every backticked repository path names a file or folder the
    repository has: the documentation cites only the repository's own files."""
    text = page.read_text(encoding="utf-8")
    text_wo_code = re.sub(r"```.*?```", "", text, flags=re.S)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text_wo_code):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path, _, anchor = target.partition("#")
        if not (page.parent / path).exists():
            broken.append(f"link {target}")
        elif anchor and path.endswith(".md") and anchor not in _anchors(page.parent / path):
            broken.append(f"anchor {target}")
    for path in _PATH.findall(text_wo_code):
        if not _repo_path_exists(path):
            broken.append(f"path `{path}`")
    assert not broken, f"{page.name}: " + "; ".join(broken)


def _anchors(page: Path) -> set[str]:
    """The ids the site gives the page's headings (mkdocs' toc slugs)."""
    heads = re.findall(r"^#+\s+(.*)$", re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"),
                                                flags=re.S), flags=re.M)
    return {re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", h.replace("`", "")).strip().lower())
            for h in heads}


@pytest.mark.parametrize("folder", ["docs", "src", "benchmarks", "examples"])
def test_no_reference_to_files_outside_the_repository(folder):
    """No page, docstring or comment cites a design document or calibration notes that
    the repository does not contain."""
    pattern = re.compile(r"calibration/README|DESIGN(?:\.md)?\s*§|DESIGN\.md|DESIGN\s+(?:section\s+)?\d")
    hits = []
    for path in sorted((ROOT / folder).rglob("*")):
        if path.suffix not in (".md", ".py", ".toml", ".ipynb") or path.name == "test_docs.py":
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{i}")
    assert not hits, "references to files the repository does not have:\n" + "\n".join(hits)


# -- citation and licence --------------------------------------------------------------

def test_citation_matches_the_package():
    """CITATION.cff is CFF 1.2.0 with the keys it requires, and cites this version."""
    import yaml  # PyYAML comes with mkdocs (the dev and docs extras)

    import workforce_sim as ws

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "version", "license", "abstract"} <= set(cff)
    assert cff["version"] == ws.__version__
    assert cff["authors"] == [{"name": "workforce_sim developers"}]       # an entity
    assert cff["license"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_stream_seeding_is_as_documented():
    """docs/model.md and engine/streams.py say each stream is
    ``SeedSequence(seed, spawn_key=(replication, blake2b(purpose)))``: it is."""
    import hashlib

    import numpy as np

    from workforce_sim.engine import streams

    key = int.from_bytes(hashlib.blake2b(b"attrition", digest_size=8).digest(), "little")
    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7, spawn_key=(3, key))))
    assert streams.RandomStreams(7, 3)["attrition"].random(4).tolist() == expected.random(4).tolist()
    assert "blake2b(purpose)" in (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert "hash(purpose)" not in (streams.__doc__ or "")
