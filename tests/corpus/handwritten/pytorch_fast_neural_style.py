"""pytorch/examples fast_neural_style/neural_style/neural_style.py (train): every log_interval
batches `Mon Dec  7 05:40:00 2026\tEpoch 1:\t[16000/82783]\tcontent: 123456.123456\tstyle:
…\ttotal: …` (a date first, running means), then where the model was saved."""
import random
import time

from _case import Case, printed

case = Case("pytorch/examples", "fast_neural_style/neural_style/neural_style.py", "77f55b912142e11fcfdf5b530231fb9c52f181e8",
            either=["epoch"])
rnd = random.Random(23)
print(f"Using device: {'cuda'}")
n_train, batch_size, log_interval, epochs = 82783, 4, 500, 2  # COCO 2014 train
agg_content_loss = agg_style_loss = 0.
for e in range(epochs):
    agg_content_loss, agg_style_loss, count = 0., 0., 0
    for batch_id in range(n_train // batch_size + 1):
        n_batch = min(batch_size, n_train - count)
        count += n_batch
        agg_content_loss += 3e5 / (1 + batch_id / 1000) * (0.9 + rnd.random() * 0.2)
        agg_style_loss += 5e5 / (1 + batch_id / 500) * (0.9 + rnd.random() * 0.2)
        if (batch_id + 1) % log_interval == 0:
            mesg = "{}\tEpoch {}:\t[{}/{}]\tcontent: {:.6f}\tstyle: {:.6f}\ttotal: {:.6f}".format(
                time.ctime(), e + 1, count, n_train,
                              agg_content_loss / (batch_id + 1),
                              agg_style_loss / (batch_id + 1),
                              (agg_content_loss + agg_style_loss) / (batch_id + 1)
            )
            print(mesg)
            case.want(e + 1, {
                "content|content_loss": printed(agg_content_loss / (batch_id + 1), ".6f"),
                "style|style_loss": printed(agg_style_loss / (batch_id + 1), ".6f"),
                "total|total_loss": printed((agg_content_loss + agg_style_loss) / (batch_id + 1), ".6f")})
print("\nDone, trained model saved at", "models/epoch_2_Mon_Dec__7_05:40:00_2026_100000.0_10000000000.0.model")
