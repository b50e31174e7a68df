"""Summaries that invent no number or name: a copy constraint for decoding, and the check after it.

    constraint = CopyConstraint(tokenizer, source)
    chat_stream(messages, constraint=constraint)        # the core.generation decoding hook

While the model writes, every number (digits, number words) and every capitalised word it
starts must continue one that occurs in the source, and must end as one of them; a run of
capitalised words must occur in the source as a run ("John Smith" is refused when the source
has "John Major" and "Adam Smith"). Tokens are checked best first until one passes, so greedy
decoding costs a few string checks per step. Lower-case content words are left free: the
support marks (core.grounding) show them.
"""
import bisect
import re

from core.grounding import Sources, Support
from core.grounding.items import NUMBER_WORDS, STOPWORDS
from core.text.sentences import split_sentences

_FACT = re.compile(r"[A-Za-z0-9\u00C0-\u024F][\w,.'’&-]*|\S")
MAX_CHECKS = 200            # tokens tried per step before only the end of the text is allowed
OPENERS = frozenset(w.capitalize() for w in STOPWORDS) | {
    "However", "Meanwhile", "Overall", "Also", "Both", "Neither", "Despite", "Although", "While", "After",
    "Before", "Since", "During", "Instead", "Many", "Several", "Some", "Most", "Its", "Their", "His", "Her"}


def _strip(word: str) -> str:
    word = re.sub(r"['’]s$", "", word)
    return word.rstrip(".,'’-")


class CopyConstraint:
    """(generated ids, logits (1, vocab)) -> logits with fact-inventing tokens banned."""

    def __init__(self, tokenizer, source: str, end_ids: set[int] = frozenset()):
        self.tokenizer = tokenizer
        self.end_ids = set(end_ids) | {tokenizer.eos_token_id}
        words = re.findall(r"[\w][\w,.'’&-]*", source)
        facts = {_strip(w) for w in words if _is_fact(_strip(w))}
        self.facts = sorted(facts)
        self.lower = sorted({_strip(w).lower() for w in words} | {w.lower() for w in OPENERS})
        runs = re.findall(r"[A-Z][\w'’&-]*(?: (?:of |de |van |von |the |and |& )?[A-Z][\w'’&-]*)*", source)
        self.runs = "\n" + "\n".join(runs) + "\n"
        self.pieces: dict[int, str] = {}
        self.banned = 0

    def processor(self, prompt_length: int):
        """The constraint as a transformers LogitsProcessor, for `model.generate` (beam search)."""
        return _Processor(self, prompt_length)

    def piece(self, token: int) -> str:
        if token not in self.pieces:
            self.pieces[token] = self.tokenizer.decode([token])
        return self.pieces[token]

    def __call__(self, generated: list[int], logits):
        import torch
        text = self.tokenizer.decode(generated, skip_special_tokens=True)
        order = torch.argsort(logits[0], descending=True)
        banned = []
        for token in order[:MAX_CHECKS].tolist():
            if token in self.end_ids or self.allows(text, self.piece(token)):
                break
            banned.append(token)
        else:  # nothing near the top passes: end the sentence
            banned = [t for t in order[:MAX_CHECKS].tolist()]
            logits = logits.clone()
            logits[0, banned] = float("-inf")
            logits[0, list(self.end_ids)] = 0.0
            return logits
        if banned:
            self.banned += len(banned)
            logits = logits.clone()
            logits[0, banned] = float("-inf")
        return logits

    def allows(self, text: str, piece: str) -> bool:
        """Whether appending `piece` to `text` keeps every number and name copyable."""
        if not piece or not re.search(r"[A-Za-z0-9\u00C0-\u024F]", piece):
            return self._ends_ok(text + piece, len(text))
        start = max(text.rfind(" "), text.rfind("\n")) + 1
        joined = text + piece
        words = [(m.group(), m.start(), m.end()) for m in _FACT.finditer(joined, start)]
        for word, s, e in words:
            complete = e < len(joined)
            if not self._word_ok(joined, word, s, complete):
                return False
        return True

    def _ends_ok(self, joined: str, at: int) -> bool:
        start = max(joined.rfind(" ", 0, at), joined.rfind("\n", 0, at)) + 1
        word = joined[start:at]
        return not word or self._word_ok(joined, word, start, True)

    def _word_ok(self, joined: str, word: str, start: int, complete: bool) -> bool:
        word = _strip(word) if complete else word
        if not word or not _is_fact(word):
            return True
        if word[0].isupper() and _is_opener(joined, start) and not any(c.isdigit() for c in word):
            if _found(self.lower, word.lower(), complete):   # "The", "Analysts" opening a sentence
                return True
        if not _found(self.facts, word, complete):
            return False
        if word[0].isupper():
            run = RUN_BEFORE.search(joined[:start]).group()
            run = run[len(RUN_OPENER.match(run).group()):] if _is_opener(joined, start - len(run)) else run
            if run:
                needle = run + word
                return bool(re.search(re.escape(needle) + (r"(?![\w'’&-])" if complete else ""), self.runs))
        return True


RUN_BEFORE = re.compile(r"(?:[A-Z][\w'’&-]* (?:(?:of|de|van|von|the|and|&) )?)*$")
RUN_OPENER = re.compile(r"(?:(?:" + "|".join(sorted(OPENERS, key=len, reverse=True)) + r") )?")


def _found(words: list[str], word: str, complete: bool) -> bool:
    """`word` is in the sorted list (complete), or begins one of its words (still being written)."""
    i = bisect.bisect_left(words, word)
    return i < len(words) and (words[i] == word if complete else words[i].startswith(word))


def _is_fact(word: str) -> bool:
    return bool(word) and (word[0].isupper() or any(c.isdigit() for c in word)
                           or word.lower() in NUMBER_WORDS)


def _is_opener(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \"'“‘(")
    return not before or before[-1] in ".!?:\n"


class _Processor:
    def __init__(self, constraint: CopyConstraint, prompt_length: int):
        self.constraint, self.prompt_length = constraint, prompt_length

    def __call__(self, input_ids, scores):
        rows = [self.constraint(input_ids[b, self.prompt_length:].tolist(), scores[b:b + 1])
                for b in range(scores.shape[0])]
        import torch
        return torch.cat(rows)


def keep_supported(summary: str, sources: Sources) -> tuple[str, Support, int]:
    """(the summary without its sentences that state an unsupported number, date or name,
    the support marks of what is kept, how many sentences were dropped)."""
    support = sources.check(summary)
    if not support.unsupported_facts:
        return summary, support, 0
    bad = [m for m in support.unsupported_marks if m.kind in ("number", "date", "name")]
    spans = split_sentences(summary) or [(0, len(summary))]
    kept = [summary[s:e] for s, e in spans if not any(s <= m.start < e for m in bad)]
    text = " ".join(kept)
    return text, sources.check(text), len(spans) - len(kept)
