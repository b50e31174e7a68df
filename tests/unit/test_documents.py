"""The one document reader: formats, normalising, sentence spans, chunks, and bad input."""
import pytest

from core.errors import DocumentError
from core.text import documents
from core.text.documents import chunk_document, document_from_text, read_document
from core.text.language import language_warnings
from core.text.sentences import split_sentences
from tests.fixtures.pdf import make_pdf


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_english_sentences_keep_abbreviations_decimals_and_initials_together():
    text = ("Dr. Smith met J. Doe at 3.5 p.m. sharp, e.g. before lunch. Was it late? "
            "No! It was fine… They left.")
    assert sentences(text) == ["Dr. Smith met J. Doe at 3.5 p.m. sharp, e.g. before lunch.",
                               "Was it late?", "No!", "It was fine…", "They left."]


def test_chinese_and_japanese_sentences_split_without_spaces():
    text = "今天天气很好。我们去公园吧！你去吗？日本語の文です。「次の文。」最後"
    assert sentences(text) == ["今天天气很好。", "我们去公园吧！", "你去吗？", "日本語の文です。",
                               "「次の文。」", "最後"]


def test_a_title_is_its_own_sentence_but_a_wrapped_line_is_not():
    article = "Ad sales boost Time Warner profit\nQuarterly profits jumped 76% to $1.13bn. The firm benefited."
    assert sentences(article) == ["Ad sales boost Time Warner profit", "Quarterly profits jumped 76% to $1.13bn.",
                                  "The firm benefited."]
    assert sentences("The model was trained on\nWikipedia and books.") == ["The model was trained on\nWikipedia and books."]
    long_line = "This first line of a paragraph runs on for many more words than a title has\nWikipedia too."
    assert len(sentences(long_line)) == 1


def test_spans_are_trimmed_offsets_into_the_text():
    text = "  First one.   Second one.\n\nThird\nwrapped line.\n# Heading\n- item a\n- item b  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one.", "Third\nwrapped line.",
                                             "# Heading", "- item a", "- item b"]
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)


def test_chunks_are_exact_slices_within_pages_with_sentence_overlap():
    body = " ".join(f"Sentence number {i} talks about topic {i % 7}." for i in range(60))
    doc = read_document(make_pdf([body[:900], body[900:1800]]), "two.pdf")
    chunks = chunk_document(doc, max_chars=200, overlap=1)
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start:chunk.end]
        assert len(chunk.text) <= 200
        page = [p for p in doc.pages if p[0] == chunk.page][0]
        assert page[1] <= chunk.start < chunk.end <= page[2]
    same_page = [(a, b) for a, b in zip(chunks, chunks[1:]) if a.page == b.page]
    assert same_page and all(b.start < a.end for a, b in same_page)  # the overlap
    covered = {i for c in chunks for i in range(c.start, c.end)}
    assert all(s in covered for s, _ in split_sentences(doc.text))


def test_a_sentence_longer_than_a_chunk_is_cut_into_pieces():
    doc = document_from_text("word " * 1000)
    chunks = chunk_document(doc, max_chars=300)
    assert len(chunks) >= 15 and all(len(c.text) <= 300 for c in chunks)
    cjk = document_from_text("漢" * 1000)
    assert all(len(c.text) <= 300 for c in chunk_document(cjk, max_chars=300))


def test_pdf_pages_keep_their_numbers_and_offsets():
    doc = read_document(make_pdf(["Page one says hello.", "", "Page three (after a blank)."]), "a.pdf")
    assert [(n, doc.text[s:e]) for n, s, e in doc.pages] == [
        (1, "Page one says hello."), (3, "Page three (after a blank).")]
    assert doc.page_at(doc.text.index("three")) == 3


def test_html_loses_scripts_and_keeps_blocks_apart(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><head><style>p{}</style></head><body><h1>Title</h1><p>First para."
                    "</p><script>alert(1)</script><p>Second<br>line</p></body></html>")
    doc = read_document(path)
    assert doc.name == "page.html"
    assert doc.text == "Title\n\nFirst para.\n\nSecond\nline"


def test_text_encodings_and_normalising():
    assert read_document("café naïve".encode("latin-1"), "a.txt").text == "café naïve"
    assert read_document("Grüße\r\n\r\n\r\n\r\nzwei".encode("utf-16"), "b.md").text == "Grüße\n\nzwei"
    assert read_document("\ufeffx\u00a0 y\x07 ".encode(), "c.txt").text == "x y"


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.txt", "empty"),
    (b"hello", "notes.docx", "'.docx' files are not supported"),
    (b"hello", "README", "without an extension"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "photo.txt", "PNG image"),
    (bytes(range(256)) * 40, "random.txt", "binary"),
    (b"%PDF-1.4 garbage that is not a pdf", "broken.pdf", "damaged"),
    (b"just text", "fake.pdf", "not a PDF"),
    (b"   \n\n\t ", "blank.txt", "no text"),
])
def test_bad_files_raise_a_clear_error(data, name, message):
    with pytest.raises(DocumentError, match=message) as err:
        read_document(data, name)
    assert str(err.value).startswith(name)


def test_truncated_and_textless_pdfs():
    with pytest.raises(DocumentError, match="damaged"):
        read_document(make_pdf(["Some text here."])[:150], "cut.pdf")
    with pytest.raises(DocumentError, match="no text layer"):
        read_document(make_pdf(["", ""]), "scan.pdf")


def test_oversized_files_state_the_limit(tmp_path):
    path = tmp_path / "big.txt"
    with open(path, "wb") as f:
        f.truncate(documents.MAX_BYTES + 1)  # sparse: no 10 MB written
    with pytest.raises(DocumentError, match=r"limit is 10 MB"):
        read_document(path)
    with pytest.raises(DocumentError, match=r"10 MB"):
        document_from_text("a" * (documents.MAX_BYTES + 1))


def test_language_warnings():
    assert language_warnings("The model reads the text and it predicts the next token. " * 5) == []
    assert "non-Latin" in language_warnings("今天天气很好。我们去公园吧！")[0]
    french = ("Le chat dort sur la table pendant que les enfants jouent dehors avec leurs amis "
              "du quartier sous le soleil du printemps qui brille très fort aujourd'hui encore")
    assert "not look like English" in language_warnings(french)[0]
    assert read_document("Привет мир. Как дела?".encode(), "ru.txt").warnings
