"""wandb's helper data types: Classes, ImageMask and BoundingBoxes2D (standalone, also through
`wandb.data_types`), JoinedTable, and the custom chart `plot_table`."""
from __future__ import annotations

import json

import pytest

from sdk_harness import only_run, run_script, sdk_records
from wandb_reference import both

pytest.importorskip("numpy")
pytest.importorskip("PIL")

HELPERS = """
    import json
    import numpy as np
    import wandb
    from_module = wandb.data_types
    run = wandb.init(project="p")
    arr = np.zeros((4, 6, 3), dtype=np.uint8)
    classes = wandb.Classes([{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}])
    mask = from_module.ImageMask({"mask_data": np.ones((4, 6), dtype=np.uint8),
                                  "class_labels": {1: "cat"}}, "pred")
    boxes = from_module.BoundingBoxes2D({"box_data": [{"position": {"minX": 0.1, "maxX": 0.5,
                                                                    "minY": 0.1, "maxY": 0.5},
                                                       "class_id": 1}],
                                         "class_labels": {1: "cat"}}, "pred")
    img = wandb.Image(arr, masks={"pred": mask}, boxes={"pred": boxes}, classes=classes)
    left = wandb.Table(columns=["id", "a"], data=[[1, 2], [2, 4]])
    right = wandb.Table(columns=["id", "b"], data=[[1, 3]])
    joined = wandb.JoinedTable(left, right, "id")
    chart = wandb.plot_table("wandb/line/v0", left, {"x": "id", "y": "a"}, {"title": "T"})
    out = [run.log({"img": img, "chart": chart}), wandb.plot.plot_table is wandb.plot_table]
    art = wandb.Artifact("joined", "dataset")
    art.add(joined, "joined")
    art.add(classes, "classes")
    run.log_artifact(art)
    run.finish()
    print(json.dumps(out))
"""


def test_helper_types_run_unchanged_under_wandb_and_runwrap(tmp_path):
    assert both(tmp_path, HELPERS) == [None, True]


def test_helper_types_are_files_a_person_can_read(tmp_path):
    done = run_script(tmp_path, """
        import numpy as np
        import runwrap as wandb
        run = wandb.init(project="p", id="r")
        arr = np.zeros((4, 6, 3), dtype=np.uint8)
        classes = wandb.Classes([{"id": 1, "name": "cat"}])
        mask = wandb.ImageMask({"mask_data": np.ones((4, 6), dtype=np.uint8)}, "pred")
        boxes = wandb.BoundingBoxes2D({"box_data": [{"position": {"middle": [0.5, 0.5],
                                                                   "width": 0.2, "height": 0.2}}]},
                                      "gt")
        left = wandb.Table(columns=["id", "a"], data=[[1, 2]])
        right = wandb.Table(columns=["key", "b"], data=[[1, 3]])
        run.log({"img": wandb.Image(arr, masks={"pred": mask}, boxes={"gt": boxes},
                                    classes=classes),
                 "jt": wandb.JoinedTable(left, right, ("id", "key")),
                 "chart": wandb.plot_table("my/spec", left, {"x": "id"}, {"title": "T"}),
                 "cls": classes})
        for bad in (lambda: wandb.ImageMask({"labels": 1}, "m"),
                    lambda: wandb.BoundingBoxes2D({"box_data": [{"position": {}}]}, "b"),
                    lambda: wandb.Image(arr, masks={"m": wandb.ImageMask(
                        {"mask_data": np.ones((2, 2))}, "m")}),
                    lambda: wandb.JoinedTable(left, right, "id"),
                    lambda: wandb.Classes(["cat"]),
                    lambda: wandb.plot_table("my/spec", left, {"x": "nope"})):
            try:
                bad()
            except wandb.UsageError as e:
                print(e)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    errors = done.stdout.splitlines()
    assert len(errors) == 6, errors
    assert "mask_data" in errors[0] and "box_data" not in errors[0]
    assert "minX" in errors[1] and "(2, 2) must be (4, 6)" in errors[2]
    assert "'id' is not a column" in errors[3] and "class_set" in errors[4]
    assert "no column 'nope'" in errors[5]
    run_dir = only_run(tmp_path / "store")
    record = sdk_records(run_dir)[0]
    notes = json.loads((run_dir / record["img"]["annotations"]).read_text())
    assert notes["classes"] == [{"id": 1, "name": "cat"}]
    assert notes["masks"]["pred"]["mask_data"] == [[1] * 6] * 4
    assert notes["boxes"]["gt"]["box_data"][0]["position"]["width"] == 0.2
    joined = json.loads((run_dir / record["jt"]["path"]).read_text())
    assert joined["join_key"] == ["id", "key"]
    assert json.loads((run_dir / joined["table2"]).read_text()) == {"columns": ["key", "b"],
                                                                   "data": [[1, 3]]}
    chart = record["chart"]
    assert (chart["kind"], chart["vega_spec"], chart["fields"], chart["title"]) == \
        ("custom", "my/spec", {"x": "id"}, "T")
    assert json.loads((run_dir / record["cls"]["path"]).read_text()) == \
        {"class_set": [{"id": 1, "name": "cat"}]}
