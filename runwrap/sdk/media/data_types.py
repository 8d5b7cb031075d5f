"""`runwrap.data_types`: wandb's module of the same name, for code that reaches the types
through it (`wandb.data_types.ImageMask(...)`)."""
from runwrap.sdk.media.files import Audio, Html, Molecule, Object3D, Video
from runwrap.sdk.media.histogram import Histogram
from runwrap.sdk.media.image import BoundingBoxes2D, Classes, Image, ImageMask
from runwrap.sdk.media.table import JoinedTable, Table

__all__ = ["Audio", "BoundingBoxes2D", "Classes", "Histogram", "Html", "Image", "ImageMask",
           "JoinedTable", "Molecule", "Object3D", "Table", "Video"]
