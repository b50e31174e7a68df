"""Train the offline sentiment classifier: a LoRA adapter on all-MiniLM-L6-v2 plus a linear head.

    python -m core.sentiment.train            # ~5 min on 2 CPU cores; rewrites core/sentiment/data/minilm-lora/

No fine-tuned sentiment model installs with pip, so the project trains its own on sentences it
wrote (core/sentiment/data/train.tsv) and measures it on a separate held-out set (eval.tsv),
once, after training: the recipe below is fixed, not tuned on the held-out set.
The adapter is small (~1.4 MB); at load time it is merged into a copy of MiniLM, so the
classifier runs at exactly MiniLM's speed. bench/sentiment_methods.py compares it with the
other offline methods.
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
from core.sentiment.model import (ADAPTER_DIR, LABELS, MAX_TOKENS, SentenceClassifier,
                                  read_sentences)

DATA = Path(__file__).parent / "data"
RECIPE = {"lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.1,
          "target_modules": ["query", "key", "value", "dense"],
          "lr": 1e-3, "weight_decay": 0.01, "batch_size": 16, "epochs": 5,
          "train_max_tokens": 128, "seed": 0}


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(recipe: dict = RECIPE, log=print) -> SentenceClassifier:
    from peft import LoraConfig, get_peft_model
    seed_everything(recipe["seed"])
    texts, labels = read_sentences(DATA / "train.tsv")
    y = torch.tensor([LABELS.index(label) for label in labels])
    embedding = loader.load("embedding").model
    base = copy.deepcopy(embedding[0].auto_model).float().cpu()
    encoder = get_peft_model(base, LoraConfig(
        r=recipe["lora_r"], lora_alpha=recipe["lora_alpha"], lora_dropout=recipe["lora_dropout"],
        target_modules=recipe["target_modules"]))
    model = SentenceClassifier(encoder, embedding.tokenizer, nn.Linear(base.config.hidden_size,
                                                                       len(LABELS)))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=recipe["lr"], weight_decay=recipe["weight_decay"])
    start = time.perf_counter()
    for epoch in range(recipe["epochs"]):
        model.train()
        order = torch.randperm(len(texts))
        total = 0.0
        for i in range(0, len(texts), recipe["batch_size"]):
            idx = order[i:i + recipe["batch_size"]]
            logits = model([texts[j] for j in idx], max_tokens=recipe["train_max_tokens"])
            loss = nn.functional.cross_entropy(logits, y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        log(f"epoch {epoch + 1}/{recipe['epochs']}: loss {total / len(texts):.4f} "
            f"({time.perf_counter() - start:.0f} s)")
    return model.eval()


def accuracy(model: SentenceClassifier, path: Path) -> float:
    texts, labels = read_sentences(path)
    with torch.inference_mode():
        probs = torch.cat([model(texts[i:i + 64], max_tokens=MAX_TOKENS).softmax(-1)
                           for i in range(0, len(texts), 64)])
    return float((probs.argmax(-1).numpy() == np.array([LABELS.index(x) for x in labels])).mean())


def save(model: SentenceClassifier, folder: Path, meta: dict) -> None:
    from safetensors.torch import save_file
    folder.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(folder)  # adapter_config.json + adapter_model.safetensors
    tidy_adapter_config(folder, meta["base"])
    save_file({k: v.contiguous() for k, v in model.head.state_dict().items()},
              folder / "head.safetensors")
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def tidy_adapter_config(folder: Path, base: str) -> None:
    """Name the base model by its Hub id rather than this machine's path, and drop the blank
    model card peft writes."""
    config_path = folder / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config["base_model_name_or_path"] = base
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    (folder / "README.md").unlink(missing_ok=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ADAPTER_DIR)
    args = parser.parse_args(argv)
    model = train()
    held_out = accuracy(model, DATA / "eval.tsv")
    n_train = len(read_sentences(DATA / "train.tsv")[0])
    n_eval = len(read_sentences(DATA / "eval.tsv")[0])
    print(f"held-out accuracy: {held_out:.3f} on {n_eval} sentences")
    save(model, args.out, {"labels": LABELS, "base": "sentence-transformers/all-MiniLM-L6-v2",
                           "recipe": RECIPE, "train_sentences": n_train,
                           "eval_sentences": n_eval, "eval_accuracy": round(held_out, 4)})
    print(f"saved to {args.out}")


if __name__ == "__main__":
    main()
