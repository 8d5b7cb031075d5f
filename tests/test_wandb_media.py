"""wandb's data types: Image, Table, Histogram, plot.*, Audio, Html, Object3D (Video and
Molecule where their library is present): files under the run directory plus one reference
record in the stream, checked against wandb's reference behaviour."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from sdk_harness import child_env, only_run, run_script, sdk_records
from wandb_reference import both

np = pytest.importorskip("numpy")
pytest.importorskip("PIL")


def test_image_from_array_is_a_png_file_and_a_reference_record(tmp_path):
    done = run_script(tmp_path, """
        import numpy as np, runwrap as wandb
        run = wandb.init(project="p")
        arr = np.zeros((8, 6, 3), dtype=np.uint8); arr[0, 0] = 255
        run.log({"img": wandb.Image(arr, caption="first"), "loss": 1.0})
        run.log({"imgs": [wandb.Image(arr), wandb.Image(arr.astype(float) / 255, caption="b")]})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store")
    first, second = sdk_records(run)
    ref = first["img"]
    assert ref["_type"] == "image-file" and ref["format"] == "png" and ref["caption"] == "first"
    assert (ref["width"], ref["height"]) == (6, 8) and first["_step"] == 0 and first["loss"] == 1.0
    assert ref["path"].startswith("media/images/img_0_") and ref["path"].endswith(".png")
    from PIL import Image

    with Image.open(run / ref["path"]) as im:
        assert im.size == (6, 8) and im.getpixel((0, 0)) == (255, 255, 255)
    assert second["imgs"]["_type"] == "images/separated" and second["imgs"]["count"] == 2
    assert second["imgs"]["captions"] == ["", "b"]
    assert all((run / p).is_file() for p in second["imgs"]["filenames"])


def test_image_png_is_lossless_and_on_disk_when_log_returns(tmp_path):
    """PNG is written with zlib's fast run-length setting: every pixel must still come back
    exactly, for noise (incompressible), flat and gradient content, and the file must be whole
    as soon as log() returns, before finish()."""
    done = run_script(tmp_path, """
        import json, os
        import numpy as np, runwrap as wandb
        from PIL import Image as PILImage
        rng = np.random.default_rng(1)
        yy, xx = np.mgrid[0:16, 0:24]
        arrays = {"noise": rng.integers(0, 256, (16, 24, 3), dtype=np.uint8),
                  "rgba": rng.integers(0, 256, (16, 24, 4), dtype=np.uint8),
                  "flat": np.full((16, 24), 7, dtype=np.uint8),
                  "gradient": np.stack([xx * 10, yy * 15, xx + yy], -1).astype(np.uint8)}
        run = wandb.init(project="p")
        same = {}
        for key, arr in arrays.items():
            run.log({key: wandb.Image(arr)})
            with PILImage.open(os.path.join(run.run_dir, run.summary[key]["path"])) as im:
                im.verify()
            with PILImage.open(os.path.join(run.run_dir, run.summary[key]["path"])) as im:
                same[key] = bool(np.array_equal(np.asarray(im), arr))
        print(json.dumps(same))
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "noise": True, "rgba": True, "flat": True, "gradient": True}


def test_image_inputs_pil_path_torch_like_and_annotations(tmp_path):
    done = run_script(tmp_path, """
        import numpy as np, runwrap as wandb
        from PIL import Image as PILImage
        PILImage.new("RGB", (5, 4), "red").save("pic.jpg")

        class Tensor:  # duck-typed like torch: module name and detach()
            __module__ = "torch"
            def __init__(self, a): self.a = a
            def detach(self): return self
            def cpu(self): return self
            def numpy(self): return self.a
        Tensor.__module__ = "torch"
        run = wandb.init(project="p")
        mask = np.zeros((4, 5), dtype=np.uint8); mask[1, 1] = 1
        run.log({"pil": wandb.Image(PILImage.new("L", (3, 2))),
                 "file": wandb.Image("pic.jpg"),
                 "torch": wandb.Image(Tensor(np.ones((3, 4, 5), dtype=np.float32))),
                 "ann": wandb.Image(np.zeros((4, 5, 3), dtype=np.uint8),
                                    masks={"pred": {"mask_data": mask, "class_labels": {0: "bg", 1: "cat"}}},
                                    boxes={"gt": {"box_data": [{"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.1, "maxY": 0.6},
                                                                "class_id": 1, "box_caption": "cat"}],
                                                  "class_labels": {1: "cat"}}})})
        run.finish()
        print("torch" in __import__("sys").modules)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"  # torch never imported
    run = only_run(tmp_path / "store")
    (record,) = sdk_records(run)
    assert (record["pil"]["width"], record["pil"]["height"]) == (3, 2)
    assert record["file"]["format"] == "jpg" and record["file"]["path"].endswith(".jpg")
    assert (record["torch"]["width"], record["torch"]["height"]) == (5, 4)
    ann = json.loads((run / record["ann"]["annotations"]).read_text())
    assert ann["masks"]["pred"]["mask_data"][1][1] == 1
    assert ann["masks"]["pred"]["class_labels"] == {"0": "bg", "1": "cat"}
    assert ann["boxes"]["gt"]["box_data"][0]["box_caption"] == "cat"


def test_bad_media_input_is_one_clear_error_and_leaves_no_trace(tmp_path):
    done = run_script(tmp_path, """
        import numpy as np, runwrap as wandb
        run = wandb.init(project="p")
        tries = [lambda: wandb.Image(np.zeros((3, 3, 7))),
                 lambda: wandb.Image(np.full((4, 4), np.nan)),
                 lambda: wandb.Image(object()),
                 lambda: wandb.Image("missing.png"),
                 lambda: run.log({"t": wandb.Table(columns=["a"], data=[[i] for i in range(200001)])}),
                 lambda: run.log({"../escape": wandb.Image(np.zeros((2, 2), dtype=np.uint8))}),
                 lambda: run.log({"mixed": [wandb.Image(np.zeros((2, 2), dtype=np.uint8)), wandb.Html("x")]}),
                 lambda: wandb.Table(columns=["a", "b"], data=[[1]]),
                 lambda: wandb.Table(columns=["a"], data=[[1], ["x"]]),
                 lambda: wandb.Histogram([1, 2], num_bins=1000),
                 lambda: wandb.Histogram([1, float("nan")])]
        for t in tries:
            try:
                t()
                print("no error")
            except wandb.UsageError as e:
                print(str(e).splitlines()[0][:60])
        print(run.step)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "no error" not in lines and len(lines) == 12, lines
    assert "(3, 3, 7)" in lines[0] and "NaN" in lines[1] and "missing.png" in lines[3]
    assert "200,001 rows" in lines[4] and "'../escape'" in lines[5]
    assert lines[-1] == "0"  # no step was used by a refused log()
    run = only_run(tmp_path / "store")
    assert not (run / "media").exists() and sdk_records(run) == []
    assert sorted(os.listdir(tmp_path / "work")) == ["train.py"]


def test_table_from_columns_rows_dataframe_and_add_column(tmp_path):
    done = run_script(tmp_path, """
        import runwrap as wandb
        t = wandb.Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]])
        t.add_data(3, None)
        t.add_column("c", [0.5, float("nan"), 2.5])
        rows = wandb.Table(columns=["r"], rows=[[1], [2]])
        print(wandb.Table().columns, t.get_column("c")[0], list(t.iterrows())[0], len(rows.data))
        run = wandb.init(project="p")
        run.log({"t": t})
        try:
            import pandas as pd
            run.log({"df": wandb.Table(dataframe=pd.DataFrame({"x": [1, 2], "y": ["a", "b"]}))})
        except ImportError:
            pass
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['Input', 'Output', 'Expected'] 0.5 (0, [1, 'x', 0.5]) 2"
    run = only_run(tmp_path / "store")
    ref = sdk_records(run)[0]["t"]
    assert ref["_type"] == "table-file" and (ref["ncols"], ref["nrows"]) == (3, 3)
    doc = json.loads((run / ref["path"]).read_text())
    assert doc == {"columns": ["a", "b", "c"],
                   "data": [[1, "x", 0.5], [2, "y", "NaN"], [3, None, 2.5]]}


def test_histogram_and_plots_are_tables_and_specs(tmp_path):
    done = run_script(tmp_path, """
        import numpy as np, runwrap as wandb
        run = wandb.init(project="p")
        t = wandb.Table(columns=["x", "y"], data=[[i, i * i] for i in range(5)])
        run.log({"h": wandb.Histogram([1, 2, 3, 4, 5], num_bins=2),
                 "hn": wandb.Histogram(np_histogram=np.histogram([1, 1, 2], bins=3)),
                 "line": wandb.plot.line(t, "x", "y", title="squares"),
                 "scatter": wandb.plot.scatter(t, "x", "y"),
                 "bar": wandb.plot.bar(t, "x", "y"),
                 "hist": wandb.plot.histogram(t, "y"),
                 "series": wandb.plot.line_series([0, 1], [[1, 2], [3, 4]], keys=["a", "b"]),
                 "cm": wandb.plot.confusion_matrix(y_true=[0, 1, 1], preds=[0, 1, 0], class_names=["no", "yes"]),
                 "pr": wandb.plot.pr_curve([0, 1, 1, 0], [[.9, .1], [.2, .8], [.6, .4], [.7, .3]]),
                 "roc": wandb.plot.roc_curve([0, 1, 1, 0], [[.9, .1], [.2, .8], [.6, .4], [.7, .3]])})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store")
    (record,) = sdk_records(run)
    hist = json.loads((run / record["h"]["path"]).read_text())
    assert hist == {"_type": "histogram", "values": [2, 3], "bins": [1.0, 3.0, 5.0]}
    assert json.loads((run / record["hn"]["path"]).read_text())["values"] == [2, 0, 1]
    line = record["line"]
    assert line["_type"] == "plot" and line["kind"] == "line" and line["title"] == "squares"
    assert line["fields"] == {"x": "x", "y": "y"}
    assert json.loads((run / line["path"]).read_text())["data"][2] == [2, 4]
    cm = json.loads((run / record["cm"]["path"]).read_text())
    assert cm["columns"] == ["Actual", "Predicted", "nPredictions"]
    assert cm["data"] == [["no", "no", 1], ["no", "yes", 0], ["yes", "no", 1], ["yes", "yes", 1]]
    series = json.loads((run / record["series"]["path"]).read_text())["data"]
    assert series == [[0, "a", 1], [1, "a", 2], [0, "b", 3], [1, "b", 4]]
    roc = json.loads((run / record["roc"]["path"]).read_text())
    assert roc["data"][0] == ["0", 0.0, 0.0] and roc["data"][-1][1:] == [1.0, 1.0]
    pr = json.loads((run / record["pr"]["path"]).read_text())
    assert pr["columns"] == ["class", "precision", "recall"] and pr["data"][-1][2] == 1.0


def test_audio_html_object3d_and_missing_libraries(tmp_path):
    done = run_script(tmp_path, """
        import importlib.util, numpy as np, runwrap as wandb
        run = wandb.init(project="p")
        run.log({"audio": wandb.Audio(np.sin(np.arange(800) / 5.0), sample_rate=8000, caption="tone"),
                 "html": wandb.Html("<h1>hi</h1>"),
                 "pc": wandb.Object3D(np.zeros((4, 3)))})
        for name, make in (("imageio", lambda: wandb.Video(np.zeros((2, 3, 4, 4), dtype=np.uint8))),
                           ("rdkit", lambda: wandb.Molecule.from_smiles("CCO"))):
            if importlib.util.find_spec(name) is None:
                try:
                    make()
                except wandb.UsageError as e:
                    print(e)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        assert "pip install 'runwrap[" in line
    run = only_run(tmp_path / "store")
    (record,) = sdk_records(run)
    import wave

    with wave.open(str(run / record["audio"]["path"])) as w:
        assert (w.getframerate(), w.getnframes()) == (8000, 800)
    assert record["audio"]["caption"] == "tone"
    assert (run / record["html"]["path"]).read_text() == "<h1>hi</h1>"
    assert json.loads((run / record["pc"]["path"]).read_text())["points"] == [[0.0, 0.0, 0.0]] * 4


def test_killed_run_keeps_every_media_file_whose_log_returned(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "train.py").write_text(textwrap.dedent("""
        import sys, numpy as np, runwrap as wandb
        run = wandb.init(project="p")
        for i in range(1000000):
            run.log({"img": wandb.Image(np.full((8, 8), i % 256, dtype=np.uint8))})
            print(i, flush=True)
    """))
    child = subprocess.Popen([sys.executable, "train.py"], cwd=work, env=child_env(tmp_path / "store"),
                             stdout=subprocess.PIPE, text=True)
    for line in child.stdout:
        if int(line) >= 30:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    run = only_run(tmp_path / "store")
    records = sdk_records(run)
    assert len(records) >= 31
    for record in records:  # whole files: the name's digest is the content's
        data = (run / record["img"]["path"]).read_bytes()
        assert len(data) == record["img"]["size"]
        assert __import__("hashlib").sha256(data).hexdigest() == record["img"]["sha256"]


def test_media_records_match_wandb(tmp_path):
    result = both(tmp_path, """
        import json
        import numpy as np
        import wandb
        run = wandb.init(project="p")
        t = wandb.Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]])
        t.add_data(3, "z")
        run.log({"img": wandb.Image(np.zeros((16, 8, 3), dtype=np.uint8), caption="c"),
                 "imgs": [wandb.Image(np.zeros((4, 4), dtype=np.uint8))] * 2, "t": t})
        s = run.summary
        img, imgs, table = s["img"], s["imgs"], s["t"]
        h = wandb.Histogram([1, 2, 3, 4, 5], num_bins=2)
        out = {"img": [img["_type"], img["width"], img["height"], img["format"], img["caption"],
                       img["path"].startswith("media/images/img_0_"), len(img["sha256"])],
               "imgs": [imgs["_type"], imgs["count"], len(imgs["filenames"])],
               "t": [table["_type"], table["ncols"], table["nrows"], table["path"].startswith("media/table/t_0_")],
               "hist": [h.histogram, h.bins], "columns": wandb.Table().columns}
        run.finish()
        print(json.dumps(out))
    """)
    assert result["img"] == ["image-file", 8, 16, "png", "c", True, 64]
    assert result["t"] == ["table-file", 2, 3, True]


def test_image_from_a_real_torch_tensor_is_channel_first(tmp_path):
    pytest.importorskip("torch")
    done = run_script(tmp_path, """
        import torch, runwrap as wandb
        run = wandb.init(project="p")
        run.log({"t": wandb.Image(torch.ones(3, 4, 5))})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    (record,) = sdk_records(only_run(tmp_path / "store"))
    assert (record["t"]["width"], record["t"]["height"]) == (5, 4)


def test_unknown_types_are_one_clear_error_as_in_wandb(tmp_path):
    result = both(tmp_path, """
        import json
        import wandb
        class Foo:
            pass
        run = wandb.init(project="p")
        out = []
        for bad in (lambda: run.log({"x": Foo()}),
                    lambda: run.log({"t": wandb.Table(columns=["a"], data=[[Foo()]])})):
            try:
                bad()
                out.append("no error")
            except TypeError as e:
                out.append("TypeError")
        run.log({"ok": [{"a": 1}, 2]})
        run.finish()
        print(json.dumps(out))
    """)
    assert result == ["TypeError", "TypeError"]


def test_table_column_kinds_match_wandb(tmp_path):
    result = both(tmp_path, """
        import json
        import wandb
        out = []
        for rows in ([[1], [2.5], [None]], [[1], [True]], [["a"], [1]], [[None], ["a"], ["b"]]):
            t = wandb.Table(columns=["a"])
            try:
                for row in rows:
                    t.add_data(*row)
                out.append("ok")
            except (TypeError, ValueError):
                out.append("refused")
        print(json.dumps(out))
    """)
    assert result == ["ok", "refused", "refused", "ok"]


def test_plot_tables_match_wandb(tmp_path):
    result = both(tmp_path, """
        import json
        import wandb
        t = wandb.Table(columns=["x", "y"], data=[[1, 2], [2, 4]])
        probas = [[.9, .1], [.2, .8], [.6, .4], [.7, .3]]
        charts = {"line": wandb.plot.line(t, "x", "y"), "scatter": wandb.plot.scatter(t, "x", "y"),
                  "bar": wandb.plot.bar(t, "x", "y"), "histogram": wandb.plot.histogram(t, "y"),
                  "series": wandb.plot.line_series([0, 1], [[1, 2], [3, 4]], keys=["a", "b"]),
                  "cm": wandb.plot.confusion_matrix(y_true=[0, 1, 1], preds=[0, 1, 0],
                                                    class_names=["no", "yes"]),
                  "roc": wandb.plot.roc_curve([0, 1, 1, 0], probas),
                  "pr": wandb.plot.pr_curve([0, 1, 1, 0], probas)}
        out = {k: c.table.columns for k, c in charts.items()}
        out["series_data"] = charts["series"].table.data
        out["cm_data"] = [[a, p, float(n)] for a, p, n in charts["cm"].table.data]
        print(json.dumps(out))
    """)
    assert result["cm"] == ["Actual", "Predicted", "nPredictions"]
    assert result["cm_data"] == [["no", "no", 1.0], ["no", "yes", 0.0], ["yes", "no", 1.0],
                                 ["yes", "yes", 1.0]]
    assert result["pr"] == ["class", "precision", "recall"]


def test_video_from_an_array_is_a_gif_with_every_frame(tmp_path):
    pytest.importorskip("imageio")
    done = run_script(tmp_path, """
        import numpy as np, runwrap as wandb
        run = wandb.init(project="p")
        frames = np.zeros((3, 3, 8, 8), dtype=np.uint8)  # time, channel, height, width
        frames[1] = 128
        run.log({"v": wandb.Video(frames, fps=2, caption="clip")})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store")
    (record,) = sdk_records(run)
    assert record["v"]["_type"] == "video-file" and record["v"]["caption"] == "clip"
    from PIL import Image

    with Image.open(run / record["v"]["path"]) as gif:
        assert gif.format == "GIF" and gif.n_frames == 3 and gif.size == (8, 8)


PIXELS = """
    import json, os
    import numpy as np
    from PIL import Image as PILImage
    import wandb
    run = wandb.init(project="p")
    arrays = {"unit": np.linspace(0, 1, 48).reshape(4, 4, 3),
              "signed": np.linspace(-1, 1, 48).reshape(4, 4, 3),
              "big": np.linspace(0, 600, 16).reshape(4, 4).astype(np.int64),
              "gray1": np.full((4, 4, 1), 7, dtype=np.uint8),
              "rgba": np.full((2, 3, 4), 9, dtype=np.uint8)}
    run.log({k: wandb.Image(v) for k, v in arrays.items()})
    base = run.run_dir if hasattr(run, "run_dir") else run.dir
    out = {}
    for k in arrays:
        with PILImage.open(os.path.join(base, run.summary[k]["path"])) as im:
            px = np.asarray(im)
            out[k] = [im.mode, list(px.shape), int(px.min()), int(px.max())]
    run.finish()
    print(json.dumps(out if SHAPES_ONLY is False else {k: v[:2] for k, v in out.items()}))
"""


def test_image_modes_and_shapes_match_wandb(tmp_path):
    result = both(tmp_path, PIXELS.replace("SHAPES_ONLY", "True"))
    assert result == {"unit": ["RGB", [4, 4, 3]], "signed": ["RGB", [4, 4, 3]],
                      "big": ["L", [4, 4]], "gray1": ["L", [4, 4]], "rgba": ["RGBA", [2, 3, 4]]}


def test_image_pixel_values_are_scaled_into_0_255(tmp_path):
    """wandb's documented normalize=True (wandb 0.31 dropped it and casts, so [0, 1] floats
    turn black and 600 wraps to 88): floats in [0, 1] scale to 0..255, a negative minimum
    shifts the range to start at 0, and values are clipped, never wrapped."""
    from wandb_reference import run_as

    result = run_as(tmp_path, PIXELS.replace("SHAPES_ONLY", "False"), "runwrap")
    assert result["unit"][2:] == [0, 255] and result["signed"][2:] == [0, 255]
    assert result["big"][2:] == [0, 255] and result["gray1"][2:] == [7, 7]


def test_image_of_a_matplotlib_figure(tmp_path):
    pytest.importorskip("matplotlib")
    done = run_script(tmp_path, """
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import runwrap as wandb
        fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
        ax.plot([0, 1], [1, 0])
        run = wandb.init(project="p")
        run.log({"fig": wandb.Image(fig), "axes": wandb.Image(ax)})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    (record,) = sdk_records(only_run(tmp_path / "store"))
    assert (record["fig"]["width"], record["fig"]["height"]) == (100, 50)
    assert record["axes"]["sha256"] == record["fig"]["sha256"]


def test_pyplot_itself_and_a_bare_figure_log_as_images(tmp_path):
    # wandb's documented forms: wandb.Image(plt) takes the current figure, and
    # wandb.log({"chart": plt}) (or a Figure) logs the plot.
    pytest.importorskip("matplotlib")
    done = run_script(tmp_path, """
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import runwrap as wandb
        fig = plt.figure(figsize=(2, 1), dpi=50)
        plt.plot([0, 1], [1, 0])
        run = wandb.init(project="p")
        run.log({"img": wandb.Image(plt), "chart": plt, "figure": fig})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    (record,) = sdk_records(only_run(tmp_path / "store"))
    for key in ("img", "chart", "figure"):
        assert record[key]["_type"] == "image-file", record[key]
        assert (record[key]["width"], record[key]["height"]) == (100, 50)
    assert record["img"]["sha256"] == record["chart"]["sha256"] == record["figure"]["sha256"]
