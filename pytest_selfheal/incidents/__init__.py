"""Incidents from production, on the command line's side: reading what the runtime hook wrote,
triaging it, and reproducing an incident as a failing test. Runs in the console script's process.
"""
