"""Policies shipped with Vigie (the default: Polytechnique Montréal's directive)."""
