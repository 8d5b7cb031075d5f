"""facebookresearch/detr main.py with engine.py and util/misc.py (COCO, the default six decoder
layers with auxiliary losses, on a GPU): `Not using distributed mode`, the git line, the args
Namespace, `number of params: 41302368`, then per epoch MetricLogger lines `Epoch: [0]  [ 10/200]
eta: …  lr: 0.000100  class_error: 87.50  loss: 45.1234 (46.0000)  loss_ce: …  loss_bbox_0: …
loss_ce_unscaled: …  cardinality_error_4_unscaled: …  time: …  data: …  max mem: 3012` (a median
then the global average in brackets; class_error and lr as the last value), `Epoch: [0] Total
time: …`, `Averaged stats: …`, the same under `Test:` (no lr), and the training time. The COCO
evaluator's own summary (pycocotools) is left out: it is no hand-written line."""
import argparse
import datetime
import random
from collections import deque

import numpy as np

from _case import Case, printed

case = Case("facebookresearch/detr", "engine.py", "29901c51d7fe8712168b8d0d64351170bc0f83e0",
            either=["epoch", "eta", "lr", "*time*", "data", "max_mem*", "*avg*", "s_/_it"])
rnd = random.Random(402)


class SmoothedValue(object):
    """Track a series of values and provide access to smoothed values over a
    window or the global series average.
    """

    def __init__(self, window_size=20, fmt=None):
        if fmt is None:
            fmt = "{median:.4f} ({global_avg:.4f})"
        self.deque = deque(maxlen=window_size)
        self.total = 0.0
        self.count = 0
        self.fmt = fmt

    def update(self, value, n=1):
        self.deque.append(value)
        self.count += n
        self.total += value * n

    @property
    def median(self):  # torch.tensor(list(self.deque)).median().item(): float32, lower middle
        return float(np.float32(sorted(self.deque)[(len(self.deque) - 1) // 2]))

    @property
    def avg(self):
        return float(np.mean(np.array(self.deque, dtype=np.float32)))

    @property
    def global_avg(self):
        return self.total / self.count

    @property
    def max(self):
        return max(self.deque)

    @property
    def value(self):
        return self.deque[-1]

    def __str__(self):
        return self.fmt.format(
            median=self.median,
            avg=self.avg,
            global_avg=self.global_avg,
            max=self.max,
            value=self.value)


class MetricLogger(object):
    def __init__(self, delimiter="\t"):
        self.meters = {}
        self.delimiter = delimiter

    def update(self, **kwargs):
        for k, v in kwargs.items():
            assert isinstance(v, (float, int))
            self.meters.setdefault(k, SmoothedValue()).update(v)

    def __str__(self):
        loss_str = []
        for name, meter in self.meters.items():
            loss_str.append(
                "{}: {}".format(name, str(meter))
            )
        return self.delimiter.join(loss_str)

    def add_meter(self, name, meter):
        self.meters[name] = meter

    def log_every(self, n, print_freq, header=None):
        """Yields each batch index, then "printed" after each line it printed."""
        i = 0
        if not header:
            header = ''
        iter_time = SmoothedValue(fmt='{avg:.4f}')
        data_time = SmoothedValue(fmt='{avg:.4f}')
        space_fmt = ':' + str(len(str(n))) + 'd'
        log_msg = self.delimiter.join([
            header,
            '[{0' + space_fmt + '}/{1}]',
            'eta: {eta}',
            '{meters}',
            'time: {time}',
            'data: {data}',
            'max mem: {memory:.0f}'
        ])
        MB = 1024.0 * 1024.0
        for obj in range(n):
            data_time.update(0.01 + rnd.random() * 0.005)
            yield obj
            iter_time.update(0.5 + rnd.random() * 0.05)
            if i % print_freq == 0 or i == n - 1:
                eta_seconds = iter_time.global_avg * (n - i)
                eta_string = str(datetime.timedelta(seconds=int(eta_seconds)))
                print(log_msg.format(
                    i, n, eta=eta_string,
                    meters=str(self),
                    time=str(iter_time), data=str(data_time),
                    memory=3158837248 / MB))
                yield "printed"
            i += 1
        total_time = iter_time.total
        total_time_str = str(datetime.timedelta(seconds=int(total_time)))
        print('{} Total time: {} ({:.4f} s / it)'.format(
            header, total_time_str, total_time / n))


args = argparse.Namespace(
    lr=1e-4, lr_backbone=1e-5, batch_size=2, weight_decay=1e-4, epochs=300, lr_drop=200,
    clip_max_norm=0.1, frozen_weights=None, backbone='resnet50', dilation=False,
    position_embedding='sine', enc_layers=6, dec_layers=6, dim_feedforward=2048, hidden_dim=256,
    dropout=0.1, nheads=8, num_queries=100, pre_norm=False, masks=False, aux_loss=True,
    set_cost_class=1, set_cost_bbox=5, set_cost_giou=2, mask_loss_coef=1, dice_loss_coef=1,
    bbox_loss_coef=5, giou_loss_coef=2, eos_coef=0.1, dataset_file='coco',
    coco_path='/datasets/coco', coco_panoptic_path=None, remove_difficult=False,
    output_dir='/checkpoint/detr/r50', device='cuda', seed=42, resume='', start_epoch=0,
    eval=False, num_workers=2, world_size=1, dist_url='env://')
print('Not using distributed mode')
args.distributed = False
print("git:\n  {}\n".format("sha: 29901c51d7fe8712168b8d0d64351170bc0f83e0, status: clean, "
                            "branch: main"))
print(args)
print('number of params:', 41302368)
print("Start training")

weight_dict = {'loss_ce': 1, 'loss_bbox': args.bbox_loss_coef, 'loss_giou': args.giou_loss_coef}
for i in range(args.dec_layers - 1):
    weight_dict.update({k + f'_{i}': v for k, v in list(weight_dict.items())[:3]})


def criterion(progress):
    """The loss dict SetCriterion returns, in its order (labels, boxes, cardinality; then each
    auxiliary decoder layer, without class_error)."""
    def layer(suffix, log):
        d = {'loss_ce' + suffix: 1.6 / (1 + progress) + rnd.random() * 0.1}
        if log:
            d['class_error'] = max(0.0, 90 - 30 * progress + rnd.random() * 10)
        d['loss_bbox' + suffix] = 0.35 / (1 + progress) + rnd.random() * 0.02
        d['loss_giou' + suffix] = 0.8 / (1 + progress) + rnd.random() * 0.05
        d['cardinality_error' + suffix] = 95 - 20 * progress + rnd.random() * 5
        return d
    losses = layer('', True)
    for i in range(args.dec_layers - 1):
        losses.update(layer(f'_{i}', False))
    return losses


def log_update(metric_logger, loss_dict, total):
    scaled = {k: v * weight_dict[k] for k, v in loss_dict.items() if k in weight_dict}
    unscaled = {f'{k}_unscaled': v for k, v in loss_dict.items()}
    metric_logger.update(loss=total if total is not None else sum(scaled.values()),
                         **scaled, **unscaled)
    metric_logger.update(class_error=loss_dict['class_error'])


def shown(metric_logger, phase):
    """What a line shows of each meter: the median (4 decimals), class_error and lr as the
    last value."""
    out = {}
    for k, meter in metric_logger.meters.items():
        if k == 'lr':
            continue
        value = printed(meter.value, ".2f") if k == 'class_error' else printed(meter.median,
                                                                                ".4f")
        out[f"{phase}/{k}" if phase == "test" else f"{k}|train/{k}"] = value
    return out


n_train, n_test = 200, 50
for epoch in range(args.start_epoch, 2):
    metric_logger = MetricLogger(delimiter="  ")
    metric_logger.add_meter('lr', SmoothedValue(window_size=1, fmt='{value:.6f}'))
    metric_logger.add_meter('class_error', SmoothedValue(window_size=1, fmt='{value:.2f}'))
    header = 'Epoch: [{}]'.format(epoch)
    print_freq = 10
    for i in metric_logger.log_every(n_train, print_freq, header):
        if i == "printed":
            case.want(epoch, shown(metric_logger, "train"))
            continue
        loss_dict = criterion(epoch + i / n_train)
        log_update(metric_logger, loss_dict, None)
        metric_logger.update(lr=args.lr)
    print("Averaged stats:", metric_logger)
    case.may(None, shown(metric_logger, "train"))

    metric_logger = MetricLogger(delimiter="  ")
    metric_logger.add_meter('class_error', SmoothedValue(window_size=1, fmt='{value:.2f}'))
    header = 'Test:'
    for i in metric_logger.log_every(n_test, 10, header):
        if i == "printed":
            case.want(None, shown(metric_logger, "test"))
            continue
        loss_dict = criterion(epoch + 1.2 + rnd.random() * 0.1)
        log_update(metric_logger, loss_dict, None)
    print("Averaged stats:", metric_logger)
    case.may(None, shown(metric_logger, "test"))

print('Training time {}'.format(str(datetime.timedelta(seconds=int(83411.2)))))
