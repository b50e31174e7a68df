"""Files through the API: a result is written once, into gradio's cache (no copy left in the
temp folder), neutralised against spreadsheet formulas, and every file is swept by age."""
import csv
import os
import tempfile
from pathlib import Path

from gradio_client import handle_file

import app
from demos.sessions import UPLOADS


def test_the_result_csv_leaves_nothing_in_the_temp_folder_and_has_no_formulas(client, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the writer's temporary file goes
    path = tmp_path / "reviews.csv"
    path.write_text('id,review\r\n1,"=HYPERLINK(""http://x"",""y"") Great room."\r\n2,@SUM(1) awful\r\n',
                    encoding="utf-8")
    _, result_csv, summary = client.predict(handle_file(str(path)), "review", api_name="/sentiment_batch")
    assert "2 rows" in summary
    assert list(scratch.rglob("sentiment-*.csv")) == [], "the result was left in the temp folder"
    served = [p for p in UPLOADS.glob("result-*/*.csv") if p.name == Path(result_csv).name]
    assert len(served) == 1  # written once, into gradio's cache, where the age sweep finds it
    rows = list(csv.DictReader(open(result_csv, encoding="utf-8")))
    assert [r["review"][:2] for r in rows] == ["'=", "'@"]


def test_files_of_sessions_that_never_end_are_swept_by_age(monkeypatch):
    monkeypatch.setattr(app, "FILES_KEPT_S", 1800)
    demo = app.build_app()
    assert demo.delete_cache == (600, 1800)
    assert app.launch_kwargs()["max_file_size"] == "20mb" and os.environ.get("GRADIO_TEMP_DIR")
