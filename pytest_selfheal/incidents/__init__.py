"""Incidents from production, on the command line's side: read the incidents a running program
left (our JSON lines, or OTLP JSON as the OpenTelemetry Collector's file exporter writes it),
group them by signature and judge each against the deploy before it (`pytest-selfheal
incidents`), and reproduce one as a failing test and hand it to the heal (`reproduce`, `heal`).
Runs in the console-script process (and, for `--selfheal-incident`, in the user's pytest
process, where the heal runs)."""
