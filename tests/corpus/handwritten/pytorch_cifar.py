"""kuangliu/pytorch-cifar main.py with utils.progress_bar: `Epoch: N`, then a hand-drawn bar
redrawn with \\r per batch, backspaces to write `391/391` over its middle, `  Step: 52ms |
Tot: 20s | Loss: 1.234 | Acc: 55.123% (27561/50000)`; the same bar for the test set (no
header between them). Train and test lines look alike: a careful user accepts both under
loss/acc, wants the last value of each bar, and accepts any frame's values."""
import random
import sys

from _case import Case, printed

case = Case("kuangliu/pytorch-cifar", "main.py", "49b7aa97b0c12fe0d4054e670403a16b6b834ddd",
            either=["epoch", "step", "tot"])
term_width = 120  # utils.py reads `stty size`; the case's terminal is 120 columns wide
TOTAL_BAR_LENGTH = 65.
rnd = random.Random(42)


def format_time(seconds):
    days = int(seconds / 3600/24)
    seconds = seconds - days*3600*24
    hours = int(seconds / 3600)
    seconds = seconds - hours*3600
    minutes = int(seconds / 60)
    seconds = seconds - minutes*60
    secondsf = int(seconds)
    seconds = seconds - secondsf
    millis = int(seconds*1000)

    f = ''
    i = 1
    if days > 0:
        f += str(days) + 'D'
        i += 1
    if hours > 0 and i <= 2:
        f += str(hours) + 'h'
        i += 1
    if minutes > 0 and i <= 2:
        f += str(minutes) + 'm'
        i += 1
    if secondsf > 0 and i <= 2:
        f += str(secondsf) + 's'
        i += 1
    if millis > 0 and i <= 2:
        f += str(millis) + 'ms'
        i += 1
    if f == '':
        f = '0ms'
    return f


def progress_bar(current, total, msg, step_time, tot_time):
    cur_len = int(TOTAL_BAR_LENGTH*current/total)
    rest_len = int(TOTAL_BAR_LENGTH - cur_len) - 1
    sys.stdout.write(' [')
    for i in range(cur_len):
        sys.stdout.write('=')
    sys.stdout.write('>')
    for i in range(rest_len):
        sys.stdout.write('.')
    sys.stdout.write(']')
    L = []
    L.append('  Step: %s' % format_time(step_time))
    L.append(' | Tot: %s' % format_time(tot_time))
    if msg:
        L.append(' | ' + msg)
    msg = ''.join(L)
    sys.stdout.write(msg)
    for i in range(term_width-int(TOTAL_BAR_LENGTH)-len(msg)-3):
        sys.stdout.write(' ')
    for i in range(term_width-int(TOTAL_BAR_LENGTH/2)+2):
        sys.stdout.write('\b')
    sys.stdout.write(' %d/%d ' % (current+1, total))
    if current < total-1:
        sys.stdout.write('\r')
    else:
        sys.stdout.write('\n')
    sys.stdout.flush()


def run(n_batches, batch_size, level, epoch):
    loss_sum, correct, total, tot = 0, 0, 0, 0.0
    for batch_idx in range(n_batches):
        loss_sum += 2.0 / (1 + epoch + batch_idx / n_batches) + rnd.random() * 0.1
        total += batch_size
        correct += int(batch_size * min(0.95, level + rnd.random() * 0.1))
        tot += 0.052
        loss, acc = loss_sum / (batch_idx + 1), 100. * correct / total
        progress_bar(batch_idx, n_batches, 'Loss: %.3f | Acc: %.3f%% (%d/%d)'
                     % (loss, acc, correct, total), 0.052, tot)
        values = {"loss|train/loss|test/loss": printed(loss, ".3f"),
                  "acc|train/acc|test/acc": printed(acc, ".3f")}
        (case.want if batch_idx == n_batches - 1 else case.may)(None, values)


print('==> Preparing data..')
print('==> Building model..')
for epoch in range(0, 2):
    print('\nEpoch: %d' % epoch)
    run(391, 128, 0.4 + 0.2 * epoch, epoch)
    run(100, 100, 0.45 + 0.2 * epoch, epoch)
    print('Saving..')
