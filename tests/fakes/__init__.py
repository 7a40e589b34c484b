"""Fake platform servers for the connector tests: real HTTP on loopback, documented shapes."""
