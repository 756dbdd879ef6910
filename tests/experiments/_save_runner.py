"""A fork server for the kill tests: ``mesoscape`` children without an interpreter start each.

Started as ``python tests/experiments/_save_runner.py`` with BLAS pinned to one thread (so
the server has a single thread and ``fork`` is safe). It imports the command line once,
then reads one JSON request per line on stdin and answers one JSON line on stdout:

* ``{"op": "run", "argv": [...]}``: fork a child running ``mesoscape ARGV`` to its end;
  answer ``{"code": exit code, "stderr": text}``.
* ``{"op": "kill_at", "argv": [...], "pause": K}``: fork a child with
  ``MESOSCAPE_SAVE_PAUSE=K``, wait until it says it paused at checkpoint K, SIGKILL it;
  answer ``{"paused": its message, "killed": true}``.
* ``{"op": "hold", "argv": [...], "pause": K}``: as ``kill_at`` but leave the child paused;
  answer ``{"pid": pid, "paused": message}``; ``{"op": "kill", "pid": pid}`` kills it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time

sys.path.insert(0, os.getcwd())

from experiments import store  # noqa: E402
from experiments.cli import main  # noqa: E402


def fork(argv: list[str], pause: int | None) -> tuple[int, int]:
    """Start a child running ``mesoscape ARGV``; return its pid and its stderr's read end."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            os.close(r)
            os.dup2(w, 2)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 0)
            sys.stderr = os.fdopen(2, "w", buffering=1)
            sys.stdout = os.fdopen(1, "w")
            os.environ.pop(store.PAUSE_ENV, None)
            if pause is not None:
                os.environ[store.PAUSE_ENV] = str(pause)
            code = main(argv)
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def read_until_pause(fd: int, timeout: float = 120.0) -> str:
    """What the child wrote on stderr up to its pause message."""
    text, end = b"", time.monotonic() + timeout
    while b"paused at checkpoint" not in text:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        chunk = os.read(fd, 4096) if ready else b""
        if not chunk:
            raise RuntimeError(f"the child did not pause: {text.decode()!r}")
        text += chunk
    return text.decode()


def read_all(fd: int) -> str:
    """Everything the child writes on stderr until it closes it."""
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks).decode()


def kill(pid: int) -> bool:
    """SIGKILL a child and reap it; True if it died of the signal."""
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def serve() -> None:
    """Answer requests until stdin closes; a child still held then is killed."""
    held: set[int] = set()
    try:
        _serve(held)
    finally:
        for pid in held:
            kill(pid)


def _serve(held: set[int]) -> None:
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "run":
            pid, fd = fork(req["argv"], None)
            err = read_all(fd)
            os.close(fd)
            _, status = os.waitpid(pid, 0)
            answer = {"code": os.waitstatus_to_exitcode(status), "stderr": err}
        elif op in ("kill_at", "hold"):
            pid, fd = fork(req["argv"], int(req["pause"]))
            try:
                said = read_until_pause(fd)
            except RuntimeError as exc:
                kill(pid)
                os.close(fd)
                answer = {"error": str(exc)}
            else:
                os.close(fd)
                if op == "hold":
                    held.add(pid)
                    answer = {"pid": pid, "paused": said}
                else:
                    answer = {"paused": said, "killed": kill(pid)}
        elif op == "kill":
            held.discard(int(req["pid"]))
            answer = {"killed": kill(int(req["pid"]))}
        else:
            answer = {"error": f"unknown op {op!r}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
