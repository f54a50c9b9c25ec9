"""`dps-olx build`: the city-wide packages, their manifest, import scripts and bad input.

The 126-unit build runs once per module (fixture `city`); the tests read its output. Each
package is checked with the project's validator, `dps_xblocks.olx.validation`; a test replaces
it where it needs a package to fail.
"""

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zlib
from collections import OrderedDict
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree

from dps_xblocks.olx import citywide, citywide_archive, citywide_staging
from dps_xblocks.olx.citywide_archive import DEFAULT_MTIME, pack_course
from dps_xblocks.olx.citywide_course import (
    CourseFile,
    CourseTarget,
    package_files,
    read_source_course,
)
from dps_xblocks.olx.citywide_output import spreadsheet_safe
from dps_xblocks.olx.citywide_progress import Progress
from dps_xblocks.olx.citywide_signals import STOP_SIGNALS
from dps_xblocks.olx.citywide_units import Unit, ascii_slug
from dps_xblocks.olx.validation import validate_course, validate_files

PROJECT = Path(__file__).resolve().parent.parent
SOURCE = PROJECT / "courses_olx" / "dps_hanoi_vi"
UNITS = PROJECT / "data" / "hanoi_units_2025.csv"
UNIT_COUNT = 126
CHANGED_FILES = {"course.xml", "about/overview.html"}
HEADER = "code,name_vi,type\n"


def build(*argv, validate=None):
    """Run `dps-olx build` with `argv`; (exit code, stdout, stderr)."""
    parser = argparse.ArgumentParser()
    citywide.add_arguments(parser)
    args = parser.parse_args(["--source", str(SOURCE), "--units-file", str(UNITS), *argv])
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = citywide.run(args, validate=validate)
    return code, out.getvalue(), err.getvalue()


def members(package: Path) -> list[tarfile.TarInfo]:
    """The entries of a package, in archive order."""
    with tarfile.open(package, "r:gz") as tar:
        return tar.getmembers()


def read_member(package: Path, name: str) -> bytes:
    """One file of a package."""
    with tarfile.open(package, "r:gz") as tar:
        return tar.extractfile(name).read()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, for before/after comparisons."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def manifest_rows(output: Path) -> list[dict]:
    """The rows of manifest.csv."""
    with open(output / "manifest.csv", newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The full 126-unit build, once per module."""
    output = tmp_path_factory.mktemp("city") / "citywide"
    code, out, err = build("--output", str(output))
    assert code == 0, err
    return SimpleNamespace(output=output, stdout=out, stderr=err, rows=manifest_rows(output))


@pytest.fixture(scope="module")
def units_by_code():
    """The units file as code -> (name_vi, type)."""
    with open(UNITS, newline="", encoding="utf-8") as stream:
        return {row["code"]: (row["name_vi"], row["type"]) for row in csv.DictReader(stream)}


def test_builds_one_package_per_unit_with_unique_keys_and_file_names(city, units_by_code):
    keys = [row["course_key"] for row in city.rows]
    files = [row["file"] for row in city.rows]

    assert [row["code"] for row in city.rows] == list(units_by_code)
    assert len(set(keys)) == len(set(files)) == UNIT_COUNT
    assert sorted(path.name for path in (city.output / "packages").iterdir()) == sorted(
        Path(name).name for name in files)
    assert f"{UNIT_COUNT} package(s)" in city.stdout
    assert city.rows[0]["course_key"] == "course-v1:HanoiDPS+DVC101+2026-phuong-ba-dinh"
    assert city.rows[0]["file"] == "packages/2026-phuong-ba-dinh.tar.gz"


def test_every_package_starts_with_a_course_xml_naming_its_key(city):
    for row in city.rows:
        package = city.output / row["file"]
        first = members(package)[0]
        pointer = etree.fromstring(read_member(package, first.name))
        org, number, run = row["course_key"].removeprefix("course-v1:").split("+")

        assert first.name == "course/course.xml"
        assert (pointer.tag, pointer.get("url_name")) == ("course", run)
        assert (pointer.get("org"), pointer.get("course")) == (org, number) == ("HanoiDPS",
                                                                                "DVC101")


def test_package_renames_the_run_and_names_the_unit(city):
    package = city.output / "packages" / "2026-xa-da-phuc.tar.gz"
    names = {member.name for member in members(package)}
    run_file = etree.fromstring(read_member(package, "course/course/2026-xa-da-phuc.xml"))
    policy = json.loads(read_member(package, "course/policies/2026-xa-da-phuc/policy.json"))

    assert "course/course/2026.xml" not in names
    assert "course/policies/2026-xa-da-phuc/grading_policy.json" in names
    assert run_file.get("display_name") == "Tự tin dùng dịch vụ công trực tuyến — Xã Đa Phúc"
    assert list(policy) == ["course/2026-xa-da-phuc"]
    assert policy["course/2026-xa-da-phuc"]["display_name"] == run_file.get("display_name")
    assert policy["course/2026-xa-da-phuc"]["advanced_modules"] == ["dps_practice"]


def test_files_the_build_does_not_change_are_copied_byte_for_byte(city):
    package = city.output / "packages" / "2026-phuong-ba-dinh.tar.gz"
    with tarfile.open(package, "r:gz") as tar:
        packed = {member.name.removeprefix("course/"): tar.extractfile(member).read()
                  for member in tar.getmembers() if member.isfile()}
    source = snapshot(SOURCE)
    renamed = ("course/", "policies/2026/")
    unchanged = {path for path in source
                 if path not in CHANGED_FILES and not path.startswith(renamed)}

    assert unchanged and all(packed[path] == source[path] for path in unchanged)
    assert packed["policies/2026-phuong-ba-dinh/grading_policy.json"] == source[
        "policies/2026/grading_policy.json"]
    assert packed["about/overview.html"].endswith(source["about/overview.html"])


def test_unpacked_packages_pass_the_validator(city, tmp_path):
    for row in city.rows[:2] + city.rows[-1:]:
        folder = tmp_path / row["code"]
        with tarfile.open(city.output / row["file"], "r:gz") as tar:
            tar.extractall(folder, filter="data")

        findings = validate_course(folder / "course")

        assert [f for f in findings if f.severity == "error"] == [], row["code"]


def test_manifest_sizes_and_hashes_match_the_files(city):
    document = json.loads((city.output / "manifest.json").read_text("utf-8"))

    assert document["layout"] == "per-unit"
    assert len(document["packages"]) == UNIT_COUNT
    for row, entry in zip(city.rows, document["packages"], strict=True):
        data = (city.output / row["file"]).read_bytes()
        assert int(row["size_bytes"]) == entry["size_bytes"] == len(data)
        assert row["sha256"] == entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert {key: str(value) for key, value in entry.items()} == row


def test_archive_entries_have_fixed_metadata(city):
    package = city.output / "packages" / "2026-phuong-ba-dinh.tar.gz"
    entries = members(package)
    header = package.read_bytes()[:10]

    in_order = sorted(entries[1:], key=lambda e: e.name + "/" if e.isdir() else e.name)
    assert [entry.name for entry in entries[1:]] == [entry.name for entry in in_order]
    assert {(e.mtime, e.uid, e.gid, e.uname, e.gname) for e in entries} == {
        (DEFAULT_MTIME, 0, 0, "", "")}
    assert {e.mode for e in entries if e.isfile()} == {0o644}
    assert {e.mode for e in entries if e.isdir()} == {0o755}
    assert header[:3] == b"\x1f\x8b\x08"
    assert header[3] & 0x08 == 0, "the gzip header must not carry a file name"
    assert header[4:8] == b"\0\0\0\0", "the gzip header time must be 0"


def test_a_package_is_one_gzip_member_that_gzip_and_tar_read(city):
    data = (city.output / "packages" / "2026-phuong-ba-dinh.tar.gz").read_bytes()
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)

    stream.decompress(data)

    assert stream.eof and stream.unused_data == b""
    for command in (["gzip", "--test"], ["tar", "--list", "--gzip", "--file", "-"]):
        done = subprocess.run(command, input=data, capture_output=True, check=False)
        assert done.returncode == 0, (command, done.stderr)
    listed = subprocess.run(["tar", "-tzf", "-"], input=data, capture_output=True,
                            check=True).stdout.decode().splitlines()
    assert listed[0] == "course/course.xml" and len(listed) == len(members_of(data))


def members_of(data: bytes) -> list[tarfile.TarInfo]:
    """The entries of a package given as bytes."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return tar.getmembers()


def test_the_tar_inside_is_what_pythons_tarfile_writes(city):
    data = (city.output / "packages" / "2026-xa-da-phuc.tar.gz").read_bytes()
    written = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as source, \
            tarfile.open(fileobj=written, mode="w", format=tarfile.PAX_FORMAT) as copy:
        for entry in source.getmembers():
            copy.addfile(entry, source.extractfile(entry) if entry.isfile() else None)

    assert gzip.decompress(data) == written.getvalue()


def test_compressed_parts_kept_from_earlier_packages_change_no_byte(monkeypatch):
    source = read_source_course(SOURCE)
    targets = [CourseTarget("HanoiDPS", "DVC101", f"2026-{name}", f"Khoá học {name}",
                            f"<p>{name}</p>") for name in ("a", "b")]
    files = [package_files(source, target) for target in targets]
    warm = [pack_course("course", each, DEFAULT_MTIME).data for each in files]

    for each, expected in zip(files, warm, strict=True):
        monkeypatch.setattr(citywide_archive, "_segments", OrderedDict())
        assert pack_course("course", each, DEFAULT_MTIME).data == expected
    assert gzip.decompress(warm[0]) != gzip.decompress(warm[1])


@pytest.mark.parametrize("mtime", [1767225600.0, "1767225600", None])
def test_an_entry_time_that_is_not_whole_seconds_is_refused(mtime):
    with pytest.raises(TypeError, match="mtime must be whole seconds"):
        pack_course("course", [CourseFile("course.xml", b"<course/>")], mtime)


def test_a_path_that_is_also_a_folder_is_never_packed():
    files = [CourseFile("course.xml", b"<course/>"), CourseFile("static/a.svg", b"<svg/>"),
             CourseFile("static/a.svg/b.png", b"png")]

    with pytest.raises(ValueError, match=r"course/static/a\.svg would be both a file and a"):
        pack_course("course", files, DEFAULT_MTIME)


def test_two_builds_are_byte_identical(city, tmp_path):
    code, _, err = build("--output", str(tmp_path / "again"))

    assert code == 0, err
    assert snapshot(tmp_path / "again") == snapshot(city.output)


def test_a_package_does_not_depend_on_workers_or_on_the_other_units(city, tmp_path):
    code, _, err = build("--units", "10489,00004", "--jobs", "1", "--output", str(tmp_path))

    assert code == 0, err
    for name in ("2026-phuong-ba-dinh.tar.gz", "2026-xa-huong-son.tar.gz"):
        assert (tmp_path / "packages" / name).read_bytes() == (
            city.output / "packages" / name).read_bytes()


def test_source_date_epoch_sets_the_entry_time(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    code, _, err = build("--units", "00004", "--output", str(tmp_path / "out"))

    assert code == 0, err
    package = tmp_path / "out" / "packages" / "2026-phuong-ba-dinh.tar.gz"
    assert {entry.mtime for entry in members(package)} == {1767312000}


def test_unit_without_support_point_is_sent_to_its_peoples_committee(city):
    overview = read_member(city.output / "packages" / "2026-phuong-giang-vo.tar.gz",
                           "course/about/overview.html").decode("utf-8")

    assert "<h2>Phường Giảng Võ</h2>" in overview
    assert "Hãy hỏi tại Ủy ban nhân dân phường Giảng Võ" in overview
    assert "<dl>" not in overview


def test_support_point_details_appear_escaped(tmp_path):
    points = tmp_path / "support.csv"
    points.write_text(
        "code,address,phone,opening_hours,contact_role\n"
        '00004,"Số 1 <b>Đội Cấn</b> & ""nhà văn hóa""",024 3823 0000,"Thứ Hai–Thứ Sáu, 8:00–11:00",'
        "Công chức văn hóa - xã hội\n"
        "00008,,024 3999 0000,,\n",
        encoding="utf-8",
    )
    code, _, err = build("--units", "00004,00008,00025", "--support-points", str(points),
                         "--output", str(tmp_path / "out"))
    packages = tmp_path / "out" / "packages"
    full = read_member(packages / "2026-phuong-ba-dinh.tar.gz", "course/about/overview.html")
    partial = read_member(packages / "2026-phuong-ngoc-ha.tar.gz", "course/about/overview.html")
    full, partial = full.decode("utf-8"), partial.decode("utf-8")

    assert code == 0, err
    assert "<dd>Số 1 &lt;b&gt;Đội Cấn&lt;/b&gt; &amp; &quot;nhà văn hóa&quot;</dd>" in full
    assert "<b>" not in full
    assert "<dd>Thứ Hai–Thứ Sáu, 8:00–11:00</dd>" in full
    assert "Ủy ban nhân dân" not in full.split("</section>")[0]
    assert "<dd>024 3999 0000</dd>" in partial
    assert "Địa chỉ" not in partial
    assert "hãy hỏi tại Ủy ban nhân dân phường Ngọc Hà" in partial
    etree.fromstring(f"<div>{full}</div>")  # the page stays a well-formed fragment


def test_start_and_end_options_set_both_places(tmp_path):
    code, _, err = build("--units", "00004", "--start", "2026-09-01", "--end",
                         "2027-06-30T17:00:00+07:00", "--output", str(tmp_path / "out"))
    package = tmp_path / "out" / "packages" / "2026-phuong-ba-dinh.tar.gz"
    run_file = etree.fromstring(read_member(package, "course/course/2026-phuong-ba-dinh.xml"))
    policy = json.loads(read_member(package, "course/policies/2026-phuong-ba-dinh/policy.json"))

    assert code == 0, err
    assert (run_file.get("start"), run_file.get("end")) == (
        "2026-09-01T00:00:00Z", "2027-06-30T10:00:00Z")
    settings = policy["course/2026-phuong-ba-dinh"]
    assert (settings["start"], settings["end"]) == ("2026-09-01T00:00:00Z", "2027-06-30T10:00:00Z")


def test_org_number_and_run_prefix_options_make_the_key(tmp_path):
    code, _, err = build("--units", "00004", "--org", "HaNoi", "--number", "DVC2",
                         "--run-prefix", "2027_", "--output", str(tmp_path / "out"))

    assert code == 0, err
    assert manifest_rows(tmp_path / "out")[0]["course_key"] == (
        "course-v1:HaNoi+DVC2+2027_phuong-ba-dinh")


def test_cohort_layout_builds_one_shared_run_with_a_cohort_per_unit(tmp_path, units_by_code):
    output = tmp_path / "cohorts"
    code, _, err = build("--layout", "cohorts", "--output", str(output))
    rows = manifest_rows(output)
    package = output / rows[0]["file"]
    policy = json.loads(read_member(package, "course/policies/2026-hanoi/policy.json"))
    with open(output / "cohorts.csv", newline="", encoding="utf-8") as stream:
        cohorts = list(csv.DictReader(stream))
    script = (output / "create_cohorts.py").read_text("utf-8")

    assert code == 0, err
    assert [row["course_key"] for row in rows] == ["course-v1:HanoiDPS+DVC101+2026-hanoi"]
    assert policy["course/2026-hanoi"]["cohort_config"] == {"cohorted": True}
    assert [(c["code"], c["cohort"]) for c in cohorts] == [
        (code, name) for code, (name, _) in units_by_code.items()]
    compile(script, "create_cohorts.py", "exec")
    assert script.count("\n    '") == UNIT_COUNT and "'Phường Ba Đình'," in script
    assert "course-v1:HanoiDPS+DVC101+2026-hanoi" in script


def test_units_file_with_bom_and_windows_line_endings_is_accepted(tmp_path):
    units = tmp_path / "units.csv"
    units.write_bytes(b"\xef\xbb\xbf" + (HEADER + "00004,Phường Ba Đình,ward\n"
                      "00376,Xã Sóc Sơn,commune\n").replace("\n", "\r\n").encode("utf-8"))
    code, _, err = build("--units-file", str(units), "--output", str(tmp_path / "out"))

    assert code == 0, err
    assert [(row["code"], row["name_vi"]) for row in manifest_rows(tmp_path / "out")] == [
        ("00004", "Phường Ba Đình"), ("00376", "Xã Sóc Sơn")]


BAD_UNITS = {
    "missing column": (HEADER.replace(",type", "") + "00004,Phường Ba Đình\n",
                       "line 1: missing column 'type'"),
    "duplicate code": (HEADER + "00004,Phường Ba Đình,ward\n00004,Phường Ngọc Hà,ward\n",
                       "line 3: code 00004 is already used on line 2"),
    "empty name": (HEADER + "00004,,ward\n", "line 2: unit 00004 has an empty name_vi"),
    "unknown type": (HEADER + "00004,Phường Ba Đình,district\n",
                     "type 'district'; the type is ward or commune"),
    "same run twice": (HEADER + "00001,Xã Hoà Lạc,commune\n00002,Xã Hòa Lạc,commune\n",
                       "both give the course run 2026-xa-hoa-lac"),
    "short row": (HEADER + "00004,Phường Ba Đình\n", "line 2: 2 fields where the header has 3"),
}


@pytest.mark.parametrize("case", sorted(BAD_UNITS))
def test_bad_units_file_is_refused_and_creates_nothing(case, tmp_path):
    text, expected = BAD_UNITS[case]
    units = tmp_path / "units.csv"
    units.write_text(text, encoding="utf-8")
    output = tmp_path / "out" / "citywide"

    code, out, err = build("--units-file", str(units), "--output", str(output))

    assert (code, out) == (2, "")
    assert expected in err and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()


def test_units_file_not_in_utf8_is_refused_naming_the_line(tmp_path):
    units = tmp_path / "units.csv"
    units.write_bytes((HEADER + "00004,Phuong Ba Dinh,ward\n").encode("ascii")
                      + "00008,Xã Hà Tây,commune\n".encode("latin-1"))

    code, _, err = build("--units-file", str(units), "--output", str(tmp_path / "out"))

    assert code == 2
    assert f"units file {units} line 3: byte 0x" in err and "is not UTF-8" in err
    assert not (tmp_path / "out").exists()


def test_unknown_unit_code_is_refused(tmp_path):
    code, _, err = build("--units", "00004,99999", "--output", str(tmp_path / "out"))

    assert code == 2
    assert "--units: unknown unit code 99999" in err and "00004 for Phường Ba Đình" in err
    assert not (tmp_path / "out").exists()


def test_support_point_for_a_unit_not_in_the_list_is_refused(tmp_path):
    points = tmp_path / "support.csv"
    points.write_text("code,address,phone,opening_hours,contact_role\n99999,Số 1,,,\n",
                      encoding="utf-8")

    code, _, err = build("--support-points", str(points), "--output", str(tmp_path / "out"))

    assert code == 2
    assert "line 2: unit code 99999 is not in the units file" in err
    assert not (tmp_path / "out").exists()


def test_source_folder_without_course_xml_is_refused(tmp_path):
    parser = argparse.ArgumentParser()
    citywide.add_arguments(parser)
    args = parser.parse_args(["--source", str(tmp_path), "--output", str(tmp_path / "out")])
    err = io.StringIO()
    with redirect_stderr(err):
        code = citywide.run(args)

    assert code == 2 and f"source course {tmp_path} has no course.xml" in err.getvalue()
    assert not (tmp_path / "out").exists()


def test_dps_olx_build_runs_from_the_project_folder(tmp_path, monkeypatch, capsys):
    from dps_xblocks.olx import cli

    monkeypatch.chdir(PROJECT)
    code = cli.main(["build", "--units", "00004", "--output", str(tmp_path / "out")])

    assert code == 0, capsys.readouterr().err
    assert manifest_rows(tmp_path / "out")[0]["course_key"] == (
        "course-v1:HanoiDPS+DVC101+2026-phuong-ba-dinh")


def test_support_points_template_has_just_the_header():
    template = PROJECT / "data" / "support_points_template.csv"

    assert template.read_text("utf-8") == "code,address,phone,opening_hours,contact_role\n"


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--start", "01/09/2026", "--start '01/09/2026' is not an ISO date"),
    ("--org", "Hanoi DPS", "--org 'Hanoi DPS' cannot be part of a course key"),
    ("--number", "DVC+101", "--number 'DVC+101' cannot be part of a course key"),
    ("--run-prefix", "2026/", "--run-prefix '2026/' may only hold"),
])
def test_bad_option_values_are_refused(option, value, expected, tmp_path):
    code, _, err = build(option, value, "--output", str(tmp_path / "out"))

    assert code == 2 and expected in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("dates", "expected"), [
    (("--start", "2027-01-01", "--end", "2026-01-01"),
     "would end (2026-01-01T00:00:00Z) before it starts (2027-01-01T00:00:00Z)"),
    (("--start", "2028-01-01"), "would end (2027-12-31T00:00:00Z) before it starts (2028"),
])
def test_a_course_ending_before_it_starts_is_refused(dates, expected, tmp_path):
    code, _, err = build(*dates, "--output", str(tmp_path / "out"))

    assert code == 2 and expected in err
    assert not (tmp_path / "out").exists()


def test_output_inside_the_source_course_is_refused(tmp_path):
    code, _, err = build("--output", str(SOURCE / "out"))

    assert code == 2 and "is inside the source course" in err
    assert not (SOURCE / "out").exists()


def test_source_inside_a_previous_output_is_refused_and_kept(previous):
    source = previous / "mycourse"
    shutil.copytree(SOURCE, source)
    before = snapshot(previous)

    code, out, err = build("--units", "00004", "--source", str(source), "--output",
                           str(previous))

    assert (code, out) == (2, "")
    assert f"--source {source} is inside --output {previous}, which the build replaces" in err
    assert snapshot(previous) == before


def test_output_under_a_regular_file_is_refused(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    code, _, err = build("--units", "00004", "--output", str(blocker / "citywide"))

    assert code == 2 and f"{blocker} is a file" in err
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_output_in_a_read_only_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)

    code, _, err = build("--units", "00004", "--output", str(locked / "citywide"))

    assert code == 2 and f"{locked} is not writable" in err
    assert list(locked.iterdir()) == []


def test_output_folder_with_foreign_files_is_not_replaced(tmp_path):
    output = tmp_path / "mine"
    output.mkdir()
    (output / "notes.txt").write_text("keep me")

    code, _, err = build("--units", "00004", "--output", str(output))

    assert code == 2 and "not a previous build" in err
    assert snapshot(output) == {"notes.txt": b"keep me"}


@pytest.fixture
def previous(tmp_path):
    """A finished two-unit build, to prove that failures leave it as it was."""
    output = tmp_path / "out"
    code, _, err = build("--units", "00004,00008", "--output", str(output))
    assert code == 0, err
    return output


def test_bad_input_leaves_a_previous_output_unchanged(previous, tmp_path):
    before = snapshot(previous)

    code, _, _ = build("--units", "12345", "--output", str(previous))

    assert code == 2
    assert snapshot(previous) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_a_package_failing_validation_stops_the_build_naming_the_unit(previous, tmp_path):
    before = snapshot(previous)

    def refuse_ngoc_ha(contents):
        findings = validate_files(contents)
        if b"ngoc-ha" in contents["course.xml"]:
            findings.append(SimpleNamespace(severity="error", file="course.xml", line=1,
                                            message="invented problem", fix="fix it",
                                            check="test"))
        return findings

    code, _, err = build("--units", "00004,00008,00025", "--output", str(previous),
                         validate=refuse_ngoc_ha)

    assert code == 1
    assert ("unit 00008 Phường Ngọc Hà (course-v1:HanoiDPS+DVC101+2026-phuong-ngoc-ha)" in err
            and "course.xml:1: invented problem (fix it)" in err)
    assert snapshot(previous) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_a_source_course_failing_validation_builds_nothing(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    (source / "html" / "eid_intro.html").write_text("<p>Xem <img src='/static/x.png'></p>",
                                                     encoding="utf-8")

    code, _, err = build("--source", str(source), "--output", str(tmp_path / "out"))

    assert code == 1 and f"the source course {source} does not pass validation" in err
    assert "html/eid_intro.html:1: the image '/static/x.png' has no alt text" in err
    assert not (tmp_path / "out").exists()


def test_a_source_file_named_with_a_backslash_is_packed_as_it_is(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    (source / "notes\\draft.txt").write_text("ghi chú", encoding="utf-8")

    code, _, err = build("--units", "00004", "--source", str(source), "--output",
                         str(tmp_path / "out"))

    assert code == 0, err
    package = tmp_path / "out" / "packages" / "2026-phuong-ba-dinh.tar.gz"
    assert read_member(package, "course/notes\\draft.txt") == "ghi chú".encode()


def test_warnings_do_not_stop_the_build(tmp_path):
    def warn(contents):
        return [SimpleNamespace(severity="warning", file="x.xml", line=1, message="style",
                                fix="", check="test")]

    code, _, err = build("--units", "00004", "--output", str(tmp_path / "out"), validate=warn)

    assert code == 0, err


FORMULAS = ("=cmd|' /C calc'!A0", "+SUM(1+1)", "@HYPERLINK(\"http://x.invalid\")", "-2+3")


def formula_units(tmp_path: Path) -> Path:
    """A units file whose names a spreadsheet would run as formulas."""
    units = tmp_path / "formulas.csv"
    with open(units, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(("code", "name_vi", "type"))
        writer.writerows((f"0000{number}", name, "ward") for number, name in enumerate(FORMULAS))
    return units


def test_csv_cells_a_spreadsheet_would_run_as_formulas_start_with_a_quote(tmp_path):
    code, _, err = build("--units-file", str(formula_units(tmp_path)), "--output",
                         str(tmp_path / "out"))
    document = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))

    assert code == 0, err
    assert [row["name_vi"] for row in manifest_rows(tmp_path / "out")] == [
        f"'{name}" for name in FORMULAS]
    assert [entry["name_vi"] for entry in document["packages"]] == list(FORMULAS)


def test_cohorts_csv_neutralises_formulas_and_the_script_keeps_true_names(tmp_path):
    code, _, err = build("--layout", "cohorts", "--units-file", str(formula_units(tmp_path)),
                         "--output", str(tmp_path / "out"))
    with open(tmp_path / "out" / "cohorts.csv", newline="", encoding="utf-8") as stream:
        cohorts = list(csv.DictReader(stream))
    script = (tmp_path / "out" / "create_cohorts.py").read_text("utf-8")

    assert code == 0, err
    assert [(row["name_vi"], row["cohort"]) for row in cohorts] == [
        (f"'{name}", f"'{name}") for name in FORMULAS]
    assert all(f"    {name!r},\n" in script for name in FORMULAS)


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("Phường Ba Đình", "Phường Ba Đình"),
    ("a=b", "a=b"), (12345, "12345"), ("", ""),
])
def test_spreadsheet_safe_prefixes_only_formula_starts(value, expected):
    assert spreadsheet_safe(value) == expected


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x00", "\ufffe", "\u202e"],
                         ids=["SOH", "ESC", "NUL", "U+FFFE", "RLO"])
def test_a_unit_name_with_a_control_character_is_refused_naming_the_line(character, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text(f"{HEADER}00004,Phường Ba Đình,ward\n00008,Phường{character}Ngọc Hà,ward\n",
                     encoding="utf-8")

    code, out, err = build("--units-file", str(units), "--output", str(tmp_path / "out"))

    assert (code, out) == (2, "")
    assert f"units file {units} line 3: name_vi " in err
    assert f"U+{ord(character):04X}, which a course page cannot show" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_support_point_with_a_control_character_is_refused(tmp_path):
    points = tmp_path / "support.csv"
    points.write_text("code,address,phone,opening_hours,contact_role\n"
                      "00004,Số 1\x07 Đội Cấn,,,\n", encoding="utf-8")

    code, _, err = build("--units", "00004", "--support-points", str(points), "--output",
                         str(tmp_path / "out"))

    assert code == 2
    assert f"support points file {points} line 2: address 'Số 1\\x07 Đội Cấn' holds the " \
           "control character U+0007" in err


def source_copy(tmp_path: Path, display_name) -> Path:
    """A copy of the source course whose policy gives `display_name` (any JSON value)."""
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    policy_file = source / "policies" / "2026" / "policy.json"
    policy = json.loads(policy_file.read_text("utf-8"))
    policy["course/2026"]["display_name"] = display_name
    policy_file.write_text(json.dumps(policy, ensure_ascii=False), encoding="utf-8")
    return source


@pytest.mark.parametrize("layout", ["per-unit", "cohorts"])
@pytest.mark.parametrize(("value", "shown"), [
    (123, "123"), (["x"], '["x"]'), ({"vi": "Tự tin"}, '{"vi": "Tự tin"}'), (True, "true"),
])
def test_a_course_display_name_that_is_not_text_is_refused(tmp_path, layout, value, shown):
    source = source_copy(tmp_path, value)

    code, out, err = build("--units", "00004", "--layout", layout, "--source", str(source),
                           "--output", str(tmp_path / "out"))

    assert (code, out) == (2, "")
    assert (f"{source}/policies/2026/policy.json: display_name of course/2026 is {shown}, not "
            "text; write it as a JSON string") in err
    assert not (tmp_path / "out").exists()


def test_a_course_display_name_with_a_control_character_is_refused(tmp_path):
    source = source_copy(tmp_path, "Tự tin\x1b[2J")

    code, _, err = build("--units", "00004", "--source", str(source), "--output",
                         str(tmp_path / "out"))

    assert code == 2
    assert (f"{source}/policies/2026/policy.json: course/2026: display_name 'Tự tin\\x1b[2J' "
            "holds the control character U+001B") in err


def test_a_source_policy_nested_too_deeply_is_refused_without_a_traceback(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    (source / "policies" / "2026" / "policy.json").write_text("[" * 3000, encoding="utf-8")

    code, _, err = build("--units", "00004", "--source", str(source), "--output",
                         str(tmp_path / "out"))

    assert code == 2
    assert f"source course file {source}/policies/2026/policy.json: nested too deeply" in err
    assert "Traceback" not in err


def test_an_output_whose_manifest_is_nested_too_deeply_is_not_replaced(tmp_path):
    output = tmp_path / "out"
    output.mkdir()
    (output / "manifest.json").write_text("[" * 3000, encoding="utf-8")

    code, _, err = build("--units", "00004", "--output", str(output))

    assert code == 2 and "not a previous build" in err and "Traceback" not in err
    assert snapshot(output) == {"manifest.json": b"[" * 3000}


def test_deeply_nested_assets_json_fails_validation_naming_the_file(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    (source / "policies" / "assets.json").write_text("[" * 3000, encoding="utf-8")

    code, _, err = build("--units", "00004", "--source", str(source), "--output",
                         str(tmp_path / "out"))

    assert code == 1
    assert "policies/assets.json:1: policies/assets.json is nested too deeply" in err
    assert not (tmp_path / "out").exists()


SLOW_BUILD = """import argparse, sys, time
from pathlib import Path
from dps_xblocks.olx import citywide
from dps_xblocks.olx.validation import validate_files

started = Path(sys.argv[1])


def slow_validate(contents):
    started.touch()
    time.sleep(0.2)
    return validate_files(contents)


parser = argparse.ArgumentParser()
citywide.add_arguments(parser)
sys.exit(citywide.run(parser.parse_args(sys.argv[2:]), validate=slow_validate))
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_build_stopped_by_a_signal_leaves_nothing_behind(previous, tmp_path, signum, jobs):
    before = snapshot(previous)
    started = tmp_path / "started"
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(started), "--source", str(SOURCE), "--units-file",
         str(UNITS), "--jobs", jobs, "--output", str(previous)],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not started.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)

    child.send_signal(signum)
    out, err = child.communicate(timeout=60)

    assert child.returncode == 128 + signum, err
    assert err.splitlines()[-1] == (f"dps-olx build: error: interrupted by "
                                    f"{signal.Signals(signum).name}; {previous} was not changed")
    assert "Traceback" not in err and out == ""
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "started"]
    assert snapshot(previous) == before


def test_stop_signal_handlers_are_set_during_a_build_and_restored_after(tmp_path):
    def own_handler(signum, frame):
        """A handler the caller had installed before the build."""

    seen = {}

    def watch(contents):
        seen.update({signum: signal.getsignal(signum) for signum in STOP_SIGNALS})
        return validate_files(contents)

    previous = signal.signal(signal.SIGHUP, own_handler)
    try:
        before = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
        code, _, err = build("--units", "00004", "--jobs", "1", "--output",
                             str(tmp_path / "out"), validate=watch)
        after = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    finally:
        signal.signal(signal.SIGHUP, previous)

    assert code == 0, err
    assert set(seen) == {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    assert all(handler not in (signal.SIG_DFL, signal.default_int_handler, own_handler)
               for handler in seen.values())
    assert after == before and after[signal.SIGHUP] is own_handler


def test_a_signal_while_publishing_cannot_lose_the_previous_output(previous, monkeypatch):
    renames = []
    real_rename = os.rename

    def rename_then_signal(source, target):
        real_rename(source, target)
        renames.append(target)
        if len(renames) == 1:  # the previous output has just been moved aside
            if not callable(signal.getsignal(signal.SIGTERM)):
                pytest.fail("the build runs with the default SIGTERM handler")
            signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(citywide_staging.os, "rename", rename_then_signal)
    code, _, err = build("--units", "00025", "--jobs", "1", "--output", str(previous))

    assert code == 0, err
    assert [row["code"] for row in manifest_rows(previous)] == ["00025"]
    assert sorted(path.name for path in previous.parent.iterdir()) == ["out"]


FAKE_COMMAND = """#!/bin/sh
# Records its arguments and the run of the course it is asked to import.
echo "$*" >> "{log}"
"""


def test_import_script_extracts_and_imports_each_package(previous, tmp_path):
    fake = tmp_path / "fake-cms"
    log = tmp_path / "cms.log"
    fake.write_text(FAKE_COMMAND.format(log=log)
                    + 'grep -o \'url_name="[^"]*"\' "$2/$3/course.xml" >> "' + str(log) + '"\n')
    fake.chmod(0o755)
    env = {**os.environ, "CMS": str(fake), "DPS_IMPORT_DIR": str(tmp_path / "data")}

    done = subprocess.run(["sh", str(previous / "import_all.sh")], env=env,
                          capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == [
        f"import {tmp_path}/data/2026-phuong-ba-dinh course", 'url_name="2026-phuong-ba-dinh"',
        f"import {tmp_path}/data/2026-phuong-ngoc-ha course", 'url_name="2026-phuong-ngoc-ha"',
    ]
    assert "2 package(s) imported" in done.stdout


def test_tutor_import_script_mounts_each_extracted_package(previous, tmp_path):
    fake = tmp_path / "fake-tutor"
    log = tmp_path / "tutor.log"
    fake.write_text(FAKE_COMMAND.format(log=log))
    fake.chmod(0o755)
    env = {**os.environ, "TUTOR": str(fake), "DPS_IMPORT_DIR": str(tmp_path / "data")}

    done = subprocess.run(["sh", str(previous / "import_all_tutor.sh"), "00008"], env=env,
                          capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == [
        f"run -v {tmp_path}/data/2026-phuong-ngoc-ha:/mnt/dps-course cms ./manage.py cms import "
        f"/mnt/dps-course course"
    ]
    assert (tmp_path / "data" / "2026-phuong-ngoc-ha" / "course" / "course.xml").is_file()


def test_import_script_reports_failed_units(previous, tmp_path):
    env = {**os.environ, "CMS": "false", "DPS_IMPORT_DIR": str(tmp_path / "data")}

    done = subprocess.run(["sh", str(previous / "import_all.sh")], env=env,
                          capture_output=True, text=True, check=False)

    assert done.returncode == 1
    assert "import failed for unit(s): 00004 00008" in done.stderr


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self):
        return True


def test_progress_redraws_one_line_on_a_terminal():
    stream = FakeTerminal()
    progress = Progress(4, stream)

    progress.update(1, "Phường Ba Đình")
    progress.update(4, "Xã Hương Sơn")
    progress.finish()

    assert stream.getvalue() == (
        "\r[#####               ] 1/4 Phường Ba Đình\x1b[K"
        "\r[####################] 4/4 Xã Hương Sơn\x1b[K\n"
    )


def test_progress_writes_plain_lines_elsewhere(city):
    lines = city.stderr.splitlines()

    assert len(lines) == UNIT_COUNT
    assert (lines[0], lines[-1]) == ("1/126 Phường Ba Đình", "126/126 Xã Hương Sơn")


@pytest.mark.parametrize(("name", "slug"), [
    ("Phường Ba Đình", "phuong-ba-dinh"),
    ("Phường Văn Miếu - Quốc Tử Giám", "phuong-van-mieu-quoc-tu-giam"),
    ("Phường Ô Chợ Dừa", "phuong-o-cho-dua"),
    ("Xã Đa Phúc", "xa-da-phuc"),
    ("Xã Ứng Hoà", "xa-ung-hoa"),
    ("Xã Ứng Hòa", "xa-ung-hoa"),
])
def test_run_slug_is_ascii_without_diacritics(name, slug):
    assert ascii_slug(name) == slug


def test_committee_is_named_in_running_text():
    ward = Unit("00004", "Phường Ba Đình", "ward", 2)
    commune = Unit("00376", "Xã Sóc Sơn", "commune", 3)

    assert ward.committee == "Ủy ban nhân dân phường Ba Đình"
    assert commune.committee == "Ủy ban nhân dân xã Sóc Sơn"


def test_gzip_stream_decompresses_to_a_tar_with_course_xml_first(city):
    data = gzip.decompress((city.output / city.rows[0]["file"]).read_bytes())

    assert data[:17] == b"course/course.xml"
