"""Putting the build's output in place all at once, or not at all.

Everything is written into a temporary folder next to the output (so on the same file system),
which is renamed into place only when complete. A previous output is moved aside at that
moment and deleted after the rename, never before; a failed build removes the temporary
folder and any parent folder it created; a stop signal cannot interrupt the renames or that
removal halfway (see `citywide_signals`). A folder that is not a previous output of the build
is never replaced, so a mistyped `--output` cannot wipe someone's files.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

from dps_xblocks.olx.citywide_output import GENERATOR
from dps_xblocks.olx.citywide_signals import signals_held
from dps_xblocks.olx.citywide_units import InputError

FOLDER_MODE = 0o755


def is_build_output(folder: Path) -> bool:
    """True if `folder` holds a previous output of this command, which a build may replace."""
    try:
        document = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(document, dict) and document.get("generator") == GENERATOR


class StagingFolder:
    """A temporary folder beside `output` that becomes `output` when `publish()` is called.

    Leaving the `with` block without publishing removes the temporary folder and any parent
    folder this object created, so a failed build leaves the file system as it found it.
    """

    def __init__(self, output: Path):
        self.output = output
        self.path: Path | None = None
        self._created_parents: list[Path] = []
        self._published = False

    def __enter__(self) -> "StagingFolder":
        missing = []
        parent = self.output.parent
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        try:
            for folder in reversed(missing):
                folder.mkdir()
                self._created_parents.append(folder)
            self.path = Path(tempfile.mkdtemp(dir=self.output.parent,
                                              prefix=f".{self.output.name}.partial-"))
            self.path.chmod(FOLDER_MODE)
        except OSError as error:
            self._remove_created_parents()
            raise InputError(
                f"--output {self.output}: cannot create a folder there ({error.strerror}); "
                f"choose a writable place"
            ) from None
        except KeyboardInterrupt:
            self.__exit__()  # stopped before the `with` block could clean up
            raise
        return self

    def publish(self) -> None:
        """Put the staging folder in place of the output, moving any previous output aside.

        A stop signal cannot cut this in two (see `citywide_signals`).
        """
        with signals_held():
            self._publish()

    def _publish(self) -> None:
        previous = None
        if self.output.exists():
            previous = Path(tempfile.mkdtemp(dir=self.output.parent,
                                             prefix=f".{self.output.name}.previous-"))
            os.rename(self.output, previous)
        try:
            os.rename(self.path, self.output)
        except OSError:
            if previous is not None:
                os.rename(previous, self.output)
            raise
        self._published = True
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)

    def __exit__(self, *exc_info) -> None:
        if self._published:
            return
        with signals_held():
            if self.path is not None:
                shutil.rmtree(self.path, ignore_errors=True)
            self._remove_created_parents()

    def _remove_created_parents(self) -> None:
        for folder in reversed(self._created_parents):
            try:
                folder.rmdir()
            except OSError:
                break


def check_output_location(output: Path) -> None:
    """Refuse an output the build must not replace or cannot create, before building anything."""
    if output.exists() or output.is_symlink():
        if not output.is_dir() or output.is_symlink():
            raise InputError(f"--output {output} exists and is not a folder; choose a folder path")
        if any(output.iterdir()) and not is_build_output(output):
            raise InputError(
                f"--output {output} already holds files that are not a previous build (no "
                f"manifest.json from {GENERATOR}); choose an empty or new folder"
            )
    ancestor = output.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(
            f"--output {output}: {ancestor} is a file, so no folder can be created under it"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError(f"--output {output}: {ancestor} is not writable")
