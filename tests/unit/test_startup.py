"""The page must be served within seconds of start, so building the app may not import the
model libraries (torch, transformers, sentence-transformers cost ~5 s together); they load
in the background warm-up or on first use. (faiss, ~0.3 s, may load at start.)"""
import json
import subprocess
import sys
from pathlib import Path

HEAVY = ["torch", "transformers", "sentence_transformers", "sklearn"]


def test_building_the_app_imports_no_model_library():
    probe = ("import json, sys, app; app.build_app(); app.launch_kwargs(); "
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parents[2],
                         capture_output=True, text=True, timeout=120,
                         env={"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
                              "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []
