"""Keyword search (BM25) and reciprocal rank fusion (core.retrieval.lexical)."""
from types import SimpleNamespace

import numpy as np

from core.retrieval import lexical


def test_bm25_scores_rare_words_and_ignores_question_words_and_inflection():
    common = [f"The firm's analysts work on deal number {n}." for n in range(5)]
    keywords = lexical.Keywords(["Orin Middleton of Barclays Capital said prices rose.", *common,
                                 "Barclays shares fell."])
    scores = keywords.scores("Which firm does Orin Middleton work for?")
    assert scores.argmax() == 0 and scores[-1] == 0     # the rare name outweighs the common words
    assert keywords.scores("price rising")[0] > 0          # stems: "prices rose" ~ "price" (rise differs)
    assert not keywords.scores("which does the for").any()  # only stopwords: nothing matches
    assert not keywords.scores("").any()


def test_top_keeps_positive_scores_and_only_the_ids_asked_for():
    scores = np.array([0.0, 3.0, 1.0, 2.0], dtype=np.float32)
    assert lexical.top(scores) == [(3.0, 1), (2.0, 3), (1.0, 2)]
    assert lexical.top(scores, np.array([2, 0])) == [(1.0, 2)]
    assert lexical.top(scores, k=1) == [(3.0, 1)]


def test_reciprocal_rank_fusion_favours_what_both_rankings_hold():
    assert lexical.fuse([["a", "b", "c"], ["c", "d"]], k=10) == ["c", "a", "b", "d"]
    assert lexical.fuse([["a", "b"], ["b", "a"]], k=10)[0] in ("a", "b")
    assert lexical.fuse([[], []]) == []


def test_the_keyword_index_is_rebuilt_when_the_passages_grow():
    index = SimpleNamespace(chunks=[SimpleNamespace(text="alpha beta")])
    first = lexical.keywords(index)
    assert lexical.keywords(index) is first
    index.chunks.append(SimpleNamespace(text="gamma delta"))
    second = lexical.keywords(index)
    assert second is not first and second.scores("gamma")[1] > 0
