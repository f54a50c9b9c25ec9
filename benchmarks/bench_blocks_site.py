"""URLs of the block benchmark's page server: the preview's, plus the bare page.

The bare page is the preview's unit page for a unit without components, with the scripts the
XBlock runtime puts on every page that holds a block (jQuery, its plugins, the runtime): in Open
edX those are on every courseware page whatever the unit holds, so they are not a block's own
cost. The time until a block is usable is counted from when this page has loaded.
"""

from functools import cache

from bench_blocks_common import BARE_UNIT, OUR_UNIT
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie
from web_fragments.fragment import Fragment
from workbench.runtime import WorkbenchRuntime

from dps_xblocks.preview import site, urls
from dps_xblocks.preview.blocks import RenderedUnit
from dps_xblocks.preview.views import bad_request, not_found, server_error

BENCH_STUDENT = "bench-bare"


@cache
def runtime_resources() -> tuple[str, str]:
    """The head and foot HTML of the runtime's own scripts, taken from a real rendering of a
    block: the resources whose URL is under the workbench's static folder."""
    preview = site.current()
    usage_id = next(iter(
        preview.usage_ids[component.url_name]
        for component in preview.place_of(OUR_UNIT).unit.components))
    fragment = WorkbenchRuntime(BENCH_STUDENT).get_block(usage_id).render("student_view", {})
    prefix = static("workbench/")
    shared = [resource for resource in fragment.resources
              if resource.kind == "url" and resource.data.startswith(prefix)]
    if not shared:
        raise RuntimeError("the runtime added no script of its own to the block's page")
    return tuple(
        "\n".join(Fragment.resource_to_html(resource) for resource in shared
                  if resource.placement == placement)
        for placement in ("head", "foot"))


@ensure_csrf_cookie
def bare(request):
    """The page shell with the runtime's scripts and no block."""
    place = site.current().place_of(BARE_UNIT)
    head_html, foot_html = runtime_resources()
    return render(request, "dps_preview/unit.html", {
        "course": site.current().course,
        "place": place,
        "rendered": RenderedUnit(head_html=head_html, foot_html=foot_html),
        "student_id": request.GET.get("student", BENCH_STUDENT),
        "student_query": "",
    })


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *urls.urlpatterns]

handler400 = bad_request
handler404 = not_found
handler500 = server_error
