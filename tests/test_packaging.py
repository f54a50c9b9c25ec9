"""The wheel an administrator installs: it must carry every file the LMS reads at run time."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
RUNTIME_FILES = [
    "dps_xblocks/static/css/practice.css",
    "dps_xblocks/static/js/practice.js",
    "dps_xblocks/engine/schema/scenario.rng",
    "dps_xblocks/scenarios/first_steps.xml",
    "dps_xblocks/translations/vi/LC_MESSAGES/text.mo",
    "dps_xblocks/translations/en/LC_MESSAGES/text.mo",
    "dps_xblocks/preview/templates/dps_preview/unit.html",
    "dps_xblocks/preview/static/dps_preview/preview.css",
]


@pytest.fixture(scope="module", name="wheel")
def built_wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(PROJECT)],
        capture_output=True, text=True)
    assert build.returncode == 0, f"the wheel did not build:\n{build.stdout}{build.stderr}"
    (path,) = out.glob("dps_xblocks-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_carries_static_files_schema_scenarios_and_compiled_catalogues(wheel):
    names = set(wheel.namelist())
    missing = [name for name in RUNTIME_FILES if name not in names]
    assert missing == []


def test_the_wheel_holds_only_the_package_and_no_tests_or_course(wheel):
    top_levels = {name.split("/")[0] for name in wheel.namelist()}
    assert {top for top in top_levels if not top.endswith(".dist-info")} == {"dps_xblocks"}


def test_the_block_type_and_commands_are_registered(wheel):
    (entry_points,) = [name for name in wheel.namelist() if name.endswith("entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[xblock.v1]\ndps_practice = dps_xblocks.practice:PracticeBlock" in text
    assert "dps-olx = dps_xblocks.olx.cli:main" in text
    assert "dps-preview = dps_xblocks.preview.cli:main" in text


def test_the_lms_install_needs_only_xblock_and_lxml(wheel):
    (metadata,) = [name for name in wheel.namelist() if name.endswith("METADATA")]
    requires = [line for line in wheel.read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert sorted(requires) == ["Requires-Dist: XBlock<7,>=5.3", "Requires-Dist: lxml>=5.0"]
