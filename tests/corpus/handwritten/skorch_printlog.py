"""skorch-dev/skorch skorch/callbacks/logging.py's PrintLog, as NeuralNetClassifier(...,
callbacks=[Checkpoint()]).fit(X, y) prints it: a tabulate header and rule once, then a row per
epoch; numbers four decimals, each column its own ANSI colour where the value is the best so
far, and `+` in the `cp` column when a checkpoint was written."""
import random
import re
from itertools import cycle

from _case import Case, printed

case = Case("skorch-dev/skorch", "skorch/callbacks/logging.py",
            "5db0ddc962117a2c3a646910ecd2e70253ff8e87", either=["epoch", "dur", "cp"])
ANSI = ['\033[94m', '\033[36m', '\033[32m', '\033[35m', '\033[31m']  # skorch.utils.Ansi
ENDC = '\033[0m'
_CODES = re.compile(r"\x1b\[[0-9;]*m")


def simple_table(headers, cells):
    """tabulate([cells], headers, tablefmt="simple", floatfmt=".4f", stralign="right") for
    these cells (colour codes take no width)."""
    widths = [max(len(h) + 2, len(_CODES.sub("", c))) for h, c in zip(headers, cells)]

    def right(text, width):
        return " " * (width - len(_CODES.sub("", text))) + text

    return "\n".join(["  ".join(right(h, w) for h, w in zip(headers, widths)),
                      "  ".join("-" * w for w in widths),
                      "  ".join(right(c, w) for c, w in zip(cells, widths))])


def format_row(row, key, color):
    value = row[key]
    if isinstance(value, bool) or value is None:
        return '+' if value else ''
    is_integer = float(value).is_integer()
    template = '{}' if is_integer else '{:' + '.4f' + '}'
    key_best = key + '_best'
    if (key_best in row) and row[key_best]:
        template = color + template + ENDC
    return template.format(value)


rnd = random.Random(34)
best = {"train_loss": float("inf"), "valid_loss": float("inf"), "valid_acc": 0.0}
first_iteration = True
for epoch in range(1, 21):
    row = {"epoch": epoch,
           "train_loss": 0.69 / (1 + epoch / 10) + rnd.random() * 0.02,
           "valid_acc": min(0.99, 0.6 + 0.015 * epoch + rnd.random() * 0.03),
           "valid_loss": 0.68 / (1 + epoch / 12) + rnd.random() * 0.03,
           "dur": 0.03 + rnd.random() * 0.01}
    for key, better in (("train_loss", min), ("valid_loss", min), ("valid_acc", max)):
        row[key + "_best"] = better(row[key], best[key]) == row[key]
        best[key] = better(row[key], best[key])
    row["event_cp"] = row["valid_loss_best"]
    keys = ["epoch", "train_loss", "valid_acc", "valid_loss", "event_cp", "dur"]
    headers, cells = [], []
    for key, color in zip(keys, cycle(ANSI)):
        cells.append(format_row(row, key, color))
        headers.append(key[6:] if key.startswith("event_") else key)
    tabulated = simple_table(headers, cells)
    if first_iteration:
        header, lines = tabulated.split('\n', 2)[:2]
        print(header)
        print(lines)
        first_iteration = False
    print(tabulated.rsplit('\n', 1)[-1])
    case.want(epoch, {k: printed(row[k], ".4f") for k in ("train_loss", "valid_acc",
                                                          "valid_loss")})
