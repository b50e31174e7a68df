"""Retrieval for Ask on real BBC News articles: embeddings alone against embeddings and keywords
fused (core.retrieval.search), on the DEV split of examples/bbc_qa.json (every fixture article
is in the corpus, as bench.grounded asks).

    python -m bench.hybrid

  embeddings only   the plain call a user writes by hand: the query's MiniLM vector against the
                    faiss index of the passages (Index.search), top 12
  hybrid, k=60/10   search(): that ranking and BM25's (bm25s) fused by reciprocal rank with
                    constant k (60 is the usual default; 10 is what the app uses)
Measures, over the answerable dev questions: the question's article first / in the top 3, and
the answer's passage among those the grounded reader reads (qa.read_hits: the top 4 and the
rest of the 2 best documents); search time p50 (the methods interleaved question by question).
"""
import os
import statistics
import sys
import time
from types import SimpleNamespace

from bench import machine, save, table
from bench.bbc import Fixture, doc_name

USUAL_FUSION_K = 60   # the usual default of reciprocal rank fusion


def main(argv=None) -> None:
    from core.retrieval import lexical, qa
    from core.retrieval.embedding import embed
    from core.retrieval.search import search
    fixture = Fixture.load()
    corpus = fixture.corpus()
    (_, index), = corpus.indexes()
    items = [q for q in fixture.questions("dev") if q["answer"] is not None]
    search(corpus, "warm-up", 1)
    methods = ["embeddings only"] + [f"hybrid, k={k}" for k in (USUAL_FUSION_K, lexical.FUSION_K)]
    found = {m: [] for m in methods}
    seconds = {m: [] for m in methods}
    loads = [os.getloadavg()[0]]
    for item in items:
        for method in methods:
            started = time.perf_counter()
            if method == "embeddings only":
                hits = [SimpleNamespace(chunk=index.chunks[i])
                        for _, i in index.search(embed([item["question"]]), qa.READ_PASSAGES)[0]]
            else:
                hits = search(corpus, item["question"], qa.READ_PASSAGES, sentences=False,
                              fusion_k=int(method.split("=")[1])).hits
            seconds[method].append(time.perf_counter() - started)
            found[method].append((item, hits))
    loads.append(os.getloadavg()[0])

    def share(rows, test) -> str:
        return f"{sum(map(test, rows))}/{len(rows)} = {sum(map(test, rows)) / len(rows):.1%}"

    def read(row) -> bool:
        item, hits = row
        return any(item["answer"] in h.chunk.text for h in qa.read_hits(hits, 4))

    rows = [[m, share(found[m], lambda r: r[1][0].chunk.doc == doc_name(r[0]["article"])),
             share(found[m], lambda r: doc_name(r[0]["article"]) in [h.chunk.doc for h in r[1][:3]]),
             share(found[m], read), f"{statistics.median(seconds[m]) * 1000:.0f}"] for m in methods]
    lines = ["### Retrieval for Ask: embeddings alone and fused with BM25 keywords", "",
             f"Machine: {machine()}; load {min(loads):.1f}–{max(loads):.1f}. Command: `python -m bench.hybrid`. "
             f"{len(items)} answerable dev questions of examples/bbc_qa.json over all {len(fixture.articles())} "
             f"fixture articles ({len(index)} passages).", ""]
    lines += table(["retrieval", "article first", "article in top 3", "answer's passage read by Ask",
                    "search ms p50"], rows)
    save("hybrid", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
