"""mkdocs hooks for the docs site (mkdocs.yml, ``hooks:``).

Docstrings cross-reference in the Sphinx way (``:func:`run```, ``:class:`Scenario```,
``:meth:`Scenario.with_changes```), which reads well in ``help()`` and in the
source. On the site such a role becomes a link to the name's entry in the API
reference when it has one (an optional autorefs cross-reference), and plain code
otherwise; the role's prefix is never shown.
"""

from __future__ import annotations

import re

_ROLE = re.compile(r":(func|class|meth|mod|attr|exc|data|obj):<code>(~?)([\w.]+)</code>")


def _link(match: re.Match) -> str:
    kind, short, name = match.groups()
    title = name.rsplit(".", 1)[-1] if short else name
    if kind == "mod" or name.startswith("."):
        return f"<code>{title}</code>"
    identifier = name if name.startswith("workforce_sim.") else f"workforce_sim.{name}"
    return f'<autoref identifier="{identifier}" optional><code>{title}</code></autoref>'


def on_page_content(html: str, **kwargs) -> str:
    return _ROLE.sub(_link, html)
