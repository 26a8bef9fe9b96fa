"""report.json's `thinking` record: the profile's mode as the merged model's template applies it."""

from __future__ import annotations

from harness.profiles import load_profile
from harness.profiles.model import EvalSpec
from harness.records.report import Report
from harness.report.build import thinking_record
from tests.publish.test_recipes_thinking import REAL
from tests.qwen_fixtures import vendored_template


def _profile(**eval_fields):
    return load_profile("demo").model_copy(update={"eval": EvalSpec(max_new_tokens=512, **eval_fields)})


def test_qwen35_modes():
    qwen = vendored_template("Qwen3.5-4B.jinja")
    off = thinking_record(_profile(), qwen)
    assert (off.mode, off.in_template, off.reasoning, off.max_new_tokens) == ("off", True, False, 512)
    on = thinking_record(_profile(thinking="on", template_kwargs={"x": 1}), qwen)
    assert (on.mode, on.reasoning, on.max_new_tokens, on.template_kwargs) == ("on", True, 2048, {"x": 1})
    assert thinking_record(_profile(thinking="on", thinking_max_new_tokens=3000), qwen).max_new_tokens == 3000


def test_embedded_template_has_no_switch():
    rec = thinking_record(_profile(thinking="on"), REAL.chat_template)
    assert (rec.in_template, rec.reasoning, rec.max_new_tokens) == (False, False, 512)


def test_report_round_trip_and_older_reports():
    assert REAL.thinking is None  # written before the field existed: still valid
    rep = REAL.model_copy(update={"thinking": thinking_record(_profile(), vendored_template("Qwen3.5-4B.jinja"))})
    back = Report.model_validate_json(rep.model_dump_json())
    assert back.thinking == rep.thinking and back.schema_version == 1
