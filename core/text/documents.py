"""The one document reader every tab uses: read, normalise, split into sentences and chunks.

    doc = read_document("notes.pdf")                    # a path, or bytes plus a name
    doc = document_from_text(pasted, name="pasted")     # text typed or pasted by a user
    spans = split_sentences(doc.text)                   # core.text.sentences: character offsets
    chunks = chunk_document(doc)                        # passages with document, page, offsets

Offsets always index into `Document.text` (the normalised text), so a chunk or a sentence
can be highlighted exactly where it came from. Anything a user could upload by mistake
(empty, unsupported, corrupt, too big, binary renamed .txt) raises DocumentError with a
message that can be shown to them as it is.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import DocumentError
from core.text import pdf
from core.text.language import cjk_share, language_warnings
from core.text.sentences import pieces, split_sentences

MAX_BYTES = 10 * 1024 * 1024        # per file; a Space shares one process among many users
MAX_CHARS = 2_000_000               # normalised text per document (~400 book pages)
SUPPORTED = {".txt": "text", ".md": "text", ".markdown": "text", ".text": "text",
             ".pdf": "pdf", ".html": "html", ".htm": "html"}
SUPPORTED_TEXT = "TXT, MD, PDF or HTML"


@dataclass
class Document:
    name: str
    text: str                                        # normalised full text
    pages: list[tuple[int, int, int]]                # (page number from 1, start_char, end_char)
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        for number, start, end in self.pages:
            if start <= offset < end:
                return number
        return self.pages[-1][0] if self.pages else 1


@dataclass(frozen=True)
class Chunk:
    doc: str          # document name
    page: int         # page number (1 for documents without pages)
    start: int        # character offsets into Document.text
    end: int
    text: str         # == Document.text[start:end]


# --- reading ---------------------------------------------------------------------------

def read_document(source, name: str | None = None) -> Document:
    """Read a file given as a path (str or Path) or as bytes (then `name` gives its type)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        _check_type(name)
        try:
            size = path.stat().st_size
        except OSError as err:
            raise DocumentError(f"{name}: cannot be opened ({err.strerror or err}).") from err
        _check_size(name, size)
        data = path.read_bytes()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        if not name:
            raise DocumentError("A document given as bytes needs a file name (to know its type).")
        _check_type(name)
        data = bytes(source)
        _check_size(name, len(data))
    else:
        raise DocumentError(f"Cannot read a document from a {type(source).__name__}.")
    kind = SUPPORTED[Path(name).suffix.lower()]
    if kind == "pdf":
        pages = _pdf_pages(data, name)
    elif kind == "html":
        pages = [_html_text(_decode(data, name))]
    else:
        pages = [_decode(data, name)]
    return _assemble(name, pages)


def document_from_text(text: str, name: str = "pasted text") -> Document:
    """A document from text a user typed or pasted."""
    if not isinstance(text, str):
        raise DocumentError("Pasted text must be a string.")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise DocumentError(f"{name}: the text is larger than the {MAX_BYTES // 2**20} MB limit.")
    return _assemble(name, [text])


def _check_type(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        what = f"'{suffix}' files" if suffix else "files without an extension"
        raise DocumentError(f"{name}: {what} are not supported; upload {SUPPORTED_TEXT} files.")


def _check_size(name: str, size: int) -> None:
    if size == 0:
        raise DocumentError(f"{name}: the file is empty.")
    if size > MAX_BYTES:
        raise DocumentError(f"{name}: the file is {size / 2**20:.1f} MB; the limit is "
                            f"{MAX_BYTES // 2**20} MB per file.")


MAGIC = {b"%PDF": "a PDF", b"PK\x03\x04": "a ZIP/Office", b"\x89PNG": "a PNG image",
         b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x7fELF": "an executable",
         b"\x1f\x8b": "a gzip"}


MULTIBYTE = ("utf", "932", "936", "949", "950", "gb", "big5", "euc", "jis", "hz", "johab")


def _decode(data: bytes, name: str) -> str:
    """Bytes of a text file to str; binary content (e.g. an image renamed .txt) is refused."""
    for magic, what in MAGIC.items():
        if data.startswith(magic) and not name.lower().endswith(".pdf"):
            raise DocumentError(f"{name}: this is {what} file, not text; "
                                f"upload {SUPPORTED_TEXT} files.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes
            best = from_bytes(data).best()
            if best is None:
                raise DocumentError(f"{name}: the content is binary, not text; "
                                    f"upload {SUPPORTED_TEXT} files.") from None
            text = str(best)
            if not any(m in best.encoding for m in MULTIBYTE):
                try:  # short single-byte text is ambiguous; Windows-1252 is by far the most common
                    text = data.decode("cp1252")
                except UnicodeDecodeError:
                    pass
    control = sum(1 for ch in text[:100_000] if ch in "\x00" or
                  (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f"))
    if control > max(2, 0.01 * min(len(text), 100_000)):
        raise DocumentError(f"{name}: the content is binary, not text; "
                            f"upload {SUPPORTED_TEXT} files.")
    return text


def _pdf_pages(data: bytes, name: str) -> list[str]:
    pages = pdf.extract_pages(data, name, MAX_CHARS)  # in a child process, under hard limits
    if not any(p.strip() for p in pages):
        raise DocumentError(f"{name}: the PDF has no text layer (a scan or images only); "
                            f"run OCR on it first.")
    return pages


BLOCKS = ["p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
          "article", "header", "footer", "blockquote", "pre", "table", "ul", "ol", "dd", "dt"]


def _html_text(html: str) -> str:
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head", "svg"]):
        tag.decompose()
    for tag in soup.find_all(BLOCKS):  # block elements end a line, so sentences don't run together
        tag.insert_after("\n\n" if tag.name != "br" else "\n")
    return soup.get_text()


# --- normalising -----------------------------------------------------------------------

def normalise(text: str) -> str:
    """NFC, one kind of newline, no control characters, no runs of spaces or blank lines."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    text = text.replace("\u00ad", "").replace("\u200b", "")          # soft hyphen, zero width
    text = re.sub(r"[ \t\u00a0\u3000]+", lambda m: "\u3000" if m.group() == "\u3000" else " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _assemble(name: str, page_texts: list[str]) -> Document:
    parts, pages, offset = [], [], 0
    for number, raw in enumerate(page_texts, start=1):
        clean = normalise(raw)
        if not clean:
            continue
        if parts:
            parts.append("\n\n")
            offset += 2
        parts.append(clean)
        pages.append((number, offset, offset + len(clean)))
        offset += len(clean)
    text = "".join(parts)
    if not text.strip():
        raise DocumentError(f"{name}: there is no text in it.")
    if len(text) > MAX_CHARS:
        raise DocumentError(f"{name}: {len(text):,} characters of text; the limit is "
                            f"{MAX_CHARS:,} per document.")
    return Document(name, text, pages, language_warnings(text, name))


# --- chunks -------------------------------------------------------------------------

CHUNK_CHARS = 600      # about 150 tokens of English for the embedding model (it reads at most 256)
CHUNK_CHARS_CJK = 200  # Chinese, Japanese, Korean: about one token per character


def chunk_document(doc: Document, max_chars: int | None = None, overlap: int = 1) -> list[Chunk]:
    """Passages of whole sentences up to `max_chars` (by default sized for the embedding model's
    input: shorter for a text mostly in CJK characters), each repeating the last `overlap`
    sentences of the one before. Chunks never cross a page boundary."""
    max_chars = max_chars or (CHUNK_CHARS_CJK if cjk_share(doc.text) > 0.5 else CHUNK_CHARS)
    chunks = []
    for page, page_start, page_end in doc.pages:
        sentences = []
        for s, e in split_sentences(doc.text[page_start:page_end]):
            sentences += pieces(doc.text, page_start + s, page_start + e, max_chars)
        i = 0
        while i < len(sentences):
            j = i + 1
            while j < len(sentences) and sentences[j][1] - sentences[i][0] <= max_chars:
                j += 1
            start, end = sentences[i][0], sentences[j - 1][1]
            chunks.append(Chunk(doc.name, page, start, end, doc.text[start:end]))
            if j >= len(sentences):
                break
            back = min(overlap, j - i - 1)  # repeat only what still leaves room for a new sentence
            while back and sentences[j][1] - sentences[j - back][0] > max_chars:
                back -= 1
            i = j - back
    return chunks
