"""Preprocess for summaries: a text cut into chunks of whole sentences that fit the model,
counted with the model's own tokenizer; a text too long for MAX_CHUNKS chunks is first cut
down to its most central sentences (core.summarize.extractive's ranking)."""
from core.summarize.extractive import rank, sentence_spans
from core.text.sentences import pieces

Span = tuple[int, int]


Span = tuple[int, int]


def token_counts(tokenizer, pieces: list[str]) -> list[int]:
    return [len(ids) for ids in tokenizer(pieces, add_special_tokens=False).input_ids] if pieces else []


def units(tokenizer, text: str, budget: int) -> tuple[list[Span], list[int]]:
    """The sentences of `text` as spans, with their token counts; a sentence longer than
    `budget` tokens is cut into pieces that fit."""
    spans, _ = sentence_spans(text)
    out, sizes = [], []
    for (start, end), size in zip(spans, token_counts(tokenizer, [text[s:e] for s, e in spans])):
        if size <= budget:
            out.append((start, end))
            sizes.append(size)
            continue
        parts = pieces(text, start, end, max(1, int((end - start) * budget / size * 0.8)))
        out += parts
        sizes += token_counts(tokenizer, [text[s:e] for s, e in parts])
    return out, sizes


def render(text: str, spans: list[Span]) -> str:
    """The text of these spans: the source's own spacing between neighbours (paragraphs stay
    paragraphs), one space where sentences in between were left out."""
    out, last = "", None
    for start, end in spans:
        if last is not None:
            gap = text[last:start]
            out += gap if not gap.strip() else " "
        out += text[start:end]
        last = end
    return out


def pack(text: str, spans: list[Span], sizes: list[int], budget: int) -> list[str]:
    """Consecutive sentences grouped into chunks of at most `budget` tokens."""
    groups, current, used = [], [], 0
    for span, size in zip(spans, sizes):
        if current and used + size > budget:
            groups.append(current)
            current, used = [], 0
        current.append(span)
        used += size + 1  # +1: the space or line break between sentences
    if current:
        groups.append(current)
    return [render(text, group) for group in groups]


def most_central(text: str, spans: list[Span], sizes: list[int], budget: int, max_chunks: int
                 ) -> tuple[list[str], int, str]:
    """The most central sentences (core.summarize.extractive's ranking), in source order, packed into at
    most `max_chunks` chunks: (the chunks, their tokens, how the sentences were ranked)."""
    _, scores, how, _, _ = rank([text[s:e] for s, e in spans])
    order = sorted(range(len(spans)), key=lambda i: -scores[i])
    target = budget * max_chunks
    while True:  # packing whole sentences leaves gaps, so aim lower until the chunks fit
        keep, used = [], 0
        for i in order:
            if used + sizes[i] <= target:
                keep.append(i)
                used += sizes[i] + 1
        keep.sort()
        chunks = pack(text, [spans[i] for i in keep], [sizes[i] for i in keep], budget)
        if len(chunks) <= max_chunks:
            return chunks, sum(sizes[i] for i in keep), how
        target = int(target * 0.9)
