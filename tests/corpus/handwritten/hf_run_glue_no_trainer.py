"""huggingface/transformers examples/pytorch/text-classification/run_glue_no_trainer.py
(`--task_name mrpc`): logging at INFO with the script's format on stderr, the accelerator
state, three training samples as dicts (`'labels': 1`), the `***** Running training *****`
counts, a real tqdm bar over the optimisation steps, and `epoch N: {'accuracy': …, 'f1': …}`."""
import logging
import math
import random

from tqdm.auto import tqdm

from _case import Case

case = Case("huggingface/transformers",
            "examples/pytorch/text-classification/run_glue_no_trainer.py",
            "a22a4378d97d06b7a1d9abad6e0086d30fdea199", either=["epoch"])
logger = logging.getLogger("__main__")  # accelerate.logging.get_logger(__name__)
logging.basicConfig(
    format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
    datefmt="%m/%d/%Y %H:%M:%S",
    level=logging.INFO,
)
# str(accelerator.state) on one GPU, no mixed precision.
state = ("Distributed environment: NO\nNum processes: 1\nProcess index: 0\n"
         "Local process index: 0\nDevice: cuda\n\nMixed precision type: no\n")
logger.info(state)
rnd = random.Random(17)
n_train, batch_size, num_train_epochs = 3668, 8, 3
for index in random.Random(42).sample(range(n_train), 3):
    length = rnd.randrange(20, 60)
    sample = {"input_ids": [101] + [rnd.randrange(1000, 29000) for _ in range(length)] + [102],
              "token_type_ids": [0] * (length // 2) + [1] * (length - length // 2 + 2),
              "attention_mask": [1] * (length + 2), "labels": rnd.randrange(2)}
    logger.info(f"Sample {index} of the training set: {sample}.")
num_update_steps_per_epoch = math.ceil(n_train / batch_size)
max_train_steps = num_train_epochs * num_update_steps_per_epoch
logger.info("***** Running training *****")
logger.info(f"  Num examples = {n_train}")
logger.info(f"  Num Epochs = {num_train_epochs}")
logger.info(f"  Instantaneous batch size per device = {batch_size}")
logger.info(f"  Total train batch size (w. parallel, distributed & accumulation) = {batch_size}")
logger.info(f"  Gradient Accumulation steps = {1}")
logger.info(f"  Total optimization steps = {max_train_steps}")
progress_bar = tqdm(range(max_train_steps), disable=False)
for epoch in range(num_train_epochs):
    for step in range(num_update_steps_per_epoch):
        progress_bar.update(1)
    correct = int(408 * (0.78 + 0.04 * epoch + rnd.random() * 0.01))  # 408 validation pairs
    eval_metric = {"accuracy": correct / 408, "f1": min(0.99, correct / 408 + 0.05)}
    logger.info(f"epoch {epoch}: {eval_metric}")
    case.want(epoch, {f"{k}|eval/{k}|eval_{k}|validation/{k}": v for k, v in eval_metric.items()})
