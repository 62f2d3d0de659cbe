"""Writing outputs atomically: a file is either complete or absent, never half-written."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def atomic_write(path: str | Path, write: Callable[[IO[str]], Any]) -> Path:
    """Write a text file through ``write(handle)`` into a temporary file beside
    ``path``, then rename it into place (``os.replace`` is atomic on one filesystem)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | Path, text: str) -> Path:
    return atomic_write(path, lambda h: h.write(text))


def write_json(path: str | Path, data: Any) -> Path:
    return atomic_write(path, lambda h: json.dump(data, h, indent=2, default=str))


def write_csv(path: str | Path, frame) -> Path:
    return atomic_write(path, lambda h: frame.to_csv(h, index=False))
