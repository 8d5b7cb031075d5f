"""A stand-in training script with no dependencies: it knows nothing of runwrap.

    runwrap --project demo python train.py

prints metrics the way scripts do (runwrap parses them from the console), appends them to a
JSON Lines file (pass --metrics-file metrics.jsonl to import it), and shows a progress line.
"""
import argparse
import json
import math
import random
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--depth", type=int, default=2)  # a stand-in: deeper learns a little faster
parser.add_argument("--batch_size", type=int, default=32)  # a stand-in: accepted, not used
args = parser.parse_args()

random.seed(0)
loss = 2.0
with open("metrics.jsonl", "w") as metrics:
    for epoch in range(1, args.epochs + 1):
        for step in range(args.steps):
            loss *= 1 - args.lr * random.uniform(0.05, 0.15) * (1 + args.depth / 10)
            sys.stdout.write(f"\repoch {epoch} [{'#' * (step * 20 // args.steps):<20}] "
                             f"loss {loss:.4f}")
            sys.stdout.flush()
            time.sleep(0.01)
        acc = 1 - math.exp(-epoch / 2)
        print(f"\repoch {epoch} loss: {loss:.4f} acc={acc:.4f}" + " " * 20)
        metrics.write(json.dumps({"step": epoch, "val_loss": loss * 1.1, "val_acc": acc}) + "\n")
        metrics.flush()
print("done")
