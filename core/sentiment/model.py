"""The two kinds of sentiment classifier, behind one `Backend`: texts in, a probability per class out.

- Hub: a fine-tuned AutoModelForSequenceClassification (labels from `config.id2label`).
- Offline: all-MiniLM-L6-v2 fine-tuned (all 6 layers) on real human-rated sentences,
  mean-pooled, and a linear head giving three class logits and the rating (trained by
  core/sentiment/train.py; files in core/sentiment/data/minilm-real/). Its probabilities are
  divided by a temperature fitted on the validation split (calibration).
- The earlier offline model, a LoRA adapter trained on sentences written here (two classes;
  core/sentiment/data/minilm-lora/), is kept for comparison (bench/sentiment_methods.py).
"""
import copy
import csv
import json
import re
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.errors import ModelUnavailable
from core.runtime import loader

LABELS = ["negative", "neutral", "positive"]   # the offline classifier's classes, in logit order
MODEL_DIR = Path(__file__).parent / "data" / "minilm-real"
ADAPTER_DIR = Path(__file__).parent / "data" / "minilm-lora"   # the earlier self-written-data model
EVAL_TSV = Path(__file__).parent / "data" / "eval.tsv"         # 330 sentences written here, 2 classes
EVAL2_TSV = Path(__file__).parent / "data" / "eval2.tsv"       # 300 more, written later by another author
RATING_SCALE = 4.0                         # the head's last output x 4 = the mean rating, -4..+4
MAX_TOKENS = 256                           # all-MiniLM-L6-v2 reads at most 256 word pieces
POOLED_SCALE = 10.0                        # unit-length embedding x 10 -> logits of a useful range


def read_sentences(path: Path) -> tuple[list[str], list[str]]:
    """(texts, labels) from a labelled TSV with `label` and `text` columns."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["text"] for r in rows], [r["label"] for r in rows]


class SentenceClassifier(nn.Module):
    """Encoder -> mean pooling over real tokens -> unit length -> linear head."""

    def __init__(self, encoder: nn.Module, tokenizer, head: nn.Linear):
        super().__init__()
        self.encoder, self.tokenizer, self.head = encoder, tokenizer, head

    def forward(self, texts: list[str], max_tokens: int = MAX_TOKENS) -> torch.Tensor:
        device = self.head.weight.device
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=max_tokens,
                               return_tensors="pt").to(device)
        hidden = self.encoder(**batch).last_hidden_state
        return self.head(pool(hidden, batch["attention_mask"]))


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean over real tokens, unit length, x POOLED_SCALE."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
    return nn.functional.normalize(pooled, dim=-1) * POOLED_SCALE


class Backend:
    """Batched probabilities for one classifier, plus what the UI says about it."""

    def __init__(self, logits_fn, tokenizer, labels: list[str], max_tokens: int, description: str,
                 temperature: float = 1.0, rating_scale: float | None = None):
        """`logits_fn` gives one logit per label, then (when `rating_scale` is set) one more
        column: the rating / rating_scale."""
        self.logits_fn, self.tokenizer, self.labels = logits_fn, tokenizer, labels
        self.max_tokens, self.description = max_tokens, description
        self.temperature, self.rating_scale = temperature, rating_scale

    def predict(self, texts: list[str], batch_size: int = 32) -> tuple[np.ndarray, np.ndarray | None]:
        """(probabilities (len(texts), classes), ratings or None). Texts are run in length-sorted
        batches (little padding), then put back in their order."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        n = len(self.labels)
        probs = np.zeros((len(texts), n), dtype=np.float32)
        ratings = np.zeros(len(texts), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                out = self.logits_fn([texts[i] for i in idx]).float()
                probs[idx] = (out[:, :n] / self.temperature).softmax(-1).cpu().numpy()
                if self.rating_scale:
                    ratings[idx] = out[:, n].cpu().numpy() * self.rating_scale
        return probs, (ratings if self.rating_scale else None)

    def probabilities(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return self.predict(texts, batch_size)[0]


def hub_labels(id2label: dict) -> list[str]:
    """Class names from a model config, made readable: LABEL_0/1(/2) -> negative/(neutral/)positive."""
    names = [str(id2label[i]).strip().lower() for i in range(len(id2label))]
    if all(re.fullmatch(r"label_\d+", n) for n in names):
        return {2: ["negative", "positive"], 3: ["negative", "neutral", "positive"]}.get(
            len(names), names)
    short = {"pos": "positive", "neg": "negative", "neu": "neutral"}
    return [short.get(n[:3], n) if n[:3] in short else n for n in names]


def hub_backend(found: loader.Loaded) -> Backend:
    model, tokenizer = found.model, found.tokenizer
    device = next(model.parameters()).device
    max_tokens = min(getattr(tokenizer, "model_max_length", 512) or 512,
                     getattr(model.config, "max_position_embeddings", 512) or 512, 512)

    def logits(texts):
        batch = tokenizer(texts, padding=True, truncation=True, max_length=max_tokens,
                          return_tensors="pt").to(device)
        return model(**batch).logits

    return Backend(logits, tokenizer, hub_labels(model.config.id2label), max_tokens,
                   found.describe())


def _head(path: Path, like: nn.Module) -> nn.Linear:
    from safetensors.torch import load_file
    weights = load_file(str(path))
    head = nn.Linear(weights["weight"].shape[1], weights["weight"].shape[0])
    head.load_state_dict(weights)
    return head.to(device=like.device, dtype=like.dtype)


def offline_backend(folder: Path = MODEL_DIR) -> Backend:
    """A copy of MiniLM (the shared embedding model stays untouched) with its layers replaced by
    the fine-tuned ones (all 6, or the top ones a variant trained), the trained head and the
    fitted temperature."""
    from safetensors.torch import load_file
    if not (folder / "top_layers.safetensors").exists():
        raise ModelUnavailable(f"The offline sentiment model is missing from {folder}; "
                               f"train it with `python -m core.sentiment.train`.")
    embedding = loader.load("embedding")
    encoder = copy.deepcopy(embedding.model[0].auto_model).eval()
    top = load_file(str(folder / "top_layers.safetensors"))
    unexpected = encoder.load_state_dict({k: v.to(encoder.dtype) for k, v in top.items()},
                                         strict=False).unexpected_keys
    if unexpected:
        raise ModelUnavailable(f"{folder} does not fit all-MiniLM-L6-v2: {unexpected[:3]}")
    model = SentenceClassifier(encoder, embedding.model.tokenizer,
                               _head(folder / "head.safetensors", encoder)).eval()
    meta = json.loads((folder / "meta.json").read_text())
    extra = " (and sentences written here)" if meta["recipe"].get("self_written") else ""
    description = (f"all-MiniLM-L6-v2 fine-tuned here on real human-rated reviews and tweets{extra}: "
                   f"{meta['test']['binary_accuracy']:.0%} positive-vs-negative accuracy on "
                   f"held-out real sentences; 3 classes, calibrated · method · "
                   f"{embedding.placement or ''}")
    return Backend(model, embedding.model.tokenizer, meta["labels"], MAX_TOKENS, description,
                   temperature=meta["temperature"], rating_scale=meta["rating_scale"])


def adapter_backend(folder: Path = ADAPTER_DIR) -> Backend:
    """The earlier offline model, kept for comparison: MiniLM (copied) with the LoRA adapter
    trained on self-written sentences merged in, and its two-class head."""
    from peft import PeftModel
    if not (folder / "adapter_model.safetensors").exists():
        raise ModelUnavailable(f"The earlier sentiment adapter is missing from {folder}.")
    embedding = loader.load("embedding")
    base = copy.deepcopy(embedding.model[0].auto_model)
    encoder = PeftModel.from_pretrained(base, str(folder)).merge_and_unload().eval()
    model = SentenceClassifier(encoder, embedding.model.tokenizer,
                               _head(folder / "head.safetensors", base)).eval()
    meta = json.loads((folder / "meta.json").read_text())
    description = (f"all-MiniLM-L6-v2 + sentiment adapter trained on self-written sentences "
                   f"({meta['eval_accuracy']:.0%} on {meta['eval_sentences']} of them)")
    return Backend(model, embedding.model.tokenizer, meta["labels"], MAX_TOKENS, description)
