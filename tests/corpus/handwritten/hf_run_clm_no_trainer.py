"""huggingface/transformers examples/pytorch/language-modeling/run_clm_no_trainer.py: logging
with the examples' format, a real tqdm bar over the optimisation steps, and per epoch
`epoch 0: perplexity: 25.37 eval_loss: tensor(3.2336, device='cuda:0')` (the loss is a
CUDA tensor printed as torch prints it: four decimals and the device)."""
import logging
import math
import random

from tqdm.auto import tqdm

from _case import Case, printed

case = Case("huggingface/transformers", "examples/pytorch/language-modeling/run_clm_no_trainer.py",
            "3c354ea20e347edb9413ada30911e9fdc242719d", either=["epoch"])
logger = logging.getLogger("__main__")
logging.basicConfig(
    format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
    datefmt="%m/%d/%Y %H:%M:%S",
    level=logging.INFO,
)
rnd = random.Random(30)
n_train, batch_size, num_train_epochs = 2318, 8, 3  # wikitext-2 in blocks of 1024 tokens
max_train_steps = num_train_epochs * math.ceil(n_train / batch_size)
logger.info("***** Running training *****")
logger.info(f"  Num examples = {n_train}")
logger.info(f"  Num Epochs = {num_train_epochs}")
logger.info(f"  Instantaneous batch size per device = {batch_size}")
logger.info(f"  Total train batch size (w. parallel, distributed & accumulation) = {batch_size}")
logger.info(f"  Gradient Accumulation steps = {1}")
logger.info(f"  Total optimization steps = {max_train_steps}")
progress_bar = tqdm(range(max_train_steps), disable=False)
for epoch in range(num_train_epochs):
    for _ in range(max_train_steps // num_train_epochs):
        progress_bar.update(1)
    eval_loss = 3.3 - 0.05 * epoch + rnd.random() * 0.01
    perplexity = math.exp(float(f"{eval_loss:.4f}"))
    logger.info(f"epoch {epoch}: perplexity: {perplexity} eval_loss: "
                f"{f'tensor({eval_loss:.4f}, device={chr(39)}cuda:0{chr(39)})'}")
    case.want(epoch, {"perplexity|eval/perplexity|eval_perplexity": perplexity,
                      "eval_loss|eval/loss": printed(eval_loss, ".4f")})
