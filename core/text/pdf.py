"""The text of a PDF, extracted in a child process under hard limits, so a hostile file costs
bounded work and never the server's own CPU, memory or threads.

    pages = extract_pages(data, "report.pdf", max_chars=2_000_000)   # one string per page

A small PDF can make pypdf work for minutes: hundreds of pages may share one huge content
stream, a compressed stream may inflate a thousandfold. So extraction runs in its own process
(`python -m core.text.pdf`, reading the file on stdin and writing JSON), at low priority, with
limits on pages, characters of output (counted while extracting), CPU seconds, memory and wall
time; at most MAX_WORKERS run at once. Each refusal is a DocumentError with a message for the
person who uploaded the file.
"""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

MAX_PAGES = 2_000
MAX_SECONDS = float(os.environ.get("LLMLAB_PDF_SECONDS", 30))   # wall time per PDF
MAX_MEMORY = 2 * 1024**3                                          # address space of the worker
MAX_WORKERS = 4                                                   # PDFs read at once
ROOT = Path(__file__).resolve().parents[2]

_workers = threading.BoundedSemaphore(MAX_WORKERS)


class _Stop(Exception):
    """Raised inside the worker to end extraction early (a limit was reached)."""


def extract_pages(data: bytes, name: str, max_chars: int) -> list[str]:
    """Page texts of the PDF `data`; DocumentError when it cannot be read within the limits."""
    from core.errors import DocumentError
    with _workers:
        try:
            run = subprocess.run([sys.executable, "-m", "core.text.pdf", str(max_chars), str(MAX_SECONDS),
                                  str(MAX_PAGES)],
                                 input=data, capture_output=True, timeout=MAX_SECONDS + 5, cwd=ROOT,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)})
        except subprocess.TimeoutExpired:  # the child is killed by subprocess.run
            raise DocumentError(_too_slow(name)) from None
    try:
        result = json.loads(run.stdout)
    except ValueError:  # killed by its CPU or memory limit, or crashed
        raise DocumentError(f"{name}: the PDF is damaged or too complex to read "
                            f"(it needed more than the {MAX_MEMORY // 1024**3} GB or "
                            f"{MAX_SECONDS:.0f} s allowed).") from None
    error = result.get("error")
    if not error:
        return result["pages"]
    raise DocumentError({
        "no_header": f"{name}: this is not a PDF file (no PDF header).",
        "encrypted": f"{name}: the PDF is password-protected.",
        "damaged": f"{name}: the PDF is damaged or unreadable ({result.get('kind')}).",
        "pages": f"{name}: the PDF has {result.get('pages', 0):,} pages; the limit is {MAX_PAGES:,}. "
                 f"Split it into smaller files.",
        "chars": f"{name}: more than {max_chars:,} characters of text; the limit is {max_chars:,} "
                 f"per document. Split it into smaller files.",
        "time": _too_slow(name),
        "inflates": f"{name}: the PDF holds a compressed stream too large to read safely.",
    }[error])


def _too_slow(name: str) -> str:
    return (f"{name}: reading this PDF took longer than {MAX_SECONDS:.0f} s and was stopped (it may "
            f"repeat one huge page many times). Save it as text, or split it, and upload that.")


# --- the worker (runs in its own process) ------------------------------------------------------

def _limit_self(seconds: float) -> None:
    import resource
    os.nice(10)  # the server and other users come first
    resource.setrlimit(resource.RLIMIT_CPU, (int(seconds) + 2, int(seconds) + 3))
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY, MAX_MEMORY))


def _extract(data: bytes, max_chars: int, seconds: float, max_pages: int) -> dict:
    import io
    import logging
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files warn a lot
    if data.lstrip()[:1024].find(b"%PDF") < 0:
        return {"error": "no_header"}
    deadline = time.monotonic() + seconds - 1
    total = 0

    def count(text, *_):  # called for every piece of text as pypdf produces it
        nonlocal total
        total += len(text)
        if total > max_chars:
            raise _Stop("chars")
        if time.monotonic() > deadline:
            raise _Stop("time")

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return {"error": "encrypted"}
        if len(reader.pages) > max_pages:
            return {"error": "pages", "pages": len(reader.pages)}
        pages = []
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise _Stop("time")
            pages.append(page.extract_text(visitor_text=count) or "")
    except _Stop as stop:
        return {"error": str(stop)}
    except LimitReachedError:  # pypdf's own guard, e.g. a stream that inflates past its limit
        return {"error": "inflates"}
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError,
            IndexError, AssertionError, ZeroDivisionError, MemoryError) as err:
        return {"error": "damaged", "kind": type(err).__name__}
    return {"pages": pages}


if __name__ == "__main__":
    max_chars, seconds, max_pages = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    _limit_self(seconds)
    json.dump(_extract(sys.stdin.buffer.read(), max_chars, seconds, max_pages), sys.stdout)
