"""PaddlePaddle/PaddleOCR tools/program.py's train loop with ppocr/utils/logging.py (stdout,
`[2026/12/07 05:40:00] ppocr INFO: …`) and ppocr/utils/stats.py's TrainingStats.log (each
median printed as a one-entry dict, so numpy's repr shows: `'loss': np.float64(26.593109)`):
`epoch: [1/500], global_step: 10, 'lr': 0.001, 'acc': …, 'loss': …, avg_reader_cost: 0.49012
s, avg_batch_cost: 0.95123 s, avg_samples: 64.0, ips: 67.28 samples/s, eta: 1 day, 10:12:31`,
then `cur metric, acc: 0.8123, norm_edit_dis: 0.9, fps: 234.5` and the best metric."""
import collections
import datetime
import logging
import random
import sys

import numpy as np

from _case import Case

case = Case("PaddlePaddle/PaddleOCR", "tools/program.py", "adc62fcde463e60a55b14181b0382b5473422a37",
            either=["epoch", "global_step", "lr", "avg_reader_cost", "avg_batch_cost",
                    "avg_samples", "ips", "eta", "fps", "best*", "is_float16"])
logger = logging.getLogger('ppocr')
formatter = logging.Formatter('[%(asctime)s] %(name)s %(levelname)s: %(message)s',
                              datefmt="%Y/%m/%d %H:%M:%S")
stream_handler = logging.StreamHandler(stream=sys.stdout)
stream_handler.setFormatter(formatter)
logger.addHandler(stream_handler)
logger.setLevel(logging.DEBUG)


class TrainingStats:  # ppocr/utils/stats.py: medians over a window, logged as dict entries
    def __init__(self, window_size):
        self.window_size, self.values = window_size, {}

    def update(self, stats):
        for k, v in stats.items():
            self.values.setdefault(k, collections.deque(maxlen=self.window_size)).append(v)

    def get(self):
        return collections.OrderedDict(
            (k, round(np.median(v), 6)) for k, v in self.values.items())

    def log(self):
        d = self.get()
        return ', '.join(str(dict({x: y})).strip('{}') for x, y in d.items())


rnd = random.Random(38)
epoch_num, print_batch_step, eval_batch_step, n_batches = 3, 10, 100, 120
train_stats, global_step = TrainingStats(20), 0
best_model_dict = {"acc": 0}
for epoch in range(1, epoch_num + 1):
    for idx in range(n_batches):
        global_step += 1
        train_stats.update({"loss": 30 / (1 + global_step / 50) + rnd.random(),
                            "acc": min(0.95, global_step / 400 + rnd.random() * 0.01),
                            "lr": 0.001})
        if (global_step > 0 and global_step % print_batch_step == 0) or (idx >= n_batches - 1):
            logs = train_stats.log()
            eta_sec_format = str(datetime.timedelta(seconds=int((epoch_num - epoch) * 3600 * 12
                                                                + 3000)))
            strs = (
                "epoch: [{}/{}], global_step: {}, {}, avg_reader_cost: "
                "{:.5f} s, avg_batch_cost: {:.5f} s, avg_samples: {}, "
                "ips: {:.5f} samples/s, eta: {}".format(
                    epoch, epoch_num, global_step, logs, 0.49012, 0.95123, 64.0, 67.28213,
                    eta_sec_format))
            logger.info(strs)
            medians = train_stats.get()
            case.want(global_step, {"loss|train/loss": float(medians["loss"]),
                                    "acc|train/acc": float(medians["acc"])})
        if global_step % eval_batch_step == 0:
            cur_metric = {"acc": min(0.9, global_step / 400), "norm_edit_dis": 0.9 + rnd.random() * 0.05,
                          "fps": 234.5 + rnd.random()}
            cur_metric_str = "cur metric, {}".format(
                ", ".join(["{}: {}".format(k, v) for k, v in cur_metric.items()]))
            logger.info(cur_metric_str)
            case.want(None, {"eval/acc|val/acc|cur_metric/acc|acc": cur_metric["acc"],
                             "eval/norm_edit_dis|val/norm_edit_dis|cur_metric/norm_edit_dis|"
                             "norm_edit_dis": cur_metric["norm_edit_dis"]})
            if cur_metric["acc"] >= best_model_dict["acc"]:
                best_model_dict.update(cur_metric)
                best_model_dict["best_epoch"] = epoch
            best_str = "best metric, {}".format(
                ", ".join(["{}: {}".format(k, v) for k, v in best_model_dict.items()]))
            logger.info(best_str)
