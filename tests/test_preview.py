"""The local preview: the OLX reader, the Django pages in-process, and the `dps-preview` command.

The fixture course (`tests/fixtures/preview_course`) uses the XBlock SDK's sample `thumbs` block
as its runnable block, an HTML page with an SVG image, a CAPA problem and a video.
"""

import http.cookiejar
import json
import os
import re
import select
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dps_xblocks.preview import cli
from dps_xblocks.preview.course import (
    HtmlComponent,
    OlxError,
    PlaceholderComponent,
    XBlockComponent,
    read_course,
)

FIXTURE = Path(__file__).parent / "fixtures" / "preview_course"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
COURSE_NAME = "Khoá học thử: Dịch vụ công trực tuyến"
THUMBS_USAGE_ID = "thumbs_practice.thumbs.d0.u0"
READY_LINE = re.compile(r'Preview of "(?P<name>.+)": (?P<url>http://127\.0\.0\.1:\d+/)')
START_TIMEOUT = 30


def copy_fixture(tmp_path: Path) -> Path:
    """A writable copy of the fixture course, for tests that break it."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course)
    return course


def test_outline_follows_pointers_and_inline_elements():
    course = read_course(FIXTURE)

    assert (course.org, course.number, course.run) == ("DPSTest", "PREVIEW101", "2025")
    assert course.display_name == COURSE_NAME
    assert [chapter.display_name for chapter in course.chapters] == [
        "Chương 1: Làm quen",
        "Chương 2: Viết sẵn trong tệp",
    ]
    assert [sequential.url_name for sequential in course.chapters[0].sequentials] == ["seq_start"]
    assert [(unit.url_name, unit.display_name) for unit in course.units()] == [
        ("unit_welcome", "Chào mừng"),
        ("unit_practice", "Thực hành bình chọn"),
        ("unit_inline", "Bài viết sẵn"),
    ]


def test_html_pointer_reads_the_html_file_named_by_filename():
    welcome = read_course(FIXTURE).units()[0]

    [html] = welcome.components
    assert isinstance(html, HtmlComponent)
    assert html.display_name == "Lời chào"
    assert html.source == FIXTURE / "html" / "welcome_text.html"
    assert '<img src="/static/cac_buoc.svg"' in html.html


def test_inline_html_keeps_its_markup_and_video_becomes_a_placeholder():
    inline_unit = read_course(FIXTURE).units()[2]

    html, video = inline_unit.components
    assert html.html == "<p>Nội dung <strong>viết sẵn</strong> trong tệp khoá học.</p>"
    assert isinstance(video, PlaceholderComponent)
    assert (video.block_type, video.display_name) == ("video", "Video giới thiệu")


def test_installed_block_is_kept_as_xml_and_problem_pointer_becomes_a_placeholder():
    practice = read_course(FIXTURE).units()[1]

    thumbs, problem = practice.components
    assert isinstance(thumbs, XBlockComponent)
    assert (thumbs.block_type, thumbs.url_name) == ("thumbs", "thumbs_practice")
    assert thumbs.xml.startswith('<thumbs url_name="thumbs_practice"')
    assert isinstance(problem, PlaceholderComponent)
    assert (problem.block_type, problem.display_name) == ("problem", "Câu hỏi kiểm tra")
    assert problem.source == FIXTURE / "problem" / "check_1.xml"


def test_block_type_that_is_not_installed_becomes_a_placeholder():
    practice = read_course(FIXTURE, is_installed=lambda block_type: False).units()[1]

    assert [type(component) for component in practice.components] == [PlaceholderComponent] * 2
    assert practice.components[0].block_type == "thumbs"


def test_internal_entity_declaration_is_refused(tmp_path):
    course = copy_fixture(tmp_path)
    vertical = course / "vertical" / "unit_welcome.xml"
    vertical.write_text(
        '<!DOCTYPE vertical [<!ENTITY lol "lol">]>\n'
        '<vertical display_name="&lol;"><html url_name="welcome_text"/></vertical>\n',
        encoding="utf-8",
    )

    with pytest.raises(OlxError) as error:
        read_course(course)

    assert error.value.path == vertical
    assert "DOCTYPE" in str(error.value) and "not allowed" in str(error.value)


def test_external_entity_is_refused_without_reading_the_file(tmp_path):
    course = copy_fixture(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("MẬT-KHẨU-42", encoding="utf-8")
    vertical = course / "vertical" / "unit_welcome.xml"
    vertical.write_text(
        f'<!DOCTYPE vertical [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
        '<vertical display_name="&leak;"><html url_name="welcome_text"/></vertical>\n',
        encoding="utf-8",
    )

    with pytest.raises(OlxError) as error:
        read_course(course)

    assert error.value.path == vertical
    assert "DOCTYPE" in str(error.value)
    assert "MẬT-KHẨU-42" not in str(error.value)


def test_missing_pointer_file_error_names_the_file_and_who_points_to_it(tmp_path):
    course = copy_fixture(tmp_path)
    (course / "vertical" / "unit_practice.xml").unlink()

    with pytest.raises(OlxError) as error:
        read_course(course)

    assert error.value.path == course / "vertical" / "unit_practice.xml"
    assert "file is missing" in str(error.value)
    assert 'url_name="unit_practice"' in str(error.value)
    assert "seq_start.xml" in str(error.value)


def test_malformed_xml_error_names_the_file_and_line(tmp_path):
    course = copy_fixture(tmp_path)
    chapter = course / "chapter" / "ch_intro.xml"
    chapter.write_text(
        '<chapter display_name="Chương 1">\n  <sequential url_name="seq_start">\n</chapter>\n',
        encoding="utf-8",
    )

    with pytest.raises(OlxError) as error:
        read_course(course)

    assert error.value.path == chapter
    assert error.value.line == 3
    assert str(error.value).startswith(f"{chapter}:3: not well-formed XML")


def test_pointer_to_an_installed_block_is_refused_with_the_fix(tmp_path):
    course = copy_fixture(tmp_path)
    vertical = course / "vertical" / "unit_practice.xml"
    vertical.write_text(
        '<vertical display_name="x">\n  <thumbs url_name="thumbs_practice"/>\n</vertical>\n',
        encoding="utf-8",
    )

    with pytest.raises(OlxError) as error:
        read_course(course)

    assert error.value.line == 2
    assert "write the <thumbs> element inline" in str(error.value)


@pytest.mark.parametrize(
    ("vertical_xml", "expected"),
    [
        (
            '<vertical display_name="x"><thumbs display_name="x"/></vertical>',
            "url_name '' is missing",
        ),
        (
            '<vertical display_name="x"><thumbs url_name="bình_chọn" display_name="x"/></vertical>',
            "url_name 'bình_chọn' is missing or not ASCII",
        ),
        (
            '<vertical display_name="x"><thumbs url_name="a.b" display_name="x"/></vertical>',
            "url_name 'a.b' is missing or not ASCII",
        ),
        (
            '<vertical display_name="x"><thumbs url_name="t1&#10;" display_name="x"/></vertical>',
            "url_name 't1\\n' is missing or not ASCII",
        ),
        (
            '<vertical display_name="x"><thumbs url_name="t1" display_name="a"/>'
            '<thumbs url_name="t1" display_name="b"/></vertical>',
            "url_name 't1' is used twice",
        ),
    ],
)
def test_runnable_block_needs_a_unique_ascii_url_name(tmp_path, vertical_xml, expected):
    course = copy_fixture(tmp_path)
    (course / "vertical" / "unit_practice.xml").write_text(vertical_xml, encoding="utf-8")

    with pytest.raises(OlxError, match=re.escape(expected)):
        read_course(course)


def test_html_filename_cannot_leave_the_html_folder(tmp_path):
    course = copy_fixture(tmp_path)
    (course / "html" / "welcome_text.xml").write_text(
        '<html filename="../course" display_name="x"/>', encoding="utf-8"
    )

    with pytest.raises(OlxError, match=re.escape("html filename '../course' must be a plain")):
        read_course(course)


def test_html_filename_with_a_trailing_newline_is_refused(tmp_path):
    course = copy_fixture(tmp_path)
    (course / "html" / "welcome_text.xml").write_text(
        '<html filename="welcome_text&#10;" display_name="x"/>', encoding="utf-8"
    )

    expected = "html filename 'welcome_text\\n' must be a plain"
    with pytest.raises(OlxError, match=re.escape(expected)):
        read_course(course)


def move_out_and_link(course: Path, relative: str, outside: Path) -> Path:
    """Move the course file `relative` to folder `outside` and leave a link to it in its place."""
    link = course / relative
    outside.mkdir(exist_ok=True)
    target = outside / link.name
    link.rename(target)
    link.symlink_to(target)
    return link


@pytest.mark.parametrize(
    "relative",
    [
        "course.xml",
        "course/2025.xml",
        "vertical/unit_welcome.xml",
        "problem/check_1.xml",
        "html/welcome_text.xml",
        "html/welcome_text.html",
        "vertical",
    ],
)
def test_course_file_linked_from_outside_the_course_is_refused(tmp_path, relative):
    course = copy_fixture(tmp_path)
    link = move_out_and_link(course, relative, tmp_path / "outside")

    with pytest.raises(OlxError) as error:
        read_course(course)

    assert f"outside the course folder {course}" in str(error.value)
    assert str(error.value).startswith(str(course / relative))
    assert link.is_symlink()


def test_html_file_linked_from_outside_is_named_at_start_up_with_exit_code_2(tmp_path):
    course = copy_fixture(tmp_path)
    (course / "html" / "welcome_text.html").unlink()
    secret = tmp_path / "secret.html"
    secret.write_text("<p>MẬT-KHẨU-42</p>", encoding="utf-8")
    (course / "html" / "welcome_text.html").symlink_to(secret)

    # A subprocess, so that a preview which starts anyway fails the test instead of serving on.
    result = subprocess.run(
        [sys.executable, "-m", "dps_xblocks.preview", "--course", str(course), "--port", "0",
         "--state-dir", str(tmp_path / "state")],
        capture_output=True, text=True, timeout=START_TIMEOUT,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"dps-preview: error: {course / 'html' / 'welcome_text.html'}: leads to {secret}, "
        f"outside the course folder {course}; the preview reads only files inside the course "
        "folder, so copy the file in instead of linking to it\n"
    )
    assert not (tmp_path / "state").exists()


def test_course_file_linked_inside_the_course_is_read(tmp_path):
    course = copy_fixture(tmp_path)
    move_out_and_link(course, "html/welcome_text.html", course / "shared")

    [html] = read_course(course).units()[0].components

    assert '<img src="/static/cac_buoc.svg"' in html.html


def test_folder_without_course_xml_is_refused(tmp_path):
    with pytest.raises(OlxError) as error:
        read_course(tmp_path)

    assert error.value.path == tmp_path / "course.xml"
    assert "file is missing" in str(error.value)


@pytest.mark.parametrize(
    ("folders", "expected"),
    [
        (["only_one"], "only_one"),
        (["dps_hanoi_vi", "dps_hanoi_en"], "dps_hanoi_vi"),
    ],
)
def test_default_course_is_the_single_or_the_hanoi_folder(tmp_path, folders, expected):
    for folder in folders:
        (tmp_path / "courses_olx" / folder).mkdir(parents=True)

    assert cli.find_course_dir(None, tmp_path) == tmp_path / "courses_olx" / expected


def test_several_courses_without_the_hanoi_one_is_an_error_listing_them(tmp_path):
    for folder in ("a_course", "b_course"):
        (tmp_path / "courses_olx" / folder).mkdir(parents=True)

    with pytest.raises(cli.UsageError, match=r"several courses \(a_course, b_course\)"):
        cli.find_course_dir(None, tmp_path)


@pytest.fixture(scope="session")
def preview_site(tmp_path_factory):
    """Django set up on a temporary state folder, with the fixture course installed.

    Session-wide because Django can be set up only once per process.
    """
    from dps_xblocks.preview.environment import configure

    configure(tmp_path_factory.mktemp("preview-state"))

    from dps_xblocks.preview import site

    return site.install(read_course(FIXTURE))


@pytest.fixture
def client(preview_site):
    """A test client that sends the Host the preview allows and checks CSRF like a browser."""
    from django.test import Client

    return Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1:8000")


def thumbs_state(student_id: str):
    """The thumbs block as a fresh runtime for `student_id` reads it from the database."""
    from workbench.runtime import WorkbenchRuntime

    return WorkbenchRuntime(student_id).get_block(THUMBS_USAGE_ID)


def post_vote(client, query: str, vote: str):
    """POST a thumbs vote to the practice unit's block, with the page's CSRF token."""
    return client.post(
        f"/handler/{THUMBS_USAGE_ID}/vote/{query}",
        data=json.dumps({"voteType": vote}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )


def test_block_usage_id_is_derived_from_its_url_name(preview_site):
    assert preview_site.usage_ids == {"thumbs_practice": THUMBS_USAGE_ID}


def test_loading_the_course_again_keeps_the_same_usage_ids(preview_site):
    from dps_xblocks.preview.blocks import load_blocks

    assert load_blocks(read_course(FIXTURE)) == preview_site.usage_ids


def test_outline_lists_every_unit_in_order(client):
    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert "Bản xem trước cục bộ" in page
    assert page.count("<h1>") == 1 and f"<h1>{COURSE_NAME}</h1>" in page
    assert re.findall(r'href="/unit/([^/]+)/"', page) == [
        "unit_welcome", "unit_practice", "unit_inline",
    ]


def test_unit_page_renders_the_block_with_the_workbench_runtime(client):
    response = client.get("/unit/unit_practice/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"data-usage='{THUMBS_USAGE_ID}'" in page
    assert "data-init='ThumbsBlock'" in page
    assert 'var studentId = "learner";' in page
    assert 'var handlerBaseUrl = "/handler/";' in page
    assert page.count("/assets/workbench/js/vendor/jquery.min.js") == 1
    assert page.count("/assets/workbench/js/runtime/1.js") == 1
    assert "csrftoken" in response.cookies


def test_unit_page_shows_platform_only_blocks_as_placeholders(client):
    page = client.get("/unit/unit_practice/").content.decode()

    assert "Câu hỏi tự kiểm tra này chỉ làm được trên hệ thống học trực tuyến" in page
    assert "<code>problem</code>" not in page  # no technical block name for residents
    assert "Câu hỏi kiểm tra" in page


def test_unit_page_shows_html_with_its_image_and_links_to_neighbours(client):
    page = client.get("/unit/unit_welcome/").content.decode()

    assert '<img src="/static/cac_buoc.svg"' in page
    assert 'aria-label="Vị trí trong khoá học"' in page
    assert 'href="/">' in page and "Về mục lục khoá học" in page
    assert re.search(
        r'<a rel="next" href="/unit/unit_practice/">Bài tiếp theo: Thực hành bình chọn', page
    )


def test_chosen_student_is_kept_in_the_page_and_links(client):
    page = client.get("/unit/unit_welcome/?student=ward_07").content.decode()

    assert 'var studentId = "ward_07";' in page
    assert 'href="/unit/unit_practice/?student=ward_07"' in page


def test_invalid_student_id_is_refused(client):
    response = client.get("/unit/unit_welcome/", {"student": "<script>"})

    assert response.status_code == 400
    assert "Mã người học" in response.content.decode()


def test_student_id_with_a_trailing_newline_is_refused_on_pages(client):
    response = client.get("/unit/unit_welcome/?student=dave%0A")

    assert response.status_code == 400
    assert "Mã người học" in response.content.decode()
    assert 'var studentId = "dave' not in response.content.decode()


def test_student_id_with_a_trailing_newline_is_refused_by_handlers(client):
    client.get("/unit/unit_practice/")

    response = post_vote(client, "?student=dave%0A", "up")

    assert response.status_code == 400
    assert "student must be" in response.json()["error"]
    assert thumbs_state("dave\n").voted is False


def test_course_static_serves_the_svg_as_an_image(client):
    response = client.get("/static/cac_buoc.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"".join(response.streaming_content).startswith(b"<svg")
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.fixture
def served_copy(preview_site, tmp_path, monkeypatch):
    """A writable copy of the fixture course served in place of the fixture, same usage ids."""
    from dps_xblocks.preview import site

    course = copy_fixture(tmp_path)
    served = site.PreviewSite(read_course(course), preview_site.usage_ids)
    monkeypatch.setattr(site, "_current", served)
    return course


@pytest.mark.parametrize(
    "make_target",
    [
        lambda course, outside: outside / "secret.svg",
        lambda course, outside: course / "course.xml",
    ],
    ids=["outside-the-course", "outside-static"],
)
def test_course_static_does_not_follow_links_out_of_static(
    client, served_copy, tmp_path, make_target
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.svg").write_text("<svg>MẬT-KHẨU-42</svg>", encoding="utf-8")
    (served_copy / "static" / "leak.svg").symlink_to(make_target(served_copy, outside))

    response = client.get("/static/leak.svg")

    assert response.status_code == 404
    assert "MẬT-KHẨU-42".encode() not in response.content
    assert b"PREVIEW101" not in response.content


def test_course_static_does_not_serve_through_a_static_folder_linked_out(
    client, served_copy, tmp_path
):
    outside = tmp_path / "outside"
    (served_copy / "static").rename(outside)
    (served_copy / "static").symlink_to(outside)

    response = client.get("/static/cac_buoc.svg")

    assert response.status_code == 404


def test_course_static_follows_a_link_that_stays_in_static(client, served_copy):
    (served_copy / "static" / "alias.svg").symlink_to(served_copy / "static" / "cac_buoc.svg")

    response = client.get("/static/alias.svg")

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"<svg")
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../course.xml", "/static/%2e%2e/course.xml", "/static//etc/passwd",
        "/static/a%00.svg",
    ],
)
def test_course_static_does_not_serve_files_outside_static(client, path):
    response = client.get(path)

    assert response.status_code in (400, 404)
    assert b"PREVIEW101" not in response.content


def test_workbench_scripts_are_served_locally(client):
    response = client.get("/assets/workbench/js/runtime/1.js")

    assert response.status_code == 200
    assert b"RuntimeProvider" in b"".join(response.streaming_content)


def test_handler_post_changes_state_that_a_fresh_runtime_reads_back(client):
    upvotes_before = thumbs_state("handler_test").upvotes
    client.get("/unit/unit_practice/?student=handler_test")

    response = post_vote(client, "?student=handler_test", "up")

    assert response.status_code == 200
    assert response.json() == {"up": upvotes_before + 1, "down": 0}
    stored = thumbs_state("handler_test")
    assert stored.voted is True
    assert stored.upvotes == upvotes_before + 1
    assert thumbs_state("someone_else").voted is False


def test_handler_without_student_acts_for_the_default_learner(client):
    client.get("/unit/unit_practice/")

    response = post_vote(client, "", "down")

    assert response.status_code == 200
    assert thumbs_state("learner").voted is True


def test_handler_post_without_csrf_token_is_refused_and_changes_nothing(client):
    upvotes_before = thumbs_state("no_token").upvotes

    response = client.post(
        f"/handler/{THUMBS_USAGE_ID}/vote/?student=no_token",
        data=json.dumps({"voteType": "up"}),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]
    assert thumbs_state("no_token").upvotes == upvotes_before
    assert thumbs_state("no_token").voted is False


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/handler/nobody.thumbs.d0.u0/vote/", "no block 'nobody.thumbs.d0.u0'"),
        (f"/handler/{THUMBS_USAGE_ID}/student_view/", "has no handler 'student_view'"),
    ],
)
def test_handler_for_unknown_block_or_handler_answers_json_404(client, path, expected):
    client.get("/unit/unit_practice/")

    response = client.post(
        path, data="{}", content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 404
    assert expected in response.json()["error"]


@pytest.fixture
def studio_editable_thumbs(monkeypatch):
    """The thumbs block with Studio's editor handler, as the practice block has, on `upvotes`.

    `upvotes` is shared by all learners (user_state_summary), so a save through the handler
    would show to everyone, as a rewritten practice would.
    """
    from sample_xblocks.thumbs import ThumbsBlock
    from xblock.utils.studio_editable import StudioEditableXBlockMixin

    for name in ("submit_studio_edits", "clean_studio_edits", "validate_field_data"):
        monkeypatch.setattr(
            ThumbsBlock, name, getattr(StudioEditableXBlockMixin, name), raising=False
        )
    monkeypatch.setattr(ThumbsBlock, "editable_fields", ("upvotes",), raising=False)


@pytest.mark.parametrize("route", ["handler", "unauth_handler"])
def test_studio_edit_handler_is_refused_and_changes_nothing(
    client, studio_editable_thumbs, route
):
    upvotes_before = thumbs_state("someone_else").upvotes
    client.get("/unit/unit_practice/?student=mallory")

    response = client.post(
        f"/{route}/{THUMBS_USAGE_ID}/submit_studio_edits/?student=mallory",
        data=json.dumps({"values": {"upvotes": 9999}, "defaults": []}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 403
    assert "Bản xem trước" in response.json()["error"]
    assert thumbs_state("someone_else").upvotes == upvotes_before


@pytest.mark.parametrize(
    "handler_name",
    ["submit_studio_edits", "studio_submit", "update_editor_context", "studio_save_scenario"],
)
def test_studio_handlers_are_refused_in_vietnamese_naming_the_handler(client, handler_name):
    client.get("/unit/unit_practice/")

    response = client.post(
        f"/handler/{THUMBS_USAGE_ID}/{handler_name}/",
        data="{}", content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": f"Bản xem trước chỉ dành cho người học: không được gọi {handler_name!r}, một "
        "thao tác soạn bài của Studio. Muốn sửa bài tập, hãy sửa tệp OLX của khoá học rồi "
        "khởi động lại bản xem trước."
    }


def test_unauthenticated_handler_route_is_refused_and_changes_nothing(client):
    upvotes_before = thumbs_state("none").upvotes
    client.get("/unit/unit_practice/")

    response = client.post(
        f"/unauth_handler/{THUMBS_USAGE_ID}/vote/",
        data=json.dumps({"voteType": "up"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 403
    assert "/unauth_handler/" in response.json()["error"]
    assert "Bản xem trước" in response.json()["error"]
    assert thumbs_state("none").upvotes == upvotes_before
    assert thumbs_state("none").voted is False


def test_unknown_unit_is_a_404_page_in_vietnamese(client):
    response = client.get("/unit/khong_co/")

    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="vi">' in page
    assert "<h1>Không tìm thấy trang</h1>" in page
    assert 'href="/"' in page


def test_i18n_service_uses_the_bundled_catalogue_then_django(preview_site, monkeypatch):
    import gettext

    from dps_xblocks.preview import i18n

    class BundledCatalogue(gettext.NullTranslations):
        def gettext(self, message):
            return "Địa chỉ" if message == "Address" else super().gettext(message)

    monkeypatch.setattr(i18n, "load_catalogue", lambda language: BundledCatalogue())
    i18n._translations_for.cache_clear()
    try:
        service = i18n.PackageCatalogueI18nService()
        translated = [service.gettext("Address"), service.ugettext("This field is required.")]
        untranslated = service.gettext("A msgid nobody translates")
    finally:
        i18n._translations_for.cache_clear()

    assert translated == ["Địa chỉ", "Trường này là bắt buộc."]
    assert untranslated == "A msgid nobody translates"


def test_block_that_fails_to_render_becomes_a_notice_on_a_working_page(client, monkeypatch):
    from sample_xblocks.thumbs import ThumbsBlock

    def broken_view(self, context=None):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(ThumbsBlock, "student_view", broken_view)

    response = client.get("/unit/unit_practice/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Không hiển thị được khối này" in page
    assert "Câu hỏi tự kiểm tra này chỉ làm được trên hệ thống học trực tuyến" in page


def test_server_handles_one_request_at_a_time():
    server = cli.bind_server(0)
    try:
        assert not isinstance(server, socketserver.ThreadingMixIn)
    finally:
        server.server_close()


def start_preview(*args: str, cwd: Path = PROJECT_ROOT) -> tuple[subprocess.Popen, str, str]:
    """Start the command on a free port; return the process, its first line and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dps_xblocks.preview", "--port", "0", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
    line = process.stdout.readline().rstrip("\n") if ready else ""
    match = READY_LINE.fullmatch(line)
    if match is None:
        process.kill()
        _, stderr = process.communicate(timeout=10)
        pytest.fail(f"preview did not start: stdout {line!r}, stderr {stderr!r}")
    return process, line, match["url"]


def stop_preview(process: subprocess.Popen) -> tuple[int, str, str]:
    """Press Ctrl-C on the command; return its exit code and remaining output."""
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=15)
    return process.returncode, stdout, stderr


def browser_session() -> urllib.request.OpenerDirector:
    """A urllib opener that keeps cookies, as a browser would for the CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.jar = jar
    return opener


def vote_up(opener, base_url: str) -> dict:
    """Open the practice unit, then vote through the handler URL with the page's CSRF token."""
    opener.open(f"{base_url}unit/unit_practice/").read()
    token = next(cookie.value for cookie in opener.jar if cookie.name == "csrftoken")
    request = urllib.request.Request(
        f"{base_url}handler/{THUMBS_USAGE_ID}/vote/?student=learner",
        data=json.dumps({"voteType": "up"}).encode(),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
        method="POST",
    )
    return json.loads(opener.open(request).read())


def test_command_serves_stops_cleanly_and_keeps_state_across_restarts(tmp_path):
    state_dir = tmp_path / "state"
    args = ("--course", str(FIXTURE), "--state-dir", str(state_dir))

    process, line, url = start_preview(*args)
    try:
        outline = urllib.request.urlopen(url).read().decode()
        votes = vote_up(browser_session(), url)
    finally:
        code, stdout, stderr = stop_preview(process)

    assert line == f'Preview of "{COURSE_NAME}": {url}'
    assert "/unit/unit_practice/" in outline
    assert votes == {"up": 1, "down": 0}
    assert code == 0
    assert stdout.strip() == "Preview stopped."
    assert stderr == ""
    assert (state_dir / "preview.sqlite3").is_file()
    assert (state_dir / "preview.log").is_file()

    process, _, url = start_preview(*args)
    try:
        page = urllib.request.urlopen(f"{url}unit/unit_practice/").read().decode()
    finally:
        code, _, stderr = stop_preview(process)

    assert "<span class='count'>1</span>&uarr;" in page
    assert code == 0
    assert "Traceback" not in stderr


def test_command_stops_cleanly_on_sigterm(tmp_path):
    process, _, _ = start_preview("--course", str(FIXTURE), "--state-dir", str(tmp_path))

    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=15)

    assert process.returncode == 0
    assert stdout.strip() == "Preview stopped."
    assert stderr == ""


@pytest.fixture
def busy_port():
    """A port on 127.0.0.1 that something else is listening on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize(
    ("make_args", "expected"),
    [
        (lambda tmp, port: ["--course", str(tmp / "nowhere")], "nowhere: no such folder"),
        (lambda tmp, port: ["--course", str(tmp)], "course.xml: file is missing"),
        (lambda tmp, port: ["--course", str(FIXTURE), "--port", "abc"], "'abc' is not a number"),
        (lambda tmp, port: ["--course", str(FIXTURE), "--port", "70000"], "70000 is out of range"),
        (lambda tmp, port: ["--course", str(FIXTURE), "--port", str(port)], "already in use"),
        (lambda tmp, port: ["--nonsense"], "unrecognized arguments: --nonsense"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_code_2(
    tmp_path, capsys, busy_port, make_args, expected
):
    code = cli.main(make_args(tmp_path, busy_port))

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("dps-preview: error: ")
    assert expected in captured.err


def test_course_that_does_not_parse_is_named_with_exit_code_2(tmp_path, capsys):
    course = copy_fixture(tmp_path)
    (course / "course" / "2025.xml").write_text("<course display_name='x'>", encoding="utf-8")

    code = cli.main(["--course", str(course), "--state-dir", str(tmp_path / "state")])

    captured = capsys.readouterr()
    assert code == 2
    assert f"{course / 'course' / '2025.xml'}:1: not well-formed XML" in captured.err
    assert not (tmp_path / "state").exists()


def test_block_the_runtime_cannot_parse_is_named_with_exit_code_2(tmp_path):
    course = copy_fixture(tmp_path)
    vertical = course / "vertical" / "unit_practice.xml"
    vertical.write_text(
        '<vertical display_name="x">\n  <thumbs url_name="thumbs_practice" upvotes="nhiều"/>\n'
        "</vertical>\n",
        encoding="utf-8",
    )

    result = subprocess.run(
        [sys.executable, "-m", "dps_xblocks.preview", "--course", str(course), "--port", "0",
         "--state-dir", str(tmp_path / "state")],
        capture_output=True, text=True, timeout=START_TIMEOUT,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"dps-preview: error: {vertical}:2: <thumbs> 'thumbs_practice' does not load in the "
        "XBlock runtime: invalid literal for int() with base 10: 'nhiều'\n"
    )


def real_course_dir() -> Path | None:
    """The project's own course, when `courses_olx/` holds one."""
    try:
        return cli.find_course_dir(None, PROJECT_ROOT)
    except cli.UsageError:
        return None


@pytest.mark.skipif(real_course_dir() is None, reason="courses_olx/ holds no course yet")
def test_project_course_serves_its_outline_and_every_unit(tmp_path):
    process, _, url = start_preview("--state-dir", str(tmp_path))
    try:
        outline = urllib.request.urlopen(url).read().decode()
        unit_paths = re.findall(r'href="(/unit/[^"/]+/)"', outline)
        statuses = {}
        for path in unit_paths:
            try:
                statuses[path] = urllib.request.urlopen(f"{url}{path[1:]}").status
            except urllib.error.HTTPError as error:
                statuses[path] = error.code
    finally:
        code, _, stderr = stop_preview(process)

    assert unit_paths
    assert statuses == {path: 200 for path in unit_paths}
    assert code == 0
    assert "Traceback" not in stderr

