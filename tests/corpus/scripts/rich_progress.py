import time
from rich.console import Console
from rich.progress import Progress
from _expect import save
console = Console()
recs = []
with Progress(console=console, transient=True) as p:
    task = p.add_task("train", total=30)
    for step in range(30):
        p.advance(task)
        if step % 10 == 9:
            loss = round(2 / (step + 1), 4)
            p.console.print(f"step {step} loss={loss} acc={step / 30:.4f}")
            recs.append((step, {"step": step, "loss": loss, "acc": round(step / 30, 4)}))
        time.sleep(0.01)
console.print(f"[bold]done[/bold] best_loss={min(r[1]['loss'] for r in recs)}")
recs.append((None, {"best_loss": min(r[1]["loss"] for r in recs)}))
save(recs)
