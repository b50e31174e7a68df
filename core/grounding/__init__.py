"""Is a model's output backed by its sources? Numbers, dates, names and content words are
extracted with offsets (items), normalised, and looked up in the sources (support).

    from core.grounding import mark_support
    support = mark_support(answer, passages, given=question)
    support.unsupported, support.to_dict()["marks"]
"""
from core.grounding.items import Item, extract, parse_number
from core.grounding.support import FACT_KINDS, Mark, Sources, Support, mark_support

__all__ = ["FACT_KINDS", "Item", "Mark", "Sources", "Support", "extract", "mark_support", "parse_number"]
