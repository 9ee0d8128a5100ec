from . import test_payments
from . import test_bulk_import
from . import test_registries
from . import test_collected
from . import test_autoclient
from . import test_split_book
from . import test_fuzz_sheet_import
