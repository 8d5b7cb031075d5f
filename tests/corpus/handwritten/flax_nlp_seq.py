"""google/flax examples/nlp_seq/train.py (part-of-speech tagging, `--num_train_steps 2000`)
through absl logging (app.run): every 100 steps `train in step: 99, loss: 0.1234`, `eval in
step: 99, loss: 0.2345, accuracy: 0.9123` and `best development model score 0.9123` (the
phase is the line's first word, the step comes after `in step:`)."""
import random

from absl import app, logging

from _case import Case, printed

case = Case("google/flax", "examples/nlp_seq/train.py", "18f8f311c275d57f46d95e41b15aa97b454754c0",
            either=["step"])


def main(argv):
  rnd = random.Random(84)
  num_train_steps, eval_freq = 2000, 100
  best_dev_score = 0
  for step in range(num_train_steps):
    if (step + 1) % eval_freq == 0:
      loss = 2.0 / (1 + step / 200) + 0.1 + rnd.random() * 0.02
      logging.info('train in step: %d, loss: %.4f', step, loss)
      case.want(step, {"train/loss|train_loss|loss": printed(loss, ".4f")})
      eval_summary = {"loss": 2.0 / (1 + step / 200) + 0.15 + rnd.random() * 0.02,
                      "accuracy": min(0.97, 0.5 + 0.45 * step / num_train_steps + rnd.random() * 0.01)}
      logging.info(
          'eval in step: %d, loss: %.4f, accuracy: %.4f',
          step,
          eval_summary['loss'],
          eval_summary['accuracy'],
      )
      case.want(step, {"eval/loss|eval_loss": printed(eval_summary['loss'], ".4f"),
                       "eval/accuracy|eval_accuracy": printed(eval_summary['accuracy'], ".4f")})

      if best_dev_score < eval_summary['accuracy']:
        best_dev_score = eval_summary['accuracy']
      logging.info('best development model score %.4f', best_dev_score)
      case.want(None, {"best_development_model_score|best_dev_score|best/score|best_score":
                       printed(best_dev_score, ".4f")})


if __name__ == '__main__':
  app.run(main)
