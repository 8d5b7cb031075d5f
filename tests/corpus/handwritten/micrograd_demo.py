"""karpathy/micrograd demo.ipynb, run as a script: the model's repr, `number of parameters
337`, the first loss as a Value repr, then `step 0 loss 0.8958441028683222, accuracy 50.0%`
per step (a full float, then the accuracy in percent)."""
import random

from _case import Case

case = Case("karpathy/micrograd", "demo.ipynb", "c911406e5ace8742e5841a7e0df113ecb5d54685",
            either=["step"])
rnd = random.Random(51)
print("MLP of [Layer of [" + ", ".join(["ReLUNeuron(2)"] * 16) + "], Layer of ["
      + ", ".join(["ReLUNeuron(16)"] * 16) + "], Layer of [LinearNeuron(16)]]")
print("number of parameters", 337)
print(f"Value(data={0.8958441028683222}, grad=0)", 0.5)
for k in range(100):
    total_loss = 0.9 / (1 + k / 10) + rnd.random() * 0.01
    acc = min(1.0, 0.5 + k / 100 + round(rnd.random() * 0.05, 2))
    if k % 1 == 0:
        print(f"step {k} loss {total_loss}, accuracy {acc*100}%")
        case.want(k, {"loss|train/loss": total_loss, "accuracy|train/accuracy": acc * 100})
