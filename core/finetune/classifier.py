"""A text classifier fine-tuned from the shared embedding model (all-MiniLM-L6-v2), and its training loop.

    model = Classifier("lora", ["sport", "politics"])
    fit(model, examples, epochs=5, report=print, stop=lambda: False)
    model.probabilities(["The match ended 2-1"])          # (1, 2) class probabilities

The classifier is the sentence embedding (unit length) times SCALE through a linear head. The head
starts as the embeddings of the label names, so before training it is the zero-shot classifier
"which label name is the text closest to"; training moves it from there. Two ways to train:
  head   only the head learns; the texts are embedded once by the shared model (seconds)
  lora   LoRA adapters on the encoder's attention and feed-forward layers learn too (peft). The
         encoder is a structural copy of the shared model whose weights are the shared tensors
         themselves (read-only), so a session's model costs only its adapters (~1.3 MB), and the
         model every other tab uses is never changed.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.runtime import loader

SCALE = 20.0               # unit embedding . unit label direction (a cosine) -> logits
METHODS = {"lora": "LoRA adapters + head", "head": "head only (encoder frozen)"}
RECIPES = {"lora": {"lr": 1e-3, "batch_size": 16},   # chosen on dev data: bench/finetune.py
           "head": {"lr": 3e-3, "batch_size": 16}}
DEFAULT_EPOCHS = 10                                   # also chosen on dev data
LORA = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.1,
        "target_modules": ["query", "key", "value", "dense"]}
EVAL_BATCH = 64


def structural_copy(module):
    """A copy of `module` whose parameters and buffers are the original tensors, frozen: new
    modules to add adapters to, no new weights."""
    import copy

    from torch import nn
    memo = {id(p): nn.Parameter(p.detach(), requires_grad=False) for p in module.parameters()}
    memo.update({id(b): b for b in module.buffers()})
    tokenizer = getattr(module, "tokenizer", None)
    if tokenizer is not None:
        memo[id(tokenizer)] = tokenizer
    return copy.deepcopy(module, memo)


class Classifier:
    """Embedding model + linear head; `probabilities` is what core.sentiment's classify calls."""

    def __init__(self, method: str, labels: list[str], seed: int = 0):
        import torch
        from torch import nn
        if method not in METHODS:
            raise ValueError(f"method must be one of {list(METHODS)}")
        embedding = loader.load("embedding")
        self.method, self.labels = method, list(labels)
        self.shared = embedding.model
        self.tokenizer = self.shared.tokenizer
        self.max_tokens = self.shared.max_seq_length
        self.device = self.shared.device
        self.base = embedding.candidate.label
        self.description = f"{self.base} + {METHODS[method]}, fine-tuned in this session"
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.encoder = self.shared if method == "head" else self._with_adapters()
        names = self.shared.encode(self.labels, convert_to_tensor=True, normalize_embeddings=True)
        self.head = nn.Linear(names.shape[1], len(labels), device=self.device)
        with torch.no_grad():
            self.head.weight.copy_(names.float())
            self.head.bias.zero_()

    def _with_adapters(self):
        from peft import LoraConfig, inject_adapter_in_model
        encoder = structural_copy(self.shared)
        inject_adapter_in_model(LoraConfig(**LORA), encoder[0].auto_model)
        for name, p in encoder.named_parameters():
            p.requires_grad_("lora_" in name)
        return encoder.eval()

    def parameters(self) -> list:
        """What training changes: the head, and the adapters for "lora"."""
        adapters = [p for n, p in self.encoder.named_parameters() if "lora_" in n] if self.method == "lora" else []
        return list(self.head.parameters()) + adapters

    def size_bytes(self) -> int:
        return sum(p.numel() * p.element_size() for p in self.parameters())

    def embed(self, texts: list[str], train: bool = False):
        """Unit sentence embeddings (a tensor); with gradients through the adapters when `train`."""
        import torch
        if not train:
            with torch.inference_mode():
                out = self.encoder.encode(texts, batch_size=EVAL_BATCH, convert_to_tensor=True,
                                          normalize_embeddings=True, show_progress_bar=False)
            return out.clone()  # a normal tensor, usable as a training input (head method)
        features = self.encoder.preprocess(texts)
        features = {k: v.to(self.device) if isinstance(v, torch.Tensor) else v for k, v in features.items()}
        return self.encoder(features)["sentence_embedding"]

    def logits(self, embeddings):
        return self.head(embeddings.float() * SCALE)

    def probabilities(self, texts: list[str], batch_size: int = EVAL_BATCH) -> np.ndarray:
        """(len(texts), classes) probabilities."""
        import torch
        if not texts:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        embeddings = self.embed(list(texts))
        with torch.inference_mode():
            return self.logits(embeddings).softmax(-1).cpu().numpy()


# --- training --------------------------------------------------------------------------------

@dataclass
class Point:
    """One point of the training curve."""
    step: int
    epoch: float                  # fractional: 1.5 = half-way through the second epoch
    loss: float | None = None     # training loss of this step's batch
    held_out_accuracy: float | None = None


def accuracy(probs: np.ndarray, labels: list[int]) -> float:
    return float((probs.argmax(-1) == np.asarray(labels)).mean()) if len(labels) else 0.0


def fit(model: Classifier, examples, epochs: int, report: Callable[[Point], None],
        stop: Callable[[], str | None], recipe: dict | None = None, seed: int = 0) -> str:
    """Train `model` on examples.texts/labels for up to `epochs`, reporting a Point per step and
    the held-out accuracy after each epoch. `stop()` is asked before every step; what it returns
    (e.g. "cancelled", "time budget") ends training. Returns why training ended."""
    import torch
    from torch import nn
    recipe = recipe or RECIPES[model.method]
    y = torch.tensor(examples.labels, device=model.device)
    frozen = held = None
    if model.method == "head":  # the encoder does not change: embed everything once
        frozen, held = model.embed(examples.texts), model.embed(examples.held_texts)
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe["lr"], weight_decay=0.01)
    generator = torch.Generator().manual_seed(seed)
    batch, n = recipe["batch_size"], len(examples.texts)
    step, reason = 0, "done"
    model.encoder.train(model.method == "lora")
    try:
        for epoch in range(epochs):
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, batch):
                reason = stop() or reason
                if reason != "done":
                    return reason
                idx = order[start:start + batch]
                embedded = frozen[idx] if frozen is not None else model.embed(
                    [examples.texts[i] for i in idx], train=True)
                loss = nn.functional.cross_entropy(model.logits(embedded), y[idx.to(model.device)])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                step += 1
                report(Point(step, epoch + (start + len(idx)) / n, loss=loss.item()))
            model.encoder.eval()
            with torch.inference_mode():
                probs = (model.logits(held).softmax(-1).cpu().numpy() if held is not None
                         else model.probabilities(examples.held_texts))
            model.encoder.train(model.method == "lora")
            report(Point(step, epoch + 1.0, held_out_accuracy=accuracy(probs, examples.held_labels)))
        return reason
    finally:
        model.encoder.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        del optimizer
