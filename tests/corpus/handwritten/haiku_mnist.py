"""google-deepmind/dm-haiku examples/mnist.py: every 100 steps, for each split, a printed dict
`{'step': 0, 'split': 'train', 'accuracy': '0.094'}` then `{… 'split': 'test', …}` — the
phase is a string value of the dict, the accuracy a quoted string."""
import random

from _case import Case

case = Case("google-deepmind/dm-haiku", "examples/mnist.py",
            "f4d858a5cbb29140855d68f81f5fd625e078a5ae", either=["step"])
rnd = random.Random(78)
for step in range(3001):
  if step % 100 == 0:
    for split in ("train", "test"):
      accuracy = min(0.999, 0.1 + 0.88 * (1 - 1 / (1 + step / 150)) + rnd.random() * 0.01)
      print({"step": step, "split": split, "accuracy": f"{accuracy:.3f}"})
      case.want(step, {f"{split}/accuracy|{split}_accuracy": float(f"{accuracy:.3f}")})
