from . import test_voting
from . import test_browser
