"""pytorch/tutorials intermediate_source/seq2seq_translation_tutorial.py: the data summary
(`Read 135842 sentence pairs`, `fra 4345`), then every print_every iterations
`0m 25s (- 3m 47s) (5000 6%) 2.8437` (time, iteration, percent and the average loss with no
label), and the sample translations. Nothing on these lines names a metric: the careful
user expects no record (a `--scalars` pattern is the way to get the loss) and no junk."""
import math
import random

from _case import Case

case = Case("pytorch/tutorials", "intermediate_source/seq2seq_translation_tutorial.py",
            "803c1b1273a47bc53bb6cd5f63eecfb897bbc856")
rnd = random.Random(28)
print("Reading lines...")
print("Read %s sentence pairs" % 135842)
print("Trimmed to %s sentence pairs" % 10599)
print("Counting words...")
print("Counted words:")
print("fra", 4345)
print("eng", 2803)
print(['je suis content de te revoir .', 'i m glad to see you again .'])


def asMinutes(s):
    m = math.floor(s / 60)
    s -= m * 60
    return '%dm %ds' % (m, s)


def timeSince(elapsed, percent):
    s = elapsed
    es = s / (percent)
    rs = es - s
    return '%s (- %s)' % (asMinutes(s), asMinutes(rs))


n_iters, print_every = 75000, 5000
print_loss_total = 0
for iter in range(1, n_iters + 1):
    print_loss_total += 4.5 / (1 + iter / 20000) * (0.8 + rnd.random() * 0.4)
    if iter % print_every == 0:
        print_loss_avg = print_loss_total / print_every
        print_loss_total = 0
        print('%s (%d %d%%) %.4f' % (timeSince(iter * 0.005, iter / n_iters),
                                     iter, iter / n_iters * 100, print_loss_avg))
for pair, output in ((['il est en train de peindre un tableau .', 'he is painting a picture .'],
                      'he is painting a picture . <EOS>'),
                     (['nous sommes tous impatients .', 'we re all impatient .'],
                      'we re all ready . <EOS>')):
    print('>', pair[0])
    print('=', pair[1])
    print('<', output)
    print('')
print('input =', 'elle a cinq ans de moins que moi .')
print('output =', 'she is five years younger than me . <EOS>')
