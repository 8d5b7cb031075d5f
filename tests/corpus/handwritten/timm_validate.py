"""huggingface/pytorch-image-models validate.py (`--model resnet50 --pretrained
--metrics-avg macro`): timm's FormatterNoInfo logging on stderr, `Model resnet50 created, param
count: 25557032`, every log_freq batches `Test: [  10/391]  Time: …s (…s, 1234.56/s)  Loss:
0.8123 (0.8234)  Acc@1: … (…)  Acc@5: … (…)`, then ` * Acc@1 80.372 (19.628) Acc@5 95.124
(4.876) | Precision(macro) 80.101 | Recall(macro) 80.372 | F1-score(macro) 80.010` (the error
rates in brackets), and the `--result` JSON of the run."""
import json
import logging
import random
from collections import OrderedDict

from _case import Case, printed
from _timm_logging import setup_default_logging

case = Case("huggingface/pytorch-image-models", "validate.py",
            "aa4b5850c1543fa488abf260f18390eda46cf85d",
            either=["time", "*avg*", "*/s", "*err*", "top1", "top5"])


setup_default_logging()
_logger = logging.getLogger('validate')
rnd = random.Random(36)
_logger.info(f'Validating in {"torch.float32"}. AMP not enabled.')
_logger.info('Model %s created, param count: %d' % ('resnet50', 25557032))
n_batches, log_freq, batch_size = 196, 10, 256
vals = {"loss": [], "top1": [], "top5": []}
for batch_idx in range(n_batches):
    vals["loss"].append(0.8 + rnd.random() * 0.1)
    vals["top1"].append(80 + rnd.random() * 2)
    vals["top5"].append(95 + rnd.random() * 1)
    if batch_idx % log_freq == 0:
        val = {k: v[-1] for k, v in vals.items()}
        avg = {k: sum(v) / len(v) for k, v in vals.items()}
        _logger.info(
            'Test: [{0:>4d}/{1}]  '
            'Time: {2:.3f}s ({3:.3f}s, {rate_avg:>7.2f}/s)  '
            'Loss: {4:>7.4f} ({5:>6.4f})  '
            'Acc@1: {6:>7.3f} ({7:>7.3f})  '
            'Acc@5: {8:>7.3f} ({9:>7.3f})'.format(
                batch_idx, n_batches, 0.21, 0.2, val["loss"], avg["loss"], val["top1"],
                avg["top1"], val["top5"], avg["top5"], rate_avg=batch_size / 0.2))
        case.want(None, {"test/loss": printed(val["loss"], ">7.4f"),
                         "test/acc@1": printed(val["top1"], ">7.3f"),
                         "test/acc@5": printed(val["top5"], ">7.3f")})
top1a = sum(vals["top1"]) / n_batches
top5a = sum(vals["top5"]) / n_batches
metric_results = {'macro_precision': round(top1a - 0.27, 4), 'macro_recall': round(top1a, 4),
                  'macro_f1_score': round(top1a - 0.36, 4)}
results = OrderedDict(
    model='resnet50',
    top1=round(top1a, 4), top1_err=round(100 - top1a, 4),
    top5=round(top5a, 4), top5_err=round(100 - top5a, 4),
    **metric_results,
    param_count=round(25557032 / 1e6, 2),
    img_size=224,
    crop_pct=0.95,
    interpolation='bicubic',
)
log_string = ' * Acc@1 {:.3f} ({:.3f}) Acc@5 {:.3f} ({:.3f})'.format(
   results['top1'], results['top1_err'], results['top5'], results['top5_err'])
log_string += ' | Precision({avg}) {prec:.3f} | Recall({avg}) {rec:.3f} | F1-score({avg}) {f1:.3f}'.format(
    avg='macro',
    prec=metric_results['macro_precision'],
    rec=metric_results['macro_recall'],
    f1=metric_results['macro_f1_score'],
)
_logger.info(log_string)
case.want(None, {"test/acc@1|acc@1": printed(results['top1'], ".3f"),
                 "test/acc@5|acc@5": printed(results['top5'], ".3f"),
                 "test/precision|precision|test/precision(macro)|precision(macro)":
                 printed(metric_results['macro_precision'], ".3f"),
                 "test/recall|recall|test/recall(macro)|recall(macro)":
                 printed(metric_results['macro_recall'], ".3f"),
                 "test/f1-score|f1-score|test/f1|f1|test/f1-score(macro)|f1-score(macro)":
                 printed(metric_results['macro_f1_score'], ".3f")})
print(f'--result\n{json.dumps(results, indent=4)}')
case.may(None, {"top1|test/top1": results["top1"], "top5|test/top5": results["top5"],
                "macro_precision|test/macro_precision": results["macro_precision"],
                "macro_recall|test/macro_recall": results["macro_recall"],
                "macro_f1_score|test/macro_f1_score": results["macro_f1_score"]})
