"""karpathy/nanoGPT train.py, run as its README's CPU example (config/train_shakespeare_char.py
plus --key=value overrides): the configurator echoes the config file and every override, the
model prints its sizes, then `step N: train loss, val loss` every eval_interval and
`iter N: loss, time, mfu` every log_interval. None of the config echo is a metric."""
import random
import sys

from _case import Case, printed

case = Case("karpathy/nanoGPT", "train.py", "3adf61e154c3fe3fca428ad6bc3818b27a3b8291",
            either=["iter", "step", "time", "mfu"])
# config/train_shakespeare_char.py at the same commit, as configurator.py prints it.
CONFIG = """# train a miniature character-level shakespeare model
# good for debugging and playing on macbooks and such

out_dir = 'out-shakespeare-char'
eval_interval = 250 # keep frequent because we'll overfit
eval_iters = 200
log_interval = 10 # don't print too too often

# we expect to overfit on this small dataset, so only save when val improves
always_save_checkpoint = False

wandb_log = False # override via command line if you like
wandb_project = 'shakespeare-char'
wandb_run_name = 'mini-gpt'

dataset = 'shakespeare_char'
gradient_accumulation_steps = 1
batch_size = 64
block_size = 256 # context of up to 256 previous characters

# baby GPT model :)
n_layer = 6
n_head = 6
n_embd = 384
dropout = 0.2

learning_rate = 1e-3 # with baby networks can afford to go a bit higher
max_iters = 5000
lr_decay_iters = 5000 # make equal to max_iters usually
min_lr = 1e-4 # learning_rate / 10 usually
beta2 = 0.99 # make a bit bigger because number of tokens per iter is small

warmup_iters = 100 # not super necessary potentially

# on macbook also add
# device = 'cpu'  # run on cpu only
# compile = False # do not torch compile the model
"""
ARGS = ("config/train_shakespeare_char.py --device=cpu --compile=False --eval_iters=20 "
        "--log_interval=1 --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 "
        "--max_iters=2000 --lr_decay_iters=2000 --dropout=0.0").split()
from ast import literal_eval  # noqa: E402  (configurator.py's own way of reading overrides)

settings = {"eval_interval": 2000, "log_interval": 1, "max_iters": 600000}
for arg in ARGS:
    if '=' not in arg:
        config_file = arg
        print(f"Overriding config with {config_file}:")
        print(CONFIG)
        exec(CONFIG, {}, settings)
    else:
        key, val = arg.split('=')
        key = key[2:]
        try:
            attempt = literal_eval(val)
        except (SyntaxError, ValueError):
            attempt = val
        print(f"Overriding: {key} = {attempt}")
        settings[key] = attempt
gradient_accumulation_steps, ddp_world_size = 1, 1
batch_size, block_size = settings["batch_size"], settings["block_size"]
eval_interval, log_interval = settings["eval_interval"], settings["log_interval"]
max_iters = 600  # cut short: the lines repeat
tokens_per_iter = gradient_accumulation_steps * ddp_world_size * batch_size * block_size
print(f"tokens per iteration will be: {tokens_per_iter:,}")
meta_vocab_size, meta_path = 65, "data/shakespeare_char/meta.pkl"
print(f"found vocab_size = {meta_vocab_size} (inside {meta_path})")
print("Initializing a new model from scratch")
# model.py's counts for n_layer=4, n_embd=128, block_size=64, vocab 65, bias=False
n_embd, n_layer = settings["n_embd"], settings["n_layer"]
per_layer = 2 * n_embd + 12 * n_embd * n_embd
non_embedding = n_layer * per_layer + n_embd + meta_vocab_size * n_embd
print("number of parameters: %.2fM" % (non_embedding/1e6,))
decay_params = [None] * (2 + 4 * n_layer)
nodecay_params = [None] * (2 * n_layer + 1)
num_decay_params = (meta_vocab_size + block_size) * n_embd + n_layer * 12 * n_embd * n_embd
num_nodecay_params = len(nodecay_params) * n_embd
print(f"num decayed parameter tensors: {len(decay_params)}, with {num_decay_params:,} parameters")
print(f"num non-decayed parameter tensors: {len(nodecay_params)}, with {num_nodecay_params:,} parameters")
use_fused = False
print(f"using fused AdamW: {use_fused}")

rnd = random.Random(4)
iter_num, local_iter_num, running_mfu = 0, 0, -1.0
while True:
    train_estimate = 4.2 * (0.4 + 0.6 / (1 + iter_num / 200)) + rnd.random() * 0.02
    if iter_num % 250 == 0:  # the config file's eval_interval (the case prints fewer iters)
        losses = {"train": train_estimate, "val": train_estimate + 0.05}
        print(f"step {iter_num}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
        case.want(iter_num, {"train/loss": printed(losses["train"], ".4f"),
                             "val/loss": printed(losses["val"], ".4f")})
    if iter_num >= max_iters:
        break
    dt = 0.03 + rnd.random() * 0.01
    if iter_num % log_interval == 0:
        lossf = train_estimate + rnd.random() * 0.1
        if local_iter_num >= 5:
            mfu = 0.002 + rnd.random() * 0.0002
            running_mfu = mfu if running_mfu == -1.0 else 0.9*running_mfu + 0.1*mfu
        print(f"iter {iter_num}: loss {lossf:.4f}, time {dt*1000:.2f}ms, mfu {running_mfu*100:.2f}%")
        case.want(iter_num, {"loss|train/loss": printed(lossf, ".4f")})
    iter_num += 1
    local_iter_num += 1
sys.exit(0)
