"""facebookresearch/fairseq fairseq/logging/progress_bar.py as fairseq-train (IWSLT'14 de-en
transformer) logs through it, with fairseq_cli/train.py's logging format on stdout: the
arguments, the model size, then on pipes the simple bar (`epoch 001:    100 / 1100 loss=9.876,
nll_loss=…, ppl=…, wps=…, num_updates=100, lr=…, gnorm=…`) and on a terminal a real tqdm bar
with the same postfix; the end of each epoch `epoch 001 | loss 9.1 | … | num_updates 1100 |
…` and `epoch 001 | valid on 'valid' subset | loss 8.1 | … | bleu 30.12 | …`."""
import argparse
import logging
import sys
from collections import OrderedDict

from tqdm import tqdm

from _case import Case

case = Case("facebookresearch/fairseq", "fairseq/logging/progress_bar.py",
            "6fd87485c8b224439ce0e93ed6668dc9192f22a0",
            either=["epoch", "wps", "ups", "wpb", "bsz", "num_updates", "lr", "train_wall",
                    "wall", "gb_free", "clip", "loss_scale"])
logging.basicConfig(format="%(asctime)s | %(levelname)s | %(name)s | %(message)s",
                    datefmt="%Y-%m-%d %H:%M:%S", level=logging.INFO, stream=sys.stdout)
logger = logging.getLogger("fairseq_cli.train")
bar_logger = logging.getLogger("fairseq.logging.progress_bar")
# A part of the arguments (argparse prints them sorted by name).
args = argparse.Namespace(adam_betas='(0.9, 0.98)', arch='transformer_iwslt_de_en',
                          clip_norm=0.0, criterion='label_smoothed_cross_entropy',
                          dropout=0.3, label_smoothing=0.1, log_format=None, log_interval=100,
                          lr=[0.0005], lr_scheduler='inverse_sqrt', max_tokens=4096,
                          optimizer='adam', warmup_updates=4000, weight_decay=0.0001)
logger.info(args)
logger.info("model {}, criterion {}".format("transformer_iwslt_de_en",
                                            "LabelSmoothedCrossEntropyCriterion"))
logger.info("num. model params: {} (num. trained: {})".format(39469056, 39469056))


def format_stat(stat):
    return '{:g}'.format(stat)


def str_commas(stats):
    return ', '.join(key + '=' + stats[key].strip() for key in stats.keys())


def str_pipes(stats):
    return ' | '.join(key + ' ' + stats[key].strip() for key in stats.keys())


def formatted(stats):
    return OrderedDict((k, str(format_stat(v))) for k, v in stats.items())


def with_name(name, message):  # rename_logger(logger, tag)
    old, bar_logger.name = bar_logger.name, name
    bar_logger.info(message)
    bar_logger.name = old


simple = not sys.stderr.isatty()  # log_format None: 'tqdm', or 'simple' when not a terminal
size, log_interval, num_updates = 1100, 100, 0
for epoch in range(1, 4):
    prefix = 'epoch {:03d}'.format(epoch)
    bar = None if simple else tqdm(range(size), prefix, leave=False)
    for i in range(size):
        num_updates += 1
        if bar is not None:
            bar.update(1)
        frac = num_updates / 3300
        stats = OrderedDict([
            ("loss", round(9.9 - 5 * frac, 3)), ("nll_loss", round(9.7 - 5 * frac, 3)),
            ("ppl", round(2 ** (9.7 - 5 * frac), 2)), ("wps", 12345.6), ("ups", 3.21),
            ("wpb", 3840.5), ("bsz", 128), ("num_updates", num_updates), ("lr", 0.0005),
            ("gnorm", round(1.5 - frac, 3)), ("train_wall", 31), ("wall", 35)])
        if i + 1 and (i % log_interval == 0) and i > 0:
            if simple:
                with_name("train_inner", '{}:  {:5d} / {:d} {}'.format(
                    prefix, i + 1, size, str_commas(formatted(stats))))
                case.want([epoch, num_updates], {k: stats[k] for k in ("loss", "nll_loss", "ppl",
                                                                       "gnorm")})
            else:  # shown with the bar's next refresh, if one comes
                bar.set_postfix(formatted(stats), refresh=False)
                case.may([epoch, num_updates], {k: stats[k] for k in ("loss", "nll_loss", "ppl",
                                                                      "gnorm")})
    end = OrderedDict(stats)
    end["loss"], end["nll_loss"] = round(end["loss"] + 0.2, 3), round(end["nll_loss"] + 0.2, 3)
    message = '{} | {}'.format(prefix, str_pipes(formatted(end)))
    if simple:
        with_name("train", message)
    else:
        bar.close()
        tqdm.write(message)
    case.want([epoch, num_updates], {f"train/{k}|{k}": end[k] for k in ("loss", "nll_loss",
                                                                      "ppl", "gnorm")})
    valid = OrderedDict([("loss", round(end["loss"] - 0.8, 3)),
                         ("nll_loss", round(end["nll_loss"] - 0.8, 3)),
                         ("ppl", round(2 ** (end["nll_loss"] - 0.8), 2)),
                         ("bleu", round(10 * epoch + 0.12, 2)), ("wps", 30000.0),
                         ("wpb", 3500.2), ("bsz", 140), ("num_updates", num_updates)])
    with_name("valid", '{} | {}'.format(prefix + " | valid on 'valid' subset",
                                        str_pipes(formatted(valid))))
    case.want([epoch, num_updates], {f"valid/{k}|val/{k}": valid[k]
                                     for k in ("loss", "nll_loss", "ppl", "bleu")})
logger.info("done training in {:.1f} seconds".format(1085.3))
