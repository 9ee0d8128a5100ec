from . import test_registry
from . import test_isolation
from . import test_staff_users
from . import test_staff_takeover
from . import test_portal_grant
from . import test_ip_allowlist
from . import test_onboarding
from . import test_translation
