"""`Image`: numpy arrays, PIL images, torch tensors (without importing torch), matplotlib
figures or image files.

Arrays are encoded as PNG by Pillow (the `media` extra); image files are stored as they are.
Masks and boxes are kept as a JSON file beside the image (`...annotations.json`): class labels,
box positions and mask values a person can read without wandb's UI.
"""
from __future__ import annotations

import io
import json
import os
import zlib
from types import ModuleType
from typing import Any, Dict, Optional

from runwrap.errors import UsageError
from runwrap.sdk.media.base import (Media, MediaSink, SourceFile, is_matplotlib,
                                    is_torch_tensor, require, to_numpy)

FILE_TYPES = ("png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff")
MODES = {1: "L", 3: "RGB", 4: "RGBA"}  # channels -> PIL mode
# PNG is lossless at any setting; only size and time differ. Logged images are training
# snapshots, written every few steps and read rarely, so zlib's fastest level with its
# run-length strategy: after PNG's per-row filters, photo-like images come out as small as at
# Pillow's default (level 6) in two thirds of the time, and flat masks stay small. Exact
# synthetic gradients (which LZ77 would fold into repeats) grow, at worst to the raw size.
PNG_OPTIONS = {"compress_level": 1, "compress_type": zlib.Z_RLE}


def _describe(data: Any) -> str:
    shape = getattr(data, "shape", None)
    return f"{type(data).__name__} of shape {tuple(shape)}" if shape is not None else repr(data)[:80]


def _to_uint8(arr: Any, np: Any, normalize: bool) -> Any:
    """wandb's rule: floats in [0, 1] are scaled to 0..255, a negative minimum first shifts
    the range to start at 0; then values are clipped to 0..255."""
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind not in "fiub":
        raise UsageError(f"Image: an array of {arr.dtype} is not an image; pass numbers")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise UsageError(f"Image: the array of shape {arr.shape} holds NaN or infinite values; "
                         f"replace them (e.g. numpy.nan_to_num) before logging")
    data = arr.astype(np.float64)
    if normalize and data.size:
        low = data.min()
        if low < 0:
            span = data.max() - low
            data = (data - low) / span if span else data - low
        if data.max() <= 1.0:
            data = data * 255
    return np.clip(data, 0, 255).astype(np.uint8)


def _array_image(data: Any, mode: Optional[str], normalize: bool, torch: bool) -> Any:
    np = require("numpy", "numpy", "Image from an array")
    arr = to_numpy(data, "Image")
    if torch and arr.ndim == 3 and arr.shape[0] in MODES and arr.shape[-1] not in MODES:
        arr = arr.transpose(1, 2, 0)  # torch images are channel-first
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in MODES) or 0 in arr.shape:
        raise UsageError(f"Image: cannot make an image of {_describe(data)}; pass (H, W), "
                         f"(H, W, 1), (H, W, 3) or (H, W, 4) (channels last)")
    return _to_uint8(arr, np, normalize)


class Image(Media):
    """wandb.Image(data_or_path, mode=None, caption=None, grouping=None, classes=None,
    boxes=None, masks=None, file_type=None, normalize=True)."""

    def __init__(self, data_or_path: Any, mode: Optional[str] = None,
                 caption: Optional[str] = None, grouping: Optional[int] = None,
                 classes: Any = None, boxes: Optional[Dict[str, Any]] = None,
                 masks: Optional[Dict[str, Any]] = None, file_type: Optional[str] = None,
                 normalize: bool = True):
        self.caption = None if caption is None else str(caption)
        self.grouping = grouping
        self._mode = mode
        self._array = None
        self._pil = None
        self._file: Optional[bytes] = None
        self._source: Optional[SourceFile] = None  # a file too large to hold: copied when logged
        self._encoded: Optional[bytes] = None
        self.format = (file_type or "png").lower()
        if self.format not in FILE_TYPES:
            raise UsageError(f"Image: file_type {file_type!r} is not one of {', '.join(FILE_TYPES)}")
        if isinstance(data_or_path, Image):
            other = data_or_path
            self._array, self._pil, self._file = other._array, other._pil, other._file
            self._source = other._source
            self._encoded, self.format = other._encoded, other.format
            self.width, self.height = other.width, other.height
        elif isinstance(data_or_path, (str, os.PathLike)):
            source = SourceFile(data_or_path, "Image", FILE_TYPES)
            self.format = os.path.splitext(os.fspath(data_or_path))[1].lower().lstrip(".")
            self.format = "jpg" if self.format == "jpeg" else self.format
            if source.data is not None:
                self._file = source.data
                self.width, self.height = _file_size(io.BytesIO(source.data))
            else:  # Pillow reads the size from the header; the pixels stay on disk
                self._source = source
                self.width, self.height = _file_size(source.path)
        elif is_matplotlib(data_or_path):
            self._file = _figure_png(data_or_path)  # a Figure, an Axes, or pyplot itself
            self.format = "png"
            self.width, self.height = _file_size(io.BytesIO(self._file))
        elif (type(data_or_path).__module__ or "").startswith("PIL"):
            self._pil = data_or_path
            self.width, self.height = data_or_path.size
        elif (is_torch_tensor(data_or_path) or hasattr(data_or_path, "shape")
              or isinstance(data_or_path, (list, tuple))):
            self._array = _array_image(data_or_path, mode, normalize, is_torch_tensor(data_or_path))
            self.height, self.width = self._array.shape[:2]
        else:
            raise UsageError(f"Image: cannot make an image of {_describe(data_or_path)}; pass a "
                             f"numpy array, a PIL image, a torch tensor or an image file path")
        self._annotations = _annotations(boxes, masks, classes, self.width, self.height)

    def _bytes(self) -> bytes:
        if self._file is not None:
            return self._file
        if self._encoded is None:
            pil = require("PIL.Image", "Pillow", "Image from an array")
            image = self._pil if self._pil is not None else pil.fromarray(
                self._array, mode=self._mode or MODES[1 if self._array.ndim == 2 else self._array.shape[-1]])
            buf = io.BytesIO()
            if self.format == "png":
                image.save(buf, format="PNG", **PNG_OPTIONS)
            else:
                image.save(buf, format="JPEG" if self.format == "jpg" else self.format.upper())
            self._encoded = buf.getvalue()
        return self._encoded

    def store(self, sink: MediaSink, key: str, step: int) -> Dict[str, Any]:
        if self._source is not None:
            stored = sink.write_file("images", key, step, self._source, self.format)
        else:
            stored = sink.write("images", key, step, self._bytes(), self.format)
        ref = stored.reference("image-file", format=self.format, width=self.width,
                               height=self.height, caption=self.caption, grouping=self.grouping)
        if self._annotations:
            data = json.dumps(self._annotations, separators=(",", ":")).encode()
            ref["annotations"] = sink.write("images", key, step, data, "annotations.json").path
        return ref

    def __repr__(self) -> str:
        return f"<Image {self.width}x{self.height} {self.format}>"


def _figure_png(figure: Any) -> bytes:
    """A matplotlib figure (or an Axes, whose figure it is, or pyplot, whose current figure it
    is) as PNG bytes, by matplotlib."""
    if isinstance(figure, ModuleType):
        figure = figure.gcf() if hasattr(figure, "gcf") else figure
    else:
        figure = getattr(figure, "figure", None) or figure
    if not hasattr(figure, "savefig"):
        raise UsageError(f"Image: cannot make an image of {type(figure).__name__}; pass a "
                         f"matplotlib Figure")
    buf = io.BytesIO()
    figure.savefig(buf, format="png")
    return buf.getvalue()


def _file_size(data: Any) -> tuple:
    """(width, height) of an image file (a path or a file object) when Pillow can tell, else
    (None, None)."""
    try:
        from PIL import Image as PILImage  # optional extra (media)
    except ImportError:
        return None, None
    try:
        with PILImage.open(data) as im:
            return im.size
    except Exception:
        raise UsageError("Image: the file is not an image Pillow can read; check the file") from None


class Classes(Media):
    """wandb.Classes(class_set): the classes of a segmentation or detection task, each
    `{"id": int, "name": str}`; given to Image(classes=), added to an artifact or logged as
    `media/classes/*.classes.json` (`{"class_set": [...]}`)."""

    def __init__(self, class_set: Any):
        if not isinstance(class_set, (list, tuple)) or not all(
                isinstance(c, dict) and "id" in c and "name" in c for c in class_set):
            raise UsageError(f"Classes: class_set must be a list of {{'id': int, 'name': str}} "
                             f"dicts, got {class_set!r:.80}")
        self.class_set = _plain(list(class_set))

    def store(self, sink: MediaSink, key: str, step: int) -> Dict[str, Any]:
        data = json.dumps({"class_set": self.class_set}, separators=(",", ":")).encode()
        return sink.write("classes", key, step, data, "classes.json").reference("classes-file")

    def __repr__(self) -> str:
        return f"<Classes {len(self.class_set)}>"


class ImageMask:
    """wandb's ImageMask(val, key): one mask of an Image (`masks={key: ImageMask(...)}` or the
    plain dict `val`), checked as such; its size against the image when the Image is made."""

    def __init__(self, val: Dict[str, Any], key: str):
        _mask(key, val, None, None)
        self._val = val
        self._key = str(key)


class BoundingBoxes2D:
    """wandb's BoundingBoxes2D(val, key): one group of boxes of an Image (`boxes={key: ...}` or
    the plain dict `val`)."""

    def __init__(self, val: Dict[str, Any], key: str):
        _box_group(key, val)
        self._val = val
        self._key = str(key)


def _annotations(boxes: Any, masks: Any, classes: Any, width: Any, height: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if boxes is not None:
        if not isinstance(boxes, dict):
            raise UsageError("Image boxes must be a dict: {name: {'box_data': [...], "
                             "'class_labels': {id: label}}}")
        out["boxes"] = {str(name): _box_group(name, getattr(group, "_val", group))
                        for name, group in boxes.items()}
    if masks is not None:
        if not isinstance(masks, dict):
            raise UsageError("Image masks must be a dict: {name: {'mask_data': array, "
                             "'class_labels': {id: label}}}")
        out["masks"] = {str(name): _mask(name, getattr(m, "_val", m), width, height)
                        for name, m in masks.items()}
    if classes is not None:
        out["classes"] = classes.class_set if isinstance(classes, Classes) else _plain(classes)
    return out


def _labels(value: Any) -> Optional[Dict[str, str]]:
    return None if value is None else {str(k): str(v) for k, v in dict(value).items()}


def _box_group(name: Any, group: Any) -> Dict[str, Any]:
    if not isinstance(group, dict) or not isinstance(group.get("box_data"), (list, tuple)):
        raise UsageError(f"Image boxes {name!r} need a 'box_data' list of boxes")
    for box in group["box_data"]:
        pos = box.get("position") if isinstance(box, dict) else None
        if not isinstance(pos, dict) or not (
                {"minX", "maxX", "minY", "maxY"} <= set(pos) or {"middle", "width", "height"} <= set(pos)):
            raise UsageError(f"Image boxes {name!r}: box {box!r} needs a position with minX, "
                             f"maxX, minY, maxY (or middle, width, height)")
    return {"box_data": _plain(group["box_data"]), "class_labels": _labels(group.get("class_labels"))}


def _mask(name: Any, mask: Any, width: Any, height: Any) -> Dict[str, Any]:
    if not isinstance(mask, dict) or "mask_data" not in mask:
        raise UsageError(f"Image masks {name!r} need 'mask_data' (a 2-D array of class ids)")
    arr = to_numpy(mask["mask_data"], "Image masks")
    if arr.ndim != 2 or (width is not None and arr.shape != (height, width)):
        raise UsageError(f"Image masks {name!r}: mask_data of shape {arr.shape} must be "
                         f"({height}, {width}), the image's height and width")
    return {"mask_data": arr.tolist(), "class_labels": _labels(mask.get("class_labels"))}


def _plain(value: Any) -> Any:
    """Annotations as JSON values (numpy numbers and arrays included)."""
    from runwrap.store.values import plain_value  # start-up: loaded only on the path that needs it

    return plain_value(value)
