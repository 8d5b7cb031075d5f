"""pytorch/tutorials intermediate_source/char_rnn_classification_tutorial.py: every
print_every iterations `5000 5% (0m 10s) 2.1234 Kuipers / Dutch ✓` (iteration, percent, time,
the loss with no label, the name, the guess and ✓ or `✗ (German)`), then predictions
`(-0.42) Japanese`. No line names a metric: no record is expected, and no junk."""
import math
import random

from _case import Case

case = Case("pytorch/tutorials", "intermediate_source/char_rnn_classification_tutorial.py",
            "10098032865151e891c6074522207880f0e68fd3")
rnd = random.Random(33)
names = [("Kuipers", "Dutch"), ("Nakamura", "Japanese"), ("Schmidt", "German"),
         ("O'Brien", "Irish"), ("Rossi", "Italian"), ("Dovesky", "Russian")]
n_iters, print_every = 100000, 5000


def timeSince(s):
    m = math.floor(s / 60)
    s -= m * 60
    return '%dm %ds' % (m, s)


for iter in range(1, n_iters + 1):
    if iter % print_every == 0:
        line, category = rnd.choice(names)
        guess = category if rnd.random() < 0.6 else rnd.choice(names)[1]
        loss = 2.8 / (1 + iter / 30000) * (0.5 + rnd.random())
        correct = '✓' if guess == category else '✗ (%s)' % category
        print('%d %d%% (%s) %.4f %s / %s %s' % (iter, iter / n_iters * 100,
                                                timeSince(iter * 0.002), loss, line, guess,
                                                correct))
for input_line in ('Dovesky', 'Jackson', 'Satoshi'):
    print('\n> %s' % input_line)
    for value, category in ((-0.42, "Russian"), (-1.39, "Czech"), (-3.51, "English")):
        print('(%.2f) %s' % (value, category))
