"""The batch result CSV never carries a spreadsheet formula (OWASP CSV injection)."""
import csv
import os

import pandas as pd

from core.sentiment.batch import write_csv

ATTACKS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3",
           "@SUM(1,2)", "\t=1+1", "\r=1+1", "=1+1\n=2+2"]


def read_back(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    os.remove(path)
    return rows


def test_cells_that_would_be_formulas_are_written_as_text():
    frame = pd.DataFrame({"text": ATTACKS, "sentiment_label": ["negative"] * len(ATTACKS)})
    header, *rows = read_back(write_csv(frame))
    assert header == ["text", "sentiment_label"]
    assert [row[0] for row in rows] == ["'" + attack for attack in ATTACKS]
    assert all(row[1] == "negative" for row in rows)


def test_numbers_ordinary_text_and_headers():
    frame = pd.DataFrame({"=cmd()": ["-3.5", "+12", "1e-3", "a - b", "", "x=1"],
                          "sentiment_score_negative": [-0.25, 0.5, 1.0, 0.0, None, 0.1]})
    header, *rows = read_back(write_csv(frame))
    assert header == ["'=cmd()", "sentiment_score_negative"]
    assert [row[0] for row in rows] == ["-3.5", "+12", "1e-3", "a - b", "", "x=1"]
    assert [row[1] for row in rows] == ["-0.25", "0.5", "1.0", "0.0", "", "0.1"]
