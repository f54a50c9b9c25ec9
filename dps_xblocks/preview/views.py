"""The preview's pages: outline, unit pages, course files, and the workbench's handler view."""

import logging
from pathlib import PurePosixPath

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.static import serve
from workbench import views as workbench_views
from xblock.exceptions import NoSuchHandlerError

from dps_xblocks.preview import site
from dps_xblocks.preview.blocks import DEFAULT_STUDENT_ID, STUDENT_ID_PATTERN, render_unit

log = logging.getLogger(__name__)

# Course files that a browser could run as a page of this origin if opened directly.
_ACTIVE_FILE_SUFFIXES = {".svg", ".html", ".htm", ".xml", ".xhtml"}


def outline(request):
    """The course outline: sections, subsections and links to every unit."""
    student_id = _student_id(request)
    if student_id is None:
        return _bad_student(request)
    return render(request, "dps_preview/outline.html", {
        "course": site.current().course,
        "student_query": _student_query(student_id),
    })


@ensure_csrf_cookie
def unit(request, url_name):
    """One unit page: its components in order, with previous/next links.

    Sets the CSRF cookie that the workbench runtime's JavaScript sends back with handler calls.
    """
    student_id = _student_id(request)
    if student_id is None:
        return _bad_student(request)
    preview = site.current()
    place = preview.place_of(url_name)
    if place is None:
        raise Http404(f"no unit {url_name!r}")

    rendered = render_unit(place.unit, preview.usage_ids, student_id)
    return render(request, "dps_preview/unit.html", {
        "course": preview.course,
        "place": place,
        "rendered": rendered,
        "student_id": student_id,
        "student_query": _student_query(student_id),
    })


def course_static(request, path):
    """A file from the course's `static/` folder, where OLX `/static/<file>` links point."""
    response = serve(request, path, document_root=site.current().course.static_dir)
    if PurePosixPath(path).suffix.lower() in _ACTIVE_FILE_SUFFIXES:
        # Shown in <img> it is unaffected; opened on its own, any script in it cannot run.
        response["Content-Security-Policy"] = "sandbox"
    return response


def handler(request, usage_id, handler_slug, suffix="", authenticated=True):
    """The workbench's handler view, with the learner id checked and errors answered in JSON."""
    if authenticated:
        student_id = _student_id(request)
        if student_id is None:
            return JsonResponse({"error": "student must be 1-64 of A-Z a-z 0-9 _ -"}, status=400)
        if "student" not in request.GET:
            request.GET = request.GET.copy()
            request.GET["student"] = student_id

    try:
        return workbench_views.handler(
            request, usage_id, handler_slug, suffix or "", authenticated=authenticated
        )
    except Http404:
        return JsonResponse({"error": f"no block {usage_id!r} in this course"}, status=404)
    except NoSuchHandlerError:
        return JsonResponse(
            {"error": f"block {usage_id!r} has no handler {handler_slug!r}"}, status=404
        )
    except Exception:  # a block's bug must not lose the page; details in the log
        log.exception("Handler %s/%s failed", usage_id, handler_slug)
        return JsonResponse({"error": "the block could not handle this request"}, status=500)


def bad_request(request, exception=None):
    """The 400 page (a refused path such as `/static/../x`), in Vietnamese."""
    return HttpResponse(
        render_to_string("dps_preview/400.html", {"course": _course_or_none()}, request),
        status=400,
    )


def not_found(request, exception=None):
    """The 404 page, in Vietnamese, with a way back to the outline."""
    return HttpResponse(
        render_to_string("dps_preview/404.html", {"course": _course_or_none()}, request),
        status=404,
    )


def csrf_failure(request, reason=""):
    """A refused POST without a valid CSRF token: JSON for handler calls, a page otherwise."""
    log.warning("CSRF check failed for %s: %s", request.path, reason)
    if request.path.startswith(("/handler/", "/unauth_handler/")):
        return JsonResponse(
            {"error": "missing or wrong CSRF token; reload the unit page and try again"},
            status=403,
        )
    return HttpResponse(
        render_to_string("dps_preview/403.html", {"course": _course_or_none()}, request),
        status=403,
    )


def server_error(request):
    """The 500 page; it needs no course, so it renders even when loading failed."""
    return HttpResponse(render_to_string("dps_preview/500.html"), status=500)


def _student_id(request) -> str | None:
    """The learner id from `?student=`, the fixed preview learner by default; None if invalid."""
    student_id = request.GET.get("student", DEFAULT_STUDENT_ID)
    return student_id if STUDENT_ID_PATTERN.match(student_id) else None


def _student_query(student_id: str) -> str:
    """The query string that keeps a non-default learner on the next link."""
    return "" if student_id == DEFAULT_STUDENT_ID else f"?student={student_id}"


def _bad_student(request):
    return HttpResponse(
        render_to_string(
            "dps_preview/400.html", {"course": _course_or_none(), "bad_student": True}, request
        ),
        status=400,
    )


def _course_or_none():
    try:
        return site.current().course
    except RuntimeError:
        return None
