"""Where an attachment's image bytes come from: a URL, a local file, or memory (tests).

:class:`AttachmentSource` is what the image detector uses by default: ``path`` first (records
imported from files), then ``url`` through the safe :class:`~vigie.media.fetch.ImageFetcher`.
Each source returns the bytes in memory and keeps nothing (see :mod:`vigie.media.fetch`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Protocol

from vigie.media.fetch import (
    FetchedImage,
    FetchFailed,
    FetchRefused,
    FetchSettings,
    ImageFetcher,
    read_local_image,
    sniff_image_type,
)
from vigie.records import Attachment

__all__ = ["AttachmentSource", "ImageSource", "MemorySource"]


class ImageSource(Protocol):
    """Gives the bytes of an image attachment."""

    def get(self, attachment: Attachment) -> FetchedImage:
        """The image, in memory.

        Raises:
            FetchError: the image cannot be had (the reason is safe to show).
        """
        ...


class AttachmentSource:
    """Reads ``path`` (when allowed) or fetches ``url`` (when allowed)."""

    def __init__(self, *, fetcher: ImageFetcher | None = None,
                 fetcher_factory: Callable[[], ImageFetcher] | None = None,
                 settings: FetchSettings | None = None, read_paths: bool = False) -> None:
        """Build the source.

        Args:
            fetcher: the URL fetcher; ``None`` with no factory: URLs are not fetched.
            fetcher_factory: builds the fetcher on first use (opening an HTTP client costs a
                TLS context; a process that never meets an image URL never pays it).
            settings: size limits for local files.
            read_paths: whether ``path`` (a local file) may be read: only for records the
                operator imported, never for records built from a platform.
        """
        self._fetcher = fetcher
        self._factory = fetcher_factory
        self._lock = threading.Lock()
        self.settings = settings or FetchSettings()
        self.read_paths = read_paths

    def _get_fetcher(self) -> ImageFetcher | None:
        if self._fetcher is None and self._factory is not None:
            with self._lock:
                if self._fetcher is None:
                    self._fetcher = self._factory()
        return self._fetcher

    def get(self, attachment: Attachment) -> FetchedImage:
        """The attachment's image (does I/O; keeps nothing).

        Raises:
            FetchRefused: reading files or fetching URLs is off, or the fetch is unsafe.
            FetchFailed: the image cannot be read or fetched.
        """
        if attachment.path:
            if not self.read_paths:
                raise FetchRefused("local image files are not read (read_paths is off)")
            return read_local_image(attachment.path, self.settings)
        if not attachment.url:
            raise FetchFailed("attachment has no image address")
        fetcher = self._get_fetcher()
        if fetcher is None:
            raise FetchRefused("image fetching is off (fetch_urls is off)")
        return fetcher.fetch(attachment.url)


class MemorySource:
    """Images held in memory by URL (tests and the image benchmark)."""

    def __init__(self, images: Mapping[str, bytes]) -> None:
        self.images = dict(images)
        self.requested: list[str] = []

    def get(self, attachment: Attachment) -> FetchedImage:
        """The image registered under the attachment's ``url``.

        Raises:
            FetchFailed: no image under that URL, or not an allowed image type.
        """
        key = attachment.url or attachment.path or ""
        self.requested.append(key)
        data = self.images.get(key)
        if data is None:
            raise FetchFailed("HTTP 404")
        mime = sniff_image_type(data)
        if mime is None:
            raise FetchFailed("content is not a JPEG, PNG, GIF or WebP image")
        return FetchedImage(data, mime, "memory")
