"""Progress of the city-wide build on stderr.

On a terminal, one line redrawn in place: `[########            ] 42/126 Phường Ba Đình`. Anywhere
else (CI logs, pipes, tests) a plain line per package, since carriage returns garble logs.
"""

import shutil
import sys

BAR_WIDTH = 20


class Progress:
    """Reports each finished package; `finish()` ends the terminal line."""

    def __init__(self, total: int, stream=None):
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._drawn = False

    def update(self, done: int, label: str) -> None:
        """`done` packages of `total` are finished, the last one being `label`."""
        if not self.interactive:
            self.stream.write(f"{done}/{self.total} {label}\n")
            self.stream.flush()
            return
        filled = BAR_WIDTH * done // self.total if self.total else BAR_WIDTH
        line = f"[{'#' * filled}{' ' * (BAR_WIDTH - filled)}] {done}/{self.total} {label}"
        width = shutil.get_terminal_size().columns
        if len(line) >= width:
            line = line[: max(width - 2, 0)] + "…"
        # \r returns to the line start; \x1b[K clears what a longer previous label left.
        self.stream.write(f"\r{line}\x1b[K")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """Move past the redrawn line so later output starts on a fresh one."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
