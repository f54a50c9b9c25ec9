"""URLs of the local preview.

The handler and package-resource routes keep the workbench's names and shapes because the
workbench runtime builds its URLs by reversing them. `unauth_handler` is kept for that reason
only: every call to it is refused.
"""

from django.conf import settings
from django.urls import path, re_path
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve
from workbench import views as workbench_views

from dps_xblocks.preview import views

urlpatterns = [
    path("", views.outline, name="outline"),
    path("unit/<str:url_name>/", views.unit, name="unit"),
    re_path(r"^static/(?P<path>.+)$", views.course_static, name="course_static"),
    re_path(
        r"^handler/(?P<usage_id>[^/]+)/(?P<handler_slug>[^/]*)(?:/(?P<suffix>.*))?$",
        views.handler,
        name="handler",
    ),
    re_path(
        r"^unauth_handler/(?P<usage_id>[^/]+)/(?P<handler_slug>[^/]*)(?:/(?P<suffix>.*))?$",
        views.unauth_handler,
        name="unauth_handler",
    ),
    re_path(
        r"^resource/(?P<block_type>[^/]+)/(?P<resource>.*)$",
        workbench_views.package_resource,
        name="package_resource",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    re_path(
        r"^assets/workbench/(?P<path>.+)$",
        serve,
        {"document_root": settings.WORKBENCH_STATIC_DIR},
        name="workbench_asset",
    ),
    re_path(
        r"^assets/dps_preview/(?P<path>.+)$",
        serve,
        {"document_root": settings.PREVIEW_STATIC_DIR},
        name="preview_asset",
    ),
]

handler400 = views.bad_request
handler404 = views.not_found
handler500 = views.server_error
