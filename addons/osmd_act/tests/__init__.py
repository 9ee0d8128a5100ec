from . import test_acts
