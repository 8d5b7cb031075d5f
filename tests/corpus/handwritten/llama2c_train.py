"""karpathy/llama2.c train.py: token counts, `step 2000: train loss 1.2345, val loss 1.2567`
every eval interval and `10 | loss 2.3456 | lr 5.000000e-04 | 123.45ms | mfu 12.34%` every
log interval (the step is the line's first number, unlabelled)."""
import random

from _case import Case, printed

case = Case("karpathy/llama2.c", "train.py", "350e04fe35433e6d2941dce5a1f53308f87058eb",
            either=["lr", "mfu", "step", "iter"])
rnd = random.Random(50)
gradient_accumulation_steps, ddp_world_size, batch_size, max_seq_len = 4, 1, 128, 256
tokens_per_iter = gradient_accumulation_steps * ddp_world_size * batch_size * max_seq_len
print(f"tokens per iteration will be: {tokens_per_iter:,}")
print(f"breaks down as: {gradient_accumulation_steps} grad accum steps * {ddp_world_size} processes * {batch_size} batch size * {max_seq_len} max seq len")
print("Initializing a new model from scratch")
print(f"num decayed parameter tensors: {43}, with {15122688:,} parameters")
print(f"num non-decayed parameter tensors: {13}, with {3744:,} parameters")
print(f"using fused AdamW: {True}")
eval_interval, log_interval, max_iters, running_mfu = 200, 10, 1000, -1.0
for iter_num in range(max_iters + 1):
    lr = 5e-4 * min(1, iter_num / 100)
    if iter_num % eval_interval == 0:
        losses = {"train": 10.4 / (1 + iter_num / 100) + 1.0, "val": 10.4 / (1 + iter_num / 100) + 1.05}
        print(f"step {iter_num}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
        case.want(iter_num, {"train/loss": printed(losses['train'], ".4f"),
                             "val/loss": printed(losses['val'], ".4f")})
    dt = 0.12 + rnd.random() * 0.01
    if iter_num % log_interval == 0:
        lossf = 10.4 / (1 + iter_num / 100) + 1.0 + rnd.random() * 0.05
        if iter_num >= 5 * log_interval:
            mfu = 0.12 + rnd.random() * 0.01
            running_mfu = mfu if running_mfu == -1.0 else 0.9 * running_mfu + 0.1 * mfu
        print(
            f"{iter_num} | loss {lossf:.4f} | lr {lr:e} | {dt*1000:.2f}ms | mfu {running_mfu*100:.2f}%"
        )
        case.want(None, {"loss|train/loss": printed(lossf, ".4f")})
