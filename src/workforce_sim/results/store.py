"""Writing outputs safely.

* A file is written atomically: complete or absent, never half-written
  (:func:`atomic_write`).
* A folder of outputs is written whole (:func:`atomic_folder`): into a new
  sibling temporary folder, with ``provenance.json`` last holding the sha256 of
  every file (:func:`write_provenance`), then swapped in by renames. A folder
  whose provenance is missing, or whose files differ from their hashes, is not
  a complete output (:func:`read_provenance` raises :class:`ResultsError`).
* Text from users is made safe for files: names of files and folders
  (:func:`safe_filename`) and spreadsheet cells (:func:`escape_formulas`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any

#: Version of the layout of a saved folder; :func:`read_provenance` refuses others.
FORMAT_VERSION = 1
PROVENANCE = "provenance.json"


class ResultsError(ValueError):
    """A saved folder that cannot be read as it claims: the message names the file and
    says what is wrong."""


class MissingProvenanceError(ResultsError, FileNotFoundError):
    """A folder without ``provenance.json``: not a complete saved output."""


# ------------------------------------------------------------------ single files


def atomic_write(path: str | Path, write: Callable[[IO[str]], Any]) -> Path:
    """Write a text file atomically.

    Parameters
    ----------
    path : str or Path
        The file to write; its folder is created if needed.
    write : callable
        Called with an open text handle on a temporary file beside ``path``,
        which is then renamed into place (``os.replace`` is atomic on one
        filesystem).

    Returns
    -------
    Path
        ``path``.
    """
    def to_file(name: str) -> None:
        with open(name, "w", encoding="utf-8", newline="") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())

    return atomic_write_file(path, to_file)


def atomic_write_file(path: str | Path, write: Callable[[str], Any], suffix: str = ".part") -> Path:
    """Write ``path`` atomically with a writer that takes a file name (Parquet, Excel).

    Parameters
    ----------
    path : str or Path
        The file to write.
    write : callable
        Called with the name of a temporary file beside ``path``, which is then
        given ordinary permissions and renamed into place.
    suffix : str, default ".part"
        The temporary file's suffix (some writers choose the format by it).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())         # as an ordinary file, not 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    return atomic_write(path, lambda h: h.write(text))


def write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    return atomic_write(path, lambda h: json.dump(data, h, indent=2, default=str))


def write_csv(path: str | Path, frame: Any) -> Path:
    """Write a data frame as CSV (no index) atomically, text cells escaped with
    :func:`escape_formulas` so that a spreadsheet does not run them.

    Parameters
    ----------
    path : str or Path
        The file to write.
    frame : pandas.DataFrame
        The table.

    Returns
    -------
    Path
        ``path``.
    """
    safe = escape_formulas(frame)
    return atomic_write(path, lambda h: safe.to_csv(h, index=False))


# ------------------------------------------------------------------ user text in files

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def escape_cell(value: Any) -> Any:
    """A text cell a spreadsheet would read as a formula, prefixed with ``'``.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (and, so that :func:`unescape_cell` gives it back exactly, ``'``) gets a
    leading ``'``; anything else, numbers included, is returned as it is.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    """The inverse of :func:`escape_cell`."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" \
            and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def escape_formulas(frame: Any) -> Any:
    """A copy of a data frame with every text cell and column name passed through
    :func:`escape_cell` (numbers, dates and missing values unchanged).

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when nothing needed escaping.
    """
    return _map_text(frame, escape_cell)


def unescape_formulas(frame: Any) -> Any:
    """The inverse of :func:`escape_formulas`, for tables read back from CSV."""
    return _map_text(frame, unescape_cell)


def _map_text(frame: Any, f: Callable[[Any], Any]) -> Any:
    columns = {c: f(c) for c in frame.columns if isinstance(c, str) and f(c) != c}
    text = [c for c in frame.columns
            if frame[c].dtype == object or str(frame[c].dtype) in ("string", "str", "category")]
    changed = {}
    for c in text:
        values = frame[c].astype(object)
        mapped = values.map(f)
        if not mapped.equals(values):
            changed[c] = mapped
    if not columns and not changed:
        return frame
    out = frame.copy()
    for c, mapped in changed.items():
        out[c] = mapped
    return out.rename(columns=columns)


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                     *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10)),
                     "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"}


def safe_filename(name: str, taken: Iterable[str] = (), max_length: int = 64) -> str:
    """A file or folder name made from user text that cannot leave its folder.

    Every character outside ``[A-Za-z0-9._-]`` becomes ``_``; leading dots
    and trailing dots go (so no ``..``, no hidden files); Windows reserved
    names (``CON``, ``NUL``, ``COM1``... with or without an extension) get a
    trailing ``_``; the name is cut to ``max_length``; an empty result is
    ``unnamed``; and a name already in ``taken`` (compared without case, as
    Windows and macOS do) gets ``-2``, ``-3``... .

    Parameters
    ----------
    name : str
        The user's text (a scenario name, a team name...).
    taken : iterable of str
        Names already used in the same folder.
    max_length : int
        Longest name returned (at least 16).

    Returns
    -------
    str
        A name safe on Linux, macOS and Windows.
    """
    max_length = max(16, max_length)
    text = re.sub(r"[^A-Za-z0-9._-]", "_", str(name))[:max_length]
    text = text.lstrip(".").rstrip(". ") or "unnamed"
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = text[: max_length - 1] + "_"
    used = {t.lower() for t in taken}
    candidate, k = text, 1
    while candidate.lower() in used:
        k += 1
        suffix = f"-{k}"
        candidate = text[: max_length - len(suffix)] + suffix
    return candidate


# ------------------------------------------------------------------ provenance


def file_hashes(folder: str | Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` but ``provenance.json`` itself.

    Returns
    -------
    dict
        Relative path (``/``-separated) → hex digest, sorted by path.
    """
    folder = Path(folder)
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel != PROVENANCE:
            out[rel] = _sha256(p)
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_provenance(folder: str | Path, record: dict[str, Any]) -> Path:
    """Write ``provenance.json`` into ``folder``: ``record`` with the format version and
    the sha256 of every file now in the folder. Write it last: it is what makes a
    folder a complete output.

    Parameters
    ----------
    folder : str or Path
    record : dict
        What the folder holds (seed, replications, version...); ``files`` and
        ``format_version`` are set here.

    Returns
    -------
    Path
        The provenance file.
    """
    folder = Path(folder)
    data = {**record, "format_version": FORMAT_VERSION, "files": file_hashes(folder)}
    return write_json(folder / PROVENANCE, data)


def read_provenance(folder: str | Path, *, kind: str | None = None) -> dict[str, Any]:
    """Read a folder's ``provenance.json`` and check the folder against it.

    Parameters
    ----------
    folder : str or Path
    kind : str, optional
        The ``kind`` the folder must be (``"run"``, ``"comparison"``, ``"sweep"``).

    Returns
    -------
    dict
        The provenance.

    Raises
    ------
    ResultsError
        The folder or its provenance is missing (:class:`MissingProvenanceError`),
        the provenance is not a JSON object of this format version, or a file it
        lists is missing or differs from its sha256.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingProvenanceError(f"{folder}: no such folder")
    path = folder / PROVENANCE
    if not path.is_file():
        raise MissingProvenanceError(
            f"{path}: missing, so {folder} is not a complete saved output (a write that failed "
            "or was interrupted leaves none)")
    try:
        prov = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(prov, dict):
        raise ResultsError(f"{path}: expected a JSON object, got {type(prov).__name__}")
    version = prov.get("format_version")
    if version != FORMAT_VERSION:
        made = prov.get("workforce_sim", "an unknown version")
        what = "no format_version" if version is None else f"format_version {version!r}"
        raise ResultsError(f"{path}: {what}, expected {FORMAT_VERSION} (saved by workforce_sim "
                           f"{made}, whose files this version cannot check): run it again")
    files = prov.get("files")
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in files.items()):
        raise ResultsError(f"{path}: 'files' must map each file name to its sha256")
    if kind is not None and prov.get("kind", "run") != kind:
        raise ResultsError(f"{path}: this folder holds a {prov.get('kind')!r} output, "
                           f"expected a {kind!r} one")
    root = folder.resolve()
    for rel, digest in files.items():
        p = (folder / rel)
        if ".." in Path(rel).parts or Path(rel).is_absolute() or not p.resolve().is_relative_to(root):
            raise ResultsError(f"{path}: file name {rel!r} is outside the folder")
        if not p.is_file():
            raise ResultsError(f"{p}: missing, though {PROVENANCE} lists it")
        if _sha256(p) != digest:
            raise ResultsError(f"{p}: changed since it was saved (its sha256 differs from the "
                               f"one in {PROVENANCE})")
    return prov


# ------------------------------------------------------------------ whole folders


def is_output_folder(path: str | Path) -> bool:
    """True if ``path`` is an empty folder or holds a ``provenance.json`` (an output
    of workforce_sim, complete or not): the folders :func:`atomic_folder` may replace."""
    path = Path(path)
    return path.is_dir() and (not any(path.iterdir()) or (path / PROVENANCE).is_file())


class atomic_folder:  # noqa: N801 - used like a function: ``with atomic_folder(path) as tmp``
    """Write a folder whole: ``with atomic_folder(path) as tmp:`` write into ``tmp``.

    ``tmp`` is a new hidden folder beside ``path`` (same parent, so renames are
    atomic). If the block ends normally, the previous ``path`` (if any) is
    renamed aside, ``tmp`` renamed to ``path`` and the old one removed; if it
    raises (an error, Ctrl-C), ``tmp`` is removed and ``path`` is untouched.
    Ctrl-C and SIGTERM are held back during the swap, then delivered. Two
    writers of one folder each swap in a whole folder: the last wins.

    Attributes
    ----------
    path : Path
        The folder written.
    existed : bool
        Whether ``path`` held something before.
    committed : bool
        True once the new folder is in place.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(os.path.abspath(path))
        if self.path.parent == self.path:
            raise ValueError(f"{path}: cannot replace the root of a filesystem")
        self.existed = self.path.exists()
        self.committed = False
        self.tmp: Path | None = None

    def __enter__(self) -> Path:
        if self.path.exists() and not is_output_folder(self.path):
            raise FileExistsError(f"{self.path}: exists and is not an empty folder or an output "
                                  "of workforce_sim; not replaced")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.existed = self.path.exists()
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name[:40]}.", suffix=".part",
                                         dir=self.path.parent))
        os.chmod(self.tmp, 0o777 & ~_umask())     # as an ordinary folder, not 0700
        return self.tmp

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self.tmp is not None
        with _signals_held():
            if kind is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
                return
            try:
                self._swap(self.tmp)
            except BaseException:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise
            self.committed = True
            _remove_stale(self.path)

    def _swap(self, new: Path) -> None:
        for _ in range(10):                       # another writer may swap in between
            old = None
            if self.path.exists() or self.path.is_symlink():
                old = self.path.with_name(f".{self.path.name[:40]}.{secrets.token_hex(4)}.old")
                try:
                    os.rename(self.path, old)
                except FileNotFoundError:
                    old = None                   # the other writer moved it first
            try:
                os.rename(new, self.path)
            except OSError:
                if old is not None:
                    try:
                        os.rename(old, self.path)   # put the previous folder back
                    except OSError:
                        shutil.rmtree(old, ignore_errors=True)   # another writer's is there
                        continue
                    raise                          # a real failure; the previous is back
                if self.path.exists():
                    continue                       # another writer's folder: again
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            return
        raise OSError(f"{self.path}: other writers kept replacing it; gave up")


#: A temporary folder untouched for this long was left by a writer that was killed.
STALE_SECONDS = 3600.0


def _remove_stale(path: Path) -> None:
    """Remove temporary folders of ``path`` left by killed writers (SIGKILL, power cut):
    hidden siblings named as :class:`atomic_folder` names them, unchanged for an hour
    (a live writer fills its folder in seconds to minutes)."""
    import time

    prefix = f".{path.name[:40]}."
    for p in path.parent.iterdir():
        if not (p.name.startswith(prefix) and p.name.endswith((".part", ".old"))):
            continue
        try:
            if p.is_dir() and not p.is_symlink() and time.time() - p.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM (in the main thread), then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[signal.Signals] = []
    names = [signal.SIGINT] + ([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])
    previous = {s: signal.getsignal(s) for s in names}
    for s in names:
        signal.signal(s, lambda signum, frame: caught.append(signal.Signals(signum)))
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in caught[:1]:
            handler = previous[s]
            if callable(handler):
                handler(s, None)
            elif handler == signal.SIG_DFL:
                if s == signal.SIGINT:
                    raise KeyboardInterrupt
                signal.raise_signal(s)
