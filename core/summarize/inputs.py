"""What Summarize is given: pasted text, an uploaded document, or a bundled example article,
normalised by the one document reader and checked against the length limit first."""
import json
from pathlib import Path

from core.errors import DocumentError, SummarizeError
from core.text import checks
from core.text.documents import document_from_text, read_document

MAX_CHARS = 200_000        # ~35k words; more takes minutes to embed on a 2-vCPU Space
ARTICLES = Path(__file__).resolve().parents[2] / "examples" / "articles"
NOT_ENGLISH = ("The text does not look like English; the models here were trained mostly on "
               "English, so the summary may be poor.")


def source(text: str) -> tuple[str, list[str]]:
    """The normalised text to summarise and notes about it; SummarizeError when unusable."""
    checks.require_text(text, limit=MAX_CHARS, empty="There is no text to summarise: paste some text or "
                        "upload a document.", error=SummarizeError)
    try:
        doc = document_from_text(text)
    except DocumentError as err:
        raise SummarizeError(str(err)) from None
    return doc.text, [NOT_ENGLISH] if doc.warnings else []


def too_long(chars: int) -> str:
    return checks.too_long("The text", chars, MAX_CHARS)


def read_file(path: str) -> str:
    """The text of an uploaded document (core.text.documents' reader), if Summarize can take it."""
    if not path:
        raise SummarizeError("No file was uploaded.")
    try:
        text = read_document(path).text
    except DocumentError as err:
        raise SummarizeError(str(err)) from None
    if len(text) > MAX_CHARS:
        raise SummarizeError(too_long(len(text)))
    return text


def example_articles() -> list[dict]:
    """The bundled articles: [{"file", "title", "key_sentence", "text"}] (examples/articles/index.json)."""
    index = json.loads((ARTICLES / "index.json").read_text(encoding="utf-8"))
    return [{**entry, "text": (ARTICLES / entry["file"]).read_text(encoding="utf-8")} for entry in index]

