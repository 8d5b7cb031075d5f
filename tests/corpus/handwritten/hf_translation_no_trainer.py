"""huggingface/transformers examples/pytorch/translation/run_translation_no_trainer.py
(`--source_lang en --target_lang ro`, t5-small): logging at INFO with the examples' format on
stderr, the accelerator state, three tokenized training samples as dicts, the `***** Running
training *****` counts, a real tqdm bar over the optimisation steps (never closed), and after
each epoch's evaluation `logger.info({"bleu": eval_metric["score"]})` — a dict with no epoch."""
import logging
import math
import random

from tqdm.auto import tqdm

from _case import Case

case = Case("huggingface/transformers",
            "examples/pytorch/translation/run_translation_no_trainer.py",
            "6566fb3c830ab25c0cde2e0dab093b13036a53c8", either=["epoch"])
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
rnd = random.Random(71)
n_train, batch_size, num_train_epochs = 4000, 16, 3
for index in random.Random(42).sample(range(n_train), 3):
    n_in, n_out = rnd.randrange(12, 40), rnd.randrange(12, 40)
    sample = {"input_ids": [13959, 1566, 12, 3871, 29, 10] + [rnd.randrange(100, 32000) for _ in range(n_in)] + [1],
              "attention_mask": [1] * (n_in + 7),
              "labels": [rnd.randrange(100, 32000) for _ in range(n_out)] + [1]}
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
completed_steps = 0
progress_bar.update(completed_steps)
for epoch in range(num_train_epochs):
    for step in range(num_update_steps_per_epoch):
        progress_bar.update(1)
        completed_steps += 1
    # sacrebleu's score: a float with every digit
    eval_metric = {"score": 24.0 + 1.1 * epoch + rnd.random()}
    logger.info({"bleu": eval_metric["score"]})
    case.want(None, {"bleu|eval/bleu|eval_bleu": eval_metric["score"]})
