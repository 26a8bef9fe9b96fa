"""An importance matrix for the quantizer, computed from the merged HF model.

What `llama-imatrix` measures: for every weight matrix, the mean square of each input column over
calibration text (the quantizer then spends its precision on the columns that carry signal). The
inputs of a GGUF matmul are the inputs of the HF `nn.Linear` it came from, so forward pre-hooks on
the merged model in transformers give the same numbers without a llama.cpp build. Names are mapped
to GGUF tensor names with gguf-py's own table (`TensorNameMap`, what the converter uses); a matrix
the converter fuses, splits or reshapes has no match (or a different width) and is left out (the
quantizer then quantizes it without importance data, as llama-quantize does for missing entries).

Calibration text: the training mixture rendered through the model's chat template, never eval or
held-out KL text. The result is written in llama.cpp's imatrix GGUF format, so a user's
`llama-quantize --imatrix` reads it as well.
"""

from __future__ import annotations

from pathlib import Path

CHUNK = 512  # tokens per forward pass, as llama-imatrix's default context


def calibration_text(sources: list[str], template: str, supports_tools: bool, eos: str,
                     variables: dict | None = None) -> str:
    """Training examples of every source, interleaved, as the model saw them in training (the same
    template variables: thinking mode)."""
    from itertools import zip_longest

    from harness.training.mixture import load_source, to_example

    per_source = [[to_example(s, r, template, supports_tools, eos, variables=variables) for r in load_source(s).records]
                  for s in sources]
    return "\n".join(e.prompt + e.completion for row in zip_longest(*per_source) for e in row if e is not None)


def _gguf_targets(f16: Path) -> tuple[str, int, dict[str, int]]:
    """Architecture, block count and {tensor name: input width} of the 2-D weights of the 16-bit GGUF."""
    from harness.models.inspect import open_gguf

    reader = open_gguf(f16)  # header checked against the file size first
    arch = str(reader.fields["general.architecture"].contents())
    blocks = reader.fields.get(f"{arch}.block_count")
    widths = {t.name: int(t.shape[0]) for t in reader.tensors if len(t.shape) == 2}  # shape[0] = ne0 = input width
    return arch, int(blocks.contents()) if blocks else 0, widths


def compute_imatrix(merged: Path, f16: Path, text: str, max_tokens: int, out: Path, dataset: str) -> dict:
    import gguf
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    arch, blocks, widths = _gguf_targets(f16)
    arch_enum = {name: key for key, name in gguf.MODEL_ARCH_NAMES.items()}[arch]
    names = gguf.get_tensor_name_map(arch_enum, blocks)
    tok = AutoTokenizer.from_pretrained(merged)
    model = AutoModelForCausalLM.from_pretrained(merged, dtype=torch.float32).eval()
    sums: dict[str, torch.Tensor] = {}
    counts: dict[str, int] = {}

    def hook(target: str):
        def pre(_module, args):
            x = args[0].detach().reshape(-1, args[0].shape[-1]).double()
            sums[target] = sums.get(target, 0) + (x * x).sum(0)
            counts[target] = counts.get(target, 0) + x.shape[0]
        return pre

    skipped, handles = [], []
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.Linear):
            continue
        target = names.get_name(f"{name}.weight", try_suffixes=(".weight",))
        if target is not None and widths.get(target) == module.in_features:
            handles.append(module.register_forward_pre_hook(hook(target)))
        else:
            skipped.append(name)
    ids = tok(text, add_special_tokens=False)["input_ids"][:max_tokens]
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK) if len(ids[i : i + CHUNK]) >= 16]
    with torch.inference_mode():
        for chunk in chunks:
            model(torch.tensor([chunk]))
    for h in handles:
        h.remove()
    writer = gguf.GGUFWriter(str(out), arch)
    writer.add_type("imatrix")
    writer.add_array("imatrix.datasets", [dataset])
    writer.add_uint32("imatrix.chunk_count", len(chunks))
    writer.add_uint32("imatrix.chunk_size", CHUNK)
    for target in sorted(sums):
        writer.add_tensor(f"{target}.in_sum2", sums[target].float().numpy().reshape(1, -1))
        writer.add_tensor(f"{target}.counts", np.array([[counts[target]]], dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {"file": out.name, "entries": len(sums), "chunks": len(chunks), "tokens": sum(map(len, chunks)),
            "skipped_linear": skipped}
