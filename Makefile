# Two commands for a new user: `make run` (the main job) and `make test` (every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run demo test reliability bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "zhengce-watch needs Python 3.11 or newer (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

run: $(STAMP)  ## crawl every enabled site into data/notices.db and print what is new or changed
	$(BIN)/crawler run

demo: $(STAMP)  ## the main job against the bundled local mirror of the sites (offline)
	$(BIN)/crawler demo

test: $(STAMP)  ## lint and format check (ruff), then the whole test suite, a test file per worker on two cores
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadfile

reliability: $(STAMP)  ## fault, crash and concurrency suites, then their table (also part of `make test`)
	$(BIN)/python -m pytest tests/reliability

bench: $(STAMP)  ## benchmarks, as ratios against a baseline measured in the same run (BENCH_ARGS=--quick: N=1,000 only; GROWTH_ARGS="--sizes 1000,20000" skips the 200,000-notice archive)
	$(BIN)/python -m pip install --quiet trafilatura lxml_html_clean readability-lxml gne py-spy
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || echo "nginx not found (apt-get install -y nginx): serving with the project's mirror"
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/crawl.py --profile --breakdown $(BENCH_ARGS)
	$(BIN)/python bench/growth.py $(GROWTH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info
