"""The English edition of the course (`dps_hanoi_en`) keeps step with the Vietnamese one.

The English edition is for foreign residents of Hà Nội. It must be the same course: the same
blocks under the same url_names, parents and order (url_names are the identity of learner state),
the same practice scenarios as far as the engine is concerned (screens, actions, fields, gotos,
expected answers), the same correct answers in the knowledge checks. And it must really be in
English: a page copied from the Vietnamese edition and left untranslated is caught by the share of
letters that only Vietnamese uses (ă â đ ê ô ơ ư and the tone marks). Vietnamese names are
allowed where the course quotes them for the learner to find in the real services: inside
`<span lang="vi">`, or in brackets, as in "the National Public Service Portal (Cổng Dịch vụ công
quốc gia)".

Both editions are read the way Open edX imports them: `course.xml` -> `course/<run>.xml` ->
pointers `<chapter url_name="x"/>` -> `chapter/x.xml`, and so on; `dps_practice` blocks are
written inline in their verticals.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from dps_xblocks.engine import model
from dps_xblocks.engine.parsing import hardened_parser, parse_scenario_element
from dps_xblocks.olx.validation import validate_course

ROOT = Path(__file__).resolve().parent.parent
COURSES = ROOT / "courses_olx"
VI = COURSES / "dps_hanoi_vi"
EN = COURSES / "dps_hanoi_en"
EDITIONS = {"vi": VI, "en": EN}

BLOCK_KINDS = ("chapter", "sequential", "vertical", "html", "problem", "dps_practice")
PRACTICE = "dps_practice"

# The most an English page may have of letters only Vietnamese uses, outside <span lang="vi">
# and brackets. The English pages have at most 1.2 % (names such as Hà Nội); every Vietnamese
# page of the course has at least 23 %, so even a page a quarter of which was left in
# Vietnamese is above the limit.
MAX_VIETNAMESE_SHARE = 0.03
# The same for one screen of a practice (or its frame and catalogue). A screen may show a
# Vietnamese address for the learner to type, or ward names to choose from, and scenario text
# cannot hold <span lang="vi">: English screens reach about 5 %. Every Vietnamese screen of the
# course has at least 23 %.
MAX_VIETNAMESE_SHARE_IN_PRACTICE = 0.10
# The most of a page's letters that may sit inside <span lang="vi"> or brackets: quoted names
# are a help, not the page. Without this limit a page could pass by wrapping all its Vietnamese.
MAX_QUOTED_SHARE = 0.4
# Combining marks that make a Latin vowel Vietnamese: the five tones (grave, acute, tilde, hook
# above, dot below) and the vowel marks (circumflex, breve, horn).
VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
PLACEHOLDER = re.compile(r"\{[a-z.-]+\}")
# Inline HTML that an English page adds around quoted Vietnamese; not part of a problem's shape.
INLINE_TAGS = frozenset({"span", "strong", "em", "b", "i", "br"})
VISIBLE_ATTRIBUTES = ("alt", "title", "aria-label", "display_name")


# --- reading a course ------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One block of a course outline: where it sits and what defines it."""

    kind: str
    url_name: str
    parent: str  # "kind/url_name" of the parent block
    position: int  # its index among the parent's children
    element: etree._Element


@dataclass
class Outline:
    """A course as the import builds it, and the pointer targets that were missing."""

    blocks: list[Block]
    missing: list[str]

    def of_kind(self, kind: str) -> list[Block]:
        return [block for block in self.blocks if block.kind == kind]

    def by_url_name(self, kind: str) -> dict[str, Block]:
        return {block.url_name: block for block in self.of_kind(kind)}


def read_xml(path: Path) -> etree._Element:
    return etree.parse(str(path), hardened_parser()).getroot()


def is_pointer(element: etree._Element) -> bool:
    """The platform's rule: a url_name and nothing else, no children, no text."""
    return (set(element.attrib) == {"url_name"} and len(element) == 0
            and not (element.text or "").strip())


def read_outline(course_dir: Path) -> Outline:
    """Every block of the course under its url_name, parent and position, in outline order."""
    outline = Outline([], [])
    run = read_xml(course_dir / "course.xml").get("url_name")
    course = read_xml(course_dir / "course" / f"{run}.xml")
    _read_children(course_dir, course, f"course/{run}", outline)
    return outline


def _read_children(course_dir: Path, parent: etree._Element, parent_id: str,
                   outline: Outline) -> None:
    children = [child for child in parent.iterchildren(tag=etree.Element)
                if child.tag not in ("wiki", "textbook")]
    for position, child in enumerate(children):
        element = child
        if is_pointer(child):
            target = f"{child.tag}/{child.get('url_name')}.xml"
            if not (course_dir / target).is_file():
                outline.missing.append(target)
                continue
            element = read_xml(course_dir / target)
        block = Block(child.tag, child.get("url_name"), parent_id, position, element)
        outline.blocks.append(block)
        if child.tag in ("chapter", "sequential", "vertical"):
            _read_children(course_dir, element, f"{child.tag}/{block.url_name}", outline)


OUTLINES = {name: read_outline(folder) for name, folder in EDITIONS.items()}


def read_html(path: Path) -> etree._Element:
    """An HTML fragment file as one element (a <div> around its top-level elements)."""
    return lxml_html.fragment_fromstring(path.read_text(encoding="utf-8"), create_parent="div")


def html_pages(course_dir: Path) -> list[str]:
    """The HTML files learners read: components, about pages and the handouts."""
    pages = [*sorted(course_dir.glob("html/*.html")), *sorted(course_dir.glob("about/*.html")),
             course_dir / "info" / "handouts.html"]
    return [page.relative_to(course_dir).as_posix() for page in pages]


def practice_scenario(outline: Outline, url_name: str) -> model.Scenario:
    block = outline.by_url_name(PRACTICE).get(url_name)
    assert block is not None, f"no {PRACTICE} block {url_name!r} (is its vertical missing?)"
    return parse_scenario_element(block.element.find("scenario"))


VI_PRACTICES = [block.url_name for block in OUTLINES["vi"].of_kind(PRACTICE)]
VI_PROBLEMS = [block.url_name for block in OUTLINES["vi"].of_kind("problem")]


# --- the language check ----------------------------------------------------------------------


def is_vietnamese_letter(char: str) -> bool:
    """A letter only Vietnamese writes: đ, or a vowel with a Vietnamese tone or vowel mark."""
    if char in "đĐ":
        return True
    base, *marks = unicodedata.normalize("NFD", char)
    return base.lower() in "aeiouy" and any(mark in VIETNAMESE_MARKS for mark in marks)


def without_brackets(text: str) -> str:
    """`text` without anything in (round) or [square] brackets, nested ones included."""
    while True:
        shorter = BRACKETED.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


def letters(text: str) -> list[str]:
    return [char for char in text if char.isalpha()]


def vietnamese_share(text: str) -> float:
    """The share of Vietnamese-only letters among the letters of `text`, outside brackets."""
    found = letters(without_brackets(text))
    if not found:
        return 0.0
    return sum(is_vietnamese_letter(char) for char in found) / len(found)


def is_vietnamese_span(element: etree._Element) -> bool:
    lang = element.get("lang") or element.get("{http://www.w3.org/XML/1998/namespace}lang")
    return (isinstance(element.tag, str) and element.tag == "span"
            and (lang or "").lower().split("-")[0] == "vi")


def visible_text(element: etree._Element, *, skip_vietnamese: bool = True) -> str:
    """The text a learner reads or hears, without what is in <span lang="vi">.

    Alt texts, titles and display names are read aloud, so they count too.
    """
    if skip_vietnamese and is_vietnamese_span(element):
        return ""
    parts = [element.get(name, "") for name in VISIBLE_ATTRIBUTES]
    parts.append(element.text or "")
    for child in element.iterchildren():
        if isinstance(child.tag, str):
            parts.append(visible_text(child, skip_vietnamese=skip_vietnamese))
        parts.append(child.tail or "")
    return " ".join(parts)


def language_problems(text: str, *, quoted_letters: int = 0,
                      limit: float = MAX_VIETNAMESE_SHARE) -> list[str]:
    """Why `text` does not read as English; [] when it does.

    `quoted_letters` counts the letters left out as quoted Vietnamese (<span lang="vi">);
    `limit` is the largest share of Vietnamese-only letters allowed outside them and brackets.
    """
    problems = []
    share = vietnamese_share(text)
    if share > limit:
        problems.append(f"{share:.1%} of its letters are Vietnamese-only (at most {limit:.0%} "
                        "outside <span lang=\"vi\"> and brackets)")
    total = len(letters(text)) + quoted_letters
    quoted = quoted_letters + len(letters(text)) - len(letters(without_brackets(text)))
    if total and quoted / total > MAX_QUOTED_SHARE:
        problems.append(f"{quoted / total:.0%} of its letters are quoted Vietnamese or in "
                        f"brackets (at most {MAX_QUOTED_SHARE:.0%})")
    return problems


def page_language_problems(root: etree._Element) -> list[str]:
    """`language_problems` of a parsed page, spans of quoted Vietnamese left out."""
    text = visible_text(root)
    everything = visible_text(root, skip_vietnamese=False)
    return language_problems(text, quoted_letters=len(letters(everything)) - len(letters(text)))


def read_page(course_dir: Path, name: str) -> etree._Element:
    path = course_dir / name
    if name.endswith(".html"):
        return read_html(path)
    return read_xml(path)


def scenario_texts(scenario: model.Scenario) -> dict[str, str]:
    """The text a learner sees in a practice, by part: the frame and catalogue, then each screen.

    The persona's name and address (proper names) and `{persona.x}` placeholders are left out.
    """
    parts = {"scenario": [scenario.title, scenario.app]}
    for procedure in scenario.procedures:
        parts["scenario"] += [procedure.name, procedure.summary, procedure.who, procedure.agency,
                              procedure.fee, procedure.duration, *procedure.documents]
    for screen in scenario.screens:
        texts = [screen.title, screen.hint]
        for item in screen.content:
            texts += _content_texts(item)
        for action in screen.actions:
            texts += [action.label, action.feedback]
        if screen.form is not None:
            texts.append(screen.form.submit)
            for form_field in screen.form.fields:
                texts += [form_field.label, form_field.help]
                texts += [option.label for option in form_field.options]
                texts += [sample.problem for sample in form_field.files]
        if screen.search is not None:
            texts += [screen.search.label, screen.search.submit]
        parts[f"screen {screen.id!r}"] = texts
    return {part: PLACEHOLDER.sub(" ", " ".join(texts)) for part, texts in parts.items()}


def _content_texts(item: model.Content) -> list[str]:
    match item:
        case model.Text(text) | model.Notice(_, text):
            return [text]
        case model.Sms(sender, text):
            return [sender, text]
        case model.Data(items):
            return [text for data_item in items for text in (data_item.label, data_item.value)]
        case model.Timeline(entries):
            return [entry.label for entry in entries]
        case model.Payment(_, payee, _):
            return [payee]
        case model.Document(title, signer, _, items):
            return [title, signer, *(text for data_item in items
                                     for text in (data_item.label, data_item.value))]
        case model.Call(caller, number, text):
            return [caller, number, text]
        case model.Chat(app, sender, text):
            return [app, sender, text]
        case model.Image(_, alt):
            return [alt]
    return []


# --- the shape of a practice -----------------------------------------------------------------


def scenario_shape(scenario: model.Scenario) -> dict:
    """What the engine acts on, with no text: ids, gotos, expected answers, codes."""
    persona = scenario.persona
    return {
        "start": scenario.start,
        "frame": scenario.frame,
        "persona codes": (persona.id_number, persona.sex, persona.birth_year, persona.phone,
                          persona.email),
        "dossier": scenario.dossier,
        "procedures": [procedure.id for procedure in scenario.procedures],
        "screens": [_screen_shape(screen) for screen in scenario.screens],
    }


def _screen_shape(screen: model.Screen) -> dict:
    form = screen.form
    return {
        "id": screen.id,
        "end": screen.end,
        "actions": [(action.id, action.goto, action.correct) for action in screen.actions],
        "form": None if form is None else (form.goto, [_field_shape(item) for item in form.fields]),
        "search": None if screen.search is None else (screen.search.goto, screen.search.expect),
        "codes": [_content_code(item) for item in screen.content
                  if _content_code(item) is not None],
    }


def _field_shape(form_field: model.Field) -> tuple:
    return (form_field.id, form_field.kind, form_field.expect, form_field.same_as,
            form_field.differs_from, form_field.optional,
            tuple(option.value for option in form_field.options),
            tuple((sample.name, sample.type, bool(sample.problem))
                  for sample in form_field.files))


def _content_code(item: model.Content):
    """The language-free part of a content element, or None for plain text."""
    match item:
        case model.CardReader() | model.Camera() | model.ProcedureCard():
            return item
        case model.Image(src, _):
            return ("image", src)
        case model.Timeline(entries):
            return ("timeline", tuple((entry.state, entry.date) for entry in entries))
        case model.Payment(amount, _, reference):
            return ("payment", amount, reference)
        case model.Document(_, _, signature, _):
            return ("document", signature)
    return None


# --- the outline -----------------------------------------------------------------------------


def placed(outline: Outline, kind: str) -> list[tuple[str, str, int]]:
    return [(block.url_name, block.parent, block.position) for block in outline.of_kind(kind)]


@pytest.mark.parametrize("kind", BLOCK_KINDS)
def test_both_editions_have_the_same_blocks_in_the_same_places(kind):
    vi, en = placed(OUTLINES["vi"], kind), placed(OUTLINES["en"], kind)

    assert vi, f"the Vietnamese edition has no {kind} block: the outline was not read"
    missing = [block for block in vi if block not in en]
    extra = [block for block in en if block not in vi]
    assert (missing, extra) == ([], []), (
        f"{kind}: (url_name, parent, position) missing from the English edition: {missing}; "
        f"only in the English edition: {extra}; files the English outline points to but "
        f"that do not exist: {OUTLINES['en'].missing}")
    assert en == vi, f"{kind}: the same blocks, but in another order"


def test_every_block_has_a_url_name_of_its_own():
    for name, outline in OUTLINES.items():
        ids = [(block.kind, block.url_name) for block in outline.blocks]
        assert all(url_name for _, url_name in ids), f"{name}: a block has no url_name"
        assert len(ids) == len(set(ids)), f"{name}: a url_name is used twice"


def test_the_editions_are_two_courses_of_one_organisation():
    vi, en = read_xml(VI / "course.xml"), read_xml(EN / "course.xml")

    assert dict(en.attrib) == {"url_name": "2026", "org": "HanoiDPS", "course": "DVC101EN"}
    assert (vi.get("org"), vi.get("url_name")) == (en.get("org"), en.get("url_name"))
    assert vi.get("course") != en.get("course")


def test_each_edition_declares_its_language_and_the_same_settings():
    for name, folder in EDITIONS.items():
        course = read_xml(folder / "course" / "2026.xml")
        policy = json.loads((folder / "policies" / "2026" / "policy.json").read_text("utf-8"))
        assert course.get("language") == name
        assert policy["course/2026"]["language"] == name

    def settings(folder):
        course = dict(read_xml(folder / "course" / "2026.xml").attrib)
        policy = json.loads((folder / "policies" / "2026" / "policy.json").read_text("utf-8"))
        entry = dict(policy["course/2026"])
        for values in (course, entry):
            values.pop("language"), values.pop("display_name")
        return course, entry, json.loads((folder / "policies" / "assets.json").read_text("utf-8"))

    assert settings(EN) == settings(VI)
    english_name = read_xml(EN / "course" / "2026.xml").get("display_name")
    assert english_name != read_xml(VI / "course" / "2026.xml").get("display_name")
    assert not language_problems(english_name)


def grading(folder: Path) -> dict:
    return json.loads((folder / "policies" / "2026" / "grading_policy.json").read_text("utf-8"))


def test_the_grading_is_the_same_and_every_graded_subsection_names_a_grader():
    vi, en = grading(VI), grading(EN)
    numbers = ("min_count", "drop_count", "weight")

    assert vi["GRADE_CUTOFFS"] == en["GRADE_CUTOFFS"]
    assert [[grader[key] for key in numbers] for grader in vi["GRADER"]] == \
        [[grader[key] for key in numbers] for grader in en["GRADER"]]
    assert not language_problems(" ".join(
        f"{grader['type']} {grader.get('short_label', '')}" for grader in en["GRADER"]))
    for name, folder in EDITIONS.items():
        types = {grader["type"] for grader in grading(folder)["GRADER"]}
        sequentials = OUTLINES[name].of_kind("sequential")
        formats = {block.element.get("format") for block in sequentials
                   if block.element.get("graded") == "true"}
        assert formats and formats <= types, f"{name}: {formats - types} is not a grader type"
        graded = {block.url_name: block.element.get("graded") for block in sequentials}
        assert graded == {block.url_name: block.element.get("graded")
                          for block in OUTLINES["vi"].of_kind("sequential")}


def test_every_display_name_is_translated():
    english = {(block.kind, block.url_name): block.element.get("display_name", "")
               for block in OUTLINES["en"].blocks}
    copied = []
    for block in OUTLINES["vi"].blocks:
        name = block.element.get("display_name", "")
        if english.get((block.kind, block.url_name)) == name and vietnamese_share(name) > 0:
            copied.append((block.kind, block.url_name, name))

    assert all(english.values()), "a block of the English edition has no display_name"
    assert copied == []
    assert language_problems(" ".join(english.values())) == []


# --- pages and knowledge checks --------------------------------------------------------------


def test_both_editions_ship_the_same_files_apart_from_practice_units():
    def files(folder):
        return {path.relative_to(folder).as_posix() for path in folder.rglob("*")
                if path.is_file() and not path.name.endswith("_practice_unit.xml")}

    assert files(EN) == files(VI)


@pytest.mark.parametrize("name", html_pages(VI))
def test_a_page_links_to_the_same_images_and_addresses(name):
    def targets(folder):
        root = read_html(folder / name)
        return ([image.get("src") for image in root.iter("img")],
                [link.get("href") for link in root.iter("a")])

    assert targets(EN) == targets(VI)


@pytest.mark.parametrize("name", [page for page in html_pages(EN)
                                  if page != "about/short_description.html"])
def test_a_page_declares_its_language(name):
    for edition, folder in EDITIONS.items():
        root = read_html(folder / name)
        tops = list(root.iterchildren(tag=etree.Element))
        assert tops and all(top.get("lang") == edition for top in tops), (edition, name)


def test_the_html_components_use_the_same_files():
    def components(outline):
        return {block.url_name: block.element.get("filename") for block in outline.of_kind("html")}

    assert components(OUTLINES["en"]) == components(OUTLINES["vi"])


def problem_shape(element: etree._Element) -> list:
    """The problem's CAPA structure and answers: tags and attributes, no text, no display name."""
    return [(item.tag, sorted((key, value) for key, value in item.attrib.items()
                              if key != "display_name"))
            for item in element.iter(tag=etree.Element) if item.tag not in INLINE_TAGS]


@pytest.mark.parametrize("url_name", VI_PROBLEMS)
def test_a_knowledge_check_has_the_same_choices_and_answers(url_name):
    vi = OUTLINES["vi"].by_url_name("problem")[url_name].element
    en = OUTLINES["en"].by_url_name("problem").get(url_name)

    assert en is not None, f"problem/{url_name}.xml is missing from the English edition"
    assert problem_shape(en.element) == problem_shape(vi)
    correct = [choice.get("correct") for choice in en.element.iter("choice")]
    assert correct.count("true") >= 1


def test_the_images_are_the_same_drawings_with_english_titles():
    def drawing(root):
        return [(etree.QName(item).localname, dict(item.attrib))
                for item in root.iter(tag=etree.Element)]

    for path in sorted((VI / "static").glob("*.svg")):
        vi, en = read_xml(path), read_xml(EN / "static" / path.name)
        assert drawing(en) == drawing(vi), path.name
        labels = [item for item in en.iter(tag=etree.Element)
                  if etree.QName(item).localname in ("title", "desc")]
        assert len(labels) == 2, path.name
        for label in labels:
            assert label.text and not language_problems(label.text), (path.name, label.text)


# --- the language check, both ways -----------------------------------------------------------


@pytest.mark.parametrize("name", [*html_pages(EN),
                                  *(f"problem/{path.name}"
                                    for path in sorted((EN / "problem").glob("*.xml")))])
def test_an_english_page_is_in_english(name):
    assert page_language_problems(read_page(EN, name)) == []


@pytest.mark.parametrize("name", [*html_pages(VI),
                                  *(f"problem/{path.name}"
                                    for path in sorted((VI / "problem").glob("*.xml")))])
def test_the_checker_flags_every_vietnamese_page(name):
    assert page_language_problems(read_page(VI, name)) != []


def test_the_checker_flags_vietnamese_hidden_in_spans_or_brackets():
    vietnamese = " ".join(read_html(VI / "html" / "eid_intro.html").itertext())
    in_span = lxml_html.fragment_fromstring(
        '<div lang="en"><h3>Read this</h3><p>Then press the button.</p>'
        '<p><span lang="vi"></span></p></div>')
    in_span.find(".//span").text = vietnamese

    assert page_language_problems(in_span) != []
    assert language_problems(f"Read this ({vietnamese})") != []


def test_the_checker_accepts_quoted_vietnamese_and_names():
    page = read_html(EN / "html" / "find_read.html")
    sentence = ("Go to the National Public Service Portal (Cổng Dịch vụ công quốc gia). "
                "Log in with VNeID and press “Submit online”. Mrs Hoa lives in Hà Nội.")

    assert page_language_problems(page) == []
    assert language_problems(sentence) == []
    assert vietnamese_share("Đăng ký tài khoản mức 1") > 0.3
    # Some letters are shared with French (é, à), hence a share rather than any one letter.
    assert [is_vietnamese_letter(char) for char in "ưđơăệữéàüïçn"] == [True] * 8 + [False] * 4


# --- practices -------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", VI_PRACTICES)
def test_a_practice_has_the_same_screens_actions_fields_and_answers(url_name):
    vi = practice_scenario(OUTLINES["vi"], url_name)
    en = practice_scenario(OUTLINES["en"], url_name)

    vi_shape, en_shape = scenario_shape(vi), scenario_shape(en)
    assert [screen["id"] for screen in en_shape["screens"]] == \
        [screen["id"] for screen in vi_shape["screens"]]
    for vi_screen, en_screen in zip(vi_shape["screens"], en_shape["screens"], strict=True):
        assert en_screen == vi_screen, f"screen {vi_screen['id']!r}"
    assert en_shape == vi_shape


@pytest.mark.parametrize("url_name", VI_PRACTICES)
def test_a_practice_is_in_english(url_name):
    texts = scenario_texts(practice_scenario(OUTLINES["en"], url_name))

    problems = {part: language_problems(text, limit=MAX_VIETNAMESE_SHARE_IN_PRACTICE)
                for part, text in texts.items()}
    assert {part: found for part, found in problems.items() if found} == {}


def test_the_checker_flags_every_vietnamese_practice():
    for url_name in VI_PRACTICES:
        texts = scenario_texts(practice_scenario(OUTLINES["vi"], url_name))
        screens = {part: text for part, text in texts.items() if part.startswith("screen")}
        unflagged = [part for part, text in screens.items()
                     if not language_problems(text, limit=MAX_VIETNAMESE_SHARE_IN_PRACTICE)]
        assert unflagged == [], url_name


# --- the whole course ------------------------------------------------------------------------


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_the_edition_passes_the_validator_without_a_finding(edition):
    findings = validate_course(EDITIONS[edition])

    assert [f"{found.file}:{found.line}: {found.severity}: {found.message}"
            for found in findings] == []


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_every_file_of_the_edition_is_nfc_utf8(edition):
    files = sorted(path for path in EDITIONS[edition].rglob("*") if path.is_file())
    not_nfc = [path.relative_to(COURSES).as_posix() for path in files
               if not unicodedata.is_normalized("NFC", path.read_bytes().decode("utf-8"))]

    assert len(files) > 100
    assert not_nfc == []
