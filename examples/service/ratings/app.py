"""The ratings service: a plain WSGI application over an in-memory store."""

import json

from .stats import median

RATINGS = {
    "lamp-01": [5, 4, 4],
    "desk-02": [3],
    "chair-03": [2, 5, 4, 4, 3],
    "shelf-04": [4, 2],
}


def application(environ, start_response):
    """`GET /products/<sku>/rating` -> the median rating and how many ratings there are."""
    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    if len(parts) != 3 or parts[0] != "products" or parts[2] != "rating":
        return _answer(start_response, "404 Not Found", {"error": "no such route"})
    ratings = RATINGS.get(parts[1])
    if not ratings:
        return _answer(start_response, "404 Not Found", {"error": f"no ratings for {parts[1]}"})
    return _answer(start_response, "200 OK",
                   {"sku": parts[1], "median": median(ratings), "count": len(ratings)})


def _answer(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])
    return [data]
