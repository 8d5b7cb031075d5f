"""Lightning-AI/litgpt litgpt/finetune/lora.py (`litgpt finetune_lora microsoft/phi-2`): the
arguments pretty-printed (pprint of dataclasses: `global_batch_size=16, … min_lr=6e-05`), the
parameter counts, then `Epoch 1 | iter 16 step 1 | loss train: 1.646, val: n/a | iter time:
123.45 ms (step)`, every eval interval `iter 1600: val loss 1.2345, val time: …` after a
generated example, the token/performance report box and `Final evaluation | val loss: … |
val ppl: …`. litgpt logs these with step=iter_num (fabric.log_dict(metrics, step=iter_num))."""
import math
import random
from dataclasses import dataclass
from pathlib import PosixPath
from pprint import pprint

from _case import Case, printed

case = Case("Lightning-AI/litgpt", "litgpt/finetune/lora.py",
            "26857050fe3ff627cd714fe92f5838f51a3d5efa",
            either=["epoch", "iter", "step", "iter_time", "val_time", "*tok*", "*time*",
                    "*memory*"])


@dataclass
class TrainArgs:  # litgpt/args.py's fields and defaults, as lora.py's setup() sets them
    save_interval: int = 1000
    log_interval: int = 1
    global_batch_size: int = 16
    micro_batch_size: int = 1
    lr_warmup_steps: int = 100
    lr_warmup_fraction: float = None
    epochs: int = 5
    max_tokens: int = None
    max_steps: int = None
    max_time: float = None
    max_seq_length: int = None
    tie_embeddings: bool = None
    max_norm: float = None
    min_lr: float = 6e-5


@dataclass
class EvalArgs:
    interval: int = 100
    max_new_tokens: int = 100
    max_iters: int = 100
    initial_validation: bool = False
    final_validation: bool = True
    evaluate_example: str = "first"


@dataclass
class LogArgs:
    project: str = None
    run: str = None
    group: str = None
    teamspace: str = None
    metadata: dict = None
    log_model: bool = False
    save_logs: bool = True
    checkpoint_name: str = None


def setup(checkpoint_dir=PosixPath("checkpoints/microsoft/phi-2"),
          out_dir=PosixPath("out/finetune/lora"), precision=None, quantize=None, devices=1,
          num_nodes=1, lora_r=8, lora_alpha=16, lora_dropout=0.05, lora_query=True,
          lora_key=False, lora_value=True, lora_projection=False, lora_mlp=False,
          lora_head=False, data=None, train=TrainArgs(), log=LogArgs(), eval=EvalArgs(),
          optimizer="AdamW", logger_name="csv", seed=1337, access_token=None):
    pprint(locals())


setup()
rnd = random.Random(26)
print(f"Number of trainable parameters: {2621440:,}")
print(f"Number of non-trainable parameters: {2779683840:,}")
longest_seq_length = 1305
print(f"The longest sequence length in the train data is {longest_seq_length}, the model's maximum sequence length is"
      f" {longest_seq_length} and context length is {2048}")
accumulation, interval, n_iters = 16, 100, 3200  # global 16 / micro 1; eval every 100 steps
val_loss = "n/a"
for iter_num in range(1, n_iters + 1):
    step_count = iter_num // accumulation
    is_accumulating = iter_num % accumulation != 0
    loss = 1.7 / (1 + iter_num / 1000) + rnd.random() * 0.1
    if iter_num % 1 == 0:  # log_interval
        print(
            f"Epoch {1 + iter_num // 52002} | iter {iter_num} step {step_count} |"
            f" loss train: {loss:.3f},"
            f" val: {val_loss} |"
            f" iter time: {(0.12 + rnd.random() * 0.01) * 1000:.2f} ms"
            f"{' (step)' if not is_accumulating else ''}"
        )
        case.want(iter_num, {"train/loss|loss": printed(loss, ".3f")})
        if val_loss != "n/a":  # the last validation loss, repeated
            case.may(iter_num, {"val/loss|val_loss|val": float(val_loss)})
    if not is_accumulating and step_count % interval == 0:
        print("Validating ...")
        print("Recommend a movie for me to watch during the weekend and explain the reason.")
        print("Below is an instruction that describes a task. Write a response that appropriately"
              " completes the request.\n\n### Instruction:\nRecommend a movie for me to watch"
              " during the weekend and explain the reason.\n\n### Response:\nI would recommend"
              " \"The Shawshank Redemption\".\n")
        val = 1.3 / (1 + iter_num / 2000) + rnd.random() * 0.01
        print(f"iter {iter_num}: val loss {val:.4f}, val time: {(1.2 + rnd.random()) * 1000:.2f} ms")
        case.want(iter_num, {"val/loss|val_loss": printed(val, ".4f")})
        val_loss = f"{val:.3f}"
tokens = {"raw_tokens": 11512, "raw_tokens_plus_prompt_template": 23421,
          "raw_tokens_plus_prompt_template_and_padding": 23744}
training_time = 412.5
tok_sec = tokens["raw_tokens_plus_prompt_template_and_padding"] / training_time
output = f"""
| ------------------------------------------------------
| Token Counts
| - Input Tokens              :  {tokens["raw_tokens"]:>5}
| - Tokens w/ Prompt          :  {tokens["raw_tokens_plus_prompt_template"]:>5}
| - Total Tokens (w/ Padding) :  {tokens["raw_tokens_plus_prompt_template_and_padding"]:>5}
| -----------------------------------------------------
| Performance
| - Training Time             :  {training_time:.2f} s
| - Tok/sec                   :  {tok_sec:.2f} tok/s
| -----------------------------------------------------
"""
output += "| Memory Usage                                                                 \n"
output += f"| - Memory Used               :  {12.38:.02f} GB                                        \n"
output += "-------------------------------------------------------\n"
print(output)
final = 1.05 + rnd.random() * 0.01
print(f"Final evaluation | val loss: {final:.3f} | val ppl: {math.exp(final):.3f}")
case.want(None, {"val/loss|val_loss": printed(final, ".3f"),
                 "val/ppl|val_ppl": printed(math.exp(final), ".3f")})
