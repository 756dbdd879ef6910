"""Atomic, exclusive result directories with a verified manifest (issue 9, DESIGN §5).

A result (one run, or a comparison) is never written file by file into its target. It is
written into a temporary directory next to the target (``.NAME.tmp-…``), a manifest
(``manifest.json``: every file's name, size and sha256, the seeds, scenarios and versions) is
written last, and the directory is renamed into place. A crash at any moment therefore leaves
either no target, or the previous complete result, or the new complete result; never a mix.

Exclusive: a writer holds a lock on ``.NAME.lock`` next to the target (``flock``; the kernel
drops it when the process dies, so a killed writer leaves no stale lock). A second writer of
the same target while the first holds it is refused at once. A target that already holds a
different result is refused unless ``force=True``; then it is replaced whole, by an atomic
exchange of the two directories where the system offers it (Linux ``renameat2``), else by two
renames (a crash between them leaves no target, never a mix). An identical result (same
files, same checksums) is left as it is. Leftovers of killed writers are removed by the next
writer of the same target.

Readers call :func:`verify` (or :func:`experiments.run.load_run`), which refuses a directory
whose manifest is missing, unreadable or does not match the files.

For tests only: ``MESOSCAPE_SAVE_PAUSE=K`` makes the writer print ``mesoscape-save: paused at
checkpoint K (...)`` on stderr at its K-th checkpoint and sleep, so that a test can kill it
at a known point of the save (``CHECKPOINTS`` counts them).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = "mesoscape-result/1"
PAUSE_ENV = "MESOSCAPE_SAVE_PAUSE"
#: a name that may become part of an output path: letters, digits, ``-`` and ``_``
SLUG = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: names of files a result may hold besides its manifest: an older save wrote provenance.json
_LEGACY_MARKER = "provenance.json"


class StoreError(Exception):
    """A result directory cannot be written or read; the message says why and what to do."""


class ResultExists(StoreError):
    """The target already holds a different result (and ``force`` was not given)."""


class Busy(StoreError):
    """Another writer is saving into the same target right now."""


# --------------------------------------------------------------------------- names


def safe_name(name: str, what: str = "scenario name") -> str:
    """Return ``name`` if it may be part of an output path, else raise a StoreError.

    Args:
        name: e.g. a scenario's name.
        what: what the name is, for the message.
    """
    if not isinstance(name, str) or not SLUG.match(name):
        shown = repr(name)[:80]
        raise StoreError(
            f"{what}: {shown} cannot name an output folder; allowed: 1 to 64 letters, "
            "digits, '-' or '_' (or give --out)"
        )
    return name


# --------------------------------------------------------------------------- checkpoints


class _Checkpoints:
    """Numbered points of a save where a test may pause the writer (``MESOSCAPE_SAVE_PAUSE``)."""

    def __init__(self) -> None:
        raw = os.environ.get(PAUSE_ENV, "")
        self.pause_at = int(raw) if raw.strip().isdigit() else None
        self.count = 0

    def __call__(self, what: str) -> None:
        self.count += 1
        if self.pause_at == self.count:
            sys.stderr.write(f"mesoscape-save: paused at checkpoint {self.count} ({what})\n")
            sys.stderr.flush()
            time.sleep(600)


# --------------------------------------------------------------------------- manifest


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files_of(folder: Path) -> list[str]:
    """Relative POSIX paths of every file below ``folder`` (sorted), manifest excluded."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() or path.is_symlink():
            rel = path.relative_to(folder).as_posix()
            if rel != MANIFEST:
                found.append(rel)
    return found


def build_manifest(folder: Path, identity: dict[str, Any]) -> dict[str, Any]:
    """The manifest of the files in ``folder``: sizes and checksums, plus ``identity``.

    Args:
        folder: the directory holding the result's files.
        identity: what the result is (``kind``, ``scenarios``, ``seeds``, ``steps``,
            ``versions``...), stored as is.
    """
    files = {
        rel: {"size": (folder / rel).stat().st_size, "sha256": sha256_file(folder / rel)}
        for rel in _files_of(folder)
    }
    return {"format": FORMAT, **identity, "files": files}


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of a result directory, without checking the files (see ``verify``).

    Raises:
        StoreError: if the manifest is missing or unreadable.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise StoreError(f"{folder}: no such result directory")
    if not path.is_file():
        raise StoreError(
            f"{folder}: {MANIFEST} is missing: not a complete Mesoscape result "
            "(an interrupted or older save); run it again"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError(f"{path}: not a manifest of format {FORMAT}")
    if not isinstance(manifest.get("files"), dict):
        raise StoreError(f"{path}: files: missing; allowed: a table of file names")
    return manifest


def manifest_problems(folder: str | Path, manifest: dict[str, Any]) -> list[str]:
    """Every way the files of ``folder`` differ from ``manifest`` (empty: it verifies)."""
    folder = Path(folder)
    problems = []
    listed = manifest["files"]
    for rel, entry in listed.items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel}: listed in the manifest but missing")
        elif path.stat().st_size != entry.get("size"):
            problems.append(
                f"{rel}: {path.stat().st_size} bytes, the manifest says {entry.get('size')}"
            )
        elif sha256_file(path) != entry.get("sha256"):
            problems.append(f"{rel}: changed after it was saved (sha256 differs from the manifest)")
    for rel in _files_of(folder):
        if rel not in listed:
            problems.append(f"{rel}: not part of the saved result (not in the manifest)")
    return problems


def verify(folder: str | Path, kind: str | None = None) -> dict[str, Any]:
    """Check a result directory against its manifest; return the manifest.

    Args:
        folder: the result directory.
        kind: the kind of result expected (``run``, ``comparison``, ...); None: any.

    Raises:
        StoreError: naming the directory and the first problems, if the manifest is missing,
            unreadable or does not match the files, or if it holds another kind of result.
    """
    manifest = read_manifest(folder)
    problems = manifest_problems(folder, manifest)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise StoreError(
            f"{folder}: does not verify against its manifest: {'; '.join(problems[:3])}{more}"
        )
    if kind is not None and manifest.get("kind") != kind:
        raise StoreError(f"{folder}: holds a {manifest.get('kind')}, not a {kind}")
    return manifest


# --------------------------------------------------------------------------- lock


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold the writer's lock of ``target``, or raise Busy at once."""
    lock = target.parent / f".{target.name}.lock"
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise Busy(
                    f"{target}: another writer is saving a result there right now; "
                    "wait for it to finish or choose another --out"
                ) from None
            raise
        try:  # the lock file may have been replaced between open and flock: lock the new one
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (removing it would race)


# --------------------------------------------------------------------------- writing


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for rel in _files_of(folder):
        with (folder / rel).open("rb") as fh:
            os.fsync(fh.fileno())
    for sub in sorted({p.parent for p in folder.rglob("*")} | {folder}):
        _fsync_dir(sub)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2); False where not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _replaceable(target: Path) -> bool:
    """Whether ``force`` may replace ``target``: empty, or a (possibly broken) result."""
    if not target.is_dir() or target.is_symlink():
        return False
    names = {p.name for p in target.iterdir()}
    return not names or MANIFEST in names or _LEGACY_MARKER in names


def _describe(manifest: dict[str, Any]) -> str:
    kind = manifest.get("kind", "result")
    scen = ", ".join(str(s) for s in manifest.get("scenarios", []))
    seeds = manifest.get("seeds", [])
    shown = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}..{seeds[-1]}"
    return f"a {kind} of {scen}, {shown}" if seeds else f"a {kind} of {scen}"


def check_target(target: str | Path, identity: dict[str, Any], force: bool = False) -> None:
    """Refuse early (before any work) a target that cannot take this result.

    The definitive check is made again under the lock when the result is written.

    Raises:
        StoreError: the target is a file, or holds something else and ``force`` is False, or
            holds what is not a result (even with ``force``: it is not ours to delete).
    """
    target = Path(target)
    if not target.exists() and not target.is_symlink():
        return
    if not _replaceable(target):
        raise StoreError(
            f"{target}: exists and is not a Mesoscape result folder; choose another --out "
            "(it is never deleted, not even with --force)"
        )
    if force or not any(target.iterdir()):
        return
    try:
        old = read_manifest(target)
    except StoreError:
        raise ResultExists(
            f"{target}: holds an incomplete or older result; use --force to replace it"
        ) from None
    keys = ("kind", "scenarios", "seeds", "steps")
    if any(old.get(k) != identity.get(k) for k in keys):
        raise ResultExists(
            f"{target}: already holds {_describe(old)}; use --force to replace it, "
            "or choose another --out"
        )


def write_result(
    target: str | Path,
    write_files: Callable[[Path, Callable[[str], None]], None],
    identity: dict[str, Any],
    force: bool = False,
) -> Path:
    """Write a result atomically and exclusively into ``target``.

    Args:
        target: the result directory (its parent is created if needed).
        write_files: ``write_files(folder, checkpoint)`` writes every file into ``folder``
            (a fresh temporary directory), calling ``checkpoint(what)`` after each file.
        identity: what the result is (``kind``, ``scenarios``, ``seeds``, ``steps``,
            ``versions``, ...), stored in the manifest.
        force: replace a different result already in ``target`` (whole, never mixed).

    Returns:
        The target path.

    Raises:
        StoreError: (``Busy``, ``ResultExists``) with a message saying what to do.
    """
    target = Path(target)
    checkpoint = _Checkpoints()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{target}: cannot create its folder ({exc.strerror})") from None
    with _locked(target):
        checkpoint("lock held")
        check_target(target, identity, force)
        for stale in target.parent.glob(f".{target.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed writer
        for stale in target.parent.glob(f".{target.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = target.parent / f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            checkpoint("temporary folder created")
            write_files(tmp, checkpoint)
            manifest = build_manifest(tmp, identity)
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            _fsync_tree(tmp)
            checkpoint("manifest written")
            _commit(tmp, target, manifest, checkpoint, force)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target


def _commit(
    tmp: Path,
    target: Path,
    manifest: dict[str, Any],
    checkpoint: Callable[[str], None],
    force: bool,
) -> None:
    """Move the finished ``tmp`` into ``target`` (under the lock)."""
    full = target.is_dir() and any(target.iterdir())
    if full:
        try:
            old = read_manifest(target)
        except StoreError:
            old = None
        same = old is not None and old["files"] == manifest["files"]
        if same and not manifest_problems(target, old):
            return  # the same result is already there, complete
        if not force:
            raise ResultExists(
                f"{target}: already holds a different result of the same scenario and "
                "seed(s) (other code or versions?); use --force to replace it"
            )
    if not full:
        os.rename(tmp, target)  # atomic (replaces an empty folder); the lock keeps others away
        checkpoint("renamed into place")
        _fsync_dir(target.parent)
        return
    old_dir = target.parent / f".{target.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    if _exchange(tmp, target):
        checkpoint("exchanged with the old result")
        os.rename(tmp, old_dir)  # tmp now holds the old result
    else:
        os.rename(target, old_dir)
        checkpoint("old result moved aside")
        os.rename(tmp, target)
    checkpoint("renamed into place")
    _fsync_dir(target.parent)
    shutil.rmtree(old_dir, ignore_errors=True)
    checkpoint("old result removed")


def write_json(path: Path, data: Any) -> None:
    """Write JSON deterministically (sorted keys off: the caller's order is kept)."""
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
