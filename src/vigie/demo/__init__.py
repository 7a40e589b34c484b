"""Demo comments bundled with Vigie (written for the demo; see scripts/make_demo.py)."""
