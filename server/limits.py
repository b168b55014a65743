"""Rate limits (Flask-Limiter) on the endpoints a guesser would hammer: activation and
sign-in. Wrong activation codes cannot be counted against any code, so they are
counted against the client's address instead."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
