"""Attachments in the data model, the JSONL format and the connectors' mappings."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.connectors.facebook import comment_from_graph
from vigie.connectors.x import comment_from_x
from vigie.media.attachments import graph_attachments, is_image, is_video, x_attachments
from vigie.records import Attachment, parse_comment


@pytest.mark.parametrize(("attachment", "image", "video"), [
    (Attachment(type="image", url="u"), True, False),
    (Attachment(type="photo", url="u"), True, False),
    (Attachment(type="gif", url="u"), True, False),
    (Attachment(type="sticker", url="u"), True, False),
    (Attachment(type="animated_image_share", url="u"), True, False),
    (Attachment(type="file", path="a.png", mime="image/png"), True, False),
    (Attachment(type="video", url="u"), False, True),
    (Attachment(type="file", url="u", mime="video/mp4"), False, True),
    (Attachment(type="link", url="u", title="t"), False, False),
    (Attachment(type="file", url="u", mime="application/pdf"), False, False),
])
def test_image_and_video_predicates(attachment: Attachment, image: bool, video: bool) -> None:
    assert (is_image(attachment), is_video(attachment)) == (image, video)


def test_jsonl_record_with_attachments() -> None:
    record = {
        "id": "fb:c-9", "platform": "facebook", "text": "", "created_at": "2025-01-01T00:00:00Z",
        "author": {"id": "fb:u-1"},
        "attachments": [{"type": "image", "url": "https://cdn.example/a.jpg"},
                        {"type": "image", "path": "images/a.png", "mime": "image/png"},
                        {"type": "link", "url": "https://example.org", "title": "T",
                         "description": "D", "platform_extra": 1}],
    }
    comment = parse_comment(record)
    assert [a.type for a in comment.attachments] == ["image", "image", "link"]
    assert comment.attachments[1].path == "images/a.png"
    assert comment.attachments[1].mime == "image/png"
    assert comment.attachments[2].title == "T"


SRC = "https://scontent.xx.fbcdn.net/v/t39/photo.jpg"


@pytest.mark.parametrize(("graph", "expected"), [
    ({"type": "photo", "url": "https://www.facebook.com/photo.php?fbid=1",
      "media": {"image": {"src": SRC, "width": 720, "height": 720}}},
     [("image", SRC, None)]),
    ({"type": "sticker", "media": {"image": {"src": SRC}}}, [("sticker", SRC, None)]),
    ({"type": "animated_image_share", "media": {"image": {"src": SRC}}}, [("gif", SRC, None)]),
    # A link preview: the page, and its thumbnail as an image to judge.
    ({"type": "share", "unshimmed_url": "https://example.org/article", "title": "Titre",
      "description": "Résumé", "media": {"image": {"src": SRC}}},
     [("link", "https://example.org/article", "Titre"), ("image", SRC, None)]),
    ({"type": "share", "url": "https://l.facebook.com/l.php?u=x",
      "target": {"url": "https://example.org"}},
     [("link", "https://l.facebook.com/l.php?u=x", None)]),
    ({"type": "video_inline", "url": "https://www.facebook.com/watch/?v=1",
      "media": {"image": {"src": SRC}}},
     [("video", "https://www.facebook.com/watch/?v=1", None), ("image", SRC, None)]),
    # No media.image.src: the photo page is kept, so the fetch fails and says so.
    ({"type": "photo", "url": "https://www.facebook.com/photo.php?fbid=2"},
     [("image", "https://www.facebook.com/photo.php?fbid=2", None)]),
])
def test_graph_attachments(graph: dict[str, Any],
                           expected: list[tuple[str, str | None, str | None]]) -> None:
    assert [(a.type, a.url, a.title) for a in graph_attachments(graph)] == expected


def test_facebook_connector_maps_the_attachment() -> None:
    comment = comment_from_graph({
        "id": "123_456", "message": "", "created_time": "2025-01-01T10:00:00+0000",
        "from": {"id": "9", "name": "A"},
        "attachment": {"type": "photo", "media": {"image": {"src": SRC}}},
    }, None)
    assert [(a.type, a.url) for a in comment.attachments] == [("image", SRC)]
    no_attachment = comment_from_graph({"id": "1_2", "message": "ok",
                                        "created_time": "2025-01-01T10:00:00+0000"}, None)
    assert no_attachment.attachments == ()


MEDIA = {
    "3_1": {"media_key": "3_1", "type": "photo", "url": "https://pbs.twimg.com/media/a.jpg"},
    "16_2": {"media_key": "16_2", "type": "animated_gif",
             "preview_image_url": "https://pbs.twimg.com/tweet_video_thumb/b.jpg"},
    "7_3": {"media_key": "7_3", "type": "video",
            "preview_image_url": "https://pbs.twimg.com/ext_tw_video_thumb/c.jpg"},
}


@pytest.mark.parametrize(("tweet", "expected"), [
    ({"attachments": {"media_keys": ["3_1"]}},
     [("image", "https://pbs.twimg.com/media/a.jpg")]),
    ({"attachments": {"media_keys": ["16_2"]}},
     [("gif", "https://pbs.twimg.com/tweet_video_thumb/b.jpg")]),
    ({"attachments": {"media_keys": ["7_3"]}},
     [("video", None), ("image", "https://pbs.twimg.com/ext_tw_video_thumb/c.jpg")]),
    ({"attachments": {"media_keys": ["missing"]}}, []),
    ({"entities": {"urls": [{"expanded_url": "https://example.org/a", "title": "Titre",
                             "description": "Résumé",
                             "images": [{"url": "https://pbs.twimg.com/news_img/d.jpg"}]}]}},
     [("link", "https://example.org/a"), ("image", "https://pbs.twimg.com/news_img/d.jpg")]),
    # A bare link without a preview stays in the text only.
    ({"entities": {"urls": [{"expanded_url": "https://example.org/b"}]}}, []),
    ({}, []),
])
def test_x_attachments(tweet: dict[str, Any], expected: list[tuple[str, str | None]]) -> None:
    assert [(a.type, a.url) for a in x_attachments(tweet, MEDIA)] == expected


def test_x_connector_maps_media() -> None:
    tweet = {"id": "20", "text": "@polymtl", "created_at": "2025-01-01T10:00:00.000Z",
             "author_id": "5", "conversation_id": "10",
             "attachments": {"media_keys": ["3_1"]}}
    comment = comment_from_x(tweet, {}, None, MEDIA)
    assert [(a.type, a.url) for a in comment.attachments] == [
        ("image", "https://pbs.twimg.com/media/a.jpg")]
    assert comment_from_x(tweet, {}, None).attachments == ()  # no includes.media given
