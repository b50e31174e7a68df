"""Benchmarks: `python -m bench [name ...]` runs them and writes bench/results/<name>.md."""
import platform
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def machine() -> str:
    import os

    import torch
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"torch {torch.__version__}, {torch.get_num_threads()} threads")


def write_table(name: str, title: str, header: list[str], rows: list[list], notes: str = "") -> str:
    lines = [f"### {title}", "", f"Machine: {machine()}. Command: `python -m bench.{name}`.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    text = "\n".join(lines + ([""] + [notes] if notes else [])) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text)
    print(text)
    return text
