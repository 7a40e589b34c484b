"""Attachments: what counts as an image, and how platforms describe theirs.

Vigie's attachment vocabulary (``Attachment.type``) is small:

* ``image`` — a photo; ``gif`` — an animated image (judged on its first or preview frame);
  ``sticker`` — a platform sticker (an image);
* ``video`` — a video, which Vigie does not analyse (its preview frame, when the platform
  gives one, is a separate ``image`` attachment);
* ``link`` — a link preview: the linked page's ``url``, ``title`` and ``description`` (the
  preview's thumbnail, when given, is a separate ``image`` attachment).

Platform type names (Graph ``photo``, ``animated_image_share``, ``share``; X ``photo``,
``animated_gif``) are mapped here, by pure functions the connectors call, so the detectors
know one vocabulary. Instagram's comment API returns no media for a comment (a GIF reply is
not exposed), so Instagram comments carry no attachments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vigie.records import Attachment

__all__ = [
    "IMAGE_TYPES",
    "VIDEO_TYPES",
    "graph_attachments",
    "is_image",
    "is_video",
    "x_attachments",
]

#: Attachment types whose content is an image Vigie can judge (platform names included, for
#: records written by other tools).
IMAGE_TYPES = frozenset({"image", "photo", "gif", "sticker", "animated_gif",
                         "animated_image_share", "animated_image_autoplay"})
#: Attachment types that are videos (not analysed).
VIDEO_TYPES = frozenset({"video", "video_inline", "video_autoplay", "video_share_youtube",
                         "video_share_highlighted", "animated_image_video"})


def is_image(attachment: Attachment) -> bool:
    """Whether ``attachment`` is an image to analyse (pure)."""
    kind = attachment.type.lower()
    if kind in IMAGE_TYPES:
        return True
    return kind not in VIDEO_TYPES and (attachment.mime or "").lower().startswith("image/")


def is_video(attachment: Attachment) -> bool:
    """Whether ``attachment`` is a video (pure)."""
    return attachment.type.lower() in VIDEO_TYPES or (
        (attachment.mime or "").lower().startswith("video/"))


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def graph_attachments(attachment: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """Map a Graph API comment ``attachment`` (a StoryAttachment) onto attachments (pure).

    ``type`` is Graph's (``photo``, ``sticker``, ``animated_image_share``, ``share``,
    ``video_inline``...); the image itself is at ``media.image.src``, the linked page at
    ``unshimmed_url``, ``url`` or ``target.url``.
    """
    kind = str(attachment.get("type") or "link").lower()
    image = _obj(_obj(attachment.get("media")).get("image"))
    src = _text(image.get("src"))
    link = _text(attachment.get("unshimmed_url")) or _text(attachment.get("url")) or _text(
        _obj(attachment.get("target")).get("url"))
    title, description = _text(attachment.get("title")), _text(attachment.get("description"))
    if kind in ("photo", "sticker") or (kind.startswith("animated_image")
                                        and kind not in VIDEO_TYPES):
        mapped = "image" if kind == "photo" else ("sticker" if kind == "sticker" else "gif")
        # Without media.image.src the photo page's URL is kept: the fetch will fail on its
        # type and the image is reported as not analysed, never silently passed.
        return (Attachment(type=mapped, url=src or link, title=title, description=description),)
    main = Attachment(type="video" if kind in VIDEO_TYPES or kind.startswith("video") else "link",
                      url=link, title=title, description=description)
    if src is None:
        return (main,)
    return main, Attachment(type="image", url=src)


def x_attachments(tweet: Mapping[str, Any], media: Mapping[str, Mapping[str, Any]]
                  ) -> tuple[Attachment, ...]:
    """Map an X post's media and link previews onto attachments (pure).

    Args:
        tweet: the post (``attachments.media_keys``, ``entities.urls``).
        media: ``includes.media`` by ``media_key`` (``type``, ``url``, ``preview_image_url``).
    """
    out: list[Attachment] = []
    for key in _obj(tweet.get("attachments")).get("media_keys") or ():
        item = media.get(str(key))
        if item is None:
            continue
        kind = str(item.get("type") or "")
        if kind == "photo":
            out.append(Attachment(type="image", url=_text(item.get("url"))))
        elif kind == "animated_gif":
            # The GIF is served as a video; its preview frame is what can be judged.
            out.append(Attachment(type="gif", url=_text(item.get("preview_image_url"))))
        else:
            out.append(Attachment(type="video", url=None))
            preview = _text(item.get("preview_image_url"))
            if preview is not None:
                out.append(Attachment(type="image", url=preview))
    for entity in _obj(tweet.get("entities")).get("urls") or ():
        entity = _obj(entity)
        title, description = _text(entity.get("title")), _text(entity.get("description"))
        if title is None and description is None:
            continue  # no preview: the link itself is in the text
        url = _text(entity.get("unwound_url")) or _text(entity.get("expanded_url"))
        out.append(Attachment(type="link", url=url, title=title, description=description))
        images = entity.get("images")
        if isinstance(images, list) and images:
            thumb = _text(_obj(images[0]).get("url"))
            if thumb is not None:
                out.append(Attachment(type="image", url=thumb))
    return tuple(out)
