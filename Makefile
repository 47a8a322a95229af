# framemig — run `make test` for the tests, `make demo` for the demo, `make bench`.
# Every target installs what it needs into local virtual environments (.venv*).

SHELL := /bin/bash
PY311 := $(shell tools/find-python 3.11)
VENV := .venv
PY := $(VENV)/bin/python
SIDE_VERSIONS := 3.12 3.13
STAMP := .installed-stamp
# pure-Python PyPI packages that tests/test_thirdparty.py runs as programs, on every venv
THIRDPARTY := tests/thirdparty/requirements.txt

.PHONY: test test-slow test-faults fuzz bench lint demo demo-local venvs clean

$(VENV)/$(STAMP): pyproject.toml $(THIRDPARTY)
	@test -n "$(PY311)" || { echo "CPython 3.11 is required"; exit 1; }
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m pip install -q --only-binary=:all: -r $(THIRDPARTY)
	touch $@

.venv-%/$(STAMP): pyproject.toml $(THIRDPARTY)
	@python=$$(tools/find-python $*) && { test -x .venv-$*/bin/python || $$python -m venv .venv-$*; }
	.venv-$*/bin/python -m pip install -q --upgrade pip
	.venv-$*/bin/python -m pip install -q -e .
	.venv-$*/bin/python -m pip install -q --only-binary=:all: -r $(THIRDPARTY)
	touch $@

# CPython 3.14 (issue 14): from PATH or pyenv, else fetched from Debian by tools/find-python,
# in a venv with pip from PyPI (tools/make-venv: a Debian build's ensurepip is too old).
# Where it cannot be had, the suite runs without it and says why (.venv-3.14.unavailable,
# read by tests/test_interpreters.py): skipped with the reason, never passed silently.
.venv-3.14/$(STAMP): pyproject.toml $(THIRDPARTY)
	@rm -f .venv-3.14.unavailable
	@if tools/make-venv 3.14 .venv-3.14 >/dev/null 2>.venv-3.14.log; then \
	  .venv-3.14/bin/python -m pip install -q -e . && \
	  .venv-3.14/bin/python -m pip install -q --only-binary=:all: -r $(THIRDPARTY) && \
	  touch $@; \
	else tail -n 1 .venv-3.14.log > .venv-3.14.unavailable; \
	  echo "CPython 3.14 is not available: $$(cat .venv-3.14.unavailable)"; fi

venvs: $(VENV)/$(STAMP) $(foreach v,$(SIDE_VERSIONS),.venv-$(v)/$(STAMP)) .venv-3.14/$(STAMP)

# FRAMEMIG_PYTHON_3_14 when its venv is ready (tests/harness.py then takes 3.14 pairs)
PY314 = $$(test -e .venv-3.14/$(STAMP) && echo $(CURDIR)/.venv-3.14/bin/python)

# The test suite runs on 3.11 and migrates programs to and from 3.12, 3.13 and 3.14.
test: venvs
	FRAMEMIG_PYTHON_3_11=$(CURDIR)/$(PY) \
	FRAMEMIG_PYTHON_3_12=$(CURDIR)/.venv-3.12/bin/python \
	FRAMEMIG_PYTHON_3_13=$(CURDIR)/.venv-3.13/bin/python \
	FRAMEMIG_PYTHON_3_14=$(PY314) \
	$(PY) -m pytest -q -n auto $(PYTEST_ARGS)

# The third-party property test with many seeds, both chains, every driver (FRAMEMIG_SLOW_SEEDS,
# default 5): tests/test_thirdparty.py; and the whole syntax corpus, every line on every
# pair of versions: tests/test_syntax.py (make test runs one pair per line).
test-slow: venvs
	FRAMEMIG_SLOW=1 FRAMEMIG_SLOW_SEEDS=$(or $(SEEDS),5) \
	FRAMEMIG_PYTHON_3_11=$(CURDIR)/$(PY) \
	FRAMEMIG_PYTHON_3_12=$(CURDIR)/.venv-3.12/bin/python \
	FRAMEMIG_PYTHON_3_13=$(CURDIR)/.venv-3.13/bin/python \
	FRAMEMIG_PYTHON_3_14=$(PY314) \
	$(PY) -m pytest -q -n auto tests/test_thirdparty.py tests/test_syntax.py $(PYTEST_ARGS)

# The fault-injection suite (tests/faults/, whose short form make test runs once) again and
# again, with its slow cases (32 migrations at once): REPEAT rounds (default 3), stopping
# at the first failure.
test-faults: venvs
	for round in $$(seq $(or $(REPEAT),3)); do \
	  FRAMEMIG_FAULTS_SLOW=1 FRAMEMIG_PYTHON_3_11=$(CURDIR)/$(PY) \
	  FRAMEMIG_PYTHON_3_12=$(CURDIR)/.venv-3.12/bin/python \
	  FRAMEMIG_PYTHON_3_13=$(CURDIR)/.venv-3.13/bin/python \
	  FRAMEMIG_PYTHON_3_14=$(PY314) \
	  $(PY) -m pytest -q -n auto tests/faults $(PYTEST_ARGS) || exit 1; done

# Hostile input (issue 13): 10^5 mutated snapshots through restore, 10^5 mutated commands
# at a real node (tests/fuzz/; make test runs a few hundred of each). EXAMPLES: how many;
# SEED: Hypothesis's seed, to replay a run. Stops at the first failure, shrunk.
fuzz: venvs
	for python in $(PY) $(foreach v,$(SIDE_VERSIONS),.venv-$(v)/bin/python); do \
	  $$python -m tests.fuzz slots || exit 1; done
	$(PY) -m tests.fuzz snapshots --examples $(or $(EXAMPLES),100000) $(if $(SEED),--seed $(SEED))
	$(PY) -m tests.fuzz messages --examples $(or $(EXAMPLES),100000) $(if $(SEED),--seed $(SEED))

bench: venvs
	FRAMEMIG_PYTHON_3_12=$(CURDIR)/.venv-3.12/bin/python \
	FRAMEMIG_PYTHON_3_13=$(CURDIR)/.venv-3.13/bin/python \
	$(PY) bench/run.py $(BENCH_ARGS)

lint: $(VENV)/$(STAMP)
	$(PY) -m ruff check framemig tests bench demo

# The seed's scene: three nodes on 3.11/3.12/3.13, a camera and a motion detector that
# moves; DEMO_KEEP=1 leaves it running to watch with framemig top.
demo: venvs
	FRAMEMIG_PYTHON_3_12=$(CURDIR)/.venv-3.12/bin/python \
	FRAMEMIG_PYTHON_3_13=$(CURDIR)/.venv-3.13/bin/python \
	DEMO_KEEP=$(DEMO_KEEP) $(PY) demo/fleet_demo.py $(DEMO_ARGS)

# One program captured and continued across 3.11 -> 3.13 -> 3.12, without Redis.
demo-local: venvs
	FRAMEMIG_PYTHON_3_12=$(CURDIR)/.venv-3.12/bin/python \
	FRAMEMIG_PYTHON_3_13=$(CURDIR)/.venv-3.13/bin/python \
	$(PY) demo/local_demo.py

clean:
	rm -rf .venv .venv-* *.egg-info .pytest_cache
