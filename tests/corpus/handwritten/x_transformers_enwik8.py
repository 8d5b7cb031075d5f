"""lucidrains/x-transformers train_enwik8.py: a real tqdm bar (`training`, mininterval 10 s)
over the batches, `training loss: 1.2345678806304932` every batch and `validation loss: …`
every 100 (loss.item() of a float32, every digit, no step on the line), and every 500
batches a 1,024-character prime of enwik8 (control characters made blanks, so one long line
of Wikipedia XML and markup with dates, ids and infobox numbers), a blank line, 100 stars,
and the model's 1,024-character continuation."""
import random

import numpy as np
import tqdm

from _case import Case

case = Case("lucidrains/x-transformers", "train_enwik8.py",
            "9252ed7838021ee61e6c5be0930b3a9a88efdf06", either=[])
rnd = random.Random(73)

# enwik8-like text: the Wikipedia XML dump's page markup and articles' wiki text.
FRAGMENTS = [
    "<page> <title>{w}</title> <id>{n}</id> <revision> <id>{n7}</id> "
    "<timestamp>200{d}-0{d}-1{d}T0{d}:4{d}:2{d}Z</timestamp> <contributor> <username>{w}</username> "
    "<id>{n}</id> </contributor> <comment>/* History */ rv</comment> <text xml:space=\"preserve\">",
    "{{{{Infobox City | name = {w} | population_total = {n} | area_total_km2 = {f} | "
    "elevation_m = {n3} | timezone = UTC+{d} | latd = {d}{d} | longd = {d} }}}}",
    "'''{w}''' is a [[city]] in [[{w}]] with a population of {n} at the [[{y}]] census. ",
    "In [[{y}]], the {w} reported revenue of US$ {f} million, up {d}.{d}% from [[{y}]]. ",
    "== History == The first {w} was founded in {y} by [[{w} {w}]] (born {y}, died {y}). ",
    "[[Image:{w}.jpg|thumb|250px|{w} in {y}]] ",
    "* [[{w}]] ({y}&amp;ndash;{y}) score: {n3}, rank {d} ",
    "&lt;ref&gt;{{{{cite web|url=http://www.{w}.org/{n}.html|title={w}|accessdate={y}-0{d}-1{d}}}}}&lt;/ref&gt; ",
    "[[Category:{w} {w}]] [[de:{w}]] [[fr:{w}]] ",
]
WORDS = ["Anarchism", "Aristotle", "Albedo", "Alabama", "Achilles", "Apollo", "Algeria",
         "Austin", "Andorra", "Ammonia", "Autism", "Abacus", "Adobe", "Azerbaijan"]


def text(length: int) -> str:
    out = ""
    while len(out) < length:
        out += rnd.choice(FRAGMENTS).format(
            w=rnd.choice(WORDS), n=rnd.randrange(1000, 999999), n7=rnd.randrange(10**7, 10**8),
            n3=rnd.randrange(1, 999), f=round(rnd.uniform(1, 900), 1), y=rnd.randrange(1700, 2006),
            d=rnd.randrange(10))
    return out[:length]


num_batches, validate_every, generate_every, seq_len = 1001, 100, 500, 1024
for i in tqdm.tqdm(range(num_batches), mininterval=10., desc='training'):
    loss = float(np.float32(4.5 / (1 + i / 50) + 1.1 + rnd.random() * 0.05))
    print(f'training loss: {loss}')
    case.want(None, {"training_loss|train/loss|loss": loss})

    if i % validate_every == 0:
        loss = float(np.float32(4.5 / (1 + i / 50) + 1.15 + rnd.random() * 0.05))
        print(f'validation loss: {loss}')
        case.want(None, {"validation_loss|validation/loss|val/loss|valid/loss": loss})

    if i % generate_every == 0:
        prime = text(seq_len)
        print(f'%s \n\n %s' % (prime, '*' * 100))
        output_str = text(seq_len)
        print(output_str)
