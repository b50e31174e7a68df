"""Sentiment: a label and a probability per class for a text or a list (classify), which words
pushed it (attribution), whole files (batch), the offline classifier (model) and its training (train).

    from core.sentiment import classify, explain
    classify("This movie was good").label
"""
from core.errors import SentimentInputError
from core.sentiment.classifier import Sentiment, backend, classify, describe, explain

__all__ = ["Sentiment", "SentimentInputError", "backend", "classify", "describe", "explain"]
