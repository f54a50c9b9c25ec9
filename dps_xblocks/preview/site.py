"""The course this process serves, loaded once, and where each unit sits in its outline."""

from dataclasses import dataclass

from dps_xblocks.preview.blocks import load_blocks
from dps_xblocks.preview.course import Chapter, Course, Sequential, Unit


@dataclass(frozen=True)
class UnitPlace:
    """A unit with its section, subsection and neighbours in outline order."""

    unit: Unit
    chapter: Chapter
    sequential: Sequential
    previous: Unit | None
    next: Unit | None


@dataclass(frozen=True)
class PreviewSite:
    """A course whose blocks are loaded in the runtime, with their usage ids by url_name."""

    course: Course
    usage_ids: dict[str, str]

    def place_of(self, url_name: str) -> UnitPlace | None:
        """Where the unit `url_name` is in the outline, or None if the course has no such unit."""
        units = self.course.units()
        for index, unit in enumerate(units):
            if unit.url_name == url_name:
                chapter, sequential = self._parents_of(unit)
                return UnitPlace(
                    unit,
                    chapter,
                    sequential,
                    units[index - 1] if index > 0 else None,
                    units[index + 1] if index + 1 < len(units) else None,
                )
        return None

    def _parents_of(self, unit: Unit) -> tuple[Chapter, Sequential]:
        for chapter in self.course.chapters:
            for sequential in chapter.sequentials:
                if unit in sequential.units:
                    return chapter, sequential
        raise LookupError(f"unit {unit.url_name!r} is not in the outline")


_current: PreviewSite | None = None


def install(course: Course) -> PreviewSite:
    """Load `course`'s blocks into the runtime and make it the course the views serve."""
    global _current
    _current = PreviewSite(course, load_blocks(course))
    return _current


def current() -> PreviewSite:
    """The course being served; `install()` must have been called."""
    if _current is None:
        raise RuntimeError("no course is installed; call dps_xblocks.preview.site.install()")
    return _current
