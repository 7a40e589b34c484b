"""Images and other media attached to comments: safe fetching, decoding, analysis.

Light modules (attachment vocabulary, address checks, fetching) import with the core install.
:mod:`vigie.media.decode` and :mod:`vigie.media.nudity` need the optional ``images`` extra
(Pillow, ONNX Runtime, NudeNet's weights) and are imported only by the image detector, lazily.
Nothing fetched is ever written to disk or to the store (docs/images.md, "Retention").
"""

from __future__ import annotations

from vigie.media.attachments import IMAGE_TYPES, VIDEO_TYPES, is_image, is_video
from vigie.media.fetch import (
    FetchedImage,
    FetchError,
    FetchFailed,
    FetchRefused,
    FetchSettings,
    ImageFetcher,
)
from vigie.media.safety import AddressGuard, AddressRefused, is_public_address
from vigie.media.sources import AttachmentSource, ImageSource, MemorySource

__all__ = [
    "IMAGE_TYPES",
    "VIDEO_TYPES",
    "AddressGuard",
    "AddressRefused",
    "AttachmentSource",
    "FetchError",
    "FetchFailed",
    "FetchRefused",
    "FetchSettings",
    "FetchedImage",
    "ImageFetcher",
    "ImageSource",
    "MemorySource",
    "is_image",
    "is_public_address",
    "is_video",
]
