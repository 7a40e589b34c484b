"""Without the optional ``images`` extra, the pipeline still runs and says what it skipped.

The extra (NudeNet, ONNX Runtime, Pillow) is hidden from a fresh interpreter by setting its
modules to ``None`` in ``sys.modules``, which makes every ``import`` of them fail, exactly as
if they were not installed. Needs nothing from the extra itself, so it runs everywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys
    for name in ("onnxruntime", "nudenet", "PIL", "cv2"):
        sys.modules[name] = None
    from datetime import datetime, timezone
    from vigie.detectors.images import create
    from vigie.engine import decide
    from vigie.policy import load_policy
    from vigie.text.prepare import prepare_batch
    from vigie.records import Attachment, Author, Comment, Platform

    policy = load_policy()
    detector = create({}, policy)
    def comment(cid, attachments):
        return Comment(id=cid, platform=Platform.X, text="", author=Author(id="x:1"),
                       created_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
                       attachments=attachments)
    batch = [comment("x:1", (Attachment(type="image", url="https://cdn.example/a.jpg"),)),
             comment("x:2", ())]
    prepared = prepare_batch(batch)
    found = detector.detect(prepared, [[], []])
    decisions = [decide(policy, c, f) for c, f in zip(batch, found)]
    print(json.dumps({
        "findings": [[f.to_dict() for f in fs] for fs in found],
        "actions": [d.action.value for d in decisions],
        "explanation": decisions[0].explanation["en"],
        "loaded": sorted(n for n in ("onnxruntime", "nudenet", "PIL", "cv2")
                         if sys.modules.get(n) is not None),
    }))
""")


def test_pipeline_runs_and_reports_images_not_analysed() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    (finding,), no_image = result["findings"]
    assert finding["signal"] == "media.not_analysed" and finding["score"] == 1.0
    assert "optional 'images' extra is not installed" in finding["explanation"]
    assert no_image == []  # a comment without images gets nothing
    # The bundled policy decides: an image that could not be analysed goes to review.
    assert result["actions"] == ["review", "allow"]
    assert "not analysed" in result["explanation"]
    assert result["loaded"] == []
