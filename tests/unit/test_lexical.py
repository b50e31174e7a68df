"""Keyword search (BM25) and reciprocal rank fusion (core.retrieval.lexical)."""
from types import SimpleNamespace

from core.retrieval import lexical


class FakeIndex:
    def __init__(self, texts, doc="a.txt"):
        self.chunks = [SimpleNamespace(text=t, doc=doc) for t in texts]

    def __len__(self):
        return len(self.chunks)


def corpus_of(*parts):
    return SimpleNamespace(indexes=lambda: list(parts))


def test_bm25_scores_rare_words_and_ignores_question_words_and_inflection():
    common = [f"The firm's analysts work on deal number {n}." for n in range(5)]
    corpus = corpus_of(("yours", FakeIndex(["Orin Middleton of Barclays Capital said prices rose.", *common,
                                            "Barclays shares fell."])))
    keywords = lexical.keywords(corpus)
    scores = keywords.scores("Which firm does Orin Middleton work for?")
    assert scores.argmax() == 0 and scores[-1] == 0     # the rare name outweighs the common words
    assert keywords.scores("price")[0] > 0               # stems: "prices" ~ "price"
    assert not keywords.scores("which does the for").any()  # only stopwords: nothing matches
    assert not keywords.scores("").any()


def test_one_bm25_over_all_the_indexes_a_corpus_searches():
    examples = FakeIndex([f"A key idea of attention, number {n}: the key and the query." for n in range(20)], "ex.md")
    yours = FakeIndex(["Alice keeps the spare key to the greenhouse under the third flowerpot."], "alice.txt")
    keywords = lexical.keywords(corpus_of(("example", examples), ("yours", yours)))
    assert len(keywords.keys) == 21 and keywords.keys[-1] == ("yours", 0)
    scores = keywords.scores("Where is the spare key to the greenhouse?")
    assert scores.argmax() == 20   # a session's one document does not make its own words look common
    assert [key for _, key in keywords.top("greenhouse", ["alice.txt"])] == [("yours", 0)]


def test_top_keeps_positive_scores_best_first_and_only_the_documents_asked_for():
    corpus = corpus_of(("example", FakeIndex(["gamma", "alpha alpha beta", "alpha"], "ex.md")),
                       ("yours", FakeIndex(["alpha beta gamma delta epsilon"], "mine.txt")))
    keywords = lexical.keywords(corpus)
    found = keywords.top("alpha")
    assert {key for _, key in found} == {("example", 1), ("example", 2), ("yours", 0)}  # not "gamma"
    assert [s for s, _ in found] == sorted((s for s, _ in found), reverse=True) and found[-1][0] > 0
    assert [key for _, key in keywords.top("alpha", ["mine.txt"])] == [("yours", 0)]
    assert keywords.top("alpha", k=1) == found[:1]
    assert keywords.top("zeta") == []


def test_reciprocal_rank_fusion_favours_what_both_rankings_hold():
    assert lexical.fuse([["a", "b", "c"], ["c", "d"]], k=10) == ["c", "a", "b", "d"]
    assert lexical.fuse([["a", "b"], ["b", "a"]], k=10)[0] in ("a", "b")
    assert lexical.fuse([[], []]) == []


def test_the_keyword_index_is_rebuilt_when_what_is_searched_grows_and_shared_for_one_index():
    index = FakeIndex(["alpha beta"])
    first = lexical.keywords(corpus_of(("example", index)))
    assert lexical.keywords(corpus_of(("example", index))) is first   # kept with the one index
    index.chunks.append(SimpleNamespace(text="gamma delta", doc="a.txt"))
    second = lexical.keywords(corpus_of(("example", index)))
    assert second is not first and second.scores("gamma")[1] > 0
