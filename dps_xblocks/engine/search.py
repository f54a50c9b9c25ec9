"""Find procedures (thủ tục hành chính) in a practice catalogue from what a resident types.

Residents type the way a cheap phone lets them: often without diacritics, in any case, with a
typo, with the words in another order, wrapped in polite filler ("tôi muốn làm thủ tục ... như
thế nào"). Search therefore compares words after `formats.fold_text`, drops filler words, and
forgives small typos. It also refuses to guess: a query whose meaningful words mostly match
nothing returns no result rather than a misleading one.

`build_index` does the work that depends only on the catalogue, once; `search` then costs about
the same for every query, because the query is cut to `MAX_QUERY_CHARS` characters and
`MAX_QUERY_WORDS` meaningful words before anything else happens.

Scoring, per procedure, over the query's distinct meaningful words:

- a word matches a catalogue word exactly, or, when the word is not in the catalogue at all,
  with a small typo (`typo_allowance`); a typo match counts less (`TYPO_SIMILARITY`), and one to
  a word under 8 letters counts only where a neighbouring query word confirms it (see
  `_confirmed_candidates`); two words typed without their space ("khaisinh") match the pair;
- each matched word scores field weight × similarity × rarity, in the best field it appears in
  (the procedure's name above its keywords, above its summary, above who it is for); rarity is
  an inverse document frequency, so "đăng ký", in most names, counts less than "khai sinh";
- two query words next to each other that also stand next to each other, in that order, in one
  field earn a bonus (`BIGRAM_FACTOR`), so "khai sinh" beats a text with "sinh" and "khai" apart,
  while "sinh khai" still finds both;
- the share of the procedure's name that the query covers earns a bonus, so "đăng ký thường
  trú" ranks the procedure called exactly that above a longer name that contains it.

A procedure is a result only if the words it matches in its name, keywords or summary make up
at least `MIN_COVERAGE` of the query's meaningful letters (long words weigh more than short,
ambiguous syllables such as "tu"), at least one of them is in its name or keywords, and its
score reaches `MIN_SCORE`. Results are ordered by score, ties in catalogue order.
"""

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from . import model
from .formats import fold_text

__all__ = [
    "BIGRAM_FACTOR",
    "FIELD_WEIGHTS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "MIN_COVERAGE",
    "MIN_SCORE",
    "NAME_COVERAGE_WEIGHT",
    "STOPWORDS",
    "TYPO_SIMILARITY",
    "SearchIndex",
    "build_index",
    "query_words",
    "search",
    "typo_allowance",
]

MAX_QUERY_CHARS = 200
"""Folded characters of a query that are read; the rest is ignored."""

MAX_QUERY_WORDS = 12
"""Meaningful words of a query that are used; the rest is ignored."""

# Read this many raw characters before folding: a query typed in NFD, or in capitals that fold
# to more letters, needs up to three code points per folded character, and reading a
# fixed amount keeps a 10,000-character paste as cheap as a short query.
_RAW_CHARS_READ = 4 * MAX_QUERY_CHARS

FIELD_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "name": 3.0,
    "keywords": 2.0,
    "summary": 1.0,
    "who": 0.5,
})
"""How much a word found in each `Procedure` field counts; the name counts most."""

_ANCHOR_FIELDS = frozenset({"name", "keywords"})
# Who a procedure is for ("người dân Hà Nội") says little about what it is: a word found only
# there adds to the score but not to the coverage, so "nạp tiền điện thoại" finds nothing.
_DESCRIBING_FIELDS = frozenset({"name", "keywords", "summary"})

BIGRAM_FACTOR = 0.5
"""Bonus for two adjacent query words found adjacent, in order, in one field (× their score)."""

NAME_COVERAGE_WEIGHT = 2.0
"""Bonus for a query that covers the whole name; a query covering half of it gets half."""

TYPO_SIMILARITY: Mapping[int, float] = MappingProxyType({0: 1.0, 1: 0.7, 2: 0.5})
"""How much a match counts, by the number of edits between the typed and the catalogue word."""

# A typo match to a catalogue word at least this long is trusted without a neighbouring word:
# long words (abbreviations, words typed without their space) rarely collide by accident.
_LONE_TYPO_LENGTH = 8

MIN_COVERAGE = 0.5
"""Share of the query's meaningful letters that a result must match."""

MIN_SCORE = 1.5
"""Lowest score of a result: about one exact keyword match of a word found in most procedures."""

# Filler that residents wrap around what they want, written folded (no diacritics). Phrases are
# removed before single words, so that "như thế nào" goes as a whole while "the" (thẻ, a card)
# is kept. Words that mean something in some procedure are deliberately absent: "con" (a child:
# "khai sinh cho con"), "can" (căn cước, cần), "sao" (sao y), "mat" (mất: a lost card, a death),
# "tien" (tiền án), "em" (em bé), "dau" (đầu, dấu) outside "ở đâu". "tai" goes although it may be
# "tái" (re-), because "tại" is far more common in a query and "cấp" carries "tái cấp".
STOPWORDS = frozenset({
    "toi muon", "em muon", "minh muon", "muon", "toi", "minh", "chung toi",
    "lam", "lam sao", "lam the nao", "nhu the nao", "the nao", "ra sao",
    "o dau", "o", "tai", "cho", "xin", "giup", "giup toi", "hoi", "cach",
    "thu tuc", "huong dan", "ho so", "giay to", "can gi", "nhung gi",
    "bao lau", "mat bao lau", "bao nhieu", "mat bao nhieu", "het bao nhieu",
    "bao nhieu tien", "mat bao nhieu tien", "het bao nhieu tien",
    "truc tuyen", "online", "qua mang", "tren mang", "dich vu cong",
    "a", "ah", "a oi", "oi", "nhe", "vay", "voi", "va", "cua", "la", "thi", "duoc", "khong",
    "gi", "nao", "bi", "di", "phai", "nhu", "nay", "do", "ve", "thi sao",
})

_WORD = re.compile(r"[^\W_]+")
# Field text is cut into segments at punctuation, so that adjacent words, and the bigrams and
# run-together words made from them, never span two keywords of a comma-separated list.
_SEGMENT_BREAK = re.compile(r"[,;:.!?()\[\]/|\n\t]+")
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")


def _normalize_spelling(word: str) -> str:
    """Write a syllable ending in consonant + "y" with "i": "lý"/"lí" and "ký"/"kí" are one word.

    Both spellings are correct and both are taught; after folding they differ only in this
    letter. "y" after a vowel ("tuy", "hay") or alone ("y tế") is a different sound and stays.
    """
    if len(word) >= 2 and word[-1] == "y" and word[-2] in _CONSONANTS:
        return word[:-1] + "i"
    return word


def _split_stopwords() -> tuple[dict[str, int], frozenset[tuple[str, ...]]]:
    phrases = frozenset(
        tuple(_normalize_spelling(word) for word in phrase.split()) for phrase in STOPWORDS
    )
    longest: dict[str, int] = {}
    for phrase in phrases:
        longest[phrase[0]] = max(longest.get(phrase[0], 0), len(phrase))
    return longest, phrases


_STOP_LONGEST, _STOP_PHRASES = _split_stopwords()


def _drop_stopwords(words: Sequence[str]) -> list[str]:
    """Remove stopword phrases, longest first at each position, and return the other words."""
    kept: list[str] = []
    position = 0
    while position < len(words):
        longest = _STOP_LONGEST.get(words[position], 0)
        for length in range(min(longest, len(words) - position), 0, -1):
            if tuple(words[position:position + length]) in _STOP_PHRASES:
                position += length
                break
        else:
            kept.append(words[position])
            position += 1
    return kept


def _meaningful_words(folded_text: str) -> list[str]:
    words = [_normalize_spelling(word) for word in _WORD.findall(folded_text)]
    return _drop_stopwords(words)


def query_words(query: str) -> tuple[str, ...]:
    """Return the meaningful words of `query` that `search` uses, folded, in typed order.

    The query is cut to `MAX_QUERY_CHARS` folded characters (a word cut in two is dropped),
    folded, split into words, respelled (`_normalize_spelling`), stripped of `STOPWORDS`, and
    cut to `MAX_QUERY_WORDS` words.
    """
    if not isinstance(query, str):
        raise TypeError(f"query must be a str, got {type(query).__name__}")
    folded = fold_text(query[:_RAW_CHARS_READ])
    if len(folded) > MAX_QUERY_CHARS:
        cut = folded[:MAX_QUERY_CHARS]
        if folded[MAX_QUERY_CHARS] != " " and " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        folded = cut
    return tuple(_meaningful_words(folded)[:MAX_QUERY_WORDS])


def typo_allowance(length: int) -> int:
    """Return how many edits a word of `length` letters may have: 0 below 4, 1 below 8, else 2.

    Short Vietnamese syllables differ from each other by one letter ("tu", "tru", "thu"), so
    forgiving a typo in them would match the wrong word more often than the right one.
    """
    if length >= 8:
        return 2
    if length >= 4:
        return 1
    return 0


def _edit_distance(first: str, second: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, transpositions.

    A swap of two neighbouring letters ("khia" for "khai") counts as one edit, as on a keyboard.
    """
    previous_row: list[int] | None = None
    row = list(range(len(second) + 1))
    for i, first_letter in enumerate(first, start=1):
        before_previous, previous_row = previous_row, row
        row = [i] + [0] * len(second)
        for j, second_letter in enumerate(second, start=1):
            cost = first_letter != second_letter
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if (
                before_previous is not None
                and j > 1
                and first_letter == second[j - 2]
                and first[i - 2] == second_letter
            ):
                row[j] = min(row[j], before_previous[j - 2] + 1)
    return row[-1]


def _deletions(word: str, depth: int) -> set[str]:
    """Return `word` and every string made from it by deleting up to `depth` letters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {
            variant[:index] + variant[index + 1:]
            for variant in frontier
            for index in range(len(variant))
        }
        found |= frontier
    return found


@dataclass(frozen=True)
class _IndexedField:
    """The words of one field of one procedure, ready for matching."""

    weight: float
    words: frozenset[str]
    bigrams: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class _IndexedProcedure:
    """One procedure's fields, in `FIELD_WEIGHTS` order, and the words of its name.

    `name_parts` maps each word of the name, and each adjacent pair written as one word, to the
    name words it stands for, so that "thuongtru" covers "thuong" and "tru".
    """

    id: str
    fields: tuple[tuple[str, _IndexedField], ...]
    name_words: frozenset[str]
    name_parts: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class SearchIndex:
    """A catalogue prepared for `search`: built once by `build_index`, never changed after.

    `rarity` maps each catalogue word to its inverse document frequency; `postings` maps it to
    the catalogue positions of the procedures that contain it; `deletion_keys` maps strings
    made by deleting letters from catalogue words back to those words, for typo matching.
    """

    procedures: tuple[_IndexedProcedure, ...]
    rarity: Mapping[str, float]
    postings: Mapping[str, tuple[int, ...]]
    deletion_keys: Mapping[str, tuple[str, ...]]
    longest_word: int


def _field_segments(text: str) -> list[list[str]]:
    """Fold a field and return its meaningful words, segment by segment."""
    segments = (_meaningful_words(part) for part in _SEGMENT_BREAK.split(fold_text(text)))
    return [segment for segment in segments if segment]


def _index_field(text: str, weight: float) -> _IndexedField:
    """Index a field's words, its adjacent pairs, and those pairs written as one word.

    The run-together pairs ("khaisinh") catch a query typed without its space.
    """
    words: set[str] = set()
    bigrams: set[tuple[str, str]] = set()
    for segment in _field_segments(text):
        words.update(segment)
        pairs = list(itertools.pairwise(segment))
        bigrams.update(pairs)
        words.update(first + second for first, second in pairs)
    return _IndexedField(weight, frozenset(words), frozenset(bigrams))


def _index_procedure(procedure: model.Procedure) -> _IndexedProcedure:
    fields = tuple(
        (name, _index_field(getattr(procedure, name), weight))
        for name, weight in FIELD_WEIGHTS.items()
    )
    name_segments = _field_segments(procedure.name)
    name_words = frozenset(word for segment in name_segments for word in segment)
    name_parts: dict[str, set[str]] = {word: {word} for word in name_words}
    for segment in name_segments:
        for first, second in itertools.pairwise(segment):
            name_parts.setdefault(first + second, set()).update((first, second))
    return _IndexedProcedure(
        procedure.id,
        fields,
        name_words,
        MappingProxyType({word: frozenset(parts) for word, parts in name_parts.items()}),
    )


def build_index(procedures: Sequence[model.Procedure]) -> SearchIndex:
    """Prepare `procedures` for `search`; their order breaks ties between equal scores.

    Raises ValueError when two procedures share an id, since a result could not say which one
    it means.
    """
    seen: set[str] = set()
    for position, procedure in enumerate(procedures):
        if procedure.id in seen:
            raise ValueError(
                f"procedure id {procedure.id!r} appears twice in the catalogue (again at "
                f"position {position}); every procedure needs its own id"
            )
        seen.add(procedure.id)
    indexed = tuple(_index_procedure(procedure) for procedure in procedures)

    postings: dict[str, list[int]] = {}
    for position, procedure in enumerate(indexed):
        for word in set().union(*(field.words for _, field in procedure.fields)):
            postings.setdefault(word, []).append(position)
    count = len(indexed)
    rarity = {word: math.log(1 + count / len(found)) for word, found in postings.items()}

    deletion_keys: dict[str, list[str]] = {}
    for word in sorted(postings):
        for key in _deletions(word, typo_allowance(len(word))):
            deletion_keys.setdefault(key, []).append(word)

    return SearchIndex(
        procedures=indexed,
        rarity=MappingProxyType(rarity),
        postings=MappingProxyType({word: tuple(found) for word, found in postings.items()}),
        deletion_keys=MappingProxyType({key: tuple(words) for key, words in deletion_keys.items()}),
        longest_word=max((len(word) for word in postings), default=0),
    )


def _candidates(index: SearchIndex, word: str) -> dict[str, float]:
    """Return the catalogue words that `word` stands for, with how much each match counts.

    A word found in the catalogue stands only for itself: a resident who typed a real word meant
    it. Otherwise it stands for the catalogue words closest to it within its typo allowance;
    `_confirmed_candidates` later decides whether a procedure trusts such a match.
    """
    if word in index.rarity:
        return {word: TYPO_SIMILARITY[0]}
    allowance = typo_allowance(len(word))
    if allowance == 0 or len(word) > index.longest_word + allowance:
        return {}

    nearby: set[str] = set()
    for key in _deletions(word, allowance):
        nearby.update(index.deletion_keys.get(key, ()))
    distances = {
        candidate: _edit_distance(word, candidate)
        for candidate in sorted(nearby)
    }
    allowed = {
        candidate: distance
        for candidate, distance in distances.items()
        if 0 < distance <= allowance
    }
    if not allowed:
        return {}
    closest = min(allowed.values())
    return {
        candidate: TYPO_SIMILARITY[distance]
        for candidate, distance in allowed.items()
        if distance == closest
    }


def _best_match(
    field: _IndexedField, candidates: Mapping[str, float], rarity: Mapping[str, float]
) -> float:
    """Return the best similarity × rarity of any candidate found in `field`, or 0."""
    return max(
        (similarity * rarity[word] for word, similarity in candidates.items()
         if word in field.words),
        default=0.0,
    )


def _bigram_match(
    field: _IndexedField,
    first: Mapping[str, float],
    second: Mapping[str, float],
    rarity: Mapping[str, float],
) -> float:
    """Return the best combined score of a candidate pair standing adjacent in `field`, or 0."""
    return max(
        (
            first_similarity * rarity[first_word] + second_similarity * rarity[second_word]
            for first_word, first_similarity in first.items()
            for second_word, second_similarity in second.items()
            if (first_word, second_word) in field.bigrams
        ),
        default=0.0,
    )


def _confirmed_candidates(
    procedure: _IndexedProcedure,
    candidates: Mapping[str, Mapping[str, float]],
    neighbours: Mapping[str, frozenset[str]],
) -> dict[str, dict[str, float]]:
    """Keep the candidates that this procedure can trust for each query word.

    An exact match is always trusted. A typo match to a catalogue word under `_LONE_TYPO_LENGTH`
    letters is trusted only when a neighbouring query word stands next to it in one field of
    this procedure: short syllables that differ by one letter are usually different words
    ("giao" is not a typo of "giay"), but "khia sinh" next to "khai sinh" is a typo.
    """
    trusted: dict[str, dict[str, float]] = {}
    for word, word_candidates in candidates.items():
        nearby = [
            neighbour_word
            for neighbour in neighbours[word]
            for neighbour_word in candidates[neighbour]
        ]
        trusted[word] = {
            candidate: similarity
            for candidate, similarity in word_candidates.items()
            if similarity == TYPO_SIMILARITY[0]
            or len(candidate) >= _LONE_TYPO_LENGTH
            or any(
                (candidate, other) in field.bigrams or (other, candidate) in field.bigrams
                for _, field in procedure.fields
                for other in nearby
            )
        }
    return trusted


def _score(
    procedure: _IndexedProcedure,
    candidates: Mapping[str, Mapping[str, float]],
    neighbours: Mapping[str, frozenset[str]],
    pairs: Iterable[tuple[str, str]],
    rarity: Mapping[str, float],
) -> float | None:
    """Score one procedure for the query, or return None when it fails a result's thresholds."""
    trusted = _confirmed_candidates(procedure, candidates, neighbours)
    total = 0.0
    matched_letters = 0
    anchored = False
    for word, word_candidates in trusted.items():
        best = 0.0
        described = False
        for name, field in procedure.fields:
            found = _best_match(field, word_candidates, rarity)
            if found:
                best = max(best, field.weight * found)
                anchored = anchored or name in _ANCHOR_FIELDS
                described = described or name in _DESCRIBING_FIELDS
        total += best
        matched_letters += len(word) if described else 0

    all_letters = sum(len(word) for word in trusted)
    if not anchored or matched_letters < MIN_COVERAGE * all_letters:
        return None

    for first, second in pairs:
        total += BIGRAM_FACTOR * max(
            field.weight * _bigram_match(field, trusted[first], trusted[second], rarity) / 2
            for _, field in procedure.fields
        )

    if procedure.name_words:
        named = {
            part
            for found in trusted.values()
            for word in found
            for part in procedure.name_parts.get(word, ())
        }
        total += NAME_COVERAGE_WEIGHT * len(named) / len(procedure.name_words)
    return total if total >= MIN_SCORE else None


def _neighbours(words: Sequence[str]) -> dict[str, frozenset[str]]:
    """Map each distinct query word to the other words typed right before or after it."""
    found: dict[str, set[str]] = {word: set() for word in words}
    for first, second in itertools.pairwise(words):
        if first != second:
            found[first].add(second)
            found[second].add(first)
    return {word: frozenset(others) for word, others in found.items()}


def search(index: SearchIndex, query: str, limit: int = 5) -> list[str]:
    """Return the ids of at most `limit` procedures that match `query`, best first.

    An empty list means nothing matched well enough: see the module docstring for the rules.
    Raises TypeError for a query that is not a str and ValueError for a limit below 1.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be an int of at least 1, got {limit!r}")
    words = query_words(query)
    if not words:
        return []

    candidates = {word: _candidates(index, word) for word in dict.fromkeys(words)}
    neighbours = _neighbours(words)
    pairs = list(dict.fromkeys(
        (first, second)
        for first, second in itertools.pairwise(words)
        if first != second and candidates[first] and candidates[second]
    ))
    positions = sorted({
        position
        for word_candidates in candidates.values()
        for word in word_candidates
        for position in index.postings[word]
    })

    scored = []
    for position in positions:
        score = _score(
            index.procedures[position], candidates, neighbours, pairs, index.rarity
        )
        if score is not None:
            scored.append((-score, position))
    scored.sort()
    return [index.procedures[position].id for _, position in scored[:limit]]
