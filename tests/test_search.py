"""Tests for dps_xblocks.engine.search: queries as residents type them, nonsense, and properties."""

import dataclasses
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dps_xblocks.engine.formats import fold_text
from dps_xblocks.engine.model import Procedure
from dps_xblocks.engine.search import (
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    build_index,
    query_words,
    search,
    typo_allowance,
)

CATALOGUE = (
    Procedure(
        id="birth-bundle",
        name="Liên thông khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ dưới 6 tuổi",
        summary=(
            "Một hồ sơ trực tuyến cho ba việc khi gia đình có em bé: đăng ký khai sinh, "
            "đăng ký thường trú cho bé và cấp thẻ bảo hiểm y tế."
        ),
        keywords=(
            "khai sinh, giấy khai sinh, làm giấy khai sinh, sinh con, khai sinh cho con, "
            "em bé mới sinh, trẻ sơ sinh, con mới đẻ, bảo hiểm y tế cho trẻ, thẻ BHYT trẻ em"
        ),
        who="Cha hoặc mẹ của trẻ dưới 6 tuổi, cư trú tại Hà Nội",
    ),
    Procedure(
        id="judicial-record",
        name="Cấp phiếu lý lịch tư pháp",
        summary=(
            "Xin phiếu xác nhận một người có hay không có án tích, thường cần khi xin việc "
            "hoặc đi học, đi làm ở nước ngoài."
        ),
        keywords=(
            "lý lịch tư pháp, phiếu lý lịch, LLTP, giấy xác nhận không tiền án, "
            "tiền án tiền sự, lý lịch xin việc"
        ),
        who="Công dân Việt Nam có tài khoản định danh điện tử mức 2",
    ),
    Procedure(
        id="permanent-residence",
        name="Đăng ký thường trú",
        summary="Ghi nơi ở lâu dài của một người vào cơ sở dữ liệu về cư trú.",
        keywords=(
            "thường trú, hộ khẩu, nhập hộ khẩu, chuyển hộ khẩu, sổ hộ khẩu, nhập khẩu, "
            "KT1, chuyển về ở hẳn"
        ),
        who="Người chuyển đến ở lâu dài tại Hà Nội",
    ),
    Procedure(
        id="temporary-residence",
        name="Đăng ký tạm trú",
        summary=(
            "Khai báo nơi ở tạm thời từ 30 ngày trở lên ngoài nơi thường trú, "
            "ví dụ khi thuê nhà hoặc ở trọ."
        ),
        keywords="tạm trú, khai báo tạm trú, thuê nhà, ở trọ, phòng trọ, sinh viên thuê trọ, KT3",
        who="Người thuê nhà, sinh viên, người lao động từ nơi khác đến Hà Nội",
    ),
    Procedure(
        id="business-household",
        name="Đăng ký hộ kinh doanh",
        summary=(
            "Đăng ký một cơ sở kinh doanh nhỏ của cá nhân hoặc gia đình tại Ủy ban nhân dân "
            "xã, phường."
        ),
        keywords=(
            "mở cửa hàng, mở quán, buôn bán nhỏ, kinh doanh nhỏ, giấy phép kinh doanh, "
            "bán hàng, quán ăn, tạp hóa"
        ),
        who="Cá nhân hoặc hộ gia đình muốn buôn bán, làm dịch vụ",
    ),
    Procedure(
        id="marriage",
        name="Đăng ký kết hôn",
        summary="Hai người đăng ký kết hôn để được công nhận là vợ chồng và nhận giấy chứng nhận.",
        keywords=(
            "kết hôn, cưới, lấy vợ, lấy chồng, giấy kết hôn, giấy đăng ký kết hôn, giấy hôn thú"
        ),
        who="Nam và nữ đủ tuổi kết hôn, một trong hai người cư trú tại Hà Nội",
    ),
    Procedure(
        id="death",
        name="Đăng ký khai tử",
        summary="Báo việc một người đã qua đời để được cấp trích lục khai tử.",
        keywords="khai tử, báo tử, giấy chứng tử, người mất, người thân qua đời, chết",
        who="Người thân của người đã mất",
    ),
    Procedure(
        id="id-card",
        name="Cấp đổi, cấp lại thẻ căn cước",
        summary=(
            "Đổi thẻ căn cước khi thẻ hỏng, hết hạn hoặc thông tin thay đổi; "
            "làm lại thẻ khi bị mất."
        ),
        keywords=(
            "căn cước, căn cước công dân, CCCD, chứng minh thư, CMND, mất căn cước, "
            "làm lại căn cước, đổi căn cước, thẻ hỏng"
        ),
        who="Công dân Việt Nam có thẻ căn cước cần đổi hoặc cấp lại",
    ),
    Procedure(
        id="certified-copy",
        name="Chứng thực bản sao từ bản chính",
        summary="Xác nhận bản sao giống với bản chính của giấy tờ để nộp kèm hồ sơ.",
        keywords=(
            "sao y, sao y bản chính, công chứng, photo công chứng, chứng thực, "
            "công chứng giấy tờ"
        ),
        who="Bất kỳ ai cần bản sao có chứng thực",
    ),
    Procedure(
        id="driving-licence",
        name="Cấp đổi giấy phép lái xe",
        summary="Đổi giấy phép lái xe sắp hết hạn, đã hết hạn hoặc bị hỏng sang thẻ mới.",
        keywords=(
            "bằng lái, bằng lái xe, đổi bằng lái, gia hạn bằng lái, bằng lái hết hạn, "
            "GPLX, bằng lái xe máy, bằng ô tô"
        ),
        who="Người có giấy phép lái xe do Việt Nam cấp",
    ),
)
CATALOGUE_IDS = frozenset(procedure.id for procedure in CATALOGUE)
INDEX = build_index(CATALOGUE)


def nfd(text: str) -> str:
    """Write text decomposed, as some keyboards and copied documents deliver it."""
    return unicodedata.normalize("NFD", text)


def other_tone_placement(text: str) -> str:
    """Move the tone mark of "oa"/"uy" syllables: "Hoà" becomes "Hòa" and back."""
    swaps = {}
    for plain, marked in (("a", "àáảãạ"), ("y", "ỳýỷỹỵ")):
        glide = "o" if plain == "a" else "u"
        for tone in range(5):
            toned_glide = unicodedata.normalize(
                "NFC", glide + unicodedata.normalize("NFD", marked[tone])[1:]
            )
            swaps[glide + marked[tone]] = toned_glide + plain
            swaps[toned_glide + plain] = glide + marked[tone]
    result = []
    position = 0
    while position < len(text):
        pair = text[position:position + 2]
        if pair in swaps:
            result.append(swaps[pair])
            position += 2
        else:
            result.append(text[position])
            position += 1
    return "".join(result)


# Each query as a resident might type it, and the procedure that must come first.
QUERIES = [
    ("khai sinh", "birth-bundle"),
    ("khai sinh cho con", "birth-bundle"),
    ("KHAI SINH", "birth-bundle"),
    (nfd("đăng ký khai sinh"), "birth-bundle"),
    ("giay khai sinh", "birth-bundle"),
    (nfd("Giấy khai sinh"), "birth-bundle"),
    ("lam giay khai sinh cho em be moi sinh", "birth-bundle"),
    ("sinh con", "birth-bundle"),
    ("khia sinh", "birth-bundle"),
    ("sinh khai", "birth-bundle"),
    ("Tôi muốn làm thủ tục khai sinh cho con như thế nào?", "birth-bundle"),
    ("the bhyt cho tre", "birth-bundle"),
    ("khai sinh cho con ở xã Hoà Lạc", "birth-bundle"),
    ("khai sinh cho con ở xã Hòa Lạc", "birth-bundle"),
    ("khaisinh", "birth-bundle"),
    ("ly lich tu phap", "judicial-record"),
    ("lí lịch tư pháp", "judicial-record"),
    (nfd("Lý lịch tư pháp"), "judicial-record"),
    ("phieu ly lich", "judicial-record"),
    ("xin lý lịch tư pháp", "judicial-record"),
    ("LY LICH TU PHAP DE XIN VIEC", "judicial-record"),
    ("tien an tien su", "judicial-record"),
    ("tam tru", "temporary-residence"),
    ("dang ky tam tru o ha noi", "temporary-residence"),
    ("đăng ký tạm trú ở phường Yên Hoà", "temporary-residence"),
    ("đăng ký tạm trú ở phường Yên Hòa", "temporary-residence"),
    ("sinh vien thue tro", "temporary-residence"),
    ("tam trus", "temporary-residence"),
    ("thuong tru", "permanent-residence"),
    ("nhap ho khau", "permanent-residence"),
    ("dang ki thuong tru", "permanent-residence"),
    ("chuyen ho khau", "permanent-residence"),
    ("mo cua hang", "business-household"),
    ("kinh doanh nho", "business-household"),
    ("dang ky kinh doanh", "business-household"),
    ("mở quán ăn", "business-household"),
    ("ket hon", "marriage"),
    ("dang ky ket hon", "marriage"),
    ("lam giay dang ky ket hon", "marriage"),
    ("Đăng kí kết hôn ở đâu", "marriage"),
    (nfd("ĐĂNG KÝ KẾT HÔN"), "marriage"),
    ("lay vo", "marriage"),
    ("bang lai xe", "driving-licence"),
    ("doi bang lai", "driving-licence"),
    ("gia han bang lai xe may", "driving-licence"),
    ("GPLX het han", "driving-licence"),
    ("can cuoc bi mat", "id-card"),
    ("lam lai can cuoc", "id-card"),
    ("cccd", "id-card"),
    ("đổi thẻ căn cước", "id-card"),
    ("chung minh thu", "id-card"),
    ("sao y ban chinh", "certified-copy"),
    ("chung thuc", "certified-copy"),
    ("photo cong chung", "certified-copy"),
    ("khai tu", "death"),
    ("bao tu", "death"),
    ("nguoi than qua doi", "death"),
    ("giay chung tu", "death"),
]

# Queries whose meaningful words mostly match nothing: showing a procedure would mislead.
NONSENSE = [
    "",
    "   ",
    "?!... ---",
    "xyz qwerty",
    "asdf",
    "pizza giao hang",
    "toi muon lam thu tuc nhu the nao",
    "bitcoin dau tu",
    "ha noi",
    "nap tien dien thoai",
    "hoc tieng anh",
    "thoi tiet ha noi hom nay",
    "mua ve may bay",
    "khia",
    "abc tu",
    "".join(chr(ord("a") + (index * 7) % 26) + " " * (index % 5 == 0) for index in range(10_000)),
    "😀" * 10_000,
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_query_finds_its_procedure_first(query, expected):
    results = search(INDEX, query)

    assert results, f"{query!r} found nothing"
    assert results[0] == expected, f"{query!r} gave {results}"


def test_query_table_quality_is_every_query_in_first_place():
    first_place = sum(1 for query, expected in QUERIES if search(INDEX, query)[:1] == [expected])

    assert len(QUERIES) >= 40
    assert first_place / len(QUERIES) == 1.0, f"{first_place}/{len(QUERIES)} in first place"


@pytest.mark.parametrize("query", NONSENSE, ids=lambda query: repr(query[:24]))
def test_nonsense_query_returns_nothing(query):
    assert search(INDEX, query) == []


def test_query_words_drop_filler_phrases_and_keep_words_that_carry_meaning():
    assert query_words("Tôi muốn làm thủ tục khai sinh cho con như thế nào, ở đâu?") == (
        "khai", "sinh", "con",
    )
    # "thẻ" folds to "the", as in "thế nào": only the whole phrase is filler.
    assert query_words("thẻ bảo hiểm y tế") == ("the", "bao", "hiem", "y", "te")
    assert query_words("căn cước bị mất") == ("can", "cuoc", "mat")


def test_con_is_kept_because_it_names_the_child():
    with_child = search(INDEX, "khai sinh cho con")
    temporary_only = search(INDEX, "khai sinh")

    assert "con" in query_words("khai sinh cho con")
    assert with_child[0] == "birth-bundle"
    # "con" matches only the birth bundle, so the other partial matches fall behind it or away.
    assert len(with_child) < len(temporary_only)


def test_i_and_y_spellings_of_a_syllable_are_the_same_word():
    assert query_words("lý lịch") == query_words("lí lịch") == ("li", "lich")
    assert query_words("đăng ký") == query_words("dang ki") == ("dang", "ki")
    # After a vowel or alone, "y" is another sound and stays.
    assert query_words("giấy y tế") == ("giay", "y", "te")
    assert search(INDEX, "dang ki ket hon") == search(INDEX, "đăng ký kết hôn")


def test_hoa_tone_placements_give_the_same_results():
    older = "khai sinh cho con ở Khánh Hoà"
    newer = other_tone_placement(older)

    assert newer == "khai sinh cho con ở Khánh Hòa"
    assert search(INDEX, older) == search(INDEX, newer) == ["birth-bundle"]


def test_typo_allowance_grows_with_word_length():
    assert [typo_allowance(length) for length in range(10)] == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]


def test_one_typo_is_forgiven_in_a_word_of_four_letters_or_more_next_to_a_known_word():
    assert search(INDEX, "khia sinh")[0] == "birth-bundle"  # transposition
    assert search(INDEX, "khaii sinh")[0] == "birth-bundle"  # insertion
    assert search(INDEX, "khai sihn")[0] == "birth-bundle"  # transposition in the second word
    assert search(INDEX, "khia sinhh") == ["birth-bundle"]  # both words, each confirming the other


def test_a_typo_in_a_word_under_four_letters_is_not_forgiven():
    # Each word is one letter away from "kết hôn", but three-letter syllables get no allowance.
    assert search(INDEX, "ket hon")[0] == "marriage"
    assert search(INDEX, "kwt hpn") == []


def test_two_typos_in_a_word_under_eight_letters_are_not_forgiven():
    assert search(INDEX, "khaii sinh")[0] == "birth-bundle"
    assert search(INDEX, "khoii sinh") == []


def test_a_lone_short_typo_is_not_trusted_without_a_neighbouring_word():
    # "giao" is one letter from "giay", but nothing next to it confirms the correction.
    assert search(INDEX, "khia") == []
    assert search(INDEX, "pizza giao hang") == []
    assert search(INDEX, "sinh khia")[0] == "birth-bundle"


def test_two_typos_are_forgiven_in_a_word_of_eight_letters_or_more():
    assert search(INDEX, "khiasinhh") == ["birth-bundle"]  # swap and extra letter, 9 letters
    assert search(INDEX, "khiasnh") == []  # swap and missing letter, 7 letters
    assert search(INDEX, "kiahsinhhh") == []  # three edits


def test_adjacent_words_in_typed_order_rank_higher_and_reordered_words_still_match():
    catalogue = [
        Procedure(id="apart", name="Sinh hoạt khai báo", summary=""),
        Procedure(id="adjacent", name="Khai sinh hoạt báo", summary=""),
    ]
    index = build_index(catalogue)

    assert search(index, "khai sinh") == ["adjacent", "apart"]
    assert search(index, "sinh khai") == ["apart", "adjacent"]


def test_name_counts_more_than_keywords():
    catalogue = [
        Procedure(id="keywords", name="Việc hai", summary="", keywords="kết hôn"),
        Procedure(id="name", name="Kết hôn", summary=""),
    ]

    assert search(build_index(catalogue), "ket hon") == ["name", "keywords"]


def test_summary_adds_to_a_match_but_is_not_enough_alone():
    catalogue = [
        Procedure(id="plain", name="Kết hôn", summary=""),
        Procedure(id="described", name="Kết hôn", summary="Hai người thành vợ chồng"),
        Procedure(id="summary-only", name="Việc một", summary="Kết hôn"),
    ]

    assert search(build_index(catalogue), "ket hon vo") == ["described", "plain"]


def test_a_name_the_query_covers_entirely_ranks_above_a_longer_name_containing_it():
    assert search(INDEX, "dang ky thuong tru")[:2] == ["permanent-residence", "birth-bundle"]


def test_a_match_only_in_who_the_procedure_is_for_is_not_a_result():
    catalogue = [Procedure(id="only-who", name="Việc một", summary="", who="Người dân Hà Nội")]

    assert search(build_index(catalogue), "ha noi") == []


def test_a_keyword_every_procedure_shares_is_below_the_score_floor():
    catalogue = [
        Procedure(id="one", name="Việc một", summary="", keywords="giấy"),
        Procedure(id="two", name="Việc hai", summary="", keywords="giấy"),
    ]

    assert search(build_index(catalogue), "giay") == []


def test_equal_scores_keep_catalogue_order():
    first = Procedure(id="first", name="Đăng ký kết hôn", summary="")
    second = dataclasses.replace(first, id="second")

    assert search(build_index([first, second]), "ket hon") == ["first", "second"]
    assert search(build_index([second, first]), "ket hon") == ["second", "first"]


def test_limit_cuts_the_same_ranking():
    everything = search(INDEX, "dang ky", limit=10)

    assert len(everything) > 2
    assert search(INDEX, "dang ky", limit=2) == everything[:2]
    assert search(INDEX, "dang ky") == everything[:5]


def test_words_beyond_the_twelfth_are_ignored():
    filler = "xyz " * MAX_QUERY_WORDS

    assert len(query_words(filler + "khai sinh")) == MAX_QUERY_WORDS
    assert search(INDEX, filler + "khai sinh") == []
    assert query_words("khai sinh " + filler)[:2] == ("khai", "sinh")


def test_text_beyond_the_character_limit_is_ignored_and_a_cut_word_dropped():
    long_word = "x" * (MAX_QUERY_CHARS - 5)

    # The limit falls after "khai": it is whole and kept, "sinh" is beyond the limit.
    assert query_words(long_word + " khai sinh") == (long_word, "khai")
    # The limit falls inside "khai": the cut word is dropped rather than read as "kh".
    assert query_words(long_word + "xx khai sinh") == (long_word + "xx",)
    # Spaces collapse when folded, but a long paste is only ever read from its start.
    assert query_words(" " * 500 + "khai sinh") == ("khai", "sinh")
    assert query_words(" " * 10_000 + "khai sinh") == ()


def test_build_index_refuses_two_procedures_with_one_id():
    twice = [CATALOGUE[0], dataclasses.replace(CATALOGUE[1], id=CATALOGUE[0].id)]

    with pytest.raises(ValueError, match=r"'birth-bundle' appears twice.*position 1"):
        build_index(twice)


def test_index_cannot_be_changed_after_it_is_built():
    with pytest.raises(dataclasses.FrozenInstanceError):
        INDEX.rarity = {}
    with pytest.raises(TypeError):
        INDEX.rarity["khai"] = 0.0


def test_an_empty_catalogue_finds_nothing():
    assert search(build_index([]), "khai sinh") == []


def test_search_refuses_a_query_that_is_not_text_and_a_limit_below_one():
    with pytest.raises(TypeError, match="query must be a str, got bytes"):
        search(INDEX, b"khai sinh")
    with pytest.raises(ValueError, match="limit must be an int of at least 1, got 0"):
        search(INDEX, "khai sinh", limit=0)


@given(st.text(max_size=400), st.integers(min_value=1, max_value=12))
@settings(max_examples=300)
def test_search_never_raises_and_returns_few_unique_catalogue_ids(query, limit):
    results = search(INDEX, query, limit)

    assert len(results) <= limit
    assert len(set(results)) == len(results)
    assert set(results) <= CATALOGUE_IDS


CATALOGUE_WORDS = sorted({
    word
    for procedure in CATALOGUE
    for text in (procedure.name, procedure.keywords, procedure.summary, procedure.who)
    for word in text.replace(",", " ").replace(".", " ").split()
})
FILLER_WORDS = ["tôi", "muốn", "làm", "thủ", "tục", "như", "thế", "nào", "ở", "đâu", "cho", "Hoà"]
vietnamese_queries = st.lists(
    st.sampled_from(CATALOGUE_WORDS + FILLER_WORDS), min_size=1, max_size=14
).map(" ".join)


@given(vietnamese_queries)
@settings(max_examples=200)
def test_case_decomposition_diacritics_and_tone_placement_do_not_change_results(query):
    expected = search(INDEX, query)

    assert search(INDEX, query.upper()) == expected
    assert search(INDEX, query.lower()) == expected
    assert search(INDEX, nfd(query)) == expected
    assert search(INDEX, fold_text(query)) == expected
    assert search(INDEX, other_tone_placement(query)) == expected
