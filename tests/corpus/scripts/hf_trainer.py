import os, tempfile, warnings
warnings.filterwarnings("ignore")
os.environ["TRANSFORMERS_VERBOSITY"] = "error"
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from _expect import save
torch.manual_seed(0)
cfg = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                 intermediate_size=16, max_position_embeddings=16, num_labels=2)
model = BertForSequenceClassification(cfg)
g = torch.Generator().manual_seed(0)
rows = [{"input_ids": torch.randint(0, 50, (8,), generator=g), "labels": int(i % 2)} for i in range(24)]
args = TrainingArguments(output_dir=tempfile.mkdtemp(), num_train_epochs=2, per_device_train_batch_size=8,
                         logging_steps=1, eval_strategy="epoch", report_to=[], save_strategy="no",
                         use_cpu=True, learning_rate=5e-4)
tr = Trainer(model=model, args=args, train_dataset=rows, eval_dataset=rows[:8])
tr.train()
recs = []
for h in tr.state.log_history:
    # The console shows no global step; a whole epoch (`'epoch': '1'`) is the line's step.
    # total_flos is in log_history, but the Trainer does not print it.
    step = int(h["epoch"]) if float(h["epoch"]).is_integer() else None
    recs.append((step, {k: v for k, v in h.items() if k not in ("step", "total_flos")}))
save(recs)
