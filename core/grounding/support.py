"""Is each item of a model's output backed by the sources it was given?

    support = mark_support("Sales rose 19% to $750m.", ["Sales rose 19 per cent to $750 million."])
    support.unsupported          # 0
    support.to_dict()            # JSON for the API: every mark with its offsets and status

Every number, date, proper name and content word of the output (core.grounding.items) is looked
up in the sources after normalisation: numbers by value and currency ("19 per cent" = "19%",
"$750 million" = "$750M" = "750,000,000 dollars"), dates by day/month/year, names by their
words without case, accents, titles or possessives, content words by their Snowball stem.
Content words of the question (or other prompt text given as `given`) count as given, not as
claims. Marking is pure text work: no model, milliseconds per output.
"""
from dataclasses import asdict, dataclass, field

from core.grounding.items import Item, extract, name_key, numbers_match, split_name, stem

FACT_KINDS = ("number", "date", "name")


@dataclass
class Mark:
    kind: str              # "number" | "date" | "name" | "word"
    text: str
    start: int             # character offsets into the output
    end: int
    status: str            # "supported" | "unsupported" | "given" (a word of the question)
    source: int | None = None    # index of the first source that backs it


@dataclass
class Support:
    text: str                                     # the output that was checked
    marks: list[Mark] = field(default_factory=list)

    @property
    def unsupported_marks(self) -> list[Mark]:
        return [m for m in self.marks if m.status == "unsupported"]

    @property
    def unsupported(self) -> int:
        return len(self.unsupported_marks)

    @property
    def unsupported_facts(self) -> int:
        """Unsupported numbers, dates and names: what a summary must never invent."""
        return sum(m.kind in FACT_KINDS for m in self.unsupported_marks)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for m in self.marks:
            out.setdefault(m.kind, {"supported": 0, "unsupported": 0, "given": 0})[m.status] += 1
        return out

    def to_dict(self) -> dict:
        return {"checked": len(self.marks), "unsupported": self.unsupported,
                "unsupported_facts": self.unsupported_facts, "counts": self.counts(),
                "marks": [asdict(m) for m in self.marks]}


class Sources:
    """The items of the source texts, indexed once so that many outputs can be checked fast."""

    def __init__(self, texts: list[str] | str, given: str = ""):
        self.texts = [texts] if isinstance(texts, str) else list(texts)
        self.numbers: list[tuple[tuple, int]] = []
        self.dates: list[tuple[tuple, int]] = []
        self.names: list[tuple[str, int]] = []
        self.words: dict[str, int] = {}
        for i, text in enumerate(self.texts):
            for item in extract(text):
                self._add(item, i)
        self.given = {item.keys[0] for item in extract(given or "") if item.kind in ("word", "name")}
        self.given |= {w for key in self.given if isinstance(key, tuple) for w in key}

    def _add(self, item: Item, i: int) -> None:
        if item.kind == "number":
            self.numbers += [(key, i) for key in item.keys]
        elif item.kind == "date":
            self.dates.append((item.keys[0], i))
            day, month, year = item.keys[0]
            if year is not None and day is None and month is None:
                self.numbers.append(((float(year), None), i))   # "1989" is a year and a number
        elif item.kind == "name":
            self.names.append((" " + " ".join(item.keys[0]) + " ", i))
            for word in item.keys[0]:
                self.words.setdefault(stem(word), i)
        else:
            self.words.setdefault(item.keys[0], i)

    def is_name(self, word: str) -> bool:
        """A capitalised sentence opener that the sources use as a name ("Gloucester")."""
        needle = " " + " ".join(name_key([word])) + " "
        return any(needle in name for name, _ in self.names)

    def check(self, output: str) -> Support:
        """mark_support(output, these sources)."""
        return mark_support(output, self)

    def find(self, item: Item) -> int | None:
        """The index of the first source that backs `item`, or None."""
        if item.kind == "number":
            return next((i for key in item.keys for other, i in self.numbers if numbers_match(key, other)), None)
        if item.kind == "date":
            date = item.keys[0]
            found = next((i for other, i in self.dates if _date_in(date, other)), None)
            if found is None and date[0] is None and date[1] is None:   # a year: also a number
                found = next((i for key, i in self.numbers if key[0] == date[2]), None)
            return found
        if item.kind == "name":
            words = item.keys[0]
            if not words:
                return 0
            needle = " " + " ".join(words) + " "
            found = next((i for name, i in self.names if needle in name), None)
            if found is None and len(words) == 1:  # a surname alone, or a lower-case mention
                found = self.words.get(stem(words[0]))
            return found
        return self.words.get(item.keys[0])


def _date_in(date: tuple, other: tuple) -> bool:
    """Every part the output's date states, the source's date states the same."""
    return all(part is None or part == theirs for part, theirs in zip(date, other))


def mark_support(output: str, sources: "list[str] | str | Sources", given: str = "") -> Support:
    """Mark every number, date, name and content word of `output` as supported by `sources`
    (texts, or a Sources built once), unsupported, or given (a word of `given`, e.g. the question).

    The public marking function of the app: Ask answers, summaries, Chat answers over documents
    and translations all call it. Returns a Support (marks with offsets into `output`)."""
    index = sources if isinstance(sources, Sources) else Sources(sources, given)
    support = Support(output)
    for whole in extract(output or ""):
        if whole.kind == "word" and whole.text[:1].isupper() and index.is_name(whole.text):
            whole = Item("name", whole.text, whole.start, whole.end, (name_key([whole.text]),))
        parts = [whole]
        if whole.kind == "name" and index.find(whole) is None:
            parts = split_name(whole) or [whole]
        for item in parts:
            support.marks.append(_mark(item, index))
    return support


def _mark(item: Item, index: Sources) -> Mark:
    found = index.find(item)
    if found is not None:
        status = "supported"
    elif item.kind in ("word", "name") and item.keys[0] in index.given:
        status = "given"
    else:
        status = "unsupported"
    return Mark(item.kind, item.text, item.start, item.end, status, found)
