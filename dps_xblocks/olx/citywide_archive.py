"""Reproducible `.tar.gz` import packages: the same course folder always gives the same bytes.

Everything that would vary between machines or runs is fixed: entry order (course.xml first,
because Studio imports the first course.xml it finds; then sorted paths), modification times,
owners, permissions, and the gzip header (no file name, time 0). The compressed bytes are then
identical wherever the same zlib compresses them; the tar inside is identical everywhere.

Packages share almost all their files, so compressing each whole would redo the same work 126
times. Instead, the entries of each top-level folder of the course (`vertical/`, `html/`, ...)
are compressed as a segment of their own, starting afresh and ending on a byte boundary; one
deflate stream made of such segments is as valid as any other, and a gzip file holding it is
an ordinary single-member `.tar.gz` that every tool reads. A segment whose entries are the same
as one already compressed in this process is reused, so only the folders a package changes
(the course pointer, `about/`, `course/`, `policies/`) are compressed for each package. Where
segments begin depends only on the files, so the bytes do not depend on what was built before.
"""

import hashlib
import os
import struct
import tarfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from dps_xblocks.olx.citywide_course import CourseFile

# 2026-01-01T00:00:00Z, the start of the course year, when SOURCE_DATE_EPOCH is not set.
DEFAULT_MTIME = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
FILE_MODE = 0o644
EXECUTABLE_MODE = 0o755
DIRECTORY_MODE = 0o755
# Level 6, zlib's default, compresses these text-heavy packages within a few per cent of level 9
# in half the time.
COMPRESS_LEVEL = 6
# The gzip header: magic, deflate, no flags (so no file name), time 0, no extra flags, OS 255
# ("unknown"); what Python's gzip writes for level 6, an empty file name and time 0.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
TAR_RECORD = tarfile.RECORDSIZE
TAR_END = tarfile.NUL * (2 * tarfile.BLOCKSIZE)
# Compressed segments kept per process: a course has a dozen top-level folders.
_SEGMENTS_KEPT = 64
_segments: OrderedDict[tuple, "_Segment"] = OrderedDict()


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


@dataclass(frozen=True)
class _Segment:
    """Tar entries, and the same compressed as a deflate segment that ends on a byte boundary."""

    raw: bytes
    deflated: bytes


def pack_course(top: str, files: list[CourseFile], mtime: int) -> Package:
    """A gzip-compressed tar of `files` under the folder `top`, course.xml first.

    Folder entries are written too (Studio's exports have them), each after the course.xml
    entry that Studio must meet first and before the files inside it. `mtime` is whole
    seconds; a path that is also the folder of other paths is a ValueError.
    """
    if not isinstance(mtime, int):
        raise TypeError(f"mtime must be whole seconds (an int), not {mtime!r}")
    segments = [_segment(entries, mtime) for entries in _by_top_folder(_entries(top, files))]
    size = sum(len(segment.raw) for segment in segments)
    # The tar ends with two empty blocks, padded to a whole record, as tarfile writes it.
    end = TAR_END + tarfile.NUL * (-(size + len(TAR_END)) % TAR_RECORD)
    finisher = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    last = finisher.compress(end) + finisher.flush(zlib.Z_FINISH)

    checksum = 0
    for segment in segments:
        checksum = zlib.crc32(segment.raw, checksum)
    checksum = zlib.crc32(end, checksum)
    trailer = struct.pack("<II", checksum, (size + len(end)) & 0xFFFFFFFF)
    return Package(b"".join((GZIP_HEADER, *(segment.deflated for segment in segments), last,
                             trailer)))


def _by_top_folder(entries):
    """The entries in runs that share their top-level folder in the course.

    The course.xml entry is a run of its own, and so is the entry of the folder `top` itself.
    """
    run, key = [], None
    for name, item in entries:
        parts = name.split("/")
        entry_key = parts[1] if len(parts) > 1 else ""
        if run and entry_key != key:
            yield run
            run = []
        run.append((name, item))
        key = entry_key
    if run:
        yield run


def _segment(entries, mtime: int) -> _Segment:
    """The segment of `entries`, compressed in this process before if it was met already."""
    key = (mtime, *((name, item.data if item else None, item.executable if item else None)
                    for name, item in entries))
    segment = _segments.get(key)
    if segment is not None:
        _segments.move_to_end(key)
        return segment
    raw = b"".join(_tar_entry(name, item, mtime) for name, item in entries)
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = _Segment(raw, compressor.compress(raw) + compressor.flush(zlib.Z_SYNC_FLUSH))
    _segments[key] = segment
    if len(_segments) > _SEGMENTS_KEPT:
        _segments.popitem(last=False)
    return segment


def _tar_entry(name: str, item: CourseFile | None, mtime: int) -> bytes:
    """One tar entry: its header (POSIX pax where needed) and its data padded to a block."""
    info = tarfile.TarInfo(name)
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if item is None:
        info.type = tarfile.DIRTYPE
        info.mode = DIRECTORY_MODE
        return info.tobuf(tarfile.PAX_FORMAT, tarfile.ENCODING, "surrogateescape")
    info.size = len(item.data)
    info.mode = EXECUTABLE_MODE if item.executable else FILE_MODE
    padding = tarfile.NUL * (-info.size % tarfile.BLOCKSIZE)
    return info.tobuf(tarfile.PAX_FORMAT, tarfile.ENCODING, "surrogateescape") + item.data + padding


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
    both = sorted(folders & by_name.keys())
    if both:
        raise ValueError(f"{both[0]} would be both a file and a folder in the archive")
    by_name.update({folder: None for folder in folders})
    # A folder sorts before its contents when compared with a trailing slash.
    for name in sorted(by_name, key=lambda name: name + "/" if by_name[name] is None else name):
        yield name, by_name[name]
