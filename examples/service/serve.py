"""Serve the ratings service as production does, with the incident hook installed:
`python serve.py [PORT]` (0, the default, picks a free port and prints it).

Every exception a request raises answers 500, as before, and is also recorded, redacted and
bounded, in .selfheal/incidents.jsonl, which `pytest-selfheal incidents`, `reproduce` and `heal`
read.
"""

import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

from pytest_selfheal import runtime

from ratings.app import application


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        """Requests are not logged: the demo prints what it sends."""


def main():
    runtime.install()
    server = make_server("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0,
                         runtime.WSGIMiddleware(application), handler_class=QuietHandler)
    print(f"serving on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
