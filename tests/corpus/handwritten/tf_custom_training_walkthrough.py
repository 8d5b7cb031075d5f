"""tensorflow/docs site/en/tutorials/customization/custom_training_walkthrough.ipynb, run as a
script (penguins): the library versions, a pandas table of five penguins and tfds's
`FeaturesDict({…})`, the test and train samples, a batch's features and labels as
`tf.Tensor(…, shape=(32, 4), dtype=float32)`, `Prediction: [0 0 …]` / `    Labels: [1 2 …]`,
`Loss test: 1.2345678`, `Step: 0, Initial Loss: 1.2345678` and `Step: 1,         Loss:
1.1234567`, every 50 epochs `Epoch 050: Loss: 0.523, Accuracy: 80.524%`, `Test set accuracy:
97.015%`, and three `Example 0 prediction: Adélie (97.3%)`. The printed library objects
(DataFrame, FeaturesDict, tf.Tensor) are rebuilt here in their printed form: pandas prints
the table for real, numpy the tensors' values."""
import random

import numpy as np
import pandas as pd

from _case import Case, printed

case = Case("tensorflow/docs", "site/en/tutorials/customization/custom_training_walkthrough.ipynb",
            "7c3650212740204359d4ceae481abc79345541be", either=["epoch", "step"])
rnd = random.Random(90)
np_rnd = np.random.default_rng(90)


def tensor(a: np.ndarray) -> str:  # str() of an EagerTensor
    return f"tf.Tensor(\n{a}, shape={a.shape}, dtype={a.dtype})"


print("TensorFlow version: {}".format("2.15.0"))
print("TensorFlow Datasets version: ", "4.9.4")
df = pd.DataFrame({"body_mass_g": np_rnd.uniform(3000, 6000, 5).round(0).astype(np.float32),
                   "culmen_depth_mm": np_rnd.uniform(13, 21, 5).round(1).astype(np.float32),
                   "culmen_length_mm": np_rnd.uniform(35, 55, 5).round(1).astype(np.float32),
                   "flipper_length_mm": np_rnd.uniform(180, 230, 5).round(0).astype(np.float32),
                   "island": np_rnd.integers(0, 3, 5), "sex": np_rnd.integers(0, 3, 5),
                   "species": np_rnd.integers(0, 3, 5)})
print(df)
print("FeaturesDict({\n    'body_mass_g': float32,\n    'culmen_depth_mm': float32,\n"
      "    'culmen_length_mm': float32,\n    'flipper_length_mm': float32,\n"
      "    'island': ClassLabel(shape=(), dtype=int64, num_classes=3),\n"
      "    'sex': ClassLabel(shape=(), dtype=int64, num_classes=3),\n"
      "    'species': ClassLabel(shape=(), dtype=int64, num_classes=3),\n})")
processed = ("FeaturesDict({\n    'features': Tensor(shape=(4,), dtype=float32),\n"
             "    'species': ClassLabel(shape=(), dtype=int64, num_classes=3),\n})")
print(processed)
for title in ("Test dataset sample: ", "Train dataset sample: "):
    sample = pd.DataFrame({"features": [np_rnd.uniform(0, 1, 4).astype(np.float32) for _ in range(5)],
                           "species": np_rnd.integers(0, 3, 5)})
    print(title)
    print(sample)

features = np_rnd.uniform(0, 1, (32, 4)).astype(np.float32)
labels = np_rnd.integers(0, 3, 32)
print(tensor(features))
print(tensor(labels))
print("Prediction: {}".format(np.zeros(32, dtype=np.int64)))
print("    Labels: {}".format(labels))
l = np.float32(1.2 + rnd.random() * 0.2)
print("Loss test: {}".format(l))
case.may(None, {"loss_test|loss|test/loss": float(str(l))})

loss_value = np.float32(l + 0.01)
print("Step: {}, Initial Loss: {}".format(np.int64(0), loss_value))
case.want(0, {"initial_loss|loss": float(str(loss_value))})
loss_value = np.float32(loss_value - 0.05)
print("Step: {},         Loss: {}".format(np.int64(1), loss_value))
case.want(1, {"loss": float(str(loss_value))})

num_epochs = 201
for epoch in range(num_epochs):
  loss_avg = np.float32(1.1 * np.exp(-epoch / 60) + 0.06 + rnd.random() * 0.02)
  accuracy = np.float32(min(0.98, 0.4 + 0.6 * (1 - np.exp(-epoch / 40)) + rnd.random() * 0.01))
  if epoch % 50 == 0:
    print("Epoch {:03d}: Loss: {:.3f}, Accuracy: {:.3%}".format(epoch,
                                                                loss_avg,
                                                                accuracy))
    case.want(epoch, {"loss|train/loss": printed(loss_avg, ".3f"),
                      "accuracy|train/accuracy": float(format(accuracy * 100, ".3f"))})

test_accuracy = np.float32(0.97 + rnd.random() * 0.01)
print("Test set accuracy: {:.3%}".format(test_accuracy))
case.want(None, {"test/accuracy|test_set_accuracy|test_accuracy": float(format(test_accuracy * 100, ".3f"))})

class_names = ['Adélie', 'Chinstrap', 'Gentoo']
for i, class_idx in enumerate([0, 1, 2]):
  p = np.float32(0.9 + rnd.random() * 0.09)
  name = class_names[class_idx]
  print("Example {} prediction: {} ({:4.1f}%)".format(i, name, 100*p))
