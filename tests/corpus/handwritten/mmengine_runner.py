"""open-mmlab/mmengine mmengine/runner/log_processor.py and mmengine/logging/logger.py, as the
README's ResNet-50 on CIFAR-10 example logs through them (5 epochs, validation every epoch):
`12/07 05:40:00 - mmengine - INFO - Epoch(train)  [1][  10/1563]  lr: 1.0000e-03  eta: …
time: 0.0178  data_time: 0.0045  memory: 123  loss: 2.3061`, validation iterations, and
`Epoch(val) [1][313/313]    accuracy: 34.5600  data_time: 0.0031  time: 0.0101`."""
import datetime
import logging
import random
import sys

from _case import Case, printed

case = Case("open-mmlab/mmengine", "mmengine/runner/log_processor.py",
            "254342938d9bde1775c39ea7d5181c5d294026c4",
            either=["epoch", "lr", "eta", "time", "data_time", "memory"])
# MMFormatter(color=True, datefmt='%m/%d %H:%M:%S') on stdout; termcolor colours the level
# name on a terminal only.
info = "\x1b[4m\x1b[37mINFO\x1b[0m" if sys.stdout.isatty() else "INFO"
handler = logging.StreamHandler(stream=sys.stdout)
handler.setFormatter(logging.Formatter(f'%(asctime)s - %(name)s - {info} - %(message)s',
                                       datefmt='%m/%d %H:%M:%S'))
logger = logging.getLogger("mmengine")
logger.addHandler(handler)
logger.setLevel(logging.INFO)
logger.propagate = False
rnd = random.Random(18)
num_digits, max_epochs, train_len, val_len, interval = 4, 5, 1563, 313, 10
logger.info("Checkpoints will be saved to /home/user/work_dir.")
for epoch in range(1, max_epochs + 1):
    for it in range(1, train_len + 1):
        if it % interval:
            continue
        lr, loss = 1e-3, 2.3 / (1 + epoch - 1 + it / train_len) + rnd.random() * 0.1
        t, dt, memory = 0.0178 + rnd.random() * 0.001, 0.0045, 123
        eta = (max_epochs * train_len - (epoch - 1) * train_len - it) * t
        cur_iter_str = str(it).rjust(len(str(train_len)))
        cur_epoch_str = f'[{epoch}]'.rjust(len(str(max_epochs)) + 3, ' ')
        log_str = (f'Epoch({"train"}){cur_epoch_str}'
                   f'[{cur_iter_str}/{train_len}]  ')
        log_str += f'{"lr"}: {lr:.{num_digits}e}' + '  '
        log_str += f'eta: {str(datetime.timedelta(seconds=int(eta)))}  '
        log_str += (f'time: {t:.{num_digits}f}  '
                    f'data_time: '
                    f'{dt:.{num_digits}f}  ')
        log_str += f'memory: {memory}  '
        log_str += '  '.join([f'{"loss"}: {loss:.{num_digits}f}'])
        logger.info(log_str)
        case.want(epoch, {"loss|train/loss": printed(loss, f".{num_digits}f")})
    logger.info(f"Saving checkpoint at {epoch} epochs")
    for it in range(1, val_len + 1):
        if it % interval:
            continue
        t = 0.0101 + rnd.random() * 0.001
        eta = (val_len - it) * t
        cur_iter_str = str(it).rjust(len(str(val_len)))
        cur_epoch_str = f'[{epoch}]'.rjust(len(str(max_epochs)) + 3, ' ')
        log_str = f'Epoch({"val"}){cur_epoch_str}[{cur_iter_str}/{val_len}]  ' + '  '
        log_str += f'eta: {str(datetime.timedelta(seconds=int(eta)))}  '
        log_str += f'time: {t:.{num_digits}f}  data_time: {0.0031:.{num_digits}f}  '
        log_str += f'memory: {45}  '
        logger.info(log_str)
    accuracy = 30 + 8 * epoch + rnd.random() * 2
    log_str = f'Epoch({"val"}) [{epoch}][{val_len}/{val_len}]  ' + '  '
    log_str += '  '.join([f'accuracy: {accuracy:.{num_digits}f}',
                          f'data_time: {0.0031:.{num_digits}f}',
                          f'time: {0.0101:.{num_digits}f}'])
    logger.info(log_str)
    case.want(epoch, {"val/accuracy": printed(accuracy, f".{num_digits}f")})
