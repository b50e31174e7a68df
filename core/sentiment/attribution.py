"""Which words push a classifier's prediction, two ways:

- occlusion: drop one word at a time and see how much the score moves. Works for any model that
  maps texts to class probabilities; all the occluded copies go through the model as one batch.
- integrated gradients: the gradient of the score along a straight path from a blank sentence
  (every word piece replaced by [PAD]) to the real one, times the distance; word pieces are
  summed into words. Needs the model's insides (an encoder taking `inputs_embeds`, a head).

The score is log P(positive) - log P(negative) when the model has those classes (for logits:
their difference), else the predicted class.
"""
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

PIECES = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|\s+|[^\w\s]|_")  # words, spaces, single symbols
MAX_WORDS = 80
# named strengths for display (gr.HighlightedText categories), strongest first
STRENGTHS = [(0.5, "strongly {}"), (0.15, "{}")]


@dataclass
class Attribution:
    spans: list[tuple[str, float | None]]   # gr.HighlightedText value: score in [-1, 1] or None
    toward: str                              # what a positive score pushes toward
    words: list[tuple[str, float]] = field(default_factory=list)  # raw score per word, text order
    notes: list[str] = field(default_factory=list)

    def categories(self, against: str = "") -> list[tuple[str, str | None]]:
        """Spans labelled by strength and direction ("strongly positive", "negative", ...);
        words with little effect are left plain. `against` names the other direction."""
        against = against or ("negative" if self.toward == "positive" else f"not {self.toward}")
        out = []
        for piece, value in self.spans:
            name = None
            for threshold, pattern in STRENGTHS if value is not None else []:
                if abs(value) >= threshold:
                    name = pattern.format(self.toward if value > 0 else against)
                    break
            out.append((piece, name))
        return merge_unscored(out)

    def strongest(self, n: int = 3) -> list[str]:
        return [w for w, _ in sorted(self.words, key=lambda ws: -abs(ws[1]))[:n]]


def polarity_fn(labels: list[str], predicted: int) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    """The score a word is judged by: log P(positive) - log P(negative) when the model has those
    classes, else log P(predicted class). Log scale, so a word still counts when the prediction
    is already near 100% without it."""
    if "positive" in labels and "negative" in labels:
        pos, neg = labels.index("positive"), labels.index("negative")
        return (lambda p: _log(p[:, pos]) - _log(p[:, neg])), "positive"
    return (lambda p: _log(p[:, predicted])), labels[predicted]


def _log(p: np.ndarray) -> np.ndarray:
    return np.log(np.clip(p, 1e-9, 1.0))


def _words(text: str, max_words: int) -> tuple[list, list[int]]:
    """(the text's pieces as regex matches, indices of the word pieces scored)."""
    pieces = list(PIECES.finditer(text))
    return pieces, [i for i, m in enumerate(pieces) if m.group()[0].isalnum()][:max_words]


def occlusion(text: str, probabilities: Callable[[list[str]], np.ndarray], labels: list[str],
              max_words: int = MAX_WORDS) -> Attribution:
    matches, word_at = _words(text, max_words)
    pieces = [m.group() for m in matches]
    variants = [text] + ["".join(pieces[:i]) + "".join(pieces[i + 1:]) for i in word_at]
    probs = probabilities(variants)
    score, toward = polarity_fn(labels, int(probs[0].argmax()))
    values = score(probs)
    return _attribution(pieces, word_at, values[0] - values[1:], toward, max_words)


def integrated_gradients(text: str, classifier, labels: list[str], max_tokens: int,
                         steps: int = 32, max_words: int = MAX_WORDS) -> Attribution:
    """`classifier`: a core.sentiment.model.SentenceClassifier (encoder, tokenizer, head)."""
    import torch

    from core.sentiment.model import pool
    matches, word_at = _words(text, max_words)
    batch = classifier.tokenizer(text, truncation=True, max_length=max_tokens,
                                 return_offsets_mapping=True, return_tensors="pt")
    offsets = batch.pop("offset_mapping")[0].tolist()
    embed = classifier.encoder.get_input_embeddings()
    with torch.no_grad():
        real = embed(batch["input_ids"])
        blank_ids = batch["input_ids"].clone()
        special = torch.tensor([start == end for start, end in offsets])
        blank_ids[0, ~special] = classifier.tokenizer.pad_token_id
        blank = embed(blank_ids)
    alphas = ((torch.arange(steps) + 0.5) / steps).view(-1, 1, 1).to(real.dtype)  # midpoint rule
    path = (blank + alphas * (real - blank)).requires_grad_(True)
    mask = batch["attention_mask"].expand(steps, -1)
    with torch.enable_grad():
        hidden = classifier.encoder(inputs_embeds=path, attention_mask=mask).last_hidden_state
        logits = classifier.head(pool(hidden, mask))[:, :len(labels)]
        if "positive" in labels and "negative" in labels:
            score = logits[:, labels.index("positive")] - logits[:, labels.index("negative")]
            toward = "positive"
        else:
            predicted = int(logits[-1].argmax())  # the last step of the path is the real text
            score, toward = logits[:, predicted], labels[predicted]
        grads = torch.autograd.grad(score.sum(), path)[0].mean(0)
    per_token = ((real - blank)[0] * grads).sum(-1).detach().float().numpy()
    effect = np.zeros(len(word_at))
    for (start, end), value in zip(offsets, per_token):
        for k, i in enumerate(word_at):
            if start != end and matches[i].start() <= start < matches[i].end():
                effect[k] += value
    return _attribution([m.group() for m in matches], word_at, effect, toward, max_words)


def _attribution(pieces: list[str], word_at: list[int], effect: np.ndarray, toward: str,
                 max_words: int) -> Attribution:
    """`effect` per scored word: > 0 pushes toward `toward`. Spans are scaled to [-1, 1]."""
    scale = float(np.abs(effect).max()) or 1.0
    scored = dict(zip(word_at, effect))
    spans = [(p, round(float(scored[i]) / scale, 4) if i in scored else None)
             for i, p in enumerate(pieces)]
    notes = []
    if len(word_at) == max_words and sum(p[0].isalnum() for p in pieces) > max_words:
        notes.append(f"Only the first {max_words} words were scored.")
    return Attribution(merge_unscored(spans), toward,
                       [(pieces[i], float(scored[i])) for i in word_at], notes)


def merge_unscored(spans: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """Join runs of unscored pieces (spaces, punctuation, words past the limit) into one span."""
    merged: list[tuple[str, object]] = []
    for piece, value in spans:
        if value is None and merged and merged[-1][1] is None:
            merged[-1] = (merged[-1][0] + piece, None)
        else:
            merged.append((piece, value))
    return merged
