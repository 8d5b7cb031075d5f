"""karpathy/minGPT projects/adder/adder.py: the config tree echo (`batch_size: 64` is no
metric), `iter_dt …ms; iter N: train loss X` every 10 iterations, and every 500 iterations
`train final score: a/b = p% correct` and the same for test."""
import random

from _case import Case, printed

case = Case("karpathy/minGPT", "projects/adder/adder.py",
            "37baab71b9abea1b76ab957409a1cc2fbfba8a26",
            either=["iter", "iter_dt", "top_score"])


class Tensor:
    """What a 0-d float tensor prints as (`tensor(9500.)`)."""
    def __init__(self, value):
        self.value = value

    def __str__(self):
        return f"tensor({self.value:.0f}.)"


# get_config() with its defaults (mingpt.utils.CfgNode prints "%s: %s\n" per key, nested
# nodes indented by four blanks).
config = {
    "system": {"seed": 3407, "work_dir": "./out/adder"},
    "data": {"ndigit": 2},
    "model": {"model_type": "gpt-nano", "n_layer": None, "n_head": None, "n_embd": None,
              "vocab_size": None, "block_size": None, "embd_pdrop": 0.1, "resid_pdrop": 0.1,
              "attn_pdrop": 0.1},
    "trainer": {"device": "auto", "num_workers": 4, "max_iters": None, "batch_size": 64,
                "learning_rate": 5e-4, "betas": (0.9, 0.95), "weight_decay": 0.1,
                "grad_norm_clip": 1.0},
}
parts = []
for k, v in config.items():
    parts.append("%s:\n" % k)
    parts.extend(' ' * 4 + "%s: %s\n" % (k2, v2) for k2, v2 in v.items())
print("".join(parts))
n_params = 3 * 12 * 48 * 48 + 3 * 13 * 48 + 10 * 48 + 6 * 48 + 2 * 48  # gpt-nano, 10 digits
print("number of parameters: %.2fM" % (n_params/1e6,))
print("running on device", "cuda")

rnd = random.Random(6)
n_train, n_test = 10000 - 500, 500
top_score = 0


def eval_split(split, iter_num):
    n = {"train": n_train, "test": n_test}[split]
    wrong = int(n * 0.5 / (1 + iter_num / 200))
    for i in range(min(wrong, 5)):
        a, b = rnd.randrange(100), rnd.randrange(100)
        print("GPT claims that %d + %d = %d but gt is %d" % (a, b, a + b + 1, a + b))
    correct = n - wrong
    print("%s final score: %d/%d = %.2f%% correct" % (split, correct, n, 100*correct/n))
    case.want(None, {f"{split}/final_score|{split}/score": correct / n})
    return correct


for iter_num in range(0, 1501):
    loss = 2.3 / (1 + iter_num / 100) + rnd.random() * 0.01
    iter_dt = 0.01 + rnd.random() * 0.002
    if iter_num % 10 == 0:
        print(f"iter_dt {iter_dt * 1000:.2f}ms; iter {iter_num}: train loss {loss:.5f}")
        case.want(iter_num, {"train/loss|loss": printed(loss, ".5f")})
    if iter_num % 500 == 0:
        score = eval_split("train", iter_num) + eval_split("test", iter_num)
        if score > top_score:
            top_score = score
            print(f"saving model with new top score of {Tensor(score)}")
