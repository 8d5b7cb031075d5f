"""openai/improved-diffusion scripts/image_train.py (`--learn_sigma True`) through
improved_diffusion/logger.py's HumanOutputFormat: `Logging to …`, then every log_interval
steps a box of `| key | value |` rows sorted by key (values `%-8.3g`): grad_norm, loss and
its quartiles loss_q0…q3, mse…, samples, step, vb…; the step is a row of the box."""
import random

from _case import Case, printed

case = Case("openai/improved-diffusion", "improved_diffusion/logger.py",
            "1bc7bbbdc414d83d4abf2ad8cc1446dc36c4e4d5", either=["step", "samples"])
rnd = random.Random(44)


def _truncate(s):
    maxlen = 30
    return s[: maxlen - 3] + "..." if len(s) > maxlen else s


def writekvs(kvs):
    key2str = {}
    for (key, val) in sorted(kvs.items()):
        if hasattr(val, "__float__"):
            valstr = "%-8.3g" % val
        else:
            valstr = str(val)
        key2str[_truncate(key)] = _truncate(valstr)
    keywidth = max(map(len, key2str.keys()))
    valwidth = max(map(len, key2str.values()))
    dashes = "-" * (keywidth + valwidth + 7)
    lines = [dashes]
    for (key, val) in sorted(key2str.items(), key=lambda kv: kv[0].lower()):
        lines.append(
            "| %s%s | %s%s |"
            % (key, " " * (keywidth - len(key)), val, " " * (valwidth - len(val)))
        )
    lines.append(dashes)
    print("\n".join(lines))


print("Logging to /tmp/openai-2026-12-07-05-55-00-123456")
print("creating model and diffusion...")
print("creating data loader...")
print("training...")
global_batch = 128
for step in range(0, 201, 10):
    kvs = {"grad_norm": 0.5 / (1 + step / 50) + rnd.random() * 0.01}
    for key, base in (("mse", 0.05), ("vb", 0.01)):
        quartiles = [base * (4 - q) / (1 + step / 100) * (0.9 + rnd.random() * 0.2)
                     for q in range(4)]
        kvs[key] = sum(quartiles) / 4
        for q, v in enumerate(quartiles):
            kvs[f"{key}_q{q}"] = v
    kvs["loss"] = kvs["mse"] + kvs["vb"]
    for q in range(4):
        kvs[f"loss_q{q}"] = kvs[f"mse_q{q}"] + kvs[f"vb_q{q}"]
    kvs["step"] = step
    kvs["samples"] = (step + 1) * global_batch
    writekvs(kvs)
    case.want(step, {k: printed(v, "-8.3g") for k, v in kvs.items()
                     if k not in ("step", "samples")})
