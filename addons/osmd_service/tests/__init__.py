from . import test_service_requests
from . import test_browser
from . import test_announcements
from . import test_paid_services
