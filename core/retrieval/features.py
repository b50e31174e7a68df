"""What the grounded reader's ranker knows about a candidate span besides the chat model's
scores: where its sentence ranks, how close it sits to the question's words (the nearest one, and
how many of them stand within a few words of it and in its own clause), how well its shape
fits the kind of answer asked for (a person's name for "who", a full date for "on what date", a
place after "in"/"at" for "where", a count for "how many"), whether the unit after a number is what
"how many ...", "how long" or "how old" counts ("six months" does not count passengers), and how
many of the names the question asks about its passage holds (the confidence's "named").

Spans and sentences are the reader's (core.retrieval.reader); every feature is a float.
"""
import re

from core.grounding.items import DATE_PATTERN, MONTHS, NUMBER_WORDS, SCALES, STOPWORDS, stem, tokens
from core.retrieval.candidates import AUX, UNITS, VERBS, Question

ORGANISATION = frozenset(stem(w) for w in (
    "association council committee club company corporation group bank league union party agency "
    "institute university college school department ministry office authority commission board "
    "society trust fund foundation brothers records studios airlines airways inc ltd plc limited co "
    "corp network news times post journal channel tv radio festival awards championship championships "
    "cup prix federation organisation organization service services").split())
PLACE_BEFORE = frozenset("in at to from near into outside across".split())
_MONEY = re.compile(r"[$£€¥]|\b(?:dollars?|pounds?|euros?|yen|rupees?|pence|cents?|reais|francs?)\b", re.IGNORECASE)
_MONEY_Q = re.compile(r"\b(?:cost|costs|pay|paid|worth|price|fee|salary|fine|spend|spent|raise|raised|earn|earned|"
                      r"money|funding|budget|revenue|sales|profit|loss|bid|deal|sum|award|compensation)\b")
_SHARE_Q = re.compile(r"\b(?:percentage|per cent|proportion|share)\b")
_WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
TIME_UNITS = frozenset("year years month months week weeks day days hour hours minute minutes second seconds".split())
COUNTED = UNITS | TIME_UNITS | frozenset("times mile point goal vote seat seats".split())
_HOW_MANY = re.compile(r"\bhow many\s+((?:[\w'’-]+\s+){0,4})", re.IGNORECASE)
WINDOW = 6                   # words either side of a span that count as around it
# where a clause ends: "600,000 tonnes by 2008, up from 400,000" keeps "by 2008" with 600,000 only
_CLAUSE_END = re.compile(r"[,;:()]|\b(?:but|while|whereas|although|and|up from|down from|compared with|against)\b")


def span_features(span, sentences, question: Question, rank: int) -> dict:
    """`rank`: of the span's sentence among the evidence sentences (those holding candidates)."""
    sentence = sentences[span.sentence]
    before, after = sentence.text[:span.start - sentence.start], sentence.text[span.end - sentence.start:]
    return {"sentence_rank": rank, "cosine": sentence.cosine, "lexical": sentence.lexical,
            "words": len(span.text.split()), "near": _nearness(span, sentence, question),
            "around": _share_asked(_words(before)[-WINDOW:] + _words(after)[:WINDOW], question),
            "clause": _share_asked(_words(_clause_before(before)) + _words(_clause_after(after)), question),
            "fit": fit(question, span.text, _word_before(sentence.text, span.start - sentence.start)),
            "unit": unit_fit(question, sentence.text[span.start - sentence.start:]),
            "named": _named_share(" ".join(s.text for s in sentences if s.hit == span.hit), question)}


def fit(question: Question, text: str, before: str) -> float:
    """How well the span's shape fits the kind of answer asked for, in [0, 1]."""
    words = [w for w, _, _ in tokens(text) if w[0].isalnum()]
    if not words:
        return 0.0
    organisation = any(stem(w) in ORGANISATION for w in words)
    capitalised = all(w[0].isupper() or w.lower() in ("of", "van", "von", "de", "der", "la") for w in words)
    if question.kind == "person":
        if organisation or not capitalised or any(c.isdigit() for c in text):
            return 0.0
        return 1.0 if 2 <= len(words) <= 4 else 0.5
    if question.kind == "place":
        if not capitalised or organisation:
            return 0.0
        return 1.0 if before.lower() in PLACE_BEFORE else 0.5
    if question.kind in ("date", "year"):
        return _date_parts(text) / (1 if question.kind == "year" else 3)
    if question.kind == "number":
        return _amount_fit(question.text.lower(), text) if any(c.isdigit() for c in text) else 0.5
    if question.heads and stem(words[-1]) in question.heads:
        return 1.0
    return 0.5 if capitalised else 0.0


def unit_fit(question: Question, text: str) -> float:
    """+1 when the word after the number that `text` (a span and what follows it) begins with is
    what the question counts ("how many jobs", "how long", "how old"), -1 when it is another unit
    ("six months" for "how many passengers"), else 0."""
    counted = _counted(question)
    if not counted:
        return 0.0
    words = re.findall(r"[A-Za-z]+|\d[\d,.]*", text)[:6]
    k = next((k for k, w in enumerate(words) if not _is_number(w)), len(words))
    unit = words[k].lower() if 0 < k < len(words) else ""
    if not unit or unit in STOPWORDS:
        return 0.0
    if stem(unit) in counted:
        return 1.0
    return -1.0 if unit in COUNTED else 0.0  # another word may describe the count ("500 new jobs")


def _is_number(word: str) -> bool:
    """Digits, a number word or a scale ("2,850", "Eighteen", "million", "bn")."""
    return word[0].isdigit() or word.lower() in NUMBER_WORDS or word.lower() in SCALES


def _counted(question: Question) -> set[str]:
    """Stems of what a number question counts: the words after "how many" up to its verb, time
    for "how long", years for "how old"."""
    if question.kind != "number":
        return set()
    found = _HOW_MANY.search(question.text)
    if found:
        words = []
        for word in found.group(1).lower().split():
            if word in AUX or word in VERBS:
                break
            words.append(stem(word))
        return set(words)
    if re.search(r"\bhow long\b", question.text, re.IGNORECASE):
        return {stem(w) for w in TIME_UNITS}
    if re.search(r"\bhow old\b", question.text, re.IGNORECASE):
        return {stem("years")}
    return set()


def _amount_fit(question: str, text: str) -> float:
    """A count for "how many", money for "how much ... cost/pay", a share for "what percentage"."""
    money, share = bool(_MONEY.search(text)), "%" in text or "per cent" in text
    if _SHARE_Q.search(question):
        return 1.0 if share else 0.3
    if re.search(r"\bhow many\b", question):
        return 0.2 if money or share else 1.0
    if _MONEY_Q.search(question):
        return 1.0 if money else 0.3
    return 1.0


def _named(question: Question) -> set[str]:
    """Stems of the question's capitalised words after its first: the names it asks about."""
    return {stem(w) for w, _, _ in tokens(question.text)[1:] if w[0].isupper() and w.lower() not in STOPWORDS}


def _named_share(passage: str, question: Question) -> float:
    """Share of the names the question asks about that the span's passage holds (1 without names):
    a span from a passage about another firm rarely answers."""
    named = _named(question)
    return len(named.intersection(_words(passage))) / len(named) if named else 1.0


def _date_parts(text: str) -> int:
    """Day, month and year: how many of them the span states (a weekday counts as a day)."""
    m = DATE_PATTERN.search(text)
    if m is None:
        return int(bool(_WEEKDAY.search(text)))
    day = any(m[g] for g in ("d1", "d2")) or bool(_WEEKDAY.search(text))
    month = any(m[g] for g in ("m1", "m2", "m3", "m4")) or any(w.lower() in MONTHS for w in text.split())
    year = any(m[g] for g in ("y1", "y2", "y3", "y4"))
    return int(day) + int(month) + int(year)


def _words(text: str) -> list[str]:
    return [stem(w) for w, _, _ in tokens(text) if w[0].isalpha()]


def _share_asked(words: list[str], question: Question) -> float:
    """Share of the question's content words among `words`."""
    return len(question.words.intersection(words)) / max(len(question.words), 1)


def _clause_before(text: str) -> str:
    ends = list(_CLAUSE_END.finditer(text))
    return text[ends[-1].end():] if ends else text


def _clause_after(text: str) -> str:
    end = _CLAUSE_END.search(text)
    return text[:end.start()] if end else text


def _word_before(text: str, at: int) -> str:
    found = re.search(r"([\w'’-]+)\W*$", text[:at])
    return found.group(1) if found else ""


def _nearness(span, sentence, question: Question) -> float:
    """1 / (1 + words between the span and the closest question word in its sentence)."""
    words = [(stem(w), sentence.start + s) for w, s, _ in tokens(sentence.text) if w[0].isalpha()]
    inside = [k for k, (_, s) in enumerate(words) if span.start <= s < span.end] or \
        [next((k for k, (_, s) in enumerate(words) if s >= span.start), len(words))]
    near = [k for k, (w, s) in enumerate(words) if w in question.words and not span.start <= s < span.end]
    return 1.0 / (1.0 + min(abs(p - i) for p in near for i in inside)) if near else 0.0
