"""Support marking (core.grounding): numbers, dates, names and words normalised and checked."""
import pytest

from core.grounding import Sources, extract, mark_support, parse_number
from core.grounding.items import numbers_match

SOURCE = ("Time Warner chairman Richard Parsons said sales rose 19 per cent to $750 million in 2004. "
          "The firm's new plant in São Paulo opened on 5 April 2003 with nine staff, "
          "and Dai-ichi Life Research Institute forecast 2.1% growth.")


def status(output: str, source=SOURCE, given: str = "") -> dict[str, str]:
    return {m.text: m.status for m in mark_support(output, [source], given).marks}


@pytest.mark.parametrize("a, b", [("19 per cent", "19%"), ("19 percent", "19%"), ("$750 million", "$750M"),
                                  ("$750M", "750,000,000 dollars"), ("$750m", "$750,000,000"),
                                  ("£17.9bn", "£17,900,000,000"), ("five pounds", "£5"), ("nine", "9"),
                                  ("1.1m", "1,100,000"), ("5000 yen", "¥5,000")])
def test_one_amount_written_two_ways_is_one_number(a, b):
    assert any(numbers_match(x, y) for x in parse_number(a) for y in parse_number(b)), (a, b)


@pytest.mark.parametrize("a, b", [("$750m", "£750m"), ("19%", "91%"), ("$750m", "$750bn"), ("2.1%", "21%")])
def test_different_amounts_or_currencies_differ(a, b):
    assert not any(numbers_match(x, y) for x in parse_number(a) for y in parse_number(b)), (a, b)


def test_numbers_dates_names_and_words_are_supported_when_normalised_forms_match():
    marks = status("Mr Parsons said sales grew 19% to 750,000,000 dollars in 2004; Sao Paulo's plant "
                   "opened on April 5, 2003.")
    assert marks["Parsons"] == "supported" and marks["19%"] == "supported"
    assert marks["750,000,000 dollars"] == "supported" and marks["2004"] == "supported"
    assert marks["Sao Paulo's"] == "supported"          # accents and the possessive
    assert marks["April 5, 2003"] == "supported"        # day-month order
    assert marks["sales"] == "supported" and marks["opened"] == "supported"   # inflection
    assert marks["grew"] == "unsupported"               # a word the source does not use


def test_invented_numbers_dates_and_names_are_unsupported():
    support = mark_support("Parsons said sales rose 25% to £750m in London on 6 April 2003, "
                           "said John Smith of Time Warner.", [SOURCE])
    marks = {m.text: m.status for m in support.marks}
    for invented in ("25%", "£750m", "London", "6 April 2003", "John Smith"):
        assert marks[invented] == "unsupported", invented
    assert marks["Time Warner"] == "supported"          # "John Smith of Time Warner" is split
    assert support.unsupported_facts == 5 and support.to_dict()["unsupported_facts"] == 5


def test_question_words_count_as_given_not_as_claims():
    marks = status("The growth forecast is 2.1%.", given="What growth is forecast?")
    assert marks["2.1%"] == "supported" and marks["forecast"] == "supported"
    assert status("The outlook is bright.", given="What is the outlook?")["outlook"] == "given"


def test_every_mark_points_at_its_exact_text():
    output = "Richard Parsons, 61, said on 5 April 2003 that £5m (19 per cent) went to Dai-ichi."
    support = mark_support(output, [SOURCE])
    assert support.marks
    for mark in support.marks:
        assert output[mark.start:mark.end] == mark.text


def test_dates_are_single_items_and_years_are_numbers_too():
    kinds = {it.text: it.kind for it in extract("On 27 October, 1920 and in 10-12 June and November 2003, "
                                                "1,981 voters, in 1989.")}
    assert kinds["27 October, 1920"] == "date" and kinds["10-12 June"] == "date"
    assert kinds["November 2003"] == "date" and kinds["1,981"] == "number" and kinds["1989"] == "date"
    assert status("It was 1989.", "They counted 1989 votes.")["1989"] == "supported"


def test_sources_are_indexed_once_for_many_outputs():
    sources = Sources([SOURCE, "A second source about Gloucester."])
    support = sources.check("Gloucester and Richard Parsons.")
    assert [m.source for m in support.marks if m.kind == "name"] == [1, 0]


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "数字 19 和 名字", "\x00\x01 binary", "a" * 5000])
def test_odd_text_never_crashes(text):
    support = mark_support(text, [SOURCE, text])
    assert support.unsupported >= 0 and isinstance(support.to_dict()["marks"], list)


def test_the_benchmarks_answer_normalisation():
    from bench.bbc import contains, exact
    item = {"answer": "$300m", "alternatives": []}
    assert exact("$300 million", item) and exact("$300M", item) and not exact("$30m", item)
    assert exact("the Hague", {"answer": "The Hague", "alternatives": []})
    assert exact("19 per cent", {"answer": "19%", "alternatives": []})
    assert contains("Time Warner offered $300 million.", item) and not contains("It paid $3m.", item)
    assert not exact("", item) and not exact("Richard", {"answer": "Richard Parsons", "alternatives": []})
