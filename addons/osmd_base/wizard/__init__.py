from . import osmd_ownership_transfer
from . import osmd_association_create
from . import osmd_registry_import
from . import osmd_portal_grant
