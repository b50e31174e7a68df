"""The checkable items of a text, with exact character offsets and normalised keys:

  number  "19 per cent", "19%", "$750 million", "$750M", "750,000,000 dollars", "nine", "6.50m"
  date    "5 April 1920", "27 October, 1920", "10-12 June", "November 2003", "1989", "March"
  name    capitalised word sequences: "Richard Parsons", "University of Strathclyde", "F-Secure"
  word    every other content word (stopwords skipped), keyed by its Snowball stem

Keys are what two mentions of one fact share: a number is (value, currency or percent) with
every reading of an ambiguous one ("6.5m" is 6,500,000 or 6.5 metres), a date is
(day, month, year) with None where it says nothing, a name its lower-cased words without titles
or possessives, a word its stem.
"""
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from core.text.sentences import split_sentences

STOPWORDS = frozenset("""a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself just me
more most my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves said says say told according per cent percent mr mrs ms dr sir one may might
must shall also yet still even much many new like well back get got make made way""".split())
TITLES = frozenset("mr mrs ms miss dr sir dame lord lady prof professor rev st president minister".split())
MONTHS = {m: i for i, ms in enumerate(
    ["january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
     "august aug", "september sep sept", "october oct", "november nov", "december dec"], 1)
    for m in ms.split()}
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split()) if w != "_"}
NUMBER_WORDS.update({w: 10 * i for i, w in enumerate(
    "_ _ _ thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"})
NUMBER_WORDS.update({"dozen": 12, "hundred": 100, "thousand": 1000})
SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
          "trillion": 1e12, "tn": 1e12}
CURRENCY = {"$": "USD", "us$": "USD", "dollar": "USD", "dollars": "USD", "£": "GBP", "pound": "GBP",
            "pounds": "GBP", "sterling": "GBP", "€": "EUR", "euro": "EUR", "euros": "EUR", "¥": "JPY",
            "yen": "JPY", "reais": "BRL", "real": "BRL", "rupees": "INR", "₹": "INR", "pence": "GBX",
            "p": "GBX", "cents": "USX"}
PERCENT = "%"

_WORD = r"[^\W\d_]+(?:['’\-][^\W\d_]+)*"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMWORD = "|".join(sorted((w for w in NUMBER_WORDS if w not in ("hundred", "thousand")), key=len, reverse=True))
NUMBER_PATTERN = re.compile(
    rf"(?<![\w.,/])(?P<cur>US\$|[$£€¥₹])?\s?(?P<num>{_DIGITS}|(?:{_NUMWORD})(?:-(?:{_NUMWORD}))?)"
    rf"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|m|k)\b)?"
    rf"(?:\s?(?P<pct>%|per\s?cent\b|percent\b))?"
    rf"(?:\s(?P<unit>dollars?|pounds?|sterling|euros?|yen|reais|rupees|pence|cents)\b)?"
    rf"(?P<p>(?<=\d)p\b)?(?![\w/])", re.IGNORECASE | re.ASCII)  # ASCII: "2030年" is a number
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)"
DATE_PATTERN = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s?[-–]\s?\d{{1,2}}(?:st|nd|rd|th)?)?\s(?P<m1>{_MONTH})(?:,?\s(?P<y1>{_YEAR}))?"
    rf"|(?P<m2>{_MONTH})\s(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s(?P<y2>{_YEAR}))?"
    rf"|(?:mid-|early\s|late\s)?(?P<m3>{_MONTH})\s(?P<y3>{_YEAR})"
    rf"|(?P<y4>{_YEAR})s?"
    rf"|(?P<m4>{_MONTH}))\b(?!,?\d)", re.ASCII)
_TOKEN = re.compile(rf"{_WORD}|\d+(?:[.,/:]\d+)*|\S")
CONNECTORS = frozenset("of de van von der den du la le al bin del di da y & for".split())
_stemmer = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Item:
    kind: str                 # "number" | "date" | "name" | "word"
    text: str
    start: int                # character offsets into the text it was found in
    end: int
    keys: tuple               # normalised forms; two mentions of one fact share a key


def fold(text: str) -> str:
    """Lower case without accents: "Francais" matches "Français"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    word = fold(word).replace("’", "'")
    word = word[:-2] if word.endswith("'s") else word.rstrip("'")
    return _stemmer.stemWord(word)


# --- numbers ---------------------------------------------------------------------------------

def _value(num: str) -> float | None:
    num = num.lower()
    if num[0].isdigit():
        return float(num.replace(",", ""))
    parts = num.split("-")
    if all(p in NUMBER_WORDS for p in parts):
        return float(sum(NUMBER_WORDS[p] for p in parts))
    return None


def number_keys(match: re.Match) -> tuple:
    value = _value(match["num"])
    if value is None:
        return ()
    cur = match["cur"] or match["unit"] or ("p" if match["p"] else None)
    unit = CURRENCY.get(cur.lower()) if cur else None
    if match["pct"]:
        unit = PERCENT
    scale = (match["scale"] or "").lower()
    if not scale:
        return ((round(value, 6), unit),)
    scaled = (round(value * SCALES[scale], 6), unit)
    if scale == "m" and not match["cur"]:  # "6.50m" is metres as often as millions
        return (scaled, (round(value, 6), unit))
    return (scaled,)


def parse_number(text: str) -> tuple:
    """Every key of a number written alone, e.g. "$750M" -> ((750000000.0, "USD"),)."""
    match = NUMBER_PATTERN.fullmatch(text.strip())
    return number_keys(match) if match else ()


def numbers_match(a: tuple, b: tuple) -> bool:
    """One key of each: same value, and the same currency/percent where both say one."""
    return a[0] == b[0] and (a[1] is None or b[1] is None or a[1] == b[1])


# --- extraction --------------------------------------------------------------------------------

def _dates(text: str, taken: list[bool]) -> list[Item]:
    out = []
    for m in DATE_PATTERN.finditer(text):
        day = m["d1"] or m["d2"]
        month = m["m1"] or m["m2"] or m["m3"] or m["m4"]
        year = m["y1"] or m["y2"] or m["y3"] or m["y4"]
        if m["m4"] and (m["m4"] == "May" or m["m4"].endswith(".") or len(m["m4"]) <= 3) and not year:
            continue  # "May" alone is more often the verb or the name; "Mar" alone an abbreviation
        if m["m4"] and m.start() > 0 and text[m.start() - 1] == "-":
            continue
        key = (int(day) if day else None, MONTHS[month.rstrip(".").lower()] if month else None,
               int(year) if year else None)
        out.append(Item("date", m.group(), m.start(), m.end(), (key,)))
        taken[m.start():m.end()] = [True] * (m.end() - m.start())
    return out


def _numbers(text: str, taken: list[bool]) -> list[Item]:
    out = []
    for m in NUMBER_PATTERN.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        keys = number_keys(m)
        if not keys or m["num"].lower() in ("one",):
            continue
        start = m.start() + (len(m.group()) - len(m.group().lstrip()))
        out.append(Item("number", text[start:m.end()], start, m.end(), keys))
        taken[start:m.end()] = [True] * (m.end() - start)
    for m in re.finditer(r"(?<![!-~])[!-~]*\d[!-~]*?(?=[.,;:!?)\]]*(?:[^!-~]|$))", text):  # "06/05", "A4", "v2.1"
        if not any(taken[m.start():m.end()]):
            out.append(Item("number", m.group(), m.start(), m.end(), ((m.group().lower(), None),)))
    return out


def name_key(words: list[str]) -> tuple:
    words = [stem_free(w) for w in words]
    while words and words[0] in TITLES:
        words = words[1:]
    return tuple(words)


def stem_free(word: str) -> str:
    word = fold(word).replace("’", "'")
    return word[:-2] if word.endswith("'s") else word.rstrip("'")


def tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _names_and_words(text: str, taken: list[bool], known_names: set[str]) -> list[Item]:
    out = []
    starts = {s for s, _ in split_sentences(text)} | {0}
    toks = [(w, s, e) for w, s, e in tokens(text) if not any(taken[s:e])]
    i = 0
    while i < len(toks):
        word, s, e = toks[i]
        if not word[0].isalpha():
            i += 1
            continue
        if word[0].isupper():
            j = i + 1
            while j < len(toks):
                w, ws, _ = toks[j]
                gap = text[toks[j - 1][2]:ws]
                if gap not in (" ", "") or not w[0].isalpha():
                    break
                if w[0].isupper():
                    j += 1
                elif w.lower() in CONNECTORS and j + 1 < len(toks) and toks[j + 1][0][0].isupper() \
                        and text[toks[j][2]:toks[j + 1][1]] == " ":
                    j += 2
                else:
                    break
            run = toks[i:j]
            at_start = s in starts or (i > 0 and toks[i - 1][0] in "\"'“‘(")
            if at_start and (run[0][0].lower() in STOPWORDS or (len(run) == 1 and stem_free(word) not in known_names)):
                if run[0][0].lower() not in STOPWORDS:
                    out.append(_word(*run[0]))
                run = run[1:]
            while run and run[-1][0].lower() in CONNECTORS:
                run = run[:-1]
            if run:
                start, end = run[0][1], run[-1][2]
                out.append(Item("name", text[start:end], start, end, (name_key([w for w, _, _ in run]),)))
            i = j
            continue
        if word.lower() not in STOPWORDS and len(word) > 1:
            out.append(_word(word, s, e))
        i += 1
    return out


def _word(word: str, s: int, e: int) -> Item:
    return Item("word", word, s, e, (stem(word),))


def split_name(item: Item) -> list[Item]:
    """A name joined by connectors ("Richard Parsons of Time Warner") as its separate names."""
    parts, run = [], []
    for word, s, e in tokens(item.text) + [("of", len(item.text), len(item.text))]:
        if word.lower() in CONNECTORS:
            if run:
                a, b = run[0][1], run[-1][2]
                parts.append(Item("name", item.text[a:b], item.start + a, item.start + b,
                                  (name_key([w for w, _, _ in run]),)))
            run = []
        else:
            run.append((word, s, e))
    return parts


def extract(text: str) -> list[Item]:
    """The items of `text` in order: dates first (so "5 April 1920" is one date, not a number),
    then numbers, then names and content words in what is left."""
    taken = [False] * len(text)
    items = _dates(text, taken) + _numbers(text, taken)
    # a capitalised sentence opener counts as a name only if the text also has it mid-sentence
    starts = {s for s, _ in split_sentences(text)}
    known = {stem_free(w) for w, s, _ in tokens(text) if w[:1].isupper() and s not in starts
             and s > 0 and text[s - 1] not in "\"'“‘("}
    items += _names_and_words(text, taken, known)
    return sorted(items, key=lambda it: it.start)
