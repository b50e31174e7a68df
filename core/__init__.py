"""LLM Lab's pipelines, one package per concern (see docs/ARCHITECTURE.md). Never imports gradio."""
import os

# OpenMP (libgomp, used by torch and by llama.cpp) reads how its waiting threads wait once, when it
# is first loaded, so this is set before anything imports torch. By default they sleep at once
# (PASSIVE): libgomp's own default, spinning without bound, collapses where other work shares the
# cores (llama.cpp with 2 threads fell from ~23 to 1-3 tokens/s). Setting GOMP_SPINCOUNT (e.g.
# 10000: spin briefly, then sleep) opts in to brief spinning instead: llama.cpp then decodes
# ~30% faster on idle cores; it is not the default while a stall seen in the shared-core test
# suite is not understood (README, Generation engines).
# With LLMLAB_FIT_THREADS=1 the llama.cpp engine also decodes on fewer threads while other threads
# want the cores (LlamaCppEngine._fit_threads). Measured: `python -m bench.engine --part threads`.
if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
