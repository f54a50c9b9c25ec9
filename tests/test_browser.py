"""A learner in a real browser: Debian's Chromium, driven by Playwright, against the preview.

For every practice of the course, the learner uses the keyboard alone — Tab to move, Enter to
press, arrow keys in lists, typing into fields — from the first screen to the score, on a
360-pixel screen; then the page is reloaded and the finished state is still there. Every screen
on the way is audited with axe-core for WCAG A and AA rules, sideways scrolling and target size,
and no request may leave the preview.
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
COURSES = PROJECT / "courses_olx"
COURSE = COURSES / "dps_hanoi_vi"
EDITIONS = ("dps_hanoi_vi", "dps_hanoi_en")
PRACTICE_UNIT = "eid_practice_unit"
EDITION_PRACTICES = [
    (edition, path.stem) for edition in EDITIONS
    for path in sorted((COURSES / edition / "vertical").glob("*_practice_unit.xml"))]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

playwright_api = pytest.importorskip("playwright.sync_api")


def unit_scenario(edition, unit):
    tree = etree.parse(str(COURSES / edition / "vertical" / f"{unit}.xml"))
    return parse_scenario_element(tree.find(".//scenario"))


@pytest.fixture(scope="module", name="previews")
def preview_servers(tmp_path_factory):
    """A preview per course edition, started on first use and stopped with Ctrl-C."""
    servers = {}

    def start(edition):
        if edition not in servers:
            server = start_preview(COURSES / edition, tmp_path_factory)
            servers[edition] = (server, next(server))
        return servers[edition][1]

    yield start
    for server, _address in servers.values():
        next(server, None)


@pytest.fixture(scope="module", name="preview")
def vietnamese_preview(previews):
    return previews("dps_hanoi_vi")


def start_preview(course, tmp_path_factory):
    """The preview of `course` on a free port, as `make preview` starts it; a generator that
    yields its address, then stops it with Ctrl-C and checks it exits cleanly."""
    state = tmp_path_factory.mktemp("preview-state")
    process = subprocess.Popen(
        [sys.executable, "-m", "dps_xblocks.preview", "--course", str(course), "--port", "0",
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


def choose_with_arrows(page, field_id, value):
    """Pick an option of the focused list with the arrow keys, as a keyboard user does."""
    values = page.eval_on_selector_all(f'select[name="{field_id}"] option',
                                       "options => options.map(option => option.value)")
    for _ in range(values.index(value)):
        page.keyboard.press("ArrowDown")
    assert page.eval_on_selector(f'select[name="{field_id}"]', "select => select.value") == value


def take_step(page, step):
    """One screen of the walk, with the keyboard alone."""
    if step.action:
        tab_to(page, lambda tag, name, _css: tag == "BUTTON" and name == step.action)
        page.keyboard.press("Enter")
    elif step.query:
        tab_to(page, lambda tag, name, _css: tag == "INPUT" and name == "query")
        page.keyboard.type(step.query)
        page.keyboard.press("Enter")
        page.wait_for_selector(f'.dps-open[data-procedure="{step.procedure}"]')
        tab_to(page, lambda tag, _name, css: tag == "BUTTON" and "dps-open" in css
               and page.evaluate("document.activeElement.dataset.procedure") == step.procedure)
        page.keyboard.press("Enter")
    else:
        for field_id, value in step.values:
            tab_to(page, lambda tag, name, _css, want=field_id: tag in ("INPUT", "SELECT")
                   and name == want)
            if focused(page)[0] == "SELECT":
                choose_with_arrows(page, field_id, value)
            elif value:
                page.keyboard.type(value)
        tab_to(page, lambda tag, _name, css: tag == "BUTTON" and "dps-submit" in css)
        page.keyboard.press("Enter")


@pytest.mark.parametrize("edition, unit", EDITION_PRACTICES)
def test_a_learner_completes_the_practice_with_the_keyboard_alone(previews, browser, edition,
                                                                   unit):
    preview = previews(edition)
    learner = f"keyboard-{unit}"
    page = browser.new_page(viewport={"width": 360, "height": 640})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{preview}unit/{unit}/?student={learner}")
    scenario = unit_scenario(edition, unit)
    end_screens = [screen.id for screen in scenario.screens if screen.end]
    violations = []

    for step in correct_walk(scenario, learner):
        page.wait_for_selector(f'.dps-screen[data-screen="{step.screen}"]')
        audit(page, step.screen, violations)
        take_step(page, step)

    page.wait_for_selector(f".dps-screen[data-screen='{end_screens[0]}']"
                           if len(end_screens) == 1 else ".dps-score:not([hidden])")
    assert page.evaluate("document.activeElement.classList.contains('dps-screen-title')")
    score = page.locator(".dps-score")
    assert score.is_visible() and score.locator(".dps-score-value").inner_text() == "100"
    audit(page, "end", violations)

    page.reload()
    assert page.locator(".dps-score-value").inner_text() == "100"
    assert page.locator(".dps-screen").get_attribute("data-screen") in end_screens
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


def answer_the_first_screen_wrongly(page, address):
    """Open the e-ID practice at `address` and press a wrong button; return the feedback box
    once it says why."""
    page.goto(address)
    page.locator('button[data-action="login"]').focus()
    page.keyboard.press("Enter")
    feedback = page.locator(".dps-feedback")
    feedback.filter(has_text="chưa có tài khoản").wait_for()
    return feedback


def test_a_wrong_answer_is_announced_and_the_learner_stays(preview, browser):
    page = browser.new_page()
    feedback = answer_the_first_screen_wrongly(
        page, f"{preview}unit/{PRACTICE_UNIT}/?student=wrong-learner")
    assert feedback.get_attribute("role") == "status"
    assert page.locator('.dps-screen[data-screen="start"]').count() == 1
    page.close()


FAKE_SPEECH = """(voices) => {
    window.__spoken = [];
    window.SpeechSynthesisUtterance = function (text) { this.text = text; };
    Object.defineProperty(window, 'speechSynthesis', {value: {
        getVoices: () => voices,
        addEventListener: () => {},
        cancel: () => {},
        speak: (utterance) => window.__spoken.push([utterance.text, utterance.lang]),
    }});
}"""


@pytest.mark.parametrize("voices, offered", [
    ([{"lang": "vi-VN", "name": "Tiếng Việt"}], True),
    ([{"lang": "en-US", "name": "English"}], False),
    ([], False),
])
def test_read_aloud_is_offered_only_with_a_vietnamese_voice(preview, browser, voices, offered):
    page = browser.new_page()
    page.add_init_script(script=f"({FAKE_SPEECH})({voices!r})".replace("True", "true"))
    page.goto(f"{preview}unit/{PRACTICE_UNIT}/?student=reader-{len(voices)}-{offered}")
    page.wait_for_selector(".dps-practice[data-ready='true']")
    reader = page.locator(".dps-read")
    assert reader.is_visible() == offered
    if offered:
        reader.focus()
        page.keyboard.press("Enter")
        spoken = page.evaluate("window.__spoken")
        title = page.locator(".dps-screen-title").inner_text()
        assert len(spoken) == 1 and title in spoken[0][0] and spoken[0][1] == "vi-VN"
    page.close()


def test_in_forced_colours_every_control_keeps_a_visible_border(preview, browser):
    page = browser.new_page()
    page.emulate_media(forced_colors="active")
    page.goto(f"{preview}unit/{PRACTICE_UNIT}/?student=contrast-learner")
    borders = page.eval_on_selector_all(
        ".dps-practice button:not([hidden]), .dps-marker-badge",
        "els => els.map(el => getComputedStyle(el).borderTopStyle + ' '"
        " + getComputedStyle(el).borderTopWidth)")
    assert borders and all(not border.startswith("none") and not border.endswith(" 0px")
                           for border in borders), borders
    page.close()


def test_reduced_motion_removes_the_screen_transition(preview, browser):
    page = browser.new_page()
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{preview}unit/{PRACTICE_UNIT}/?student=still-learner")
    duration = page.eval_on_selector(".dps-stage", "el => getComputedStyle(el).transitionDuration")
    assert duration == "0s"
    page.close()


COURSE_UNITS = sorted(path.stem for path in (COURSE / "vertical").glob("*.xml"))


def test_every_unit_of_the_course_passes_the_accessibility_audit(preview, browser):
    """Pages, knowledge-check placeholders and practices alike, on a small phone."""
    page = browser.new_page(viewport={"width": 360, "height": 640})
    violations = []
    for unit in COURSE_UNITS:
        response = page.goto(f"{preview}unit/{unit}/?student=auditor")
        assert response.status == 200, unit
        audit(page, unit, violations)
        images = page.eval_on_selector_all("main img", "imgs => imgs.filter(img => "
                                           "!img.complete || img.naturalWidth === 0).length")
        if images:
            violations.append(f"{unit}: {images} image(s) failed to load")
    assert violations == []
    page.close()


def test_a_hint_appears_beside_the_feedback_without_replacing_it(preview, browser):
    page = browser.new_page()
    feedback = answer_the_first_screen_wrongly(
        page, f"{preview}unit/{PRACTICE_UNIT}/?student=hint-learner")
    page.locator(".dps-hint-button").focus()
    page.keyboard.press("Enter")
    page.locator(".dps-hint-text").filter(has_text="tài khoản").wait_for()
    assert "chưa có tài khoản" in feedback.inner_text()
    assert page.locator(".dps-hint-text").get_attribute("role") == "status"
    page.close()


def test_the_right_answer_is_not_always_the_first_button(preview, browser):
    page = browser.new_page()
    firsts = set()
    for learner in range(8):
        page.goto(f"{preview}unit/{PRACTICE_UNIT}/?student=order-{learner}")
        firsts.add(page.locator(".dps-action").first.get_attribute("data-action"))
    assert len(firsts) > 1, firsts
    page.close()
