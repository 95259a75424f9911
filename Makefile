# skulab: `make reports` (the main job) and `make test`. Both set up .venv first, and skip that when
# pyproject.toml has not changed since the last install.
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PROFILE ?= params/demo.yaml

.PHONY: install reports test test-fast lab erp clean-reports

install: $(STAMP)

# torch first, from the CPU build on disk: any other order pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -qq torch==2.13.0
	$(PY) -m pip install -qq -e ".[dev,lab,spark]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (skulab)" >/dev/null
	touch $(STAMP)

reports: $(STAMP)
	$(VENV)/bin/skulab report --params $(PROFILE)

erp: $(STAMP)
	$(VENV)/bin/skulab erp build --params $(PROFILE)

# everything CI runs: unit and database tests, the notebooks as committed (nbval), then their pinned figures
test: $(STAMP)
	$(PY) -m pytest tests notebooks --nbval-lax -p no:cacheprovider

# the quick local loop: unit and database tests without the slow ones, no notebooks
test-fast: $(STAMP)
	$(PY) -m pytest tests -m "not slow" -p no:cacheprovider

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

# Deletes what `make reports` regenerates (the git-ignored notebooks, HTML, models, the ci profile's outputs);
# the committed summaries the README shows stay.
clean-reports:
	git clean -fdXq reports/
