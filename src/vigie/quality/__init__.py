"""Quality measurement: evaluation against labelled sets, golden cases, the quality report.

Nothing in production imports this package.
"""
