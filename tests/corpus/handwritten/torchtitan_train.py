"""pytorch/torchtitan torchtitan/components/metrics.py (MetricsProcessor.log) with
torchtitan's logger (`[titan] 2026-12-07 05:40:00,123 - root - INFO - …` on stdout): every log
frequency `step:  1  loss: 12.2345  grad_norm:  4.5678  memory: 20.51GiB(25.80%)  tps: 1,234
tflops: 12.34  mfu: 4.50%`, each field in its own ANSI colour (torchtitan's Color)."""
import logging
import random
import sys

from _case import Case, printed

case = Case("pytorch/torchtitan", "torchtitan/components/metrics.py",
            "c594d8ac89f0b850a8fc1443796916dfa6ab06b1",
            either=["step", "memory", "tps", "tflops", "mfu"])


class Color:
    black = "\033[30m"
    red = "\033[31m"
    green = "\033[32m"
    yellow = "\033[33m"
    blue = "\033[34m"
    magenta = "\033[35m"
    cyan = "\033[36m"
    white = "\033[37m"
    reset = "\033[39m"
    orange = "\033[38;2;180;60;0m"
    turquoise = "\033[38;2;54;234;195m"


logger = logging.getLogger()
logger.setLevel(logging.INFO)
ch = logging.StreamHandler(sys.stdout)
ch.setLevel(logging.INFO)
ch.setFormatter(logging.Formatter("[titan] %(asctime)s - %(name)s - %(levelname)s - %(message)s"))
logger.addHandler(ch)
rnd = random.Random(39)
color = Color
for step in range(1, 201):
    if step == 1 or step % 10 == 0:  # --metrics.log_freq 10
        global_avg_loss = 12.0 / (1 + step / 40) + 2.0 + rnd.random() * 0.05
        grad_norm = 4.0 / (1 + step / 50) + rnd.random() * 0.1
        max_reserved_gib, max_reserved_pct = 20.51, 25.80
        tps, tflops, mfu = 1234.4 + rnd.random(), 12.34, 4.5
        logger.info(
            f"{color.red}step: {step:2}  "
            f"{color.green}loss: {global_avg_loss:7.4f}  "
            f"{color.orange}grad_norm: {grad_norm:7.4f}  "
            f"{color.turquoise}memory: {max_reserved_gib:5.2f}GiB"
            f"({max_reserved_pct:.2f}%)  "
            f"{color.blue}tps: {round(tps):,}  "
            f"{color.cyan}tflops: {tflops:,.2f}  "
            f"{color.magenta}mfu: {mfu:.2f}%{color.reset}"
        )
        case.want(step, {"loss|train/loss": printed(global_avg_loss, "7.4f"),
                         "grad_norm": printed(grad_norm, "7.4f")})
logger.info("Training completed")
