"""A scalar printed as an array library writes it holds its number: `print("loss", loss)` on a
PyTorch tensor, a dict of JAX arrays, a TensorFlow eager tensor. The JAX, NumPy and
TensorFlow lines are what jax 0.10.2, numpy 2.4.6 and tensorflow-cpu 2.21.0 printed for the
print statement beside each (PyTorch's `tensor(0.4523)` is its documented repr); arrays of
many numbers give nothing."""
from __future__ import annotations

import pytest

from runwrap.collectors.console.scalars import StreamRecords, default_parser

parse = default_parser().parse


@pytest.mark.parametrize("line, expected", [
    # PyTorch: print("loss", loss) without and with a graph
    ("loss tensor(0.4523)", {"loss": 0.4523}),
    ("train loss tensor(2.3012)", {"train/loss": 2.3012}),
    ("valid tensor(0.4523) loss np.float64(26.59)", {"val/loss": 26.59}),
    # NumPy 2: print({"loss": np.mean(x)}), print({"loss": np.array(0.5)})
    ("{'loss': np.float32(0.5), 'acc': np.float64(0.91)}", {"loss": 0.5, "acc": 0.91}),
    ("{'loss': array(0.5)}", {"loss": 0.5}),
    ("{'loss': array(0.5, dtype=float32), 'step': 3}", {"loss": 0.5, "step": 3}),
    # JAX: print(metrics) on a dict of jnp scalars; print(f"loss {loss!r}")
    ("{'loss': Array(0.15, dtype=float32), 'acc': Array(0.9, dtype=float32, weak_type=True)}",
     {"loss": 0.15, "acc": 0.9}),
    ("epoch 3: {'loss': Array(0.15, dtype=float32), 'accuracy': Array(0.9, dtype=float32)}",
     {"epoch": 3, "loss": 0.15, "accuracy": 0.9}),
    ("loss Array(0.15, dtype=float32)", {"loss": 0.15}),
    ("train loss: Array(1.e-05, dtype=float32, weak_type=True)", {"train/loss": 1e-05}),
    ("{'loss': DeviceArray(0.5, dtype=float32)}", {"loss": 0.5}),  # jax before 0.4
    # TensorFlow eager: print("acc", acc) (str), print({"loss": loss}) (repr), a variable
    ("acc tf.Tensor(0.9, shape=(), dtype=float32)", {"acc": 0.9}),
    ("Epoch 1 loss: tf.Tensor(0.51, shape=(), dtype=float32)", {"Epoch": 1, "loss": 0.51}),
    ("{'loss': <tf.Tensor: shape=(), dtype=float32, numpy=0.15000000596046448>, "
     "'accuracy': <tf.Tensor: shape=(), dtype=float32, numpy=0.875>}",
     {"loss": 0.15000000596046448, "accuracy": 0.875}),
    ("{'v': <tf.Variable 'Variable:0' shape=() dtype=float32, numpy=0.5>}", {"v": 0.5}),
])
def test_an_array_librarys_scalar_gives_its_number(line, expected):
    for _ in range(2):  # the first reading of a shape, then its plan
        [(values, _)] = StreamRecords(parse).feed(line)
        assert values == expected


@pytest.mark.parametrize("line", [
    "{'loss': Array([0.1, 0.2], dtype=float32)}",
    "loss tf.Tensor([0.1 0.2], shape=(2,), dtype=float32)",
    "{'loss': <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.1, 0.2], dtype=float32)>}",
    "tf.Tensor(3, shape=(), dtype=int32)",  # no label
    "Array(5) created",
    "Downloading (1/3)",
    "Value(data=0.89, grad=0) 0.5",  # an object's fields are no array's scalar
])
def test_arrays_of_many_numbers_and_unlabelled_scalars_give_nothing(line):
    assert StreamRecords(parse).feed(line) == []
