"""deep-learning-with-pytorch/dlwpt-code p2ch12/training.py with util/logconf.py, util/util.py
(enumerateWithEstimate) and p2ch12/dsets.py (`python -m p2ch12.training --epochs=2 --balanced
balanced`): the root logger's `%(asctime)s %(levelname)-8s pid:%(process)d
%(name)s:%(lineno)03d:%(funcName)s %(message)s` on stderr; the data sets' sizes, the start
line with the args Namespace, `Epoch 1 of 2, 6250/1726 batches of size 32*1`, the time estimates
`E1 Training   64/6250, done at 2020-12-28 16:37:29, 0:35:12`, and per phase three lines whose
values come BEFORE their labels, the phase as a word after the epoch: `E1 trn      0.0440 loss,
98.6% correct, 0.9788 precision, 0.9935 recall, 0.9861 f1 score`, `E1 trn_neg  0.0633 loss,
97.8% correct (97848 of 100000)`, `E1 trn_pos  …`, the same for `val`."""
import argparse
import datetime
import logging
import random

from _case import Case, printed

case = Case("deep-learning-with-pytorch/dlwpt-code", "p2ch12/training.py",
            "d6c0210143daa133bbdeddaffc8993b1e17b5174", either=["epoch", "e"])
rnd = random.Random(409)

root_logger = logging.getLogger()
root_logger.setLevel(logging.INFO)
for handler in list(root_logger.handlers):
    root_logger.removeHandler(handler)
logfmt_str = "%(asctime)s %(levelname)-8s pid:%(process)d %(name)s:%(lineno)03d:%(funcName)s %(message)s"
formatter = logging.Formatter(logfmt_str)
streamHandler = logging.StreamHandler()
streamHandler.setFormatter(formatter)
streamHandler.setLevel(logging.DEBUG)
root_logger.addHandler(streamHandler)

log = logging.getLogger(__name__)
log.setLevel(logging.INFO)
util_log = logging.getLogger('util.util')
dsets_log = logging.getLogger('p2ch12.dsets')
START = datetime.datetime(2020, 12, 28, 16, 2, 11)
clock = [0.0]


def now():
    return START + datetime.timedelta(seconds=clock[0])


def enumerateWithEstimate(iter_len, desc_str, start_ndx=0, print_ndx=4, backoff=None):
    if backoff is None:
        backoff = 2
        while backoff ** 7 < iter_len:
            backoff *= 2
    assert backoff >= 2
    while print_ndx < start_ndx * backoff:
        print_ndx *= backoff
    util_log.warning("{} ----/{}, starting".format(
        desc_str,
        iter_len,
    ))
    start_ts = clock[0]
    per_batch = 0.33 + rnd.random() * 0.02
    for current_ndx in range(iter_len):
        yield current_ndx
        clock[0] += per_batch
        if current_ndx == print_ndx:
            duration_sec = ((clock[0] - start_ts)
                            / (current_ndx - start_ndx + 1)
                            * (iter_len-start_ndx)
                            )
            done_dt = START + datetime.timedelta(seconds=start_ts + duration_sec)
            done_td = datetime.timedelta(seconds=duration_sec)
            util_log.info("{} {:-4}/{}, done at {}, {}".format(
                desc_str,
                current_ndx,
                iter_len,
                str(done_dt).rsplit('.', 1)[0],
                str(done_td).rsplit('.', 1)[0],
            ))
            print_ndx *= backoff
        if current_ndx + 1 == start_ndx:
            start_ts = clock[0]
    util_log.warning("{} ----/{}, done at {}".format(
        desc_str,
        iter_len,
        str(now()).rsplit('.', 1)[0],
    ))


class LunaDataset:
    def __init__(self, isValSet_bool, n_neg, n_pos, ratio_int):
        self.ratio_int = ratio_int
        dsets_log.info("{!r}: {} {} samples, {} neg, {} pos, {} ratio".format(
            self,
            n_neg + n_pos,
            "validation" if isValSet_bool else "training",
            n_neg,
            n_pos,
            '{}:1'.format(self.ratio_int) if self.ratio_int else 'unbalanced'
        ))

    def __repr__(self):
        return "<p2ch12.dsets.LunaDataset object at 0x7f3a5c2e1d90>"


def logMetrics(epoch_ndx, mode_str, counts, quality):
    log.info("E{} {}".format(
        epoch_ndx,
        "LunaTrainingApp",
    ))
    neg_count, pos_count = counts
    neg_correct = int(neg_count * quality[0])
    pos_correct = int(pos_count * quality[1])
    metrics_dict = {}
    metrics_dict['loss/neg'] = 0.02 + (1 - quality[0]) * 2 + rnd.random() * 0.01
    metrics_dict['loss/pos'] = 0.02 + (1 - quality[1]) * 2 + rnd.random() * 0.01
    metrics_dict['loss/all'] = ((metrics_dict['loss/neg'] * neg_count
                                 + metrics_dict['loss/pos'] * pos_count) / (neg_count + pos_count))
    metrics_dict['correct/all'] = (pos_correct + neg_correct) / (neg_count + pos_count) * 100
    metrics_dict['correct/neg'] = (neg_correct) / neg_count * 100
    metrics_dict['correct/pos'] = (pos_correct) / pos_count * 100
    truePos_count, falsePos_count = pos_correct, neg_count - neg_correct
    falseNeg_count = pos_count - pos_correct
    precision = metrics_dict['pr/precision'] = truePos_count / (truePos_count + falsePos_count)
    recall = metrics_dict['pr/recall'] = truePos_count / (truePos_count + falseNeg_count)
    metrics_dict['pr/f1_score'] = 2 * (precision * recall) / (precision + recall)

    log.info(
        ("E{} {:8} {loss/all:.4f} loss, "
             + "{correct/all:-5.1f}% correct, "
             + "{pr/precision:.4f} precision, "
             + "{pr/recall:.4f} recall, "
             + "{pr/f1_score:.4f} f1 score"
        ).format(
            epoch_ndx,
            mode_str,
            **metrics_dict,
        )
    )
    m, phase = mode_str, {"trn": "train", "val": "val"}[mode_str]
    case.want(epoch_ndx, {
        f"{m}/loss|{phase}/loss|{m}_loss": printed(metrics_dict['loss/all'], ".4f"),
        f"{m}/correct|{phase}/correct|{m}/%_correct|{m}/accuracy|{m}/acc":
            printed(metrics_dict['correct/all'], "-5.1f"),
        f"{m}/precision|{phase}/precision|{m}_precision": printed(precision, ".4f"),
        f"{m}/recall|{phase}/recall|{m}_recall": printed(recall, ".4f"),
        f"{m}/f1_score|{phase}/f1_score|{m}/f1|{m}_f1_score": printed(
            metrics_dict['pr/f1_score'], ".4f")})
    log.info(
        ("E{} {:8} {loss/neg:.4f} loss, "
             + "{correct/neg:-5.1f}% correct ({neg_correct:} of {neg_count:})"
        ).format(
            epoch_ndx,
            mode_str + '_neg',
            neg_correct=neg_correct,
            neg_count=neg_count,
            **metrics_dict,
        )
    )
    want_part(epoch_ndx, m, phase, "neg", metrics_dict, neg_correct, neg_count)
    log.info(
        ("E{} {:8} {loss/pos:.4f} loss, "
             + "{correct/pos:-5.1f}% correct ({pos_correct:} of {pos_count:})"
        ).format(
            epoch_ndx,
            mode_str + '_pos',
            pos_correct=pos_correct,
            pos_count=pos_count,
            **metrics_dict,
        )
    )
    want_part(epoch_ndx, m, phase, "pos", metrics_dict, pos_correct, pos_count)


def want_part(epoch_ndx, m, phase, part, metrics_dict, correct, count):
    names = [f"{m}_{part}/{{}}", f"{m}/{part}/{{}}", f"{m}/{part}_{{}}", f"{m}/{{}}/{part}",
             f"{m}/{{}}_{part}", f"{phase}_{part}/{{}}", f"{phase}/{part}/{{}}"]
    label = {k: "|".join(n.format(k) for n in names) for k in ("loss", "correct")}
    case.want(epoch_ndx, {label["loss"]: printed(metrics_dict['loss/' + part], ".4f"),
                          label["correct"]: printed(metrics_dict['correct/' + part], "-5.1f")})
    case.may(epoch_ndx, {label["correct"]: correct / count})  # the `(a of b)` as a fraction


cli_args = argparse.Namespace(batch_size=32, num_workers=8, epochs=2, balanced=True,
                              augmented=False, augment_flip=False, augment_offset=False,
                              augment_scale=False, augment_rotate=False, augment_noise=False,
                              tb_prefix='p2ch12', comment='balanced')
log.info("Using CUDA; {} devices.".format(1))
log.info("Starting {}, {}".format("LunaTrainingApp", cli_args))
LunaDataset(False, 494743, 1215, 1)
LunaDataset(True, 54703, 134, None)
n_train, n_val = 200000 // 32, (54703 + 134) // 32 + 1
for epoch_ndx in range(1, cli_args.epochs + 1):
    log.info("Epoch {} of {}, {}/{} batches of size {}*{}".format(
        epoch_ndx,
        cli_args.epochs,
        n_train,
        n_val,
        cli_args.batch_size,
        1,
    ))
    for _ in enumerateWithEstimate(n_train, "E{} Training".format(epoch_ndx), start_ndx=8):
        pass
    q = 0.95 + 0.02 * epoch_ndx
    logMetrics(epoch_ndx, 'trn', (100000, 100000), (q + rnd.random() * 0.01, q + 0.005))
    for _ in enumerateWithEstimate(n_val, "E{} Validation ".format(epoch_ndx), start_ndx=8):
        pass
    logMetrics(epoch_ndx, 'val', (54703, 134), (min(0.997, q + 0.01), q - 0.1 + rnd.random() * 0.02))
