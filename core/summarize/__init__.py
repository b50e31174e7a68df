"""Summaries: extractive (the most central sentences, verbatim) and abstractive (a model writes
one, streamed), for texts of any length.

    from core.summarize import extract, summarize_stream
    extract(text, sentences=3).sentences
    for update in summarize_stream(text): print(update.text)
"""
from core.errors import SummarizeError
from core.summarize.abstractive import (BEAMS, LENGTH, SummaryUpdate, summarize, summarize_stream,
                                        summarizer)
from core.summarize.extractive import METHODS, Extract, extract
from core.summarize.inputs import MAX_CHARS, example_articles, read_file

__all__ = ["BEAMS", "LENGTH", "MAX_CHARS", "METHODS", "Extract", "SummarizeError", "SummaryUpdate",
           "example_articles", "extract", "read_file", "summarize", "summarize_stream", "summarizer"]
