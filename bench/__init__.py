"""Benchmarks: `python -m bench [name ...]` runs them (each also runs alone as `python -m bench.<name>`)
and writes bench/results/<name>.md through `save`, the one results writer."""
import platform
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def machine() -> str:
    import os

    import torch
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"torch {torch.__version__}, {torch.get_num_threads()} threads")


def table(header: list[str], rows: list[list]) -> list[str]:
    """A Markdown table as lines."""
    return (["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def save(name: str, text: str) -> str:
    """Write bench/results/<name>.md and print it."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text)
    print(text)
    return text


def write_table(name: str, title: str, header: list[str], rows: list[list], notes: str = "") -> str:
    lines = [f"### {title}", "", f"Machine: {machine()}. Command: `python -m bench.{name}`.", ""]
    lines += table(header, rows)
    return save(name, "\n".join(lines + ([""] + [notes] if notes else [])) + "\n")
