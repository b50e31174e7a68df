"""Sentences as character offsets: English abbreviations, decimals and initials; CJK end marks
without spaces; headings, list items and blank lines. Every tab splits text here."""
import re

ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "fig",
                 "al", "approx", "no", "vol", "cf", "inc", "ltd", "jr", "sr", "u.s", "p"}
CLOSERS = "\"'”’)]}»」』】）〕〉》"
# a Latin end mark must be followed by whitespace (or the end); a CJK end mark needs nothing after it
_END = re.compile(rf"(?:[.!?…]+[{re.escape(CLOSERS)}]*(?=\s|$)|[。！？｡．!?]+[{re.escape(CLOSERS)}]*)")


_LINE_ITEM = re.compile(r"^[ \t]*(?:#{1,6} |>|[*+-] |\d+[.)] ).*$", flags=re.M)
# a title: the first line of a paragraph, short, with no end mark, and a line after it that opens
# a sentence ("Electric buses win over Oslo\nThe city replaced..."): it is a sentence of its own
_TITLE = re.compile(r"(?:^|\n[ \t]*\n)[ \t]*([^\n]{1,100}?[^\s.!?…:;,。！？，；：])[ \t]*\n"
                    r"(?=[ \t]*[A-Z0-9\"'“‘(「（\u3400-\u9fff])")
TITLE_WORDS = 12
TITLE_CJK_CHARS = 30  # a Chinese title: short, and no comma inside (a wrapped line of prose has one)
_CJK = re.compile(r"[\u3400-\u9fff]")
_GOES_ON = {"a", "an", "the", "of", "on", "in", "to", "for", "with", "by", "from", "at", "as", "and", "or",
            "but", "that", "which", "is", "are", "was", "were", "its", "their", "his", "her"}  # a wrapped line


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans as (start, end) character offsets into `text`, whitespace trimmed.

    Ends a sentence at . ! ? … followed by whitespace (not after common abbreviations,
    initials or decimals), at the CJK marks 。！？ with or without a space after them,
    at blank lines, at line starts that open a heading, list item or quote, and after a title
    (a paragraph's short first line with no end mark, followed by a line that opens a sentence).
    Other single line breaks inside a paragraph (wrapped text, PDF lines) do not end a sentence.
    """
    cuts = set()
    for match in _END.finditer(text):
        end = match.end()
        if match.group()[0] == "." and _is_abbreviation(text, match.start()):
            continue
        cuts.add(end)
    for match in re.finditer(r"\n\s*\n|\n(?=[ \t]*(?:#{1,6} |>|[*+-] |\d+[.)] ))", text):
        cuts.add(match.start())
    for match in _LINE_ITEM.finditer(text):  # a heading, list item or quote line ends at its line end
        cuts.add(match.end())
    for match in _TITLE.finditer(text):
        if _is_title(match.group(1)):
            cuts.add(match.end(1))
    spans, start = [], 0
    for cut in sorted(cuts) + [len(text)]:
        span = trim(text, start, cut)
        if span:
            spans.append(span)
        start = cut
    return spans


def _is_title(line: str) -> bool:
    if _CJK.search(line):
        return len(line) <= TITLE_CJK_CHARS and not any(mark in line for mark in "，、；,;")
    words = line.split()
    return len(words) <= TITLE_WORDS and words[-1].lower() not in _GOES_ON


def _is_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[max(0, dot - 12):dot])
    if not word:
        return False
    token = word.group(1).lower()
    if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):  # "J. Smith"
        return True
    nxt = text[dot + 1:dot + 3].lstrip()
    return bool(nxt) and nxt[0].islower()  # "approx. five" is not a sentence end


def trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """A sentence longer than max_chars, cut at whitespace (or anywhere, for CJK runs)."""
    out = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        cut = cut if cut > start else start + max_chars
        out.append(trim(text, start, cut))
        start = cut
    out.append(trim(text, start, end))
    return [p for p in out if p]
