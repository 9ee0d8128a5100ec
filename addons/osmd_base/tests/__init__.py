from . import test_registry
from . import test_isolation
