"""Which words push a classifier's prediction, by occlusion: drop one word at a time and see how
much the score moves. Works for any model that maps texts to class probabilities; all the
occluded copies go through the model as one batch.
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


def occlusion(text: str, probabilities: Callable[[list[str]], np.ndarray], labels: list[str],
              max_words: int = MAX_WORDS) -> Attribution:
    pieces = [m.group() for m in PIECES.finditer(text)]
    word_at = [i for i, p in enumerate(pieces) if p[0].isalnum()][:max_words]
    variants = [text] + ["".join(pieces[:i]) + "".join(pieces[i + 1:]) for i in word_at]
    probs = probabilities(variants)
    score, toward = polarity_fn(labels, int(probs[0].argmax()))
    values = score(probs)
    effect = values[0] - values[1:]              # > 0: the word pushes toward `toward`
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
