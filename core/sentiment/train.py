"""Train the offline sentiment classifier on real human-rated sentences (and the project's own
train.tsv): all-MiniLM-L6-v2 fine-tuned (all 6 layers by default), a head giving three class
logits and the rating, and a temperature.

    python -m core.sentiment.train            # ~20 min on 2 busy CPU cores; rewrites core/sentiment/data/minilm-real/
    python -m core.sentiment.train --top-layers 2 --out DIR      # only the top 2 layers (the lower 4 frozen)
    python -m core.sentiment.train --real-only --out DIR         # without the sentences written here
    python -m core.sentiment.train --method lora --top-layers 2 --out DIR   # LoRA (r=8) instead

Data: core.sentiment.data_real (Rotten Tomatoes, Amazon and tweet snippets rated by people,
reserved sentences removed; train / validation / test) and, unless --real-only, the project's
own train.tsv (two classes, no rating: only the class loss counts for them), 85% added to train
and 15% to validation, stratified; its eval.tsv and eval2.tsv are never trained or chosen on. Frozen lower
layers (if any) run once per sentence (core.sentiment.states); the layers trained and the head
learn from class cross-entropy plus the squared error of the rating. Every choice (the epoch
kept, the temperature) is made on the validation split; the test split is scored once, at the
end. Deterministic: fixed seeds and data order. Only what changed is saved: the trained layers
(fp16; 21 MB for all 6) and the head; at load time they replace those layers of a copy of MiniLM.
"""
import argparse
import copy
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.runtime import loader
from core.sentiment import data_real, metrics
from core.sentiment.model import LABELS, MODEL_DIR, RATING_SCALE, pool, read_sentences
from core.sentiment.states import batches, collate, lower_states, split

RECIPE = {"method": "finetune", "top_layers": 6, "lr": 1e-4, "head_lr": 1e-3,
          "weight_decay": 0.01, "batch_size": 32, "epochs": 2, "rating_weight": 1.0, "seed": 0,
          "self_written": True}
SELF_WRITTEN = Path(__file__).parent / "data" / "train.tsv"   # 692 sentences written here, 2 classes
LORA = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.1,
        "target_modules": ["query", "key", "value", "dense"]}
BASE = "sentence-transformers/all-MiniLM-L6-v2"


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class TopClassifier(nn.Module):
    """The top layers and the head, reading cached lower-layer states."""

    def __init__(self, top: nn.Module, head: nn.Linear):
        super().__init__()
        self.top, self.head = top, head

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = self.top(inputs_embeds=hidden, attention_mask=mask).last_hidden_state
        return self.head(pool(out, mask))


def outputs(model: nn.Module, states: list[torch.Tensor], batch_size: int = 128) -> np.ndarray:
    """`model` run over cached states in length-sorted batches, rows back in order. For a
    TopClassifier: (n, classes + 1), the class logits, then rating / RATING_SCALE."""
    order = sorted(range(len(states)), key=lambda i: len(states[i]))
    out = None
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            rows = model(*collate([states[i] for i in idx])).numpy()
            out = np.zeros((len(states), rows.shape[1]), dtype=np.float32) if out is None else out
            out[idx] = rows
    return out


def frozen_features(top: nn.Module, states: list[torch.Tensor]) -> np.ndarray:
    """Plain MiniLM sentence embeddings (the top layers untrained) from the cached states."""
    return outputs(TopClassifier(top, nn.Identity()), states)


def fit(top: nn.Module, train: tuple, validation: tuple, recipe: dict = RECIPE,
        log=print) -> tuple[TopClassifier, list[dict]]:
    """Train `top` (a copy) and a new head; keep the epoch with the best validation macro-F1.
    `train`/`validation`: (states, labels, ratings). Returns (model, per-epoch validation scores)."""
    seed_everything(recipe["seed"])
    top = copy.deepcopy(top).float()
    if recipe["method"] == "lora":
        from peft import LoraConfig, get_peft_model
        top = get_peft_model(top, LoraConfig(**LORA))
    model = TopClassifier(top, nn.Linear(384, len(LABELS) + 1))
    head_params = list(model.head.parameters())
    top_params = [p for p in model.top.parameters() if p.requires_grad]
    lr = recipe["lr"] if recipe["method"] == "finetune" else recipe["head_lr"]
    optimizer = torch.optim.AdamW([{"params": top_params, "lr": lr},
                                   {"params": head_params, "lr": recipe["head_lr"]}],
                                  weight_decay=recipe["weight_decay"])
    states, labels, ratings = train
    y = torch.tensor([LABELS.index(label) for label in labels])
    target = torch.tensor(ratings, dtype=torch.float32) / RATING_SCALE
    generator = torch.Generator().manual_seed(recipe["seed"])
    lengths = [len(s) for s in states]
    history, best, start = [], None, time.perf_counter()
    for epoch in range(recipe["epochs"]):
        model.train()
        for idx in batches(lengths, recipe["batch_size"], generator):
            out = model(*collate([states[i] for i in idx]))
            rated = ~target[idx].isnan()  # self-written sentences have a class but no rating
            loss = nn.functional.cross_entropy(out[:, :len(LABELS)], y[idx])
            if rated.any():
                loss = loss + recipe["rating_weight"] * nn.functional.mse_loss(
                    out[rated, -1], target[idx][rated])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        probs = metrics.softmax(outputs(model, validation[0])[:, :len(LABELS)])
        history.append({"epoch": epoch + 1, **metrics.scores(probs, validation[1])})
        log(f"epoch {epoch + 1}: validation {history[-1]} ({time.perf_counter() - start:.0f} s)")
        if best is None or history[-1]["macro_f1"] > best[0]:
            best = (history[-1]["macro_f1"], copy.deepcopy(model.state_dict()))
    model.load_state_dict(best[1])
    if recipe["method"] == "lora":
        model.top = model.top.merge_and_unload()
    return model.eval(), history


def self_written() -> dict[str, tuple[list[str], list[str]]]:
    """The project's own train.tsv split 85 / 15 into {"train", "validation"}: (texts, labels),
    without any sentence the shared holdout file reserves."""
    from sklearn.model_selection import train_test_split
    reserved = data_real.holdout_fingerprints()
    texts, labels = zip(*[(t, y) for t, y in zip(*read_sentences(SELF_WRITTEN))
                          if data_real.fingerprint(t) not in reserved])
    train, validation = train_test_split(list(zip(texts, labels)), test_size=0.15,
                                         random_state=data_real.SEED, stratify=labels)
    return {name: ([t for t, _ in part], [y for _, y in part])
            for name, part in (("train", train), ("validation", validation))}


def prepared(top_layers: int, with_self_written: bool = False,
             log=print) -> tuple[nn.Module, dict[str, tuple]]:
    """(the untrained top layers, {split: (cached states, labels, ratings)}); self-written
    sentences, when added, have the rating NaN."""
    torch.set_num_threads(2)
    embedding = loader.load("embedding").model
    bottom, top = split(embedding[0].auto_model.float().cpu(), top_layers)
    extra = self_written() if with_self_written else {}
    data = {}
    for name in data_real.SPLITS:
        rows = data_real.load(name)
        texts, labels = extra.get(name, ([], []))
        states = lower_states(bottom, embedding.tokenizer, [r.text for r in rows] + texts, log=log)
        data[name] = (states, [r.label for r in rows] + labels,
                      [r.rating for r in rows] + [float("nan")] * len(texts))
    return top, data


def calibrated(model: TopClassifier, validation: tuple) -> tuple[float, dict, dict]:
    """(temperature, validation scores before, after)."""
    logits = outputs(model, validation[0])[:, :len(LABELS)]
    temperature = metrics.fit_temperature(logits, validation[1])
    return (temperature, metrics.scores(metrics.softmax(logits), validation[1]),
            metrics.scores(metrics.softmax(logits, temperature), validation[1]))


def save(model: TopClassifier, folder: Path, top_layers: int, meta: dict) -> None:
    """The top layers under the names they have in the full MiniLM, fp16; the head; meta."""
    from safetensors.torch import save_file
    first = 6 - top_layers  # all-MiniLM-L6-v2 has 6 layers
    weights = {}
    for name, value in model.top.encoder.state_dict().items():
        number, rest = name.split(".", 2)[1:]
        weights[f"encoder.layer.{first + int(number)}.{rest}"] = value.half().contiguous()
    folder.mkdir(parents=True, exist_ok=True)
    save_file(weights, folder / "top_layers.safetensors")
    save_file({k: v.contiguous() for k, v in model.head.state_dict().items()},
              folder / "head.safetensors")
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--top-layers", type=int, default=RECIPE["top_layers"], choices=range(1, 7),
                        help="how many of MiniLM's 6 layers are fine-tuned (6: all of them)")
    parser.add_argument("--method", choices=("finetune", "lora"), default=RECIPE["method"],
                        help="train the top layers in full, or LoRA adapters merged into them")
    parser.add_argument("--real-only", action="store_true",
                        help="leave out core/sentiment/data/train.tsv (written here): real data only")
    args = parser.parse_args(argv)
    recipe = dict(RECIPE, method=args.method, top_layers=args.top_layers,
                  self_written=not args.real_only)
    start = time.perf_counter()
    top, data = prepared(recipe["top_layers"], recipe["self_written"])
    model, history = fit(top, data["train"], data["validation"], recipe)
    temperature, before, after = calibrated(model, data["validation"])
    print(f"temperature {temperature:.3f}; validation ECE {before['ece']:.3f} -> {after['ece']:.3f}")
    test_probs = metrics.softmax(outputs(model, data["test"][0])[:, :len(LABELS)], temperature)
    test = metrics.scores(test_probs, data["test"][1])
    print(f"test (scored once): {test}")
    meta = {"labels": LABELS, "base": BASE, "recipe": recipe, "temperature": round(temperature, 4),
            "neutral_band": data_real.NEUTRAL_BAND, "rating_scale": RATING_SCALE,
            "sentences": {name: len(d[1]) for name, d in data.items()}, "epochs": history,
            "validation_before_calibration": before, "validation": after, "test": test,
            "train_seconds": round(time.perf_counter() - start)}
    save(model, args.out, recipe["top_layers"], meta)
    print(f"saved to {args.out} in {meta['train_seconds']} s")


if __name__ == "__main__":
    main()
