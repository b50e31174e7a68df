"""Fitting the grounded reader on the DEV split of the BBC fixture (`python -m bench.grounded --fit`):
the ranker, the confidence model and the refusal threshold -> core/retrieval/data/reader.json.

  ranker      listwise: a softmax over each question's candidates, fitted to put its mass on the
              right ones (conditional logit, L2-regularised); only the order within a question
              matters, which is all the reader uses it for
  confidence  logistic P(the passages answer the question) from the ranker's softmax, the
              evidence and the chat model's preference for saying there is no answer; fitted to
              tell answerable from unanswerable questions rather than right from wrong best spans,
              because the threshold below is what refuses, and every answerable question it
              refuses, right or wrong, counts against the answerable-refused target
  threshold   the highest confidence that refuses at most MAX_ANSWERABLE_REFUSED of the
              answerable dev questions

Every rate reported is cross-validated over FOLDS folds of whole articles (ranker and confidence
both refitted without the fold), so no dev question is scored by a model fitted on it or on
another question about its article.
"""
import dataclasses
import json
import math
import pickle
import time
from pathlib import Path

import numpy as np

from bench.bbc import Fixture, exact

RANKER = ["lm_total", "lm_mean", "lm_first", "lm_end", "sentence_rank", "cosine", "lexical", "words", "near", "fit",
          "around", "clause", "alone_total", "alone_margin", "unit", "head"]
# around, clause: +3.0 and +3.6 points of CV top-1 on the 199 round-1 questions; unit: best span
# 72.5% -> 73.5% (18 won, 4 lost), unanswerable refused 63.7% -> 64.3% (CV, 1,726 dev questions);
# head (the answer head's score, out of fold): best span 73.2% -> 76.1%, exact and answered 70.2% ->
# 73.3%, unanswerable refused 63.0% -> 66.5% (CV, 2,086 dev questions); in the confidence too
# (the best span's, or the highest): +0 to +1 point, left out
CONFIDENCE = ["prob", "margin", "lm_mean", "cosine", "lexical", "candidates", "gap", "missing", "named", "abstain",
              "alone_margin", "alone_best", "score"]
# named: unanswerable refused at 8% of answerable refused 38% -> 58% (CV, 328 dev questions);
# answerable as the label, then abstain: 42% -> 53% -> 61% (CV, 646 dev questions), exact 70.0% -> 69.9%;
# the alone_ scores (each span given its own sentence only), as ranker and confidence features:
# best span 67.6% -> 68.0%, unanswerable refused 47.3% -> 53.8% (CV, 1,006 dev questions);
# score (the ranker's own score of the best span, not only its share of the softmax), with the prompt
# asking the question first too: unanswerable refused 51.4% -> 53.6% (CV, 1,186 dev questions)
RANKER_L2 = 10.0                # chosen on dev (cross-validated top-1 over 0.1-10)
MAX_ANSWERABLE_REFUSED = 0.08   # on dev, cross-validated: the target is 10% on test
FOLDS = 10                      # cross-validation folds, by article (leaving out one article each took 20 min)


def examine_split(fixture: Fixture, corpus, split: str, cache: Path, reuse: bool = False, progress=print) -> list:
    """Every question of `split` examined by the grounded reader (features, nothing chosen);
    kept in `cache` so that refitting (--fit --reuse) does not run the chat model again. Span
    features that need no model are recomputed, so a cached reading follows today's features;
    a dev candidate's answer head score is the out-of-fold one (head_features)."""
    readings = _examined(fixture, corpus, split, cache, reuse, progress)
    if split == "dev":
        head_features(readings, cache)
    return readings


def _examined(fixture: Fixture, corpus, split: str, cache: Path, reuse: bool, progress) -> list:
    from core.retrieval import qa, reader
    from core.retrieval.search import search
    cached = cache / f"{split}-readings.pkl"
    names = {f.name for f in dataclasses.fields(reader.Reading)}
    done = {}
    if reuse and cached.exists():
        readings = pickle.loads(cached.read_bytes())
        if all(names <= vars(r).keys() for _, r in readings):  # else cached before a field existed
            done = {item["id"]: reading for item, reading in readings}
            for reading in done.values():
                reader.add_span_features(reading)
    out, examined = [], 0
    for item in fixture.questions(split):  # the fixture's item, fields as they are today
        if item["id"] in done:  # only questions added to the split since are examined
            out.append((item, done[item["id"]]))
            continue
        result = search(corpus, item["question"], qa.READ_PASSAGES, sentences=False)
        hits = qa.read_hits(result.hits, 4)
        out.append((item, reader.examine(hits, item["question"], result.query_vector)))
        examined += 1
        if examined % 10 == 0:
            progress(f"examined {examined} {split} questions")
    if examined:
        cache.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(pickle.dumps(out))
    return out


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(axis=0), np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)


def _model(names, weights, bias, mean, scale) -> dict:
    return {"features": names, "weights": list(map(float, weights)), "bias": float(bias),
            "mean": mean.tolist(), "scale": scale.tolist()}


def fit_ranker(readings) -> dict:
    from scipy.optimize import minimize
    groups = []
    for item, reading in readings:
        right = np.array([exact(s.text, item) for s in reading.spans], dtype=bool)
        if right.any():  # a question without a right candidate says nothing about the order
            groups.append((np.array([[s.features[n] for n in RANKER] for s in reading.spans]), right))
    mean, scale = _standardise(np.vstack([x for x, _ in groups]))
    groups = [((x - mean) / scale, right) for x, right in groups]

    def loss(w):
        value, grad = RANKER_L2 * w @ w / 2, RANKER_L2 * w
        for x, right in groups:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            p_right = max(p[right].sum(), 1e-300)
            value -= math.log(p_right)
            grad -= (np.where(right, p, 0.0) / p_right - p) @ x
        return value, grad

    w = minimize(loss, np.zeros(len(RANKER)), jac=True, method="L-BFGS-B").x
    return _model(RANKER, w, 0.0, mean, scale)


def confidence_rows(readings, ranker: dict) -> list[tuple[dict, list[float], bool]]:
    """(item, confidence features, answerable) of every reading with a candidate."""
    from core.retrieval import reader
    rows = []
    for item, reading in readings:
        if reading.spans:
            reader.rank(reading.spans, ranker)
            reading.spans.sort(key=lambda s: -s.score)
            features = reader.reading_features(reading)
            rows.append((item, [features[n] for n in CONFIDENCE], item["answer"] is not None))
    return rows


def fit_confidence(rows) -> dict:
    from sklearn.linear_model import LogisticRegression
    x, y = np.array([r[1] for r in rows]), np.array([r[2] for r in rows])
    mean, scale = _standardise(x)
    model = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y)
    return _model(CONFIDENCE, model.coef_[0], model.intercept_[0], mean, scale)


def cross_validated(readings) -> list[tuple[dict, float, bool]]:
    """(item, confidence, best span right) for every reading, ranker and confidence fitted
    without the fold (one FOLDS-th of the articles) that holds the reading's article."""
    from core.retrieval import reader
    fold = fold_of({item["article"] for item, _ in readings})
    out = []
    for held in range(FOLDS):
        train = [(i, r) for i, r in readings if fold[i["article"]] != held]
        ranker = fit_ranker(train)
        conf = fit_confidence(confidence_rows(train, ranker))
        for item, reading in readings:
            if fold[item["article"]] == held:
                if not reading.spans:
                    out.append((item, 0.0, False))
                    continue
                reader.decide(reading, {"ranker": ranker, "confidence": conf, "refuse_below": 0.0})
                out.append((item, reading.confidence, exact(reading.spans[0].text, item)))
    return out


def fold_of(articles) -> dict[str, int]:
    """{article: its cross-validation fold}: articles in name order, dealt round."""
    return {article: n % FOLDS for n, article in enumerate(sorted(articles))}


def reserved_text():
    """Whether a text is reserved for independent evaluation (never trained on)."""
    from bench._data import reserved
    from core.sentiment.data_real import fingerprint
    fingerprints = reserved()
    return lambda text: fingerprint(text) in fingerprints


def head_features(readings, cache: Path, retrain: bool = False) -> None:
    """The answer head's out-of-fold score of every dev candidate (bench/answer_head.py)."""
    from bench import answer_head
    fold = fold_of({item["article"] for item, _ in readings})
    answer_head.out_of_fold(readings, lambda item: fold[item["article"]], cache / "dev-head.pkl", retrain,
                            reserved_text())


def fit_head(fixture: Fixture, cache: Path) -> dict:
    """The answer head retrained: out of fold for fitting the reader, then on all of dev for the app."""
    from bench import answer_head
    readings = _examined(fixture, fixture.corpus(), "dev", cache, True, print)  # no head scores to read first
    head_features(readings, cache, retrain=True)
    return answer_head.fit_final(readings, reserved_text())


def fit(fixture: Fixture, cache: Path, reuse: bool = False) -> dict:
    from core.retrieval import reader
    started = time.perf_counter()
    readings = examine_split(fixture, fixture.corpus(), "dev", cache, reuse)
    held_out = cross_validated(readings)
    answerable = [c for item, c, _ in held_out if item["answer"] is not None]
    unanswerable = [c for item, c, _ in held_out if item["answer"] is None]
    threshold = float(np.quantile(answerable, MAX_ANSWERABLE_REFUSED, method="lower")) if answerable else 0.0
    ranker = fit_ranker(readings)
    calibration = {
        "fitted_on": "examples/bbc_qa.json, dev split only", "command": "python -m bench.grounded --fit",
        "questions": len(readings), "ranker": ranker, "confidence": fit_confidence(confidence_rows(readings, ranker)),
        "refuse_below": round(threshold, 4),
        "dev_cross_validated": {
            "best_span_right": float(np.mean([right for item, _, right in held_out if item["answer"] is not None])),
            "exact_and_answered": float(np.mean([right and c >= threshold for item, c, right in held_out
                                                 if item["answer"] is not None])),
            "answerable_refused": float(np.mean([c < threshold for c in answerable])),
            "unanswerable_refused": float(np.mean([c < threshold for c in unanswerable])) if unanswerable else None},
        "seconds": round(time.perf_counter() - started, 1)}
    reader.CALIBRATION.parent.mkdir(exist_ok=True)
    reader.CALIBRATION.write_text(json.dumps(calibration, indent=1) + "\n")
    print(json.dumps({k: v for k, v in calibration.items() if k not in ("ranker", "confidence")}, indent=1))
    return calibration
