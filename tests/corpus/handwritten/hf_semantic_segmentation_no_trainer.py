"""huggingface/transformers examples/pytorch/semantic-segmentation/
run_semantic_segmentation_no_trainer.py (segments/sidewalk-semantic, 35 labels): logging at
INFO with the examples' format, the `***** Running training *****` counts, a real tqdm bar
over the optimisation steps, `***** Running evaluation *****` with a tqdm bar over the
evaluation batches, then `epoch N: {eval_metrics}` — evaluate's mean_iou dict as Python
prints it: numpy float64 scalars (`np.float64(…)` under numpy 2) beside two per-category
arrays with nan, wrapped over several lines."""
import logging
import math
import random

import numpy as np
from tqdm.auto import tqdm

from _case import Case

case = Case("huggingface/transformers",
            "examples/pytorch/semantic-segmentation/run_semantic_segmentation_no_trainer.py",
            "c21aadb314af7792ca67cc353287522e684d6347", either=["epoch"])
logger = logging.getLogger("__main__")  # accelerate.logging.get_logger(__name__)
logging.basicConfig(
    format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
    datefmt="%m/%d/%Y %H:%M:%S",
    level=logging.INFO,
)
rnd = random.Random(72)
n_train, n_eval, batch_size, num_train_epochs, num_labels = 800, 200, 2, 3, 35
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
for epoch in range(num_train_epochs):
    for step in range(num_update_steps_per_epoch):
        progress_bar.update(1)
        completed_steps += 1
    logger.info("***** Running evaluation *****")
    for step in tqdm(range(math.ceil(n_eval / batch_size)), disable=False):
        pass
    # evaluate's mean_iou: per-class IoU and accuracy (nan for classes never seen), their
    # nan-means and the pixel accuracy, as numpy float64.
    iou = np.array([np.nan if rnd.random() < 0.15 else min(1.0, 0.1 * epoch + rnd.random() * 0.8)
                    for _ in range(num_labels)])
    acc = np.array([np.nan if np.isnan(v) else min(1.0, v + 0.1) for v in iou])
    eval_metrics = {"mean_iou": np.nanmean(iou), "mean_accuracy": np.nanmean(acc),
                    "overall_accuracy": np.float64(0.7 + 0.05 * epoch + rnd.random() * 0.01),
                    "per_category_iou": iou, "per_category_accuracy": acc}
    logger.info(f"epoch {epoch}: {eval_metrics}")
    case.want(epoch, {f"{k}|eval/{k}|eval_{k}": float(eval_metrics[k])
                      for k in ("mean_iou", "mean_accuracy", "overall_accuracy")})
