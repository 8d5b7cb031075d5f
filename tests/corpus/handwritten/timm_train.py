"""huggingface/pytorch-image-models train.py: logging through timm's FormatterNoInfo (INFO
messages bare, on stderr): the set-up (device `cuda:0`, `param count:25557032`, the data
config), `Train: E [ i/N ( p%)]  Loss: x (avg)  Time: …  LR: …  Data: …`, `Test: [ i/N]  …
Acc@1: x (avg)`, the checkpoint list, `*** Best metric:` and the `--result` JSON dump."""
import json
import logging
import random
from collections import OrderedDict

from _case import Case, printed
from _timm_logging import setup_default_logging

case = Case("huggingface/pytorch-image-models", "train.py",
            "aa4b5850c1543fa488abf260f18390eda46cf85d",
            either=["epoch", "time", "data", "lr", "*avg*", "*/s", "*best*", "top1", "top5"])


setup_default_logging()
_logger = logging.getLogger('train')
rnd = random.Random(8)

device = "cuda:0"
_logger.info(f'Training with a single process on 1 device ({device}).')
model_name, param_count = "resnet50", 25557032
_logger.info(f'Model {model_name} created, param count:{param_count}')
data_config = OrderedDict([("input_size", (3, 224, 224)), ("interpolation", "bicubic"),
                           ("mean", (0.485, 0.456, 0.406)), ("std", (0.229, 0.224, 0.225)),
                           ("crop_pct", 0.95), ("crop_mode", "center")])
_logger.info('Data processing configuration for current model + dataset:')
for n, v in data_config.items():
    _logger.info('\t%s: %s' % (n, str(v)))
_logger.info('AMP not enabled. Training in float32.')
num_epochs = 3
sched_explain = '(epochs + cooldown_epochs). Warmup within epochs when warmup_prefix=False'
_logger.info(f'Scheduled epochs: {num_epochs} {sched_explain}. LR stepped per {"epoch"}.')

batch_size, log_interval = 128, 50
updates_per_epoch, last_idx = 1281167 // batch_size, 50000 // batch_size
checkpoint_files, results, best_metric, best_epoch = [], [], None, None
for epoch in range(num_epochs):
    losses = []
    for update_idx in range(updates_per_epoch):
        last_batch = update_idx == updates_per_epoch - 1
        loss_now = 6.9 / (1 + epoch + update_idx / updates_per_epoch) + rnd.random() * 0.1
        losses.append(loss_now)
        if update_idx % log_interval == 0 or last_batch:
            loss_avg = sum(losses) / len(losses)
            update_time, update_sample_count = 0.25 + rnd.random() * 0.01, batch_size
            time_avg, lr = 0.252, 0.1 * (1 - epoch / num_epochs)
            data_val, data_avg = 0.01 + rnd.random() * 0.005, 0.012
            _logger.info(
                f'Train: {epoch} [{update_idx:>4d}/{updates_per_epoch} '
                f'({100. * (update_idx + 1) / updates_per_epoch:>3.0f}%)]  '
                f'Loss: {loss_now:#.3g} ({loss_avg:#.3g})  '
                f'Time: {update_time:.3f}s, {update_sample_count / update_time:>7.2f}/s  '
                f'({time_avg:.3f}s, {update_sample_count / time_avg:>7.2f}/s)  '
                f'LR: {lr:.3e}  '
                f'Data: {data_val:.3f} ({data_avg:.3f})'
            )
            case.want(epoch, {"loss|train/loss": printed(loss_now, "#.3g")})
    train_metrics = OrderedDict([('loss', loss_avg)])
    vals = {"loss": [], "top1": [], "top5": []}
    for batch_idx in range(last_idx + 1):
        last_batch = batch_idx == last_idx
        vals["loss"].append(3.0 / (1 + epoch) + rnd.random() * 0.3)
        vals["top1"].append(40 + 15 * epoch + rnd.random() * 10)
        vals["top5"].append(65 + 10 * epoch + rnd.random() * 10)
        val = {k: v[-1] for k, v in vals.items()}
        avg = {k: sum(v) / len(v) for k, v in vals.items()}
        if last_batch or batch_idx % log_interval == 0:
            log_name = 'Test' + ''
            _logger.info(
                f'{log_name}: [{batch_idx:>4d}/{last_idx}]  '
                f'Time: {0.1:.3f} ({0.1:.3f})  '
                f'Loss: {val["loss"]:>7.3f} ({avg["loss"]:>6.3f})  '
                f'Acc@1: {val["top1"]:>7.3f} ({avg["top1"]:>7.3f})  '
                f'Acc@5: {val["top5"]:>7.3f} ({avg["top5"]:>7.3f})'
            )
            case.want(None, {"test/loss": printed(val["loss"], ">7.3f"),
                             "test/acc@1": printed(val["top1"], ">7.3f"),
                             "test/acc@5": printed(val["top5"], ">7.3f")})
    eval_metrics = OrderedDict([('loss', avg["loss"]), ('top1', avg["top1"]),
                                ('top5', avg["top5"])])
    metric = eval_metrics["top1"]
    save_path = f"./output/train/20260101-000000-resnet50-224/checkpoint-{epoch}.pth.tar"
    checkpoint_files = sorted(checkpoint_files + [(save_path, metric)], key=lambda x: x[1],
                              reverse=True)
    checkpoints_str = "Current checkpoints:\n"
    for c in checkpoint_files:
        checkpoints_str += ' {}\n'.format(c)
    _logger.info(checkpoints_str)
    if best_metric is None or metric > best_metric:
        best_metric, best_epoch = metric, epoch
    results.append({'epoch': epoch, 'train': train_metrics, 'validation': eval_metrics})

_logger.info('*** Best metric: {0} (epoch {1})'.format(best_metric, best_epoch))
display_results = sorted(results, key=lambda x: x.get('validation', x.get('train')).get('top1', 0))
print(f'--result\n{json.dumps(display_results[-10:], indent=4)}')
for r in display_results[-10:]:  # the dump repeats each epoch's averages, by phase
    case.may(None, {"train/loss": r["train"]["loss"]})
    case.may(None, {f"validation/{k}|val/{k}|test/{k}": v for k, v in r["validation"].items()})
