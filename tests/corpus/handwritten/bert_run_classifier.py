"""google-research/bert run_classifier.py (`--task_name=MRPC --do_eval=true`) through TF1's
tf.logging (`INFO:tensorflow:` on stderr): the training configuration lines, then
`***** Eval results *****` and `  eval_accuracy = 0.8455882` … `  global_step = 343` (the
results sorted by key, numpy float32 values as str gives them)."""
import logging

import numpy as np

from _case import Case

case = Case("google-research/bert", "run_classifier.py", "60454702590a6c69bd45c5d4258c7e17b8a3e1da",
            either=["global_step"])
logging.basicConfig(format=logging.BASIC_FORMAT)  # %(levelname)s:%(name)s:%(message)s
log = logging.getLogger("tensorflow")
log.setLevel(logging.INFO)
log.info("***** Running training *****")
log.info("  Num examples = %d", 3668)
log.info("  Batch size = %d", 32)
log.info("  Num steps = %d", 343)
log.info("***** Running evaluation *****")
log.info("  Num examples = %d (%d actual, %d padding)", 408, 408, 0)
log.info("  Batch size = %d", 8)
result = {"eval_accuracy": np.float32(0.8455882), "eval_loss": np.float32(0.49312),
          "global_step": 343, "loss": np.float32(0.49312)}
log.info("***** Eval results *****")
for key in sorted(result.keys()):
    log.info("  %s = %s", key, str(result[key]))
case.want(343, {"eval_accuracy|eval/accuracy": float(str(result["eval_accuracy"])),
                "eval_loss|eval/loss": float(str(result["eval_loss"]))})
case.may(343, {"loss|eval/loss": float(str(result["loss"]))})
