import json, os, random, subprocess, sys, tempfile
import spacy
from spacy.tokens import DocBin
from _expect import save
tmp = tempfile.mkdtemp()
nlp = spacy.blank("en")
rnd = random.Random(0)
words = ["good", "bad", "great", "awful", "fine", "poor", "nice", "sad"]
def docs(n):
    db = DocBin()
    for _ in range(n):
        text = " ".join(rnd.choice(words) for _ in range(5))
        d = nlp.make_doc(text)
        pos = sum(w in ("good", "great", "fine", "nice") for w in text.split()) >= 3
        d.cats = {"POS": float(pos), "NEG": float(not pos)}
        db.add(d)
    return db
docs(32).to_disk(os.path.join(tmp, "train.spacy"))
docs(16).to_disk(os.path.join(tmp, "dev.spacy"))
subprocess.run([sys.executable, "-m", "spacy", "init", "config", "-l", "en", "-p", "textcat",
                os.path.join(tmp, "config.cfg")], check=True, capture_output=True)
log = os.path.join(tmp, "log.jsonl")
# The console table and, from the same logger, a JSON line per row: spaCy's own record.
subprocess.run([sys.executable, "-m", "spacy", "train", os.path.join(tmp, "config.cfg"),
                "--paths.train", os.path.join(tmp, "train.spacy"),
                "--paths.dev", os.path.join(tmp, "dev.spacy"),
                "--training.max_steps", "30", "--training.eval_frequency", "10",
                "--training.logger", '{"@loggers": "spacy.ConsoleLogger.v3", "output_file": "%s"}' % log,
                ], check=True)
recs = []
for line in open(log):
    r = json.loads(line)
    # The table prints SCORE with two decimals (0.625 -> 0.62).
    values = {"E": r["epoch"], "SCORE": float(f"{r['score']:.2f}")}
    values.update({f"loss_{k}": v for k, v in r["losses"].items()})  # `LOSS TEXTCAT`
    values.update({k.upper(): v for k, v in r["scores"].items()})  # `CATS_SCORE`
    recs.append((r["step"], values))  # the `#` column is the step, and only that
save(recs)
