"""harness/profiles: built-in profiles, paths, and errors that name the file and line."""

from __future__ import annotations

import pytest

from harness.errors import BadInput
from harness.profiles import Profile, load_profile

MINIMAL = "name: x\nbase:\n  kind: hf\n  name: b\n  path: /models/b\n"


@pytest.mark.parametrize("name", ["demo", "4b", "9b"])
def test_builtin_profiles_load(name):
    p = load_profile(name)
    assert isinstance(p, Profile)
    assert p.name == name
    assert p.export.ladder  # names normalised by parse_quant_type
    assert all(q == q.upper() and not q.startswith("MOSTLY_") for q in p.export.ladder)


def test_demo_profile_values():
    p = load_profile("demo")
    assert p.base.kind == "package_gguf"
    assert p.export.ladder == ["Q8_0", "Q4_K_M", "Q3_K_M", "Q2_K"]


def _write(tmp_path, text: str | bytes, name: str = "p.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_path_works(tmp_path):
    path = _write(tmp_path, MINIMAL + "export:\n  ladder: [q8_0, mostly_q4_k_m]\n")
    p = load_profile(str(path))
    assert p.name == "x" and p.base.path == "/models/b"
    assert p.export.ladder == ["Q8_0", "Q4_K_M"]


def test_unknown_key_names_file_and_line(tmp_path):
    path = _write(tmp_path, MINIMAL + "train:\n  max_steps: 5\n  learnig_rate: 0.1\n")
    with pytest.raises(BadInput) as e:
        load_profile(str(path))
    assert e.value.where == str(path)
    assert e.value.line == 8
    assert str(e.value).startswith(f"{path}:8:")
    assert "learnig_rate" in str(e.value)


def test_unknown_top_level_key(tmp_path):
    path = _write(tmp_path, "name: x\nbogus: 1\nbase: {kind: hf, name: b}\n")
    with pytest.raises(BadInput) as e:
        load_profile(str(path))
    assert e.value.line == 2 and "bogus" in str(e.value)


def test_unknown_key_line_under_its_parent(tmp_path):
    # `limit` is valid under eval (line 7) but unknown under gate (line 10): the error must point at line 10.
    path = _write(tmp_path, MINIMAL + "eval:\n  limit: 5\ngate:\n  alpha: 0.05\n  limit: 3\n")
    with pytest.raises(BadInput) as e:
        load_profile(str(path))
    assert "gate.limit" in str(e.value)
    assert e.value.line == 10


def test_invalid_value_names_line(tmp_path):
    path = _write(tmp_path, MINIMAL + "train:\n  max_steps: 0\n")
    with pytest.raises(BadInput) as e:
        load_profile(str(path))
    assert e.value.line == 7 and "train.max_steps" in str(e.value)


def test_malformed_yaml_has_line(tmp_path):
    path = _write(tmp_path, "name: x\nbase:\n  kind: hf\n  name: [unclosed\ntrain: {}\n")
    with pytest.raises(BadInput) as e:
        load_profile(str(path))
    assert e.value.where == str(path)
    assert isinstance(e.value.line, int) and e.value.line >= 4
    assert "malformed YAML" in str(e.value)


def test_not_a_mapping(tmp_path):
    with pytest.raises(BadInput, match="mapping"):
        load_profile(str(_write(tmp_path, "- a\n- b\n")))


def test_unknown_quant_type_in_ladder(tmp_path):
    path = _write(tmp_path, MINIMAL + "export:\n  ladder: [Q8_0, q4km]\n")
    with pytest.raises(BadInput, match="q4km"):
        load_profile(str(path))


def test_unknown_quant_type_names_file_and_line(tmp_path):
    path = _write(tmp_path, MINIMAL + "export:\n  ladder: [Q8_0, q4km]\n")
    with pytest.raises(BadInput) as e:
        load_profile(str(path))
    assert e.value.where == str(path)
    assert e.value.line == 7


def test_not_utf8(tmp_path):
    path = _write(tmp_path, b"name: caf\xe9\nbase: {kind: hf, name: b}\n")
    with pytest.raises(BadInput, match="UTF-8") as e:
        load_profile(str(path))
    assert e.value.where == str(path)


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(BadInput) as e:
        load_profile(str(missing))
    assert str(missing) in str(e.value) and "no such profile" in str(e.value)


def test_unknown_builtin_name():
    with pytest.raises(BadInput, match="built in: .*demo"):
        load_profile("70b")


@pytest.mark.parametrize("name", ["../escape", "/abs", "a/b", ".hidden", ""])
def test_profile_name_cannot_leave_the_output_folder(tmp_path, name):
    p = tmp_path / "p.yaml"
    p.write_text(f"name: {name!r}\nbase: {{kind: hf, name: b}}\n")
    with pytest.raises(BadInput, match=r"name: String should match pattern") as e:
        load_profile(str(p))
    assert e.value.line == 1


def test_mixture_file_is_relative_to_the_profile(tmp_path):
    (tmp_path / "data").mkdir()
    src = tmp_path / "data" / "mine.jsonl"
    src.write_text('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n')
    p = tmp_path / "p.yaml"
    p.write_text("name: x\nbase: {kind: hf, name: b}\ntrain:\n  mixture: {data/mine.jsonl: 1.0, fc_en: 1.0}\n")
    prof = load_profile(str(p))
    assert list(prof.train.mixture) == [str(src.resolve()), "fc_en"]


def test_missing_mixture_file_names_profile_and_line(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("name: x\nbase: {kind: hf, name: b}\ntrain:\n  mixture:\n    nothere.jsonl: 1.0\n")
    with pytest.raises(BadInput, match="no such file") as e:
        load_profile(str(p))
    assert e.value.where == str(p) and e.value.line == 5


def test_gguf_limits_cap_only_gguf_levels_and_never_raise_a_limit():
    from harness.profiles.model import EvalSpec

    spec = EvalSpec(limit=20, limits={"general/mmlu": 10}, gguf_limits={"general/mmlu": 4, "general/hellaswag": 50})
    assert spec.task_limit("general/mmlu", "gguf") == 4 and spec.task_limit("general/mmlu", "hf") == 10
    assert spec.task_limit("general/hellaswag", "gguf") == 20 and spec.task_limit("general/hellaswag", "hf") == 20
    assert spec.task_limit("general/arc_easy", "gguf") == 20
    free = EvalSpec(gguf_limits={"general/hellaswag": 5})
    assert free.task_limit("general/hellaswag", "gguf") == 5 and free.task_limit("general/hellaswag", "hf") is None


def test_release_profiles_cap_hellaswag_on_gguf_levels_only():
    for name in ("4b", "9b"):
        spec = load_profile(name).eval
        assert spec.task_limit("general/hellaswag", "gguf") == 600
        assert spec.task_limit("general/hellaswag", "hf") is None and spec.task_limit("general/mmlu", "gguf") is None


def test_gguf_limits_name_tasks_the_profile_runs(tmp_path):
    path = _write(tmp_path, MINIMAL + "eval:\n  suites: [fc]\n  gguf_limits: {general/hellaswag: 600}\n")
    with pytest.raises(BadInput) as e:
        load_profile(str(path))
    assert "eval.gguf_limits.general/hellaswag" in str(e.value) and "not a task this profile runs" in str(e.value)
    assert e.value.line == 8  # the gguf_limits line


def test_gguf_limits_must_be_positive(tmp_path):
    path = _write(tmp_path, MINIMAL + "eval:\n  gguf_limits: {general/hellaswag: 0}\n")
    with pytest.raises(BadInput, match="at least 1 item"):
        load_profile(str(path))
