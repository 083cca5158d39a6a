"""`pytest-selfheal incidents`: read the incidents a running program left (our JSON lines, or
OTLP JSON as the OpenTelemetry Collector's file exporter writes it), group them by signature,
and judge each signature against the deploy before it. Runs in the console-script process."""
