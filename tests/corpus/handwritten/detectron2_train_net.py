"""facebookresearch/detectron2 (tools/train_net.py's logging): detectron2.utils.logger's
formatter, CommonMetricPrinter's ` eta: …  iter: 19  total_loss: 2.145  loss_cls: …
time: …  last_time: …  data_time: …  last_data_time: …   lr: 0.00039962  max_mem: 2345M`
(medians over 20, `{:.4g}`), inference progress, pycocotools' summary lines, the
`Evaluation results for bbox:` pipe table (tabulate) and the `copypaste:` CSV pair."""
import datetime
import logging
import random
import sys

from _case import Case, printed

case = Case("facebookresearch/detectron2", "detectron2/utils/events.py",
            "02b5c4e295e990042a714712c21dc79b731e8833",
            either=["eta", "iter", "time", "last_time", "data_time", "last_data_time", "lr",
                    "max_mem", "*average_precision*", "*average_recall*", "*ap", "*ar",
                    # the inference timings: `Dataloading: 0.0012 s/iter. Inference: …`
                    "dataloading", "*s/iter*", "*s_iter*"])
# setup_logger(): colored("[%(asctime)s %(name)s]: ", "green") on a terminal (termcolor
# leaves text plain when stdout is no terminal), names abbreviated to d2.
head = "[%(asctime)s %(name)s]: "
if sys.stdout.isatty():
    head = "\x1b[32m" + head + "\x1b[0m"
handler = logging.StreamHandler(stream=sys.stdout)
handler.setFormatter(logging.Formatter(head + "%(message)s", datefmt="%m/%d %H:%M:%S"))
for name in ("d2.engine.train_loop", "d2.utils.events", "d2.evaluation.evaluator",
             "d2.evaluation.coco_evaluation", "d2.evaluation.testing"):
    logging.getLogger(name).addHandler(handler)
    logging.getLogger(name).setLevel(logging.INFO)
log = logging.getLogger
rnd = random.Random(19)


def pipe_table(headers, values):
    """tabulate([values], headers, tablefmt="pipe", floatfmt=".3f", stralign="center",
    numalign="center"), as detectron2's create_small_table prints it."""
    cells = [f"{v:.3f}" for v in values]
    widths = [max(len(h) + 2, len(c)) for h, c in zip(headers, cells)]

    def centred(text, width):
        left = (width - len(text)) // 2
        return " " * left + text + " " * (width - len(text) - left)

    def row(items):
        return "| " + " | ".join(centred(t, w) for t, w in zip(items, widths)) + " |"

    rule = "|" + "|".join(":" + "-" * w + ":" for w in widths) + "|"
    return "\n".join([row(headers), rule, row(cells)])


def median(values):  # HistoryBuffer.median: numpy's median of the window
    s = sorted(values)
    return (s[len(s) // 2] + s[(len(s) - 1) // 2]) / 2


log("d2.engine.train_loop").info("Starting training from iteration 0")
max_iter, period, window = 300, 20, 20
names = ["loss_box_reg", "loss_cls", "loss_rpn_cls", "loss_rpn_loc", "total_loss"]
history = {k: [] for k in names}
for iteration in range(max_iter):
    parts = {"loss_box_reg": 0.5, "loss_cls": 0.7, "loss_rpn_cls": 0.12, "loss_rpn_loc": 0.05}
    for k, base in parts.items():
        history[k].append(base / (1 + iteration / 100) + rnd.random() * 0.02)
    history["total_loss"].append(sum(history[k][-1] for k in parts))
    if (iteration + 1) % period == 0 or iteration == max_iter - 1:
        meds = {k: median(v[-window:]) for k, v in history.items()}
        eta_string = str(datetime.timedelta(seconds=int((max_iter - iteration) * 0.31)))
        lr = 0.02 * min(1.0, (iteration + 1) / 1000)
        log("d2.utils.events").info(
            str.format(
                " {eta}iter: {iter}  {losses}  {non_losses}  {avg_time}{last_time}"
                + "{avg_data_time}{last_data_time} lr: {lr}  {memory}",
                eta=f"eta: {eta_string}  ",
                iter=iteration,
                losses="  ".join(["{}: {:.4g}".format(k, meds[k]) for k in names]),
                non_losses="",
                avg_time="time: {:.4f}  ".format(0.3123),
                last_time="last_time: {:.4f}  ".format(0.3012 + rnd.random() * 0.01),
                avg_data_time="data_time: {:.4f}  ".format(0.0123),
                last_data_time="last_data_time: {:.4f}  ".format(0.0101),
                lr="{:.5g}".format(lr),
                memory="max_mem: {:.0f}M".format(2345.0),
            )
        )
        case.want(iteration, {k: printed(meds[k], ".4g") for k in names})

total = 5000
log("d2.evaluation.evaluator").info("Start inference on {} batches".format(total))
for idx in (10, 311, 612, 913):
    log("d2.evaluation.evaluator").info(
        f"Inference done {idx + 1}/{total}. "
        f"Dataloading: {0.0012:.4f} s/iter. "
        f"Inference: {0.0512:.4f} s/iter. "
        f"Eval: {0.0002:.4f} s/iter. "
        f"Total: {0.0526:.4f} s/iter. "
        f"ETA={datetime.timedelta(seconds=int((total - idx) * 0.0526))}")
log("d2.evaluation.evaluator").info(
    "Total inference time: {} ({:.6f} s / iter per device, on {} devices)".format(
        "0:04:23", 0.052614, 1))
# pycocotools' COCOeval prints (print, not logging) while it evaluates and summarizes.
print("Loading and preparing results...")
print("DONE (t={:0.2f}s)".format(0.81))
print("creating index...")
print("index created!")
print("Running per image evaluation...")
print("Evaluate annotation type *{}*".format("bbox"))
print("DONE (t={:0.2f}s).".format(21.37))
print("Accumulating evaluation results...")
print("DONE (t={:0.2f}s).".format(3.12))
stats = [0.402 + rnd.random() * 0.01, 0.61, 0.436, 0.241, 0.435, 0.521,
         0.331, 0.52, 0.545, 0.35, 0.58, 0.69]
rows = [(1, None, 'all', 100), (1, .5, 'all', 100), (1, .75, 'all', 100),
        (1, None, 'small', 100), (1, None, 'medium', 100), (1, None, 'large', 100),
        (0, None, 'all', 1), (0, None, 'all', 10), (0, None, 'all', 100),
        (0, None, 'small', 100), (0, None, 'medium', 100), (0, None, 'large', 100)]
for (ap, iouThr, areaRng, maxDets), mean_s in zip(rows, stats):
    iStr = ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'
    titleStr = 'Average Precision' if ap == 1 else 'Average Recall'
    typeStr = '(AP)' if ap == 1 else '(AR)'
    iouStr = '{:0.2f}:{:0.2f}'.format(0.5, 0.95) if iouThr is None else '{:0.2f}'.format(iouThr)
    print(iStr.format(titleStr, typeStr, iouStr, areaRng, maxDets, mean_s))
metrics = ["AP", "AP50", "AP75", "APs", "APm", "APl"]
results = {m: 100 * s for m, s in zip(metrics, stats)}
log("d2.evaluation.coco_evaluation").info(
    "Evaluation results for {}: \n".format("bbox") + pipe_table(metrics, list(results.values())))
task, res = "bbox", results
log("d2.evaluation.testing").info("copypaste: Task: {}".format(task))
log("d2.evaluation.testing").info("copypaste: " + ",".join([k[0] for k in res.items()]))
log("d2.evaluation.testing").info("copypaste: " + ",".join(["{0:.4f}".format(k[1]) for k in res.items()]))
case.want(None, {f"bbox/{m}|{m}": printed(v, ".4f") for m, v in results.items()})
case.may(None, {f"bbox/{m}|{m}": printed(v, ".3f") for m, v in results.items()})
