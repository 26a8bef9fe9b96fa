"""One configuration of bench/train_gpu.py, in its own process so each GPU memory peak is its own.

python bench/train_gpu_child.py KIND --model DIR --work DIR --result FILE.json [--steps N --warmup W ...]
KIND: build | ours | plain | warm | trl | guard | merge | grad-unsloth | grad-torch
Random-init models from config only (no downloads), with a byte-level BPE tokenizer trained here.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # harness/ and training/ without installing the project

CHATML = ("{%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] "
          "+ '<|im_end|>' + '\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}")
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# (hidden, intermediate, layers, heads, kv heads, head_dim): the 4B shapes, and tiny ones for a smoke run.
SHAPES = {"qwen3_4b": (2560, 9728, 36, 32, 8, 128), "qwen35": (2560, 9216, 32, 16, 4, 256),
          "qwen3_4b-tiny": (256, 512, 2, 4, 2, 64), "qwen35-tiny": (256, 512, 4, 4, 2, 64)}


def build(a) -> dict:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoModelForCausalLM, GenerationConfig, PreTrainedTokenizerFast

    rng = random.Random(0)
    syl = "ka lo mi ne ru sa ti vo ze pa de gu fi ho ja be".split()
    words = sorted({"".join(rng.choice(syl) for _ in range(rng.randint(2, 3))) for _ in range(3000)})
    text = "\n".join(" ".join(rng.choice(words) for _ in range(12)) for _ in range(6000))
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer, tok.decoder = pre_tokenizers.ByteLevel(add_prefix_space=False), decoders.ByteLevel()
    tok.train_from_iterator([text], trainers.BpeTrainer(vocab_size=6000, special_tokens=SPECIALS, show_progress=False,
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    hf.chat_template = CHATML
    hf.save_pretrained(a.model)
    eos, pad = hf.convert_tokens_to_ids("<|im_end|>"), hf.convert_tokens_to_ids("<|endoftext|>")
    hidden, inter, layers, heads, kv, hd = SHAPES[a.shape]
    common = dict(vocab_size=49152, hidden_size=hidden, intermediate_size=inter, num_hidden_layers=a.layers or layers,
                  num_attention_heads=heads, num_key_value_heads=kv, head_dim=hd, tie_word_embeddings=True,
                  eos_token_id=eos, pad_token_id=pad, max_position_embeddings=32768)
    if a.shape.startswith("qwen35"):  # hybrid: 3 Gated DeltaNet (linear attention) layers, then 1 full
        from transformers import Qwen3_5TextConfig

        cfg = Qwen3_5TextConfig(**common, linear_num_key_heads=16 if hidden > 256 else 2,
                                linear_num_value_heads=32 if hidden > 256 else 4, linear_key_head_dim=128,
                                linear_value_head_dim=128, linear_conv_kernel_dim=4)
    else:
        from transformers import Qwen3Config

        cfg = Qwen3Config(**common)
    torch.manual_seed(0)
    with torch.device("cuda"):  # random init on the GPU: seconds instead of minutes for 4B weights
        model = AutoModelForCausalLM.from_config(cfg, dtype=torch.bfloat16)
    model.save_pretrained(a.model)
    GenerationConfig(eos_token_id=eos, pad_token_id=pad).save_pretrained(a.model)
    targets = sorted({n.rsplit(".", 1)[-1] for n, m in model.named_modules()
                      if isinstance(m, torch.nn.Linear) and not n.endswith("lm_head")})
    meta = {"targets": targets, "params_b": round(sum(p.numel() for p in model.parameters()) / 1e9, 3),
            "layers": cfg.num_hidden_layers, "class": type(model).__name__,
            "layer_types": getattr(cfg, "layer_types", None)}
    (Path(a.model) / "bench_meta.json").write_text(json.dumps(meta))
    return meta


def examples(model_dir: str, n: int, length: int, mixed: bool = False) -> list[tuple[str, str]]:
    """n ChatML prompt/completion pairs of exactly `length` tokens (words that are one token each);
    mixed: each pair's length drawn uniformly from [length/8, length], as real SFT data varies."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    count = lambda s: len(tok(s, add_special_tokens=False)["input_ids"])  # noqa: E731
    words = [w[1:] for w in sorted(tok.get_vocab()) if w.startswith("Ġ") and w[1:].isalpha()]
    words = [w for w in words[:3000] if count(" " + w) == 1]
    rng, out = random.Random(1), []
    lengths = random.Random(2)
    for _ in range(n):
        target = lengths.randint(length // 8, length) if mixed else length
        n_comp = min(256, target // 8)
        comp = " ".join(rng.choice(words) for _ in range(n_comp)) + "<|im_end|>"
        user = [rng.choice(words) for _ in range(target)]
        k = target - n_comp - 12
        for _ in range(6):
            prompt = f"<|im_start|>user\n{' '.join(user[:k])}<|im_end|>\n<|im_start|>assistant\n"
            got = count(prompt + comp)
            if got == target:
                break
            k += target - got
        out.append((prompt, comp))
    return out


def timer(warmup: int, batch: int, length: float):
    """length: tokens per example (the mean over the data when lengths vary; padding never counts)."""
    import torch
    from transformers import TrainerCallback

    class Timer(TrainerCallback):
        def __init__(self) -> None:
            self.times: list[float] = []
            self.losses: list[float] = []

        def on_train_begin(self, args, state, control, **kw):
            print(f"[bench] training starts at {time.perf_counter():.2f}", flush=True)

        def on_step_end(self, args, state, control, **kw):
            torch.cuda.synchronize()
            self.times.append(time.perf_counter())
            print(f"[bench] step {state.global_step} at {self.times[-1]:.2f}", flush=True)  # progress, for a timeout

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs:
                self.losses.append(round(float(logs["loss"]), 4))

        def result(self) -> dict:
            t = self.times
            steps = len(t) - warmup
            tps = steps * batch * length / (t[-1] - t[warmup - 1]) if steps > 0 else None
            return {"tokens_per_s": tps, "steps_timed": steps, "sec_per_step": (t[-1] - t[warmup - 1]) / max(steps, 1),
                    "peak_gib": torch.cuda.max_memory_allocated() / 2**30,
                    "reserved_gib": torch.cuda.max_memory_reserved() / 2**30, "losses": self.losses}
    return Timer()


def spec_for(a, targets: list[str], backend: str):
    from harness.profiles.model import LoraSpec, TrainSpec

    return TrainSpec(backend=backend, lora=LoraSpec(r=16, alpha=32, dropout=0.0, target_modules=targets),
                     max_steps=a.warmup + a.steps, batch_size=a.batch, max_seq_len=a.seq, learning_rate=2e-4, seed=0)


def run_training(a) -> dict:
    meta = json.loads((Path(a.model) / "bench_meta.json").read_text())
    targets = meta["targets"] + (["lm_head"] if a.kind == "guard" else [])
    if a.kind in ("ours", "guard"):
        from harness.training.unsloth_backend import import_unsloth

        import_unsloth()  # first, as the recipe does
    elif a.kind in ("plain", "warm"):  # warm: an unmeasured plain run that compiles the kernels
        import unsloth  # noqa: F401  (first: it patches transformers/trl/peft)
    from harness.training.mixture import Example

    pairs = examples(a.model, a.batch * (a.warmup + a.steps), a.seq, mixed=a.lengths == "mixed")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(a.model)
    mean_len = sum(len(tok(p + c, add_special_tokens=False)["input_ids"]) for p, c in pairs) / len(pairs)
    cb = timer(a.warmup, a.batch, mean_len)
    out = Path(a.work) / a.kind
    t0 = time.perf_counter()
    res: dict = {}
    if a.kind in ("ours", "guard"):
        from harness.training.unsloth_backend import train_unsloth

        rows = [Example("bench", str(i), p, c) for i, (p, c) in enumerate(pairs)]
        run = train_unsloth(Path(a.model), spec_for(a, targets, "unsloth"), out, rows, [], [cb], print)
        res = {"head": run.head.description, "head_changed": run.head_changed, "tied_kept": run.tied_kept,
               "head_note": run.head_note, "adapter": str(out / "adapter")}
    elif a.kind == "trl":
        from harness.training.recipe import train_trl

        rows = [Example("bench", str(i), p, c) for i, (p, c) in enumerate(pairs)]
        train_trl(Path(a.model), spec_for(a, targets, "trl"), out, rows, [], [cb], print)
    else:  # plain Unsloth, written as its docs show: no harness code
        import torch
        from datasets import Dataset
        from trl import SFTConfig, SFTTrainer
        from unsloth import FastLanguageModel

        model, tok = FastLanguageModel.from_pretrained(model_name=a.model, max_seq_length=a.seq, dtype=torch.bfloat16,
                                                       load_in_4bit=False)
        model = FastLanguageModel.get_peft_model(model, r=16, lora_alpha=32, lora_dropout=0.0, target_modules=targets,
                                                 use_gradient_checkpointing="unsloth", random_state=0)
        ds = Dataset.from_list([{"prompt": p, "completion": c} for p, c in pairs])
        trainer = SFTTrainer(model=model, processing_class=tok, train_dataset=ds, callbacks=[cb], args=SFTConfig(
            per_device_train_batch_size=a.batch, gradient_accumulation_steps=1, max_steps=a.warmup + a.steps,
            learning_rate=2e-4, lr_scheduler_type="cosine", warmup_steps=1, bf16=True, max_length=a.seq,
            logging_steps=5, output_dir=str(out), report_to="none", save_strategy="no", seed=0))
        trainer.train()
    return {**cb.result(), **res, "mean_tokens_per_example": round(mean_len, 1), "wall_s": time.perf_counter() - t0,
            "versions": versions(), "targets": targets}


if __name__ == "__main__":
    from train_gpu_checks import grad, merge_check, versions  # noqa: E402  (beside this file)

    p = argparse.ArgumentParser()
    p.add_argument("kind")
    p.add_argument("--model", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--result", required=True)
    p.add_argument("--shape", default="qwen3_4b")
    p.add_argument("--layers", type=int, default=0)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seq", type=int, default=2048)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--lengths", choices=["fixed", "mixed"], default="fixed")
    p.add_argument("--grad-timeout", type=float, default=300, help="grad-*: dump the stack and exit after this")
    a = p.parse_args()
    fn = {"build": build, "merge": merge_check, "grad-unsloth": grad, "grad-torch": grad}.get(a.kind, run_training)
    Path(a.result).write_text(json.dumps(fn(a), default=str))
