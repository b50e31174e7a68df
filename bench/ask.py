"""Ask/Search quality on the example corpus (examples/questions.json), and the refusal threshold.

1. Retrieval: hit@1, hit@3 and MRR@3 of the right document over the written questions.
2. Refusal threshold (core.retrieval.qa.REFUSE_BELOW): top retrieval cosine of the on-topic questions
   against the off-topic ones; the suggested threshold is the midpoint between the highest
   off-topic score and the lowest score of an on-topic question whose top hit is right.
3. Offline reader: how often the sentence marked as evidence (closest to the question in the
   passages the chat model reads) holds the answer phrase, and how often the chat model's own
   answer does, with seconds per answer (chat model on a subset: it is the slow part).
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

from bench import machine, save

QUESTIONS = json.loads((Path(__file__).parents[1] / "examples" / "questions.json").read_text())
CHAT_SUBSET = 8


def main(argv=None) -> None:
    from core.retrieval import qa
    from core.retrieval.corpus import Corpus
    from core.retrieval.search import search
    corpus = Corpus()
    items = QUESTIONS["questions"]
    ranks, on_scores, on_right = [], [], []
    for item in items:
        result = search(corpus, item["question"], qa.READ_PASSAGES, sentences=False)  # as Ask searches
        docs = [h.chunk.doc for h in result.hits[:3]]
        rank = next((r for r, d in enumerate(docs, 1) if d in item["docs"]), None)
        ranks.append(rank)
        on_scores.append(result.top_score)
        if rank == 1:
            on_right.append(result.top_score)
    off_scores = [search(corpus, q, qa.READ_PASSAGES, sentences=False).top_score for q in QUESTIONS["off_topic"]]
    n = len(items)
    hit1 = sum(r == 1 for r in ranks) / n
    hit3 = sum(r is not None for r in ranks) / n
    mrr = sum(1 / r for r in ranks if r) / n
    suggested = (max(off_scores) + min(on_right)) / 2
    refused_on = sum(s < qa.REFUSE_BELOW for s in on_scores)
    refused_off = sum(s < qa.REFUSE_BELOW for s in off_scores)

    evidence_ok, chat_ok, seconds = 0, 0, []
    for i, item in enumerate(items):
        if i < CHAT_SUBSET:
            start = time.perf_counter()
            answer = qa.answer(corpus, item["question"], reader="chat")
            seconds.append(time.perf_counter() - start)
            chat_ok += item["answer"].lower() in answer.text.lower()
        else:  # the evidence sentence alone, without running the chat model
            result = search(corpus, item["question"], qa.CHAT_PASSAGES, sentences=False)
            sentences = qa.Sentences.of(result.hits, result.query_vector)
            j = int(np.argmax(sentences.to_question))
            h, s, e = sentences.spans[j]
            answer = qa.Answer(item["question"], evidence=result.hits[h].chunk.text[s:e])
        evidence_ok += item["answer"].lower() in answer.evidence.lower()

    lines = [f"### Ask and Search on the example corpus ({n} questions, {len(off_scores)} off-topic)", "",
             f"Machine: {machine()}. Command: `python -m bench.ask`.", "",
             "| measure | value |", "|---|---|",
             f"| retrieval hit@1 | {hit1:.2f} |", f"| retrieval hit@3 | {hit3:.2f} |",
             f"| retrieval MRR@3 | {mrr:.2f} |",
             f"| top cosine, on-topic: min / median | {min(on_scores):.3f} / {np.median(on_scores):.3f} |",
             f"| top cosine, on-topic with the right top hit: min | {min(on_right):.3f} |",
             f"| top cosine, off-topic: median / max | {np.median(off_scores):.3f} / {max(off_scores):.3f} |",
             f"| suggested refusal threshold (midpoint) | {suggested:.3f} |",
             f"| REFUSE_BELOW in core/retrieval/qa.py | {qa.REFUSE_BELOW:.2f} |",
             f"| refused: on-topic / off-topic | {refused_on}/{n} / {refused_off}/{len(off_scores)} |",
             f"| evidence sentence holds the answer phrase | {evidence_ok}/{n} |",
             f"| chat-reader answer holds the answer phrase (first {CHAT_SUBSET}) | {chat_ok}/{CHAT_SUBSET} |",
             f"| chat-reader seconds per answer, median | {np.median(seconds):.1f} s |"]
    save("ask", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
