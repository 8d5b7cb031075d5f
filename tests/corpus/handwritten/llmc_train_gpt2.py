"""karpathy/llm.c train_gpt2.py (the PyTorch reference): set-up lines with counts and sizes,
`val loss X` every val_loss_every steps, a generated sample between dashes, and one
`step N/M | train loss | norm | lr | (ms | tok/s)` line per step."""
import random

from _case import Case, printed

case = Case("karpathy/llm.c", "train_gpt2.py", "f1e2ace651495b74ae22d45d1723443fd00ecd3a",
            either=["step", "lr", "ms", "tok/s", "tok_s", "*iters_avg*", "peak_memory*"])
rnd = random.Random(5)
# python train_gpt2.py --num_iterations 20 --val_loss_every 10 --sample_every 10 \
#     --input_val_bin dev/data/tinyshakespeare/tiny_shakespeare_val.bin
num_iterations, val_loss_every, sample_every, total_batch_size = 20, 10, 10, 256
B, T, ddp_world_size, device = 4, 64, 1, "cuda"
print(f"Running pytorch {'2.4.0+cu121'}")
print(f"using device: {device}")
grad_accum_steps = total_batch_size // (B * T * ddp_world_size)
print(f"total desired batch size: {total_batch_size}")
print(f"=> calculated gradient accumulation steps: {grad_accum_steps}")
model_type = "gpt2"
print("loading weights from pretrained gpt: %s" % model_type)
for ntok_total in (32768, 32768):  # the train and val loaders
    print(f"DataLoader: total number of tokens: {ntok_total:,} across {1} files")
decay_params, nodecay_params = [None] * 50, [None] * 98
num_decay_params, num_nodecay_params = 124318464, 121344
print(f"num decayed parameter tensors: {len(decay_params)}, with {num_decay_params:,} parameters")
print(f"num non-decayed parameter tensors: {len(nodecay_params)}, with {num_nodecay_params:,} parameters")
use_fused = True
print(f"using fused AdamW: {use_fused}")
print("using regular AdamW")
SAMPLE = ("<|endoftext|>I was so frightened with your face, that I was so sick I could not\n"
          "stand; but we were not so well, for our thoughts were all")
timings = []
for step in range(num_iterations + 1):
    last_step = (step == num_iterations)
    if step % val_loss_every == 0 or last_step:
        val_loss = 4.4 - step * 0.05 + rnd.random() * 0.01
        print(f"val loss {val_loss}")
        case.want(None, {"val/loss": val_loss})
    if step % sample_every == 0 or last_step:
        print('---------------')
        print(SAMPLE)
        print('---------------')
    if last_step:
        break
    lossf = 4.4 - step * 0.06 + rnd.random() * 0.02
    norm = 10.0 / (step + 1) + rnd.random()
    lr = 1e-4
    t = 0.05 + rnd.random() * 0.01
    tokens_per_second = grad_accum_steps * ddp_world_size * B * T / t
    print(f"step {step+1:4d}/{num_iterations} | train loss {lossf:.6f} | norm {norm:.4f} | lr {lr:.2e} | ({t*1000:.2f} ms | {tokens_per_second:.0f} tok/s)")
    case.want(step + 1, {"train/loss|loss": printed(lossf, ".6f"),
                         "norm|grad_norm": printed(norm, ".4f")})
    if step > 0 and step > num_iterations - 20:
        timings.append(t)
timings = timings[-20:]
print(f"final {len(timings)} iters avg: {sum(timings) / len(timings)*1000:.3f}ms")
print(f"peak memory consumption: {2345} MiB")
