"""Which offline sentiment method is best on real people's text? Every method scored on the same
held-out test split of human-rated sentences (core.sentiment.data_real), once.

    python -m bench.sentiment_methods     # ~20 min when the variants are trained, ~1 h when not

Methods: VADER's lexicon, the earlier adapter (trained on self-written sentences, two classes),
logistic regression on frozen MiniLM embeddings and on the chat model's hidden state, and MiniLM
trained by core.sentiment.train: LoRA on its top 2 layers, all 6 layers fine-tuned on the real data,
and on the real data plus the self-written train.tsv (VARIANTS; trained into the cache when
missing) and the shipped one (core/sentiment/data/minilm-real/), each run through the app's own
Backend. Every choice (C, epochs, temperature, which model ships) is made on validation. Also: occlusion vs integrated gradients on 20 real sentences whose sentiment words were
written down beforehand (bench/data/sentiment_attribution.tsv). Writes
bench/results/sentiment_methods.md and bench/results/sentiment_attribution.md.
"""
import argparse
import csv
import functools
import json
import os
import statistics
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
from core.sentiment.model import (ADAPTER_DIR, EVAL2_TSV, EVAL_TSV, LABELS, MAX_TOKENS,  # noqa: E402
                                  MODEL_DIR, adapter_backend, offline_backend, read_sentences)
from core.sentiment.states import lower_states, split  # noqa: E402

ATTRIBUTION_CHECK = Path(__file__).parent / "data" / "sentiment_attribution.tsv"


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


class Scored:
    """One method's probabilities on every set it is judged on, in LABELS order."""

    def __init__(self, name: str, predict, speed: str = "", ece: str | None = None):
        self.name, self.speed, self.ece = name, speed, ece
        self.probs = {key: predict(texts) for key, (texts, _) in scored_sets().items()}


@functools.cache
def scored_sets() -> dict[str, tuple[list[str], list[str]]]:
    """The sets every method is scored on, {name: (texts, labels)}, read once: the real
    validation split (every choice), the self-written dev part of train.tsv (for the eval.tsv
    target), the real test split, eval.tsv and eval2.tsv (each scored once per model)."""
    real = {name: data_real.load(name) for name in ("validation", "test")}
    return {"validation": ([r.text for r in real["validation"]], [r.label for r in real["validation"]]),
            "self-written dev": train.self_written()["validation"],
            "test": ([r.text for r in real["test"]], [r.label for r in real["test"]]),
            "eval.tsv": read_sentences(EVAL_TSV), "eval2.tsv": read_sentences(EVAL2_TSV)}


def row(method: Scored, self_written: str = "") -> list:
    """`self_written`: "trained" (on all of train.tsv) or "validation" (its 85% trained on and
    the dev part in the validation that chose the epoch and temperature) or ""."""
    labels, rows = {key: y for key, (_, y) in scored_sets().items()}, data_real.load("test")
    test = method.probs["test"]
    dev = f"{metrics.binary_accuracy(method.probs['self-written dev'], labels['self-written dev']):.3f}"
    cells = [f"{metrics.binary_accuracy(method.probs['validation'], labels['validation']):.3f} / "
             f"{metrics.macro_f1(method.probs['validation'], labels['validation']):.3f}",
             {"trained": "(trained on it)", "validation": f"{dev} (in its validation)"}.get(self_written, dev)]
    for source in data_real.SOURCES:
        keep = np.array([r.source == source for r in rows])
        cells.append(f"{metrics.binary_accuracy(test[keep], list(np.array(labels['test'])[keep])):.3f}")
    for name in ("eval.tsv", "eval2.tsv"):
        cells.append(f"{metrics.binary_accuracy(method.probs[name], labels[name]):.3f}")
    overall = metrics.binary_accuracy(test, labels["test"])
    print(f"{method.name}: binary {overall:.3f}", flush=True)
    return [method.name, *cells[:2], f"**{overall:.3f}**", *cells[2:],
            f"{metrics.macro_f1(test, labels['test']):.3f}",
            method.ece if method.ece is not None else f"{metrics.ece(test, labels['test']):.3f}",
            method.speed]


# Variants trained by core.sentiment.train into the cache (trained here when missing, ~10-25 min
# each on 2 cores): folder name -> (the table's name, the training arguments).
VARIANTS = {
    "top2": ("MiniLM, top 2 layers fine-tuned + head, real data, calibrated (shipped first)",
             ["--top-layers", "2", "--real-only"]),
    "lora": ("LoRA (r=8) on MiniLM's top 2 layers + head, real data, calibrated",
             ["--method", "lora", "--top-layers", "2", "--real-only"]),
    "full6": ("MiniLM, all 6 layers fine-tuned + head, real data, calibrated (shipped before)",
              ["--top-layers", "6", "--real-only"]),
    "full6-self-written": ("MiniLM, all 6 layers fine-tuned + head, real data + self-written "
                           "train.tsv, calibrated", ["--top-layers", "6"]),
}


def calibrated_backend(name: str, folder: Path, speed: str = "same network as shipped") -> Scored:
    """A saved model scored through the app's Backend, with ECE on test before -> after its
    temperature."""
    backend = offline_backend(folder)
    temperature, backend.temperature = backend.temperature, 1.0
    if speed == "timed":
        speed = f"{timed_predict(backend, scored_sets()['test'][0])[1]:.0f}"
    raw = Scored(name, backend.probabilities)
    labels = scored_sets()["test"][1]
    calibrated = {key: metrics.softmax(np.log(p), temperature) for key, p in raw.probs.items()}
    raw.ece = f"{metrics.ece(raw.probs['test'], labels):.3f} → {metrics.ece(calibrated['test'], labels):.3f}"
    raw.probs, raw.speed = calibrated, speed   # log p = logits + a constant per row
    backend.temperature = temperature
    return raw


def variant(key: str) -> Scored:
    name, arguments = VARIANTS[key]
    folder = data_real.folder() / "variants" / key
    if not (folder / "meta.json").exists():
        train.main([*arguments, "--out", str(folder)])
    return calibrated_backend(name, folder)


def chat_model_head(train_sentences: int = 3000, validation_sentences: int = 1000) -> Scored:
    """Logistic regression on SmolLM2-135M's mean-pooled last hidden state (the chat model run
    through transformers). Featurising reads ~12 texts/s here, so the head is trained on a
    stratified sample of the training split and C chosen on a sample of validation."""
    from sklearn.model_selection import train_test_split
    found = loader.load("generation")
    model, tokenizer = found.network, found.tokenizer

    def features(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), 32):
                idx = order[start:start + 32]
                batch = tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True,
                                  truncation=True, max_length=128)
                hidden = model.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1)
                out[idx] = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
        return out

    tokenizer.padding_side = "right"
    tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
    rows = data_real.load("train")
    sample, _ = train_test_split(rows, train_size=train_sentences, random_state=data_real.SEED,
                                 stratify=[r.label for r in rows])
    rows = data_real.load("validation")
    held, _ = train_test_split(rows, train_size=validation_sentences, random_state=data_real.SEED,
                               stratify=[r.label for r in rows])
    x, x_val = features([r.text for r in sample]), features([r.text for r in held])
    best = max((LogisticRegression(C=c, max_iter=3000).fit(x, [r.label for r in sample])
                for c in (0.01, 0.1, 1)),
               key=lambda m: metrics.macro_f1(m.predict_proba(x_val), [r.label for r in held]))
    start = time.perf_counter()
    test_texts = scored_sets()["test"][0]
    best.predict_proba(features(test_texts))
    speed = f"{len(test_texts) / (time.perf_counter() - start):.0f}"
    return Scored(f"logistic regression on SmolLM2-135M's mean last hidden state (C={best.C}, "
                  f"{train_sentences} training sentences)",
                  lambda texts: best.predict_proba(features(texts)), speed)


def compare(variants: list[str], chat_head: bool) -> list[list]:
    torch.set_num_threads(2)
    rows = [row(Scored("VADER lexicon (no training)", vader, "–", "–"))]

    old = adapter_backend(ADAPTER_DIR)
    speed = timed_predict(old, scored_sets()["test"][0])[1]
    rows.append(row(Scored("earlier adapter: LoRA on MiniLM, self-written train.tsv, 2 classes",
                           lambda texts: as_three_classes(old.probabilities(texts), old.labels),
                           f"{speed:.0f}"), self_written="trained"))

    top, data = train.prepared(train.RECIPE["top_layers"])
    embedding = loader.load("embedding").model
    bottom, _ = split(embedding[0].auto_model.float().cpu(), train.RECIPE["top_layers"])
    features = {name: train.frozen_features(top, d[0]) for name, d in data.items()}
    best = max((LogisticRegression(C=c, max_iter=3000).fit(features["train"], data["train"][1])
                for c in (0.1, 1, 10)),
               key=lambda m: metrics.macro_f1(m.predict_proba(features["validation"]),
                                              data["validation"][1]))
    rows.append(row(Scored(f"logistic regression on frozen MiniLM (C={best.C}, chosen on validation)",
                           lambda texts: best.predict_proba(train.frozen_features(
                               top, lower_states(bottom, embedding.tokenizer, texts))),
                           "same network as shipped")))
    if chat_head:
        rows.append(row(chat_model_head()))
    recipe = json.loads((MODEL_DIR / "meta.json").read_text())["recipe"]
    for key in variants:
        meta = data_real.folder() / "variants" / key / "meta.json"
        if meta.exists() and json.loads(meta.read_text())["recipe"] == recipe:
            continue  # the shipped model: its row comes last
        rows.append(row(variant(key), "" if "--real-only" in VARIANTS[key][1] else "validation"))

    layers = "all 6 layers" if recipe["top_layers"] == 6 else f"top {recipe['top_layers']} layers"
    data = ", real data + self-written train.tsv" if recipe.get("self_written") else ""
    rows.append(row(calibrated_backend(f"**MiniLM, {layers} fine-tuned + head{data}, calibrated "
                                       f"(shipped)**", MODEL_DIR, "timed"),
                    "validation" if recipe.get("self_written") else ""))
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
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS),
                        help="which trained variants to score (trained first when missing)")
    parser.add_argument("--no-chat-head", action="store_true",
                        help="skip the chat model's hidden-state head (~10 min of featurising)")
    parser.add_argument("--speed", action="store_true",
                        help="only time the shipped model on the test texts (3 rounds; no training, nothing scored)")
    args, _ = parser.parse_known_args(argv)
    if args.speed:
        return speed_only()
    rows = compare(args.variants, chat_head=not args.no_chat_head)
    load = os.getloadavg()[0]
    n = {s: sum(r.source == s and r.label != "neutral" for r in data_real.load("test"))
         for s in data_real.SOURCES}
    write_table("sentiment_methods", "Offline sentiment methods on held-out real sentences",
                ["method", "validation, real: binary / macro-F1 (the choice)",
                 f"self-written dev ({len(train.self_written()['validation'][0])})",
                 "binary accuracy, all real (test)",
                 *[f"{s} ({n[s]})" for s in data_real.SOURCES], "self-written eval.tsv (330)",
                 "self-written eval2.tsv (300)",
                 "3-class macro-F1", "ECE (before → after calibration)", "texts/s"], rows,
                notes=f"Test split of data_real: {len(data_real.load('test'))} sentences, scored once. "
                      "Binary accuracy: positive vs negative with neutral (mean rating within ±"
                      f"{data_real.NEUTRAL_BAND:g}) set aside; per-source columns count those "
                      "sentences. eval.tsv is the project's earlier self-written set (2 classes); "
                      "self-written dev is the 15% of train.tsv that no model here trains on "
                      "(except the earlier adapter, trained on all of it; a model trained with "
                      "train.tsv trains on the rest and chooses its epoch and temperature with it). "
                      "eval2.tsv: 300 sentences written later by a separate author who saw neither eval.tsv "
                      "nor any model. Which model ships was decided by a rule written down before eval2.tsv "
                      "was scored (README, Sentiment). "
                      "ECE: 15 bins, three classes, on test. texts/s: Backend.probabilities in "
                      "batches of 32 on the test texts, 2 threads, load average "
                      f"{load:.1f} at the end.")
    lines = ["### Occlusion vs integrated gradients on 20 real sentences", "",
             f"Machine: {machine()}. Command: `python -m bench.sentiment_methods`.", ""]
    lines += table(["sentence", "expected (written beforehand)", "occlusion: strongest word",
                    "integrated gradients: strongest word"], attribution_check())
    save("sentiment_attribution", "\n".join(lines) + "\n\nA method agrees when its strongest "
         "word is one of the expected words, pushing the expected way (+ positive, − negative).\n")


if __name__ == "__main__":
    main(sys.argv[1:])
