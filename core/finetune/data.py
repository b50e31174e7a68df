"""Labelled examples for fine-tuning, checked and split before any work is done on them.

Two ways in, any label names:
  typed    one example a line, `label: text` (or `label<TAB>text`)
  a file   CSV or TSV with a text column and a label column (guessed, or named by the caller);
           a .txt file holds typed lines

The examples are cleaned (control characters dropped, duplicates removed), checked against the
limits below, and split per label into training and held-out examples (about a fifth held out,
at least one per label), the same way every time.
"""
import random
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import FineTuneError, UserError
from core.sentiment.batch import read_table
from core.text import checks
from core.text.documents import normalise

MAX_ROWS = 2_000            # examples per job
MAX_TYPED_CHARS = 200_000   # the typed box, checked before it is split into lines
MAX_TEXT_CHARS = 2_000      # per example; longer ones are cut (the model reads ~256 word pieces)
MAX_LABELS = 20
MAX_LABEL_CHARS = 40
MIN_PER_LABEL = 2           # one to learn from, one to check on
HELD_OUT = 0.2
MAX_HELD_OUT = 200
LABEL_COLUMNS = ("label", "labels", "class", "category", "target", "tag", "sentiment", "topic", "y")
FORMAT = "one example a line, `label: text` (e.g. `sport: The match ended 2-1`)"


@dataclass
class Examples:
    """Training and held-out examples; labels are indices into `names`."""
    names: list[str]
    texts: list[str]
    labels: list[int]
    held_texts: list[str]
    held_labels: list[int]
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        counts = ", ".join(f"{name} {self.labels.count(i) + self.held_labels.count(i)}"
                           for i, name in enumerate(self.names))
        return (f"{len(self.texts) + len(self.held_texts)} examples ({counts}): "
                f"{len(self.texts)} to train on, {len(self.held_texts)} held out")


# --- reading -------------------------------------------------------------------------------

def parse_lines(text: str) -> list[tuple[str, str]]:
    """(label, text) pairs from typed lines; FineTuneError naming the lines that have no label."""
    checks.require_text(text, limit=MAX_TYPED_CHARS, what="The examples", error=FineTuneError,
                        empty=f"There are no examples: type {FORMAT}, or upload a CSV file.")
    pairs, bad = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label, sep, body = line.partition("\t") if "\t" in line else line.partition(":")
        if not sep or not label.strip() or not body.strip():
            bad.append(number)
            continue
        pairs.append((label.strip(), body))
    if bad:
        shown = ", ".join(map(str, bad[:5])) + (" …" if len(bad) > 5 else "")
        raise FineTuneError(f"Line(s) {shown} have no label: write {FORMAT}.")
    return pairs


def read_file(path: str, text_column: str = "", label_column: str = "") -> list[tuple[str, str]]:
    """(label, text) pairs from a CSV/TSV (columns guessed unless named) or a .txt of typed lines."""
    if Path(path).suffix.lower() == ".txt":
        try:
            return parse_lines(Path(path).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            raise FineTuneError("The file could not be read.") from None
    found = table(path)
    text_column, label_column = columns(found, text_column, label_column)
    return list(zip(found.frame[label_column].astype(str), found.frame[text_column].astype(str)))


def table(path: str):
    """The CSV/TSV as core.sentiment.batch reads it (size, binary and row checks included)."""
    try:
        return read_table(path)
    except UserError as err:
        raise FineTuneError(str(err)) from None


def columns(found, text_column: str = "", label_column: str = "") -> tuple[str, str]:
    """(text column, label column) of a read table: the named ones, checked, or the likeliest."""
    names = [str(c) for c in found.frame.columns]
    for name in (text_column, label_column):
        if name and name not in names:
            raise FineTuneError(f"There is no column {name!r}; the columns are {', '.join(names)}.")
    label_column = label_column or guess_label_column(found.frame, exclude=text_column)
    text_column = text_column or next((c for c in found.text_columns if c != label_column), "")
    if not label_column or not text_column or label_column == text_column:
        raise FineTuneError(f"The file needs a text column and a label column (columns: {', '.join(names)}); "
                            f"name them, or call the label column 'label'.")
    return text_column, label_column


def guess_label_column(frame, exclude: str = "") -> str:
    """A column named like a label, else the one with the fewest distinct values (at most MAX_LABELS)."""
    candidates = [str(c) for c in frame.columns if str(c) != exclude]
    named = [c for c in candidates if c.strip().lower() in LABEL_COLUMNS]
    if named:
        return named[0]
    distinct = {c: frame[c].astype(str).str.strip().replace("", None).nunique() for c in candidates}
    fitting = [c for c in candidates if 2 <= distinct[c] <= MAX_LABELS]
    return min(fitting, key=lambda c: distinct[c]) if fitting else ""


# --- checking and splitting ----------------------------------------------------------------

def examples(pairs: list[tuple[str, str]], seed: int = 0) -> Examples:
    """Cleaned, checked and split examples; FineTuneError says what to change."""
    if len(pairs) > MAX_ROWS:
        raise FineTuneError(f"There are {len(pairs):,} examples; a job takes at most {MAX_ROWS:,}. "
                            f"Use a sample of them.")
    notes, seen, kept = [], {}, []
    dropped = conflicting = cut = 0
    for label, text in pairs:
        label, text = normalise(str(label)), normalise(str(text))
        if not label or not text:
            dropped += 1
            continue
        if len(label) > MAX_LABEL_CHARS:
            raise FineTuneError(f"The label {label[:MAX_LABEL_CHARS]!r}… is longer than {MAX_LABEL_CHARS} "
                                f"characters: is the label column the right one?")
        if len(text) > MAX_TEXT_CHARS:
            text, cut = text[:MAX_TEXT_CHARS], cut + 1
        if text in seen:
            conflicting += seen[text] != label
            continue
        seen[text] = label
        kept.append((label, text))
    if dropped:
        notes.append(f"{dropped} example(s) with an empty text or label were left out.")
    if len(pairs) - dropped - len(kept):
        notes.append(f"{len(pairs) - dropped - len(kept)} repeated text(s) were used once"
                     + (f" ({conflicting} had a different label the second time; the first was kept)."
                        if conflicting else "."))
    if cut:
        notes.append(f"{cut} text(s) longer than {MAX_TEXT_CHARS:,} characters were cut there.")
    names = list(dict.fromkeys(label for label, _ in kept))
    if len(names) < 2:
        raise FineTuneError("A classifier needs at least two different labels; "
                            f"these examples have {len(names)}.")
    if len(names) > MAX_LABELS:
        raise FineTuneError(f"There are {len(names)} different labels; the limit is {MAX_LABELS}. "
                            f"Is the label column the right one?")
    few = [n for n in names if sum(label == n for label, _ in kept) < MIN_PER_LABEL]
    if few:
        raise FineTuneError(f"Each label needs at least {MIN_PER_LABEL} examples (one to learn from, one to "
                            f"check on); add more for: {', '.join(few[:5])}.")
    return split(kept, names, notes, seed)


def split(kept: list[tuple[str, str]], names: list[str], notes: list[str], seed: int) -> Examples:
    """About HELD_OUT of each label held out (at least one, at most MAX_HELD_OUT in all)."""
    rng = random.Random(seed)
    share = min(HELD_OUT, MAX_HELD_OUT / len(kept))
    out = Examples(names, [], [], [], [], notes)
    for index, name in enumerate(names):
        texts = [text for label, text in kept if label == name]
        rng.shuffle(texts)
        held = min(len(texts) - 1, max(1, round(len(texts) * share)))
        out.held_texts += texts[:held]
        out.held_labels += [index] * held
        out.texts += texts[held:]
        out.labels += [index] * (len(texts) - held)
    order = list(range(len(out.texts)))
    rng.shuffle(order)
    out.texts, out.labels = [out.texts[i] for i in order], [out.labels[i] for i in order]
    if len(out.texts) < 10 * len(names):
        notes.append(f"Only {len(out.texts)} examples to learn {len(names)} labels from: expect a "
                     f"rough classifier (a few dozen per label help).")
    return out


def load(typed: str | None = None, path: str | None = None, text_column: str = "",
         label_column: str = "") -> Examples:
    """The examples of a job: from the file when one is given, else from the typed lines."""
    if path:
        return examples(read_file(path, text_column or "", label_column or ""))
    for name, column in (("text_column", text_column), ("label_column", label_column)):
        if (column or "").strip():
            raise FineTuneError(f"`{name}` names a column of a file, but no file was given.")
    return examples(parse_lines(typed))
