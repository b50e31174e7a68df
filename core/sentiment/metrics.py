"""How a sentiment classifier is scored, the same way everywhere (training, bench, tests).

- binary accuracy: on sentences whose true class is positive or negative (neutral set aside),
  the share where P(positive) vs P(negative) picks the right one.
- macro-F1 over the three classes.
- ECE (expected calibration error): the gap between confidence and accuracy, averaged over
  15 equal-width confidence bins weighted by their size.
- temperature: the one number that divides the logits so the validation NLL is lowest.
"""
import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.metrics import f1_score

CLASSES = ["negative", "neutral", "positive"]


def binary_accuracy(probs: np.ndarray, labels: list[str], classes: list[str] = CLASSES) -> float:
    keep = np.array([y in ("negative", "positive") for y in labels])
    pos, neg = classes.index("positive"), classes.index("negative")
    said_positive = probs[keep, pos] > probs[keep, neg]
    return float((said_positive == (np.array(labels)[keep] == "positive")).mean())


def macro_f1(probs: np.ndarray, labels: list[str], classes: list[str] = CLASSES) -> float:
    predicted = [classes[i] for i in probs.argmax(1)]
    return float(f1_score(labels, predicted, labels=CLASSES, average="macro", zero_division=0))


def ece(probs: np.ndarray, labels: list[str], classes: list[str] = CLASSES, bins: int = 15) -> float:
    confidence = probs.max(1)
    right = np.array([classes[i] == y for i, y in zip(probs.argmax(1), labels)])
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gaps = [abs(confidence[which == b].mean() - right[which == b].mean()) * (which == b).mean()
            for b in range(bins) if (which == b).any()]
    return float(sum(gaps))


def fit_temperature(logits: np.ndarray, labels: list[str], classes: list[str] = CLASSES) -> float:
    y = np.array([classes.index(label) for label in labels])

    def nll(log_t):
        return -log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(y)), y].mean()

    return float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    return np.exp(log_softmax(logits / temperature, axis=1))


def scores(probs: np.ndarray, labels: list[str], classes: list[str] = CLASSES) -> dict:
    return {"binary_accuracy": binary_accuracy(probs, labels, classes),
            "macro_f1": macro_f1(probs, labels, classes), "ece": ece(probs, labels, classes)}
