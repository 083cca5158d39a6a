"""Agents propose candidate fixes; the pipeline validates them. See base.py for the protocol."""
