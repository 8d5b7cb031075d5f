"""pytorch/examples imagenet/main.py: ProgressMeter lines `Epoch: [0][ 11/5005]\tTime ...
\tLoss 6.9e+00 (6.9e+00)\tAcc@1 0.00 (0.00)` (value, then running average in brackets), the
same under `Test: ` for validation, and the summary ` * Acc@1 75.123 Acc@5 92.456`."""
import random

from _case import Case, printed

case = Case("pytorch/examples", "imagenet/main.py", "77f55b912142e11fcfdf5b530231fb9c52f181e8",
            either=["epoch", "time", "data", "*avg*"])
rnd = random.Random(7)


class AverageMeter:
    """Its value, running average and how it prints (upstream's format strings)."""
    def __init__(self, name, fmt=':f', summary=False):
        self.name, self.fmt, self.summary_average = name, fmt, summary
        self.val = self.avg = self.sum = self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count

    def __str__(self):
        fmtstr = '{name} {val' + self.fmt + '} ({avg' + self.fmt + '})'
        return fmtstr.format(**self.__dict__)

    def summary(self):
        fmtstr = '{name} {avg:.3f}' if self.summary_average else ''
        return fmtstr.format(**self.__dict__)


class ProgressMeter:
    def __init__(self, num_batches, meters, prefix=""):
        num_digits = len(str(num_batches // 1))
        fmt = '{:' + str(num_digits) + 'd}'
        self.batch_fmtstr = '[' + fmt + '/' + fmt.format(num_batches) + ']'
        self.meters = meters
        self.prefix = prefix

    def display(self, batch):
        entries = [self.prefix + self.batch_fmtstr.format(batch)]
        entries += [str(meter) for meter in self.meters]
        print('\t'.join(entries))

    def display_summary(self):
        entries = [" *"]
        entries += [meter.summary() for meter in self.meters]
        print(' '.join(entries))


print_freq, batch_size = 10, 256
n_train, n_val = 1281167 // batch_size + 1, 50000 // batch_size + 1
print(f"Using device: {'cuda'}")
print("=> creating model '{}'".format('resnet18'))
for epoch in range(0, 2):
    batch_time, data_time = AverageMeter('Time', ':6.3f'), AverageMeter('Data', ':6.3f')
    losses, top1, top5 = (AverageMeter('Loss', ':.4e'), AverageMeter('Acc@1', ':6.2f'),
                          AverageMeter('Acc@5', ':6.2f'))
    progress = ProgressMeter(n_train, [batch_time, data_time, losses, top1, top5],
                             prefix="Epoch: [{}]".format(epoch))
    for i in range(n_train):
        progress_frac = epoch + i / n_train
        data_time.update(0.01 + rnd.random() * 0.01)
        losses.update(6.9 / (1 + progress_frac) + rnd.random() * 0.1, batch_size)
        top1.update(min(100.0, 10 + 30 * progress_frac + rnd.random() * 5), batch_size)
        top5.update(min(100.0, 30 + 40 * progress_frac + rnd.random() * 5), batch_size)
        batch_time.update(0.2 + rnd.random() * 0.02)
        if i % print_freq == 0:
            progress.display(i + 1)
            case.want(epoch, {"loss|train/loss": printed(losses.val, ".4e"),
                              "acc@1|train/acc@1": printed(top1.val, "6.2f"),
                              "acc@5|train/acc@5": printed(top5.val, "6.2f")})
    batch_time, losses = AverageMeter('Time', ':6.3f'), AverageMeter('Loss', ':.4e')
    top1, top5 = AverageMeter('Acc@1', ':6.2f', True), AverageMeter('Acc@5', ':6.2f', True)
    progress = ProgressMeter(n_val, [batch_time, losses, top1, top5], prefix='Test: ')
    for i in range(n_val):
        losses.update(4.0 / (2 + epoch) + rnd.random() * 0.2, batch_size)
        top1.update(30 + 20 * epoch + rnd.random() * 10, batch_size)
        top5.update(55 + 20 * epoch + rnd.random() * 10, batch_size)
        batch_time.update(0.1 + rnd.random() * 0.02)
        if i % print_freq == 0:
            progress.display(i + 1)
            case.want(None, {"test/loss": printed(losses.val, ".4e"),
                             "test/acc@1": printed(top1.val, "6.2f"),
                             "test/acc@5": printed(top5.val, "6.2f")})
    progress.display_summary()
    case.want(None, {"test/acc@1": printed(top1.avg, ".3f"),
                     "test/acc@5": printed(top5.avg, ".3f")})
