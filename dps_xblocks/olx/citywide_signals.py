"""Stopping a build cleanly, whichever signal asks: Ctrl-C, SIGTERM or SIGHUP.

Python turns Ctrl-C (SIGINT) into `KeyboardInterrupt`, which unwinds the build and removes its
staging folder. SIGTERM (sent by `kill`, systemd, CI runners and container stops) and SIGHUP
(the terminal was closed) would end the process on the spot instead, leaving a
`.<output>.partial-*` folder behind. While `stop_signals()` is in force, all three raise
`BuildStopped`, a `KeyboardInterrupt`, so every one of them unwinds like Ctrl-C; the handlers
in place before are put back afterwards.

Two short steps must not be cut in two: the renames that put the output in place (stopped
between them, the previous output would be left moved aside and the new one deleted) and the
removal of the staging folder. Inside `signals_held()` a stop signal is ignored; both steps
end the build anyway, so there is nothing left for it to stop.
"""

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))

_held = 0  # how many signals_held() blocks are open in this process


class BuildStopped(KeyboardInterrupt):
    """The build was asked to stop by the signal `signum`."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def stop_reason(stop: KeyboardInterrupt) -> tuple[str, int]:
    """What stopped the build, in words, and the exit code for it: 128 + the signal number."""
    signum = getattr(stop, "signum", signal.SIGINT)
    return f"interrupted by {signal.Signals(signum).name}", 128 + signum


@contextmanager
def stop_signals() -> Iterator[None]:
    """Make SIGINT, SIGTERM and SIGHUP raise `BuildStopped` inside the block.

    Python lets only the main thread set signal handlers; elsewhere the block runs with the
    handlers it finds.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_stop) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            # None: a handler that was not set from Python, which cannot be put back.
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)


def default_stop_signals() -> None:
    """Give a worker process the default SIGTERM and SIGHUP: stop at once, like its parent asks.

    A forked worker inherits `_raise_stop`, which would turn the pool's own SIGTERM into an
    exception inside the worker's loop.
    """
    for signum in STOP_SIGNALS:
        if signum != signal.SIGINT:
            signal.signal(signum, signal.SIG_DFL)


@contextmanager
def signals_held() -> Iterator[None]:
    """Ignore stop signals inside the block (a last step that must not be cut in two)."""
    global _held  # one counter per process, read by the signal handler
    _held += 1
    try:
        yield
    finally:
        _held -= 1


def _raise_stop(signum: int, _frame) -> None:
    if _held:
        log.info("signal %s ignored: the build is finishing", signal.Signals(signum).name)
        return
    raise BuildStopped(signum)
