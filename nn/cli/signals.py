"""SIGTERM and SIGHUP stop ``chainrule train`` the way Ctrl-C does: training ends, what was
trained is saved, and the exit status is 128 + the signal's number (143, 129; 130 for Ctrl-C).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType

__all__ = ["SignalInterrupt", "StopSignals", "exit_status"]

SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
                if s is not None)


class SignalInterrupt(KeyboardInterrupt):
    """A KeyboardInterrupt raised by the SIGTERM/SIGHUP handler; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def exit_status(exc: BaseException | None = None, signum: int | None = None) -> int:
    """128 + the signal's number: 130 for Ctrl-C (SIGINT), 143 for SIGTERM, 129 for SIGHUP."""
    if signum is None:
        signum = exc.signum if isinstance(exc, SignalInterrupt) else signal.SIGINT
    return 128 + int(signum)


class StopSignals:
    """Within ``with StopSignals() as stop:``, SIGTERM and SIGHUP raise
    :class:`SignalInterrupt` while ``stop.armed`` (the default); once disarmed (while the
    results are being saved) they are only recorded in ``stop.received``, so a save is never
    cut short. The previous handlers come back on exit. Outside the main thread nothing is
    installed (Python delivers signals to the main thread only)."""

    def __init__(self) -> None:
        self.armed = True
        self.received: int | None = None
        self._old: dict[int, object] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum
        if self.armed:
            raise SignalInterrupt(signum)

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
