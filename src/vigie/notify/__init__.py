"""Notifications at the edge: escalation mail and webhooks to the community manager."""
