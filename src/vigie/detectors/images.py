"""Image detector (directive 6.4 e): pornographic material sent as a photo, GIF or sticker.

Each image attachment of a comment (:mod:`vigie.media.attachments`) is fetched safely and
only into memory (:mod:`vigie.media.fetch`), decoded, and shown to NudeNet's body-part
detector (:mod:`vigie.media.nudity`), offline on the CPU. The findings:

* ``sexual.image_explicit`` — exposed genitalia, anus or female breast in a photograph; the
  regions (label, confidence, bounding box in pixels) are in ``data["regions"]``;
* ``sexual.image_drawing`` — the same in an image that looks like a drawing, diagram or
  cartoon (:func:`~vigie.media.decode.drawing_score`): anatomical and medical illustrations
  look like this, and the policy can hold them for a human instead of removing them;
* ``sexual.image_suggestive`` — covered genital area (swimwear, underwear) or exposed
  buttocks: beach and pool photos look like this, so the policy caps it at review;
* ``media.not_analysed`` — score 1.0, a fact: an image of the comment was not judged (the
  optional ``images`` extra is not installed, the fetch was refused or failed, the image could
  not be decoded, or a video). What that means (review, or nothing) is the policy's call.

Scores. NudeNet's confidences are not calibrated, and no explicit image can be shipped to
calibrate them, so the mapping is a stated prior (docs/images.md): an exposed genitalia or
anus region of confidence ``c`` counts ``1 - (1 - c)²`` (the classes are specific: swimwear
never shows them), an exposed female breast counts ``c``, and several explicit regions combine
as a noisy-or. Suggestive evidence is the strongest suggestive confidence. Faces, feet,
bellies, armpits and male chests are never evidence.

Only comments that have image (or video) attachments are touched; a text-only comment costs
one attribute test.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.media.attachments import is_image, is_video
from vigie.media.fetch import FetchError, FetchRefused, FetchSettings, ImageFetcher, default_client
from vigie.media.sources import AttachmentSource, ImageSource
from vigie.policy import Policy
from vigie.records import Attachment
from vigie.text.prepare import PreparedComment

if TYPE_CHECKING:
    from vigie.media.nudity import ImageAnalysis, NudityModel, Region

__all__ = ["SIGNALS", "ImageDetector", "ImageOptions", "load_model"]

log = logging.getLogger(__name__)

NAME = "vigie.images.nudenet.v1"
SIGNALS = ("sexual.image_explicit", "sexual.image_drawing", "sexual.image_suggestive",
           "media.not_analysed")

#: Exposed classes and how strongly each is evidence (exponent ``k`` in ``1 - (1 - c)^k``).
_EXPLICIT = {
    "FEMALE_GENITALIA_EXPOSED": ("exposed female genitalia", 2),
    "MALE_GENITALIA_EXPOSED": ("exposed male genitalia", 2),
    "ANUS_EXPOSED": ("exposed anus", 2),
    "FEMALE_BREAST_EXPOSED": ("exposed female breast", 1),
}
_SUGGESTIVE = {
    "FEMALE_GENITALIA_COVERED": "covered genital area (swimwear or underwear)",
    "ANUS_COVERED": "covered anal area",
    "BUTTOCKS_EXPOSED": "exposed buttocks",
}
_NAMES = {**{label: name for label, (name, _) in _EXPLICIT.items()}, **_SUGGESTIVE}
#: At or above this drawing score, explicit regions are reported as ``sexual.image_drawing``.
#: A measurement boundary between two kinds of evidence, not a decision threshold.
DRAWING_BOUNDARY = 0.5
_NOT_INSTALLED = "the optional 'images' extra is not installed (pip install 'vigie[images]')"


class ImageOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.images.nudenet.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    fetch_urls: bool = Field(default=True, description="fetch image URLs (public addresses only)")
    read_paths: bool = Field(
        default=True, description="read an attachment's local 'path' (imported records; connectors "
                          "never set one)")
    max_images: int = Field(default=4, ge=1, le=20, description="images judged per comment")
    max_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, description="largest image, in bytes")
    max_pixels: int = Field(default=40_000_000, ge=10_000, description="largest image, in pixels")
    timeout_s: float = Field(default=10.0, gt=0, le=60,
                             description="whole fetch of one image, seconds")
    floor: float = Field(default=0.25, ge=0.05, le=0.9,
                         description="model confidence below which a box is not a region")
    report_videos: bool = Field(
        default=True, description="report video attachments as not analysed (only their preview "
                          "frame, when the platform gives one, is judged)")


@dataclass(frozen=True, slots=True)
class _Job:
    comment: int
    number: int  # 1-based attachment number, as shown to people
    source: str = ""


@cache
def load_model(floor: float = 0.25, max_pixels: int = 40_000_000
               ) -> tuple[NudityModel | None, str | None]:
    """Load NudeNet once per process: ``(model, None)`` or ``(None, why not)``.

    Never raises: without the ``images`` extra the detector still runs and reports every
    image as not analysed.
    """
    try:
        from vigie.media.nudity import NudityModel, load_session

        return NudityModel(load_session(), floor=floor, max_pixels=max_pixels), None
    except ImportError:
        return None, _NOT_INSTALLED
    except OSError as error:
        log.warning("image model unavailable: %s", error)
        return None, f"the image model could not be loaded ({type(error).__name__})"


def _explicit_score(regions: Sequence[Region]) -> float:
    miss = 1.0
    for region in regions:
        _, power = _EXPLICIT[region.label]
        miss *= (1.0 - region.score) ** power
    return 1.0 - miss


def _describe(regions: Sequence[Region]) -> str:
    """Words for up to three regions: what, confidence, where (pure)."""
    parts = []
    for r in regions[:3]:
        x, y, w, h = r.box
        parts.append(f"{_NAMES[r.label]} ({r.score:.2f}) at {x},{y} {w}x{h} px")
    more = f" and {len(regions) - 3} more" if len(regions) > 3 else ""
    return "; ".join(parts) + more


class ImageDetector:
    """Emits sexual image evidence, or ``media.not_analysed``, for image attachments."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=50)

    def __init__(self, options: ImageOptions, model: NudityModel | None,
                 source: ImageSource | None, unavailable: str | None = None) -> None:
        """Build the detector.

        Args:
            options: validated options.
            model: the loaded model; ``None`` when the ``images`` extra is missing.
            source: where image bytes come from; ``None``: nothing is fetched or read.
            unavailable: why ``model`` is ``None`` (shown in the decision).
        """
        self.options = options
        self.model = model
        self.source = source
        self.unavailable = unavailable or _NOT_INSTALLED

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Judge every image attachment of the batch (fetches, then one model pass)."""
        out: list[list[Finding]] = [[] for _ in batch]
        jobs: list[_Job] = []
        blobs: list[bytes] = []
        for i, item in enumerate(batch):
            if not item.comment.attachments:
                continue
            judged = 0
            for number, attachment in enumerate(item.comment.attachments, start=1):
                if is_video(attachment):
                    if self.options.report_videos:
                        out[i].append(self._not_analysed(
                            number, "a video, which Vigie does not analyse", "video"))
                    continue
                if not is_image(attachment):
                    continue
                judged += 1
                if judged > self.options.max_images:
                    out[i].append(self._not_analysed(
                        number, f"more than {self.options.max_images} images in the comment",
                        "limit"))
                    continue
                if self.model is None:
                    out[i].append(self._not_analysed(number, self.unavailable, "unavailable"))
                    continue
                fetched = self._fetch(attachment, number)
                if isinstance(fetched, Finding):
                    out[i].append(fetched)
                    continue
                jobs.append(_Job(i, number, fetched[1]))
                blobs.append(fetched[0])
        if jobs and self.model is not None:
            # One model pass for the whole batch; the bytes are dropped right after it.
            analyses = self.model.analyse(blobs)
            blobs.clear()
            for job, analysis in zip(jobs, analyses, strict=True):
                if isinstance(analysis, Exception):
                    out[job.comment].append(self._not_analysed(
                        job.number, str(analysis), "decode"))
                else:
                    out[job.comment].extend(self._findings(job, analysis))
        return out

    def _fetch(self, attachment: Attachment, number: int) -> tuple[bytes, str] | Finding:
        """The image's bytes and source, or the ``media.not_analysed`` finding saying why."""
        if not attachment.url and not attachment.path:
            return self._not_analysed(number, "attachment has no image address", "fetch")
        if self.source is None:
            return self._not_analysed(number, "image fetching is off", "fetch")
        try:
            image = self.source.get(attachment)
        except FetchRefused as error:
            return self._not_analysed(number, f"fetch refused: {error.reason}", "refused")
        except FetchError as error:
            return self._not_analysed(number, f"fetch failed: {error.reason}", "fetch")
        except Exception as error:  # one bad image must not hide the others
            log.warning("image fetch failed unexpectedly: %r", error)
            return self._not_analysed(number, f"fetch failed ({type(error).__name__})",
                                      "fetch")
        return image.data, image.source

    @staticmethod
    def _not_analysed(number: int, why: str, kind: str) -> Finding:
        return Finding("media.not_analysed", 1.0, NAME,
                       f"image {number} not analysed: {why}", None,
                       {"attachment": number, "reason": kind})

    def _findings(self, job: _Job, analysis: ImageAnalysis) -> list[Finding]:
        explicit = [r for r in analysis.regions if r.label in _EXPLICIT]
        suggestive = [r for r in analysis.regions if r.label in _SUGGESTIVE]
        base = {"attachment": job.number, "source": job.source,
                "image_size": [analysis.width, analysis.height],
                "drawing": analysis.drawing, "model": "nudenet-3.4.2-320n"}
        frame = " (first frame of an animation)" if analysis.animated else ""
        found: list[Finding] = []
        if explicit:
            score = round(min(1.0, _explicit_score(explicit)), 4)
            what = _describe(explicit)
            if analysis.drawing >= DRAWING_BOUNDARY:
                found.append(Finding(
                    "sexual.image_drawing", score, NAME,
                    f"image {job.number}{frame} looks like a drawing or diagram "
                    f"(drawing score {analysis.drawing:.2f}) and shows {what}", None,
                    {**base, "regions": [r.to_dict() for r in explicit]}))
            else:
                found.append(Finding(
                    "sexual.image_explicit", score, NAME,
                    f"explicit image {job.number}{frame}: {what}", None,
                    {**base, "regions": [r.to_dict() for r in explicit]}))
        # The model learnt swimwear and underwear from photographs: in a drawing, a
        # "covered" region is a cartoon or a diagram, not suggestive material.
        if suggestive and analysis.drawing < DRAWING_BOUNDARY:
            score = round(max(r.score for r in suggestive), 4)
            found.append(Finding(
                "sexual.image_suggestive", score, NAME,
                f"suggestive image {job.number}{frame}: {_describe(suggestive)}",
                None, {**base, "regions": [r.to_dict() for r in suggestive]}))
        return found


def default_source(options: ImageOptions) -> AttachmentSource:
    """The production image source for ``options`` (HTTP client opened on first use)."""
    settings = FetchSettings(max_bytes=options.max_bytes, total_timeout_s=options.timeout_s)
    factory: Callable[[], ImageFetcher] | None = None
    if options.fetch_urls:
        def factory() -> ImageFetcher:
            return ImageFetcher(default_client(), settings)
    return AttachmentSource(fetcher_factory=factory, settings=settings,
                            read_paths=options.read_paths)


def create(options: Mapping[str, Any], policy: Policy) -> ImageDetector:
    """Factory for the registry: loads the model if the ``images`` extra is installed."""
    parsed = parse_options(ImageOptions, NAME, options)
    model, why = load_model(parsed.floor, parsed.max_pixels)
    source = default_source(parsed) if model is not None else None
    return ImageDetector(parsed, model, source, why)
