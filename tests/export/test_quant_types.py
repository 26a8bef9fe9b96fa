"""harness/export/quant_types.py: quant names checked against gguf.LlamaFileType."""

from __future__ import annotations

import pytest
from gguf import LlamaFileType

from harness.errors import BadInput
from harness.export.quant_types import level_name, parse_quant_type


@pytest.mark.parametrize("name", ["Q4_K_M", "q4_k_m", "Q4_k_M", " q4_k_m ", "MOSTLY_Q4_K_M", "mostly_q4_k_m"])
def test_parse_case_insensitive_and_prefix(name):
    assert parse_quant_type(name) is LlamaFileType.MOSTLY_Q4_K_M


@pytest.mark.parametrize("name,member", [("Q8_0", "MOSTLY_Q8_0"), ("f16", "MOSTLY_F16"), ("q2_k", "MOSTLY_Q2_K"),
                                         ("Q3_K_M", "MOSTLY_Q3_K_M"), ("bf16", "MOSTLY_BF16")])
def test_parse_known(name, member):
    assert parse_quant_type(name) is LlamaFileType[member]


@pytest.mark.parametrize("name", ["q4km", "Q9_0", "", "guessed", "GUESSED"])
def test_unknown_lists_known_names(name):
    with pytest.raises(BadInput) as e:
        parse_quant_type(name)
    msg = str(e.value)
    assert "unknown quant type" in msg
    assert repr(name) in msg
    for known in ("Q8_0", "Q4_K_M", "Q2_K", "F16"):
        assert known in msg
    assert "MOSTLY_" not in msg and "GUESSED" not in msg.split("known:")[1]


def test_imatrix_types_refused_without_imatrix():
    with pytest.raises(BadInput, match="needs an importance matrix: set export.imatrix: true"):
        parse_quant_type("IQ2_XS")
    assert parse_quant_type("IQ2_XS", imatrix=True) == LlamaFileType.MOSTLY_IQ2_XS


def test_profile_ladder_with_iq_types_needs_imatrix():
    from harness.profiles.model import ExportSpec

    with pytest.raises(ValueError, match="export.imatrix: true"):
        ExportSpec(ladder=["Q4_K_M", "IQ2_XXS"])
    assert ExportSpec(imatrix=True, ladder=["iq2_xxs"]).ladder == ["IQ2_XXS"]


def test_level_name():
    assert level_name(LlamaFileType.MOSTLY_Q4_K_M) == "q4_k_m"
    assert level_name(LlamaFileType.MOSTLY_Q8_0) == "q8_0"
    assert level_name(LlamaFileType.MOSTLY_F16) == "f16"
    assert level_name(parse_quant_type("Q3_K_M")) == "q3_k_m"
