"""Reproducible `.tar.gz` import packages: the same course folder always gives the same bytes.

Everything that would vary between machines or runs is fixed: entry order (course.xml first,
because Studio imports the first course.xml it finds; then sorted paths), modification times,
owners, permissions, and the gzip header (no file name, time 0). The compressed bytes are then
identical wherever the same zlib compresses them; the tar inside is identical everywhere.
"""

import gzip
import hashlib
import io
import os
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime

from dps_xblocks.olx.citywide_course import CourseFile

# 2026-01-01T00:00:00Z, the start of the course year, when SOURCE_DATE_EPOCH is not set.
DEFAULT_MTIME = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
FILE_MODE = 0o644
EXECUTABLE_MODE = 0o755
DIRECTORY_MODE = 0o755


@dataclass(frozen=True)
class Package:
    """A packed course: the archive bytes and their digest."""

    data: bytes

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    @property
    def sha256(self) -> str:
        """SHA-256 of the archive, hex."""
        return hashlib.sha256(self.data).hexdigest()


def archive_mtime(environ=os.environ) -> int:
    """The modification time every entry gets: SOURCE_DATE_EPOCH if set, else 2026-01-01."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return DEFAULT_MTIME
    if not value.isdigit():
        raise ValueError(
            f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970-01-01"
        )
    return int(value)


def pack_course(top: str, files: list[CourseFile], mtime: int) -> Package:
    """A gzip-compressed tar of `files` under the folder `top`, course.xml first.

    Folder entries are written too (Studio's exports have them), each after the course.xml
    entry that Studio must meet first and before the files inside it.
    """
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, item in _entries(top, files):
            info = tarfile.TarInfo(name)
            info.mtime = mtime
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if item is None:
                info.type = tarfile.DIRTYPE
                info.mode = DIRECTORY_MODE
                tar.addfile(info)
            else:
                info.size = len(item.data)
                info.mode = EXECUTABLE_MODE if item.executable else FILE_MODE
                tar.addfile(info, io.BytesIO(item.data))

    compressed = io.BytesIO()
    # Level 6, zlib's default, compresses these text-heavy packages within a few per cent of
    # level 9 in half the time.
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0,
                       compresslevel=6) as stream:
        stream.write(raw.getvalue())
    return Package(compressed.getvalue())


def _entries(top: str, files: list[CourseFile]):
    """(archive name, file or None for a folder) in archive order."""
    first = [item for item in files if item.path == "course.xml"]
    rest = sorted((item for item in files if item.path != "course.xml"), key=lambda i: i.path)
    for item in first:
        yield f"{top}/{item.path}", item

    folders = {top}
    for item in rest:
        parts = item.path.split("/")[:-1]
        folders.update(f"{top}/" + "/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    by_name = {f"{top}/{item.path}": item for item in rest}
    by_name.update({folder: None for folder in folders})
    # A folder sorts before its contents when compared with a trailing slash.
    for name in sorted(by_name, key=lambda name: name + "/" if by_name[name] is None else name):
        yield name, by_name[name]
