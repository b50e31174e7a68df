"""Cold and cached load time (and peak memory) of each offline model, through the loader and
by the plain library call a user would write by hand. Each row runs in a fresh process."""
import json
import subprocess
import sys
import tempfile

from bench import write_table

PROBE = r"""
import json, os, resource, sys, time
how = sys.argv[1]
import torch, transformers, sentence_transformers  # imports are not what is measured
start = time.perf_counter()
if how == "loader-generation":
    from core.runtime import loader; loader.load("generation")
elif how == "loader-embedding":
    from core.runtime import loader; loader.load("embedding")
elif how == "plain-gguf":
    from core.runtime import registry
    gguf = registry.bundled_path("smollm2-135m-instruct")
    transformers.AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    transformers.AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
elif how == "plain-minilm":
    from core.runtime import registry
    sentence_transformers.SentenceTransformer(str(registry.bundled_path("all-minilm-l6-v2")))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(how: str, cache: str) -> dict:
    env = {"HF_HUB_OFFLINE": "1", "LLMLAB_CACHE": cache, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", PROBE, how], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        runs = [("SmolLM2-135M-Instruct", "LLM Lab loader, empty cache (converts GGUF once)", "loader-generation"),
                ("SmolLM2-135M-Instruct", "LLM Lab loader, cached safetensors", "loader-generation"),
                ("SmolLM2-135M-Instruct", "by hand: from_pretrained(gguf_file=...) every time", "plain-gguf"),
                ("all-MiniLM-L6-v2", "LLM Lab loader (bundled folder)", "loader-embedding"),
                ("all-MiniLM-L6-v2", "by hand: SentenceTransformer(folder)", "plain-minilm")]
        for model, how, probe in runs:
            got = measure(probe, cache)
            rows.append([model, how, f"{got['seconds']:.1f} s", f"{got['rss_mb']:.0f} MB"])
    write_table("load", "Model load time (offline)", ["model", "how", "load time", "peak RSS"], rows,
                "Load time excludes importing torch/transformers; peak RSS is the whole process.")


if __name__ == "__main__":
    main(sys.argv[1:])
