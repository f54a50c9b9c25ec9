"""The preview's pages: outline, unit pages, course files, and the workbench's handler view.

The preview is for learners. Learners are told apart only by `?student=`, so anything one of
them can change, everyone sees: Studio's authoring handlers and the anonymous handler route are
refused, and course files are served only from inside the course's `static/` folder.
"""

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

# Handlers that save a block's content or settings from Studio's editor: `submit_studio_edits`
# (XBlock's StudioEditableXBlockMixin, which our practice block uses), `studio_submit` (many
# community blocks, Drag-and-Drop v2 among them) and `update_editor_context` (ORA). Which
# handlers a block means for learners cannot be known in general, so this is a deny-list, and
# a block that saves authoring data through a handler with another name (or through its
# `fallback_handler`) is not stopped here: add its handler's name.
_AUTHORING_HANDLERS = frozenset({"submit_studio_edits", "studio_submit", "update_editor_context"})


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
    """A file from the course's `static/` folder, where OLX `/static/<file>` links point.

    The file is served by its real path, and only if that is inside `static/`: a link there
    to a file elsewhere would otherwise publish that file to every learner.
    """
    course = site.current().course
    file_path = course.static_file(path)
    if file_path is None:
        log.warning("Refused static file %r: it leads out of %s", path, course.static_dir)
        raise Http404(f"no file {path!r} in the course's static folder")

    response = serve(request, file_path.name, document_root=file_path.parent)
    suffixes = {PurePosixPath(path).suffix.lower(), file_path.suffix.lower()}
    if suffixes & _ACTIVE_FILE_SUFFIXES:
        # Shown in <img> it is unaffected; opened on its own, any script in it cannot run.
        response["Content-Security-Policy"] = "sandbox"
    return response


def is_authoring_handler(handler_name: str) -> bool:
    """Tell whether `handler_name` is one of Studio's authoring handlers, refused to learners.

    Any name with "studio" in it counts, so that a block's own Studio handler is caught too.
    """
    return handler_name in _AUTHORING_HANDLERS or "studio" in handler_name.lower()


def handler(request, usage_id, handler_slug, suffix=""):
    """The workbench's handler view for a learner, errors answered in JSON.

    Studio's authoring handlers are refused: through them any learner could rewrite a practice
    for every learner on this laptop.
    """
    if is_authoring_handler(handler_slug):
        log.warning("Refused authoring handler %r of %r", handler_slug, usage_id)
        return JsonResponse({
            "error": f"Bản xem trước chỉ dành cho người học: không được gọi {handler_slug!r}, "
            "một thao tác soạn bài của Studio. Muốn sửa bài tập, hãy sửa tệp OLX của khoá học "
            "rồi khởi động lại bản xem trước."
        }, status=403)

    student_id = _student_id(request)
    if student_id is None:
        return JsonResponse({"error": "student must be 1-64 of A-Z a-z 0-9 _ -"}, status=400)
    if "student" not in request.GET:
        request.GET = request.GET.copy()
        request.GET["student"] = student_id

    try:
        return workbench_views.handler(request, usage_id, handler_slug, suffix or "")
    except Http404:
        return JsonResponse({"error": f"no block {usage_id!r} in this course"}, status=404)
    except NoSuchHandlerError:
        return JsonResponse(
            {"error": f"block {usage_id!r} has no handler {handler_slug!r}"}, status=404
        )
    except Exception:  # a block's bug must not lose the page; details in the log
        log.exception("Handler %s/%s failed", usage_id, handler_slug)
        return JsonResponse({"error": "the block could not handle this request"}, status=500)


def unauth_handler(request, usage_id, handler_slug, suffix=""):
    """Refuse every call to the anonymous handler route.

    Only a block that gives out a handler URL for a third party (`thirdparty=True`) needs it, and
    ours do not; it would otherwise run any handler, Studio's included, with no learner id.
    """
    log.warning("Refused anonymous handler %r of %r", handler_slug, usage_id)
    return JsonResponse({
        "error": "Bản xem trước không nhận yêu cầu ẩn danh gửi tới /unauth_handler/; các khối "
        "trong khoá học gửi yêu cầu qua /handler/ cho từng người học."
    }, status=403)


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
    return student_id if STUDENT_ID_PATTERN.fullmatch(student_id) else None


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
