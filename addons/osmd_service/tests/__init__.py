from . import test_service_requests
