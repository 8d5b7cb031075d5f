import torch
from ignite.engine import Events, create_supervised_trainer, create_supervised_evaluator
from ignite.metrics import Loss, MeanAbsoluteError
from _expect import data, save
X, y, _ = data(64)
ds = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y).unsqueeze(1))
dl = torch.utils.data.DataLoader(ds, batch_size=16)
torch.manual_seed(0)
model = torch.nn.Linear(4, 1)
loss = torch.nn.MSELoss()
trainer = create_supervised_trainer(model, torch.optim.SGD(model.parameters(), lr=0.05), loss)
evaluator = create_supervised_evaluator(model, metrics={"mae": MeanAbsoluteError(), "loss": Loss(loss)})
recs = []

@trainer.on(Events.ITERATION_COMPLETED(every=2))
def log_training_loss(engine):
    print(f"Epoch[{engine.state.epoch}] Iteration[{engine.state.iteration}] Loss: {engine.state.output:.4f}")
    recs.append((engine.state.iteration, {"Iteration": engine.state.iteration, "Epoch": engine.state.epoch, "Loss": engine.state.output}))

@trainer.on(Events.EPOCH_COMPLETED)
def log_validation_results(engine):
    evaluator.run(dl)
    m = evaluator.state.metrics
    print(f"Validation Results - Epoch: {engine.state.epoch}  Avg mae: {m['mae']:.4f} Avg loss: {m['loss']:.4f}")
    recs.append((engine.state.epoch, {"Epoch": engine.state.epoch, "val/avg_mae": m["mae"], "val/avg_loss": m["loss"]}))

trainer.run(dl, max_epochs=2)
save(recs)
