"""checks.py: what every test app imports first, so that a protocol slip
cannot go unnoticed.

- wsgiref.validate's warnings become errors (a WSGIWarning raises, so the
  request fails with a 500 and a traceback the tests look for);
- an exception nobody can raise (the validator's "iterator garbage collected
  without being closed", raised in __del__) is written to the error log as a
  line starting with UNRAISABLE, which the tests assert never appears.
"""

import sys
import warnings
from wsgiref import validate

warnings.simplefilter("error", validate.WSGIWarning)


def _unraisable(info):
    sys.stderr.write(f"UNRAISABLE: {info.exc_type.__name__}: {info.exc_value} in {info.object!r}\n")
    sys.stderr.flush()


sys.unraisablehook = _unraisable


def validated(app):
    """app wrapped in wsgiref.validate.validator."""
    return validate.validator(app)
