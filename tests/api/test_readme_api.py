"""The README's `gradio_client` calls run exactly as written (against the test app), and every
output of every endpoint has a label."""
import contextlib
import io
import re
from pathlib import Path

from gradio_client import Client

ROOT = Path(__file__).resolve().parents[2]


def readme_snippet() -> str:
    section = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("<!-- section:api -->")[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_calls_run_as_written(app_url, monkeypatch):
    code = readme_snippet()
    assert code.count("api_name=") >= 11  # one call per tab
    monkeypatch.chdir(ROOT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.replace("http://127.0.0.1:7860/", app_url), "README.md", "exec"), {})
    text = printed.getvalue()
    assert "Paris" in text and "tokens/s" in text       # Generate: the text | its summary line
    assert "November 2022" in text                      # Ask: the grounded span, with its confidence
    assert "\npositive\n" in text                        # Sentiment
    assert re.search(r"sport/food.*ft-[\w-]{16,}", text)  # Fine-tune: status and the model's key


def test_every_output_of_every_endpoint_has_a_label(app_url):
    api = Client(app_url, verbose=False).view_api(print_info=False, return_format="dict")["named_endpoints"]
    unlabelled = [f"{name}: {r['component']}" for name, e in api.items() for r in e["returns"]
                  if not r.get("label") or r["label"].startswith("value_")]
    assert len(api) >= 20 and not unlabelled, unlabelled
