"""openai/spinningup spinup/algos/pytorch/ppo/ppo.py with spinup/utils/logx.py: the config
saved as JSON (colourised header), the parameter counts, then per epoch a box of
`|    AverageEpRet |        12.3 |` rows (values `%8.3g`), the first row `Epoch`."""
import json
import random

from _case import Case, printed

case = Case("openai/spinningup", "spinup/algos/pytorch/ppo/ppo.py",
            "038665d62d569055401d91856abb287263096178",
            either=["epoch", "totalenvinteracts", "time"])
color2num = dict(gray=30, red=31, green=32, yellow=33, blue=34, magenta=35, cyan=36, white=37,
                 crimson=38)


def colorize(string, color, bold=False, highlight=False):
    attr = []
    num = color2num[color]
    if highlight: num += 10
    attr.append(str(num))
    if bold: attr.append('1')
    return '\x1b[%sm%s\x1b[0m' % (';'.join(attr), string)


def log(msg, color='green'):
    print(colorize(msg, color, bold=True))


output_dir = "/home/user/spinningup/data/ppo/ppo_s0"
print(colorize("Logging data to %s" % (output_dir + "/progress.txt"), 'green', bold=True))
steps_per_epoch, epochs = 4000, 5
config_json = {"ac_kwargs": {"hidden_sizes": [64, 64]},
               "actor_critic": "MLPActorCritic", "clip_ratio": 0.2,
               "env_fn": "<function <lambda> at 0x7f3a2c1e0d30>", "epochs": epochs,
               "exp_name": "ppo", "gamma": 0.99, "lam": 0.97,
               "logger_kwargs": {"exp_name": "ppo", "output_dir": output_dir},
               "max_ep_len": 1000, "pi_lr": 0.0003, "save_freq": 10, "seed": 0,
               "steps_per_epoch": steps_per_epoch, "target_kl": 0.01, "train_pi_iters": 80,
               "train_v_iters": 80, "vf_lr": 0.001}
output = json.dumps(config_json, separators=(',', ':\t'), indent=4, sort_keys=True)
print(colorize('Saving config:\n', color='cyan', bold=True))
print(output)
var_counts = (4610, 4545)
log('\nNumber of parameters: \t pi: %d, \t v: %d\n' % var_counts)

rnd = random.Random(11)
for epoch in range(epochs):
    for i in range(80):
        if rnd.random() < 0.02:
            log('Early stopping at step %d due to reaching max kl.' % i)
            break
    rets = [rnd.gauss(20 + 10 * epoch, 5) for _ in range(100)]
    mean = sum(rets) / len(rets)
    std = (sum((r - mean) ** 2 for r in rets) / len(rets)) ** 0.5
    row = {"Epoch": epoch, "AverageEpRet": mean, "StdEpRet": std, "MaxEpRet": max(rets),
           "MinEpRet": min(rets), "EpLen": mean, "AverageVVals": mean * 0.8,
           "StdVVals": std * 0.5, "MaxVVals": max(rets) * 0.8, "MinVVals": min(rets) * 0.8,
           "TotalEnvInteracts": (epoch + 1) * steps_per_epoch,
           "LossPi": -0.01 * rnd.random(), "LossV": 100.0 / (1 + epoch),
           "DeltaLossPi": -0.005 * rnd.random(), "DeltaLossV": -rnd.random() * 10,
           "Entropy": 0.69 - 0.02 * epoch, "KL": 0.005 * rnd.random(),
           "ClipFrac": 0.05 * rnd.random(), "StopIter": 79, "Time": 3.5 * (epoch + 1)}
    # Logger.dump_tabular
    vals = []
    key_lens = [len(key) for key in row]
    max_key_len = max(15, max(key_lens))
    keystr = '%' + '%d' % max_key_len
    fmt = "| " + keystr + "s | %15s |"
    n_slashes = 22 + max_key_len
    print("-"*n_slashes)
    for key in row:
        val = row.get(key, "")
        valstr = "%8.3g" % val if hasattr(val, "__float__") else val
        print(fmt % (key, valstr))
        vals.append(val)
    print("-"*n_slashes, flush=True)
    case.want(epoch, {k: printed(v, "8.3g") for k, v in row.items()
                      if k not in ("Epoch", "TotalEnvInteracts", "Time")})
