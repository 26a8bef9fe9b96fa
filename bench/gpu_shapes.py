"""What a prefill forward costs the first time a batch size comes up, against a size already seen: fla's
chunked Gated DeltaNet compiles and autotunes a kernel per batch size (harness/runners/hf_linear.py), so a
level whose batches have many row counts pays that again and again. Runs the random-init Qwen3.5-4B shape
(bench/gpu_hf.py, `--layers` of it) over `--cases` (rows x tokens), each twice, as transformers calls fla
(`plain`) and with the runner's packing (`packed`), in one process, in `--order`; prints the first and
second time of each shape and the sums, side by side. `--order packed,plain` shows what packing leaves per
new shape with nothing compiled before it (fla's in-kernel L2 norm compiles per token bucket, so a plain
pass first would have compiled buckets a packed pass then finds).

    python bench/gpu_shapes.py --bench .gpu/gpu_bench/evalbench --layers 8
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def forward_ms(model, b: int, t: int) -> float:
    import torch

    ids = torch.randint(10, 1000, (b, t), device=model.device)
    torch.cuda.synchronize()
    start = time.perf_counter()
    with torch.inference_mode():
        model(input_ids=ids, use_cache=False, logits_to_keep=1)
    torch.cuda.synchronize()
    return (time.perf_counter() - start) * 1000


def unwrap(model) -> None:
    """Undoes hf_linear.install: every wrapped function back to the one it wraps."""
    import sys

    for layer in model.modules():
        for obj in (layer, sys.modules.get(type(layer).__module__)):
            for name, fn in list(vars(obj).items()):
                if getattr(fn, "_harness_packed", False):
                    setattr(obj, name, fn.__wrapped__)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", required=True)
    p.add_argument("--work", default="/tmp/eval_gpu")
    p.add_argument("--layers", type=int, default=8)
    p.add_argument("--cases", default="17x512,23x512,29x512,16x400,16x431,16x467,600x80,700x80",
                   help="ROWSxTOKENS forwards: new row counts, new lengths, and log-likelihood's many short rows")
    p.add_argument("--order", default="plain,packed", choices=("plain,packed", "packed,plain"))
    a = p.parse_args()
    import gpu_hf
    import torch
    from transformers import AutoModelForCausalLM

    from harness.runners import hf_linear

    model_dir = gpu_hf.build(Path(a.bench), a.layers, Path(a.work) / "model_shapes", "4b")
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.bfloat16, device_map=gpu_hf.dev()).eval()
    print("kernels", gpu_hf.bound_kernels())
    forward_ms(model, 8, 512)  # the first call's one-off costs (CUDA context, cuBLAS) outside the sums
    cases = [tuple(int(v) for v in x.split("x")) for x in a.cases.split(",")]
    sums = {}
    for mode in a.order.split(","):
        if mode == "packed":
            print("wrapped:", hf_linear.install(model))
            forward_ms(model, 8, 512)  # the packed variant's one compile, outside the sums
        else:
            unwrap(model)
        first = [forward_ms(model, b, t) for b, t in cases]
        again = [forward_ms(model, b, t) for b, t in cases]
        sums[mode] = (sum(first), sum(again))
        for (b, t), x, y in zip(cases, first, again, strict=True):
            print(f"SHAPE {mode} {b} rows x {t} tokens: first {x:.0f} ms, again {y:.0f} ms", flush=True)
        print(f"SHAPE {mode}: {len(cases)} new shapes {sum(first) / 1000:.2f} s, the same again {sum(again) / 1000:.2f} s")
    print(f"RATIO new shapes plain/packed: {sums['plain'][0] / sums['packed'][0]:.2f}x; "
          f"seen shapes plain/packed: {sums['plain'][1] / sums['packed'][1]:.2f}x")


if __name__ == "__main__":
    main()
