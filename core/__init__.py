"""LLM Lab's pipelines, one package per concern (see docs/ARCHITECTURE.md). Never imports gradio."""
import os

# OpenMP (torch's libgomp, which llama.cpp shares) reads this once, when torch is first imported:
# threads that wait for work sleep instead of spinning. On a 2-core machine shared with other
# work, spinning threads starve each other: llama.cpp with 2 threads fell from ~23 to 1-3 tokens/s
# (bench/engine.py). It must be set before torch is imported, hence here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
