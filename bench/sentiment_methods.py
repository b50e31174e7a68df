"""Which offline sentiment method is best on real people's text? Every method scored on the same
held-out test split of human-rated sentences (core.sentiment.data_real), once.

    python -m bench.sentiment_methods            # ~30 min on 2 busy cores (trains the LoRA variant)

Methods: VADER's lexicon, the earlier adapter (trained on self-written sentences, two classes),
logistic regression on frozen MiniLM embeddings, LoRA on MiniLM's top 2 layers, and full
fine-tuning of MiniLM's top 2 layers (shipped; read from core/sentiment/data/minilm-real/ and run
through the app's own Backend). Every choice (C, epochs, temperature) is made on the validation
split. Also: occlusion vs integrated gradients on 20 real sentences whose sentiment words were
written down beforehand (bench/data/sentiment_attribution.tsv). Writes
bench/results/sentiment_methods.md and bench/results/sentiment_attribution.md.
"""
import argparse
import statistics
import csv
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from bench import machine, save, table, write_table  # noqa: E402
from core.runtime import loader  # noqa: E402
from core.sentiment import data_real, metrics, train  # noqa: E402
from core.sentiment.attribution import integrated_gradients, occlusion  # noqa: E402
from core.sentiment.model import (ADAPTER_DIR, EVAL_TSV, LABELS, MAX_TOKENS,  # noqa: E402
                                  MODEL_DIR, adapter_backend, offline_backend, read_sentences)
from core.sentiment.states import lower_states, split  # noqa: E402

ATTRIBUTION_CHECK = Path(__file__).parent / "data" / "sentiment_attribution.tsv"
COLUMNS = [*data_real.SOURCES, "eval.tsv"]


def as_three_classes(probs: np.ndarray, labels: list[str]) -> np.ndarray:
    """A two-class model's probabilities with neutral at 0, in LABELS order."""
    return np.stack([probs[:, labels.index(c)] if c in labels else np.zeros(len(probs))
                     for c in LABELS], 1)


def vader(texts: list[str]) -> np.ndarray:
    """One-hot by VADER's own thresholds (compound >= 0.05 positive, <= -0.05 negative)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    analyzer = SentimentIntensityAnalyzer()
    compound = np.array([analyzer.polarity_scores(t)["compound"] for t in texts])
    return np.stack([compound <= -0.05, np.abs(compound) < 0.05, compound >= 0.05], 1).astype(float)


def timed_predict(backend, texts: list[str]) -> tuple[np.ndarray, float]:
    backend.probabilities(texts[:32])  # warm up
    start = time.perf_counter()
    probs = backend.probabilities(texts, 32)
    return probs, len(texts) / (time.perf_counter() - start)


def row(name: str, test: np.ndarray, eval_tsv: np.ndarray, split_rows, eval_labels,
        speed: str = "", ece: str | None = None) -> list:
    labels = [r.label for r in split_rows]
    cells = []
    for source in data_real.SOURCES:
        keep = np.array([r.source == source for r in split_rows])
        cells.append(f"{metrics.binary_accuracy(test[keep], list(np.array(labels)[keep])):.3f}")
    cells.append(f"{metrics.binary_accuracy(eval_tsv, eval_labels):.3f}")
    overall = metrics.binary_accuracy(test, labels)
    print(f"{name}: binary {overall:.3f}", flush=True)
    return [name, f"**{overall:.3f}**", *cells, f"{metrics.macro_f1(test, labels):.3f}",
            ece if ece is not None else f"{metrics.ece(test, labels):.3f}", speed]


def compare(lora: bool) -> list[list]:
    torch.set_num_threads(2)
    split_rows = data_real.load("test")
    test_texts = [r.text for r in split_rows]
    eval_texts, eval_labels = read_sentences(EVAL_TSV)
    rows = [row("VADER lexicon (no training)", vader(test_texts), vader(eval_texts), split_rows,
                eval_labels, "–", "–")]

    old = adapter_backend(ADAPTER_DIR)
    old_test, speed = timed_predict(old, test_texts)
    rows.append(row("earlier adapter: LoRA on MiniLM, self-written train.tsv, 2 classes",
                    as_three_classes(old_test, old.labels),
                    as_three_classes(old.probabilities(eval_texts), old.labels), split_rows,
                    eval_labels, f"{speed:.0f}"))

    top, data = train.prepared(train.RECIPE["top_layers"])
    embedding = loader.load("embedding").model
    bottom, _ = split(embedding[0].auto_model.float().cpu(), train.RECIPE["top_layers"])
    eval_states = lower_states(bottom, embedding.tokenizer, eval_texts)
    features = {name: train.frozen_features(top, d[0]) for name, d in data.items()}
    eval_features = train.frozen_features(top, eval_states)
    best = max((LogisticRegression(C=c, max_iter=3000).fit(features["train"], data["train"][1])
                for c in (0.1, 1, 10)),
               key=lambda m: metrics.macro_f1(m.predict_proba(features["validation"]),
                                              data["validation"][1]))
    rows.append(row(f"logistic regression on frozen MiniLM (C={best.C}, chosen on validation)",
                    best.predict_proba(features["test"]), best.predict_proba(eval_features),
                    split_rows, eval_labels, "same network as shipped"))

    if lora:
        recipe = dict(train.RECIPE, method="lora")
        model, _ = train.fit(top, data["train"], data["validation"], recipe)
        temperature = train.calibrated(model, data["validation"])[0]
        test_logits, eval_logits = (train.outputs(model, s)[:, :len(LABELS)]
                                    for s in (data["test"][0], eval_states))
        calibrated = metrics.softmax(test_logits, temperature)
        ece = (f"{metrics.ece(metrics.softmax(test_logits), data['test'][1]):.3f} → "
               f"{metrics.ece(calibrated, data['test'][1]):.3f}")
        rows.append(row("LoRA (r=8) on MiniLM's top 2 layers + head, calibrated", calibrated,
                        metrics.softmax(eval_logits, temperature), split_rows, eval_labels,
                        "same network as shipped", ece))

    shipped = offline_backend(MODEL_DIR)
    temperature, shipped.temperature = shipped.temperature, 1.0
    raw, speed = timed_predict(shipped, test_texts)
    calibrated = metrics.softmax(np.log(raw), temperature)  # log p = logits + a constant per row
    shipped.temperature = temperature
    labels = [r.label for r in split_rows]
    rows.append(row("**MiniLM, top 2 layers fine-tuned + head, calibrated (shipped)**",
                    calibrated, shipped.probabilities(eval_texts), split_rows, eval_labels,
                    f"{speed:.0f}", f"{metrics.ece(raw, labels):.3f} → {metrics.ece(calibrated, labels):.3f}"))
    shipped.logits_fn.encoder = torch.ao.quantization.quantize_dynamic(
        shipped.logits_fn.encoder, {torch.nn.Linear}, dtype=torch.qint8)
    int8, speed = timed_predict(shipped, test_texts)
    rows.append(row("the same, int8 dynamic quantization (not shipped)", int8,
                    shipped.probabilities(eval_texts), split_rows, eval_labels, f"{speed:.0f}"))
    return rows


def attribution_check() -> list[list]:
    """Per method: on how many of the 20 sentences is the strongest word one the reader wrote
    down beforehand, with the sign they expected."""
    by_id = {(r.source, r.id): r.text for name in data_real.SPLITS for r in data_real.load(name)}
    with open(ATTRIBUTION_CHECK, newline="", encoding="utf-8") as f:
        cases = list(csv.DictReader(f, delimiter="\t"))
    backend = offline_backend(MODEL_DIR)
    methods = {"occlusion": lambda t: occlusion(t, backend.probabilities, backend.labels),
               "integrated gradients": lambda t: integrated_gradients(
                   t, backend.logits_fn, backend.labels, MAX_TOKENS)}
    agree = {name: 0 for name in methods}
    rows = []
    for case in cases:
        text = by_id[(case["source"], case["id"])]
        expected = dict(item.rsplit(":", 1) for item in case["expected"].split())
        found = []
        for name, method in methods.items():
            word, value = max(method(text).words, key=lambda wv: abs(wv[1]))
            ok = expected.get(word.lower()) == ("+" if value > 0 else "-")
            agree[name] += ok
            found.append(f"{word} ({'+' if value > 0 else '−'}){' ✓' if ok else ''}")
        rows.append([text, case["expected"], *found])
    rows.append(["**agreeing with the reader**", "", *[f"**{n} / {len(cases)}**" for n in agree.values()]])
    return rows


def speed_only(rounds: int = 3) -> None:
    """texts/s of the shipped model alone, as in the table's last column, with the load average."""
    texts = [r.text for r in data_real.load("test")]
    backend = offline_backend(MODEL_DIR)
    rates = [timed_predict(backend, texts)[1] for _ in range(rounds)]
    lines = [f"Machine: {machine()}. Command: `python -m bench.sentiment_methods --speed`.", "",
             f"Shipped model, Backend.probabilities in batches of 32 on the {len(texts)} test texts: "
             f"{statistics.median(rates):.0f} texts/s (median of {rounds} rounds: "
             f"{', '.join(f'{r:.0f}' for r in rates)}), load average {os.getloadavg()[0]:.1f}."]
    save("sentiment_speed", "\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lora", action="store_true", help="skip training the LoRA variant")
    parser.add_argument("--speed", action="store_true",
                        help="only time the shipped model on the test texts (3 rounds; no training, nothing scored)")
    args, _ = parser.parse_known_args(argv)
    if args.speed:
        return speed_only()
    rows = compare(lora=not args.no_lora)
    load = os.getloadavg()[0]
    n = {s: sum(r.source == s and r.label != "neutral" for r in data_real.load("test"))
         for s in data_real.SOURCES}
    write_table("sentiment_methods", "Offline sentiment methods on held-out real sentences",
                ["method", "binary accuracy, all real (test)",
                 *[f"{s} ({n[s]})" for s in data_real.SOURCES], "self-written eval.tsv (330)",
                 "3-class macro-F1", "ECE (before → after calibration)", "texts/s"], rows,
                notes=f"Test split of data_real: {len(data_real.load('test'))} sentences, scored once. "
                      "Binary accuracy: positive vs negative with neutral (mean rating within ±"
                      f"{data_real.NEUTRAL_BAND:g}) set aside; per-source columns count those "
                      "sentences. eval.tsv is the project's earlier self-written set (2 classes). "
                      "ECE: 15 bins, three classes. texts/s: Backend.probabilities in batches of 32 "
                      f"on the test texts, 2 threads, load average {load:.1f} while measured.")
    lines = ["### Occlusion vs integrated gradients on 20 real sentences", "",
             f"Machine: {machine()}. Command: `python -m bench.sentiment_methods`.", ""]
    lines += table(["sentence", "expected (written beforehand)", "occlusion: strongest word",
                    "integrated gradients: strongest word"], attribution_check())
    save("sentiment_attribution", "\n".join(lines) + "\n\nA method agrees when its strongest "
         "word is one of the expected words, pushing the expected way (+ positive, − negative).\n")


if __name__ == "__main__":
    main(sys.argv[1:])
