import json
from wsgiref.util import setup_testing_defaults

from ratings.app import application


def get(path):
    environ = {"PATH_INFO": path}
    setup_testing_defaults(environ)
    answered = {}

    def start_response(status, headers):
        answered["status"] = status

    body = b"".join(application(environ, start_response))
    return answered["status"], json.loads(body)


def test_a_product_rating():
    assert get("/products/lamp-01/rating") == ("200 OK", {"sku": "lamp-01", "median": 4, "count": 3})


def test_an_unknown_product():
    status, body = get("/products/sofa-99/rating")
    assert status == "404 Not Found" and "sofa-99" in body["error"]


def test_an_unknown_route():
    assert get("/basket")[0] == "404 Not Found"
