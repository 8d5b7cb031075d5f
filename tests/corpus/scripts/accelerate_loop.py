import torch
from accelerate import Accelerator
from _expect import data, save
acc = Accelerator(cpu=True)
X, y, _ = data(64)
ds = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y).unsqueeze(1))
torch.manual_seed(0)
model = torch.nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.05)
model, opt, dl = acc.prepare(model, opt, torch.utils.data.DataLoader(ds, batch_size=16))
recs = []
for epoch in range(3):
    for xb, yb in dl:
        loss = torch.nn.functional.mse_loss(model(xb), yb)
        acc.backward(loss)
        opt.step(); opt.zero_grad()
    with torch.no_grad():
        err = torch.cat([acc.gather_for_metrics(model(xb) - yb) for xb, yb in dl])
    metric = {"mse": round(float((err ** 2).mean()), 4), "mae": round(float(err.abs().mean()), 4)}
    # accelerate's nlp_example prints the metric dict after the epoch this way.
    acc.print(f"epoch {epoch}:", metric)
    recs.append((epoch, dict(metric, epoch=epoch)))
save(recs)
