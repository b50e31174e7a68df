"""Sentiment: a label and a probability for every class, for one text or a list, and which words
pushed the prediction.

    classify("This movie was good")            -> Sentiment(label="positive", scores={...})
    classify(["good", "", "bad"])              -> [Sentiment, Sentiment(error=...), Sentiment]
    explain("The food was terrible")           -> (Sentiment, Attribution)

The model is whatever `core.runtime.loader.load("sentiment")` serves: a fine-tuned Hub classifier when
the Hub is reachable, offline the MiniLM this project fine-tuned on real human-rated sentences
(core.sentiment.model): negative / neutral / positive, calibrated, plus a rating -4..+4.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.errors import SentimentInputError
from core.runtime import loader
from core.sentiment.attribution import Attribution, integrated_gradients, occlusion
from core.sentiment.text import check, truncation_note
from core.text.language import WORD

if TYPE_CHECKING:  # the model module imports torch, which the app must not wait for at start
    from core.sentiment.model import Backend

__all__ = ["Sentiment", "SentimentInputError", "backend", "classify", "explain", "describe"]


@dataclass
class Sentiment:
    text: str
    label: str = ""                                  # "" when the text could not be classified
    scores: dict[str, float] = field(default_factory=dict)   # every class, summing to 1
    notes: list[str] = field(default_factory=list)
    model: str = ""
    error: str | None = None                          # why it was not classified
    rating: float | None = None                       # predicted mean human rating, -4..+4 (offline model)


_backends: dict[str, Backend] = {}
_lock = threading.Lock()


def backend(model_id: str | Backend | None = None) -> Backend:
    """The classifier for the sentiment task (or candidate `model_id`), built once per process.
    A classifier object given as `model_id` (a session's own fine-tuned model, core.finetune: it
    has `probabilities`, `labels`, `tokenizer`, `max_tokens`, `description`) is used as it is and
    never kept here, so no other session can reach it."""
    if model_id is not None and not isinstance(model_id, str):
        return model_id
    from core.sentiment.model import hub_backend, offline_backend
    found = loader.load("sentiment", model_id)
    key = found.candidate.id
    if key not in _backends:
        with _lock:
            if key not in _backends:
                _backends[key] = offline_backend() if found.is_method else hub_backend(found)
    return _backends[key]


def describe(model_id: str | None = None) -> str:
    return backend(model_id).description


def _read_limit_note(model: Backend, text: str) -> str | None:
    if len(text) <= model.max_tokens:  # fewer characters than tokens read: cannot be cut
        return None
    encoded = model.tokenizer(text, truncation=True, max_length=model.max_tokens,
                              return_offsets_mapping=True)
    end = max((e for _, e in encoded["offset_mapping"]), default=0)
    if end >= len(text.rstrip()):
        return None
    return truncation_note(len(WORD.findall(text[:end])), len(WORD.findall(text)))


def classify(texts: str | list[str], model_id: str | None = None,
             batch_size: int = 32) -> Sentiment | list[Sentiment]:
    """One text: a Sentiment, or SentimentInputError when there is nothing to classify.
    A list: one Sentiment per text, in order; those that cannot be classified carry `error`."""
    if isinstance(texts, str):
        result = classify([texts], model_id, batch_size)[0]
        if result.error:
            raise SentimentInputError(result.error)
        return result
    model = backend(model_id)
    results, todo = [], []
    for text in texts:
        try:
            cleaned, notes = check(text)
        except SentimentInputError as err:
            results.append(Sentiment(text if isinstance(text, str) else "", model=model.description,
                                     error=str(err)))
            continue
        note = _read_limit_note(model, cleaned)
        results.append(Sentiment(cleaned, notes=notes + ([note] if note else []),
                                 model=model.description))
        todo.append(results[-1])
    if todo:
        texts = [r.text for r in todo]
        predict = getattr(model, "predict", None)  # a session's fine-tuned model has no ratings
        probs, ratings = predict(texts, batch_size) if predict else (
            model.probabilities(texts, batch_size), None)
        for i, (result, row) in enumerate(zip(todo, probs)):
            result.scores = {label: float(p) for label, p in zip(model.labels, row)}
            result.label = model.labels[int(row.argmax())]
            result.rating = None if ratings is None else round(float(ratings[i]), 2)
    return results


ATTRIBUTION = "integrated gradients"   # agreed with a reader more often (bench.sentiment_methods)


def explain(text: str, model_id: str | None = None,
            method: str = ATTRIBUTION) -> tuple[Sentiment, Attribution]:
    """The prediction for `text` and each word's push on it: integrated gradients where the
    model's insides are at hand (the offline classifier), else occlusion (any model)."""
    result = classify(text, model_id)
    model = backend(model_id)
    inside = getattr(model, "logits_fn", None)
    if method == "integrated gradients" and hasattr(inside, "encoder") and hasattr(inside, "head"):
        return result, integrated_gradients(result.text, inside, model.labels, model.max_tokens)
    return result, occlusion(result.text, model.probabilities, model.labels)
