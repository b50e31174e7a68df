"""LLM Lab's pipelines, one package per concern (see docs/ARCHITECTURE.md). Never imports gradio."""
import os

# OpenMP (libgomp, used by torch and by llama.cpp) reads how its waiting threads wait once, when it
# is first loaded, so this is set before anything imports torch. By default they spin briefly, then
# sleep (GOMP_SPINCOUNT=10000): libgomp's own default, spinning 300,000 rounds, collapses where other
# work shares the cores (llama.cpp with 2 threads fell from ~23 to 1-3 tokens/s), and sleeping at
# once (OMP_WAIT_POLICY=PASSIVE, set it to choose that) pays a wake-up at each of llama.cpp's ~100
# barriers a token (52.5 against 77.9 tokens/s on idle cores). Brief spinning beside a busy core is
# what LlamaCppEngine._fit_threads (on unless LLMLAB_FIT_THREADS=0) avoids: it decodes on the idle
# cores only. Measured: `python -m bench.engine --part threads`.
if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
    os.environ["GOMP_SPINCOUNT"] = "10000"
