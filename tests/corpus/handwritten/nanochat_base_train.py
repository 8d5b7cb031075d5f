"""karpathy/nanochat scripts/base_train.py (depth 20 on one GPU): the set-up (GPU and peak
FLOPS, dtype, vocab size, the model config as JSON, the parameter counts by group, FLOPs per
token, token counts and ratios), then per step `step 00100/21400 (0.47%) | loss: 3.123456 |
lrm: 1.00 | dt: 123.45ms | tok/sec: 1,234,567 | bf16_mfu: 45.67 | epoch: 0 pq: 12 rg: 3 |
total time: 1.23m | eta: 456.7m`, every eval_every steps `Step 00250 | Validation bpb:
1.234567` and every core_metric_every steps `Step 02000 | CORE metric: 0.1234`."""
import json
import random

from _case import Case, printed

case = Case("karpathy/nanochat", "scripts/base_train.py", "92d63d4e8bb4df75c3b71618f31ddde2378b2bcd",
            either=["step", "lrm", "dt", "tok/sec", "tok_sec", "bf16_mfu", "mfu", "epoch", "pq",
                    "rg", "total_time", "eta"])
rnd = random.Random(41)
print(f"GPU: {'NVIDIA H100 80GB HBM3'} | Peak FLOPS (BF16): {989e12:.2e}")
print(f"COMPUTE_DTYPE: {'torch.bfloat16'} ({'auto-detected: CUDA SM 90 (bf16 supported)'})")
print("✓ Using Flash Attention 3: efficient, new and awesome.")
vocab_size = 32768
print(f"Vocab size: {vocab_size:,}")
model_config_kwargs = {"sequence_len": 2048, "vocab_size": vocab_size, "n_layer": 20,
                       "n_head": 10, "n_kv_head": 10, "n_embd": 1280, "window_pattern": "SSSL"}
print(f"Model config:\n{json.dumps(model_config_kwargs, indent=2)}")
param_counts = {'wte': 41943040, 'value_embeds': 419430400, 'lm_head': 41943040,
                'transformer_matrices': 393216000, 'scalars': 40}
param_counts['total'] = sum(param_counts.values())
print(f"Parameter counts:")
for key, value in param_counts.items():
    print(f"{key:24s}: {value:,}")
print(f"Estimated FLOPs per token: {3.4e9:e}")
total_batch_size, num_iterations = 524288, 1200
print(f"Calculated number of iterations from target data:param ratio: {num_iterations:,}")
print(f"Total number of training tokens: {total_batch_size * num_iterations:,}")
print(f"Tokens : Scaling params ratio: {total_batch_size * num_iterations / 435000000:.2f}")
print(f"Total training FLOPs estimate: {3.4e9 * total_batch_size * num_iterations:e}")
print(f"Tokens / micro-batch / rank: {32} x {2048} = {65536:,}")
print(f"Tokens / micro-batch: {65536:,}")
print(f"Total batch size {total_batch_size:,} => gradient accumulation steps: {8}")
eval_every, core_metric_every = 250, 1000
smooth_train_loss, total_training_time, min_val_bpb = 0, 0.0, float("inf")
for step in range(num_iterations + 1):
    last_step = step == num_iterations
    if last_step or step % eval_every == 0:
        val_bpb = 1.3 / (1 + step / 1000) + 0.5 + rnd.random() * 0.01
        print(f"Step {step:05d} | Validation bpb: {val_bpb:.6f}")
        case.want(step, {"val/bpb|validation/bpb|val_bpb|validation_bpb": printed(val_bpb, ".6f")})
        min_val_bpb = min(min_val_bpb, val_bpb)
    if last_step or (step > 0 and step % core_metric_every == 0):
        core = 0.05 + step / 10000
        print(f"Step {step:05d} | CORE metric: {core:.4f}")
        case.want(step, {"core_metric|core": printed(core, ".4f")})
    if last_step:
        break
    train_loss_f = 10.4 / (1 + step / 100) + 2.5 + rnd.random() * 0.1
    ema_beta = 0.9
    smooth_train_loss = ema_beta * smooth_train_loss + (1 - ema_beta) * train_loss_f
    debiased_smooth_loss = smooth_train_loss / (1 - ema_beta**(step + 1))
    pct_done = 100 * step / num_iterations
    dt = 0.42 + rnd.random() * 0.01
    tok_per_sec = int(total_batch_size / dt)
    mfu = 100 * 3.4e9 * total_batch_size / dt / 989e12
    if step > 10:
        total_training_time += dt
    steps_done = step - 10
    eta_str = (f" | eta: {(num_iterations - step) * total_training_time / steps_done / 60:.1f}m"
               if steps_done > 0 else "")
    epoch = f"{0} pq: {step // 100} rg: {step % 7}"
    print(f"step {step:05d}/{num_iterations:05d} ({pct_done:.2f}%) | loss: {debiased_smooth_loss:.6f} | lrm: {1.0:.2f} | dt: {dt * 1000:.2f}ms | tok/sec: {tok_per_sec:,} | bf16_mfu: {mfu:.2f} | epoch: {epoch} | total time: {total_training_time/60:.2f}m{eta_str}")
    case.want(step, {"loss|train/loss": printed(debiased_smooth_loss, ".6f")})
print(f"Peak memory usage: {75123.45:.2f}MiB")
print(f"Total training time: {total_training_time/60:.2f}m")
print(f"Minimum validation bpb: {min_val_bpb:.6f}")
case.may(None, {"val/bpb|validation/bpb|val_bpb|validation_bpb": printed(min_val_bpb, ".6f")})
