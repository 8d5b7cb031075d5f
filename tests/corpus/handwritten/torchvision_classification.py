"""pytorch/vision references/classification/train.py with its utils.MetricLogger: the args
echo, `Epoch: [0]  [  10/5005]  eta: 0:42:10  lr: 0.1  img/s: 1234.5  loss: 6.9 (6.9)
acc1: … (…)  …  time: …  data: …  max mem: 1234` (median over 20 then global average), the
same under `Test:`, ` * Acc@1 … Acc@5 …` and the total times. Run as `train.py -b 256 --epochs 2`."""
import argparse
import datetime
import random
from collections import deque

from _case import Case, printed

case = Case("pytorch/vision", "references/classification/train.py",
            "bde124ee2f3419fe31ad79c858af40206e8bf792",
            either=["epoch", "eta", "lr", "img/s", "time", "data", "max_mem*", "*avg*"])
rnd = random.Random(9)


class SmoothedValue:
    """utils.SmoothedValue: a window's median (torch's: the lower middle) and global average."""
    def __init__(self, window_size=20, fmt=None):
        if fmt is None:
            fmt = "{median:.4f} ({global_avg:.4f})"
        self.deque, self.total, self.count, self.fmt = deque(maxlen=window_size), 0.0, 0, fmt

    def update(self, value, n=1):
        self.deque.append(value)
        self.count += n
        self.total += value * n

    @property
    def median(self):
        return sorted(self.deque)[(len(self.deque) - 1) // 2]

    @property
    def avg(self):
        return sum(self.deque) / len(self.deque)

    @property
    def global_avg(self):
        return self.total / self.count

    def __str__(self):
        return self.fmt.format(median=self.median, avg=self.avg, global_avg=self.global_avg,
                               max=max(self.deque), value=self.deque[-1])


class MetricLogger:
    def __init__(self, delimiter="\t"):
        self.meters, self.delimiter = {}, delimiter

    def add_meter(self, name, meter):
        self.meters[name] = meter

    def update(self, **kwargs):
        for k, v in kwargs.items():
            self.meters.setdefault(k, SmoothedValue()).update(v)

    def __str__(self):
        loss_str = []
        for name, meter in self.meters.items():
            loss_str.append(
                "{}: {}".format(name, str(meter))
            )
        return self.delimiter.join(loss_str)

    def log_every(self, n, print_freq, header):
        iter_time, data_time = SmoothedValue(fmt='{avg:.4f}'), SmoothedValue(fmt='{avg:.4f}')
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
        for i in range(n):
            data_time.update(0.01 + rnd.random() * 0.01)
            yield i
            iter_time.update(0.2 + rnd.random() * 0.02)
            if i % print_freq == 0:
                eta_seconds = iter_time.global_avg * (n - i)
                eta_string = str(datetime.timedelta(seconds=int(eta_seconds)))
                print(log_msg.format(
                    i, n, eta=eta_string,
                    meters=str(self),
                    time=str(iter_time), data=str(data_time),
                    memory=5312.0 * MB / MB))
                yield "printed"
        total_time_str = str(datetime.timedelta(seconds=int(iter_time.total)))
        print('{} Total time: {}'.format(header, total_time_str))


args = argparse.Namespace(
    data_path='/datasets01/imagenet_full_size/061417/', model='resnet18', device='cuda',
    batch_size=256, epochs=2, workers=16, lr=0.1, momentum=0.9, weight_decay=1e-4,
    lr_step_size=30, lr_gamma=0.1, print_freq=10, output_dir='.', resume='', start_epoch=0,
    cache_dataset=False, sync_bn=False, test_only=False, pretrained=False, apex=False,
    apex_opt_level='O1', world_size=1, dist_url='env://')
print('Not using distributed mode')
args.distributed = False
print(args)
print("Loading data")
print("Loading training data")
print("Took", 12.345678)
print("Loading validation data")
print("Creating data loaders")
print("Creating model")
print("Start training")
n_train, n_test = 1281167 // args.batch_size + 1, 50000 // args.batch_size + 1
for epoch in range(args.start_epoch, args.epochs):
    metric_logger = MetricLogger(delimiter="  ")
    metric_logger.add_meter('lr', SmoothedValue(window_size=1, fmt='{value}'))
    metric_logger.add_meter('img/s', SmoothedValue(window_size=10, fmt='{value}'))
    header = 'Epoch: [{}]'.format(epoch)
    for i in metric_logger.log_every(n_train, args.print_freq, header):
        if i == "printed":
            m = metric_logger.meters
            case.want(epoch, {"loss|train/loss": printed(m["loss"].median, ".4f"),
                              "acc1|train/acc1": printed(m["acc1"].median, ".4f"),
                              "acc5|train/acc5": printed(m["acc5"].median, ".4f")})
            continue
        frac = epoch + i / n_train
        metric_logger.update(loss=6.9 / (1 + frac) + rnd.random() * 0.2, lr=args.lr)
        metric_logger.update(acc1=min(100, 30 * frac + rnd.random() * 10))
        metric_logger.update(acc5=min(100, 50 * frac + rnd.random() * 10))
        metric_logger.meters['img/s'].update(args.batch_size / (0.2 + rnd.random() * 0.01))
    metric_logger = MetricLogger(delimiter="  ")
    header = 'Test:'
    for i in metric_logger.log_every(n_test, 100, header):
        if i == "printed":
            m = metric_logger.meters
            case.want(None, {"test/loss": printed(m["loss"].median, ".4f"),
                             "test/acc1": printed(m["acc1"].median, ".4f"),
                             "test/acc5": printed(m["acc5"].median, ".4f")})
            continue
        metric_logger.update(loss=2.0 / (1 + epoch) + rnd.random() * 0.3)
        metric_logger.update(acc1=40 + 20 * epoch + rnd.random() * 10)
        metric_logger.update(acc5=65 + 15 * epoch + rnd.random() * 10)
    top1, top5 = metric_logger.meters["acc1"], metric_logger.meters["acc5"]
    print(' * Acc@1 {top1.global_avg:.3f} Acc@5 {top5.global_avg:.3f}'
          .format(top1=top1, top5=top5))
    case.want(None, {"test/acc@1|test/acc1": printed(top1.global_avg, ".3f"),
                     "test/acc@5|test/acc5": printed(top5.global_avg, ".3f")})
print('Training time {}'.format(str(datetime.timedelta(seconds=int(12345.6)))))
