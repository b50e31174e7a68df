"""Classify a whole file: a CSV/TSV (one column holds the texts) or a TXT (one text per line).

Every input row comes back, in order, with the label, a score per class and a note; rows that
cannot be classified (empty, emoji-only) get an empty label and the reason in the note.
"""
import csv
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from core.errors import BatchInputError
from core.sentiment import classifier as sentiment
from core.text.language import WORD

MAX_ROWS = 10_000
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 256                     # texts per progress step (the model batches within a chunk)
SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": None}
NAME_HINTS = ("text", "review", "sentence", "comment", "content", "body", "message", "tweet")
LIMITS = f"at most {MAX_ROWS:,} rows and {MAX_BYTES // 2**20} MB"


@dataclass
class Table:
    frame: pd.DataFrame
    text_columns: list[str]     # best guess first

    @property
    def default_column(self) -> str:
        return self.text_columns[0]


def read_table(path: str | Path) -> Table:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise BatchInputError(f"Upload a .csv, .tsv or .txt file (got {suffix or 'no extension'}).")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise BatchInputError(f"The file is {size / 2**20:.1f} MB; the limit is {LIMITS}. "
                              f"Split it into smaller files.")
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise BatchInputError("This file looks binary, not text. Upload a CSV or a TXT file.")
    content = raw.decode("utf-8-sig", errors="replace")
    if suffix == ".txt":
        lines = [line.strip() for line in content.splitlines()]
        frame = pd.DataFrame({"text": [line for line in lines if line]})
    else:
        frame = _read_delimited(content, SUFFIXES[suffix])
    if frame.empty:
        raise BatchInputError("The file has no rows to classify.")
    if len(frame) > MAX_ROWS:
        raise BatchInputError(f"The file has {len(frame):,} rows; the limit is {LIMITS}. "
                              f"Split it into files of {MAX_ROWS:,} rows or fewer.")
    columns = text_columns(frame)
    if not columns:
        raise BatchInputError("No column of this file holds text: columns "
                              f"{', '.join(map(str, frame.columns))} are numbers or empty.")
    return Table(frame, columns)


def _read_delimited(content: str, sep: str) -> pd.DataFrame:
    from io import StringIO
    try:
        return pd.read_csv(StringIO(content), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as err:
        raise BatchInputError(f"This file could not be read as {'TSV' if sep == chr(9) else 'CSV'}:"
                              f" {str(err).splitlines()[0][:200]}") from None


def text_columns(frame: pd.DataFrame) -> list[str]:
    """Columns where most filled cells contain words, best guess first (a telling name, then
    the longest texts)."""
    found = []
    for column in frame.columns:
        values = frame[column].astype(str).str.strip()
        filled = values[values != ""]
        if filled.empty:
            continue
        wordy = filled.map(lambda v: any(w[0].isalpha() for w in WORD.findall(v))).mean()
        if wordy >= 0.5:
            hinted = any(h in str(column).lower() for h in NAME_HINTS)
            found.append((not hinted, -filled.str.len().mean(), str(column)))
    return [column for *_, column in sorted(found)]


@dataclass
class BatchResult:
    frame: pd.DataFrame         # the input rows plus the result columns
    csv_path: str               # the same, as a CSV file to download
    counts: dict[str, int]      # rows per label, plus "not classified"
    model: str


def classify_table(table: Table, column: str, model_id: str | None = None,
                   progress: Callable[[float, str], object] | None = None) -> BatchResult:
    if column not in table.frame.columns:
        raise BatchInputError(f"There is no column {column!r}; choose one of "
                              f"{', '.join(map(str, table.frame.columns))}.")
    texts = table.frame[column].astype(str).tolist()
    results = []
    for start in range(0, len(texts), CHUNK):
        if progress:
            progress(start / len(texts), f"classified {start:,} of {len(texts):,} rows")
        results += sentiment.classify(texts[start:start + CHUNK], model_id)
    if progress:
        progress(1.0, f"classified {len(texts):,} rows")
    labels = sentiment.backend(model_id).labels
    out = table.frame.copy()
    out["sentiment_label"] = [r.label for r in results]
    for label in labels:
        out[f"sentiment_score_{label}"] = [round(r.scores[label], 4) if r.scores else None
                                           for r in results]
    out["sentiment_note"] = [r.error or " ".join(r.notes) for r in results]
    counts = out["sentiment_label"].replace("", "not classified").value_counts().to_dict()
    return BatchResult(out, write_csv(out), counts, sentiment.describe(model_id))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")   # OWASP: what makes a spreadsheet cell a formula
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralised(value):
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading
    apostrophe (OWASP's advice against CSV injection). Plain numbers such as -3.5 stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame) -> str:
    """A fresh file per call, so concurrent users never share one; no cell, header included,
    can run as a formula when the file is opened in a spreadsheet."""
    safe = frame.map(neutralised)
    safe.columns = [neutralised(str(column)) for column in frame.columns]
    with tempfile.NamedTemporaryFile("w", prefix="sentiment-", suffix=".csv", delete=False,
                                     encoding="utf-8", newline="") as f:
        safe.to_csv(f, index=False, lineterminator="\r\n")  # RFC 4180; a CR inside a cell is then quoted
    return f.name
