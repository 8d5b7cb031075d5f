import logging
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm
from _expect import save
logging.basicConfig(level=logging.INFO, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
log = logging.getLogger("train")
recs = []
with logging_redirect_tqdm():
    for epoch in range(2):
        for step in tqdm(range(epoch * 20, epoch * 20 + 20), desc=f"epoch {epoch}", mininterval=0):
            loss = round(1 / (1 + step), 4)
            if step % 5 == 4:
                log.info("step %d loss=%.4f lr=%.1e", step, loss, 1e-3)
                recs.append((step, {"step": step, "loss": loss, "lr": 1e-3}))
        for v in tqdm(range(5), desc="validate", leave=False, mininterval=0):
            pass
        log.info("epoch %d val_loss=%.4f", epoch, 0.5 - epoch / 10)
        recs.append((epoch, {"epoch": epoch, "val_loss": 0.5 - epoch / 10}))
save(recs)
