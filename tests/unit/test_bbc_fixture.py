"""The BBC question fixture (examples/bbc_qa.json) is what bench/grounded.py scores: every answer
is a verbatim span at its offset, ids are unique, and no article is in both splits."""
from bench.bbc import Fixture, article

FIXTURE = Fixture.load()


def test_every_answer_is_the_articles_text_at_its_offset():
    for item in FIXTURE.items:
        if item["answer"] is None:
            assert item.get("answer_start") is None and item["type"] == "unanswerable", item["id"]
            continue
        text = article(item["article"])
        assert text[item["answer_start"]:item["answer_start"] + len(item["answer"])] == item["answer"], item["id"]


def test_ids_are_unique_and_the_splits_share_no_article():
    ids = [q["id"] for q in FIXTURE.items]
    assert len(ids) == len(set(ids))
    dev, test = ({q["article"] for q in FIXTURE.questions(split)} for split in ("dev", "test"))
    assert dev and test and not dev & test
    assert {q["round"] for q in FIXTURE.questions("test")} == {13, 14}
    assert all(q.get("first_scored_as") == "test" for q in FIXTURE.questions("dev") if q["round"] in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))


def test_no_question_or_article_sentence_is_reserved_for_independent_evaluation():
    """The reader is fitted on the dev split: none of its text may be a reserved sentence."""
    from core.sentiment.data_real import fingerprint, holdout_fingerprints
    from core.text.sentences import split_sentences
    reserved = holdout_fingerprints()
    texts = [q["question"] for q in FIXTURE.items]
    for path in FIXTURE.articles():
        text = article(path)
        texts += [text[s:e] for s, e in split_sentences(text)] + text.splitlines()
    assert len(texts) > 7000 and not {fingerprint(t) for t in texts if t.strip()} & reserved
