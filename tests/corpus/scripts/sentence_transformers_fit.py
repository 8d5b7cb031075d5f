import os, tempfile, warnings
warnings.filterwarnings("ignore")
os.environ["TRANSFORMERS_VERBOSITY"] = "error"
import torch
from datasets import Dataset
from tokenizers import Tokenizer, models as tmodels, pre_tokenizers
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, losses
from sentence_transformers.training_args import SentenceTransformerTrainingArguments
from _expect import save

torch.manual_seed(0)
words = ["good", "bad", "great", "awful", "fine", "poor", "nice", "sad", "film", "food"]
vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words)}
tok = Tokenizer(tmodels.WordLevel(vocab, unk_token="[UNK]"))
tok.pre_tokenizer = pre_tokenizers.Whitespace()
folder = tempfile.mkdtemp()
PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]",
                        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]").save_pretrained(folder)
BertModel(BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                     num_attention_heads=2, intermediate_size=16,
                     max_position_embeddings=16)).save_pretrained(folder)
model = SentenceTransformer(folder, device="cpu")  # a tiny model made here: no download
pairs = [("good film", "great food", 1.0), ("bad film", "awful food", 1.0),
         ("good film", "bad food", 0.0), ("nice food", "sad film", 0.0)] * 4
data = Dataset.from_dict({"sentence1": [a for a, _, _ in pairs],
                          "sentence2": [b for _, b, _ in pairs],
                          "score": [s for _, _, s in pairs]})
args = SentenceTransformerTrainingArguments(output_dir=tempfile.mkdtemp(), num_train_epochs=2,
                                            per_device_train_batch_size=8, logging_steps=1,
                                            eval_strategy="epoch", report_to=[], save_strategy="no",
                                            use_cpu=True, learning_rate=5e-4)
trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=data,
                                     eval_dataset=data.select(range(8)),
                                     loss=losses.CosineSimilarityLoss(model))
trainer.train()
recs = []
for h in trainer.state.log_history:
    # As transformers' Trainer: no global step on the console; a whole epoch is the step.
    step = int(h["epoch"]) if float(h["epoch"]).is_integer() else None
    recs.append((step, {k: v for k, v in h.items() if k not in ("step", "total_flos")}))
save(recs)
