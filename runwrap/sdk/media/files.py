"""Data types that are one file each: Audio, Video, Html, Object3D, Molecule.

Each takes a path of a file in a known format (stored as it is) or data it can encode with
the standard library or an optional library; a missing library is one error naming the extra.
"""
from __future__ import annotations

import io
import json
import os
from typing import Any, Dict, Optional, Union

from runwrap.errors import UsageError
from runwrap.sdk.media.base import (Media, MediaSink, SourceFile, read_path, require,
                                    to_numpy)


class FileMedia(Media):
    """A value stored as one file of `ext` in media/<kind>/, referenced as `<type>-file`."""

    kind = ""
    type_name = ""

    def __init__(self, data: Union[bytes, SourceFile], ext: str, caption: Optional[str] = None,
                 **fields: Any):
        self._data = data  # the bytes, or the user's file (copied when logged)
        self.ext = ext
        self.caption = None if caption is None else str(caption)
        self._fields = fields

    @staticmethod
    def _ext(path: Any) -> str:
        name = os.fspath(path).lower()
        return "pts.json" if name.endswith(".pts.json") else os.path.splitext(name)[1].lstrip(".")

    def store(self, sink: MediaSink, key: str, step: int) -> Dict[str, Any]:
        if isinstance(self._data, SourceFile):
            stored = sink.write_file(self.kind, key, step, self._data, self.ext)
        else:
            stored = sink.write(self.kind, key, step, self._data, self.ext)
        return stored.reference(self.type_name, caption=self.caption, **self._fields)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.ext} {len(self._data)} bytes>"


class Audio(FileMedia):
    """wandb.Audio(data_or_path, sample_rate=None, caption=None): a numpy waveform (mono, or
    (samples, channels)) is written as 16-bit WAV by the standard library's `wave`."""

    kind, type_name = "audio", "audio-file"
    FILE_TYPES = ("wav", "mp3", "flac", "ogg", "m4a", "aac")

    def __init__(self, data_or_path: Any, sample_rate: Optional[int] = None,
                 caption: Optional[str] = None):
        if isinstance(data_or_path, (str, os.PathLike)):
            data = SourceFile(data_or_path, "Audio", self.FILE_TYPES)
            super().__init__(data, self._ext(data_or_path), caption, sample_rate=sample_rate)
            return
        if sample_rate is None:
            raise UsageError("Audio from an array needs sample_rate= (samples per second)")
        np = require("numpy", "numpy", "Audio from an array")
        arr = to_numpy(data_or_path, "Audio").astype(float)
        if arr.ndim not in (1, 2) or arr.size == 0:
            raise UsageError(f"Audio: an array of shape {arr.shape} is not a waveform; pass "
                             f"(samples,) or (samples, channels)")
        if not np.isfinite(arr).all():
            raise UsageError("Audio: the waveform holds NaN or infinite values")
        peak = float(np.abs(arr).max()) or 1.0
        pcm = (arr / max(peak, 1.0) * 32767).astype("<i2")
        import wave  # start-up: loaded only on the path that needs it

        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1 if arr.ndim == 1 else arr.shape[1])
            w.setsampwidth(2)
            w.setframerate(int(sample_rate))
            w.writeframes(pcm.tobytes())
        super().__init__(buf.getvalue(), "wav", caption, sample_rate=int(sample_rate),
                         duration=len(arr) / float(sample_rate))


class Video(FileMedia):
    """wandb.Video(data_or_path, caption=None, fps=None, format=None): a (time, channel,
    height, width) uint8 array is encoded by imageio (the `video` extra)."""

    kind, type_name = "videos", "video-file"
    FILE_TYPES = ("gif", "mp4", "webm", "ogg")

    def __init__(self, data_or_path: Any, caption: Optional[str] = None, fps: Optional[int] = None,
                 format: Optional[str] = None):  # noqa: A002 (wandb's name)
        if isinstance(data_or_path, (str, os.PathLike)):
            data = SourceFile(data_or_path, "Video", self.FILE_TYPES)
            super().__init__(data, self._ext(data_or_path), caption)
            return
        fmt = (format or "gif").lower()
        if fmt not in self.FILE_TYPES:
            raise UsageError(f"Video: format {format!r} is not one of {', '.join(self.FILE_TYPES)}")
        arr = to_numpy(data_or_path, "Video")
        if arr.ndim != 4 or arr.shape[1] not in (1, 3, 4):
            raise UsageError(f"Video: an array of shape {arr.shape} is not a video; pass "
                             f"(time, channels, height, width) with 1, 3 or 4 channels")
        imageio = require("imageio.v2", "imageio", "Video from an array", extra="video")
        frames = arr.transpose(0, 2, 3, 1)
        if frames.shape[-1] == 1:
            frames = frames[..., 0]
        buf = io.BytesIO()
        imageio.mimwrite(buf, list(frames.astype("uint8")), format=fmt, fps=fps or 4)
        super().__init__(buf.getvalue(), fmt, caption, fps=fps or 4)


class Html(FileMedia):
    """wandb.Html(data, inject=True, data_is_not_path=False): an HTML string, file object or path."""

    kind, type_name = "html", "html-file"

    def __init__(self, data: Any, inject: bool = True, data_is_not_path: bool = False):
        if hasattr(data, "read"):
            text = data.read()
        elif isinstance(data, os.PathLike) or (isinstance(data, str) and not data_is_not_path
                                                and data.lower().endswith((".html", ".htm"))
                                                and os.path.isfile(data)):
            text = read_path(data, "Html", ("html", "htm")).decode("utf-8", "replace")
        elif isinstance(data, str):
            text = data
        else:
            raise UsageError(f"Html needs a string, a file object or a path, got {type(data).__name__}")
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        super().__init__(text.encode("utf-8"), "html", None)


class Object3D(FileMedia):
    """wandb.Object3D(data_or_path): a point cloud array (N, 3|4|6), a wandb scene dict, or a
    file (obj, gltf, glb, babylon, stl, pts.json)."""

    kind, type_name = "object3D", "object3D-file"
    FILE_TYPES = ("obj", "gltf", "glb", "babylon", "stl", "pts.json")

    def __init__(self, data_or_path: Any, caption: Optional[str] = None, **kwargs: Any):
        if isinstance(data_or_path, (str, os.PathLike)):
            ext = self._ext(data_or_path)
            if ext not in self.FILE_TYPES:
                raise UsageError(f"Object3D: {os.fspath(data_or_path)!r} is not one of the "
                                 f"supported file types ({', '.join(self.FILE_TYPES)})")
            super().__init__(SourceFile(data_or_path, "Object3D"), ext, caption)
            return
        if isinstance(data_or_path, dict):
            scene = dict(data_or_path)
            points = scene.get("points")
        else:
            scene = {"type": "lidar/beta"}
            points = data_or_path
        arr = to_numpy(points, "Object3D")
        if arr.ndim != 2 or arr.shape[1] not in (3, 4, 6):
            raise UsageError(f"Object3D: points of shape {arr.shape} must be (N, 3), (N, 4) or "
                             f"(N, 6): x, y, z [, category | r, g, b]")
        scene["points"] = arr.tolist()
        data = json.dumps(scene, separators=(",", ":")).encode()
        super().__init__(data, "pts.json", caption)

    @classmethod
    def from_numpy(cls, data: Any) -> "Object3D":
        return cls(data)

    @classmethod
    def from_point_cloud(cls, points: Any, boxes: Any = None, vectors: Any = None,
                         point_cloud_type: str = "lidar/beta") -> "Object3D":
        scene: Dict[str, Any] = {"type": point_cloud_type, "points": points}
        if boxes is not None:
            scene["boxes"] = list(boxes)
        if vectors is not None:
            scene["vectors"] = list(vectors)
        return cls(scene)


class Molecule(FileMedia):
    """wandb.Molecule(data_or_path, caption=None): a structure file; from_smiles/from_rdkit
    need RDKit (the `molecule` extra)."""

    kind, type_name = "molecule", "molecule-file"
    FILE_TYPES = ("pdb", "pqr", "mmcif", "mcif", "cif", "sdf", "sd", "gro", "mol2", "mmtf")

    def __init__(self, data_or_path: Any, caption: Optional[str] = None, **kwargs: Any):
        if not isinstance(data_or_path, (str, os.PathLike)):
            raise UsageError("Molecule needs the path of a structure file "
                             f"({', '.join(self.FILE_TYPES)}); for SMILES use Molecule.from_smiles")
        data = SourceFile(data_or_path, "Molecule", self.FILE_TYPES)
        super().__init__(data, self._ext(data_or_path), caption)

    @classmethod
    def from_rdkit(cls, data_or_path: Any, caption: Optional[str] = None, **kwargs: Any) -> "Molecule":
        chem = require("rdkit.Chem", "rdkit", "Molecule.from_rdkit", extra="molecule")
        mol = data_or_path if not isinstance(data_or_path, (str, os.PathLike)) else \
            chem.MolFromMolFile(os.fspath(data_or_path))
        if mol is None:
            raise UsageError(f"Molecule.from_rdkit: RDKit cannot read {data_or_path!r}")
        self = cls.__new__(cls)
        FileMedia.__init__(self, chem.MolToPDBBlock(mol).encode(), "pdb", caption)
        return self

    @classmethod
    def from_smiles(cls, data: str, caption: Optional[str] = None, **kwargs: Any) -> "Molecule":
        chem = require("rdkit.Chem", "rdkit", "Molecule.from_smiles", extra="molecule")
        mol = chem.MolFromSmiles(data)
        if mol is None:
            raise UsageError(f"Molecule.from_smiles: {data!r} is not a valid SMILES string")
        return cls.from_rdkit(mol, caption)
