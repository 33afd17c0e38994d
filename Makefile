# vidsage: `make demo` sets up and runs the demo on the bundled samples; `make test` runs the tests.
# The first run builds .venv (torch ~2 min; llama-cpp-python compiles from source ~8 min on 2 cores,
# then pip caches the wheel). Later runs reuse .venv and pip's cache and start in seconds.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.vidsage-installed
DEMO_DB ?= .demo-db
EVAL_MODE ?= auto

.PHONY: install demo test eval bench clean
install: $(STAMP)

$(STAMP): pyproject.toml requirements/nodeps.txt
	@echo ">> setting up $(VENV) (first time: several minutes, see README)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.14.1 torchvision==0.29.1
	$(PY) -m pip install -q --no-deps -r requirements/nodeps.txt
	$(PY) -m pip install -q -e '.[dev,multilingual]'
	touch $(STAMP)

demo: install
	$(VENV)/bin/vidsage index samples --db $(DEMO_DB)
	$(VENV)/bin/vidsage videos --db $(DEMO_DB)
	$(VENV)/bin/vidsage ask "when does he say ask not what your country can do for you" --db $(DEMO_DB)
	$(VENV)/bin/vidsage ask "when does the red car appear" --db $(DEMO_DB)
	$(VENV)/bin/vidsage ask "what does she say about the crown jewels?" --db $(DEMO_DB)

test: install
	$(PY) -m pytest -q

eval: install
	$(VENV)/bin/vidsage eval eval/bundled.jsonl --db $(DEMO_DB) --mode $(EVAL_MODE) --out eval/report.json

bench: install
	$(PY) bench/index_speed.py
	$(PY) bench/query_scale.py

clean:
	rm -rf $(DEMO_DB) .pytest_cache
