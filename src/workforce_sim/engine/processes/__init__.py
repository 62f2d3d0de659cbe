"""The service's processes, one module each.

Each depends on the context (``engine/context.py``, which says what a process
may touch) and on the state (``engine/state/``); none imports another (the
independence contract in ``pyproject.toml``). ``engine/model.py`` builds them
and hands each what it needs of the others.
"""
