"""Load a course's runnable XBlocks into the workbench runtime and render units for a learner.

Each block is parsed once, at start-up, under a scenario named after its `url_name`, so its
usage id (`<url_name>.<block_type>.d0.u0`) is the same at every start and the learner state
the workbench keeps in SQLite under that id is found again after a restart.
"""

import logging
import re
from dataclasses import dataclass, field

from lxml import etree
from web_fragments.fragment import Fragment
from workbench.runtime import WORKBENCH_KVS, WorkbenchRuntime

from dps_xblocks.preview.course import (
    Component,
    Course,
    HtmlComponent,
    PlaceholderComponent,
    Unit,
    XBlockComponent,
    parse_xml_bytes,
)

log = logging.getLogger(__name__)

DEFAULT_STUDENT_ID = "learner"
# Check with `fullmatch`: with `match`, a "$" lets "dave\n" through as a learner of its own.
STUDENT_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")

# Blocks parsed in this process, by url_name: (the XML parsed, its usage id). The workbench's id
# manager is process-wide and numbers a second parse of the same name ".d1", so a block is never
# parsed twice.
_loaded_blocks: dict[str, tuple[str, str]] = {}
_kvs_prepared = False


class BlockLoadError(Exception):
    """An XBlock in the course that the runtime cannot parse."""


@dataclass(frozen=True)
class RenderedComponent:
    """One component of a unit page: what it is and its HTML."""

    component: Component
    kind: str
    html: str = ""


@dataclass
class RenderedUnit:
    """A unit's components rendered for one learner, with the page resources they need."""

    components: list[RenderedComponent] = field(default_factory=list)
    head_html: str = ""
    foot_html: str = ""


def load_blocks(course: Course) -> dict[str, str]:
    """Parse every runnable block of `course` into the runtime; return usage ids by url_name."""
    global _kvs_prepared
    if not _kvs_prepared:
        # Drops the stored children lists, which parsing appends to; learner state stays.
        WORKBENCH_KVS.prep_for_scenario_loading()
        _kvs_prepared = True

    return {
        component.url_name: _load_block(component) for component in course.xblock_components()
    }


def _load_block(component: XBlockComponent) -> str:
    """Parse one block under the scenario named after its url_name and return its usage id."""
    element = parse_xml_bytes(component.xml.encode("utf-8"), component.source)
    # url_name is the block's identity in Open edX, not one of its fields.
    element.attrib.pop("url_name", None)
    xml = etree.tostring(element, encoding="unicode")

    previous = _loaded_blocks.get(component.url_name)
    if previous is not None:
        if previous[0] == xml:
            return previous[1]
        raise BlockLoadError(
            f"{component.source}:{component.line}: <{component.block_type}> "
            f"{component.url_name!r} was already loaded with other content in this process; "
            "restart the preview to load the changed course"
        )

    runtime = WorkbenchRuntime()
    runtime.id_generator.set_scenario(component.url_name)
    try:
        usage_id = runtime.parse_xml_string(xml)
    except Exception as exc:  # any block's parse error must name its file
        log.exception("Cannot load %s from %s", component.url_name, component.source)
        raise BlockLoadError(
            f"{component.source}:{component.line}: <{component.block_type}> "
            f"{component.url_name!r} does not load in the XBlock runtime: {exc}"
        ) from None

    _loaded_blocks[component.url_name] = (xml, usage_id)
    log.info("Loaded %s as %s", component.url_name, usage_id)
    return usage_id


def render_unit(unit: Unit, usage_ids: dict[str, str], student_id: str) -> RenderedUnit:
    """Render every component of `unit` for `student_id`, in order.

    A block that fails to render is logged and shown as an error notice, so one broken block
    does not take the whole page down.
    """
    runtime = WorkbenchRuntime(student_id)
    rendered = RenderedUnit()
    fragments = []

    for component in unit.components:
        if isinstance(component, HtmlComponent):
            rendered.components.append(RenderedComponent(component, "html", component.html))
        elif isinstance(component, PlaceholderComponent):
            rendered.components.append(RenderedComponent(component, "placeholder"))
        else:
            fragment = _render_block(runtime, usage_ids[component.url_name], component)
            if fragment is None:
                rendered.components.append(RenderedComponent(component, "error"))
            else:
                fragments.append(fragment)
                rendered.components.append(
                    RenderedComponent(component, "xblock", fragment.body_html())
                )

    rendered.head_html = _resources_html(fragments, "head")
    rendered.foot_html = _resources_html(fragments, "foot")
    return rendered


def _render_block(
    runtime: WorkbenchRuntime, usage_id: str, component: XBlockComponent
) -> Fragment | None:
    """The block's `student_view`, wrapped by the runtime with its JS; None if it fails."""
    try:
        block = runtime.get_block(usage_id)
        return block.render("student_view", {})
    except Exception:  # shown as a notice on the page, details in the log
        log.exception("Cannot render %s (%s) for %s", component.url_name, usage_id, runtime.user_id)
        return None


def _resources_html(fragments: list[Fragment], placement: str) -> str:
    """The CSS/JS of all fragments for one place in the page, each resource once, in order.

    Every block wrapped by the workbench asks for jQuery and the runtime script; loading them
    twice would reinitialise the blocks already on the page.
    """
    seen = set()
    html = []
    for fragment in fragments:
        for resource in fragment.resources:
            if resource.placement == placement and resource not in seen:
                seen.add(resource)
                html.append(Fragment.resource_to_html(resource))
    return "\n".join(html)
