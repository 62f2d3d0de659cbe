"""The shipped scenarios that the builder writes, and one command to write them again.

Some shipped scenarios are not written by hand: each is exactly the text that
:func:`~workforce_sim.scenario.council.council_toml` writes for a council and a
census year from the DfE data the package ships (``workforce-sim init``), so
that the file and the builder cannot drift apart. A test keeps each shipped
file equal to the builder's output; when the builder changes, one command
writes them all again::

    python -m workforce_sim.scenario.rebuild           # rewrite the stale ones
    python -m workforce_sim.scenario.rebuild --check   # only list them (exit status 1 if any)

Run it from a checkout (an editable install): it writes into the package's
``shipped/`` folder. Scenarios that ``extends`` one of these (the levers
Herefordshire pulled after 2022) change with it; re-check what they say of it.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from workforce_sim.scenario.council import council_toml

#: Shipped file name -> (council, census year) it is built from.
BUILT: dict[str, tuple[str, int]] = {
    "herefordshire_2022_crisis.toml": ("Herefordshire", 2022),
}


def shipped_folder() -> Path:
    """The folder of the shipped scenarios, as a path on disk."""
    return Path(str(resources.files("workforce_sim.scenario") / "shipped"))


def built_text(name: str) -> str:
    """The text the builder writes for the shipped file ``name`` (a key of ``BUILT``)."""
    council, year = BUILT[name]
    return council_toml(council, year)


def stale() -> list[str]:
    """The files of ``BUILT`` whose shipped text is not the builder's output."""
    folder = shipped_folder()
    out = []
    for name in BUILT:
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != built_text(name):
            out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, list) the shipped files that differ from the builder's."""
    p = argparse.ArgumentParser(prog="python -m workforce_sim.scenario.rebuild",
                                description="rewrite the shipped scenarios the builder writes")
    p.add_argument("--check", action="store_true",
                   help="only list the stale files; exit status 1 if there are any")
    args = p.parse_args(argv)
    names = stale()
    folder = shipped_folder()
    if args.check:
        for name in names:
            print(f"stale: {folder / name}")
        return 1 if names else 0
    for name in names:
        with open(folder / name, "w", encoding="utf-8", newline="\n") as f:
            f.write(built_text(name))
        print(f"wrote {folder / name}")
    if not names:
        print("every built scenario is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
