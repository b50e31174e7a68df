"""Answers true to their sources, on real BBC News articles (examples/bbc_qa.json, bench/bbc.py).

    python -m bench.grounded --fit-head train the grounded reader's answer head on the DEV split
                                        -> core/retrieval/data/answer-head/ (about 40 min on 2 cores)
    python -m bench.grounded --fit      fit the grounded reader's ranker, confidence and refusal
                                        threshold on the DEV split -> core/retrieval/data/reader.json
    python -m bench.grounded            score dev and test side by side, once

Side by side, over a corpus of every fixture article (retrieval with the offline embedding model):
  chat        today's chat reader (the chat model writes an answer citing passages)
  grounded    the grounded reader (an exact span chosen by the chat model, calibrated refusal)
  "+ marks"   the same answers with support marking applied: an answer that states a number,
              date or name not in the passages read is shown flagged, so it counts as not given
Measures: exact answer (normalised, bench.bbc.exact), right source in the top 3, unanswerable
questions refused, answerable questions refused, seconds per answer (p50), and over the 40
summary articles the share of abstractive summaries with no unsupported number, date or name
(faithful=False is today's summarizer, faithful=True the copy-constrained one).
"""
import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from bench import machine, save, table
from bench.bbc import Fixture, article, contains, doc_name, exact
from bench.reader_fit import examine_split, fit, fit_head

CACHE = Path(os.environ.get("LLMLAB_DATA", Path.home() / ".cache" / "llmlab")) / "bench-grounded"


def load():
    return os.getloadavg()[0]


def _progress(message: str) -> None:
    print(f"{message}, load {load():.1f}", flush=True)


# --- scoring ------------------------------------------------------------------------------------------

def flagged(answer) -> bool:
    """Support marking flags the answer: it states a number, date or name not in the passages."""
    return bool(answer.support and answer.support["unsupported_facts"])


def chat_rows(fixture: Fixture, corpus, split: str, limit: int | None, reuse: bool = False) -> list[dict]:
    """Today's chat reader on the questions of `split` (the first `limit` answerable ones and a
    quarter as many unanswerable ones, at least 3, when limited), cached in CACHE."""
    cached = CACHE / f"chat-{split}.json"
    if reuse and cached.exists():
        items = {q["id"]: q for q in fixture.questions(split)}
        rows = json.loads(cached.read_text())
        for row in rows:  # scored again from the stored answer, so the scoring rule is today's
            row["exact"] = not row["refused"] and contains(row["answer"], items[row["id"]])
        return rows
    rows = ask_rows(fixture, corpus, split, "chat", limit)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(rows, indent=1))
    return rows


def ask_rows(fixture: Fixture, corpus, split: str, reader: str, limit: int | None) -> list[dict]:
    from core.retrieval import qa
    items = fixture.questions(split)
    if limit:
        items = fixture.questions(split, True)[:limit] + fixture.questions(split, False)[:max(3, limit // 4)]
    rows = []
    for item in items:
        started = time.perf_counter()
        answer = qa.answer(corpus, item["question"], k=4, reader=reader)
        seconds = time.perf_counter() - started
        refused = answer.method == "not-found" or qa.DECLINED.search(answer.text or "") is not None
        said = answer.text if reader == "grounded" else answer.text
        rows.append({"id": item["id"], "answerable": item["answer"] is not None, "refused": refused,
                     "exact": not refused and (exact(said, item) if reader == "grounded" else contains(said, item)),
                     "flagged": flagged(answer), "top3": doc_name(item["article"]) in
                     [h.chunk.doc for h in answer.hits[:3]], "seconds": seconds, "answer": answer.text})
    return rows


def summarize_ask(rows: list[dict], marks: bool) -> list:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    refused = (lambda r: r["refused"] or r["flagged"]) if marks else (lambda r: r["refused"])
    right = [r for r in answerable if r["exact"] and not refused(r)]
    return [f"{len(right)}/{len(answerable)} = {len(right) / max(1, len(answerable)):.0%}",
            f"{sum(r['top3'] for r in answerable) / max(1, len(answerable)):.0%}",
            f"{sum(map(refused, unanswerable))}/{len(unanswerable)} = "
            f"{sum(map(refused, unanswerable)) / max(1, len(unanswerable)):.0%}",
            f"{sum(map(refused, answerable))}/{len(answerable)} = {sum(map(refused, answerable)) / max(1, len(answerable)):.0%}",
            f"{statistics.median(r['seconds'] for r in rows):.1f}"]


def summary_rows(fixture: Fixture, limit: int | None, reuse: bool = False) -> dict[bool, list[dict]]:
    """Today's summarizer (faithful=False) and the faithful one, interleaved article by article;
    {faithful: rows}, written to CACHE as it goes."""
    from core.summarize import summarize
    cached = CACHE / "summaries.json"
    if reuse and cached.exists():
        done = {k == "true": v for k, v in json.loads(cached.read_text()).items()}
        return {f: rows[:limit] for f, rows in done.items()}
    out: dict[bool, list[dict]] = {False: [], True: []}
    CACHE.mkdir(parents=True, exist_ok=True)
    for path in fixture.summary_articles[:limit]:
        for faithful in (False, True):
            started = time.perf_counter()
            result = summarize(article(path), max_new_tokens=96, faithful=faithful)
            out[faithful].append({
                "article": path, "clean": result.support["unsupported_facts"] == 0,
                "extractive": result.extractive, "seconds": time.perf_counter() - started,
                "unsupported": [m["text"] for m in result.support["marks"]
                                if m["status"] == "unsupported" and m["kind"] != "word"],
                "summary": result.text, "load": load()})
        cached.write_text(json.dumps({str(f).lower(): rows for f, rows in out.items()}, indent=1))
    return out


def grounded_rows(fixture: Fixture, corpus, split: str, reuse: bool) -> list[dict]:
    """The grounded reader on every question of `split`: the readings (cached by --examine or a
    previous run) decided with the fitted calibration, as qa.answer would."""
    from core.grounding import mark_support
    from core.retrieval import qa, reader
    from core.retrieval.search import search
    readings = examine_split(fixture, corpus, split, CACHE, reuse, _progress)
    cal = reader.calibration()
    rows = []
    for item, reading in readings:
        started = time.perf_counter()
        result = search(corpus, item["question"], qa.READ_PASSAGES, sentences=False)
        searched = time.perf_counter() - started
        reading = reader.decide(reading, cal)
        hits = qa.read_hits(result.hits, 4)
        off_topic = result.top_score < qa.REFUSE_BELOW   # qa.answer refuses these before reading
        answered = reading.answered and not off_topic
        said = reading.best.text if answered else qa.NOT_FOUND
        support = mark_support(said, [h.chunk.text for h in hits], given=item["question"]).to_dict()
        rows.append({"id": item["id"], "answerable": item["answer"] is not None, "refused": not answered,
                     "exact": answered and exact(said, item),
                     "flagged": answered and support["unsupported_facts"] > 0,
                     "top3": doc_name(item["article"]) in [h.chunk.doc for h in result.hits[:3]],
                     "seconds": searched + reading.seconds, "answer": said,
                     "confidence": reading.confidence})
    return rows


def cpu_sample(fixture: Fixture, n: int) -> None:
    """Wall and CPU (process) seconds of qa.answer(reader="grounded") on the first n dev questions:
    on a shared machine the CPU time is what an idle one would take with the same threads."""
    from core.retrieval import qa
    corpus = fixture.corpus()
    qa.answer(corpus, "warm-up: who is the chairman?", reader="grounded")
    walls, cpus = [], []
    for item in fixture.questions("dev")[:n]:
        wall, cpu = time.perf_counter(), time.process_time()
        qa.answer(corpus, item["question"], reader="grounded")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    lines = [f"grounded reader, {n} dev questions, {machine()}, load {load():.1f}: "
             f"wall p50 {statistics.median(walls):.1f} s, CPU p50 {statistics.median(cpus):.1f} s "
             f"(max {max(cpus):.1f} s)"]
    save("grounded-cpu", "\n".join(lines) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.grounded")
    parser.add_argument("--fit", action="store_true", help="fit the reader on the dev split and stop")
    parser.add_argument("--fit-head", action="store_true",
                        help="train the answer head on the dev split (out of fold, then on all of it) and stop")
    parser.add_argument("--examine", choices=["dev", "test"],
                        help="run the grounded reader's model work on a split and cache it (no scoring)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the cached readings and summaries of --examine / --fit / earlier runs")
    parser.add_argument("--chat-limit", type=int, default=None,
                        help="answerable questions per split for today's chat reader (it is slow)")
    parser.add_argument("--summaries", type=int, default=40)
    parser.add_argument("--only-summaries", action="store_true", help="run the summary comparison and stop")
    parser.add_argument("--only-chat", action="store_true", help="run today's chat reader and stop")
    parser.add_argument("--cpu-sample", type=int, default=0,
                        help="time qa.answer on this many dev questions: wall and CPU seconds, then stop")
    args = parser.parse_args(argv)
    fixture = Fixture.load()
    if args.fit_head:
        print(json.dumps(fit_head(fixture, CACHE), indent=1))
        return
    if args.fit:
        fit(fixture, CACHE, args.reuse)
        return
    if args.examine:
        examine_split(fixture, fixture.corpus(), args.examine, CACHE, args.reuse, progress=_progress)
        return
    if args.only_chat:
        corpus = fixture.corpus()
        for split in ("dev", "test"):
            chat_rows(fixture, corpus, split, args.chat_limit)
        return
    if args.cpu_sample:
        cpu_sample(fixture, args.cpu_sample)
        return
    if args.only_summaries:
        summary_rows(fixture, args.summaries)
        return
    started, loads = time.perf_counter(), [load()]
    corpus = fixture.corpus()
    results = {}
    for split in ("dev", "test"):
        results[(split, "grounded")] = grounded_rows(fixture, corpus, split, args.reuse)
        results[(split, "chat")] = chat_rows(fixture, corpus, split, args.chat_limit, args.reuse)
        loads.append(load())
    summaries = summary_rows(fixture, args.summaries, args.reuse)
    loads += [r["load"] for f in summaries for r in summaries[f]]
    header = ["reader", "split", "exact answer", "right source in top 3", "unanswerable refused",
              "answerable refused", "s/answer p50"]
    rows = []
    for split in ("dev", "test"):
        for reader, label in (("chat", "today's chat reader"), ("grounded", "grounded reader")):
            for marks in (False, True):
                rows.append([label + (" + support marks" if marks else ""), split,
                             *summarize_ask(results[(split, reader)], marks)])
    clean = {f: sum(r["clean"] for r in summaries[f]) for f in summaries}
    n = len(summaries[True])
    lines = ["### Grounded answers and faithful summaries on BBC News articles", "",
             f"Machine: {machine()}; load average during the run {min(loads):.1f}–{max(loads):.1f} "
             f"(2 cores shared). Command: `python -m bench.grounded"
             + (f" --chat-limit {args.chat_limit}" if args.chat_limit else "")
             + (f" --summaries {args.summaries}" if args.summaries != 40 else "") + "`.", ""]
    lines += table(header, rows)
    lines += ["", f"| abstractive summaries of the summary articles ({n}) | no unsupported number, date or name "
              "| extractive fallback | s/summary p50 |", "|---|---|---|---|"]
    for faithful, label in ((False, "today's (chat model + prompt)"), (True, "copy-constrained + checked")):
        rows_ = summaries[faithful]
        lines.append(f"| {label} | {clean[faithful]}/{n} = {clean[faithful] / max(1, n):.0%} | "
                     f"{sum(r['extractive'] for r in rows_)}/{n} | "
                     f"{statistics.median(r['seconds'] for r in rows_):.1f} |")
    chat_note = (f"Today's chat reader ran on the first {args.chat_limit} answerable and "
                 f"{max(3, args.chat_limit // 4)} unanswerable questions of each split (it generates, "
                 f"~15 s an answer on an idle machine)." if args.chat_limit else "")
    lines += ["", "Exact answer: the grounded reader's span equals the gold answer or an accepted alternative "
              "after normalisation; for the chat reader, which writes a sentence, the gold answer appears in "
              "it. '+ support marks': an answer flagged for an unsupported number, date or name counts as "
              "not given (refused). Grounded seconds: search + sentence embedding + the chat model's "
              "forward passes. " + chat_note + f" Whole run: {time.perf_counter() - started:.0f} s."]
    save("grounded", "\n".join(lines) + "\n")
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "last-run.json").write_text(json.dumps(
        {"ask": {f"{s}/{r}": v for (s, r), v in results.items()},
         "summaries": {str(k): v for k, v in summaries.items()}}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
