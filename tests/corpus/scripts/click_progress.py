import time
import click
from _expect import save
recs = []
with click.progressbar(range(20), label="epoch 0") as bar:
    for i in bar:
        time.sleep(0.005)
loss = 0.25
click.secho(f"epoch 0 finished: loss={loss} accuracy=0.9100", fg="green")
recs.append((0, {"epoch": 0, "loss": loss, "accuracy": 0.91}))
save(recs)
