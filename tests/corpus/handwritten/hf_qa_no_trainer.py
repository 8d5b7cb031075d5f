"""huggingface/transformers examples/pytorch/question-answering/run_qa_no_trainer.py (SQuAD,
`--do_predict`): logging at INFO with the examples' format, the `***** Running training
*****` counts, a real tqdm bar over the optimisation steps, then `***** Running Evaluation
*****` with its counts, utils_qa's `Post-processing 10570 example predictions split into
10784 features.` with a tqdm bar over the examples and `Saving predictions to …`, then
`Evaluation metrics: {'exact_match': 80.9, 'f1': 88.2}`, the same for prediction (`Predict
metrics: {…}`), and at the end `json.dumps(eval_metric, indent=4)` logged over four lines."""
import json
import logging
import math
import random

from tqdm.auto import tqdm

from _case import Case

case = Case("huggingface/transformers", "examples/pytorch/question-answering/run_qa_no_trainer.py",
            "3e93524a13cf090daed5f0398f4f756d4390e27a", either=["epoch"])
logger = logging.getLogger("__main__")  # accelerate.logging.get_logger(__name__)
qa_logger = logging.getLogger("utils_qa")
logging.basicConfig(
    format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
    datefmt="%m/%d/%Y %H:%M:%S",
    level=logging.INFO,
)
rnd = random.Random(89)
n_train, batch_size, num_train_epochs = 88524, 12, 2
n_eval_examples, n_eval_features = 10570, 10784
max_train_steps = num_train_epochs * math.ceil(n_train / batch_size)
logger.info("***** Running training *****")
logger.info(f"  Num examples = {n_train}")
logger.info(f"  Num Epochs = {num_train_epochs}")
logger.info(f"  Instantaneous batch size per device = {batch_size}")
logger.info(f"  Total train batch size (w. parallel, distributed & accumulation) = {batch_size}")
logger.info(f"  Gradient Accumulation steps = {1}")
logger.info(f"  Total optimization steps = {max_train_steps}")
progress_bar = tqdm(range(max_train_steps), disable=False)
for _ in range(max_train_steps):
    progress_bar.update(1)


def post_processing(stage, n_examples, n_features):
    qa_logger.info(f"Post-processing {n_examples} example predictions split into {n_features} features.")
    for _ in tqdm(range(n_examples)):
        pass
    qa_logger.info(f"Saving predictions to outputs/{stage}_predictions.json.")
    qa_logger.info(f"Saving nbest_preds to outputs/{stage}_nbest_predictions.json.")


logger.info("***** Running Evaluation *****")
logger.info(f"  Num examples = {n_eval_features}")
logger.info(f"  Batch size = {8}")
post_processing("eval", n_eval_examples, n_eval_features)
eval_metric = {"exact_match": 80.0 + rnd.random() * 2, "f1": 87.5 + rnd.random() * 2}
logger.info(f"Evaluation metrics: {eval_metric}")
case.want(None, {f"{k}|eval/{k}|eval_{k}|evaluation/{k}": v for k, v in eval_metric.items()})

logger.info("***** Running Prediction *****")
logger.info(f"  Num examples = {n_eval_features}")
logger.info(f"  Batch size = {8}")
post_processing("predict", n_eval_examples, n_eval_features)
predict_metric = {"exact_match": 80.0 + rnd.random() * 2, "f1": 87.5 + rnd.random() * 2}
logger.info(f"Predict metrics: {predict_metric}")
case.want(None, {f"predict/{k}|predict_{k}": v for k, v in predict_metric.items()})

logger.info(json.dumps(eval_metric, indent=4))
case.may(None, {f"{k}|eval/{k}|eval_{k}|evaluation/{k}": v for k, v in eval_metric.items()})
