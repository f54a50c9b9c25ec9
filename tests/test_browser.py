"""A learner in a real browser: Debian's Chromium, driven by Playwright, against the preview.

The learner uses the keyboard alone — Tab to move, Enter to press, typing into fields — from the
first screen of the e-ID practice to its score; then the page is reloaded and the finished state
is still there. Every screen on the way is audited with axe-core for WCAG A and AA rules.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from walkthrough import correct_walk

from dps_xblocks.engine.parsing import parse_scenario_element

PROJECT = Path(__file__).resolve().parent.parent
COURSE = PROJECT / "courses_olx" / "dps_hanoi_vi"
PRACTICE_UNIT = "eid_practice_unit"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

playwright_api = pytest.importorskip("playwright.sync_api")


def eid_scenario():
    tree = etree.parse(str(COURSE / "vertical" / f"{PRACTICE_UNIT}.xml"))
    return parse_scenario_element(tree.find(".//scenario"))


@pytest.fixture(scope="module", name="preview")
def preview_server(tmp_path_factory):
    """The preview on a free port, as `make preview` starts it; stopped with Ctrl-C."""
    state = tmp_path_factory.mktemp("preview-state")
    process = subprocess.Popen(
        [sys.executable, "-m", "dps_xblocks.preview", "--course", str(COURSE), "--port", "0",
         "--state-dir", str(state)],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not match:
        process.kill()
        pytest.fail(f"the preview did not start: {line}{process.stdout.read()}")
    yield match.group(0)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0


@pytest.fixture(scope="module", name="browser")
def chromium_browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: install the Debian package `chromium` (make system-deps)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def focused(page):
    return page.evaluate("""() => {
        const el = document.activeElement;
        return [el.tagName, el.getAttribute('data-action') || el.getAttribute('name') || '',
                el.className || ''];
    }""")


def tab_to(page, matches, limit=60):
    """Press Tab until the focused element satisfies `matches`; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if matches(*focused(page)):
            return
    pytest.fail(f"Tab never reached the wanted element; last focus {focused(page)}")


LAYOUT_PROBLEMS = """() => {
    const problems = [];
    if (document.documentElement.scrollWidth > window.innerWidth) {
        problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px`);
    }
    for (const el of document.querySelectorAll('.dps-practice button, .dps-practice input, '
                                               + '.dps-practice select')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;  // hidden
        if (box.width < 24 || box.height < 24) {
            problems.push(`${el.tagName} ${el.className} is ${box.width}x${box.height}px`);
        }
    }
    return problems;
}"""


def audit(page, label, violations):
    """axe-core's WCAG A/AA rules, no sideways scrolling, targets of at least 24x24 px."""
    from axe_playwright_python.sync_playwright import Axe

    violations.extend(f"{label}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS))
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    for violation in results.response["violations"]:
        targets = [node["target"] for node in violation["nodes"]]
        violations.append(f"{label}: {violation['id']} {targets}")


def test_a_learner_completes_the_eid_practice_with_the_keyboard_alone(preview, browser):
    page = browser.new_page(viewport={"width": 360, "height": 640})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{preview}unit/{PRACTICE_UNIT}/?student=keyboard-learner")
    violations = []

    for step in correct_walk(eid_scenario()):
        page.wait_for_selector(f'.dps-screen[data-screen="{step.screen}"]')
        audit(page, step.screen, violations)
        if step.action:
            tab_to(page, lambda tag, name, _css, want=step.action: tag == "BUTTON"
                   and name == want)
            page.keyboard.press("Enter")
        else:
            for field_id, value in step.values:
                tab_to(page, lambda tag, name, _css, want=field_id: tag in ("INPUT", "SELECT")
                       and name == want)
                if value and focused(page)[0] == "SELECT":
                    page.keyboard.type(page.eval_on_selector(
                        f'select[name="{field_id}"] option[value="{value}"]',
                        "option => option.textContent")[:6])
                    page.select_option(f'select[name="{field_id}"]', value)
                elif value:
                    page.keyboard.type(value)
            tab_to(page, lambda tag, _name, css: tag == "BUTTON" and "dps-submit" in css)
            page.keyboard.press("Enter")

    page.wait_for_selector('.dps-screen[data-screen="finish"]')
    assert page.evaluate("document.activeElement.classList.contains('dps-screen-title')")
    score = page.locator(".dps-score")
    assert score.is_visible() and score.locator(".dps-score-value").inner_text() == "100"
    audit(page, "finish", violations)

    page.reload()
    assert page.locator('.dps-screen[data-screen="finish"]').count() == 1
    assert page.locator(".dps-score-value").inner_text() == "100"
    assert all(url.startswith(preview) for url in requests), [
        url for url in requests if not url.startswith(preview)]
    assert violations == []
    page.close()


def test_at_200_percent_text_the_practice_still_fits_a_small_phone(preview, browser):
    page = browser.new_page(viewport={"width": 360, "height": 640})
    page.goto(f"{preview}unit/{PRACTICE_UNIT}/?student=large-text-learner")
    page.add_style_tag(content="html { font-size: 200% !important; }")
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    page.close()


def test_a_wrong_answer_is_announced_and_the_learner_stays(preview, browser):
    page = browser.new_page()
    page.goto(f"{preview}unit/{PRACTICE_UNIT}/?student=wrong-learner")
    page.locator('button[data-action="login"]').focus()
    page.keyboard.press("Enter")
    feedback = page.locator(".dps-feedback")
    feedback.filter(has_text="chưa có tài khoản").wait_for()
    assert feedback.get_attribute("role") == "status"
    assert page.locator('.dps-screen[data-screen="start"]').count() == 1
    page.close()
