"""Product ratings, and the WSGI application that serves them."""
