"""Answer candidates for the grounded reader: what kind of answer a question wants, and the
word-boundary spans of a sentence that could be it.

  how many / how much / what share, rate, distance ...   numbers and amounts (with currency,
                                                          scale, percent, a unit), scores "3-1"
  when / what date                                        dates;  what year: years
  who / where / which company, club, city ...             capitalised names, and the names a
                                                          possessive or qualifier joins ("Japan's
                                                          Suzuki", "Gibraltar-based")
  which/what <noun> ...                                   names, and noun phrases ending in <noun>

Every candidate is an exact span of its sentence's text; spans that only repeat the question's
own words are left out.
"""
import re
from dataclasses import dataclass

from core.grounding.items import (CONNECTORS, DATE_PATTERN, MONTHS, NUMBER_PATTERN, STOPWORDS, TITLES, stem,
                                  tokens)

NUMBER_Q = re.compile(r"\bhow (?:many|much|long|old|far|big|large|tall|fast|high|often|heavy)\b|"
                      r"\b(?:what|which) (?:\w+ )?(?:percentage|proportion|share|rate|growth|distance|time|"
                      r"odds|price|amount|sum|figure|number|total|score|margin|fee|cost|value|speed|height|"
                      r"age|size|salary|fine|level|profit|loss|deficit|rise|fall|increase|tally)\b")
YEAR_Q = re.compile(r"\b(?:what|which) year\b|\bwhat decade\b")
DATE_Q = re.compile(r"^(?:\w+ ){0,2}when\b|\b(?:what|which) (?:date|day|month)\b")
PERSON_Q = re.compile(r"^who\b|\bwho (?:is|was|will|has|had|did|does|led|wrote|said)\b|"
                      r"\b(?:which|what) (?:\w+ ){0,3}?(?:player|singer|actor|actress|director|producer|"
                      r"minister|secretary|spokesman|spokeswoman|journalist|author|writer|chief|boss|"
                      r"executive|chairman|manager|coach|star|politician|leader|man|woman|person|member|"
                      r"president|analyst|economist|judge|lawyer|agent|musician|presenter|striker|"
                      r"captain|official|head|founder)\b")
PLACE_Q = re.compile(r"^where\b|\bwhere\b|\b(?:which|what) (?:\w+ )?(?:city|town|country|village|venue|base|"
                     r"stadium|ground|state|region|county|capital|place|island|nation|continent)\b")
AUX = frozenset("is are was were did does do has have had will would can could should be been being "
                "the a an of in on to for by".split())
UNITS = frozenset("tonnes tons kg kilograms grams metres meters km kilometres miles feet inches seconds "
                  "minutes hours days weeks months years votes points goals runs wickets degrees "
                  "dollars pounds euros yen reais rupees pence cents barrels acres hectares".split())
VERBS = frozenset("made make makes won wins took take gave give said says became become got left came went sold "
                  "bought paid set led saw began begin run ran hit beat told tell wrote write found find "
                  "chose choose held hold kept keep lost lose meet met".split())
MAX_PHRASE = 5
ORDINAL = re.compile(r"\b(\d+(?:st|nd|rd|th))\b(?: ([a-z]+)\b)?")
SCORE = re.compile(r"(?<![\w.,/-])\d{1,3}-\d{1,3}(?![\w/-])")  # "3-1"
# names with digits in them: "1Xtra", "VH1", "Tee-222"; "Nokia 3220", "Il Sole 24 Ore"; "Amazon.com"
MIXED = re.compile(r"(?<![\w.,'’-])(?=[\w.-]*\d)(?=[\w.-]*[A-Za-z])\w[\w.-]*\w(?![\w'’-])")
NUMBERED = re.compile(r"\b[A-Z][\w&]*(?: [A-Z][\w&]*)* (?!(?:1[89]|20)\d\d\b)\d[\w.]*(?: [A-Z]\w*)*")
DOMAIN = re.compile(r"\b\w+\.(?:com|net|org)\b")


@dataclass(frozen=True)
class Question:
    text: str
    kind: str                   # number | year | date | person | place | name
    heads: tuple[str, ...]      # stems of the nouns after which/what ("fund", "committee")
    words: frozenset[str]       # stems of the question's content words


def analyse(question: str) -> Question:
    q = question.strip().lower()
    words = frozenset(stem(w) for w, _, _ in tokens(question) if w[0].isalpha() and w.lower() not in STOPWORDS)
    if YEAR_Q.search(q):
        kind = "year"
    elif NUMBER_Q.search(q):
        kind = "number"
    elif DATE_Q.search(q):
        kind = "date"
    elif PLACE_Q.search(q):
        kind = "place"
    elif PERSON_Q.search(q):
        kind = "person"
    elif re.search(r"\bwhen\b", q) and not re.match(r"(?:\w+ )?(?:which|what) \w+", q):
        kind = "date"  # but "Which committee was he addressing when ...?" asks for a name
    else:
        kind = "name"
    heads = []
    found = re.search(r"\b(?:which|what)\s+((?:[\w'’-]+\s+){0,3})", question, re.IGNORECASE)
    if found:
        for word in found.group(1).split():
            if word.lower() in AUX or word.lower() in VERBS or (len(word) > 4 and word.lower().endswith("ed")):
                break  # the head noun ends where the verb begins ("Which bookmaker made ...")
            heads.append(stem(word))
    return Question(question, kind, tuple(heads), words)


@dataclass(frozen=True)
class Candidate:
    text: str
    start: int            # offsets into the sentence's text
    end: int
    kind: str             # number | date | year | name | phrase


def candidates(question: Question, sentence: str) -> list[Candidate]:
    """The spans of `sentence` that could answer `question`, best kinds first, no duplicates."""
    if question.kind == "number":
        found = numbers(sentence, question)
    elif question.kind in ("date", "year"):
        found = dates(sentence, years_only=question.kind == "year")
    else:
        found = [t for c in names(sentence) for t in trimmed(c, sentence, question)] + phrases(sentence, question)
        if question.kind == "name":
            found += numbers(sentence, question)
    seen, out = set(), []
    for c in found:
        if (c.start, c.end) in seen or repeats_question(c.text, question):
            continue
        seen.add((c.start, c.end))
        out.append(c)
    return out


def trimmed(c: Candidate, sentence: str, question: Question) -> list[Candidate]:
    """A name without the question's words at its edges ("Home Secretary Charles Clarke" ->
    "Charles Clarke" for "Which Home Secretary ..."), and the name itself."""
    toks = tokens(c.text)
    i, j = 0, len(toks)
    while i < j and (stem(toks[i][0]) in question.words or toks[i][0].lower() in CONNECTORS | STOPWORDS):
        i += 1
    while j > i and (stem(toks[j - 1][0]) in question.words or toks[j - 1][0].lower() in CONNECTORS | STOPWORDS):
        j -= 1
    if i == j or (i, j) == (0, len(toks)):
        return [c]
    a, b = c.start + toks[i][1], c.start + toks[j - 1][2]
    if sentence[b - 2:b] in ("'s", "’s"):  # "Britain's" of "Britain's Jason Gardener"
        b -= 2
    return [Candidate(sentence[a:b], a, b, c.kind), c]


def repeats_question(text: str, question: Question) -> bool:
    """Only the question's own words, or a phrase of the question verbatim ("400m" for "... in
    the indoor 400m?"): an answer does not repeat what is asked."""
    if f" {_plain(text)} " in f" {_plain(question.text)} ":
        return True
    words = [stem(w) for w, _, _ in tokens(text) if w[0].isalnum()]
    content = [w for w in words if w not in STOPWORDS]
    return bool(words) and all(w in question.words or w in STOPWORDS for w in words) and bool(content)


def _plain(text: str) -> str:
    return " ".join(w.lower() for w, _, _ in tokens(text) if w[0].isalnum())


def numbers(sentence: str, question: Question) -> list[Candidate]:
    out = []
    in_dates = [(d.start, d.end) for d in dates(sentence) if d.kind == "date"]
    for m in NUMBER_PATTERN.finditer(sentence):
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        end = m.end()
        if re.fullmatch(r"(?:1[89]|20)\d\d", m["num"]) and not (m["cur"] or m["scale"] or m["pct"]):
            continue  # a year, not an amount
        if any(s <= start and end <= e for s, e in in_dates):
            continue  # the day of a date ("9 January"), not an amount
        unit = re.match(r"\s+(?:square )?([a-z]+)\b|-[a-z]+\b", sentence[end:])  # "26.2 miles", "three-year"
        if unit and not m["unit"] and (unit.group(1) in UNITS or not unit.group(1)):
            end += unit.end()
        text = sentence[start:end]
        out.append(Candidate(text, start, end, "number"))
        if end != m.end():
            out.append(Candidate(sentence[start:m.end()], start, m.end(), "number"))
    for m in SCORE.finditer(sentence):
        out.append(Candidate(m.group(), m.start(), m.end(), "number"))
    for m in re.finditer(r"(?<![\w/])\d+/\d+(?![\w/])", sentence):  # odds "10/1", titles "06/05"
        out.append(Candidate(m.group(), m.start(), m.end(), "number"))
    for m in ORDINAL.finditer(sentence):  # "91st"; "14th minute" for "In which minute ...?"
        out.append(Candidate(m.group(1), m.start(), m.start() + len(m.group(1)), "number"))
        if m.group(2) and stem(m.group(2)) in question.heads:
            out.append(Candidate(m.group(), m.start(), m.end(), "number"))
    return out


def dates(sentence: str, years_only: bool = False) -> list[Candidate]:
    out = []
    for m in DATE_PATTERN.finditer(sentence):
        if m["m4"] and m["m4"] == "May":
            continue
        for group in ("y1", "y2", "y3", "y4"):
            if m[group]:
                out.append(Candidate(m[group], m.start(group), m.end(group), "year"))
        if not years_only and not m["y4"]:
            out.append(Candidate(m.group(), m.start(), m.end(), "date"))
    if not years_only:
        for m in re.finditer(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", sentence):
            out.append(Candidate(m.group(), m.start(), m.end(), "date"))
    return out


def names(sentence: str) -> list[Candidate]:
    """Maximal capitalised sequences (with "of", "van", "&" inside), without a sentence-opening
    function word, a title alone, a possessive "'s" (kept too where no name follows), months or
    weekdays; "X, Y" places, a long name's parts (_windows), names that "and" joins (_lists) and
    names with digits in them too."""
    toks = tokens(sentence)
    out, runs, i = [], [], 0
    while i < len(toks):
        word, s, _ = toks[i]
        if not (word[0].isupper() or (word[0].isdigit() and "/" not in word and any(c.isalpha() for c in word))):
            i += 1
            continue
        j = i + 1
        while j < len(toks) and sentence[toks[j - 1][2]:toks[j][1]] == " ":
            w = toks[j][0]
            if w[0].isupper():
                j += 1
            elif w.lower() in CONNECTORS and j + 1 < len(toks) and toks[j + 1][0][0].isupper():
                j += 2
            else:
                break
        run = toks[i:j]
        while run and (run[0][0].lower() in STOPWORDS and (run[0][1] == 0 or len(run) == 1)
                       or run[0][0].lower() in MONTHS or run[0][0] in _DAYS):
            run = run[1:]
        while run and (run[-1][0].lower() in CONNECTORS or run[-1][0].lower() in MONTHS):
            run = run[:-1]
        if run and not (len(run) == 1 and run[0][0].lower() in TITLES):
            a, b = run[0][1], run[-1][2]
            text = sentence[a:b]
            if text.endswith(("'s", "’s")):
                b -= 2
                if not re.match(r" [A-Z]", sentence[b + 2:]):  # "Sotheby's sale", not "Japan's Suzuki"
                    out.append(Candidate(text, a, b + 2, "name"))
            elif text.endswith(("'", "’")):
                b -= 1
            out.append(Candidate(sentence[a:b], a, b, "name"))
            runs.append((a, b))
            out += _windows(sentence, run, b)
            out += _parts(sentence, run, b)
            if run[0][0].lower() in TITLES and len(run) > 1:
                out.append(Candidate(sentence[run[1][1]:b], run[1][1], b, "name"))
            place = re.match(r", ([A-Z][a-z]+(?: [A-Z][a-z]+)?)\b", sentence[b:])
            if place:
                out.append(Candidate(sentence[a:b + place.end()], a, b + place.end(), "name"))
        i = max(j, i + 1)
    out += _lists(sentence, runs)
    for pattern in (MIXED, NUMBERED, DOMAIN):
        for m in pattern.finditer(sentence):
            first = m.group().split(" ")[0]
            a = m.start() + (len(first) + 1 if first.lower() in STOPWORDS and first != m.group() else 0)  # "In"
            if not ORDINAL.fullmatch(sentence[a:m.end()]):
                out.append(Candidate(sentence[a:m.end()], a, m.end(), "name"))
    # quoted titles; a quote opens after a space and closes before one (not an apostrophe)
    for m in re.finditer(r"(?:^|(?<=[\s(]))[\"“‘']([^\"”’']{2,60})[\"”’'](?!\w)", sentence):
        if len(m.group(1).split()) <= 6:
            out.append(Candidate(m.group(1), m.start(1), m.end(1), "name"))
    return out


_DAYS = frozenset("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
_QUALIFIED = re.compile(r"([A-Z][\w.&]*)-[a-z]+$")  # "Gibraltar-based", "Tunisian-born"


def _windows(sentence: str, run: list, end: int) -> list[Candidate]:
    """A long name's first and last two words and the name less its first or last word:
    "Lib Dem Norman Baker" -> "Norman Baker", "Paul Boateng MP" -> "Paul Boateng"."""
    words = [(s, min(e, end)) for w, s, e in run if w[0].isupper()]
    if len(words) < 3 or len(words) != len(run):
        return []
    pairs = {(words[0][0], words[1][1]), (words[-2][0], words[-1][1]), (words[1][0], end), (words[0][0], words[-2][1])}
    return [Candidate(sentence[a:b], a, b, "name") for a, b in sorted(pairs)]


def _lists(sentence: str, runs: list[tuple[int, int]]) -> list[Candidate]:
    """Names joined by "and": "France and Germany", "Canada, New Zealand and Australia"."""
    out = []
    for k in range(len(runs) - 1):
        if sentence[runs[k][1]:runs[k + 1][0]] in (" and ", " & "):
            out.append(Candidate(sentence[runs[k][0]:runs[k + 1][1]], runs[k][0], runs[k + 1][1], "name"))
            if k and sentence[runs[k - 1][1]:runs[k][0]] == ", ":
                out.append(Candidate(sentence[runs[k - 1][0]:runs[k + 1][1]], runs[k - 1][0], runs[k + 1][1], "name"))
    return out


def _parts(sentence: str, run: list, end: int) -> list[Candidate]:
    """The names inside a name that a possessive, a qualifier or "for" joins: "Japan's Suzuki" ->
    "Japan", "Suzuki"; "Gibraltar-based Menatep Group" -> "Gibraltar", "Menatep Group"."""
    out = []
    for k, (word, s, e) in enumerate(run):
        inner = None
        if word.endswith(("'s", "’s")) and k + 1 < len(run):
            inner = e - 2
        elif k == 0 and (m := _QUALIFIED.match(word)):
            inner = s + m.end(1)
        if word.lower() == "for" and 0 < k < len(run) - 1:  # "Clint Eastwood for Million Dollar Baby"
            out.append(Candidate(sentence[run[0][1]:run[k - 1][2]], run[0][1], run[k - 1][2], "name"))
            out.append(Candidate(sentence[run[k + 1][1]:end], run[k + 1][1], end, "name"))
            continue
        if inner is None:
            continue
        out.append(Candidate(sentence[run[0][1]:inner], run[0][1], inner, "name"))
        if k + 1 < len(run) and run[k + 1][0][0].isupper():
            out.append(Candidate(sentence[run[k + 1][1]:end], run[k + 1][1], end, "name"))
    return out


def phrases(sentence: str, question: Question) -> list[Candidate]:
    """Noun phrases of up to MAX_PHRASE words ending in one of the question's head nouns
    ("strategic capabilities fund" for "What national fund ...")."""
    if not question.heads:
        return []
    toks = [t for t in tokens(sentence)]
    out = []
    for j, (word, _, end) in enumerate(toks):
        if not word[0].isalpha() or stem(word) not in question.heads:
            continue
        for i in range(j - 1, max(-1, j - MAX_PHRASE), -1):
            w = toks[i][0]
            if not (w[0].isalpha() or w == "&") or w.lower() in STOPWORDS - {"and"} \
                    or (i and toks[i - 1][2] == toks[i][1] and toks[i - 1][0][0].isdigit()):  # "th" of "14th"
                break
            out.append(Candidate(sentence[toks[i][1]:end], toks[i][1], end, "phrase"))
    return out
