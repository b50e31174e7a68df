"""Which offline sentiment method is best? Every method scored on the same held-out set.

    python -m bench.sentiment_methods            # all methods; the SmolLM2 ones take most of the time
    python -m bench.sentiment_methods --quick    # without the SmolLM2 methods (about a minute)

Train: core/data/sentiment/train.tsv. Held out: core/data/sentiment/eval.tsv (written apart,
never trained or tuned on: the regularization of every trained method is picked by 5-fold
cross-validation on the training set, and the shipped adapter's recipe is fixed). Speed is the
feature/forward time on the held-out texts, batched, on this machine. Writes
bench/results/sentiment_methods.md; the README's sentiment table is copied from it.
"""
import argparse
import csv
import os
import sys
import time
from collections import defaultdict

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from bench import write_table  # noqa: E402
from core import sentiment  # noqa: E402
from core.runtime import loader  # noqa: E402
from core.sentiment.model import read_sentences  # noqa: E402
from core.sentiment.train import DATA  # noqa: E402

PROTOTYPES = {"positive": ["I loved it, it was wonderful.", "Great, excellent, highly recommended."],
              "negative": ["I hated it, it was terrible.", "Awful, disappointing, a waste of money."]}
QUESTION = "Is the sentiment of this review positive or negative?\nReview: {}"


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def logistic(x_train, y_train):
    """Logistic regression with C picked by 5-fold CV on the training set only."""
    search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
                          {"logisticregression__C": [0.01, 0.03, 0.1, 0.3, 1, 3]}, cv=5)
    return search.fit(x_train, y_train)


# --- features -----------------------------------------------------------------------------

def minilm(texts):
    return loader.load("embedding").model.encode(texts, batch_size=32, normalize_embeddings=True)


def vader(texts):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    analyzer = SentimentIntensityAnalyzer()
    return np.array([[s["compound"], s["pos"], s["neg"], s["neu"]]
                     for s in map(analyzer.polarity_scores, texts)])


def smollm2(texts, batch_size=16):
    """Per text: log P(" positive") - log P(" negative") after the question, and the last
    hidden state at that point (the chat model's own reading of the review)."""
    found = loader.load("generation")
    model, tokenizer = found.model, found.tokenizer
    tokenizer.padding_side = "left"
    pos, neg = (tokenizer.encode(" positive")[0], tokenizer.encode(" negative")[0])
    scores, hidden = [], []
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            prompts = [tokenizer.apply_chat_template(
                [{"role": "user", "content": QUESTION.format(t)}], tokenize=False,
                add_generation_prompt=True) + "The sentiment is" for t in texts[i:i + batch_size]]
            batch = tokenizer(prompts, return_tensors="pt", padding=True).to(model.device)
            out = model(**batch, output_hidden_states=True)
            logp = out.logits[:, -1].float().log_softmax(-1)
            scores.append((logp[:, pos] - logp[:, neg]).cpu().numpy())
            hidden.append(out.hidden_states[-1][:, -1].float().cpu().numpy())
    return np.concatenate(scores), np.concatenate(hidden)


def adapter(texts):
    model = sentiment.backend()
    return model.probabilities(texts)[:, model.labels.index("positive")]


# --- the comparison -------------------------------------------------------------------------

def kinds_of_eval() -> list[str]:
    with open(DATA / "eval.tsv", newline="", encoding="utf-8") as f:
        return [r["kind"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def run(quick: bool) -> list[dict]:
    train_texts, train_labels = read_sentences(DATA / "train.tsv")
    eval_texts, eval_labels = read_sentences(DATA / "eval.tsv")
    y_train = np.array([label == "positive" for label in train_labels], dtype=int)
    y_eval = np.array([label == "positive" for label in eval_labels], dtype=int)
    results = []

    def add(name, trained, positive_prob, seconds, threshold=0.5, shipped=False):
        pred = (np.asarray(positive_prob) >= threshold).astype(int)
        results.append({"method": name, "trained": trained, "pred": pred, "shipped": shipped,
                        "prob": np.asarray(positive_prob, dtype=float),
                        "accuracy": float((pred == y_eval).mean()),
                        "speed": len(eval_texts) / seconds if seconds else None})
        print(f"{name}: {results[-1]['accuracy']:.3f}", flush=True)

    v_eval, s = timed(vader, eval_texts)
    add("VADER lexicon (compound ≥ 0)", "no", (v_eval[:, 0] + 1) / 2, s)

    minilm(eval_texts[:8])  # load and warm up before timing
    e_eval, s_minilm = timed(minilm, eval_texts)
    protos = minilm([p for label in ("negative", "positive") for p in PROTOTYPES[label]])
    centroid = {label: protos[i * 2:(i + 1) * 2].mean(0) for i, label in enumerate(("negative", "positive"))}
    margin = e_eval @ centroid["positive"] - e_eval @ centroid["negative"]
    add("MiniLM cosine to positive/negative prototypes", "no", 1 / (1 + np.exp(-20 * margin)),
        s_minilm)

    e_train = minilm(train_texts)
    fit = logistic(e_train, y_train)
    add(f"logistic regression on MiniLM embeddings (C={fit.best_params_['logisticregression__C']})",
        "train.tsv", fit.predict_proba(e_eval)[:, 1], s_minilm)
    fit = logistic(np.c_[e_train, vader(train_texts)], y_train)
    add("logistic regression on MiniLM embeddings + VADER scores", "train.tsv",
        fit.predict_proba(np.c_[e_eval, v_eval])[:, 1], s_minilm)

    adapter(eval_texts[:8])
    adapter_prob, s_adapter = timed(adapter, eval_texts)
    add("**MiniLM + LoRA adapter, fine-tuned here (shipped)**", "train.tsv", adapter_prob,
        s_adapter, shipped=True)

    if not quick:
        smollm2(eval_texts[:2])
        (score_eval, hidden_eval), s_smol = timed(smollm2, eval_texts)
        add("SmolLM2-135M label scoring, zero-shot", "no", 1 / (1 + np.exp(-score_eval)), s_smol)
        score_train, hidden_train = smollm2(train_texts)
        cut = best_threshold(score_train, y_train)
        add(f"SmolLM2-135M label scoring, threshold fitted on train ({cut:+.2f})", "train.tsv",
            1 / (1 + np.exp(-(score_eval - cut))), s_smol)
        fit = logistic(hidden_train, y_train)
        smol_head = fit.predict_proba(hidden_eval)[:, 1]
        add("logistic regression on SmolLM2-135M hidden state", "train.tsv", smol_head, s_smol)
        add("mean of shipped adapter and SmolLM2 hidden-state head", "train.tsv",
            (adapter_prob + smol_head) / 2, s_smol + s_adapter)
    return results


def mcnemar_p(a_right, b_right) -> float:
    """Exact two-sided McNemar test: could the two methods' accuracy differ by chance alone?"""
    from scipy.stats import binomtest
    only_a, only_b = int((a_right & ~b_right).sum()), int((~a_right & b_right).sum())
    return binomtest(only_a, only_a + only_b).pvalue if only_a + only_b else 1.0


def best_threshold(scores, y):
    candidates = np.sort(scores)
    accuracy = [((scores >= c) == y).mean() for c in candidates]
    return float(candidates[int(np.argmax(accuracy))])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the SmolLM2 methods")
    args, _ = parser.parse_known_args(argv)
    results = run(args.quick)
    kinds = kinds_of_eval()
    names = sorted(set(kinds), key=kinds.index)
    y_eval = np.array([label == "positive" for label in read_sentences(DATA / "eval.tsv")[1]])
    shipped = next(r for r in results if r["shipped"])["pred"] == y_eval
    rows = []
    for r in results:
        right = r["pred"] == y_eval
        by_kind = defaultdict(list)
        for kind, ok in zip(kinds, r["pred"] == y_eval):
            by_kind[kind].append(ok)
        rows.append([r["method"], r["trained"], f"**{r['accuracy']:.3f}**",
                     *[f"{np.mean(by_kind[k]):.2f}" for k in names],
                     f"{r['speed']:.0f}" if r["speed"] else "–",
                     "–" if r["shipped"] else f"{mcnemar_p(right, shipped):.2g}"])
    counts = {k: kinds.count(k) for k in names}
    write_table("sentiment_methods", "Offline sentiment methods on the held-out set",
                ["method", "trained on", f"accuracy ({len(kinds)})",
                 *[f"{k} ({counts[k]})" for k in names], "texts/s", "p vs shipped"], rows,
                notes="Accuracy is the share of the held-out sentences (balanced positive/negative) "
                      "labelled correctly; the kind columns split it by sentence type. texts/s: "
                      "batched feature extraction / forward passes over the held-out texts. p vs shipped: "
                      "exact McNemar test on the same sentences; above 0.05 the difference from the "
                      "shipped method could be chance.")


if __name__ == "__main__":
    main(sys.argv[1:])
