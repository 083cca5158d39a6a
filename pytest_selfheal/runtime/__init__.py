"""Production incidents: what a running program (a service, a job) records when it raises.

Runs INSIDE the user's deployed program: imports only the standard library on import (no pytest,
no git, nothing heavy), never raises into the host program. `incident.py` is the record and its
JSON-lines form, the one format shared with the command-line side that ingests incidents.
"""
