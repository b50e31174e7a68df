"""Reading a PDF is bounded while it happens: by characters of output, pages, wall time, and
in a low-priority child process, so hostile files cannot hold the server's CPU."""
import resource
import threading
import time

import pytest

from core.errors import DocumentError
from core.text import pdf
from core.text.documents import MAX_CHARS, read_document
from tests.fixtures.pdf import make_pdf, shared_stream_pdf


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_a_small_pdf_whose_pages_share_one_stream_is_refused_as_soon_as_the_text_is_too_long():
    data = shared_stream_pdf(pages=400, operations=2000)
    assert len(data) < 80_000
    started, cpu = time.perf_counter(), child_cpu()
    with pytest.raises(DocumentError, match=f"more than {MAX_CHARS:,} characters"):
        read_document(data, "shared.pdf")
    # the whole file is ~15 M characters; extraction stopped after the first 2 M (~55 of 400 pages)
    assert child_cpu() - cpu < 20, "extraction was not stopped early"
    assert time.perf_counter() - started < pdf.MAX_SECONDS + 5


def test_extraction_is_stopped_at_the_time_limit(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_SECONDS", 2.0)
    started = time.perf_counter()
    with pytest.raises(DocumentError, match="took longer than 2 s"):
        pdf.extract_pages(shared_stream_pdf(pages=400, operations=20000), "slow.pdf", max_chars=10**9)
    assert time.perf_counter() - started < 2.0 + 5


def test_too_many_pages_are_refused_before_any_text_is_read(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGES", 3)
    with pytest.raises(DocumentError, match="has 4 pages; the limit is 3"):
        read_document(make_pdf(["one", "two", "three", "four"]), "long.pdf")
    assert read_document(make_pdf(["one", "two", "three"]), "short.pdf").text == "one\n\ntwo\n\nthree"


def test_other_uploads_are_served_while_hostile_pdfs_are_read():
    hostile = shared_stream_pdf(pages=400, operations=20000)
    errors = []

    def read_hostile():
        try:
            read_document(hostile, "hostile.pdf")
        except DocumentError as err:
            errors.append(str(err))

    readers = [threading.Thread(target=read_hostile) for _ in range(2)]
    for reader in readers:
        reader.start()
    time.sleep(1.0)
    started = time.perf_counter()
    assert read_document(make_pdf(["An ordinary page of text."]), "normal.pdf").text == "An ordinary page of text."
    assert read_document(b"Plain notes.", "notes.txt").text == "Plain notes."
    normal_seconds = time.perf_counter() - started
    for reader in readers:
        reader.join()
    assert len(errors) == 2 and all("hostile.pdf" in e for e in errors)
    assert normal_seconds < 10, f"a normal upload waited {normal_seconds:.1f} s behind hostile ones"
