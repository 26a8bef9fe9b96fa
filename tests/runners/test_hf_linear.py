"""harness/runners/hf_linear.py: a padded batch through the Gated DeltaNet chunk function packed into one
sequence gives the batch's outputs and final states, row by row; and the torch fallback is never wrapped."""

from __future__ import annotations

import torch

from harness.runners import hf_linear


def _torch_chunk():
    from transformers.models.qwen3_5 import modeling_qwen3_5 as m

    fn = m.torch_chunk_gated_delta_rule
    return getattr(fn, "__wrapped__", fn)


def _varlen(fn):
    """fla's packed contract, computed sequence by sequence with `fn` (which knows no cu_seqlens)."""
    def run(q, k, v, g=None, beta=None, cu_seqlens=None, initial_state=None, output_final_state=False, **kw):
        if cu_seqlens is None:
            return fn(q, k, v, g=g, beta=beta, initial_state=initial_state, output_final_state=output_final_state, **kw)
        assert q.shape[0] == 1
        outs, states = [], []
        for i, (a, b) in enumerate(zip(cu_seqlens[:-1].tolist(), cu_seqlens[1:].tolist())):
            init = None if initial_state is None else initial_state[i:i + 1]
            o, s = fn(q[:, a:b], k[:, a:b], v[:, a:b], g=g[:, a:b], beta=beta[:, a:b], initial_state=init,
                      output_final_state=output_final_state, **kw)
            outs.append(o)
            states.append(s)
        return torch.cat(outs, 1), (torch.cat(states) if output_final_state else None)
    return run


def test_packed_batch_equals_the_batch() -> None:
    fn = _torch_chunk()
    gen = torch.Generator().manual_seed(0)
    b, t, h, d = 3, 70, 2, 8  # 70: more than one 64-token chunk a row
    q, k, v = (torch.randn(b, t, h, d, generator=gen) for _ in range(3))
    g = -torch.rand(b, t, h, generator=gen)
    beta = torch.rand(b, t, h, generator=gen)
    init = torch.randn(b, h, d, d, generator=gen)
    want_o, want_s = fn(q, k, v, g=g, beta=beta, initial_state=init, output_final_state=True,
                        use_qk_l2norm_in_kernel=True)
    calls = []
    inner = _varlen(fn)
    packed = hf_linear.packed(lambda *a, **kw: calls.append(a[0].shape) or inner(*a, **kw), cpu=True)
    got_o, got_s = packed(q, k, v, g=g, beta=beta, initial_state=init, output_final_state=True,
                          use_qk_l2norm_in_kernel=True)
    assert calls == [torch.Size([1, b * t, h, d])]  # one packed sequence went in
    assert got_o.shape == want_o.shape and torch.allclose(got_o, want_o, atol=1e-5)
    assert torch.allclose(got_s, want_s, atol=1e-5)
    # One row goes through as it is (normed here too).
    one_o, _ = packed(q[:1], k[:1], v[:1], g=g[:1], beta=beta[:1], initial_state=init[:1], use_qk_l2norm_in_kernel=True)
    assert calls[-1] == torch.Size([1, t, h, d])
    assert torch.allclose(one_o, want_o[:1], atol=1e-5)
    assert hf_linear.packed(packed) is packed


def test_l2norm_is_the_in_kernel_one() -> None:
    """transformers' own l2norm is written to match fla's kernel; ours in float32 matches it in float32 and
    rounds once to bfloat16."""
    from transformers.models.qwen3_5.modeling_qwen3_5 import l2norm

    x = torch.randn(5, 7, 2, 16, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(hf_linear.l2norm(x), l2norm(x), atol=1e-6)
    xb = x.bfloat16()
    assert torch.equal(hf_linear.l2norm(xb), l2norm(xb.float()).bfloat16())
    assert not torch.allclose(hf_linear.l2norm(x), x)  # it does norm


def test_install_leaves_the_pytorch_fallback_alone() -> None:
    """Without fla the layers call transformers' own function, which takes no packed sequences."""
    from transformers import Qwen3_5ForCausalLM, Qwen3_5TextConfig

    cfg = Qwen3_5TextConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                            num_key_value_heads=1, head_dim=16, linear_num_key_heads=1, linear_num_value_heads=2,
                            linear_key_head_dim=16, linear_value_head_dim=16, vocab_size=100,
                            layer_types=["linear_attention", "full_attention"])
    assert hf_linear.install(Qwen3_5ForCausalLM(cfg)) == 0
    assert not hf_linear._is_fla(_torch_chunk())
