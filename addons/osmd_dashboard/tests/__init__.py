from . import test_browser, test_dashboard, test_rpc
