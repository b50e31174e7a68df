"""LLM Lab's pipelines, one package per concern (see docs/ARCHITECTURE.md). Never imports gradio."""
import os

# OpenMP (libgomp, used by torch and by llama.cpp) reads how its waiting threads wait once, when it
# is first loaded, so this is set before anything imports torch. A thread waiting at a barrier
# spins at most 10,000 rounds (microseconds) and then sleeps. Spinning that briefly lifts llama.cpp's
# decode on idle cores from ~55 to ~77 tokens/s (2 threads); unbounded spinning (libgomp's default)
# collapses where other work shares the cores (2 threads fell from ~23 to 1-3 tokens/s), and
# sleeping at once (OMP_WAIT_POLICY=PASSIVE, the earlier setting) pays a wake-up at every barrier.
# Where other threads want the cores, the llama.cpp engine decodes on fewer threads
# (LlamaCppEngine._fit_threads). Measured: `python -m bench.engine --part threads`.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
